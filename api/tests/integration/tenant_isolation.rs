//! Tenant A's token never reaches tenant B's data: not in lists, not by id, not by mutation,
//! and never as FORBIDDEN (which would confirm that the id exists).

use serde_json::json;

use crate::calls::{self, CALLS, Fixture};
use crate::helpers::TestApp;

/// Every row of `calls.rs`, called with tenant A's tokens and tenant B's ids: no answer shows
/// B's ids or names (all carry B's slug), none answers `FORBIDDEN` (which would confirm that
/// an id exists), every by-id read answers `null`, every mutation on a B id fails, and B's
/// audit log (every write is audited) has not grown.
#[tokio::test]
async fn tenant_a_never_sees_or_touches_tenant_b_even_with_b_ids() {
    calls::assert_every_root_field_has_a_row();
    let app = TestApp::spawn().await;
    let a = app.create_tenant("alpha").await;
    let b = app.create_tenant("bravo").await;
    let fa = Fixture::build(&app, &a).await;
    let mut fb = Fixture::build(&app, &b).await;
    let b_ids = fb.ids();
    // B's credentials, tried against tenant A; B's user id as A's new user's chosen id. A
    // refresh token is a bearer token of B's own, so it is not B's to leak here.
    fb.values.insert("tenant".into(), json!(a.slug));
    fb.values
        .insert("refresh".into(), json!("erpr_not_a_token"));
    fb.values
        .insert("newUser".into(), fb.values["user"].clone());
    let b_audit = app.audit_count(&fb.admin).await;

    for call in CALLS {
        let vars = fb.vars(call.doc);
        let answer = app.gql(fa.token(call.caller), call.doc, vars.clone()).await;
        let text = answer.body.to_string();
        let name = call.field;
        // `createUser` echoes the id it was given: its own new user's, in tenant A.
        if name != "createUser" {
            assert!(!text.contains("bravo"), "{name} leaked B's data: {text}");
            for id in &b_ids {
                assert!(!text.contains(id.as_str()), "{name} leaked a B id: {text}");
            }
        }
        assert!(
            !answer.codes().iter().any(|c| c == "FORBIDDEN"),
            "{name} answered FORBIDDEN: {text}"
        );
        let takes_b_id = vars
            .as_object()
            .unwrap()
            .values()
            .any(|v| v.as_str().is_some_and(|v| b_ids.iter().any(|id| id == v)));
        if let Some(count) = answer.body["data"]["filtered"]["totalCount"].as_u64() {
            assert_eq!(count, 0, "{name}");
        }
        if takes_b_id && name != "createUser" {
            if call.audited {
                assert!(
                    !answer.codes().is_empty(),
                    "{name} succeeded on a B id: {text}"
                );
            } else if answer.body["data"]["filtered"].is_null() {
                assert!(answer.body["data"][name].is_null(), "{name}: {text}");
            }
        }
    }

    // B's data is as B left it: not one write reached B.
    assert_eq!(app.audit_count(&fb.admin).await, b_audit);
    let check = app
        .gql(
            Some(&fb.admin),
            "query($user: ID!) { user(id: $user) { displayName isActive } }",
            fb.vars("$user"),
        )
        .await;
    assert_eq!(
        check.body["data"]["user"],
        json!({ "displayName": "user-bravo", "isActive": true })
    );
}

#[tokio::test]
async fn a_token_of_tenant_a_with_b_ids_answers_null_or_not_found() {
    let app = TestApp::spawn().await;
    let a = app.create_tenant("alpha").await;
    let b = app.create_tenant("bravo").await;
    let a_admin = app.login(&a).await;
    let b_admin = app.login(&b).await;
    let b_user = app
        .create_user(&b, &b_admin, "person@bravo.test", &[])
        .await;
    let r = app
        .gql(
            Some(&a_admin),
            "query($u: ID!) { user(id: $u) { id } }",
            json!({ "u": b_user.id }),
        )
        .await;
    assert!(
        r.body["data"]["user"].is_null() && r.body["errors"].is_null(),
        "{}",
        r.body
    );
    let r = app
        .gql(
            Some(&a_admin),
            "mutation($u: ID!) { deactivateUser(id: $u) { id } }",
            json!({ "u": b_user.id }),
        )
        .await;
    assert_eq!(r.codes(), ["NOT_FOUND"]);
}
