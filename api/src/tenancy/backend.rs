//! Where databases live and how they are opened: SQLite files in the data directory, or
//! PostgreSQL databases on the configured servers.
//!
//! Every pool gets the same metric callback (SQL statement counter) and, on SQLite, the same
//! pragmas (WAL, foreign keys, busy timeout), so the two backends behave alike for the code
//! above. Creating databases is idempotent: provisioning may run it again after a crash.
//! SQLite files and their folders are owner-only ([`crate::files`]): they hold password and
//! token hashes.

use std::path::PathBuf;
use std::sync::Arc;

use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr, Statement,
};
use url::Url;

use crate::config::{DEFAULT_SERVER, DatabaseSettings, PoolSettings};
use crate::error::AppError;
use crate::metrics::Metrics;
use crate::tenancy::slug::Slug;

/// Opens control and tenant databases.
#[derive(Clone)]
pub struct Backend {
    settings: DatabaseSettings,
    pools: PoolSettings,
    metrics: Arc<Metrics>,
}

impl Backend {
    /// A backend for `settings`.
    pub fn new(settings: DatabaseSettings, pools: PoolSettings, metrics: Arc<Metrics>) -> Self {
        Self {
            settings,
            pools,
            metrics,
        }
    }

    /// `sqlite` or `postgres`, for messages.
    pub fn kind(&self) -> &'static str {
        match self.settings {
            DatabaseSettings::Sqlite { .. } => "sqlite",
            DatabaseSettings::Postgres { .. } => "postgres",
        }
    }

    /// Opens the control database, creating it when it does not exist yet.
    pub async fn connect_control(&self) -> Result<DatabaseConnection, DbErr> {
        match &self.settings {
            DatabaseSettings::Sqlite { dir } => {
                crate::files::create_private_dir(dir).map_err(|e| {
                    DbErr::Custom(format!(
                        "cannot create data directory {}: {e}",
                        dir.display()
                    ))
                })?;
                let path = dir.join("control.db");
                private_file(&path)?;
                self.connect(&sqlite_url(&path), self.pools.control_connections)
                    .await
            }
            DatabaseSettings::Postgres { control_url, .. } => {
                let name = control_url.path().trim_start_matches('/').to_owned();
                let mut maintenance = control_url.clone();
                maintenance.set_path("/postgres");
                match self
                    .connect(control_url.as_str(), self.pools.control_connections)
                    .await
                {
                    Ok(db) => Ok(db),
                    // The control database may not exist on a new server. Creating it needs a
                    // connection to another database; an operator whose role may not do that
                    // creates it by hand, and the first error says what failed. Any other
                    // failure (server unreachable, bad password) is reported as it is, at once,
                    // rather than after a second attempt through the maintenance database.
                    Err(first) if is_missing_database(&first) => {
                        if ensure_pg_database(maintenance.as_str(), &name, &self.pools)
                            .await
                            .is_err()
                        {
                            return Err(first);
                        }
                        self.connect(control_url.as_str(), self.pools.control_connections)
                            .await
                    }
                    Err(first) => Err(control_unreachable(
                        control_url,
                        self.pools.acquire_timeout,
                        first,
                    )),
                }
            }
        }
    }

    /// The server and database name a new tenant gets.
    pub fn locate_new_tenant(
        &self,
        slug: &Slug,
        server: Option<&str>,
    ) -> Result<(String, String), AppError> {
        match &self.settings {
            DatabaseSettings::Sqlite { .. } => {
                if server.is_some_and(|s| s != DEFAULT_SERVER) {
                    return Err(AppError::validation(
                        "server",
                        "SQLite has only the `default` server",
                    ));
                }
                Ok((DEFAULT_SERVER.to_owned(), slug.as_str().to_owned()))
            }
            DatabaseSettings::Postgres {
                servers, prefix, ..
            } => {
                let server = server.unwrap_or(DEFAULT_SERVER);
                if !servers.contains_key(server) {
                    return Err(AppError::validation(
                        "server",
                        format!(
                            "unknown database server `{server}`; configured: {}",
                            servers.keys().cloned().collect::<Vec<_>>().join(", ")
                        ),
                    ));
                }
                Ok((
                    server.to_owned(),
                    format!("{prefix}_t_{}", slug.db_fragment()),
                ))
            }
        }
    }

    /// Creates a tenant database if it does not exist yet.
    pub async fn create_tenant_database(&self, server: &str, db_name: &str) -> Result<(), DbErr> {
        match &self.settings {
            DatabaseSettings::Sqlite { dir } => {
                let tenants = dir.join("tenants");
                crate::files::ensure_private_dir(&tenants).map_err(|e| {
                    DbErr::Custom(format!("cannot create {}: {e}", tenants.display()))
                })?;
                let path = sqlite_tenant_path(dir, db_name);
                private_file(&path)?;
                let db = self.connect(&sqlite_url(&path), 1).await?;
                db.close().await
            }
            DatabaseSettings::Postgres { .. } => {
                ensure_pg_database(self.server_url(server)?.as_str(), db_name, &self.pools).await
            }
        }
    }

    /// Opens a pool on a tenant database.
    pub async fn connect_tenant(
        &self,
        server: &str,
        db_name: &str,
        max_connections: u32,
    ) -> Result<DatabaseConnection, DbErr> {
        let url = self.tenant_url(server, db_name)?;
        if let DatabaseSettings::Sqlite { dir } = &self.settings {
            // Files of an older version were created readable by everyone.
            private_file(&sqlite_tenant_path(dir, db_name))?;
        }
        self.connect(&url, max_connections).await
    }

    /// The connection URL of a tenant database.
    pub fn tenant_url(&self, server: &str, db_name: &str) -> Result<String, DbErr> {
        match &self.settings {
            DatabaseSettings::Sqlite { dir } => {
                let path = sqlite_tenant_path(dir, db_name);
                if !path.exists() {
                    return Err(DbErr::Custom(format!(
                        "tenant database {} does not exist",
                        path.display()
                    )));
                }
                Ok(sqlite_url(&path))
            }
            DatabaseSettings::Postgres { .. } => {
                let mut url = self.server_url(server)?;
                url.set_path(&format!("/{db_name}"));
                Ok(url.to_string())
            }
        }
    }

    /// The URL reaching `server`, through which its databases are created.
    pub(crate) fn server_url(&self, server: &str) -> Result<Url, DbErr> {
        match &self.settings {
            DatabaseSettings::Postgres { servers, .. } => {
                servers.get(server).cloned().ok_or_else(|| {
                    DbErr::Custom(format!("database server `{server}` is not configured"))
                })
            }
            DatabaseSettings::Sqlite { .. } => Err(DbErr::Custom("no servers with SQLite".into())),
        }
    }

    /// The SQLite data directory, or `None` on PostgreSQL.
    pub(crate) fn sqlite_dir(&self) -> Option<&std::path::Path> {
        match &self.settings {
            DatabaseSettings::Sqlite { dir } => Some(dir),
            DatabaseSettings::Postgres { .. } => None,
        }
    }

    /// The pool settings (timeouts).
    pub(crate) fn pool_settings(&self) -> &PoolSettings {
        &self.pools
    }

    /// Opens a pool on `url` with the common options, pragmas and metric callback.
    pub(crate) async fn connect(
        &self,
        url: &str,
        max_connections: u32,
    ) -> Result<DatabaseConnection, DbErr> {
        let mut opts = ConnectOptions::new(local_without_tls(url));
        opts.max_connections(max_connections)
            .min_connections(0)
            // sqlx pings every connection it hands out by default: a round trip before each
            // statement outside a transaction. Only a connection idle this long is pinged.
            .test_before_acquire_if_idle_for(std::time::Duration::from_secs(10))
            .acquire_timeout(self.pools.acquire_timeout)
            .connect_timeout(self.pools.acquire_timeout)
            .idle_timeout(self.pools.idle_timeout)
            .sqlx_logging(false)
            .map_sqlx_sqlite_opts(|o: SqliteConnectOptions| {
                o.journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(std::time::Duration::from_secs(5))
            });
        let mut db = Database::connect(opts).await?;
        let metrics = self.metrics.clone();
        db.set_metric_callback(move |_| {
            metrics.record_sql_statement();
            crate::metrics::count_request_statement();
        });
        Ok(db)
    }
}

/// `url` with `sslmode=disable` when it reaches PostgreSQL on this machine (a loopback address
/// or a Unix socket) and names no `sslmode`: the driver's default (`prefer`) negotiates TLS
/// with any server that offers it, which on a loopback costs 8 to 12 % of a short request and
/// protects nothing. Servers on other hosts keep the default (production refuses them
/// unencrypted anyway, `config`); an explicit `sslmode` always wins.
pub(crate) fn local_without_tls(url: &str) -> String {
    let Ok(mut parsed) = Url::parse(url) else {
        return url.to_owned();
    };
    if !matches!(parsed.scheme(), "postgres" | "postgresql")
        || parsed.query_pairs().any(|(k, _)| k == "sslmode")
    {
        return url.to_owned();
    }
    let local = match parsed.host() {
        None => true,
        // PostgreSQL URLs are not a "special" scheme: the url crate keeps IPv4 hosts as names.
        Some(url::Host::Domain(name)) => {
            name == "localhost"
                || name
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        }
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
    };
    if local {
        parsed.query_pairs_mut().append_pair("sslmode", "disable");
    }
    parsed.to_string()
}

/// The file of a SQLite tenant database.
pub(crate) fn sqlite_tenant_path(dir: &std::path::Path, db_name: &str) -> PathBuf {
    dir.join("tenants").join(format!("{db_name}.db"))
}

/// Creates (or tightens) a SQLite file owner-only before SQLite opens it, so its `-wal` and
/// `-shm` files, which SQLite creates with the database file's permissions, are owner-only too.
pub(crate) fn private_file(path: &std::path::Path) -> Result<(), DbErr> {
    crate::files::ensure_private_file(path)
        .map_err(|e| DbErr::Custom(format!("cannot create {}: {e}", path.display())))
}

/// A connection failure to the control database as one message naming the server: the
/// operator sees where it tried to connect and why it failed, once.
fn control_unreachable(url: &Url, waited: std::time::Duration, err: DbErr) -> DbErr {
    let cause = match err {
        // sqlx says "pool timed out while waiting for an open connection": the server
        // accepted the TCP connection but never completed the PostgreSQL handshake.
        DbErr::Conn(sea_orm::RuntimeErr::SqlxError(e))
            if matches!(*e, sea_orm::sqlx::Error::PoolTimedOut) =>
        {
            format!(
                "the server did not answer within {} ms (ERP_DB_ACQUIRE_TIMEOUT_MS)",
                waited.as_millis()
            )
        }
        DbErr::Conn(inner) => inner.to_string(),
        other => other.to_string(),
    };
    DbErr::Conn(sea_orm::RuntimeErr::Internal(format!(
        "cannot connect to the control database {} at {}:{} (DATABASE_URL): {cause}",
        url.path().trim_start_matches('/'),
        url.host_str().unwrap_or("localhost"),
        url.port().unwrap_or(5432),
    )))
}

/// Whether PostgreSQL refused the connection because the database does not exist (SQLSTATE
/// 3D000, `invalid_catalog_name`).
fn is_missing_database(err: &DbErr) -> bool {
    match err {
        DbErr::Conn(sea_orm::RuntimeErr::SqlxError(e)) => e
            .as_database_error()
            .and_then(|d| d.code())
            .is_some_and(|code| code == "3D000"),
        _ => false,
    }
}

pub(crate) fn sqlite_url(path: &std::path::Path) -> String {
    format!("sqlite://{}?mode=rwc", path.display())
}

/// Creates database `name` through the server reached by `admin_url`, unless it exists.
async fn ensure_pg_database(
    admin_url: &str,
    name: &str,
    pools: &PoolSettings,
) -> Result<(), DbErr> {
    let mut opts = ConnectOptions::new(admin_url.to_owned());
    opts.max_connections(1)
        .acquire_timeout(pools.acquire_timeout)
        .connect_timeout(pools.acquire_timeout)
        .sqlx_logging(false);
    let admin = Database::connect(opts).await?;
    if !pg_database_exists(&admin, name).await? {
        // `name` is built from a validated slug and prefix; quoting keeps it one identifier.
        let create = format!("CREATE DATABASE \"{}\"", name.replace('"', ""));
        if let Err(e) = admin.execute_unprepared(&create).await {
            // Another process may have created it meanwhile; only then is this fine.
            if !pg_database_exists(&admin, name).await? {
                return Err(e);
            }
        }
    }
    admin.close().await
}

async fn pg_database_exists(admin: &DatabaseConnection, name: &str) -> Result<bool, DbErr> {
    let stmt = Statement::from_sql_and_values(
        DbBackend::Postgres,
        "SELECT 1 FROM pg_database WHERE datname = $1",
        [name.into()],
    );
    Ok(admin.query_one_raw(stmt).await?.is_some())
}

#[cfg(test)]
mod tests {
    #[test]
    fn tls_is_off_only_for_local_postgres_urls_that_name_no_sslmode() {
        use super::local_without_tls as f;
        assert_eq!(
            f("postgres://u@127.0.0.1:5432/db"),
            "postgres://u@127.0.0.1:5432/db?sslmode=disable"
        );
        assert_eq!(
            f("postgres://u@localhost/db?application_name=x"),
            "postgres://u@localhost/db?application_name=x&sslmode=disable"
        );
        assert_eq!(
            f("postgres://u@[::1]/db"),
            "postgres://u@[::1]/db?sslmode=disable"
        );
        for kept in [
            "postgres://u@db.example.com/db",
            "postgres://u@10.0.0.5/db",
            "postgres://u@127.0.0.1/db?sslmode=require",
            "sqlite:///tmp/x.db?mode=rwc",
        ] {
            assert_eq!(f(kept), kept);
        }
    }
}
