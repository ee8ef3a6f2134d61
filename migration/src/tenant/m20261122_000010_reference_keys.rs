//! The database keeps the references of master data and CRM: every reference column becomes a
//! foreign key named `fk_<table>_<column>`, so a dangling id (an unknown user, another
//! tenant's user, a customer that does not exist) is refused by the database itself, whatever
//! code path writes the row.
//!
//! The keys (`table.column → parent(key)`; `*` marks NOT NULL columns):
//!
//! | table | column | parent |
//! |---|---|---|
//! | `exchange_rate` | `currency`* | `currency(code)` |
//! | `customer` | `payment_term_id` | `payment_term(id)` |
//! | `customer` | `currency`* | `currency(code)` |
//! | `customer` | `owner_id` | `user_account(id)` |
//! | `supplier` | `payment_term_id` | `payment_term(id)` |
//! | `supplier` | `currency`* | `currency(code)` |
//! | `supplier` | `owner_id` | `user_account(id)` |
//! | `contact` | `customer_id` | `customer(id)` |
//! | `contact` | `supplier_id` | `supplier(id)` |
//! | `product` | `unit`* | `unit_of_measure(code)` |
//! | `product` | `category_id` | `product_category(id)` |
//! | `product` | `currency`* | `currency(code)` |
//! | `product` | `tax_rate_id` | `tax_rate(id)` |
//! | `lead` | `owner_id` | `user_account(id)` |
//! | `lead` | `customer_id` | `customer(id)` |
//! | `lead` | `opportunity_id` | `opportunity(id)` |
//! | `opportunity` | `customer_id`* | `customer(id)` |
//! | `opportunity` | `currency`* | `currency(code)` |
//! | `opportunity` | `stage_id`* | `pipeline_stage(id)` |
//! | `opportunity` | `owner_id` | `user_account(id)` |
//! | `opportunity` | `lead_id` | `lead(id)` |
//! | `activity` | `owner_id` | `user_account(id)` |
//! | `activity` | `assignee_id` | `user_account(id)` |
//! | `activity` | `lead_id` | `lead(id)` |
//! | `activity` | `opportunity_id` | `opportunity(id)` |
//! | `activity` | `customer_id` | `customer(id)` |
//!
//! `currency`, `unit_of_measure`, `tax_rate`, `payment_term`, `product_category`, `warehouse`
//! and `pipeline_stage` hold no references. Every key is `ON DELETE RESTRICT`: no code deletes
//! master data or CRM rows (they are archived), so a delete that would orphan a row is a bug
//! the database should stop.
//!
//! Rows already dangling: an optional reference is set to NULL (the row stays) and the count is
//! logged per column; a dangling required reference stops the migration with an error naming
//! the table and column, since no value can replace it.
//!
//! PostgreSQL adds the keys with `ALTER TABLE … ADD CONSTRAINT`. SQLite cannot add a constraint
//! to a table, so the eight tables holding references are rebuilt: `<table>_new` is created with
//! the same columns (the builders of migrations 4 to 6, in the same order) and the keys, rows are
//! copied, the old tables dropped, the new ones renamed, their indexes recreated from the SQL
//! SQLite kept for them, and `PRAGMA foreign_key_check` must come back empty. `down` reverses
//! it: the constraints are dropped, or, on SQLite, the tables are rebuilt without keys.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::{DbBackend, Statement};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A reference column and the key it must name.
struct Reference {
    table: &'static str,
    column: &'static str,
    parent: &'static str,
    parent_key: &'static str,
    /// A NOT NULL column: a dangling value cannot be cleared, so the migration stops on it.
    required: bool,
}

const fn optional(
    table: &'static str,
    column: &'static str,
    parent: &'static str,
    parent_key: &'static str,
) -> Reference {
    Reference {
        table,
        column,
        parent,
        parent_key,
        required: false,
    }
}

const fn required(
    table: &'static str,
    column: &'static str,
    parent: &'static str,
    parent_key: &'static str,
) -> Reference {
    Reference {
        table,
        column,
        parent,
        parent_key,
        required: true,
    }
}

/// Every key this migration adds, in the order of the table above.
const REFERENCES: [Reference; 26] = [
    required("exchange_rate", "currency", "currency", "code"),
    optional("customer", "payment_term_id", "payment_term", "id"),
    required("customer", "currency", "currency", "code"),
    optional("customer", "owner_id", "user_account", "id"),
    optional("supplier", "payment_term_id", "payment_term", "id"),
    required("supplier", "currency", "currency", "code"),
    optional("supplier", "owner_id", "user_account", "id"),
    optional("contact", "customer_id", "customer", "id"),
    optional("contact", "supplier_id", "supplier", "id"),
    required("product", "unit", "unit_of_measure", "code"),
    optional("product", "category_id", "product_category", "id"),
    required("product", "currency", "currency", "code"),
    optional("product", "tax_rate_id", "tax_rate", "id"),
    optional("lead", "owner_id", "user_account", "id"),
    optional("lead", "customer_id", "customer", "id"),
    optional("lead", "opportunity_id", "opportunity", "id"),
    required("opportunity", "customer_id", "customer", "id"),
    required("opportunity", "currency", "currency", "code"),
    required("opportunity", "stage_id", "pipeline_stage", "id"),
    optional("opportunity", "owner_id", "user_account", "id"),
    optional("opportunity", "lead_id", "lead", "id"),
    optional("activity", "owner_id", "user_account", "id"),
    optional("activity", "assignee_id", "user_account", "id"),
    optional("activity", "lead_id", "lead", "id"),
    optional("activity", "opportunity_id", "opportunity", "id"),
    optional("activity", "customer_id", "customer", "id"),
];

impl Reference {
    fn constraint(&self) -> String {
        format!("fk_{}_{}", self.table, self.column)
    }

    /// The table constraint, naming `parent_table` as the parent: the parent itself, or its
    /// `_new` copy while SQLite rebuilds both (the rename carries the reference over).
    fn clause(&self, parent_table: &str) -> String {
        format!(
            r#"CONSTRAINT "{}" FOREIGN KEY ("{}") REFERENCES "{parent_table}" ("{}") ON DELETE RESTRICT"#,
            self.constraint(),
            self.column,
            self.parent_key,
        )
    }

    /// The condition selecting this column's dangling values.
    fn dangling(&self) -> String {
        format!(
            r#""{column}" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "{parent}" AS p WHERE p."{key}" = "{table}"."{column}")"#,
            table = self.table,
            column = self.column,
            parent = self.parent,
            key = self.parent_key,
        )
    }
}

/// A column name as an identifier.
fn c(name: &'static str) -> Alias {
    Alias::new(name)
}

/// The column definitions of one table, in order.
type Columns = fn() -> Vec<ColumnDef>;

/// `columns` followed by the archivable tables' bookkeeping: `is_active`, `version`,
/// `created_at`, `updated_at`.
fn archivable(mut columns: Vec<ColumnDef>) -> Vec<ColumnDef> {
    columns.extend([
        boolean(c("is_active")),
        integer(c("version")),
        timestamp_with_time_zone(c("created_at")),
        timestamp_with_time_zone(c("updated_at")),
    ]);
    columns
}

/// The tables SQLite rebuilds, parents before children, with their columns exactly as
/// migrations 4 to 6 created them (SQLite keeps columns in creation order: `supplier.owner_id`,
/// added by migration 6, comes last).
const REBUILT: [(&str, Columns); 8] = [
    ("exchange_rate", || {
        vec![
            pk_uuid(c("id")),
            string(c("currency")),
            big_integer(c("rate_micros")),
            date(c("valid_from")),
            timestamp_with_time_zone(c("created_at")),
        ]
    }),
    ("customer", || {
        archivable(vec![
            pk_uuid(c("id")),
            string(c("name")),
            string_null(c("tax_id")),
            string_null(c("email")),
            string_null(c("phone")),
            string_null(c("billing_address")),
            string_null(c("shipping_address")),
            uuid_null(c("payment_term_id")),
            string(c("currency")),
            big_integer_null(c("credit_limit_minor")),
            uuid_null(c("owner_id")),
        ])
    }),
    ("supplier", || {
        let mut columns = archivable(vec![
            pk_uuid(c("id")),
            string(c("name")),
            string_null(c("tax_id")),
            string_null(c("email")),
            string_null(c("phone")),
            string_null(c("address")),
            uuid_null(c("payment_term_id")),
            string(c("currency")),
        ]);
        columns.push(uuid_null(c("owner_id")));
        columns
    }),
    ("contact", || {
        archivable(vec![
            pk_uuid(c("id")),
            uuid_null(c("customer_id")),
            uuid_null(c("supplier_id")),
            string(c("name")),
            string_null(c("email")),
            string_null(c("phone")),
            string_null(c("job_title")),
        ])
    }),
    ("product", || {
        archivable(vec![
            pk_uuid(c("id")),
            string(c("sku")).unique_key().to_owned(),
            string(c("name")),
            string(c("kind")),
            string(c("unit")),
            uuid_null(c("category_id")),
            string(c("currency")),
            big_integer(c("sale_price_micros")),
            big_integer_null(c("cost_price_micros")),
            uuid_null(c("tax_rate_id")),
            boolean(c("serial_tracked")),
        ])
    }),
    ("lead", || {
        vec![
            pk_uuid(c("id")),
            string(c("title")),
            string_null(c("company_name")),
            string(c("contact_name")),
            string_null(c("email")),
            string_null(c("phone")),
            string_null(c("tax_id")),
            string_null(c("source")),
            string(c("status")),
            string_null(c("disqualified_reason")),
            uuid_null(c("owner_id")),
            uuid_null(c("customer_id")),
            uuid_null(c("opportunity_id")),
            timestamp_with_time_zone_null(c("converted_at")),
            integer(c("version")),
            timestamp_with_time_zone(c("created_at")),
            timestamp_with_time_zone(c("updated_at")),
        ]
    }),
    ("opportunity", || {
        vec![
            pk_uuid(c("id")),
            string(c("title")),
            uuid(c("customer_id")),
            big_integer(c("amount_minor")),
            string(c("currency")),
            uuid(c("stage_id")),
            uuid_null(c("owner_id")),
            date_null(c("expected_close_date")),
            string(c("status")),
            string_null(c("lost_reason")),
            timestamp_with_time_zone_null(c("closed_at")),
            uuid_null(c("lead_id")),
            integer(c("version")),
            timestamp_with_time_zone(c("created_at")),
            timestamp_with_time_zone(c("updated_at")),
        ]
    }),
    ("activity", || {
        vec![
            pk_uuid(c("id")),
            string(c("kind")),
            string(c("subject")),
            string_null(c("notes")),
            timestamp_with_time_zone_null(c("due_at")),
            boolean(c("done")),
            timestamp_with_time_zone_null(c("done_at")),
            uuid_null(c("owner_id")),
            uuid_null(c("assignee_id")),
            uuid_null(c("lead_id")),
            uuid_null(c("opportunity_id")),
            uuid_null(c("customer_id")),
            integer(c("version")),
            timestamp_with_time_zone(c("created_at")),
            timestamp_with_time_zone(c("updated_at")),
        ]
    }),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        clear_dangling(db).await?;
        match manager.get_database_backend() {
            DbBackend::Sqlite => rebuild_sqlite(db, true).await,
            _ => {
                for r in &REFERENCES {
                    db.execute_unprepared(&format!(
                        r#"ALTER TABLE "{}" ADD {}"#,
                        r.table,
                        r.clause(r.parent)
                    ))
                    .await?;
                }
                Ok(())
            }
        }
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DbBackend::Sqlite => rebuild_sqlite(db, false).await,
            _ => {
                for r in REFERENCES.iter().rev() {
                    db.execute_unprepared(&format!(
                        r#"ALTER TABLE "{}" DROP CONSTRAINT "{}""#,
                        r.table,
                        r.constraint()
                    ))
                    .await?;
                }
                Ok(())
            }
        }
    }

    /// Always in a transaction, SQLite included (where sea-orm-migration would not open one):
    /// the rebuild must run on one connection and leave either the old tables or the new ones,
    /// never a mix.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}

/// Stops on a dangling required reference; sets dangling optional ones to NULL, logging how
/// many rows each column lost.
async fn clear_dangling(db: &SchemaManagerConnection<'_>) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    for r in REFERENCES.iter().filter(|r| r.required) {
        let row = db
            .query_one_raw(Statement::from_string(
                backend,
                format!(
                    r#"SELECT COUNT(*) AS n FROM "{}" WHERE {}"#,
                    r.table,
                    r.dangling()
                ),
            ))
            .await?;
        let n = match row {
            Some(row) => row.try_get::<i64>("", "n")?,
            None => 0,
        };
        if n > 0 {
            return Err(DbErr::Migration(format!(
                "cannot add {}: {n} row(s) of {}.{} name a {}.{} that does not exist; \
                 correct them, then migrate again",
                r.constraint(),
                r.table,
                r.column,
                r.parent,
                r.parent_key
            )));
        }
    }
    for r in REFERENCES.iter().filter(|r| !r.required) {
        let cleared = db
            .execute_unprepared(&format!(
                r#"UPDATE "{}" SET "{}" = NULL WHERE {}"#,
                r.table,
                r.column,
                r.dangling()
            ))
            .await?
            .rows_affected();
        if cleared > 0 {
            tracing::warn!(
                table = r.table,
                column = r.column,
                parent = r.parent,
                rows = cleared,
                "dangling references set to NULL before adding {}",
                r.constraint()
            );
        }
    }
    Ok(())
}

/// Rebuilds the tables of [`REBUILT`] with (`keys`) or without their foreign keys.
///
/// `PRAGMA foreign_keys=OFF` would be a no-op here: the migration runs inside a transaction.
/// Enforcement stays on and is deferred to the commit instead (`defer_foreign_keys`, reset by
/// SQLite at the end of the transaction), for two reasons: `lead` and `opportunity` refer to
/// each other, so one of them is always copied before its parent; and on `down` the old tables
/// still carry keys between them when they are dropped. SQLite counts the violations a drop
/// creates and takes them back when the referring table is dropped too, so the count is zero
/// again once all eight are gone; `foreign_key_check` then proves the copied rows consistent.
async fn rebuild_sqlite(db: &SchemaManagerConnection<'_>, keys: bool) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    db.execute_unprepared("PRAGMA defer_foreign_keys = ON")
        .await?;
    let rebuilt = |table: &str| REBUILT.iter().any(|(t, _)| *t == table);
    let mut indexes = Vec::new();
    for (table, columns) in &REBUILT {
        for row in db
            .query_all_raw(Statement::from_sql_and_values(
                backend,
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
                [(*table).into()],
            ))
            .await?
        {
            indexes.push(row.try_get::<String>("", "sql")?);
        }

        let mut create = Table::create();
        create.table(Alias::new(format!("{table}_new")));
        for column in columns() {
            create.col(column);
        }
        let mut sql = create.to_string(SqliteQueryBuilder);
        if keys {
            let clauses: Vec<String> = REFERENCES
                .iter()
                .filter(|r| r.table == *table)
                .map(|r| {
                    if rebuilt(r.parent) {
                        r.clause(&format!("{}_new", r.parent))
                    } else {
                        r.clause(r.parent)
                    }
                })
                .collect();
            let body = sql.strip_suffix(" )").ok_or_else(|| {
                DbErr::Migration(format!("unexpected CREATE TABLE for {table}: {sql}"))
            })?;
            sql = format!("{body}, {} )", clauses.join(", "));
        }
        db.execute_unprepared(&sql).await?;
    }
    // Only once every `_new` table exists: SQLite looks up the parent of each key when it
    // writes a child row, and `lead_new` names `opportunity_new`, created after it.
    for (table, columns) in &REBUILT {
        let names: Vec<String> = columns()
            .iter()
            .map(|c| format!(r#""{}""#, c.get_column_name()))
            .collect();
        let names = names.join(", ");
        db.execute_unprepared(&format!(
            r#"INSERT INTO "{table}_new" ({names}) SELECT {names} FROM "{table}""#
        ))
        .await?;
    }
    // Children first: on `down` the old tables still refer to their parents.
    for (table, _) in REBUILT.iter().rev() {
        db.execute_unprepared(&format!(r#"DROP TABLE "{table}""#))
            .await?;
    }
    for (table, _) in &REBUILT {
        db.execute_unprepared(&format!(r#"ALTER TABLE "{table}_new" RENAME TO "{table}""#))
            .await?;
    }
    for sql in &indexes {
        db.execute_unprepared(sql).await?;
    }
    let violations = db
        .query_all_raw(Statement::from_string(backend, "PRAGMA foreign_key_check"))
        .await?;
    if let Some(first) = violations.first() {
        let table: String = first.try_get_by_index(0)?;
        return Err(DbErr::Migration(format!(
            "{} row(s) break a foreign key after the rebuild, the first in {table}",
            violations.len()
        )));
    }
    db.execute_unprepared("PRAGMA defer_foreign_keys = OFF")
        .await?;
    Ok(())
}
