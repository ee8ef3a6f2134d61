//! Users: optimistic locking, idempotent creates, the owner and self rules, search and
//! keyset pagination.

use std::collections::HashSet;

use futures_util::future::join_all;
use serde_json::json;

use crate::helpers::TestApp;

const UPDATE: &str = "mutation($u: ID!, $n: String!, $v: Int!) { updateUser(id: $u, input: { displayName: $n, expectedVersion: $v }) { displayName version } }";

#[tokio::test]
async fn of_two_concurrent_updates_with_one_version_exactly_one_wins() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let admin = app.login(&t).await;
    let user = app.create_user(&t, &admin, "target@acme.test", &[]).await;
    for round in 0..5 {
        let version = 1 + round;
        let answers = join_all(["A", "B"].map(|n| {
            app.gql(
                Some(&admin),
                UPDATE,
                json!({ "u": user.id, "n": format!("{n}{round}"), "v": version }),
            )
        }))
        .await;
        let won = answers
            .iter()
            .filter(|a| a.body["data"]["updateUser"].is_object())
            .count();
        let lost: Vec<_> = answers.iter().flat_map(|a| a.codes()).collect();
        assert_eq!(
            (won, lost),
            (1, vec!["CONFLICT".to_owned()]),
            "round {round}: {answers:?}"
        );
    }
    let stale = app
        .gql(
            Some(&admin),
            UPDATE,
            json!({ "u": user.id, "n": "late", "v": 1 }),
        )
        .await;
    assert_eq!(stale.codes(), ["CONFLICT"]);
}

#[tokio::test]
async fn repeating_a_create_with_its_id_returns_the_same_user_and_other_content_conflicts() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let admin = app.login(&t).await;
    let id = uuid::Uuid::now_v7();
    let create = "mutation($i: CreateUserInput!) { createUser(input: $i) { id email version } }";
    let input = json!({ "id": id, "email": "Same@acme.test", "displayName": "Same", "password": "long enough pass" });
    let first = app.gql(Some(&admin), create, json!({ "i": input })).await;
    let again = app.gql(Some(&admin), create, json!({ "i": input })).await;
    assert_eq!(first.body["data"], again.body["data"], "{}", again.body);
    assert_eq!(first.body["data"]["createUser"]["id"], id.to_string());
    let mut different = input.clone();
    different["displayName"] = json!("Different");
    let conflict = app
        .gql(Some(&admin), create, json!({ "i": different }))
        .await;
    assert_eq!(conflict.codes(), ["CONFLICT"]);
    // A second user with the same email is a conflict too.
    let dup =
        json!({ "email": "same@acme.test", "displayName": "Dup", "password": "long enough pass" });
    assert_eq!(
        app.gql(Some(&admin), create, json!({ "i": dup }))
            .await
            .codes(),
        ["CONFLICT"]
    );
    let bad = json!({ "email": "nope", "displayName": "X", "password": "long enough pass" });
    let r = app.gql(Some(&admin), create, json!({ "i": bad })).await;
    assert_eq!(
        (
            r.codes(),
            r.body["errors"][0]["extensions"]["field"].clone()
        ),
        (vec!["VALIDATION".to_owned()], json!("input.email"))
    );
}

#[tokio::test]
async fn the_last_owner_stays_and_nobody_deactivates_themselves() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let admin = app.login(&t).await;
    let roles = app.role_ids(&admin).await;
    let me = app
        .gql(
            Some(&admin),
            "{ me { user { id } roles { name } } }",
            json!({}),
        )
        .await;
    assert_eq!(me.body["data"]["me"]["roles"], json!([{ "name": "owner" }]));
    let my_id = me.body["data"]["me"]["user"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let r = app
        .gql(
            Some(&admin),
            "mutation($u: ID!) { deactivateUser(id: $u) { id } }",
            json!({ "u": my_id }),
        )
        .await;
    assert_eq!(
        r.body["errors"][0]["extensions"]["rule"],
        "identity.self_deactivation"
    );
    let r = app
        .gql(
            Some(&admin),
            "mutation($u: ID!, $r: ID!) { unassignRole(userId: $u, roleId: $r) { id } }",
            json!({ "u": my_id, "r": roles["owner"] }),
        )
        .await;
    assert_eq!(
        r.body["errors"][0]["extensions"]["rule"], "identity.last_owner",
        "{}",
        r.body
    );

    // With a second owner, the first may step down; a deactivated user cannot sign in.
    let second = app
        .create_user(&t, &admin, "second@acme.test", &["owner"])
        .await;
    let r = app
        .gql(
            Some(&admin),
            "mutation($u: ID!, $r: ID!) { unassignRole(userId: $u, roleId: $r) { id } }",
            json!({ "u": my_id, "r": roles["owner"] }),
        )
        .await;
    assert!(r.body["errors"].is_null(), "{}", r.body);
    let second_token = app.login(&second).await;
    let r = app
        .gql(
            Some(&second_token),
            "mutation($u: ID!) { deactivateUser(id: $u) { isActive } }",
            json!({ "u": my_id }),
        )
        .await;
    assert_eq!(
        r.body["data"]["deactivateUser"]["isActive"], false,
        "{}",
        r.body
    );
    assert_eq!(app.try_login(&t).await.codes(), ["UNAUTHENTICATED"]);
    // Their still-valid access token stops working too.
    assert_eq!(
        app.gql(Some(&admin), "{ me { permissions } }", json!({}))
            .await
            .codes(),
        ["UNAUTHENTICATED"]
    );
}

#[tokio::test]
async fn pages_walk_every_user_once_forward_and_backward_and_search_filters() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let admin = app.login(&t).await;
    for i in 0..24 {
        app.create_user(&t, &admin, &format!("user{i:02}@acme.test"), &[])
            .await;
    }
    let page = "query($f: Int, $a: String, $l: Int, $b: String) { users(first: $f, after: $a, last: $l, before: $b) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } nodes { id } } }";
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let r = app
            .gql(Some(&admin), page, json!({ "f": 10, "a": after }))
            .await;
        let users = &r.body["data"]["users"];
        assert_eq!(users["totalCount"], 25);
        seen.extend(
            users["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n["id"].as_str().unwrap().to_owned()),
        );
        if users["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = users["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    }
    assert_eq!(seen.len(), 25);
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 25);

    let mut back = Vec::new();
    let mut before = None;
    loop {
        let r = app
            .gql(Some(&admin), page, json!({ "l": 7, "b": before }))
            .await;
        let users = &r.body["data"]["users"];
        let mut ids: Vec<String> = users["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["id"].as_str().unwrap().to_owned())
            .collect();
        ids.extend(back);
        back = ids;
        if users["pageInfo"]["hasPreviousPage"] != true {
            break;
        }
        before = users["pageInfo"]["startCursor"].as_str().map(str::to_owned);
    }
    assert_eq!(back, seen, "walking backward gives the same order");

    let too_big = app.gql(Some(&admin), page, json!({ "f": 101 })).await;
    assert_eq!(too_big.codes(), ["VALIDATION"]);
    let r = app
        .gql(
            Some(&admin),
            "{ users(filter: { search: \"USER0\" }) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(r.body["data"]["users"]["totalCount"], 10);
    let r = app
        .gql(
            Some(&admin),
            "{ users(filter: { search: \"%\" }) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(
        r.body["data"]["users"]["totalCount"], 0,
        "LIKE wildcards are matched literally"
    );
}
