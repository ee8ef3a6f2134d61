//! Sales' resources, declared to the kit (see `crate::kit::resource`). Quotations and orders
//! are owned by the customer's owner of the moment they were made, so a sales rep with scope
//! `OWN` sees those of their own customers.

use entities::sales::{
    quotation, quotation_line, sales_invoice_line, sales_order, sales_order_line, sales_setting,
};

use crate::authz::catalog::{
    INVOICE_READ, INVOICE_WRITE, ORDER_READ, ORDER_WRITE, QUOTATION_READ, QUOTATION_WRITE,
    SALES_SETTINGS_WRITE,
};
use crate::kit::resource::refers;
use crate::kit::{Resource, ResourceInfo};

impl Resource for quotation::Entity {
    const INFO: ResourceInfo = ResourceInfo {
        owners: &["owner_id"],
        references: &[
            refers("customer_id", "customer", "id", "customer"),
            refers("owner_id", "user_account", "id", "user"),
            refers("opportunity_id", "opportunity", "id", "opportunity"),
            refers("currency", "currency", "code", "currency"),
            refers("sales_order_id", "sales_order", "id", "sales order"),
        ],
        unique: &[("number", "number"), ("sales_order_id", "sales order")],
        ..ResourceInfo::new("quotation", QUOTATION_READ, QUOTATION_WRITE)
    };
}

impl Resource for sales_order::Entity {
    const INFO: ResourceInfo = ResourceInfo {
        owners: &["owner_id"],
        references: &[
            refers("customer_id", "customer", "id", "customer"),
            refers("owner_id", "user_account", "id", "user"),
            refers("over_limit_approved_by", "user_account", "id", "user"),
            refers("currency", "currency", "code", "currency"),
        ],
        unique: &[("number", "number")],
        ..ResourceInfo::new("sales_order", ORDER_READ, ORDER_WRITE)
    };
}

/// Lines are written only with their document (whose audit entry and event stand for them)
/// and read through it: declared for the nested connections and the key checks, not
/// registered in [`RESOURCES`].
impl Resource for quotation_line::Entity {
    const INFO: ResourceInfo = ResourceInfo {
        references: &[
            refers("quotation_id", "quotation", "id", "quotation"),
            refers("product_id", "product", "id", "product"),
        ],
        ..ResourceInfo::new("quotation_line", QUOTATION_READ, QUOTATION_WRITE)
    };
}

impl Resource for sales_order_line::Entity {
    const INFO: ResourceInfo = ResourceInfo {
        references: &[
            refers("order_id", "sales_order", "id", "sales order"),
            refers("product_id", "product", "id", "product"),
        ],
        ..ResourceInfo::new("sales_order_line", ORDER_READ, ORDER_WRITE)
    };
}

/// Part of an invoice made from an order: read and written with the invoice.
impl Resource for sales_invoice_line::Entity {
    const INFO: ResourceInfo = ResourceInfo {
        references: &[
            refers("invoice_line_id", "invoice_line", "id", "invoice line"),
            refers("invoice_id", "invoice", "id", "invoice"),
            refers("order_line_id", "sales_order_line", "id", "order line"),
        ],
        ..ResourceInfo::new("sales_invoice_line", INVOICE_READ, INVOICE_WRITE)
    };
}

impl Resource for sales_setting::Entity {
    const INFO: ResourceInfo = ResourceInfo::new("sales_setting", ORDER_READ, SALES_SETTINGS_WRITE);
}

/// Sales' resources.
pub const RESOURCES: &[&ResourceInfo] = &[
    &<quotation::Entity as Resource>::INFO,
    &<sales_order::Entity as Resource>::INFO,
    &<sales_setting::Entity as Resource>::INFO,
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kit::resource::check_declaration;

    #[test]
    fn every_declaration_names_real_columns() {
        assert_eq!(check_declaration::<quotation::Entity>(), Ok(()));
        assert_eq!(check_declaration::<sales_order::Entity>(), Ok(()));
        assert_eq!(check_declaration::<quotation_line::Entity>(), Ok(()));
        assert_eq!(check_declaration::<sales_order_line::Entity>(), Ok(()));
        assert_eq!(check_declaration::<sales_invoice_line::Entity>(), Ok(()));
        assert_eq!(check_declaration::<sales_setting::Entity>(), Ok(()));
    }
}
