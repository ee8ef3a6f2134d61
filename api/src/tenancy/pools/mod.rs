//! The tenant pool cache: tenant databases are opened on first use and kept in a bounded LRU,
//! under one budget of connections for all tenants together.
//!
//! **Connections.** The budget (`ERP_TENANT_CONNECTIONS_MAX`) is a semaphore of connections.
//! A pool holds one permit per connection it may open, from when it opens until its database
//! is actually closed, so a pool evicted while a request still uses it keeps counting until
//! that request ends. Hence connections to tenant databases never exceed the budget, however
//! many tenants exist and however their pools grow. A pool opens with one connection (a cold
//! tenant costs one connection, and the first request's statements share it). A request that
//! finds every connection of its tenant's pool busy, with more than twice as many requests
//! as connections on it, grows the pool, doubling it up to
//! `ERP_TENANT_POOL_CONNECTIONS`, when the budget has the permits (or an idle pool can give
//! them back): the larger pool replaces the smaller one, which closes once its last request
//! ends. So busy tenants get connections and idle ones hold one each, and an idle pool is
//! closed, least recently used first, when a new tenant needs its permits. A new pool waits (up
//! to the acquire timeout) for a permit; a request needs only its own tenant's pool, so that
//! wait cannot deadlock. Pools are counted the same way against `ERP_TENANT_POOL_CAP`: a
//! tenant with an open pool holds one slot, handed on to the larger pool when it grows.
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
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use entities::control::tenant;
use sea_orm::DatabaseConnection;
use tokio::sync::{OnceCell, OwnedSemaphorePermit, Semaphore};
use uuid::Uuid;

use crate::config::PoolSettings;
use crate::error::AppError;
use crate::metrics::Metrics;
use crate::tenancy::backend::Backend;
use crate::tenancy::cache::TenantCache;
use crate::tenancy::registry;

mod tenant_db;

pub use tenant_db::TenantDb;

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
    /// Most connections one tenant's pool grows to.
    connections: u32,
    acquire_timeout: Duration,
    status_ttl: Duration,
    /// Origin of the `status_due` clocks.
    epoch: Instant,
    /// One permit per open pool (`ERP_TENANT_POOL_CAP`).
    slots: Arc<Semaphore>,
    /// The budget of connections to tenant databases: one permit per connection a pool may open.
    budget: Arc<Semaphore>,
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
    /// A cache of at most `settings.max_open_tenants` pools of up to
    /// `settings.tenant_connections` connections each and `settings.tenant_connections_max`
    /// in all, re-reading a tenant's status once it is older than `settings.tenant_status_ttl`;
    /// tenant caches live `settings.tenant_cache_ttl`.
    pub fn new(
        backend: Backend,
        control: DatabaseConnection,
        settings: &PoolSettings,
        metrics: Arc<Metrics>,
    ) -> Self {
        Self {
            backend,
            control,
            cap: settings.max_open_tenants.max(1),
            connections: settings.tenant_connections.max(1),
            acquire_timeout: settings.acquire_timeout,
            status_ttl: settings.tenant_status_ttl,
            epoch: Instant::now(),
            slots: Arc::new(Semaphore::new(settings.max_open_tenants.max(1))),
            budget: Arc::new(Semaphore::new(
                settings.tenant_connections_max.max(1) as usize
            )),
            lru: Mutex::new(Lru::default()),
            metrics,
            cache_ttl: settings.tenant_cache_ttl,
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
            Ok(db) => {
                let db = self.recheck_status(id, &cell, db).await?;
                Ok(self.grown(id, &cell, db).await)
            }
            Err(e) => {
                // Forget the failed attempt so the next request tries again.
                self.forget(id, &cell)?;
                Err(e)
            }
        }
    }

    /// Tenants whose pool is open now (busy tenants).
    pub fn open_ids(&self) -> Vec<Uuid> {
        self.lru
            .lock()
            .map(|lru| lru.entries.keys().copied().collect())
            .unwrap_or_default()
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

    /// A permit of `semaphore` (the pool slots, or the connection budget) for a new pool of
    /// tenant `id`. When none is free, idle cached pools (used by no request) are evicted, least
    /// recently used first, until one is; pools in use are waited for.
    async fn acquire(
        &self,
        semaphore: &Arc<Semaphore>,
        id: Uuid,
        what: &str,
    ) -> Result<OwnedSemaphorePermit, AppError> {
        let deadline = tokio::time::Instant::now() + self.acquire_timeout;
        loop {
            if let Ok(permit) = semaphore.clone().try_acquire_owned() {
                return Ok(permit);
            }
            // An evicted pool gives its permits back once closed, and another waiter may get
            // them first: look again shortly, evicting the next idle pool if still needed.
            self.evict_idle(id)?;
            let wait = Duration::from_millis(20)
                .min(deadline.saturating_duration_since(tokio::time::Instant::now()));
            match tokio::time::timeout(wait, semaphore.clone().acquire_owned()).await {
                Ok(Ok(permit)) => return Ok(permit),
                Ok(Err(_)) => return Err(AppError::Internal(format!("{what}: closed"))),
                Err(_) if tokio::time::Instant::now() >= deadline => {
                    return Err(AppError::Internal(format!(
                        "{what}: all stayed busy for {:?}",
                        self.acquire_timeout
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
        let slot = self
            .acquire(&self.slots, id, "tenant pools (ERP_TENANT_POOL_CAP)")
            .await?;
        let permit = self
            .acquire(
                &self.budget,
                id,
                "tenant database connections (ERP_TENANT_CONNECTIONS_MAX)",
            )
            .await?;
        let db = self
            .backend
            .connect_tenant(&tenant.db_server, &tenant.db_name, 1)
            .await?;
        self.metrics.tenant_pool_opened();
        tracing::debug!(tenant = %tenant.slug, "tenant pool opened");
        Ok(Arc::new(TenantDb {
            db,
            tenant,
            status_due: AtomicU64::new(read_ms.saturating_add(self.ttl_ms())),
            max_connections: 1,
            slot: Mutex::new(Some(slot)),
            permit: Some(permit),
            growing: AtomicBool::new(false),
            replaced: AtomicBool::new(false),
            metrics: self.metrics.clone(),
            cache: self.cache(id),
        }))
    }

    /// `db`, or a pool twice its size that replaces it when every connection of `db` is busy,
    /// it may still grow and the budget has the permits now (see the module header). Never
    /// waits for permits: without them the request queues on `db` like before, and the least
    /// recently used idle pool is closed so a later request may grow it.
    async fn grown(
        &self,
        id: Uuid,
        cell: &Arc<OnceCell<Arc<TenantDb>>>,
        db: Arc<TenantDb>,
    ) -> Arc<TenantDb> {
        if db.max_connections >= self.connections
            || !db.crowded()
            || db
                .growing
                .compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire)
                .is_err()
        {
            return db;
        }
        let size = db.max_connections.saturating_mul(2).min(self.connections);
        let Ok(permit) = self.budget.clone().try_acquire_many_owned(size) else {
            // Idle pools give their permits back as they close, for a later request to grow.
            let missing = size.saturating_sub(self.budget.available_permits() as u32);
            for _ in 0..missing {
                if !self.evict_idle(id).unwrap_or(false) {
                    break;
                }
            }
            db.growing.store(false, Ordering::Release);
            return db;
        };
        let pool = match self
            .backend
            .connect_tenant(&db.tenant.db_server, &db.tenant.db_name, size)
            .await
        {
            Ok(pool) => pool,
            Err(e) => {
                tracing::warn!(tenant = %db.tenant.slug, error = %e, "growing a tenant pool failed");
                db.growing.store(false, Ordering::Release);
                return db;
            }
        };
        let larger = Arc::new(TenantDb {
            db: pool,
            tenant: db.tenant.clone(),
            status_due: AtomicU64::new(db.status_due.load(Ordering::Acquire)),
            max_connections: size,
            slot: Mutex::new(None),
            permit: Some(permit),
            growing: AtomicBool::new(false),
            // Not counted as opened: until it takes the smaller pool's place, dropping it
            // must not count a close either.
            replaced: AtomicBool::new(true),
            metrics: self.metrics.clone(),
            cache: db.cache.clone(),
        });
        let Ok(mut lru) = self.lock() else { return db };
        match lru.entries.get_mut(&id) {
            // Still the tenant's pool: the larger one takes its place.
            Some(entry) if Arc::ptr_eq(&entry.cell, cell) => {
                db.replaced.store(true, Ordering::Release);
                larger.replaced.store(false, Ordering::Release);
                // The tenant keeps its one pool slot while the smaller pool closes.
                *larger.slot.lock().unwrap_or_else(PoisonError::into_inner) = db
                    .slot
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .take();
                entry.cell = Arc::new(OnceCell::new_with(Some(larger.clone())));
                self.metrics.tenant_pool_grown();
                tracing::debug!(tenant = %db.tenant.slug, connections = size, "tenant pool grown");
                larger
            }
            // Evicted or replaced meanwhile: the larger pool closes again (`larger` drops).
            _ => db,
        }
    }
}
