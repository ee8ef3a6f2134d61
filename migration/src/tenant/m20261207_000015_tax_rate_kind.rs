//! Tax rates say what kind of supply they tax (`STANDARD`, `ZERO_RATED`, `EXEMPT`: zero-rated
//! and exempt both charge nothing but are reported apart) and whether they are compound
//! (levied on the price plus the line's earlier taxes). Existing rates become standard,
//! non-compound ones, which is what they were.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum TaxRate {
    Table,
    Kind,
    Compound,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        manager
            .alter_table(
                Table::alter()
                    .table(TaxRate::Table)
                    .add_column(string(TaxRate::Kind).default("STANDARD"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(TaxRate::Table)
                    .add_column(boolean(TaxRate::Compound).default(false))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [TaxRate::Compound, TaxRate::Kind] {
            manager
                .alter_table(
                    Table::alter()
                        .table(TaxRate::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
