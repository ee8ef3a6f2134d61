//! Answers that would confirm a secret: `changePassword` confirming a password guess, and
//! `users(filter: { search })` matching e-mail addresses the caller may not read.

use std::net::IpAddr;

use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp};

const CHANGE: &str = "mutation($i: ChangePasswordInput!) { changePassword(input: $i) }";

/// POSTs a GraphQL request with `client`; the body as production would send it.
async fn post_raw(
    app: &TestApp,
    client: &reqwest::Client,
    token: &str,
    query: &str,
    vars: Value,
) -> String {
    client
        .post(format!("{}/graphql", app.base))
        .bearer_auth(token)
        .json(&json!({ "query": query, "variables": vars }))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .map(|text| crate::lockout::without_statement_count(&text))
        .unwrap()
}

#[tokio::test]
async fn change_password_answers_a_wrong_current_password_and_a_reused_one_alike() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let token = app.login(&t).await;
    let change = |current: &str, new: &str| json!({ "i": { "currentPassword": current, "newPassword": new } });
    let wrong = post_raw(
        &app,
        &app.client,
        &token,
        CHANGE,
        change("a wrong guess here", "a brand new secret"),
    )
    .await;
    // The right guess offered as the new password: today's oracle.
    let right_reused = post_raw(
        &app,
        &app.client,
        &token,
        CHANGE,
        change(PASSWORD, PASSWORD),
    )
    .await;
    let wrong_reused = post_raw(
        &app,
        &app.client,
        &token,
        CHANGE,
        change("a wrong guess here", "a wrong guess here"),
    )
    .await;
    eprintln!("{wrong}");
    let body: Value = serde_json::from_str(&wrong).unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "VALIDATION");
    assert_eq!(
        body["errors"][0]["extensions"]["field"],
        "input.currentPassword"
    );
    assert_eq!(wrong, right_reused);
    assert_eq!(wrong, wrong_reused);
    // Nothing changed: the old password still signs in, and the right change works.
    app.login(&t).await;
    let ok = app
        .gql(Some(&token), CHANGE, change(PASSWORD, "a brand new secret"))
        .await;
    assert_eq!(ok.body["data"]["changePassword"], true, "{}", ok.body);
}

#[tokio::test]
async fn change_password_evaluates_one_guess_per_request_and_locks_at_the_guessing_address() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let token = app.login(&t).await;
    // 40 guesses in one request; the right one is among them.
    let fields: String = (0..40)
        .map(|i| {
            let guess = if i == 20 {
                PASSWORD.to_owned()
            } else {
                format!("guess number {i}")
            };
            format!(
                "c{i}: changePassword(input: {{ currentPassword: \"{guess}\", newPassword: \"another long secret\" }}) "
            )
        })
        .collect();
    let before = app.state.passwords().verifications();
    let r = app
        .gql(Some(&token), &format!("mutation {{ {fields} }}"), json!({}))
        .await;
    assert_eq!(app.state.passwords().verifications() - before, 1);
    let codes = r.codes();
    assert_eq!(
        codes.iter().filter(|c| *c == "VALIDATION").count(),
        1,
        "{}",
        r.body
    );
    assert_eq!(
        codes.iter().filter(|c| *c == "RATE_LIMITED").count(),
        39,
        "{}",
        r.body
    );
    assert!(r.body["data"].is_null() || r.body["data"]["c20"].is_null());

    // The 40 failures locked the check at this address, even for the right password.
    let locked = app
        .gql(
            Some(&token),
            CHANGE,
            json!({ "i": { "currentPassword": PASSWORD, "newPassword": "another long secret" } }),
        )
        .await;
    assert_eq!(locked.codes(), ["RATE_LIMITED"], "{}", locked.body);
    // The user, from another address, still changes their password.
    let elsewhere = reqwest::Client::builder()
        .local_address("127.0.0.2".parse::<IpAddr>().unwrap())
        .build()
        .unwrap();
    let ok = post_raw(
        &app,
        &elsewhere,
        &token,
        CHANGE,
        json!({ "i": { "currentPassword": PASSWORD, "newPassword": "another long secret" } }),
    )
    .await;
    assert_eq!(ok, r#"{"data":{"changePassword":true}}"#);
}

#[tokio::test]
async fn searching_users_matches_emails_only_where_the_caller_may_read_them() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let admin = app.login(&t).await;
    let viewer = app
        .create_user(&t, &admin, "viewer@acme.test", &["viewer"])
        .await;
    let r = app
        .gql(
            Some(&admin),
            "mutation($i: CreateUserInput!) { createUser(input: $i) { id } }",
            json!({ "i": { "email": "zq.hidden@acme.test", "displayName": "Target Person", "password": PASSWORD } }),
        )
        .await;
    let target = r.body["data"]["createUser"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let viewer_token = app.login(&viewer).await;
    let search = |token: String, text: &'static str| {
        let app = &app;
        async move {
            let r = app
                .gql(
                    Some(&token),
                    "query($s: String!) { users(first: 100, filter: { search: $s }) { totalCount nodes { id displayName } } }",
                    json!({ "s": text }),
                )
                .await;
            let ids: Vec<String> = r.body["data"]["users"]["nodes"]
                .as_array()
                .unwrap_or_else(|| panic!("{}", r.body))
                .iter()
                .map(|n| n["id"].as_str().unwrap().to_owned())
                .collect();
            ids
        }
    };
    // Without `identity.user.contact.read`, another user's e-mail matches nothing, letter by
    // letter or whole.
    assert!(search(viewer_token.clone(), "zq.hidden").await.is_empty());
    assert!(search(viewer_token.clone(), "zq").await.is_empty());
    // Their own e-mail they may read, so it matches them (and only them).
    assert_eq!(
        search(viewer_token.clone(), "@acme.test").await,
        [viewer.id.to_string()]
    );
    // Display names are readable: they match.
    assert_eq!(
        search(viewer_token.clone(), "target").await,
        vec![target.clone()]
    );
    // With the permission, the e-mail matches.
    assert_eq!(search(admin.clone(), "zq.hidden").await, vec![target]);
}
