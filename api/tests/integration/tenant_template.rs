//! Tenant templates: a tenant copied from the template is the tenant migrated and seeded from
//! scratch; a new key builds a new template (once, however many build at the same time).

use std::time::{Duration, Instant};

use api::config::TemplateSettings;
use api::tenancy::template::{TemplateKey, Templates};
use migration::MigratorTrait;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use uuid::Uuid;

use crate::helpers::TestApp;

async fn strings(db: &DatabaseConnection, sql: &str) -> Vec<String> {
    let rows = db
        .query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    rows.iter()
        .map(|r| r.try_get::<String>("", "r").unwrap())
        .collect()
}

/// Tables, columns, indexes and constraints of a tenant database.
async fn schema(db: &DatabaseConnection, postgres: bool) -> Vec<String> {
    let queries: &[&str] = if postgres {
        &[
            "SELECT table_name || '.' || column_name || '|' || data_type || '|' || is_nullable \
             || '|' || COALESCE(column_default, '') AS r FROM information_schema.columns \
             WHERE table_schema = 'public'",
            "SELECT indexdef AS r FROM pg_indexes WHERE schemaname = 'public'",
            "SELECT conrelid::regclass::text || '|' || conname || '|' || \
             pg_get_constraintdef(oid) AS r FROM pg_constraint \
             WHERE connamespace = 'public'::regnamespace",
            "SELECT typname AS r FROM pg_type WHERE typnamespace = 'public'::regnamespace",
        ]
    } else {
        &[
            "SELECT type || '|' || name || '|' || tbl_name || '|' || COALESCE(sql, '') AS r \
             FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'",
        ]
    };
    let mut out = Vec::new();
    for q in queries {
        out.extend(strings(db, q).await);
    }
    out.sort();
    out
}

/// Every table's row count, and the content of the seeded tables without ids and times.
async fn data(db: &DatabaseConnection, postgres: bool) -> Vec<String> {
    let tables = if postgres {
        "SELECT table_name AS r FROM information_schema.tables \
         WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
    } else {
        "SELECT name AS r FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    };
    let mut out = Vec::new();
    for table in strings(db, tables).await {
        let count = format!("SELECT CAST(COUNT(*) AS TEXT) AS r FROM \"{table}\"");
        out.push(format!("{table}: {} rows", strings(db, &count).await[0]));
    }
    for q in [
        "SELECT name || '|' || description || '|' || CAST(is_system AS TEXT) AS r FROM role",
        "SELECT r.name || '|' || g.permission || '|' || g.scope AS r \
         FROM role_grant g JOIN role r ON r.id = g.role_id",
        "SELECT u.email || '|' || u.display_name || '|' || r.name AS r FROM user_role ur \
         JOIN user_account u ON u.id = ur.user_id JOIN role r ON r.id = ur.role_id",
        "SELECT code || '|' || name || '|' || CAST(minor_digits AS TEXT) || '|' || \
         CAST(is_active AS TEXT) AS r FROM currency",
        "SELECT code || '|' || name AS r FROM unit_of_measure",
        "SELECT name || '|' || CAST(position AS TEXT) || '|' || \
         CAST(probability_micros AS TEXT) AS r FROM pipeline_stage",
        "SELECT key || '|' || value AS r FROM tenant_setting",
        "SELECT version AS r FROM seaql_migrations",
    ] {
        let mut rows = strings(db, q).await;
        rows.sort();
        out.push(format!("{q}\n  {}", rows.join("\n  ")));
    }
    out.sort();
    out
}

#[tokio::test]
async fn a_tenant_copied_from_the_template_equals_one_migrated_and_seeded() {
    let on = TestApp::builder()
        .env("ERP_TENANT_TEMPLATE", "on")
        .spawn()
        .await;
    let off = TestApp::builder()
        .env("ERP_TENANT_TEMPLATE", "off")
        .spawn()
        .await;
    assert!(on.state.tenancy().templates().is_some());
    assert!(off.state.tenancy().templates().is_none());
    let pg = on.is_postgres();
    let a = on.create_tenant("acme").await;
    let b = off.create_tenant("acme").await;
    let a_db = on.state.tenancy().tenant_db(a.id).await.unwrap();
    let b_db = off.state.tenancy().tenant_db(b.id).await.unwrap();
    assert_eq!(
        a_db.tenant().schema_version,
        b_db.tenant().schema_version,
        "registered schema version"
    );

    let (sa, sb) = (schema(a_db.conn(), pg).await, schema(b_db.conn(), pg).await);
    assert!(sa.len() > 20, "schema snapshot too small: {sa:?}");
    assert_eq!(sa, sb);
    let (da, db) = (data(a_db.conn(), pg).await, data(b_db.conn(), pg).await);
    let joined = da.join("\n");
    for seeded in [
        "USD|US Dollar",
        "owner|",
        "admin@acme.test|Admin|owner",
        "ea|Each",
    ] {
        assert!(joined.contains(seeded), "{seeded} missing from {joined}");
    }
    assert_eq!(da, db);

    // Both admins sign in and hold every permission the owner role gives.
    on.login(&a).await;
    off.login(&b).await;
}

#[tokio::test]
async fn two_tenants_copied_from_the_template_share_no_id() {
    let app = TestApp::builder()
        .env("ERP_TENANT_TEMPLATE", "on")
        .spawn()
        .await;
    let mut ids = Vec::new();
    for slug in ["one", "two"] {
        let t = app.create_tenant(slug).await;
        let db = app.state.tenancy().tenant_db(t.id).await.unwrap();
        let mut mine = Vec::new();
        // SQLite keeps UUIDs as 16-byte blobs, PostgreSQL as `uuid`.
        let text = if app.is_postgres() {
            "id::text"
        } else {
            "hex(id)"
        };
        for table in [
            "role",
            "pipeline_stage",
            "account",
            "journal",
            "ledger_setting",
        ] {
            let sql = format!("SELECT {text} AS r FROM {table}");
            mine.extend(strings(db.conn(), &sql).await);
        }
        assert!(mine.len() >= 50, "{slug}: {mine:?}");
        ids.push(mine);
    }
    let shared: Vec<&String> = ids[0].iter().filter(|id| ids[1].contains(id)).collect();
    assert!(shared.is_empty(), "ids in both tenants: {shared:?}");
}

async fn template_exists(app: &TestApp, templates: &Templates) -> bool {
    if app.is_postgres() {
        let sql = format!(
            "SELECT datname AS r FROM pg_database WHERE datname = '{}'",
            templates.postgres_name()
        );
        !strings(app.state.tenancy().control(), &sql)
            .await
            .is_empty()
    } else {
        templates.sqlite_path().exists()
    }
}

/// Templates with their own folder and prefix, so this test's templates and drops touch no
/// other test's template.
fn own_templates(app: &TestApp, tag: &str, key: TemplateKey) -> Templates {
    Templates::new(
        TemplateSettings {
            enabled: true,
            dir: app.dir.path().join("templates"),
            prefix: format!("erpkt_{tag}"),
        },
        key,
    )
}

async fn drop_pg_template(app: &TestApp, templates: &Templates) {
    if app.is_postgres() {
        let sql = format!("DROP DATABASE IF EXISTS \"{}\"", templates.postgres_name());
        app.state
            .tenancy()
            .control()
            .execute_unprepared(&sql)
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn a_new_key_builds_a_new_template_once_and_drops_the_old_one() {
    let app = TestApp::spawn().await;
    let backend = app.state.tenancy().backend();
    let tag = Uuid::new_v4().simple().to_string()[..10].to_owned();
    let migrations: Vec<String> = migration::tenant::Migrator::migrations()
        .iter()
        .map(|m| m.name().to_owned())
        .collect();
    let first = TemplateKey::new(&migrations, "test-1");
    let second = TemplateKey::new(&migrations, "test-2");
    assert_ne!(first, second);

    // Four "processes" (each its own in-process cache) want the first template at once:
    // exactly one builds it, the others wait and use it.
    let racers: Vec<Templates> = (0..4)
        .map(|_| own_templates(&app, &tag, first.clone()))
        .collect();
    let built =
        futures_util::future::join_all(racers.iter().map(|t| t.ensure(backend, "default"))).await;
    let built: Vec<bool> = built.into_iter().map(Result::unwrap).collect();
    assert_eq!(built.iter().filter(|b| **b).count(), 1, "{built:?}");
    assert!(template_exists(&app, &racers[0]).await);
    assert!(!racers[0].ensure(backend, "default").await.unwrap());

    // Another seed version is another key: a new template, and the old one is dropped.
    let next = own_templates(&app, &tag, second);
    assert_ne!(next.sqlite_path(), racers[0].sqlite_path());
    assert_ne!(next.postgres_name(), racers[0].postgres_name());
    assert!(next.ensure(backend, "default").await.unwrap());
    assert!(template_exists(&app, &next).await);
    assert!(
        !template_exists(&app, &racers[0]).await,
        "old template kept"
    );

    // A tenant database copied from it is fully migrated; copying onto it again leaves it.
    let prefix = app.vars.get("ERP_DB_PREFIX").cloned().unwrap_or_default();
    let name = if app.is_postgres() {
        format!("{prefix}_t_keytest")
    } else {
        "keytest".to_owned()
    };
    assert!(
        next.create_tenant_database(backend, "default", &name)
            .await
            .unwrap()
    );
    assert!(
        !next
            .create_tenant_database(backend, "default", &name)
            .await
            .unwrap()
    );
    let db = backend.connect_tenant("default", &name, 1).await.unwrap();
    let applied = strings(&db, "SELECT version AS r FROM seaql_migrations").await;
    assert_eq!(applied.len(), migrations.len());
    // Seed rows that carry ids are minted per tenant: the copy has none until provisioning
    // seeds it; the reference data is there.
    let roles = strings(&db, "SELECT name AS r FROM role").await;
    assert!(roles.is_empty(), "{roles:?}");
    let units = strings(&db, "SELECT code AS r FROM unit_of_measure").await;
    assert!(units.iter().any(|u| u == "ea"), "{units:?}");
    db.close().await.unwrap();

    // The old template vanished under a stale cache: it is built again, not reported missing.
    drop_pg_template(&app, &next).await;
    if !app.is_postgres() {
        std::fs::remove_file(next.sqlite_path()).unwrap();
    }
    let again = if app.is_postgres() {
        format!("{prefix}_t_keytest2")
    } else {
        "keytest2".to_owned()
    };
    assert!(
        next.create_tenant_database(backend, "default", &again)
            .await
            .unwrap()
    );
    assert!(template_exists(&app, &next).await);
    drop_pg_template(&app, &next).await;
}

/// Per-test set-up time: `TestApp::spawn` + `create_tenant`, 30 times. Run with
/// `cargo test -p api --test integration provisioning_time -- --ignored --nocapture`
/// (`ERP_TENANT_TEMPLATE=off` for the old path, `TEST_DATABASE_URL` for PostgreSQL).
#[tokio::test]
#[ignore = "a measurement, not a check"]
async fn provisioning_time() {
    let mode = std::env::var("ERP_TENANT_TEMPLATE").unwrap_or_else(|_| "on".into());
    // The first run may build the template: measured apart.
    let warm = Instant::now();
    let app = TestApp::spawn().await;
    app.create_tenant("acme").await;
    drop(app);
    let warm = warm.elapsed();
    let mut times: Vec<Duration> = Vec::new();
    let mut provisioning: Vec<Duration> = Vec::new();
    for _ in 0..30 {
        let started = Instant::now();
        let app = TestApp::spawn().await;
        let spawned = Instant::now();
        app.create_tenant("acme").await;
        times.push(started.elapsed());
        provisioning.push(spawned.elapsed());
        drop(app);
    }
    provisioning.sort();
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let mean = times.iter().map(|d| ms(*d)).sum::<f64>() / times.len() as f64;
    println!(
        "provisioning_time template={mode} backend={}: first {:.1} ms; over {} runs mean {mean:.1} ms, median {:.1} ms, min {:.1} ms, max {:.1} ms; create_tenant alone median {:.1} ms",
        if std::env::var("TEST_DATABASE_URL").is_ok() {
            "postgres"
        } else {
            "sqlite"
        },
        ms(warm),
        times.len(),
        ms(times[times.len() / 2]),
        ms(times[0]),
        ms(times[times.len() - 1]),
        ms(provisioning[provisioning.len() / 2]),
    );
}
