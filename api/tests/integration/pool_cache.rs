//! The tenant pool cache never holds more pools than its cap, nor more connections than its
//! budget.

use futures_util::future::join_all;

use crate::helpers::TestApp;

#[tokio::test]
async fn requests_over_twenty_tenants_succeed_with_at_most_five_pools_open() {
    let app = TestApp::builder()
        .env("ERP_TENANT_POOL_CAP", "5")
        .spawn()
        .await;
    let mut tenants = Vec::new();
    for i in 0..20 {
        tenants.push(app.create_tenant(&format!("pool{i:02}")).await);
    }
    // Logging in opens each tenant's pool through the cache.
    let tokens = join_all(tenants.iter().map(|t| app.login(t))).await;

    // Three rounds of all twenty tenants at once, checking the gauge between rounds.
    for round in 0..3 {
        let answers = join_all(tokens.iter().map(|token| {
            app.gql(
                Some(token),
                "{ me { user { email } } }",
                serde_json::json!({}),
            )
        }))
        .await;
        for (answer, tenant) in answers.iter().zip(&tenants) {
            assert_eq!(
                answer.body["data"]["me"]["user"]["email"], tenant.email,
                "round {round}: {}",
                answer.body
            );
        }
        assert!(app.metric("erp_tenant_pools_open").await <= 5);
    }
    assert!(
        app.metric("erp_tenant_pools_open_peak").await <= 5,
        "more than 5 tenant pools were open at once"
    );
    assert!(
        app.metric("erp_tenant_pools_opened_total").await >= 20,
        "every tenant should have needed a pool"
    );
}

#[tokio::test]
async fn busy_tenants_grow_their_pools_within_the_connection_budget() {
    // A budget of 4 connections for 6 tenants, each sent 4 requests at once: pools open with
    // one connection, busy ones grow (up to 4) when the budget has room, idle ones are closed
    // to make room. Every request must succeed, and on PostgreSQL the server must never hold
    // more than 4 connections to tenant databases (sampled while the load runs).
    let app = TestApp::builder()
        .env("ERP_TENANT_CONNECTIONS_MAX", "4")
        .env("ERP_TENANT_POOL_CONNECTIONS", "4")
        .env("ERP_DB_ACQUIRE_TIMEOUT_MS", "10000")
        .spawn()
        .await;
    let mut tenants = Vec::new();
    for i in 0..6 {
        tenants.push(app.create_tenant(&format!("budget{i}")).await);
    }
    let mut tokens = Vec::new();
    for t in &tenants {
        tokens.push(app.login(t).await);
    }
    let observer = app.pg_observer().await;
    let done = std::sync::atomic::AtomicBool::new(false);
    let most = std::sync::atomic::AtomicI64::new(0);
    let sample = async {
        let Some(observer) = &observer else { return };
        while !done.load(std::sync::atomic::Ordering::Acquire) {
            if let Some(n) = app.pg_tenant_connections(observer).await {
                most.fetch_max(n, std::sync::atomic::Ordering::AcqRel);
            }
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    };
    let app = &app;
    let load = async {
        for round in 0..4 {
            let answers = join_all(tokens.iter().zip(&tenants).flat_map(|(token, tenant)| {
                (0..4).map(move |_| async move {
                    let r = app
                        .gql(
                            Some(token),
                            "{ me { user { email } } customers(first: 5) { totalCount } }",
                            serde_json::json!({}),
                        )
                        .await;
                    (r, tenant)
                })
            }))
            .await;
            for (answer, tenant) in answers {
                assert_eq!(
                    answer.body["data"]["me"]["user"]["email"], tenant.email,
                    "round {round}: {}",
                    answer.body
                );
            }
        }
        done.store(true, std::sync::atomic::Ordering::Release);
    };
    tokio::join!(sample, load);
    if observer.is_some() {
        let most = most.load(std::sync::atomic::Ordering::Acquire);
        assert!(
            (1..=4).contains(&most),
            "{most} connections to tenant databases"
        );
    }
    // One tenant alone, many requests at once: its pool grows (once the idle pools of the
    // others have given their connections back).
    for _ in 0..50 {
        let answers = join_all((0..16).map(|_| {
            app.gql(
                Some(&tokens[0]),
                "{ customers(first: 5) { totalCount } }",
                serde_json::json!({}),
            )
        }))
        .await;
        for answer in answers {
            assert!(answer.body["errors"].is_null(), "{}", answer.body);
        }
        if app.metric("erp_tenant_pools_grown_total").await >= 1 {
            return;
        }
    }
    panic!("no pool grew under load");
}
