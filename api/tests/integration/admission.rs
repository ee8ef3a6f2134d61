//! Requests that used to take the server down or reach the database unchecked (issue 7): deep
//! values, fragment bombs, control characters, oversized texts and amounts. Each is refused with
//! `VALIDATION` before any SQL runs, anonymous or not, and the server keeps answering.

use serde_json::json;

use crate::helpers::TestApp;

fn deep_shapes(levels: usize) -> Vec<(&'static str, String)> {
    let (open, close) = ("[".repeat(levels), "]".repeat(levels));
    vec![
        (
            "list argument",
            format!("{{ __typename(a: {open}1{close}) }}"),
        ),
        (
            "object argument",
            format!(
                "{{ __typename(a: {}1{}) }}",
                "{a:".repeat(levels),
                "}".repeat(levels)
            ),
        ),
        (
            "variable default",
            format!("query($v: Int = {open}1{close}) {{ __typename }}"),
        ),
        (
            "directive argument",
            format!("{{ __typename @skip(if: {open}true{close}) }}"),
        ),
        (
            "variable type",
            format!("query($v: {open}Int{close}) {{ __typename }}"),
        ),
        (
            "selection sets",
            format!(
                "{{ {}__typename{} }}",
                "a { ".repeat(levels),
                " }".repeat(levels)
            ),
        ),
    ]
}

#[tokio::test]
async fn values_nested_thousands_deep_anywhere_are_refused_and_the_server_stays_up() {
    let app = TestApp::spawn().await;
    let sql_before = app.metric("erp_sql_statements_total").await;
    for levels in [40, 1_800, 100_000] {
        for (shape, query) in deep_shapes(levels) {
            let r = app.gql(None, &query, json!({})).await;
            assert_eq!(r.codes(), ["VALIDATION"], "{shape} at {levels}: {}", r.body);
            assert!(
                r.body["errors"][0]["message"]
                    .as_str()
                    .unwrap()
                    .contains("more than 32 levels"),
                "{shape}: {}",
                r.body
            );
        }
    }
    // Found by the fuzz target: async-graphql's validation panics on a defaulted list variable
    // of an unknown type. Refused before validation.
    for query in [
        "query($v: [Hnt] = [[0]]) { __typename }",
        "query($v: [[X!]] = [[1]]) { __typename }",
    ] {
        let r = app.gql(None, query, json!({})).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.codes(), ["VALIDATION"], "{}", r.body);
        assert!(r.body.to_string().contains("unknown type"), "{}", r.body);
    }
    // Nesting within the bound still works.
    let r = app
        .gql(None, "{ __typename(a: [[[[1]]]]) }", json!({}))
        .await;
    assert_ne!(r.codes(), ["INTERNAL"], "{}", r.body);
    let r = app.gql(None, "{ __typename }", json!({})).await;
    assert_eq!(r.body["data"]["__typename"], "QueryRoot", "{}", r.body);
    assert_eq!(app.metric("erp_sql_statements_total").await, sql_before);
}

fn bomb(levels: usize) -> String {
    let mut q = String::from("query { ...F0 }");
    for i in 0..levels {
        q.push_str(&format!(
            " fragment F{i} on QueryRoot {{ ...F{} ...F{} }}",
            i + 1,
            i + 1
        ));
    }
    q.push_str(&format!(
        " fragment F{levels} on QueryRoot {{ __typename }}"
    ));
    q
}

#[tokio::test]
async fn a_fragment_bomb_is_refused_on_its_expansion_while_health_keeps_answering() {
    let app = TestApp::spawn().await;
    let query = bomb(22);
    assert!(query.len() < 1_500);
    let bombs = (0..4).map(|_| app.gql(None, &query, json!({})));
    let health = async {
        let started = std::time::Instant::now();
        let r = app
            .client
            .get(format!("{}/health", app.base))
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), started.elapsed())
    };
    let (answers, (status, _)) = tokio::join!(futures_util::future::join_all(bombs), health);
    assert_eq!(status, 200);
    for r in answers {
        assert_eq!(r.codes(), ["VALIDATION"], "{}", r.body);
        assert!(
            r.body["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("expands to more than"),
            "{}",
            r.body
        );
    }
    // A fragment spread a few times counts each time, against the field limit.
    let fields = "__typename ".repeat(120);
    let q = format!("{{ ...F ...F ...F }} fragment F on QueryRoot {{ {fields} }}");
    let r = app.gql(None, &q, json!({})).await;
    assert_eq!(r.codes(), ["VALIDATION"], "{}", r.body);
    assert!(r.body.to_string().contains("360 fields"), "{}", r.body);
}

const CREATE_CUSTOMER: &str =
    "mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { id name } }";

/// Creates a USD customer named `name`; its id.
async fn create_customer(app: &TestApp, token: &str, name: &str) -> serde_json::Value {
    let r = app
        .gql(
            Some(token),
            CREATE_CUSTOMER,
            json!({ "i": { "name": name, "currency": "USD" } }),
        )
        .await;
    r.body["data"]["createCustomer"]["id"].clone()
}

#[tokio::test]
async fn control_characters_and_oversized_texts_are_refused_naming_the_field() {
    let app = TestApp::spawn().await;
    let tenant = app.create_tenant("acme").await;
    let token = app.login(&tenant).await;
    let customers_before = app
        .gql(Some(&token), "{ customers { totalCount } }", json!({}))
        .await
        .body["data"]["customers"]["totalCount"]
        .as_u64()
        .unwrap();

    for (input, field, says) in [
        (
            json!({ "name": "Acme\u{0}Corp", "currency": "USD" }),
            "input.name",
            "U+0000",
        ),
        (
            json!({ "name": "Acme\u{1b}[31m", "currency": "USD" }),
            "input.name",
            "U+001B",
        ),
        (
            json!({ "name": "Acme", "currency": "USD", "billingAddress": "x".repeat(10_001) }),
            "input.billingAddress",
            "10000 characters",
        ),
        (
            json!({ "name": "x".repeat(256), "currency": "USD" }),
            "input.name",
            "255 characters",
        ),
    ] {
        let r = app
            .gql(Some(&token), CREATE_CUSTOMER, json!({ "i": input }))
            .await;
        assert_eq!(r.codes(), ["VALIDATION"], "{}", r.body);
        assert_eq!(
            r.body["errors"][0]["extensions"]["field"], field,
            "{}",
            r.body
        );
        assert!(r.body.to_string().contains(says), "{}", r.body);
    }
    // Written in the document rather than sent as a variable: the same rule.
    let r = app
        .gql(
            Some(&token),
            r#"mutation { createCustomer(input: { name: "a\u0007b", currency: "USD" }) { id } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        r.body["errors"][0]["extensions"]["field"], "input.name",
        "{}",
        r.body
    );
    // Newlines and tabs are text.
    let r = app
        .gql(
            Some(&token),
            CREATE_CUSTOMER,
            json!({ "i": { "name": "Acme\tCorp", "currency": "USD", "billingAddress": "1 Main St\nSpringfield" } }),
        )
        .await;
    assert!(r.body["errors"].is_null(), "{}", r.body);

    // Searches are short; a long one is refused before it reaches the database.
    for search in ["s".repeat(201), "s".repeat(50_000)] {
        let r = app
            .gql(
                Some(&token),
                "query($s: String) { customers(filter: { search: $s }) { totalCount } }",
                json!({ "s": search }),
            )
            .await;
        assert_eq!(r.codes(), ["VALIDATION"], "{}", r.body);
        assert_eq!(r.body["errors"][0]["extensions"]["field"], "filter.search");
    }
    let after = app
        .gql(Some(&token), "{ customers { totalCount } }", json!({}))
        .await;
    assert_eq!(
        after.body["data"]["customers"]["totalCount"]
            .as_u64()
            .unwrap(),
        customers_before + 1
    );
}

#[tokio::test]
async fn a_body_over_the_limit_is_answered_as_json() {
    let app = TestApp::spawn().await;
    let body = format!(
        "{{\"query\":\"{{ __typename }}\",\"variables\":{{\"x\":\"{}\"}}}}",
        "a".repeat(1024 * 1024)
    );
    let r = app
        .client
        .post(format!("{}/graphql", app.base))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 413);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "VALIDATION",
        "{body}"
    );
}

#[tokio::test]
async fn errors_never_name_internal_rust_types() {
    let app = TestApp::spawn().await;
    let tenant = app.create_tenant("acme").await;
    let token = app.login(&tenant).await;
    for input in [
        json!({ "name": 5, "currency": "USD" }),
        json!({ "currency": "USD" }),
        json!({ "name": "A", "currency": "USD", "creditLimit": { "amount": 5, "currency": "USD" } }),
        json!({ "name": "A", "currency": "USD", "unknown": 1 }),
    ] {
        let r = app
            .gql(Some(&token), CREATE_CUSTOMER, json!({ "i": input }))
            .await;
        assert_eq!(r.codes(), ["VALIDATION"], "{}", r.body);
        let text = r.body.to_string();
        assert!(!text.contains("CustomerFields"), "{text}");
    }
}

#[tokio::test]
async fn amounts_are_bounded_so_no_total_can_overflow() {
    let app = TestApp::spawn().await;
    let tenant = app.create_tenant("acme").await;
    let token = app.login(&tenant).await;
    let customer = create_customer(&app, &token, "Big Buyer").await;
    let create = "mutation($i: CreateOpportunityInput!) { createOpportunity(input: $i) { id } }";
    let opportunity = |amount: &str| json!({ "i": { "title": "Deal", "customerId": customer, "amount": { "amount": amount, "currency": "USD" } } });
    let r = app
        .gql(Some(&token), create, opportunity("92233720368547758.07"))
        .await;
    assert_eq!(r.codes(), ["VALIDATION"], "{}", r.body);
    assert_eq!(r.body["errors"][0]["extensions"]["field"], "input.amount");
    // Three at the bound: their total is over what an i64 of cents holds per deal, and it adds up.
    for _ in 0..3 {
        let r = app
            .gql(Some(&token), create, opportunity("100000000000000.00"))
            .await;
        assert!(r.body["errors"].is_null(), "{}", r.body);
    }
    let r = app
        .gql(
            Some(&token),
            "{ pipelineForecast { total { count amount { amount } } } }",
            json!({}),
        )
        .await;
    assert!(r.body["errors"].is_null(), "{}", r.body);
    assert_eq!(
        r.body["data"]["pipelineForecast"]["total"],
        json!({ "count": 3, "amount": { "amount": "300000000000000.00" } })
    );
}

#[tokio::test]
async fn a_mutation_field_sees_what_an_earlier_mutation_field_changed() {
    let app = TestApp::spawn().await;
    let tenant = app.create_tenant("acme").await;
    let token = app.login(&tenant).await;
    let customer = create_customer(&app, &token, "Old Name").await;
    let r = app
        .gql(
            Some(&token),
            "mutation($c: ID!) {
               first: createContact(input: { customerId: $c, name: \"Ann\" }) { customer { name } }
               rename: updateCustomer(id: $c, input: { name: \"New Name\", currency: \"USD\", expectedVersion: 1 }) { name }
               second: createContact(input: { customerId: $c, name: \"Bob\" }) { customer { name } }
             }",
            json!({ "c": customer }),
        )
        .await;
    assert!(r.body["errors"].is_null(), "{}", r.body);
    assert_eq!(r.body["data"]["first"]["customer"]["name"], "Old Name");
    assert_eq!(r.body["data"]["rename"]["name"], "New Name");
    assert_eq!(r.body["data"]["second"]["customer"]["name"], "New Name");
}
