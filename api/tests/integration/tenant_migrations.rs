//! `erp migrate`: every tenant upgraded, one broken tenant reported, none half-migrated.

use migration::MigratorTrait;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

use crate::helpers::TestApp;

async fn applied(db: &DatabaseConnection) -> i64 {
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM seaql_migrations",
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

async fn has_table(db: &DatabaseConnection, table: &str) -> bool {
    db.query_one_raw(Statement::from_string(
        db.get_database_backend(),
        format!("SELECT COUNT(*) FROM {table}"),
    ))
    .await
    .is_ok()
}

#[tokio::test]
async fn erp_migrate_upgrades_nine_tenants_and_reports_the_broken_tenth() {
    let app = TestApp::spawn().await;
    let latest = migration::tenant::Migrator::migrations().len() as i64;
    let mut tenants = Vec::new();
    for i in 0..10 {
        let t = app.create_tenant(&format!("mig{i}")).await;
        let db = app.tenant_conn(&t).await;
        if i == 6 {
            // Every migration pending; the second will fail on a table in its way, after the
            // first has succeeded.
            migration::tenant::Migrator::down(&db, None).await.unwrap();
            db.execute_unprepared("CREATE TABLE tenant_setting (unexpected INTEGER)")
                .await
                .unwrap();
        } else {
            migration::tenant::Migrator::down(&db, Some(1))
                .await
                .unwrap();
        }
        db.close().await.unwrap();
        tenants.push(t);
    }

    let out = app.erp(&["migrate"], &[]);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        !out.status.success(),
        "migrate succeeded despite a broken tenant:\n{stdout}"
    );
    let progress: Vec<&str> = stdout.lines().filter(|l| l.starts_with('[')).collect();
    assert_eq!(progress.len(), 10, "{stdout}");
    assert_eq!(
        progress
            .iter()
            .filter(|l| l.contains("1 migration(s) applied"))
            .count(),
        9,
        "{stdout}"
    );
    assert_eq!(
        progress
            .iter()
            .filter(|l| l.contains("mig6: FAILED"))
            .count(),
        1,
        "{stdout}"
    );
    assert!(
        stdout.contains("9 upgraded or current, 1 failed"),
        "{stdout}"
    );
    assert!(stderr.contains("tenant mig6"), "{stderr}");

    for (i, t) in tenants.iter().enumerate() {
        let db = app.tenant_conn(t).await;
        if i == 6 {
            // The first migration's table and its record were rolled back with the failure.
            assert_eq!(applied(&db).await, 0, "mig6 is half-migrated");
            assert!(
                !has_table(&db, "user_account").await,
                "mig6 kept a half-applied table"
            );
        } else {
            assert_eq!(applied(&db).await, latest, "{}", t.slug);
            assert!(has_table(&db, "tenant_setting").await);
        }
        db.close().await.unwrap();
    }

    // Repairing the tenant and migrating again succeeds.
    let db = app.tenant_conn(&tenants[6]).await;
    db.execute_unprepared("DROP TABLE tenant_setting")
        .await
        .unwrap();
    db.close().await.unwrap();
    let out = app.erp(&["migrate"], &[]);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.contains(&format!("mig6: {latest} migration(s) applied")),
        "{stdout}"
    );
    assert_eq!(
        stdout
            .lines()
            .filter(|l| l.starts_with('[') && l.ends_with(": up to date"))
            .count(),
        9,
        "{stdout}"
    );
}
