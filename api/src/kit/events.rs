//! Domain events: what a committed write changed (`opportunity` `…` `win`, version 4, seen by
//! its owner). A [`Write`] collects them while it runs and stores each in the tenant's
//! transactional outbox in the same transaction as the change (`crate::events::outbox`), so
//! an event exists if and only if its change committed. After the commit the write wakes the
//! relay, which publishes what the outbox holds (`crate::events`).
//!
//! [`Write`]: crate::kit::write::Write

use uuid::Uuid;

/// One change of a write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DomainEvent {
    /// The resource, e.g. `customer`.
    pub entity: &'static str,
    /// The row.
    pub id: Uuid,
    /// What happened: `create`, `update`, `archive`, `delete`, or a transition such as `win`.
    pub action: String,
    /// The row's version after the change, when the row has one and still exists.
    pub version: Option<i32>,
    /// The users the row is scoped to (its owners and assignees, before and after the change):
    /// a subscriber whose grant has scope `OWN` hears of the change only if named here.
    pub audience: Vec<Uuid>,
}

impl DomainEvent {
    /// An event about `entity` `id` without version or audience.
    pub fn new(entity: &'static str, id: Uuid, action: &str) -> Self {
        Self {
            entity,
            id,
            action: action.to_owned(),
            version: None,
            audience: Vec::new(),
        }
    }

    /// The same event, naming the row's version after the change.
    pub fn version(mut self, version: Option<i32>) -> Self {
        self.version = version;
        self
    }

    /// The same event, heard also by `users` (duplicates are left out).
    pub fn audience(mut self, users: impl IntoIterator<Item = Uuid>) -> Self {
        for user in users {
            if !self.audience.contains(&user) {
                self.audience.push(user);
            }
        }
        self
    }
}
