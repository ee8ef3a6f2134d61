//! Printable documents (PDF) of sales and billing.

pub mod download;
pub mod link;
pub mod pdf;
pub mod print;
