//! Suppliers: the customers' counterpart on the buying side.
//!
//! Built on the module kit (`crate::kit`), like customers: reads start from
//! `kit::resource::visible` (scope `OWN` reaches the suppliers a user owns), writes go through
//! `kit::write` (idempotent create with every column compared, versioned update and archive
//! audited as row diffs). Updates are patches: an omitted field is unchanged, an explicit
//! `null` clears it. Suppliers are archived, not deleted, because documents refer to them.

use entities::master::supplier;
use sea_orm::Set;

use crate::error::AppError;
use crate::kit::Write;
use crate::kit::edit::Editable;
use crate::modules::common::optional_text;
use crate::modules::master::service::party::{self, PartyPatch};
use crate::modules::master::service::reference::currency_digits;

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
        party::apply::<supplier::Entity>(w, &patch.party, row).await?;
        if let Some(v) = &patch.address {
            row.address = Set(optional_text(v.as_deref(), "input.address", 1000)?);
        }
        match (&patch.currency, stored) {
            (Some(code), _) => {
                let (currency, _) = currency_digits(w, code, "input.currency").await?;
                row.currency = Set(currency);
            }
            (None, Some(_)) => {}
            (None, None) => return Err(AppError::validation("input.currency", "required")),
        }
        Ok(())
    }
}
