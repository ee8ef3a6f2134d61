//! The Redis bus (`REDIS_URL`): every replica publishes a tenant's events to the tenant's
//! channel `erp:t:<tenant>:events` and listens, on one pub/sub connection per process, to the
//! channels of the tenants with subscribers in that process. Nothing else is stored in Redis.
//!
//! Redis away: publishing fails (the relay keeps the rows and retries), `/ready` says so, and
//! the listener reconnects with backoff. Once it has subscribed again it reads each listened
//! tenant's outbox past the last event it delivered ([`Hub::catch_up`]), so events published
//! while it could not hear them still arrive, in order, each once.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use futures_util::StreamExt;
use redis::AsyncCommands;
use redis::aio::MultiplexedConnection;
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;
use uuid::Uuid;

use super::Event;
use super::bus::{Bus, BusError};
use super::hub::{Hub, Interest};
use crate::error::AppError;
use crate::metrics::Metrics;

/// Longest wait for a connection or an answer from Redis.
const TIMEOUT: Duration = Duration::from_secs(2);

/// Longest wait between two attempts to reconnect the listener.
const MAX_BACKOFF: Duration = Duration::from_secs(1);

/// The channel of `tenant`'s events.
pub fn channel(tenant: Uuid) -> String {
    format!("erp:t:{tenant}:events")
}

fn tenant_of(channel: &str) -> Option<Uuid> {
    let id = channel.strip_prefix("erp:t:")?.strip_suffix(":events")?;
    Uuid::try_parse(id).ok()
}

/// One published message: a tenant's events, in order.
#[derive(Serialize, Deserialize)]
struct Batch<'a> {
    tenant: Uuid,
    #[serde(borrow)]
    events: std::borrow::Cow<'a, [Event]>,
}

/// The Redis bus (see the module header).
pub struct RedisBus {
    client: redis::Client,
    publisher: tokio::sync::Mutex<Option<MultiplexedConnection>>,
    /// The last publish succeeded (or none failed yet).
    publishing: AtomicBool,
    /// The listener is connected and subscribed.
    listening: AtomicBool,
    metrics: Arc<Metrics>,
}

impl RedisBus {
    /// A bus connecting lazily to `url`; [`Self::listen`] starts the listener.
    pub fn new(url: &url::Url, metrics: Arc<Metrics>) -> Result<Arc<Self>, AppError> {
        let client = redis::Client::open(url.as_str())
            .map_err(|e| AppError::Internal(format!("REDIS_URL: {e}")))?;
        Ok(Arc::new(Self {
            client,
            publisher: tokio::sync::Mutex::new(None),
            publishing: AtomicBool::new(true),
            listening: AtomicBool::new(false),
            metrics,
        }))
    }

    /// Starts the listener feeding `hub` (see the module header).
    pub fn listen(self: &Arc<Self>, hub: Arc<Hub>) {
        let listener = self.clone();
        tokio::spawn(crate::metrics::background(async move {
            listener.run_listener(hub).await
        }));
    }

    fn config() -> redis::AsyncConnectionConfig {
        redis::AsyncConnectionConfig::new()
            .set_connection_timeout(Some(TIMEOUT))
            .set_response_timeout(Some(TIMEOUT))
    }

    async fn publisher(&self) -> Result<MultiplexedConnection, BusError> {
        let mut held = self.publisher.lock().await;
        if let Some(conn) = &*held {
            return Ok(conn.clone());
        }
        let conn = self
            .client
            .get_multiplexed_async_connection_with_config(&Self::config())
            .await
            .map_err(|e| BusError(e.to_string()))?;
        *held = Some(conn.clone());
        Ok(conn)
    }

    fn set_health(&self) {
        let up = self.publishing.load(Ordering::Acquire) && self.listening.load(Ordering::Acquire);
        self.metrics.set_bus_up(up);
    }

    /// The listener: connects, subscribes to the listened tenants' channels, catches up, then
    /// hands every message to the hub until the connection drops; then again, with backoff.
    async fn run_listener(self: Arc<Self>, hub: Arc<Hub>) {
        let mut backoff = Duration::from_millis(50);
        loop {
            match self.listen_once(&hub).await {
                Ok(()) => backoff = Duration::from_millis(50),
                Err(e) => tracing::warn!(error = %e, "Redis listener: reconnecting"),
            }
            self.listening.store(false, Ordering::Release);
            self.set_health();
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(MAX_BACKOFF);
        }
    }

    async fn listen_once(&self, hub: &Arc<Hub>) -> Result<(), String> {
        let pubsub = tokio::time::timeout(TIMEOUT, self.client.get_async_pubsub())
            .await
            .map_err(|_| "connect timed out".to_owned())?
            .map_err(|e| e.to_string())?;
        let (mut sink, mut stream) = pubsub.split();
        let (tx, mut interest) = mpsc::unbounded_channel();
        hub.watch(tx);
        // The tenants listened to now, before anything is delivered.
        while let Ok(change) = interest.try_recv() {
            apply(&mut sink, change).await?;
        }
        // Redis answers again: publishing is expected to work too (a failing publish says
        // otherwise at once).
        self.listening.store(true, Ordering::Release);
        self.publishing.store(true, Ordering::Release);
        self.set_health();
        hub.catch_up().await;
        loop {
            tokio::select! {
                change = interest.recv() => match change {
                    Some(change) => apply(&mut sink, change).await?,
                    None => return Ok(()),
                },
                message = stream.next() => {
                    let Some(message) = message else {
                        return Err("connection closed".to_owned());
                    };
                    let Some(tenant) = tenant_of(message.get_channel_name()) else {
                        continue;
                    };
                    match serde_json::from_slice::<Batch>(message.get_payload_bytes()) {
                        // The payload must name the channel's tenant: nothing crosses tenants.
                        Ok(batch) if batch.tenant == tenant => {
                            hub.deliver(tenant, batch.events.into_owned());
                        }
                        _ => tracing::warn!(%tenant, "Redis: a malformed event message was dropped"),
                    }
                }
            }
        }
    }
}

async fn apply(sink: &mut redis::aio::PubSubSink, change: Interest) -> Result<(), String> {
    let result = match change {
        Interest::Start(tenant) => {
            tokio::time::timeout(TIMEOUT, sink.subscribe(channel(tenant))).await
        }
        Interest::Stop(tenant) => {
            tokio::time::timeout(TIMEOUT, sink.unsubscribe(channel(tenant))).await
        }
    };
    match result {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err("subscribe timed out".to_owned()),
    }
}

#[async_trait::async_trait]
impl Bus for RedisBus {
    async fn publish(&self, tenant: Uuid, events: &[Event]) -> Result<(), BusError> {
        let payload = serde_json::to_string(&Batch {
            tenant,
            events: std::borrow::Cow::Borrowed(events),
        })
        .map_err(|e| BusError(e.to_string()))?;
        let result = match self.publisher().await {
            Ok(mut conn) => conn
                .publish::<_, _, i64>(channel(tenant), payload)
                .await
                .map(|_| ())
                .map_err(|e| BusError(e.to_string())),
            Err(e) => Err(e),
        };
        if result.is_err() {
            *self.publisher.lock().await = None;
        }
        self.publishing.store(result.is_ok(), Ordering::Release);
        self.set_health();
        result
    }

    fn ready(&self) -> bool {
        self.publishing.load(Ordering::Acquire) && self.listening.load(Ordering::Acquire)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channels_carry_the_tenant_and_nothing_else() {
        let tenant = Uuid::now_v7();
        assert_eq!(channel(tenant), format!("erp:t:{tenant}:events"));
        assert_eq!(tenant_of(&channel(tenant)), Some(tenant));
        assert_eq!(tenant_of("erp:t:not-a-uuid:events"), None);
        assert_eq!(tenant_of(&format!("other:{tenant}")), None);
    }
}
