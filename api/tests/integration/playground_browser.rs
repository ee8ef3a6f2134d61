//! The playground in a real browser: headless Chromium (Debian's `chromium`) driven by
//! `playground/tests/browser.mjs` (playwright-core from npm, installed by `.ci/run` into
//! `playground/tests/node_modules`). Skipped, saying why, where Chromium, node or
//! playwright-core is missing.

use std::path::{Path, PathBuf};

use crate::helpers::TestApp;

fn tools() -> Option<(PathBuf, PathBuf)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../playground/tests");
    let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists());
    let node_ok = std::process::Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    let playwright = dir
        .join("node_modules/playwright-core/package.json")
        .exists();
    match (chromium, node_ok, playwright) {
        (Some(chromium), true, true) => Some((dir, chromium)),
        _ => {
            eprintln!(
                "skipped: needs /usr/bin/chromium, node and playground/tests/node_modules \
                 (npm install --prefix playground/tests)"
            );
            None
        }
    }
}

async fn browse(app: &TestApp, scenario: &str) {
    let Some((dir, chromium)) = tools() else {
        return;
    };
    api::demo::ensure_demo(&app.state).await.unwrap();
    let mut node = std::process::Command::new("node");
    node.arg("browser.mjs")
        .arg(scenario)
        .current_dir(&dir)
        .env("BASE_URL", &app.base)
        .env("CHROMIUM", chromium);
    let output = tokio::task::spawn_blocking(move || node.output())
        .await
        .unwrap()
        .unwrap();
    let (out, err) = (
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
    println!("{out}");
    assert!(output.status.success(), "{out}\n{err}");
}

#[tokio::test]
async fn the_playground_logs_in_and_shows_a_change_made_elsewhere_live() {
    let app = TestApp::spawn().await;
    browse(&app, "subscription").await;
}

#[tokio::test]
async fn the_playground_sees_its_token_expire_and_logs_in_again() {
    let app = TestApp::builder()
        .env("ERP_ACCESS_TOKEN_TTL_SECS", "60")
        .spawn()
        .await;
    browse(&app, "expiry").await;
}
