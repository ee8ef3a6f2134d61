//! Fuzzes the whole HTTP request path of `POST /graphql`, anonymous: the router's limits, the
//! handler's body checks, admission (bracket scan, parse, expanded limits, input rules) and the
//! schema's validation and execution, on a real server state over SQLite.
//!
//! The first byte picks the shape: 0 sends the rest as the raw body, anything else sends the
//! input as the `query` of a well-formed JSON request, so most runs reach the GraphQL parser.
//! A crash, a stack overflow, a 5xx answer or a run over libFuzzer's `-timeout` is a finding.

#![no_main]

use std::collections::HashMap;
use std::sync::OnceLock;

use api::config::Settings;
use api::state::AppState;
use axum::body::Body;
use libfuzzer_sys::fuzz_target;
use tower::ServiceExt;

struct Harness {
    runtime: tokio::runtime::Runtime,
    router: axum::Router,
    _dir: tempfile::TempDir,
}

fn harness() -> &'static Harness {
    static HARNESS: OnceLock<Harness> = OnceLock::new();
    HARNESS.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let vars = HashMap::from([
            ("ERP_DATA_DIR", dir.path().display().to_string()),
            ("ERP_BIND", "127.0.0.1:0".to_owned()),
        ]);
        let settings = Settings::from_lookup(|k| vars.get(k).cloned()).expect("fuzz settings");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        let state = runtime
            .block_on(AppState::build(settings))
            .expect("app state");
        Harness {
            runtime,
            router: api::server::router(state),
            _dir: dir,
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let harness = harness();
    let body = match data.split_first() {
        Some((0, raw)) => raw.to_vec(),
        _ => serde_json::to_vec(&serde_json::json!({
            "query": String::from_utf8_lossy(data),
        }))
        .expect("JSON"),
    };
    let request = axum::http::Request::post("/graphql")
        .header("content-type", "application/json")
        .body(Body::from(body))
        .expect("a request");
    let response = harness
        .runtime
        .block_on(harness.router.clone().oneshot(request))
        .expect("the router is infallible");
    assert!(
        !response.status().is_server_error(),
        "answered {}",
        response.status()
    );
});
