//! The audit trail of tenant lifecycle changes (suspend, resume, close).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum TenantStatusChange {
    Table,
    Id,
    At,
    Operator,
    TenantId,
    Action,
    Reason,
    StatusBefore,
    StatusAfter,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(TenantStatusChange::Table)
                    .col(pk_uuid(TenantStatusChange::Id))
                    .col(timestamp_with_time_zone(TenantStatusChange::At))
                    .col(string_len(TenantStatusChange::Operator, 128))
                    .col(uuid(TenantStatusChange::TenantId))
                    .col(string_len(TenantStatusChange::Action, 16))
                    .col(text(TenantStatusChange::Reason))
                    .col(string_len(TenantStatusChange::StatusBefore, 16))
                    .col(string_len(TenantStatusChange::StatusAfter, 16))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_tenant_status_change_tenant")
                    .table(TenantStatusChange::Table)
                    .col(TenantStatusChange::TenantId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(TenantStatusChange::Table).to_owned())
            .await
    }
}
