//! One `Settings` tree, read from environment variables once at start-up.
//!
//! Every value is parsed into its final type here (parse, don't validate), and every bad value is
//! reported at once with the variable's name, what was given and what is expected, so an operator
//! fixes the whole configuration in one go. `ERP_ENV=production` refuses the development
//! conveniences (generated signing keys, introspection, unencrypted connections to remote
//! database servers) instead of silently running with them. The table of variables is in the
//! README and `.env.example`.

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use url::Url;

mod reader;

pub use reader::redact_url;
use reader::{Reader, is_identifier};

/// Name of the database server that holds the control database and, unless told otherwise,
/// new tenants.
pub const DEFAULT_SERVER: &str = "default";

/// Development (the embedded default) or production.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Environment {
    /// Conveniences on: generated keys, introspection, a demo tenant on first start.
    Development,
    /// Conveniences refused at start-up.
    Production,
}

/// A secret read from configuration: never printed by `Debug`.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }
    /// The secret itself; call sites are easy to grep.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// Where the control database and the tenant databases live.
#[derive(Clone, Debug)]
pub enum DatabaseSettings {
    /// SQLite files: `<data dir>/control.db` and `<data dir>/tenants/<slug>.db`.
    Sqlite {
        /// The data directory.
        dir: PathBuf,
    },
    /// PostgreSQL: the control database named by `DATABASE_URL`, tenant databases on the
    /// servers of `servers` (always containing [`DEFAULT_SERVER`], the server of `DATABASE_URL`).
    Postgres {
        /// `DATABASE_URL`.
        control_url: Url,
        /// Server name → URL of a database used to create tenant databases on that server.
        servers: BTreeMap<String, Url>,
        /// Prefix of database names: tenants are `<prefix>_t_<slug>`.
        prefix: String,
    },
}

/// Limits of the GraphQL endpoint.
#[derive(Clone, Debug)]
pub struct GraphqlSettings {
    /// Whether `__schema`/`__type` are answered; also switches field suggestions in errors.
    pub introspection: bool,
    /// Deepest field nesting accepted (introspection fields excepted).
    pub max_depth: usize,
    /// Highest query complexity accepted; list fields cost `first × child`.
    pub max_complexity: usize,
    /// Most aliases in one document.
    pub max_aliases: usize,
    /// Most field selections in one document.
    pub max_fields: usize,
    /// Most directives on one field.
    pub max_directives: usize,
}

/// Database pools.
#[derive(Clone, Debug)]
pub struct PoolSettings {
    /// Most tenant databases open at once (the LRU cache's capacity).
    pub max_open_tenants: usize,
    /// Most connections one tenant's pool grows to.
    pub tenant_connections: u32,
    /// Most connections to tenant databases at once, all tenant pools together.
    pub tenant_connections_max: u32,
    /// Connections of the control database pool.
    pub control_connections: u32,
    /// How long a request waits for a connection (or for a tenant pool slot) before failing.
    pub acquire_timeout: Duration,
    /// Idle connections are closed after this long.
    pub idle_timeout: Duration,
    /// How old a cached tenant status may get before a request re-reads it: the longest a
    /// suspended or closed tenant keeps being served by a server that did not suspend it.
    pub tenant_status_ttl: Duration,
    /// How long a cached grant or reference table (`crate::tenancy::cache`) is used: the
    /// longest a change made by another process takes to reach this one.
    pub tenant_cache_ttl: Duration,
}

/// Tenant templates: new tenant databases are copies of a migrated and seeded template.
#[derive(Clone, Debug)]
pub struct TemplateSettings {
    /// `ERP_TENANT_TEMPLATE`: whether provisioning copies the template (`off`: every new
    /// tenant database is migrated and seeded from scratch).
    pub enabled: bool,
    /// `ERP_TENANT_TEMPLATE_DIR`: SQLite template files (default `<data dir>/templates`).
    pub dir: PathBuf,
    /// `ERP_TENANT_TEMPLATE_PREFIX`: PostgreSQL templates are `<prefix>_<key>` (default
    /// `<ERP_DB_PREFIX>_tpl`).
    pub prefix: String,
}

/// Token signing.
#[derive(Clone, Debug)]
pub struct AuthSettings {
    /// `iss` claim of issued tokens, required on verification.
    pub issuer: String,
    /// `aud` claim of issued tokens, required on verification.
    pub audience: String,
    /// PEM file (PKCS#8) of the Ed25519 signing key. Absent: generated into the data directory
    /// (development only).
    pub private_key_file: Option<PathBuf>,
    /// More keys (PEM, public or private) whose tokens are still accepted: the previous
    /// signing key during a rotation.
    pub verify_key_files: Vec<PathBuf>,
    /// Lifetime of access tokens.
    pub access_ttl: Duration,
    /// Lifetime of refresh tokens (a session unused this long ends).
    pub refresh_ttl: Duration,
    /// Consecutive failed sign-ins that lock an account.
    pub lock_after_failures: u32,
    /// First lock's length; each further failure doubles it (at most an hour).
    pub lock_duration: Duration,
    /// Failed password checks per minute from one client address (across accounts and
    /// tenants) after which that address's checks pause until the minute ends.
    pub address_failures_per_minute: u32,
}

/// HTTP server behaviour.
#[derive(Clone, Debug)]
pub struct HttpSettings {
    /// A client must send a request's headers within this time (slowloris guard).
    pub header_read_timeout: Duration,
    /// A request's handling is cut off after this time.
    pub request_timeout: Duration,
    /// `ERP_WS_INIT_TIMEOUT_SECS`: a WebSocket that sends no `connection_init` within this
    /// time is closed (code 4408).
    pub ws_init_timeout: Duration,
    /// `ERP_WS_SEND_TIMEOUT_SECS`: a WebSocket client that takes no frame for this long is
    /// dropped (a slow consumer).
    pub ws_send_timeout: Duration,
    /// `ERP_WS_MAX_PER_ADDRESS`: most WebSockets open from one client address at once. Behind
    /// a proxy every client shares its address: raise this there.
    pub ws_max_per_address: usize,
    /// `ERP_WS_MAX_TOTAL`: most WebSockets open at once; keep it well under the process's
    /// file-descriptor limit.
    pub ws_max_total: usize,
}

/// Background jobs (`crate::jobs`).
#[derive(Clone, Debug)]
pub struct JobSettings {
    /// `ERP_JOBS`: whether `erp serve` runs the job runner (`erp worker` always does).
    pub enabled: bool,
    /// `ERP_JOBS_TICK_MS`: how often the runner looks at every tenant's due jobs.
    pub tick: Duration,
    /// `ERP_JOBS_CONCURRENCY`: tenants whose jobs run at once.
    pub concurrency: usize,
}

/// The whole configuration.
#[derive(Clone, Debug)]
pub struct Settings {
    /// `ERP_ENV`.
    pub env: Environment,
    /// `ERP_BIND`: address the HTTP server listens on.
    pub bind: SocketAddr,
    /// `ERP_DATA_DIR`: SQLite files and generated keys.
    pub data_dir: PathBuf,
    /// `DATABASE_URL` and friends.
    pub database: DatabaseSettings,
    /// `REDIS_URL`: event fan-out between replicas; absent means in-process events.
    pub redis_url: Option<Url>,
    /// `ERP_ADMIN_PASSWORD`: the first admin's password for `erp tenant create`.
    pub admin_password: Option<Secret>,
    /// `ERP_MIGRATE_CONCURRENCY`: tenant databases migrated at once by `erp migrate`.
    pub migrate_concurrency: usize,
    /// Token settings.
    pub auth: AuthSettings,
    /// GraphQL limits.
    pub graphql: GraphqlSettings,
    /// Pool settings.
    pub pools: PoolSettings,
    /// HTTP settings.
    pub http: HttpSettings,
    /// Tenant template settings.
    pub tenant_template: TemplateSettings,
    /// Background jobs.
    pub jobs: JobSettings,
}

/// Every problem found in the configuration.
#[derive(Debug, thiserror::Error)]
#[error("invalid configuration:\n  - {}", .0.join("\n  - "))]
pub struct ConfigError(pub Vec<String>);

impl Settings {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|key| std::env::var(key).ok())
    }

    /// Reads settings through `lookup` (the environment, or a map in tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let mut r = Reader {
            lookup: &lookup,
            errors: Vec::new(),
        };
        let env = match r.raw("ERP_ENV").as_deref() {
            None | Some("development") => Environment::Development,
            Some("production") => Environment::Production,
            Some(other) => {
                r.bad("ERP_ENV", other, "`development` or `production`");
                Environment::Development
            }
        };
        let production = env == Environment::Production;
        let bind = r.parse("ERP_BIND", "host:port, e.g. 127.0.0.1:8080", || {
            SocketAddr::from(([127, 0, 0, 1], 8080))
        });
        let data_dir = PathBuf::from(r.raw("ERP_DATA_DIR").unwrap_or_else(|| "./data".into()));
        let prefix = r.raw("ERP_DB_PREFIX").unwrap_or_else(|| "erp".into());
        if !is_identifier(&prefix, 16) {
            r.bad(
                "ERP_DB_PREFIX",
                &prefix,
                "1 to 16 characters: lowercase letters, digits, `_`, starting with a letter",
            );
        }
        let default_template_prefix = format!("{prefix}_tpl");
        let database = match r.raw("DATABASE_URL") {
            None => {
                if r.raw("ERP_DB_SERVERS").is_some() {
                    r.errors.push(
                        "ERP_DB_SERVERS: needs DATABASE_URL (extra servers exist only with PostgreSQL)"
                            .into(),
                    );
                }
                DatabaseSettings::Sqlite {
                    dir: data_dir.clone(),
                }
            }
            Some(raw) => r.postgres_settings(&raw, prefix, production),
        };
        let redis_url = r.raw("REDIS_URL").and_then(|raw| match Url::parse(&raw) {
            Ok(url) if matches!(url.scheme(), "redis" | "rediss") => Some(url),
            _ => {
                r.bad(
                    "REDIS_URL",
                    &redact_url(&raw),
                    "a redis:// or rediss:// URL",
                );
                None
            }
        });
        let admin_password = r.raw("ERP_ADMIN_PASSWORD").map(Secret::new);
        if let Some(filter) = r.raw("RUST_LOG")
            && tracing_subscriber::EnvFilter::try_new(&filter).is_err()
        {
            r.bad(
                "RUST_LOG",
                &filter,
                "a tracing filter such as `info` or `api=debug,info`",
            );
        }

        let private_key_file = r.raw("ERP_JWT_PRIVATE_KEY_FILE").map(PathBuf::from);
        if production && private_key_file.is_none() {
            r.errors.push(
                "ERP_JWT_PRIVATE_KEY_FILE: required in production (generated signing keys are a \
                 development convenience); create one with `openssl genpkey -algorithm ed25519`"
                    .into(),
            );
        }
        let auth = AuthSettings {
            issuer: r.raw("ERP_JWT_ISSUER").unwrap_or_else(|| "erp".into()),
            audience: r
                .raw("ERP_JWT_AUDIENCE")
                .unwrap_or_else(|| "erp-api".into()),
            private_key_file,
            verify_key_files: r
                .raw("ERP_JWT_VERIFY_KEY_FILES")
                .map(|list| {
                    list.split(',')
                        .map(str::trim)
                        .filter(|p| !p.is_empty())
                        .map(PathBuf::from)
                        .collect()
                })
                .unwrap_or_default(),
            access_ttl: r.secs("ERP_ACCESS_TOKEN_TTL_SECS", 60, 86_400, 900),
            refresh_ttl: Duration::from_secs(
                r.number("ERP_REFRESH_TOKEN_TTL_DAYS", 1, 365, 30) * 86_400,
            ),
            lock_after_failures: r.number("ERP_LOGIN_LOCK_AFTER", 1, 1_000_000, 5) as u32,
            lock_duration: r.secs("ERP_LOGIN_LOCK_SECS", 1, 3_600, 30),
            address_failures_per_minute: r.number(
                "ERP_LOGIN_FAILURES_PER_ADDRESS_PER_MINUTE",
                1,
                1_000_000,
                30,
            ) as u32,
        };

        let introspection = r.flag("ERP_GRAPHQL_INTROSPECTION", !production);
        if production && introspection {
            r.errors.push(
                "ERP_GRAPHQL_INTROSPECTION: must be false in production (introspection is a \
                 development convenience)"
                    .into(),
            );
        }
        let graphql = GraphqlSettings {
            introspection,
            max_depth: r.number("ERP_GRAPHQL_MAX_DEPTH", 2, 50, 10) as usize,
            max_complexity: r.number("ERP_GRAPHQL_MAX_COMPLEXITY", 10, 1_000_000, 5_000) as usize,
            max_aliases: r.number("ERP_GRAPHQL_MAX_ALIASES", 1, 1_000, 50) as usize,
            max_fields: r.number("ERP_GRAPHQL_MAX_FIELDS", 10, 10_000, 300) as usize,
            max_directives: r.number("ERP_GRAPHQL_MAX_DIRECTIVES", 1, 50, 4) as usize,
        };
        let pools = PoolSettings {
            max_open_tenants: r.number("ERP_TENANT_POOL_CAP", 1, 100_000, 64) as usize,
            tenant_connections: r.number("ERP_TENANT_POOL_CONNECTIONS", 1, 1_000, 5) as u32,
            tenant_connections_max: r.number("ERP_TENANT_CONNECTIONS_MAX", 1, 100_000, 80) as u32,
            control_connections: r.number("ERP_CONTROL_POOL_CONNECTIONS", 1, 1_000, 10) as u32,
            acquire_timeout: r.millis("ERP_DB_ACQUIRE_TIMEOUT_MS", 10, 600_000, 5_000),
            idle_timeout: r.secs("ERP_DB_IDLE_TIMEOUT_SECS", 1, 86_400, 300),
            tenant_status_ttl: r.millis("ERP_TENANT_STATUS_TTL_MS", 100, 60_000, 5_000),
            tenant_cache_ttl: r.millis("ERP_TENANT_CACHE_TTL_MS", 0, 60_000, 1_000),
        };
        let http = HttpSettings {
            header_read_timeout: r.secs("ERP_HTTP_HEADER_TIMEOUT_SECS", 1, 600, 10),
            request_timeout: r.secs("ERP_HTTP_REQUEST_TIMEOUT_SECS", 1, 3_600, 30),
            ws_init_timeout: r.secs("ERP_WS_INIT_TIMEOUT_SECS", 1, 600, 10),
            ws_send_timeout: r.secs("ERP_WS_SEND_TIMEOUT_SECS", 1, 600, 10),
            ws_max_per_address: r.number("ERP_WS_MAX_PER_ADDRESS", 1, 1_000_000, 64) as usize,
            ws_max_total: r.number("ERP_WS_MAX_TOTAL", 1, 1_000_000, 4_096) as usize,
        };
        let migrate_concurrency = r.number("ERP_MIGRATE_CONCURRENCY", 1, 256, 4) as usize;
        let jobs = JobSettings {
            enabled: r.flag("ERP_JOBS", true),
            tick: r.millis("ERP_JOBS_TICK_MS", 50, 3_600_000, 2_000),
            concurrency: r.number("ERP_JOBS_CONCURRENCY", 1, 64, 4) as usize,
        };
        let tenant_template = TemplateSettings {
            enabled: r.flag("ERP_TENANT_TEMPLATE", true),
            dir: r
                .raw("ERP_TENANT_TEMPLATE_DIR")
                .map_or_else(|| data_dir.join("templates"), PathBuf::from),
            prefix: r
                .raw("ERP_TENANT_TEMPLATE_PREFIX")
                .unwrap_or(default_template_prefix),
        };
        if !is_identifier(&tenant_template.prefix, 24) {
            let given = tenant_template.prefix.clone();
            r.bad(
                "ERP_TENANT_TEMPLATE_PREFIX",
                &given,
                "1 to 24 characters: lowercase letters, digits, `_`, starting with a letter",
            );
        }

        if !r.errors.is_empty() {
            return Err(ConfigError(r.errors));
        }
        Ok(Settings {
            env,
            bind,
            data_dir,
            database,
            redis_url,
            admin_password,
            migrate_concurrency,
            auth,
            graphql,
            pools,
            http,
            tenant_template,
            jobs,
        })
    }

    /// Whether development conveniences are allowed.
    pub fn is_development(&self) -> bool {
        self.env == Environment::Development
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(vars: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Settings::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn an_empty_environment_gives_the_embedded_default() {
        let s = settings(&[]).unwrap();
        assert_eq!(s.bind.to_string(), "127.0.0.1:8080");
        assert!(matches!(s.database, DatabaseSettings::Sqlite { .. }));
        assert!(s.is_development());
        assert!(s.graphql.introspection);
    }

    #[test]
    fn every_bad_value_is_reported_by_name_at_once() {
        let err = settings(&[
            ("ERP_BIND", "nope"),
            ("ERP_ENV", "staging"),
            ("ERP_TENANT_POOL_CAP", "0"),
            ("DATABASE_URL", "mysql://x"),
        ])
        .unwrap_err();
        let text = err.to_string();
        for key in ["ERP_BIND", "ERP_ENV", "ERP_TENANT_POOL_CAP", "DATABASE_URL"] {
            assert!(text.contains(key), "{key} missing from: {text}");
        }
        assert_eq!(err.0.len(), 4, "{text}");
    }

    #[test]
    fn production_refuses_development_conveniences() {
        let err = settings(&[
            ("ERP_ENV", "production"),
            ("ERP_GRAPHQL_INTROSPECTION", "true"),
            (
                "DATABASE_URL",
                "postgres://erp:pw@db.example.com/erp_control",
            ),
        ])
        .unwrap_err();
        let text = err.to_string();
        assert!(text.contains("ERP_JWT_PRIVATE_KEY_FILE"), "{text}");
        assert!(text.contains("ERP_GRAPHQL_INTROSPECTION"), "{text}");
        assert!(text.contains("without TLS"), "{text}");
        assert!(!text.contains("pw@"), "password leaked: {text}");
    }

    #[test]
    fn production_accepts_tls_to_remote_and_plain_to_local_servers() {
        let s = settings(&[
            ("ERP_ENV", "production"),
            ("ERP_JWT_PRIVATE_KEY_FILE", "/etc/erp/jwt.pem"),
            (
                "DATABASE_URL",
                "postgres://erp@db.example.com/erp_control?sslmode=verify-full",
            ),
            ("ERP_DB_SERVERS", "eu2=postgres://erp@127.0.0.1/postgres"),
        ])
        .unwrap();
        assert!(!s.graphql.introspection);
        let DatabaseSettings::Postgres { servers, .. } = s.database else {
            panic!("expected PostgreSQL settings");
        };
        assert_eq!(servers.keys().collect::<Vec<_>>(), ["default", "eu2"]);
    }

    #[test]
    fn secrets_and_url_passwords_never_print() {
        let s = settings(&[("ERP_ADMIN_PASSWORD", "hunter2hunter2")]).unwrap();
        assert!(!format!("{s:?}").contains("hunter2"));
        assert_eq!(
            redact_url("postgres://u:secret@h/db"),
            "postgres://u:***@h/db"
        );
    }
}
