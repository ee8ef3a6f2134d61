//! The module kit's guarantees, tried through the API: the audit log hides what field
//! permissions hide, scope `OWN` reaches only owned rows (and is refused where nobody owns
//! rows), updates are patches, and replays compare every column.

use serde_json::json;

use crate::helpers::{TestApp, TestTenant};

/// A signed-in user of `t` holding `roles`.
async fn user(
    app: &TestApp,
    t: &TestTenant,
    admin: &str,
    email: &str,
    roles: &[&str],
) -> (TestTenant, String) {
    let u = app.create_user(t, admin, email, roles).await;
    let token = app.login(&u).await;
    (u, token)
}

/// Every key of every entry's `changes` of `entity`, as `token` reads the audit log.
async fn audited_fields(app: &TestApp, token: &str, entity: &str) -> Vec<String> {
    let r = app
        .gql(
            Some(token),
            "query($e: String!) { auditLog(first: 100, filter: { entity: $e }) { nodes { changes } } }",
            json!({ "e": entity }),
        )
        .await;
    assert!(r.body["errors"].is_null(), "{}", r.body);
    let nodes = r.body["data"]["auditLog"]["nodes"].as_array().unwrap();
    assert!(!nodes.is_empty(), "no {entity} entries: {}", r.body);
    nodes
        .iter()
        .flat_map(|n| n["changes"].as_object().unwrap().keys().cloned())
        .collect()
}

#[tokio::test]
async fn the_audit_log_hides_each_field_the_reader_may_not_read() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let admin = app.login(&t).await;
    let r = app
        .gql(
            Some(&admin),
            "mutation { createUser(input: { email: \"pat@acme.test\", displayName: \"Pat\", phone: \"+1 555 0100\", password: \"a-long-password-1\", roleIds: [] }) { id } }",
            json!({}),
        )
        .await;
    assert!(r.body["errors"].is_null(), "{}", r.body);
    let r = app
        .gql(
            Some(&admin),
            "mutation { createProduct(input: { sku: \"S-1\", name: \"Saw\", kind: GOODS, unit: \"ea\", currency: \"USD\", salePrice: \"20\", costPrice: \"7.5\" }) { id } }",
            json!({}),
        )
        .await;
    assert!(r.body["errors"].is_null(), "{}", r.body);

    // The admin reads everything that was recorded.
    let fields = audited_fields(&app, &admin, "user").await;
    assert!(fields.iter().any(|f| f == "email") && fields.iter().any(|f| f == "phone"));
    let fields = audited_fields(&app, &admin, "product").await;
    assert!(fields.iter().any(|f| f == "costPriceMicros"), "{fields:?}");

    // The accountant reads the audit log and cost prices, not users' contact details.
    let (_, accountant) = user(&app, &t, &admin, "acc@acme.test", &["accountant"]).await;
    let fields = audited_fields(&app, &accountant, "user").await;
    assert!(fields.iter().any(|f| f == "displayName"), "{fields:?}");
    assert!(
        !fields.iter().any(|f| f == "email" || f == "phone"),
        "the accountant lacks identity.user.contact.read: {fields:?}"
    );
    assert!(
        audited_fields(&app, &accountant, "product")
            .await
            .contains(&"costPriceMicros".into())
    );

    // A role with only the audit log sees neither.
    app.create_role(&admin, "auditor", &[("identity.audit.read", "ALL")])
        .await;
    let (_, auditor) = user(&app, &t, &admin, "aud@acme.test", &["auditor"]).await;
    let fields = audited_fields(&app, &auditor, "user").await;
    assert!(
        !fields.iter().any(|f| f == "email" || f == "phone"),
        "{fields:?}"
    );
    let fields = audited_fields(&app, &auditor, "product").await;
    assert!(fields.iter().any(|f| f == "name"), "{fields:?}");
    assert!(!fields.iter().any(|f| f == "costPriceMicros"), "{fields:?}");
}

#[tokio::test]
async fn scope_own_on_customers_reaches_only_the_customers_one_owns() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let admin = app.login(&t).await;
    app.create_role(
        &admin,
        "own_customers",
        &[
            ("master.customer.read", "OWN"),
            ("master.customer.write", "OWN"),
        ],
    )
    .await;
    let (rep, rep_token) = user(&app, &t, &admin, "rep@acme.test", &["own_customers"]).await;
    let create = "mutation($n: String!, $o: ID) { createCustomer(input: { name: $n, currency: \"USD\", ownerId: $o }) { id } }";
    let mine = app
        .gql(Some(&admin), create, json!({ "n": "Mine", "o": rep.id }))
        .await;
    let mine = mine.body["data"]["createCustomer"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let theirs = app
        .gql(Some(&admin), create, json!({ "n": "Theirs" }))
        .await;
    let theirs = theirs.body["data"]["createCustomer"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let r = app
        .gql(
            Some(&rep_token),
            "{ customers { totalCount nodes { name } } }",
            json!({}),
        )
        .await;
    assert_eq!(r.body["data"]["customers"]["totalCount"], 1, "{}", r.body);
    assert_eq!(r.body["data"]["customers"]["nodes"][0]["name"], "Mine");
    let r = app
        .gql(
            Some(&rep_token),
            "query($a: ID!, $b: ID!) { a: customer(id: $a) { name } b: customer(id: $b) { name } }",
            json!({ "a": mine, "b": theirs }),
        )
        .await;
    assert_eq!(r.body["data"]["a"]["name"], "Mine", "{}", r.body);
    assert!(r.body["data"]["b"].is_null(), "{}", r.body);

    // Another's customer answers as if it did not exist.
    let r = app
        .gql(
            Some(&rep_token),
            "mutation($id: ID!) { updateCustomer(id: $id, input: { name: \"Taken\", expectedVersion: 1 }) { id } }",
            json!({ "id": theirs }),
        )
        .await;
    assert_eq!(r.codes(), ["NOT_FOUND"], "{}", r.body);
    let r = app
        .gql(
            Some(&rep_token),
            "mutation($id: ID!) { archiveCustomer(id: $id) { id } }",
            json!({ "id": theirs }),
        )
        .await;
    assert_eq!(r.codes(), ["NOT_FOUND"], "{}", r.body);
    // And nobody with scope OWN creates customers for someone else.
    let r = app
        .gql(Some(&rep_token), create, json!({ "n": "Gift", "o": t.id }))
        .await;
    assert_eq!(r.codes(), ["FORBIDDEN"], "{}", r.body);
}

#[tokio::test]
async fn scope_own_is_refused_on_permissions_whose_rows_nobody_owns() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let admin = app.login(&t).await;
    for permission in [
        "master.product.read",
        "master.data.write",
        "identity.audit.read",
    ] {
        let r = app
            .gql(
                Some(&admin),
                "mutation($g: [GrantInput!]!) { createRole(input: { name: \"x\", grants: $g }) { id } }",
                json!({ "g": [{ "permission": permission, "scope": "OWN" }] }),
            )
            .await;
        assert_eq!(r.codes(), ["VALIDATION"], "{permission}: {}", r.body);
        assert_eq!(
            r.body["errors"][0]["extensions"]["field"], "input.grants[0].scope",
            "{}",
            r.body
        );
    }
    app.create_role(&admin, "fine", &[("master.supplier.read", "OWN")])
        .await;
}

#[tokio::test]
async fn update_customer_changes_only_what_it_names_and_null_clears() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let admin = app.login(&t).await;
    let r = app
        .gql(
            Some(&admin),
            "mutation { createCustomer(input: { name: \"Acme\", taxId: \"T-1\", email: \"a@acme.test\", phone: \"555\", currency: \"USD\", creditLimit: { amount: \"1000\", currency: \"USD\" } }) { id } }",
            json!({}),
        )
        .await;
    let id = r.body["data"]["createCustomer"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let fields = "name taxId email phone creditLimit { amount } version";
    let r = app
        .gql(
            Some(&admin),
            &format!("mutation($id: ID!) {{ updateCustomer(id: $id, input: {{ name: \"Acme Ltd\", expectedVersion: 1 }}) {{ {fields} }} }}"),
            json!({ "id": id }),
        )
        .await;
    let c = &r.body["data"]["updateCustomer"];
    assert_eq!(c["name"], "Acme Ltd", "{}", r.body);
    assert_eq!(c["taxId"], "T-1");
    assert_eq!(c["email"], "a@acme.test");
    assert_eq!(c["phone"], "555");
    assert_eq!(c["creditLimit"]["amount"], "1000.00");
    let r = app
        .gql(
            Some(&admin),
            &format!("mutation($id: ID!) {{ updateCustomer(id: $id, input: {{ taxId: null, creditLimit: null, expectedVersion: 2 }}) {{ {fields} }} }}"),
            json!({ "id": id }),
        )
        .await;
    let c = &r.body["data"]["updateCustomer"];
    assert!(
        c["taxId"].is_null() && c["creditLimit"].is_null(),
        "{}",
        r.body
    );
    assert_eq!(c["email"], "a@acme.test");
    assert_eq!(c["version"], 3);

    // The audit entry of the rename names exactly the field that changed.
    let r = app
        .gql(
            Some(&admin),
            "query($id: ID!) { auditLog(filter: { entityId: $id }) { nodes { action changes } } }",
            json!({ "id": id }),
        )
        .await;
    let nodes = r.body["data"]["auditLog"]["nodes"].as_array().unwrap();
    let rename = nodes
        .iter()
        .find(|n| n["changes"].get("name").is_some() && n["action"] == "update")
        .unwrap_or_else(|| panic!("{}", r.body));
    assert_eq!(rename["changes"].as_object().unwrap().len(), 1, "{rename}");
}

#[tokio::test]
async fn replaying_create_customer_with_another_payment_term_conflicts() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let admin = app.login(&t).await;
    let r = app
        .gql(
            Some(&admin),
            "mutation { createPaymentTerm(input: { code: \"NET30\", name: \"Net 30\", dueDays: 30 }) { id } }",
            json!({}),
        )
        .await;
    let term = r.body["data"]["createPaymentTerm"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let id = uuid::Uuid::now_v7().to_string();
    let create = "mutation($id: ID!, $t: ID) { createCustomer(input: { id: $id, name: \"Acme\", currency: \"USD\", paymentTermId: $t }) { id } }";
    let first = app
        .gql(Some(&admin), create, json!({ "id": id, "t": term }))
        .await;
    assert!(first.body["errors"].is_null(), "{}", first.body);
    let same = app
        .gql(Some(&admin), create, json!({ "id": id, "t": term }))
        .await;
    assert_eq!(
        same.body["data"]["createCustomer"]["id"],
        id.as_str(),
        "{}",
        same.body
    );
    let other = app.gql(Some(&admin), create, json!({ "id": id })).await;
    assert_eq!(other.codes(), ["CONFLICT"], "{}", other.body);
}
