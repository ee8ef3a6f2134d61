//! Tenant-wide settings kept in each tenant database.

pub mod tenant_setting;
