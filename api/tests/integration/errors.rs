//! Internal errors reach the client as `INTERNAL` with a request id and nothing else.

use sea_orm::ConnectionTrait;
use serde_json::json;

use crate::helpers::TestApp;

#[tokio::test]
async fn a_database_failure_answers_internal_with_a_request_id_and_no_driver_text() {
    let app = TestApp::spawn().await;
    let tenant = app.create_tenant("acme").await;
    let token = app.login(&tenant).await;

    // Break the tenant's database under the running server.
    let db = app.tenant_conn(&tenant).await;
    db.execute_unprepared("DROP TABLE user_role").await.unwrap();
    db.close().await.unwrap();

    let r = app
        .gql(Some(&token), "{ me { user { email } } }", json!({}))
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.codes(), ["INTERNAL"], "{}", r.body);
    let error = &r.body["errors"][0];
    assert_eq!(
        error["extensions"]["requestId"].as_str(),
        r.request_id.as_deref(),
        "the error must name the request id of the response"
    );
    let text = r.body.to_string().to_lowercase();
    for leak in [
        "user_account",
        "select",
        "relation",
        "no such table",
        "sqlx",
        "sqlite",
        "postgres",
    ] {
        assert!(!text.contains(leak), "`{leak}` leaked: {text}");
    }
    assert!(
        app.metric_line("erp_graphql_errors_total{code=\"INTERNAL\"}")
            .await
            >= 1
    );
}
