//! Real time: how a committed change reaches subscribers, in every process.
//!
//! ```text
//! write ──(same transaction)──▶ outbox row (seq)        crate::kit::Write::commit
//!   └─(after commit) nudge ──▶ Relay: unsent rows in seq order ─▶ Bus ─▶ Hub ─▶ subscriptions
//! ```
//!
//! - [`outbox`]: the rows. A write stores its events with its change; the relay reads the
//!   unsent ones in `seq` order, publishes them and marks them sent. After a crash (even a
//!   SIGKILL between commit and publish) the next start relays what is left, and the
//!   `outbox.relay` job sweeps every tenant now and then for rows a vanished replica left.
//! - [`relay::Relay`]: one pass per tenant at a time in this process, woken by each commit;
//!   a failed publish (Redis down) is retried with backoff and nothing is marked sent.
//! - [`Bus`]: in-process ([`bus::Local`], the embedded default) or Redis pub/sub
//!   ([`redis::RedisBus`], with `REDIS_URL`): one channel per tenant, `erp:t:<tenant>:events`,
//!   and one Redis subscription per process per tenant, only while someone here listens.
//! - [`hub::Hub`]: this process's fan-out to subscriptions, one bounded broadcast per tenant.
//!   It drops an event it has delivered already (two relays may publish one row; a Redis
//!   reconnect re-reads the outbox), so a subscriber hears each event once.
//!
//! Delivery is at least once from the outbox and deduplicated by `seq` in each process; the
//! order is `seq` order, which is commit order for writes that do not overlap in time (two
//! concurrent transactions of one tenant may commit in the other order than they numbered).

pub mod bus;
pub mod hub;
pub mod outbox;
pub mod redis;
pub mod relay;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub use bus::Bus;

/// One committed change as subscribers receive it (a published outbox row).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// The tenant's outbox number.
    pub seq: i64,
    /// The resource, e.g. `lead`.
    pub entity: String,
    /// The row.
    pub id: Uuid,
    /// The audit action (`create`, `update`, `win`, …).
    pub kind: String,
    /// The row's version after the change.
    pub version: Option<i32>,
    /// Users the row is scoped to (see [`crate::kit::events::DomainEvent::audience`]).
    pub audience: Vec<Uuid>,
    /// When the change was written.
    pub at: DateTime<Utc>,
}

/// The real-time plumbing of a process: relay, bus and hub.
#[derive(Clone)]
pub struct Events {
    relay: Arc<relay::Relay>,
    hub: Arc<hub::Hub>,
    bus: Arc<dyn Bus>,
    redis: Option<Arc<redis::RedisBus>>,
    tenancy: Arc<crate::tenancy::Tenancy>,
}

impl Events {
    /// Wires the relay, the bus (`REDIS_URL`: Redis, else in-process) and the hub. Nothing
    /// runs in the background until [`Self::run`].
    pub fn new(
        tenancy: Arc<crate::tenancy::Tenancy>,
        redis_url: Option<&url::Url>,
        metrics: Arc<crate::metrics::Metrics>,
    ) -> Result<Self, crate::error::AppError> {
        let hub = Arc::new(hub::Hub::new(tenancy.clone()));
        let (bus, redis): (Arc<dyn Bus>, _) = match redis_url {
            Some(url) => {
                let redis = redis::RedisBus::new(url, metrics.clone())?;
                (redis.clone(), Some(redis))
            }
            None => (Arc::new(bus::Local::new(hub.clone())), None),
        };
        let relay = relay::Relay::new(tenancy.clone(), bus.clone(), metrics);
        Ok(Self {
            relay,
            hub,
            bus,
            redis,
            tenancy,
        })
    }

    /// Starts the background side of a serving process: the Redis listener (with
    /// `REDIS_URL`) and one relay pass for every usable tenant, which publishes what a
    /// previous run committed but did not publish (a crash between commit and publish).
    pub fn run(&self) {
        if let Some(redis) = &self.redis {
            redis.listen(self.hub.clone());
        }
        let (relay, tenancy) = (self.relay.clone(), self.tenancy.clone());
        tokio::spawn(crate::metrics::background(async move {
            match crate::tenancy::registry::list(tenancy.control()).await {
                Ok(tenants) => {
                    for tenant in tenants.iter().filter(|t| t.status.is_usable()) {
                        relay.nudge(tenant.id);
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "outbox: the start-up sweep could not list tenants")
                }
            }
        }));
    }

    /// Wakes the relay of `tenant`: a write committed events there.
    pub fn committed(&self, tenant: Uuid) {
        self.relay.nudge(tenant);
    }

    /// The relay.
    pub fn relay(&self) -> &Arc<relay::Relay> {
        &self.relay
    }

    /// This process's fan-out to subscriptions.
    pub fn hub(&self) -> &Arc<hub::Hub> {
        &self.hub
    }

    /// Whether the bus can publish now (`/ready`).
    pub fn bus_ready(&self) -> bool {
        self.bus.ready()
    }
}
