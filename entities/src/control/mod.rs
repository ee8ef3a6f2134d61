//! Control-plane tables: the registry of tenants and where their databases live.

pub mod tenant;
