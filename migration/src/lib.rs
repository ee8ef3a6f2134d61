//! Schema migrations, in two independent migrators because they run on different databases:
//! [`control::Migrator`] on the control database (the tenant registry) and
//! [`tenant::Migrator`] on every tenant database. Each has its own `seaql_migrations` table in
//! its own database. Migrations only ever move forward in production; `down` exists for tests
//! and for development.

pub mod control;
pub mod tenant;

pub use sea_orm_migration::MigratorTrait;
