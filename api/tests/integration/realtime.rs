//! Real time: committed changes reach subscribers through the outbox, once, in order, only
//! within their tenant and their rights; notifications; reminders exactly once across
//! processes; a replica that died before publishing; Redis across replicas and away.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use crate::helpers::{TestApp, TestTenant};
use crate::websocket::{Socket, open};

/// Starts subscription `id` with `query` on `ws`.
async fn subscribe(ws: &mut Socket, id: &str, query: &str) {
    let message = json!({ "id": id, "type": "subscribe", "payload": { "query": query } });
    ws.send(Message::Text(message.to_string().into()))
        .await
        .unwrap();
}

/// The next `next` payload on `ws` within `secs` (none: nothing came).
async fn next_event(ws: &mut Socket, secs: f64) -> Option<Value> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs_f64(secs);
    loop {
        let message = tokio::time::timeout_at(deadline, ws.next()).await.ok()??;
        if let Ok(Message::Text(text)) = message {
            let reply: Value = serde_json::from_str(&text).unwrap();
            match reply["type"].as_str() {
                Some("next") => return Some(reply["payload"].clone()),
                Some("error") | Some("complete") => return Some(reply),
                _ => continue,
            }
        }
    }
}

async fn customer(app: &TestApp, token: &str, name: &str) -> String {
    app.id_of(
        token,
        "mutation($n: String!) { createCustomer(input: { name: $n, currency: \"USD\" }) { id } }",
        json!({ "n": name }),
        "createCustomer",
    )
    .await
}

/// Tenant `acme`, its admin's token, a customer and a socket of the admin's subscribed to
/// `subscription` (given a moment to start).
async fn watching(app: &TestApp, subscription: &str) -> (TestTenant, String, String, Socket) {
    let t = app.create_tenant("acme").await;
    let admin = app.login(&t).await;
    let c = customer(app, &admin, "Acme buyer").await;
    let mut ws = open(app, &admin).await;
    subscribe(&mut ws, "s", subscription).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    (t, admin, c, ws)
}

const CREATE_OPPORTUNITY: &str = "mutation($c: ID!, $t: String!) { createOpportunity(input: { title: $t, customerId: $c, amount: { amount: \"10\", currency: \"USD\" } }) { id version } }";

#[tokio::test]
async fn a_committed_change_is_heard_once_and_a_refused_one_never() {
    let app = TestApp::spawn().await;
    let (_t, admin, c, mut ws) = watching(
        &app,
        "subscription { opportunityChanged { id kind action version } }",
    )
    .await;
    let id = app
        .id_of(
            &admin,
            CREATE_OPPORTUNITY,
            json!({ "c": c, "t": "deal" }),
            "createOpportunity",
        )
        .await;
    let created = next_event(&mut ws, 5.0).await.expect("the create is heard");
    assert_eq!(
        created["data"]["opportunityChanged"],
        json!({ "id": id, "kind": "CREATED", "action": "create", "version": 1 }),
        "{created}"
    );
    // A refused change (stale version) announces nothing; the next committed one is heard once.
    let update = "mutation($id: ID!, $v: Int!) { updateOpportunity(id: $id, input: { expectedVersion: $v, title: \"renamed\" }) { version } }";
    let stale = app
        .gql(Some(&admin), update, json!({ "id": id, "v": 7 }))
        .await;
    assert_eq!(stale.codes(), ["CONFLICT"], "{:?}", stale.body);
    let ok = app
        .gql(Some(&admin), update, json!({ "id": id, "v": 1 }))
        .await;
    assert_eq!(
        ok.body["data"]["updateOpportunity"]["version"], 2,
        "{:?}",
        ok.body
    );
    let updated = next_event(&mut ws, 5.0).await.expect("the update is heard");
    assert_eq!(
        updated["data"]["opportunityChanged"],
        json!({ "id": id, "kind": "UPDATED", "action": "update", "version": 2 }),
        "{updated}"
    );
    assert_eq!(
        next_event(&mut ws, 0.5).await,
        None,
        "nothing else, nothing twice"
    );
    // Only the opportunity asked for, when an id is given.
    subscribe(
        &mut ws,
        "one",
        &format!("subscription {{ opportunityChanged(id: \"{id}\") {{ id action }} }}"),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    app.id_of(
        &admin,
        CREATE_OPPORTUNITY,
        json!({ "c": c, "t": "other" }),
        "createOpportunity",
    )
    .await;
    let win = app
        .gql(
            Some(&admin),
            "mutation($id: ID!) { winOpportunity(id: $id) { id } }",
            json!({ "id": id }),
        )
        .await;
    assert!(win.body["errors"].is_null(), "{:?}", win.body);
    let mut heard = Vec::new();
    while let Some(event) = next_event(&mut ws, 1.0).await {
        heard.push(event);
    }
    // Two subscriptions of one socket: each in order, interleaved as they come.
    let mut actions: Vec<&str> = heard
        .iter()
        .map(|e| e["data"]["opportunityChanged"]["action"].as_str().unwrap())
        .collect();
    actions.sort_unstable();
    assert_eq!(actions, ["create", "win", "win"], "{heard:?}");
}

/// `admin` takes the `sales_rep` role from user `user`.
async fn take_sales_rep_role(app: &TestApp, admin: &str, user: uuid::Uuid) {
    let roles = app.role_ids(admin).await;
    let r = app
        .gql(
            Some(admin),
            "mutation($u: ID!, $r: ID!) { unassignRole(userId: $u, roleId: $r) { id } }",
            json!({ "u": user, "r": roles["sales_rep"] }),
        )
        .await;
    assert!(r.body["errors"].is_null(), "{:?}", r.body);
}

#[tokio::test]
async fn the_direct_path_answers_what_the_executor_answers() {
    // The plain form of a change stream is answered without the executor (`graphql::direct`);
    // the same selection through a fragment goes through it. Both hear the same changes and
    // end the same way when the grant goes, byte for byte.
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let admin = app.login(&t).await;
    let rep = app
        .create_user(&t, &admin, "rep@acme.test", &["sales_rep"])
        .await;
    let rep_token = app.login(&rep).await;
    let mut ws = open(&app, &rep_token).await;
    let leaves = "id kind v: version action __typename";
    for (id, query) in [
        (
            "direct",
            format!("subscription($id: ID) {{ c: leadChanged(id: $id) {{ {leaves} }} }}"),
        ),
        (
            "executor",
            format!(
                "subscription($id: ID) {{ c: leadChanged(id: $id) {{ ...F }} }} fragment F on LeadChange {{ {leaves} }}"
            ),
        ),
    ] {
        let message = json!({ "id": id, "type": "subscribe", "payload": { "query": query, "variables": { "id": null } } });
        ws.send(Message::Text(message.to_string().into()))
            .await
            .unwrap();
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    // One took each path.
    for path in ["direct", "executor"] {
        let series = format!("erp_subscriptions_started_total{{path=\"{path}\"}}");
        assert_eq!(app.metric_line(&series).await, 1, "{series}");
    }
    // Every frame of each subscription, with its id blanked, read until `done` holds.
    type Frames = std::collections::HashMap<String, Vec<String>>;
    async fn read_until(ws: &mut Socket, frames: &mut Frames, done: impl Fn(&Frames) -> bool) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while !done(frames) {
            let Ok(Some(Ok(Message::Text(text)))) =
                tokio::time::timeout_at(deadline, ws.next()).await
            else {
                panic!("frames did not come: {frames:?}");
            };
            let reply: Value = serde_json::from_str(&text).unwrap();
            let id = reply["id"].as_str().unwrap().to_owned();
            let blank = text.replacen(&format!("\"id\":\"{id}\""), "\"id\":\"_\"", 1);
            frames.entry(id).or_default().push(blank);
        }
    }
    let both_have = |n: usize| move |f: &Frames| f.len() == 2 && f.values().all(|v| v.len() >= n);
    let mut frames = Frames::default();
    let lead = app
        .id_of(
            &admin,
            "mutation($o: ID) { createLead(input: { title: \"Mine\", contactName: \"P\", ownerId: $o }) { id } }",
            json!({ "o": rep.id }),
            "createLead",
        )
        .await;
    let renamed = app
        .gql(
            Some(&admin),
            "mutation($id: ID!) { updateLead(id: $id, input: { expectedVersion: 1, title: \"Renamed\" }) { id } }",
            json!({ "id": lead }),
        )
        .await;
    assert!(renamed.body["errors"].is_null(), "{:?}", renamed.body);
    // Both changes are heard before the grant goes (the relay publishes after the commit; a
    // change heard after the grant went ends the subscription instead, as it should).
    read_until(&mut ws, &mut frames, both_have(2)).await;
    take_sales_rep_role(&app, &admin, rep.id).await;
    app.id_of(
        &admin,
        "mutation { createLead(input: { title: \"After\", contactName: \"P\" }) { id } }",
        json!({}),
        "createLead",
    )
    .await;
    // Then each ends, up to its `complete`.
    read_until(&mut ws, &mut frames, |f| {
        f.values()
            .all(|v| v.last().is_some_and(|l| l.contains("complete")))
    })
    .await;
    let direct = &frames["direct"];
    assert_eq!(direct, &frames["executor"]);
    assert_eq!(
        direct.len(),
        4,
        "create, update, the end, complete: {direct:?}"
    );
    let first: Value = serde_json::from_str(&direct[0]).unwrap();
    assert_eq!(
        first["payload"]["data"]["c"],
        json!({ "id": lead, "kind": "CREATED", "v": 1, "action": "create", "__typename": "LeadChange" })
    );
    let end: Value = serde_json::from_str(&direct[2]).unwrap();
    assert_eq!(
        end["payload"]["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{end}"
    );
    assert_eq!(end["payload"]["errors"][0]["path"], json!(["c"]), "{end}");
}

#[tokio::test]
async fn events_stay_in_their_tenant_and_own_scope_hears_only_its_rows() {
    let app = TestApp::spawn().await;
    let a = app.create_tenant("alpha").await;
    let b = app.create_tenant("bravo").await;
    let admin_a = app.login(&a).await;
    let admin_b = app.login(&b).await;
    let rep = app
        .create_user(&a, &admin_a, "rep@alpha.test", &["sales_rep"])
        .await;
    let rep_token = app.login(&rep).await;
    let mut ws_b = open(&app, &admin_b).await;
    subscribe(&mut ws_b, "b", "subscription { leadChanged { id action } }").await;
    let mut ws_rep = open(&app, &rep_token).await;
    subscribe(
        &mut ws_rep,
        "r",
        "subscription { leadChanged { id action } }",
    )
    .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let lead = "mutation($t: String!, $o: ID) { createLead(input: { title: $t, contactName: \"P\", ownerId: $o }) { id } }";
    // 1,000 leads in tenant A, one of them the rep's.
    let mut rep_lead = String::new();
    let jobs = (0..1_000).map(|i| {
        let owner = if i == 500 { json!(rep.id) } else { Value::Null };
        let (app, admin_a) = (&app, &admin_a);
        async move {
            let r = app
                .gql(
                    Some(admin_a),
                    lead,
                    json!({ "t": format!("lead {i}"), "o": owner }),
                )
                .await;
            (
                i,
                r.body["data"]["createLead"]["id"]
                    .as_str()
                    .map(str::to_owned),
            )
        }
    });
    let results: Vec<_> = futures_util::stream::iter(jobs)
        .buffer_unordered(8)
        .collect()
        .await;
    for (i, id) in results {
        let id = id.unwrap_or_else(|| panic!("lead {i} was not created"));
        if i == 500 {
            rep_lead = id;
        }
    }
    // The rep hears only their own lead.
    let heard = next_event(&mut ws_rep, 10.0)
        .await
        .expect("the rep's lead is heard");
    assert_eq!(
        heard["data"]["leadChanged"]["id"],
        rep_lead.as_str(),
        "{heard}"
    );
    assert_eq!(
        next_event(&mut ws_rep, 1.0).await,
        None,
        "the rep hears no one else's lead"
    );
    // Tenant B heard nothing of A; its own lead is the first thing it hears.
    let own = app
        .id_of(
            &admin_b,
            lead,
            json!({ "t": "bravo lead", "o": null }),
            "createLead",
        )
        .await;
    let first = next_event(&mut ws_b, 10.0)
        .await
        .expect("B hears its own lead");
    assert_eq!(
        first["data"]["leadChanged"]["id"],
        own.as_str(),
        "B heard A: {first}"
    );
    assert_eq!(next_event(&mut ws_b, 0.5).await, None);
    // The rep loses the role: the next event ends the subscription with FORBIDDEN.
    take_sales_rep_role(&app, &admin_a, rep.id).await;
    app.id_of(
        &admin_a,
        lead,
        json!({ "t": "after", "o": rep.id }),
        "createLead",
    )
    .await;
    let ended = next_event(&mut ws_rep, 10.0)
        .await
        .expect("the subscription ends");
    assert_eq!(
        ended["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{ended}"
    );
}

#[tokio::test]
async fn assignments_and_closed_deals_notify_and_the_inbox_counts_them() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let admin = app.login(&t).await;
    let rep = app
        .create_user(&t, &admin, "rep@acme.test", &["sales_rep"])
        .await;
    let manager = app
        .create_user(&t, &admin, "boss@acme.test", &["manager"])
        .await;
    let rep_token = app.login(&rep).await;
    let manager_token = app.login(&manager).await;
    let mut ws = open(&app, &rep_token).await;
    subscribe(
        &mut ws,
        "n",
        "subscription { notificationReceived { id kind title entity entityId readAt } }",
    )
    .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let c = customer(&app, &admin, "Acme buyer").await;
    let opportunity = app
        .id_of(
            &admin,
            "mutation($c: ID!, $o: ID!) { createOpportunity(input: { title: \"big deal\", customerId: $c, ownerId: $o, amount: { amount: \"10\", currency: \"USD\" } }) { id } }",
            json!({ "c": c, "o": rep.id }),
            "createOpportunity",
        )
        .await;
    let assigned = next_event(&mut ws, 5.0)
        .await
        .expect("the assignment is heard");
    let n = &assigned["data"]["notificationReceived"];
    assert_eq!(n["kind"], "ASSIGNED", "{assigned}");
    assert_eq!(
        (n["entity"].as_str(), n["entityId"].as_str()),
        (Some("opportunity"), Some(opportunity.as_str()))
    );
    // Nobody is told of what they did themselves.
    app.id_of(&rep_token, "mutation($c: ID!) { createOpportunity(input: { title: \"mine\", customerId: $c, amount: { amount: \"1\", currency: \"USD\" } }) { id } }", json!({ "c": c }), "createOpportunity").await;
    assert_eq!(next_event(&mut ws, 0.5).await, None);
    let won = app
        .gql(
            Some(&admin),
            "mutation($id: ID!) { winOpportunity(id: $id) { id } }",
            json!({ "id": opportunity }),
        )
        .await;
    assert!(won.body["errors"].is_null(), "{:?}", won.body);
    let heard = next_event(&mut ws, 5.0).await.expect("the win is heard");
    assert_eq!(
        heard["data"]["notificationReceived"]["kind"], "OPPORTUNITY_WON",
        "{heard}"
    );
    // The rep's inbox: two unread; the manager has the win too; nobody sees another's.
    let count = |token: String| {
        let app = &app;
        async move {
            app.gql(Some(&token), "{ unreadNotificationCount }", json!({}))
                .await
                .body["data"]["unreadNotificationCount"]
                .clone()
        }
    };
    assert_eq!(count(rep_token.clone()).await, 2);
    let boss = app
        .gql(
            Some(&manager_token),
            "{ notifications(first: 10) { totalCount nodes { id kind } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        boss.body["data"]["notifications"]["nodes"][0]["kind"], "OPPORTUNITY_WON",
        "{:?}",
        boss.body
    );
    let boss_id = boss.body["data"]["notifications"]["nodes"][0]["id"].clone();
    let theirs = app
        .gql(
            Some(&rep_token),
            "mutation($id: ID!) { markNotificationRead(id: $id) { id } }",
            json!({ "id": boss_id }),
        )
        .await;
    assert_eq!(theirs.codes(), ["NOT_FOUND"], "{:?}", theirs.body);
    let list = app
        .gql(
            Some(&rep_token),
            "{ notifications(first: 10, unread: true) { totalCount nodes { id kind } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        list.body["data"]["notifications"]["totalCount"], 2,
        "{:?}",
        list.body
    );
    let newest = list.body["data"]["notifications"]["nodes"][0].clone();
    assert_eq!(
        newest["kind"], "OPPORTUNITY_WON",
        "newest first: {:?}",
        list.body
    );
    let read = app
        .gql(
            Some(&rep_token),
            "mutation($id: ID!) { markNotificationRead(id: $id) { readAt } }",
            json!({ "id": newest["id"] }),
        )
        .await;
    assert!(
        read.body["data"]["markNotificationRead"]["readAt"].is_string(),
        "{:?}",
        read.body
    );
    assert_eq!(count(rep_token.clone()).await, 1);
    let all = app
        .gql(
            Some(&rep_token),
            "mutation { markAllNotificationsRead }",
            json!({}),
        )
        .await;
    assert_eq!(
        all.body["data"]["markAllNotificationsRead"], 1,
        "{:?}",
        all.body
    );
    assert_eq!(count(rep_token).await, 0);
}

/// A user of `t` with the sales_rep role and a token, through `app`.
async fn rep_of(app: &TestApp, t: &TestTenant, admin: &str) -> (TestTenant, String) {
    let rep = app
        .create_user(t, admin, "rep@acme.test", &["sales_rep"])
        .await;
    let token = app.login(&rep).await;
    (rep, token)
}

#[tokio::test]
async fn a_reminder_due_while_three_processes_run_jobs_is_sent_once() {
    let jobs = [("ERP_JOBS", "on"), ("ERP_JOBS_TICK_MS", "100")];
    let mut builder = TestApp::builder();
    for (k, v) in jobs {
        builder = builder.env(k, v);
    }
    // This test's server and two real `erp serve` processes, all running jobs on one database.
    let app = builder.spawn().await;
    let second = app.replica(&jobs).await;
    let third = app.replica(&jobs).await;
    let t = app.create_tenant("acme").await;
    let admin = app.login(&t).await;
    let (rep, rep_token) = rep_of(&app, &t, &admin).await;
    // Let every runner meet the tenant before the activity falls due.
    tokio::time::sleep(Duration::from_millis(600)).await;
    let c = customer(&app, &admin, "Acme buyer").await;
    let due = (chrono::Utc::now() + chrono::Duration::milliseconds(1_500)).to_rfc3339();
    let r = app
        .gql(
            Some(&admin),
            "mutation($a: ID!, $d: DateTime!, $c: ID!) { createActivity(input: { kind: CALL, subject: \"call back\", dueAt: $d, assigneeId: $a, customerId: $c }) { id } }",
            json!({ "a": rep.id, "d": due, "c": c }),
        )
        .await;
    assert!(r.body["errors"].is_null(), "{:?}", r.body);
    let due_kinds = || async {
        let r = second
            .gql(
                Some(&rep_token),
                "{ notifications(first: 50) { nodes { kind } } }",
                json!({}),
            )
            .await;
        r.body["data"]["notifications"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|n| n["kind"] == "ACTIVITY_DUE")
            .count()
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while due_kinds().await == 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "no reminder within 10 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Every runner has had several more ticks to send it again.
    tokio::time::sleep(Duration::from_millis(1_000)).await;
    assert_eq!(due_kinds().await, 1);
    // All three ran the reminders job.
    let series = "erp_jobs_runs_total{kind=\"activity.reminders\"}";
    assert!(
        app.metric_line(series).await > 0,
        "{series} of this process"
    );
    assert!(
        second.metric_line(series).await > 0,
        "{series} of the second"
    );
    assert!(third.metric_line(series).await > 0, "{series} of the third");
}

#[tokio::test]
async fn an_event_committed_by_a_process_that_died_before_publishing_is_relayed() {
    // A write without a relay is what a process killed between commit and publish leaves:
    // the change and its outbox row, nothing published. The sweep job publishes it.
    let app = TestApp::builder()
        .env("ERP_JOBS", "on")
        .env("ERP_JOBS_TICK_MS", "100")
        .spawn()
        .await;
    let t = app.create_tenant("acme").await;
    let admin = app.login(&t).await;
    let mut ws = open(&app, &admin).await;
    subscribe(
        &mut ws,
        "s",
        "subscription { customerChanged { id action } }",
    )
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let db = app.state.tenancy().tenant_db(t.id).await.unwrap();
    let access = api::authz::Access::system(t.id);
    let w = api::kit::Write::begin(db.conn(), &access, api::audit::AuditActor(None), None);
    let id = uuid::Uuid::now_v7();
    w.record("customer", id, "update", api::audit::Changes::new())
        .await
        .unwrap();
    w.commit().await.unwrap();
    let heard = next_event(&mut ws, 10.0)
        .await
        .expect("the sweep publishes it");
    assert_eq!(
        heard["data"]["customerChanged"]["id"],
        id.to_string(),
        "{heard}"
    );
    assert_eq!(next_event(&mut ws, 1.5).await, None, "once");
}

#[tokio::test]
async fn with_redis_a_subscriber_on_one_replica_hears_a_change_made_on_another() {
    if std::env::var("REDIS_URL").is_err() {
        eprintln!("skipped: REDIS_URL is not set");
        return;
    }
    // Process 1 is this test's server; process 2 a real `erp serve` on the same databases and
    // Redis (its jobs off, so only Redis can carry the event here).
    let app = TestApp::spawn().await;
    let other = app.replica(&[("ERP_JOBS", "off")]).await;
    let (_t, admin, c, mut ws) =
        watching(&app, "subscription { opportunityChanged { id action } }").await;
    let started = std::time::Instant::now();
    let made = other
        .gql(
            Some(&admin),
            CREATE_OPPORTUNITY,
            json!({ "c": c, "t": "remote" }),
        )
        .await;
    let id = made.body["data"]["createOpportunity"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{:?}", made.body))
        .to_owned();
    let heard = next_event(&mut ws, 1.0).await.expect("heard within 1 s");
    assert_eq!(
        heard["data"]["opportunityChanged"]["id"],
        id.as_str(),
        "{heard}"
    );
    assert!(started.elapsed() < Duration::from_secs(1));
    assert_eq!(next_event(&mut ws, 0.5).await, None, "once");
}

/// A private `redis-server` on a free port, stopped when dropped.
struct OwnRedis {
    port: u16,
    child: Option<std::process::Child>,
    dir: tempfile::TempDir,
}

impl OwnRedis {
    fn start() -> Option<Self> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .ok()?
            .local_addr()
            .ok()?
            .port();
        let mut redis = Self {
            port,
            child: None,
            dir: tempfile::tempdir().ok()?,
        };
        redis.resume().then_some(redis)
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Starts the server again on the same port; whether it answers.
    fn resume(&mut self) -> bool {
        let child = std::process::Command::new("redis-server")
            .args([
                "--port",
                &self.port.to_string(),
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .arg("--dir")
            .arg(self.dir.path())
            .stdout(std::process::Stdio::null())
            .spawn();
        let Ok(child) = child else { return false };
        self.child = Some(child);
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        self.stop();
    }
}

#[tokio::test]
async fn with_redis_away_mutations_succeed_and_subscribers_get_every_event_in_order_after() {
    if std::env::var("REDIS_URL").is_err() {
        eprintln!("skipped: REDIS_URL is not set");
        return;
    }
    let Some(mut redis) = OwnRedis::start() else {
        eprintln!("skipped: no redis-server binary to stop and start");
        return;
    };
    let app = TestApp::builder()
        .env("REDIS_URL", &redis.url())
        .spawn()
        .await;
    let (_t, admin, c, mut ws) =
        watching(&app, "subscription { opportunityChanged { id action } }").await;
    let ready = app
        .client
        .get(format!("{}/ready", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.text().await.unwrap(), "ready");
    redis.stop();
    // 200 mutations during about 5 s without Redis: every one succeeds.
    let mut ids = Vec::new();
    for i in 0..200 {
        let id = app
            .id_of(
                &admin,
                CREATE_OPPORTUNITY,
                json!({ "c": c, "t": format!("deal {i}") }),
                "createOpportunity",
            )
            .await;
        ids.push(id);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let ready = app
        .client
        .get(format!("{}/ready", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 200);
    assert!(
        ready.text().await.unwrap().starts_with("degraded"),
        "/ready shows the outage"
    );
    assert_eq!(app.metric("erp_event_bus_up").await, 0);
    assert!(redis.resume(), "redis-server restarts");
    let back = std::time::Instant::now();
    let mut heard = Vec::new();
    while heard.len() < ids.len() {
        let event = next_event(&mut ws, 10.0)
            .await
            .unwrap_or_else(|| panic!("{} of {} events within 10 s", heard.len(), ids.len()));
        heard.push(
            event["data"]["opportunityChanged"]["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    assert!(
        back.elapsed() < Duration::from_secs(10),
        "{:?}",
        back.elapsed()
    );
    assert_eq!(heard, ids, "every event, in commit order");
    assert_eq!(next_event(&mut ws, 1.0).await, None, "none twice");
    assert_eq!(app.metric("erp_event_bus_up").await, 1);
    let ready = app
        .client
        .get(format!("{}/ready", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.text().await.unwrap(), "ready");
}

#[tokio::test]
async fn subscribing_before_connection_init_closes_the_socket() {
    let app = TestApp::spawn().await;
    let mut ws = crate::websocket::connect(&app).await.unwrap();
    subscribe(&mut ws, "s", "subscription { leadChanged { id } }").await;
    assert_eq!(crate::websocket::close_code(&mut ws, 5).await, Some(4401));
}

#[tokio::test]
async fn a_socket_holds_at_most_fifty_subscriptions() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let admin = app.login(&t).await;
    let mut ws = open(&app, &admin).await;
    for i in 0..50 {
        subscribe(
            &mut ws,
            &i.to_string(),
            "subscription { leadChanged { id } }",
        )
        .await;
    }
    subscribe(&mut ws, "51", "subscription { leadChanged { id } }").await;
    let refused = next_event(&mut ws, 5.0)
        .await
        .expect("the 51st is answered");
    assert_eq!(
        refused["errors"][0]["extensions"]["code"], "RATE_LIMITED",
        "{refused}"
    );
    // The fifty still work.
    app.id_of(
        &admin,
        "mutation { createLead(input: { title: \"x\", contactName: \"P\" }) { id } }",
        json!({}),
        "createLead",
    )
    .await;
    let mut heard = 0;
    while let Some(event) = next_event(&mut ws, 1.0).await {
        heard += usize::from(event["data"]["leadChanged"]["id"].is_string());
    }
    assert_eq!(heard, 50);
}

#[tokio::test]
async fn a_subscriber_that_falls_behind_is_dropped_not_buffered() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let admin = app.login(&t).await;
    let mut ws = open(&app, &admin).await;
    subscribe(&mut ws, "s", "subscription { customerChanged { id } }").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    // Far more events at once than a feed keeps for one listener.
    let burst = 3 * api::events::hub::FEED_CAPACITY as i64;
    let events = (1..=burst).map(|seq| api::events::Event {
        seq: 1_000_000 + seq,
        entity: "customer".into(),
        id: uuid::Uuid::now_v7(),
        kind: "update".into(),
        version: Some(2),
        audience: Vec::new(),
        at: chrono::Utc::now(),
    });
    app.state.events().hub().deliver(t.id, events);
    let (mut delivered, mut ended) = (0, None);
    while let Some(event) = next_event(&mut ws, 2.0).await {
        if event["errors"].is_array() || event["type"].is_string() {
            ended = Some(event);
            break;
        }
        delivered += 1;
    }
    let ended = ended.expect("the subscription ends");
    assert_eq!(
        ended["errors"][0]["extensions"]["code"], "RATE_LIMITED",
        "{ended}"
    );
    assert!(
        delivered <= api::events::hub::FEED_CAPACITY + 16,
        "{delivered} delivered"
    );
}

#[tokio::test]
async fn a_replica_killed_between_commit_and_publish_loses_no_event() {
    let app = TestApp::builder()
        .env("ERP_JOBS", "on")
        .env("ERP_JOBS_TICK_MS", "100")
        .spawn()
        .await;
    let (_t, admin, c, mut ws) =
        watching(&app, "subscription { opportunityChanged { id action } }").await;
    // Another replica, a real `erp serve` process on the same databases, that SIGKILLs itself
    // right after its next commit: before it can publish anything.
    let replica = app
        .replica(&[("ERP_JOBS", "off"), ("ERP_FAULT_KILL_AFTER_COMMIT", "1")])
        .await;
    let sent = app
        .client
        .post(format!("{}/graphql", replica.base))
        .bearer_auth(&admin)
        .json(&json!({ "query": CREATE_OPPORTUNITY, "variables": { "c": c, "t": "killed" } }))
        .send()
        .await;
    assert!(sent.is_err(), "the replica died before answering");
    let status = replica.exit_status().await;
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(status.signal(), Some(9), "{status:?}");
    // The change committed; its event is in the outbox, unsent; this replica's sweep sends it.
    let found = app
        .gql(
            Some(&admin),
            "{ opportunities(first: 10) { nodes { id title } } }",
            json!({}),
        )
        .await;
    let id = found.body["data"]["opportunities"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["title"] == "killed")
        .map(|n| n["id"].clone())
        .unwrap_or_else(|| panic!("the change committed: {:?}", found.body));
    let heard = next_event(&mut ws, 10.0)
        .await
        .expect("the event is relayed");
    assert_eq!(heard["data"]["opportunityChanged"]["id"], id, "{heard}");
    assert_eq!(next_event(&mut ws, 1.5).await, None, "once");
}

#[tokio::test]
async fn the_admin_sees_the_tenants_jobs_and_a_sales_rep_does_not() {
    let app = TestApp::builder()
        .env("ERP_JOBS", "on")
        .env("ERP_JOBS_TICK_MS", "100")
        .spawn()
        .await;
    let t = app.create_tenant("acme").await;
    let admin = app.login(&t).await;
    let (_rep, rep_token) = rep_of(&app, &t, &admin).await;
    let doc = "query($f: JobsFilter) { jobs(first: 50, filter: $f) { totalCount nodes { kind status attempts maxAttempts lastError runAt } } }";
    // The runner queues the recurring jobs when it meets the tenant.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let kinds = loop {
        let r = app.gql(Some(&admin), doc, json!({})).await;
        assert!(r.body["errors"].is_null(), "{:?}", r.body);
        let mut kinds: Vec<String> = r.body["data"]["jobs"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["kind"].as_str().unwrap().to_owned())
            .collect();
        kinds.sort();
        if kinds.len() >= 3 || tokio::time::Instant::now() > deadline {
            break kinds;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(
        kinds,
        [
            "activity.reminders",
            "outbox.relay",
            "sales.quotations.expire"
        ]
    );
    let failed = app
        .gql(Some(&admin), doc, json!({ "f": { "status": ["FAILED"] } }))
        .await;
    assert_eq!(
        failed.body["data"]["jobs"]["totalCount"], 0,
        "{:?}",
        failed.body
    );
    let one = app
        .gql(
            Some(&admin),
            doc,
            json!({ "f": { "kind": "outbox.relay" } }),
        )
        .await;
    assert_eq!(one.body["data"]["jobs"]["totalCount"], 1, "{:?}", one.body);
    let refused = app.gql(Some(&rep_token), doc, json!({})).await;
    assert_eq!(
        refused.body["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{:?}",
        refused.body
    );
    assert!(refused.body["data"].is_null() || refused.body["data"]["jobs"].is_null());
}
