//! The reminders job asks for open activities that fell due since its last run: an index on
//! `activity.due_at` keeps that a range read, not a scan of every activity, each tick.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Activity {
    Table,
    DueAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("ix_activity_due_at")
                    .table(Activity::Table)
                    .col(Activity::DueAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name("ix_activity_due_at").to_owned())
            .await
    }
}
