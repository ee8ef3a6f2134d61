//! Login and the signed-in caller.

use serde_json::json;
use uuid::Uuid;

use crate::helpers::TestApp;

const LOGIN: &str = "mutation($i: LoginInput!) { login(input: $i) { accessToken expiresIn user { email displayName } } }";

#[tokio::test]
async fn the_admin_logs_in_and_me_names_them() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let r = app
        .gql(None, LOGIN, json!({ "i": { "tenant": "acme", "email": "ADMIN@acme.test ", "password": t.password } }))
        .await;
    let login = &r.body["data"]["login"];
    assert_eq!(login["expiresIn"], 900);
    assert_eq!(login["user"]["email"], "admin@acme.test");
    let token = login["accessToken"].as_str().unwrap();
    let me = app
        .gql(
            Some(token),
            "{ me { user { email displayName } } }",
            json!({}),
        )
        .await;
    assert_eq!(me.body["data"]["me"]["user"]["displayName"], "Admin");
}

#[tokio::test]
async fn every_failed_login_looks_the_same() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let attempts = [
        ("acme", "admin@acme.test", "wrong password!!"),
        ("acme", "nobody@acme.test", t.password.as_str()),
        ("nosuch", "admin@acme.test", t.password.as_str()),
        ("acme", "not an email", t.password.as_str()),
    ];
    let mut messages = Vec::new();
    for (tenant, email, password) in attempts {
        let r = app
            .gql(
                None,
                LOGIN,
                json!({ "i": { "tenant": tenant, "email": email, "password": password } }),
            )
            .await;
        assert_eq!(r.codes(), ["UNAUTHENTICATED"], "{}", r.body);
        messages.push(r.body["errors"][0]["message"].clone());
    }
    messages.dedup();
    assert_eq!(messages.len(), 1, "{messages:?}");
}

#[tokio::test]
async fn me_without_or_with_a_bad_token_is_unauthenticated() {
    let app = TestApp::spawn().await;
    let r = app.gql(None, "{ me { user { id } } }", json!({})).await;
    assert_eq!(r.codes(), ["UNAUTHENTICATED"]);
    for bad in ["garbage", "eyJhbGciOiJub25lIn0.e30.", ""] {
        let resp = app
            .client
            .post(format!("{}/graphql", app.base))
            .header("authorization", format!("Bearer {bad}"))
            .json(&json!({ "query": "{ me { user { id } } }" }))
            .send()
            .await
            .unwrap();
        let r = TestApp::read(resp).await;
        assert_eq!(r.status, 401, "{bad:?}");
        assert_eq!(r.codes(), ["UNAUTHENTICATED"]);
    }
    let resp = app
        .client
        .post(format!("{}/graphql", app.base))
        .header("authorization", "Basic YWRtaW46YWRtaW4=")
        .json(&json!({ "query": "{ me { user { id } } }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
}

#[tokio::test]
async fn a_valid_token_for_an_unknown_tenant_or_user_is_unauthenticated() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    for (tenant, user) in [(Uuid::now_v7(), Uuid::now_v7()), (t.id, Uuid::now_v7())] {
        let token = app
            .state
            .tokens()
            .issue(tenant, user, Uuid::now_v7())
            .unwrap();
        let r = app
            .gql(Some(&token), "{ me { user { id } } }", json!({}))
            .await;
        assert_eq!(r.codes(), ["UNAUTHENTICATED"], "{}", r.body);
    }
}
