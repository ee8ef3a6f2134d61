//! Finance core: the chart of accounts, posting and its rules (balance, immutability, lock
//! dates, gapless numbers), reversals, and the statements, each tried the way it would break:
//! unbalanced and one-sided entries, direct SQL past the service, concurrent postings of one
//! draft, rolled-back numbers, random sequences checked against the trial balance and the
//! balance sheet.

use std::collections::BTreeMap;

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement, TransactionTrait};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{Gql, Lcg, TestApp};

/// Posting account ids of the seeded chart, by code.
async fn accounts(app: &TestApp, token: &str) -> BTreeMap<String, String> {
    let r = app
        .gql(
            Some(token),
            "{ accounts(first: 100, filter: { isGroup: false }) { nodes { id code } } }",
            json!({}),
        )
        .await;
    r.body["data"]["accounts"]["nodes"]
        .as_array()
        .unwrap_or_else(|| panic!("{}", r.body))
        .iter()
        .map(|a| {
            (
                a["code"].as_str().unwrap().to_owned(),
                a["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

const CREATE: &str = "mutation($i: CreateJournalEntryInput!) { createJournalEntry(input: $i) { id number status total { amount currency } version } }";
const POST: &str =
    "mutation($id: ID!) { postJournalEntry(id: $id) { id number status fiscalYear } }";
const REVERSE: &str = "mutation($id: ID!, $d: Date) { reverseJournalEntry(id: $id, date: $d) { id number status reversalOf { id number } lines(first: 10) { nodes { debit { amount } credit { amount } } } } }";
const TRIAL: &str = "query($d: Date!) { trialBalance(asOf: $d) { lines { account { code } debit { amount } credit { amount } } totalDebit { amount } totalCredit { amount } } }";
const SHEET: &str = "query($d: Date!) { balanceSheet(asOf: $d) { totalAssets { amount } totalLiabilities { amount } totalEquity { amount } currentYearProfit { amount } earlierYearsProfit { amount } } }";

/// The input of a two-line entry: `amount` from `credit` to `debit` on `date`.
fn two_lines(date: &str, debit: &str, credit: &str, amount: &str) -> Value {
    json!({ "date": date, "lines": [
        { "accountId": debit, "debit": amount, "label": "in" },
        { "accountId": credit, "credit": amount, "label": "out" },
    ] })
}

async fn create(app: &TestApp, token: &str, input: Value) -> Gql {
    app.gql(Some(token), CREATE, json!({ "i": input })).await
}

async fn post(app: &TestApp, token: &str, id: &str) -> Gql {
    app.gql(Some(token), POST, json!({ "id": id })).await
}

/// Creates and posts an entry; returns (id, number).
async fn posted(app: &TestApp, token: &str, input: Value) -> (String, String) {
    let r = create(app, token, input).await;
    let id = r.body["data"]["createJournalEntry"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{}", r.body))
        .to_owned();
    let r = post(app, token, &id).await;
    let number = r.body["data"]["postJournalEntry"]["number"]
        .as_str()
        .unwrap_or_else(|| panic!("{}", r.body))
        .to_owned();
    (id, number)
}

fn rule(r: &Gql) -> String {
    r.body["errors"][0]["extensions"]["rule"]
        .as_str()
        .unwrap_or_else(|| panic!("no rule in {}", r.body))
        .to_owned()
}

fn amount(v: &Value) -> String {
    v["amount"]
        .as_str()
        .unwrap_or_else(|| panic!("{v}"))
        .to_owned()
}

#[tokio::test]
async fn a_balanced_entry_posts_with_the_next_number_and_shows_in_every_statement() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("books").await;
    let token = app.login(&t).await;
    let acc = accounts(&app, &token).await;
    assert!(acc.len() >= 25, "{acc:?}");
    // Capital paid into the bank, then a sale and an expense.
    let r = create(
        &app,
        &token,
        two_lines("2026-03-01", &acc["1010"], &acc["3000"], "10000.00"),
    )
    .await;
    let draft = &r.body["data"]["createJournalEntry"];
    assert_eq!(draft["status"], "DRAFT", "{}", r.body);
    assert_eq!(draft["number"], Value::Null, "drafts have no number");
    assert_eq!(
        draft["total"],
        json!({ "amount": "10000.00", "currency": "USD" })
    );
    let id = draft["id"].as_str().unwrap().to_owned();
    let r = app
        .gql(Some(&token), TRIAL, json!({ "d": "2026-12-31" }))
        .await;
    assert_eq!(
        r.body["data"]["trialBalance"]["lines"],
        json!([]),
        "drafts are in no report"
    );
    let r = post(&app, &token, &id).await;
    assert_eq!(
        r.body["data"]["postJournalEntry"],
        json!({ "id": id, "number": "JE-2026-000001", "status": "POSTED", "fiscalYear": 2026 }),
        "{}",
        r.body
    );
    let (_, second) = posted(
        &app,
        &token,
        two_lines("2026-04-10", &acc["1100"], &acc["4000"], "1500.00"),
    )
    .await;
    assert_eq!(second, "JE-2026-000002");
    posted(
        &app,
        &token,
        two_lines("2026-05-02", &acc["6100"], &acc["1010"], "800.00"),
    )
    .await;
    // Another fiscal year starts its own series at 1.
    let (_, next_year) = posted(
        &app,
        &token,
        two_lines("2027-01-05", &acc["6100"], &acc["1010"], "100.00"),
    )
    .await;
    assert_eq!(next_year, "JE-2027-000001");

    let r = app
        .gql(Some(&token), TRIAL, json!({ "d": "2026-12-31" }))
        .await;
    let tb = &r.body["data"]["trialBalance"];
    assert_eq!(amount(&tb["totalDebit"]), "11500.00", "{}", r.body);
    assert_eq!(amount(&tb["totalCredit"]), "11500.00");
    let lines: BTreeMap<String, (String, String)> = tb["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["account"]["code"].as_str().unwrap().to_owned(),
                (amount(&l["debit"]), amount(&l["credit"])),
            )
        })
        .collect();
    assert_eq!(lines["1010"], ("9200.00".into(), "0.00".into()));
    assert_eq!(lines["3000"], ("0.00".into(), "10000.00".into()));
    assert_eq!(lines["4000"], ("0.00".into(), "1500.00".into()));
    assert_eq!(lines.len(), 5, "{lines:?}");

    let r = app
        .gql(
            Some(&token),
            "{ profitAndLoss(from: \"2026-01-01\", to: \"2026-12-31\") { totalIncome { amount } totalExpenses { amount } netProfit { amount } income { account { code } amount { amount } } } }",
            json!({}),
        )
        .await;
    let pl = &r.body["data"]["profitAndLoss"];
    assert_eq!(amount(&pl["totalIncome"]), "1500.00", "{}", r.body);
    assert_eq!(amount(&pl["totalExpenses"]), "800.00");
    assert_eq!(amount(&pl["netProfit"]), "700.00");

    let r = app
        .gql(Some(&token), SHEET, json!({ "d": "2026-12-31" }))
        .await;
    let bs = &r.body["data"]["balanceSheet"];
    assert_eq!(amount(&bs["totalAssets"]), "10700.00", "{}", r.body);
    assert_eq!(amount(&bs["totalLiabilities"]), "0.00");
    assert_eq!(amount(&bs["totalEquity"]), "10700.00");
    assert_eq!(amount(&bs["currentYearProfit"]), "700.00");
    // A year later, 2026's profit is earlier years' and 2027 has its own.
    let r = app
        .gql(Some(&token), SHEET, json!({ "d": "2027-06-30" }))
        .await;
    let bs = &r.body["data"]["balanceSheet"];
    assert_eq!(amount(&bs["earlierYearsProfit"]), "700.00", "{}", r.body);
    assert_eq!(amount(&bs["currentYearProfit"]), "-100.00");
    assert_eq!(amount(&bs["totalAssets"]), amount(&bs["totalEquity"]));

    let r = app
        .gql(
            Some(&token),
            "query($a: ID!) { generalLedger(accountId: $a, from: \"2026-04-01\", to: \"2026-12-31\") { openingBalance { amount } lines { number label debit { amount } credit { amount } balance { amount } } closingBalance { amount } } }",
            json!({ "a": acc["1010"] }),
        )
        .await;
    let gl = &r.body["data"]["generalLedger"];
    assert_eq!(amount(&gl["openingBalance"]), "10000.00", "{}", r.body);
    assert_eq!(gl["lines"][0]["number"], "JE-2026-000003");
    assert_eq!(amount(&gl["lines"][0]["balance"]), "9200.00");
    assert_eq!(amount(&gl["closingBalance"]), "9200.00");
}

#[tokio::test]
async fn entries_that_do_not_balance_or_post_to_groups_are_refused() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("books").await;
    let token = app.login(&t).await;
    let acc = accounts(&app, &token).await;
    let r = create(
        &app,
        &token,
        json!({ "date": "2026-03-01", "lines": [
        { "accountId": acc["1010"], "debit": "100.00" },
        { "accountId": acc["3000"], "credit": "99.99" },
    ] }),
    )
    .await;
    assert_eq!(rule(&r), "ledger.unbalanced");
    let message = r.body["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("differ by 0.01"), "{message}");
    let r = create(
        &app,
        &token,
        json!({ "date": "2026-03-01", "lines": [
        { "accountId": acc["1010"], "debit": "100.00" },
    ] }),
    )
    .await;
    assert_eq!(r.codes(), ["VALIDATION"], "{}", r.body);
    let r = create(
        &app,
        &token,
        json!({ "date": "2026-03-01", "lines": [
        { "accountId": acc["1010"], "debit": "1", "credit": "1" },
        { "accountId": acc["3000"], "credit": "0" },
    ] }),
    )
    .await;
    assert_eq!(r.codes(), ["VALIDATION"], "{}", r.body);
    assert_eq!(
        r.body["errors"][0]["extensions"]["field"],
        "input.lines[0].credit"
    );
    let r = create(
        &app,
        &token,
        json!({ "date": "2026-03-01", "lines": [
        { "accountId": acc["1010"], "debit": "1.001" },
        { "accountId": acc["3000"], "credit": "1.001" },
    ] }),
    )
    .await;
    assert_eq!(r.codes(), ["VALIDATION"], "no silent rounding: {}", r.body);
    let groups = app
        .gql(
            Some(&token),
            "{ accounts(first: 1, filter: { isGroup: true }) { nodes { id } } }",
            json!({}),
        )
        .await;
    let group = groups.body["data"]["accounts"]["nodes"][0]["id"].clone();
    let r = create(
        &app,
        &token,
        json!({ "date": "2026-03-01", "lines": [
        { "accountId": group, "debit": "5" },
        { "accountId": acc["3000"], "credit": "5" },
    ] }),
    )
    .await;
    assert_eq!(rule(&r), "ledger.group_account");
    let r = create(
        &app,
        &token,
        json!({ "date": "2026-03-01", "lines": [
        { "accountId": Uuid::now_v7(), "debit": "5" },
        { "accountId": acc["3000"], "credit": "5" },
    ] }),
    )
    .await;
    assert_eq!(
        r.body["errors"][0]["extensions"]["field"], "input.lines[0].accountId",
        "{}",
        r.body
    );
    // An archived account takes no postings; a control account is never archived.
    let r = app
        .gql(
            Some(&token),
            "mutation($a: ID!) { archiveAccount(id: $a) { isActive } }",
            json!({ "a": acc["6300"] }),
        )
        .await;
    assert_eq!(
        r.body["data"]["archiveAccount"]["isActive"], false,
        "{}",
        r.body
    );
    let r = create(
        &app,
        &token,
        two_lines("2026-03-01", &acc["6300"], &acc["1000"], "5"),
    )
    .await;
    assert_eq!(rule(&r), "ledger.archived_account");
    let r = app
        .gql(
            Some(&token),
            "mutation($a: ID!) { archiveAccount(id: $a) { isActive } }",
            json!({ "a": acc["1100"] }),
        )
        .await;
    assert_eq!(rule(&r), "ledger.control_account");
    let r = app
        .gql(Some(&token), "{ journalEntries { totalCount } }", json!({}))
        .await;
    assert_eq!(
        r.body["data"]["journalEntries"]["totalCount"], 0,
        "nothing was written"
    );
}

#[tokio::test]
async fn a_posted_entry_is_immutable_and_reversed_exactly_once() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("books").await;
    let token = app.login(&t).await;
    let acc = accounts(&app, &token).await;
    let (id, number) = posted(
        &app,
        &token,
        two_lines("2026-06-01", &acc["6200"], &acc["1010"], "42.00"),
    )
    .await;
    let r = post(&app, &token, &id).await;
    assert_eq!(rule(&r), "ledger.posted_immutable");
    let r = app
        .gql(
            Some(&token),
            REVERSE,
            json!({ "id": id, "d": "2026-06-15" }),
        )
        .await;
    let reversal = &r.body["data"]["reverseJournalEntry"];
    assert_eq!(reversal["number"], "JE-2026-000002", "{}", r.body);
    assert_eq!(
        reversal["reversalOf"],
        json!({ "id": id, "number": number })
    );
    assert_eq!(
        amount(&reversal["lines"]["nodes"][0]["credit"]),
        "42.00",
        "sides swapped"
    );
    let r = app.gql(Some(&token), REVERSE, json!({ "id": id })).await;
    assert_eq!(rule(&r), "ledger.already_reversed");
    // A posted entry is not deleted; a draft is, with its lines.
    let delete = "mutation($id: ID!) { deleteJournalEntry(id: $id) { id status } }";
    let r = app.gql(Some(&token), delete, json!({ "id": id })).await;
    assert_eq!(rule(&r), "ledger.posted_immutable");
    let draft = create(
        &app,
        &token,
        two_lines("2026-06-03", &acc["6200"], &acc["1010"], "1.00"),
    )
    .await;
    let draft = draft.body["data"]["createJournalEntry"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = app.gql(Some(&token), REVERSE, json!({ "id": draft })).await;
    assert_eq!(rule(&r), "ledger.not_posted");
    let r = app.gql(Some(&token), delete, json!({ "id": draft })).await;
    assert_eq!(
        r.body["data"]["deleteJournalEntry"]["status"], "DRAFT",
        "{}",
        r.body
    );
    let r = app
        .gql(
            Some(&token),
            "query($id: ID!) { journalEntry(id: $id) { id } }",
            json!({ "id": draft }),
        )
        .await;
    assert_eq!(r.body["data"]["journalEntry"], Value::Null);
    let r = app
        .gql(Some(&token), TRIAL, json!({ "d": "2026-12-31" }))
        .await;
    assert_eq!(
        r.body["data"]["trialBalance"]["lines"],
        json!([]),
        "{}",
        r.body
    );
    let r = app
        .gql(Some(&token), TRIAL, json!({ "d": "2026-06-10" }))
        .await;
    assert_eq!(
        amount(&r.body["data"]["trialBalance"]["totalDebit"]),
        "42.00"
    );
    // Two concurrent reversals of another entry: one wins.
    let (other, _) = posted(
        &app,
        &token,
        two_lines("2026-06-02", &acc["6200"], &acc["1010"], "7.00"),
    )
    .await;
    let (a, b) = tokio::join!(
        app.gql(Some(&token), REVERSE, json!({ "id": other })),
        app.gql(Some(&token), REVERSE, json!({ "id": other })),
    );
    let wins = [&a, &b]
        .iter()
        .filter(|r| r.body["errors"].is_null())
        .count();
    assert_eq!(wins, 1, "{} {}", a.body, b.body);
}

#[tokio::test]
async fn nothing_posts_into_a_locked_period_and_the_stricter_lock_binds_only_non_accountants() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("books").await;
    let admin = app.login(&t).await;
    let acc = accounts(&app, &admin).await;
    let clerk = app.create_user(&t, &admin, "clerk@books.test", &[]).await;
    let role = app
        .create_role(
            &admin,
            "clerk",
            &[
                ("finance.account.read", "ALL"),
                ("finance.entry.read", "ALL"),
                ("finance.entry.write", "ALL"),
                ("finance.entry.post", "ALL"),
            ],
        )
        .await;
    app.gql(
        Some(&admin),
        "mutation($u: ID!, $r: ID!) { assignRole(userId: $u, roleId: $r) { id } }",
        json!({ "u": clerk.id, "r": role }),
    )
    .await;
    let clerk = app.login(&clerk).await;
    let r = app
        .gql(
            Some(&admin),
            "mutation { lockPeriod(input: { lockDate: \"2026-01-31\", userLockDate: \"2026-02-28\" }) { lockDate userLockDate version } }",
            json!({}),
        )
        .await;
    assert_eq!(
        r.body["data"]["lockPeriod"],
        json!({ "lockDate": "2026-01-31", "userLockDate": "2026-02-28", "version": 2 }),
        "{}",
        r.body
    );
    let r = app
        .gql(
            Some(&clerk),
            "mutation { lockPeriod(input: { lockDate: null }) { lockDate } }",
            json!({}),
        )
        .await;
    assert_eq!(r.codes(), ["FORBIDDEN"], "{}", r.body);
    // A draft dated in January cannot be posted by anyone; February only by the accountant.
    let jan = create(
        &app,
        &admin,
        two_lines("2026-01-31", &acc["6100"], &acc["1010"], "1"),
    )
    .await;
    let jan = jan.body["data"]["createJournalEntry"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        rule(&post(&app, &admin, &jan).await),
        "ledger.period_locked"
    );
    let feb = create(
        &app,
        &clerk,
        two_lines("2026-02-28", &acc["6100"], &acc["1010"], "1"),
    )
    .await;
    let feb = feb.body["data"]["createJournalEntry"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        rule(&post(&app, &clerk, &feb).await),
        "ledger.period_locked"
    );
    let r = post(&app, &admin, &feb).await;
    assert_eq!(
        r.body["data"]["postJournalEntry"]["number"], "JE-2026-000001",
        "{}",
        r.body
    );
    let mar = create(
        &app,
        &clerk,
        two_lines("2026-03-01", &acc["6100"], &acc["1010"], "1"),
    )
    .await;
    let mar = mar.body["data"]["createJournalEntry"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        post(&app, &clerk, &mar).await.body["data"]["postJournalEntry"]["number"],
        "JE-2026-000002",
        "refused postings gave back no number"
    );
    // A reversal dated in the locked period is refused too.
    let r = app
        .gql(
            Some(&admin),
            REVERSE,
            json!({ "id": feb, "d": "2026-01-15" }),
        )
        .await;
    assert_eq!(rule(&r), "ledger.period_locked");
    let r = app
        .gql(
            Some(&admin),
            "mutation { lockPeriod(input: { lockDate: \"2026-03-31\", userLockDate: \"2026-02-28\" }) { lockDate } }",
            json!({}),
        )
        .await;
    assert_eq!(
        r.codes(),
        ["VALIDATION"],
        "the users' lock is the stricter one: {}",
        r.body
    );
}

/// Runs `sql` statements in one transaction on the tenant's database; the first error.
async fn direct(db: &DatabaseConnection, sql: &[String]) -> Result<(), String> {
    let tx = db.begin().await.map_err(|e| e.to_string())?;
    for s in sql {
        tx.execute_raw(Statement::from_string(db.get_database_backend(), s.clone()))
            .await
            .map_err(|e| e.to_string())?;
    }
    tx.commit().await.map_err(|e| e.to_string())
}

#[tokio::test]
async fn the_database_refuses_unbalanced_and_changed_posted_entries_written_past_the_service() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("books").await;
    let token = app.login(&t).await;
    let acc = accounts(&app, &token).await;
    let (posted_id, _) = posted(
        &app,
        &token,
        two_lines("2026-06-01", &acc["6200"], &acc["1010"], "42.00"),
    )
    .await;
    let db = app.tenant_conn(&t).await;
    let pg = db.get_database_backend() == DbBackend::Postgres;
    let uuid = |id: &str| {
        if pg {
            format!("'{id}'")
        } else {
            // SQLite keeps UUIDs as 16-byte blobs.
            format!("X'{}'", id.replace('-', ""))
        }
    };
    let journal = {
        let r = app
            .gql(
                Some(&token),
                "{ journals { nodes { id code } } }",
                json!({}),
            )
            .await;
        r.body["data"]["journals"]["nodes"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let now = if pg {
        "now()"
    } else {
        "'2026-06-01T00:00:00Z'"
    };
    let entry = Uuid::now_v7().to_string();
    let insert_entry = |status: &str| {
        format!(
            "INSERT INTO journal_entry (id, journal_id, entry_date, status, total_minor, version, created_at, updated_at) \
             VALUES ({}, {}, '2026-06-02', '{status}', 100, 1, {now}, {now})",
            uuid(&entry),
            uuid(&journal)
        )
    };
    let line = |account: &str, debit: i64, credit: i64| {
        format!(
            "INSERT INTO journal_line (id, entry_id, entry_date, line_no, account_id, debit_minor, credit_minor) \
             VALUES ({}, {}, '2026-06-02', 1, {}, {debit}, {credit})",
            uuid(&Uuid::now_v7().to_string()),
            uuid(&entry),
            uuid(account)
        )
    };
    let post = format!(
        "UPDATE journal_entry SET status = 'POSTED' WHERE id = {}",
        uuid(&entry)
    );
    // Draft, unbalanced lines, posted by an UPDATE: refused (PostgreSQL at commit).
    let err = direct(
        &db,
        &[
            insert_entry("DRAFT"),
            line(&acc["1010"], 100, 0),
            line(&acc["3000"], 0, 90),
            post.clone(),
        ],
    )
    .await
    .expect_err("an unbalanced posted entry committed");
    assert!(err.contains("ledger.unbalanced"), "{err}");
    // Inserted as posted without lines: refused (PostgreSQL at commit, SQLite at once).
    let err = direct(&db, &[insert_entry("POSTED")])
        .await
        .expect_err("a posted entry without lines committed");
    assert!(err.contains("ledger.unbalanced"), "{err}");
    // Inserted as posted with one line: refused.
    let err = direct(&db, &[insert_entry("POSTED"), line(&acc["1010"], 100, 0)])
        .await
        .expect_err("a one-line posted entry committed");
    assert!(err.contains("ledger."), "{err}");
    // Balanced, but the lines carry another date than their entry: refused too.
    let misdated = |sql: String| sql.replace("'2026-06-02', 1,", "'2026-06-03', 1,");
    let err = direct(
        &db,
        &[
            insert_entry("DRAFT"),
            misdated(line(&acc["1010"], 100, 0)),
            misdated(line(&acc["3000"], 0, 100)),
            post.clone(),
        ],
    )
    .await
    .expect_err("misdated lines committed");
    assert!(err.contains("ledger.unbalanced"), "{err}");
    // The same written as the service does, balanced: accepted.
    direct(
        &db,
        &[
            insert_entry("DRAFT"),
            line(&acc["1010"], 100, 0),
            line(&acc["3000"], 0, 100),
            post,
        ],
    )
    .await
    .unwrap();
    // Posted rows never change: not a line's amount, not the entry, not a deletion.
    for sql in [
        format!(
            "UPDATE journal_line SET debit_minor = 1 WHERE entry_id = {}",
            uuid(&posted_id)
        ),
        format!(
            "DELETE FROM journal_line WHERE entry_id = {}",
            uuid(&posted_id)
        ),
        format!(
            "UPDATE journal_entry SET memo = 'x' WHERE id = {}",
            uuid(&posted_id)
        ),
        format!("DELETE FROM journal_entry WHERE id = {}", uuid(&posted_id)),
        line(&acc["1010"], 5, 0),
    ] {
        let err = direct(&db, std::slice::from_ref(&sql))
            .await
            .expect_err(&format!("{sql} changed a posted entry"));
        assert!(err.contains("ledger.posted_immutable"), "{sql}: {err}");
    }
    let unbalanced = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT count(*) FROM journal_entry e WHERE e.status = 'POSTED' AND \
             (SELECT coalesce(sum(debit_minor - credit_minor), 0) FROM journal_line WHERE entry_id = e.id) <> 0",
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(unbalanced.try_get_by_index::<i64>(0).unwrap(), 0);
}

#[tokio::test]
async fn numbers_run_without_gaps_or_duplicates_through_concurrency_and_rollbacks() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("books").await;
    let token = app.login(&t).await;
    let acc = accounts(&app, &token).await;
    // 1,000 postings through the ledger service by 32 concurrent writes, one in ten rolled
    // back after its number was drawn (the write is dropped before its commit).
    let db = app.tenant_conn(&t).await;
    let tenant = t.id;
    let (debit, credit) = (
        Uuid::parse_str(&acc["6500"]).unwrap(),
        Uuid::parse_str(&acc["1010"]).unwrap(),
    );
    let journal = {
        let r = app
            .gql(
                Some(&token),
                "{ journals { nodes { id code } } }",
                json!({}),
            )
            .await;
        let nodes = r.body["data"]["journals"]["nodes"]
            .as_array()
            .unwrap()
            .clone();
        let general = nodes.iter().find(|j| j["code"] == "GEN").unwrap();
        Uuid::parse_str(general["id"].as_str().unwrap()).unwrap()
    };
    let mut tasks = tokio::task::JoinSet::new();
    for worker in 0..32u32 {
        let db = db.clone();
        tasks.spawn(async move {
            use api::modules::finance::service::ledger::{self, NewEntry, NewLine};
            let access = api::authz::Access::system(tenant);
            let mut kept = Vec::new();
            for n in (worker..1_000).step_by(32) {
                let w = api::kit::Write::begin(&db, &access, api::audit::AuditActor(None), None);
                let line = |debit_minor, credit_minor, account_id| NewLine {
                    account_id,
                    debit_minor,
                    credit_minor,
                    ..Default::default()
                };
                let entry = NewEntry {
                    journal_id: journal,
                    date: chrono::NaiveDate::from_ymd_opt(2026, 7, 1).unwrap(),
                    lines: vec![line(100, 0, debit), line(0, 100, credit)],
                    ..Default::default()
                };
                let row = ledger::post(&w, None, &entry).await.unwrap();
                if n % 10 == 3 {
                    drop(w);
                } else {
                    w.commit().await.unwrap();
                    kept.push(row.number.unwrap());
                }
            }
            kept
        });
    }
    let mut numbers = Vec::new();
    while let Some(kept) = tasks.join_next().await {
        numbers.extend(kept.unwrap());
    }
    numbers.sort();
    let want: Vec<String> = (1..=900).map(|n| format!("JE-2026-{n:06}")).collect();
    assert_eq!(numbers, want, "gaps or duplicates");

    // Through the API: 40 drafts, every fourth posted by two requests at once. The loser
    // drew a number and rolled back; the numbers still run on, 901..940.
    let mut drafts = Vec::new();
    for i in 0..40 {
        let r = create(
            &app,
            &token,
            two_lines(
                "2026-08-01",
                &acc["6500"],
                &acc["1010"],
                &format!("{}.00", i + 1),
            ),
        )
        .await;
        drafts.push(
            r.body["data"]["createJournalEntry"]["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let posts = drafts.iter().enumerate().flat_map(|(i, id)| {
        let times = if i % 4 == 0 { 2 } else { 1 };
        std::iter::repeat_n(id.clone(), times)
    });
    let results = futures_util::future::join_all(posts.map(|id| {
        let (app, token) = (&app, &token);
        async move { (id.clone(), post(app, token, &id).await) }
    }))
    .await;
    let mut by_draft: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (id, r) in &results {
        match r.body["data"]["postJournalEntry"]["number"].as_str() {
            Some(n) => by_draft.entry(id.clone()).or_default().push(n.to_owned()),
            None => {
                let code = &r.body["errors"][0]["extensions"]["code"];
                assert!(code == "CONFLICT" || code == "BUSINESS_RULE", "{}", r.body);
            }
        }
    }
    assert!(
        by_draft.values().all(|n| n.len() == 1),
        "a draft posted twice: {by_draft:?}"
    );
    let mut got: Vec<String> = by_draft.into_values().flatten().collect();
    got.sort();
    let want: Vec<String> = (901..=940).map(|n| format!("JE-2026-{n:06}")).collect();
    assert_eq!(got, want);
}

#[tokio::test]
async fn random_postings_reversals_and_refusals_keep_the_books_balanced() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("books").await;
    let token = app.login(&t).await;
    let codes: Vec<(String, String)> = accounts(&app, &token).await.into_iter().collect();
    let mut rng = Lcg(0x5eed_2026);
    let mut posted_ids: Vec<String> = Vec::new();
    let (mut refused, mut reversed) = (0, 0);
    for step in 0..60 {
        let choice = rng.next(10);
        if choice < 2 && !posted_ids.is_empty() {
            let id = posted_ids[rng.next(posted_ids.len() as u64) as usize].clone();
            let r = app.gql(Some(&token), REVERSE, json!({ "id": id })).await;
            if r.body["errors"].is_null() {
                reversed += 1;
                posted_ids.push(
                    r.body["data"]["reverseJournalEntry"]["id"]
                        .as_str()
                        .unwrap()
                        .to_owned(),
                );
            } else {
                assert_eq!(rule(&r), "ledger.already_reversed", "{}", r.body);
            }
            continue;
        }
        let lines = 2 + rng.next(4) as usize;
        let mut input = Vec::new();
        let mut balance = 0i64;
        for i in 0..lines {
            let account = &codes[rng.next(codes.len() as u64) as usize].1;
            let cents = 1 + rng.next(1_000_000) as i64;
            let debit = if i + 1 == lines {
                balance < 0
            } else {
                rng.next(2) == 0
            };
            let cents = if i + 1 == lines && balance != 0 {
                balance.abs()
            } else {
                cents
            };
            balance += if debit { cents } else { -cents };
            let text = format!("{}.{:02}", cents / 100, cents % 100);
            input.push(if debit {
                json!({ "accountId": account, "debit": text })
            } else {
                json!({ "accountId": account, "credit": text })
            });
        }
        // One attempt in four is knocked off balance by a cent.
        let unbalance = choice >= 7;
        if unbalance {
            let last = input.last_mut().unwrap();
            let side = if last.get("debit").is_some() {
                "debit"
            } else {
                "credit"
            };
            let cents: Vec<i64> = last[side]
                .as_str()
                .unwrap()
                .split('.')
                .map(|p| p.parse().unwrap())
                .collect();
            let moved = cents[0] * 100 + cents[1] + 1;
            last[side] = json!(format!("{}.{:02}", moved / 100, moved % 100));
        }
        let date = format!("2026-{:02}-{:02}", 1 + rng.next(12), 1 + rng.next(28));
        let r = create(&app, &token, json!({ "date": date, "lines": input })).await;
        if unbalance || balance != 0 {
            assert_eq!(rule(&r), "ledger.unbalanced", "step {step}: {}", r.body);
            refused += 1;
            continue;
        }
        let id = r.body["data"]["createJournalEntry"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("step {step}: {}", r.body))
            .to_owned();
        let r = post(&app, &token, &id).await;
        assert!(r.body["errors"].is_null(), "step {step}: {}", r.body);
        posted_ids.push(id);
        for as_of in ["2026-03-31", "2026-12-31"] {
            let tb = app.gql(Some(&token), TRIAL, json!({ "d": as_of })).await;
            let tb = &tb.body["data"]["trialBalance"];
            assert_eq!(tb["totalDebit"], tb["totalCredit"], "step {step}");
            let bs = app.gql(Some(&token), SHEET, json!({ "d": as_of })).await;
            let bs = &bs.body["data"]["balanceSheet"];
            let cents = |v: &Value| -> i64 { amount(v).replace('.', "").parse().unwrap() };
            assert_eq!(
                cents(&bs["totalAssets"]),
                cents(&bs["totalLiabilities"]) + cents(&bs["totalEquity"]),
                "step {step}: {bs}"
            );
        }
    }
    assert!(
        refused >= 5 && reversed >= 3 && posted_ids.len() >= 20,
        "{refused} {reversed} {}",
        posted_ids.len()
    );
}

#[tokio::test]
async fn a_sales_rep_sees_no_books() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("books").await;
    let admin = app.login(&t).await;
    let rep = app
        .create_user(&t, &admin, "rep@books.test", &["sales_rep"])
        .await;
    let rep = app.login(&rep).await;
    for doc in [
        "{ journalEntries { totalCount } }",
        "{ accounts { totalCount } }",
        "{ trialBalance(asOf: \"2026-12-31\") { totalDebit { amount } } }",
        "{ balanceSheet(asOf: \"2026-12-31\") { totalAssets { amount } } }",
    ] {
        let r = app.gql(Some(&rep), doc, json!({})).await;
        assert_eq!(r.codes(), ["FORBIDDEN"], "{doc}: {}", r.body);
    }
    // The accountant keeps the books; the manager reads the statements only.
    let accountant = app
        .create_user(&t, &admin, "acc@books.test", &["accountant"])
        .await;
    let accountant = app.login(&accountant).await;
    let acc = accounts(&app, &accountant).await;
    posted(
        &app,
        &accountant,
        two_lines("2026-02-02", &acc["1000"], &acc["4100"], "9.99"),
    )
    .await;
    let manager = app
        .create_user(&t, &admin, "boss@books.test", &["manager"])
        .await;
    let manager = app.login(&manager).await;
    let r = app
        .gql(Some(&manager), TRIAL, json!({ "d": "2026-12-31" }))
        .await;
    assert_eq!(
        amount(&r.body["data"]["trialBalance"]["totalDebit"]),
        "9.99",
        "{}",
        r.body
    );
    let r = create(
        &app,
        &manager,
        two_lines("2026-02-02", &acc["1000"], &acc["4100"], "1"),
    )
    .await;
    assert_eq!(r.codes(), ["FORBIDDEN"]);
}

#[tokio::test]
async fn a_foreign_amount_keeps_its_currency_and_rate() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("books").await;
    let token = app.login(&t).await;
    let acc = accounts(&app, &token).await;
    let r = app
        .gql(
            Some(&token),
            "mutation { setExchangeRate(input: { currency: \"EUR\", rate: \"1.0875\", validFrom: \"2026-01-01\" }) { id } }",
            json!({}),
        )
        .await;
    assert!(r.body["errors"].is_null(), "{}", r.body);
    // 200.00 EUR at the dated rate, the company amount computed: 217.50 USD.
    let r = create(&app, &token, json!({ "date": "2026-05-05", "lines": [
        { "accountId": acc["1100"], "foreign": { "amount": { "amount": "200.00", "currency": "EUR" } } },
        { "accountId": acc["4000"], "credit": "217.50" },
    ] }))
    .await;
    let id = r.body["data"]["createJournalEntry"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{}", r.body))
        .to_owned();
    let r = app
        .gql(
            Some(&token),
            "query($id: ID!) { journalEntry(id: $id) { lines(first: 5) { nodes { debit { amount } foreign { amount { amount currency } rate } } } } }",
            json!({ "id": id }),
        )
        .await;
    let line = &r.body["data"]["journalEntry"]["lines"]["nodes"][0];
    assert_eq!(amount(&line["debit"]), "217.50", "{}", r.body);
    assert_eq!(
        line["foreign"],
        json!({ "amount": { "amount": "200.00", "currency": "EUR" }, "rate": "1.0875" })
    );
    let r = create(&app, &token, json!({ "date": "2026-05-05", "lines": [
        { "accountId": acc["1100"], "debit": "10", "foreign": { "amount": { "amount": "10", "currency": "USD" }, "rate": "1" } },
        { "accountId": acc["4000"], "credit": "10" },
    ] }))
    .await;
    assert_eq!(
        r.body["errors"][0]["extensions"]["field"], "input.lines[0].foreign.currency",
        "{}",
        r.body
    );
}

#[tokio::test]
async fn each_statement_costs_the_same_sql_for_ten_accounts_as_for_fifty() {
    let app = TestApp::counting().await;
    let t = app.create_tenant("books").await;
    let token = app.login(&t).await;
    let acc = accounts(&app, &token).await;
    let reports = [
        "{ trialBalance(asOf: \"2026-12-31\") { lines { account { code } debit { amount } } totalDebit { amount } } }",
        "{ profitAndLoss(from: \"2026-01-01\", to: \"2026-12-31\") { income { account { code } amount { amount } } netProfit { amount } } }",
        "{ balanceSheet(asOf: \"2026-12-31\") { assets { account { code } amount { amount } } totalEquity { amount } } }",
    ];
    let gl = "query($a: ID!) { generalLedger(accountId: $a, from: \"2026-01-01\", to: \"2026-12-31\") { lines { number balance { amount } } } }";
    let cost = |doc: &'static str, vars: Value| {
        let (app, token) = (&app, &token);
        async move {
            // The second run: the tenant's cached tables are warm.
            app.gql(Some(token), doc, vars.clone()).await;
            let r = app.gql(Some(token), doc, vars).await;
            assert!(r.body["errors"].is_null(), "{}", r.body);
            r.body["extensions"]["sqlStatements"].as_u64().unwrap()
        }
    };
    for i in 0..10 {
        posted(
            &app,
            &token,
            two_lines(
                "2026-02-01",
                &acc["1010"],
                &acc["4000"],
                &format!("{}.00", i + 1),
            ),
        )
        .await;
    }
    let mut before = Vec::new();
    for doc in reports {
        before.push(cost(doc, json!({})).await);
    }
    before.push(cost(gl, json!({ "a": acc["1010"] })).await);
    // Forty more accounts, each with postings.
    for i in 0..40 {
        let r = app
            .gql(
                Some(&token),
                "mutation($c: String!) { createAccount(input: { code: $c, name: $c, kind: INCOME }) { id } }",
                json!({ "c": format!("48{i:02}") }),
            )
            .await;
        let id = r.body["data"]["createAccount"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        posted(
            &app,
            &token,
            two_lines("2026-03-01", &acc["1010"], &id, "3.00"),
        )
        .await;
    }
    let mut after = Vec::new();
    for doc in reports {
        after.push(cost(doc, json!({})).await);
    }
    after.push(cost(gl, json!({ "a": acc["1010"] })).await);
    assert_eq!(
        before, after,
        "statements per report grew with the accounts"
    );
    assert!(after.iter().all(|&n| n <= 3), "{after:?}");
}

#[tokio::test]
async fn a_foreign_receivable_settled_at_another_rate_posts_the_realised_difference() {
    use api::modules::finance::service::fx::{self, Partner, Settlement, Side};
    use api::modules::finance::service::ledger::{self, Foreign, NewEntry, NewLine};
    let app = TestApp::spawn().await;
    let t = app.create_tenant("books").await;
    let token = app.login(&t).await;
    let acc = accounts(&app, &token).await;
    let id = |code: &str| Uuid::parse_str(&acc[code]).unwrap();
    let db = app.tenant_conn(&t).await;
    let access = api::authz::Access::system(t.id);
    let date = chrono::NaiveDate::from_ymd_opt(2026, 9, 1).unwrap();
    let w = api::kit::Write::begin(&db, &access, api::audit::AuditActor(None), None);
    let journal = ledger::journal_of(&w, entities::finance::journal::JournalKind::Sales)
        .await
        .unwrap()
        .id;
    // An invoice of 1,000.00 EUR booked at 1.08: 1,080.00 USD.
    let invoice = NewEntry {
        journal_id: journal,
        date,
        lines: vec![
            NewLine {
                account_id: id("1100"),
                debit_minor: 108_000,
                foreign: Some(Foreign {
                    currency: "EUR".into(),
                    amount_minor: 100_000,
                    rate_micros: 1_080_000,
                }),
                ..Default::default()
            },
            NewLine {
                account_id: id("4000"),
                credit_minor: 108_000,
                ..Default::default()
            },
        ],
        ..Default::default()
    };
    ledger::post(&w, None, &invoice).await.unwrap();
    // Paid at 1.10 (1,100.00), then another one paid at 1.05 (1,050.00).
    for (rate, date) in [(1_100_000, 9), (1_050_000, 10)] {
        let s = Settlement {
            side: Side::Receivable,
            control_account: id("1100"),
            money_account: id("1010"),
            currency: "EUR".into(),
            currency_digits: 2,
            company_digits: 2,
            amount_minor: 50_000,
            booked_rate_micros: 1_080_000,
            settled_rate_micros: rate,
            partner: Partner::None,
        };
        let lines = fx::settlement_lines(&w, &s).await.unwrap();
        let entry = NewEntry {
            journal_id: journal,
            date: chrono::NaiveDate::from_ymd_opt(2026, 9, date).unwrap(),
            lines,
            ..Default::default()
        };
        ledger::post(&w, None, &entry).await.unwrap();
    }
    w.commit().await.unwrap();
    let r = app
        .gql(Some(&token), TRIAL, json!({ "d": "2026-12-31" }))
        .await;
    let tb = &r.body["data"]["trialBalance"];
    let line = |code: &str| {
        tb["lines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["account"]["code"] == code)
            .map(|l| (amount(&l["debit"]), amount(&l["credit"])))
    };
    assert_eq!(line("1100"), None, "the receivable is cleared: {tb}");
    assert_eq!(
        line("1010"),
        Some(("1075.00".into(), "0.00".into())),
        "550.00 + 525.00"
    );
    assert_eq!(
        line("4950"),
        Some(("0.00".into(), "10.00".into())),
        "gain 540 → 550"
    );
    assert_eq!(
        line("6900"),
        Some(("15.00".into(), "0.00".into())),
        "loss 540 → 525"
    );
    assert_eq!(tb["totalDebit"], tb["totalCredit"]);
}

const COMPUTE: &str = "query($i: ComputeTaxesInput!) { computeTaxes(input: $i) { net { amount } tax { amount } rounding { amount } total { amount } taxes { code kind rate base { amount } amount { amount } } lines { net { amount } total { amount } } } }";
const SETTINGS: &str = "mutation($i: UpdateLedgerSettingsInput!) { updateLedgerSettings(input: $i) { taxRounding roundingMode cashIncrement { amount } fiscalYearStartMonth version } }";

async fn tax_rate(app: &TestApp, token: &str, code: &str, rate: &str, extra: Value) -> String {
    let mut input = json!({ "code": code, "name": code, "rate": rate, "validFrom": "2020-01-01" });
    input
        .as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    app.id_of(
        token,
        "mutation($i: CreateTaxRateInput!) { createTaxRate(input: $i) { id } }",
        json!({ "i": input }),
        "createTaxRate",
    )
    .await
}

#[tokio::test]
async fn documents_are_taxed_by_the_tenants_rates_and_rounding_policy() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("books").await;
    let token = app.login(&t).await;
    let vat12 = tax_rate(&app, &token, "VAT12", "12", json!({ "inclusive": true })).await;
    let shelf = |price: &str| {
        json!({ "i": { "date": "2026-05-01", "currency": "USD", "lines": [
            { "quantity": "1", "unitPrice": price, "taxRateIds": [vat12] },
        ] } })
    };
    let figures = |r: &Gql| {
        let c = &r.body["data"]["computeTaxes"];
        assert!(r.body["errors"].is_null(), "{}", r.body);
        [&c["net"], &c["tax"], &c["rounding"], &c["total"]].map(amount)
    };
    // odoo/odoo#46288: 52.50 with 12 % included. Per line (the default): the cent stays in
    // the net.
    let r = app.gql(Some(&token), COMPUTE, shelf("52.50")).await;
    assert_eq!(figures(&r), ["46.87", "5.63", "0.00", "52.50"]);
    // Per document, half up: tax 5.625 → 5.63 and net 46.875 → 46.88; the rounding line
    // gives the customer back the shelf price.
    let r = app
        .gql(
            Some(&token),
            SETTINGS,
            json!({ "i": { "taxRounding": "PER_DOCUMENT", "expectedVersion": 1 } }),
        )
        .await;
    assert_eq!(
        r.body["data"]["updateLedgerSettings"]["taxRounding"], "PER_DOCUMENT",
        "{}",
        r.body
    );
    let r = app.gql(Some(&token), COMPUTE, shelf("52.50")).await;
    assert_eq!(figures(&r), ["46.88", "5.63", "-0.01", "52.50"]);
    // Banker's rounding: 5.625 → 5.62 (even), 46.875 → 46.88, nothing to reconcile.
    let r = app
        .gql(
            Some(&token),
            SETTINGS,
            json!({ "i": { "roundingMode": "HALF_EVEN", "expectedVersion": 2 } }),
        )
        .await;
    assert_eq!(
        r.body["data"]["updateLedgerSettings"]["version"], 3,
        "{}",
        r.body
    );
    let r = app.gql(Some(&token), COMPUTE, shelf("52.50")).await;
    assert_eq!(figures(&r), ["46.88", "5.62", "0.00", "52.50"]);
    let r = app
        .gql(
            Some(&token),
            SETTINGS,
            json!({ "i": { "roundingMode": "HALF_UP", "expectedVersion": 2 } }),
        )
        .await;
    assert_eq!(r.codes(), ["CONFLICT"], "a stale version: {}", r.body);

    // Exempt and zero-rated supplies carry no tax and are reported apart; a compound levy is
    // charged on the price plus the earlier tax.
    let exempt = tax_rate(&app, &token, "EXEMPT", "0", json!({ "kind": "EXEMPT" })).await;
    let zero = tax_rate(&app, &token, "ZERO", "0", json!({ "kind": "ZERO_RATED" })).await;
    let gst = tax_rate(&app, &token, "GST5", "5", json!({})).await;
    let qst = tax_rate(&app, &token, "QST", "9.975", json!({ "compound": true })).await;
    let r = app
        .gql(
            Some(&token),
            COMPUTE,
            json!({ "i": { "date": "2026-05-01", "currency": "CAD", "lines": [
                { "quantity": "2", "unitPrice": "50", "taxRateIds": [gst, qst] },
                { "quantity": "1", "unitPrice": "30", "taxRateIds": [exempt] },
                { "quantity": "1", "unitPrice": "20", "taxRateIds": [zero] },
            ] } }),
        )
        .await;
    // 100 × 5 % = 5.00; (100 + 5) × 9.975 % = 10.47375 → 10.47; total 150 + 15.47.
    assert_eq!(figures(&r), ["150.00", "15.47", "0.00", "165.47"]);
    let taxes = &r.body["data"]["computeTaxes"]["taxes"];
    let by_code: BTreeMap<&str, (&str, String, String)> = taxes
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["code"].as_str().unwrap(),
                (
                    t["kind"].as_str().unwrap(),
                    amount(&t["base"]),
                    amount(&t["amount"]),
                ),
            )
        })
        .collect();
    assert_eq!(
        by_code["QST"],
        ("STANDARD", "105.00".into(), "10.47".into())
    );
    assert_eq!(by_code["EXEMPT"], ("EXEMPT", "30.00".into(), "0.00".into()));
    assert_eq!(
        by_code["ZERO"],
        ("ZERO_RATED", "20.00".into(), "0.00".into())
    );
    let r = app
        .gql(
            Some(&token),
            "mutation { createTaxRate(input: { code: \"BAD\", name: \"Bad\", rate: \"5\", kind: EXEMPT, validFrom: \"2020-01-01\" }) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(r.codes(), ["VALIDATION"], "an exempt rate is 0: {}", r.body);
    // A rate not valid on the document's date names the line.
    let old = tax_rate(&app, &token, "OLD", "7", json!({ "validTo": "2025-12-31" })).await;
    let r = app
        .gql(
            Some(&token),
            COMPUTE,
            json!({ "i": { "date": "2026-05-01", "currency": "USD", "lines": [
                { "quantity": "1", "unitPrice": "1" },
                { "quantity": "1", "unitPrice": "1", "taxRateIds": [old] },
            ] } }),
        )
        .await;
    assert_eq!(
        r.body["errors"][0]["extensions"]["field"], "input.lines[1]",
        "{}",
        r.body
    );

    // Swiss cash rounding to 0.05; the fiscal year's start is fixed once an entry is posted.
    let r = app
        .gql(Some(&token), SETTINGS, json!({ "i": { "cashIncrement": "0.05", "fiscalYearStartMonth": 4, "expectedVersion": 3 } }))
        .await;
    assert_eq!(
        r.body["data"]["updateLedgerSettings"]["cashIncrement"]["amount"], "0.05",
        "{}",
        r.body
    );
    let r = app.gql(Some(&token), COMPUTE, shelf("10.02")).await;
    assert_eq!(figures(&r)[3], "10.00");
    let acc = accounts(&app, &token).await;
    let (_, number) = posted(
        &app,
        &token,
        two_lines("2026-03-15", &acc["6100"], &acc["1010"], "1"),
    )
    .await;
    assert_eq!(
        number, "JE-2025-000001",
        "March 2026 is in the fiscal year from April 2025"
    );
    let r = app
        .gql(
            Some(&token),
            SETTINGS,
            json!({ "i": { "fiscalYearStartMonth": 1, "expectedVersion": 4 } }),
        )
        .await;
    assert_eq!(rule(&r), "ledger.fiscal_year_fixed");
}
