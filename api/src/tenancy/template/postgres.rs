//! PostgreSQL templates: one database per key and server; a tenant database is
//! `CREATE DATABASE <tenant> TEMPLATE <template>`.
//!
//! PostgreSQL refuses to copy a database another session is connected to, so nothing keeps a
//! connection to a template: it is built under `<name>_build`, its pool closed, renamed into
//! place and then closed to connections (`ALLOW_CONNECTIONS false`). Builders of one prefix
//! take a session advisory lock, so concurrent processes build a template once; a copy racing
//! a concurrent build or drop is told apart by its SQLSTATE.

use std::time::Duration;

use sea_orm::sqlx::postgres::{PgConnectOptions, PgConnection};
use sea_orm::sqlx::{self, AssertSqlSafe, ConnectOptions as _, Connection as _};
use sha2::{Digest, Sha256};
use url::Url;

use super::CopyError;
use crate::error::AppError;
use crate::tenancy::backend::Backend;

/// SQLSTATE `invalid_catalog_name`: the database does not exist.
const MISSING: &str = "3D000";
/// SQLSTATE `duplicate_database`.
const DUPLICATE: &str = "42P04";
/// SQLSTATE `unique_violation`: what a `CREATE DATABASE` racing another of the same name gets
/// when both passed the existence check.
const UNIQUE: &str = "23505";
/// SQLSTATE `object_in_use`: another session is connected to the database.
const IN_USE: &str = "55006";

/// Builds template `name` on the server at `server_url` unless it exists. Returns whether it
/// was built now. Other templates of `prefix` are dropped after a build.
pub(super) async fn ensure(
    backend: &Backend,
    server_url: &Url,
    prefix: &str,
    name: &str,
) -> Result<bool, AppError> {
    let mut admin = connect(backend, server_url).await?;
    if exists(&mut admin, name).await? {
        admin.close().await.map_err(sql_error)?;
        return Ok(false);
    }
    let lock = lock_id(prefix);
    sqlx::query("SELECT pg_advisory_lock($1)")
        .bind(lock)
        .execute(&mut admin)
        .await
        .map_err(sql_error)?;
    // A build that fails is tried again from scratch (it drops what the failed one left),
    // twice: the first builds after a migration change have been seen to fail under
    // concurrent test processes (a terminated connection, a duplicate name).
    let mut built = build_locked(backend, &mut admin, server_url, prefix, name).await;
    for _ in 0..2 {
        match &built {
            Err(e) => {
                tracing::warn!(template = name, error = %e, "template build failed; trying again");
                tokio::time::sleep(Duration::from_millis(200)).await;
                built = build_locked(backend, &mut admin, server_url, prefix, name).await;
            }
            Ok(_) => break,
        }
    }
    let unlocked = sqlx::query("SELECT pg_advisory_unlock($1)")
        .bind(lock)
        .execute(&mut admin)
        .await;
    let built = match built {
        // A concurrent first build (seen in CI as a duplicate name in `pg_database`) that
        // left the template in place: use it.
        Err(e) if exists(&mut admin, name).await.unwrap_or(false) => {
            tracing::warn!(template = name, error = %e, "template build raced; using the one built");
            Ok(false)
        }
        other => other,
    };
    let _ = admin.close().await;
    let built = built?;
    unlocked.map_err(sql_error)?;
    Ok(built)
}

async fn build_locked(
    backend: &Backend,
    admin: &mut PgConnection,
    server_url: &Url,
    prefix: &str,
    name: &str,
) -> Result<bool, AppError> {
    if exists(admin, name).await? {
        return Ok(false);
    }
    let started = std::time::Instant::now();
    // Holding the lock, no other builder is at work: a build database is a crash leftover.
    let build = format!("{name}_build");
    execute(
        admin,
        &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", quote(&build)),
    )
    .await?;
    execute(admin, &format!("CREATE DATABASE {}", quote(&build))).await?;
    let mut url = server_url.clone();
    url.set_path(&format!("/{build}"));
    let db = backend.connect(url.as_str(), 1).await?;
    let filled = super::fill(&db).await;
    db.close().await?;
    filled?;
    let rename = format!("ALTER DATABASE {} RENAME TO {}", quote(&build), quote(name));
    retry_in_use(admin, &rename).await.map_err(sql_error)?;
    execute(
        admin,
        &format!(
            "ALTER DATABASE {} WITH ALLOW_CONNECTIONS false",
            quote(name)
        ),
    )
    .await?;
    tracing::info!(
        template = name,
        ms = started.elapsed().as_millis() as u64,
        "tenant template built"
    );
    drop_others(admin, prefix, name).await?;
    Ok(true)
}

/// Creates `db_name` as a copy of `template`, unless it exists (`Ok(false)`).
pub(super) async fn copy(
    backend: &Backend,
    server_url: &Url,
    template: &str,
    db_name: &str,
) -> Result<bool, CopyError> {
    let mut admin = connect(backend, server_url).await?;
    let outcome = copy_on(&mut admin, template, db_name).await;
    let _ = admin.close().await;
    outcome
}

async fn copy_on(
    admin: &mut PgConnection,
    template: &str,
    db_name: &str,
) -> Result<bool, CopyError> {
    if exists(admin, db_name).await? {
        return Ok(false);
    }
    let create = format!(
        "CREATE DATABASE {} TEMPLATE {}",
        quote(db_name),
        quote(template)
    );
    match retry_in_use(admin, &create).await {
        Ok(()) => Ok(true),
        Err(e) if matches!(sqlstate(&e).as_deref(), Some(DUPLICATE | UNIQUE)) => Ok(false),
        Err(e) if sqlstate(&e).as_deref() == Some(MISSING) => Err(CopyError::Missing),
        Err(e) => Err(CopyError::Failed(sql_error(e))),
    }
}

/// Runs `sql`, again after a pause while PostgreSQL answers that another session is still
/// connected (a closed pool's backend may take a moment to exit).
async fn retry_in_use(admin: &mut PgConnection, sql: &str) -> Result<(), sqlx::Error> {
    let mut attempt = 0;
    loop {
        match sqlx::raw_sql(AssertSqlSafe(sql.to_owned()))
            .execute(&mut *admin)
            .await
        {
            Err(e) if sqlstate(&e).as_deref() == Some(IN_USE) && attempt < 50 => {
                attempt += 1;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            other => return other.map(|_| ()),
        }
    }
}

/// Drops the templates of `prefix` other than `keep`. One still being copied is left for later.
async fn drop_others(admin: &mut PgConnection, prefix: &str, keep: &str) -> Result<(), AppError> {
    let names: Vec<String> = sqlx::query_scalar("SELECT datname FROM pg_database")
        .fetch_all(&mut *admin)
        .await
        .map_err(sql_error)?;
    for name in names {
        if name != keep && is_template_name(prefix, &name) {
            let sql = format!("DROP DATABASE IF EXISTS {}", quote(&name));
            match sqlx::raw_sql(AssertSqlSafe(sql)).execute(&mut *admin).await {
                Ok(_) => tracing::info!(template = name, "dropped an unused tenant template"),
                Err(e) => tracing::warn!(template = name, "unused tenant template kept: {e}"),
            }
        }
    }
    Ok(())
}

/// Whether `name` is a template (or template build) of `prefix`: `<prefix>_<16 hex>[_build]`.
fn is_template_name(prefix: &str, name: &str) -> bool {
    let Some(rest) = name.strip_prefix(prefix).and_then(|r| r.strip_prefix('_')) else {
        return false;
    };
    let key = rest.strip_suffix("_build").unwrap_or(rest);
    key.len() == 16 && key.chars().all(|c| c.is_ascii_hexdigit())
}

async fn connect(backend: &Backend, server_url: &Url) -> Result<PgConnection, AppError> {
    let timeout = backend.pool_settings().acquire_timeout;
    let options: PgConnectOptions = server_url.as_str().parse().map_err(sql_error)?;
    let options = options.disable_statement_logging();
    tokio::time::timeout(timeout, options.connect())
        .await
        .map_err(|_| AppError::Internal("timed out connecting to the database server".into()))?
        .map_err(sql_error)
}

async fn exists(admin: &mut PgConnection, name: &str) -> Result<bool, AppError> {
    let found: Option<i32> = sqlx::query_scalar("SELECT 1 FROM pg_database WHERE datname = $1")
        .bind(name)
        .fetch_optional(&mut *admin)
        .await
        .map_err(sql_error)?;
    Ok(found.is_some())
}

async fn execute(admin: &mut PgConnection, sql: &str) -> Result<(), AppError> {
    sqlx::raw_sql(AssertSqlSafe(sql.to_owned()))
        .execute(&mut *admin)
        .await
        .map(|_| ())
        .map_err(sql_error)
}

/// The advisory lock of the builders of `prefix`.
fn lock_id(prefix: &str) -> i64 {
    let digest = Sha256::digest(format!("erp tenant template {prefix}"));
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(bytes)
}

/// `name` (built from validated prefixes and slugs) as one quoted identifier.
fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', ""))
}

fn sqlstate(e: &sqlx::Error) -> Option<String> {
    match e {
        sqlx::Error::Database(d) => d.code().map(|c| c.into_owned()),
        _ => None,
    }
}

fn sql_error(e: sqlx::Error) -> AppError {
    AppError::Internal(format!("tenant template: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_names_of_the_prefix_and_a_key_are_templates() {
        assert!(is_template_name("erp_tpl", "erp_tpl_0123456789abcdef"));
        assert!(is_template_name(
            "erp_tpl",
            "erp_tpl_0123456789abcdef_build"
        ));
        assert!(!is_template_name("erp_tpl", "erp_t_acme"));
        assert!(!is_template_name("erp_tpl", "erp_tpl_acme"));
        assert!(!is_template_name("erp_tpl", "erp_tplx_0123456789abcdef"));
        assert!(!is_template_name("erp", "erp_tpl_0123456789abcdef"));
    }
}
