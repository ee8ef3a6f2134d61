//! Identity tables of a tenant database: who can sign in.

pub mod user_account;
