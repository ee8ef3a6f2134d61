//! Sales tables of a tenant: quotations and sales orders with their lines, the link from an
//! invoice line to the order line it bills, and the sales settings.

pub mod quotation;
pub mod quotation_line;
pub mod sales_invoice_line;
pub mod sales_order;
pub mod sales_order_line;
pub mod sales_setting;
