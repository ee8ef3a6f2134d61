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

const fn query(field: &'static str, doc: &'static str, permission: &'static str) -> Call {
    Call {
        field,
        doc,
        guard: Guard::Permission(permission),
        caller: Caller::Admin,
        audited: false,
    }
}

const fn mutation(field: &'static str, doc: &'static str, permission: &'static str) -> Call {
    Call {
        field,
        doc,
        guard: Guard::Permission(permission),
        caller: Caller::Admin,
        audited: true,
    }
}

/// Every root field, queries first, then mutations in an order where each finds something
/// to do with the fixture's rows (the audit sweep runs them in this order).
pub const CALLS: &[Call] = &[
    Call {
        field: "me",
        doc: "{ me { user { id email displayName } roles { id name } permissions } }",
        guard: Guard::SignedIn,
        caller: Caller::Admin,
        audited: false,
    },
    query(
        "users",
        "{ users(first: 100) { totalCount nodes { id email phone displayName } } }",
        "identity.user.read",
    ),
    query(
        "user",
        "query($user: ID!) { user(id: $user) { id email displayName roles { name } } }",
        "identity.user.read",
    ),
    query(
        "roles",
        "{ roles(first: 100) { totalCount nodes { id name description } } }",
        "identity.role.read",
    ),
    query(
        "role",
        "query($role: ID!) { role(id: $role) { id name grants { permission } } }",
        "identity.role.read",
    ),
    query(
        "permissions",
        "{ permissions { name } }",
        "identity.role.read",
    ),
    query(
        "apiKeys",
        "{ apiKeys(first: 100) { totalCount nodes { id name } } }",
        "identity.api_key.read",
    ),
    query(
        "auditLog",
        "query($user: ID!) { auditLog(first: 100) { nodes { entityId changes } } filtered: auditLog(filter: { entityId: $user }) { totalCount } }",
        "identity.audit.read",
    ),
    query(
        "currencies",
        "{ currencies { code name } }",
        "master.data.read",
    ),
    query(
        "exchangeRates",
        "{ exchangeRates(currency: \"EUR\") { totalCount nodes { rate } } }",
        "master.data.read",
    ),
    query("units", "{ units { code name } }", "master.data.read"),
    query(
        "taxRates",
        "{ taxRates { totalCount nodes { id code name } } }",
        "master.data.read",
    ),
    query(
        "paymentTerms",
        "{ paymentTerms { totalCount nodes { id code name } } }",
        "master.data.read",
    ),
    query(
        "productCategories",
        "{ productCategories { totalCount nodes { id name } } }",
        "master.data.read",
    ),
    query(
        "warehouses",
        "{ warehouses { totalCount nodes { id code name } } }",
        "master.data.read",
    ),
    query(
        "customers",
        "{ customers(first: 100) { totalCount nodes { id name email } } }",
        "master.customer.read",
    ),
    query(
        "customer",
        "query($customer: ID!) { customer(id: $customer) { id name email } }",
        "master.customer.read",
    ),
    query(
        "contacts",
        "query($customer: ID!) { contacts(first: 100) { totalCount nodes { id name } } filtered: contacts(customerId: $customer) { totalCount } }",
        "master.customer.read",
    ),
    query(
        "suppliers",
        "{ suppliers(first: 100) { totalCount nodes { id name } } }",
        "master.supplier.read",
    ),
    query(
        "supplier",
        "query($supplier: ID!) { supplier(id: $supplier) { id name } }",
        "master.supplier.read",
    ),
    query(
        "products",
        "{ products(first: 100) { totalCount nodes { id sku name } } }",
        "master.product.read",
    ),
    query(
        "product",
        "query($product: ID!) { product(id: $product) { id sku name } }",
        "master.product.read",
    ),
    query(
        "pipelineStages",
        "{ pipelineStages { id name } }",
        "crm.opportunity.read",
    ),
    query(
        "pipelineForecast",
        "{ pipelineForecast { total { count amount { amount } } } }",
        "crm.opportunity.read",
    ),
    query(
        "leads",
        "{ leads(first: 100) { totalCount nodes { id title contactName email } } }",
        "crm.lead.read",
    ),
    query(
        "lead",
        "query($lead: ID!) { lead(id: $lead) { id title } }",
        "crm.lead.read",
    ),
    query(
        "opportunities",
        "{ opportunities(first: 100) { totalCount nodes { id title } } }",
        "crm.opportunity.read",
    ),
    query(
        "opportunity",
        "query($opportunity: ID!) { opportunity(id: $opportunity) { id title } }",
        "crm.opportunity.read",
    ),
    query(
        "activities",
        "{ activities(first: 100) { totalCount nodes { id subject } } }",
        "crm.activity.read",
    ),
    Call {
        field: "login",
        doc: "mutation($tenant: String!, $email: String!, $password: String!) { login(input: { tenant: $tenant, email: $email, password: $password }) { accessToken } }",
        guard: Guard::Public,
        caller: Caller::Anonymous,
        audited: true,
    },
    Call {
        field: "refreshSession",
        doc: "mutation($refresh: String!) { refreshSession(refreshToken: $refresh) { accessToken } }",
        guard: Guard::Public,
        caller: Caller::Anonymous,
        audited: true,
    },
    mutation(
        "updateUser",
        "mutation($user: ID!) { updateUser(id: $user, input: { displayName: \"Renamed\", expectedVersion: 1 }) { id displayName } }",
        "identity.user.write",
    ),
    mutation(
        "deactivateUser",
        "mutation($user: ID!) { deactivateUser(id: $user) { id } }",
        "identity.user.write",
    ),
    mutation(
        "reactivateUser",
        "mutation($user: ID!) { reactivateUser(id: $user) { id } }",
        "identity.user.write",
    ),
    mutation(
        "createRole",
        "mutation { createRole(input: { name: \"another\", grants: [{ permission: \"identity.user.read\" }] }) { id } }",
        "identity.role.write",
    ),
    mutation(
        "updateRole",
        "mutation($role: ID!) { updateRole(id: $role, input: { description: \"changed\", expectedVersion: 1 }) { id name } }",
        "identity.role.write",
    ),
    mutation(
        "assignRole",
        "mutation($user: ID!, $role: ID!) { assignRole(userId: $user, roleId: $role) { id } }",
        "identity.role.assign",
    ),
    mutation(
        "unassignRole",
        "mutation($user: ID!, $role: ID!) { unassignRole(userId: $user, roleId: $role) { id } }",
        "identity.role.assign",
    ),
    mutation(
        "deleteRole",
        "mutation($role: ID!) { deleteRole(id: $role) }",
        "identity.role.write",
    ),
    mutation(
        "createApiKey",
        "mutation($viewerRole: ID!) { createApiKey(input: { name: \"k2\", roleId: $viewerRole }) { secret } }",
        "identity.api_key.write",
    ),
    mutation(
        "revokeApiKey",
        "mutation($apiKey: ID!) { revokeApiKey(id: $apiKey) { id name } }",
        "identity.api_key.write",
    ),
    Call {
        field: "changePassword",
        doc: "mutation($changerPassword: String!) { changePassword(input: { currentPassword: $changerPassword, newPassword: \"another long secret\" }) }",
        guard: Guard::SignedIn,
        caller: Caller::Changer,
        audited: true,
    },
    mutation(
        "setExchangeRate",
        "mutation { setExchangeRate(input: { currency: \"EUR\", rate: \"1.1\", validFrom: \"2026-01-01\" }) { id } }",
        "master.data.write",
    ),
    mutation(
        "createTaxRate",
        "mutation { createTaxRate(input: { code: \"VAT20\", name: \"VAT\", rate: \"20\", validFrom: \"2026-01-01\" }) { id } }",
        "master.data.write",
    ),
    mutation(
        "createCustomer",
        "mutation { createCustomer(input: { name: \"New Co\", currency: \"USD\" }) { id } }",
        "master.customer.write",
    ),
    mutation(
        "updateCustomer",
        "mutation($customer: ID!) { updateCustomer(id: $customer, input: { name: \"Renamed Co\", expectedVersion: 1 }) { id name } }",
        "master.customer.write",
    ),
    mutation(
        "createContact",
        "mutation($customer: ID!) { createContact(input: { customerId: $customer, name: \"Sam\" }) { id customer { name } } }",
        "master.customer.write",
    ),
    mutation(
        "updateContact",
        "mutation($contact: ID!) { updateContact(id: $contact, input: { name: \"Pat Q\", expectedVersion: 1 }) { id name } }",
        "master.customer.write",
    ),
    mutation(
        "archiveCustomer",
        "mutation($customer: ID!) { archiveCustomer(id: $customer) { id name } }",
        "master.customer.write",
    ),
    mutation(
        "createProduct",
        "mutation { createProduct(input: { sku: \"NEW-1\", name: \"New\", kind: SERVICE, unit: \"h\", currency: \"USD\", salePrice: \"90\" }) { id } }",
        "master.product.write",
    ),
    mutation(
        "updateProduct",
        "mutation($product: ID!) { updateProduct(id: $product, input: { name: \"Renamed product\", expectedVersion: 1 }) { id name } }",
        "master.product.write",
    ),
    mutation(
        "archiveProduct",
        "mutation($product: ID!) { archiveProduct(id: $product) { id name } }",
        "master.product.write",
    ),
    mutation(
        "createPipelineStage",
        "mutation { createPipelineStage(input: { name: \"Closing\", position: 5, probability: \"0.9\" }) { id } }",
        "crm.pipeline.write",
    ),
    mutation(
        "createLead",
        "mutation { createLead(input: { title: \"New lead\", contactName: \"Nia\" }) { id } }",
        "crm.lead.write",
    ),
    mutation(
        "updateLead",
        "mutation($lead: ID!) { updateLead(id: $lead, input: { phone: \"+1 555 0100\", expectedVersion: 1 }) { id title } }",
        "crm.lead.write",
    ),
    mutation(
        "contactLead",
        "mutation($lead: ID!) { contactLead(id: $lead) { id title } }",
        "crm.lead.write",
    ),
    mutation(
        "qualifyLead",
        "mutation($lead: ID!) { qualifyLead(id: $lead) { id title } }",
        "crm.lead.write",
    ),
    mutation(
        "convertLead",
        "mutation($lead: ID!) { convertLead(id: $lead) { lead { id title } } }",
        "crm.lead.write",
    ),
    mutation(
        "disqualifyLead",
        "mutation($lead2: ID!) { disqualifyLead(id: $lead2, reason: \"no budget\") { id title } }",
        "crm.lead.write",
    ),
    mutation(
        "createOpportunity",
        "mutation($customer: ID!) { createOpportunity(input: { title: \"More\", customerId: $customer, amount: { amount: \"5\", currency: \"USD\" } }) { id customer { name } } }",
        "crm.opportunity.write",
    ),
    mutation(
        "updateOpportunity",
        "mutation($opportunity: ID!) { updateOpportunity(id: $opportunity, input: { title: \"Deal 2\", expectedVersion: 1 }) { id title } }",
        "crm.opportunity.write",
    ),
    mutation(
        "winOpportunity",
        "mutation($opportunity: ID!) { winOpportunity(id: $opportunity) { id title } }",
        "crm.opportunity.write",
    ),
    mutation(
        "loseOpportunity",
        "mutation($opportunity2: ID!) { loseOpportunity(id: $opportunity2, reason: \"price\") { id title } }",
        "crm.opportunity.write",
    ),
    mutation(
        "createActivity",
        "mutation($opportunity: ID!) { createActivity(input: { kind: NOTE, subject: \"Noted\", opportunityId: $opportunity }) { id } }",
        "crm.activity.write",
    ),
    mutation(
        "completeActivity",
        "mutation($activity: ID!) { completeActivity(id: $activity) { id subject } }",
        "crm.activity.write",
    ),
    mutation(
        "createPaymentTerm",
        "mutation { createPaymentTerm(input: { code: \"NET30\", name: \"Net 30\", dueDays: 30 }) { id } }",
        "master.data.write",
    ),
    mutation(
        "createProductCategory",
        "mutation { createProductCategory(input: { name: \"Tools\" }) { id } }",
        "master.data.write",
    ),
    mutation(
        "createWarehouse",
        "mutation { createWarehouse(input: { code: \"MAIN\", name: \"Main\" }) { id } }",
        "master.data.write",
    ),
    mutation(
        "createSupplier",
        "mutation { createSupplier(input: { name: \"Bolts Ltd\", currency: \"EUR\" }) { id } }",
        "master.supplier.write",
    ),
    mutation(
        "updateSupplier",
        "mutation($supplier: ID!) { updateSupplier(id: $supplier, input: { name: \"Parts Inc 2\", expectedVersion: 1 }) { id name } }",
        "master.supplier.write",
    ),
    mutation(
        "archiveSupplier",
        "mutation($supplier: ID!) { archiveSupplier(id: $supplier) { id name } }",
        "master.supplier.write",
    ),
    Call {
        field: "logout",
        doc: "mutation { logout }",
        guard: Guard::SignedIn,
        caller: Caller::Session,
        audited: true,
    },
    // Last: it creates a user under a client-chosen id, which the isolation sweep sets to
    // another tenant's user id; later rows would then find that user.
    mutation(
        "createUser",
        "mutation($newUser: ID!) { createUser(input: { id: $newUser, email: \"third@example.test\", displayName: \"Third\", password: \"long enough pass\" }) { id } }",
        "identity.user.write",
    ),
];

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
        let supplier = create(
            format!("mutation {{ createSupplier(input: {{ name: \"supplier {slug}\", currency: \"USD\" }}) {{ id }} }}"),
            "createSupplier",
        )
        .await;
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
