//! GraphQL over WebSocket (`GET /graphql`, graphql-transport-ws and the legacy graphql-ws), held
//! to the same rules as HTTP (SECURITY.md traps 6 and 14):
//!
//! - Sockets are counted per client address and in total ([`SocketSlots`]); one over either
//!   bound is refused with 429 before the upgrade.
//! - Messages and frames are held to the HTTP body limit, and at most
//!   [`MAX_OPERATIONS_PER_SOCKET`] operations run at once on one socket.
//! - A socket that sends no `connection_init` within `ERP_WS_INIT_TIMEOUT_SECS` is closed
//!   with 4408; a socket whose access token expires is closed with 4401 when it does.
//! - A client that takes no frame within `ERP_WS_SEND_TIMEOUT_SECS` is dropped, and a
//!   subscription that falls more than `events::hub::FEED_CAPACITY` events behind ends with
//!   `RATE_LIMITED`: a slow client never makes the server buffer without bound.
//! - The socket keeps only its credential. Every operation passes [`admission`], then gets a
//!   fresh [`RequestContext`]: the credential is verified again and access and loaders are
//!   loaded for that operation alone, so a deactivated user, a revoked API key, an ended session
//!   or a removed role takes effect at the socket's next operation, and no cache outlives it.

use std::any::TypeId;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::Poll;

use async_graphql::http::{ALL_WEBSOCKET_PROTOCOLS, WebSocketProtocols, WsMessage};
use async_graphql::parser::types::{DocumentOperations, OperationType};
use async_graphql::{Data, Executor, Request, Response};
use async_graphql_axum::GraphQLProtocol;
use axum::Extension;
use axum::extract::State;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::http::{StatusCode, header};
use axum::response::Response as HttpResponse;
use futures_util::stream::{BoxStream, SplitSink, StreamExt};
use futures_util::{FutureExt, SinkExt};
use tokio::time::Instant;

use crate::error::AppError;
use crate::graphql::context::RequestContext;
use crate::graphql::handler::{authenticate_until, classify_errors, refuse, run};
use crate::graphql::{admission, direct};
use crate::server::{BODY_LIMIT, ClientAddr};
use crate::state::AppState;

/// Most operations (queries, mutations, subscriptions) running at once on one socket; one more
/// is answered `RATE_LIMITED`.
pub const MAX_OPERATIONS_PER_SOCKET: usize = 50;

/// Open sockets, per client address and in total.
pub struct SocketSlots {
    max_per_address: usize,
    max_total: usize,
    open: Mutex<(usize, HashMap<IpAddr, usize>)>,
}

/// One open socket's place; dropping it frees the place.
pub struct SocketSlot {
    slots: Arc<SocketSlots>,
    address: Option<IpAddr>,
}

impl SocketSlots {
    /// Bounds of `max_per_address` and `max_total` sockets.
    pub fn new(max_per_address: usize, max_total: usize) -> Arc<Self> {
        Arc::new(Self {
            max_per_address,
            max_total,
            open: Mutex::new((0, HashMap::new())),
        })
    }

    /// A place for a socket from `address`, if both bounds allow one more.
    pub fn try_acquire(self: &Arc<Self>, address: Option<IpAddr>) -> Option<SocketSlot> {
        // A std mutex: held for a few map operations, never across an await.
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        if open.0 >= self.max_total {
            return None;
        }
        if let Some(address) = address {
            let count = open.1.entry(address).or_insert(0);
            if *count >= self.max_per_address {
                return None;
            }
            *count += 1;
        }
        open.0 += 1;
        Some(SocketSlot {
            slots: self.clone(),
            address,
        })
    }

    /// Sockets open now.
    pub fn open(&self) -> usize {
        self.open.lock().unwrap_or_else(PoisonError::into_inner).0
    }
}

impl Drop for SocketSlot {
    fn drop(&mut self) {
        let mut open = self
            .slots
            .open
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        open.0 = open.0.saturating_sub(1);
        if let Some(address) = self.address
            && let Some(count) = open.1.get_mut(&address)
        {
            *count -= 1;
            if *count == 0 {
                open.1.remove(&address);
            }
        }
    }
}

/// `GET /graphql`: a WebSocket upgrade (graphql-transport-ws or graphql-ws), nothing else.
pub async fn upgrade(
    State(state): State<AppState>,
    client: Option<Extension<ClientAddr>>,
    protocol: Result<GraphQLProtocol, StatusCode>,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> HttpResponse {
    // The protocol extractor only tells a GraphQL upgrade from anything else; the socket
    // speaks the protocol the upgrade answers with (`serve`).
    let (Ok(_), Ok(upgrade)) = (protocol, upgrade) else {
        let mut response = refuse(
            StatusCode::METHOD_NOT_ALLOWED,
            "VALIDATION",
            "GET /graphql is only a WebSocket upgrade; send queries and mutations as POST",
        );
        response
            .headers_mut()
            .insert(header::ALLOW, header::HeaderValue::from_static("POST"));
        return response;
    };
    let client = client.map(|Extension(ClientAddr(address))| address);
    let Some(slot) = state.sockets().try_acquire(client) else {
        return refuse(
            StatusCode::TOO_MANY_REQUESTS,
            "RATE_LIMITED",
            "too many WebSockets are open; close one and try again",
        );
    };
    upgrade
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .max_message_size(BODY_LIMIT)
        .max_frame_size(BODY_LIMIT)
        // tungstenite reserves its read buffer up front (128 KiB by default): an idle
        // subscriber costs that per socket. Small buffers grow for a large message.
        .read_buffer_size(4 * 1024)
        .write_buffer_size(4 * 1024)
        .on_upgrade(move |socket| serve(socket, state, client, slot))
}

/// When the server closes the socket by itself.
#[derive(Clone, Copy, Debug)]
enum Deadline {
    /// No `connection_init` yet: close with 4408 at this instant.
    Init(Instant),
    /// The access token expires at this instant: close with 4401.
    Expiry(Instant),
    /// Anonymous or an API key: only the client closes.
    Never,
    /// An operation came before `connection_init`: close with 4401 now.
    Unauthorized,
}

/// The credential a socket was opened with; kept in the connection's data, verified again for
/// every operation.
#[derive(Clone)]
struct SocketCredential(Option<String>);

async fn serve(socket: WebSocket, state: AppState, client: Option<IpAddr>, _slot: SocketSlot) {
    // The protocol the upgrade answered with (the client offered it).
    let protocol = socket
        .protocol()
        .and_then(|p| p.to_str().ok())
        .and_then(|p| p.parse::<WebSocketProtocols>().ok())
        .unwrap_or(WebSocketProtocols::GraphQLWS);
    let (mut sink, stream) = socket.split();
    let init_deadline = Instant::now() + state.settings().http.ws_init_timeout;
    let send_timeout = state.settings().http.ws_send_timeout;
    let (deadline_tx, mut deadline_rx) = tokio::sync::watch::channel(Deadline::Init(init_deadline));
    let executor = SocketExecutor {
        state: state.clone(),
        client,
        running: Arc::new(AtomicUsize::new(0)),
    };
    // graphql-transport-ws: an operation before `connection_init` closes the socket with 4401
    // (async-graphql would answer 1011).
    let early = deadline_tx.clone();
    let mut initialised = false;
    let incoming = stream
        .map(move |message| {
            if !initialised && let Ok(Message::Text(text)) = &message {
                match serde_json::from_str::<serde_json::Value>(text)
                    .ok()
                    .and_then(|v| v["type"].as_str().map(str::to_owned))
                    .as_deref()
                {
                    Some("connection_init") => initialised = true,
                    Some("subscribe" | "start") => {
                        early.send_replace(Deadline::Unauthorized);
                    }
                    _ => {}
                }
            }
            message
        })
        // A read error ends the socket; pings, pongs and closes are tungstenite's.
        .take_while(|message| std::future::ready(message.is_ok()))
        .filter_map(|message| {
            std::future::ready(match message {
                Ok(message @ (Message::Text(_) | Message::Binary(_))) => Some(message.into_data()),
                _ => None,
            })
        });
    // The protocol's messages, polled here and written straight to the socket: no task, no
    // channel between them, so an event costs a subscriber one wake-up and one write.
    let graphql = async_graphql::http::WebSocket::new(executor, incoming, protocol)
        .on_connection_init(move |payload| async move {
            connection_init(&state, &payload, &deadline_tx).await
        });
    tokio::pin!(graphql);
    // One timer for the socket's deadline, moved when the deadline changes.
    let mut armed = init_deadline;
    let alarm = tokio::time::sleep_until(armed);
    tokio::pin!(alarm);
    let mut deadline_open = true;
    loop {
        let deadline = *deadline_rx.borrow_and_update();
        let (at, code, reason) = match deadline {
            Deadline::Init(at) => (Some(at), 4408, "connection initialisation timeout"),
            Deadline::Expiry(at) => (Some(at), 4401, "the access token expired"),
            Deadline::Never => (None, 0, ""),
            Deadline::Unauthorized => (Some(Instant::now()), 4401, "Unauthorized"),
        };
        if let Some(at) = at
            && at != armed
        {
            armed = at;
            alarm.as_mut().reset(at);
        }
        let message = tokio::select! {
            biased;
            changed = deadline_rx.changed(), if deadline_open => {
                deadline_open = changed.is_ok();
                continue;
            }
            () = &mut alarm, if at.is_some() => {
                let frame = CloseFrame { code, reason: reason.into() };
                let _ = sink.send(Message::Close(Some(frame))).await;
                return;
            }
            message = graphql.next() => match message {
                Some(WsMessage::Text(text)) => Message::Text(text.into()),
                // async-graphql's own close for an operation before `connection_init` (1011)
                // becomes the protocol's 4401.
                Some(WsMessage::Close(..))
                    if matches!(*deadline_rx.borrow(), Deadline::Unauthorized) =>
                {
                    Message::Close(Some(CloseFrame { code: 4401, reason: "Unauthorized".into() }))
                }
                Some(WsMessage::Close(code, reason)) => {
                    Message::Close(Some(CloseFrame { code, reason: reason.into() }))
                }
                // The client closed, or async-graphql has closed after its last message.
                None => return,
            },
        };
        if !send_within(&mut sink, message, send_timeout).await {
            return;
        }
    }
}

/// Writes `message` to the socket; `false` once the socket is gone or its client has taken no
/// frame for `limit` (its buffers and ours are full): a slow consumer never holds the server's
/// memory. The timer is set only for a write that cannot finish at once.
async fn send_within(
    sink: &mut SplitSink<WebSocket, Message>,
    message: Message,
    limit: std::time::Duration,
) -> bool {
    let mut send = std::pin::pin!(sink.send(message));
    let at_once = std::future::poll_fn(|cx| Poll::Ready(send.as_mut().poll(cx))).await;
    let sent = match at_once {
        Poll::Ready(sent) => sent,
        Poll::Pending => match tokio::time::timeout(limit, send).await {
            Ok(sent) => sent,
            Err(_) => {
                tracing::info!("a WebSocket client stopped reading; closed");
                return false;
            }
        },
    };
    sent.is_ok()
}

/// Authenticates a socket from its `connection_init` payload (`Authorization` or `authToken`).
/// No token means anonymous; a bad token refuses the connection.
async fn connection_init(
    state: &AppState,
    payload: &serde_json::Value,
    deadline: &tokio::sync::watch::Sender<Deadline>,
) -> async_graphql::Result<Data> {
    let raw = ["Authorization", "authorization", "authToken"]
        .iter()
        .find_map(|k| payload.get(k).and_then(|v| v.as_str()));
    let mut credential = None;
    let mut next = Deadline::Never;
    if let Some(raw) = raw {
        let token = raw
            .strip_prefix("Bearer ")
            .or_else(|| raw.strip_prefix("bearer "))
            .unwrap_or(raw)
            .trim();
        let (_, expires) = authenticate_until(state, token)
            .await
            .map_err(|e| e.to_gql())?;
        if let Some(expires) = expires {
            let left = (expires - chrono::Utc::now()).to_std().unwrap_or_default();
            next = Deadline::Expiry(Instant::now() + left);
        }
        credential = Some(token.to_owned());
    }
    deadline.send_replace(next);
    let mut data = Data::default();
    data.insert(SocketCredential(credential));
    Ok(data)
}

/// Runs each operation of a socket as its own request.
#[derive(Clone)]
struct SocketExecutor {
    state: AppState,
    /// The socket's client address (sign-in throttling counts by it).
    client: Option<IpAddr>,
    /// Operations of this socket running now.
    running: Arc<AtomicUsize>,
}

/// One running operation of a socket; dropping it (the operation's stream) frees its place.
struct Running(Arc<AtomicUsize>);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Executor for SocketExecutor {
    fn execute(&self, request: Request) -> impl Future<Output = Response> + Send {
        let this = self.clone();
        async move {
            this.operation(request, None)
                .await
                .next()
                .await
                .unwrap_or_default()
        }
    }

    fn execute_stream(
        &self,
        request: Request,
        session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, Response> {
        let running = Running(self.running.clone());
        if self.running.fetch_add(1, Ordering::AcqRel) >= MAX_OPERATIONS_PER_SOCKET {
            let error = AppError::RateLimited { retry_after: 1 };
            return single(failure(&self.state, &error));
        }
        let this = self.clone();
        let state = self.state.clone();
        // Boxed: the stream would otherwise hold the room of the whole operation future
        // (admission, sign-in, a query's execution) for as long as a subscription lives;
        // boxed, that room is freed once the operation has started its stream.
        let operation = std::panic::AssertUnwindSafe(this.operation(request, session_data).boxed());
        futures_util::stream::once(async move {
            // A panicking operation answers INTERNAL; the socket and its other operations go on.
            operation.catch_unwind().await.unwrap_or_else(|_| {
                tracing::error!("a WebSocket operation panicked");
                single(failure(&state, &AppError::Internal("panic".into())))
            })
        })
        .flatten()
        .map(move |response| {
            let _running = &running;
            response
        })
        .boxed()
    }
}

impl SocketExecutor {
    async fn operation(
        self,
        mut request: Request,
        session: Option<Arc<Data>>,
    ) -> BoxStream<'static, Response> {
        let state = self.state.clone();
        let credential = session
            .as_deref()
            .and_then(|data| data.get(&TypeId::of::<SocketCredential>()))
            .and_then(|value| value.downcast_ref::<SocketCredential>())
            .and_then(|c| c.0.clone());
        let admission::Admission { document, lane } =
            match admission::admit_in_lane(&state, &mut request).await {
                Ok(admission) => admission,
                Err(error) => {
                    let mut response = Response::from_errors(vec![error]);
                    classify_errors(&state, &mut response);
                    return single(response);
                }
            };
        let principal = match credential {
            None => None,
            Some(credential) => match authenticate_until(&state, &credential).await {
                Ok((principal, _)) => Some(principal),
                Err(e) => return single(failure(&state, &e)),
            },
        };
        let subscription = is_subscription(&mut request);
        let context = RequestContext::new(state.clone(), principal).with_client_addr(self.client);
        if subscription {
            drop(lane); // a subscription waits for events; it holds no lane while it waits
            if let Err(e) = context.load_access().await {
                return single(failure(&state, &e));
            }
            // The plain change stream skips the executor for every event (`direct`).
            if let (Ok(principal), Ok(access)) = (context.principal(), context.access())
                && let Some(plan) = direct::plan(
                    &document,
                    request.operation_name.as_deref(),
                    &request.variables,
                )
                && plan.admits(access)
            {
                state.metrics().record_subscription(true);
                return plan.subscribe(state, principal.clone());
            }
            state.metrics().record_subscription(false);
            return state.schema().execute_stream_with_session_data(
                request.data(context),
                session.unwrap_or_default(),
            );
        }
        let request_id = uuid::Uuid::now_v7().to_string();
        let timeout = state.settings().http.request_timeout;
        let response = match tokio::time::timeout(
            timeout,
            run(&state, request_id, context, request, &document),
        )
        .await
        {
            Ok(response) => response,
            Err(_) => failure(
                &state,
                &AppError::Internal("the operation timed out".into()),
            ),
        };
        single(response)
    }
}

fn single(response: Response) -> BoxStream<'static, Response> {
    futures_util::stream::once(async move { response }).boxed()
}

fn failure(state: &AppState, error: &AppError) -> Response {
    let mut response = Response::from_errors(vec![error.to_server_error()]);
    classify_errors(state, &mut response);
    response
}

/// Whether the operation `request` runs is a subscription (the document is parsed already).
fn is_subscription(request: &mut Request) -> bool {
    let name = request.operation_name.clone();
    let Ok(document) = request.parsed_query() else {
        return false;
    };
    let ty = match (&document.operations, name) {
        (DocumentOperations::Single(op), _) => Some(op.node.ty),
        (DocumentOperations::Multiple(ops), Some(name)) => {
            ops.get(name.as_str()).map(|op| op.node.ty)
        }
        (DocumentOperations::Multiple(ops), None) => ops.values().next().map(|op| op.node.ty),
    };
    ty == Some(OperationType::Subscription)
}
