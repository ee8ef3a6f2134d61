//! Tenant A's token never reaches tenant B's data: not in lists, not by id, not by mutation,
//! and never as FORBIDDEN (which would confirm that the id exists).

use serde_json::{Value, json};

use crate::helpers::TestApp;

#[tokio::test]
async fn tenant_a_never_sees_or_touches_tenant_b_even_with_b_ids() {
    let app = TestApp::spawn().await;
    let a = app.create_tenant("alpha").await;
    let b = app.create_tenant("bravo").await;
    let a_admin = app.login(&a).await;
    let b_admin = app.login(&b).await;
    let b_user = app
        .create_user(&b, &b_admin, "secret-person@bravo.test", &["viewer"])
        .await;
    let b_roles = app.role_ids(&b_admin).await;
    let b_role = app
        .gql(
            Some(&b_admin),
            "mutation { createRole(input: { name: \"bravo only\", grants: [] }) { id } }",
            json!({}),
        )
        .await;
    let b_role = b_role.body["data"]["createRole"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let b_key = app
        .gql(
            Some(&b_admin),
            "mutation($r: ID!) { createApiKey(input: { name: \"bravo key\", roleId: $r }) { apiKey { id } } }",
            json!({ "r": b_roles["viewer"] }),
        )
        .await;
    let b_key = b_key.body["data"]["createApiKey"]["apiKey"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (u, r, k) = (b_user.id.to_string(), b_role.clone(), b_key.clone());
    let one = |doc: &'static str, vars: Value, path: [&'static str; 2]| {
        let (app, token) = (&app, b_admin.clone());
        async move {
            let r = app.gql(Some(&token), doc, vars).await;
            r.body["data"][path[0]][path[1]]
                .as_str()
                .unwrap_or_else(|| panic!("{}", r.body))
                .to_owned()
        }
    };
    let bc = one("mutation { createCustomer(input: { name: \"bravo only customer\", currency: \"EUR\", email: \"buyer@bravo.test\" }) { id } }", json!({}), ["createCustomer", "id"]).await;
    let bct = one("mutation($c: ID!) { createContact(input: { customerId: $c, name: \"bravo only contact\" }) { id } }", json!({ "c": bc }), ["createContact", "id"]).await;
    let bp = one("mutation { createProduct(input: { sku: \"BRAVO-ONLY\", name: \"bravo only product\", kind: GOODS, unit: \"ea\", currency: \"EUR\", salePrice: \"12.5\", costPrice: \"7.25\" }) { id } }", json!({}), ["createProduct", "id"]).await;
    one("mutation { setExchangeRate(input: { currency: \"EUR\", rate: \"9.876543\", validFrom: \"2026-01-01\" }) { id } }", json!({}), ["setExchangeRate", "id"]).await;
    one("mutation { createTaxRate(input: { code: \"BRAVOTAX\", name: \"bravo only tax\", rate: \"17\", validFrom: \"2026-01-01\" }) { id } }", json!({}), ["createTaxRate", "id"]).await;
    let bs = one("mutation { createSupplier(input: { name: \"bravo only supplier\", currency: \"EUR\" }) { id } }", json!({}), ["createSupplier", "id"]).await;
    one("mutation { createPaymentTerm(input: { code: \"BRAVONET\", name: \"bravo only terms\", dueDays: 45 }) { id } }", json!({}), ["createPaymentTerm", "id"]).await;
    one(
        "mutation { createProductCategory(input: { name: \"bravo only category\" }) { id } }",
        json!({}),
        ["createProductCategory", "id"],
    )
    .await;
    one("mutation { createWarehouse(input: { code: \"BRAVOWH\", name: \"bravo only warehouse\" }) { id } }", json!({}), ["createWarehouse", "id"]).await;
    let bl = one("mutation { createLead(input: { title: \"bravo only lead\", contactName: \"bravo only person\", email: \"lead@bravo.test\" }) { id } }", json!({}), ["createLead", "id"]).await;
    let bo = one("mutation($c: ID!) { createOpportunity(input: { title: \"bravo only deal\", customerId: $c, amount: { amount: \"777.77\", currency: \"EUR\" } }) { id } }", json!({ "c": bc }), ["createOpportunity", "id"]).await;
    let ba = one("mutation($o: ID!) { createActivity(input: { kind: CALL, subject: \"bravo only call\", opportunityId: $o }) { id } }", json!({ "o": bo }), ["createActivity", "id"]).await;

    // Every root field, called with tenant A's admin token and tenant B's ids.
    let calls: Vec<(&str, &str, Value)> = vec![
        (
            "me",
            "{ me { user { email } roles { id name } } }",
            json!({}),
        ),
        (
            "users",
            "{ users(first: 100) { nodes { id email displayName } } }",
            json!({}),
        ),
        (
            "user",
            "query($u: ID!) { user(id: $u) { id email } }",
            json!({ "u": u }),
        ),
        (
            "roles",
            "{ roles(first: 100) { nodes { id name } } }",
            json!({}),
        ),
        (
            "role",
            "query($r: ID!) { role(id: $r) { id name } }",
            json!({ "r": r }),
        ),
        ("permissions", "{ permissions { name } }", json!({})),
        (
            "apiKeys",
            "{ apiKeys(first: 100) { nodes { id name } } }",
            json!({}),
        ),
        (
            "auditLog",
            "query($u: ID!) { auditLog(first: 100) { nodes { entityId changes } } filtered: auditLog(filter: { entityId: $u }) { totalCount } }",
            json!({ "u": u }),
        ),
        (
            "login",
            "mutation { login(input: { tenant: \"alpha\", email: \"secret-person@bravo.test\", password: \"correct horse battery staple\" }) { accessToken } }",
            json!({}),
        ),
        (
            "refreshSession",
            "mutation { refreshSession(refreshToken: \"erpr_x\") { accessToken } }",
            json!({}),
        ),
        ("currencies", "{ currencies { code } }", json!({})),
        (
            "exchangeRates",
            "{ exchangeRates(currency: \"EUR\") { nodes { rate } } }",
            json!({}),
        ),
        ("units", "{ units { code } }", json!({})),
        (
            "taxRates",
            "{ taxRates { nodes { code name } } }",
            json!({}),
        ),
        (
            "customers",
            "{ customers(first: 100) { nodes { id name email } } }",
            json!({}),
        ),
        (
            "customer",
            "query($c: ID!) { customer(id: $c) { id name } }",
            json!({ "c": bc }),
        ),
        (
            "contacts",
            "{ contacts(first: 100) { nodes { id name } } }",
            json!({}),
        ),
        (
            "products",
            "{ products(first: 100) { nodes { id sku name costPrice } } }",
            json!({}),
        ),
        (
            "product",
            "query($p: ID!) { product(id: $p) { id sku } }",
            json!({ "p": bp }),
        ),
        (
            "setExchangeRate",
            "mutation { setExchangeRate(input: { currency: \"EUR\", rate: \"1.1\", validFrom: \"2026-01-01\" }) { rate } }",
            json!({}),
        ),
        (
            "createTaxRate",
            "mutation { createTaxRate(input: { code: \"ALPHATAX\", name: \"A\", rate: \"5\", validFrom: \"2026-01-01\" }) { id } }",
            json!({}),
        ),
        (
            "createCustomer",
            "mutation { createCustomer(input: { name: \"alpha customer\", currency: \"USD\" }) { id } }",
            json!({}),
        ),
        (
            "updateCustomer",
            "mutation($c: ID!) { updateCustomer(id: $c, input: { name: \"x\", currency: \"USD\", expectedVersion: 1 }) { id } }",
            json!({ "c": bc }),
        ),
        (
            "archiveCustomer",
            "mutation($c: ID!) { archiveCustomer(id: $c) { id } }",
            json!({ "c": bc }),
        ),
        (
            "createContact",
            "mutation($c: ID!) { createContact(input: { customerId: $c, name: \"x\" }) { id } }",
            json!({ "c": bc }),
        ),
        (
            "updateContact",
            "mutation($c: ID!) { updateContact(id: $c, input: { name: \"x\", expectedVersion: 1 }) { id } }",
            json!({ "c": bct }),
        ),
        (
            "createProduct",
            "mutation { createProduct(input: { sku: \"ALPHA-1\", name: \"a\", kind: GOODS, unit: \"ea\", currency: \"USD\", salePrice: \"1\" }) { id } }",
            json!({}),
        ),
        (
            "updateProduct",
            "mutation($p: ID!) { updateProduct(id: $p, input: { sku: \"X\", name: \"x\", kind: GOODS, unit: \"ea\", currency: \"USD\", salePrice: \"1\", expectedVersion: 1 }) { id } }",
            json!({ "p": bp }),
        ),
        (
            "archiveProduct",
            "mutation($p: ID!) { archiveProduct(id: $p) { id } }",
            json!({ "p": bp }),
        ),
        (
            "pipelineStages",
            "{ pipelineStages { id name } }",
            json!({}),
        ),
        (
            "pipelineForecast",
            "{ pipelineForecast { total { count amount { amount } } } }",
            json!({}),
        ),
        (
            "leads",
            "{ leads(first: 100) { nodes { id title email } } }",
            json!({}),
        ),
        (
            "lead",
            "query($l: ID!) { lead(id: $l) { id title } }",
            json!({ "l": bl }),
        ),
        (
            "opportunities",
            "{ opportunities(first: 100) { nodes { id title amount { amount } } } }",
            json!({}),
        ),
        (
            "opportunity",
            "query($o: ID!) { opportunity(id: $o) { id title } }",
            json!({ "o": bo }),
        ),
        (
            "activities",
            "{ activities(first: 100) { nodes { id subject } } }",
            json!({}),
        ),
        (
            "createPipelineStage",
            "mutation { createPipelineStage(input: { name: \"Alpha stage\", position: 9, probability: \"0.9\" }) { id } }",
            json!({}),
        ),
        (
            "createLead",
            "mutation { createLead(input: { title: \"alpha lead\", contactName: \"A\" }) { id } }",
            json!({}),
        ),
        (
            "updateLead",
            "mutation($l: ID!) { updateLead(id: $l, input: { title: \"x\", expectedVersion: 1 }) { id } }",
            json!({ "l": bl }),
        ),
        (
            "contactLead",
            "mutation($l: ID!) { contactLead(id: $l) { id } }",
            json!({ "l": bl }),
        ),
        (
            "qualifyLead",
            "mutation($l: ID!) { qualifyLead(id: $l) { id } }",
            json!({ "l": bl }),
        ),
        (
            "disqualifyLead",
            "mutation($l: ID!) { disqualifyLead(id: $l) { id } }",
            json!({ "l": bl }),
        ),
        (
            "convertLead",
            "mutation($l: ID!) { convertLead(id: $l) { lead { id } } }",
            json!({ "l": bl }),
        ),
        (
            "createOpportunity",
            "mutation($c: ID!) { createOpportunity(input: { title: \"x\", customerId: $c, amount: { amount: \"1\", currency: \"USD\" } }) { id } }",
            json!({ "c": bc }),
        ),
        (
            "updateOpportunity",
            "mutation($o: ID!, $c: ID!) { updateOpportunity(id: $o, input: { title: \"x\", customerId: $c, amount: { amount: \"1\", currency: \"USD\" }, expectedVersion: 1 }) { id } }",
            json!({ "o": bo, "c": bc }),
        ),
        (
            "winOpportunity",
            "mutation($o: ID!) { winOpportunity(id: $o) { id } }",
            json!({ "o": bo }),
        ),
        (
            "loseOpportunity",
            "mutation($o: ID!) { loseOpportunity(id: $o) { id } }",
            json!({ "o": bo }),
        ),
        (
            "createActivity",
            "mutation($o: ID!) { createActivity(input: { kind: CALL, subject: \"x\", opportunityId: $o }) { id } }",
            json!({ "o": bo }),
        ),
        (
            "completeActivity",
            "mutation($a: ID!) { completeActivity(id: $a) { id } }",
            json!({ "a": ba }),
        ),
        (
            "paymentTerms",
            "{ paymentTerms { nodes { code name } } }",
            json!({}),
        ),
        (
            "productCategories",
            "{ productCategories { nodes { name } } }",
            json!({}),
        ),
        (
            "warehouses",
            "{ warehouses { nodes { code name } } }",
            json!({}),
        ),
        (
            "suppliers",
            "{ suppliers(first: 100) { nodes { id name } } }",
            json!({}),
        ),
        (
            "supplier",
            "query($s: ID!) { supplier(id: $s) { id name } }",
            json!({ "s": bs }),
        ),
        (
            "createPaymentTerm",
            "mutation { createPaymentTerm(input: { code: \"ALPHANET\", name: \"a\", dueDays: 10 }) { id } }",
            json!({}),
        ),
        (
            "createProductCategory",
            "mutation { createProductCategory(input: { name: \"alpha category\" }) { id } }",
            json!({}),
        ),
        (
            "createWarehouse",
            "mutation { createWarehouse(input: { code: \"ALPHAWH\", name: \"a\" }) { id } }",
            json!({}),
        ),
        (
            "createSupplier",
            "mutation { createSupplier(input: { name: \"alpha supplier\", currency: \"USD\" }) { id } }",
            json!({}),
        ),
        (
            "updateSupplier",
            "mutation($s: ID!) { updateSupplier(id: $s, input: { name: \"x\", currency: \"USD\", expectedVersion: 1 }) { id } }",
            json!({ "s": bs }),
        ),
        (
            "archiveSupplier",
            "mutation($s: ID!) { archiveSupplier(id: $s) { id } }",
            json!({ "s": bs }),
        ),
        ("logout", "mutation { logout }", json!({})),
        (
            "changePassword",
            "mutation { changePassword(input: { currentPassword: \"wrong one here\", newPassword: \"another long one\" }) }",
            json!({}),
        ),
        (
            "updateUser",
            "mutation($u: ID!) { updateUser(id: $u, input: { displayName: \"Hacked\", expectedVersion: 1 }) { id } }",
            json!({ "u": u }),
        ),
        (
            "deactivateUser",
            "mutation($u: ID!) { deactivateUser(id: $u) { id } }",
            json!({ "u": u }),
        ),
        (
            "reactivateUser",
            "mutation($u: ID!) { reactivateUser(id: $u) { id } }",
            json!({ "u": u }),
        ),
        (
            "createRole",
            "mutation { createRole(input: { name: \"bravo only\", grants: [] }) { id } }",
            json!({}),
        ),
        (
            "updateRole",
            "mutation($r: ID!) { updateRole(id: $r, input: { name: \"renamed\", expectedVersion: 1 }) { id } }",
            json!({ "r": r }),
        ),
        (
            "deleteRole",
            "mutation($r: ID!) { deleteRole(id: $r) }",
            json!({ "r": r }),
        ),
        (
            "assignRole",
            "mutation($u: ID!, $r: ID!) { assignRole(userId: $u, roleId: $r) { id } }",
            json!({ "u": u, "r": r }),
        ),
        (
            "unassignRole",
            "mutation($u: ID!, $r: ID!) { unassignRole(userId: $u, roleId: $r) { id } }",
            json!({ "u": u, "r": r }),
        ),
        (
            "createApiKey",
            "mutation($r: ID!) { createApiKey(input: { name: \"x\", roleId: $r }) { secret } }",
            json!({ "r": r }),
        ),
        (
            "revokeApiKey",
            "mutation($k: ID!) { revokeApiKey(id: $k) { id } }",
            json!({ "k": k }),
        ),
        // Last: it creates tenant A's own user under the (client-chosen) id, which later
        // calls would then find in A.
        (
            "createUser",
            "mutation($u: ID!) { createUser(input: { id: $u, email: \"secret-person@bravo.test\", displayName: \"X\", password: \"long enough pass\" }) { id } }",
            json!({ "u": u }),
        ),
    ];
    let mut fields = TestApp::root_fields("QueryRoot");
    fields.extend(TestApp::root_fields("MutationRoot"));
    for f in &fields {
        assert!(
            calls.iter().any(|(name, ..)| name == f),
            "root field `{f}` is not covered by the isolation test"
        );
    }

    let b_ids = [
        bs.as_str(),
        bl.as_str(),
        bo.as_str(),
        ba.as_str(),
        u.as_str(),
        r.as_str(),
        k.as_str(),
        bc.as_str(),
        bct.as_str(),
        bp.as_str(),
    ];
    for (name, doc, vars) in calls {
        let answer = app.gql(Some(&a_admin), doc, vars).await;
        let text = answer.body.to_string();
        for secret in [
            "secret-person",
            "bravo only",
            "bravo key",
            "BRAVO",
            "9.876543",
            "buyer@bravo",
            "7.25",
        ] {
            // `createUser`/`createRole` echo only their own new ids, never B's data.
            if !(matches!(name, "createUser" | "createRole") && secret == "bravo only") {
                assert!(!text.contains(secret), "{name} leaked `{secret}`: {text}");
            }
        }
        for id in b_ids {
            if name != "createUser" {
                assert!(!text.contains(id), "{name} leaked a B id: {text}");
            }
        }
        assert!(
            !answer.codes().iter().any(|c| c == "FORBIDDEN"),
            "{name} answered FORBIDDEN: {text}"
        );
        if let Some(count) = answer.body["data"]["filtered"]["totalCount"].as_u64() {
            assert_eq!(count, 0, "{name}");
        }
    }

    // And B's data is still as B left it.
    let check = app
        .gql(
            Some(&b_admin),
            "query($u: ID!) { user(id: $u) { displayName isActive } }",
            json!({ "u": u }),
        )
        .await;
    assert_eq!(
        check.body["data"]["user"],
        json!({ "displayName": "secret-person", "isActive": true })
    );
    let b_role_still = app
        .gql(
            Some(&b_admin),
            "query($r: ID!) { role(id: $r) { name } }",
            json!({ "r": b_role }),
        )
        .await;
    assert_eq!(b_role_still.body["data"]["role"]["name"], "bravo only");
}

#[tokio::test]
async fn a_token_of_tenant_a_with_b_ids_answers_null_or_not_found() {
    let app = TestApp::spawn().await;
    let a = app.create_tenant("alpha").await;
    let b = app.create_tenant("bravo").await;
    let a_admin = app.login(&a).await;
    let b_admin = app.login(&b).await;
    let b_user = app
        .create_user(&b, &b_admin, "person@bravo.test", &[])
        .await;
    let r = app
        .gql(
            Some(&a_admin),
            "query($u: ID!) { user(id: $u) { id } }",
            json!({ "u": b_user.id }),
        )
        .await;
    assert!(
        r.body["data"]["user"].is_null() && r.body["errors"].is_null(),
        "{}",
        r.body
    );
    let r = app
        .gql(
            Some(&a_admin),
            "mutation($u: ID!) { deactivateUser(id: $u) { id } }",
            json!({ "u": b_user.id }),
        )
        .await;
    assert_eq!(r.codes(), ["NOT_FOUND"]);
}
