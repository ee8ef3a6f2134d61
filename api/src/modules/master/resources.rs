//! Master data's resources, declared to the kit (see `crate::kit::resource`).

use entities::master::{
    contact, customer, exchange_rate, payment_term, product, product_category, supplier, tax_rate,
    warehouse,
};

use crate::authz::catalog::{
    CUSTOMER_READ, CUSTOMER_WRITE, DATA_READ, DATA_WRITE, PRODUCT_COST_READ, PRODUCT_READ,
    PRODUCT_WRITE, SUPPLIER_READ, SUPPLIER_WRITE,
};
use crate::kit::resource::{Reference, refers};
use crate::kit::{Resource, ResourceInfo};

/// The references customers and suppliers share: payment terms, currency, owner.
const PARTY_REFERENCES: &[Reference] = &[
    refers("payment_term_id", "payment_term", "id", "payment term"),
    refers("currency", "currency", "code", "currency"),
    refers("owner_id", "user_account", "id", "user"),
];

impl Resource for customer::Entity {
    const INFO: ResourceInfo = ResourceInfo {
        owners: &["owner_id"],
        references: PARTY_REFERENCES,
        ..ResourceInfo::new("customer", CUSTOMER_READ, CUSTOMER_WRITE)
    };
}

impl Resource for supplier::Entity {
    const INFO: ResourceInfo = ResourceInfo {
        owners: &["owner_id"],
        references: PARTY_REFERENCES,
        ..ResourceInfo::new("supplier", SUPPLIER_READ, SUPPLIER_WRITE)
    };
}

impl Resource for product::Entity {
    const INFO: ResourceInfo = ResourceInfo {
        sensitive: &[("cost_price_micros", PRODUCT_COST_READ)],
        references: &[
            refers("unit", "unit_of_measure", "code", "unit of measure"),
            refers("category_id", "product_category", "id", "category"),
            refers("currency", "currency", "code", "currency"),
            refers("tax_rate_id", "tax_rate", "id", "tax rate"),
        ],
        unique: &[("sku", "SKU")],
        ..ResourceInfo::new("product", PRODUCT_READ, PRODUCT_WRITE)
    };
}

/// A reference-data resource: read with `master.data.read`, kept with `master.data.write`,
/// with its `unique` columns.
const fn reference(
    name: &'static str,
    unique: &'static [(&'static str, &'static str)],
) -> ResourceInfo {
    ResourceInfo {
        unique,
        ..ResourceInfo::new(name, DATA_READ, DATA_WRITE)
    }
}

impl Resource for tax_rate::Entity {
    const INFO: ResourceInfo = reference("tax_rate", &[("code", "code")]);
}

impl Resource for payment_term::Entity {
    const INFO: ResourceInfo = reference("payment_term", &[("code", "code")]);
}

impl Resource for product_category::Entity {
    const INFO: ResourceInfo = reference("product_category", &[("name", "name")]);
}

impl Resource for warehouse::Entity {
    const INFO: ResourceInfo = reference("warehouse", &[("code", "code")]);
}

impl Resource for exchange_rate::Entity {
    const INFO: ResourceInfo = ResourceInfo {
        references: &[refers("currency", "currency", "code", "currency")],
        ..reference("exchange_rate", &[])
    };
}

/// Contacts are declared for the kit's audit diff and versioned update only. They are not
/// registered in [`RESOURCES`]: a contact is read and changed through its customer or
/// supplier, whose permissions it shares, so it has no grants or scope of its own (the
/// contact service checks the permission of the side it belongs to).
impl Resource for contact::Entity {
    const INFO: ResourceInfo = ResourceInfo {
        references: &[
            refers("customer_id", "customer", "id", "customer"),
            refers("supplier_id", "supplier", "id", "supplier"),
        ],
        ..ResourceInfo::new("contact", CUSTOMER_READ, CUSTOMER_WRITE)
    };
}

/// Master data's resources.
pub const RESOURCES: &[&ResourceInfo] = &[
    &<customer::Entity as Resource>::INFO,
    &<supplier::Entity as Resource>::INFO,
    &<product::Entity as Resource>::INFO,
    &<tax_rate::Entity as Resource>::INFO,
    &<payment_term::Entity as Resource>::INFO,
    &<product_category::Entity as Resource>::INFO,
    &<warehouse::Entity as Resource>::INFO,
    &<exchange_rate::Entity as Resource>::INFO,
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kit::resource::check_declaration;

    #[test]
    fn every_declaration_names_real_columns() {
        assert_eq!(check_declaration::<customer::Entity>(), Ok(()));
        assert_eq!(check_declaration::<supplier::Entity>(), Ok(()));
        assert_eq!(check_declaration::<product::Entity>(), Ok(()));
        assert_eq!(check_declaration::<tax_rate::Entity>(), Ok(()));
        assert_eq!(check_declaration::<payment_term::Entity>(), Ok(()));
        assert_eq!(check_declaration::<product_category::Entity>(), Ok(()));
        assert_eq!(check_declaration::<warehouse::Entity>(), Ok(()));
        assert_eq!(check_declaration::<exchange_rate::Entity>(), Ok(()));
        assert_eq!(check_declaration::<contact::Entity>(), Ok(()));
    }
}
