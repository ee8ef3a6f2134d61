//! The SQL statements of the benchmark's requests (`bench/`, BENCHMARKS.md), asserted so no
//! later change quietly adds round trips, and the tenant cache that keeps them few: grants and
//! reference tables are loaded once, changes through this server apply at the next request,
//! changes made elsewhere within `ERP_TENANT_CACHE_TTL_MS`.
//!
//! `extensions.sqlStatements` counts the statements sea-orm runs, a write's `BEGIN` and
//! `COMMIT` included (the foreign-key checks PostgreSQL runs inside an insert are not). W2 (a page of opportunities with their relations) is
//! `crm::a_deep_opportunity_list_costs_the_same_sql_for_100_as_for_5`.

use entities::identity::user_account;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;
use tokio::time::{Duration, sleep};

use crate::helpers::{TestApp, TestTenant};

const W1: &str = "query($id: ID!) { opportunity(id: $id) { id title status amount { amount currency } expectedCloseDate } }";
const W3: &str = "mutation($c: ID!) { createOpportunity(input: { title: \"Bench\", customerId: $c, amount: { amount: \"1250.50\", currency: \"USD\" } }) { id version } }";

fn statements(body: &serde_json::Value) -> u64 {
    assert!(body["errors"].is_null(), "{body}");
    body["extensions"]["sqlStatements"]
        .as_u64()
        .unwrap_or(u64::MAX)
}

async fn customer(app: &TestApp, token: &str) -> String {
    app.id_of(
        token,
        "mutation { createCustomer(input: { name: \"Bench Co\", currency: \"USD\" }) { id } }",
        json!({}),
        "createCustomer",
    )
    .await
}

#[tokio::test]
async fn one_opportunity_by_id_is_one_statement_and_creating_one_is_one_on_postgres() {
    let app = TestApp::builder()
        .env("ERP_TENANT_CACHE_TTL_MS", "60000")
        .spawn()
        .await;
    let t = app.create_tenant("acme").await;
    let admin = app.login(&t).await;
    let rep = app
        .create_user(&t, &admin, "rep@acme.test", &["sales_rep"])
        .await;
    let rep = app.login(&rep).await;
    for token in [&admin, &rep] {
        let c = customer(&app, &admin).await;
        let mut ids = Vec::new();
        for round in 0..3 {
            let r = app.gql(Some(token), W3, json!({ "c": c })).await;
            ids.push(r.body["data"]["createOpportunity"]["id"].clone());
            if round > 0 {
                // The opportunity and its audit entry: the customer, currency, first stage and
                // owner (the caller) are checked by foreign keys and the cache (filled by the
                // first create), not by lookups. Both roles read every customer. PostgreSQL:
                // one statement without a transaction (`kit::write::insert_last`) writing the
                // row, its audit entry and its outbox event; SQLite: BEGIN, the row, its audit
                // entry, its outbox event, COMMIT.
                let expected = if app.is_postgres() { 1 } else { 5 };
                assert_eq!(statements(&r.body), expected, "W3: {}", r.body);
            }
        }
        for id in &ids {
            let r = app.gql(Some(token), W1, json!({ "id": id })).await;
            assert_eq!(r.body["data"]["opportunity"]["amount"]["amount"], "1250.50");
            assert_eq!(statements(&r.body), 1, "W1: {}", r.body);
        }
    }
}

const LIST: &str = "{ opportunities(first: 1) { nodes { id } } }";

/// An app whose tenant cache lives `ttl_ms`, its tenant, the admin's token, and a sales rep (and
/// their token) whose grants are cached by a first list of opportunities.
async fn rep_listing_opportunities(
    ttl_ms: &str,
) -> (TestApp, TestTenant, String, TestTenant, String) {
    let app = TestApp::builder()
        .env("ERP_TENANT_CACHE_TTL_MS", ttl_ms)
        .spawn()
        .await;
    let t = app.create_tenant("acme").await;
    let admin = app.login(&t).await;
    let user = app
        .create_user(&t, &admin, "rep@acme.test", &["sales_rep"])
        .await;
    let rep = app.login(&user).await;
    assert!(app.gql(Some(&rep), LIST, json!({})).await.body["errors"].is_null());
    (app, t, admin, user, rep)
}

#[tokio::test]
async fn a_grant_taken_away_through_this_server_applies_at_the_next_request() {
    let (app, _, admin, user, rep) = rep_listing_opportunities("60000").await;
    let role = app.role_ids(&admin).await["sales_rep"].clone();
    let r = app
        .gql(
            Some(&admin),
            "mutation($u: ID!, $r: ID!) { unassignRole(userId: $u, roleId: $r) { id } }",
            json!({ "u": user.id, "r": role }),
        )
        .await;
    assert!(r.body["errors"].is_null(), "{}", r.body);
    let r = app.gql(Some(&rep), LIST, json!({})).await;
    assert_eq!(r.codes(), ["FORBIDDEN"], "{}", r.body);
}

#[tokio::test]
async fn a_change_made_by_another_process_applies_within_the_cache_ttl() {
    let (app, t, _, user, rep) = rep_listing_opportunities("300").await;
    // Another process deactivates the user: straight in the tenant database, unseen here.
    let db = app.tenant_conn(&t).await;
    let changed = user_account::Entity::update_many()
        .col_expr(user_account::Column::IsActive, Expr::value(false))
        .filter(user_account::Column::Id.eq(user.id))
        .exec(&db)
        .await
        .unwrap();
    assert_eq!(changed.rows_affected, 1);
    db.close().await.unwrap();
    sleep(Duration::from_millis(400)).await;
    let r = app.gql(Some(&rep), LIST, json!({})).await;
    assert_eq!(r.codes(), ["UNAUTHENTICATED"], "{}", r.body);
    assert!(
        r.body["data"].is_null(),
        "one answer for the request: {}",
        r.body
    );
}

#[tokio::test]
async fn concurrent_creates_reloading_the_cache_never_wait_on_each_other() {
    // Every request reloads the currencies (TTL 0), twice: inside its write (on its own
    // transaction) and for the answer's `amount` (on the pool). Eight writes over two
    // connections: a reload that waited for a connection held by a write waiting for that
    // reload would stall until the acquire timeout and fail.
    let app = TestApp::builder()
        .env("ERP_TENANT_CACHE_TTL_MS", "0")
        .env("ERP_TENANT_POOL_CONNECTIONS", "2")
        .env("ERP_DB_ACQUIRE_TIMEOUT_MS", "3000")
        .spawn()
        .await;
    let t = app.create_tenant("acme").await;
    let admin = app.login(&t).await;
    let c = customer(&app, &admin).await;
    let create = "mutation($c: ID!) { createOpportunity(input: { title: \"Bench\", customerId: $c, amount: { amount: \"1.50\", currency: \"USD\" } }) { id amount { amount currency } } }";
    let started = std::time::Instant::now();
    for _ in 0..5 {
        let answers = futures_util::future::join_all(
            (0..8).map(|_| app.gql(Some(&admin), create, json!({ "c": c }))),
        )
        .await;
        for r in answers {
            assert!(r.body["errors"].is_null(), "{}", r.body);
            assert_eq!(
                r.body["data"]["createOpportunity"]["amount"]["amount"],
                "1.50"
            );
        }
    }
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "40 creates took {:?}",
        started.elapsed()
    );
}
