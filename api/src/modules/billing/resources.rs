//! Billing's resources, declared to the kit (see `crate::kit::resource`). Documents and
//! payments are owned by the customer's owner of the moment they were made, so a sales rep
//! with scope `OWN` sees those of their own customers.

use entities::billing::{
    invoice, invoice_line, invoice_line_tax, invoice_tax, payment, payment_allocation,
};

use crate::authz::catalog::{INVOICE_READ, INVOICE_WRITE, PAYMENT_READ, PAYMENT_WRITE};
use crate::kit::resource::refers;
use crate::kit::{Resource, ResourceInfo};

impl Resource for invoice::Entity {
    const INFO: ResourceInfo = ResourceInfo {
        owners: &["owner_id"],
        references: &[
            refers("customer_id", "customer", "id", "customer"),
            refers("owner_id", "user_account", "id", "user"),
            refers("currency", "currency", "code", "currency").at("input.currency"),
            refers("credited_invoice_id", "invoice", "id", "invoice").at("input.invoiceId"),
            refers("journal_entry_id", "journal_entry", "id", "journal entry"),
        ],
        unique: &[("number", "number"), ("journal_entry_id", "posting")],
        ..ResourceInfo::new("invoice", INVOICE_READ, INVOICE_WRITE)
    };
}

/// Lines, their tax rates and the document's taxes are written only with their document
/// (whose audit entry and event stand for them) and read through it: declared for the
/// nested connections and the key checks, not registered in [`RESOURCES`].
impl Resource for invoice_line::Entity {
    const INFO: ResourceInfo = ResourceInfo {
        references: &[
            refers("invoice_id", "invoice", "id", "invoice"),
            refers("product_id", "product", "id", "product"),
        ],
        ..ResourceInfo::new("invoice_line", INVOICE_READ, INVOICE_WRITE)
    };
}

impl Resource for invoice_line_tax::Entity {
    const INFO: ResourceInfo = ResourceInfo {
        references: &[
            refers("line_id", "invoice_line", "id", "invoice line"),
            refers("tax_rate_id", "tax_rate", "id", "tax rate"),
        ],
        ..ResourceInfo::new("invoice_line_tax", INVOICE_READ, INVOICE_WRITE)
    };
}

impl Resource for invoice_tax::Entity {
    const INFO: ResourceInfo = ResourceInfo {
        references: &[
            refers("invoice_id", "invoice", "id", "invoice"),
            refers("tax_rate_id", "tax_rate", "id", "tax rate"),
        ],
        ..ResourceInfo::new("invoice_tax", INVOICE_READ, INVOICE_WRITE)
    };
}

impl Resource for payment::Entity {
    const INFO: ResourceInfo = ResourceInfo {
        owners: &["owner_id"],
        references: &[
            refers("customer_id", "customer", "id", "customer"),
            refers("owner_id", "user_account", "id", "user"),
            refers("journal_id", "journal", "id", "journal"),
            refers("currency", "currency", "code", "currency").at("input.amount.currency"),
            refers("journal_entry_id", "journal_entry", "id", "journal entry"),
        ],
        unique: &[("number", "number"), ("journal_entry_id", "posting")],
        ..ResourceInfo::new("payment", PAYMENT_READ, PAYMENT_WRITE)
    };
}

/// An allocation is part of the settlement of its invoice: read with the invoice.
impl Resource for payment_allocation::Entity {
    const INFO: ResourceInfo = ResourceInfo {
        references: &[
            refers("payment_id", "payment", "id", "payment"),
            refers("credit_note_id", "invoice", "id", "credit note"),
            refers("invoice_id", "invoice", "id", "invoice"),
        ],
        ..ResourceInfo::new("payment_allocation", INVOICE_READ, PAYMENT_WRITE)
    };
}

/// Billing's resources.
pub const RESOURCES: &[&ResourceInfo] = &[
    &<invoice::Entity as Resource>::INFO,
    &<payment::Entity as Resource>::INFO,
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kit::resource::check_declaration;

    #[test]
    fn every_declaration_names_real_columns() {
        assert_eq!(check_declaration::<invoice::Entity>(), Ok(()));
        assert_eq!(check_declaration::<invoice_line::Entity>(), Ok(()));
        assert_eq!(check_declaration::<invoice_line_tax::Entity>(), Ok(()));
        assert_eq!(check_declaration::<invoice_tax::Entity>(), Ok(()));
        assert_eq!(check_declaration::<payment::Entity>(), Ok(()));
        assert_eq!(check_declaration::<payment_allocation::Entity>(), Ok(()));
    }
}
