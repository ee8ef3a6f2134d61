//! CRM tables of a tenant: pipeline stages, leads, opportunities, activities.

pub mod activity;
pub mod lead;
pub mod opportunity;
pub mod pipeline_stage;
