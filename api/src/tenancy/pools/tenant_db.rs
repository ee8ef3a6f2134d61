//! An open tenant database: the pool, the budget permits it holds, and what the pool cache
//! keeps with it (see [`super`]).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use entities::control::tenant;
use sea_orm::{DatabaseConnection, DbBackend};
use tokio::sync::OwnedSemaphorePermit;

use crate::metrics::Metrics;
use crate::tenancy::cache::TenantCache;

/// An open tenant database, shared by the requests of that tenant. Dropping the last handle
/// closes the pool and frees its slot.
pub struct TenantDb {
    pub(super) db: DatabaseConnection,
    pub(super) tenant: tenant::Model,
    /// When the tenant's status is due to be read again, in milliseconds since the cache's
    /// `epoch`. An atomic, so the hot path costs one load and exactly one request per TTL wins
    /// the right to re-read the row.
    pub(super) status_due: AtomicU64,
    /// Most connections the pool opens: it holds that many permits of the budget.
    pub(super) max_connections: u32,
    /// The tenant's place among the `ERP_TENANT_POOL_CAP` open pools (handed on to the pool
    /// that replaces this one).
    pub(super) slot: Mutex<Option<OwnedSemaphorePermit>>,
    pub(super) permit: Option<OwnedSemaphorePermit>,
    /// Set while one request grows this pool, so concurrent ones do not all try.
    pub(super) growing: AtomicBool,
    /// Set when a larger pool replaced this one: the tenant's pool stays open (metrics).
    pub(super) replaced: AtomicBool,
    pub(super) metrics: Arc<Metrics>,
    pub(super) cache: Arc<TenantCache>,
}

impl TenantDb {
    /// What this process keeps of the tenant between requests (grants, reference tables).
    pub fn cache(&self) -> &Arc<TenantCache> {
        &self.cache
    }

    /// The tenant's connection pool.
    pub fn conn(&self) -> &DatabaseConnection {
        &self.db
    }

    /// The tenant's registry row, as it was when the pool was opened.
    pub fn tenant(&self) -> &tenant::Model {
        &self.tenant
    }

    /// Whether the pool is too small for its load: more than twice as many requests hold it
    /// as it may open connections, and every connection it may open is open and busy. (Two
    /// requests meeting on a one-connection pool now and then do not make it grow: a larger
    /// pool replaces the warm connection with new ones, which costs more than a short wait.)
    pub(super) fn crowded(self: &Arc<Self>) -> bool {
        // The cache entry holds one reference, each request using the pool one.
        let requests = Arc::strong_count(self).saturating_sub(1);
        requests > 2 * self.max_connections as usize && self.saturated()
    }

    /// Whether a request arriving now would wait: every connection the pool may open is open
    /// and busy.
    fn saturated(&self) -> bool {
        let (size, idle) = match self.db.get_database_backend() {
            DbBackend::Postgres => {
                let pool = self.db.get_postgres_connection_pool();
                (pool.size(), pool.num_idle())
            }
            DbBackend::Sqlite => {
                let pool = self.db.get_sqlite_connection_pool();
                (pool.size(), pool.num_idle())
            }
            _ => return false,
        };
        idle == 0 && size >= self.max_connections
    }
}

impl Drop for TenantDb {
    fn drop(&mut self) {
        let db = self.db.clone();
        let permit = (
            self.permit.take(),
            self.slot
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take(),
        );
        // A pool replaced by a larger one was not the tenant's last: the gauge keeps it.
        let metrics = (!self.replaced.load(Ordering::Acquire)).then(|| self.metrics.clone());
        // Closing is async; the permits are released only once the connections are gone.
        match tokio::runtime::Handle::try_current() {
            Ok(handle) => {
                handle.spawn(async move {
                    let _ = db.close().await;
                    if let Some(metrics) = metrics {
                        metrics.tenant_pool_closed();
                    }
                    drop(permit);
                });
            }
            Err(_) => {
                if let Some(metrics) = metrics {
                    metrics.tenant_pool_closed();
                }
            }
        }
    }
}
