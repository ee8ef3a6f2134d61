//! The HTTP face of GraphQL: our own POST handler and the WebSocket upgrade on `/graphql`.
//!
//! The stock `async_graphql_axum::GraphQL` service accepts batches of any size, queries (and
//! mutations) over GET and any body parsed as JSON, including a cross-site `text/plain` "simple
//! request" (SECURITY.md trap 1). This handler accepts POST with `Content-Type:
//! application/json` and one operation only; GET is only a WebSocket upgrade. The body limit is
//! the router's `RequestBodyLimitLayer`, because this handler reads the body itself.

use async_graphql::http::ALL_WEBSOCKET_PROTOCOLS;
use async_graphql::{Data, ErrorExtensionValues};
use async_graphql_axum::{GraphQLProtocol, GraphQLWebSocket};
use axum::Extension;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::ws::{WebSocketUpgrade, rejection::WebSocketUpgradeRejection};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::auth::Principal;
use crate::auth::secrets::API_KEY_PREFIX;
use crate::error::{AppError, REQUEST_ID};
use crate::graphql::context::RequestContext;
use crate::metrics::REQUEST_SQL;
use crate::modules::identity::service::api_keys;
use crate::server::{ClientAddr, RequestId};
use crate::state::AppState;

/// A GraphQL-shaped error answer for requests refused before execution.
pub fn refuse(status: StatusCode, code: &str, message: &str) -> Response {
    let body =
        serde_json::json!({ "errors": [{ "message": message, "extensions": { "code": code } }] });
    (status, axum::Json(body)).into_response()
}

/// `POST /graphql`.
pub async fn post(
    State(state): State<AppState>,
    Extension(request_id): Extension<RequestId>,
    client: Option<Extension<ClientAddr>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
    if !is_json {
        return refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "VALIDATION",
            "send GraphQL requests as POST with Content-Type: application/json",
        );
    }
    if body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[') {
        return refuse(
            StatusCode::BAD_REQUEST,
            "VALIDATION",
            "batched requests are not accepted; send one operation per request",
        );
    }
    let request: async_graphql::Request = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                "VALIDATION",
                &format!("the body is not a GraphQL request: {e}"),
            );
        }
    };
    let principal = match bearer(&headers) {
        Ok(None) => None,
        Ok(Some(token)) => match REQUEST_ID
            .scope(request_id.0.clone(), authenticate(&state, token))
            .await
        {
            Ok(p) => Some(p),
            Err(e) => return unauthenticated(&state, &e),
        },
        Err(e) => return unauthenticated(&state, &e),
    };
    let request = request.data(
        RequestContext::new(state.clone(), principal).with_client_addr(client.map(|c| c.0.0)),
    );
    let statements = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let mut response = REQUEST_SQL
        .scope(
            statements.clone(),
            REQUEST_ID.scope(request_id.0, state.schema().execute(request)),
        )
        .await;
    if state.settings().is_development() {
        // How many SQL statements the request ran: tests assert that lists cost a constant
        // number of statements, whatever their length.
        let count = statements.load(std::sync::atomic::Ordering::Relaxed);
        response
            .extensions
            .insert("sqlStatements".into(), async_graphql::Value::from(count));
    }
    for error in &mut response.errors {
        // Errors async-graphql raises itself (parse, validation, input coercion) carry no
        // code; they are all bad input.
        let ext = error
            .extensions
            .get_or_insert_with(ErrorExtensionValues::default);
        if ext.get("code").is_none() {
            ext.set("code", "VALIDATION");
        }
        if let Some(async_graphql::Value::String(code)) = ext.get("code") {
            state.metrics().record_graphql_error(code);
        }
    }
    axum::Json(response).into_response()
}

/// The principal of a bearer credential: an API key (`erpk_…`, checked against its tenant's
/// database) or an access token (checked by signature alone, no database).
pub async fn authenticate(state: &AppState, credential: &str) -> Result<Principal, AppError> {
    if credential.starts_with(API_KEY_PREFIX) {
        api_keys::verify(state, credential).await
    } else {
        state.tokens().verify(credential)
    }
}

fn unauthenticated(state: &AppState, err: &AppError) -> Response {
    state.metrics().record_graphql_error(err.code());
    match err {
        // A database failure while checking an API key is ours, not the client's.
        AppError::Db(_) | AppError::Internal(_) => {
            let error = err.to_gql().into_server_error(Default::default());
            let body = serde_json::json!({ "errors": [error] });
            (StatusCode::INTERNAL_SERVER_ERROR, axum::Json(body)).into_response()
        }
        _ => refuse(StatusCode::UNAUTHORIZED, err.code(), &err.to_string()),
    }
}

/// The token of an `Authorization: Bearer …` header; another scheme is an error.
fn bearer(headers: &HeaderMap) -> Result<Option<&str>, AppError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value.to_str().map_err(|_| AppError::Unauthenticated)?;
    match value.split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            Ok(Some(token.trim()))
        }
        _ => Err(AppError::Unauthenticated),
    }
}

/// `GET /graphql`: a WebSocket upgrade (graphql-transport-ws or graphql-ws), nothing else.
pub async fn websocket(
    State(state): State<AppState>,
    client: Option<Extension<ClientAddr>>,
    protocol: Result<GraphQLProtocol, StatusCode>,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let (Ok(protocol), Ok(upgrade)) = (protocol, upgrade) else {
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
    let schema = state.schema().clone();
    let client = client.map(|c| c.0.0);
    upgrade
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |socket| async move {
            GraphQLWebSocket::new(socket, schema, protocol)
                .on_connection_init(move |payload| {
                    let state = state.clone();
                    async move { connection_init(&state, &payload, client).await }
                })
                .serve()
                .await;
        })
}

/// Authenticates a WebSocket from its `connection_init` payload (`Authorization` or
/// `authToken`). No token means anonymous; a bad token refuses the connection.
async fn connection_init(
    state: &AppState,
    payload: &serde_json::Value,
    client: Option<std::net::IpAddr>,
) -> async_graphql::Result<Data> {
    let raw = ["Authorization", "authorization", "authToken"]
        .iter()
        .find_map(|k| payload.get(k).and_then(|v| v.as_str()));
    let principal: Option<Principal> = match raw {
        None => None,
        Some(raw) => {
            let token = raw
                .strip_prefix("Bearer ")
                .or_else(|| raw.strip_prefix("bearer "))
                .unwrap_or(raw);
            Some(
                authenticate(state, token.trim())
                    .await
                    .map_err(|e| e.to_gql())?,
            )
        }
    };
    let mut data = Data::default();
    data.insert(RequestContext::new(state.clone(), principal).with_client_addr(client));
    Ok(data)
}
