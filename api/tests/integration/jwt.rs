//! The forged-token matrix of SECURITY.md: every token that is not exactly what the server
//! issued is `UNAUTHENTICATED`, whatever was tampered with.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::SigningKey;
use ed25519_dalek::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

use crate::helpers::TestApp;

const ME: &str = "{ me { user { email } } }";

struct Forge {
    server_key: EncodingKey,
    other_key: EncodingKey,
    kid: String,
    x: String,
    claims: Value,
}

impl Forge {
    async fn new(app: &TestApp, token: &str) -> Self {
        let pem = std::fs::read_to_string(app.dir.path().join("keys/jwt-ed25519.pem")).unwrap();
        let der = SigningKey::from_pkcs8_pem(&pem)
            .unwrap()
            .to_pkcs8_der()
            .unwrap();
        let other = SigningKey::from_bytes(&[7u8; 32]).to_pkcs8_der().unwrap();
        let jwks: Value = app
            .client
            .get(format!("{}/.well-known/jwks.json", app.base))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let payload = token.split('.').nth(1).unwrap();
        Self {
            server_key: EncodingKey::from_ed_der(der.as_bytes()),
            other_key: EncodingKey::from_ed_der(other.as_bytes()),
            kid: jwks["keys"][0]["kid"].as_str().unwrap().to_owned(),
            x: jwks["keys"][0]["x"].as_str().unwrap().to_owned(),
            claims: serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap(),
        }
    }

    fn header(&self) -> Header {
        let mut h = Header::new(Algorithm::EdDSA);
        h.kid = Some(self.kid.clone());
        h
    }

    /// The real claims with `change` applied, signed with the server's key.
    fn signed(&self, change: impl FnOnce(&mut serde_json::Map<String, Value>)) -> String {
        let mut claims = self.claims.as_object().unwrap().clone();
        change(&mut claims);
        jsonwebtoken::encode(&self.header(), &claims, &self.server_key).unwrap()
    }
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn raw(header: Value, claims: &Value, signature: &str) -> String {
    format!(
        "{}.{}.{signature}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    )
}

#[tokio::test]
async fn every_forged_token_is_unauthenticated() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let login = app
        .gql(
            None,
            "mutation($i: LoginInput!) { login(input: $i) { accessToken refreshToken } }",
            json!({ "i": { "tenant": t.slug, "email": t.email, "password": t.password } }),
        )
        .await;
    let real = login.body["data"]["login"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let refresh = login.body["data"]["login"]["refreshToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let f = Forge::new(&app, &real).await;

    // The forging itself works: the real claims re-signed with the real key are accepted.
    let control = app.gql(Some(&f.signed(|_| {})), ME, json!({})).await;
    assert_eq!(
        control.body["data"]["me"]["user"]["email"],
        t.email.as_str(),
        "{}",
        control.body
    );

    let sig = real.split('.').nth(2).unwrap().to_owned();
    let mut hs = Header::new(Algorithm::HS256);
    hs.kid = Some(f.kid.clone());
    let public = URL_SAFE_NO_PAD.decode(&f.x).unwrap();
    let mut tampered_tid = f.claims.clone();
    tampered_tid["tid"] = json!(uuid::Uuid::now_v7());
    let mut jku = f.header();
    jku.jku = Some("https://attacker.invalid/jwks.json".into());
    jku.kid = Some("attacker".into());
    let mut no_kid = f.header();
    no_kid.kid = None;
    let mut unknown_kid = f.header();
    unknown_kid.kid = Some("not-ours".into());

    let cases: Vec<(&str, String)> = vec![
        (
            "alg none",
            raw(json!({ "alg": "none", "typ": "JWT" }), &f.claims, ""),
        ),
        (
            "alg none with kid",
            raw(json!({ "alg": "none", "kid": f.kid }), &f.claims, ""),
        ),
        (
            "HS256 keyed with the public key bytes",
            jsonwebtoken::encode(&hs, &f.claims, &EncodingKey::from_secret(&public)).unwrap(),
        ),
        (
            "HS256 keyed with the public key text",
            jsonwebtoken::encode(&hs, &f.claims, &EncodingKey::from_secret(f.x.as_bytes()))
                .unwrap(),
        ),
        (
            "EdDSA by another key",
            jsonwebtoken::encode(&f.header(), &f.claims, &f.other_key).unwrap(),
        ),
        (
            "expired",
            f.signed(|c| {
                c.insert("exp".into(), json!(now() - 120));
            }),
        ),
        (
            "not yet valid",
            f.signed(|c| {
                c.insert("nbf".into(), json!(now() + 120));
            }),
        ),
        (
            "exp as a string",
            f.signed(|c| {
                c.insert("exp".into(), json!((now() + 600).to_string()));
            }),
        ),
        (
            "no exp",
            f.signed(|c| {
                c.remove("exp");
            }),
        ),
        (
            "no nbf",
            f.signed(|c| {
                c.remove("nbf");
            }),
        ),
        (
            "no iss",
            f.signed(|c| {
                c.remove("iss");
            }),
        ),
        (
            "no aud",
            f.signed(|c| {
                c.remove("aud");
            }),
        ),
        (
            "no sub",
            f.signed(|c| {
                c.remove("sub");
            }),
        ),
        (
            "no tid",
            f.signed(|c| {
                c.remove("tid");
            }),
        ),
        (
            "no sid",
            f.signed(|c| {
                c.remove("sid");
            }),
        ),
        (
            "no iat",
            f.signed(|c| {
                c.remove("iat");
            }),
        ),
        (
            "no jti",
            f.signed(|c| {
                c.remove("jti");
            }),
        ),
        (
            "wrong aud",
            f.signed(|c| {
                c.insert("aud".into(), json!("someone-else"));
            }),
        ),
        (
            "wrong iss",
            f.signed(|c| {
                c.insert("iss".into(), json!("https://attacker.invalid"));
            }),
        ),
        (
            "sub not a uuid",
            f.signed(|c| {
                c.insert("sub".into(), json!("admin"));
            }),
        ),
        (
            "unknown kid",
            jsonwebtoken::encode(&unknown_kid, &f.claims, &f.server_key).unwrap(),
        ),
        (
            "no kid",
            jsonwebtoken::encode(&no_kid, &f.claims, &f.server_key).unwrap(),
        ),
        (
            "jku to an attacker's keys",
            jsonwebtoken::encode(&jku, &f.claims, &f.other_key).unwrap(),
        ),
        (
            "payload swapped, signature kept",
            raw(
                json!({ "alg": "EdDSA", "typ": "JWT", "kid": f.kid }),
                &tampered_tid,
                &sig,
            ),
        ),
        (
            "signature removed",
            format!("{}.", real.rsplit_once('.').unwrap().0),
        ),
        ("refresh token as access token", refresh.clone()),
        ("garbage", "not.a.token".into()),
    ];
    assert!(cases.len() >= 16);
    for (name, token) in &cases {
        let r = app.gql(Some(token), ME, json!({})).await;
        assert_eq!(r.status, 401, "{name} was accepted: {}", r.body);
        assert_eq!(r.codes(), ["UNAUTHENTICATED"], "{name}");
    }
}

#[tokio::test]
async fn during_a_key_rotation_tokens_of_the_old_key_stay_valid_until_it_is_dropped() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let old_token = app.login(&t).await;
    let old_key = app.dir.path().join("keys/jwt-ed25519.pem");
    let new_key = app.dir.path().join("new-signing-key.pem");
    let pem = SigningKey::from_bytes(&[9u8; 32])
        .to_pkcs8_pem(ed25519_dalek::pkcs8::spki::der::pem::LineEnding::LF)
        .unwrap();
    std::fs::write(&new_key, pem.as_bytes()).unwrap();

    // The same tenants, served with the new signing key and the old one still accepted.
    let mut rotated = TestApp::builder();
    for (k, v) in &app.vars {
        rotated = rotated.env(k, v);
    }
    let rotated = rotated
        .env("ERP_JWT_PRIVATE_KEY_FILE", new_key.to_str().unwrap())
        .env("ERP_JWT_VERIFY_KEY_FILES", old_key.to_str().unwrap())
        .spawn()
        .await;
    let jwks: Value = rotated
        .client
        .get(format!("{}/.well-known/jwks.json", rotated.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(jwks["keys"].as_array().unwrap().len(), 2);
    let me = rotated.gql(Some(&old_token), ME, json!({})).await;
    assert_eq!(
        me.body["data"]["me"]["user"]["email"],
        t.email.as_str(),
        "{}",
        me.body
    );
    let new_token = rotated.login(&t).await;
    assert_ne!(
        jsonwebtoken::decode_header(&new_token).unwrap().kid,
        jsonwebtoken::decode_header(&old_token).unwrap().kid,
        "new tokens are signed with the new key"
    );

    // Once the old key is dropped, its tokens stop working.
    let mut dropped = TestApp::builder();
    for (k, v) in &app.vars {
        dropped = dropped.env(k, v);
    }
    let dropped = dropped
        .env("ERP_JWT_PRIVATE_KEY_FILE", new_key.to_str().unwrap())
        .spawn()
        .await;
    assert_eq!(
        dropped.gql(Some(&old_token), ME, json!({})).await.codes(),
        ["UNAUTHENTICATED"]
    );
    assert!(dropped.gql(Some(&new_token), ME, json!({})).await.body["data"]["me"].is_object());
}
