//! ERP modules, one folder each: `mod.rs` (the module's [`Module`] declaration),
//! `resources.rs` (its resources, declared to the kit), `graphql/` (types, resolvers),
//! `service/` (rules and transactions, no GraphQL types), `loaders.rs` (DataLoaders).
//!
//! The registry [`MODULES`] is the one list of modules: the permission catalog (the
//! `permissions` query, role validation), the kit's resources (grants, the audit log, the test
//! sweeps) and the seed steps of provisioning and `erp migrate` are all derived from it.

pub mod billing;
pub mod common;
pub mod crm;
pub mod finance;
pub mod identity;
pub mod master;
pub mod notifications;
pub mod sales;

use futures_util::future::BoxFuture;
use sea_orm::DatabaseTransaction;

use crate::error::AppError;
use crate::kit::ResourceInfo;

/// A seed step: brings a tenant database's data in step with the code (idempotent; run at
/// provisioning and by every `erp migrate`, inside their transaction).
pub type Seed = for<'a> fn(&'a DatabaseTransaction) -> BoxFuture<'a, Result<(), AppError>>;

/// What a module declares to the rest of the system.
pub struct Module {
    /// The module's name, the first part of its permissions (`crm` for `crm.lead.read`).
    pub name: &'static str,
    /// Its permissions (from `authz::catalog`), each with what it allows, in the order the
    /// `permissions` query lists them.
    pub permissions: &'static [(&'static str, &'static str)],
    /// Its resources, declared to the kit.
    pub resources: &'static [&'static ResourceInfo],
    /// Its seed step, if it has one.
    pub seed: Option<Seed>,
}

/// Every module, in the order their permissions are listed and their seeds run.
pub const MODULES: &[&Module] = &[
    &identity::MODULE,
    &master::MODULE,
    &crm::MODULE,
    &finance::MODULE,
    &billing::MODULE,
    &sales::MODULE,
];

/// Every module's resources (see `crate::kit::resource`): role grants, the audit log and the
/// test sweeps read their declarations from here.
pub fn resources() -> impl Iterator<Item = &'static ResourceInfo> {
    MODULES.iter().flat_map(|m| m.resources.iter()).copied()
}

/// The declaration of resource `name` (as audit entries name it).
pub fn resource(name: &str) -> Option<&'static ResourceInfo> {
    resources().find(|r| r.name == name)
}

/// Every permission with what it allows, module by module.
pub fn permissions() -> impl Iterator<Item = (&'static str, &'static str)> {
    MODULES.iter().flat_map(|m| m.permissions.iter()).copied()
}

/// Runs every module's seed step in `txn`, in registry order: provisioning and `erp migrate`
/// both call this, so a new tenant and an upgraded one hold the same data.
pub async fn seed(txn: &DatabaseTransaction) -> Result<(), AppError> {
    for seed in MODULES.iter().filter_map(|m| m.seed) {
        seed(txn).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use entities::billing::{
        invoice, invoice_line, invoice_line_tax, invoice_tax, payment, payment_allocation,
    };
    use entities::crm::{activity, lead, opportunity, pipeline_stage};
    use entities::finance::{account, journal, journal_entry, journal_line, ledger_setting};
    use entities::identity::{api_key, role, user_account};
    use entities::master::{
        contact, customer, exchange_rate, payment_term, product, product_category, supplier,
        tax_rate, warehouse,
    };
    use entities::sales::{
        quotation, quotation_line, sales_invoice_line, sales_order, sales_order_line, sales_setting,
    };
    use migration::MigratorTrait;
    use sea_orm::{ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement};

    use crate::kit::Resource;
    use crate::kit::resource::check_keys;

    /// Tables with foreign keys that are no resource of the kit (nothing writes them through
    /// `kit::write`), each with why.
    const NOT_RESOURCES: &[&str] = &[
        // Identity's own tables, written by its services with their own checks (a role or a
        // user named by id is looked up and answered `NOT_FOUND`/`VALIDATION` first).
        "role_grant",
        "user_role",
        // A user's notifications, written only by `modules::notifications` for recipients it
        // chose itself (never a reference given by a caller).
        "notification",
    ];

    /// The foreign keys of `table`: (column, parent table, parent column).
    async fn keys(db: &DatabaseConnection, table: &str) -> Vec<(String, String, String)> {
        let sql = format!(
            r#"SELECT "from", "table", "to" FROM pragma_foreign_key_list('{table}') ORDER BY "from""#
        );
        let rows = db
            .query_all_raw(Statement::from_string(DbBackend::Sqlite, sql))
            .await
            .unwrap();
        rows.iter()
            .map(|r| {
                (
                    r.try_get_by_index(0).unwrap(),
                    r.try_get_by_index(1).unwrap(),
                    r.try_get_by_index(2).unwrap(),
                )
            })
            .collect()
    }

    /// The columns of `table` with a single-column unique index (not the primary key).
    async fn unique_columns(db: &DatabaseConnection, table: &str) -> Vec<String> {
        let sql = format!(
            r#"SELECT min(ii.name) FROM pragma_index_list('{table}') AS il
               JOIN pragma_index_info(il.name) AS ii
               WHERE il."unique" = 1 AND il.origin <> 'pk'
               GROUP BY il.name HAVING count(*) = 1 ORDER BY 1"#
        );
        let rows = db
            .query_all_raw(Statement::from_string(DbBackend::Sqlite, sql))
            .await
            .unwrap();
        rows.iter()
            .map(|r| r.try_get_by_index(0).unwrap())
            .collect()
    }

    /// Checks `R`'s references against its table's keys and its unique columns against the
    /// table's unique indexes; returns the table.
    async fn check<R: Resource + Default>(db: &DatabaseConnection) -> String {
        let table = R::default().table_name().to_owned();
        assert_eq!(check_keys::<R>(&keys(db, &table).await), Ok(()));
        let mut declared: Vec<String> = R::INFO.unique.iter().map(|(c, _)| c.to_string()).collect();
        declared.sort();
        assert_eq!(
            declared,
            unique_columns(db, &table).await,
            "{table}: declare every unique column in the resource's `unique`"
        );
        table
    }

    #[tokio::test]
    async fn every_foreign_key_and_unique_column_of_the_tenant_schema_is_declared() {
        let db = Database::connect("sqlite::memory:").await.unwrap();
        migration::tenant::Migrator::up(&db, None).await.unwrap();
        let checked = vec![
            check::<user_account::Entity>(&db).await,
            check::<role::Entity>(&db).await,
            check::<api_key::Entity>(&db).await,
            check::<customer::Entity>(&db).await,
            check::<supplier::Entity>(&db).await,
            check::<contact::Entity>(&db).await,
            check::<product::Entity>(&db).await,
            check::<tax_rate::Entity>(&db).await,
            check::<payment_term::Entity>(&db).await,
            check::<product_category::Entity>(&db).await,
            check::<warehouse::Entity>(&db).await,
            check::<exchange_rate::Entity>(&db).await,
            check::<lead::Entity>(&db).await,
            check::<opportunity::Entity>(&db).await,
            check::<activity::Entity>(&db).await,
            check::<pipeline_stage::Entity>(&db).await,
            check::<account::Entity>(&db).await,
            check::<journal::Entity>(&db).await,
            check::<journal_entry::Entity>(&db).await,
            check::<journal_line::Entity>(&db).await,
            check::<ledger_setting::Entity>(&db).await,
            check::<invoice::Entity>(&db).await,
            check::<invoice_line::Entity>(&db).await,
            check::<invoice_line_tax::Entity>(&db).await,
            check::<invoice_tax::Entity>(&db).await,
            check::<payment::Entity>(&db).await,
            check::<payment_allocation::Entity>(&db).await,
            check::<quotation::Entity>(&db).await,
            check::<quotation_line::Entity>(&db).await,
            check::<sales_order::Entity>(&db).await,
            check::<sales_order_line::Entity>(&db).await,
            check::<sales_invoice_line::Entity>(&db).await,
            check::<sales_setting::Entity>(&db).await,
        ];
        let tables = db
            .query_all_raw(Statement::from_string(
                DbBackend::Sqlite,
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
            ))
            .await
            .unwrap();
        let mut undeclared = Vec::new();
        for row in tables {
            let table: String = row.try_get_by_index(0).unwrap();
            if !keys(&db, &table).await.is_empty()
                && !checked.contains(&table)
                && !NOT_RESOURCES.contains(&table.as_str())
            {
                undeclared.push(table);
            }
        }
        assert!(
            undeclared.is_empty(),
            "{undeclared:?} have foreign keys: declare each a resource with its references, \
             and check it here, or list it in NOT_RESOURCES"
        );
    }

    /// `NAME` → permission of every permission constant of the catalog.
    fn catalog_constants() -> Vec<(String, String)> {
        include_str!("../authz/catalog.rs")
            .lines()
            .filter_map(|line| line.strip_prefix("pub const "))
            .filter_map(|rest| {
                let (name, value) = rest.split_once(": &str = \"")?;
                let value = value.strip_suffix("\";")?;
                value
                    .contains('.')
                    .then(|| (name.to_owned(), value.to_owned()))
            })
            .collect()
    }

    /// The constants named by `Require(…)` guards and `.require(…)` calls in `dir`'s sources.
    fn required_constants(dir: &std::path::Path, found: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                required_constants(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                for opening in ["Require(", ".require("] {
                    for (at, _) in text.match_indices(opening) {
                        // A constant's path, alone in the call: `X_READ`, `catalog::X_READ`.
                        let rest = &text[at + opening.len()..];
                        let path: String = rest
                            .chars()
                            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == ':')
                            .collect();
                        let name = path.rsplit("::").next().unwrap_or_default();
                        if rest[path.len()..].starts_with(')')
                            && name.len() > 1
                            && name.chars().all(|c| c.is_ascii_uppercase() || c == '_')
                        {
                            found.push(name.to_owned());
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn every_permission_in_use_is_declared_once_by_its_module() {
        let declared: Vec<&str> = super::permissions().map(|(name, _)| name).collect();
        for (i, name) in declared.iter().enumerate() {
            assert!(!declared[..i].contains(name), "{name} is declared twice");
        }
        for module in super::MODULES {
            for (name, description) in module.permissions {
                assert!(
                    name.starts_with(&format!("{}.", module.name)),
                    "{} declares {name}",
                    module.name
                );
                assert!(!description.is_empty(), "{name} has no description");
            }
        }
        let constants = catalog_constants();
        assert!(constants.len() >= declared.len(), "{constants:?}");
        for (constant, value) in &constants {
            assert!(
                declared.contains(&value.as_str()),
                "catalog::{constant} ({value}) is declared by no module"
            );
        }
        let mut required = Vec::new();
        required_constants(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut required,
        );
        assert!(!required.is_empty());
        for name in required {
            assert!(
                constants.iter().any(|(constant, _)| *constant == name),
                "a guard requires {name}, which is no permission of the catalog"
            );
        }
        for resource in super::resources() {
            let used = [resource.read, resource.write]
                .into_iter()
                .chain(resource.sensitive.iter().map(|(_, p)| *p));
            for permission in used {
                assert!(
                    declared.contains(&permission),
                    "{} uses {permission}, declared by no module",
                    resource.name
                );
            }
        }
    }
}
