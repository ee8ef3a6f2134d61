//! Identity tables of a tenant database: who can sign in, what they may do, how they proved it,
//! and the audit trail of every change.

pub mod api_key;
pub mod audit_entry;
pub mod login_throttle;
pub mod refresh_token;
pub mod role;
pub mod role_grant;
pub mod user_account;
pub mod user_role;
