//! Integration tests: one binary, one file per area. Every test spawns its own server on a
//! random port over fresh databases: SQLite files in a temporary directory, or fresh PostgreSQL
//! databases when `TEST_DATABASE_URL` is set (the same test code for both backends).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod calls;
mod helpers;

mod account_management;
mod admission;
mod api_keys;
mod audit;
mod billing;
mod cli;
mod crm;
mod demo;
mod documents;
mod errors;
mod finance;
mod graphql_limits;
mod identity;
mod jwt;
mod kit;
mod kit_crm;
mod kit_master;
mod lockout;
mod master;
mod nested_connections;
mod operations;
mod oracles;
mod permissions;
mod platform;
mod playground_browser;
mod pool_cache;
mod provisioning;
mod realtime;
mod reference_errors;
mod reference_keys;
mod regressions;
mod round_trips;
mod sales;
mod schema;
mod scope_sweeps;
mod serve;
mod session_validity;
mod sessions;
mod tenant_isolation;
mod tenant_migrations;
mod tenant_template;
mod throttle;
mod user_references;
mod users;
mod websocket;
