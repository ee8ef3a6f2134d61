//! Control-plane tables: the registry of tenants and where their databases live, the audit
//! trail of their lifecycle, and the sign-in throttle shared by all tenants.

pub mod sign_in_throttle;
pub mod tenant;
pub mod tenant_status_change;
