//! CRM: constant SQL for deep lists, row scopes for sales reps, atomic lead conversion, and a
//! forecast that equals a hand computation.

use chrono::Utc;
use entities::crm::{activity, opportunity};
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use serde_json::json;
use uuid::Uuid;

use crate::helpers::{TestApp, TestTenant};

async fn stages(app: &TestApp, token: &str) -> Vec<String> {
    let r = app
        .gql(Some(token), "{ pipelineStages { id } }", json!({}))
        .await;
    r.body["data"]["pipelineStages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_deep_opportunity_list_costs_the_same_sql_for_100_as_for_5() {
    let app = TestApp::builder()
        // Long enough that the cache warmed by the first request serves the others.
        .env("ERP_TENANT_CACHE_TTL_MS", "60000")
        .spawn()
        .await;
    let t = app.create_tenant("acme").await;
    let admin = app.login(&t).await;
    let reps = [
        app.create_user(&t, &admin, "rep1@acme.test", &["sales_rep"])
            .await,
        app.create_user(&t, &admin, "rep2@acme.test", &["sales_rep"])
            .await,
    ];
    let stage_ids = stages(&app, &admin).await;
    let mut customers = Vec::new();
    for i in 0..10 {
        customers.push(app.id_of(&admin, "mutation($n: String!) { createCustomer(input: { name: $n, currency: \"USD\" }) { id } }", json!({ "n": format!("Co {i}") }), "createCustomer").await);
    }
    // 100 opportunities with 10 activities each, written straight to the tenant database.
    let db = app.tenant_conn(&t).await;
    let now = Utc::now();
    for i in 0..100 {
        let opp = opportunity::ActiveModel {
            id: Set(Uuid::now_v7()),
            title: Set(format!("Deal {i}")),
            customer_id: Set(Uuid::parse_str(&customers[i % 10]).unwrap()),
            amount_minor: Set(10_000),
            currency: Set("USD".into()),
            stage_id: Set(Uuid::parse_str(&stage_ids[i % stage_ids.len()]).unwrap()),
            owner_id: Set(Some(reps[i % 2].id)),
            expected_close_date: Set(None),
            status: Set(opportunity::OpportunityStatus::Open),
            lost_reason: Set(None),
            closed_at: Set(None),
            lead_id: Set(None),
            is_active: Set(true),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&db)
        .await
        .unwrap();
        let acts: Vec<activity::ActiveModel> = (0..10)
            .map(|j| activity::ActiveModel {
                id: Set(Uuid::now_v7()),
                kind: Set(activity::ActivityKind::Call),
                subject: Set(format!("Call {j}")),
                notes: Set(None),
                due_at: Set(None),
                done: Set(false),
                done_at: Set(None),
                owner_id: Set(Some(reps[i % 2].id)),
                assignee_id: Set(Some(reps[(i + j) % 2].id)),
                lead_id: Set(None),
                opportunity_id: Set(Some(opp.id)),
                customer_id: Set(None),
                version: Set(1),
                created_at: Set(now),
                updated_at: Set(now),
            })
            .collect();
        activity::Entity::insert_many(acts)
            .exec_without_returning(&db)
            .await
            .unwrap();
    }
    db.close().await.unwrap();

    let query = "query($n: Int) { opportunities(first: $n) { nodes { title customer { name } owner { displayName } stage { name probability } activities(first: 10) { nodes { subject assignee { displayName } } } } } }";
    let mut counts = Vec::new();
    // The first request also fills the tenant's cache (the caller's grants, the stages).
    for n in [5, 5, 100] {
        let r = app.gql(Some(&admin), query, json!({ "n": n })).await;
        assert!(r.body["errors"].is_null(), "{}", r.body);
        let nodes = r.body["data"]["opportunities"]["nodes"].as_array().unwrap();
        assert_eq!(nodes.len(), n as usize);
        assert!(
            nodes
                .iter()
                .all(|o| o["activities"]["nodes"].as_array().unwrap().len() == 10
                    && o["customer"]["name"].is_string())
        );
        assert!(
            nodes
                .iter()
                .all(|o| o["activities"]["nodes"][0]["assignee"]["displayName"].is_string())
        );
        counts.push(r.body["extensions"]["sqlStatements"].as_u64().unwrap());
    }
    assert_eq!(
        counts[1], counts[2],
        "statements grow with the page: {counts:?}"
    );
    // Page, customers, activities, users (owners and assignees together); grants and stages
    // come from the tenant's cache once warm.
    assert_eq!(counts[2], 4, "{counts:?}");
    assert!(counts[0] <= 6, "{counts:?}");
}

async fn lead(app: &TestApp, token: &str, title: &str) -> String {
    app.id_of(
        token,
        "mutation($t: String!) { createLead(input: { title: $t, contactName: \"Pat\" }) { id } }",
        json!({ "t": title }),
        "createLead",
    )
    .await
}

#[tokio::test]
async fn a_sales_rep_sees_only_their_own_leads_and_opportunities_and_a_manager_sees_all() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let admin = app.login(&t).await;
    let rep: TestTenant = app
        .create_user(&t, &admin, "rep@acme.test", &["sales_rep"])
        .await;
    let other: TestTenant = app
        .create_user(&t, &admin, "other@acme.test", &["sales_rep"])
        .await;
    let manager = app
        .create_user(&t, &admin, "boss@acme.test", &["manager"])
        .await;
    let (rep_token, other_token, manager_token) = (
        app.login(&rep).await,
        app.login(&other).await,
        app.login(&manager).await,
    );

    let mine = lead(&app, &rep_token, "Mine").await;
    let theirs = lead(&app, &other_token, "Theirs").await;
    lead(&app, &other_token, "Theirs too").await;
    let customer = app
        .id_of(
            &admin,
            "mutation { createCustomer(input: { name: \"Shared Co\", currency: \"USD\" }) { id } }",
            json!({}),
            "createCustomer",
        )
        .await;
    let deal = "mutation($c: ID!, $a: Decimal!) { createOpportunity(input: { title: \"Deal\", customerId: $c, amount: { amount: $a, currency: \"USD\" } }) { id } }";
    app.id_of(
        &rep_token,
        deal,
        json!({ "c": customer, "a": "100.00" }),
        "createOpportunity",
    )
    .await;
    app.id_of(
        &other_token,
        deal,
        json!({ "c": customer, "a": "900.00" }),
        "createOpportunity",
    )
    .await;

    let view = "query($t: ID!) { leads { totalCount nodes { title } } one: lead(id: $t) { title } opportunities { totalCount } pipelineForecast { total { count amount { amount } } } }";
    let r = app
        .gql(Some(&rep_token), view, json!({ "t": theirs }))
        .await;
    assert!(r.body["errors"].is_null(), "{}", r.body);
    assert_eq!(r.body["data"]["leads"]["totalCount"], 1);
    assert_eq!(
        r.body["data"]["leads"]["nodes"],
        json!([{ "title": "Mine" }])
    );
    assert!(
        r.body["data"]["one"].is_null(),
        "another rep's lead by id is null"
    );
    assert_eq!(r.body["data"]["opportunities"]["totalCount"], 1);
    assert_eq!(
        r.body["data"]["pipelineForecast"]["total"],
        json!({ "count": 1, "amount": { "amount": "100.00" } })
    );
    // Nor can they change it: NOT_FOUND, not FORBIDDEN.
    let r = app
        .gql(
            Some(&rep_token),
            "mutation($t: ID!) { qualifyLead(id: $t) { id } }",
            json!({ "t": theirs }),
        )
        .await;
    assert_eq!(r.codes(), ["NOT_FOUND"]);
    // Or create one for somebody else.
    let r = app.gql(Some(&rep_token), "mutation($o: ID!) { createLead(input: { title: \"x\", contactName: \"y\", ownerId: $o }) { id } }", json!({ "o": other.id })).await;
    assert_eq!(r.codes(), ["FORBIDDEN"]);

    let r = app
        .gql(Some(&manager_token), view, json!({ "t": mine }))
        .await;
    assert_eq!(r.body["data"]["leads"]["totalCount"], 3);
    assert_eq!(r.body["data"]["one"]["title"], "Mine");
    assert_eq!(r.body["data"]["opportunities"]["totalCount"], 2);
    assert_eq!(
        r.body["data"]["pipelineForecast"]["total"]["amount"]["amount"],
        "1000.00"
    );
}

#[tokio::test]
async fn convert_lead_makes_customer_contact_and_opportunity_or_nothing() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let admin = app.login(&t).await;
    let existing = app.id_of(&admin, "mutation { createCustomer(input: { name: \"Old Globex\", currency: \"USD\", email: \"ceo@globex.test\" }) { id } }", json!({}), "createCustomer").await;
    let l = app.id_of(&admin, "mutation { createLead(input: { title: \"Globex rollout\", companyName: \"Globex\", contactName: \"Hank\", email: \"CEO@globex.test\", taxId: \"GB123\" }) { id } }", json!({}), "createLead").await;
    let counts =
        "{ customers { totalCount } opportunities { totalCount } contacts { totalCount } }";
    let before = app.gql(Some(&admin), counts, json!({})).await.body["data"].clone();

    // A failure after the customer insert (the stage does not exist) rolls everything back.
    let bad = app
        .gql(Some(&admin), "mutation($l: ID!, $s: ID!) { convertLead(id: $l, input: { stageId: $s }) { lead { id } } }", json!({ "l": l, "s": Uuid::now_v7() }))
        .await;
    assert_eq!(bad.codes(), ["VALIDATION"], "{}", bad.body);
    assert_eq!(
        bad.body["errors"][0]["extensions"]["field"],
        "input.stageId"
    );
    assert_eq!(
        app.gql(Some(&admin), counts, json!({})).await.body["data"],
        before,
        "something was left behind"
    );
    let status = app
        .gql(
            Some(&admin),
            "query($l: ID!) { lead(id: $l) { status customer { id } } }",
            json!({ "l": l }),
        )
        .await;
    assert_eq!(
        status.body["data"]["lead"],
        json!({ "status": "NEW", "customer": null })
    );

    let ok = app
        .gql(
            Some(&admin),
            "mutation($l: ID!) { convertLead(id: $l, input: { amount: { amount: \"2500.00\", currency: \"EUR\" } }) { lead { status } customer { name currency email } contact { name email } opportunity { title amount { amount currency } stage { name } } possibleDuplicates { id } } }",
            json!({ "l": l }),
        )
        .await;
    let p = &ok.body["data"]["convertLead"];
    assert_eq!(p["lead"]["status"], "CONVERTED", "{}", ok.body);
    assert_eq!(
        p["customer"],
        json!({ "name": "Globex", "currency": "EUR", "email": "ceo@globex.test" })
    );
    assert_eq!(
        p["contact"],
        json!({ "name": "Hank", "email": "ceo@globex.test" })
    );
    assert_eq!(
        p["opportunity"]["amount"],
        json!({ "amount": "2500.00", "currency": "EUR" })
    );
    assert_eq!(p["opportunity"]["stage"]["name"], "Prospecting");
    assert_eq!(
        p["possibleDuplicates"],
        json!([{ "id": existing }]),
        "the customer with the same email is flagged"
    );

    let again = app
        .gql(
            Some(&admin),
            "mutation($l: ID!) { convertLead(id: $l) { lead { id } } }",
            json!({ "l": l }),
        )
        .await;
    assert_eq!(again.codes(), ["BUSINESS_RULE"]);
    assert_eq!(
        again.body["errors"][0]["extensions"]["rule"],
        "crm.lead_converted"
    );
    let r = app
        .gql(
            Some(&admin),
            "mutation($l: ID!) { contactLead(id: $l) { id } }",
            json!({ "l": l }),
        )
        .await;
    assert_eq!(
        r.body["errors"][0]["extensions"]["rule"],
        "crm.lead_converted"
    );
}

#[tokio::test]
async fn the_forecast_equals_a_hand_computation() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let admin = app.login(&t).await;
    let rep = app
        .create_user(&t, &admin, "rep@acme.test", &["sales_rep"])
        .await;
    let stage = app
        .gql(
            Some(&admin),
            "{ pipelineStages { id name probability } }",
            json!({}),
        )
        .await;
    let stage_list = stage.body["data"]["pipelineStages"]
        .as_array()
        .unwrap()
        .clone();
    let sid = |name: &str| {
        stage_list.iter().find(|s| s["name"] == name).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    for (currency, rate, date) in [
        ("EUR", "1.087654", "2026-01-01"),
        ("EUR", "1.2", "2026-06-01"),
        ("JPY", "0.006512", "2026-01-01"),
    ] {
        let r = app.gql(Some(&admin), "mutation($c: String!, $r: Decimal!, $d: Date!) { setExchangeRate(input: { currency: $c, rate: $r, validFrom: $d }) { id } }", json!({ "c": currency, "r": rate, "d": date })).await;
        assert!(r.body["errors"].is_null(), "{}", r.body);
    }
    let customer = app
        .id_of(
            &admin,
            "mutation { createCustomer(input: { name: \"Big Co\", currency: \"USD\" }) { id } }",
            json!({}),
            "createCustomer",
        )
        .await;
    let deal = "mutation($c: ID!, $a: Decimal!, $cur: String!, $s: ID!, $o: ID) { createOpportunity(input: { title: \"D\", customerId: $c, amount: { amount: $a, currency: $cur }, stageId: $s, ownerId: $o }) { id } }";
    let rep_id = rep.id.to_string();
    for (amount, currency, stage, owner) in [
        ("1000.00", "USD", "Prospecting", None), // 1000.00 × 0.10
        ("333.33", "USD", "Qualification", Some(&rep_id)), // 333.33 × 0.25
        ("100.00", "EUR", "Proposal", Some(&rep_id)), // 100 EUR × 1.087654 = 108.7654 → 108.77 × 0.5
        ("1000", "JPY", "Negotiation", None),         // 1000 JPY × 0.006512 = 6.512 → 6.51 × 0.75
    ] {
        app.id_of(
            &admin,
            deal,
            json!({ "c": customer, "a": amount, "cur": currency, "s": sid(stage), "o": owner }),
            "createOpportunity",
        )
        .await;
    }
    // A lost deal does not count.
    let lost = app
        .id_of(
            &admin,
            deal,
            json!({ "c": customer, "a": "5000.00", "cur": "USD", "s": sid("Proposal"), "o": null }),
            "createOpportunity",
        )
        .await;
    app.gql(
        Some(&admin),
        "mutation($o: ID!) { loseOpportunity(id: $o) { id } }",
        json!({ "o": lost }),
    )
    .await;

    let q = "query($d: Date) { pipelineForecast(asOf: $d) { currency total { count amount { amount } weighted { amount } } byStage { stage { name } count amount { amount } weighted { amount } } byOwner { owner { email } count weighted { amount } } } }";
    let r = app.gql(Some(&admin), q, json!({ "d": "2026-03-15" })).await;
    let f = &r.body["data"]["pipelineForecast"];
    assert_eq!(f["currency"], "USD", "{}", r.body);
    // Amounts: 1000.00 + 333.33 + 108.77 + 6.51 = 1448.61.
    // Weighted, rounded once: 100.0000 + 83.3325 + 54.3850 + 4.8825 = 242.6000 → 242.60.
    assert_eq!(
        f["total"],
        json!({ "count": 4, "amount": { "amount": "1448.61" }, "weighted": { "amount": "242.60" } })
    );
    assert_eq!(
        f["byStage"],
        json!([
            { "stage": { "name": "Prospecting" }, "count": 1, "amount": { "amount": "1000.00" }, "weighted": { "amount": "100.00" } },
            { "stage": { "name": "Qualification" }, "count": 1, "amount": { "amount": "333.33" }, "weighted": { "amount": "83.33" } },
            { "stage": { "name": "Proposal" }, "count": 1, "amount": { "amount": "108.77" }, "weighted": { "amount": "54.39" } },
            { "stage": { "name": "Negotiation" }, "count": 1, "amount": { "amount": "6.51" }, "weighted": { "amount": "4.88" } },
        ])
    );
    let by_owner = f["byOwner"].as_array().unwrap();
    let rep_line = by_owner
        .iter()
        .find(|l| l["owner"]["email"] == "rep@acme.test")
        .unwrap();
    assert_eq!(
        rep_line["weighted"]["amount"], "137.72",
        "83.3325 + 54.3850 = 137.7175 → 137.72"
    );
    // A later date uses the later EUR rate: 100 × 1.2 = 120.00.
    let r = app.gql(Some(&admin), q, json!({ "d": "2026-07-01" })).await;
    assert_eq!(
        r.body["data"]["pipelineForecast"]["total"]["amount"]["amount"],
        "1459.84"
    );
    // Before any EUR rate there is no way to convert: the rule says so.
    let r = app.gql(Some(&admin), q, json!({ "d": "2025-12-31" })).await;
    assert_eq!(
        r.body["errors"][0]["extensions"]["rule"], "crm.forecast_missing_rate",
        "{}",
        r.body
    );
}
