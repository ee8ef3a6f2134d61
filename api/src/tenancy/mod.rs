//! The control plane: the tenant registry, tenant databases and their pools.
//!
//! [`Tenancy`] owns the control database connection, the [`backend::Backend`] that knows where
//! databases live, and the bounded [`pools::TenantPools`] cache. A request reaches its tenant's
//! database only through [`Tenancy::tenant_db`], keyed by the tenant id of its verified token.

pub mod backend;
pub mod cache;
pub mod lifecycle;
pub mod migrate;
pub mod pools;
pub mod provision;
pub mod registry;
pub mod slug;
pub mod template;

use std::sync::Arc;

use migration::MigratorTrait;
use sea_orm::{DatabaseConnection, TransactionTrait};
use uuid::Uuid;

use crate::config::Settings;
use crate::error::AppError;
use crate::metrics::Metrics;
use backend::Backend;
use pools::{TenantDb, TenantPools};
use template::{TemplateKey, Templates};

/// The control plane of one process.
pub struct Tenancy {
    control: DatabaseConnection,
    backend: Backend,
    pools: TenantPools,
    /// `None` when `ERP_TENANT_TEMPLATE=off`.
    templates: Option<Templates>,
}

impl Tenancy {
    /// Opens (creating if needed) and upgrades the control database.
    pub async fn open(settings: &Settings, metrics: Arc<Metrics>) -> Result<Self, AppError> {
        let backend = Backend::new(
            settings.database.clone(),
            settings.pools.clone(),
            metrics.clone(),
        );
        let control = backend.connect_control().await?;
        let txn = control.begin().await?;
        migration::control::Migrator::up(&txn, None).await?;
        txn.commit().await?;
        let pools = TenantPools::new(backend.clone(), control.clone(), &settings.pools, metrics);
        let templates = settings
            .tenant_template
            .enabled
            .then(|| Templates::new(settings.tenant_template.clone(), TemplateKey::current()));
        Ok(Self {
            control,
            backend,
            pools,
            templates,
        })
    }

    /// The control database.
    pub fn control(&self) -> &DatabaseConnection {
        &self.control
    }

    /// Where databases live.
    pub fn backend(&self) -> &Backend {
        &self.backend
    }

    /// The open pool of a tenant's database.
    pub async fn tenant_db(&self, tenant_id: Uuid) -> Result<Arc<TenantDb>, AppError> {
        self.pools.get(tenant_id).await
    }

    /// The tenant templates, unless switched off.
    pub fn templates(&self) -> Option<&Templates> {
        self.templates.as_ref()
    }

    /// Creates a tenant database unless it exists: a copy of the template, or an empty
    /// database with the template off. `true` when it is a fresh copy of the template (already
    /// migrated and seeded); `false` when it still needs migrating and seeding.
    pub async fn create_tenant_database(
        &self,
        server: &str,
        db_name: &str,
    ) -> Result<bool, AppError> {
        match &self.templates {
            Some(templates) => {
                templates
                    .create_tenant_database(&self.backend, server, db_name)
                    .await
            }
            None => {
                self.backend.create_tenant_database(server, db_name).await?;
                Ok(false)
            }
        }
    }

    /// The pool cache.
    pub fn pools(&self) -> &TenantPools {
        &self.pools
    }

    /// Closes every pool (on shutdown).
    pub async fn close(&self) {
        self.pools.clear();
        let _ = self.control.close_by_ref().await;
    }
}
