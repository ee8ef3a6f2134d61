//! The tenant pool cache never holds more pools than its cap.

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
