//! The tenant the sweeps run in: two reps owning one row of every owned resource, with
//! rep A's rows pointing at rep B's wherever a reference can.

use std::collections::{BTreeMap, BTreeSet};

use entities::billing::{invoice, payment};
use entities::crm::{activity, lead, opportunity};
use entities::sales::{quotation, sales_order};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{TestApp, TestTenant};

/// A grant of every permission: at scope `OWN` where a resource with owners uses it, `ALL`
/// elsewhere, and `ALL` for those in `all`; without those in `without`.
pub(super) fn grants(
    permissions: &[String],
    all: &[&str],
    without: &[&str],
) -> Vec<(String, &'static str)> {
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

pub(super) struct World {
    pub(super) app: TestApp,
    pub(super) tenant: TestTenant,
    pub(super) admin: String,
    pub(super) permissions: Vec<String>,
    /// Rep B's user id and rows, by resource.
    pub(super) b: BTreeMap<&'static str, String>,
    pub(super) b_contact: String,
    /// Rep A's rows, by resource.
    pub(super) a: BTreeMap<&'static str, String>,
    /// Rep A's token.
    pub(super) rep_a: String,
    pub(super) users: usize,
}

impl World {
    /// A tenant where reps A and B (every permission at scope `OWN`) each own one row of
    /// every owned resource, and A's rows point at B's wherever a reference can: A's activity
    /// at B's customer, lead and opportunity with B as assignee, A's lead at B's customer
    /// and opportunity, A's opportunity at B's customer, B's opportunity under A's customer,
    /// B's activity under A's opportunity.
    pub(super) async fn build() -> World {
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
        // Boxed: the sweeps' futures would not fit a test thread's stack otherwise.
        world.a = Box::pin(world.rows(&a.1, "a")).await;
        world.b = Box::pin(world.rows(&b.1, "b")).await;
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
        // A posted entry whose lines name B's customer and supplier (the books are read at
        // scope ALL; the partners on their lines keep their own scope).
        let admin = world.admin.clone();
        let accounts = world
            .call(
                &admin,
                "{ accounts(first: 2, filter: { isGroup: false }) { nodes { id } } }",
                json!({}),
            )
            .await;
        let account = |i: usize| accounts["accounts"]["nodes"][i]["id"].clone();
        let entry = world
            .call(
                &admin,
                "mutation($a: ID!, $b: ID!, $c: ID!, $s: ID!) { createJournalEntry(input: { date: \"2026-02-01\", lines: [{ accountId: $a, debit: \"5\", customerId: $c }, { accountId: $b, credit: \"5\", supplierId: $s }] }) { id } }",
                json!({ "a": account(0), "b": account(1), "c": world.b["customer"], "s": world.b["supplier"] }),
            )
            .await;
        world
            .call(
                &admin,
                "mutation($e: ID!) { postJournalEntry(id: $e) { id } }",
                json!({ "e": entry["createJournalEntry"]["id"] }),
            )
            .await;

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
        // A's quotation names B's customer, opportunity and order; A's order B's customer.
        // (B's quotation lets go of B's order first: a quotation's order is unique.)
        set(
            &db,
            quotation::Entity::update_many()
                .col_expr(
                    quotation::Column::SalesOrderId,
                    Expr::value(Option::<Uuid>::None),
                )
                .filter(quotation::Column::Id.eq(id(b_rows, "quotation"))),
        )
        .await;
        set(
            &db,
            quotation::Entity::update_many()
                .col_expr(
                    quotation::Column::CustomerId,
                    Expr::value(id(b_rows, "customer")),
                )
                .col_expr(
                    quotation::Column::OpportunityId,
                    Expr::value(id(b_rows, "opportunity")),
                )
                .col_expr(
                    quotation::Column::SalesOrderId,
                    Expr::value(id(b_rows, "sales_order")),
                )
                .filter(quotation::Column::Id.eq(id(a_rows, "quotation"))),
        )
        .await;
        set(
            &db,
            sales_order::Entity::update_many()
                .col_expr(
                    sales_order::Column::CustomerId,
                    Expr::value(id(b_rows, "customer")),
                )
                .filter(sales_order::Column::Id.eq(id(a_rows, "sales_order"))),
        )
        .await;
        let (a_payment, b_payment) = Box::pin(world.billing_links(&db)).await;
        world.a.insert("payment", a_payment);
        world.b.insert("payment", b_payment);
        world
    }

    /// A new user holding one new role with `grants`: (id, token).
    pub(super) async fn user_with(&mut self, grants: &[(String, &str)]) -> (Uuid, String) {
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
    pub(super) async fn widen_a(&mut self, widen: &[&str]) -> String {
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
    pub(super) async fn unwiden_a(&mut self, widen: &[&str]) {
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

    pub(super) fn rep_a_credentials(&self) -> TestTenant {
        TestTenant {
            id: Uuid::parse_str(&self.a["user"]).unwrap(),
            slug: self.tenant.slug.clone(),
            email: "rep1@acme.test".into(),
            password: self.tenant.password.clone(),
        }
    }

    /// Runs `doc` as `token`; the data, panicking on errors.
    pub(super) async fn call(&self, token: &str, doc: &str, vars: Value) -> Value {
        let r = self.app.gql(Some(token), doc, vars).await;
        assert!(r.body["errors"].is_null(), "{doc}: {}", r.body);
        r.body["data"].clone()
    }

    /// One row of every owned resource, created by the rep with `token` (who owns them).
    pub(super) async fn rows(&self, token: &str, tag: &str) -> BTreeMap<&'static str, String> {
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
        let invoice = self
            .call(
                token,
                "mutation($c: ID!) { createInvoice(input: { customerId: $c, date: \"2026-02-01\", lines: [{ description: \"work\", quantity: \"1\", unitPrice: \"100\" }] }) { id } }",
                json!({ "c": rows["customer"] }),
            )
            .await;
        let invoice = invoice["createInvoice"]["id"].as_str().unwrap().to_owned();
        self.call(
            token,
            "mutation($i: ID!) { postInvoice(id: $i) { id } }",
            json!({ "i": invoice }),
        )
        .await;
        rows.insert("invoice", invoice);
        let quotation = self
            .call(
                token,
                "mutation($c: ID!, $o: ID!) { createQuotation(input: { customerId: $c, opportunityId: $o, date: \"2026-02-01\", validUntil: \"2099-12-31\", lines: [{ description: \"offer\", quantity: \"1\", unitPrice: \"100\" }] }) { id } }",
                json!({ "c": rows["customer"], "o": rows["opportunity"] }),
            )
            .await;
        let quotation = quotation["createQuotation"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        self.call(
            token,
            "mutation($q: ID!) { sendQuotation(id: $q) { id } }",
            json!({ "q": quotation }),
        )
        .await;
        let order = self
            .call(
                token,
                "mutation($q: ID!) { acceptQuotation(id: $q) { id } }",
                json!({ "q": quotation }),
            )
            .await;
        rows.insert("quotation", quotation);
        rows.insert(
            "sales_order",
            order["acceptQuotation"]["id"].as_str().unwrap().to_owned(),
        );
        rows
    }

    /// Billing's cross-links, made by the admin and then handed over: a credit note of A's
    /// crediting B's invoice (for B's customer), A's payment from B's customer settling B's
    /// invoice, and B's payment settling A's invoice. Returns (A's payment, B's payment).
    async fn billing_links(&self, db: &DatabaseConnection) -> (String, String) {
        let admin = self.admin.clone();
        let note = self
            .call(
                &admin,
                "mutation($i: ID!) { createCreditNote(input: { invoiceId: $i, date: \"2026-02-02\", lines: [{ description: \"refund\", quantity: \"1\", unitPrice: \"1\" }] }) { id } }",
                json!({ "i": self.b["invoice"] }),
            )
            .await;
        let note = note["createCreditNote"]["id"].as_str().unwrap().to_owned();
        self.call(
            &admin,
            "mutation($i: ID!) { postInvoice(id: $i) { id } }",
            json!({ "i": note }),
        )
        .await;
        let pay = |customer: &str, invoice: &str| {
            let vars = json!({ "c": customer, "i": invoice });
            let admin = admin.clone();
            async move {
                let r = self
                    .call(
                        &admin,
                        "mutation($c: ID!, $i: ID!) { recordPayment(input: { customerId: $c, date: \"2026-02-03\", amount: { amount: \"1\", currency: \"USD\" }, allocations: [{ invoiceId: $i, amount: \"1\" }] }) { id } }",
                        vars,
                    )
                    .await;
                r["recordPayment"]["id"].as_str().unwrap().to_owned()
            }
        };
        let a_payment = pay(&self.b["customer"], &self.b["invoice"]).await;
        let b_payment = pay(&self.a["customer"], &self.a["invoice"]).await;
        let user = |m: &BTreeMap<&str, String>| Uuid::parse_str(&m["user"]).unwrap();
        let row = |id: &str| Uuid::parse_str(id).unwrap();
        set(
            db,
            invoice::Entity::update_many()
                .col_expr(invoice::Column::OwnerId, Expr::value(user(&self.a)))
                .filter(invoice::Column::Id.eq(row(&note))),
        )
        .await;
        set(
            db,
            payment::Entity::update_many()
                .col_expr(payment::Column::OwnerId, Expr::value(user(&self.a)))
                .filter(payment::Column::Id.eq(row(&a_payment))),
        )
        .await;
        set(
            db,
            payment::Entity::update_many()
                .col_expr(payment::Column::OwnerId, Expr::value(user(&self.b)))
                .filter(payment::Column::Id.eq(row(&b_payment))),
        )
        .await;
        (a_payment, b_payment)
    }
}

pub(super) async fn set<E: EntityTrait>(db: &DatabaseConnection, update: sea_orm::UpdateMany<E>) {
    let done = update.exec(db).await.expect("cross-link");
    assert_eq!(done.rows_affected, 1);
}
