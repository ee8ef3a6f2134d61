//! Default-deny: every root field needs its permission, sensitive fields are guarded per
//! row, and fields a caller can never read are hidden from their introspection.

use std::collections::BTreeMap;

use serde_json::json;

use crate::calls::{self, CALLS, Guard};
use crate::helpers::TestApp;

#[tokio::test]
async fn a_viewer_sees_names_but_not_other_users_emails() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let admin = app.login(&t).await;
    app.create_user(&t, &admin, "other@acme.test", &["sales_rep"])
        .await;
    let viewer = app
        .create_user(&t, &admin, "viewer@acme.test", &["viewer"])
        .await;
    let token = app.login(&viewer).await;

    let r = app
        .gql(
            Some(&token),
            "{ users { nodes { displayName email } } }",
            json!({}),
        )
        .await;
    let nodes = r.body["data"]["users"]["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 3, "{}", r.body);
    let mut denied = Vec::new();
    for (i, node) in nodes.iter().enumerate() {
        assert!(node["displayName"].is_string());
        if node["displayName"] == "viewer" {
            assert_eq!(
                node["email"], "viewer@acme.test",
                "your own email is always readable"
            );
        } else {
            assert!(node["email"].is_null(), "{node}");
            denied.push(i);
        }
    }
    let errors = r.body["errors"].as_array().unwrap();
    assert_eq!(
        errors.len(),
        denied.len(),
        "one error per denied field: {}",
        r.body
    );
    for (error, i) in errors.iter().zip(denied) {
        assert_eq!(error["extensions"]["code"], "FORBIDDEN");
        assert_eq!(
            error["extensions"]["permission"],
            "identity.user.contact.read"
        );
        assert_eq!(error["path"], json!(["users", "nodes", i, "email"]));
    }

    // A manager holds the permission and sees every email.
    let manager = app
        .create_user(&t, &admin, "manager@acme.test", &["manager"])
        .await;
    let token = app.login(&manager).await;
    let r = app
        .gql(Some(&token), "{ users { nodes { email } } }", json!({}))
        .await;
    assert!(r.body["errors"].is_null(), "{}", r.body);
}

#[tokio::test]
async fn creating_a_user_without_permission_is_forbidden_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let admin = app.login(&t).await;
    let viewer = app
        .create_user(&t, &admin, "viewer@acme.test", &["viewer"])
        .await;
    let token = app.login(&viewer).await;
    let audit_before = app.audit_count(&admin).await;

    let r = app
        .gql(
            Some(&token),
            "mutation { createUser(input: { email: \"new@acme.test\", displayName: \"New\", password: \"long enough pass\" }) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(r.codes(), ["FORBIDDEN"]);
    assert_eq!(
        r.body["errors"][0]["extensions"]["permission"],
        "identity.user.write"
    );
    let users = app
        .gql(Some(&admin), "{ users { totalCount } }", json!({}))
        .await;
    assert_eq!(users.body["data"]["users"]["totalCount"], 2);
    assert_eq!(
        app.audit_count(&admin).await,
        audit_before,
        "a refused mutation wrote an audit entry"
    );
}

/// Every root field named in `calls.rs`: anonymous callers are refused everywhere but the
/// sign-in fields, a caller without any permission gets `FORBIDDEN` naming exactly the row's
/// permission, and a caller holding only that permission gets past the guard.
#[tokio::test]
async fn every_root_field_is_refused_without_its_exact_permission() {
    calls::assert_every_root_field_has_a_row();
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let admin = app.login(&t).await;
    app.create_role(&admin, "nothing", &[]).await;
    let nobody = app
        .create_user(&t, &admin, "nobody@acme.test", &["nothing"])
        .await;
    let nobody = app.login(&nobody).await;

    let mut holders: BTreeMap<&str, String> = BTreeMap::new();
    for call in CALLS {
        let vars = calls::made_up_vars(call.doc);
        let anonymous = app.gql(None, call.doc, vars.clone()).await;
        if call.guard != Guard::Public {
            let codes = anonymous.codes();
            assert!(
                !codes.is_empty() && codes.iter().all(|c| c == "UNAUTHENTICATED"),
                "{} (anonymous): {}",
                call.field,
                anonymous.body
            );
        }
        let Guard::Permission(permission) = call.guard else {
            continue;
        };
        let r = app.gql(Some(&nobody), call.doc, vars.clone()).await;
        // One error per root selection (a document may alias the field twice), each naming
        // exactly the row's permission.
        let errors = r.body["errors"].as_array().cloned().unwrap_or_default();
        assert!(!errors.is_empty(), "{}: {}", call.field, r.body);
        for error in &errors {
            assert_eq!(
                error["extensions"]["code"], "FORBIDDEN",
                "{}: {}",
                call.field, r.body
            );
            assert_eq!(
                error["extensions"]["permission"], permission,
                "{} names another permission: {}",
                call.field, r.body
            );
            assert_eq!(
                error["path"].as_array().map(Vec::len),
                Some(1),
                "{}",
                r.body
            );
        }

        // Holding that permission alone is enough to get past the guard.
        if !holders.contains_key(permission) {
            let role = format!("only {permission}");
            app.create_role(&admin, &role, &[(permission, "ALL")]).await;
            let email = format!("{}@acme.test", permission.replace('.', "-"));
            let holder = app.create_user(&t, &admin, &email, &[role.as_str()]).await;
            holders.insert(permission, app.login(&holder).await);
        }
        let r = app.gql(Some(&holders[permission]), call.doc, vars).await;
        let guarded = r.body["errors"].as_array().into_iter().flatten().any(|e| {
            e["extensions"]["code"] == "FORBIDDEN" && e["path"].as_array().map(Vec::len) == Some(1)
        });
        assert!(
            !guarded,
            "{} refuses a holder of {permission}: {}",
            call.field, r.body
        );
    }
}

#[tokio::test]
async fn contact_fields_are_hidden_from_callers_who_can_never_read_them() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let admin = app.login(&t).await;
    let roles = app.role_ids(&admin).await;
    let key = app
        .gql(
            Some(&admin),
            "mutation($r: ID!) { createApiKey(input: { name: \"viewer key\", roleId: $r }) { secret } }",
            json!({ "r": roles["viewer"] }),
        )
        .await;
    let key = key.body["data"]["createApiKey"]["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let fields = |token: String| {
        let app = &app;
        async move {
            let r = app
                .gql(
                    Some(&token),
                    "{ __type(name: \"User\") { fields { name } } }",
                    json!({}),
                )
                .await;
            r.body["data"]["__type"]["fields"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["name"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    let as_admin = fields(admin.clone()).await;
    assert!(as_admin.contains(&"email".to_owned()) && as_admin.contains(&"phone".to_owned()));
    let as_key = fields(key).await;
    assert!(
        !as_key.contains(&"email".to_owned()) && !as_key.contains(&"phone".to_owned()),
        "{as_key:?}"
    );
    assert!(as_key.contains(&"displayName".to_owned()));
}

#[tokio::test]
async fn nobody_grants_more_than_they_hold() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let admin = app.login(&t).await;
    let r = app
        .gql(
            Some(&admin),
            "mutation { createRole(input: { name: \"role admin\", grants: [{ permission: \"identity.role.write\" }, { permission: \"identity.role.read\" }, { permission: \"identity.role.assign\" }, { permission: \"identity.user.read\" }] }) { id } }",
            json!({}),
        )
        .await;
    assert!(r.body["data"]["createRole"]["id"].is_string(), "{}", r.body);
    let user = app
        .create_user(&t, &admin, "roles@acme.test", &["role admin"])
        .await;
    let token = app.login(&user).await;

    let r = app
        .gql(Some(&token), "mutation { createRole(input: { name: \"writer\", grants: [{ permission: \"identity.user.write\" }] }) { id } }", json!({}))
        .await;
    assert_eq!(r.codes(), ["BUSINESS_RULE"], "{}", r.body);
    assert_eq!(
        r.body["errors"][0]["extensions"]["rule"],
        "identity.escalation"
    );

    let roles = app.role_ids(&admin).await;
    let r = app
        .gql(
            Some(&token),
            "mutation($u: ID!, $r: ID!) { assignRole(userId: $u, roleId: $r) { id } }",
            json!({ "u": user.id, "r": roles["owner"] }),
        )
        .await;
    assert_eq!(
        r.body["errors"][0]["extensions"]["rule"], "identity.escalation",
        "{}",
        r.body
    );

    let r = app
        .gql(Some(&token), "mutation { createRole(input: { name: \"x\", grants: [{ permission: \"no.such.permission\" }] }) { id } }", json!({}))
        .await;
    assert_eq!(r.codes(), ["VALIDATION"]);
    assert_eq!(
        r.body["errors"][0]["extensions"]["field"],
        "input.grants[0].permission"
    );
}
