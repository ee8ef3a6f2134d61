//! bench/fanout/floor: the floor of the fan-out benchmark (bench/fanout/run).
//!
//! `GET /graphql` speaks just enough graphql-transport-ws for the benchmark's clients:
//! `connection_init` is acknowledged (no authentication), each `subscribe` is remembered, and
//! `POST /publish` with a version number in the body sends every remembered subscription one
//! `next` frame carrying `{ opportunityChanged: { id, version } }`, the answer our server sends
//! for the benchmark's subscription. The payload is serialized once per publish; each socket
//! adds only its subscription id. No database, no grants, no GraphQL: one task per socket
//! (as in our server), a broadcast to wake them and one write each. What is left between this
//! and our server is the distance to the floor. `GET /health` is 200.
//!
//! Environment: BIND (default 127.0.0.1:18092).

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use axum::routing::{get, post};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::broadcast;

/// The id the benchmark's subscription names (answers carry it back).
const OPPORTUNITY: &str = "fanout-floor";

#[derive(Clone)]
struct Floor {
    /// The `payload` of the next frame, serialized once per publish.
    changes: broadcast::Sender<Arc<str>>,
}

#[tokio::main]
async fn main() {
    let bind = std::env::var("BIND").unwrap_or_else(|_| "127.0.0.1:18092".into());
    let floor = Floor {
        changes: broadcast::channel(64).0,
    };
    let app = Router::new()
        .route("/graphql", get(upgrade))
        .route("/publish", post(publish))
        .route("/health", get(|| async { "ok" }))
        .with_state(floor);
    let listener = match tokio::net::TcpListener::bind(&bind).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("bench-fanout-floor: cannot bind {bind}: {e}");
            std::process::exit(1);
        }
    };
    if let Err(e) = axum::serve(listener, app).await {
        eprintln!("bench-fanout-floor: {e}");
        std::process::exit(1);
    }
}

/// `POST /publish` (body: the version): one `next` frame to every subscription.
async fn publish(State(floor): State<Floor>, body: String) -> &'static str {
    let version: i64 = body.trim().parse().unwrap_or(0);
    let payload =
        json!({ "data": { "opportunityChanged": { "id": OPPORTUNITY, "version": version } } });
    let _ = floor.changes.send(Arc::from(payload.to_string()));
    "ok"
}

async fn upgrade(State(floor): State<Floor>, upgrade: WebSocketUpgrade) -> Response {
    upgrade
        .protocols(["graphql-transport-ws"])
        .read_buffer_size(4 * 1024)
        .write_buffer_size(4 * 1024)
        .on_upgrade(move |socket| serve(socket, floor))
}

async fn serve(socket: WebSocket, floor: Floor) {
    let (mut sink, mut stream) = socket.split();
    let mut changes = floor.changes.subscribe();
    let mut subscriptions: Vec<String> = Vec::new();
    loop {
        tokio::select! {
            message = stream.next() => {
                let Some(Ok(message)) = message else { return };
                let Message::Text(text) = message else { continue };
                let Ok(message) = serde_json::from_str::<Value>(&text) else { return };
                let reply = match message["type"].as_str() {
                    Some("connection_init") => json!({ "type": "connection_ack" }),
                    Some("subscribe") => {
                        // Kept as JSON text, quotes and escapes included.
                        subscriptions.push(message["id"].to_string());
                        continue;
                    }
                    Some("ping") => json!({ "type": "pong" }),
                    _ => continue,
                };
                if sink.send(Message::Text(reply.to_string().into())).await.is_err() {
                    return;
                }
            }
            change = changes.recv() => {
                let Ok(payload) = change else { continue };
                for id in &subscriptions {
                    let frame = format!(r#"{{"id":{id},"type":"next","payload":{payload}}}"#);
                    if sink.send(Message::Text(frame.into())).await.is_err() {
                        return;
                    }
                }
            }
        }
    }
}
