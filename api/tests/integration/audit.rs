//! Every mutation leaves an audit entry, written with the change.

use serde_json::json;

use crate::calls::{self, CALLS, Fixture};
use crate::helpers::TestApp;

/// Every row of `calls.rs`, in its order, as its caller with the tenant's own rows: each
/// mutation writes an audit entry with the request's id and no secret, each query none.
#[tokio::test]
async fn every_mutation_writes_an_audit_entry() {
    calls::assert_every_root_field_has_a_row();
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let f = Fixture::build(&app, &t).await;
    for call in CALLS {
        let before = app.audit_count(&f.admin).await;
        let r = app
            .gql(f.token(call.caller), call.doc, f.vars(call.doc))
            .await;
        assert!(r.body["errors"].is_null(), "{}: {}", call.field, r.body);
        let after = app.audit_count(&f.admin).await;
        if !call.audited {
            assert_eq!(after, before, "{} wrote an audit entry", call.field);
            continue;
        }
        assert!(after > before, "{} wrote no audit entry", call.field);
        let entries = app
            .gql(
                Some(&f.admin),
                "{ auditLog(last: 1) { nodes { entity action actorType requestId changes } } }",
                json!({}),
            )
            .await;
        let newest = &entries.body["data"]["auditLog"]["nodes"][0];
        assert!(
            newest["requestId"]
                .as_str()
                .is_some_and(|id| id.len() == 36),
            "{}: {newest}",
            call.field
        );
        let text = newest["changes"].to_string();
        assert!(
            !text.contains("long enough pass") && !text.contains("another long secret"),
            "{} leaked a secret: {text}",
            call.field
        );
    }
}

#[tokio::test]
async fn audit_entries_name_the_actor_and_the_fields_before_and_after() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let admin = app.login(&t).await;
    let other = app.create_user(&t, &admin, "other@acme.test", &[]).await;
    let r = app
        .gql(Some(&admin), "mutation($u: ID!) { updateUser(id: $u, input: { displayName: \"Renamed\", expectedVersion: 1 }) { version } }", json!({ "u": other.id }))
        .await;
    assert_eq!(r.body["data"]["updateUser"]["version"], 2);
    let log = app
        .gql(
            Some(&admin),
            "query($u: ID!) { auditLog(filter: { entity: \"user\", entityId: $u }) { totalCount nodes { action actorType actorId changes } } }",
            json!({ "u": other.id }),
        )
        .await;
    let nodes = log.body["data"]["auditLog"]["nodes"].as_array().unwrap();
    assert_eq!(
        nodes
            .iter()
            .map(|n| n["action"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["create", "update"]
    );
    let update = &nodes[1];
    assert_eq!(update["actorType"], "user");
    assert_eq!(
        update["changes"],
        json!({ "displayName": { "before": "other", "after": "Renamed" } })
    );
    let create = nodes[0]["changes"].to_string();
    assert!(
        create.contains("[redacted]")
            && !create.contains("correct horse")
            && !create.contains("$argon2"),
        "{create}"
    );
}
