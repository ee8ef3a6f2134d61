//! Sign-in throttling: lockout with doubling backoff, a per-address pause, one evaluated login
//! per request, and equal cost for unknown users and wrong passwords.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::helpers::{TestApp, TestTenant};

fn wrong(t: &TestTenant) -> TestTenant {
    let mut w = t.clone();
    w.password = "definitely not the password".into();
    w
}

#[tokio::test]
async fn five_failures_lock_the_account_and_the_lock_doubles() {
    let app = TestApp::builder()
        .env("ERP_LOGIN_LOCK_SECS", "1")
        .spawn()
        .await;
    let t = app.create_tenant("acme").await;
    for attempt in 1..=5 {
        assert_eq!(
            app.try_login(&wrong(&t)).await.codes(),
            ["UNAUTHENTICATED"],
            "attempt {attempt}"
        );
    }
    // Locked: even the right password is refused, with the wait.
    let locked = app.try_login(&t).await;
    assert_eq!(locked.codes(), ["RATE_LIMITED"]);
    assert_eq!(locked.body["errors"][0]["extensions"]["retryAfter"], 1);

    tokio::time::sleep(Duration::from_millis(1_100)).await;
    // One more failure after the lock: the next lock is twice as long.
    assert_eq!(app.try_login(&wrong(&t)).await.codes(), ["UNAUTHENTICATED"]);
    let locked = app.try_login(&t).await;
    assert_eq!(locked.codes(), ["RATE_LIMITED"]);
    assert_eq!(locked.body["errors"][0]["extensions"]["retryAfter"], 2);

    tokio::time::sleep(Duration::from_millis(2_100)).await;
    app.login(&t).await;
    // Success resets the count: one failure does not lock.
    assert_eq!(app.try_login(&wrong(&t)).await.codes(), ["UNAUTHENTICATED"]);
    app.login(&t).await;
}

#[tokio::test]
async fn unknown_accounts_are_locked_the_same_way() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let mut ghost = t.clone();
    ghost.email = "nobody@acme.test".into();
    for _ in 0..5 {
        assert_eq!(app.try_login(&ghost).await.codes(), ["UNAUTHENTICATED"]);
    }
    assert_eq!(app.try_login(&ghost).await.codes(), ["RATE_LIMITED"]);
    // Other accounts are not affected.
    app.login(&t).await;
}

#[tokio::test]
async fn too_many_failures_from_one_address_pause_that_address_but_not_the_tenant() {
    let app = TestApp::builder()
        .env("ERP_LOGIN_FAILURES_PER_ADDRESS_PER_MINUTE", "3")
        .spawn()
        .await;
    let t = app.create_tenant("acme").await;
    for i in 0..3 {
        let mut w = wrong(&t);
        w.email = format!("guess{i}@acme.test");
        assert_eq!(app.try_login(&w).await.codes(), ["UNAUTHENTICATED"]);
    }
    // This address is paused, whatever it tries.
    assert_eq!(app.try_login(&t).await.codes(), ["RATE_LIMITED"]);
    // Another address is not (see `lockout.rs` for the measured flood).
    let elsewhere = reqwest::Client::builder()
        .local_address("127.0.0.2".parse::<std::net::IpAddr>().unwrap())
        .build()
        .unwrap();
    let r = elsewhere
        .post(format!("{}/graphql", app.base))
        .json(&json!({
            "query": "mutation($i: LoginInput!) { login(input: $i) { accessToken } }",
            "variables": { "i": { "tenant": t.slug, "email": t.email, "password": t.password } }
        }))
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = r.json().await.unwrap();
    assert!(body["data"]["login"]["accessToken"].is_string(), "{body}");
}

#[tokio::test]
async fn aliased_logins_in_one_request_are_each_an_attempt_and_only_one_is_evaluated() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let fields: String = (0..10)
        .map(|i| {
            format!(
                "l{i}: login(input: {{ tenant: \"{}\", email: \"{}\", password: \"{}\" }}) {{ accessToken }} ",
                t.slug, t.email, t.password
            )
        })
        .collect();
    let before = app.state.passwords().verifications();
    let r = app
        .gql(None, &format!("mutation {{ {fields} }}"), json!({}))
        .await;
    assert_eq!(
        app.state.passwords().verifications() - before,
        1,
        "{}",
        r.body
    );
    assert_eq!(
        r.codes().iter().filter(|c| *c == "RATE_LIMITED").count(),
        9,
        "{}",
        r.body
    );
    // The nine extra attempts counted: the account is now locked.
    assert_eq!(app.try_login(&t).await.codes(), ["RATE_LIMITED"]);
}

/// Median of `samples` in microseconds.
fn median(mut samples: Vec<u128>) -> u128 {
    samples.sort_unstable();
    samples[samples.len() / 2]
}

#[tokio::test]
async fn unknown_user_and_wrong_password_take_the_same_time() {
    let app = TestApp::builder()
        .env("ERP_LOGIN_LOCK_AFTER", "1000000")
        .env("ERP_LOGIN_FAILURES_PER_ADDRESS_PER_MINUTE", "1000000")
        .spawn()
        .await;
    let t = app.create_tenant("acme").await;
    let known = wrong(&t);
    let mut unknown = wrong(&t);
    unknown.email = "nobody@acme.test".into();
    // Warm up pools, caches and the dummy hash.
    for _ in 0..5 {
        app.try_login(&known).await;
        app.try_login(&unknown).await;
    }
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for i in 0..200 {
        // Alternate which goes first, so neither pays for what the other left behind.
        let mut pair = [(&known, &mut a), (&unknown, &mut b)];
        if i % 2 == 1 {
            pair.reverse();
        }
        for (who, out) in pair {
            let start = Instant::now();
            let r = app.try_login(who).await;
            out.push(start.elapsed().as_micros());
            assert_eq!(r.codes(), ["UNAUTHENTICATED"]);
        }
    }
    let (a, b) = (median(a), median(b));
    let diff = a.abs_diff(b) * 100 / a.max(b);
    assert!(
        diff <= 10,
        "wrong password median {a} µs, unknown user {b} µs: {diff} % apart"
    );
}
