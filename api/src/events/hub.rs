//! This process's fan-out: one bounded broadcast per tenant with listeners here, fed by the
//! bus. Nothing crosses tenants: a listener is created for one tenant (from the caller's
//! verified token) and only that tenant's feed reaches it.
//!
//! Each feed remembers the numbers it delivered lately and drops a repeat, so an event
//! published twice (two relays, or a catch-up after a Redis reconnect) is heard once.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::{broadcast, mpsc};
use uuid::Uuid;

use super::{Event, outbox};
use crate::tenancy::Tenancy;

/// Events one tenant's feed keeps for a listener that is behind; one further behind is told it
/// lagged (its subscription ends: it missed events). A relay pass delivers its rows at once
/// (a backlog after an outage, a bulk import), so this bounds the burst a live subscriber
/// survives; each slot is a pointer to a shared event.
pub const FEED_CAPACITY: usize = 8_192;

/// Numbers a feed remembers having delivered.
const REMEMBERED: usize = 8_192;

/// How far before the last delivered number a catch-up reads again (rows numbered earlier
/// may commit later; repeats are dropped).
const CATCH_UP_OVERLAP: i64 = 256;

/// A tenant's listeners in this process started or stopped (the Redis listener subscribes to
/// the tenant's channel only while there are some).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interest {
    /// The first listener of a tenant.
    Start(Uuid),
    /// The last listener of a tenant left.
    Stop(Uuid),
}

struct Feed {
    tx: broadcast::Sender<Arc<Event>>,
    listeners: usize,
    /// Numbers delivered, oldest first, and as a set.
    order: VecDeque<i64>,
    delivered: HashSet<i64>,
    /// The highest number delivered, or the tenant's last number when the feed opened.
    last: Option<i64>,
}

/// The hub (see the module header).
pub struct Hub {
    tenancy: Arc<Tenancy>,
    feeds: Mutex<HashMap<Uuid, Feed>>,
    interest: Mutex<Option<mpsc::UnboundedSender<Interest>>>,
}

/// One subscription's end of a tenant feed; dropping it leaves the feed.
pub struct Listener {
    rx: broadcast::Receiver<Arc<Event>>,
    hub: Arc<Hub>,
    tenant: Uuid,
}

/// A listener fell more than [`FEED_CAPACITY`] events behind and missed some.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lagged(pub u64);

impl Listener {
    /// The next event of the tenant; `Err` when this listener fell behind and lost events
    /// (or the hub closed).
    pub async fn recv(&mut self) -> Result<Arc<Event>, Lagged> {
        match self.rx.recv().await {
            Ok(event) => Ok(event),
            Err(broadcast::error::RecvError::Lagged(n)) => Err(Lagged(n)),
            Err(broadcast::error::RecvError::Closed) => Err(Lagged(0)),
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.hub.leave(self.tenant);
    }
}

impl Hub {
    /// An empty hub; catch-ups read tenant outboxes through `tenancy`.
    pub fn new(tenancy: Arc<Tenancy>) -> Self {
        Self {
            tenancy,
            feeds: Mutex::new(HashMap::new()),
            interest: Mutex::new(None),
        }
    }

    /// Where the hub reports tenants gaining their first or losing their last listener; the
    /// tenants listened to now are reported as started.
    pub fn watch(&self, tx: mpsc::UnboundedSender<Interest>) {
        let feeds = self.feeds.lock().unwrap_or_else(PoisonError::into_inner);
        for tenant in feeds.keys() {
            let _ = tx.send(Interest::Start(*tenant));
        }
        *self.interest.lock().unwrap_or_else(PoisonError::into_inner) = Some(tx);
    }

    fn tell(&self, interest: Interest) {
        if let Some(tx) = &*self.interest.lock().unwrap_or_else(PoisonError::into_inner) {
            let _ = tx.send(interest);
        }
    }

    /// A new listener of `tenant`'s events, hearing those delivered from now on.
    pub fn listen(self: &Arc<Self>, tenant: Uuid) -> Listener {
        let (rx, first) = {
            let mut feeds = self.feeds.lock().unwrap_or_else(PoisonError::into_inner);
            let first = !feeds.contains_key(&tenant);
            let feed = feeds.entry(tenant).or_insert_with(|| Feed {
                tx: broadcast::channel(FEED_CAPACITY).0,
                listeners: 0,
                order: VecDeque::new(),
                delivered: HashSet::new(),
                last: None,
            });
            feed.listeners += 1;
            (feed.tx.subscribe(), first)
        };
        if first {
            self.tell(Interest::Start(tenant));
            // Where a catch-up of this feed starts if nothing is delivered before it.
            let hub = self.clone();
            tokio::spawn(crate::metrics::background(async move {
                if let Ok(db) = hub.tenancy.tenant_db(tenant).await
                    && let Ok(last) = outbox::last_seq(db.conn()).await
                    && let Some(feed) = hub
                        .feeds
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .get_mut(&tenant)
                {
                    feed.last = Some(feed.last.map_or(last, |l| l.max(last)));
                }
            }));
        }
        Listener {
            rx,
            hub: self.clone(),
            tenant,
        }
    }

    fn leave(&self, tenant: Uuid) {
        let stopped = {
            let mut feeds = self.feeds.lock().unwrap_or_else(PoisonError::into_inner);
            match feeds.get_mut(&tenant) {
                Some(feed) if feed.listeners <= 1 => {
                    feeds.remove(&tenant);
                    true
                }
                Some(feed) => {
                    feed.listeners -= 1;
                    false
                }
                None => false,
            }
        };
        if stopped {
            self.tell(Interest::Stop(tenant));
        }
    }

    /// Hands `events` of `tenant` to its listeners here, each number once.
    pub fn deliver(&self, tenant: Uuid, events: impl IntoIterator<Item = Event>) {
        let mut feeds = self.feeds.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(feed) = feeds.get_mut(&tenant) else {
            return;
        };
        for event in events {
            if !feed.delivered.insert(event.seq) {
                continue;
            }
            feed.order.push_back(event.seq);
            if feed.order.len() > REMEMBERED
                && let Some(old) = feed.order.pop_front()
            {
                feed.delivered.remove(&old);
            }
            feed.last = Some(feed.last.map_or(event.seq, |l| l.max(event.seq)));
            let _ = feed.tx.send(Arc::new(event));
        }
    }

    /// Delivers what each listened tenant's outbox holds past its feed's last number (minus an
    /// overlap): events published while this process could not hear them (Redis was away).
    pub async fn catch_up(&self) {
        let starts: Vec<(Uuid, i64)> = self
            .feeds
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .filter_map(|(tenant, feed)| feed.last.map(|last| (*tenant, last)))
            .collect();
        for (tenant, last) in starts {
            let Ok(db) = self.tenancy.tenant_db(tenant).await else {
                continue;
            };
            let mut from = (last - CATCH_UP_OVERLAP).max(0);
            loop {
                match outbox::after(db.conn(), from).await {
                    Ok(events) if !events.is_empty() => {
                        from = events.last().map_or(from, |e| e.seq);
                        let full = events.len() as u64 == outbox::BATCH;
                        self.deliver(tenant, events);
                        if !full {
                            break;
                        }
                    }
                    Ok(_) => break,
                    Err(e) => {
                        tracing::warn!(%tenant, error = %e, "event catch-up failed");
                        break;
                    }
                }
            }
        }
    }
}
