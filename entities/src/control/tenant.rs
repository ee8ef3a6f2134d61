//! `tenant`: one row per customer company, naming the database server and database that hold
//! its data. The row is written first (status `provisioning`) and marked `active` only when the
//! database is migrated and seeded, so a half-done provisioning is visible and resumable.

use sea_orm::entity::prelude::*;

/// Where a tenant is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum TenantStatus {
    /// Being created; not usable until provisioning finishes.
    #[sea_orm(string_value = "provisioning")]
    Provisioning,
    /// Usable, on a trial plan.
    #[sea_orm(string_value = "trial")]
    Trial,
    /// Usable.
    #[sea_orm(string_value = "active")]
    Active,
    /// Kept, but nobody can sign in.
    #[sea_orm(string_value = "suspended")]
    Suspended,
    /// Ended; the database is kept for export until deleted by an operator.
    #[sea_orm(string_value = "closed")]
    Closed,
}

impl TenantStatus {
    /// Whether users of a tenant in this status may use the API.
    pub fn is_usable(self) -> bool {
        matches!(self, Self::Trial | Self::Active)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tenant")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Short stable name, `[a-z][a-z0-9-]*`; it names the tenant's database.
    #[sea_orm(unique)]
    pub slug: String,
    pub name: String,
    pub status: TenantStatus,
    /// Name of the configured database server holding the tenant (`default`, or one of
    /// `ERP_DB_SERVERS`), so tenants can be spread over servers without a data migration.
    pub db_server: String,
    /// Database name on that server (PostgreSQL), or file name under `tenants/` (SQLite).
    pub db_name: String,
    /// Name of the last tenant migration applied to the tenant's database.
    pub schema_version: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
