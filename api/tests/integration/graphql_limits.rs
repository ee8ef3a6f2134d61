//! The abuse set of SECURITY.md: every request is refused before any resolver runs, and no
//! SQL statement is issued.

use serde_json::json;

use crate::helpers::{Gql, TestApp};

fn nested(depth: usize) -> String {
    format!(
        "{{ {}me {} }}",
        "a { ".repeat(depth - 1),
        "} ".repeat(depth - 1)
    )
}

#[tokio::test]
async fn abusive_requests_are_refused_before_any_sql_runs() {
    let app = TestApp::spawn().await;
    let tenant = app.create_tenant("acme").await;
    let token = app.login(&tenant).await;
    let sql_before = app.metric("erp_sql_statements_total").await;

    // Query shape: refused at parse time with VALIDATION and no data.
    let mut shaped: Vec<(String, String)> = Vec::new();
    for depth in [11, 20, 50] {
        shaped.push((format!("depth {depth}"), nested(depth)));
    }
    let aliases: String = (0..101)
        .map(|i| format!("a{i}: me {{ user {{ id }} }} "))
        .collect();
    shaped.push(("101 aliases".into(), format!("{{ {aliases} }}")));
    shaped.push((
        "500 fields".into(),
        format!("{{ me {{ user {{ {} }} }} }}", "id ".repeat(500)),
    ));
    shaped.push((
        "10 directives".into(),
        format!(
            "{{ me {} {{ user {{ id }} }} }}",
            "@skip(if: false) ".repeat(10)
        ),
    ));
    shaped.push((
        "circular fragments".into(),
        "{ ...A } fragment A on QueryRoot { ...B } fragment B on QueryRoot { ...A }".into(),
    ));
    for (name, query) in &shaped {
        let r = app.gql(Some(&token), query, json!({})).await;
        assert_eq!(r.codes(), ["VALIDATION"], "{name}: {}", r.body);
        assert!(r.body["data"].is_null(), "{name}: {}", r.body);
    }

    // Transport: refused with the right HTTP status.
    let url = format!("{}/graphql", app.base);
    let one = json!({ "query": "{ me { user { id } } }" });
    let batch = serde_json::to_vec(&vec![one.clone(); 10]).unwrap();
    let cases: Vec<(&str, reqwest::RequestBuilder, u16)> = vec![
        (
            "batch of 10",
            app.client.post(&url).header("content-type", "application/json").body(batch),
            400,
        ),
        (
            "GET mutation",
            app.client.get(format!("{url}?query=mutation%7Blogin(input:%7Btenant:%22acme%22,email:%22a@b.c%22,password:%22x%22%7D)%7BaccessToken%7D%7D")),
            405,
        ),
        (
            "text/plain POST",
            app.client.post(&url).header("content-type", "text/plain").body(one.to_string()),
            415,
        ),
        (
            "1 MiB + 1 body",
            app.client
                .post(&url)
                .header("content-type", "application/json")
                .body(oversized_body()),
            413,
        ),
        (
            "1,000-deep JSON variables",
            app.client
                .post(&url)
                .header("content-type", "application/json")
                .body(format!(
                    r#"{{"query":"{{ me {{ user {{ id }} }} }}","variables":{{"v":{}1{}}}}}"#,
                    "[".repeat(1000),
                    "]".repeat(1000)
                )),
            400,
        ),
    ];
    for (name, request, status) in cases {
        let r: Gql = TestApp::read(request.bearer_auth(&token).send().await.unwrap()).await;
        assert_eq!(r.status, status, "{name}: {}", r.body);
    }

    assert_eq!(
        app.metric("erp_sql_statements_total").await,
        sql_before,
        "a refused request ran SQL"
    );
    // The server is still fine.
    let me = app
        .gql(Some(&token), "{ me { user { email } } }", json!({}))
        .await;
    assert_eq!(me.body["data"]["me"]["user"]["email"], "admin@acme.test");
}

fn oversized_body() -> Vec<u8> {
    let limit = api::server::BODY_LIMIT;
    let head = br#"{"query":"{ me { user { id } } }","variables":{"pad":""#;
    let tail = br#""}}"#;
    let mut body = head.to_vec();
    body.resize(limit + 1 - tail.len(), b'x');
    body.extend_from_slice(tail);
    assert_eq!(body.len(), limit + 1);
    body
}

#[tokio::test]
async fn a_query_at_the_depth_limit_and_graphiql_introspection_pass() {
    let app = TestApp::spawn().await;
    // Depth 10 is within the limit: the request reaches validation (unknown field `a`).
    let r = app.gql(None, &nested(10), json!({})).await;
    assert!(
        !r.body.to_string().contains("levels deep"),
        "depth 10 was refused: {}",
        r.body
    );
    // GraphiQL's introspection nests `ofType` deeply; it must still work.
    let type_ref = "kind name ofType { ".repeat(8) + "kind name" + &" }".repeat(8);
    let q = format!(
        "{{ __schema {{ types {{ name fields {{ name args {{ name type {{ {type_ref} }} }} type {{ {type_ref} }} }} }} }} }}"
    );
    let r = app.gql(None, &q, json!({})).await;
    assert!(r.body["errors"].is_null(), "{}", r.body);
    assert!(
        r.body["data"]["__schema"]["types"]
            .as_array()
            .unwrap()
            .len()
            > 5
    );
    // The full query of the bundled GraphiQL (graphql-js `getIntrospectionQuery` with every
    // option): fragments on introspection types, `TypeRef` nested ten deep.
    let type_ref = "kind name ".to_owned() + &"ofType { kind name ".repeat(9) + &"}".repeat(9);
    let full = format!(
        "query IntrospectionQuery {{
          __schema {{ description queryType {{ name kind }} mutationType {{ name kind }}
            subscriptionType {{ name kind }} types {{ ...FullType }}
            directives {{ name description isRepeatable locations
              args(includeDeprecated: true) {{ ...InputValue }} }} }} }}
        fragment FullType on __Type {{ kind name description specifiedByURL isOneOf
          fields(includeDeprecated: true) {{ name description
            args(includeDeprecated: true) {{ ...InputValue }} type {{ ...TypeRef }}
            isDeprecated deprecationReason }}
          inputFields(includeDeprecated: true) {{ ...InputValue }} interfaces {{ ...TypeRef }}
          enumValues(includeDeprecated: true) {{ name description isDeprecated deprecationReason }}
          possibleTypes {{ ...TypeRef }} }}
        fragment InputValue on __InputValue {{ name description type {{ ...TypeRef }}
          defaultValue isDeprecated deprecationReason }}
        fragment TypeRef on __Type {{ {type_ref} }}"
    );
    let r = app.gql(None, &full, json!({})).await;
    assert!(r.body["errors"].is_null(), "{}", r.body);
    assert!(
        r.body["data"]["__schema"]["types"]
            .as_array()
            .unwrap()
            .len()
            > 50
    );
}

#[tokio::test]
async fn introspection_can_be_switched_off() {
    let app = TestApp::builder()
        .env("ERP_GRAPHQL_INTROSPECTION", "false")
        .spawn()
        .await;
    let r = app
        .gql(None, "{ __schema { types { name } } }", json!({}))
        .await;
    // async-graphql answers a disabled `__schema` with null rather than an error.
    assert!(r.body["data"]["__schema"].is_null(), "{}", r.body);
    assert!(!r.body.to_string().contains("LoginInput"), "{}", r.body);
    // Suggestions are off too: a typo is not answered with the real field name.
    let r = app.gql(None, "{ mee { user { id } } }", json!({})).await;
    assert!(!r.body.to_string().contains("Did you mean"), "{}", r.body);
}
