//! API keys: they act with their role's permissions, and stop at once when revoked.

use serde_json::json;

use crate::helpers::TestApp;

#[tokio::test]
async fn a_viewer_key_can_query_but_not_mutate_and_a_revoked_key_is_unauthenticated() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let admin = app.login(&t).await;
    let roles = app.role_ids(&admin).await;
    let created = app
        .gql(
            Some(&admin),
            "mutation($r: ID!) { createApiKey(input: { name: \"reporting\", roleId: $r }) { secret apiKey { id name isActive role { name } } } }",
            json!({ "r": roles["viewer"] }),
        )
        .await;
    let payload = &created.body["data"]["createApiKey"];
    let secret = payload["secret"].as_str().unwrap().to_owned();
    let id = payload["apiKey"]["id"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("erpk_"));
    assert_eq!(payload["apiKey"]["role"]["name"], "viewer");

    let users = app
        .gql(
            Some(&secret),
            "{ users { totalCount nodes { displayName } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        users.body["data"]["users"]["totalCount"], 1,
        "{}",
        users.body
    );
    let me = app
        .gql(
            Some(&secret),
            "{ me { user { id } roles { name } permissions } }",
            json!({}),
        )
        .await;
    assert!(me.body["data"]["me"]["user"].is_null());
    assert_eq!(
        me.body["data"]["me"]["roles"],
        json!([{ "name": "viewer" }])
    );
    let mutate = app
        .gql(
            Some(&secret),
            "mutation { createRole(input: { name: \"x\", grants: [] }) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(mutate.codes(), ["FORBIDDEN"]);

    // The key is listed without its secret; the audit trail names it as the actor.
    let listed = app
        .gql(
            Some(&admin),
            "{ apiKeys { nodes { id name isActive } } }",
            json!({}),
        )
        .await;
    assert!(!listed.body.to_string().contains(&secret));
    assert_eq!(listed.body["data"]["apiKeys"]["nodes"][0]["isActive"], true);

    let revoked = app
        .gql(
            Some(&admin),
            "mutation($k: ID!) { revokeApiKey(id: $k) { isActive } }",
            json!({ "k": id }),
        )
        .await;
    assert_eq!(revoked.body["data"]["revokeApiKey"]["isActive"], false);
    let after = app
        .gql(Some(&secret), "{ users { totalCount } }", json!({}))
        .await;
    assert_eq!(after.status, 401);
    assert_eq!(after.codes(), ["UNAUTHENTICATED"]);
}

#[tokio::test]
async fn a_tampered_key_is_unauthenticated() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let admin = app.login(&t).await;
    let roles = app.role_ids(&admin).await;
    let created = app
        .gql(
            Some(&admin),
            "mutation($r: ID!) { createApiKey(input: { name: \"k\", roleId: $r }) { secret } }",
            json!({ "r": roles["viewer"] }),
        )
        .await;
    let secret = created.body["data"]["createApiKey"]["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut tampered = secret.clone();
    let last = tampered.pop().unwrap();
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    let other_tenant = format!("erpk_{}{}", "0".repeat(32), &secret[37..]);
    for key in [tampered, other_tenant, "erpk_garbage".to_owned()] {
        let r = app
            .gql(Some(&key), "{ users { totalCount } }", json!({}))
            .await;
        assert_eq!(r.status, 401, "{key}: {}", r.body);
    }
}
