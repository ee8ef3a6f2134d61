//! The CRM on the module kit: replays compare every column, audit entries record every changed
//! column, references and relation fields follow the reader's row scope, and versioned,
//! state-machine writes refuse stale versions and closed opportunities.

use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{Gql, TestApp, TestTenant};

async fn customer(app: &TestApp, token: &str, name: &str) -> String {
    app.id_of(
        token,
        "mutation($n: String!) { createCustomer(input: { name: $n, currency: \"USD\" }) { id } }",
        json!({ "n": name }),
        "createCustomer",
    )
    .await
}

async fn stage_ids(app: &TestApp, token: &str) -> Vec<String> {
    let r = app
        .gql(Some(token), "{ pipelineStages { id } }", json!({}))
        .await;
    r.body["data"]["pipelineStages"]
        .as_array()
        .unwrap_or_else(|| panic!("{}", r.body))
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect()
}

const CREATE_LEAD: &str =
    "mutation($i: CreateLeadInput!) { createLead(input: $i) { id phone taxId source } }";
const CREATE_OPPORTUNITY: &str = "mutation($i: CreateOpportunityInput!) { createOpportunity(input: $i) { id version stage { id } expectedCloseDate } }";
const UPDATE_OPPORTUNITY: &str = "mutation($id: ID!, $i: UpdateOpportunityInput!) { updateOpportunity(id: $id, input: $i) { id version title customer { id } expectedCloseDate } }";

async fn opportunity(app: &TestApp, token: &str, customer: &str) -> String {
    app.id_of(token,
        CREATE_OPPORTUNITY,
        json!({ "i": { "title": "Deal", "customerId": customer, "amount": { "amount": "100.00", "currency": "USD" } } }),
        "createOpportunity",
    )
    .await
}

/// Two sales reps of one tenant, logged in.
struct Reps {
    tenant: TestTenant,
    admin: String,
    a: String,
    b: TestTenant,
    b_token: String,
}

async fn two_reps(app: &TestApp) -> Reps {
    let t = app.create_tenant("acme").await;
    let admin = app.login(&t).await;
    let a = app
        .create_user(&t, &admin, "a@acme.test", &["sales_rep"])
        .await;
    let b = app
        .create_user(&t, &admin, "b@acme.test", &["sales_rep"])
        .await;
    let (a_token, b_token) = (app.login(&a).await, app.login(&b).await);
    Reps {
        tenant: t,
        admin,
        a: a_token,
        b,
        b_token,
    }
}

fn message(r: &Gql) -> String {
    r.body["errors"][0]["message"]
        .as_str()
        .unwrap_or_else(|| panic!("no error: {}", r.body))
        .to_owned()
}

#[tokio::test]
async fn replaying_a_create_with_other_content_in_any_column_is_a_conflict() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let admin = app.login(&t).await;

    let id = Uuid::now_v7().to_string();
    let lead = json!({ "id": id, "title": "Rollout", "contactName": "Pat", "phone": "+1 555 0100", "taxId": "US1", "source": "web" });
    let first = app
        .gql(Some(&admin), CREATE_LEAD, json!({ "i": lead }))
        .await;
    assert_eq!(first.body["data"]["createLead"]["id"], id, "{}", first.body);
    let same = app
        .gql(Some(&admin), CREATE_LEAD, json!({ "i": lead }))
        .await;
    assert_eq!(
        same.body["data"]["createLead"], first.body["data"]["createLead"],
        "the same content is the same lead"
    );
    for (field, other) in [
        ("phone", "+1 555 0199"),
        ("taxId", "US2"),
        ("source", "fair"),
    ] {
        let mut changed = lead.clone();
        changed[field] = json!(other);
        let r = app
            .gql(Some(&admin), CREATE_LEAD, json!({ "i": changed }))
            .await;
        assert_eq!(r.codes(), ["CONFLICT"], "{field}: {}", r.body);
    }

    let c = customer(&app, &admin, "Replay Co").await;
    let stages = stage_ids(&app, &admin).await;
    let id = Uuid::now_v7().to_string();
    let deal = json!({ "id": id, "title": "Deal", "customerId": c, "amount": { "amount": "100.00", "currency": "USD" }, "stageId": stages[0], "expectedCloseDate": "2026-09-30" });
    let first = app
        .gql(Some(&admin), CREATE_OPPORTUNITY, json!({ "i": deal }))
        .await;
    assert_eq!(
        first.body["data"]["createOpportunity"]["id"], id,
        "{}",
        first.body
    );
    let same = app
        .gql(Some(&admin), CREATE_OPPORTUNITY, json!({ "i": deal }))
        .await;
    assert_eq!(
        same.body["data"]["createOpportunity"],
        first.body["data"]["createOpportunity"]
    );
    for (field, other) in [
        ("stageId", json!(stages[1])),
        ("expectedCloseDate", json!("2026-10-31")),
    ] {
        let mut changed = deal.clone();
        changed[field] = other;
        let r = app
            .gql(Some(&admin), CREATE_OPPORTUNITY, json!({ "i": changed }))
            .await;
        assert_eq!(r.codes(), ["CONFLICT"], "{field}: {}", r.body);
    }
    let count = app
        .gql(
            Some(&admin),
            "{ leads { totalCount } opportunities { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(
        count.body["data"],
        json!({ "leads": { "totalCount": 1 }, "opportunities": { "totalCount": 1 } })
    );
}

#[tokio::test]
async fn an_opportunity_update_is_audited_with_its_customer_and_close_date() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let admin = app.login(&t).await;
    let (old, new) = (
        customer(&app, &admin, "Old Co").await,
        customer(&app, &admin, "New Co").await,
    );
    let o = opportunity(&app, &admin, &old).await;
    let r = app
        .gql(
            Some(&admin),
            UPDATE_OPPORTUNITY,
            json!({ "id": o, "i": { "customerId": new, "expectedCloseDate": "2026-05-01", "expectedVersion": 1 } }),
        )
        .await;
    let updated = &r.body["data"]["updateOpportunity"];
    assert_eq!(updated["customer"]["id"], new, "{}", r.body);
    assert_eq!(updated["expectedCloseDate"], "2026-05-01");
    assert_eq!(updated["title"], "Deal", "an omitted field is unchanged");

    let log = app
        .gql(
            Some(&admin),
            "query($o: ID!) { auditLog(filter: { entityId: $o }) { nodes { action changes } } }",
            json!({ "o": o }),
        )
        .await;
    let nodes = log.body["data"]["auditLog"]["nodes"]
        .as_array()
        .unwrap_or_else(|| panic!("{}", log.body));
    let update = nodes
        .iter()
        .find(|n| n["action"] == "update")
        .unwrap_or_else(|| panic!("{}", log.body));
    assert_eq!(
        update["changes"]["customerId"],
        json!({ "before": old, "after": new })
    );
    assert_eq!(
        update["changes"]["expectedCloseDate"],
        json!({ "before": null, "after": "2026-05-01" })
    );

    // An explicit null clears the date; the audit says so.
    let r = app
        .gql(
            Some(&admin),
            UPDATE_OPPORTUNITY,
            json!({ "id": o, "i": { "expectedCloseDate": null, "expectedVersion": 2 } }),
        )
        .await;
    assert_eq!(
        r.body["data"]["updateOpportunity"]["expectedCloseDate"],
        Value::Null,
        "{}",
        r.body
    );
    assert_eq!(r.body["data"]["updateOpportunity"]["customer"]["id"], new);
}

#[tokio::test]
async fn an_activity_on_another_reps_lead_is_refused_as_if_the_lead_did_not_exist() {
    let app = TestApp::spawn().await;
    let Reps {
        a: a_token,
        b_token,
        ..
    } = two_reps(&app).await;
    let theirs = app
        .id_of(
            &b_token,
            "mutation { createLead(input: { title: \"B's\", contactName: \"Pat\" }) { id } }",
            json!({}),
            "createLead",
        )
        .await;
    let doc = "mutation($l: ID!) { createActivity(input: { kind: CALL, subject: \"Call\", leadId: $l }) { id } }";
    let on_theirs = app.gql(Some(&a_token), doc, json!({ "l": theirs })).await;
    let on_nothing = app
        .gql(Some(&a_token), doc, json!({ "l": Uuid::now_v7() }))
        .await;
    assert_eq!(on_theirs.codes(), ["VALIDATION"], "{}", on_theirs.body);
    assert_eq!(on_theirs.codes(), on_nothing.codes());
    assert_eq!(message(&on_theirs), message(&on_nothing));
    assert_eq!(
        on_theirs.body["errors"][0]["extensions"],
        on_nothing.body["errors"][0]["extensions"]
    );
    assert!(message(&on_theirs).contains("no such lead"));
    // Their own lead is fine.
    let r = app.gql(Some(&b_token), doc, json!({ "l": theirs })).await;
    assert!(r.body["errors"].is_null(), "{}", r.body);
}

#[tokio::test]
async fn relation_fields_follow_the_readers_scope_and_permissions() {
    let app = TestApp::spawn().await;
    let Reps {
        tenant: t,
        admin,
        a: a_token,
        b,
        ..
    } = two_reps(&app).await;
    let l = app.id_of(&a_token,
        "mutation { createLead(input: { title: \"Mine\", companyName: \"Mine Co\", contactName: \"Pat\" }) { id } }",
        json!({}),
        "createLead",
    )
    .await;
    let r = app
        .gql(
            Some(&a_token),
            "mutation($l: ID!) { convertLead(id: $l) { opportunity { id version } } }",
            json!({ "l": l }),
        )
        .await;
    let o = r.body["data"]["convertLead"]["opportunity"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{}", r.body))
        .to_owned();
    let view = "query($l: ID!) { lead(id: $l) { id opportunity { id } customer { name } } }";
    let r = app.gql(Some(&a_token), view, json!({ "l": l })).await;
    assert_eq!(r.body["data"]["lead"]["opportunity"]["id"], o, "{}", r.body);

    // The manager hands the opportunity to rep B: rep A still reads the lead, not the deal.
    let r = app
        .gql(
            Some(&admin),
            UPDATE_OPPORTUNITY,
            json!({ "id": o, "i": { "ownerId": b.id, "expectedVersion": 1 } }),
        )
        .await;
    assert!(r.body["errors"].is_null(), "{}", r.body);
    let r = app.gql(Some(&a_token), view, json!({ "l": l })).await;
    assert!(r.body["errors"].is_null(), "{}", r.body);
    assert_eq!(r.body["data"]["lead"]["id"], l);
    assert!(
        r.body["data"]["lead"]["opportunity"].is_null(),
        "{}",
        r.body
    );
    assert_eq!(r.body["data"]["lead"]["customer"]["name"], "Mine Co");

    // A role reading leads and opportunities but not customers: null and FORBIDDEN.
    let r = app
        .gql(
            Some(&admin),
            "mutation($g: [GrantInput!]!) { createRole(input: { name: \"pipeline_viewer\", grants: $g }) { id } }",
            json!({ "g": [
                { "permission": "crm.lead.read", "scope": "ALL" },
                { "permission": "crm.opportunity.read", "scope": "ALL" },
            ] }),
        )
        .await;
    assert!(r.body["errors"].is_null(), "{}", r.body);
    let viewer = app
        .create_user(&t, &admin, "viewer@acme.test", &["pipeline_viewer"])
        .await;
    let viewer_token = app.login(&viewer).await;
    let r = app
        .gql(
            Some(&viewer_token),
            "query($l: ID!, $o: ID!) { lead(id: $l) { id customer { id } } opportunity(id: $o) { id customer { id } } }",
            json!({ "l": l, "o": o }),
        )
        .await;
    assert_eq!(r.body["data"]["lead"]["id"], l, "{}", r.body);
    assert!(r.body["data"]["lead"]["customer"].is_null());
    assert_eq!(r.body["data"]["opportunity"]["id"], o);
    assert!(r.body["data"]["opportunity"]["customer"].is_null());
    let errors = r.body["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2, "{}", r.body);
    for e in errors {
        assert_eq!(e["extensions"]["code"], "FORBIDDEN");
        assert_eq!(e["extensions"]["permission"], "master.customer.read");
    }
}

#[tokio::test]
async fn opportunities_refuse_stale_versions_a_second_close_and_other_reps() {
    let app = TestApp::spawn().await;
    let Reps {
        admin,
        a: a_token,
        b_token,
        ..
    } = two_reps(&app).await;
    let c = customer(&app, &admin, "Deal Co").await;
    let o = opportunity(&app, &a_token, &c).await;

    let r = app
        .gql(
            Some(&a_token),
            UPDATE_OPPORTUNITY,
            json!({ "id": o, "i": { "title": "Bigger deal", "expectedVersion": 1 } }),
        )
        .await;
    assert_eq!(
        r.body["data"]["updateOpportunity"]["version"], 2,
        "{}",
        r.body
    );
    let r = app
        .gql(
            Some(&a_token),
            UPDATE_OPPORTUNITY,
            json!({ "id": o, "i": { "title": "Stale", "expectedVersion": 1 } }),
        )
        .await;
    assert_eq!(r.codes(), ["CONFLICT"], "{}", r.body);

    // Rep B: null by id, NOT_FOUND on change (not FORBIDDEN: nothing tells it exists).
    let r = app
        .gql(
            Some(&b_token),
            "query($o: ID!) { opportunity(id: $o) { id } }",
            json!({ "o": o }),
        )
        .await;
    assert!(r.body["errors"].is_null(), "{}", r.body);
    assert!(r.body["data"]["opportunity"].is_null());
    let r = app
        .gql(
            Some(&b_token),
            UPDATE_OPPORTUNITY,
            json!({ "id": o, "i": { "title": "Mine now", "expectedVersion": 2 } }),
        )
        .await;
    assert_eq!(r.codes(), ["NOT_FOUND"], "{}", r.body);
    let r = app
        .gql(
            Some(&b_token),
            "mutation($o: ID!) { winOpportunity(id: $o) { id } }",
            json!({ "o": o }),
        )
        .await;
    assert_eq!(r.codes(), ["NOT_FOUND"], "{}", r.body);

    let r = app
        .gql(
            Some(&a_token),
            "mutation($o: ID!) { winOpportunity(id: $o) { status version } }",
            json!({ "o": o }),
        )
        .await;
    assert_eq!(
        r.body["data"]["winOpportunity"],
        json!({ "status": "WON", "version": 3 }),
        "{}",
        r.body
    );
    let r = app
        .gql(
            Some(&a_token),
            "mutation($o: ID!) { loseOpportunity(id: $o, reason: \"too late\") { status } }",
            json!({ "o": o }),
        )
        .await;
    assert_eq!(r.codes(), ["BUSINESS_RULE"], "{}", r.body);
    assert_eq!(
        r.body["errors"][0]["extensions"]["rule"],
        "crm.opportunity_closed"
    );
    let log = app
        .gql(
            Some(&admin),
            "query($o: ID!) { auditLog(filter: { entityId: $o }) { nodes { action changes } } }",
            json!({ "o": o }),
        )
        .await;
    let actions: Vec<&str> = log.body["data"]["auditLog"]["nodes"]
        .as_array()
        .unwrap_or_else(|| panic!("{}", log.body))
        .iter()
        .map(|n| n["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["create", "update", "win"]);
}

#[tokio::test]
async fn an_opportunity_is_archived_once_closed_by_its_owner_only() {
    let app = TestApp::spawn().await;
    let Reps {
        admin,
        a: a_token,
        b_token,
        ..
    } = two_reps(&app).await;
    let c = customer(&app, &admin, "Archive Co").await;
    let o = opportunity(&app, &a_token, &c).await;
    let archive = "mutation($o: ID!) { archiveOpportunity(id: $o) { status isActive version } }";

    // Open: win or lose it first.
    let r = app.gql(Some(&a_token), archive, json!({ "o": o })).await;
    assert_eq!(r.codes(), ["BUSINESS_RULE"], "{}", r.body);
    assert_eq!(
        r.body["errors"][0]["extensions"]["rule"],
        "crm.opportunity_open"
    );

    let r = app
        .gql(
            Some(&a_token),
            "mutation($o: ID!) { loseOpportunity(id: $o, reason: \"budget\") { status } }",
            json!({ "o": o }),
        )
        .await;
    assert_eq!(
        r.body["data"]["loseOpportunity"]["status"], "LOST",
        "{}",
        r.body
    );

    // Another rep: as if it did not exist.
    let r = app.gql(Some(&b_token), archive, json!({ "o": o })).await;
    assert_eq!(r.codes(), ["NOT_FOUND"], "{}", r.body);

    let r = app.gql(Some(&a_token), archive, json!({ "o": o })).await;
    assert_eq!(
        r.body["data"]["archiveOpportunity"],
        json!({ "status": "LOST", "isActive": false, "version": 3 }),
        "{}",
        r.body
    );
    // Archiving again changes nothing.
    let r = app.gql(Some(&a_token), archive, json!({ "o": o })).await;
    assert_eq!(
        r.body["data"]["archiveOpportunity"]["version"], 3,
        "{}",
        r.body
    );

    let lists = app
        .gql(
            Some(&a_token),
            "{ active: opportunities(filter: { isActive: true }) { totalCount } archived: opportunities(filter: { isActive: false }) { nodes { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        lists.body["data"]["active"]["totalCount"], 0,
        "{}",
        lists.body
    );
    assert_eq!(lists.body["data"]["archived"]["nodes"][0]["id"], o);
    let log = app
        .gql(
            Some(&admin),
            "query($o: ID!) { auditLog(filter: { entityId: $o }) { nodes { action changes } } }",
            json!({ "o": o }),
        )
        .await;
    let newest = log.body["data"]["auditLog"]["nodes"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(
        newest,
        json!({ "action": "archive", "changes": { "isActive": { "before": true, "after": false } } })
    );
}
