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
    let mut in_description = false;
    for line in sdl.lines().take_while(|l| !l.starts_with("schema {")) {
        let t = line.trim();
        if t == "\"\"\"" {
            in_description = !in_description;
            previous = t;
            continue;
        }
        if in_description {
            continue;
        }
        let indented = line.starts_with('\t') || line.starts_with("  ");
        let declares_type =
            t.starts_with("type ") || t.starts_with("input ") || t.starts_with("enum ");
        let declares_member =
            indented && t.contains(':') && !t.starts_with('"') && !t.starts_with(')');
        // async-graphql's generated `…Connection` and `…Edge` types carry no type description
        // (their fields do); their shape is documented once in API_CONVENTIONS.md.
        let generated =
            t.starts_with("type ") && (t.contains("Connection {") || t.contains("Edge {"));
        if (declares_type || declares_member) && !generated {
            assert!(previous.ends_with('"'), "no description before `{t}`");
        }
        previous = t;
    }
}
