//! The tenant pool cache: tenant databases are opened on first use and kept in a bounded LRU.
//!
//! The cap is enforced by a semaphore, not only by the map's size. Each open pool holds one
//! permit until its database is actually closed, so a pool evicted while a request still uses
//! it keeps counting until that request ends. A new pool waits (up to the acquire timeout) for a
//! permit. Hence the number of open tenant pools, and with it the number of database
//! connections, never exceeds `cap × connections per pool`, however many tenants exist.
//! A request needs only its own tenant's pool, so waiting for a permit cannot deadlock.
//!
//! The cache also keeps a tenant's status honest. A pool is opened only for a usable tenant
//! (`trial` or `active`), and the tenant row is read again when a request finds the status
//! older than the status TTL (`ERP_TENANT_STATUS_TTL_MS`, default 5 s). A tenant suspended or
//! closed meanwhile (by `erp tenant suspend|close`, another process) loses its cached pool and
//! every later request, API keys and `refreshSession` included, is `UNAUTHENTICATED`. So a
//! status change reaches every server within one TTL, at the cost of one primary-key read of the
//! control database per tenant per TTL, not per request. The row read is kept while the pool is
//! closed: a pool reopened within the TTL (more active tenants than slots) reads no control
//! database, and its status is due one TTL after that read.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use entities::control::tenant;
use sea_orm::DatabaseConnection;
use tokio::sync::{OnceCell, OwnedSemaphorePermit, Semaphore};
use uuid::Uuid;

use crate::error::AppError;
use crate::metrics::Metrics;
use crate::tenancy::backend::Backend;
use crate::tenancy::cache::TenantCache;
use crate::tenancy::registry;

/// An open tenant database, shared by the requests of that tenant. Dropping the last handle
/// closes the pool and frees its slot.
pub struct TenantDb {
    db: DatabaseConnection,
    tenant: tenant::Model,
    /// When the tenant's status is due to be read again, in milliseconds since the cache's
    /// `epoch`. An atomic, so the hot path costs one load and exactly one request per TTL wins
    /// the right to re-read the row.
    status_due: AtomicU64,
    permit: Option<OwnedSemaphorePermit>,
    metrics: Arc<Metrics>,
    cache: Arc<TenantCache>,
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
    status_ttl: Duration,
    /// Origin of the `status_due` clocks.
    epoch: Instant,
    slots: Arc<Semaphore>,
    /// A std mutex: held only for map operations, never across an await.
    lru: Mutex<Lru>,
    metrics: Arc<Metrics>,
    cache_ttl: Duration,
    /// Registry rows of usable tenants, read when their pool last opened, with when: a pool
    /// reopened within the status TTL (tenants outnumbering slots) reads no control database.
    rows: Mutex<HashMap<Uuid, (tenant::Model, Instant)>>,
    /// Each tenant's cache, kept while its pool is closed so a reopened pool starts warm
    /// (bounded: see [`Self::cache`]).
    caches: Mutex<HashMap<Uuid, Arc<TenantCache>>>,
}

impl TenantPools {
    /// A cache of at most `cap` pools of `connections` connections each, re-reading a tenant's
    /// status once it is older than `status_ttl`; tenant caches live `cache_ttl`.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        backend: Backend,
        control: DatabaseConnection,
        cap: usize,
        connections: u32,
        acquire_timeout: Duration,
        status_ttl: Duration,
        cache_ttl: Duration,
        metrics: Arc<Metrics>,
    ) -> Self {
        Self {
            backend,
            control,
            cap,
            connections,
            acquire_timeout,
            status_ttl,
            epoch: Instant::now(),
            slots: Arc::new(Semaphore::new(cap)),
            lru: Mutex::new(Lru::default()),
            metrics,
            cache_ttl,
            rows: Mutex::new(HashMap::new()),
            caches: Mutex::new(HashMap::new()),
        }
    }

    /// The cache of tenant `id` (created on first use). At most four times the pool cap are
    /// kept; past that, the caches of tenants without an open pool are dropped.
    pub fn cache(&self, id: Uuid) -> Arc<TenantCache> {
        let mut caches = self.caches.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(cache) = caches.get(&id) {
            return cache.clone();
        }
        if caches.len() >= self.cap.saturating_mul(4).max(64) {
            let open: Vec<Uuid> = self
                .lru
                .lock()
                .map(|lru| lru.entries.keys().copied().collect())
                .unwrap_or_default();
            caches.retain(|id, _| open.contains(id));
        }
        caches
            .entry(id)
            .or_insert_with(|| Arc::new(TenantCache::new(self.cache_ttl)))
            .clone()
    }

    fn drop_cache(&self, id: Uuid) {
        self.caches
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&id);
        self.rows
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&id);
    }

    /// The registry row of usable tenant `id` and when it was read: the one read within the
    /// status TTL, or read now.
    async fn usable_row(&self, id: Uuid) -> Result<(tenant::Model, Instant), AppError> {
        let known = self
            .rows
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&id)
            .filter(|(_, read)| read.elapsed() < self.status_ttl)
            .cloned();
        if let Some(known) = known {
            return Ok(known);
        }
        let row = registry::find_by_id(&self.control, id)
            .await?
            .filter(|t| t.status.is_usable())
            .ok_or(AppError::Unauthenticated)?;
        let mut rows = self.rows.lock().unwrap_or_else(PoisonError::into_inner);
        if rows.len() >= self.cap.saturating_mul(4).max(64) {
            rows.retain(|_, (_, read)| read.elapsed() < self.status_ttl);
        }
        let read = Instant::now();
        rows.insert(id, (row.clone(), read));
        Ok((row, read))
    }

    /// The open pool of tenant `id`, opening it (and evicting the least recently used pool)
    /// when needed. A tenant that does not exist or may not be used is `UNAUTHENTICATED`: the
    /// caller's credentials name it, and they are no good.
    pub async fn get(&self, id: Uuid) -> Result<Arc<TenantDb>, AppError> {
        let cell = self.slot(id)?;
        match cell.get_or_try_init(|| self.open(id)).await.cloned() {
            Ok(db) => self.recheck_status(id, &cell, db).await,
            Err(e) => {
                // Forget the failed attempt so the next request tries again.
                self.forget(id, &cell)?;
                Err(e)
            }
        }
    }

    /// Drops the cached pool of tenant `id`, if any: the next request re-reads its registry
    /// row. Requests still holding the pool finish with it; it closes after the last one.
    pub fn evict(&self, id: Uuid) {
        if let Ok(mut lru) = self.lru.lock() {
            lru.entries.remove(&id);
        }
        self.drop_cache(id);
    }

    /// Drops every cached pool.
    pub fn clear(&self) {
        if let Ok(mut lru) = self.lru.lock() {
            lru.entries.clear();
        }
        self.caches
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }

    /// `db` if its tenant is still usable, re-reading the registry row when the status is older
    /// than the TTL. Of the requests that find it stale at once, one re-reads it and the others
    /// go on with the status known one TTL ago: they started within that read's latency. A
    /// failed read fails this request (closed, not open) and leaves the next one to retry.
    async fn recheck_status(
        &self,
        id: Uuid,
        cell: &Arc<OnceCell<Arc<TenantDb>>>,
        db: Arc<TenantDb>,
    ) -> Result<Arc<TenantDb>, AppError> {
        let now = self.now_ms();
        let due = db.status_due.load(Ordering::Acquire);
        if now < due
            || db
                .status_due
                .compare_exchange(
                    due,
                    now.saturating_add(self.ttl_ms()),
                    Ordering::AcqRel,
                    Ordering::Acquire,
                )
                .is_err()
        {
            return Ok(db);
        }
        match registry::find_by_id(&self.control, id).await {
            Ok(Some(t)) if t.status.is_usable() => {
                self.rows
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .insert(id, (t, Instant::now()));
                Ok(db)
            }
            Ok(_) => {
                tracing::info!(tenant = %db.tenant.slug, "tenant no longer usable; pool evicted");
                self.forget(id, cell)?;
                self.drop_cache(id);
                Err(AppError::Unauthenticated)
            }
            Err(e) => {
                db.status_due.store(due, Ordering::Release);
                Err(e)
            }
        }
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn ttl_ms(&self) -> u64 {
        u64::try_from(self.status_ttl.as_millis()).unwrap_or(u64::MAX)
    }

    /// Removes the cache entry of `id` if it still is `cell`.
    fn forget(&self, id: Uuid, cell: &Arc<OnceCell<Arc<TenantDb>>>) -> Result<(), AppError> {
        let mut lru = self.lock()?;
        if lru
            .entries
            .get(&id)
            .is_some_and(|e| Arc::ptr_eq(&e.cell, cell))
        {
            lru.entries.remove(&id);
        }
        Ok(())
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
        let (tenant, read) = self.usable_row(id).await?;
        // The status is due again one TTL after the row was read, not after the pool opened.
        let read_ms = u64::try_from(read.saturating_duration_since(self.epoch).as_millis())
            .unwrap_or(u64::MAX);
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
            status_due: AtomicU64::new(read_ms.saturating_add(self.ttl_ms())),
            permit: Some(permit),
            metrics: self.metrics.clone(),
            cache: self.cache(id),
        }))
    }
}
