//! ERP modules, one folder each: `mod.rs`, `graphql.rs` (types, resolvers), `service.rs`
//! (rules and transactions, no GraphQL types), `loaders.rs` (DataLoaders, when needed).

pub mod common;
pub mod crm;
pub mod identity;
pub mod master;

use crate::kit::ResourceInfo;

/// Every module's resources (see `crate::kit::resource`): role grants, the audit log and the
/// test sweeps read their declarations from here.
pub fn resources() -> impl Iterator<Item = &'static ResourceInfo> {
    [
        identity::resources::RESOURCES,
        master::resources::RESOURCES,
        crm::resources::RESOURCES,
    ]
    .into_iter()
    .flatten()
    .copied()
}

/// The declaration of resource `name` (as audit entries name it).
pub fn resource(name: &str) -> Option<&'static ResourceInfo> {
    resources().find(|r| r.name == name)
}

#[cfg(test)]
mod tests {
    use entities::crm::{activity, lead, opportunity, pipeline_stage};
    use entities::identity::user_account;
    use entities::master::{
        contact, customer, exchange_rate, payment_term, product, product_category, supplier,
        tax_rate, warehouse,
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
        "api_key",
        "role_grant",
        "user_role",
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

    /// Checks `R`'s references against its table's keys; returns the table.
    async fn check<R: Resource + Default>(db: &DatabaseConnection) -> String {
        let table = R::default().table_name().to_owned();
        assert_eq!(check_keys::<R>(&keys(db, &table).await), Ok(()));
        table
    }

    #[tokio::test]
    async fn every_foreign_key_of_the_tenant_schema_is_a_declared_reference() {
        let db = Database::connect("sqlite::memory:").await.unwrap();
        migration::tenant::Migrator::up(&db, None).await.unwrap();
        let checked = vec![
            check::<user_account::Entity>(&db).await,
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
}
