//! The tenant registry: reads and writes of the control database's `tenant` table.

use chrono::Utc;
use entities::control::tenant::{self, TenantStatus};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

use crate::error::AppError;
use crate::tenancy::slug::Slug;

/// The tenant with this slug, if any.
pub async fn find_by_slug<C: ConnectionTrait>(
    db: &C,
    slug: &str,
) -> Result<Option<tenant::Model>, AppError> {
    Ok(tenant::Entity::find()
        .filter(tenant::Column::Slug.eq(slug))
        .one(db)
        .await?)
}

/// The tenant with this id, if any.
pub async fn find_by_id<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
) -> Result<Option<tenant::Model>, AppError> {
    Ok(tenant::Entity::find_by_id(id).one(db).await?)
}

/// All tenants, by slug.
pub async fn list<C: ConnectionTrait>(db: &C) -> Result<Vec<tenant::Model>, AppError> {
    Ok(tenant::Entity::find()
        .order_by_asc(tenant::Column::Slug)
        .all(db)
        .await?)
}

/// Registers a tenant in status `provisioning`. A slug taken meanwhile is a `CONFLICT`.
pub async fn insert_provisioning<C: ConnectionTrait>(
    db: &C,
    slug: &Slug,
    name: &str,
    db_server: &str,
    db_name: &str,
) -> Result<tenant::Model, AppError> {
    let now = Utc::now();
    let row = tenant::ActiveModel {
        id: Set(Uuid::now_v7()),
        slug: Set(slug.as_str().to_owned()),
        name: Set(name.to_owned()),
        status: Set(TenantStatus::Provisioning),
        db_server: Set(db_server.to_owned()),
        db_name: Set(db_name.to_owned()),
        schema_version: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    };
    row.insert(db).await.map_err(|e| match e.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => {
            AppError::Conflict(format!("tenant `{slug}` already exists"))
        }
        _ => e.into(),
    })
}

/// Records a tenant's status and, when given, its schema version.
pub async fn update_state<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    status: TenantStatus,
    schema_version: Option<String>,
) -> Result<tenant::Model, AppError> {
    let mut row = tenant::ActiveModel {
        id: Set(id),
        status: Set(status),
        updated_at: Set(Utc::now()),
        ..Default::default()
    };
    if let Some(version) = schema_version {
        row.schema_version = Set(Some(version));
    }
    Ok(row.update(db).await?)
}

/// Records the schema version of a tenant's database, leaving its status alone: a migration run
/// must not undo a suspension that happened while it ran.
pub async fn set_schema_version<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    schema_version: &str,
) -> Result<(), AppError> {
    tenant::Entity::update_many()
        .col_expr(tenant::Column::SchemaVersion, Expr::value(schema_version))
        .col_expr(tenant::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(tenant::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}
