//! Master data of a tenant: currencies and rates, units, taxes, payment terms, customers,
//! suppliers, contacts, products and warehouses.

pub mod contact;
pub mod currency;
pub mod customer;
pub mod exchange_rate;
pub mod payment_term;
pub mod product;
pub mod product_category;
pub mod supplier;
pub mod tax_rate;
pub mod unit_of_measure;
pub mod warehouse;
