//! The demo tenant's data set: believable volumes, seeded once, and row scopes that hold on it.

use std::time::Instant;

use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{TestApp, TestTenant};

const COUNTS: &str = "{ customers { totalCount } products { totalCount } leads { totalCount } \
    opportunities { totalCount } activities { totalCount } pipelineForecast { total { count } } \
    quotations { totalCount } salesOrders(filter: { status: [CONFIRMED, PARTIALLY_DELIVERED, DELIVERED, INVOICED] }) { totalCount } }";

fn demo_user(email: &str, password: &str) -> TestTenant {
    TestTenant {
        id: Uuid::nil(),
        slug: "demo".into(),
        email: email.into(),
        password: password.into(),
    }
}

fn count(body: &Value, field: &str) -> u64 {
    body["data"][field]["totalCount"]
        .as_u64()
        .unwrap_or_else(|| panic!("{field}: {body}"))
}

#[tokio::test]
async fn the_demo_tenant_is_seeded_once_with_a_believable_data_set() {
    let app = TestApp::spawn().await;
    let started = Instant::now();
    let login = api::demo::ensure_demo(&app.state)
        .await
        .unwrap()
        .expect("a fresh data directory gets the demo tenant");
    eprintln!(
        "ensure_demo (provision + seed) took {:?}",
        started.elapsed()
    );

    let admin = demo_user("admin@demo.test", login.password.expose());
    let r = app.try_login(&admin).await;
    let token = r.body["data"]["login"]["accessToken"]
        .as_str()
        .unwrap_or_else(|| panic!("login: {}", r.body))
        .to_owned();
    let r = app.gql(Some(&token), COUNTS, json!({})).await;
    assert!(r.body["errors"].is_null(), "{}", r.body);
    eprintln!("demo counts: {}", r.body["data"]);
    let customers = count(&r.body, "customers");
    assert!(customers >= 190, "{customers} customers");
    assert_eq!(count(&r.body, "products"), 50);
    let leads = count(&r.body, "leads");
    assert!(leads >= 280, "{leads} leads");
    assert!(count(&r.body, "opportunities") >= 150, "{}", r.body);
    assert!(count(&r.body, "activities") >= 150, "{}", r.body);
    assert_eq!(count(&r.body, "quotations"), 36, "{}", r.body);
    assert_eq!(count(&r.body, "salesOrders"), 21, "{}", r.body);
    assert!(
        r.body["data"]["pipelineForecast"]["total"]["count"]
            .as_u64()
            .unwrap()
            > 0,
        "{}",
        r.body
    );

    // A year of books: balanced, profitable, with receivables from the demo's customers.
    let r = app
        .gql(
            Some(&token),
            "query($d: Date!) { journalEntries(filter: { status: [POSTED] }) { totalCount } \
             trialBalance(asOf: $d) { totalDebit { amount } totalCredit { amount } } \
             balanceSheet(asOf: $d) { totalAssets { amount } totalLiabilities { amount } totalEquity { amount } currentYearProfit { amount } } }",
            json!({ "d": chrono::Utc::now().date_naive().to_string() }),
        )
        .await;
    assert!(r.body["errors"].is_null(), "{}", r.body);
    let data = &r.body["data"];
    eprintln!("demo books: {data}");
    assert!(count(&r.body, "journalEntries") >= 300, "{data}");
    assert_eq!(
        data["trialBalance"]["totalDebit"],
        data["trialBalance"]["totalCredit"]
    );
    let cents = |v: &Value| -> i64 {
        v["amount"]
            .as_str()
            .unwrap()
            .replace('.', "")
            .parse()
            .unwrap()
    };
    let sheet = &data["balanceSheet"];
    assert_eq!(
        cents(&sheet["totalAssets"]),
        cents(&sheet["totalLiabilities"]) + cents(&sheet["totalEquity"]),
        "{sheet}"
    );
    assert!(cents(&sheet["totalAssets"]) > 10_000_000, "{sheet}");

    // Seeded once: a second call provisions and creates nothing.
    assert!(api::demo::ensure_demo(&app.state).await.unwrap().is_none());
    let r = app
        .gql(Some(&token), "{ customers { totalCount } }", json!({}))
        .await;
    assert_eq!(count(&r.body, "customers"), customers);

    // A sales rep sees only their own share of the leads.
    let rep = demo_user("olivia.hart@demo.test", api::demo_data::DEMO_USER_PASSWORD);
    let r = app.try_login(&rep).await;
    let rep_token = r.body["data"]["login"]["accessToken"]
        .as_str()
        .unwrap_or_else(|| panic!("rep login: {}", r.body))
        .to_owned();
    let r = app
        .gql(Some(&rep_token), "{ leads { totalCount } }", json!({}))
        .await;
    let rep_leads = count(&r.body, "leads");
    assert!(0 < rep_leads && rep_leads < leads, "{rep_leads} of {leads}");
}

/// What the seeder made, as the admin sees it: names of the first customers and products, and
/// the forecast (amounts, stages, currencies and outcomes all come from the seeded PRNG).
async fn fingerprint(app: &TestApp) -> Value {
    let login = api::demo::ensure_demo(&app.state).await.unwrap().unwrap();
    let token = app
        .login(&demo_user("admin@demo.test", login.password.expose()))
        .await;
    let r = app
        .gql(
            Some(&token),
            "{ customers(first: 100) { nodes { name email currency } } \
               products(first: 100) { nodes { sku name } } \
               leads(first: 100) { nodes { title companyName contactName status } } \
               pipelineForecast { total { count amount { amount } weighted { amount } } } }",
            json!({}),
        )
        .await;
    assert!(r.body["errors"].is_null(), "{}", r.body);
    r.body["data"].clone()
}

#[tokio::test]
async fn the_demo_data_is_the_same_every_time() {
    let (a, b) = tokio::join!(TestApp::spawn(), TestApp::spawn());
    let (a, b) = tokio::join!(fingerprint(&a), fingerprint(&b));
    assert_eq!(a["customers"]["nodes"].as_array().unwrap().len(), 100);
    assert_eq!(a, b);
}
