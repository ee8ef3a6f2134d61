//! `GET /documents/{invoices|quotations}/{id}.pdf?token=…`: the PDF of one document, for the
//! holder of a link the API issued (`Invoice.pdf`, `Quotation.pdf`).
//!
//! The link is a short-lived token signed for one document and one caller
//! ([`Tokens::issue_link`](crate::auth::tokens::Tokens::issue_link)); it grants nothing by
//! itself. At download the caller's grants are loaded again (an ended session or a revoked
//! key refuses the link, a withdrawn permission takes effect at once) and the document is read
//! under them, as `invoice(id:)` would read it. Answers are never cached and never name the
//! link to another site (`Referrer-Policy: no-referrer`).

use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use uuid::Uuid;

use crate::auth::tokens::LinkedDocument;
use crate::documents::{pdf, print};
use crate::error::AppError;
use crate::graphql::context::RequestContext;
use crate::graphql::handler::refuse;
use crate::state::AppState;

/// How long a document link works.
pub const LINK_TTL: Duration = Duration::from_secs(600);

/// The path of document `id`'s PDF (without the token).
pub fn path(kind: LinkedDocument, id: Uuid) -> String {
    format!("/documents/{}/{id}.pdf", segment(kind))
}

/// The path segment naming `kind`.
fn segment(kind: LinkedDocument) -> &'static str {
    match kind {
        LinkedDocument::Invoice => "invoices",
        LinkedDocument::Quotation => "quotations",
    }
}

/// The query string of a download.
#[derive(Deserialize)]
pub struct LinkQuery {
    /// The link's token.
    token: Option<String>,
}

/// `GET /documents/{kind}/{file}`.
pub async fn download(
    State(state): State<AppState>,
    Path((kind, file)): Path<(String, String)>,
    Query(query): Query<LinkQuery>,
) -> Response {
    match render(&state, &kind, &file, query.token.as_deref()).await {
        Ok((name, bytes)) => {
            let mut response = bytes.into_response();
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/pdf"),
            );
            headers.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-store"),
            );
            headers.insert(
                header::REFERRER_POLICY,
                HeaderValue::from_static("no-referrer"),
            );
            headers.insert(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            );
            if let Ok(value) = HeaderValue::from_str(&format!("inline; filename=\"{name}.pdf\"")) {
                headers.insert(header::CONTENT_DISPOSITION, value);
            }
            response
        }
        Err(e) => {
            let status = match e {
                AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
                AppError::Forbidden { .. } => StatusCode::FORBIDDEN,
                AppError::NotFound { .. } => StatusCode::NOT_FOUND,
                AppError::Db(_) | AppError::Internal(_) => {
                    tracing::error!(error = %e, "document download failed");
                    StatusCode::INTERNAL_SERVER_ERROR
                }
                _ => StatusCode::BAD_REQUEST,
            };
            let message = match status {
                StatusCode::INTERNAL_SERVER_ERROR => "internal error".to_owned(),
                StatusCode::UNAUTHORIZED => {
                    "the link is invalid or has expired; ask the API for a new one".to_owned()
                }
                _ => e.to_string(),
            };
            let mut response = refuse(status, e.code(), &message);
            response.headers_mut().insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-store"),
            );
            response
        }
    }
}

/// The file name (the document's number, or its id for a draft) and PDF of a download.
async fn render(
    state: &AppState,
    kind: &str,
    file: &str,
    token: Option<&str>,
) -> Result<(String, Vec<u8>), AppError> {
    let kind = match kind {
        "invoices" => LinkedDocument::Invoice,
        "quotations" => LinkedDocument::Quotation,
        _ => return Err(AppError::NotFound { entity: "document" }),
    };
    let id = file
        .strip_suffix(".pdf")
        .and_then(|id| Uuid::parse_str(id).ok())
        .ok_or(AppError::NotFound { entity: "document" })?;
    let link = state
        .tokens()
        .verify_link(token.ok_or(AppError::Unauthenticated)?)?;
    if link.kind != kind || link.doc != id {
        // A link for another document: as good as no link.
        return Err(AppError::Unauthenticated);
    }
    let request = RequestContext::new(state.clone(), Some(link.principal));
    request.load_access().await?;
    let db = request.tenant_db().await?;
    let access = request.access()?;
    let doc = match kind {
        LinkedDocument::Invoice => print::invoice(db, access, id).await?,
        LinkedDocument::Quotation => print::quotation(db, access, id).await?,
    };
    let name = if doc.number == "Draft" {
        format!("{}-draft-{id}", segment(kind).trim_end_matches('s'))
    } else {
        // Our own numbers (`INV-2026-000123`); anything else a header could not carry goes.
        doc.number
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            .collect()
    };
    let bytes = tokio::task::spawn_blocking(move || pdf::render(&doc))
        .await
        .map_err(|e| AppError::Internal(format!("rendering failed: {e}")))?;
    Ok((name, bytes))
}
