//! The one table of calls: every root field with a document, the exact permission its guard
//! names, who calls it and whether it is audited. The permission, audit and tenant-isolation
//! sweeps all run from it (`permissions.rs`, `audit.rs`, `tenant_isolation.rs`), so a new root
//! field is one row here, and each sweep fails until the row exists.
//!
//! Documents take their arguments as variables named after [`Fixture`] keys (`$customer` is
//! the fixture's customer id), so the same row runs with a tenant's own rows (audit sweep),
//! another tenant's rows (isolation sweep) or made-up ids (permission sweep).

use std::collections::BTreeMap;

use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{TestApp, TestTenant};

mod table;

pub use table::CALLS;

/// What a root field's guard asks of the caller.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Guard {
    /// Anyone, signed in or not (signing in).
    Public,
    /// Any signed-in caller (their own account).
    SignedIn,
    /// Exactly this permission: `FORBIDDEN` with `extensions.permission` naming it.
    Permission(&'static str),
}

/// Whose token a call runs with in the audit and isolation sweeps.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Caller {
    Anonymous,
    Admin,
    /// A second session of the admin's, so that `logout` ends only that one.
    Session,
    /// A user whose password the call changes (which ends that user's other sessions).
    Changer,
}

pub struct Call {
    pub field: &'static str,
    pub doc: &'static str,
    pub guard: Guard,
    pub caller: Caller,
    /// A successful call writes an audit entry (every mutation); a query never does.
    pub audited: bool,
}

/// Every root field of the schema has exactly one row.
pub fn assert_every_root_field_has_a_row() {
    let mut fields = TestApp::root_fields("QueryRoot");
    fields.extend(TestApp::root_fields("MutationRoot"));
    for field in &fields {
        let rows = CALLS.iter().filter(|c| c.field == field).count();
        assert_eq!(rows, 1, "root field `{field}` needs one row in calls.rs");
    }
    for call in CALLS {
        assert!(
            fields.iter().any(|f| f == call.field),
            "calls.rs has a row for `{}`, which is no root field",
            call.field
        );
    }
}

/// The variables a document declares (`$name`), in order of first use.
pub fn variables_of(doc: &str) -> Vec<&str> {
    let mut names = Vec::new();
    for (i, _) in doc.match_indices('$') {
        let rest = &doc[i + 1..];
        let end = rest
            .find(|c: char| !c.is_ascii_alphanumeric() && c != '_')
            .unwrap_or(rest.len());
        let name = &rest[..end];
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

/// Made-up values for the variables of `doc`: ids that exist nowhere, strings that fit
/// nothing (the permission sweep needs no rows).
pub fn made_up_vars(doc: &str) -> Value {
    let mut vars = serde_json::Map::new();
    for name in variables_of(doc) {
        let declared = doc
            .find(&format!("${name}: "))
            .map(|i| &doc[i + name.len() + 3..])
            .unwrap_or_else(|| panic!("`${name}` is not declared in {doc}"));
        let value = if declared.starts_with("ID") {
            json!("00000000-0000-7000-8000-000000000000")
        } else {
            json!("made up value")
        };
        vars.insert(name.to_owned(), value);
    }
    Value::Object(vars)
}

/// Rows of a tenant that the calls act on, by variable name, and the tokens of its callers.
pub struct Fixture {
    pub values: BTreeMap<String, Value>,
    pub admin: String,
    pub session: String,
    pub changer: String,
}

impl Fixture {
    /// The variables of `doc`, taken from this fixture.
    pub fn vars(&self, doc: &str) -> Value {
        let mut vars = serde_json::Map::new();
        for name in variables_of(doc) {
            let value = self
                .values
                .get(name)
                .unwrap_or_else(|| panic!("the fixture has no `{name}` for {doc}"));
            vars.insert(name.to_owned(), value.clone());
        }
        Value::Object(vars)
    }

    /// The token `caller` uses (`None` for anonymous).
    pub fn token(&self, caller: Caller) -> Option<&str> {
        match caller {
            Caller::Anonymous => None,
            Caller::Admin => Some(&self.admin),
            Caller::Session => Some(&self.session),
            Caller::Changer => Some(&self.changer),
        }
    }

    /// Creates, as `t`'s admin, one row of each kind the calls act on. Every name carries the
    /// tenant's slug, so another tenant's answer that shows one is caught by the slug.
    pub async fn build(app: &TestApp, t: &TestTenant) -> Fixture {
        let admin = app.login(t).await;
        let session = app.login(t).await;
        let (_, refresh) = app.login_pair(t).await;
        let slug = &t.slug;
        let user = app
            .create_user(t, &admin, &format!("user-{slug}@{slug}.test"), &[])
            .await;
        let changer = app
            .create_user(t, &admin, &format!("changer-{slug}@{slug}.test"), &[])
            .await;
        let changer_token = app.login(&changer).await;
        let roles = app.role_ids(&admin).await;
        let role = app.create_role(&admin, &format!("role {slug}"), &[]).await;
        let create = |doc: String, field: &'static str| {
            let (app, admin) = (app, admin.clone());
            async move {
                let r = app.gql(Some(&admin), &doc, json!({})).await;
                let id = r.body["data"][field]["id"]
                    .as_str()
                    .or_else(|| r.body["data"][field]["apiKey"]["id"].as_str())
                    .unwrap_or_else(|| panic!("{field}: {}", r.body));
                json!(id)
            }
        };
        let api_key = create(
            format!(
                "mutation {{ createApiKey(input: {{ name: \"key {slug}\", roleId: \"{}\" }}) {{ apiKey {{ id }} }} }}",
                roles["viewer"]
            ),
            "createApiKey",
        )
        .await;
        let customer = create(
            format!("mutation {{ createCustomer(input: {{ name: \"customer {slug}\", currency: \"USD\", email: \"buyer@{slug}.test\" }}) {{ id }} }}"),
            "createCustomer",
        )
        .await;
        let contact = create(
            format!("mutation {{ createContact(input: {{ customerId: {customer}, name: \"contact {slug}\" }}) {{ id }} }}"),
            "createContact",
        )
        .await;
        let product = create(
            format!("mutation {{ createProduct(input: {{ sku: \"SKU-{slug}\", name: \"product {slug}\", kind: GOODS, unit: \"ea\", currency: \"USD\", salePrice: \"1\", costPrice: \"0.75\" }}) {{ id }} }}"),
            "createProduct",
        )
        .await;
        let lead = |n: u8| {
            create(
                format!(
                    "mutation {{ createLead(input: {{ title: \"lead {n} {slug}\", contactName: \"person {slug}\", email: \"lead{n}@{slug}.test\" }}) {{ id }} }}"
                ),
                "createLead",
            )
        };
        let (lead1, lead2) = (lead(1).await, lead(2).await);
        let opportunity = |n: u8| {
            create(
                format!(
                    "mutation {{ createOpportunity(input: {{ title: \"deal {n} {slug}\", customerId: {customer}, amount: {{ amount: \"10\", currency: \"USD\" }} }}) {{ id }} }}"
                ),
                "createOpportunity",
            )
        };
        let (opp1, opp2) = (opportunity(1).await, opportunity(2).await);
        let activity = create(
            format!("mutation {{ createActivity(input: {{ kind: TASK, subject: \"call {slug}\", opportunityId: {opp1} }}) {{ id }} }}"),
            "createActivity",
        )
        .await;
        // An activity assigned to the changer sends them a notification.
        create(
            format!(
                "mutation {{ createActivity(input: {{ kind: TASK, subject: \"remind {slug}\", opportunityId: {opp1}, assigneeId: \"{}\" }}) {{ id }} }}",
                changer.id
            ),
            "createActivity",
        )
        .await;
        let r = app
            .gql(
                Some(&changer_token),
                "{ notifications(first: 1) { nodes { id } } }",
                json!({}),
            )
            .await;
        let notification = r.body["data"]["notifications"]["nodes"][0]["id"].clone();
        assert!(
            notification.is_string(),
            "the changer's notification: {}",
            r.body
        );
        let supplier = create(
            format!("mutation {{ createSupplier(input: {{ name: \"supplier {slug}\", currency: \"USD\" }}) {{ id }} }}"),
            "createSupplier",
        )
        .await;
        let account = |code: &str, kind: &str| {
            create(
                format!(
                    "mutation {{ createAccount(input: {{ code: \"{code}\", name: \"account {code} {slug}\", kind: {kind} }}) {{ id }} }}"
                ),
                "createAccount",
            )
        };
        let (account1, account2) = (
            account("7000", "EXPENSE").await,
            account("7001", "ASSET").await,
        );
        let entry_doc = |memo: &str| {
            format!(
                "mutation {{ createJournalEntry(input: {{ date: \"2026-03-01\", memo: \"{memo} {slug}\", lines: [{{ accountId: {account1}, debit: \"12.50\" }}, {{ accountId: {account2}, credit: \"12.50\" }}] }}) {{ id }} }}"
            )
        };
        let draft = create(entry_doc("draft"), "createJournalEntry").await;
        let draft2 = create(entry_doc("draft 2"), "createJournalEntry").await;
        let entry = create(entry_doc("posted"), "createJournalEntry").await;
        create(
            format!("mutation {{ postJournalEntry(id: {entry}) {{ id }} }}"),
            "postJournalEntry",
        )
        .await;
        let invoice_doc = |memo: &str| {
            format!(
                "mutation {{ createInvoice(input: {{ customerId: {customer}, date: \"2026-03-01\", memo: \"{memo} {slug}\", lines: [{{ description: \"work {slug}\", quantity: \"1\", unitPrice: \"10\" }}] }}) {{ id }} }}"
            )
        };
        let invoice_draft = create(invoice_doc("draft"), "createInvoice").await;
        let invoice_draft2 = create(invoice_doc("draft 2"), "createInvoice").await;
        let invoice = create(invoice_doc("posted"), "createInvoice").await;
        create(
            format!("mutation {{ postInvoice(id: {invoice}) {{ id }} }}"),
            "postInvoice",
        )
        .await;
        let payment = create(
            format!("mutation {{ recordPayment(input: {{ customerId: {customer}, date: \"2026-03-02\", amount: {{ amount: \"2\", currency: \"USD\" }}, memo: \"paid {slug}\", allocations: [{{ invoiceId: {invoice}, amount: \"2\" }}] }}) {{ id }} }}"),
            "recordPayment",
        )
        .await;
        let lines = format!(
            "lines: [{{ description: \"goods {slug}\", quantity: \"2\", unitPrice: \"10\" }}]"
        );
        let quotation_doc = |memo: &str| {
            format!(
                "mutation {{ createQuotation(input: {{ customerId: {customer}, date: \"2026-03-01\", validUntil: \"2099-12-31\", memo: \"{memo} {slug}\", {lines} }}) {{ id }} }}"
            )
        };
        let quotation_draft = create(quotation_doc("draft"), "createQuotation").await;
        let quotation_draft2 = create(quotation_doc("draft 2"), "createQuotation").await;
        let mut sent = Vec::new();
        for memo in ["sent", "sent 2"] {
            let id = create(quotation_doc(memo), "createQuotation").await;
            create(
                format!("mutation {{ sendQuotation(id: {id}) {{ id }} }}"),
                "sendQuotation",
            )
            .await;
            sent.push(id);
        }
        let order_doc = |memo: &str| {
            format!(
                "mutation {{ createSalesOrder(input: {{ customerId: {customer}, date: \"2026-03-01\", memo: \"{memo} {slug}\", {lines} }}) {{ id }} }}"
            )
        };
        let order_draft = create(order_doc("draft"), "createSalesOrder").await;
        let order_draft2 = create(order_doc("draft 2"), "createSalesOrder").await;
        let order = create(order_doc("confirmed"), "createSalesOrder").await;
        create(
            format!("mutation {{ confirmSalesOrder(id: {order}) {{ id }} }}"),
            "confirmSalesOrder",
        )
        .await;
        let r = app
            .gql(
                Some(&admin),
                "query($o: ID!) { salesOrder(id: $o) { lines(first: 1) { nodes { id } } } }",
                json!({ "o": order }),
            )
            .await;
        let order_line = r.body["data"]["salesOrder"]["lines"]["nodes"][0]["id"].clone();
        assert!(order_line.is_string(), "the order's line: {}", r.body);
        let values = [
            ("tenant", json!(t.slug)),
            ("email", json!(t.email)),
            ("password", json!(t.password)),
            ("refresh", json!(refresh)),
            ("changerPassword", json!(changer.password)),
            ("user", json!(user.id)),
            ("newUser", json!(Uuid::now_v7())),
            ("role", json!(role)),
            ("viewerRole", json!(roles["viewer"])),
            ("apiKey", api_key),
            ("customer", customer),
            ("contact", contact),
            ("product", product),
            ("lead", lead1),
            ("lead2", lead2),
            ("opportunity", opp1),
            ("opportunity2", opp2),
            ("activity", activity),
            ("supplier", supplier),
            ("notification", notification),
            ("account", account1),
            ("account2", account2),
            ("draft", draft),
            ("draft2", draft2),
            ("entry", entry),
            ("invoice", invoice),
            ("invoiceDraft", invoice_draft),
            ("invoiceDraft2", invoice_draft2),
            ("payment", payment),
            ("quotation", sent[0].clone()),
            ("quotation2", sent[1].clone()),
            ("quotationDraft", quotation_draft),
            ("quotationDraft2", quotation_draft2),
            ("order", order),
            ("orderDraft", order_draft),
            ("orderDraft2", order_draft2),
            ("orderLine", order_line),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        Fixture {
            values,
            admin,
            session,
            changer: changer_token,
        }
    }

    /// The ids of this fixture's rows.
    pub fn ids(&self) -> Vec<String> {
        self.values
            .values()
            .filter_map(|v| v.as_str())
            .filter(|s| Uuid::parse_str(s).is_ok())
            .map(str::to_owned)
            .collect()
    }
}
