//! Migrations of the control database.

use sea_orm_migration::prelude::*;

mod m20261121_000001_create_tenant;
mod m20261122_000001_create_tenant_status_change;
mod m20261122_000002_create_sign_in_throttle;

/// Runs the control database's migrations.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261121_000001_create_tenant::Migration),
            Box::new(m20261122_000001_create_tenant_status_change::Migration),
            Box::new(m20261122_000002_create_sign_in_throttle::Migration),
        ]
    }
}
