//! Every mutation leaves an audit entry, written with the change.

use serde_json::{Value, json};

use crate::helpers::TestApp;

#[tokio::test]
async fn every_mutation_writes_an_audit_entry() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let admin = app.login(&t).await;
    let roles = app.role_ids(&admin).await;
    let other = app.create_user(&t, &admin, "other@acme.test", &[]).await;
    // Changes its password: a password change ends the changer's other sessions, so not `admin`.
    let changer = app.create_user(&t, &admin, "changer@acme.test", &[]).await;
    let changer_session = app.login(&changer).await;
    let login = app
        .gql(
            None,
            "mutation($i: LoginInput!) { login(input: $i) { accessToken refreshToken } }",
            json!({ "i": { "tenant": t.slug, "email": t.email, "password": t.password } }),
        )
        .await;
    let session = login.body["data"]["login"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let refresh = login.body["data"]["login"]["refreshToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let custom = app
        .gql(
            Some(&admin),
            "mutation { createRole(input: { name: \"temp\", grants: [] }) { id } }",
            json!({}),
        )
        .await;
    let custom = custom.body["data"]["createRole"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let key = app
        .gql(
            Some(&admin),
            "mutation($r: ID!) { createApiKey(input: { name: \"k\", roleId: $r }) { apiKey { id } } }",
            json!({ "r": roles["viewer"] }),
        )
        .await;
    let key = key.body["data"]["createApiKey"]["apiKey"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let first = |doc: &'static str, field: &'static str| {
        let (app, admin) = (&app, admin.clone());
        async move {
            let r = app.gql(Some(&admin), doc, json!({})).await;
            r.body["data"][field]["id"]
                .as_str()
                .unwrap_or_else(|| panic!("{}", r.body))
                .to_owned()
        }
    };
    let customer = first(
        "mutation { createCustomer(input: { name: \"Setup Co\", currency: \"USD\" }) { id } }",
        "createCustomer",
    )
    .await;
    let contact_doc = format!(
        "mutation {{ createContact(input: {{ customerId: \"{customer}\", name: \"Pat\" }}) {{ id }} }}"
    );
    let contact =
        app.gql(Some(&admin), &contact_doc, json!({})).await.body["data"]["createContact"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
    let product = first("mutation { createProduct(input: { sku: \"SETUP-1\", name: \"Setup\", kind: GOODS, unit: \"ea\", currency: \"USD\", salePrice: \"1\" }) { id } }", "createProduct").await;

    let crm_lead = |title: &'static str| {
        let (app, admin) = (&app, admin.clone());
        async move {
            let doc = format!(
                "mutation {{ createLead(input: {{ title: \"{title}\", contactName: \"Lee\", email: \"lee@{title}.test\" }}) {{ id }} }}"
            );
            app.gql(Some(&admin), &doc, json!({})).await.body["data"]["createLead"]["id"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    let lead_a = crm_lead("alpha").await;
    let lead_b = crm_lead("beta").await;
    let opp_doc = format!(
        "mutation {{ createOpportunity(input: {{ title: \"Deal\", customerId: \"{customer}\", amount: {{ amount: \"10\", currency: \"USD\" }} }}) {{ id }} }}"
    );
    let opp =
        app.gql(Some(&admin), &opp_doc, json!({})).await.body["data"]["createOpportunity"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
    let opp2 =
        app.gql(Some(&admin), &opp_doc, json!({})).await.body["data"]["createOpportunity"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
    let act_doc = format!(
        "mutation {{ createActivity(input: {{ kind: TASK, subject: \"Call back\", opportunityId: \"{opp}\" }}) {{ id }} }}"
    );
    let act = app.gql(Some(&admin), &act_doc, json!({})).await.body["data"]["createActivity"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let supplier = first(
        "mutation { createSupplier(input: { name: \"Parts Inc\", currency: \"USD\" }) { id } }",
        "createSupplier",
    )
    .await;

    // (mutation, document, variables, token): in an order where each has something to do.
    let u = other.id.to_string();
    let calls: Vec<(&str, &str, Value, Option<&str>)> = vec![
        (
            "login",
            "mutation($i: LoginInput!) { login(input: $i) { accessToken } }",
            json!({ "i": { "tenant": t.slug, "email": t.email, "password": t.password } }),
            None,
        ),
        (
            "refreshSession",
            "mutation($t: String!) { refreshSession(refreshToken: $t) { accessToken } }",
            json!({ "t": refresh }),
            None,
        ),
        (
            "createUser",
            "mutation { createUser(input: { email: \"third@acme.test\", displayName: \"Third\", password: \"long enough pass\" }) { id } }",
            json!({}),
            Some(&admin),
        ),
        (
            "updateUser",
            "mutation($u: ID!) { updateUser(id: $u, input: { displayName: \"Renamed\", expectedVersion: 1 }) { id } }",
            json!({ "u": u }),
            Some(&admin),
        ),
        (
            "deactivateUser",
            "mutation($u: ID!) { deactivateUser(id: $u) { id } }",
            json!({ "u": u }),
            Some(&admin),
        ),
        (
            "reactivateUser",
            "mutation($u: ID!) { reactivateUser(id: $u) { id } }",
            json!({ "u": u }),
            Some(&admin),
        ),
        (
            "createRole",
            "mutation { createRole(input: { name: \"another\", grants: [{ permission: \"identity.user.read\" }] }) { id } }",
            json!({}),
            Some(&admin),
        ),
        (
            "updateRole",
            "mutation($r: ID!) { updateRole(id: $r, input: { description: \"changed\", expectedVersion: 1 }) { id } }",
            json!({ "r": custom }),
            Some(&admin),
        ),
        (
            "assignRole",
            "mutation($u: ID!, $r: ID!) { assignRole(userId: $u, roleId: $r) { id } }",
            json!({ "u": u, "r": custom }),
            Some(&admin),
        ),
        (
            "unassignRole",
            "mutation($u: ID!, $r: ID!) { unassignRole(userId: $u, roleId: $r) { id } }",
            json!({ "u": u, "r": custom }),
            Some(&admin),
        ),
        (
            "deleteRole",
            "mutation($r: ID!) { deleteRole(id: $r) }",
            json!({ "r": custom }),
            Some(&admin),
        ),
        (
            "createApiKey",
            "mutation($r: ID!) { createApiKey(input: { name: \"k2\", roleId: $r }) { secret } }",
            json!({ "r": roles["viewer"] }),
            Some(&admin),
        ),
        (
            "revokeApiKey",
            "mutation($k: ID!) { revokeApiKey(id: $k) { id } }",
            json!({ "k": key }),
            Some(&admin),
        ),
        (
            "changePassword",
            "mutation($p: String!) { changePassword(input: { currentPassword: $p, newPassword: \"another long secret\" }) }",
            json!({ "p": changer.password }),
            Some(&changer_session),
        ),
        (
            "setExchangeRate",
            "mutation { setExchangeRate(input: { currency: \"EUR\", rate: \"1.1\", validFrom: \"2026-01-01\" }) { id } }",
            json!({}),
            Some(&admin),
        ),
        (
            "createTaxRate",
            "mutation { createTaxRate(input: { code: \"VAT20\", name: \"VAT\", rate: \"20\", validFrom: \"2026-01-01\" }) { id } }",
            json!({}),
            Some(&admin),
        ),
        (
            "createCustomer",
            "mutation { createCustomer(input: { name: \"New Co\", currency: \"USD\" }) { id } }",
            json!({}),
            Some(&admin),
        ),
        (
            "updateCustomer",
            "mutation($c: ID!) { updateCustomer(id: $c, input: { name: \"Setup Co 2\", currency: \"USD\", expectedVersion: 1 }) { id } }",
            json!({ "c": customer }),
            Some(&admin),
        ),
        (
            "createContact",
            "mutation($c: ID!) { createContact(input: { customerId: $c, name: \"Sam\" }) { id } }",
            json!({ "c": customer }),
            Some(&admin),
        ),
        (
            "updateContact",
            "mutation($c: ID!) { updateContact(id: $c, input: { name: \"Pat Q\", expectedVersion: 1 }) { id } }",
            json!({ "c": contact }),
            Some(&admin),
        ),
        (
            "archiveCustomer",
            "mutation($c: ID!) { archiveCustomer(id: $c) { id } }",
            json!({ "c": customer }),
            Some(&admin),
        ),
        (
            "createProduct",
            "mutation { createProduct(input: { sku: \"NEW-1\", name: \"New\", kind: SERVICE, unit: \"h\", currency: \"USD\", salePrice: \"90\" }) { id } }",
            json!({}),
            Some(&admin),
        ),
        (
            "updateProduct",
            "mutation($p: ID!) { updateProduct(id: $p, input: { sku: \"SETUP-1\", name: \"Setup 2\", kind: GOODS, unit: \"ea\", currency: \"USD\", salePrice: \"2\", expectedVersion: 1 }) { id } }",
            json!({ "p": product }),
            Some(&admin),
        ),
        (
            "archiveProduct",
            "mutation($p: ID!) { archiveProduct(id: $p) { id } }",
            json!({ "p": product }),
            Some(&admin),
        ),
        (
            "createPipelineStage",
            "mutation { createPipelineStage(input: { name: \"Closing\", position: 5, probability: \"0.9\" }) { id } }",
            json!({}),
            Some(&admin),
        ),
        (
            "createLead",
            "mutation { createLead(input: { title: \"New lead\", contactName: \"Nia\" }) { id } }",
            json!({}),
            Some(&admin),
        ),
        (
            "updateLead",
            "mutation($l: ID!) { updateLead(id: $l, input: { phone: \"+1 555 0100\", expectedVersion: 1 }) { id } }",
            json!({ "l": lead_a }),
            Some(&admin),
        ),
        (
            "contactLead",
            "mutation($l: ID!) { contactLead(id: $l) { id } }",
            json!({ "l": lead_a }),
            Some(&admin),
        ),
        (
            "qualifyLead",
            "mutation($l: ID!) { qualifyLead(id: $l) { id } }",
            json!({ "l": lead_a }),
            Some(&admin),
        ),
        (
            "convertLead",
            "mutation($l: ID!) { convertLead(id: $l) { lead { id } } }",
            json!({ "l": lead_a }),
            Some(&admin),
        ),
        (
            "disqualifyLead",
            "mutation($l: ID!) { disqualifyLead(id: $l, reason: \"no budget\") { id } }",
            json!({ "l": lead_b }),
            Some(&admin),
        ),
        (
            "createOpportunity",
            "mutation($c: ID!) { createOpportunity(input: { title: \"More\", customerId: $c, amount: { amount: \"5\", currency: \"USD\" } }) { id } }",
            json!({ "c": customer }),
            Some(&admin),
        ),
        (
            "updateOpportunity",
            "mutation($o: ID!, $c: ID!) { updateOpportunity(id: $o, input: { title: \"Deal 2\", customerId: $c, amount: { amount: \"20\", currency: \"USD\" }, expectedVersion: 1 }) { id } }",
            json!({ "o": opp, "c": customer }),
            Some(&admin),
        ),
        (
            "winOpportunity",
            "mutation($o: ID!) { winOpportunity(id: $o) { id } }",
            json!({ "o": opp }),
            Some(&admin),
        ),
        (
            "loseOpportunity",
            "mutation($o: ID!) { loseOpportunity(id: $o, reason: \"price\") { id } }",
            json!({ "o": opp2 }),
            Some(&admin),
        ),
        (
            "createActivity",
            "mutation($o: ID!) { createActivity(input: { kind: NOTE, subject: \"Noted\", opportunityId: $o }) { id } }",
            json!({ "o": opp }),
            Some(&admin),
        ),
        (
            "completeActivity",
            "mutation($a: ID!) { completeActivity(id: $a) { id } }",
            json!({ "a": act }),
            Some(&admin),
        ),
        (
            "createPaymentTerm",
            "mutation { createPaymentTerm(input: { code: \"NET30\", name: \"Net 30\", dueDays: 30 }) { id } }",
            json!({}),
            Some(&admin),
        ),
        (
            "createProductCategory",
            "mutation { createProductCategory(input: { name: \"Tools\" }) { id } }",
            json!({}),
            Some(&admin),
        ),
        (
            "createWarehouse",
            "mutation { createWarehouse(input: { code: \"MAIN\", name: \"Main\" }) { id } }",
            json!({}),
            Some(&admin),
        ),
        (
            "createSupplier",
            "mutation { createSupplier(input: { name: \"Bolts Ltd\", currency: \"EUR\" }) { id } }",
            json!({}),
            Some(&admin),
        ),
        (
            "updateSupplier",
            "mutation($s: ID!) { updateSupplier(id: $s, input: { name: \"Parts Inc 2\", currency: \"USD\", expectedVersion: 1 }) { id } }",
            json!({ "s": supplier }),
            Some(&admin),
        ),
        (
            "archiveSupplier",
            "mutation($s: ID!) { archiveSupplier(id: $s) { id } }",
            json!({ "s": supplier }),
            Some(&admin),
        ),
        ("logout", "mutation { logout }", json!({}), Some(&session)),
    ];

    let mutations = TestApp::root_fields("MutationRoot");
    for m in &mutations {
        assert!(
            calls.iter().any(|(name, ..)| name == m),
            "mutation `{m}` has no audit check here"
        );
    }
    for (name, doc, vars, token) in calls {
        let before = app.audit_count(&admin).await;
        let r = app.gql(token, doc, vars).await;
        assert!(r.body["errors"].is_null(), "{name}: {}", r.body);
        let entries = app
            .gql(
                Some(&admin),
                "{ auditLog(last: 1) { nodes { entity action actorType requestId changes } } }",
                json!({}),
            )
            .await;
        assert!(
            app.audit_count(&admin).await > before,
            "{name} wrote no audit entry"
        );
        let newest = &entries.body["data"]["auditLog"]["nodes"][0];
        assert!(
            newest["requestId"]
                .as_str()
                .is_some_and(|id| id.len() == 36),
            "{name}: {newest}"
        );
        let text = newest["changes"].to_string();
        assert!(
            !text.contains("long enough pass") && !text.contains("another long secret"),
            "{name} leaked a secret: {text}"
        );
    }
}

#[tokio::test]
async fn audit_entries_name_the_actor_and_the_fields_before_and_after() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let admin = app.login(&t).await;
    let other = app.create_user(&t, &admin, "other@acme.test", &[]).await;
    let r = app
        .gql(Some(&admin), "mutation($u: ID!) { updateUser(id: $u, input: { displayName: \"Renamed\", expectedVersion: 1 }) { version } }", json!({ "u": other.id }))
        .await;
    assert_eq!(r.body["data"]["updateUser"]["version"], 2);
    let log = app
        .gql(
            Some(&admin),
            "query($u: ID!) { auditLog(filter: { entity: \"user\", entityId: $u }) { totalCount nodes { action actorType actorId changes } } }",
            json!({ "u": other.id }),
        )
        .await;
    let nodes = log.body["data"]["auditLog"]["nodes"].as_array().unwrap();
    assert_eq!(
        nodes
            .iter()
            .map(|n| n["action"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["create", "update"]
    );
    let update = &nodes[1];
    assert_eq!(update["actorType"], "user");
    assert_eq!(
        update["changes"],
        json!({ "displayName": { "before": "other", "after": "Renamed" } })
    );
    let create = nodes[0]["changes"].to_string();
    assert!(
        create.contains("[redacted]")
            && !create.contains("correct horse")
            && !create.contains("$argon2"),
        "{create}"
    );
}
