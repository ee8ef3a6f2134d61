//! Sales: quotations, orders and invoices made from them, each tried the way it would
//! break: the whole flow quotation → order → deliveries → invoices → payments → credit note
//! against a hand computation of the ledger and the aging, two confirmations racing past a
//! credit limit (exactly one passes without the approval), invoicing beyond what was
//! ordered or delivered (refused, also when two drafts of the same lines post), quotations
//! expiring by the job, and other reps' documents.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{Value, json};

use crate::helpers::{Gql, TestApp};

const QUOTE: &str = "mutation($i: CreateQuotationInput!) { createQuotation(input: $i) { id number status validUntil subtotal { amount } taxTotal { amount } rounding { amount } total { amount } lines(first: 10) { nodes { id description quantity netMinor taxMinor } } } }";
const SEND: &str = "mutation($id: ID!) { sendQuotation(id: $id) { id number status } }";
const ACCEPT: &str = "mutation($id: ID!) { acceptQuotation(id: $id) { id number status total { amount } lines(first: 10) { nodes { id lineNo quantity } } } }";
const ORDER: &str = "mutation($i: CreateSalesOrderInput!) { createSalesOrder(input: $i) { id status total { amount } lines(first: 10) { nodes { id } } } }";
const CONFIRM: &str =
    "mutation($id: ID!) { confirmSalesOrder(id: $id) { id number status overLimitApprovedBy } }";
const DELIVER: &str = "mutation($i: DeliverSalesOrderInput!) { deliverSalesOrder(input: $i) { id status lines(first: 10) { nodes { delivered invoiced } } } }";
const FROM_ORDER: &str = "mutation($i: CreateInvoiceFromOrderInput!) { createInvoiceFromOrder(input: $i) { id status subtotal { amount } taxTotal { amount } total { amount } } }";
const POST: &str =
    "mutation($id: ID!) { postInvoice(id: $id) { id number status total { amount } } }";
const GET_ORDER: &str = "query($id: ID!) { salesOrder(id: $id) { id number status invoiced { amount } lines(first: 10) { nodes { quantity delivered invoiced } } } }";
const PAY: &str = "mutation($i: RecordPaymentInput!) { recordPayment(input: $i) { id number } }";
const TRIAL: &str = "query($d: Date!) { trialBalance(asOf: $d) { lines { account { code } debit { amount } credit { amount } } totalDebit { amount } totalCredit { amount } } }";
const AGING: &str = "query($d: Date!) { receivablesAging(asOf: $d) { total { current { amount } credit { amount } balance { amount } openInvoices } } }";

fn ok<'a>(r: &'a Gql, field: &str) -> &'a Value {
    assert!(r.body["errors"].is_null(), "{field}: {}", r.body);
    &r.body["data"][field]
}

fn amount(v: &Value) -> &str {
    v["amount"]
        .as_str()
        .unwrap_or_else(|| panic!("no amount in {v}"))
}

fn rule(r: &Gql) -> String {
    r.body["errors"][0]["extensions"]["rule"]
        .as_str()
        .unwrap_or_else(|| panic!("no rule in {}", r.body))
        .to_owned()
}

fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

fn day(offset: i64) -> String {
    (today() + chrono::Duration::days(offset)).to_string()
}

async fn customer(app: &TestApp, token: &str, name: &str, extra: Value) -> String {
    let mut input = json!({ "name": name, "currency": "USD" });
    input
        .as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    app.id_of(
        token,
        "mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { id } }",
        json!({ "i": input }),
        "createCustomer",
    )
    .await
}

async fn vat20(app: &TestApp, token: &str) -> String {
    app.id_of(
        token,
        "mutation { createTaxRate(input: { code: \"VAT20\", name: \"VAT 20 %\", rate: \"20\", validFrom: \"2020-01-01\" }) { id } }",
        json!({}),
        "createTaxRate",
    )
    .await
}

/// The trial balance far ahead: account code → (debit, credit), totals checked equal.
async fn trial(app: &TestApp, token: &str) -> BTreeMap<String, (String, String)> {
    let r = app
        .gql(Some(token), TRIAL, json!({ "d": "2099-12-31" }))
        .await;
    let tb = ok(&r, "trialBalance");
    assert_eq!(tb["totalDebit"], tb["totalCredit"], "{tb}");
    tb["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["account"]["code"].as_str().unwrap().to_owned(),
                (
                    amount(&l["debit"]).to_owned(),
                    amount(&l["credit"]).to_owned(),
                ),
            )
        })
        .collect()
}

/// Debit − credit of account `code` as a number of cents.
fn net(tb: &BTreeMap<String, (String, String)>, code: &str) -> i64 {
    let cents = |s: &str| (s.parse::<f64>().unwrap() * 100.0).round() as i64;
    tb.get(code).map_or(0, |(d, c)| cents(d) - cents(c))
}

async fn aging(app: &TestApp, token: &str) -> (String, String, i64) {
    let r = app.gql(Some(token), AGING, json!({ "d": day(0) })).await;
    let t = &ok(&r, "receivablesAging")["total"];
    (
        amount(&t["balance"]).to_owned(),
        amount(&t["credit"]).to_owned(),
        t["openInvoices"].as_i64().unwrap(),
    )
}

async fn order_of(app: &TestApp, token: &str, id: &str) -> Value {
    let r = app.gql(Some(token), GET_ORDER, json!({ "id": id })).await;
    ok(&r, "salesOrder").clone()
}

#[tokio::test]
async fn quotation_to_order_to_invoices_to_payments_to_credit_note_matches_a_hand_computation() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("shop").await;
    let token = app.login(&t).await;
    let acme = customer(&app, &token, "Acme", json!({})).await;
    let vat = vat20(&app, &token).await;
    let year = today().format("%Y").to_string();

    // Widget 3 × 100.00 less 10 % = 270.00 + VAT 54.00; setup 50.00 + VAT 10.00: 384.00.
    let r = app
        .gql(
            Some(&token),
            QUOTE,
            json!({ "i": { "customerId": acme, "date": day(0), "lines": [
                { "description": "Widget", "quantity": "3", "unitPrice": "100", "discount": "10", "taxRateIds": [vat] },
                { "description": "Setup", "quantity": "1", "unitPrice": "50", "taxRateIds": [vat] },
            ] } }),
        )
        .await;
    let q = ok(&r, "createQuotation");
    assert_eq!(
        (q["status"].as_str(), &q["number"]),
        (Some("DRAFT"), &Value::Null)
    );
    assert_eq!(q["validUntil"], day(30), "the default validity is 30 days");
    assert_eq!(
        [&q["subtotal"], &q["taxTotal"], &q["rounding"], &q["total"]].map(amount),
        ["320.00", "64.00", "0.00", "384.00"]
    );
    let quotation = q["id"].as_str().unwrap().to_owned();
    // A draft is not accepted; sent, it is numbered.
    let r = app
        .gql(Some(&token), ACCEPT, json!({ "id": quotation }))
        .await;
    assert_eq!(rule(&r), "sales.quotation_status");
    let r = app
        .gql(Some(&token), SEND, json!({ "id": quotation }))
        .await;
    assert_eq!(
        ok(&r, "sendQuotation")["number"],
        format!("SQ-{year}-000001")
    );
    let r = app
        .gql(Some(&token), ACCEPT, json!({ "id": quotation }))
        .await;
    let order = ok(&r, "acceptQuotation").clone();
    assert_eq!(order["status"], "DRAFT");
    assert_eq!(amount(&order["total"]), "384.00");
    let order_id = order["id"].as_str().unwrap().to_owned();
    let lines: Vec<String> = order["lines"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_str().unwrap().to_owned())
        .collect();
    // Accepting again returns the same order; the quotation names it.
    let r = app
        .gql(Some(&token), ACCEPT, json!({ "id": quotation }))
        .await;
    assert_eq!(ok(&r, "acceptQuotation")["id"], order_id.as_str());
    let r = app
        .gql(
            Some(&token),
            "query($id: ID!) { quotation(id: $id) { status salesOrder { id } } }",
            json!({ "id": quotation }),
        )
        .await;
    assert_eq!(
        ok(&r, "quotation"),
        &json!({ "status": "ACCEPTED", "salesOrder": { "id": order_id } })
    );
    // A draft order is not invoiced; confirmed (no credit limit) it is numbered.
    let from_order =
        |lines: Value| json!({ "i": { "orderId": order_id, "date": day(0), "lines": lines } });
    let r = app
        .gql(Some(&token), FROM_ORDER, from_order(Value::Null))
        .await;
    assert_eq!(rule(&r), "sales.order_status");
    let r = app
        .gql(Some(&token), CONFIRM, json!({ "id": order_id }))
        .await;
    let confirmed = ok(&r, "confirmSalesOrder");
    assert_eq!(confirmed["number"], format!("SO-{year}-000001"));
    assert_eq!(confirmed["overLimitApprovedBy"], Value::Null);
    assert!(
        trial(&app, &token).await.is_empty(),
        "an order is not in the ledger"
    );

    // Two widgets delivered: partially delivered.
    let r = app
        .gql(
            Some(&token),
            DELIVER,
            json!({ "i": { "orderId": order_id, "lines": [{ "lineId": lines[0], "quantity": "2" }] } }),
        )
        .await;
    assert_eq!(ok(&r, "deliverSalesOrder")["status"], "PARTIALLY_DELIVERED");
    let r = app
        .gql(
            Some(&token),
            DELIVER,
            json!({ "i": { "orderId": order_id, "lines": [{ "lineId": lines[0], "quantity": "1.5" }] } }),
        )
        .await;
    assert_eq!(rule(&r), "sales.over_delivered", "3.5 of 3 widgets");

    // Invoice 1: two widgets, 180.00 + 36.00 = 216.00.
    let r = app
        .gql(
            Some(&token),
            FROM_ORDER,
            from_order(json!([{ "orderLineId": lines[0], "quantity": "2" }])),
        )
        .await;
    let first = ok(&r, "createInvoiceFromOrder").clone();
    assert_eq!(
        [&first["subtotal"], &first["taxTotal"], &first["total"]].map(amount),
        ["180.00", "36.00", "216.00"]
    );
    let first_id = first["id"].as_str().unwrap().to_owned();
    let r = app.gql(Some(&token), POST, json!({ "id": first_id })).await;
    assert_eq!(
        ok(&r, "postInvoice")["number"],
        format!("INV-{year}-000001")
    );
    let o = order_of(&app, &token, &order_id).await;
    assert_eq!(o["status"], "PARTIALLY_DELIVERED");
    assert_eq!(amount(&o["invoiced"]), "216.00");
    assert_eq!(o["lines"]["nodes"][0]["invoiced"], "2");
    let tb = trial(&app, &token).await;
    assert_eq!(
        (net(&tb, "1100"), net(&tb, "2100"), net(&tb, "4000")),
        (21_600, -3_600, -18_000)
    );
    // Three widgets of which two are invoiced: one more is left (ordered policy).
    let r = app
        .gql(
            Some(&token),
            FROM_ORDER,
            from_order(json!([{ "orderLineId": lines[0], "quantity": "2" }])),
        )
        .await;
    assert_eq!(rule(&r), "sales.over_invoiced");

    // Invoice 2: what is left, 1 widget 90.00 + 18.00 and the setup 50.00 + 10.00 = 168.00.
    let r = app
        .gql(Some(&token), FROM_ORDER, from_order(Value::Null))
        .await;
    let second = ok(&r, "createInvoiceFromOrder").clone();
    assert_eq!(
        [&second["subtotal"], &second["taxTotal"], &second["total"]].map(amount),
        ["140.00", "28.00", "168.00"]
    );
    let second_id = second["id"].as_str().unwrap().to_owned();
    ok(
        &app.gql(Some(&token), POST, json!({ "id": second_id }))
            .await,
        "postInvoice",
    );
    let o = order_of(&app, &token, &order_id).await;
    assert_eq!(o["status"], "INVOICED");
    assert_eq!(amount(&o["invoiced"]), "384.00");
    let r = app
        .gql(Some(&token), FROM_ORDER, from_order(Value::Null))
        .await;
    assert_eq!(rule(&r), "sales.order_status", "nothing is left");
    let tb = trial(&app, &token).await;
    assert_eq!(
        (net(&tb, "1100"), net(&tb, "2100"), net(&tb, "4000")),
        (38_400, -6_400, -32_000)
    );
    assert_eq!(
        aging(&app, &token).await,
        ("384.00".into(), "0.00".into(), 2)
    );

    // A partial payment of invoice 1 (100.00), then the rest (116.00).
    for (amount_paid, status) in [("100", "PARTIALLY_PAID"), ("116", "PAID")] {
        let r = app
            .gql(
                Some(&token),
                PAY,
                json!({ "i": { "customerId": acme, "date": day(0), "amount": { "amount": amount_paid, "currency": "USD" }, "allocations": [{ "invoiceId": first_id, "amount": amount_paid }] } }),
            )
            .await;
        ok(&r, "recordPayment");
        let r = app
            .gql(
                Some(&token),
                "query($id: ID!) { invoice(id: $id) { status } }",
                json!({ "id": first_id }),
            )
            .await;
        assert_eq!(ok(&r, "invoice")["status"], status);
    }
    let tb = trial(&app, &token).await;
    assert_eq!((net(&tb, "1100"), net(&tb, "1010")), (16_800, 21_600));
    assert_eq!(
        aging(&app, &token).await,
        ("168.00".into(), "0.00".into(), 1)
    );

    // A credit note of all of invoice 2 settles it: nothing is owed.
    let r = app
        .gql(
            Some(&token),
            "mutation($i: CreateCreditNoteInput!) { createCreditNote(input: $i) { id total { amount } } }",
            json!({ "i": { "invoiceId": second_id, "date": day(0) } }),
        )
        .await;
    let note = ok(&r, "createCreditNote")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    ok(
        &app.gql(Some(&token), POST, json!({ "id": note })).await,
        "postInvoice",
    );
    let tb = trial(&app, &token).await;
    assert_eq!(
        (
            net(&tb, "1100"),
            net(&tb, "2100"),
            net(&tb, "4000"),
            net(&tb, "1010")
        ),
        (0, -3_600, -18_000, 21_600)
    );
    assert_eq!(aging(&app, &token).await, ("0.00".into(), "0.00".into(), 0));

    // The customer's statement, from the ledger: two invoices, two payments, the credit
    // note, each with the balance after it.
    let r = app
        .gql(
            Some(&token),
            "query($c: ID!, $f: Date!, $t: Date!) { customerStatement(customerId: $c, from: $f, to: $t) { openingBalance { amount } lines { reference debit { amount } credit { amount } balance { amount } } closingBalance { amount } } }",
            json!({ "c": acme, "f": day(0), "t": day(0) }),
        )
        .await;
    let s = ok(&r, "customerStatement");
    assert_eq!(amount(&s["openingBalance"]), "0.00");
    let lines: Vec<[&str; 3]> = s["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| [&l["debit"], &l["credit"], &l["balance"]].map(amount))
        .collect();
    assert_eq!(
        lines,
        [
            ["216.00", "0.00", "216.00"],
            ["168.00", "0.00", "384.00"],
            ["0.00", "100.00", "284.00"],
            ["0.00", "116.00", "168.00"],
            ["0.00", "168.00", "0.00"],
        ],
        "{s}"
    );
    assert_eq!(amount(&s["closingBalance"]), "0.00");
    assert_eq!(
        s["lines"][0]["reference"],
        format!("INV-{year}-000001"),
        "{s}"
    );
    // From tomorrow: all of it is the opening balance (zero), no lines.
    let r = app
        .gql(
            Some(&token),
            "query($c: ID!, $f: Date!) { customerStatement(customerId: $c, from: $f, to: $f) { openingBalance { amount } lines { reference } } }",
            json!({ "c": acme, "f": day(1) }),
        )
        .await;
    assert_eq!(
        ok(&r, "customerStatement"),
        &json!({ "openingBalance": { "amount": "0.00" }, "lines": [] })
    );
}

#[tokio::test]
async fn two_confirmations_that_together_pass_the_credit_limit_let_exactly_one_through() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("shop").await;
    let admin = app.login(&t).await;
    let rep = app
        .create_user(&t, &admin, "rep@shop.test", &["sales_rep"])
        .await;
    let rep_token = app.login(&rep).await;
    let manager = app
        .create_user(&t, &admin, "boss@shop.test", &["manager"])
        .await;
    let manager_token = app.login(&manager).await;
    for round in 0..4 {
        // Limit 1,000.00; owed 300.00 on a posted invoice; two orders of 400.00 each: one
        // fits (700.00), both do not (1,100.00).
        let c = customer(
            &app,
            &admin,
            &format!("Buyer {round}"),
            json!({ "ownerId": rep.id, "creditLimit": { "amount": "1000", "currency": "USD" } }),
        )
        .await;
        let r = app
            .gql(
                Some(&admin),
                "mutation($i: CreateInvoiceInput!) { createInvoice(input: $i) { id } }",
                json!({ "i": { "customerId": c, "date": day(0), "lines": [{ "description": "Earlier", "quantity": "1", "unitPrice": "300" }] } }),
            )
            .await;
        let invoice = ok(&r, "createInvoice")["id"].as_str().unwrap().to_owned();
        ok(
            &app.gql(Some(&admin), POST, json!({ "id": invoice })).await,
            "postInvoice",
        );
        let mut orders = Vec::new();
        for _ in 0..2 {
            let r = app
                .gql(
                    Some(&rep_token),
                    ORDER,
                    json!({ "i": { "customerId": c, "date": day(0), "lines": [{ "description": "Goods", "quantity": "4", "unitPrice": "100" }] } }),
                )
                .await;
            orders.push(
                ok(&r, "createSalesOrder")["id"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            );
        }
        let (a, b) = tokio::join!(
            app.gql(Some(&rep_token), CONFIRM, json!({ "id": orders[0] })),
            app.gql(Some(&rep_token), CONFIRM, json!({ "id": orders[1] })),
        );
        let passed: Vec<&Gql> = [&a, &b]
            .into_iter()
            .filter(|r| r.body["errors"].is_null())
            .collect();
        assert_eq!(passed.len(), 1, "round {round}: {} / {}", a.body, b.body);
        let refused = if a.body["errors"].is_null() { &b } else { &a };
        assert_eq!(
            rule(refused),
            "sales.credit_limit_exceeded",
            "{}",
            refused.body
        );
        let left = if a.body["errors"].is_null() {
            &orders[1]
        } else {
            &orders[0]
        };
        // The manager may approve it, and is named on it.
        let r = app
            .gql(Some(&manager_token), CONFIRM, json!({ "id": left }))
            .await;
        let approved = ok(&r, "confirmSalesOrder");
        assert_eq!(approved["status"], "CONFIRMED");
        assert_eq!(approved["overLimitApprovedBy"], manager.id.to_string());
    }
    // Closing an order frees what is left of it; a cancelled one counts for nothing.
    let c = customer(
        &app,
        &admin,
        "Careful",
        json!({ "ownerId": rep.id, "creditLimit": { "amount": "500", "currency": "USD" } }),
    )
    .await;
    let mut ids = Vec::new();
    for _ in 0..2 {
        let r = app
            .gql(
                Some(&rep_token),
                ORDER,
                json!({ "i": { "customerId": c, "date": day(0), "lines": [{ "description": "Goods", "quantity": "3", "unitPrice": "100" }] } }),
            )
            .await;
        ids.push(
            ok(&r, "createSalesOrder")["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    ok(
        &app.gql(Some(&rep_token), CONFIRM, json!({ "id": ids[0] }))
            .await,
        "confirmSalesOrder",
    );
    let r = app
        .gql(Some(&rep_token), CONFIRM, json!({ "id": ids[1] }))
        .await;
    assert_eq!(rule(&r), "sales.credit_limit_exceeded");
    let r = app
        .gql(
            Some(&rep_token),
            "mutation($id: ID!) { cancelSalesOrder(id: $id) { status } }",
            json!({ "id": ids[0] }),
        )
        .await;
    assert_eq!(ok(&r, "cancelSalesOrder")["status"], "CANCELLED");
    ok(
        &app.gql(Some(&rep_token), CONFIRM, json!({ "id": ids[1] }))
            .await,
        "confirmSalesOrder",
    );
}

#[tokio::test]
async fn invoicing_never_passes_what_was_delivered_under_the_delivered_policy() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("shop").await;
    let token = app.login(&t).await;
    let r = app
        .gql(
            Some(&token),
            "mutation { updateSalesSettings(input: { invoicePolicy: DELIVERED, expectedVersion: 1 }) { invoicePolicy version } }",
            json!({}),
        )
        .await;
    assert_eq!(
        ok(&r, "updateSalesSettings"),
        &json!({ "invoicePolicy": "DELIVERED", "version": 2 })
    );
    let c = customer(&app, &token, "Acme", json!({})).await;
    let r = app
        .gql(
            Some(&token),
            ORDER,
            json!({ "i": { "customerId": c, "date": day(0), "lines": [{ "description": "Goods", "quantity": "5", "unitPrice": "10" }] } }),
        )
        .await;
    let o = ok(&r, "createSalesOrder");
    let (order, line) = (
        o["id"].as_str().unwrap().to_owned(),
        o["lines"]["nodes"][0]["id"].as_str().unwrap().to_owned(),
    );
    ok(
        &app.gql(Some(&token), CONFIRM, json!({ "id": order })).await,
        "confirmSalesOrder",
    );
    let invoice = |q: &str| json!({ "i": { "orderId": order, "date": day(0), "lines": [{ "orderLineId": line, "quantity": q }] } });
    let r = app
        .gql(
            Some(&token),
            FROM_ORDER,
            json!({ "i": { "orderId": order, "date": day(0) } }),
        )
        .await;
    assert_eq!(
        rule(&r),
        "sales.nothing_to_invoice",
        "nothing delivered yet"
    );
    ok(
        &app.gql(
            Some(&token),
            DELIVER,
            json!({ "i": { "orderId": order, "lines": [{ "lineId": line, "quantity": "2" }] } }),
        )
        .await,
        "deliverSalesOrder",
    );
    let r = app.gql(Some(&token), FROM_ORDER, invoice("3")).await;
    assert_eq!(rule(&r), "sales.over_invoiced");
    // Two drafts of the same two delivered units: the second to post is refused, and uses
    // no number.
    let mut drafts = Vec::new();
    for _ in 0..2 {
        let r = app.gql(Some(&token), FROM_ORDER, invoice("2")).await;
        drafts.push(
            ok(&r, "createInvoiceFromOrder")["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let (a, b) = tokio::join!(
        app.gql(Some(&token), POST, json!({ "id": drafts[0] })),
        app.gql(Some(&token), POST, json!({ "id": drafts[1] })),
    );
    let passed = [&a, &b]
        .iter()
        .filter(|r| r.body["errors"].is_null())
        .count();
    assert_eq!(passed, 1, "{} / {}", a.body, b.body);
    let refused = if a.body["errors"].is_null() { &b } else { &a };
    assert_eq!(rule(refused), "sales.over_invoiced", "{}", refused.body);
    let o = order_of(&app, &token, &order).await;
    assert_eq!(o["lines"]["nodes"][0]["invoiced"], "2");
    assert_eq!(amount(&o["invoiced"]), "20.00");
    // Three more delivered: the refused draft (2) now posts, as the next number.
    ok(
        &app.gql(
            Some(&token),
            DELIVER,
            json!({ "i": { "orderId": order, "lines": [{ "lineId": line, "quantity": "3" }] } }),
        )
        .await,
        "deliverSalesOrder",
    );
    let left = if a.body["errors"].is_null() {
        &drafts[1]
    } else {
        &drafts[0]
    };
    let r = app.gql(Some(&token), POST, json!({ "id": left })).await;
    let year = today().format("%Y").to_string();
    assert_eq!(
        ok(&r, "postInvoice")["number"],
        format!("INV-{year}-000002")
    );
    let o = order_of(&app, &token, &order).await;
    assert_eq!(
        (o["status"].as_str(), &o["lines"]["nodes"][0]["invoiced"]),
        (Some("DELIVERED"), &json!("4"))
    );
    // A delivered, partly invoiced order is closed, not cancelled.
    let r = app
        .gql(
            Some(&token),
            "mutation($id: ID!) { cancelSalesOrder(id: $id) { status } }",
            json!({ "id": order }),
        )
        .await;
    assert_eq!(rule(&r), "sales.order_status");
    let r = app
        .gql(
            Some(&token),
            "mutation($id: ID!) { closeSalesOrder(id: $id) { status } }",
            json!({ "id": order }),
        )
        .await;
    assert_eq!(ok(&r, "closeSalesOrder")["status"], "CLOSED");
    let r = app.gql(Some(&token), FROM_ORDER, invoice("1")).await;
    assert_eq!(rule(&r), "sales.order_status");
}

#[tokio::test]
async fn a_quotation_past_its_validity_is_not_accepted_and_the_job_expires_it() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("shop").await;
    let token = app.login(&t).await;
    let c = customer(&app, &token, "Acme", json!({})).await;
    let mut ids = Vec::new();
    for _ in 0..2 {
        let r = app
            .gql(
                Some(&token),
                QUOTE,
                json!({ "i": { "customerId": c, "date": day(0), "validUntil": day(0), "lines": [{ "description": "Offer", "quantity": "1", "unitPrice": "10" }] } }),
            )
            .await;
        let id = ok(&r, "createQuotation")["id"].as_str().unwrap().to_owned();
        ok(
            &app.gql(Some(&token), SEND, json!({ "id": id })).await,
            "sendQuotation",
        );
        ids.push(id);
    }
    // Both were valid until yesterday (written past the API, as time would).
    let db = app.tenant_conn(&t).await;
    use sea_orm::ConnectionTrait;
    let yesterday = day(-1);
    let sql =
        format!("UPDATE quotation SET quotation_date = '{yesterday}', valid_until = '{yesterday}'");
    db.execute_unprepared(&sql).await.unwrap();
    let r = app.gql(Some(&token), ACCEPT, json!({ "id": ids[0] })).await;
    assert_eq!(rule(&r), "sales.quotation_expired");
    // A process running jobs marks both expired.
    let jobs = [("ERP_JOBS", "on"), ("ERP_JOBS_TICK_MS", "50")];
    let runner = app.replica(&jobs).await;
    let status = |id: String| {
        let runner = &runner;
        let token = &token;
        async move {
            let r = runner
                .gql(
                    Some(token),
                    "query($id: ID!) { quotation(id: $id) { status version } }",
                    json!({ "id": id }),
                )
                .await;
            r.body["data"]["quotation"]["status"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let (a, b) = (status(ids[0].clone()).await, status(ids[1].clone()).await);
        if a == "EXPIRED" && b == "EXPIRED" {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "not expired within 20 s: {a} {b}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let r = app.gql(Some(&token), ACCEPT, json!({ "id": ids[1] })).await;
    assert_eq!(rule(&r), "sales.quotation_status");
}

#[tokio::test]
async fn a_sales_rep_works_the_quotations_and_orders_of_their_own_customers_only() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("shop").await;
    let admin = app.login(&t).await;
    let rep = app
        .create_user(&t, &admin, "rep@shop.test", &["sales_rep"])
        .await;
    let rep_token = app.login(&rep).await;
    let theirs = customer(&app, &admin, "Theirs", json!({ "ownerId": rep.id })).await;
    let others = customer(&app, &admin, "Others", json!({})).await;
    let mut orders = Vec::new();
    for c in [&theirs, &others] {
        let r = app
            .gql(
                Some(&admin),
                ORDER,
                json!({ "i": { "customerId": c, "date": day(0), "lines": [{ "description": "Goods", "quantity": "1", "unitPrice": "10" }] } }),
            )
            .await;
        orders.push(
            ok(&r, "createSalesOrder")["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
        let r = app
            .gql(
                Some(&admin),
                QUOTE,
                json!({ "i": { "customerId": c, "date": day(0), "lines": [{ "description": "Offer", "quantity": "1", "unitPrice": "10" }] } }),
            )
            .await;
        ok(&r, "createQuotation");
    }
    let r = app
        .gql(
            Some(&rep_token),
            "{ salesOrders { totalCount nodes { id } } quotations { totalCount nodes { customer { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        ok(&r, "salesOrders"),
        &json!({ "totalCount": 1, "nodes": [{ "id": orders[0] }] })
    );
    assert_eq!(
        ok(&r, "quotations"),
        &json!({ "totalCount": 1, "nodes": [{ "customer": { "id": theirs } }] })
    );
    let r = app
        .gql(
            Some(&rep_token),
            "query($id: ID!) { salesOrder(id: $id) { id } }",
            json!({ "id": orders[1] }),
        )
        .await;
    assert_eq!(ok(&r, "salesOrder"), &Value::Null);
    let r = app
        .gql(Some(&rep_token), CONFIRM, json!({ "id": orders[1] }))
        .await;
    assert_eq!(r.codes()[0], "NOT_FOUND", "{}", r.body);
    let r = app
        .gql(
            Some(&rep_token),
            ORDER,
            json!({ "i": { "customerId": others, "date": day(0), "lines": [{ "description": "Goods", "quantity": "1", "unitPrice": "10" }] } }),
        )
        .await;
    assert!(
        !r.body["errors"].is_null(),
        "another rep's customer: {}",
        r.body
    );
    // Invoicing an order needs billing's permission, which a rep does not hold.
    let r = app
        .gql(
            Some(&rep_token),
            FROM_ORDER,
            json!({ "i": { "orderId": orders[0], "date": day(0) } }),
        )
        .await;
    assert_eq!(r.codes()[0], "FORBIDDEN", "{}", r.body);
    // Changes of their orders reach them; the settings are the manager's.
    let r = app
        .gql(
            Some(&rep_token),
            "mutation { updateSalesSettings(input: { quotationValidityDays: 5, expectedVersion: 1 }) { version } }",
            json!({}),
        )
        .await;
    assert_eq!(r.codes()[0], "FORBIDDEN", "{}", r.body);
}

#[tokio::test]
async fn replayed_creates_with_one_id_make_one_document() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("shop").await;
    let token = app.login(&t).await;
    let c = customer(&app, &token, "Acme", json!({})).await;
    let id = uuid::Uuid::now_v7().to_string();
    let input = json!({ "i": { "id": id, "customerId": c, "date": day(0), "lines": [{ "description": "Goods", "quantity": "2", "unitPrice": "10" }] } });
    let replies = futures_util::future::join_all(
        (0..20).map(|_| app.gql(Some(&token), ORDER, input.clone())),
    )
    .await;
    for r in &replies {
        assert_eq!(ok(r, "createSalesOrder")["id"], id.as_str());
    }
    let r = app
        .gql(
            Some(&token),
            "{ salesOrders { totalCount nodes { lines(first: 5) { totalCount } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        ok(&r, "salesOrders"),
        &json!({ "totalCount": 1, "nodes": [{ "lines": { "totalCount": 1 } }] })
    );
    let mut other = input.clone();
    other["i"]["lines"][0]["quantity"] = json!("3");
    let r = app.gql(Some(&token), ORDER, other).await;
    assert_eq!(r.codes()[0], "CONFLICT", "{}", r.body);
}

#[tokio::test]
async fn lists_of_orders_and_quotations_cost_the_same_sql_for_60_as_for_5() {
    let app = TestApp::counting().await;
    let t = app.create_tenant("shop").await;
    let token = app.login(&t).await;
    let c = customer(&app, &token, "Acme", json!({})).await;
    let product = app
        .id_of(
            &token,
            "mutation { createProduct(input: { sku: \"W-1\", name: \"Widget\", kind: GOODS, unit: \"ea\", currency: \"USD\", salePrice: \"9.5\" }) { id } }",
            json!({}),
            "createProduct",
        )
        .await;
    for _ in 0..60 {
        let lines = json!([{ "productId": product, "quantity": "2" }, { "description": "Fitting", "quantity": "1", "unitPrice": "20" }]);
        let r = app
            .gql(
                Some(&token),
                ORDER,
                json!({ "i": { "customerId": c, "date": day(0), "lines": lines } }),
            )
            .await;
        ok(&r, "createSalesOrder");
        let r = app
            .gql(
                Some(&token),
                QUOTE,
                json!({ "i": { "customerId": c, "date": day(0), "lines": lines } }),
            )
            .await;
        ok(&r, "createQuotation");
    }
    for (field, doc) in [
        (
            "salesOrders",
            "query($n: Int!) { salesOrders(first: $n) { totalCount nodes { number total { amount } customer { name } lines(first: 3) { nodes { description quantity delivered product { sku } } } } } }",
        ),
        (
            "quotations",
            "query($n: Int!) { quotations(first: $n) { totalCount nodes { number total { amount } customer { name } salesOrder { id } lines(first: 3) { nodes { description netMinor product { sku } } } } } }",
        ),
    ] {
        let mut counts = Vec::new();
        // The first request also fills the tenant's cache (the caller's grants, currencies).
        for n in [5, 5, 60] {
            let r = app.gql(Some(&token), doc, json!({ "n": n })).await;
            let nodes = ok(&r, field)["nodes"].as_array().unwrap();
            assert_eq!(nodes.len(), n as usize);
            assert_eq!(nodes[0]["lines"]["nodes"][0]["product"]["sku"], "W-1");
            counts.push(r.body["extensions"]["sqlStatements"].as_u64().unwrap());
        }
        assert_eq!(
            counts[1], counts[2],
            "{field}: statements grew with the page: {counts:?}"
        );
        assert!(counts[2] <= 6, "{field}: {counts:?}");
    }
}

#[tokio::test]
async fn a_credit_note_gives_back_on_the_order_what_it_returns_and_no_more() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("shop").await;
    let token = app.login(&t).await;
    let c = customer(&app, &token, "Acme", json!({})).await;
    let widget = app
        .id_of(
            &token,
            "mutation { createProduct(input: { sku: \"W-1\", name: \"Widget\", kind: GOODS, unit: \"ea\", currency: \"USD\", salePrice: \"100\" }) { id } }",
            json!({}),
            "createProduct",
        )
        .await;
    let r = app
        .gql(
            Some(&token),
            ORDER,
            json!({ "i": { "customerId": c, "date": day(0), "lines": [
                { "productId": widget, "quantity": "3" },
                { "description": "Setup", "quantity": "1", "unitPrice": "50" },
            ] } }),
        )
        .await;
    let order = ok(&r, "createSalesOrder")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    ok(
        &app.gql(Some(&token), CONFIRM, json!({ "id": order })).await,
        "confirmSalesOrder",
    );
    let invoice_all = || async {
        let r = app
            .gql(
                Some(&token),
                FROM_ORDER,
                json!({ "i": { "orderId": order, "date": day(0) } }),
            )
            .await;
        let id = ok(&r, "createInvoiceFromOrder")["id"]
            .as_str()
            .unwrap()
            .to_owned();
        ok(
            &app.gql(Some(&token), POST, json!({ "id": id })).await,
            "postInvoice",
        );
        id
    };
    let state = |o: &Value| {
        let lines = o["lines"]["nodes"].as_array().unwrap();
        (
            o["status"].as_str().unwrap().to_owned(),
            amount(&o["invoiced"]).to_owned(),
            lines
                .iter()
                .map(|l| l["invoiced"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>(),
        )
    };
    let first = invoice_all().await;
    assert_eq!(
        state(&order_of(&app, &token, &order).await),
        (
            "INVOICED".into(),
            "350.00".into(),
            vec!["3".into(), "1".into()]
        )
    );
    let credit = |invoice: &str, lines: Option<Value>| {
        let mut input = json!({ "invoiceId": invoice, "date": day(0) });
        if let Some(lines) = lines {
            input["lines"] = lines;
        }
        json!({ "i": input })
    };
    const CREDIT: &str = "mutation($i: CreateCreditNoteInput!) { createCreditNote(input: $i) { id total { amount } } }";
    let post_credit = |vars: Value| async {
        let r = app.gql(Some(&token), CREDIT, vars).await;
        let id = ok(&r, "createCreditNote")["id"]
            .as_str()
            .unwrap()
            .to_owned();
        app.gql(Some(&token), POST, json!({ "id": id })).await
    };

    // One widget comes back: the order has it to invoice again, and is no longer INVOICED
    // (nothing was delivered: CONFIRMED).
    let r = post_credit(credit(
        &first,
        Some(json!([{ "productId": widget, "quantity": "1", "unitPrice": "100" }])),
    ))
    .await;
    ok(&r, "postInvoice");
    assert_eq!(
        state(&order_of(&app, &token, &order).await),
        (
            "CONFIRMED".into(),
            "250.00".into(),
            vec!["2".into(), "1".into()]
        )
    );
    // A price correction as free text credits money only.
    let r = post_credit(credit(
        &first,
        Some(json!([{ "description": "Goodwill", "quantity": "1", "unitPrice": "10" }])),
    ))
    .await;
    ok(&r, "postInvoice");
    assert_eq!(
        state(&order_of(&app, &token, &order).await),
        (
            "CONFIRMED".into(),
            "250.00".into(),
            vec!["2".into(), "1".into()]
        )
    );
    // Three widgets cannot come back of an invoice that billed three and had one back
    // already; the refused posting changes nothing.
    let r = post_credit(credit(
        &first,
        Some(json!([{ "productId": widget, "quantity": "3", "unitPrice": "1" }])),
    ))
    .await;
    assert_eq!(rule(&r), "sales.over_credited", "{}", r.body);
    assert_eq!(
        state(&order_of(&app, &token, &order).await),
        (
            "CONFIRMED".into(),
            "250.00".into(),
            vec!["2".into(), "1".into()]
        )
    );
    // The widget is invoiced again, then that invoice is credited whole.
    let second = invoice_all().await;
    assert_eq!(
        state(&order_of(&app, &token, &order).await),
        (
            "INVOICED".into(),
            "350.00".into(),
            vec!["3".into(), "1".into()]
        )
    );
    let r = post_credit(credit(&second, None)).await;
    ok(&r, "postInvoice");
    assert_eq!(
        state(&order_of(&app, &token, &order).await),
        (
            "CONFIRMED".into(),
            "250.00".into(),
            vec!["2".into(), "1".into()]
        )
    );
    // The first invoice has 350 − 100 − 10 = 240 left to credit: two widgets and the setup
    // (250) are refused when the credit note is made; one widget and the setup come back.
    let r = app
        .gql(
            Some(&token),
            CREDIT,
            credit(
                &first,
                Some(json!([
                    { "productId": widget, "quantity": "2", "unitPrice": "100" },
                    { "description": "Setup", "quantity": "1", "unitPrice": "50" },
                ])),
            ),
        )
        .await;
    assert_eq!(rule(&r), "billing.credit_exceeds_invoice", "{}", r.body);
    let r = post_credit(credit(
        &first,
        Some(json!([
            { "productId": widget, "quantity": "1", "unitPrice": "100" },
            { "description": "Setup", "quantity": "1", "unitPrice": "50" },
        ])),
    ))
    .await;
    ok(&r, "postInvoice");
    assert_eq!(
        state(&order_of(&app, &token, &order).await),
        (
            "CONFIRMED".into(),
            "100.00".into(),
            vec!["1".into(), "0".into()]
        )
    );
}

#[tokio::test]
async fn drafts_are_edited_at_the_version_read_and_only_while_drafts() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("shop").await;
    let token = app.login(&t).await;
    let c = customer(&app, &token, "Acme", json!({})).await;
    let vat = vat20(&app, &token).await;
    const UPDATE_Q: &str = "mutation($id: ID!, $i: UpdateQuotationInput!) { updateQuotation(id: $id, input: $i) { version memo validUntil subtotal { amount } taxTotal { amount } total { amount } lines(first: 10) { nodes { lineNo description netMinor } } } }";
    let r = app
        .gql(
            Some(&token),
            QUOTE,
            json!({ "i": { "customerId": c, "date": day(0), "lines": [{ "description": "Widget", "quantity": "1", "unitPrice": "10" }] } }),
        )
        .await;
    let q = ok(&r, "createQuotation")["id"].as_str().unwrap().to_owned();
    let two_lines = json!([
        { "description": "Widget", "quantity": "3", "unitPrice": "100", "discount": "10", "taxRateIds": [vat] },
        { "description": "Setup", "quantity": "1", "unitPrice": "50", "taxRateIds": [vat] },
    ]);
    let r = app
        .gql(
            Some(&token),
            UPDATE_Q,
            json!({ "id": q, "i": { "expectedVersion": 1, "memo": "Valid while stocks last", "validUntil": day(10), "lines": two_lines } }),
        )
        .await;
    let u = ok(&r, "updateQuotation");
    assert_eq!(
        (
            &u["version"],
            &u["memo"],
            &u["validUntil"],
            amount(&u["subtotal"]),
            amount(&u["taxTotal"]),
            amount(&u["total"])
        ),
        (
            &json!(2),
            &json!("Valid while stocks last"),
            &json!(day(10)),
            "320.00",
            "64.00",
            "384.00"
        )
    );
    assert_eq!(
        u["lines"]["nodes"],
        json!([
            { "lineNo": 1, "description": "Widget", "netMinor": 27000 },
            { "lineNo": 2, "description": "Setup", "netMinor": 5000 },
        ])
    );
    // The version read is stale now; an edit without lines keeps them and computes again.
    let r = app
        .gql(
            Some(&token),
            UPDATE_Q,
            json!({ "id": q, "i": { "expectedVersion": 1, "memo": "" } }),
        )
        .await;
    assert_eq!(r.codes(), ["CONFLICT"], "{}", r.body);
    let r = app
        .gql(
            Some(&token),
            UPDATE_Q,
            json!({ "id": q, "i": { "expectedVersion": 2, "validUntil": day(-1) } }),
        )
        .await;
    assert_eq!(r.codes(), ["VALIDATION"], "{}", r.body);
    // Two edits at the same version: one wins, the other is a CONFLICT.
    let edit = |memo: &str| json!({ "id": q, "i": { "expectedVersion": 2, "memo": memo } });
    let (a, b) = tokio::join!(
        app.gql(Some(&token), UPDATE_Q, edit("a")),
        app.gql(Some(&token), UPDATE_Q, edit("b")),
    );
    let mut codes: Vec<String> = [&a, &b].iter().flat_map(|r| r.codes()).collect();
    codes.sort();
    assert_eq!(codes, ["CONFLICT"], "{} / {}", a.body, b.body);
    let r = app
        .gql(
            Some(&token),
            UPDATE_Q,
            json!({ "id": q, "i": { "expectedVersion": 3, "memo": "" } }),
        )
        .await;
    let u = ok(&r, "updateQuotation");
    assert_eq!(
        (&u["version"], &u["memo"], amount(&u["total"])),
        (&json!(4), &Value::Null, "384.00")
    );
    // A sales rep edits their own customers' drafts only.
    let rep = app
        .create_user(&t, &token, "rep@shop.test", &["sales_rep"])
        .await;
    let rep_token = app.login(&rep).await;
    let r = app
        .gql(
            Some(&rep_token),
            UPDATE_Q,
            json!({ "id": q, "i": { "expectedVersion": 4, "memo": "mine" } }),
        )
        .await;
    assert_eq!(r.codes(), ["NOT_FOUND"], "{}", r.body);
    // Once sent, a quotation is not edited.
    ok(
        &app.gql(Some(&token), SEND, json!({ "id": q })).await,
        "sendQuotation",
    );
    let r = app
        .gql(
            Some(&token),
            UPDATE_Q,
            json!({ "id": q, "i": { "expectedVersion": 5, "memo": "late" } }),
        )
        .await;
    assert_eq!(rule(&r), "sales.quotation_status", "{}", r.body);

    const UPDATE_O: &str = "mutation($id: ID!, $i: UpdateSalesOrderInput!) { updateSalesOrder(id: $id, input: $i) { version total { amount } lines(first: 10) { nodes { quantity } } } }";
    let r = app
        .gql(
            Some(&token),
            ORDER,
            json!({ "i": { "customerId": c, "date": day(0), "lines": [{ "description": "Goods", "quantity": "5", "unitPrice": "10" }] } }),
        )
        .await;
    let order = ok(&r, "createSalesOrder")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = app
        .gql(
            Some(&token),
            UPDATE_O,
            json!({ "id": order, "i": { "expectedVersion": 1, "lines": [{ "description": "Goods", "quantity": "7", "unitPrice": "10", "taxRateIds": [vat] }] } }),
        )
        .await;
    assert_eq!(
        ok(&r, "updateSalesOrder"),
        &json!({ "version": 2, "total": { "amount": "84.00" }, "lines": { "nodes": [{ "quantity": "7" }] } })
    );
    ok(
        &app.gql(Some(&token), CONFIRM, json!({ "id": order })).await,
        "confirmSalesOrder",
    );
    let r = app
        .gql(
            Some(&token),
            UPDATE_O,
            json!({ "id": order, "i": { "expectedVersion": 3, "memo": "late" } }),
        )
        .await;
    assert_eq!(rule(&r), "sales.order_status", "{}", r.body);
}
