//! The outbox relay: publishes a tenant's unsent outbox rows in `seq` order and marks them
//! sent. A commit wakes it ([`Relay::nudge`]); at most one pass per tenant runs at a time in a
//! process (a nudge during a pass runs one more pass after it), and at most
//! [`CONCURRENT_TENANTS`] tenants are relayed at once. A pass that fails (the bus is down, the
//! database is away) leaves the rows unsent and is tried again with backoff, up to every
//! [`MAX_BACKOFF`], until it succeeds.
//!
//! Two processes may relay one tenant at once and publish a row twice: hubs drop the repeat.
//! A crash between publish and marking re-publishes the rows at the next pass: the same.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::Semaphore;
use uuid::Uuid;

use super::{Bus, outbox};
use crate::error::AppError;
use crate::metrics::Metrics;
use crate::tenancy::Tenancy;

/// Tenants relayed at once by one process.
pub const CONCURRENT_TENANTS: usize = 8;

/// Longest wait between two attempts of a failing pass.
pub const MAX_BACKOFF: Duration = Duration::from_secs(2);

/// The relay of a process.
pub struct Relay {
    tenancy: Arc<Tenancy>,
    bus: Arc<dyn Bus>,
    metrics: Arc<Metrics>,
    limit: Semaphore,
    /// Tenants with a pass running or queued → whether another pass is wanted after it.
    running: Mutex<HashMap<Uuid, bool>>,
}

impl Relay {
    /// A relay publishing to `bus`.
    pub fn new(tenancy: Arc<Tenancy>, bus: Arc<dyn Bus>, metrics: Arc<Metrics>) -> Arc<Self> {
        Arc::new(Self {
            tenancy,
            bus,
            metrics,
            limit: Semaphore::new(CONCURRENT_TENANTS),
            running: Mutex::new(HashMap::new()),
        })
    }

    /// Relays `tenant`'s unsent rows soon: now, or after the pass running for it.
    pub fn nudge(self: &Arc<Self>, tenant: Uuid) {
        {
            let mut running = self.running.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(again) = running.get_mut(&tenant) {
                *again = true;
                return;
            }
            running.insert(tenant, false);
        }
        let relay = self.clone();
        tokio::spawn(crate::metrics::background(async move {
            relay.run(tenant).await
        }));
    }

    async fn run(self: Arc<Self>, tenant: Uuid) {
        let mut backoff = Duration::from_millis(100);
        loop {
            let result = match self.limit.acquire().await {
                Ok(_permit) => self.relay(tenant).await,
                Err(_) => return,
            };
            match result {
                Ok(()) => backoff = Duration::from_millis(100),
                // The tenant is suspended, closed or gone: its rows wait for it to come back
                // (the start-up sweep and the relay job find them then).
                Err(AppError::Unauthenticated) => {
                    self.running
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .remove(&tenant);
                    return;
                }
                Err(e) => {
                    self.metrics.record_relay_failure();
                    tracing::warn!(%tenant, error = %e, "outbox relay failed; retrying");
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                    continue;
                }
            }
            let mut running = self.running.lock().unwrap_or_else(PoisonError::into_inner);
            match running.get_mut(&tenant) {
                Some(again) if *again => *again = false,
                _ => {
                    running.remove(&tenant);
                    return;
                }
            }
        }
    }

    /// Publishes every unsent row of `tenant` (batch by batch), in order, and marks them sent.
    pub async fn relay(&self, tenant: Uuid) -> Result<(), AppError> {
        let db = self.tenancy.tenant_db(tenant).await?;
        loop {
            let events = outbox::unsent(db.conn()).await?;
            if events.is_empty() {
                return Ok(());
            }
            self.bus
                .publish(tenant, &events)
                .await
                .map_err(|e| AppError::Internal(e.to_string()))?;
            let seqs: Vec<i64> = events.iter().map(|e| e.seq).collect();
            outbox::mark_sent(db.conn(), &seqs).await?;
            self.metrics.record_events_published(seqs.len() as u64);
            if (seqs.len() as u64) < outbox::BATCH {
                return Ok(());
            }
        }
    }
}
