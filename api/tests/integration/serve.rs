//! The README's run command, as a real process: `erp serve` on an empty data directory.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::json;

use crate::helpers::TestApp;

struct Server {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Server {
    fn start(app: &TestApp) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_erp"))
            .arg("serve")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .envs(&app.vars)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Self { child, lines }
    }

    /// Lines printed until one contains `until`.
    fn read_until(&self, until: &str) -> Vec<String> {
        let mut seen = Vec::new();
        while let Ok(line) = self.lines.recv_timeout(Duration::from_secs(60)) {
            let done = line.contains(until);
            seen.push(line);
            if done {
                return seen;
            }
        }
        panic!("`{until}` never printed; got {seen:?}");
    }

    /// Sends SIGTERM and waits; whether the process exited successfully.
    fn terminate(mut self) -> (bool, Vec<String>) {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        for _ in 0..150 {
            if let Some(status) = self.child.try_wait().unwrap() {
                return (status.success(), self.lines.try_iter().collect());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        panic!("erp serve did not stop within 15 s of SIGTERM");
    }
}

fn value_after(lines: &[String], key: &str) -> String {
    lines
        .iter()
        .find_map(|l| l.trim().strip_prefix(key))
        .unwrap_or_else(|| panic!("no `{key}` in {lines:?}"))
        .trim()
        .to_owned()
}

#[tokio::test]
async fn erp_serve_provisions_the_demo_and_prints_its_login_once() {
    let app = TestApp::spawn().await;
    let server = Server::start(&app);
    let lines = server.read_until("password:");
    let base = value_after(&lines, "ERP server listening on ");
    assert_eq!(
        value_after(&lines, "playground:"),
        format!("{base}/playground")
    );
    assert_eq!(value_after(&lines, "tenant:"), "demo");
    let email = value_after(&lines, "email:");
    let password = value_after(&lines, "password:");

    let client = reqwest::Client::new();
    assert_eq!(
        client
            .get(format!("{base}/health"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let page = client
        .get(format!("{base}/playground"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("graphiql"));
    let login = client
        .post(format!("{base}/graphql"))
        .json(&json!({
            "query": "mutation($i: LoginInput!) { login(input: $i) { accessToken } }",
            "variables": { "i": { "tenant": "demo", "email": email, "password": password } }
        }))
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap();
    assert!(login["data"]["login"]["accessToken"].is_string(), "{login}");

    let (clean, _) = server.terminate();
    assert!(clean, "erp serve did not exit cleanly on SIGTERM");

    // A second start finds the demo tenant and prints no credentials.
    let server = Server::start(&app);
    let lines = server.read_until("playground:");
    let base = value_after(&lines, "ERP server listening on ");
    assert_eq!(
        client
            .get(format!("{base}/health"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let (clean, rest) = server.terminate();
    assert!(clean);
    assert!(
        !rest.iter().chain(&lines).any(|l| l.contains("password")),
        "{rest:?}"
    );
}
