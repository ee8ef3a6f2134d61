//! References to users in inputs (`ownerId`, `assigneeId`) must name an active user of the
//! tenant: an unknown id, a deactivated user and another tenant's user are `VALIDATION` errors
//! naming the field, in every module that takes such a reference.

use serde_json::{Value, json};

use crate::helpers::TestApp;

/// The id at `data.<field>.id`, or a panic with the answer.
fn id_at(body: &Value, field: &str) -> String {
    body["data"][field]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{field}: {body}"))
        .to_owned()
}

#[tokio::test]
async fn owner_and_assignee_references_must_name_an_active_user_of_the_tenant() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let admin = app.login(&t).await;
    let active = app
        .create_user(&t, &admin, "rep@acme.test", &["sales_rep"])
        .await
        .id
        .to_string();
    let gone = app
        .create_user(&t, &admin, "gone@acme.test", &["sales_rep"])
        .await
        .id
        .to_string();
    let r = app
        .gql(
            Some(&admin),
            "mutation($id: ID!) { deactivateUser(id: $id) { id } }",
            json!({ "id": gone }),
        )
        .await;
    assert!(r.body["data"]["deactivateUser"].is_object(), "{}", r.body);
    let other = app.create_tenant("globex").await;
    let other_admin = app.login(&other).await;
    let foreign = app
        .create_user(&other, &other_admin, "rep@globex.test", &["sales_rep"])
        .await
        .id
        .to_string();

    let customer = id_at(
        &app.gql(
            Some(&admin),
            "mutation { createCustomer(input: { name: \"Co\", currency: \"USD\" }) { id } }",
            json!({}),
        )
        .await
        .body,
        "createCustomer",
    );
    let supplier = id_at(
        &app.gql(
            Some(&admin),
            "mutation { createSupplier(input: { name: \"Sup\", currency: \"USD\" }) { id } }",
            json!({}),
        )
        .await
        .body,
        "createSupplier",
    );
    let opportunity = id_at(
        &app.gql(
            Some(&admin),
            "mutation($c: ID!) { createOpportunity(input: { title: \"Deal\", customerId: $c, amount: { amount: \"10.00\", currency: \"USD\" } }) { id } }",
            json!({ "c": customer }),
        )
        .await
        .body,
        "createOpportunity",
    );

    // (mutation, field named in errors, document with `$u` the user reference)
    let cases: Vec<(&str, &str, String)> = vec![
        (
            "createLead",
            "input.ownerId",
            "mutation($u: ID) { createLead(input: { title: \"L\", contactName: \"P\", ownerId: $u }) { id } }".into(),
        ),
        (
            "createOpportunity",
            "input.ownerId",
            format!("mutation($u: ID) {{ createOpportunity(input: {{ title: \"O\", customerId: \"{customer}\", amount: {{ amount: \"1.00\", currency: \"USD\" }}, ownerId: $u }}) {{ id }} }}"),
        ),
        (
            "updateOpportunity",
            "input.ownerId",
            format!("mutation($u: ID) {{ updateOpportunity(id: \"{opportunity}\", input: {{ title: \"Deal\", customerId: \"{customer}\", amount: {{ amount: \"10.00\", currency: \"USD\" }}, ownerId: $u, expectedVersion: 1 }}) {{ id }} }}"),
        ),
        (
            "createActivity",
            "input.assigneeId",
            format!("mutation($u: ID) {{ createActivity(input: {{ kind: CALL, subject: \"Call\", customerId: \"{customer}\", assigneeId: $u }}) {{ id }} }}"),
        ),
        (
            "createCustomer",
            "input.ownerId",
            "mutation($u: ID) { createCustomer(input: { name: \"C2\", currency: \"USD\", ownerId: $u }) { id } }".into(),
        ),
        (
            "updateCustomer",
            "input.ownerId",
            format!("mutation($u: ID) {{ updateCustomer(id: \"{customer}\", input: {{ name: \"Co\", currency: \"USD\", ownerId: $u, expectedVersion: 1 }}) {{ id }} }}"),
        ),
        (
            "createSupplier",
            "input.ownerId",
            "mutation($u: ID) { createSupplier(input: { name: \"S2\", currency: \"USD\", ownerId: $u }) { id } }".into(),
        ),
        (
            "updateSupplier",
            "input.ownerId",
            format!("mutation($u: ID) {{ updateSupplier(id: \"{supplier}\", input: {{ name: \"Sup\", currency: \"USD\", ownerId: $u, expectedVersion: 1 }}) {{ id }} }}"),
        ),
    ];
    let unknown = uuid::Uuid::now_v7().to_string();
    for (mutation, field, doc) in &cases {
        for (what, user) in [
            ("an unknown id", &unknown),
            ("a deactivated user", &gone),
            ("another tenant's user", &foreign),
        ] {
            let r = app.gql(Some(&admin), doc, json!({ "u": user })).await;
            assert_eq!(
                r.codes(),
                ["VALIDATION"],
                "{mutation} with {what}: {}",
                r.body
            );
            assert_eq!(
                r.body["errors"][0]["extensions"]["field"], *field,
                "{mutation} with {what}: {}",
                r.body
            );
        }
        let r = app.gql(Some(&admin), doc, json!({ "u": active })).await;
        assert!(
            r.body["data"][mutation]["id"].is_string(),
            "{mutation} with an active user: {}",
            r.body
        );
    }
}
