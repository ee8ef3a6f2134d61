//! Real time and background work: the transactional `outbox` (every domain event, written in
//! the transaction of its change, numbered per tenant by `seq`), `notification` (one user's
//! message, read or not) and `job` (background work claimed by one runner at a time).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Outbox {
    Table,
    Seq,
    Entity,
    EntityId,
    Kind,
    Version,
    Audience,
    At,
    SentAt,
}

#[derive(DeriveIden)]
enum Notification {
    Table,
    Id,
    RecipientId,
    Kind,
    Title,
    Body,
    Entity,
    EntityId,
    DedupKey,
    CreatedAt,
    ReadAt,
}

#[derive(DeriveIden)]
enum Job {
    Table,
    Id,
    Kind,
    UniqueKey,
    Payload,
    Status,
    RunAt,
    Attempts,
    MaxAttempts,
    LockedUntil,
    LastError,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum UserAccount {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Outbox::Table)
                    // BIGINT identity on PostgreSQL; INTEGER PRIMARY KEY AUTOINCREMENT on
                    // SQLite, so a number is never handed out twice, even after old rows go.
                    .col(big_integer(Outbox::Seq).auto_increment().primary_key())
                    .col(string(Outbox::Entity))
                    .col(uuid(Outbox::EntityId))
                    .col(string(Outbox::Kind))
                    .col(integer_null(Outbox::Version))
                    .col(string(Outbox::Audience))
                    .col(timestamp_with_time_zone(Outbox::At))
                    .col(timestamp_with_time_zone_null(Outbox::SentAt))
                    .to_owned(),
            )
            .await?;
        // The relay's question, "what is not sent yet, in order", reads only unsent rows.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE INDEX ix_outbox_unsent ON outbox (seq) WHERE sent_at IS NULL",
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Notification::Table)
                    .col(pk_uuid(Notification::Id))
                    .col(uuid(Notification::RecipientId))
                    .col(string(Notification::Kind))
                    .col(string(Notification::Title))
                    .col(string(Notification::Body))
                    .col(string_null(Notification::Entity))
                    .col(uuid_null(Notification::EntityId))
                    .col(string_null(Notification::DedupKey).unique_key())
                    .col(timestamp_with_time_zone(Notification::CreatedAt))
                    .col(timestamp_with_time_zone_null(Notification::ReadAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_notification_recipient_id")
                            .from(Notification::Table, Notification::RecipientId)
                            .to(UserAccount::Table, UserAccount::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_notification_recipient")
                    .table(Notification::Table)
                    .col(Notification::RecipientId)
                    .col(Notification::Id)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Job::Table)
                    .col(pk_uuid(Job::Id))
                    .col(string(Job::Kind))
                    .col(string_null(Job::UniqueKey).unique_key())
                    .col(string(Job::Payload))
                    .col(string(Job::Status))
                    .col(timestamp_with_time_zone(Job::RunAt))
                    .col(integer(Job::Attempts))
                    .col(integer(Job::MaxAttempts))
                    .col(timestamp_with_time_zone_null(Job::LockedUntil))
                    .col(string_null(Job::LastError))
                    .col(timestamp_with_time_zone(Job::CreatedAt))
                    .col(timestamp_with_time_zone(Job::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_job_due")
                    .table(Job::Table)
                    .col(Job::Status)
                    .col(Job::RunAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["job", "notification", "outbox"] {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
