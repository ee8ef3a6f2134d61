//! `schema.graphql` is exactly what the code exports.

use std::path::Path;

use crate::helpers::TestApp;

fn committed() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema.graphql");
    std::fs::read_to_string(&path).unwrap_or_default()
}

#[test]
fn schema_graphql_matches_the_code() {
    assert!(
        api::graphql::sdl() == committed(),
        "schema.graphql is out of date: run `cargo run -p api -- schema > schema.graphql`"
    );
}

#[tokio::test]
async fn erp_schema_prints_schema_graphql() {
    let app = TestApp::spawn().await;
    let out = app.erp(&["schema"], &[]);
    assert!(out.status.success());
    assert_eq!(String::from_utf8(out.stdout).unwrap(), committed());
}

#[test]
fn every_type_and_field_is_described() {
    // API_CONVENTIONS.md: every type, field and argument has a description.
    let sdl = api::graphql::sdl();
    let mut previous = "";
    for line in sdl.lines().take_while(|l| !l.starts_with("schema {")) {
        let t = line.trim();
        let declares =
            (t.starts_with("type ") || t.starts_with("input ") || t.starts_with("enum "))
                || (line.starts_with('\t') || line.starts_with("  "))
                    && t.contains(':')
                    && !t.starts_with('"');
        if declares {
            assert!(previous.ends_with('"'), "no description before `{t}`");
        }
        previous = t;
    }
}
