//! Access tokens live only as long as their session and their tenant: logout, a password
//! change, a replayed refresh token and `erp tenant suspend|close` end them at the next
//! request, not when they expire.

use std::time::{Duration, Instant};

use api::tenancy::lifecycle::history;
use serde_json::json;

use crate::helpers::{Gql, TestApp, TestTenant};

const REFRESH: &str =
    "mutation($t: String!) { refreshSession(refreshToken: $t) { accessToken refreshToken } }";
const ME: &str = "{ me { user { email } } }";
const WRITE: &str =
    "mutation { createCustomer(input: { name: \"Late Writer Ltd\", currency: \"USD\" }) { id } }";

async fn me(app: &TestApp, token: &str) -> Gql {
    app.gql(Some(token), ME, json!({})).await
}

/// Asserts that `token` can read `me` as `email`.
async fn assert_works(app: &TestApp, token: &str, email: &str) {
    let r = me(app, token).await;
    assert_eq!(r.body["data"]["me"]["user"]["email"], email, "{}", r.body);
}

/// Asserts that `token` can neither read nor write.
async fn assert_ended(app: &TestApp, token: &str) {
    assert_eq!(me(app, token).await.codes(), ["UNAUTHENTICATED"]);
    let write = app.gql(Some(token), WRITE, json!({})).await;
    assert_eq!(write.codes(), ["UNAUTHENTICATED"], "{}", write.body);
    assert!(write.body["data"].is_null(), "{}", write.body);
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs `erp tenant <args…>`, asserting success; its standard output.
fn erp_ok(app: &TestApp, args: &[&str]) -> String {
    let out = app.erp(args, &[]);
    assert!(
        out.status.success(),
        "erp {args:?}: {}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

/// Runs `erp <args…>`, asserting failure; its standard error.
fn erp_err(app: &TestApp, args: &[&str]) -> String {
    let out = app.erp(args, &[]);
    assert!(
        !out.status.success(),
        "erp {args:?} succeeded: {}",
        text(&out.stdout)
    );
    text(&out.stderr)
}

#[tokio::test]
async fn after_logout_the_sessions_access_token_is_refused_and_other_sessions_go_on() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let (access, _) = app.login_pair(&t).await;
    let (other, _) = app.login_pair(&t).await;
    assert_works(&app, &access, &t.email).await;

    let r = app
        .gql(Some(&access), "mutation { logout }", json!({}))
        .await;
    assert_eq!(r.body["data"]["logout"], true, "{}", r.body);

    assert_ended(&app, &access).await;
    assert_works(&app, &other, &t.email).await;
}

#[tokio::test]
async fn a_password_change_ends_the_access_tokens_of_the_users_other_sessions_at_once() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let (current, _) = app.login_pair(&t).await;
    let (elsewhere, _) = app.login_pair(&t).await;

    let r = app
        .gql(
            Some(&current),
            "mutation($i: ChangePasswordInput!) { changePassword(input: $i) }",
            json!({ "i": { "currentPassword": t.password, "newPassword": "a brand new secret" } }),
        )
        .await;
    assert_eq!(r.body["data"]["changePassword"], true, "{}", r.body);

    assert_ended(&app, &elsewhere).await;
    assert_works(&app, &current, &t.email).await;
}

#[tokio::test]
async fn replaying_a_rotated_refresh_token_ends_every_access_token_of_that_session() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let (first_access, first_refresh) = app.login_pair(&t).await;
    let (unrelated, _) = app.login_pair(&t).await;
    let rotated = app.gql(None, REFRESH, json!({ "t": first_refresh })).await;
    let (second_access, _) = rotated.tokens("refreshSession");
    assert_works(&app, &first_access, &t.email).await;
    assert_works(&app, &second_access, &t.email).await;

    // The replay of the used token revokes the family…
    let replay = app.gql(None, REFRESH, json!({ "t": first_refresh })).await;
    assert_eq!(replay.codes(), ["UNAUTHENTICATED"]);

    // …and with it both access tokens issued in that session, not only its refresh tokens.
    assert_ended(&app, &first_access).await;
    assert_ended(&app, &second_access).await;
    assert_works(&app, &unrelated, &t.email).await;
}

#[tokio::test]
async fn the_session_check_rides_in_the_access_query_without_an_extra_statement() {
    // A long status TTL: no status re-read happens during the test.
    let app = TestApp::builder()
        .env("ERP_TENANT_STATUS_TTL_MS", "60000")
        .env("ERP_TENANT_CACHE_TTL_MS", "60000")
        .spawn()
        .await;
    let t = app.create_tenant("acme").await;
    let (access, _) = app.login_pair(&t).await;
    let r = app
        .gql(Some(&access), "{ currencies { code } }", json!({}))
        .await;
    assert!(r.body["errors"].is_null(), "{}", r.body);
    // One statement loads the grants and checks the user and the session together (the
    // first request of the session: later ones find the grants cached); one lists currencies.
    assert_eq!(r.body["extensions"]["sqlStatements"], 2, "{}", r.body);
    let r = app
        .gql(Some(&access), "{ currencies { code } }", json!({}))
        .await;
    assert_eq!(r.body["extensions"]["sqlStatements"], 1, "{}", r.body);
    // An unguarded field needs no grants: none are loaded.
    let r = app.gql(Some(&access), "{ __typename }", json!({})).await;
    assert_eq!(r.body["extensions"]["sqlStatements"], 0, "{}", r.body);
}

#[tokio::test]
async fn suspending_a_tenant_ends_its_sessions_and_api_keys_until_it_is_resumed() {
    let app = TestApp::builder()
        .env("ERP_TENANT_STATUS_TTL_MS", "300")
        .spawn()
        .await;
    let t = app.create_tenant("acme").await;
    let neighbour = app.create_tenant("beta").await;
    let (access, refresh) = app.login_pair(&t).await;
    let roles = app.role_ids(&access).await;
    let key = app
        .gql(
            Some(&access),
            "mutation($r: ID!) { createApiKey(input: { name: \"erp-sync\", roleId: $r }) { secret } }",
            json!({ "r": roles["viewer"] }),
        )
        .await;
    let key = key.body["data"]["createApiKey"]["secret"]
        .as_str()
        .unwrap_or_else(|| panic!("{}", key.body))
        .to_owned();
    let key_query = "{ users(first: 5) { totalCount } }";
    let by_key = app.gql(Some(&key), key_query, json!({})).await;
    assert_eq!(
        by_key.body["data"]["users"]["totalCount"], 1,
        "{}",
        by_key.body
    );
    let unknown_tenant = app
        .try_login(&TestTenant {
            slug: "nobody-here".into(),
            ..t.clone()
        })
        .await;

    let out = erp_ok(
        &app,
        &[
            "tenant",
            "suspend",
            "acme",
            "--reason",
            "invoice 2026-11 unpaid",
        ],
    );
    assert!(
        out.contains("tenant acme suspended (was active); 1 session(s) ended"),
        "{out}"
    );

    // At once, on a server in another process: the token, its refresh token and sign-in.
    assert_ended(&app, &access).await;
    let refreshed = app.gql(None, REFRESH, json!({ "t": refresh })).await;
    assert_eq!(refreshed.codes(), ["UNAUTHENTICATED"], "{}", refreshed.body);
    let refused = app.try_login(&t).await;
    assert_eq!(refused.codes(), ["UNAUTHENTICATED"]);
    // A suspended tenant answers sign-in exactly like one that does not exist.
    assert_eq!(
        refused.body["errors"][0]["message"],
        unknown_tenant.body["errors"][0]["message"]
    );
    // The API key once the server re-reads the status (TTL 300 ms here).
    let start = Instant::now();
    loop {
        let r = app.gql(Some(&key), key_query, json!({})).await;
        if r.codes() == ["UNAUTHENTICATED"] {
            assert!(r.body["data"].is_null(), "{}", r.body);
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(3),
            "the API key still works: {}",
            r.body
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Another tenant is untouched.
    app.login(&neighbour).await;

    let listing = erp_ok(&app, &["tenant", "list"]);
    assert!(
        listing
            .lines()
            .any(|l| l.starts_with("acme ") && l.contains("suspended")),
        "{listing}"
    );

    let out = erp_ok(
        &app,
        &["tenant", "resume", "acme", "--reason", "paid on 2026-11-22"],
    );
    assert!(
        out.contains("tenant acme active (was suspended); 0 session(s) ended"),
        "{out}"
    );
    // Sign-in and the API key work again; the sessions from before stay ended.
    let fresh = app.login(&t).await;
    assert_works(&app, &fresh, &t.email).await;
    let by_key = app.gql(Some(&key), key_query, json!({})).await;
    assert_eq!(
        by_key.body["data"]["users"]["totalCount"], 1,
        "{}",
        by_key.body
    );
    assert_ended(&app, &access).await;
    let refreshed = app.gql(None, REFRESH, json!({ "t": refresh })).await;
    assert_eq!(refreshed.codes(), ["UNAUTHENTICATED"]);

    // Both changes are in the control database's audit trail, newest first.
    let trail = history(app.state.tenancy().control(), t.id).await.unwrap();
    let rows: Vec<_> = trail
        .iter()
        .map(|c| {
            (
                c.action.as_str(),
                c.reason.as_str(),
                c.status_before.as_str(),
                c.status_after.as_str(),
                c.operator.as_str(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("resume", "paid on 2026-11-22", "suspended", "active", "cli"),
            (
                "suspend",
                "invoice 2026-11 unpaid",
                "active",
                "suspended",
                "cli"
            ),
        ]
    );
    assert!(trail[0].at >= trail[1].at);
    assert!(
        history(app.state.tenancy().control(), neighbour.id)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn a_closed_tenant_stays_closed_and_its_tokens_are_refused() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let (access, refresh) = app.login_pair(&t).await;

    let out = erp_ok(
        &app,
        &["tenant", "close", "acme", "--reason", "contract ended"],
    );
    assert!(
        out.contains("tenant acme closed (was active); 1 session(s) ended"),
        "{out}"
    );
    assert_ended(&app, &access).await;
    let refreshed = app.gql(None, REFRESH, json!({ "t": refresh })).await;
    assert_eq!(refreshed.codes(), ["UNAUTHENTICATED"]);
    assert_eq!(app.try_login(&t).await.codes(), ["UNAUTHENTICATED"]);

    for change in ["resume", "suspend"] {
        let err = erp_err(&app, &["tenant", change, "acme", "--reason", "oops"]);
        assert!(
            err.contains("tenant `acme` is closed: a closed tenant stays closed"),
            "{change}: {err}"
        );
    }
    // Closing again only repeats the session cleanup and records nothing.
    let out = erp_ok(&app, &["tenant", "close", "acme", "--reason", "again"]);
    assert!(
        out.contains("tenant acme was already closed; 0 session(s) ended"),
        "{out}"
    );
    let trail = history(app.state.tenancy().control(), t.id).await.unwrap();
    assert_eq!(trail.len(), 1);
    assert_eq!(
        (trail[0].action.as_str(), trail[0].status_after.as_str()),
        ("close", "closed")
    );
    assert_eq!(app.try_login(&t).await.codes(), ["UNAUTHENTICATED"]);
}

#[tokio::test]
async fn tenant_status_commands_need_a_reason_a_known_tenant_and_an_allowed_change() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;

    let out = app.erp(&["tenant", "suspend", "acme"], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("--reason"),
        "{}",
        text(&out.stderr)
    );

    let err = erp_err(&app, &["tenant", "suspend", "acme", "--reason", "   "]);
    assert!(err.contains("a reason needs 1 to 1000 characters"), "{err}");
    let err = erp_err(&app, &["tenant", "suspend", "nobody", "--reason", "x"]);
    assert!(err.contains("tenant not found"), "{err}");
    let err = erp_err(&app, &["tenant", "resume", "acme", "--reason", "x"]);
    assert!(
        err.contains("tenant `acme` is active: only a suspended tenant resumes"),
        "{err}"
    );

    // Nothing was recorded and the tenant still works.
    assert!(
        history(app.state.tenancy().control(), t.id)
            .await
            .unwrap()
            .is_empty()
    );
    app.login(&t).await;
}
