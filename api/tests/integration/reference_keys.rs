//! The tenant database keeps the references of master data and CRM: a row naming a user,
//! customer or category that does not exist is refused by the database itself (tested on a
//! direct connection, bypassing every service), and migrating a database that already holds
//! dangling references clears the optional ones and keeps the rows.

use api::tenancy::slug::Slug;
use chrono::Utc;
use entities::crm::{activity, lead, opportunity, pipeline_stage};
use entities::identity::user_account;
use entities::master::{contact, currency, customer, product, product_category, supplier};
use entities::master::{unit_of_measure, warehouse};
use migration::MigratorTrait;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, DbErr,
    EntityTrait, ModelTrait, PaginatorTrait, QueryFilter, QuerySelect, Set, SqlErr, Statement,
    TransactionTrait,
};
use uuid::Uuid;

use crate::helpers::{TestApp, TestTenant};

/// The migration under test.
const MIGRATION: &str = "m20261122_000010_reference_keys";

/// The tables whose reference columns are keys.
const TABLES: [&str; 8] = [
    "exchange_rate",
    "customer",
    "supplier",
    "contact",
    "product",
    "lead",
    "opportunity",
    "activity",
];

/// Every key the schema must have: (table, column, parent table, parent column).
const KEYS: [(&str, &str, &str, &str); 26] = [
    ("activity", "assignee_id", "user_account", "id"),
    ("activity", "customer_id", "customer", "id"),
    ("activity", "lead_id", "lead", "id"),
    ("activity", "opportunity_id", "opportunity", "id"),
    ("activity", "owner_id", "user_account", "id"),
    ("contact", "customer_id", "customer", "id"),
    ("contact", "supplier_id", "supplier", "id"),
    ("customer", "currency", "currency", "code"),
    ("customer", "owner_id", "user_account", "id"),
    ("customer", "payment_term_id", "payment_term", "id"),
    ("exchange_rate", "currency", "currency", "code"),
    ("lead", "customer_id", "customer", "id"),
    ("lead", "opportunity_id", "opportunity", "id"),
    ("lead", "owner_id", "user_account", "id"),
    ("opportunity", "currency", "currency", "code"),
    ("opportunity", "customer_id", "customer", "id"),
    ("opportunity", "lead_id", "lead", "id"),
    ("opportunity", "owner_id", "user_account", "id"),
    ("opportunity", "stage_id", "pipeline_stage", "id"),
    ("product", "category_id", "product_category", "id"),
    ("product", "currency", "currency", "code"),
    ("product", "tax_rate_id", "tax_rate", "id"),
    ("product", "unit", "unit_of_measure", "code"),
    ("supplier", "currency", "currency", "code"),
    ("supplier", "owner_id", "user_account", "id"),
    ("supplier", "payment_term_id", "payment_term", "id"),
];

fn stmt(db: &DatabaseConnection, sql: &str) -> Statement {
    Statement::from_string(db.get_database_backend(), sql)
}

/// Panics unless `result` is the database refusing a foreign key.
#[track_caller]
fn assert_refused<T: std::fmt::Debug>(result: Result<T, DbErr>, what: &str) {
    match result {
        Err(e) => assert!(
            matches!(e.sql_err(), Some(SqlErr::ForeignKeyConstraintViolation(_))),
            "{what}: not a foreign key violation: {e}"
        ),
        Ok(v) => panic!("{what}: the database accepted it: {v:?}"),
    }
}

/// The foreign keys of the master data and CRM tables as (table, column, parent, parent
/// column, "<on delete action> <constraint name>"), sorted.
async fn foreign_keys(db: &DatabaseConnection) -> Vec<(String, String, String, String, String)> {
    let mut keys = Vec::new();
    if db.get_database_backend() == DbBackend::Sqlite {
        for table in TABLES {
            let sql = db
                .query_one_raw(Statement::from_sql_and_values(
                    DbBackend::Sqlite,
                    "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?",
                    [table.into()],
                ))
                .await
                .unwrap()
                .unwrap()
                .try_get::<String>("", "sql")
                .unwrap();
            let rows = db
                .query_all_raw(stmt(db, &format!("PRAGMA foreign_key_list(\"{table}\")")))
                .await
                .unwrap();
            for row in rows {
                let column: String = row.try_get("", "from").unwrap();
                let name = format!("fk_{table}_{column}");
                // SQLite reports no constraint names: the definition must carry it.
                let named = sql.contains(&format!("CONSTRAINT \"{name}\""));
                keys.push((
                    table.to_owned(),
                    column,
                    row.try_get("", "table").unwrap(),
                    row.try_get("", "to").unwrap(),
                    format!(
                        "{} {}",
                        row.try_get::<String>("", "on_delete").unwrap(),
                        if named { name } else { "<unnamed>".into() }
                    ),
                ));
            }
        }
    } else {
        let rows = db
            .query_all_raw(stmt(
                db,
                "SELECT c.conrelid::regclass::text AS tbl, a.attname::text AS col, \
                        c.confrelid::regclass::text AS parent, pa.attname::text AS parent_col, \
                        c.confdeltype::text AS on_delete, c.conname::text AS name \
                 FROM pg_constraint c \
                 JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] \
                 JOIN pg_attribute pa ON pa.attrelid = c.confrelid AND pa.attnum = c.confkey[1] \
                 WHERE c.contype = 'f'",
            ))
            .await
            .unwrap();
        for row in rows {
            let table: String = row.try_get("", "tbl").unwrap();
            if !TABLES.contains(&table.as_str()) {
                continue;
            }
            let on_delete = match row.try_get::<String>("", "on_delete").unwrap().as_str() {
                "r" => "RESTRICT".to_owned(),
                other => format!("confdeltype {other}"),
            };
            keys.push((
                table,
                row.try_get("", "col").unwrap(),
                row.try_get("", "parent").unwrap(),
                row.try_get("", "parent_col").unwrap(),
                format!("{on_delete} {}", row.try_get::<String>("", "name").unwrap()),
            ));
        }
    }
    keys.sort();
    keys
}

/// Columns (name, type, nullability, default, primary key or length) and indexes (name,
/// definition) of the master data and CRM tables, one line each.
async fn table_shapes(db: &DatabaseConnection) -> Vec<String> {
    let mut shape = Vec::new();
    for table in TABLES {
        let (columns, indexes) = if db.get_database_backend() == DbBackend::Sqlite {
            (
                format!(
                    "SELECT name AS a, type AS b, CAST(\"notnull\" AS TEXT) AS c, \
                            dflt_value AS d, CAST(pk AS TEXT) AS e \
                     FROM pragma_table_info('{table}') ORDER BY cid"
                ),
                format!(
                    "SELECT name AS a, sql AS b FROM sqlite_master \
                     WHERE type = 'index' AND tbl_name = '{table}' ORDER BY name"
                ),
            )
        } else {
            (
                format!(
                    "SELECT column_name::text AS a, data_type::text AS b, \
                            is_nullable::text AS c, column_default::text AS d, \
                            character_maximum_length::text AS e \
                     FROM information_schema.columns \
                     WHERE table_schema = current_schema() AND table_name = '{table}' \
                     ORDER BY ordinal_position"
                ),
                format!(
                    "SELECT indexname::text AS a, indexdef::text AS b FROM pg_indexes \
                     WHERE schemaname = current_schema() AND tablename = '{table}' \
                     ORDER BY indexname"
                ),
            )
        };
        for row in db.query_all_raw(stmt(db, &columns)).await.unwrap() {
            let v: Vec<Option<String>> = ["a", "b", "c", "d", "e"]
                .iter()
                .map(|c| row.try_get::<Option<String>>("", c).unwrap())
                .collect();
            shape.push(format!("{table} column {v:?}"));
        }
        for row in db.query_all_raw(stmt(db, &indexes)).await.unwrap() {
            let v: Vec<Option<String>> = ["a", "b"]
                .iter()
                .map(|c| row.try_get::<Option<String>>("", c).unwrap())
                .collect();
            shape.push(format!("{table} index {v:?}"));
        }
    }
    shape
}

/// Panics, listing the differing lines, unless `after` has the shape of `before`.
#[track_caller]
fn assert_same_shape(before: &[String], after: &[String], what: &str) {
    let gone: Vec<&String> = before.iter().filter(|l| !after.contains(l)).collect();
    let new: Vec<&String> = after.iter().filter(|l| !before.contains(l)).collect();
    assert!(
        gone.is_empty() && new.is_empty() && before.len() == after.len(),
        "{what} changed the tables:\nbefore only: {gone:#?}\nafter only: {new:#?}"
    );
}

/// The tenant admin's user id.
async fn admin_id(db: &DatabaseConnection, t: &TestTenant) -> Uuid {
    user_account::Entity::find()
        .filter(user_account::Column::Email.eq(t.email.as_str()))
        .one(db)
        .await
        .unwrap()
        .unwrap()
        .id
}

fn new_user(email: &str) -> user_account::ActiveModel {
    let now = Utc::now();
    user_account::ActiveModel {
        id: Set(Uuid::now_v7()),
        email: Set(email.to_owned()),
        display_name: Set(email.to_owned()),
        phone: Set(None),
        password_hash: Set("not a hash".into()),
        is_active: Set(true),
        last_login_at: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
}

fn new_customer(name: &str, owner_id: Option<Uuid>) -> customer::ActiveModel {
    let now = Utc::now();
    customer::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(name.to_owned()),
        tax_id: Set(None),
        email: Set(None),
        phone: Set(None),
        billing_address: Set(None),
        shipping_address: Set(None),
        payment_term_id: Set(None),
        currency: Set("USD".into()),
        credit_limit_minor: Set(None),
        owner_id: Set(owner_id),
        is_active: Set(true),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
}

fn new_supplier(owner_id: Option<Uuid>, payment_term_id: Option<Uuid>) -> supplier::ActiveModel {
    let now = Utc::now();
    supplier::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set("Supplies Inc".into()),
        tax_id: Set(None),
        email: Set(None),
        phone: Set(None),
        address: Set(None),
        payment_term_id: Set(payment_term_id),
        currency: Set("USD".into()),
        owner_id: Set(owner_id),
        is_active: Set(true),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
}

fn new_contact(customer_id: Option<Uuid>, supplier_id: Option<Uuid>) -> contact::ActiveModel {
    let now = Utc::now();
    contact::ActiveModel {
        id: Set(Uuid::now_v7()),
        customer_id: Set(customer_id),
        supplier_id: Set(supplier_id),
        name: Set("Pat".into()),
        email: Set(None),
        phone: Set(None),
        job_title: Set(None),
        is_active: Set(true),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
}

fn new_category(name: &str) -> product_category::ActiveModel {
    product_category::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(name.to_owned()),
        created_at: Set(Utc::now()),
    }
}

fn new_product(
    sku: &str,
    category_id: Option<Uuid>,
    tax_rate_id: Option<Uuid>,
) -> product::ActiveModel {
    let now = Utc::now();
    product::ActiveModel {
        id: Set(Uuid::now_v7()),
        sku: Set(sku.to_owned()),
        name: Set(format!("Product {sku}")),
        kind: Set("GOODS".into()),
        unit: Set("ea".into()),
        category_id: Set(category_id),
        currency: Set("USD".into()),
        sale_price_micros: Set(1_000_000),
        cost_price_micros: Set(None),
        tax_rate_id: Set(tax_rate_id),
        serial_tracked: Set(false),
        is_active: Set(true),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
}

fn new_stage() -> pipeline_stage::ActiveModel {
    pipeline_stage::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set("Prospecting".into()),
        position: Set(1),
        probability_micros: Set(100_000),
        created_at: Set(Utc::now()),
    }
}

fn new_opportunity(
    customer_id: Uuid,
    stage_id: Uuid,
    owner_id: Option<Uuid>,
    lead_id: Option<Uuid>,
) -> opportunity::ActiveModel {
    let now = Utc::now();
    opportunity::ActiveModel {
        id: Set(Uuid::now_v7()),
        title: Set("Big deal".into()),
        customer_id: Set(customer_id),
        amount_minor: Set(100_000),
        currency: Set("USD".into()),
        stage_id: Set(stage_id),
        owner_id: Set(owner_id),
        expected_close_date: Set(None),
        status: Set(opportunity::OpportunityStatus::Open),
        lost_reason: Set(None),
        closed_at: Set(None),
        lead_id: Set(lead_id),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
}

/// Inserts an opportunity into a database migrated only up to the keys (before opportunities
/// had `is_active`, which the row leaves to the column's default); its id.
async fn insert_before_archiving(db: &DatabaseConnection, row: opportunity::ActiveModel) -> Uuid {
    let id = row.id.clone().unwrap();
    opportunity::Entity::insert(row)
        .exec_without_returning(db)
        .await
        .unwrap();
    id
}

fn new_lead(
    owner_id: Option<Uuid>,
    customer_id: Option<Uuid>,
    opportunity_id: Option<Uuid>,
) -> lead::ActiveModel {
    let now = Utc::now();
    lead::ActiveModel {
        id: Set(Uuid::now_v7()),
        title: Set("Inbound".into()),
        company_name: Set(None),
        contact_name: Set("Sam".into()),
        email: Set(None),
        phone: Set(None),
        tax_id: Set(None),
        source: Set(None),
        status: Set(lead::LeadStatus::Converted),
        disqualified_reason: Set(None),
        owner_id: Set(owner_id),
        customer_id: Set(customer_id),
        opportunity_id: Set(opportunity_id),
        converted_at: Set(Some(now)),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
}

/// Activity references: (owner, assignee, lead, opportunity, customer).
fn new_activity(refs: [Option<Uuid>; 5]) -> activity::ActiveModel {
    let now = Utc::now();
    let [owner_id, assignee_id, lead_id, opportunity_id, customer_id] = refs;
    activity::ActiveModel {
        id: Set(Uuid::now_v7()),
        kind: Set(activity::ActivityKind::Call),
        subject: Set("Follow up".into()),
        notes: Set(None),
        due_at: Set(None),
        done: Set(false),
        done_at: Set(None),
        owner_id: Set(owner_id),
        assignee_id: Set(assignee_id),
        lead_id: Set(lead_id),
        opportunity_id: Set(opportunity_id),
        customer_id: Set(customer_id),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
}

/// An empty database (no tenant row points to it) migrated up to, not including, the
/// migration under test; and how many migrations that is.
async fn database_before_the_keys(app: &TestApp, slug: &str) -> (DatabaseConnection, u32) {
    let backend = app.state.tenancy().backend();
    let (server, name) = backend
        .locate_new_tenant(&Slug::parse(slug).unwrap(), None)
        .unwrap();
    backend
        .create_tenant_database(&server, &name)
        .await
        .unwrap();
    let db = backend.connect_tenant(&server, &name, 1).await.unwrap();
    let before = migration::tenant::Migrator::migrations()
        .iter()
        .position(|m| m.name() == MIGRATION)
        .expect("the migration is registered");
    let before = u32::try_from(before).unwrap();
    migration::tenant::Migrator::up(&db, Some(before))
        .await
        .unwrap();
    (db, before)
}

/// Applies this migration alone, in one transaction as `erp migrate` does, so that later
/// migrations do not blur what this one changes.
async fn apply_the_keys(db: &DatabaseConnection) -> Result<(), DbErr> {
    let txn = db.begin().await?;
    migration::tenant::Migrator::up(&txn, Some(1)).await?;
    txn.commit().await
}

async fn applied_migrations(db: &DatabaseConnection) -> Vec<String> {
    migration::tenant::Migrator::get_applied_migrations(db)
        .await
        .unwrap()
        .iter()
        .map(|m| m.name().to_owned())
        .collect()
}

/// The reference data rows the test rows need: a currency, a unit and a stage.
async fn reference_rows(db: &DatabaseConnection) -> Uuid {
    currency::ActiveModel {
        code: Set("USD".into()),
        name: Set("US Dollar".into()),
        minor_digits: Set(2),
        is_active: Set(true),
    }
    .insert(db)
    .await
    .unwrap();
    unit_of_measure::ActiveModel {
        code: Set("ea".into()),
        name: Set("Each".into()),
    }
    .insert(db)
    .await
    .unwrap();
    new_stage().insert(db).await.unwrap().id
}

#[tokio::test]
async fn every_reference_of_master_data_and_crm_is_a_named_restricting_foreign_key() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let db = app.tenant_conn(&t).await;
    let expected: Vec<(String, String, String, String, String)> = KEYS
        .iter()
        .map(|(table, column, parent, key)| {
            (
                (*table).to_owned(),
                (*column).to_owned(),
                (*parent).to_owned(),
                (*key).to_owned(),
                format!("RESTRICT fk_{table}_{column}"),
            )
        })
        .collect();
    assert_eq!(foreign_keys(&db).await, expected);
    if !app.is_postgres() {
        // Every pool the backend opens enforces them (SQLite leaves that to each connection).
        let on = db
            .query_one_raw(stmt(&db, "PRAGMA foreign_keys"))
            .await
            .unwrap()
            .unwrap()
            .try_get_by_index::<i64>(0)
            .unwrap();
        assert_eq!(on, 1);
    }
}

#[tokio::test]
async fn the_database_refuses_a_customer_owned_by_an_unknown_user_or_another_tenants_user() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let other = app.create_tenant("globex").await;
    let db = app.tenant_conn(&t).await;
    let other_db = app.tenant_conn(&other).await;
    let admin = admin_id(&db, &t).await;
    let foreign_user = admin_id(&other_db, &other).await;

    assert_refused(
        new_customer("Ghost Co", Some(Uuid::now_v7()))
            .insert(&db)
            .await,
        "insert with an unknown owner",
    );
    assert_refused(
        new_customer("Globex's Co", Some(foreign_user))
            .insert(&db)
            .await,
        "insert with another tenant's user as owner",
    );
    let owned = new_customer("Real Co", Some(admin))
        .insert(&db)
        .await
        .unwrap();
    let mut row: customer::ActiveModel = owned.clone().into();
    row.owner_id = Set(Some(Uuid::now_v7()));
    assert_refused(row.update(&db).await, "update to an unknown owner");

    let kept = customer::Entity::find_by_id(owned.id)
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kept.owner_id, Some(admin));
    assert_eq!(customer::Entity::find().count(&db).await.unwrap(), 1);
}

#[tokio::test]
async fn the_database_refuses_an_opportunity_for_an_unknown_customer_and_keeps_its_customer() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let db = app.tenant_conn(&t).await;
    let stage = pipeline_stage::Entity::find()
        .one(&db)
        .await
        .unwrap()
        .expect("seeded stages")
        .id;
    let customer = new_customer("Real Co", None).insert(&db).await.unwrap();

    assert_refused(
        new_opportunity(Uuid::now_v7(), stage, None, None)
            .insert(&db)
            .await,
        "insert for an unknown customer",
    );
    let opp = new_opportunity(customer.id, stage, None, None)
        .insert(&db)
        .await
        .unwrap();
    let mut row: opportunity::ActiveModel = opp.clone().into();
    row.customer_id = Set(Uuid::now_v7());
    assert_refused(row.update(&db).await, "update to an unknown customer");

    // ON DELETE RESTRICT: the customer cannot go while the opportunity names it. SQLite runs
    // RESTRICT as a trigger and reports SQLITE_CONSTRAINT_TRIGGER (1811), which sea-orm does
    // not classify; PostgreSQL reports a foreign key violation (23503).
    let deleted = customer.clone().delete(&db).await;
    if app.is_postgres() {
        assert_refused(deleted, "deleting a customer an opportunity refers to");
    } else {
        let err = deleted.expect_err("deleting a customer an opportunity refers to");
        assert!(
            err.to_string()
                .contains("(code: 1811) FOREIGN KEY constraint failed"),
            "{err}"
        );
    }
    let kept = opportunity::Entity::find_by_id(opp.id)
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kept.customer_id, customer.id);
    assert_eq!(opportunity::Entity::find().count(&db).await.unwrap(), 1);
}

#[tokio::test]
async fn the_database_refuses_a_product_in_an_unknown_category() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let db = app.tenant_conn(&t).await;
    let tools = new_category("Tools").insert(&db).await.unwrap();

    assert_refused(
        new_product("SKU-1", Some(Uuid::now_v7()), None)
            .insert(&db)
            .await,
        "insert in an unknown category",
    );
    let p = new_product("SKU-1", Some(tools.id), None)
        .insert(&db)
        .await
        .unwrap();
    let mut row: product::ActiveModel = p.clone().into();
    row.category_id = Set(Some(Uuid::now_v7()));
    assert_refused(row.update(&db).await, "update to an unknown category");

    let kept = product::Entity::find_by_id(p.id)
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kept.category_id, Some(tools.id));
}

#[tokio::test]
async fn migrating_a_database_with_dangling_optional_references_nulls_them_and_keeps_the_rows() {
    let app = TestApp::spawn().await;
    let (db, before) = database_before_the_keys(&app, "legacy").await;
    let stage = reference_rows(&db).await;
    let user = new_user("rep@legacy.test").insert(&db).await.unwrap().id;
    let ghost = Uuid::now_v7();
    let tools = new_category("Tools").insert(&db).await.unwrap().id;

    let kept_customer = new_customer("Kept Co", Some(user))
        .insert(&db)
        .await
        .unwrap()
        .id;
    let orphan_customer = new_customer("Orphan Co", Some(ghost))
        .insert(&db)
        .await
        .unwrap()
        .id;
    let supplier = new_supplier(Some(ghost), Some(Uuid::now_v7()))
        .insert(&db)
        .await
        .unwrap()
        .id;
    let contact = new_contact(Some(kept_customer), Some(Uuid::now_v7()))
        .insert(&db)
        .await
        .unwrap()
        .id;
    let orphan_product = new_product("SKU-1", Some(ghost), Some(Uuid::now_v7()))
        .insert(&db)
        .await
        .unwrap()
        .id;
    let kept_product = new_product("SKU-2", Some(tools), None)
        .insert(&db)
        .await
        .unwrap()
        .id;
    // A converted lead and its opportunity name each other: both references must survive.
    let lead_row = new_lead(Some(user), Some(kept_customer), None);
    let lead_id = lead_row.id.clone().unwrap();
    let opp = insert_before_archiving(
        &db,
        new_opportunity(kept_customer, stage, Some(ghost), Some(lead_id)),
    )
    .await;
    let mut lead_row = lead_row;
    lead_row.opportunity_id = Set(Some(opp));
    lead_row.insert(&db).await.unwrap();
    let activity = new_activity([Some(ghost), Some(user), Some(ghost), Some(opp), Some(ghost)])
        .insert(&db)
        .await
        .unwrap()
        .id;
    warehouse::ActiveModel {
        id: Set(Uuid::now_v7()),
        code: Set("MAIN".into()),
        name: Set("Main".into()),
        address: Set(None),
        is_active: Set(true),
        created_at: Set(Utc::now()),
    }
    .insert(&db)
    .await
    .unwrap();
    let shapes = table_shapes(&db).await;
    assert!(
        shapes.iter().any(|l| l.contains("ix_customer_owner"))
            && shapes.iter().any(|l| l.contains("\"owner_id\"")),
        "{shapes:#?}"
    );
    assert!(foreign_keys(&db).await.is_empty());

    apply_the_keys(&db).await.unwrap();
    assert_eq!(
        applied_migrations(&db).await.last().map(String::as_str),
        Some(MIGRATION)
    );
    assert_eq!(foreign_keys(&db).await.len(), KEYS.len());
    assert_same_shape(&shapes, &table_shapes(&db).await, "the migration");
    // The later migrations, so the rows below read with today's entities.
    migration::tenant::Migrator::up(&db, None).await.unwrap();

    // Rows kept; dangling optional references cleared; valid ones untouched.
    assert_eq!(customer::Entity::find().count(&db).await.unwrap(), 2);
    let c = customer::Entity::find_by_id(kept_customer)
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(c.owner_id, Some(user));
    let c = customer::Entity::find_by_id(orphan_customer)
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((c.name.as_str(), c.owner_id), ("Orphan Co", None));
    let s = supplier::Entity::find_by_id(supplier)
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((s.owner_id, s.payment_term_id), (None, None));
    let k = contact::Entity::find_by_id(contact)
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((k.customer_id, k.supplier_id), (Some(kept_customer), None));
    let p = product::Entity::find_by_id(orphan_product)
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((p.category_id, p.tax_rate_id), (None, None));
    let p = product::Entity::find_by_id(kept_product)
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(p.category_id, Some(tools));
    let l = lead::Entity::find_by_id(lead_id)
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (l.owner_id, l.customer_id, l.opportunity_id),
        (Some(user), Some(kept_customer), Some(opp))
    );
    let o = opportunity::Entity::find_by_id(opp)
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (o.customer_id, o.stage_id, o.owner_id, o.lead_id),
        (kept_customer, stage, None, Some(lead_id))
    );
    let a = activity::Entity::find_by_id(activity)
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        [
            a.owner_id,
            a.assignee_id,
            a.lead_id,
            a.opportunity_id,
            a.customer_id
        ],
        [None, Some(user), None, Some(opp), None]
    );
    assert_refused(
        new_customer("Ghost Co", Some(ghost)).insert(&db).await,
        "a dangling owner after the migration",
    );

    // Down (the later migrations, then this one) takes the keys away and leaves the tables
    // as they were; up adds them again and clears what was written meanwhile.
    let later = migration::tenant::Migrator::migrations().len() - before as usize - 1;
    migration::tenant::Migrator::down(&db, Some(u32::try_from(later).unwrap() + 1))
        .await
        .unwrap();
    assert_eq!(applied_migrations(&db).await.len(), before as usize);
    assert!(foreign_keys(&db).await.is_empty());
    assert_same_shape(&shapes, &table_shapes(&db).await, "down");
    let late = new_customer("Late Co", Some(ghost))
        .insert(&db)
        .await
        .unwrap()
        .id;
    migration::tenant::Migrator::up(&db, None).await.unwrap();
    assert_eq!(foreign_keys(&db).await.len(), KEYS.len());
    let c = customer::Entity::find_by_id(late)
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(c.owner_id, None);
    assert_eq!(customer::Entity::find().count(&db).await.unwrap(), 3);
    assert_eq!(
        lead::Entity::find_by_id(lead_id)
            .one(&db)
            .await
            .unwrap()
            .unwrap()
            .opportunity_id,
        Some(opp)
    );
    db.close().await.unwrap();
}

#[tokio::test]
async fn a_dangling_required_reference_stops_the_migration_naming_table_and_column() {
    let app = TestApp::spawn().await;
    let (db, before) = database_before_the_keys(&app, "broken").await;
    reference_rows(&db).await;
    let customer = new_customer("Co", None).insert(&db).await.unwrap().id;
    let unknown_stage = Uuid::now_v7();
    let opp =
        insert_before_archiving(&db, new_opportunity(customer, unknown_stage, None, None)).await;
    let applied = applied_migrations(&db).await;
    assert_eq!(applied.len(), before as usize);

    let err = apply_the_keys(&db)
        .await
        .expect_err("the migration refuses a dangling stage");
    let message = err.to_string();
    assert!(message.contains("opportunity.stage_id"), "{message}");
    assert!(message.contains("fk_opportunity_stage_id"), "{message}");

    // Nothing changed: no keys, the row as it was, the migration not recorded.
    assert_eq!(applied_migrations(&db).await, applied);
    assert!(foreign_keys(&db).await.is_empty());
    let stage: Option<Uuid> = opportunity::Entity::find_by_id(opp)
        .select_only()
        .column(opportunity::Column::StageId)
        .into_tuple()
        .one(&db)
        .await
        .unwrap();
    assert_eq!(stage, Some(unknown_stage));
    db.close().await.unwrap();
}
