//! Default-deny: every root field needs its permission, sensitive fields are guarded per
//! row, and fields a caller can never read are hidden from their introspection.

use serde_json::json;

use crate::helpers::TestApp;

#[tokio::test]
async fn a_viewer_sees_names_but_not_other_users_emails() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let admin = app.login(&t).await;
    app.create_user(&t, &admin, "other@acme.test", &["sales_rep"])
        .await;
    let viewer = app
        .create_user(&t, &admin, "viewer@acme.test", &["viewer"])
        .await;
    let token = app.login(&viewer).await;

    let r = app
        .gql(
            Some(&token),
            "{ users { nodes { displayName email } } }",
            json!({}),
        )
        .await;
    let nodes = r.body["data"]["users"]["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 3, "{}", r.body);
    let mut denied = Vec::new();
    for (i, node) in nodes.iter().enumerate() {
        assert!(node["displayName"].is_string());
        if node["displayName"] == "viewer" {
            assert_eq!(
                node["email"], "viewer@acme.test",
                "your own email is always readable"
            );
        } else {
            assert!(node["email"].is_null(), "{node}");
            denied.push(i);
        }
    }
    let errors = r.body["errors"].as_array().unwrap();
    assert_eq!(
        errors.len(),
        denied.len(),
        "one error per denied field: {}",
        r.body
    );
    for (error, i) in errors.iter().zip(denied) {
        assert_eq!(error["extensions"]["code"], "FORBIDDEN");
        assert_eq!(
            error["extensions"]["permission"],
            "identity.user.contact.read"
        );
        assert_eq!(error["path"], json!(["users", "nodes", i, "email"]));
    }

    // A manager holds the permission and sees every email.
    let manager = app
        .create_user(&t, &admin, "manager@acme.test", &["manager"])
        .await;
    let token = app.login(&manager).await;
    let r = app
        .gql(Some(&token), "{ users { nodes { email } } }", json!({}))
        .await;
    assert!(r.body["errors"].is_null(), "{}", r.body);
}

#[tokio::test]
async fn creating_a_user_without_permission_is_forbidden_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let admin = app.login(&t).await;
    let viewer = app
        .create_user(&t, &admin, "viewer@acme.test", &["viewer"])
        .await;
    let token = app.login(&viewer).await;
    let audit_before = app.audit_count(&admin).await;

    let r = app
        .gql(
            Some(&token),
            "mutation { createUser(input: { email: \"new@acme.test\", displayName: \"New\", password: \"long enough pass\" }) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(r.codes(), ["FORBIDDEN"]);
    assert_eq!(
        r.body["errors"][0]["extensions"]["permission"],
        "identity.user.write"
    );
    let users = app
        .gql(Some(&admin), "{ users { totalCount } }", json!({}))
        .await;
    assert_eq!(users.body["data"]["users"]["totalCount"], 2);
    assert_eq!(
        app.audit_count(&admin).await,
        audit_before,
        "a refused mutation wrote an audit entry"
    );
}

/// A call of every root field, with plausible arguments.
fn call(field: &str) -> Option<&'static str> {
    Some(match field {
        "me" => "{ me { permissions } }",
        "users" => "{ users { totalCount } }",
        "user" => "{ user(id: \"00000000-0000-7000-8000-000000000000\") { id } }",
        "roles" => "{ roles { totalCount } }",
        "role" => "{ role(id: \"00000000-0000-7000-8000-000000000000\") { id } }",
        "permissions" => "{ permissions { name } }",
        "apiKeys" => "{ apiKeys { totalCount } }",
        "auditLog" => "{ auditLog { totalCount } }",
        "login" => {
            "mutation { login(input: { tenant: \"acme\", email: \"x@acme.test\", password: \"wrong password!\" }) { accessToken } }"
        }
        "refreshSession" => "mutation { refreshSession(refreshToken: \"erpr_x\") { accessToken } }",
        "logout" => "mutation { logout }",
        "changePassword" => {
            "mutation { changePassword(input: { currentPassword: \"x\", newPassword: \"y\" }) }"
        }
        "createUser" => {
            "mutation { createUser(input: { email: \"n@acme.test\", displayName: \"N\", password: \"long enough pass\" }) { id } }"
        }
        "updateUser" => {
            "mutation { updateUser(id: \"00000000-0000-7000-8000-000000000000\", input: { displayName: \"X\", expectedVersion: 1 }) { id } }"
        }
        "deactivateUser" => {
            "mutation { deactivateUser(id: \"00000000-0000-7000-8000-000000000000\") { id } }"
        }
        "reactivateUser" => {
            "mutation { reactivateUser(id: \"00000000-0000-7000-8000-000000000000\") { id } }"
        }
        "createRole" => "mutation { createRole(input: { name: \"x\", grants: [] }) { id } }",
        "updateRole" => {
            "mutation { updateRole(id: \"00000000-0000-7000-8000-000000000000\", input: { name: \"y\", expectedVersion: 1 }) { id } }"
        }
        "deleteRole" => "mutation { deleteRole(id: \"00000000-0000-7000-8000-000000000000\") }",
        "assignRole" => {
            "mutation { assignRole(userId: \"00000000-0000-7000-8000-000000000000\", roleId: \"00000000-0000-7000-8000-000000000000\") { id } }"
        }
        "unassignRole" => {
            "mutation { unassignRole(userId: \"00000000-0000-7000-8000-000000000000\", roleId: \"00000000-0000-7000-8000-000000000000\") { id } }"
        }
        "createApiKey" => {
            "mutation { createApiKey(input: { name: \"k\", roleId: \"00000000-0000-7000-8000-000000000000\" }) { secret } }"
        }
        "revokeApiKey" => {
            "mutation { revokeApiKey(id: \"00000000-0000-7000-8000-000000000000\") { id } }"
        }
        "currencies" => "{ currencies { code } }",
        "exchangeRates" => "{ exchangeRates(currency: \"EUR\") { totalCount } }",
        "units" => "{ units { code } }",
        "taxRates" => "{ taxRates { totalCount } }",
        "customers" => "{ customers { totalCount } }",
        "customer" => "{ customer(id: \"00000000-0000-7000-8000-000000000000\") { id } }",
        "contacts" => "{ contacts { totalCount } }",
        "products" => "{ products { totalCount } }",
        "product" => "{ product(id: \"00000000-0000-7000-8000-000000000000\") { id } }",
        "setExchangeRate" => {
            "mutation { setExchangeRate(input: { currency: \"EUR\", rate: \"1.1\", validFrom: \"2026-01-01\" }) { id } }"
        }
        "createTaxRate" => {
            "mutation { createTaxRate(input: { code: \"T\", name: \"T\", rate: \"10\", validFrom: \"2026-01-01\" }) { id } }"
        }
        "createCustomer" => {
            "mutation { createCustomer(input: { name: \"C\", currency: \"USD\" }) { id } }"
        }
        "updateCustomer" => {
            "mutation { updateCustomer(id: \"00000000-0000-7000-8000-000000000000\", input: { name: \"C\", currency: \"USD\", expectedVersion: 1 }) { id } }"
        }
        "archiveCustomer" => {
            "mutation { archiveCustomer(id: \"00000000-0000-7000-8000-000000000000\") { id } }"
        }
        "createContact" => {
            "mutation { createContact(input: { customerId: \"00000000-0000-7000-8000-000000000000\", name: \"P\" }) { id } }"
        }
        "updateContact" => {
            "mutation { updateContact(id: \"00000000-0000-7000-8000-000000000000\", input: { name: \"P\", expectedVersion: 1 }) { id } }"
        }
        "createProduct" => {
            "mutation { createProduct(input: { sku: \"S\", name: \"N\", kind: GOODS, unit: \"ea\", currency: \"USD\", salePrice: \"1\" }) { id } }"
        }
        "updateProduct" => {
            "mutation { updateProduct(id: \"00000000-0000-7000-8000-000000000000\", input: { sku: \"S\", name: \"N\", kind: GOODS, unit: \"ea\", currency: \"USD\", salePrice: \"1\", expectedVersion: 1 }) { id } }"
        }
        "archiveProduct" => {
            "mutation { archiveProduct(id: \"00000000-0000-7000-8000-000000000000\") { id } }"
        }
        "pipelineStages" => "{ pipelineStages { name } }",
        "pipelineForecast" => "{ pipelineForecast { currency } }",
        "leads" => "{ leads { totalCount } }",
        "lead" => "{ lead(id: \"00000000-0000-7000-8000-000000000000\") { id } }",
        "opportunities" => "{ opportunities { totalCount } }",
        "opportunity" => "{ opportunity(id: \"00000000-0000-7000-8000-000000000000\") { id } }",
        "activities" => "{ activities { totalCount } }",
        "createPipelineStage" => {
            "mutation { createPipelineStage(input: { name: \"S\", position: 9, probability: \"0.9\" }) { id } }"
        }
        "createLead" => {
            "mutation { createLead(input: { title: \"T\", contactName: \"C\" }) { id } }"
        }
        "contactLead" => {
            "mutation { contactLead(id: \"00000000-0000-7000-8000-000000000000\") { id } }"
        }
        "updateLead" => {
            "mutation { updateLead(id: \"00000000-0000-7000-8000-000000000000\", input: { title: \"T\", expectedVersion: 1 }) { id } }"
        }
        "qualifyLead" => {
            "mutation { qualifyLead(id: \"00000000-0000-7000-8000-000000000000\") { id } }"
        }
        "disqualifyLead" => {
            "mutation { disqualifyLead(id: \"00000000-0000-7000-8000-000000000000\") { id } }"
        }
        "convertLead" => {
            "mutation { convertLead(id: \"00000000-0000-7000-8000-000000000000\") { lead { id } } }"
        }
        "createOpportunity" => {
            "mutation { createOpportunity(input: { title: \"O\", customerId: \"00000000-0000-7000-8000-000000000000\", amount: { amount: \"1\", currency: \"USD\" } }) { id } }"
        }
        "updateOpportunity" => {
            "mutation { updateOpportunity(id: \"00000000-0000-7000-8000-000000000000\", input: { title: \"O\", customerId: \"00000000-0000-7000-8000-000000000000\", amount: { amount: \"1\", currency: \"USD\" }, expectedVersion: 1 }) { id } }"
        }
        "winOpportunity" => {
            "mutation { winOpportunity(id: \"00000000-0000-7000-8000-000000000000\") { id } }"
        }
        "loseOpportunity" => {
            "mutation { loseOpportunity(id: \"00000000-0000-7000-8000-000000000000\") { id } }"
        }
        "createActivity" => {
            "mutation { createActivity(input: { kind: CALL, subject: \"S\", leadId: \"00000000-0000-7000-8000-000000000000\" }) { id } }"
        }
        "completeActivity" => {
            "mutation { completeActivity(id: \"00000000-0000-7000-8000-000000000000\") { id } }"
        }
        "paymentTerms" => "{ paymentTerms { totalCount } }",
        "productCategories" => "{ productCategories { totalCount } }",
        "warehouses" => "{ warehouses { totalCount } }",
        "suppliers" => "{ suppliers { totalCount } }",
        "supplier" => "{ supplier(id: \"00000000-0000-7000-8000-000000000000\") { id } }",
        "createPaymentTerm" => {
            "mutation { createPaymentTerm(input: { code: \"N30\", name: \"Net 30\", dueDays: 30 }) { id } }"
        }
        "createProductCategory" => {
            "mutation { createProductCategory(input: { name: \"Tools\" }) { id } }"
        }
        "createWarehouse" => {
            "mutation { createWarehouse(input: { code: \"W1\", name: \"Main\" }) { id } }"
        }
        "createSupplier" => {
            "mutation { createSupplier(input: { name: \"S\", currency: \"USD\" }) { id } }"
        }
        "updateSupplier" => {
            "mutation { updateSupplier(id: \"00000000-0000-7000-8000-000000000000\", input: { name: \"S\", currency: \"USD\", expectedVersion: 1 }) { id } }"
        }
        "archiveSupplier" => {
            "mutation { archiveSupplier(id: \"00000000-0000-7000-8000-000000000000\") { id } }"
        }
        _ => return None,
    })
}

/// Fields anyone may call (signing in) and fields every signed-in caller may call.
const PUBLIC: &[&str] = &["login", "refreshSession"];
const SELF_SERVICE: &[&str] = &["me", "logout", "changePassword"];

#[tokio::test]
async fn every_root_field_is_refused_without_its_permission() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let admin = app.login(&t).await;
    let r = app
        .gql(
            Some(&admin),
            "mutation { createRole(input: { name: \"nothing\", grants: [] }) { id } }",
            json!({}),
        )
        .await;
    assert!(r.body["data"]["createRole"]["id"].is_string(), "{}", r.body);
    let nobody = app
        .create_user(&t, &admin, "nobody@acme.test", &["nothing"])
        .await;
    let token = app.login(&nobody).await;

    let mut fields = TestApp::root_fields("QueryRoot");
    fields.extend(TestApp::root_fields("MutationRoot"));
    assert!(fields.len() >= 20, "{fields:?}");
    for field in &fields {
        let query = call(field)
            .unwrap_or_else(|| panic!("root field `{field}` is not covered by this test"));
        // Anonymous callers are refused everywhere but the sign-in fields.
        let anonymous = app.gql(None, query, json!({})).await;
        if !PUBLIC.contains(&field.as_str()) {
            assert_eq!(
                anonymous.codes(),
                ["UNAUTHENTICATED"],
                "{field} (anonymous): {}",
                anonymous.body
            );
        }
        if PUBLIC.contains(&field.as_str()) || SELF_SERVICE.contains(&field.as_str()) {
            continue;
        }
        let r = app.gql(Some(&token), query, json!({})).await;
        assert_eq!(r.codes(), ["FORBIDDEN"], "{field}: {}", r.body);
        assert!(
            r.body["errors"][0]["extensions"]["permission"].is_string(),
            "{field}"
        );
    }
}

#[tokio::test]
async fn contact_fields_are_hidden_from_callers_who_can_never_read_them() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let admin = app.login(&t).await;
    let roles = app.role_ids(&admin).await;
    let key = app
        .gql(
            Some(&admin),
            "mutation($r: ID!) { createApiKey(input: { name: \"viewer key\", roleId: $r }) { secret } }",
            json!({ "r": roles["viewer"] }),
        )
        .await;
    let key = key.body["data"]["createApiKey"]["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let fields = |token: String| {
        let app = &app;
        async move {
            let r = app
                .gql(
                    Some(&token),
                    "{ __type(name: \"User\") { fields { name } } }",
                    json!({}),
                )
                .await;
            r.body["data"]["__type"]["fields"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["name"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    let as_admin = fields(admin.clone()).await;
    assert!(as_admin.contains(&"email".to_owned()) && as_admin.contains(&"phone".to_owned()));
    let as_key = fields(key).await;
    assert!(
        !as_key.contains(&"email".to_owned()) && !as_key.contains(&"phone".to_owned()),
        "{as_key:?}"
    );
    assert!(as_key.contains(&"displayName".to_owned()));
}

#[tokio::test]
async fn nobody_grants_more_than_they_hold() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let admin = app.login(&t).await;
    let r = app
        .gql(
            Some(&admin),
            "mutation { createRole(input: { name: \"role admin\", grants: [{ permission: \"identity.role.write\" }, { permission: \"identity.role.read\" }, { permission: \"identity.role.assign\" }, { permission: \"identity.user.read\" }] }) { id } }",
            json!({}),
        )
        .await;
    assert!(r.body["data"]["createRole"]["id"].is_string(), "{}", r.body);
    let user = app
        .create_user(&t, &admin, "roles@acme.test", &["role admin"])
        .await;
    let token = app.login(&user).await;

    let r = app
        .gql(Some(&token), "mutation { createRole(input: { name: \"writer\", grants: [{ permission: \"identity.user.write\" }] }) { id } }", json!({}))
        .await;
    assert_eq!(r.codes(), ["BUSINESS_RULE"], "{}", r.body);
    assert_eq!(
        r.body["errors"][0]["extensions"]["rule"],
        "identity.escalation"
    );

    let roles = app.role_ids(&admin).await;
    let r = app
        .gql(
            Some(&token),
            "mutation($u: ID!, $r: ID!) { assignRole(userId: $u, roleId: $r) { id } }",
            json!({ "u": user.id, "r": roles["owner"] }),
        )
        .await;
    assert_eq!(
        r.body["errors"][0]["extensions"]["rule"], "identity.escalation",
        "{}",
        r.body
    );

    let r = app
        .gql(Some(&token), "mutation { createRole(input: { name: \"x\", grants: [{ permission: \"no.such.permission\" }] }) { id } }", json!({}))
        .await;
    assert_eq!(r.codes(), ["VALIDATION"]);
    assert_eq!(
        r.body["errors"][0]["extensions"]["field"],
        "input.grants[0].permission"
    );
}
