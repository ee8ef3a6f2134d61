//! Nested lists are connections (`Customer.contacts`, `Customer.opportunities`,
//! `Opportunity.activities`): they page with the root lists' arguments and limits, show exactly
//! the rows the root list shows (scope `OWN` included), answer `FORBIDDEN` without the child's
//! read permission, and cost a constant number of SQL statements for a list of parents.

use serde_json::{Value, json};

use crate::helpers::{Gql, TestApp};

async fn customer(app: &TestApp, token: &str, name: &str) -> String {
    app.id_of(
        token,
        "mutation($n: String!) { createCustomer(input: { name: $n, currency: \"USD\" }) { id } }",
        json!({ "n": name }),
        "createCustomer",
    )
    .await
}

async fn contact(app: &TestApp, token: &str, customer: &str, name: &str) -> String {
    app.id_of(token,
        "mutation($c: ID!, $n: String!) { createContact(input: { customerId: $c, name: $n }) { id } }",
        json!({ "c": customer, "n": name }),
        "createContact",
    )
    .await
}

async fn opportunity(app: &TestApp, token: &str, customer: &str, title: &str) -> String {
    app.id_of(token,
        "mutation($c: ID!, $t: String!) { createOpportunity(input: { title: $t, customerId: $c, amount: { amount: \"10\", currency: \"USD\" } }) { id } }",
        json!({ "c": customer, "t": title }),
        "createOpportunity",
    )
    .await
}

async fn activity(app: &TestApp, token: &str, opp: &str, assignee: Option<&str>) -> String {
    app.id_of(token,
        "mutation($o: ID!, $a: ID) { createActivity(input: { kind: TASK, subject: \"Call\", opportunityId: $o, assigneeId: $a }) { id } }",
        json!({ "o": opp, "a": assignee }),
        "createActivity",
    )
    .await
}

fn ids(nodes: &Value) -> Vec<String> {
    nodes
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {nodes}"))
        .iter()
        .map(|n| n["id"].as_str().unwrap().to_owned())
        .collect()
}

/// Walks the connection `field` of `parent` (`doc` takes `$p`, `$n`, `$c` and selects
/// `root { field(...) { … } }`) page by page in `direction` (`first`/`after` or
/// `last`/`before`); every row once, in list order. Checks pageInfo and totalCount on the way.
async fn walk(
    app: &TestApp,
    token: &str,
    root: &str,
    field: &str,
    parent: &str,
    forward: bool,
) -> Vec<String> {
    let args = if forward {
        "first: $n, after: $c"
    } else {
        "last: $n, before: $c"
    };
    let doc = format!(
        "query($p: ID!, $n: Int, $c: String) {{ {root}(id: $p) {{ {field}({args}) {{ nodes {{ id }} edges {{ cursor node {{ id }} }} pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }} totalCount }} }} }}"
    );
    let (mut all, mut cursor, mut pages) = (Vec::<String>::new(), Value::Null, 0);
    let total = loop {
        let r = app
            .gql(
                Some(token),
                &doc,
                json!({ "p": parent, "n": 3, "c": cursor }),
            )
            .await;
        assert!(r.body["errors"].is_null(), "{}", r.body);
        let conn = &r.body["data"][root][field];
        let page = ids(&conn["nodes"]);
        let edges: Vec<Value> = conn["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"].clone())
            .collect();
        assert_eq!(page, ids(&Value::Array(edges)), "nodes and edges agree");
        let info = &conn["pageInfo"];
        let (more, back) = if forward {
            (
                info["hasNextPage"].as_bool().unwrap(),
                info["hasPreviousPage"].as_bool().unwrap(),
            )
        } else {
            (
                info["hasPreviousPage"].as_bool().unwrap(),
                info["hasNextPage"].as_bool().unwrap(),
            )
        };
        assert_eq!(back, pages > 0, "{field} page {pages}: {info}");
        assert!(page.len() <= 3);
        if more {
            assert_eq!(page.len(), 3, "a page before the last is full");
        }
        pages += 1;
        if forward {
            all.extend(page);
            cursor = info["endCursor"].clone();
        } else {
            all.splice(0..0, page);
            cursor = info["startCursor"].clone();
        }
        if !more {
            break conn["totalCount"].as_u64().unwrap();
        }
    };
    assert_eq!(total, all.len() as u64, "{field}: totalCount is every row");
    let mut unique = all.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), all.len(), "{field}: every row once");
    all
}

/// The ids of the root list `field` (nodes selecting `select`) whose `key` equals `value`.
async fn root_ids(
    app: &TestApp,
    token: &str,
    field: &str,
    select: &str,
    key: &dyn Fn(&Value) -> bool,
) -> Vec<String> {
    let r = app
        .gql(
            Some(token),
            &format!("{{ {field}(first: 100) {{ nodes {{ id {select} }} }} }}"),
            json!({}),
        )
        .await;
    assert!(r.body["errors"].is_null(), "{}", r.body);
    r.body["data"][field]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| key(n))
        .map(|n| n["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn each_nested_connection_walks_every_row_once_in_order() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let admin = app.login(&t).await;
    let c = customer(&app, &admin, "Walk Co").await;
    let other = customer(&app, &admin, "Other Co").await;
    contact(&app, &admin, &other, "Not Mine").await;
    // Names out of order, two alike: contacts sort by name, then id.
    let mut contacts = Vec::new();
    for name in ["Mia", "Ada", "Zoe", "Bea", "Ada", "Kim", "Eve"] {
        contacts.push((name, contact(&app, &admin, &c, name).await));
    }
    contacts.sort();
    let expected: Vec<String> = contacts.into_iter().map(|(_, id)| id).collect();
    assert_eq!(
        walk(&app, &admin, "customer", "contacts", &c, true).await,
        expected
    );
    assert_eq!(
        walk(&app, &admin, "customer", "contacts", &c, false).await,
        expected
    );

    opportunity(&app, &admin, &other, "Elsewhere").await;
    let mut opps = Vec::new();
    for i in 0..7 {
        opps.push(opportunity(&app, &admin, &c, &format!("Deal {i}")).await);
    }
    let root = root_ids(&app, &admin, "opportunities", "customer { id }", &|n| {
        n["customer"]["id"] == c.as_str()
    })
    .await;
    assert_eq!(root, opps, "oldest first");
    assert_eq!(
        walk(&app, &admin, "customer", "opportunities", &c, true).await,
        opps
    );
    assert_eq!(
        walk(&app, &admin, "customer", "opportunities", &c, false).await,
        opps
    );

    activity(&app, &admin, &opps[1], None).await;
    let mut acts = Vec::new();
    for _ in 0..8 {
        acts.push(activity(&app, &admin, &opps[0], None).await);
    }
    assert_eq!(
        walk(&app, &admin, "opportunity", "activities", &opps[0], true).await,
        acts
    );
    assert_eq!(
        walk(&app, &admin, "opportunity", "activities", &opps[0], false).await,
        acts
    );

    // No children: an empty page, not an error.
    let r = app
        .gql(Some(&admin), "query($p: ID!) { opportunity(id: $p) { activities { nodes { id } pageInfo { hasNextPage hasPreviousPage } totalCount } } }", json!({ "p": opps[6] }))
        .await;
    assert_eq!(
        r.body["data"]["opportunity"]["activities"],
        json!({ "nodes": [], "pageInfo": { "hasNextPage": false, "hasPreviousPage": false }, "totalCount": 0 }),
        "{}",
        r.body
    );
}

#[tokio::test]
async fn a_nested_page_over_the_maximum_is_refused_like_a_root_page() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let admin = app.login(&t).await;
    let c = customer(&app, &admin, "Big Co").await;
    let opp = opportunity(&app, &admin, &c, "Deal").await;
    let root = app
        .gql(
            Some(&admin),
            "{ customers(first: 101) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(root.codes(), ["VALIDATION"], "{}", root.body);
    for (doc, id) in [
        (
            "query($p: ID!) { customer(id: $p) { contacts(first: 101) { totalCount } } }",
            &c,
        ),
        (
            "query($p: ID!) { customer(id: $p) { opportunities(last: 101) { totalCount } } }",
            &c,
        ),
        (
            "query($p: ID!) { opportunity(id: $p) { activities(first: 101) { totalCount } } }",
            &opp,
        ),
        (
            "query($p: ID!) { opportunity(id: $p) { activities(first: -1) { totalCount } } }",
            &opp,
        ),
        (
            "query($p: ID!) { opportunity(id: $p) { activities(after: \"bm9wZQ\") { totalCount } } }",
            &opp,
        ),
    ] {
        let r: Gql = app.gql(Some(&admin), doc, json!({ "p": id })).await;
        assert_eq!(r.codes(), ["VALIDATION"], "{doc}: {}", r.body);
    }
    let r = app
        .gql(
            Some(&admin),
            "query($p: ID!) { customer(id: $p) { contacts(first: 101) { totalCount } } }",
            json!({ "p": c }),
        )
        .await;
    assert_eq!(
        r.body["errors"][0]["message"],
        root.body["errors"][0]["message"]
    );
    let r = app
        .gql(
            Some(&admin),
            "query($p: ID!) { customer(id: $p) { contacts(first: 100) { totalCount } } }",
            json!({ "p": c }),
        )
        .await;
    assert!(
        r.body["errors"].is_null(),
        "the maximum itself is fine: {}",
        r.body
    );
}

#[tokio::test]
async fn a_sales_rep_sees_under_a_customer_exactly_what_their_root_lists_show() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let admin = app.login(&t).await;
    let a = app
        .create_user(&t, &admin, "a@acme.test", &["sales_rep"])
        .await;
    let b = app
        .create_user(&t, &admin, "b@acme.test", &["sales_rep"])
        .await;
    let (a_token, b_token) = (app.login(&a).await, app.login(&b).await);
    let c = customer(&app, &admin, "Shared Co").await;
    let mut mine = Vec::new();
    for i in 0..3 {
        mine.push(opportunity(&app, &a_token, &c, &format!("A {i}")).await);
        opportunity(&app, &b_token, &c, &format!("B {i}")).await;
    }
    let root = root_ids(&app, &a_token, "opportunities", "customer { id }", &|n| {
        n["customer"]["id"] == c.as_str()
    })
    .await;
    assert_eq!(root, mine);
    assert_eq!(
        walk(&app, &a_token, "customer", "opportunities", &c, true).await,
        mine
    );
    let all = walk(&app, &admin, "customer", "opportunities", &c, true).await;
    assert_eq!(all.len(), 6, "the admin sees both reps' opportunities");

    // A's opportunity: A's own activity, one the admin assigned to A, one assigned to B.
    let opp = &mine[0];
    let own = activity(&app, &a_token, opp, None).await;
    let assigned = activity(&app, &admin, opp, Some(&a.id.to_string())).await;
    activity(&app, &admin, opp, Some(&b.id.to_string())).await;
    let root = root_ids(&app, &a_token, "activities", "opportunityId", &|n| {
        n["opportunityId"] == opp.as_str()
    })
    .await;
    assert_eq!(root, [own.clone(), assigned.clone()]);
    assert_eq!(
        walk(&app, &a_token, "opportunity", "activities", opp, true).await,
        root
    );
    assert_eq!(
        walk(&app, &admin, "opportunity", "activities", opp, true)
            .await
            .len(),
        3
    );
    // Deep: the same rule under a customer's opportunities.
    let r = app
        .gql(Some(&a_token), "query($p: ID!) { customer(id: $p) { opportunities(first: 1) { nodes { activities { nodes { id } totalCount } } } } }", json!({ "p": c }))
        .await;
    assert_eq!(
        r.body["data"]["customer"]["opportunities"]["nodes"][0]["activities"],
        json!({ "nodes": [{ "id": own }, { "id": assigned }], "totalCount": 2 }),
        "{}",
        r.body
    );
}

#[tokio::test]
async fn without_the_childs_read_permission_a_nested_connection_is_forbidden() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let admin = app.login(&t).await;
    let c = customer(&app, &admin, "Guarded Co").await;
    contact(&app, &admin, &c, "Pat").await;
    let opp = opportunity(&app, &admin, &c, "Deal").await;
    activity(&app, &admin, &opp, None).await;
    app.create_role(&admin, "customers_only", &[("master.customer.read", "ALL")])
        .await;
    app.create_role(&admin, "deals_only", &[("crm.opportunity.read", "ALL")])
        .await;
    let u1 = app
        .create_user(&t, &admin, "c@acme.test", &["customers_only"])
        .await;
    let u2 = app
        .create_user(&t, &admin, "d@acme.test", &["deals_only"])
        .await;

    let r = app
        .gql(Some(&app.login(&u1).await), "query($p: ID!) { customer(id: $p) { name contacts { totalCount } opportunities { nodes { id } totalCount } } }", json!({ "p": c }))
        .await;
    assert_eq!(r.codes(), ["FORBIDDEN"], "{}", r.body);
    assert_eq!(
        r.body["errors"][0]["path"],
        json!(["customer", "opportunities"])
    );
    assert_eq!(
        r.body["errors"][0]["extensions"]["permission"],
        "crm.opportunity.read"
    );
    assert_eq!(
        r.body["data"]["customer"]["contacts"]["totalCount"], 1,
        "{}",
        r.body
    );

    let r = app
        .gql(
            Some(&app.login(&u2).await),
            "query($p: ID!) { opportunity(id: $p) { title activities { nodes { id } } } }",
            json!({ "p": opp }),
        )
        .await;
    assert_eq!(r.codes(), ["FORBIDDEN"], "{}", r.body);
    assert_eq!(
        r.body["errors"][0]["path"],
        json!(["opportunity", "activities"])
    );
    assert_eq!(
        r.body["errors"][0]["extensions"]["permission"],
        "crm.activity.read"
    );
    assert_eq!(r.body["data"]["opportunity"]["title"], "Deal", "{}", r.body);
}

#[tokio::test]
async fn nested_pages_of_a_list_cost_the_same_sql_for_2_parents_as_for_20() {
    let app = TestApp::counting().await;
    let t = app.create_tenant("acme").await;
    let admin = app.login(&t).await;
    for i in 0..20 {
        let c = customer(&app, &admin, &format!("Co {i:02}")).await;
        for j in 0..3 {
            contact(&app, &admin, &c, &format!("Person {j}")).await;
        }
    }
    let doc = "query($n: Int) { customers(first: $n) { nodes { id contacts(first: 2) { nodes { id } totalCount } } } }";
    let mut counts = Vec::new();
    for n in [2, 20] {
        let r = app.gql(Some(&admin), doc, json!({ "n": n })).await;
        assert!(r.body["errors"].is_null(), "{}", r.body);
        let nodes = r.body["data"]["customers"]["nodes"].as_array().unwrap();
        assert_eq!(nodes.len(), n);
        for node in nodes {
            assert_eq!(
                node["contacts"]["nodes"].as_array().unwrap().len(),
                2,
                "{node}"
            );
            assert_eq!(node["contacts"]["totalCount"], 3, "{node}");
        }
        counts.push(r.body["extensions"]["sqlStatements"].as_u64().unwrap());
    }
    assert_eq!(
        counts[0], counts[1],
        "statements grow with the parents: {counts:?}"
    );
    // Access, customers page, contact pages (one window statement), contact counts.
    assert!(counts[1] <= 4, "{counts:?}");
    // Without totalCount, the count statement goes.
    let r = app
        .gql(
            Some(&admin),
            "{ customers(first: 20) { nodes { contacts(first: 2) { nodes { id } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        r.body["extensions"]["sqlStatements"].as_u64().unwrap(),
        counts[1] - 1,
        "{}",
        r.body
    );
}

/// The fields of an opportunity that a page of them answers from what its list prefetched
/// (relations, contacts, money, nested pages: `graphql::rows::Now`), and `opportunity(id:)`
/// answers through their resolvers.
const OPPORTUNITY_FIELDS: &str = "fragment O on Opportunity { id title amount { amount currency } \
    expectedCloseDate customer { name t: __typename } owner { displayName email } stage { name } \
    activities(first: 2) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } \
      nodes { id subject assignee { displayName email phone } } } \
    back: activities(last: 1) { nodes { id owner { displayName } } pageInfo { hasPreviousPage } } }";

/// Errors as (opportunity id, field path below it, code), sorted.
fn errors_below(body: &Value, ids: impl Fn(&[Value]) -> (String, Vec<Value>)) -> Vec<String> {
    let mut out: Vec<String> = body["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| {
                    let (id, below) = ids(e["path"].as_array().unwrap());
                    format!("{id} {below:?} {}", e["extensions"]["code"])
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

#[tokio::test]
async fn a_page_answers_its_rows_relations_and_nested_pages_as_each_rows_own_query_does() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let admin = app.login(&t).await;
    let rep = app
        .create_user(&t, &admin, "rep@acme.test", &["sales_rep"])
        .await;
    let rep_token = app.login(&rep).await;
    let role = app
        .create_role(
            &admin,
            "no_contacts",
            &[
                ("crm.opportunity.read", "ALL"),
                ("crm.activity.read", "ALL"),
                ("identity.user.read", "ALL"),
            ],
        )
        .await;
    let viewer = app.create_user(&t, &admin, "viewer@acme.test", &[]).await;
    let r = app
        .gql(
            Some(&admin),
            "mutation($u: ID!, $r: ID!) { assignRole(userId: $u, roleId: $r) { id } }",
            json!({ "u": viewer.id.to_string(), "r": role }),
        )
        .await;
    assert!(r.body["errors"].is_null(), "{}", r.body);
    let viewer_token = app.login(&viewer).await;

    let acme = customer(&app, &admin, "Acme").await;
    let globex = customer(&app, &admin, "Globex").await;
    let rep_id = rep.id.to_string();
    for (i, token) in [&admin, &rep_token, &admin, &rep_token]
        .into_iter()
        .enumerate()
    {
        let c = if i % 2 == 0 { &acme } else { &globex };
        let opp = opportunity(&app, token, c, &format!("Deal {i}")).await;
        // Three activities each (pages of 2 have a next page), assigned to the rep, the
        // admin's own or nobody; the admin's activities on a rep's deal are hidden from the rep.
        for assignee in [Some(rep_id.as_str()), None, Some(rep_id.as_str())] {
            activity(&app, token, &opp, assignee).await;
        }
        if i == 0 {
            activity(&app, &admin, &opp, None).await;
        }
    }

    for (who, token) in [
        ("admin", &admin),
        ("rep", &rep_token),
        ("viewer", &viewer_token),
    ] {
        let list = app
            .gql(
                Some(token),
                &format!(
                    "{{ opportunities(first: 50) {{ nodes {{ ...O }} }} }} {OPPORTUNITY_FIELDS}"
                ),
                json!({}),
            )
            .await;
        let nodes = list.body["data"]["opportunities"]["nodes"]
            .as_array()
            .unwrap_or_else(|| panic!("{who}: {}", list.body))
            .clone();
        assert_eq!(nodes.len(), if who == "rep" { 2 } else { 4 }, "{who}");
        let mut by_id_errors = Vec::new();
        for node in &nodes {
            let id = node["id"].as_str().unwrap();
            let one = app
                .gql(
                    Some(token),
                    &format!(
                        "query($id: ID!) {{ opportunity(id: $id) {{ ...O }} }} {OPPORTUNITY_FIELDS}"
                    ),
                    json!({ "id": id }),
                )
                .await;
            assert_eq!(node, &one.body["data"]["opportunity"], "{who}: {id}");
            by_id_errors.extend(errors_below(&one.body, |path| {
                (id.to_owned(), path[1..].to_vec())
            }));
        }
        by_id_errors.sort();
        let list_errors = errors_below(&list.body, |path| {
            let i = path[2].as_u64().unwrap() as usize;
            (
                nodes[i]["id"].as_str().unwrap().to_owned(),
                path[3..].to_vec(),
            )
        });
        assert_eq!(list_errors, by_id_errors, "{who}");
        // What each caller may see, so the comparison above compares something.
        let first = &nodes[0];
        match who {
            "admin" => {
                assert!(list.body["errors"].is_null(), "{}", list.body);
                assert_eq!(first["customer"]["name"], "Acme");
                assert_eq!(first["activities"]["totalCount"], 4);
                assert_eq!(first["activities"]["pageInfo"]["hasNextPage"], true);
                assert!(first["activities"]["nodes"][0]["assignee"]["email"].is_string());
                assert_eq!(first["back"]["pageInfo"]["hasPreviousPage"], true);
            }
            "rep" => {
                // The rep's own deals; contact fields only on their own record.
                assert_eq!(first["customer"]["name"], "Globex");
                assert_eq!(first["owner"]["email"], "rep@acme.test");
                assert_eq!(first["activities"]["totalCount"], 3);
                assert!(list.body["errors"].is_null(), "{}", list.body);
            }
            _ => {
                // No customers, no contacts: nulls with FORBIDDEN at each place.
                assert!(first["customer"].is_null());
                assert!(first["owner"]["email"].is_null());
                assert!(first["owner"]["displayName"].is_string());
                assert!(
                    list_errors.iter().any(|e| e.contains("customer")),
                    "{list_errors:?}"
                );
                assert!(
                    list_errors.iter().any(|e| e.contains("email")),
                    "{list_errors:?}"
                );
            }
        }
    }
}
