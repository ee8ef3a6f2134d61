//! Customers (their contacts are in `contacts.rs`).
//!
//! Built on the module kit (`crate::kit`): reads start from `kit::resource::visible` (scope
//! `OWN` reaches the customers a user owns), writes go through `kit::write` (idempotent create
//! with every column compared, versioned update and archive audited as row diffs). Updates are
//! patches: an omitted field is unchanged, an explicit `null` clears it. Customers are
//! archived, not deleted, because documents refer to them.

use entities::master::customer;
use sea_orm::{ColumnTrait, QueryFilter, Select, Set};
use uuid::Uuid;

use crate::authz::Access;
use crate::error::AppError;
use crate::kit::Write;
use crate::kit::edit::Editable;
use crate::modules::common::optional_text;
use crate::modules::master::service::party::{self, PartyPatch};
use crate::modules::master::service::reference::currency_digits;
use crate::money::{Dec, Money};

/// A change of a customer: `None` leaves a field as it is, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct CustomerPatch {
    /// The fields customers and suppliers share.
    pub party: PartyPatch,
    /// Billing address.
    pub billing_address: Option<Option<String>>,
    /// Shipping address.
    pub shipping_address: Option<Option<String>>,
    /// Currency code.
    pub currency: Option<String>,
    /// Credit limit, in the customer's (new) currency.
    pub credit_limit: Option<Option<Money>>,
}

/// Filter of the customer list.
#[derive(Debug, Default)]
pub struct CustomerFilter {
    /// Part of the name, email or tax id, any case.
    pub search: Option<String>,
    /// Active (true) or archived (false) only.
    pub is_active: Option<bool>,
    /// One owner's customers.
    pub owner_id: Option<Uuid>,
}

/// Customers `access` may see, filtered.
pub fn visible(
    access: &Access,
    filter: &CustomerFilter,
) -> Result<Select<customer::Entity>, AppError> {
    let query = party::visible(access, filter.search.as_deref(), filter.is_active)?;
    Ok(match filter.owner_id {
        Some(owner) => query.filter(customer::Column::OwnerId.eq(owner)),
        None => query,
    })
}

impl Editable for customer::Entity {
    type Patch = CustomerPatch;

    /// Validates the fields `patch` gives and sets them on `row`; `stored` is the row before (none:
    /// a new customer).
    async fn apply(
        w: &Write<'_>,
        patch: CustomerPatch,
        stored: Option<&customer::Model>,
        row: &mut customer::ActiveModel,
    ) -> Result<(), AppError> {
        party::apply::<customer::Entity>(w, &patch.party, row).await?;
        if let Some(v) = &patch.billing_address {
            row.billing_address = Set(optional_text(v.as_deref(), "input.billingAddress", 1000)?);
        }
        if let Some(v) = &patch.shipping_address {
            row.shipping_address = Set(optional_text(v.as_deref(), "input.shippingAddress", 1000)?);
        }
        let currency = match (&patch.currency, stored) {
            (Some(code), _) => code.clone(),
            (None, Some(s)) => s.currency.clone(),
            (None, None) => return Err(AppError::validation("input.currency", "required")),
        };
        let (currency, digits) = currency_digits(w, &currency, "input.currency").await?;
        let currency_changed = stored.is_some_and(|s| s.currency != currency);
        row.currency = Set(currency.clone());
        match &patch.credit_limit {
            Some(None) => row.credit_limit_minor = Set(None),
            Some(Some(limit)) => {
                if !limit.currency.trim().eq_ignore_ascii_case(&currency) {
                    return Err(AppError::validation(
                        "input.creditLimit.currency",
                        "the credit limit is in the customer's currency",
                    ));
                }
                let minor = Dec::parse(&limit.amount)
                    .and_then(|d| d.to_scaled(digits))
                    .map_err(|e| AppError::validation("input.creditLimit", e))?;
                if minor < 0 {
                    return Err(AppError::validation(
                        "input.creditLimit",
                        "a credit limit is not negative",
                    ));
                }
                row.credit_limit_minor = Set(Some(minor));
            }
            None if currency_changed && stored.is_some_and(|s| s.credit_limit_minor.is_some()) => {
                return Err(AppError::validation(
                    "input.creditLimit",
                    "give the credit limit in the new currency",
                ));
            }
            None => {}
        }
        Ok(())
    }
}
