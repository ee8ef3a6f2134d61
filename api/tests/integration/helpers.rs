//! `TestApp`: a running server over fresh databases, and helpers to talk to it.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::process::Output;

use api::config::{Secret, Settings};
use api::state::AppState;
use api::tenancy::provision::{NewTenant, provision};
use api::tenancy::slug::Slug;
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection};
use serde_json::{Value, json};
use tokio::sync::oneshot;
use uuid::Uuid;

/// The password every test tenant's admin gets.
pub const PASSWORD: &str = "correct horse battery staple";

/// A server under test.
pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub state: AppState,
    /// The environment the server was configured from (also given to CLI runs).
    pub vars: BTreeMap<String, String>,
    pub dir: tempfile::TempDir,
    pg: Option<PgCleanup>,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
}

/// Configures a [`TestApp`] before it starts.
#[derive(Default)]
pub struct Builder {
    vars: BTreeMap<String, String>,
}

impl Builder {
    /// Sets an environment variable of the server's configuration.
    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.vars.insert(key.into(), value.into());
        self
    }

    /// Starts the server.
    pub async fn spawn(self) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let mut vars = BTreeMap::from([
            ("ERP_DATA_DIR".to_owned(), dir.path().display().to_string()),
            ("ERP_BIND".to_owned(), "127.0.0.1:0".to_owned()),
        ]);
        let mut pg = None;
        if let Ok(server) = std::env::var("TEST_DATABASE_URL") {
            let prefix = format!("t{}", &Uuid::new_v4().simple().to_string()[..12]);
            let mut control = url::Url::parse(&server).expect("TEST_DATABASE_URL is a URL");
            control.set_path(&format!("/{prefix}_control"));
            vars.insert("DATABASE_URL".into(), control.to_string());
            vars.insert("ERP_DB_PREFIX".into(), prefix.clone());
            pg = Some(PgCleanup { server, prefix });
        }
        // Tenant templates outlive the test: built once, then copied by every test (of this
        // target directory; `ERP_TENANT_TEMPLATE=off` in the environment measures without).
        let tmp = env!("CARGO_TARGET_TMPDIR");
        vars.insert(
            "ERP_TENANT_TEMPLATE_DIR".into(),
            format!("{tmp}/tenant-templates"),
        );
        vars.insert(
            "ERP_TENANT_TEMPLATE_PREFIX".into(),
            shared_template_prefix(tmp),
        );
        if let Ok(on) = std::env::var("ERP_TENANT_TEMPLATE") {
            vars.insert("ERP_TENANT_TEMPLATE".into(), on);
        }
        if let Ok(redis) = std::env::var("REDIS_URL") {
            vars.insert("REDIS_URL".into(), redis);
        }
        // Background jobs only where a test asks for them (`ERP_JOBS=on`).
        vars.insert("ERP_JOBS".into(), "off".into());
        vars.extend(self.vars);
        start(vars, dir, pg).await
    }
}

/// Serves a server configured by `vars` as `erp serve` does (the events' background side, and
/// jobs unless `ERP_JOBS=off`).
async fn start(
    vars: BTreeMap<String, String>,
    dir: tempfile::TempDir,
    pg: Option<PgCleanup>,
) -> TestApp {
    let settings = Settings::from_lookup(|k| vars.get(k).cloned()).expect("test settings");
    let listener = tokio::net::TcpListener::bind(settings.bind).await.unwrap();
    let addr = listener.local_addr().unwrap();
    let state = AppState::build(settings).await.expect("app state");
    api::server::start_background(&state);
    let (tx, rx) = oneshot::channel::<()>();
    let server = tokio::spawn(api::server::serve(listener, state.clone(), async {
        let _ = rx.await;
    }));
    TestApp {
        base: format!("http://{addr}"),
        client: reqwest::Client::new(),
        state,
        vars,
        dir,
        pg,
        shutdown: Some(tx),
        server: Some(server),
    }
}

/// The PostgreSQL template prefix of the tests of one target directory (`erptest_<hash>`), so
/// checkouts on one server do not drop each other's templates.
fn shared_template_prefix(target_tmp: &str) -> String {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    target_tmp.hash(&mut h);
    format!("erptest_{:08x}", h.finish() as u32)
}

/// A provisioned tenant and its admin's credentials.
#[derive(Clone, Debug)]
pub struct TestTenant {
    pub id: Uuid,
    pub slug: String,
    pub email: String,
    pub password: String,
}

/// A GraphQL answer.
#[derive(Debug)]
pub struct Gql {
    pub status: u16,
    pub request_id: Option<String>,
    pub body: Value,
}

impl Gql {
    /// The (access token, refresh token) pair answered by `field` (`login`, `refreshSession`).
    pub fn tokens(&self, field: &str) -> (String, String) {
        let p: &Value = &self.body["data"][field];
        (
            p["accessToken"]
                .as_str()
                .unwrap_or_else(|| panic!("{field}: {}", self.body))
                .to_owned(),
            p["refreshToken"].as_str().unwrap().to_owned(),
        )
    }

    /// `extensions.code` of every error.
    pub fn codes(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|errors| {
                errors
                    .iter()
                    .map(|e| {
                        e["extensions"]["code"]
                            .as_str()
                            .unwrap_or("<none>")
                            .to_owned()
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl TestApp {
    /// A server with default test settings.
    pub async fn spawn() -> Self {
        Builder::default().spawn().await
    }

    /// A server for tests that count SQL statements: the tenant cache (grants, currencies)
    /// warmed by a first request keeps serving for a minute, not the default second, so a
    /// slow, loaded machine counts the same statements as a fast one.
    pub async fn counting() -> Self {
        Builder::default()
            .env("ERP_TENANT_CACHE_TTL_MS", "60000")
            .spawn()
            .await
    }

    /// A builder to change settings first.
    pub fn builder() -> Builder {
        Builder::default()
    }

    /// Shuts the server down gracefully and waits until it has stopped.
    pub async fn stop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            server.await.unwrap();
        }
    }

    /// Whether the databases are PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        self.pg.is_some()
    }

    /// Provisions tenant `slug` with admin `admin@<slug>.test`.
    pub async fn create_tenant(&self, slug: &str) -> TestTenant {
        let email = format!("admin@{slug}.test");
        let tenant = provision(
            self.state.tenancy(),
            self.state.passwords(),
            &self.new_tenant(slug),
        )
        .await
        .expect("provisioning");
        TestTenant {
            id: tenant.id,
            slug: slug.into(),
            email,
            password: PASSWORD.into(),
        }
    }

    /// What [`Self::create_tenant`] provisions.
    pub fn new_tenant(&self, slug: &str) -> NewTenant {
        NewTenant {
            slug: Slug::parse(slug).unwrap(),
            name: format!("{slug} Ltd"),
            admin_email: format!("admin@{slug}.test"),
            admin_name: "Admin".into(),
            admin_password: Secret::new(PASSWORD),
            server: None,
        }
    }

    /// Ids of the tenant's roles by name (as seen by `token`).
    pub async fn role_ids(&self, token: &str) -> BTreeMap<String, String> {
        let r = self
            .gql(
                Some(token),
                "{ roles(first: 100) { nodes { id name } } }",
                json!({}),
            )
            .await;
        r.body["data"]["roles"]["nodes"]
            .as_array()
            .unwrap_or_else(|| panic!("roles: {}", r.body))
            .iter()
            .map(|n| {
                (
                    n["name"].as_str().unwrap().to_owned(),
                    n["id"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    }

    /// Creates user `email` holding `roles` (as `admin_token`); their credentials, with `id`
    /// the new user's id.
    pub async fn create_user(
        &self,
        tenant: &TestTenant,
        admin_token: &str,
        email: &str,
        roles: &[&str],
    ) -> TestTenant {
        let ids = self.role_ids(admin_token).await;
        let role_ids: Vec<&String> = roles.iter().map(|r| &ids[*r]).collect();
        let r = self
            .gql(
                Some(admin_token),
                "mutation($i: CreateUserInput!) { createUser(input: $i) { id } }",
                json!({ "i": { "email": email, "displayName": email.split('@').next().unwrap(),
                               "password": PASSWORD, "roleIds": role_ids } }),
            )
            .await;
        let id = r.body["data"]["createUser"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("createUser: {}", r.body));
        TestTenant {
            id: Uuid::parse_str(id).unwrap(),
            slug: tenant.slug.clone(),
            email: email.into(),
            password: PASSWORD.into(),
        }
    }

    /// Creates a custom role `name` with `grants` (`[(permission, scope)]`) as `token`; its id.
    pub async fn create_role(&self, token: &str, name: &str, grants: &[(&str, &str)]) -> String {
        let grants: Vec<Value> = grants
            .iter()
            .map(|(p, s)| json!({ "permission": p, "scope": s }))
            .collect();
        let r = self
            .gql(
                Some(token),
                "mutation($n: String!, $g: [GrantInput!]!) { createRole(input: { name: $n, grants: $g }) { id } }",
                json!({ "n": name, "g": grants }),
            )
            .await;
        r.body["data"]["createRole"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("createRole: {}", r.body))
            .to_owned()
    }

    /// Number of audit entries (as `admin_token`).
    pub async fn audit_count(&self, admin_token: &str) -> u64 {
        let r = self
            .gql(
                Some(admin_token),
                "{ auditLog(first: 1) { totalCount } }",
                json!({}),
            )
            .await;
        r.body["data"]["auditLog"]["totalCount"]
            .as_u64()
            .unwrap_or_else(|| panic!("auditLog: {}", r.body))
    }

    /// Names of the root fields of `QueryRoot` or `MutationRoot` in the exported schema.
    pub fn root_fields(root: &str) -> Vec<String> {
        let sdl = api::graphql::sdl();
        let start = sdl
            .find(&format!("type {root} {{"))
            .expect("root type in SDL");
        let body = &sdl[start..start + sdl[start..].find("\n}").unwrap()];
        let mut in_description = false;
        let mut depth = 0;
        let mut fields = Vec::new();
        for line in body.lines().skip(1) {
            let t = line.trim();
            if t == "\"\"\"" {
                in_description = !in_description;
                continue;
            }
            if in_description || t.starts_with('"') {
                continue;
            }
            if depth == 0 && line.starts_with('\t') && !line.starts_with("\t\t") {
                let name: String = t.chars().take_while(|c| c.is_alphanumeric()).collect();
                if !name.is_empty() {
                    fields.push(name);
                }
            }
            depth += t.matches('(').count();
            depth -= t.matches(')').count();
        }
        fields
    }

    /// Runs `login` with the tenant's credentials; the whole answer.
    pub async fn try_login(&self, t: &TestTenant) -> Gql {
        self.gql(
            None,
            "mutation($i: LoginInput!) { login(input: $i) { accessToken } }",
            json!({ "i": { "tenant": t.slug, "email": t.email, "password": t.password } }),
        )
        .await
    }

    /// Signs in with `t`'s credentials; (access token, refresh token).
    pub async fn login_pair(&self, t: &TestTenant) -> (String, String) {
        self.gql(
            None,
            "mutation($i: LoginInput!) { login(input: $i) { accessToken refreshToken } }",
            json!({ "i": { "tenant": t.slug, "email": t.email, "password": t.password } }),
        )
        .await
        .tokens("login")
    }

    /// Signs in as the tenant's admin; the access token.
    pub async fn login(&self, t: &TestTenant) -> String {
        let r = self.try_login(t).await;
        r.body["data"]["login"]["accessToken"]
            .as_str()
            .unwrap_or_else(|| panic!("login failed: {}", r.body))
            .to_owned()
    }

    /// The `id` at `field` of the answer to `doc` (as `token`), or a panic showing the answer.
    pub async fn id_of(&self, token: &str, doc: &str, vars: Value, field: &str) -> String {
        let r = self.gql(Some(token), doc, vars).await;
        r.body["data"][field]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("{field}: {}", r.body))
            .to_owned()
    }

    /// POSTs a GraphQL request.
    pub async fn gql(&self, token: Option<&str>, query: &str, variables: Value) -> Gql {
        post_graphql(&self.client, &self.base, token, query, variables).await
    }

    /// Reads an answer as GraphQL JSON (or `null` for a non-JSON body).
    pub async fn read(resp: reqwest::Response) -> Gql {
        let status = resp.status().as_u16();
        let request_id = resp
            .headers()
            .get("x-request-id")
            .map(|v| v.to_str().unwrap().to_owned());
        let text = resp.text().await.unwrap();
        Gql {
            status,
            request_id,
            body: serde_json::from_str(&text).unwrap_or(Value::String(text)),
        }
    }

    /// The text of `/metrics`.
    pub async fn metrics_text(&self) -> String {
        let resp = self
            .client
            .get(format!("{}/metrics", self.base))
            .send()
            .await
            .unwrap();
        resp.text().await.unwrap()
    }

    /// The value of a metric without labels in `/metrics`.
    pub async fn metric(&self, name: &str) -> u64 {
        let text = self.metrics_text().await;
        text.lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
            .unwrap_or_else(|| panic!("metric {name} missing:\n{text}"))
    }

    /// The value of one labelled metric line, e.g. `name{code="INTERNAL"}` (0 when absent).
    pub async fn metric_line(&self, series: &str) -> u64 {
        let text = self.metrics_text().await;
        text.lines()
            .find_map(|l| l.strip_prefix(series)?.trim().parse().ok())
            .unwrap_or(0)
    }

    /// Connections this server holds to its tenant databases now, as PostgreSQL counts them
    /// (`None` on SQLite).
    pub async fn pg_tenant_connections(&self, observer: &DatabaseConnection) -> Option<i64> {
        let pg = self.pg.as_ref()?;
        let sql = format!(
            "SELECT count(*) AS n FROM pg_stat_activity WHERE datname LIKE '{}\\_t\\_%'",
            pg.prefix
        );
        let row = observer
            .query_one_raw(sea_orm::Statement::from_string(
                sea_orm::DbBackend::Postgres,
                sql,
            ))
            .await
            .unwrap()
            .unwrap();
        Some(row.try_get::<i64>("", "n").unwrap())
    }

    /// A connection to the PostgreSQL server of `TEST_DATABASE_URL` (`None` on SQLite).
    pub async fn pg_observer(&self) -> Option<DatabaseConnection> {
        let pg = self.pg.as_ref()?;
        let mut opts = ConnectOptions::new(pg.server.clone());
        opts.max_connections(1).sqlx_logging(false);
        Some(Database::connect(opts).await.unwrap())
    }

    /// A direct connection to a tenant's database, bypassing the server.
    pub async fn tenant_conn(&self, t: &TestTenant) -> DatabaseConnection {
        let row = api::tenancy::registry::find_by_id(self.state.tenancy().control(), t.id)
            .await
            .unwrap()
            .unwrap();
        self.state
            .tenancy()
            .backend()
            .connect_tenant(&row.db_server, &row.db_name, 1)
            .await
            .unwrap()
    }

    /// Runs the `erp` binary against this app's configuration.
    pub fn erp(&self, args: &[&str], extra_env: &[(&str, &str)]) -> Output {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_erp"));
        // Only this app's configuration: nothing from the developer's shell leaks in.
        cmd.args(args)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .envs(&self.vars)
            .envs(extra_env.iter().copied())
            .stdin(std::process::Stdio::null());
        cmd.output().unwrap()
    }
}

/// POSTs a GraphQL request to the server at `base`.
async fn post_graphql(
    client: &reqwest::Client,
    base: &str,
    token: Option<&str>,
    query: &str,
    variables: Value,
) -> Gql {
    let mut req = client
        .post(format!("{base}/graphql"))
        .json(&json!({ "query": query, "variables": variables }));
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    TestApp::read(req.send().await.unwrap()).await
}

/// Another replica: a real `erp serve` process (the test binary's `erp`) on this app's
/// databases, keys and Redis, on a port of its own. Killed when dropped.
pub struct Replica {
    pub base: String,
    client: reqwest::Client,
    child: Option<std::process::Child>,
}

impl TestApp {
    /// Starts a [`Replica`] with `extra_env` over this app's configuration and waits until it
    /// answers `/health`.
    pub async fn replica(&self, extra_env: &[(&str, &str)]) -> Replica {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_erp"))
            .arg("serve")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .envs(&self.vars)
            .env("ERP_BIND", format!("127.0.0.1:{port}"))
            .envs(extra_env.iter().copied())
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let replica = Replica {
            base: format!("http://127.0.0.1:{port}"),
            client: self.client.clone(),
            child: Some(child),
        };
        for _ in 0..600 {
            let health = replica
                .client
                .get(format!("{}/health", replica.base))
                .send();
            if health.await.is_ok_and(|r| r.status().is_success()) {
                return replica;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("the replica at {} did not start within 60 s", replica.base);
    }
}

impl Replica {
    /// POSTs a GraphQL request to this replica.
    pub async fn gql(&self, token: Option<&str>, query: &str, variables: Value) -> Gql {
        post_graphql(&self.client, &self.base, token, query, variables).await
    }

    /// The value of one labelled metric line of this replica's `/metrics` (0 when absent).
    pub async fn metric_line(&self, series: &str) -> u64 {
        let resp = self.client.get(format!("{}/metrics", self.base)).send();
        let text = resp.await.unwrap().text().await.unwrap();
        text.lines()
            .find_map(|l| l.strip_prefix(series)?.trim().parse().ok())
            .unwrap_or(0)
    }

    /// Waits for the process to end by itself; its exit status.
    pub async fn exit_status(mut self) -> std::process::ExitStatus {
        let mut child = self.child.take().unwrap();
        tokio::task::spawn_blocking(move || child.wait().unwrap())
            .await
            .unwrap()
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            server.abort();
        }
        if let Some(pg) = self.pg.take() {
            // Drop the test's databases from a thread of its own: Drop cannot await.
            let _ = std::thread::spawn(move || pg.drop_databases()).join();
        }
    }
}

struct PgCleanup {
    server: String,
    prefix: String,
}

impl PgCleanup {
    fn drop_databases(self) {
        let Ok(rt) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        else {
            return;
        };
        rt.block_on(async {
            let mut opts = ConnectOptions::new(self.server.clone());
            opts.max_connections(4).sqlx_logging(false);
            let Ok(db) = Database::connect(opts).await else {
                return;
            };
            let sql = format!(
                "SELECT datname FROM pg_database WHERE datname LIKE '{}\\_%'",
                self.prefix
            );
            let rows = db
                .query_all_raw(sea_orm::Statement::from_string(
                    db.get_database_backend(),
                    sql,
                ))
                .await
                .unwrap_or_default();
            // A drop takes a while (files removed, caches flushed): the test's databases go at
            // once, one connection each (up to 4).
            let drops = rows.iter().filter_map(|row| {
                let name = row.try_get::<String>("", "datname").ok()?;
                let db = &db;
                Some(async move {
                    let _ = db
                        .execute_unprepared(&format!(
                            "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                        ))
                        .await;
                })
            });
            futures_util::future::join_all(drops).await;
            let _ = db.close().await;
        });
    }
}

/// A small deterministic generator (no dependency, the same sequence on every run).
pub struct Lcg(pub u64);

impl Lcg {
    /// The next number below `below`.
    pub fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % below
    }
}
