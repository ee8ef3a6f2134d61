//! Migrations of every tenant database. `erp migrate` applies them to each tenant inside one
//! transaction per tenant, so a tenant is never left half-migrated.

use sea_orm_migration::prelude::*;

mod m20261121_000001_create_user_account;
mod m20261121_000002_create_tenant_setting;
mod m20261121_000003_create_access_control;
mod m20261121_000004_create_master_data;
mod m20261121_000005_create_crm;
mod m20261121_000006_add_supplier_owner;
mod m20261122_000010_reference_keys;
mod m20261122_000011_archive_opportunities;
mod m20261123_000012_create_events;
mod m20261123_000013_activity_due_index;
mod m20261207_000014_create_ledger;
mod m20261207_000015_tax_rate_kind;
mod m20261207_000016_create_billing;
mod m20261207_000017_create_sales;

/// Runs a tenant database's migrations.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261121_000001_create_user_account::Migration),
            Box::new(m20261121_000002_create_tenant_setting::Migration),
            Box::new(m20261121_000003_create_access_control::Migration),
            Box::new(m20261121_000004_create_master_data::Migration),
            Box::new(m20261121_000005_create_crm::Migration),
            Box::new(m20261121_000006_add_supplier_owner::Migration),
            Box::new(m20261122_000010_reference_keys::Migration),
            Box::new(m20261122_000011_archive_opportunities::Migration),
            Box::new(m20261123_000012_create_events::Migration),
            Box::new(m20261123_000013_activity_due_index::Migration),
            Box::new(m20261207_000014_create_ledger::Migration),
            Box::new(m20261207_000015_tax_rate_kind::Migration),
            Box::new(m20261207_000016_create_billing::Migration),
            Box::new(m20261207_000017_create_sales::Migration),
        ]
    }
}
