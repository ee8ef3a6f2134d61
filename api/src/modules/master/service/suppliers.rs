//! Suppliers: the customers' counterpart on the buying side.
//!
//! Built on the module kit (`crate::kit`), like customers: reads start from
//! `kit::resource::visible` (scope `OWN` reaches the suppliers a user owns), writes go through
//! `kit::write` (idempotent create with every column compared, versioned update and archive
//! audited as row diffs). Updates are patches: an omitted field is unchanged, an explicit
//! `null` clears it. Suppliers are archived, not deleted, because documents refer to them.

use chrono::Utc;
use entities::master::supplier;
use sea_orm::{ColumnTrait, QueryFilter, QueryTrait, Select, Set};
use uuid::Uuid;

use crate::authz::Access;
use crate::authz::catalog::SUPPLIER_WRITE;
use crate::error::AppError;
use crate::kit::resource::visible as scoped;
use crate::kit::{Write, write};
use crate::modules::common::{contains, optional_text};
use crate::modules::master::service::party::{self, PartyPatch};
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
    /// The fields customers and suppliers share.
    pub party: PartyPatch,
    /// Address.
    pub address: Option<Option<String>>,
    /// Currency code.
    pub currency: Option<String>,
}

impl From<SupplierInput> for SupplierPatch {
    fn from(i: SupplierInput) -> Self {
        Self {
            party: PartyPatch {
                name: Some(i.name),
                tax_id: Some(i.tax_id),
                email: Some(i.email),
                phone: Some(i.phone),
                owner_id: Some(i.owner_id),
                payment_term_id: Some(i.payment_term_id),
            },
            address: Some(i.address),
            currency: Some(i.currency),
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
    query = query.apply_if(
        contains(
            search,
            &[
                supplier::Column::Name,
                supplier::Column::Email,
                supplier::Column::TaxId,
            ],
        ),
        QueryFilter::filter,
    );
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
    party::apply::<supplier::Entity>(w, &patch.party, row).await?;
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
