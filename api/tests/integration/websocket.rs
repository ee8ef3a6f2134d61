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
