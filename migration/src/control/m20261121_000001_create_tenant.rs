//! The tenant registry.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Tenant {
    Table,
    Id,
    Slug,
    Name,
    Status,
    DbServer,
    DbName,
    SchemaVersion,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Tenant::Table)
                    .col(pk_uuid(Tenant::Id))
                    .col(string_len(Tenant::Slug, 40).unique_key())
                    .col(string_len(Tenant::Name, 200))
                    .col(string_len(Tenant::Status, 16))
                    .col(string_len(Tenant::DbServer, 64))
                    .col(string_len(Tenant::DbName, 63))
                    .col(string_null(Tenant::SchemaVersion))
                    .col(timestamp_with_time_zone(Tenant::CreatedAt))
                    .col(timestamp_with_time_zone(Tenant::UpdatedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Tenant::Table).to_owned())
            .await
    }
}
