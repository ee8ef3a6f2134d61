//! Suppliers: the customers' counterpart on the buying side.
//!
//! Built on the module kit (`crate::kit`), like customers: reads start from
//! `kit::resource::visible` (scope `OWN` reaches the suppliers a user owns), writes go through
//! `kit::write` (idempotent create with every column compared, versioned update and archive
//! audited as row diffs). Updates are patches: an omitted field is unchanged, an explicit
//! `null` clears it. Suppliers are archived, not deleted, because documents refer to them.

use chrono::Utc;
use entities::master::{payment_term, supplier};
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, Select, Set};
use uuid::Uuid;

use crate::authz::Access;
use crate::authz::catalog::SUPPLIER_WRITE;
use crate::error::AppError;
use crate::kit::resource::{new_owner, visible as scoped};
use crate::kit::{Write, write};
use crate::modules::common::{escape_like, optional_email, optional_text, text};
use crate::modules::identity::service::references::require_active_user;
use crate::modules::master::service::reference::currency_digits;

/// A new supplier's content, as given by a client.
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
    /// Currency code.
    pub currency: String,
    /// Responsible user (default: the creator).
    pub owner_id: Option<Uuid>,
}

/// A change of a supplier: `None` leaves a field as it is, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct SupplierPatch {
    /// Legal name.
    pub name: Option<String>,
    /// Tax id.
    pub tax_id: Option<Option<String>>,
    /// Email.
    pub email: Option<Option<String>>,
    /// Phone.
    pub phone: Option<Option<String>>,
    /// Address.
    pub address: Option<Option<String>>,
    /// Payment terms.
    pub payment_term_id: Option<Option<Uuid>>,
    /// Currency code.
    pub currency: Option<String>,
    /// Responsible user.
    pub owner_id: Option<Option<Uuid>>,
}

impl From<SupplierInput> for SupplierPatch {
    fn from(i: SupplierInput) -> Self {
        Self {
            name: Some(i.name),
            tax_id: Some(i.tax_id),
            email: Some(i.email),
            phone: Some(i.phone),
            address: Some(i.address),
            payment_term_id: Some(i.payment_term_id),
            currency: Some(i.currency),
            owner_id: Some(i.owner_id),
        }
    }
}

/// Suppliers `access` may see; `search` matches the name, email or tax id.
pub fn visible(
    access: &Access,
    search: Option<&str>,
    is_active: Option<bool>,
) -> Result<Select<supplier::Entity>, AppError> {
    let mut query = scoped::<supplier::Entity>(access)?;
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

/// Validates the fields `patch` gives and sets them on `row`; `stored` is the row before (none:
/// a new supplier).
async fn apply(
    w: &Write<'_>,
    patch: SupplierPatch,
    stored: Option<&supplier::Model>,
    row: &mut supplier::ActiveModel,
) -> Result<(), AppError> {
    let db = w.tx();
    if let Some(name) = &patch.name {
        row.name = Set(text(name, "input.name", 200)?);
    }
    if let Some(v) = &patch.tax_id {
        row.tax_id = Set(optional_text(v.as_deref(), "input.taxId", 50)?);
    }
    if let Some(v) = &patch.email {
        row.email = Set(optional_email(v.as_deref(), "input.email")?);
    }
    if let Some(v) = &patch.phone {
        row.phone = Set(optional_text(v.as_deref(), "input.phone", 40)?);
    }
    if let Some(v) = &patch.address {
        row.address = Set(optional_text(v.as_deref(), "input.address", 1000)?);
    }
    match (&patch.currency, stored) {
        (Some(code), _) => {
            let (currency, _) = currency_digits(db, code, "input.currency").await?;
            row.currency = Set(currency);
        }
        (None, Some(_)) => {}
        (None, None) => return Err(AppError::validation("input.currency", "required")),
    }
    if let Some(owner) = patch.owner_id {
        let owner = new_owner::<supplier::Entity>(w.access(), owner)?;
        require_active_user(db, owner, "input.ownerId").await?;
        row.owner_id = Set(owner);
    }
    if let Some(term) = patch.payment_term_id {
        if let Some(id) = term
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
        row.payment_term_id = Set(term);
    }
    Ok(())
}

/// Creates a supplier (idempotent with a client-chosen `id`, also under concurrent replays).
pub async fn create(
    w: &Write<'_>,
    id: Option<Uuid>,
    input: SupplierInput,
) -> Result<supplier::Model, AppError> {
    w.access().require(SUPPLIER_WRITE)?;
    let now = Utc::now();
    let mut row = supplier::ActiveModel {
        id: Set(id.unwrap_or_else(Uuid::now_v7)),
        is_active: Set(true),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    apply(w, input.into(), None, &mut row).await?;
    write::insert::<supplier::Entity>(w, row, id.is_some()).await
}

/// Changes the fields `patch` gives if `expected_version` is current.
pub async fn update(
    w: &Write<'_>,
    id: Uuid,
    patch: SupplierPatch,
    expected_version: i32,
) -> Result<supplier::Model, AppError> {
    let before = write::find_for_write::<supplier::Entity>(w, id).await?;
    let mut row = supplier::ActiveModel::default();
    apply(w, patch, Some(&before), &mut row).await?;
    write::update::<supplier::Entity>(w, &before, row, expected_version, "update").await
}

/// Archives a supplier: it stays for the documents that refer to it, but leaves lists of
/// active suppliers.
pub async fn archive(w: &Write<'_>, id: Uuid) -> Result<supplier::Model, AppError> {
    let before = write::find_for_write::<supplier::Entity>(w, id).await?;
    write::archive::<supplier::Entity>(w, before).await
}
