//! Suppliers: the customers' counterpart on the buying side, with the same patterns
//! (idempotent create, `expectedVersion`, archive instead of delete, audit).

use chrono::Utc;
use entities::master::{payment_term, supplier};
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    QueryFilter, Select, Set,
};
use uuid::Uuid;

use crate::audit::{self, AuditActor, Changes};
use crate::authz::Access;
use crate::authz::catalog::{SUPPLIER_READ, SUPPLIER_WRITE};
use crate::db::begin_write;
use crate::error::AppError;
use crate::modules::common::{
    create_with_client_id, escape_like, optional_email, optional_text, save_versioned, text,
};
use crate::modules::identity::service::references::require_active_user;
use crate::modules::master::service::reference::currency_digits;

/// A supplier's content.
#[derive(Debug, Clone, Default)]
pub struct SupplierInput {
    /// Legal name.
    pub name: String,
    /// Tax id.
    pub tax_id: Option<String>,
    /// Email.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Address.
    pub address: Option<String>,
    /// Payment terms.
    pub payment_term_id: Option<Uuid>,
    /// Currency.
    pub currency: String,
    /// Responsible user (default: the creator).
    pub owner_id: Option<Uuid>,
}

/// Suppliers `access` may see; `search` matches the name, email or tax id.
pub fn visible(
    access: &Access,
    search: Option<&str>,
    is_active: Option<bool>,
) -> Result<Select<supplier::Entity>, AppError> {
    access.require(SUPPLIER_READ)?;
    let mut query = supplier::Entity::find();
    if let Some(active) = is_active {
        query = query.filter(supplier::Column::IsActive.eq(active));
    }
    if let Some(search) = search.map(str::trim).filter(|s| !s.is_empty()) {
        let pattern = format!("%{}%", escape_like(&search.to_lowercase()));
        let like = || LikeExpr::new(pattern.as_str()).escape('\\');
        query = query.filter(
            Condition::any()
                .add(Expr::expr(Func::lower(Expr::col(supplier::Column::Name))).like(like()))
                .add(Expr::expr(Func::lower(Expr::col(supplier::Column::Email))).like(like()))
                .add(Expr::expr(Func::lower(Expr::col(supplier::Column::TaxId))).like(like())),
        );
    }
    Ok(query)
}

/// One supplier.
pub async fn get<C: ConnectionTrait>(
    db: &C,
    access: &Access,
    id: Uuid,
) -> Result<Option<supplier::Model>, AppError> {
    access.require(SUPPLIER_READ)?;
    Ok(supplier::Entity::find_by_id(id).one(db).await?)
}

async fn apply<C: ConnectionTrait>(
    db: &C,
    row: &mut supplier::ActiveModel,
    input: &SupplierInput,
) -> Result<(), AppError> {
    let (currency, _) = currency_digits(db, &input.currency, "input.currency").await?;
    if let Some(id) = input.payment_term_id
        && payment_term::Entity::find_by_id(id)
            .one(db)
            .await?
            .is_none()
    {
        return Err(AppError::validation(
            "input.paymentTermId",
            "no such payment term",
        ));
    }
    row.name = Set(text(&input.name, "input.name", 200)?);
    row.tax_id = Set(optional_text(input.tax_id.as_deref(), "input.taxId", 50)?);
    row.email = Set(optional_email(input.email.as_deref(), "input.email")?);
    row.phone = Set(optional_text(input.phone.as_deref(), "input.phone", 40)?);
    row.address = Set(optional_text(
        input.address.as_deref(),
        "input.address",
        1000,
    )?);
    row.payment_term_id = Set(input.payment_term_id);
    row.currency = Set(currency);
    require_active_user(db, input.owner_id, "input.ownerId").await?;
    if input.owner_id.is_some() {
        row.owner_id = Set(input.owner_id);
    }
    Ok(())
}

/// Creates a supplier (idempotent with a client-chosen `id`, also under concurrent replays).
pub async fn create(
    db: &DatabaseConnection,
    access: &Access,
    actor: AuditActor,
    id: Option<Uuid>,
    input: SupplierInput,
) -> Result<supplier::Model, AppError> {
    create_with_client_id(id, "supplier", || {
        create_once(db, access, actor, id, input.clone())
    })
    .await
}

// One attempt of `create` (see `create_with_client_id`).
async fn create_once(
    db: &DatabaseConnection,
    access: &Access,
    actor: AuditActor,
    id: Option<Uuid>,
    input: SupplierInput,
) -> Result<supplier::Model, AppError> {
    access.require(SUPPLIER_WRITE)?;
    let txn = begin_write(db).await?;
    let now = Utc::now();
    let mut row = supplier::ActiveModel {
        id: Set(id.unwrap_or_else(Uuid::now_v7)),
        owner_id: Set(access.user_id()),
        is_active: Set(true),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    apply(&txn, &mut row, &input).await?;
    if let Some(id) = id
        && let Some(existing) = supplier::Entity::find_by_id(id).one(&txn).await?
    {
        let same = Some(&existing.name) == row.name.try_as_ref()
            && Some(&existing.tax_id) == row.tax_id.try_as_ref()
            && Some(&existing.email) == row.email.try_as_ref()
            && Some(&existing.currency) == row.currency.try_as_ref();
        return if same {
            Ok(existing)
        } else {
            Err(AppError::Conflict(format!(
                "another supplier already has id {id}"
            )))
        };
    }
    let row = row.insert(&txn).await?;
    audit::record(
        &txn,
        actor,
        "supplier",
        row.id,
        "create",
        Changes::new()
            .field("name", None::<String>, &row.name)
            .field("taxId", None::<String>, &row.tax_id)
            .field("currency", None::<String>, &row.currency),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// Replaces a supplier's content if `expected_version` is current.
pub async fn update(
    db: &DatabaseConnection,
    access: &Access,
    actor: AuditActor,
    id: Uuid,
    input: SupplierInput,
    expected_version: i32,
) -> Result<supplier::Model, AppError> {
    access.require(SUPPLIER_WRITE)?;
    let txn = begin_write(db).await?;
    let before = supplier::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound { entity: "supplier" })?;
    let mut row: supplier::ActiveModel = before.clone().into();
    apply(&txn, &mut row, &input).await?;
    row.version = Set(expected_version + 1);
    row.updated_at = Set(Utc::now());
    save_versioned(
        &txn,
        row,
        id,
        supplier::Column::Id,
        supplier::Column::Version,
        expected_version,
        "supplier",
    )
    .await?;
    let after = supplier::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound { entity: "supplier" })?;
    audit::record(
        &txn,
        actor,
        "supplier",
        id,
        "update",
        Changes::new()
            .field("name", &before.name, &after.name)
            .field("taxId", &before.tax_id, &after.tax_id)
            .field("email", &before.email, &after.email)
            .field("currency", &before.currency, &after.currency)
            .field(
                "paymentTermId",
                before.payment_term_id,
                after.payment_term_id,
            )
            .field("ownerId", before.owner_id, after.owner_id),
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

/// Archives a supplier.
pub async fn archive(
    db: &DatabaseConnection,
    access: &Access,
    actor: AuditActor,
    id: Uuid,
) -> Result<supplier::Model, AppError> {
    access.require(SUPPLIER_WRITE)?;
    let txn = begin_write(db).await?;
    let before = supplier::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound { entity: "supplier" })?;
    if !before.is_active {
        return Ok(before);
    }
    let mut row: supplier::ActiveModel = before.clone().into();
    row.is_active = Set(false);
    row.version = Set(before.version + 1);
    row.updated_at = Set(Utc::now());
    save_versioned(
        &txn,
        row,
        id,
        supplier::Column::Id,
        supplier::Column::Version,
        before.version,
        "supplier",
    )
    .await?;
    audit::record(
        &txn,
        actor,
        "supplier",
        id,
        "archive",
        Changes::new().field("isActive", true, false),
    )
    .await?;
    txn.commit().await?;
    supplier::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound { entity: "supplier" })
}
