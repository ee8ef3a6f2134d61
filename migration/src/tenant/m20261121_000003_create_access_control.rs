//! Roles and grants, refresh tokens, API keys, login throttling and the audit trail; a version
//! column on users.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum UserAccount {
    Table,
    Version,
}

#[derive(DeriveIden)]
enum Role {
    Table,
    Id,
    Name,
    Description,
    IsSystem,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum RoleGrant {
    Table,
    RoleId,
    Permission,
    Scope,
}

#[derive(DeriveIden)]
enum UserRole {
    Table,
    UserId,
    RoleId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum RefreshToken {
    Table,
    Id,
    FamilyId,
    UserId,
    TokenHash,
    ExpiresAt,
    UsedAt,
    RevokedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ApiKey {
    Table,
    Id,
    Name,
    SecretHash,
    RoleId,
    CreatedBy,
    CreatedAt,
    LastUsedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum LoginThrottle {
    Table,
    Key,
    Failures,
    WindowStart,
    LockedUntil,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AuditEntry {
    Table,
    Id,
    At,
    ActorType,
    ActorId,
    RequestId,
    Entity,
    EntityId,
    Action,
    Changes,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(UserAccount::Table)
                    .add_column(integer(UserAccount::Version).default(1))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Role::Table)
                    .col(pk_uuid(Role::Id))
                    .col(string_len(Role::Name, 100).unique_key())
                    .col(text(Role::Description))
                    .col(boolean(Role::IsSystem))
                    .col(integer(Role::Version))
                    .col(timestamp_with_time_zone(Role::CreatedAt))
                    .col(timestamp_with_time_zone(Role::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RoleGrant::Table)
                    .col(uuid(RoleGrant::RoleId))
                    .col(string_len(RoleGrant::Permission, 120))
                    .col(string_len(RoleGrant::Scope, 8))
                    .primary_key(
                        Index::create()
                            .col(RoleGrant::RoleId)
                            .col(RoleGrant::Permission),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(RoleGrant::Table, RoleGrant::RoleId)
                            .to(Role::Table, Role::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(UserRole::Table)
                    .col(uuid(UserRole::UserId))
                    .col(uuid(UserRole::RoleId))
                    .col(timestamp_with_time_zone(UserRole::CreatedAt))
                    .primary_key(Index::create().col(UserRole::UserId).col(UserRole::RoleId))
                    .foreign_key(
                        ForeignKey::create()
                            .from(UserRole::Table, UserRole::UserId)
                            .to(UserAccount::Table, Alias::new("id")),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(UserRole::Table, UserRole::RoleId)
                            .to(Role::Table, Role::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RefreshToken::Table)
                    .col(pk_uuid(RefreshToken::Id))
                    .col(uuid(RefreshToken::FamilyId))
                    .col(uuid(RefreshToken::UserId))
                    .col(string_len(RefreshToken::TokenHash, 64).unique_key())
                    .col(timestamp_with_time_zone(RefreshToken::ExpiresAt))
                    .col(timestamp_with_time_zone_null(RefreshToken::UsedAt))
                    .col(timestamp_with_time_zone_null(RefreshToken::RevokedAt))
                    .col(timestamp_with_time_zone(RefreshToken::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_refresh_token_family")
                    .table(RefreshToken::Table)
                    .col(RefreshToken::FamilyId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ApiKey::Table)
                    .col(pk_uuid(ApiKey::Id))
                    .col(string_len(ApiKey::Name, 100))
                    .col(string_len(ApiKey::SecretHash, 64))
                    .col(uuid(ApiKey::RoleId))
                    .col(uuid_null(ApiKey::CreatedBy))
                    .col(timestamp_with_time_zone(ApiKey::CreatedAt))
                    .col(timestamp_with_time_zone_null(ApiKey::LastUsedAt))
                    .col(timestamp_with_time_zone_null(ApiKey::RevokedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ApiKey::Table, ApiKey::RoleId)
                            .to(Role::Table, Role::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(LoginThrottle::Table)
                    .col(string_len(LoginThrottle::Key, 340).primary_key())
                    .col(integer(LoginThrottle::Failures))
                    .col(timestamp_with_time_zone(LoginThrottle::WindowStart))
                    .col(timestamp_with_time_zone_null(LoginThrottle::LockedUntil))
                    .col(timestamp_with_time_zone(LoginThrottle::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AuditEntry::Table)
                    .col(pk_uuid(AuditEntry::Id))
                    .col(timestamp_with_time_zone(AuditEntry::At))
                    .col(string_len(AuditEntry::ActorType, 16))
                    .col(uuid_null(AuditEntry::ActorId))
                    .col(string_len(AuditEntry::RequestId, 64))
                    .col(string_len(AuditEntry::Entity, 64))
                    .col(uuid(AuditEntry::EntityId))
                    .col(string_len(AuditEntry::Action, 64))
                    .col(text(AuditEntry::Changes))
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("ix_audit_entry_entity", AuditEntry::EntityId),
            ("ix_audit_entry_actor", AuditEntry::ActorId),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(AuditEntry::Table)
                        .col(col)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            AuditEntry::Table.into_iden(),
            LoginThrottle::Table.into_iden(),
            ApiKey::Table.into_iden(),
            RefreshToken::Table.into_iden(),
            UserRole::Table.into_iden(),
            RoleGrant::Table.into_iden(),
            Role::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(UserAccount::Table)
                    .drop_column(UserAccount::Version)
                    .to_owned(),
            )
            .await
    }
}
