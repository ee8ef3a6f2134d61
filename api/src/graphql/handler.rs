//! The HTTP face of GraphQL: our own POST handler on `/graphql` (the WebSocket upgrade on the
//! same path is `websocket.rs`).
//!
//! The stock `async_graphql_axum::GraphQL` service accepts batches of any size, queries (and
//! mutations) over GET and any body parsed as JSON, including a cross-site `text/plain` "simple
//! request" (SECURITY.md trap 1). This handler accepts POST with `Content-Type:
//! application/json` and one operation only; GET is only a WebSocket upgrade. The body limit is
//! the router's `RequestBodyLimitLayer`, because this handler reads the body itself. Every
//! request passes [`admission::admit`] before authentication, so malformed or abusive
//! documents cost no database work.

use async_graphql::ErrorExtensionValues;
use async_graphql::parser::types::ExecutableDocument;
use axum::Extension;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::auth::Principal;
use crate::auth::secrets::API_KEY_PREFIX;
use crate::error::{AppError, REQUEST_ID};
use crate::graphql::context::RequestContext;
use crate::graphql::{admission, order};
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
    let mut request: async_graphql::Request = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                "VALIDATION",
                &format!("the body is not a GraphQL request: {e}"),
            );
        }
    };
    let admission = match admission::admit_in_lane(&state, &mut request).await {
        Ok(admission) => admission,
        Err(error) => {
            let mut response = async_graphql::Response::from_errors(vec![error]);
            classify_errors(&state, &mut response);
            return axum::Json(response).into_response();
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
    let context =
        RequestContext::new(state.clone(), principal).with_client_addr(client.map(|c| c.0.0));
    let response = run(&state, request_id.0, context, request, &admission.document).await;
    let response = axum::Json(response).into_response();
    drop(admission.lane); // held while the answer is serialized too
    response
}

/// Executes an admitted request (`document`, parsed by admission) for `context`: inside the
/// request id's scope, counting its SQL statements, with every error classified.
///
/// This is where the per-request work happens once, instead of in schema extensions (which
/// async-graphql would call around every field's resolution): an API key's grants are loaded
/// before execution (a user's by the first guard, after validation: `crate::authz`), a caller
/// whose grants cannot load gets one `UNAUTHENTICATED` answer for the whole request, and the
/// answer's keys are put in selection order ([`order::order_response`]).
pub async fn run(
    state: &AppState,
    request_id: String,
    context: RequestContext,
    request: async_graphql::Request,
    document: &ExecutableDocument,
) -> async_graphql::Response {
    let statements = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let operation_name = request.operation_name.clone();
    let failure = context.access_failure();
    let execute = async {
        let is_key = matches!(
            context.principal().map(|p| p.actor),
            Ok(crate::auth::Actor::ApiKey(_))
        );
        if is_key && let Err(e) = context.load_access().await {
            return async_graphql::Response::from_errors(vec![e.to_server_error()]);
        }
        let mut response = state.schema().execute(request.data(context)).await;
        if let Some(error) = failure
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take()
        {
            return async_graphql::Response::from_errors(vec![error]);
        }
        order::order_response(document, operation_name.as_deref(), &mut response.data);
        response
    };
    let mut response = REQUEST_SQL
        .scope(statements.clone(), REQUEST_ID.scope(request_id, execute))
        .await;
    if state.settings().is_development() {
        // How many SQL statements the request ran: tests assert that lists cost a constant
        // number of statements, whatever their length.
        let count = statements.load(std::sync::atomic::Ordering::Relaxed);
        response
            .extensions
            .insert("sqlStatements".into(), async_graphql::Value::from(count));
    }
    classify_errors(state, &mut response);
    response
}

/// Gives every error a code and counts it. Errors async-graphql raises itself (parse,
/// validation, input coercion) carry no code; they are all bad input.
pub fn classify_errors(state: &AppState, response: &mut async_graphql::Response) {
    for error in &mut response.errors {
        let ext = error
            .extensions
            .get_or_insert_with(ErrorExtensionValues::default);
        if ext.get("code").is_none() {
            ext.set("code", "VALIDATION");
            error.message = public_message(&error.message);
        }
        if let Some(async_graphql::Value::String(code)) = ext.get("code") {
            state.metrics().record_graphql_error(code);
        }
    }
}

/// The principal of a bearer credential: an API key (`erpk_…`, checked against its tenant's
/// database) or an access token (checked by signature alone, no database).
pub async fn authenticate(state: &AppState, credential: &str) -> Result<Principal, AppError> {
    authenticate_until(state, credential)
        .await
        .map(|(principal, _)| principal)
}

/// async-graphql's own message without the Rust types it names: its coercion errors end in
/// `(occurred while parsing "T")` for every input type on the way, flattened ones included,
/// which exist only in our code. Types of the schema stay, they help the client.
fn public_message(message: &str) -> String {
    const MARK: &str = " (occurred while parsing \"";
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(start) = rest.find(MARK) {
        out.push_str(&rest[..start]);
        let after = &rest[start + MARK.len()..];
        let Some(end) = after.find("\")") else {
            rest = &rest[start..];
            break;
        };
        if crate::graphql::type_names().contains(&after[..end]) {
            out.push_str(&rest[start..start + MARK.len() + end + 2]);
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

/// [`authenticate`], with the access token's expiry (`None` for an API key, which lives until
/// it is revoked).
pub async fn authenticate_until(
    state: &AppState,
    credential: &str,
) -> Result<(Principal, Option<chrono::DateTime<chrono::Utc>>), AppError> {
    if credential.starts_with(API_KEY_PREFIX) {
        api_keys::verify(state, credential).await.map(|p| (p, None))
    } else {
        state
            .tokens()
            .verify_until(credential)
            .map(|(p, expires)| (p, Some(expires)))
    }
}

fn unauthenticated(state: &AppState, err: &AppError) -> Response {
    state.metrics().record_graphql_error(err.code());
    match err {
        // A database failure while checking an API key is ours, not the client's.
        AppError::Db(_) | AppError::Internal(_) => {
            let error = err.to_server_error();
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
