//! Control-plane tables: the registry of tenants and where their databases live, and the audit
//! trail of their lifecycle.

pub mod tenant;
pub mod tenant_status_change;
