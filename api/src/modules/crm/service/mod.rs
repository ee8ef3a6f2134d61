//! CRM rules and transactions. No GraphQL types here.
//!
//! Built on the module kit (`crate::kit`): every read starts from `kit::resource::visible`
//! (scope `OWN` reaches the leads and opportunities a user owns and the activities they own or
//! are assigned to), every write goes through `kit::write` inside the mutation's [`Write`]
//! (idempotent inserts, versioned updates and transitions, audited as row diffs).
//!
//! [`Write`]: crate::kit::Write

pub mod activities;
pub mod conversion;
pub mod forecast;
pub mod leads;
pub mod opportunities;
pub mod stages;

use crate::error::AppError;

/// The `BUSINESS_RULE` error `rule` with `message`.
pub(crate) fn rule(rule: &'static str, message: impl Into<String>) -> AppError {
    AppError::BusinessRule {
        rule,
        message: message.into(),
    }
}
