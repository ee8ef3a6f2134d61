//! Account management cannot be turned on the people above you: a caller changes, deactivates,
//! reactivates, or assigns and removes roles of a user only when that user's grants are a
//! subset of the caller's own (`BUSINESS_RULE identity.escalation`).

use serde_json::{Value, json};

use crate::helpers::{Gql, TestApp, TestTenant};

const UPDATE_EMAIL: &str = "mutation($u: ID!, $e: String!, $v: Int!) { updateUser(id: $u, input: { email: $e, expectedVersion: $v }) { email version } }";
const RENAME: &str = "mutation($u: ID!, $n: String!, $v: Int!) { updateUser(id: $u, input: { displayName: $n, expectedVersion: $v }) { displayName version } }";
const DEACTIVATE: &str = "mutation($u: ID!) { deactivateUser(id: $u) { isActive } }";
const REACTIVATE: &str = "mutation($u: ID!) { reactivateUser(id: $u) { isActive } }";
const ASSIGN: &str = "mutation($u: ID!, $r: ID!) { assignRole(userId: $u, roleId: $r) { id } }";
const UNASSIGN: &str = "mutation($u: ID!, $r: ID!) { unassignRole(userId: $u, roleId: $r) { id } }";
const USER: &str =
    "query($u: ID!) { user(id: $u) { email displayName isActive version roles { name } } }";

fn assert_escalation(r: &Gql, what: &str) {
    assert_eq!(r.codes(), ["BUSINESS_RULE"], "{what}: {}", r.body);
    assert_eq!(
        r.body["errors"][0]["extensions"]["rule"], "identity.escalation",
        "{what}"
    );
    assert!(r.body["data"].is_null(), "{what}: {}", r.body);
}

async fn user(app: &TestApp, token: &str, id: impl ToString) -> Value {
    let r = app
        .gql(Some(token), USER, json!({ "u": id.to_string() }))
        .await;
    r.body["data"]["user"].clone()
}

#[tokio::test]
async fn hr_can_neither_change_nor_deactivate_nor_reactivate_an_admin_or_the_owner() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let owner_token = app.login(&t).await;
    let owner_id = app
        .gql(Some(&owner_token), "{ me { user { id } } }", json!({}))
        .await
        .body["data"]["me"]["user"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let admin = app
        .create_user(&t, &owner_token, "admin2@acme.test", &["admin"])
        .await;
    let parked = app
        .create_user(&t, &owner_token, "parked@acme.test", &["admin"])
        .await;
    let r = app
        .gql(Some(&owner_token), DEACTIVATE, json!({ "u": parked.id }))
        .await;
    assert_eq!(
        r.body["data"]["deactivateUser"]["isActive"], false,
        "{}",
        r.body
    );
    let hr = app
        .create_user(&t, &owner_token, "hr@acme.test", &["hr"])
        .await;
    let hr_token = app.login(&hr).await;
    let audit_before = app.audit_count(&owner_token).await;

    // What was seen in the attack: the owner's email taken over, an admin locked out.
    let r = app
        .gql(
            Some(&hr_token),
            UPDATE_EMAIL,
            json!({ "u": owner_id, "e": "hr-controlled@evil.test", "v": 1 }),
        )
        .await;
    assert_escalation(&r, "hr changes the owner's email");
    let r = app
        .gql(Some(&hr_token), DEACTIVATE, json!({ "u": admin.id }))
        .await;
    assert_escalation(&r, "hr deactivates an admin");
    let r = app
        .gql(
            Some(&hr_token),
            RENAME,
            json!({ "u": admin.id, "n": "Mallory", "v": 1 }),
        )
        .await;
    assert_escalation(&r, "hr renames an admin");
    let r = app
        .gql(Some(&hr_token), REACTIVATE, json!({ "u": parked.id }))
        .await;
    assert_escalation(&r, "hr reactivates a deactivated admin");

    // Nothing changed and nothing was recorded: the owner and the admin still sign in.
    let owner_row = user(&app, &owner_token, &owner_id).await;
    assert_eq!(owner_row["email"], t.email.as_str());
    assert_eq!(owner_row["version"], 1);
    let admin_row = user(&app, &owner_token, admin.id).await;
    assert_eq!(
        (&admin_row["isActive"], &admin_row["displayName"]),
        (&json!(true), &json!("admin2"))
    );
    assert_eq!(user(&app, &owner_token, parked.id).await["isActive"], false);
    assert_eq!(app.audit_count(&owner_token).await, audit_before);
    app.login(&t).await;
    app.login(&admin).await;

    // An admin holds every grant the owner holds, so the rule lets it manage the owner.
    let admin_token = app.login(&admin).await;
    let r = app
        .gql(
            Some(&admin_token),
            RENAME,
            json!({ "u": owner_id, "n": "The Owner", "v": 1 }),
        )
        .await;
    assert_eq!(
        r.body["data"]["updateUser"]["displayName"], "The Owner",
        "{}",
        r.body
    );
}

#[tokio::test]
async fn hr_still_manages_users_whose_grants_are_within_its_own() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let owner_token = app.login(&t).await;
    let hr = app
        .create_user(&t, &owner_token, "hr@acme.test", &["hr"])
        .await;
    let hr_token = app.login(&hr).await;

    // A user hr creates (no roles) and a fellow hr user are within hr's grants.
    let created = app
        .create_user(&t, &hr_token, "new.hire@acme.test", &[])
        .await;
    let colleague = app
        .create_user(&t, &owner_token, "hr2@acme.test", &["hr"])
        .await;
    for (target, name) in [(&created, "New Hire"), (&colleague, "Colleague")] {
        let r = app
            .gql(
                Some(&hr_token),
                RENAME,
                json!({ "u": target.id, "n": name, "v": 1 }),
            )
            .await;
        assert_eq!(
            r.body["data"]["updateUser"]["displayName"], name,
            "{}",
            r.body
        );
        let r = app
            .gql(Some(&hr_token), DEACTIVATE, json!({ "u": target.id }))
            .await;
        assert_eq!(
            r.body["data"]["deactivateUser"]["isActive"], false,
            "{}",
            r.body
        );
        let r = app
            .gql(Some(&hr_token), REACTIVATE, json!({ "u": target.id }))
            .await;
        assert_eq!(
            r.body["data"]["reactivateUser"]["isActive"], true,
            "{}",
            r.body
        );
    }
    // hr updates itself.
    let r = app
        .gql(
            Some(&hr_token),
            RENAME,
            json!({ "u": hr.id, "n": "Me", "v": 1 }),
        )
        .await;
    assert_eq!(
        r.body["data"]["updateUser"]["displayName"], "Me",
        "{}",
        r.body
    );

    // A viewer holds data grants hr lacks: out of reach.
    let viewer = app
        .create_user(&t, &owner_token, "viewer@acme.test", &["viewer"])
        .await;
    let r = app
        .gql(Some(&hr_token), DEACTIVATE, json!({ "u": viewer.id }))
        .await;
    assert_escalation(&r, "hr deactivates a viewer");
}

#[tokio::test]
async fn roles_are_assigned_to_and_taken_from_only_users_within_the_callers_grants() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let owner_token = app.login(&t).await;
    let role = |name: &'static str, grants: Value| {
        let (app, owner_token) = (&app, owner_token.clone());
        async move {
            let r = app
                .gql(
                    Some(&owner_token),
                    "mutation($n: String!, $g: [GrantInput!]!) { createRole(input: { name: $n, grants: $g }) { id } }",
                    json!({ "n": name, "g": grants }),
                )
                .await;
            r.body["data"]["createRole"]["id"]
                .as_str()
                .unwrap_or_else(|| panic!("{}", r.body))
                .to_owned()
        }
    };
    let assigner_role = role(
        "assigner",
        json!([
            { "permission": "identity.role.assign", "scope": "ALL" },
            { "permission": "identity.user.read", "scope": "ALL" },
            { "permission": "identity.role.read", "scope": "ALL" },
        ]),
    )
    .await;
    let badge_role = role(
        "badge",
        json!([{ "permission": "identity.user.read", "scope": "ALL" }]),
    )
    .await;
    let roles = app.role_ids(&owner_token).await;
    let assigner = app
        .create_user(&t, &owner_token, "assigner@acme.test", &["assigner"])
        .await;
    let admin = app
        .create_user(&t, &owner_token, "admin2@acme.test", &["admin", "badge"])
        .await;
    let plain = app
        .create_user(&t, &owner_token, "plain@acme.test", &[])
        .await;
    let token = app.login(&assigner).await;

    // The role is within the assigner's grants, but the admin is not.
    let r = app
        .gql(
            Some(&token),
            ASSIGN,
            json!({ "u": admin.id, "r": assigner_role }),
        )
        .await;
    assert_escalation(&r, "assign a role to an admin");
    let r = app
        .gql(
            Some(&token),
            UNASSIGN,
            json!({ "u": admin.id, "r": badge_role }),
        )
        .await;
    assert_escalation(&r, "take a role from an admin");
    let r = app
        .gql(
            Some(&token),
            UNASSIGN,
            json!({ "u": admin.id, "r": roles["admin"] }),
        )
        .await;
    assert_escalation(&r, "take the admin role from an admin");
    let mut held: Vec<String> = user(&app, &owner_token, admin.id).await["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_owned())
        .collect();
    held.sort();
    assert_eq!(held, ["admin", "badge"]);

    // A user within the assigner's grants gets and loses the role.
    let r = app
        .gql(
            Some(&token),
            ASSIGN,
            json!({ "u": plain.id, "r": badge_role }),
        )
        .await;
    assert!(r.body["errors"].is_null(), "{}", r.body);
    let r = app
        .gql(
            Some(&token),
            UNASSIGN,
            json!({ "u": plain.id, "r": badge_role }),
        )
        .await;
    assert!(r.body["errors"].is_null(), "{}", r.body);
    assert_eq!(user(&app, &owner_token, plain.id).await["roles"], json!([]));
}

#[tokio::test]
async fn an_api_key_with_the_hr_role_cannot_change_the_owner() {
    let app = TestApp::spawn().await;
    let t: TestTenant = app.create_tenant("acme").await;
    let owner_token = app.login(&t).await;
    let owner_id = app
        .gql(Some(&owner_token), "{ me { user { id } } }", json!({}))
        .await
        .body["data"]["me"]["user"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let roles = app.role_ids(&owner_token).await;
    let key = app
        .gql(
            Some(&owner_token),
            "mutation($r: ID!) { createApiKey(input: { name: \"hr-sync\", roleId: $r }) { secret } }",
            json!({ "r": roles["hr"] }),
        )
        .await;
    let key = key.body["data"]["createApiKey"]["secret"]
        .as_str()
        .unwrap_or_else(|| panic!("{}", key.body))
        .to_owned();
    let r = app
        .gql(
            Some(&key),
            UPDATE_EMAIL,
            json!({ "u": owner_id, "e": "sync@evil.test", "v": 1 }),
        )
        .await;
    assert_escalation(&r, "an hr key changes the owner's email");
    assert_eq!(
        user(&app, &owner_token, &owner_id).await["email"],
        t.email.as_str()
    );
}
