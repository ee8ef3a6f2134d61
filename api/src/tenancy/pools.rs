//! The tenant pool cache: tenant databases are opened on first use and kept in a bounded LRU.
//!
//! The cap is enforced by a semaphore, not only by the map's size. Each open pool holds one
//! permit until its database is actually closed, so a pool evicted while a request still uses
//! it keeps counting until that request ends. A new pool waits (up to the acquire timeout) for a
//! permit. Hence the number of open tenant pools, and with it the number of database
//! connections, never exceeds `cap × connections per pool`, however many tenants exist.
//! A request needs only its own tenant's pool, so waiting for a permit cannot deadlock.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use entities::control::tenant;
use sea_orm::DatabaseConnection;
use tokio::sync::{OnceCell, OwnedSemaphorePermit, Semaphore};
use uuid::Uuid;

use crate::error::AppError;
use crate::metrics::Metrics;
use crate::tenancy::backend::Backend;
use crate::tenancy::registry;

/// An open tenant database, shared by the requests of that tenant. Dropping the last handle
/// closes the pool and frees its slot.
pub struct TenantDb {
    db: DatabaseConnection,
    tenant: tenant::Model,
    permit: Option<OwnedSemaphorePermit>,
    metrics: Arc<Metrics>,
}

impl TenantDb {
    /// The tenant's connection pool.
    pub fn conn(&self) -> &DatabaseConnection {
        &self.db
    }

    /// The tenant's registry row, as it was when the pool was opened.
    pub fn tenant(&self) -> &tenant::Model {
        &self.tenant
    }
}

impl Drop for TenantDb {
    fn drop(&mut self) {
        let db = self.db.clone();
        let permit = self.permit.take();
        let metrics = self.metrics.clone();
        // Closing is async; the permit is released only once the connections are gone.
        match tokio::runtime::Handle::try_current() {
            Ok(handle) => {
                handle.spawn(async move {
                    let _ = db.close().await;
                    metrics.tenant_pool_closed();
                    drop(permit);
                });
            }
            Err(_) => metrics.tenant_pool_closed(),
        }
    }
}

struct Entry {
    /// Filled once by whichever request opens the pool first; the others wait on it.
    cell: Arc<OnceCell<Arc<TenantDb>>>,
    last_used: u64,
}

#[derive(Default)]
struct Lru {
    entries: HashMap<Uuid, Entry>,
    tick: u64,
}

/// The bounded cache of open tenant pools.
pub struct TenantPools {
    backend: Backend,
    control: DatabaseConnection,
    cap: usize,
    connections: u32,
    acquire_timeout: Duration,
    slots: Arc<Semaphore>,
    /// A std mutex: held only for map operations, never across an await.
    lru: Mutex<Lru>,
    metrics: Arc<Metrics>,
}

impl TenantPools {
    /// A cache of at most `cap` pools of `connections` connections each.
    pub fn new(
        backend: Backend,
        control: DatabaseConnection,
        cap: usize,
        connections: u32,
        acquire_timeout: Duration,
        metrics: Arc<Metrics>,
    ) -> Self {
        Self {
            backend,
            control,
            cap,
            connections,
            acquire_timeout,
            slots: Arc::new(Semaphore::new(cap)),
            lru: Mutex::new(Lru::default()),
            metrics,
        }
    }

    /// The open pool of tenant `id`, opening it (and evicting the least recently used pool)
    /// when needed. A tenant that does not exist or may not be used is `UNAUTHENTICATED`: the
    /// caller's credentials name it, and they are no good.
    pub async fn get(&self, id: Uuid) -> Result<Arc<TenantDb>, AppError> {
        let cell = self.slot(id)?;
        let result = cell.get_or_try_init(|| self.open(id)).await.cloned();
        if result.is_err() {
            // Forget the failed attempt so the next request tries again.
            let mut lru = self.lock()?;
            if lru
                .entries
                .get(&id)
                .is_some_and(|e| Arc::ptr_eq(&e.cell, &cell))
            {
                lru.entries.remove(&id);
            }
        }
        result
    }

    /// Drops every cached pool.
    pub fn clear(&self) {
        if let Ok(mut lru) = self.lru.lock() {
            lru.entries.clear();
        }
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, Lru>, AppError> {
        self.lru
            .lock()
            .map_err(|_| AppError::Internal("tenant pool cache lock poisoned".into()))
    }

    /// The cache entry of `id`, created (after evicting the least recently used) when missing.
    fn slot(&self, id: Uuid) -> Result<Arc<OnceCell<Arc<TenantDb>>>, AppError> {
        let mut lru = self.lock()?;
        lru.tick += 1;
        let tick = lru.tick;
        if let Some(entry) = lru.entries.get_mut(&id) {
            entry.last_used = tick;
            return Ok(entry.cell.clone());
        }
        while lru.entries.len() >= self.cap {
            let oldest = lru
                .entries
                .iter()
                .min_by_key(|(_, e)| e.last_used)
                .map(|(id, _)| *id);
            match oldest {
                Some(oldest) => lru.entries.remove(&oldest),
                None => break,
            };
        }
        let cell = Arc::new(OnceCell::new());
        lru.entries.insert(
            id,
            Entry {
                cell: cell.clone(),
                last_used: tick,
            },
        );
        Ok(cell)
    }

    /// A free slot for a new pool. When none is free, idle cached pools (used by no request)
    /// are evicted, least recently used first, until one is; pools in use are waited for.
    async fn acquire_slot(&self, id: Uuid) -> Result<OwnedSemaphorePermit, AppError> {
        let deadline = tokio::time::Instant::now() + self.acquire_timeout;
        loop {
            if let Ok(permit) = self.slots.clone().try_acquire_owned() {
                return Ok(permit);
            }
            // An evicted pool frees its slot once closed; without one to evict, poll briefly so
            // pools that become idle meanwhile are found.
            let wait = if self.evict_idle(id)? {
                deadline.saturating_duration_since(tokio::time::Instant::now())
            } else {
                Duration::from_millis(20)
                    .min(deadline.saturating_duration_since(tokio::time::Instant::now()))
            };
            match tokio::time::timeout(wait, self.slots.clone().acquire_owned()).await {
                Ok(Ok(permit)) => return Ok(permit),
                Ok(Err(_)) => {
                    return Err(AppError::Internal("tenant pool semaphore closed".into()));
                }
                Err(_) if tokio::time::Instant::now() >= deadline => {
                    return Err(AppError::Internal(format!(
                        "all {} tenant pool slots stayed busy for {:?}",
                        self.cap, self.acquire_timeout
                    )));
                }
                Err(_) => {}
            }
        }
    }

    /// Drops the least recently used cached pool that no request holds (other than `keep`'s).
    /// Whether one was found.
    fn evict_idle(&self, keep: Uuid) -> Result<bool, AppError> {
        let mut lru = self.lock()?;
        let idle = lru
            .entries
            .iter()
            .filter(|(id, e)| {
                **id != keep && e.cell.get().is_some_and(|db| Arc::strong_count(db) == 1)
            })
            .min_by_key(|(_, e)| e.last_used)
            .map(|(id, _)| *id);
        Ok(idle.and_then(|id| lru.entries.remove(&id)).is_some())
    }

    async fn open(&self, id: Uuid) -> Result<Arc<TenantDb>, AppError> {
        let tenant = registry::find_by_id(&self.control, id)
            .await?
            .filter(|t| t.status.is_usable())
            .ok_or(AppError::Unauthenticated)?;
        let permit = self.acquire_slot(id).await?;
        let db = self
            .backend
            .connect_tenant(&tenant.db_server, &tenant.db_name, self.connections)
            .await?;
        self.metrics.tenant_pool_opened();
        tracing::debug!(tenant = %tenant.slug, "tenant pool opened");
        Ok(Arc::new(TenantDb {
            db,
            tenant,
            permit: Some(permit),
            metrics: self.metrics.clone(),
        }))
    }
}
