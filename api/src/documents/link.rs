//! `DocumentLink`: the answer of `Invoice.pdf` and `Quotation.pdf`, a signed, expiring URL of
//! the document's PDF (served by [`download`](super::download)).

use async_graphql::{Context, SimpleObject};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::auth::tokens::LinkedDocument;
use crate::documents::download::{LINK_TTL, path};
use crate::error::GqlResult;
use crate::graphql::context::ContextExt;

/// Where to download a printable document.
#[derive(SimpleObject)]
pub struct DocumentLink {
    /// The PDF's URL, relative to the API's origin (`/documents/invoices/….pdf?token=…`).
    /// It works for you alone, until `expiresAt`, and only while you may still read the
    /// document: ask again for a fresh one rather than storing it.
    pub url: String,
    /// When the link stops working (ten minutes after it was issued).
    pub expires_at: DateTime<Utc>,
}

/// A link to the PDF of document `id` of kind `kind` for the caller, who has just read it.
pub fn issue(
    ctx: &Context<'_>,
    kind: LinkedDocument,
    id: Uuid,
) -> async_graphql::Result<DocumentLink> {
    let request = ctx.request()?;
    let principal = request.principal().gql()?;
    let (token, expires_at) = request
        .state()
        .tokens()
        .issue_link(principal, kind, id, LINK_TTL)
        .gql()?;
    Ok(DocumentLink {
        url: format!("{}?token={token}", path(kind, id)),
        expires_at,
    })
}
