//! Printable documents: an invoice and a quotation downloaded as PDF through the link the API
//! gives, rendered to an image by poppler's `pdftoppm` (ink where the text should be) and read
//! back by `pdftotext` (the numbers, names and totals on the page); then the link attacked:
//! none, forged, tampered, an access token in its place, another document's, another tenant's,
//! after the session ended and after the permission was withdrawn.

use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};

use crate::helpers::{Gql, TestApp};

const CREATE: &str = "mutation($i: CreateInvoiceInput!) { createInvoice(input: $i) { id } }";
const POST: &str = "mutation($id: ID!) { postInvoice(id: $id) { number total { amount } } }";
const LINK: &str = "query($id: ID!) { invoice(id: $id) { pdf { url expiresAt } } }";
const QUOTE_LINK: &str = "query($id: ID!) { quotation(id: $id) { pdf { url expiresAt } } }";

fn ok<'a>(r: &'a Gql, field: &str) -> &'a Value {
    assert!(r.body["errors"].is_null(), "{field}: {}", r.body);
    &r.body["data"][field]
}

/// Whether poppler's tools are here; `.ci/run` installs them, so CI never skips.
fn poppler() -> bool {
    let here = Path::new("/usr/bin/pdftoppm").exists() && Path::new("/usr/bin/pdftotext").exists();
    if !here {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI needs poppler-utils (pdftoppm, pdftotext): .ci/run installs them"
        );
        eprintln!("skipped: needs pdftoppm and pdftotext (apt-get install poppler-utils)");
    }
    here
}

/// A customer with an address and a VAT rate; their ids.
async fn customer_and_vat(app: &TestApp, token: &str) -> (String, String) {
    let customer = app
        .id_of(
            token,
            "mutation { createCustomer(input: { name: \"Acme Trading GmbH\", currency: \"USD\", billingAddress: \"Hauptstraße 5\\n10115 Berlin\", taxId: \"DE123456789\" }) { id } }",
            json!({}),
            "createCustomer",
        )
        .await;
    let vat = app
        .id_of(
            token,
            "mutation { createTaxRate(input: { code: \"VAT19\", name: \"VAT 19 %\", rate: \"19\", validFrom: \"2020-01-01\" }) { id } }",
            json!({}),
            "createTaxRate",
        )
        .await;
    (customer, vat)
}

/// A posted invoice of three lines to `customer`; its id.
async fn posted_invoice(app: &TestApp, token: &str, (customer, vat): &(String, String)) -> String {
    let r = app
        .gql(
            Some(token),
            CREATE,
            json!({ "i": { "customerId": customer, "date": "2026-03-01", "memo": "Thank you for your order. Payable within 30 days.", "lines": [
                { "description": "Espresso machine Café Pro", "quantity": "2", "unitPrice": "1250", "discount": "10", "taxRateIds": [vat] },
                { "description": "Installation and training on site", "quantity": "1.5", "unitPrice": "80", "taxRateIds": [vat] },
                { "description": "Descaler", "quantity": "12", "unitPrice": "4.99", "taxRateIds": [vat] },
            ] } }),
        )
        .await;
    let id = ok(&r, "createInvoice")["id"].as_str().unwrap().to_owned();
    ok(
        &app.gql(Some(token), POST, json!({ "id": id })).await,
        "postInvoice",
    );
    id
}

/// The link of document `id` (`query` is [`LINK`] or [`QUOTE_LINK`]), as `token`.
async fn link(app: &TestApp, token: &str, query: &str, field: &str, id: &str) -> String {
    let r = app.gql(Some(token), query, json!({ "id": id })).await;
    let pdf = &ok(&r, field)["pdf"];
    let expires = chrono::DateTime::parse_from_rfc3339(pdf["expiresAt"].as_str().unwrap())
        .unwrap()
        .with_timezone(&chrono::Utc);
    let left = expires - chrono::Utc::now();
    assert!(
        left > chrono::Duration::minutes(9) && left <= chrono::Duration::minutes(10),
        "a link lives ten minutes: {pdf}"
    );
    pdf["url"].as_str().unwrap().to_owned()
}

async fn download(app: &TestApp, url: &str) -> reqwest::Response {
    app.client
        .get(format!("{}{url}", app.base))
        .send()
        .await
        .unwrap()
}

/// The status and error code of a refused download.
async fn refused(app: &TestApp, url: &str) -> (u16, String) {
    let resp = download(app, url).await;
    let status = resp.status().as_u16();
    let body: Value = resp.json().await.unwrap();
    let code = body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("no code in {body}"))
        .to_owned();
    (status, code)
}

/// Renders `pdf` to a grey image at 30 dpi and returns its text; asserts the page has ink
/// in the issuer's corner and a plausible amount of it overall.
fn render_and_read(pdf: &[u8], dir: &Path, name: &str) -> String {
    let file = dir.join(format!("{name}.pdf"));
    std::fs::write(&file, pdf).unwrap();
    // To look at them: `ERP_TEST_PDF_DIR=/tmp/pdfs cargo test … documents`.
    if let Some(keep) = std::env::var_os("ERP_TEST_PDF_DIR") {
        std::fs::create_dir_all(&keep).unwrap();
        std::fs::write(Path::new(&keep).join(format!("{name}.pdf")), pdf).unwrap();
    }
    let out = Command::new("pdftoppm")
        .args(["-gray", "-r", "30", "-f", "1", "-l", "1"])
        .arg(&file)
        .arg(dir.join(name))
        .output()
        .unwrap();
    assert!(out.status.success(), "pdftoppm: {out:?}");
    let image = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(&format!("{name}-"))
                && p.extension().is_some_and(|e| e == "pgm")
        })
        .expect("pdftoppm wrote no image");
    let bytes = std::fs::read(image).unwrap();
    let (width, height, pixels) = pgm(&bytes);
    // A4 at 30 dpi is 248 × 351 pixels.
    assert_eq!((width, height), (248, 351));
    let ink = pixels.iter().filter(|&&p| p < 160).count();
    let share = ink as f64 / pixels.len() as f64;
    assert!(
        (0.005..0.25).contains(&share),
        "a printed page is neither blank nor black: {share}"
    );
    let corner = (0..height / 8)
        .flat_map(|y| (0..width / 2).map(move |x| (x, y)))
        .filter(|(x, y)| pixels[y * width + x] < 160)
        .count();
    assert!(
        corner > 20,
        "the issuer's name is at the top left: {corner}"
    );
    let out = Command::new("pdftotext")
        .args(["-layout"])
        .arg(&file)
        .arg("-")
        .output()
        .unwrap();
    assert!(out.status.success(), "pdftotext: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

/// Width, height and pixels of a binary PGM (`P5`, 8 bits).
fn pgm(bytes: &[u8]) -> (usize, usize, &[u8]) {
    let mut fields = Vec::new();
    let mut at = 0;
    while fields.len() < 4 {
        while bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        let start = at;
        while !bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        fields.push(std::str::from_utf8(&bytes[start..at]).unwrap().to_owned());
    }
    assert_eq!((fields[0].as_str(), fields[3].as_str()), ("P5", "255"));
    let (w, h): (usize, usize) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    (w, h, &bytes[at + 1..at + 1 + w * h])
}

#[tokio::test]
async fn an_invoice_and_a_quotation_print_as_pdf_through_their_links() {
    if !poppler() {
        return;
    }
    let app = TestApp::spawn().await;
    let t = app.create_tenant("print").await;
    let admin = app.login(&t).await;
    let setup = customer_and_vat(&app, &admin).await;
    let invoice = posted_invoice(&app, &admin, &setup).await;
    let customer = &setup.0;
    let url = link(&app, &admin, LINK, "invoice", &invoice).await;
    assert!(url.starts_with(&format!("/documents/invoices/{invoice}.pdf?token=")));
    let resp = download(&app, &url).await;
    assert_eq!(resp.status(), 200);
    let header = |name: &str| {
        resp.headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    };
    assert_eq!(header("content-type").as_deref(), Some("application/pdf"));
    assert_eq!(
        header("cache-control").as_deref(),
        Some("private, no-store")
    );
    assert_eq!(header("referrer-policy").as_deref(), Some("no-referrer"));
    let year = chrono::Utc::now().format("%Y").to_string();
    let number = format!("INV-{year}-000001");
    assert_eq!(
        header("content-disposition"),
        Some(format!("inline; filename=\"{number}.pdf\""))
    );
    let pdf = resp.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let dir = tempfile::tempdir().unwrap();
    let text = render_and_read(&pdf, dir.path(), "invoice");
    // 2 × 1250 − 10 % = 2250.00; 1.5 × 80 = 120.00; 12 × 4.99 = 59.88: 2429.88 net,
    // VAT 19 % 461.68 (461.6772), total 2891.56.
    for expected in [
        "print Ltd",
        &number,
        "Acme Trading GmbH",
        "Hauptstraße 5",
        "10115 Berlin",
        "DE123456789",
        "Espresso machine Café Pro",
        "2250.00",
        "120.00",
        "59.88",
        "4.99",
        "10 %",
        "2429.88",
        "461.68",
        "USD 2891.56",
        "Payable within 30 days.",
        "Page 1 of 1",
    ] {
        assert!(text.contains(expected), "{expected:?} is not on:\n{text}");
    }
    let total = text.lines().find(|l| l.contains("USD 2891.56")).unwrap();
    assert!(total.contains("Total"), "the total's row: {total}");

    let quotation = app
        .id_of(
            &admin,
            "mutation($c: ID!) { createQuotation(input: { customerId: $c, date: \"2026-03-01\", lines: [{ description: \"Grinder\", quantity: \"3\", unitPrice: \"199.90\" }] }) { id } }",
            json!({ "c": customer }),
            "createQuotation",
        )
        .await;
    let url = link(&app, &admin, QUOTE_LINK, "quotation", &quotation).await;
    let resp = download(&app, &url).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.headers()["content-disposition"],
        format!("inline; filename=\"quotation-draft-{quotation}.pdf\"").as_str()
    );
    let text = render_and_read(&resp.bytes().await.unwrap(), dir.path(), "quotation");
    for expected in ["Quotation", "Draft", "Grinder", "599.70", "USD 599.70"] {
        assert!(text.contains(expected), "{expected:?} is not on:\n{text}");
    }
}

#[tokio::test]
async fn a_long_invoice_runs_over_pages_and_hostile_text_prints() {
    if !poppler() {
        return;
    }
    let app = TestApp::spawn().await;
    let t = app.create_tenant("long").await;
    let admin = app.login(&t).await;
    let customer = app
        .id_of(
            &admin,
            "mutation { createCustomer(input: { name: \"Bulk\", currency: \"USD\" }) { id } }",
            json!({}),
            "createCustomer",
        )
        .await;
    let mut lines: Vec<Value> = (1..=120)
        .map(
            |i| json!({ "description": format!("Part {i:03}"), "quantity": "1", "unitPrice": "1" }),
        )
        .collect();
    lines.push(json!({ "description": format!("{}\n\t€中{}", "W".repeat(200), "x ".repeat(140)), "quantity": "1", "unitPrice": "1" }));
    let r = app
        .gql(
            Some(&admin),
            CREATE,
            json!({ "i": { "customerId": customer, "date": "2026-03-01", "lines": lines } }),
        )
        .await;
    let id = ok(&r, "createInvoice")["id"].as_str().unwrap().to_owned();
    let url = link(&app, &admin, LINK, "invoice", &id).await;
    let resp = download(&app, &url).await;
    assert_eq!(resp.status(), 200);
    let pdf = resp.bytes().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let first = render_and_read(&pdf, dir.path(), "long");
    assert!(
        first.contains("Draft") && first.contains("Part 001"),
        "{first}"
    );
    let out = Command::new("pdftotext")
        .arg(dir.path().join("long.pdf"))
        .arg("-")
        .output()
        .unwrap();
    let all = String::from_utf8(out.stdout).unwrap();
    let pages = all.matches("Page ").count();
    assert!(pages >= 3, "121 lines take several pages: {pages}");
    assert!(all.contains(&format!("Page {pages} of {pages}")), "{all}");
    for i in [1, 60, 120] {
        assert!(all.contains(&format!("Part {i:03}")), "line {i} is printed");
    }
    assert!(all.contains("121.00"), "the total: {all}");
}

#[tokio::test]
async fn a_document_link_opens_its_own_document_for_its_holder_only() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("links").await;
    let admin = app.login(&t).await;
    let setup = customer_and_vat(&app, &admin).await;
    let invoice = posted_invoice(&app, &admin, &setup).await;
    let other = posted_invoice(&app, &admin, &setup).await;
    let url = link(&app, &admin, LINK, "invoice", &invoice).await;
    let token = url.split_once("?token=").unwrap().1.to_owned();
    assert_eq!(download(&app, &url).await.status(), 200);
    assert_eq!(
        download(&app, &url).await.status(),
        200,
        "a link works more than once while it lives"
    );
    let unauthenticated = (401, "UNAUTHENTICATED".to_owned());
    let path = format!("/documents/invoices/{invoice}.pdf");
    for bad in [
        path.clone(),
        format!("{path}?token="),
        format!("{path}?token=garbage"),
        format!("{path}?token={token}x"),
        // An access token is not a link.
        format!("{path}?token={admin}"),
        // A link names one document.
        format!("/documents/invoices/{other}.pdf?token={token}"),
        format!("/documents/quotations/{invoice}.pdf?token={token}"),
    ] {
        assert_eq!(refused(&app, &bad).await, unauthenticated, "{bad}");
    }
    for missing in [
        format!("/documents/orders/{invoice}.pdf?token={token}"),
        format!("/documents/invoices/{invoice}?token={token}"),
        format!("/documents/invoices/not-an-id.pdf?token={token}"),
    ] {
        assert_eq!(
            refused(&app, &missing).await,
            (404, "NOT_FOUND".to_owned()),
            "{missing}"
        );
    }
    // The link's access token is not needed, and not enough: the user's own rights decide.
    let r = app
        .gql(
            Some(&admin),
            "{ invoices { nodes { pdf { url } } } }",
            json!({}),
        )
        .await;
    assert_eq!(ok(&r, "invoices")["nodes"].as_array().unwrap().len(), 2);

    // Another tenant's link never opens this tenant's document, even for the same id.
    let t2 = app.create_tenant("elsewhere").await;
    let admin2 = app.login(&t2).await;
    let setup2 = customer_and_vat(&app, &admin2).await;
    let theirs = posted_invoice(&app, &admin2, &setup2).await;
    let their_url = link(&app, &admin2, LINK, "invoice", &theirs).await;
    let their_token = their_url.split_once("?token=").unwrap().1;
    assert_eq!(download(&app, &their_url).await.status(), 200);
    assert_eq!(
        refused(
            &app,
            &format!("/documents/invoices/{invoice}.pdf?token={their_token}")
        )
        .await,
        unauthenticated
    );

    // A rep may read this invoice only through an extra role; once the role is taken away
    // their link answers 404, as `invoice(id:)` would answer null.
    let rep = app
        .create_user(&t, &admin, "rep@links.test", &["sales_rep"])
        .await;
    let rep_token = app.login(&rep).await;
    let r = app
        .gql(
            Some(&rep_token),
            "query($id: ID!) { invoice(id: $id) { id } }",
            json!({ "id": invoice }),
        )
        .await;
    assert_eq!(ok(&r, "invoice"), &Value::Null, "not the rep's customer");
    let reader = app
        .create_role(&admin, "Invoice reader", &[("billing.invoice.read", "ALL")])
        .await;
    let r = app
        .gql(
            Some(&admin),
            "mutation($u: ID!, $r: ID!) { assignRole(userId: $u, roleId: $r) { id } }",
            json!({ "u": rep.id, "r": reader }),
        )
        .await;
    ok(&r, "assignRole");
    let rep_url = link(&app, &rep_token, LINK, "invoice", &invoice).await;
    assert_eq!(download(&app, &rep_url).await.status(), 200);
    let r = app
        .gql(
            Some(&admin),
            "mutation($u: ID!, $r: ID!) { unassignRole(userId: $u, roleId: $r) { id } }",
            json!({ "u": rep.id, "r": reader }),
        )
        .await;
    ok(&r, "unassignRole");
    assert_eq!(
        refused(&app, &rep_url).await,
        (404, "NOT_FOUND".to_owned()),
        "a withdrawn permission takes effect at once"
    );

    // Signing out ends the links issued in that session.
    let r = app
        .gql(Some(&admin), "mutation { logout }", json!({}))
        .await;
    ok(&r, "logout");
    assert_eq!(refused(&app, &url).await, unauthenticated);
}
