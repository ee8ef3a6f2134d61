//! A reference the database refuses answers `VALIDATION` on the input field that gave it:
//! the services run no existence SELECT of their own for the references the foreign keys
//! keep (unit, tax rate, category, payment term, pipeline stage), so each of them is checked
//! here, on create and on update, with an id (or code) that names nothing. The transaction
//! stays usable after the refusal (PostgreSQL aborts it on a failed statement unless the
//! statement ran in a savepoint): a valid write in the next request succeeds.

use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{Gql, TestApp};

const CREATE_PRODUCT: &str =
    "mutation($i: CreateProductInput!) { createProduct(input: $i) { id version } }";
const UPDATE_PRODUCT: &str = "mutation($id: ID!, $i: UpdateProductInput!) { updateProduct(id: $id, input: $i) { id version } }";
const CREATE_CUSTOMER: &str =
    "mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { id version } }";
const UPDATE_CUSTOMER: &str = "mutation($id: ID!, $i: UpdateCustomerInput!) { updateCustomer(id: $id, input: $i) { id version } }";
const CREATE_SUPPLIER: &str =
    "mutation($i: CreateSupplierInput!) { createSupplier(input: $i) { id version } }";
const UPDATE_SUPPLIER: &str = "mutation($id: ID!, $i: UpdateSupplierInput!) { updateSupplier(id: $id, input: $i) { id version } }";
const CREATE_OPPORTUNITY: &str =
    "mutation($i: CreateOpportunityInput!) { createOpportunity(input: $i) { id version } }";
const UPDATE_OPPORTUNITY: &str = "mutation($id: ID!, $i: UpdateOpportunityInput!) { updateOpportunity(id: $id, input: $i) { id version } }";

/// Asserts `r` is exactly one `VALIDATION` error on `field` saying "no such `what`", and
/// returns nothing else (no data).
fn assert_no_such(r: &Gql, field: &str, what: &str) {
    let errors = r.body["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no error: {}", r.body));
    assert_eq!(errors.len(), 1, "{}", r.body);
    let e = &errors[0];
    assert_eq!(e["extensions"]["code"], "VALIDATION", "{field}: {}", r.body);
    assert_eq!(e["extensions"]["field"], field, "{}", r.body);
    assert_eq!(e["message"], format!("no such {what}"), "{}", r.body);
}

/// `base` with `field` set to `value`.
fn with(base: &Value, field: &str, value: Value) -> Value {
    let mut v = base.clone();
    v[field] = value;
    v
}

/// The `data.<name>` of `r`, which must have succeeded.
fn data<'a>(r: &'a Gql, name: &str) -> &'a Value {
    let v = &r.body["data"][name];
    assert!(v.is_object(), "{name}: {}", r.body);
    v
}

#[tokio::test]
async fn a_product_naming_no_unit_tax_rate_or_category_is_a_validation_error_on_that_field() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("refprod").await;
    let admin = app.login(&t).await;
    let base = json!({ "sku": "P-1", "name": "Widget", "kind": "GOODS", "unit": "ea",
                       "currency": "USD", "salePrice": "5" });
    let cases = [
        (
            "unit",
            json!("no-such-unit"),
            "input.unit",
            "unit of measure",
        ),
        (
            "taxRateId",
            json!(Uuid::new_v4()),
            "input.taxRateId",
            "tax rate",
        ),
        (
            "categoryId",
            json!(Uuid::new_v4()),
            "input.categoryId",
            "category",
        ),
    ];
    for (field, value, path, what) in &cases {
        let r = app
            .gql(
                Some(&admin),
                CREATE_PRODUCT,
                json!({ "i": with(&base, field, value.clone()) }),
            )
            .await;
        assert_no_such(&r, path, what);
    }
    let created = app
        .gql(Some(&admin), CREATE_PRODUCT, json!({ "i": base }))
        .await;
    let product = data(&created, "createProduct").clone();
    for (field, value, path, what) in &cases {
        let patch = json!({ "expectedVersion": product["version"], field.to_string(): value });
        let r = app
            .gql(
                Some(&admin),
                UPDATE_PRODUCT,
                json!({ "id": product["id"], "i": patch }),
            )
            .await;
        assert_no_such(&r, path, what);
    }
    // Nothing was written by the refused updates: the version is unchanged and a valid
    // change goes through.
    let r = app
        .gql(
            Some(&admin),
            UPDATE_PRODUCT,
            json!({ "id": product["id"], "i": { "expectedVersion": product["version"], "name": "Gadget" } }),
        )
        .await;
    assert_eq!(data(&r, "updateProduct")["version"], 2, "{}", r.body);
}

#[tokio::test]
async fn a_customer_or_supplier_naming_no_payment_term_is_a_validation_error_on_that_field() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("refterm").await;
    let admin = app.login(&t).await;
    for (create, update, name) in [
        (CREATE_CUSTOMER, UPDATE_CUSTOMER, "Customer"),
        (CREATE_SUPPLIER, UPDATE_SUPPLIER, "Supplier"),
    ] {
        let base = json!({ "name": "Acme", "currency": "USD" });
        let r = app
            .gql(
                Some(&admin),
                create,
                json!({ "i": with(&base, "paymentTermId", json!(Uuid::new_v4())) }),
            )
            .await;
        assert_no_such(&r, "input.paymentTermId", "payment term");
        let created = app.gql(Some(&admin), create, json!({ "i": base })).await;
        let row = data(&created, &format!("create{name}")).clone();
        let r = app
            .gql(
                Some(&admin),
                update,
                json!({ "id": row["id"], "i": { "expectedVersion": row["version"], "paymentTermId": Uuid::new_v4() } }),
            )
            .await;
        assert_no_such(&r, "input.paymentTermId", "payment term");
        let r = app
            .gql(
                Some(&admin),
                update,
                json!({ "id": row["id"], "i": { "expectedVersion": row["version"], "name": "Acme 2" } }),
            )
            .await;
        assert_eq!(
            data(&r, &format!("update{name}"))["version"],
            2,
            "{}",
            r.body
        );
    }
}

#[tokio::test]
async fn an_opportunity_naming_no_stage_is_a_validation_error_on_that_field() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("refstage").await;
    let admin = app.login(&t).await;
    let customer = app
        .gql(
            Some(&admin),
            CREATE_CUSTOMER,
            json!({ "i": { "name": "Buyer", "currency": "USD" } }),
        )
        .await;
    let customer = data(&customer, "createCustomer")["id"].clone();
    let base = json!({ "title": "Deal", "customerId": customer,
                       "amount": { "amount": "100.00", "currency": "USD" } });
    let r = app
        .gql(
            Some(&admin),
            CREATE_OPPORTUNITY,
            json!({ "i": with(&base, "stageId", json!(Uuid::new_v4())) }),
        )
        .await;
    assert_no_such(&r, "input.stageId", "stage");
    let created = app
        .gql(Some(&admin), CREATE_OPPORTUNITY, json!({ "i": base }))
        .await;
    let deal = data(&created, "createOpportunity").clone();
    let r = app
        .gql(
            Some(&admin),
            UPDATE_OPPORTUNITY,
            json!({ "id": deal["id"], "i": { "expectedVersion": deal["version"], "stageId": Uuid::new_v4() } }),
        )
        .await;
    assert_no_such(&r, "input.stageId", "stage");
    let r = app
        .gql(
            Some(&admin),
            UPDATE_OPPORTUNITY,
            json!({ "id": deal["id"], "i": { "expectedVersion": deal["version"], "title": "Bigger deal" } }),
        )
        .await;
    assert_eq!(data(&r, "updateOpportunity")["version"], 2, "{}", r.body);
}
