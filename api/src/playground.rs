//! `/playground`: a self-hosted GraphiQL whose assets are compiled into the binary, so it
//! works on a LAN without internet. The assets come from `playground/` (see its README).

use axum::Router;
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;

use crate::state::AppState;

const CSP: &str = "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; \
                   style-src 'self' 'unsafe-inline'; font-src 'self' data:; script-src 'self'; \
                   frame-ancestors 'none'";

/// The playground's routes, and `/` leading to it (temporarily: `/` may serve more later, and
/// a permanent redirect would stay cached in browsers).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(|| async { Redirect::temporary("/playground") }))
        .route(
            "/playground",
            get(|| {
                asset(
                    "text/html; charset=utf-8",
                    include_bytes!("../../playground/index.html"),
                )
            }),
        )
        .route(
            "/playground/app.js",
            get(|| {
                asset(
                    "text/javascript; charset=utf-8",
                    include_bytes!("../../playground/app.js"),
                )
            }),
        )
        .route(
            "/playground/app.css",
            get(|| {
                asset(
                    "text/css; charset=utf-8",
                    include_bytes!("../../playground/app.css"),
                )
            }),
        )
        .route(
            "/playground/vendor/graphiql.min.js",
            get(|| {
                asset(
                    "text/javascript; charset=utf-8",
                    include_bytes!("../../playground/vendor/graphiql.min.js"),
                )
            }),
        )
        .route(
            "/playground/vendor/graphiql.min.css",
            get(|| {
                asset(
                    "text/css; charset=utf-8",
                    include_bytes!("../../playground/vendor/graphiql.min.css"),
                )
            }),
        )
        .route(
            "/playground/vendor/react.production.min.js",
            get(|| {
                asset(
                    "text/javascript; charset=utf-8",
                    include_bytes!("../../playground/vendor/react.production.min.js"),
                )
            }),
        )
        .route(
            "/playground/vendor/react-dom.production.min.js",
            get(|| {
                asset(
                    "text/javascript; charset=utf-8",
                    include_bytes!("../../playground/vendor/react-dom.production.min.js"),
                )
            }),
        )
}

async fn asset(content_type: &'static str, body: &'static [u8]) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CONTENT_SECURITY_POLICY, CSP),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}
