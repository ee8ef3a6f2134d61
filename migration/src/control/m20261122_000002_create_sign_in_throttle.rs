//! `sign_in_throttle`: failed sign-in and password-check counters, in the control database so
//! that an unknown tenant is throttled exactly like a known one and a client address is counted
//! across tenants.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SignInThrottle {
    Table,
    Key,
    Failures,
    WindowStart,
    LockedUntil,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SignInThrottle::Table)
                    .col(string_len(SignInThrottle::Key, 80).primary_key())
                    .col(integer(SignInThrottle::Failures))
                    .col(timestamp_with_time_zone(SignInThrottle::WindowStart))
                    .col(timestamp_with_time_zone_null(SignInThrottle::LockedUntil))
                    .col(timestamp_with_time_zone(SignInThrottle::UpdatedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(SignInThrottle::Table).to_owned())
            .await
    }
}
