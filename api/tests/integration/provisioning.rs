//! Provisioning: own database per tenant; resumable after a crash at any step.

use api::tenancy::provision::{Step, provision, provision_until};
use api::tenancy::registry;
use entities::control::tenant::TenantStatus;
use sea_orm::{ConnectionTrait, Statement};

use crate::helpers::TestApp;

async fn database_names(app: &TestApp) -> Vec<String> {
    if app.is_postgres() {
        let rows = app
            .state
            .tenancy()
            .control()
            .query_all_raw(Statement::from_string(
                sea_orm::DbBackend::Postgres,
                "SELECT datname FROM pg_database",
            ))
            .await
            .unwrap();
        rows.iter()
            .map(|r| r.try_get::<String>("", "datname").unwrap())
            .collect()
    } else {
        std::fs::read_dir(app.dir.path().join("tenants"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect()
    }
}

#[tokio::test]
async fn two_tenants_get_two_databases_and_their_logins_stay_apart() {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant("acme").await;
    let globex = app.create_tenant("globex").await;

    let tenants = registry::list(app.state.tenancy().control()).await.unwrap();
    assert_eq!(tenants.len(), 2);
    assert_ne!(tenants[0].db_name, tenants[1].db_name);
    let names = database_names(&app).await;
    for t in &tenants {
        assert_eq!(t.status, TenantStatus::Active);
        assert_eq!(t.db_server, "default");
        let expected = if app.is_postgres() {
            t.db_name.clone()
        } else {
            format!("{}.db", t.db_name)
        };
        assert!(names.contains(&expected), "{expected} not in {names:?}");
    }

    // Acme's admin does not exist in globex.
    let mut wrong = acme.clone();
    wrong.slug = globex.slug.clone();
    assert_eq!(app.try_login(&wrong).await.codes(), ["UNAUTHENTICATED"]);
    app.login(&acme).await;
    app.login(&globex).await;
}

#[tokio::test]
async fn provisioning_interrupted_after_any_step_finishes_when_run_again() {
    let app = TestApp::spawn().await;
    let steps = [
        Step::Registered,
        Step::DatabaseCreated,
        Step::Migrated,
        Step::Seeded,
    ];
    for (i, step) in steps.into_iter().enumerate() {
        let slug = format!("crash{i}");
        let new = app.new_tenant(&slug);
        let half = provision_until(app.state.tenancy(), app.state.passwords(), &new, step)
            .await
            .unwrap();
        assert_eq!(half.status, TenantStatus::Provisioning, "after {step:?}");

        // A half-provisioned tenant cannot be used.
        let t = crate::helpers::TestTenant {
            id: half.id,
            slug: slug.clone(),
            email: new.admin_email.clone(),
            password: crate::helpers::PASSWORD.into(),
        };
        assert_eq!(
            app.try_login(&t).await.codes(),
            ["UNAUTHENTICATED"],
            "after {step:?}"
        );

        // Running again completes the same tenant.
        let done = provision(app.state.tenancy(), app.state.passwords(), &new)
            .await
            .unwrap();
        assert_eq!(
            done.id, half.id,
            "after {step:?}: a second tenant row was made"
        );
        assert_eq!(done.status, TenantStatus::Active);
        assert_eq!(
            done.schema_version,
            api::tenancy::provision::latest_tenant_version()
        );
        let token = app.login(&t).await;
        let me = app
            .gql(
                Some(&token),
                "{ me { user { email } } }",
                serde_json::json!({}),
            )
            .await;
        assert_eq!(me.body["data"]["me"]["user"]["email"], t.email.as_str());
    }
}

#[tokio::test]
async fn creating_an_existing_tenant_again_is_a_conflict() {
    let app = TestApp::spawn().await;
    app.create_tenant("acme").await;
    let err = provision(
        app.state.tenancy(),
        app.state.passwords(),
        &app.new_tenant("acme"),
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), "CONFLICT");
}

#[tokio::test]
async fn a_weak_password_or_bad_email_provisions_nothing() {
    let app = TestApp::spawn().await;
    let mut new = app.new_tenant("acme");
    new.admin_password = api::config::Secret::new("short");
    let err = provision(app.state.tenancy(), app.state.passwords(), &new)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "VALIDATION");
    let mut new = app.new_tenant("acme");
    new.admin_email = "not-an-email".into();
    assert!(
        provision(app.state.tenancy(), app.state.passwords(), &new)
            .await
            .is_err()
    );
    assert!(
        registry::list(app.state.tenancy().control())
            .await
            .unwrap()
            .is_empty()
    );
}
