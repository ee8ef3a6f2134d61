//! Contacts: people at a customer or a supplier.
//!
//! A contact's rows are reached through its customer or supplier: reading and changing it
//! takes that side's permission (`master.customer.*` or `master.supplier.*`). Audit entries
//! are the kit's row diffs (`kit::audit::diff`), the update is the kit's versioned update,
//! and updates are patches: an omitted field is unchanged, an explicit `null` clears it.

use chrono::Utc;
use entities::master::{contact, customer, supplier};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, QueryTrait, Select, Set,
};
use uuid::Uuid;

use crate::authz::Access;
use crate::authz::catalog::{CUSTOMER_WRITE, SUPPLIER_WRITE};
use crate::error::AppError;
use crate::kit::resource::can_write;
use crate::kit::{self, Write, write};
use crate::modules::common::{optional_email, optional_text, text};

/// A change of a contact: `None` leaves a field as it is, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct ContactPatch {
    /// Name.
    pub name: Option<String>,
    /// Email.
    pub email: Option<Option<String>>,
    /// Phone.
    pub phone: Option<Option<String>>,
    /// Job title.
    pub job_title: Option<Option<String>>,
}

/// Contacts `access` may see: of customers (or one customer), or of one supplier; only
/// those whose customer or supplier the caller may see (a rep with scope `OWN` sees the
/// contacts of their own customers).
pub fn visible(
    access: &Access,
    customer_id: Option<Uuid>,
    supplier_id: Option<Uuid>,
) -> Result<Select<contact::Entity>, AppError> {
    if let Some(id) = supplier_id {
        let suppliers = kit::resource::visible::<supplier::Entity>(access)?
            .select_only()
            .column(supplier::Column::Id)
            .into_query();
        return Ok(contact::Entity::find()
            .filter(contact::Column::SupplierId.eq(id))
            .filter(contact::Column::SupplierId.in_subquery(suppliers)));
    }
    let customers = kit::resource::visible::<customer::Entity>(access)?
        .select_only()
        .column(customer::Column::Id)
        .into_query();
    let mut query =
        contact::Entity::find().filter(contact::Column::CustomerId.in_subquery(customers));
    if let Some(id) = customer_id {
        query = query.filter(contact::Column::CustomerId.eq(id));
    }
    Ok(query)
}

/// Whether `access` may change the contact's customer or supplier (the write permission's
/// scope): a contact is changed through its parent. A parent out of reach and one that does
/// not exist look the same.
async fn parent_writable<C: ConnectionTrait>(
    db: &C,
    access: &Access,
    customer_id: Option<Uuid>,
    supplier_id: Option<Uuid>,
) -> Result<bool, AppError> {
    if let Some(id) = customer_id {
        let row = customer::Entity::find_by_id(id).one(db).await?;
        return Ok(row.is_some_and(|row| can_write::<customer::Entity>(access, &row)));
    }
    if let Some(id) = supplier_id {
        let row = supplier::Entity::find_by_id(id).one(db).await?;
        return Ok(row.is_some_and(|row| can_write::<supplier::Entity>(access, &row)));
    }
    Ok(false)
}

/// Validates the fields `patch` gives and sets them on `row`.
fn apply(patch: ContactPatch, row: &mut contact::ActiveModel) -> Result<(), AppError> {
    if let Some(name) = &patch.name {
        row.name = Set(text(name, "input.name", 200)?);
    }
    if let Some(v) = &patch.email {
        row.email = Set(optional_email(v.as_deref(), "input.email")?);
    }
    if let Some(v) = &patch.phone {
        row.phone = Set(optional_text(v.as_deref(), "input.phone", 40)?);
    }
    if let Some(v) = &patch.job_title {
        row.job_title = Set(optional_text(v.as_deref(), "input.jobTitle", 100)?);
    }
    Ok(())
}

/// Inserts a new contact at `customer_id` or `supplier_id` (the kit audits it).
async fn insert(
    w: &Write<'_>,
    customer_id: Option<Uuid>,
    supplier_id: Option<Uuid>,
    input: ContactPatch,
) -> Result<contact::Model, AppError> {
    let now = Utc::now();
    let mut row = contact::ActiveModel {
        id: Set(Uuid::now_v7()),
        customer_id: Set(customer_id),
        supplier_id: Set(supplier_id),
        is_active: Set(true),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    apply(input, &mut row)?;
    write::insert::<contact::Entity>(w, row, false).await
}

/// Adds a contact to customer `customer_id` (also inside lead conversion and demo data).
pub async fn create_contact(
    w: &Write<'_>,
    customer_id: Uuid,
    input: ContactPatch,
) -> Result<contact::Model, AppError> {
    w.access().require(CUSTOMER_WRITE)?;
    if !parent_writable(w.tx().await?, w.access(), Some(customer_id), None).await? {
        return Err(AppError::validation("input.customerId", "no such customer"));
    }
    insert(w, Some(customer_id), None, input).await
}

/// Adds a contact to supplier `supplier_id`.
pub async fn create_supplier_contact(
    w: &Write<'_>,
    supplier_id: Uuid,
    input: ContactPatch,
) -> Result<contact::Model, AppError> {
    w.access().require(SUPPLIER_WRITE)?;
    if !parent_writable(w.tx().await?, w.access(), None, Some(supplier_id)).await? {
        return Err(AppError::validation("input.supplierId", "no such supplier"));
    }
    insert(w, None, Some(supplier_id), input).await
}

/// Changes the fields `patch` gives of a contact if `expected_version` is current.
pub async fn update_contact(
    w: &Write<'_>,
    id: Uuid,
    patch: ContactPatch,
    expected_version: i32,
) -> Result<contact::Model, AppError> {
    w.access().require(CUSTOMER_WRITE)?;
    let before = contact::Entity::find_by_id(id)
        .one(w.tx().await?)
        .await?
        .ok_or(AppError::NotFound { entity: "contact" })?;
    if before.supplier_id.is_some() {
        w.access().require(SUPPLIER_WRITE)?;
    }
    if !parent_writable(
        w.tx().await?,
        w.access(),
        before.customer_id,
        before.supplier_id,
    )
    .await?
    {
        return Err(AppError::NotFound { entity: "contact" });
    }
    let mut row: contact::ActiveModel = Default::default();
    apply(patch, &mut row)?;
    write::update::<contact::Entity>(w, &before, row, expected_version, "update").await
}
