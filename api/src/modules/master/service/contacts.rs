//! Contacts: people at a customer or a supplier.

use chrono::Utc;
use entities::master::{contact, customer, supplier};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    Select, Set,
};
use uuid::Uuid;

use crate::audit::{self, AuditActor, Changes};
use crate::authz::Access;
use crate::authz::catalog::{CUSTOMER_READ, CUSTOMER_WRITE, SUPPLIER_READ, SUPPLIER_WRITE};
use crate::db::begin_write;
use crate::error::AppError;
use crate::modules::common::{optional_email, optional_text, save_versioned, text};

/// A contact's content.
#[derive(Debug, Clone, Default)]
pub struct ContactInput {
    /// Name.
    pub name: String,
    /// Email.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Job title.
    pub job_title: Option<String>,
}

/// Contacts `access` may see: of customers (or one customer), or of one supplier.
pub fn visible(
    access: &Access,
    customer_id: Option<Uuid>,
    supplier_id: Option<Uuid>,
) -> Result<Select<contact::Entity>, AppError> {
    if let Some(id) = supplier_id {
        access.require(SUPPLIER_READ)?;
        return Ok(contact::Entity::find().filter(contact::Column::SupplierId.eq(id)));
    }
    access.require(CUSTOMER_READ)?;
    let mut query = contact::Entity::find().filter(contact::Column::CustomerId.is_not_null());
    if let Some(id) = customer_id {
        query = query.filter(contact::Column::CustomerId.eq(id));
    }
    Ok(query)
}

/// Adds a contact to customer `customer_id`.
pub async fn create_contact_in<C: ConnectionTrait>(
    db: &C,
    access: &Access,
    actor: AuditActor,
    customer_id: Uuid,
    input: ContactInput,
) -> Result<contact::Model, AppError> {
    access.require(CUSTOMER_WRITE)?;
    customer::Entity::find_by_id(customer_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::validation("input.customerId", "no such customer"))?;
    let now = Utc::now();
    let row = contact::ActiveModel {
        id: Set(Uuid::now_v7()),
        customer_id: Set(Some(customer_id)),
        supplier_id: Set(None),
        name: Set(text(&input.name, "input.name", 200)?),
        email: Set(optional_email(input.email.as_deref(), "input.email")?),
        phone: Set(optional_text(input.phone.as_deref(), "input.phone", 40)?),
        job_title: Set(optional_text(
            input.job_title.as_deref(),
            "input.jobTitle",
            100,
        )?),
        is_active: Set(true),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;
    audit::record(
        db,
        actor,
        "contact",
        row.id,
        "create",
        Changes::new()
            .field("customerId", None::<Uuid>, row.customer_id)
            .field("name", None::<String>, &row.name)
            .field("email", None::<String>, &row.email),
    )
    .await?;
    Ok(row)
}

/// Adds a contact to supplier `supplier_id`.
pub async fn create_supplier_contact_in<C: ConnectionTrait>(
    db: &C,
    access: &Access,
    actor: AuditActor,
    supplier_id: Uuid,
    input: ContactInput,
) -> Result<contact::Model, AppError> {
    access.require(SUPPLIER_WRITE)?;
    supplier::Entity::find_by_id(supplier_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::validation("input.supplierId", "no such supplier"))?;
    let now = Utc::now();
    let row = contact::ActiveModel {
        id: Set(Uuid::now_v7()),
        customer_id: Set(None),
        supplier_id: Set(Some(supplier_id)),
        name: Set(text(&input.name, "input.name", 200)?),
        email: Set(optional_email(input.email.as_deref(), "input.email")?),
        phone: Set(optional_text(input.phone.as_deref(), "input.phone", 40)?),
        job_title: Set(optional_text(
            input.job_title.as_deref(),
            "input.jobTitle",
            100,
        )?),
        is_active: Set(true),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;
    audit::record(
        db,
        actor,
        "contact",
        row.id,
        "create",
        Changes::new()
            .field("supplierId", None::<Uuid>, row.supplier_id)
            .field("name", None::<String>, &row.name),
    )
    .await?;
    Ok(row)
}

/// Updates a contact if `expected_version` is current.
pub async fn update_contact(
    db: &DatabaseConnection,
    access: &Access,
    actor: AuditActor,
    id: Uuid,
    input: ContactInput,
    expected_version: i32,
) -> Result<contact::Model, AppError> {
    access.require(CUSTOMER_WRITE)?;
    let txn = begin_write(db).await?;
    let before = contact::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound { entity: "contact" })?;
    if before.supplier_id.is_some() {
        access.require(SUPPLIER_WRITE)?;
    }
    let mut row: contact::ActiveModel = before.clone().into();
    row.name = Set(text(&input.name, "input.name", 200)?);
    row.email = Set(optional_email(input.email.as_deref(), "input.email")?);
    row.phone = Set(optional_text(input.phone.as_deref(), "input.phone", 40)?);
    row.job_title = Set(optional_text(
        input.job_title.as_deref(),
        "input.jobTitle",
        100,
    )?);
    row.version = Set(expected_version + 1);
    row.updated_at = Set(Utc::now());
    save_versioned(
        &txn,
        row,
        id,
        contact::Column::Id,
        contact::Column::Version,
        expected_version,
        "contact",
    )
    .await?;
    let after = contact::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound { entity: "contact" })?;
    audit::record(
        &txn,
        actor,
        "contact",
        id,
        "update",
        Changes::new()
            .field("name", &before.name, &after.name)
            .field("email", &before.email, &after.email)
            .field("phone", &before.phone, &after.phone)
            .field("jobTitle", &before.job_title, &after.job_title),
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}
