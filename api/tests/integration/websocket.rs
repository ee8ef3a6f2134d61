//! The WebSocket endpoint authenticates in `connection_init`.

use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::helpers::TestApp;

async fn init(app: &TestApp, payload: serde_json::Value) -> Vec<String> {
    let url = format!("{}/graphql", app.base.replace("http://", "ws://"));
    let mut request = url.into_client_request().unwrap();
    request.headers_mut().insert(
        "sec-websocket-protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    ws.send(Message::Text(
        json!({ "type": "connection_init", "payload": payload })
            .to_string()
            .into(),
    ))
    .await
    .unwrap();
    let mut seen = Vec::new();
    // The first answer: an ack, or an error / close.
    if let Ok(Some(Ok(msg))) =
        tokio::time::timeout(std::time::Duration::from_secs(5), ws.next()).await
    {
        seen.push(match msg {
            Message::Text(t) => t.to_string(),
            Message::Close(frame) => format!("close {frame:?}"),
            other => format!("{other:?}"),
        });
    }
    seen
}

#[tokio::test]
async fn a_socket_with_a_valid_token_is_acknowledged_and_a_bad_one_refused() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let token = app.login(&t).await;

    let ok = init(&app, json!({ "Authorization": format!("Bearer {token}") })).await;
    assert!(ok[0].contains("connection_ack"), "{ok:?}");
    let ok = init(&app, json!({ "authToken": token })).await;
    assert!(ok[0].contains("connection_ack"), "{ok:?}");

    let bad = init(&app, json!({ "Authorization": "Bearer forged" })).await;
    assert!(
        !bad.is_empty() && !bad[0].contains("connection_ack"),
        "{bad:?}"
    );
}

pub(crate) type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Opens a graphql-transport-ws socket, or the HTTP status that refused it.
pub(crate) async fn connect(app: &TestApp) -> Result<Socket, u16> {
    let url = format!("{}/graphql", app.base.replace("http://", "ws://"));
    let mut request = url.into_client_request().unwrap();
    request.headers_mut().insert(
        "sec-websocket-protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    match tokio_tungstenite::connect_async(request).await {
        Ok((ws, _)) => Ok(ws),
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            Err(response.status().as_u16())
        }
        Err(e) => panic!("{e}"),
    }
}

/// Opens a socket and initialises it with `token`.
pub(crate) async fn open(app: &TestApp, token: &str) -> Socket {
    let mut ws = connect(app).await.unwrap();
    let init = json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {token}") } });
    ws.send(Message::Text(init.to_string().into()))
        .await
        .unwrap();
    let ack = next_text(&mut ws).await;
    assert!(ack.contains("connection_ack"), "{ack}");
    ws
}

pub(crate) async fn next_text(ws: &mut Socket) -> String {
    match tokio::time::timeout(std::time::Duration::from_secs(10), ws.next()).await {
        Ok(Some(Ok(Message::Text(t)))) => t.to_string(),
        other => panic!("expected a text message, got {other:?}"),
    }
}

/// Runs `query` on the socket; its `payload` (data and errors).
pub(crate) async fn operation(ws: &mut Socket, id: &str, query: &str) -> serde_json::Value {
    let message = json!({ "id": id, "type": "subscribe", "payload": { "query": query } });
    ws.send(Message::Text(message.to_string().into()))
        .await
        .unwrap();
    loop {
        let reply: serde_json::Value = serde_json::from_str(&next_text(ws).await).unwrap();
        if reply["id"] == id && reply["type"] == "next" {
            return reply["payload"].clone();
        }
        assert_ne!(reply["type"], "error", "{reply}");
    }
}

/// The close code the server sends within `secs` seconds.
pub(crate) async fn close_code(ws: &mut Socket, secs: u64) -> Option<u16> {
    let deadline = std::time::Duration::from_secs(secs);
    loop {
        match tokio::time::timeout(deadline, ws.next()).await {
            Ok(Some(Ok(Message::Close(frame)))) => return frame.map(|f| u16::from(f.code)),
            Ok(Some(Ok(_))) => continue,
            Ok(Some(Err(_)) | None) => return None,
            Err(_) => panic!("the socket was not closed within {secs} s"),
        }
    }
}

#[tokio::test]
async fn silent_sockets_are_closed_and_open_sockets_are_bounded_per_address() {
    let app = TestApp::builder()
        .env("ERP_WS_INIT_TIMEOUT_SECS", "1")
        .env("ERP_WS_MAX_PER_ADDRESS", "3")
        .spawn()
        .await;
    let mut silent = Vec::new();
    for _ in 0..3 {
        silent.push(connect(&app).await.unwrap());
    }
    assert_eq!(connect(&app).await.err(), Some(429));
    for ws in &mut silent {
        assert_eq!(close_code(ws, 5).await, Some(4408));
    }
    drop(silent);
    // Their places are free again.
    let mut reopened = None;
    for _ in 0..50 {
        if let Ok(ws) = connect(&app).await {
            reopened = Some(ws);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        reopened.is_some(),
        "no socket could be opened after the others closed"
    );
}

#[tokio::test]
async fn a_websocket_message_over_the_body_limit_closes_the_socket() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let token = app.login(&t).await;
    let mut ws = open(&app, &token).await;
    let huge = format!("{{ __typename }} # {}", "x".repeat(2 * 1024 * 1024));
    let message = json!({ "id": "1", "type": "subscribe", "payload": { "query": huge } });
    let _ = ws.send(Message::Text(message.to_string().into())).await;
    let code = close_code(&mut ws, 10).await;
    assert!(code.is_none() || code == Some(1009), "{code:?}");
    let health = app
        .client
        .get(format!("{}/health", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status().as_u16(), 200);
}

#[tokio::test]
async fn every_operation_on_a_socket_is_checked_with_the_rights_of_that_moment() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let admin = app.login(&t).await;
    let viewer = app
        .create_user(&t, &admin, "viewer@acme.test", &["viewer"])
        .await;
    let viewer_token = app.login(&viewer).await;
    let mut ws = open(&app, &viewer_token).await;
    let me = operation(&mut ws, "1", "{ me { user { email } } }").await;
    assert_eq!(
        me["data"]["me"]["user"]["email"], "viewer@acme.test",
        "{me}"
    );
    // Deep documents and bad input are refused on sockets as on HTTP.
    let deep = format!(
        "{{ __typename(a: {}1{}) }}",
        "[".repeat(2_000),
        "]".repeat(2_000)
    );
    let refused = operation(&mut ws, "2", &deep).await;
    assert_eq!(
        refused["errors"][0]["extensions"]["code"], "VALIDATION",
        "{refused}"
    );

    let r = app
        .gql(
            Some(&admin),
            "mutation($u: ID!) { deactivateUser(id: $u) { isActive } }",
            json!({ "u": viewer.id }),
        )
        .await;
    assert!(r.body["errors"].is_null(), "{}", r.body);
    let after = operation(&mut ws, "3", "{ me { user { email } } }").await;
    assert_eq!(
        after["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{after}"
    );
    assert!(
        after["data"].is_null() || after["data"]["me"].is_null(),
        "{after}"
    );

    // Signing out ends the session: its socket's next operation is refused.
    let second = app.login(&t).await;
    let mut ws = open(&app, &second).await;
    let ok = operation(&mut ws, "1", "{ me { user { email } } }").await;
    assert!(ok["errors"].is_null(), "{ok}");
    let out = app
        .gql(Some(&second), "mutation { logout }", json!({}))
        .await;
    assert!(out.body["errors"].is_null(), "{}", out.body);
    let after = operation(&mut ws, "2", "{ me { user { email } } }").await;
    assert_eq!(
        after["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{after}"
    );

    // An API key is checked again for every operation too.
    let roles = app.role_ids(&admin).await;
    let key = app
        .gql(
            Some(&admin),
            "mutation($r: ID!) { createApiKey(input: { name: \"socket\", roleId: $r }) { secret apiKey { id } } }",
            json!({ "r": roles["viewer"] }),
        )
        .await;
    let payload = &key.body["data"]["createApiKey"];
    let mut ws = open(&app, payload["secret"].as_str().unwrap()).await;
    let ok = operation(&mut ws, "1", "{ roles { totalCount } }").await;
    assert!(ok["errors"].is_null(), "{ok}");
    app.gql(
        Some(&admin),
        "mutation($k: ID!) { revokeApiKey(id: $k) { isActive } }",
        json!({ "k": payload["apiKey"]["id"] }),
    )
    .await;
    let after = operation(&mut ws, "2", "{ roles { totalCount } }").await;
    assert_eq!(
        after["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{after}"
    );
}

#[tokio::test]
async fn a_socket_is_closed_when_its_access_token_expires() {
    use base64::Engine;
    use ed25519_dalek::pkcs8::{DecodePrivateKey, EncodePrivateKey};

    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let token = app.login(&t).await;
    // The same claims, signed by the server's key, expiring in 2 s.
    let pem = std::fs::read_to_string(app.dir.path().join("keys/jwt-ed25519.pem")).unwrap();
    let der = ed25519_dalek::SigningKey::from_pkcs8_pem(&pem)
        .unwrap()
        .to_pkcs8_der()
        .unwrap();
    let key = jsonwebtoken::EncodingKey::from_ed_der(der.as_bytes());
    let header: serde_json::Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(token.split('.').next().unwrap())
            .unwrap(),
    )
    .unwrap();
    let mut claims: serde_json::Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(token.split('.').nth(1).unwrap())
            .unwrap(),
    )
    .unwrap();
    claims["exp"] = json!(chrono::Utc::now().timestamp() + 2);
    let mut jwt_header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::EdDSA);
    jwt_header.kid = header["kid"].as_str().map(str::to_owned);
    let short = jsonwebtoken::encode(&jwt_header, &claims, &key).unwrap();

    let mut ws = open(&app, &short).await;
    let me = operation(&mut ws, "1", "{ me { user { email } } }").await;
    assert!(me["errors"].is_null(), "{me}");
    let started = std::time::Instant::now();
    assert_eq!(close_code(&mut ws, 10).await, Some(4401));
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}

#[tokio::test]
async fn a_socket_runs_at_most_fifty_operations_at_once() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let token = app.login(&t).await;
    let mut ws = open(&app, &token).await;
    // A burst of 200, written at once: the server starts them before any finishes.
    for i in 0..200 {
        let message = json!({ "id": i.to_string(), "type": "subscribe",
                              "payload": { "query": "{ customers { totalCount } }" } });
        ws.feed(Message::Text(message.to_string().into()))
            .await
            .unwrap();
    }
    ws.flush().await.unwrap();
    let (mut ok, mut limited, mut completed) = (0, 0, 0);
    while completed < 200 {
        let reply: serde_json::Value = serde_json::from_str(&next_text(&mut ws).await).unwrap();
        match reply["type"].as_str() {
            Some("next") if reply["payload"]["errors"].is_null() => ok += 1,
            Some("next") => {
                assert_eq!(
                    reply["payload"]["errors"][0]["extensions"]["code"], "RATE_LIMITED",
                    "{reply}"
                );
                limited += 1;
            }
            Some("complete") => completed += 1,
            _ => panic!("{reply}"),
        }
    }
    assert_eq!(ok + limited, 200);
    assert!(limited > 0 && ok >= 50, "{ok} answered, {limited} refused");
    // Once they have finished, the socket takes operations again.
    let again = operation(&mut ws, "again", "{ customers { totalCount } }").await;
    assert!(again["errors"].is_null(), "{again}");
}
