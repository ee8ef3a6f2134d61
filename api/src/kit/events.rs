//! Domain events: what a committed write changed (`customer` `…` `update`). A [`Write`]
//! collects them and publishes them only after its commit, so a listener never hears of a
//! change that was rolled back. Listeners subscribe to the application's [`EventBus`]; one that
//! falls behind loses the oldest events (it is told how many) instead of slowing writers.
//!
//! [`Write`]: crate::kit::write::Write

use tokio::sync::broadcast;
use uuid::Uuid;

/// One committed change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DomainEvent {
    /// The resource, e.g. `customer`.
    pub entity: &'static str,
    /// The row.
    pub id: Uuid,
    /// What happened: `create`, `update`, `archive`, or a transition such as `win`.
    pub action: String,
}

/// Where committed writes announce their events.
#[derive(Clone, Debug)]
pub struct EventBus(broadcast::Sender<DomainEvent>);

impl EventBus {
    /// A bus keeping up to `capacity` events for slow listeners.
    pub fn new(capacity: usize) -> Self {
        Self(broadcast::channel(capacity).0)
    }

    /// Publishes `event` to the current listeners (none: dropped).
    pub fn publish(&self, event: DomainEvent) {
        let _ = self.0.send(event);
    }

    /// A new listener, hearing events published from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<DomainEvent> {
        self.0.subscribe()
    }
}

impl Default for EventBus {
    fn default() -> Self {
        Self::new(1024)
    }
}
