//! What a process keeps per tenant between requests, so the hot path runs no query for it:
//! the callers' grants ([`Access`]) and small reference tables (currencies, pipeline stages).
//!
//! Nothing here is shared between tenants: each tenant has its own [`TenantCache`], reached
//! through its [`crate::tenancy::pools::TenantDb`] (whose registry row names the tenant).
//!
//! **Invalidation.** A write that commits through the kit ([`crate::kit::Write`]) reports the
//! entities it audited ([`TenantCache::committed`]): a change to a user, a role (its grants
//! and assignments are audited on the role and the user) or an API key drops every cached
//! grant of the tenant, and a change to a cached table drops that table. Session ends
//! (logout, password change, a replayed refresh token) call [`TenantCache::access_changed`].
//! In this process a change is therefore seen by the very next request. Another process (a
//! second replica, `erp user reset-password`) is not told: its entries expire after the TTL
//! (`ERP_TENANT_CACHE_TTL_MS`, default 1 s), the longest a change made elsewhere takes to
//! reach this process. A load that raced with an invalidation is not stored (generation
//! check), so an entry never outlives a change it did not see.

use std::any::Any;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, EntityTrait};
use uuid::Uuid;

use crate::auth::{Actor, Principal};
use crate::authz::{Access, load_access};
use crate::error::AppError;

/// Audited entities whose change may change someone's grants or sign-in.
const ACCESS_ENTITIES: &[&str] = &["user", "role", "api_key"];

/// Most cached grants (or tables) per tenant; past it the map starts over (a tenant with more
/// active callers than this reloads more often, nothing else).
const MAX_ENTRIES: usize = 4_096;

type AccessKey = (Actor, Option<Uuid>);

struct Cached<T> {
    value: T,
    loaded: Instant,
}

/// One tenant's cache (see the module header).
pub struct TenantCache {
    ttl: Duration,
    /// Bumped by every invalidation: a load that started before a bump is not stored.
    generation: AtomicU64,
    access: Mutex<HashMap<AccessKey, Cached<Arc<Access>>>>,
    tables: Mutex<HashMap<&'static str, Cached<Arc<dyn Any + Send + Sync>>>>,
    /// Held while a table loads, so the fields of a page that all miss at once (every
    /// opportunity's `stage`) wait for one load instead of each running it.
    table_load: tokio::sync::Mutex<()>,
    /// Held while grants load (see [`Self::access`]).
    access_load: tokio::sync::Mutex<()>,
}

impl TenantCache {
    /// An empty cache whose entries live at most `ttl`.
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            generation: AtomicU64::new(0),
            access: Mutex::new(HashMap::new()),
            tables: Mutex::new(HashMap::new()),
            table_load: tokio::sync::Mutex::new(()),
            access_load: tokio::sync::Mutex::new(()),
        }
    }

    fn fresh<T: Clone>(&self, entry: Option<&Cached<T>>) -> Option<T> {
        entry
            .filter(|e| e.loaded.elapsed() < self.ttl)
            .map(|e| e.value.clone())
    }

    /// The cached grants of `principal` while fresh, without loading.
    pub fn cached_access(&self, principal: &Principal) -> Option<Arc<Access>> {
        let key = (principal.actor, principal.session_id);
        let map = self.access.lock().unwrap_or_else(PoisonError::into_inner);
        self.fresh(map.get(&key))
    }

    /// The grants of `principal`: cached, or loaded by [`load_access`] on `db` (which also
    /// checks that the user is active, the session alive and the key unrevoked). Of the
    /// callers that miss at once (10,000 subscriptions of one user hearing an event just
    /// after the entry expired), one loads and the others wait for it and read its result.
    pub async fn access<C: ConnectionTrait>(
        &self,
        db: &C,
        principal: &Principal,
    ) -> Result<Arc<Access>, AppError> {
        if let Some(access) = self.cached_access(principal) {
            return Ok(access);
        }
        let _loading = self.access_load.lock().await;
        if let Some(access) = self.cached_access(principal) {
            return Ok(access);
        }
        let key = (principal.actor, principal.session_id);
        let generation = self.generation.load(Ordering::Acquire);
        let access = Arc::new(load_access(db, principal).await?);
        self.store(&self.access, key, access.clone(), generation);
        Ok(access)
    }

    /// Stores `value` under `key`, unless something was invalidated since `generation` was
    /// read (the value may predate that change). A full map starts over.
    fn store<K: Eq + std::hash::Hash, V>(
        &self,
        map: &Mutex<HashMap<K, Cached<V>>>,
        key: K,
        value: V,
        generation: u64,
    ) {
        let mut map = map.lock().unwrap_or_else(PoisonError::into_inner);
        if self.generation.load(Ordering::Acquire) != generation {
            return;
        }
        if map.len() >= MAX_ENTRIES {
            map.clear();
        }
        map.insert(
            key,
            Cached {
                value,
                loaded: Instant::now(),
            },
        );
    }

    /// Every row of the small reference table `E`: cached, or loaded on the pool `db`. Of the
    /// requests that miss at once, one loads and the others wait for it (they hold no
    /// connection while they wait).
    pub async fn table<E, C>(&self, db: &C) -> Result<Arc<Vec<E::Model>>, AppError>
    where
        E: EntityTrait,
        E::Model: Sync,
        C: ConnectionTrait,
    {
        if let Some(rows) = self.cached_table::<E>() {
            return Ok(rows);
        }
        let _loading = self.table_load.lock().await;
        self.load_table::<E, C>(db).await
    }

    /// [`Self::table`] for a write, loading on its transaction `tx` when the table is not
    /// cached, without waiting for another load: a load waiting for a pool connection that
    /// this write holds would never end.
    pub async fn table_in<E, C>(&self, tx: &C) -> Result<Arc<Vec<E::Model>>, AppError>
    where
        E: EntityTrait,
        E::Model: Sync,
        C: ConnectionTrait,
    {
        self.load_table::<E, C>(tx).await
    }

    /// The cached rows of `E` while fresh, without loading.
    pub fn cached_table<E>(&self) -> Option<Arc<Vec<E::Model>>>
    where
        E: EntityTrait,
        E::Model: Sync,
    {
        let map = self.tables.lock().unwrap_or_else(PoisonError::into_inner);
        self.fresh(map.get(E::default().table_name()))
            .and_then(|any| any.downcast::<Vec<E::Model>>().ok())
    }

    /// The cached rows, or rows loaded on `db` now (and cached).
    async fn load_table<E, C>(&self, db: &C) -> Result<Arc<Vec<E::Model>>, AppError>
    where
        E: EntityTrait,
        E::Model: Sync,
        C: ConnectionTrait,
    {
        if let Some(rows) = self.cached_table::<E>() {
            return Ok(rows);
        }
        let generation = self.generation.load(Ordering::Acquire);
        let rows = Arc::new(E::find().all(db).await?);
        let any: Arc<dyn Any + Send + Sync> = rows.clone();
        self.store(&self.tables, E::default().table_name(), any, generation);
        Ok(rows)
    }

    /// Drops every cached grant of the tenant (a session ended, grants changed).
    pub fn access_changed(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        self.access
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }

    /// Drops what a committed write of `entities` (the audited entity names) made stale.
    pub fn committed<'a>(&self, entities: impl IntoIterator<Item = &'a str>) {
        let mut access = false;
        let mut tables = Vec::new();
        for entity in entities {
            access |= ACCESS_ENTITIES.contains(&entity);
            tables.push(entity);
        }
        if access {
            self.access_changed();
        }
        let mut map = self.tables.lock().unwrap_or_else(PoisonError::into_inner);
        if tables.iter().any(|t| map.contains_key(t)) {
            self.generation.fetch_add(1, Ordering::AcqRel);
            map.retain(|name, _| !tables.contains(name));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_to_users_roles_or_keys_drops_grants_and_to_a_cached_table_drops_that_table() {
        let cache = TenantCache::new(Duration::from_secs(60));
        let key = (Actor::User(Uuid::nil()), None);
        fn entry<T>(value: T) -> Cached<T> {
            Cached {
                value,
                loaded: Instant::now(),
            }
        }
        let access = Access::for_tests(Principal {
            tenant_id: Uuid::nil(),
            actor: key.0,
            session_id: None,
        });
        let put = |cache: &TenantCache| {
            cache
                .access
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(key, entry(Arc::new(access.clone())));
            cache
                .tables
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(
                    "pipeline_stage",
                    entry(Arc::new(()) as Arc<dyn Any + Send + Sync>),
                );
        };
        let sizes = |cache: &TenantCache| {
            (
                cache.access.lock().map(|m| m.len()).unwrap_or(9),
                cache.tables.lock().map(|m| m.len()).unwrap_or(9),
            )
        };
        put(&cache);
        cache.committed(["opportunity", "customer"]);
        assert_eq!(sizes(&cache), (1, 1), "unrelated writes keep both");
        for entity in ACCESS_ENTITIES {
            put(&cache);
            cache.committed([*entity]);
            assert_eq!(sizes(&cache).0, 0, "a write to {entity} drops the grants");
        }
        put(&cache);
        cache.committed(["pipeline_stage"]);
        assert_eq!(sizes(&cache), (1, 0), "a new stage drops the stages only");
    }

    #[test]
    fn entries_older_than_the_ttl_are_not_used() {
        let cache = TenantCache::new(Duration::ZERO);
        let entry = Cached {
            value: 1,
            loaded: Instant::now(),
        };
        assert_eq!(cache.fresh(Some(&entry)), None);
        let cache = TenantCache::new(Duration::from_secs(60));
        assert_eq!(cache.fresh(Some(&entry)), Some(1));
    }
}
