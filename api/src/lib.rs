//! The ERP server library: everything the `erp` binary runs, importable by the integration
//! tests. See DESIGN.md for the architecture; each module's `//!` header says what it owns.

// The merged schema nests many async resolvers; computing the layout of the executor's future
// needs more than rustc's default 128 query depth in optimized builds.
#![recursion_limit = "256"]

pub mod audit;
pub mod auth;
pub mod authz;
pub mod cli;
pub mod config;
pub mod db;
pub mod demo;
pub mod demo_data;
pub mod documents;
pub mod error;
pub mod events;
pub mod files;
pub mod graphql;
pub mod jobs;
pub mod kit;
pub mod logging;
pub mod metrics;
pub mod modules;
pub mod money;
pub mod operator;
pub mod playground;
pub mod server;
pub mod state;
pub mod tenancy;
