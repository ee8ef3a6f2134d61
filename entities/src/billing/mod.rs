//! Billing tables of a tenant: invoices and credit notes with their lines and taxes,
//! customer payments and their allocations to invoices.

pub mod invoice;
pub mod invoice_line;
pub mod invoice_line_tax;
pub mod invoice_tax;
pub mod payment;
pub mod payment_allocation;
