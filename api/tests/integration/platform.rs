//! Health, readiness, metrics, playground, request ids, keys, timeouts, shutdown.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::TestApp;

#[tokio::test]
async fn health_and_ready_answer_200() {
    let app = TestApp::spawn().await;
    for path in ["/health", "/ready"] {
        let resp = app
            .client
            .get(format!("{}{path}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "{path}");
    }
}

#[tokio::test]
async fn every_response_carries_a_request_id_even_a_404() {
    let app = TestApp::spawn().await;
    let mut ids = Vec::new();
    for path in ["/health", "/no-such-page", "/graphql"] {
        let resp = app
            .client
            .get(format!("{}{path}", app.base))
            .send()
            .await
            .unwrap();
        let id = resp
            .headers()
            .get("x-request-id")
            .expect("x-request-id")
            .to_str()
            .unwrap()
            .to_owned();
        assert_eq!(id.len(), 36, "{id}");
        ids.push(id);
    }
    ids.dedup();
    assert_eq!(ids.len(), 3, "request ids repeat: {ids:?}");
}

#[tokio::test]
async fn the_playground_and_its_assets_are_served_by_the_binary() {
    let app = TestApp::spawn().await;
    let page = app
        .client
        .get(format!("{}/playground", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let csp = page
        .headers()
        .get("content-security-policy")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("script-src 'self'"), "{csp}");
    let html = page.text().await.unwrap();
    assert!(
        !html.contains("https://"),
        "the playground must not load anything from the internet"
    );
    for asset in [
        "/playground/app.js",
        "/playground/app.css",
        "/playground/vendor/graphiql.min.js",
        "/playground/vendor/graphiql.min.css",
        "/playground/vendor/react.production.min.js",
        "/playground/vendor/react-dom.production.min.js",
    ] {
        assert!(html.contains(asset), "page does not reference {asset}");
        let resp = app
            .client
            .get(format!("{}{asset}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "{asset}");
        assert!(resp.bytes().await.unwrap().len() > 100, "{asset} is empty");
    }
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_status() {
    let app = TestApp::spawn().await;
    for _ in 0..3 {
        app.client
            .get(format!("{}/health", app.base))
            .send()
            .await
            .unwrap();
    }
    let text = app.metrics_text().await;
    assert!(
        text.contains("erp_http_requests_total{route=\"/health\",status=\"200\"} 3"),
        "{text}"
    );
    assert!(
        text.contains("erp_http_request_duration_seconds_bucket{route=\"/health\",le=\"+Inf\"} 3"),
        "{text}"
    );
    assert!(text.contains("erp_tenant_pools_open 0"), "{text}");
}

#[tokio::test]
async fn the_jwks_publishes_one_ed25519_key() {
    let app = TestApp::spawn().await;
    let jwks: serde_json::Value = app
        .client
        .get(format!("{}/.well-known/jwks.json", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let keys = jwks["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0]["kty"], "OKP");
    assert_eq!(keys[0]["crv"], "Ed25519");
    assert!(
        keys[0].get("d").is_none(),
        "the private key must never be published"
    );
}

/// A raw TCP connection to a server whose header timeout is 1 s, after sending `bytes`.
async fn raw_connection(bytes: &[u8]) -> (TestApp, tokio::net::TcpStream) {
    let app = TestApp::builder()
        .env("ERP_HTTP_HEADER_TIMEOUT_SECS", "1")
        .spawn()
        .await;
    let addr = app.base.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
    stream.write_all(bytes).await.unwrap();
    (app, stream)
}

/// Whether the server closes `stream` within 5 s.
async fn closes_soon(stream: &mut tokio::net::TcpStream) -> bool {
    let mut rest = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut rest))
        .await
        .is_ok()
}

#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_disconnected() {
    let (_app, mut stream) = raw_connection(b"GET /health HTTP/1.1\r\nHost: x\r\n").await;
    assert!(
        closes_soon(&mut stream).await,
        "the connection stayed open past the header timeout"
    );
}

#[tokio::test]
async fn shutdown_stops_accepting_connections() {
    let mut app = TestApp::spawn().await;
    assert_eq!(
        app.client
            .get(format!("{}/health", app.base))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    app.stop().await;
    let fresh = reqwest::Client::new();
    assert!(
        fresh
            .get(format!("{}/health", app.base))
            .send()
            .await
            .is_err()
    );
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed() {
    let (_app, mut stream) = raw_connection(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n").await;
    let mut first = [0u8; 256];
    let n = stream.read(&mut first).await.unwrap();
    assert!(String::from_utf8_lossy(&first[..n]).starts_with("HTTP/1.1 200"));
    // The connection stays open for a next request, but not forever.
    assert!(
        closes_soon(&mut stream).await,
        "an idle connection stayed open past the timeout"
    );
}
