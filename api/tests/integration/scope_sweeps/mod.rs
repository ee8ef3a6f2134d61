//! Two sweeps over every resource, driven by the declarations in `api::modules::resources()`
//! and by the exported schema, so that a new resource, owner column, sensitive field or
//! relation field fails here until it is covered:
//!
//! - **Row scopes**: for each resource with owner columns, rep B's row is invisible to rep A
//!   (every permission at scope `OWN`) by id, in the list and its count, and through every
//!   field of the schema that returns the resource's type.
//! - **Sensitive fields**: for each sensitive field, a caller holding every permission but
//!   the field's gets `null` and `FORBIDDEN` naming that permission on every path that
//!   reaches the field, and the audit log leaves the field out.
//!
//! Each check is also run as a caller who may see the row (or field), so that no path passes
//! because it reaches nothing.

mod reach;
mod world;

use std::collections::BTreeMap;

use serde_json::{Value, json};
use uuid::Uuid;

use reach::{Reach, SENSITIVE, reach_of_resource};
use world::{World, grants};

/// Whether every page in `value` (list or nested connection, all smaller than their page
/// size here) counts exactly the rows it shows.
fn counts_match(value: &Value) -> bool {
    match value {
        Value::Object(map) => {
            let page_ok = match (map.get("totalCount"), map.get("nodes")) {
                (Some(count), Some(Value::Array(nodes))) => *count == nodes.len() as u64,
                _ => true,
            };
            page_ok && map.values().all(counts_match)
        }
        Value::Array(items) => items.iter().all(counts_match),
        _ => true,
    }
}

/// The documents that read `reach`'s type, with `selection` on it: (where, document).
fn documents(reach: &Reach, selection: &str) -> Vec<(String, String)> {
    let mut docs = Vec::new();
    if !reach.by_id.is_empty() {
        docs.push((
            format!("Query.{}", reach.by_id),
            format!(
                "query($id: ID!) {{ {}(id: $id) {{ {selection} }} }}",
                reach.by_id
            ),
        ));
    }
    docs.push((
        format!("Query.{}", reach.list),
        format!(
            "{{ {}(first: 100) {{ totalCount nodes {{ {selection} }} }} }}",
            reach.list
        ),
    ));
    for p in reach.paths {
        docs.push((p.at.to_owned(), p.doc.replace("SEL", selection)));
    }
    docs
}

#[tokio::test]
async fn another_reps_rows_are_invisible_on_every_path() {
    let mut world = Box::pin(World::build()).await;
    let owned: Vec<_> = api::modules::resources()
        .filter(|r| !r.owners.is_empty())
        .collect();
    assert!(owned.len() >= 6, "{}", owned.len());
    let rep_a = world.rep_a.clone();
    // Every path is tried; the failures are reported together.
    let mut failures = Vec::new();
    for resource in owned {
        let reach = reach_of_resource(resource.name);
        let hidden = world.b[resource.name].clone();
        for (at, doc) in documents(reach, "id") {
            let widen: Vec<&str> = reach
                .paths
                .iter()
                .find(|p| p.at == at)
                .map(|p| p.widen.to_vec())
                .unwrap_or_default()
                .into_iter()
                .chain([resource.read])
                .collect();
            let seer = world.widen_a(&widen).await;
            let vars = json!({ "id": hidden, "new": Uuid::now_v7() });
            let seen = world.app.gql(Some(&seer), &doc, vars).await;
            world.unwiden_a(&widen).await;
            if !seen.body.to_string().contains(&hidden) {
                failures.push(format!(
                    "{at}: a caller with {widen:?} at ALL does not reach {} {hidden}, so the path checks nothing: {}",
                    resource.name, seen.body
                ));
            }
            let vars = json!({ "id": hidden, "new": Uuid::now_v7() });
            let r = world.app.gql(Some(&rep_a), &doc, vars).await;
            let text = r.body.to_string();
            if text.contains(&hidden) {
                failures.push(format!(
                    "{at} shows rep B's {} to rep A: {text}",
                    resource.name
                ));
            }
            if !r.body["errors"].is_null() {
                failures.push(format!("{at}: {text}"));
            }
            if !counts_match(&r.body["data"]) {
                failures.push(format!("{at} counts rows it hides: {text}"));
            }
        }
    }
    // A customer's contacts belong to the customer: hidden with it.
    let doc = "{ contacts(first: 100) { totalCount nodes { id } } }";
    let seer = world.widen_a(&["master.customer.read"]).await;
    let seen = world.app.gql(Some(&seer), doc, json!({})).await;
    world.unwiden_a(&["master.customer.read"]).await;
    if !seen.body.to_string().contains(&world.b_contact) {
        failures.push(format!("Query.contacts: checks nothing: {}", seen.body));
    }
    let r = world.app.gql(Some(&rep_a), doc, json!({})).await;
    let page = &r.body["data"]["contacts"];
    if r.body.to_string().contains(&world.b_contact)
        || page["totalCount"] != page["nodes"].as_array().map_or(0, Vec::len) as u64
    {
        failures.push(format!(
            "Query.contacts shows the contacts of rep B's customer: {}",
            r.body
        ));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn sensitive_fields_are_null_and_forbidden_on_every_path() {
    let mut world = Box::pin(World::build()).await;
    // Values to look for: rep B's email and phone, a product's cost price.
    let b_user = world.b["user"].clone();
    let admin = world.admin.clone();
    world
        .call(
            &admin,
            "mutation($u: ID!) { updateUser(id: $u, input: { phone: \"+1 555 0199\", expectedVersion: 1 }) { id } }",
            json!({ "u": b_user }),
        )
        .await;
    let product = world
        .call(
            &admin,
            "mutation { createProduct(input: { sku: \"COST-1\", name: \"Costly\", kind: GOODS, unit: \"ea\", currency: \"USD\", salePrice: \"99\", costPrice: \"31.4159\" }) { id } }",
            json!({}),
        )
        .await;
    let product = product["createProduct"]["id"].as_str().unwrap().to_owned();
    // An invoice line of it: the path through invoices reaches the product too.
    world
        .call(
            &admin,
            "mutation($c: ID!, $p: ID!) { createInvoice(input: { customerId: $c, date: \"2026-02-01\", lines: [{ productId: $p, quantity: \"1\" }] }) { id } }",
            json!({ "c": world.b["customer"], "p": product }),
        )
        .await;
    // A quotation line and an order line of it too.
    for doc in [
        "mutation($c: ID!, $p: ID!) { createQuotation(input: { customerId: $c, date: \"2026-02-01\", lines: [{ productId: $p, quantity: \"1\" }] }) { id } }",
        "mutation($c: ID!, $p: ID!) { createSalesOrder(input: { customerId: $c, date: \"2026-02-01\", lines: [{ productId: $p, quantity: \"1\" }] }) { id } }",
    ] {
        world
            .call(
                &admin,
                doc,
                json!({ "c": world.b["customer"], "p": product }),
            )
            .await;
    }
    let subjects: BTreeMap<&str, (String, &str)> = [
        ("email", (b_user.clone(), "rep2@acme.test")),
        ("phone", (b_user.clone(), "+1 555 0199")),
        ("costPrice", (product, "31.4159")),
    ]
    .into_iter()
    .collect();

    let declared: Vec<(&str, &str, &str)> = api::modules::resources()
        .flat_map(|r| r.sensitive.iter().map(|(c, p)| (r.name, *c, *p)))
        .collect();
    assert!(!declared.is_empty());
    for (resource, column, permission) in declared {
        let (_, _, field) = SENSITIVE
            .iter()
            .find(|(r, c, _)| *r == resource && *c == column)
            .unwrap_or_else(|| {
                panic!(
                    "sensitive field {resource}.{column} has no row in scope_sweeps.rs SENSITIVE"
                )
            });
        let reach = reach_of_resource(resource);
        let (id, value) = subjects[field].clone();
        let all = grants(
            &world.permissions,
            &world
                .permissions
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
            &[],
        );
        let without = grants(
            &world.permissions,
            &world
                .permissions
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
            &[permission],
        );
        let (_, seer) = world.user_with(&all).await;
        let (_, reader) = world.user_with(&without).await;
        let mut docs = documents(reach, &format!("id {field}"));
        docs.push((
            "Query.auditLog".into(),
            "query($id: ID!) { auditLog(filter: { entityId: $id }) { nodes { changes } } }".into(),
        ));
        for (at, doc) in docs {
            let vars = json!({ "id": id, "new": Uuid::now_v7() });
            let seen = world.app.gql(Some(&seer), &doc, vars.clone()).await;
            // The audit log records the column under its own key, in the stored unit.
            let key = format!("\"{}\"", api::kit::resource::camel_case(column));
            let marker = if at == "Query.auditLog" {
                key.as_str()
            } else {
                value
            };
            assert!(
                seen.body.to_string().contains(marker),
                "{at}: a holder of {permission} does not see {marker}, so the path checks nothing: {}",
                seen.body
            );
            let vars = json!({ "id": id, "new": Uuid::now_v7() });
            let r = world.app.gql(Some(&reader), &doc, vars).await;
            let text = r.body.to_string();
            assert!(
                !text.contains(value),
                "{at} shows {field} without {permission}: {text}"
            );
            if at == "Query.auditLog" {
                assert!(
                    !text.contains(&key),
                    "the audit log shows {key} to a caller without {permission}: {text}"
                );
                continue;
            }
            let errors = r.body["errors"].as_array().cloned().unwrap_or_default();
            assert!(!errors.is_empty(), "{at}: no FORBIDDEN for {field}: {text}");
            for e in &errors {
                assert_eq!(e["extensions"]["code"], "FORBIDDEN", "{at}: {text}");
                assert_eq!(e["extensions"]["permission"], permission, "{at}: {text}");
                let path = e["path"].as_array().unwrap();
                assert_eq!(path.last().unwrap(), field, "{at}: {text}");
                let mut node = &r.body["data"];
                for step in path {
                    node = match step {
                        Value::String(k) => &node[k.as_str()],
                        Value::Number(i) => &node[i.as_u64().unwrap() as usize],
                        _ => unreachable!(),
                    };
                }
                assert!(node.is_null(), "{at}: {text}");
            }
        }
    }
}
