//! Access tokens: EdDSA-signed JWTs that name the tenant (`tid`) and the user (`sub`).
//!
//! Verification is strict (SECURITY.md trap 8): the algorithm is pinned to EdDSA, the `kid`
//! must name one of our keys, every claim is required, `iss` and `aud` must match, leeway is
//! 30 s, and `jku`/`x5u` headers are never followed (we only ever look keys up by `kid`).

use std::time::Duration;

use chrono::Utc;
use jsonwebtoken::{Algorithm, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::keys::Keys;
use crate::auth::{Actor, Principal};
use crate::error::AppError;

/// Clock skew tolerated on `exp` and `nbf`.
const LEEWAY_SECS: u64 = 30;

/// The claims of an access token. All are required on decode: serde fails on a missing one.
#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    /// Issuer.
    pub iss: String,
    /// Audience.
    pub aud: String,
    /// The user id.
    pub sub: Uuid,
    /// The tenant id.
    pub tid: Uuid,
    /// Expiry, seconds since the epoch.
    pub exp: i64,
    /// Not before.
    pub nbf: i64,
    /// Issued at.
    pub iat: i64,
    /// Token id.
    pub jti: Uuid,
    /// Session: the refresh-token family of the sign-in.
    pub sid: Uuid,
}

/// Issues and verifies access tokens.
pub struct Tokens {
    keys: Keys,
    issuer: String,
    audience: String,
    ttl: Duration,
    /// Tokens whose signature and claims were checked, with what they said: a client sends
    /// the same token with every request for its whole life, and an Ed25519 verification costs
    /// more than the rest of a short request's authentication. Only the expiry is checked
    /// again on a hit (the other checks cannot change for the same text). Bounded: past
    /// [`VERIFIED_MAX`] entries the map starts over.
    verified: std::sync::Mutex<std::collections::HashMap<String, (Principal, i64)>>,
}

/// Most verified tokens remembered.
const VERIFIED_MAX: usize = 8_192;

impl Tokens {
    /// Tokens signed by `keys`.
    pub fn new(keys: Keys, issuer: String, audience: String, ttl: Duration) -> Self {
        Self {
            keys,
            issuer,
            audience,
            ttl,
            verified: std::sync::Mutex::default(),
        }
    }

    /// The keys (for the JWK set).
    pub fn keys(&self) -> &Keys {
        &self.keys
    }

    /// Lifetime of a new token, in seconds.
    pub fn ttl_secs(&self) -> u64 {
        self.ttl.as_secs()
    }

    /// A new access token for user `user_id` of tenant `tenant_id`, in session `session_id`.
    pub fn issue(
        &self,
        tenant_id: Uuid,
        user_id: Uuid,
        session_id: Uuid,
    ) -> Result<String, AppError> {
        let now = Utc::now().timestamp();
        let claims = Claims {
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            sub: user_id,
            tid: tenant_id,
            exp: now + i64::try_from(self.ttl.as_secs()).unwrap_or(900),
            nbf: now,
            iat: now,
            jti: Uuid::now_v7(),
            sid: session_id,
        };
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(self.keys.signing_kid.clone());
        jsonwebtoken::encode(&header, &claims, &self.keys.signing)
            .map_err(|e| AppError::Internal(format!("token signing failed: {e}")))
    }

    /// The principal of a valid token; anything else is `UNAUTHENTICATED`.
    pub fn verify(&self, token: &str) -> Result<Principal, AppError> {
        self.verify_until(token).map(|(principal, _)| principal)
    }

    /// [`Tokens::verify`], with the token's expiry (`exp`), for callers that hold on to a token
    /// (a WebSocket is closed when its token expires).
    pub fn verify_until(
        &self,
        token: &str,
    ) -> Result<(Principal, chrono::DateTime<chrono::Utc>), AppError> {
        let leeway = i64::try_from(LEEWAY_SECS).unwrap_or(0);
        let known = self
            .verified
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(token)
            .cloned();
        if let Some((principal, exp)) = known {
            if Utc::now().timestamp() > exp + leeway {
                return Err(AppError::Unauthenticated);
            }
            let expires =
                chrono::DateTime::from_timestamp(exp, 0).ok_or(AppError::Unauthenticated)?;
            return Ok((principal, expires));
        }
        let (principal, expires) = self.verify_signature(token)?;
        let mut verified = self
            .verified
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if verified.len() >= VERIFIED_MAX {
            verified.clear();
        }
        verified.insert(token.to_owned(), (principal.clone(), expires.timestamp()));
        Ok((principal, expires))
    }

    /// The full check of a token not seen before.
    fn verify_signature(
        &self,
        token: &str,
    ) -> Result<(Principal, chrono::DateTime<chrono::Utc>), AppError> {
        let data = self.decode::<Claims>(token, &self.audience)?;
        let expires = chrono::DateTime::from_timestamp(data.claims.exp, 0)
            .ok_or(AppError::Unauthenticated)?;
        let principal = Principal {
            tenant_id: data.claims.tid,
            actor: Actor::User(data.claims.sub),
            session_id: Some(data.claims.sid),
        };
        Ok((principal, expires))
    }

    /// The claims of `token`, checked strictly (see the module header) for `audience`.
    fn decode<T: serde::de::DeserializeOwned>(
        &self,
        token: &str,
        audience: &str,
    ) -> Result<jsonwebtoken::TokenData<T>, AppError> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| AppError::Unauthenticated)?;
        if header.alg != Algorithm::EdDSA {
            return Err(AppError::Unauthenticated);
        }
        let key = header
            .kid
            .as_deref()
            .and_then(|kid| self.keys.verifying.get(kid))
            .ok_or(AppError::Unauthenticated)?;
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[audience]);
        validation.validate_nbf = true;
        validation.leeway = LEEWAY_SECS;
        jsonwebtoken::decode::<T>(token, key, &validation).map_err(|_| AppError::Unauthenticated)
    }

    /// The audience of document links: never that of access tokens, so neither kind of
    /// token passes for the other.
    fn link_audience(&self) -> String {
        format!("{}:document", self.audience)
    }

    /// A token that lets `principal` download document `doc` of kind `kind` until the
    /// returned time (`ttl` from now). It grants nothing by itself: the download checks the
    /// caller's rights on the document again (`crate::documents`).
    pub fn issue_link(
        &self,
        principal: &Principal,
        kind: LinkedDocument,
        doc: Uuid,
        ttl: Duration,
    ) -> Result<(String, chrono::DateTime<Utc>), AppError> {
        let now = Utc::now().timestamp();
        let exp = now + i64::try_from(ttl.as_secs()).unwrap_or(300);
        let (sub, key) = match principal.actor {
            Actor::User(id) => (id, false),
            Actor::ApiKey(id) => (id, true),
        };
        let claims = LinkClaims {
            iss: self.issuer.clone(),
            aud: self.link_audience(),
            sub,
            key,
            tid: principal.tenant_id,
            sid: principal.session_id,
            kind,
            doc,
            exp,
            nbf: now,
            iat: now,
        };
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(self.keys.signing_kid.clone());
        let token = jsonwebtoken::encode(&header, &claims, &self.keys.signing)
            .map_err(|e| AppError::Internal(format!("link signing failed: {e}")))?;
        let expires = chrono::DateTime::from_timestamp(exp, 0)
            .ok_or_else(|| AppError::Internal("link expiry out of range".into()))?;
        Ok((token, expires))
    }

    /// What a valid document link names; anything else (an access token included) is
    /// `UNAUTHENTICATED`.
    pub fn verify_link(&self, token: &str) -> Result<Link, AppError> {
        let claims = self
            .decode::<LinkClaims>(token, &self.link_audience())?
            .claims;
        let actor = if claims.key {
            Actor::ApiKey(claims.sub)
        } else {
            Actor::User(claims.sub)
        };
        Ok(Link {
            principal: Principal {
                tenant_id: claims.tid,
                actor,
                session_id: claims.sid,
            },
            kind: claims.kind,
            doc: claims.doc,
        })
    }
}

/// The kinds of document a link can name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkedDocument {
    /// An invoice or credit note.
    Invoice,
    /// A quotation.
    Quotation,
}

/// The claims of a document link. All are required on decode.
#[derive(Debug, Serialize, Deserialize)]
struct LinkClaims {
    iss: String,
    aud: String,
    /// The user or API key it was issued to.
    sub: Uuid,
    /// Whether `sub` is an API key.
    key: bool,
    tid: Uuid,
    /// The session of the user's sign-in (`null` for an API key).
    sid: Option<Uuid>,
    kind: LinkedDocument,
    doc: Uuid,
    exp: i64,
    nbf: i64,
    iat: i64,
}

/// A verified document link: who may download which document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// Who it was issued to, checked again at download.
    pub principal: Principal,
    /// What kind of document.
    pub kind: LinkedDocument,
    /// The document's id.
    pub doc: Uuid,
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::SigningKey;

    fn tokens(seed: u8) -> Tokens {
        let keys = Keys::from_signing_key(&SigningKey::from_bytes(&[seed; 32])).unwrap();
        Tokens::new(
            keys,
            "erp".into(),
            "erp-api".into(),
            Duration::from_secs(900),
        )
    }

    fn issue(t: &Tokens) -> String {
        t.issue(Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7())
            .unwrap()
    }

    #[test]
    fn an_issued_token_verifies_to_its_principal() {
        let t = tokens(1);
        let (tenant, user, session) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let p = t.verify(&t.issue(tenant, user, session).unwrap()).unwrap();
        assert_eq!(
            p,
            Principal {
                tenant_id: tenant,
                actor: Actor::User(user),
                session_id: Some(session)
            }
        );
    }

    #[test]
    fn a_token_signed_by_another_key_is_refused() {
        let token = issue(&tokens(2));
        assert!(matches!(
            tokens(1).verify(&token),
            Err(AppError::Unauthenticated)
        ));
    }

    #[test]
    fn an_unsigned_or_tampered_token_is_refused() {
        let t = tokens(1);
        let token = issue(&t);
        let mut parts: Vec<&str> = token.split('.').collect();
        let none_header = base64::Engine::encode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            br#"{"alg":"none","typ":"JWT"}"#,
        );
        parts[0] = &none_header;
        assert!(t.verify(&format!("{}.{}.", parts[0], parts[1])).is_err());
        assert!(t.verify(&format!("{}x", token)).is_err());
        assert!(t.verify("garbage").is_err());
    }

    #[test]
    fn a_link_names_its_document_and_is_no_access_token() {
        let t = tokens(1);
        let principal = Principal {
            tenant_id: Uuid::now_v7(),
            actor: Actor::User(Uuid::now_v7()),
            session_id: Some(Uuid::now_v7()),
        };
        let doc = Uuid::now_v7();
        let (link, expires) = t
            .issue_link(
                &principal,
                LinkedDocument::Invoice,
                doc,
                Duration::from_secs(60),
            )
            .unwrap();
        assert!(expires > Utc::now());
        assert_eq!(
            t.verify_link(&link).unwrap(),
            Link {
                principal: principal.clone(),
                kind: LinkedDocument::Invoice,
                doc
            }
        );
        assert!(
            matches!(t.verify(&link), Err(AppError::Unauthenticated)),
            "a link is not an access token"
        );
        let access = issue(&t);
        assert!(
            matches!(t.verify_link(&access), Err(AppError::Unauthenticated)),
            "an access token is not a link"
        );
        assert!(tokens(2).verify_link(&link).is_err(), "another key");
        assert!(t.verify_link(&format!("{link}x")).is_err(), "tampered");
        let past = Utc::now().timestamp() - i64::try_from(LEEWAY_SECS).unwrap() - 10;
        let claims = LinkClaims {
            iss: "erp".into(),
            aud: t.link_audience(),
            sub: Uuid::now_v7(),
            key: false,
            tid: principal.tenant_id,
            sid: None,
            kind: LinkedDocument::Quotation,
            doc,
            exp: past,
            nbf: past - 60,
            iat: past - 60,
        };
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(t.keys.signing_kid.clone());
        let expired = jsonwebtoken::encode(&header, &claims, &t.keys.signing).unwrap();
        assert!(t.verify_link(&expired).is_err(), "expired");
    }

    #[test]
    fn a_remembered_token_still_expires_and_a_refused_one_is_not_remembered() {
        let t = tokens(1);
        let token = issue(&t);
        assert!(t.verify(&token).is_ok());
        assert!(
            t.verify(&token).is_ok(),
            "a remembered token verifies again"
        );
        let forged = format!("{token}x");
        assert!(t.verify(&forged).is_err());
        let verified = t.verified.lock().unwrap();
        assert!(verified.contains_key(&token) && !verified.contains_key(&forged));
        drop(verified);
        let past = Utc::now().timestamp() - i64::try_from(LEEWAY_SECS).unwrap() - 1;
        t.verified.lock().unwrap().get_mut(&token).unwrap().1 = past;
        assert!(matches!(t.verify(&token), Err(AppError::Unauthenticated)));
    }
}
