//! `AppState`: what every handler and resolver shares, built once at start-up.

use std::sync::Arc;

use crate::auth::keys::Keys;
use crate::auth::password::Passwords;
use crate::auth::tokens::Tokens;
use crate::config::Settings;
use crate::error::AppError;
use crate::graphql::websocket::SocketSlots;
use crate::graphql::{AppSchema, build_schema};
use crate::metrics::Metrics;
use crate::tenancy::Tenancy;

/// Shared application state; cheap to clone.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

struct Inner {
    settings: Settings,
    tenancy: Arc<Tenancy>,
    tokens: Tokens,
    passwords: Passwords,
    metrics: Arc<Metrics>,
    schema: AppSchema,
    sockets: Arc<SocketSlots>,
    heavy_lane: Arc<tokio::sync::Semaphore>,
    documents: crate::graphql::admission::Documents,
    events: crate::events::Events,
}

impl AppState {
    /// Opens the control database and loads keys.
    pub async fn build(settings: Settings) -> Result<Self, AppError> {
        let metrics = Arc::new(Metrics::default());
        let tenancy = Arc::new(Tenancy::open(&settings, metrics.clone()).await?);
        Self::with_tenancy(settings, tenancy, metrics)
    }

    /// State around an open [`Tenancy`].
    pub fn with_tenancy(
        settings: Settings,
        tenancy: Arc<Tenancy>,
        metrics: Arc<Metrics>,
    ) -> Result<Self, AppError> {
        let keys = Keys::load(&settings).map_err(|e| AppError::Internal(e.to_string()))?;
        let tokens = Tokens::new(
            keys,
            settings.auth.issuer.clone(),
            settings.auth.audience.clone(),
            settings.auth.access_ttl,
        );
        let passwords = Passwords::new(std::thread::available_parallelism().map_or(2, |n| n.get()));
        let schema = build_schema(&settings.graphql);
        let sockets =
            SocketSlots::new(settings.http.ws_max_per_address, settings.http.ws_max_total);
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let heavy_lane = Arc::new(tokio::sync::Semaphore::new(cores.saturating_sub(1).max(1)));
        let events = crate::events::Events::new(
            tenancy.clone(),
            settings.redis_url.as_ref(),
            metrics.clone(),
        )?;
        Ok(Self(Arc::new(Inner {
            settings,
            tenancy,
            tokens,
            passwords,
            metrics,
            schema,
            sockets,
            heavy_lane,
            documents: crate::graphql::admission::Documents::default(),
            events,
        })))
    }

    /// Real time: the outbox relay, the event bus and this process's fan-out.
    pub fn events(&self) -> &crate::events::Events {
        &self.0.events
    }

    /// The configuration.
    pub fn settings(&self) -> &Settings {
        &self.0.settings
    }
    /// The control plane.
    pub fn tenancy(&self) -> &Arc<Tenancy> {
        &self.0.tenancy
    }
    /// Token issuing and verification.
    pub fn tokens(&self) -> &Tokens {
        &self.0.tokens
    }
    /// Password hashing.
    pub fn passwords(&self) -> &Passwords {
        &self.0.passwords
    }
    /// Metrics.
    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.0.metrics
    }
    /// The GraphQL schema.
    pub fn schema(&self) -> &AppSchema {
        &self.0.schema
    }

    /// Requests that cost milliseconds of CPU in one go (introspection, huge documents) run
    /// one permit at a time per core but one: see `graphql::admission::admit_in_lane`.
    pub fn heavy_lane(&self) -> &Arc<tokio::sync::Semaphore> {
        &self.0.heavy_lane
    }

    /// GraphQL documents admitted before, by their text.
    pub fn documents(&self) -> &crate::graphql::admission::Documents {
        &self.0.documents
    }

    /// Open WebSockets, bounded per client address and in total.
    pub fn sockets(&self) -> &Arc<SocketSlots> {
        &self.0.sockets
    }
}
