//! Suppliers: the customers' counterpart on the buying side.
//!
//! Built on the module kit (`crate::kit`), like customers: reads start from
//! `kit::resource::visible` (scope `OWN` reaches the suppliers a user owns), writes go through
//! `kit::write` (idempotent create with every column compared, versioned update and archive
//! audited as row diffs). Updates are patches: an omitted field is unchanged, an explicit
//! `null` clears it. Suppliers are archived, not deleted, because documents refer to them.

use entities::master::supplier;
use sea_orm::Set;
use uuid::Uuid;

use crate::error::AppError;
use crate::kit::Write;
use crate::kit::edit::Editable;
use crate::modules::common::optional_text;
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

impl Editable for supplier::Entity {
    type Patch = SupplierPatch;

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
}
