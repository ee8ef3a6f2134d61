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

use uuid::Uuid;

use crate::authz::{Access, Scope};
use crate::error::AppError;

/// Whether a row with these `people` (owner, assignee) is within `access`'s scope of
/// `permission`.
///
/// Kept only for `Customer.opportunities` in master data, which is converted separately; CRM
/// code uses `crate::kit::resource::can_read` instead. Remove it once master data no longer
/// calls it.
pub fn in_scope(access: &Access, permission: &str, people: &[Option<Uuid>]) -> bool {
    match access.scope(permission) {
        Some(Scope::All) => true,
        Some(Scope::Own) => access
            .user_id()
            .is_some_and(|me| people.contains(&Some(me))),
        None => false,
    }
}

/// The `BUSINESS_RULE` error `rule` with `message`.
pub(crate) fn rule(rule: &'static str, message: impl Into<String>) -> AppError {
    AppError::BusinessRule {
        rule,
        message: message.into(),
    }
}
