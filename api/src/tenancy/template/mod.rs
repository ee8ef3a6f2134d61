//! Tenant templates: a database with every tenant migration and the tenant-independent seed
//! data applied, copied to make a new tenant database.
//!
//! Migrating and seeding a new database costs more with every migration; copying a template
//! costs the same whatever the history (a file copy on SQLite, `CREATE DATABASE … TEMPLATE`
//! on PostgreSQL). Provisioning then adds only what belongs to the tenant (its first admin).
//!
//! A template is named by its [`TemplateKey`], a digest of the tenant migrations, the system
//! role catalog and [`SEED_VERSION`]: a new migration, a changed role or a bumped seed version
//! names a new template, built on first use; templates of other keys are dropped then.
//! Building is safe between the tasks of a process (a mutex) and between processes (a file
//! lock on SQLite, an advisory lock on PostgreSQL), and the template appears under its final
//! name only once complete (built under a temporary name, then renamed), so a crash mid-build
//! never leaves a half-built template behind its name.

mod postgres;
mod sqlite;

use std::collections::HashSet;
use std::path::PathBuf;

use migration::MigratorTrait;
use sha2::{Digest, Sha256};
use tokio::sync::Mutex;

use crate::config::TemplateSettings;
use crate::error::AppError;
use crate::tenancy::backend::Backend;

/// Version of the template's content (the reference data: currencies, units, settings; 2:
/// roles and stages left out, see [`MINTED_PER_TENANT`]; 4: the ledger's tables, of which
/// the template keeps none either). Bump it when that changes, so new tenants stop copying
/// the old template. (System roles need no bump: the catalog is part of the key.)
pub const SEED_VERSION: &str = "5";

/// What names a template: a SHA-256 digest, hex.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateKey(String);

impl TemplateKey {
    /// The key of what this build of the code provisions.
    pub fn current() -> Self {
        let migrations: Vec<String> = migration::tenant::Migrator::migrations()
            .iter()
            .map(|m| m.name().to_owned())
            .collect();
        Self::new(&migrations, SEED_VERSION)
    }

    /// The key of a template with `migrations` applied and seeds of `seed_version`.
    pub fn new(migrations: &[String], seed_version: &str) -> Self {
        let mut hash = Sha256::new();
        for name in migrations {
            hash.update(format!("migration {name}\n"));
        }
        hash.update(format!("seed {seed_version}\n"));
        for role in crate::authz::catalog::SYSTEM_ROLES {
            hash.update(format!("role {}\n{}\n", role.name, role.description));
            let mut grants: Vec<String> = role
                .grants()
                .into_iter()
                .map(|(p, scope)| format!("{p}:{}", scope.as_str()))
                .collect();
            grants.sort();
            hash.update(grants.join(","));
            hash.update("\n");
        }
        Self(hash.finalize().iter().map(|b| format!("{b:02x}")).collect())
    }

    /// The digest in hex.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The first 16 hex digits: what names the template.
    pub fn short(&self) -> &str {
        &self.0[..16]
    }
}

/// Serializes the template builds of this process.
static BUILDS: Mutex<()> = Mutex::const_new(());

/// The templates of one process.
pub struct Templates {
    settings: TemplateSettings,
    key: TemplateKey,
    /// Servers whose template is known to exist (`default` on SQLite).
    ready: Mutex<HashSet<String>>,
}

/// Why copying the template failed.
enum CopyError {
    /// The template vanished (dropped by a process with another key): build it again.
    Missing,
    /// Anything else.
    Failed(AppError),
}

impl From<AppError> for CopyError {
    fn from(e: AppError) -> Self {
        Self::Failed(e)
    }
}

impl Templates {
    /// Templates under `settings` named by `key` (usually [`TemplateKey::current`]).
    pub fn new(settings: TemplateSettings, key: TemplateKey) -> Self {
        Self {
            settings,
            key,
            ready: Mutex::new(HashSet::new()),
        }
    }

    /// The key naming the template.
    pub fn key(&self) -> &TemplateKey {
        &self.key
    }

    /// The SQLite template file.
    pub fn sqlite_path(&self) -> PathBuf {
        self.settings
            .dir
            .join(format!("{}{}.db", sqlite::FILE_PREFIX, self.key.short()))
    }

    /// The PostgreSQL template database.
    pub fn postgres_name(&self) -> String {
        format!("{}_{}", self.settings.prefix, self.key.short())
    }

    /// Creates tenant database `db_name` on `server` as a copy of the template, building the
    /// template first if needed. `false` when the database existed already (provisioning
    /// resumed after a crash): it is left as it is, for the migrations to finish.
    pub async fn create_tenant_database(
        &self,
        backend: &Backend,
        server: &str,
        db_name: &str,
    ) -> Result<bool, AppError> {
        self.ensure(backend, server).await?;
        match self.copy(backend, server, db_name).await {
            Ok(created) => Ok(created),
            Err(CopyError::Failed(e)) => Err(e),
            Err(CopyError::Missing) => {
                tracing::info!(server, "tenant template vanished; building it again");
                self.ready.lock().await.remove(server);
                self.ensure(backend, server).await?;
                match self.copy(backend, server, db_name).await {
                    Ok(created) => Ok(created),
                    Err(CopyError::Failed(e)) => Err(e),
                    Err(CopyError::Missing) => Err(AppError::Internal(
                        "the tenant template vanished twice while copying it".into(),
                    )),
                }
            }
        }
    }

    /// Builds the template of `server` unless it exists. Returns whether it was built now.
    pub async fn ensure(&self, backend: &Backend, server: &str) -> Result<bool, AppError> {
        let mut ready = self.ready.lock().await;
        if ready.contains(server) {
            return Ok(false);
        }
        // One build at a time in this process, whatever `Templates` asks (several
        // applications share a process in the tests); other processes wait on the file
        // lock or the advisory lock.
        let _building = BUILDS.lock().await;
        let built = match backend.sqlite_dir() {
            Some(_) => sqlite::ensure(backend, &self.sqlite_path()).await?,
            None => {
                let url = backend.server_url(server)?;
                postgres::ensure(backend, &url, &self.settings.prefix, &self.postgres_name())
                    .await?
            }
        };
        ready.insert(server.to_owned());
        Ok(built)
    }

    async fn copy(
        &self,
        backend: &Backend,
        server: &str,
        db_name: &str,
    ) -> Result<bool, CopyError> {
        match backend.sqlite_dir() {
            Some(dir) => sqlite::copy(&self.sqlite_path(), dir, db_name).await,
            None => {
                let url = backend.server_url(server).map_err(AppError::from)?;
                postgres::copy(backend, &url, &self.postgres_name(), db_name).await
            }
        }
    }
}

/// Seeded tables whose rows carry ids (system roles and their grants, pipeline stages, the
/// chart of accounts, journals, the ledger's settings): a template keeps none of them, so
/// that no two tenants share an id; provisioning seeds them in each copy (`modules::seed`
/// adds what is missing). Children first; accounts lose their parents first (a `RESTRICT`
/// key within the table).
const MINTED_PER_TENANT: &[&str] = &[
    "role_grant",
    "user_role",
    "role",
    "pipeline_stage",
    "account",
    "journal",
    "ledger_setting",
];

/// Applies every tenant migration and the tenant-independent seed data to `db`: what a
/// template holds.
async fn fill(db: &sea_orm::DatabaseConnection) -> Result<(), AppError> {
    use sea_orm::ConnectionTrait;
    super::migrate::upgrade_tenant_database(db).await?;
    db.execute_unprepared("UPDATE account SET parent_id = NULL")
        .await?;
    for table in MINTED_PER_TENANT {
        db.execute_unprepared(&format!("DELETE FROM \"{table}\""))
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_follows_migrations_and_seed_version() {
        let names = |n: &[&str]| n.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let base = TemplateKey::new(&names(&["m1", "m2"]), "1");
        assert_eq!(base, TemplateKey::new(&names(&["m1", "m2"]), "1"));
        assert_eq!(base.as_str().len(), 64);
        assert_ne!(base, TemplateKey::new(&names(&["m1", "m2", "m3"]), "1"));
        assert_ne!(base, TemplateKey::new(&names(&["m1", "m2"]), "2"));
        assert_ne!(base, TemplateKey::new(&names(&["m1m2"]), "1"));
        assert_ne!(TemplateKey::current(), base);
    }
}
