//! Control-plane tables: the registry of tenants and where their databases live, and the
//! sign-in throttle shared by all tenants.

pub mod sign_in_throttle;
pub mod tenant;
