//! Master data on the module kit: idempotent creates compare every column, updates are
//! patches, scope `OWN` reaches only owned suppliers, and concurrent creates of one unique
//! code answer `CONFLICT`, never `INTERNAL`.

use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{TestApp, TestTenant};

const CREATE_SUPPLIER: &str =
    "mutation($i: CreateSupplierInput!) { createSupplier(input: $i) { id version } }";
const CREATE_PRODUCT: &str =
    "mutation($i: CreateProductInput!) { createProduct(input: $i) { id version } }";

/// A new tenant and its admin's token.
async fn setup(app: &TestApp, slug: &str) -> (TestTenant, String) {
    let t = app.create_tenant(slug).await;
    let admin = app.login(&t).await;
    (t, admin)
}

/// The id of new payment terms `code`.
async fn payment_term(app: &TestApp, token: &str, code: &str) -> Value {
    let r = app
        .gql(
            Some(token),
            "mutation($c: String!) { createPaymentTerm(input: { code: $c, name: $c, dueDays: 30 }) { id } }",
            json!({ "c": code }),
        )
        .await;
    let id = r.body["data"]["createPaymentTerm"]["id"].clone();
    assert!(id.is_string(), "{}", r.body);
    id
}

/// `base` with `field` set to `value`.
fn with(base: &Value, field: &str, value: Value) -> Value {
    let mut v = base.clone();
    v[field] = value;
    v
}

/// A role named `name` with `grants` (permission, scope), and a signed-in user holding it.
async fn user_with_role(
    app: &TestApp,
    t: &TestTenant,
    admin: &str,
    name: &str,
    grants: &[(&str, &str)],
) -> (TestTenant, String) {
    app.create_role(admin, name, grants).await;
    let user = app
        .create_user(t, admin, &format!("{name}@{}.test", t.slug), &[name])
        .await;
    let token = app.login(&user).await;
    (user, token)
}

#[tokio::test]
async fn replaying_create_supplier_with_one_field_changed_is_a_conflict_and_the_same_content_returns_the_same_supplier()
 {
    let app = TestApp::spawn().await;
    let (_t, admin) = setup(&app, "kitsup").await;
    let net30 = payment_term(&app, &admin, "NET30").await;
    let net60 = payment_term(&app, &admin, "NET60").await;
    let id = Uuid::now_v7().to_string();
    let base = json!({ "id": id, "name": "Parts Inc", "taxId": "DE123", "email": "a@parts.test",
                       "phone": "+49 1", "address": "1 Main St", "paymentTermId": net30,
                       "currency": "USD" });
    let first = app
        .gql(Some(&admin), CREATE_SUPPLIER, json!({ "i": base }))
        .await;
    assert_eq!(
        first.body["data"]["createSupplier"]["id"],
        id.as_str(),
        "{}",
        first.body
    );
    let again = app
        .gql(Some(&admin), CREATE_SUPPLIER, json!({ "i": base }))
        .await;
    assert_eq!(
        again.body["data"]["createSupplier"],
        json!({ "id": id, "version": 1 }),
        "the same content returns the same row: {}",
        again.body
    );
    for (field, value) in [
        ("address", json!("2 Other St")),
        ("paymentTermId", net60.clone()),
        ("paymentTermId", Value::Null),
        ("currency", json!("EUR")),
        ("phone", json!("+49 2")),
        ("taxId", Value::Null),
    ] {
        let r = app
            .gql(
                Some(&admin),
                CREATE_SUPPLIER,
                json!({ "i": with(&base, field, value.clone()) }),
            )
            .await;
        assert_eq!(r.codes(), ["CONFLICT"], "{field} = {value}: {}", r.body);
    }
    let count = app
        .gql(Some(&admin), "{ suppliers { totalCount } }", json!({}))
        .await;
    assert_eq!(
        count.body["data"]["suppliers"]["totalCount"], 1,
        "{}",
        count.body
    );
}

#[tokio::test]
async fn replaying_create_product_with_one_field_changed_is_a_conflict_and_the_same_content_returns_the_same_product()
 {
    let app = TestApp::spawn().await;
    let (_t, admin) = setup(&app, "kitprod").await;
    let id = Uuid::now_v7().to_string();
    let base = json!({ "id": id, "sku": "K-1", "name": "Widget", "kind": "GOODS", "unit": "ea",
                       "currency": "USD", "salePrice": "5", "costPrice": "3" });
    let first = app
        .gql(Some(&admin), CREATE_PRODUCT, json!({ "i": base }))
        .await;
    assert_eq!(
        first.body["data"]["createProduct"]["id"],
        id.as_str(),
        "{}",
        first.body
    );
    let again = app
        .gql(Some(&admin), CREATE_PRODUCT, json!({ "i": base }))
        .await;
    assert_eq!(
        again.body["data"]["createProduct"],
        json!({ "id": id, "version": 1 }),
        "{}",
        again.body
    );
    for (field, value) in [
        ("name", json!("Gadget")),
        ("costPrice", json!("4")),
        ("costPrice", Value::Null),
        ("salePrice", json!("6")),
        ("kind", json!("SERVICE")),
        ("serialTracked", json!(true)),
        ("currency", json!("EUR")),
    ] {
        let r = app
            .gql(
                Some(&admin),
                CREATE_PRODUCT,
                json!({ "i": with(&base, field, value.clone()) }),
            )
            .await;
        assert_eq!(r.codes(), ["CONFLICT"], "{field} = {value}: {}", r.body);
    }
}

#[tokio::test]
async fn a_product_update_without_cost_price_by_a_role_that_cannot_read_it_keeps_the_cost_price() {
    let app = TestApp::spawn().await;
    let (t, admin) = setup(&app, "kitcost").await;
    let r = app
        .gql(
            Some(&admin),
            CREATE_PRODUCT,
            json!({ "i": { "sku": "C-1", "name": "Widget", "kind": "GOODS", "unit": "ea",
                           "currency": "USD", "salePrice": "10", "costPrice": "7.25" } }),
        )
        .await;
    let id = r.body["data"]["createProduct"]["id"].clone();
    let (_clerk, clerk) = user_with_role(
        &app,
        &t,
        &admin,
        "clerk",
        &[
            ("master.product.read", "ALL"),
            ("master.product.write", "ALL"),
        ],
    )
    .await;
    let renamed = app
        .gql(
            Some(&clerk),
            "mutation($p: ID!) { updateProduct(id: $p, input: { name: \"Widget 2\", expectedVersion: 1 }) { name salePrice version } }",
            json!({ "p": id }),
        )
        .await;
    assert_eq!(
        renamed.body["data"]["updateProduct"],
        json!({ "name": "Widget 2", "salePrice": "10", "version": 2 }),
        "{}",
        renamed.body
    );
    let read = "query($p: ID!) { product(id: $p) { name costPrice } }";
    let seen = app.gql(Some(&admin), read, json!({ "p": id })).await;
    assert_eq!(
        seen.body["data"]["product"],
        json!({ "name": "Widget 2", "costPrice": "7.25" }),
        "the cost price is kept: {}",
        seen.body
    );
    let cleared = app
        .gql(
            Some(&admin),
            "mutation($p: ID!) { updateProduct(id: $p, input: { costPrice: null, expectedVersion: 2 }) { costPrice } }",
            json!({ "p": id }),
        )
        .await;
    assert_eq!(
        cleared.body["data"]["updateProduct"]["costPrice"],
        Value::Null,
        "an explicit null clears it: {}",
        cleared.body
    );
}

#[tokio::test]
async fn a_supplier_update_with_only_a_name_keeps_the_rest_and_an_explicit_null_clears() {
    let app = TestApp::spawn().await;
    let (_t, admin) = setup(&app, "kitpatch").await;
    let r = app
        .gql(
            Some(&admin),
            CREATE_SUPPLIER,
            json!({ "i": { "name": "Parts Inc", "email": "a@parts.test", "phone": "+49 1",
                           "currency": "EUR" } }),
        )
        .await;
    let id = r.body["data"]["createSupplier"]["id"].clone();
    let update = "mutation($s: ID!, $i: UpdateSupplierInput!) { updateSupplier(id: $s, input: $i) { name email phone currency version } }";
    let renamed = app
        .gql(
            Some(&admin),
            update,
            json!({ "s": id, "i": { "name": "Parts GmbH", "expectedVersion": 1 } }),
        )
        .await;
    assert_eq!(
        renamed.body["data"]["updateSupplier"],
        json!({ "name": "Parts GmbH", "email": "a@parts.test", "phone": "+49 1",
                "currency": "EUR", "version": 2 }),
        "{}",
        renamed.body
    );
    let cleared = app
        .gql(
            Some(&admin),
            update,
            json!({ "s": id, "i": { "email": null, "expectedVersion": 2 } }),
        )
        .await;
    assert_eq!(
        cleared.body["data"]["updateSupplier"],
        json!({ "name": "Parts GmbH", "email": null, "phone": "+49 1",
                "currency": "EUR", "version": 3 }),
        "{}",
        cleared.body
    );
}

#[tokio::test]
async fn scope_own_on_supplier_read_reaches_only_the_suppliers_the_user_owns() {
    let app = TestApp::spawn().await;
    let (t, admin) = setup(&app, "kitown").await;
    let (buyer, buyer_token) = user_with_role(
        &app,
        &t,
        &admin,
        "buyer",
        &[("master.supplier.read", "OWN")],
    )
    .await;
    let create = |name: &str, owner: Option<String>| {
        let mut i = json!({ "name": name, "currency": "USD" });
        if let Some(owner) = owner {
            i["ownerId"] = json!(owner);
        }
        app.gql(Some(&admin), CREATE_SUPPLIER, json!({ "i": i }))
    };
    let mine =
        create("Mine", Some(buyer.id.to_string())).await.body["data"]["createSupplier"]["id"]
            .clone();
    let theirs = create("Theirs", None).await.body["data"]["createSupplier"]["id"].clone();
    assert!(mine.is_string() && theirs.is_string());

    let list = app
        .gql(
            Some(&buyer_token),
            "{ suppliers { totalCount nodes { id name } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        list.body["data"]["suppliers"],
        json!({ "totalCount": 1, "nodes": [{ "id": mine, "name": "Mine" }] }),
        "{}",
        list.body
    );
    let one = "query($s: ID!) { supplier(id: $s) { name } }";
    let own = app.gql(Some(&buyer_token), one, json!({ "s": mine })).await;
    assert_eq!(own.body["data"]["supplier"]["name"], "Mine", "{}", own.body);
    let other = app
        .gql(Some(&buyer_token), one, json!({ "s": theirs }))
        .await;
    assert!(other.body["errors"].is_null(), "{}", other.body);
    assert_eq!(
        other.body["data"]["supplier"],
        Value::Null,
        "{}",
        other.body
    );
    let all = app
        .gql(Some(&admin), "{ suppliers { totalCount } }", json!({}))
        .await;
    assert_eq!(
        all.body["data"]["suppliers"]["totalCount"], 2,
        "{}",
        all.body
    );
}

/// Defect 4: concurrent creates of one unique code (tax rate, payment term, category,
/// warehouse, pipeline stage) answer one winner and `CONFLICT` for every other, never
/// `INTERNAL`, naming the value. Six at once, three rounds each, so the losers really race the winner's
/// insert on PostgreSQL instead of finding its row already there.
#[tokio::test]
async fn concurrent_creates_of_one_unique_code_answer_one_winner_and_conflicts_never_internal() {
    let app = TestApp::spawn().await;
    let (_t, admin) = setup(&app, "kitrace").await;
    let calls = [
        (
            "createTaxRate",
            "mutation($c: String!, $n: String!) { createTaxRate(input: { code: $c, name: $n, rate: \"20\", validFrom: \"2026-01-01\" }) { id } }",
        ),
        (
            "createPaymentTerm",
            "mutation($c: String!, $n: String!) { createPaymentTerm(input: { code: $c, name: $n, dueDays: 45 }) { id } }",
        ),
        (
            "createProductCategory",
            "mutation($c: String!) { createProductCategory(input: { name: $c }) { id } }",
        ),
        (
            "createWarehouse",
            "mutation($c: String!, $n: String!) { createWarehouse(input: { code: $c, name: $n }) { id } }",
        ),
        (
            "createPipelineStage",
            "mutation($c: String!) { createPipelineStage(input: { name: $c, position: 9, probability: \"0.5\" }) { id } }",
        ),
    ];
    for (field, query) in calls {
        for round in 0..3 {
            let code = format!("RACE{round}");
            let answers = futures_util::future::join_all((0..6).map(|i| {
                app.gql(
                    Some(&admin),
                    query,
                    json!({ "c": code, "n": format!("try {i}") }),
                )
            }))
            .await;
            let mut winners = 0;
            for a in &answers {
                match a.codes().as_slice() {
                    [] => winners += 1,
                    // The kit names the value the unique index holds, without a lookup first.
                    [conflict] if conflict == "CONFLICT" => assert!(
                        a.body["errors"][0]["message"].as_str().is_some_and(|m| m
                            .contains("already has")
                            && m.contains(&format!("`{code}`"))),
                        "{field}: {}",
                        a.body
                    ),
                    other => panic!("{field} round {round}: {other:?}: {}", a.body),
                }
            }
            assert_eq!(winners, 1, "{field} round {round}");
        }
    }
}
