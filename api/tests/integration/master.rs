//! Master data: exact money, cost-price guard, optimistic locking, idempotent creates, keyset
//! pages under concurrent inserts, constant SQL per list, clear input errors.

use std::collections::HashSet;

use futures_util::future::join_all;
use serde_json::{Value, json};

use crate::helpers::{Gql, TestApp};

const CREATE_CUSTOMER: &str = "mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { id name version creditLimit { amount currency } } }";

async fn customer(app: &TestApp, token: &str, input: Value) -> Gql {
    app.gql(Some(token), CREATE_CUSTOMER, json!({ "i": input }))
        .await
}

#[tokio::test]
async fn money_survives_exactly_with_each_currency_s_digits() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let admin = app.login(&t).await;
    for (currency, amount) in [
        ("USD", "12345678901234.56"),
        ("JPY", "1500"),
        ("KWD", "10.125"),
        ("USD", "0.00"),
    ] {
        let r = customer(&app, &admin, json!({ "name": "Exact Co", "currency": currency, "creditLimit": { "amount": amount, "currency": currency } })).await;
        assert_eq!(
            r.body["data"]["createCustomer"]["creditLimit"],
            json!({ "amount": amount, "currency": currency }),
            "{}",
            r.body
        );
        let id = r.body["data"]["createCustomer"]["id"].clone();
        let back = app
            .gql(
                Some(&admin),
                "query($id: ID!) { customer(id: $id) { creditLimit { amount } } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(
            back.body["data"]["customer"]["creditLimit"]["amount"],
            amount
        );
    }
    // A JSON number, more decimals than the currency has, or a negative limit are refused.
    for (amount, field) in [
        (json!(12.5), None),
        (json!("1.234"), Some("input.creditLimit")),
        (json!("-1"), Some("input.creditLimit")),
    ] {
        let r = customer(&app, &admin, json!({ "name": "X", "currency": "USD", "creditLimit": { "amount": amount, "currency": "USD" } })).await;
        assert_eq!(r.codes(), ["VALIDATION"], "{amount}: {}", r.body);
        if let Some(field) = field {
            assert_eq!(r.body["errors"][0]["extensions"]["field"], field);
        }
    }
    let r = customer(&app, &admin, json!({ "name": "X", "currency": "XXX" })).await;
    assert_eq!(
        (
            r.codes(),
            r.body["errors"][0]["extensions"]["field"].clone()
        ),
        (vec!["VALIDATION".to_owned()], json!("input.currency"))
    );
}

/// A credit limit is in the customer's currency: on create, and on an update that changes
/// only the limit (once accepted and stored as if it were in the customer's currency).
#[tokio::test]
async fn a_credit_limit_in_another_currency_is_refused_on_create_and_update() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let admin = app.login(&t).await;
    let r = customer(&app, &admin, json!({ "name": "X", "currency": "USD", "creditLimit": { "amount": "5", "currency": "EUR" } })).await;
    assert_eq!(r.codes(), ["VALIDATION"], "{}", r.body);
    assert_eq!(
        r.body["errors"][0]["extensions"]["field"],
        "input.creditLimit.currency"
    );
    let r = customer(&app, &admin, json!({ "name": "X", "currency": "usd", "creditLimit": { "amount": "5", "currency": "USD" } })).await;
    let id = r.body["data"]["createCustomer"]["id"].clone();
    assert!(id.is_string(), "{}", r.body);
    let update = "mutation($id: ID!, $i: UpdateCustomerInput!) { updateCustomer(id: $id, input: $i) { creditLimit { amount currency } version } }";
    let r = app
        .gql(Some(&admin), update, json!({ "id": id, "i": { "creditLimit": { "amount": "9", "currency": "EUR" }, "expectedVersion": 1 } }))
        .await;
    assert_eq!(r.codes(), ["VALIDATION"], "{}", r.body);
    assert_eq!(
        r.body["errors"][0]["extensions"]["field"],
        "input.creditLimit.currency"
    );
    let r = app
        .gql(Some(&admin), update, json!({ "id": id, "i": { "creditLimit": { "amount": "9", "currency": "USD" }, "expectedVersion": 1 } }))
        .await;
    assert_eq!(
        r.body["data"]["updateCustomer"]["creditLimit"],
        json!({ "amount": "9.00", "currency": "USD" }),
        "{}",
        r.body
    );
}

#[tokio::test]
async fn repeating_create_customer_with_its_id_is_idempotent_and_other_content_conflicts() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let admin = app.login(&t).await;
    let id = uuid::Uuid::now_v7().to_string();
    let input = json!({ "id": id, "name": "Retry Co", "currency": "EUR", "creditLimit": { "amount": "5000", "currency": "EUR" } });
    // BUSINESS_RULES.md: 50 concurrent replays have exactly one effect.
    let replies = join_all((0..50).map(|_| customer(&app, &admin, input.clone()))).await;
    for r in &replies {
        assert_eq!(
            r.body["data"]["createCustomer"]["id"],
            id.as_str(),
            "{}",
            r.body
        );
    }
    let count = app
        .gql(Some(&admin), "{ customers { totalCount } }", json!({}))
        .await;
    assert_eq!(
        count.body["data"]["customers"]["totalCount"], 1,
        "replays made one customer"
    );
    let mut other = input.clone();
    other["name"] = json!("Other Co");
    assert_eq!(customer(&app, &admin, other).await.codes(), ["CONFLICT"]);
}

#[tokio::test]
async fn of_two_concurrent_customer_updates_with_one_version_exactly_one_wins() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let admin = app.login(&t).await;
    let id = customer(
        &app,
        &admin,
        json!({ "name": "Race Co", "currency": "USD" }),
    )
    .await
    .body["data"]["createCustomer"]["id"]
        .clone();
    let update = "mutation($id: ID!, $n: String!, $v: Int!) { updateCustomer(id: $id, input: { name: $n, currency: \"USD\", expectedVersion: $v }) { name version } }";
    for round in 0..5 {
        let answers = join_all(["A", "B"].map(|n| {
            app.gql(
                Some(&admin),
                update,
                json!({ "id": id, "n": format!("{n}{round}"), "v": round + 1 }),
            )
        }))
        .await;
        let won = answers
            .iter()
            .filter(|a| a.body["data"]["updateCustomer"].is_object())
            .count();
        let lost: Vec<String> = answers.iter().flat_map(Gql::codes).collect();
        assert_eq!(
            (won, lost),
            (1, vec!["CONFLICT".to_owned()]),
            "round {round}: {answers:?}"
        );
    }
}

#[tokio::test]
async fn pages_walk_250_customers_both_ways_without_gaps_while_others_are_inserted() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let admin = app.login(&t).await;
    for chunk in (0..250).collect::<Vec<_>>().chunks(25) {
        join_all(chunk.iter().map(|i| {
            customer(
                &app,
                &admin,
                json!({ "name": format!("Customer {:03}", (i * 37) % 250), "currency": "USD" }),
            )
        }))
        .await;
    }
    let all: HashSet<String> = {
        let mut ids = HashSet::new();
        let mut after: Option<String> = None;
        loop {
            let r = app.gql(Some(&admin), "query($a: String) { customers(first: 100, after: $a) { pageInfo { hasNextPage endCursor } nodes { id } } }", json!({ "a": after })).await;
            let c = &r.body["data"]["customers"];
            ids.extend(
                c["nodes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|n| n["id"].as_str().unwrap().to_owned()),
            );
            if c["pageInfo"]["hasNextPage"] != true {
                break ids;
            }
            after = c["pageInfo"]["endCursor"].as_str().map(str::to_owned);
        }
    };
    assert_eq!(all.len(), 250);

    let page = "query($f: Int, $a: String, $l: Int, $b: String) { customers(first: $f, after: $a, last: $l, before: $b, orderBy: [{ field: NAME }]) { pageInfo { hasNextPage hasPreviousPage startCursor endCursor } nodes { id name } } }";
    // Walk by name, forward then backward, while a writer adds customers.
    let writer = {
        let (base, token) = (app.base.clone(), admin.clone());
        tokio::spawn(async move {
            let client = reqwest::Client::new();
            for i in 0..60 {
                let body = json!({ "query": CREATE_CUSTOMER, "variables": { "i": { "name": format!("Customer {:03} new", (i * 7) % 250), "currency": "USD" } } });
                let _ = client
                    .post(format!("{base}/graphql"))
                    .bearer_auth(&token)
                    .json(&body)
                    .send()
                    .await;
            }
        })
    };
    let mut forward: Vec<(String, String)> = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let r = app
            .gql(Some(&admin), page, json!({ "f": 17, "a": after }))
            .await;
        let c = &r.body["data"]["customers"];
        forward.extend(c["nodes"].as_array().unwrap().iter().map(|n| {
            (
                n["name"].as_str().unwrap().to_owned(),
                n["id"].as_str().unwrap().to_owned(),
            )
        }));
        if c["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = c["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    }
    let mut backward: Vec<(String, String)> = Vec::new();
    let mut before: Option<String> = None;
    loop {
        let r = app
            .gql(Some(&admin), page, json!({ "l": 23, "b": before }))
            .await;
        let c = &r.body["data"]["customers"];
        let mut chunk: Vec<(String, String)> = c["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| {
                (
                    n["name"].as_str().unwrap().to_owned(),
                    n["id"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        chunk.extend(backward);
        backward = chunk;
        if c["pageInfo"]["hasPreviousPage"] != true {
            break;
        }
        before = c["pageInfo"]["startCursor"].as_str().map(str::to_owned);
    }
    writer.await.unwrap();
    for (walk, name) in [(&forward, "forward"), (&backward, "backward")] {
        let ids: Vec<&String> = walk.iter().map(|(_, id)| id).collect();
        assert_eq!(
            ids.iter().collect::<HashSet<_>>().len(),
            ids.len(),
            "{name}: a customer came twice"
        );
        let seen: HashSet<String> = ids.iter().map(|s| (*s).clone()).collect();
        assert!(
            all.is_subset(&seen),
            "{name}: a customer that existed all along was skipped"
        );
        assert!(
            walk.windows(2).all(|w| w[0].0 <= w[1].0),
            "{name}: not in name order"
        );
    }
}

#[tokio::test]
async fn a_viewer_gets_null_cost_prices_with_forbidden_per_row_and_an_accountant_sees_them() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let admin = app.login(&t).await;
    for (sku, cost) in [("P-1", "7.25"), ("P-2", "0.0015"), ("P-3", "100")] {
        let r = app.gql(Some(&admin), "mutation($s: String!, $c: Decimal!) { createProduct(input: { sku: $s, name: $s, kind: GOODS, unit: \"ea\", currency: \"USD\", salePrice: \"9.99\", costPrice: $c }) { id } }", json!({ "s": sku, "c": cost })).await;
        assert!(r.body["errors"].is_null(), "{}", r.body);
    }
    let query = "{ products { nodes { sku salePrice costPrice } } }";
    let viewer = app
        .create_user(&t, &admin, "viewer@acme.test", &["viewer"])
        .await;
    let r = app
        .gql(Some(&app.login(&viewer).await), query, json!({}))
        .await;
    let nodes = r.body["data"]["products"]["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 3);
    assert!(
        nodes
            .iter()
            .all(|n| n["costPrice"].is_null() && n["salePrice"] == "9.99"),
        "{}",
        r.body
    );
    let errors = r.body["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 3);
    for (i, e) in errors.iter().enumerate() {
        assert_eq!(e["extensions"]["code"], "FORBIDDEN");
        assert_eq!(e["extensions"]["permission"], "master.product.cost.read");
        assert_eq!(e["path"], json!(["products", "nodes", i, "costPrice"]));
    }
    let accountant = app
        .create_user(&t, &admin, "books@acme.test", &["accountant"])
        .await;
    let r = app
        .gql(Some(&app.login(&accountant).await), query, json!({}))
        .await;
    assert!(r.body["errors"].is_null(), "{}", r.body);
    let costs: Vec<&str> = r.body["data"]["products"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["costPrice"].as_str().unwrap())
        .collect();
    assert_eq!(costs, ["7.25", "0.0015", "100"]);
}

#[tokio::test]
async fn bad_product_input_names_the_field_or_the_conflict() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let admin = app.login(&t).await;
    let create = "mutation($i: CreateProductInput!) { createProduct(input: $i) { id } }";
    let base = json!({ "sku": "DUP-1", "name": "Widget", "kind": "GOODS", "unit": "ea", "currency": "USD", "salePrice": "5" });
    assert!(
        app.gql(Some(&admin), create, json!({ "i": base }))
            .await
            .body["errors"]
            .is_null()
    );
    let duplicate = app.gql(Some(&admin), create, json!({ "i": base })).await;
    assert_eq!(duplicate.codes(), ["CONFLICT"]);
    let taken = "another product already has SKU `DUP-1`";
    assert_eq!(duplicate.body["errors"][0]["message"], taken);
    // Taking another product's SKU on update: the same answer, and the product is unchanged.
    let mut other = base.clone();
    other["sku"] = json!("DUP-2");
    let r = app.gql(Some(&admin), create, json!({ "i": other })).await;
    let id = r.body["data"]["createProduct"]["id"].clone();
    let update = "mutation($id: ID!) { updateProduct(id: $id, input: { sku: \"DUP-1\", expectedVersion: 1 }) { sku } }";
    let r = app.gql(Some(&admin), update, json!({ "id": id })).await;
    assert_eq!(r.codes(), ["CONFLICT"], "{}", r.body);
    assert_eq!(r.body["errors"][0]["message"], taken);
    let r = app
        .gql(
            Some(&admin),
            "query($id: ID!) { product(id: $id) { sku version } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        r.body["data"]["product"],
        json!({ "sku": "DUP-2", "version": 1 })
    );
    for (change, field) in [
        (json!({ "salePrice": "-1" }), "input.salePrice"),
        (json!({ "costPrice": "1.0000001" }), "input.costPrice"),
        (json!({ "unit": "parsec" }), "input.unit"),
        (json!({ "currency": "ABC" }), "input.currency"),
        (json!({ "sku": "  " }), "input.sku"),
    ] {
        let mut input = base.clone();
        input["sku"] = json!("OTHER-1");
        for (k, v) in change.as_object().unwrap() {
            input[k] = v.clone();
        }
        let r = app.gql(Some(&admin), create, json!({ "i": input })).await;
        assert_eq!(r.codes(), ["VALIDATION"], "{field}: {}", r.body);
        assert_eq!(
            r.body["errors"][0]["extensions"]["field"], field,
            "{}",
            r.body
        );
    }
}

#[tokio::test]
async fn a_customer_list_costs_the_same_sql_for_5_rows_as_for_100() {
    let app = TestApp::builder()
        // Long enough that the cache warmed by the first request serves the others.
        .env("ERP_TENANT_CACHE_TTL_MS", "60000")
        .spawn()
        .await;
    let t = app.create_tenant("acme").await;
    let admin = app.login(&t).await;
    for chunk in (0..100).collect::<Vec<_>>().chunks(20) {
        let created = join_all(chunk.iter().map(|i| customer(&app, &admin, json!({ "name": format!("Co {i}"), "currency": if i % 2 == 0 { "USD" } else { "JPY" }, "creditLimit": { "amount": "100", "currency": if i % 2 == 0 { "USD" } else { "JPY" } } })))).await;
        for (r, i) in created.iter().zip(chunk) {
            let id = r.body["data"]["createCustomer"]["id"].as_str().unwrap();
            app.gql(Some(&admin), "mutation($c: ID!, $n: String!) { createContact(input: { customerId: $c, name: $n }) { id } }", json!({ "c": id, "n": format!("Person {i}") })).await;
        }
    }
    let query = "query($n: Int) { customers(first: $n) { nodes { name creditLimit { amount currency } owner { displayName } contacts(first: 1) { nodes { name customer { name } } } } } }";
    let mut counts = Vec::new();
    // The first request also fills the tenant's cache (the caller's grants, the currencies).
    for n in [5, 5, 100] {
        let r = app.gql(Some(&admin), query, json!({ "n": n })).await;
        assert!(r.body["errors"].is_null(), "{}", r.body);
        assert_eq!(
            r.body["data"]["customers"]["nodes"]
                .as_array()
                .unwrap()
                .len(),
            n as usize
        );
        counts.push(r.body["extensions"]["sqlStatements"].as_u64().unwrap());
    }
    assert_eq!(
        counts[1], counts[2],
        "SQL statements grow with the page: {counts:?}"
    );
    // Page, owners, contacts; grants and currencies come from the tenant's cache once warm.
    assert_eq!(counts[2], 3, "{counts:?}");
    assert!(counts[0] <= 5, "{counts:?}");
}

#[tokio::test]
async fn customers_and_products_link_their_terms_category_and_opportunities() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let admin = app.login(&t).await;
    let r = app.gql(Some(&admin), "mutation { createPaymentTerm(input: { code: \"net30\", name: \"Net 30\", dueDays: 30 }) { id code } }", json!({})).await;
    assert_eq!(
        r.body["data"]["createPaymentTerm"]["code"], "NET30",
        "codes are upper-cased: {}",
        r.body
    );
    let term = r.body["data"]["createPaymentTerm"]["id"].clone();
    let dup = app.gql(Some(&admin), "mutation { createPaymentTerm(input: { code: \"NET30\", name: \"Again\", dueDays: 30 }) { id } }", json!({})).await;
    assert_eq!(dup.codes(), ["CONFLICT"]);
    let category = app
        .gql(
            Some(&admin),
            "mutation { createProductCategory(input: { name: \"Tools\" }) { id } }",
            json!({}),
        )
        .await
        .body["data"]["createProductCategory"]["id"]
        .clone();

    let c = customer(
        &app,
        &admin,
        json!({ "name": "Termed Co", "currency": "USD", "paymentTermId": term }),
    )
    .await;
    let cid = c.body["data"]["createCustomer"]["id"].clone();
    app.gql(Some(&admin), "mutation($c: ID!) { createOpportunity(input: { title: \"Big one\", customerId: $c, amount: { amount: \"10\", currency: \"USD\" } }) { id } }", json!({ "c": cid })).await;
    let r = app.gql(Some(&admin), "query($c: ID!) { customer(id: $c) { paymentTerm { code dueDays } opportunities { nodes { title } } } }", json!({ "c": cid })).await;
    assert_eq!(
        r.body["data"]["customer"],
        json!({ "paymentTerm": { "code": "NET30", "dueDays": 30 }, "opportunities": { "nodes": [{ "title": "Big one" }] } }),
        "{}",
        r.body
    );

    let p = app.gql(Some(&admin), "mutation($k: ID!) { createProduct(input: { sku: \"T-1\", name: \"Hammer\", kind: GOODS, unit: \"ea\", currency: \"USD\", salePrice: \"12\", categoryId: $k }) { category { name } } }", json!({ "k": category })).await;
    assert_eq!(
        p.body["data"]["createProduct"]["category"]["name"], "Tools",
        "{}",
        p.body
    );
    let bad = customer(
        &app,
        &admin,
        json!({ "name": "X", "currency": "USD", "paymentTermId": uuid::Uuid::now_v7() }),
    )
    .await;
    assert_eq!(
        bad.body["errors"][0]["extensions"]["field"],
        "input.paymentTermId"
    );

    let s = app.gql(Some(&admin), "mutation { createSupplier(input: { name: \"Parts Inc\", currency: \"EUR\" }) { id version } }", json!({})).await;
    let sid = s.body["data"]["createSupplier"]["id"].clone();
    let stale = app.gql(Some(&admin), "mutation($s: ID!) { updateSupplier(id: $s, input: { name: \"P\", currency: \"EUR\", expectedVersion: 7 }) { id } }", json!({ "s": sid })).await;
    assert_eq!(stale.codes(), ["CONFLICT"]);
    let archived = app
        .gql(
            Some(&admin),
            "mutation($s: ID!) { archiveSupplier(id: $s) { isActive } }",
            json!({ "s": sid }),
        )
        .await;
    assert_eq!(archived.body["data"]["archiveSupplier"]["isActive"], false);
    let active = app
        .gql(
            Some(&admin),
            "{ suppliers(isActive: true) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(active.body["data"]["suppliers"]["totalCount"], 0);
}
