//! Billing's rules and transactions: drafts (`invoices`) and their lines (`lines`), posting
//! (`posting`), payments
//! (`payments`) and receivables (`receivables`).

pub mod invoices;
pub mod lines;
pub mod payments;
pub mod posting;
pub mod receivables;

use entities::billing::invoice::InvoiceStatus;

use crate::error::AppError;

/// A `BUSINESS_RULE` error of billing.
pub(crate) fn rule(rule: &'static str, message: impl Into<String>) -> AppError {
    AppError::BusinessRule {
        rule,
        message: message.into(),
    }
}

/// The status of a posted document of `total` of which `settled` is paid or credited.
pub fn status_after(total: i64, settled: i64) -> InvoiceStatus {
    if settled <= 0 {
        InvoiceStatus::Posted
    } else if settled < total {
        InvoiceStatus::PartiallyPaid
    } else {
        InvoiceStatus::Paid
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_is_posted_then_partially_paid_then_paid() {
        assert_eq!(status_after(100, 0), InvoiceStatus::Posted);
        assert_eq!(status_after(100, 1), InvoiceStatus::PartiallyPaid);
        assert_eq!(status_after(100, 99), InvoiceStatus::PartiallyPaid);
        assert_eq!(status_after(100, 100), InvoiceStatus::Paid);
    }
}
