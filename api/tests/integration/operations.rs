//! What an operator or a newcomer notices first: files on disk, the start-up banner and logs,
//! start-up errors, `erp --help`, `.env`, `GET /`, response key order, and the way back in
//! after losing the admin password (`erp user reset-password`).

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::helpers::{TestApp, TestTenant};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The `erp` binary with nothing from the developer's shell but `PATH`.
fn erp() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_erp"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default());
    cmd
}

/// Runs `erp args` with the app's configuration and `stdin` as standard input.
fn erp_with_stdin(app: &TestApp, args: &[&str], stdin: &str) -> Output {
    let mut child = erp()
        .args(args)
        .envs(&app.vars)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// Object keys of a JSON text in the order they are written (`serde_json::Value` sorts them).
fn keys_in_text_order(json: &str) -> Vec<String> {
    let mut keys = Vec::new();
    let chars: Vec<char> = json.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '"' {
            let start = i + 1;
            i += 1;
            while chars[i] != '"' {
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            let s: String = chars[start..i].iter().collect();
            let mut j = i + 1;
            while chars.get(j).is_some_and(|c| c.is_whitespace()) {
                j += 1;
            }
            if chars.get(j) == Some(&':') {
                keys.push(s);
            }
        }
        i += 1;
    }
    keys
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

#[tokio::test]
async fn response_keys_follow_the_selection_order_in_twenty_identical_requests() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let token = app.login(&t).await;
    for name in ["Beta", "Alpha", "Gamma"] {
        let r = app
            .gql(
                Some(&token),
                "mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { id } }",
                json!({ "i": { "name": name, "currency": "USD" } }),
            )
            .await;
        assert!(r.body["errors"].is_null(), "{}", r.body);
    }
    // Aliases in reverse alphabetical order, a field answered at once (`__typename`) after
    // fields that wait on the database, and a list.
    let query = "{ zMe: me { zUser: user { zName: displayName yId: id xEmail: email } \
                 yPerms: permissions } \
                 yCustomers: customers(first: 3) { zTotal: totalCount yNodes: nodes { zName: name yId: id } } \
                 xKind: __typename }";
    let mut expected: Vec<&str> = vec![
        "data",
        "zMe",
        "zUser",
        "zName",
        "yId",
        "xEmail",
        "yPerms",
        "yCustomers",
        "zTotal",
        "yNodes",
    ];
    for _ in 0..3 {
        expected.extend(["zName", "yId"]);
    }
    expected.push("xKind");
    for attempt in 0..20 {
        let resp = app
            .client
            .post(format!("{}/graphql", app.base))
            .bearer_auth(&token)
            .json(&json!({ "query": query }))
            .send()
            .await
            .unwrap();
        let body = resp.text().await.unwrap();
        assert!(!body.contains("\"errors\""), "{body}");
        let keys = keys_in_text_order(&body);
        assert_eq!(
            &keys[..expected.len().min(keys.len())],
            &expected[..],
            "attempt {attempt}: {body}"
        );
    }
}

#[tokio::test]
async fn get_root_redirects_to_the_playground() {
    let app = TestApp::spawn().await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let resp = client.get(format!("{}/", app.base)).send().await.unwrap();
    assert!(resp.status().is_redirection(), "{}", resp.status());
    assert_eq!(resp.headers()["location"], "/playground");
    let followed = app
        .client
        .get(format!("{}/", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(followed.status(), 200);
    assert!(followed.text().await.unwrap().contains("graphiql"));
}

#[cfg(unix)]
#[tokio::test]
async fn database_files_and_the_generated_signing_key_are_owner_only() {
    let outer = tempfile::tempdir().unwrap();
    let data = outer.path().join("var").join("erp");
    let app = TestApp::builder()
        .env("ERP_DATA_DIR", &data.display().to_string())
        .spawn()
        .await;
    let t = app.create_tenant("acme").await;
    let token = app.login(&t).await;
    let r = app
        .gql(Some(&token), "{ me { permissions } }", json!({}))
        .await;
    assert!(r.body["errors"].is_null(), "{}", r.body);

    assert_eq!(mode(&data), 0o700, "data directory");
    assert_eq!(mode(&outer.path().join("var")), 0o700, "created parent");
    assert_eq!(mode(&data.join("keys")), 0o700, "keys directory");
    assert_eq!(
        mode(&data.join("keys/jwt-ed25519.pem")),
        0o600,
        "signing key"
    );
    if !app.is_postgres() {
        assert_eq!(mode(&data.join("tenants")), 0o700, "tenants directory");
        let mut files = vec![data.join("control.db"), data.join("tenants/acme.db")];
        for db in files.clone() {
            for side in ["-wal", "-shm"] {
                let mut name = db.clone().into_os_string();
                name.push(side);
                files.push(name.into());
            }
        }
        assert!(
            data.join("control.db-wal").exists(),
            "WAL mode should have made control.db-wal"
        );
        for file in files.iter().filter(|f| f.exists()) {
            assert_eq!(mode(file), 0o600, "{}", file.display());
        }
    }
}

#[cfg(unix)]
#[tokio::test]
async fn production_refuses_a_signing_key_others_may_read_and_names_the_file() {
    use ed25519_dalek::pkcs8::{EncodePrivateKey, spki::der::pem::LineEnding};
    use std::os::unix::fs::PermissionsExt;

    let app = TestApp::spawn().await;
    let key = app.dir.path().join("jwt.pem");
    let pem = ed25519_dalek::SigningKey::generate(&mut rand_core::OsRng)
        .to_pkcs8_pem(LineEnding::LF)
        .unwrap();
    std::fs::write(&key, pem.as_bytes()).unwrap();
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let key_path = key.display().to_string();
    let production = [
        ("ERP_ENV", "production"),
        ("ERP_JWT_PRIVATE_KEY_FILE", key_path.as_str()),
    ];

    let out = app.erp(&["tenant", "list"], &production);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.contains(&key_path) && err.contains("chmod 600"),
        "{err}"
    );

    // Development only warns.
    let out = app.erp(
        &["tenant", "list"],
        &[("ERP_JWT_PRIVATE_KEY_FILE", key_path.as_str())],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));

    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    let out = app.erp(&["tenant", "list"], &production);
    assert!(out.status.success(), "{}", text(&out.stderr));

    // The previous signing key, still accepted during a rotation, is a private key too.
    let old = app.dir.path().join("jwt-previous.pem");
    let pem = ed25519_dalek::SigningKey::generate(&mut rand_core::OsRng)
        .to_pkcs8_pem(LineEnding::LF)
        .unwrap();
    std::fs::write(&old, pem.as_bytes()).unwrap();
    std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o640)).unwrap();
    let old_path = old.display().to_string();
    let rotating = [
        production[0],
        production[1],
        ("ERP_JWT_VERIFY_KEY_FILES", old_path.as_str()),
    ];
    let out = app.erp(&["tenant", "list"], &rotating);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains(&old_path),
        "{}",
        text(&out.stderr)
    );
    std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o600)).unwrap();
    let out = app.erp(&["tenant", "list"], &rotating);
    assert!(out.status.success(), "{}", text(&out.stderr));
}

/// `erp serve` with stdout and stderr piped: lines of both as they come.
struct Served {
    child: std::process::Child,
    lines: mpsc::Receiver<(bool, String)>,
}

impl Served {
    fn start(app: &TestApp, env: &[(&str, &str)]) -> Self {
        let mut child = erp()
            .arg("serve")
            .envs(&app.vars)
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (tx, lines) = mpsc::channel();
        let out = child.stdout.take().unwrap();
        let err = child.stderr.take().unwrap();
        for (is_err, stream) in [
            (false, Box::new(out) as Box<dyn Read + Send>),
            (true, Box::new(err)),
        ] {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    if tx.send((is_err, line)).is_err() {
                        break;
                    }
                }
            });
        }
        Self { child, lines }
    }

    fn read_until(&self, until: &str) -> Vec<(bool, String)> {
        let mut seen = Vec::new();
        while let Ok(line) = self.lines.recv_timeout(Duration::from_secs(90)) {
            let done = !line.0 && line.1.contains(until);
            seen.push(line);
            if done {
                return seen;
            }
        }
        panic!("`{until}` never printed; got {seen:?}");
    }

    fn stop(mut self) -> Vec<(bool, String)> {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        let _ = self.child.wait();
        self.lines.try_iter().collect()
    }
}

#[tokio::test]
async fn serve_never_prints_a_password_the_operator_set_and_piped_logs_have_no_colour_codes() {
    let app = TestApp::spawn().await;
    let chosen = "operator chosen secret 4711";
    let server = Served::start(&app, &[("ERP_ADMIN_PASSWORD", chosen)]);
    let mut lines = server.read_until("password:");
    let base = lines
        .iter()
        .find_map(|(_, l)| l.strip_prefix("ERP server listening on "))
        .expect("banner")
        .to_owned();
    // A request, so that request logs are written too.
    let health = reqwest::get(format!("{base}/health")).await.unwrap();
    assert_eq!(health.status(), 200);
    lines.extend(server.stop());

    let banner: Vec<&str> = lines
        .iter()
        .filter(|(e, _)| !e)
        .map(|(_, l)| l.as_str())
        .collect();
    assert!(
        banner
            .iter()
            .any(|l| l.trim() == "password: the one in ERP_ADMIN_PASSWORD"),
        "{banner:?}"
    );
    let logs: Vec<&str> = lines
        .iter()
        .filter(|(e, _)| *e)
        .map(|(_, l)| l.as_str())
        .collect();
    assert!(logs.iter().any(|l| l.contains("listening")), "{logs:?}");
    for (_, line) in &lines {
        assert!(
            !line.contains(chosen),
            "the chosen password printed: {line}"
        );
        assert!(
            !line.contains('\u{1b}'),
            "a colour code in a piped line: {line:?}"
        );
    }

    // The chosen password is the demo admin's.
    let demo = TestTenant {
        id: uuid::Uuid::nil(),
        slug: "demo".into(),
        email: "admin@demo.test".into(),
        password: chosen.into(),
    };
    let r = app.try_login(&demo).await;
    assert!(
        r.body["data"]["login"]["accessToken"].is_string(),
        "{}",
        r.body
    );
}

#[tokio::test]
async fn an_unreachable_database_is_reported_at_once_with_its_host_and_cause() {
    let app = TestApp::spawn().await;
    // Port 1 on the loopback: nothing listens there, so the connection is refused.
    let started = Instant::now();
    let out = app.erp(
        &["serve"],
        &[("DATABASE_URL", "postgres://erp@127.0.0.1:1/erp_control")],
    );
    let elapsed = started.elapsed();
    assert!(!out.status.success());
    assert!(elapsed < Duration::from_secs(5), "took {elapsed:?}");
    let err = text(&out.stderr);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "{err}");
    assert!(lines[0].contains("127.0.0.1:1"), "{err}");
    assert_eq!(
        err.to_lowercase().matches("refused").count(),
        1,
        "the cause once: {err}"
    );
}

#[tokio::test]
async fn a_database_server_that_never_answers_is_reported_within_the_acquire_timeout() {
    let app = TestApp::spawn().await;
    // Accepts connections and never says a word: a hung server or a wrong port behind a proxy.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let held: Vec<_> = silent.incoming().collect();
        drop(held);
    });
    let url = format!("postgres://erp@127.0.0.1:{port}/erp_control");
    let started = Instant::now();
    let out = app.erp(
        &["tenant", "list"],
        &[
            ("DATABASE_URL", url.as_str()),
            ("ERP_DB_ACQUIRE_TIMEOUT_MS", "1500"),
        ],
    );
    let elapsed = started.elapsed();
    assert!(!out.status.success());
    assert!(elapsed < Duration::from_secs(5), "took {elapsed:?}");
    let err = text(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains(&format!("127.0.0.1:{port}")) && err.contains("did not answer within 1500 ms"),
        "{err}"
    );
}

#[tokio::test]
async fn erp_help_lists_every_environment_variable() {
    let out = erp().arg("--help").output().unwrap();
    assert!(out.status.success());
    let help = text(&out.stdout);
    let documented = api::operator::environment::documented_variables();
    assert!(documented.len() >= 30, "{documented:?}");
    for name in documented {
        assert!(
            help.contains(&format!("  {name}=")),
            "{name} missing:\n{help}"
        );
    }
    assert!(help.contains("./.env"), "{help}");
}

#[tokio::test]
async fn a_dot_env_file_configures_erp_and_the_environment_wins_over_it() {
    let app = TestApp::spawn().await;
    app.create_tenant("acme").await;
    let cwd = tempfile::tempdir().unwrap();
    let mut dotenv: String = app
        .vars
        .iter()
        .map(|(k, v)| format!("{k}='{v}'\n"))
        .collect();
    std::fs::write(cwd.path().join(".env"), &dotenv).unwrap();
    let run = |env: &[(&str, &str)]| {
        erp()
            .args(["tenant", "list"])
            .current_dir(cwd.path())
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };

    // Everything comes from the file: the same databases as the app.
    let out = run(&[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("acme"), "{}", text(&out.stdout));

    dotenv.push_str("ERP_TENANT_POOL_CAP=-1\n");
    std::fs::write(cwd.path().join(".env"), &dotenv).unwrap();
    let out = run(&[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("ERP_TENANT_POOL_CAP"),
        "{}",
        text(&out.stderr)
    );

    let out = run(&[("ERP_TENANT_POOL_CAP", "8")]);
    assert!(out.status.success(), "{}", text(&out.stderr));
}

/// Signs in; the whole `login` answer.
async fn login_answer(app: &TestApp, t: &TestTenant) -> serde_json::Value {
    app.gql(
        None,
        "mutation($i: LoginInput!) { login(input: $i) { accessToken refreshToken } }",
        json!({ "i": { "tenant": t.slug, "email": t.email, "password": t.password } }),
    )
    .await
    .body
}

#[tokio::test]
async fn reset_password_sets_the_new_one_ends_sessions_lifts_the_lock_and_is_audited() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let before = login_answer(&app, &t).await;
    let refresh = before["data"]["login"]["refreshToken"]
        .as_str()
        .unwrap()
        .to_owned();
    // The admin forgot the password and locked the account trying.
    let wrong = TestTenant {
        password: "not the password at all".into(),
        ..t.clone()
    };
    for _ in 0..6 {
        app.try_login(&wrong).await;
    }
    assert_eq!(app.try_login(&t).await.codes(), ["RATE_LIMITED"]);

    let new_password = "a brand new long password";
    let out = erp_with_stdin(
        &app,
        &[
            "user",
            "reset-password",
            "--tenant",
            "acme",
            "--email",
            "ADMIN@acme.test",
        ],
        &format!("{new_password}\n"),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("admin@acme.test"), "{stdout}");
    assert!(!stdout.contains(new_password), "{stdout}");

    assert_eq!(app.try_login(&t).await.codes(), ["UNAUTHENTICATED"]);
    let r = app
        .gql(
            None,
            "mutation($t: String!) { refreshSession(refreshToken: $t) { accessToken } }",
            json!({ "t": refresh }),
        )
        .await;
    assert_eq!(r.codes(), ["UNAUTHENTICATED"], "{}", r.body);
    let renewed = TestTenant {
        password: new_password.into(),
        ..t.clone()
    };
    let token = app.login(&renewed).await;

    let r = app
        .gql(
            Some(&token),
            "{ auditLog(first: 100, filter: { entity: \"user\" }) { nodes { actorType actorId action changes } } }",
            json!({}),
        )
        .await;
    let nodes = r.body["data"]["auditLog"]["nodes"]
        .as_array()
        .unwrap_or_else(|| panic!("{}", r.body));
    let entry = nodes
        .iter()
        .find(|n| n["action"] == "reset_password")
        .unwrap_or_else(|| panic!("no reset_password entry: {}", r.body));
    assert_eq!(entry["actorType"], "operator");
    assert!(entry["actorId"].is_null());
    assert!(!r.body.to_string().contains(new_password));
}

#[tokio::test]
async fn reset_password_can_generate_one_and_refuses_unknown_users_and_weak_passwords() {
    let app = TestApp::spawn().await;
    let t = app.create_tenant("acme").await;
    let args = [
        "user",
        "reset-password",
        "--tenant",
        "acme",
        "--email",
        "admin@acme.test",
    ];

    let out = app.erp(&[&args[..], &["--generate"]].concat(), &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let generated = stdout
        .lines()
        .find_map(|l| l.trim().strip_prefix("new password:"))
        .unwrap_or_else(|| panic!("{stdout}"))
        .trim()
        .to_owned();
    assert!(generated.len() >= 20, "{generated}");
    app.login(&TestTenant {
        password: generated,
        ..t.clone()
    })
    .await;

    let out = erp_with_stdin(&app, &args, "short\n");
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("characters"),
        "{}",
        text(&out.stderr)
    );

    let out = erp_with_stdin(&app, &args, "");
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("--generate"),
        "{}",
        text(&out.stderr)
    );

    let mut unknown = args.to_vec();
    unknown[5] = "nobody@acme.test";
    let out = erp_with_stdin(&app, &unknown, "a brand new long password\n");
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("user not found"),
        "{}",
        text(&out.stderr)
    );

    let mut other_tenant = args.to_vec();
    other_tenant[3] = "nope";
    let out = erp_with_stdin(&app, &other_tenant, "a brand new long password\n");
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("tenant not found"),
        "{}",
        text(&out.stderr)
    );
}
