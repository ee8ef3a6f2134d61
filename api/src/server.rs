//! The HTTP server: routes, middleware, limits, timeouts and graceful shutdown.
//!
//! Served through hyper's own connection builder rather than `axum::serve`, which sets no
//! header-read timeout (SECURITY.md trap 7, slowloris). Every response carries `x-request-id`,
//! and every log line of a request runs inside a span with that id. On shutdown the listener
//! closes, open connections finish their current request (at most 10 s), then pools close.

use std::future::Future;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use sea_orm::ConnectionTrait;
use tokio::net::TcpListener;
use tower::ServiceExt;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tracing::Instrument;

use crate::documents;
use crate::graphql::{handler, websocket};
use crate::playground;
use crate::state::AppState;

/// Largest request body accepted (SECURITY.md trap 2).
pub const BODY_LIMIT: usize = 1024 * 1024;

/// How long open connections get to finish on shutdown.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);

/// The id of the request being served (UUID v7), in request extensions.
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

/// The client's address: the TCP peer of the connection, in request extensions. Sign-in
/// throttling counts by it. A forwarding header is never read in its place: without a
/// configured trusted proxy any client could name any address.
#[derive(Clone, Copy, Debug)]
pub struct ClientAddr(pub std::net::IpAddr);

/// All routes with their middleware.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route(
            "/graphql",
            axum::routing::post(handler::post).get(websocket::upgrade),
        )
        .route("/health", get(health))
        .route("/ready", get(ready))
        .route("/metrics", get(metrics))
        .route("/.well-known/jwks.json", get(jwks))
        .route(
            "/documents/{kind}/{file}",
            get(documents::download::download),
        )
        .merge(playground::routes())
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            state.settings().http.request_timeout,
        ))
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(middleware::map_response(json_refusals))
        .layer(middleware::from_fn(contain_panics))
        .layer(middleware::from_fn_with_state(state.clone(), observe))
        .with_state(state)
}

/// Request id, tracing span and metrics for every request.
async fn observe(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let id = uuid::Uuid::now_v7().to_string();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    request.extensions_mut().insert(RequestId(id.clone()));
    let span = tracing::info_span!("request", request_id = %id, method = %request.method(), route = %route);
    let started = Instant::now();
    let mut response = next.run(request).instrument(span.clone()).await;
    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    state.metrics().record_request(&route, status, elapsed);
    span.in_scope(|| {
        tracing::info!(
            status,
            elapsed_ms = elapsed.as_millis() as u64,
            "request finished"
        )
    });
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", value);
    }
    response
}

/// A panic while serving a request (a bug, ours or a library's) answers `INTERNAL` with the
/// request id instead of dropping the connection; the panic message goes to the log.
async fn contain_panics(request: Request, next: Next) -> Response {
    use futures_util::FutureExt;
    let id = request.extensions().get::<RequestId>().cloned();
    match std::panic::AssertUnwindSafe(next.run(request))
        .catch_unwind()
        .await
    {
        Ok(response) => response,
        Err(_) => {
            let request_id = id.map(|id| id.0).unwrap_or_default();
            tracing::error!(%request_id, "a request panicked");
            let body = serde_json::json!({ "errors": [{
                "message": "internal error",
                "extensions": { "code": "INTERNAL", "requestId": request_id },
            }] });
            (StatusCode::INTERNAL_SERVER_ERROR, axum::Json(body)).into_response()
        }
    }
}

/// Answers refused by a tower layer (413 from the body limit, 408 from the timeout) as JSON
/// GraphQL errors, like every other error.
async fn json_refusals(response: Response) -> Response {
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if is_json {
        return response;
    }
    match response.status() {
        StatusCode::PAYLOAD_TOO_LARGE => handler::refuse(
            StatusCode::PAYLOAD_TOO_LARGE,
            "VALIDATION",
            &format!("the request body is larger than {BODY_LIMIT} bytes"),
        ),
        StatusCode::REQUEST_TIMEOUT => handler::refuse(
            StatusCode::REQUEST_TIMEOUT,
            "INTERNAL",
            "the request took too long and was stopped",
        ),
        _ => response,
    }
}

/// `GET /health`: the process is up.
async fn health() -> &'static str {
    "ok"
}

/// `GET /ready`: the control database answers (503 if not). With the event bus (Redis) away
/// the answer is still 200, since queries and mutations work and events wait in the outbox, but
/// its body says `degraded: …` (and `/metrics` has `erp_event_bus_up 0`): taking every replica
/// out of a load balancer because Redis is away would stop the whole API.
async fn ready(State(state): State<AppState>) -> Response {
    match state
        .tenancy()
        .control()
        .execute_unprepared("SELECT 1")
        .await
    {
        Ok(_) if !state.events().bus_ready() => {
            "degraded: event bus (Redis) unreachable; events wait in the outbox".into_response()
        }
        Ok(_) => "ready".into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "control database unreachable",
            )
                .into_response()
        }
    }
}

/// `GET /metrics`: Prometheus text.
async fn metrics(State(state): State<AppState>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics().render(),
    )
        .into_response()
}

/// `GET /.well-known/jwks.json`: public keys that verify our access tokens.
async fn jwks(State(state): State<AppState>) -> Response {
    axum::Json(state.tokens().keys().jwks().clone()).into_response()
}

/// Starts what `erp serve` runs besides HTTP: the events' background side (the Redis listener,
/// the start-up relay sweep) and, unless `ERP_JOBS=off`, the job runner.
pub fn start_background(state: &AppState) {
    state.events().run();
    if state.settings().jobs.enabled {
        crate::jobs::start(state.clone());
    }
}

/// Serves `state` on `listener` until `shutdown` completes, then drains connections.
pub async fn serve(listener: TcpListener, state: AppState, shutdown: impl Future<Output = ()>) {
    let app = router(state.clone());
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(state.settings().http.header_read_timeout)
        .keep_alive(true);
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    // Each connection task holds a clone; `recv` returns `None` once all have finished.
    let (done_tx, mut done_rx) = tokio::sync::mpsc::channel::<()>(1);
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let service = TowerToHyperService::new(app.clone().map_request(
            move |mut request: hyper::Request<hyper::body::Incoming>| {
                request.extensions_mut().insert(ClientAddr(peer.ip()));
                request
            },
        ));
        let connection = http
            .serve_connection(TokioIo::new(stream), service)
            .with_upgrades();
        let mut stop = stop_rx.clone();
        let done = done_tx.clone();
        tokio::spawn(async move {
            tokio::pin!(connection);
            let result = tokio::select! {
                result = connection.as_mut() => result,
                _ = stop.changed() => {
                    connection.as_mut().graceful_shutdown();
                    connection.await
                }
            };
            if let Err(e) = result {
                tracing::debug!(%peer, error = %e, "connection ended with an error");
            }
            drop(done);
        });
    }
    drop(listener);
    tracing::info!("shutting down: draining open connections");
    let _ = stop_tx.send(true);
    drop(done_tx);
    if tokio::time::timeout(DRAIN_TIMEOUT, done_rx.recv())
        .await
        .is_err()
    {
        tracing::warn!("connections still open after {DRAIN_TIMEOUT:?}; closing them");
    }
    state.tenancy().close().await;
}

/// Completes on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
