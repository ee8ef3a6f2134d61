//! Users of the tenant.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum UserAccount {
    Table,
    Id,
    Email,
    DisplayName,
    Phone,
    PasswordHash,
    IsActive,
    LastLoginAt,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(UserAccount::Table)
                    .col(pk_uuid(UserAccount::Id))
                    .col(string_len(UserAccount::Email, 320).unique_key())
                    .col(string_len(UserAccount::DisplayName, 200))
                    .col(string_len_null(UserAccount::Phone, 40))
                    .col(text(UserAccount::PasswordHash))
                    .col(boolean(UserAccount::IsActive))
                    .col(timestamp_with_time_zone_null(UserAccount::LastLoginAt))
                    .col(timestamp_with_time_zone(UserAccount::CreatedAt))
                    .col(timestamp_with_time_zone(UserAccount::UpdatedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(UserAccount::Table).to_owned())
            .await
    }
}
