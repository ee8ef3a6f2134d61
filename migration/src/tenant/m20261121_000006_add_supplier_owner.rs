//! Suppliers get an owner (the user responsible), like customers.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Supplier {
    Table,
    OwnerId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Supplier::Table)
                    .add_column(uuid_null(Supplier::OwnerId))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Supplier::Table)
                    .drop_column(Supplier::OwnerId)
                    .to_owned(),
            )
            .await
    }
}
