//! Refresh-token rotation, reuse detection, logout and password changes.

use futures_util::future::join_all;
use serde_json::json;

use crate::helpers::{Gql, TestApp};

const REFRESH: &str = "mutation($t: String!) { refreshSession(refreshToken: $t) { accessToken refreshToken user { email } } }";

async fn refresh(app: &TestApp, token: &str) -> Gql {
    app.gql(None, REFRESH, json!({ "t": token })).await
}

#[tokio::test]
async fn refresh_tokens_rotate_and_a_replay_ends_the_whole_session() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let (_, r1) = app.login_pair(&t).await;

    let first = refresh(&app, &r1).await;
    assert_eq!(
        first.body["data"]["refreshSession"]["user"]["email"],
        t.email.as_str()
    );
    let (access2, r2) = first.tokens("refreshSession");
    let me = app
        .gql(Some(&access2), "{ me { user { email } } }", json!({}))
        .await;
    assert_eq!(me.body["data"]["me"]["user"]["email"], t.email.as_str());
    let (_, r3) = refresh(&app, &r2).await.tokens("refreshSession");

    // Replaying the first, already rotated token fails and revokes the family…
    assert_eq!(refresh(&app, &r1).await.codes(), ["UNAUTHENTICATED"]);
    // …so even the newest token of that session no longer works.
    assert_eq!(refresh(&app, &r3).await.codes(), ["UNAUTHENTICATED"]);
    // Another session of the same user is untouched.
    let (_, other) = app.login_pair(&t).await;
    assert!(refresh(&app, &other).await.body["data"]["refreshSession"].is_object());
}

#[tokio::test]
async fn of_two_concurrent_refreshes_of_one_token_exactly_one_succeeds() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    for round in 0..5 {
        let (_, token) = app.login_pair(&t).await;
        let answers = join_all([refresh(&app, &token), refresh(&app, &token)]).await;
        let ok = answers
            .iter()
            .filter(|a| a.body["data"]["refreshSession"].is_object())
            .count();
        assert_eq!(ok, 1, "round {round}: {answers:?}");
        let failed: Vec<_> = answers.iter().flat_map(Gql::codes).collect();
        assert_eq!(failed, ["UNAUTHENTICATED"], "round {round}");
    }
}

#[tokio::test]
async fn garbage_and_foreign_refresh_tokens_are_unauthenticated() {
    let app = TestApp::spawn().await;
    app.create_tenant("acme").await;
    for token in [
        "",
        "erpr_",
        "erpr_00000000000000000000000000000000_x",
        "nonsense",
    ] {
        assert_eq!(
            refresh(&app, token).await.codes(),
            ["UNAUTHENTICATED"],
            "{token:?}"
        );
    }
}

#[tokio::test]
async fn logout_ends_the_session() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let (access, refresh_token) = app.login_pair(&t).await;
    let r = app
        .gql(Some(&access), "mutation { logout }", json!({}))
        .await;
    assert_eq!(r.body["data"]["logout"], true, "{}", r.body);
    assert_eq!(
        refresh(&app, &refresh_token).await.codes(),
        ["UNAUTHENTICATED"]
    );
}

#[tokio::test]
async fn changing_the_password_needs_the_current_one_and_ends_other_sessions() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let (access, own_refresh) = app.login_pair(&t).await;
    let (_, other_refresh) = app.login_pair(&t).await;
    let change = "mutation($i: ChangePasswordInput!) { changePassword(input: $i) }";

    let wrong = app
        .gql(Some(&access), change, json!({ "i": { "currentPassword": "not it at all", "newPassword": "a brand new secret" } }))
        .await;
    assert_eq!(wrong.codes(), ["VALIDATION"]);
    assert_eq!(
        wrong.body["errors"][0]["extensions"]["field"],
        "input.currentPassword"
    );
    let weak = app
        .gql(
            Some(&access),
            change,
            json!({ "i": { "currentPassword": t.password, "newPassword": "password123" } }),
        )
        .await;
    assert_eq!(weak.codes(), ["VALIDATION"]);

    let ok = app
        .gql(
            Some(&access),
            change,
            json!({ "i": { "currentPassword": t.password, "newPassword": "a brand new secret" } }),
        )
        .await;
    assert_eq!(ok.body["data"]["changePassword"], true, "{}", ok.body);
    assert_eq!(app.try_login(&t).await.codes(), ["UNAUTHENTICATED"]);
    let mut changed = t.clone();
    changed.password = "a brand new secret".into();
    app.login(&changed).await;
    assert_eq!(
        refresh(&app, &other_refresh).await.codes(),
        ["UNAUTHENTICATED"]
    );
    assert!(refresh(&app, &own_refresh).await.body["data"]["refreshSession"].is_object());
}
