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

use std::collections::{BTreeMap, BTreeSet};

use entities::crm::{activity, lead, opportunity};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{TestApp, TestTenant};

/// A field of the schema that returns a resource's type, read from rows the caller sees.
/// `SEL` in `doc` stands for the selection on the reached type.
struct Path {
    at: &'static str,
    doc: &'static str,
    /// Read permissions the seeing caller needs at scope `ALL`, besides the resource's own,
    /// to reach the row through this path.
    widen: &'static [&'static str],
}

/// Every way to read a GraphQL type: by id, the list, and each field returning it.
struct Reach {
    type_name: &'static str,
    resource: &'static str,
    by_id: &'static str,
    list: &'static str,
    paths: &'static [Path],
}

const fn path(at: &'static str, doc: &'static str, widen: &'static [&'static str]) -> Path {
    Path { at, doc, widen }
}

const REACH: &[Reach] = &[
    Reach {
        type_name: "User",
        resource: "user",
        by_id: "user",
        list: "users",
        paths: &[
            path(
                "Activity.assignee",
                "{ activities(first: 100) { nodes { assignee { SEL } } } }",
                &["crm.activity.read"],
            ),
            path(
                "Activity.owner",
                "{ activities(first: 100) { nodes { owner { SEL } } } }",
                &["crm.activity.read"],
            ),
            path(
                "Customer.owner",
                "{ customers(first: 100) { nodes { owner { SEL } } } }",
                &["master.customer.read"],
            ),
            path(
                "Supplier.owner",
                "{ suppliers(first: 100) { nodes { owner { SEL } } } }",
                &["master.supplier.read"],
            ),
            path(
                "Lead.owner",
                "{ leads(first: 100) { nodes { owner { SEL } } } }",
                &["crm.lead.read"],
            ),
            path(
                "Opportunity.owner",
                "{ opportunities(first: 100) { nodes { owner { SEL } } } }",
                &["crm.opportunity.read"],
            ),
            path(
                "ForecastOwnerLine.owner",
                "{ pipelineForecast { byOwner { owner { SEL } } } }",
                &["crm.opportunity.read"],
            ),
        ],
    },
    Reach {
        type_name: "Customer",
        resource: "customer",
        by_id: "customer",
        list: "customers",
        paths: &[
            path(
                "Activity.customer",
                "{ activities(first: 100) { nodes { customer { SEL } } } }",
                &[],
            ),
            path(
                "Contact.customer",
                "{ contacts(first: 100) { nodes { id customer { SEL } } } }",
                &[],
            ),
            path(
                "Lead.customer",
                "{ leads(first: 100) { nodes { customer { SEL } } } }",
                &[],
            ),
            path(
                "Opportunity.customer",
                "{ opportunities(first: 100) { nodes { customer { SEL } } } }",
                &[],
            ),
            path(
                "ConvertLeadPayload.possibleDuplicates",
                "mutation($new: ID!) { createLead(input: { id: $new, title: \"Twin\", contactName: \"Twin\", email: \"buyer@b.test\" }) { id } convertLead(id: $new) { possibleDuplicates { SEL } } }",
                &[],
            ),
        ],
    },
    Reach {
        type_name: "Supplier",
        resource: "supplier",
        by_id: "supplier",
        list: "suppliers",
        paths: &[],
    },
    Reach {
        type_name: "Lead",
        resource: "lead",
        by_id: "lead",
        list: "leads",
        paths: &[path(
            "Activity.lead",
            "{ activities(first: 100) { nodes { lead { SEL } } } }",
            &[],
        )],
    },
    Reach {
        type_name: "Opportunity",
        resource: "opportunity",
        by_id: "opportunity",
        list: "opportunities",
        paths: &[
            path(
                "Activity.opportunity",
                "{ activities(first: 100) { nodes { opportunity { SEL } } } }",
                &[],
            ),
            path(
                "Customer.opportunities",
                "{ customers(first: 20) { nodes { opportunities(first: 20) { totalCount nodes { SEL } } } } }",
                &[],
            ),
            path(
                "Lead.opportunity",
                "{ leads(first: 100) { nodes { opportunity { SEL } } } }",
                &[],
            ),
        ],
    },
    Reach {
        type_name: "Activity",
        resource: "activity",
        by_id: "",
        list: "activities",
        paths: &[path(
            "Opportunity.activities",
            "{ opportunities(first: 20) { nodes { activities(first: 20) { totalCount nodes { SEL } } } } }",
            &[],
        )],
    },
    Reach {
        type_name: "Product",
        resource: "product",
        by_id: "product",
        list: "products",
        paths: &[],
    },
];

/// Fields returning a covered type that need no path of their own, and why.
const EXEMPT: &[(&str, &str)] = &[
    ("Me.user", "the caller's own account"),
    ("AuthPayload.user", "the account that has just signed in"),
    (
        "ConvertLeadPayload.lead",
        "the caller's own lead, just converted",
    ),
    (
        "ConvertLeadPayload.customer",
        "the customer the caller's conversion has just created",
    ),
    (
        "ConvertLeadPayload.opportunity",
        "the opportunity the caller's conversion has just created",
    ),
];

/// Sensitive fields: (resource, column, GraphQL field on the resource's type).
const SENSITIVE: &[(&str, &str, &str)] = &[
    ("user", "email", "email"),
    ("user", "phone", "phone"),
    ("product", "cost_price_micros", "costPrice"),
];

/// Every field of every object type in the schema: (`Type.field`, the type it returns, with
/// lists, non-null marks and a `Connection` suffix taken off).
fn schema_fields() -> Vec<(String, String, String)> {
    let sdl = api::graphql::sdl();
    let mut out = Vec::new();
    let mut owner: Option<String> = None;
    let mut field: Option<String> = None;
    let (mut depth, mut in_description) = (0i32, false);
    for line in sdl.lines() {
        let t = line.trim();
        if t.starts_with("\"\"\"") {
            if !(t.len() > 3 && t.ends_with("\"\"\"")) {
                in_description = !in_description;
            }
            continue;
        }
        if in_description || t.starts_with('"') || t.is_empty() {
            continue;
        }
        if let Some(rest) = line.strip_prefix("type ") {
            owner = Some(rest.split([' ', '{']).next().unwrap().to_owned());
            continue;
        }
        if line.starts_with('}') {
            owner = None;
            continue;
        }
        let Some(owner) = &owner else { continue };
        if depth == 0 && line.starts_with('\t') && !line.starts_with("\t\t") {
            field = Some(t.chars().take_while(|c| c.is_alphanumeric()).collect());
        }
        depth += t.matches('(').count() as i32 - t.matches(')').count() as i32;
        if depth == 0
            && let Some(name) = field.take()
        {
            let ty = t.rsplit(": ").next().unwrap();
            let base: String = ty
                .trim_start_matches('[')
                .chars()
                .take_while(|c| c.is_alphanumeric())
                .collect();
            let connection = base.ends_with("Connection");
            let base = base.trim_end_matches("Connection").to_owned();
            let kind = if connection { "connection" } else { "field" };
            out.push((format!("{owner}.{name}"), base, kind.to_owned()));
        }
    }
    out
}

/// Each field of the schema that returns `type_name`, outside the root types and the
/// connection types (root fields are a `Reach`'s `by_id` and `list`).
fn fields_reaching(type_name: &str) -> (Vec<String>, Vec<String>) {
    let mut relations = Vec::new();
    let mut roots = Vec::new();
    for (at, base, _) in schema_fields() {
        if base != type_name {
            continue;
        }
        let owner = at.split('.').next().unwrap();
        if owner == "MutationRoot" || owner.ends_with("Connection") || owner.ends_with("Edge") {
            continue;
        }
        if owner == "QueryRoot" {
            roots.push(at.split('.').nth(1).unwrap().to_owned());
        } else if !EXEMPT.iter().any(|(e, _)| *e == at) {
            relations.push(at);
        }
    }
    (roots, relations)
}

/// The reach of `type_name`, checked against the schema: every field that returns the type
/// has its path here.
fn reach_of(type_name: &str) -> &'static Reach {
    let reach = REACH
        .iter()
        .find(|r| r.type_name == type_name)
        .unwrap_or_else(|| panic!("scope_sweeps.rs: no REACH entry for type `{type_name}`"));
    let (roots, relations) = fields_reaching(type_name);
    for root in &roots {
        assert!(
            root == reach.by_id || root == reach.list,
            "root field `{root}` returns `{type_name}`: make it the REACH entry's by_id or list"
        );
    }
    for at in &relations {
        assert!(
            reach.paths.iter().any(|p| p.at == at),
            "`{at}` returns `{type_name}` but has no path in scope_sweeps.rs REACH"
        );
    }
    for p in reach.paths {
        assert!(
            relations.contains(&p.at.to_owned()),
            "REACH path `{}` is no field of the schema",
            p.at
        );
    }
    reach
}

/// The GraphQL type of a resource, from the REACH table.
fn reach_of_resource(resource: &str) -> &'static Reach {
    let reach = REACH
        .iter()
        .find(|r| r.resource == resource)
        .unwrap_or_else(|| panic!("scope_sweeps.rs: no REACH entry for resource `{resource}`"));
    reach_of(reach.type_name)
}

/// A grant of every permission: at scope `OWN` where a resource with owners uses it, `ALL`
/// elsewhere, and `ALL` for those in `all`; without those in `without`.
fn grants(permissions: &[String], all: &[&str], without: &[&str]) -> Vec<(String, &'static str)> {
    let owned: BTreeSet<&str> = api::modules::resources()
        .filter(|r| !r.owners.is_empty())
        .flat_map(|r| [r.read, r.write])
        .collect();
    permissions
        .iter()
        .filter(|p| !without.contains(&p.as_str()))
        .map(|p| {
            let own = owned.contains(p.as_str()) && !all.contains(&p.as_str());
            (p.clone(), if own { "OWN" } else { "ALL" })
        })
        .collect()
}

struct World {
    app: TestApp,
    tenant: TestTenant,
    admin: String,
    permissions: Vec<String>,
    /// Rep B's user id and rows, by resource.
    b: BTreeMap<&'static str, String>,
    b_contact: String,
    /// Rep A's rows, by resource.
    a: BTreeMap<&'static str, String>,
    /// Rep A's token.
    rep_a: String,
    users: usize,
}

impl World {
    /// A tenant where reps A and B (every permission at scope `OWN`) each own one row of
    /// every owned resource, and A's rows point at B's wherever a reference can: A's activity
    /// at B's customer, lead and opportunity with B as assignee, A's lead at B's customer
    /// and opportunity, A's opportunity at B's customer, B's opportunity under A's customer,
    /// B's activity under A's opportunity.
    async fn build() -> World {
        let app = TestApp::spawn().await;
        let tenant = app.create_tenant("acme").await;
        let admin = app.login(&tenant).await;
        let r = app
            .gql(Some(&admin), "{ permissions { name } }", json!({}))
            .await;
        let permissions: Vec<String> = r.body["data"]["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap().to_owned())
            .collect();
        let mut world = World {
            app,
            tenant,
            admin,
            permissions,
            b: BTreeMap::new(),
            b_contact: String::new(),
            a: BTreeMap::new(),
            rep_a: String::new(),
            users: 0,
        };
        let own = grants(&world.permissions, &[], &[]);
        let a = world.user_with(&own).await;
        let b = world.user_with(&own).await;
        world.a = world.rows(&a.1, "a").await;
        world.b = world.rows(&b.1, "b").await;
        world.a.insert("user", a.0.to_string());
        world.b.insert("user", b.0.to_string());
        world.rep_a = a.1;
        let contact = world
            .call(
                &b.1,
                "mutation($c: ID!) { createContact(input: { customerId: $c, name: \"Bea\" }) { id } }",
                json!({ "c": world.b["customer"] }),
            )
            .await;
        world.b_contact = contact["createContact"]["id"].as_str().unwrap().to_owned();

        let db = world.app.tenant_conn(&world.tenant).await;
        let id = |m: &BTreeMap<&str, String>, k: &str| Uuid::parse_str(&m[k]).unwrap();
        let (a_rows, b_rows) = (&world.a, &world.b);
        set(
            &db,
            activity::Entity::update_many()
                .col_expr(
                    activity::Column::CustomerId,
                    Expr::value(id(b_rows, "customer")),
                )
                .col_expr(activity::Column::LeadId, Expr::value(id(b_rows, "lead")))
                .col_expr(
                    activity::Column::OpportunityId,
                    Expr::value(id(b_rows, "opportunity")),
                )
                .col_expr(
                    activity::Column::AssigneeId,
                    Expr::value(id(b_rows, "user")),
                )
                .filter(activity::Column::Id.eq(id(a_rows, "activity"))),
        )
        .await;
        set(
            &db,
            lead::Entity::update_many()
                .col_expr(
                    lead::Column::CustomerId,
                    Expr::value(id(b_rows, "customer")),
                )
                .col_expr(
                    lead::Column::OpportunityId,
                    Expr::value(id(b_rows, "opportunity")),
                )
                .filter(lead::Column::Id.eq(id(a_rows, "lead"))),
        )
        .await;
        set(
            &db,
            opportunity::Entity::update_many()
                .col_expr(
                    opportunity::Column::CustomerId,
                    Expr::value(id(b_rows, "customer")),
                )
                .filter(opportunity::Column::Id.eq(id(a_rows, "opportunity"))),
        )
        .await;
        set(
            &db,
            opportunity::Entity::update_many()
                .col_expr(
                    opportunity::Column::CustomerId,
                    Expr::value(id(a_rows, "customer")),
                )
                .filter(opportunity::Column::Id.eq(id(b_rows, "opportunity"))),
        )
        .await;
        set(
            &db,
            activity::Entity::update_many()
                .col_expr(
                    activity::Column::OpportunityId,
                    Expr::value(id(a_rows, "opportunity")),
                )
                .filter(activity::Column::Id.eq(id(b_rows, "activity"))),
        )
        .await;
        world
    }

    /// A new user holding one new role with `grants`: (id, token).
    async fn user_with(&mut self, grants: &[(String, &str)]) -> (Uuid, String) {
        self.users += 1;
        let n = self.users;
        let grants: Vec<(&str, &str)> = grants.iter().map(|(p, s)| (p.as_str(), *s)).collect();
        let role = format!("sweep role {n}");
        self.app.create_role(&self.admin, &role, &grants).await;
        let email = format!("rep{n}@acme.test");
        let user = self
            .app
            .create_user(&self.tenant, &self.admin, &email, &[role.as_str()])
            .await;
        let token = self.app.login(&user).await;
        (user.id, token)
    }

    /// Rep A's token while A also holds `widen` at scope `ALL` (a second role).
    async fn widen_a(&mut self, widen: &[&str]) -> String {
        let name = format!("widen {}", widen.join(" "));
        let role = match self.app.role_ids(&self.admin).await.get(&name) {
            Some(id) => id.clone(),
            None => {
                let grants: Vec<(&str, &str)> = widen.iter().map(|p| (*p, "ALL")).collect();
                self.app.create_role(&self.admin, &name, &grants).await
            }
        };
        let admin = self.admin.clone();
        self.call(
            &admin,
            "mutation($u: ID!, $r: ID!) { assignRole(userId: $u, roleId: $r) { id } }",
            json!({ "u": self.a["user"], "r": role }),
        )
        .await;
        self.app.login(&self.rep_a_credentials()).await
    }

    /// Takes the role of [`Self::widen_a`] away again.
    async fn unwiden_a(&mut self, widen: &[&str]) {
        let name = format!("widen {}", widen.join(" "));
        let role = self.app.role_ids(&self.admin).await[&name].clone();
        let admin = self.admin.clone();
        self.call(
            &admin,
            "mutation($u: ID!, $r: ID!) { unassignRole(userId: $u, roleId: $r) { id } }",
            json!({ "u": self.a["user"], "r": role }),
        )
        .await;
    }

    fn rep_a_credentials(&self) -> TestTenant {
        TestTenant {
            id: Uuid::parse_str(&self.a["user"]).unwrap(),
            slug: self.tenant.slug.clone(),
            email: "rep1@acme.test".into(),
            password: self.tenant.password.clone(),
        }
    }

    /// Runs `doc` as `token`; the data, panicking on errors.
    async fn call(&self, token: &str, doc: &str, vars: Value) -> Value {
        let r = self.app.gql(Some(token), doc, vars).await;
        assert!(r.body["errors"].is_null(), "{doc}: {}", r.body);
        r.body["data"].clone()
    }

    /// One row of every owned resource, created by the rep with `token` (who owns them).
    async fn rows(&self, token: &str, tag: &str) -> BTreeMap<&'static str, String> {
        let mut rows = BTreeMap::new();
        let customer = self
            .call(
                token,
                "mutation($n: String!, $e: String!) { createCustomer(input: { name: $n, email: $e, currency: \"USD\" }) { id } }",
                json!({ "n": format!("customer {tag}"), "e": format!("buyer@{tag}.test") }),
            )
            .await;
        rows.insert(
            "customer",
            customer["createCustomer"]["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
        let supplier = self
            .call(
                token,
                "mutation($n: String!) { createSupplier(input: { name: $n, currency: \"USD\" }) { id } }",
                json!({ "n": format!("supplier {tag}") }),
            )
            .await;
        rows.insert(
            "supplier",
            supplier["createSupplier"]["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
        let lead = self
            .call(
                token,
                "mutation($n: String!) { createLead(input: { title: $n, contactName: $n }) { id } }",
                json!({ "n": format!("lead {tag}") }),
            )
            .await;
        rows.insert(
            "lead",
            lead["createLead"]["id"].as_str().unwrap().to_owned(),
        );
        let opportunity = self
            .call(
                token,
                "mutation($n: String!, $c: ID!) { createOpportunity(input: { title: $n, customerId: $c, amount: { amount: \"10\", currency: \"USD\" } }) { id } }",
                json!({ "n": format!("deal {tag}"), "c": rows["customer"] }),
            )
            .await;
        rows.insert(
            "opportunity",
            opportunity["createOpportunity"]["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
        let activity = self
            .call(
                token,
                "mutation($n: String!, $o: ID!) { createActivity(input: { kind: CALL, subject: $n, opportunityId: $o }) { id } }",
                json!({ "n": format!("call {tag}"), "o": rows["opportunity"] }),
            )
            .await;
        rows.insert(
            "activity",
            activity["createActivity"]["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
        rows
    }
}

async fn set<E: EntityTrait>(db: &DatabaseConnection, update: sea_orm::UpdateMany<E>) {
    let done = update.exec(db).await.expect("cross-link");
    assert_eq!(done.rows_affected, 1);
}

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
    let mut world = World::build().await;
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
    let mut world = World::build().await;
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
