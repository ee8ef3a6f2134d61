//! The finance module's rules and transactions: the chart of accounts, the ledger (checks,
//! drafts, posting, reversal), gapless numbering, periods and lock dates, and the
//! statements computed from posted lines.

pub mod accounts;
pub mod checks;
pub mod fx;
pub mod ledger;
pub mod manual;
pub mod numbering;
pub mod periods;
pub mod reports;
pub mod taxes;

use crate::error::AppError;

/// A `BUSINESS_RULE` error of the ledger.
pub(crate) fn rule(rule: &'static str, message: impl Into<String>) -> AppError {
    AppError::BusinessRule {
        rule,
        message: message.into(),
    }
}
