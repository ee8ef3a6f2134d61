//! The event bus: where the relay publishes a tenant's events. In-process ([`Local`]) or Redis
//! ([`crate::events::redis::RedisBus`]); both end in this process's [`Hub`] on every process.

use std::sync::Arc;

use uuid::Uuid;

use super::Event;
use super::hub::Hub;

/// Why a publish failed (the relay retries; nothing is marked sent).
#[derive(Debug, thiserror::Error)]
#[error("event bus: {0}")]
pub struct BusError(pub String);

/// Publishes a tenant's events to every process's subscribers.
#[async_trait::async_trait]
pub trait Bus: Send + Sync {
    /// Publishes `events` of `tenant`, in order; `Ok` once the bus has taken them.
    async fn publish(&self, tenant: Uuid, events: &[Event]) -> Result<(), BusError>;

    /// Whether a publish can succeed now (`/ready`, `/metrics`).
    fn ready(&self) -> bool;
}

/// The embedded default: events go straight to this process's hub.
pub struct Local {
    hub: Arc<Hub>,
}

impl Local {
    /// A bus delivering to `hub`.
    pub fn new(hub: Arc<Hub>) -> Self {
        Self { hub }
    }
}

#[async_trait::async_trait]
impl Bus for Local {
    async fn publish(&self, tenant: Uuid, events: &[Event]) -> Result<(), BusError> {
        self.hub.deliver(tenant, events.iter().cloned());
        Ok(())
    }

    fn ready(&self) -> bool {
        true
    }
}
