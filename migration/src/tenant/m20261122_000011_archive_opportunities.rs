//! Opportunities can be archived like customers and products: `is_active`, true for every
//! existing row.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Opportunity {
    Table,
    IsActive,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Opportunity::Table)
                    .add_column(boolean(Opportunity::IsActive).default(true))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Opportunity::Table)
                    .drop_column(Opportunity::IsActive)
                    .to_owned(),
            )
            .await
    }
}
