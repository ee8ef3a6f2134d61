//! Checks made before a command opens its pools, so a wrong address fails in seconds with
//! one line that names the server and the cause, instead of after the pool's retries.

use std::time::Duration;

use anyhow::bail;

use crate::config::{DatabaseSettings, Settings};

/// Longest wait for the database server to accept a connection at start-up.
pub const REACH_TIMEOUT: Duration = Duration::from_secs(5);

/// Fails when the PostgreSQL server of `DATABASE_URL` does not accept TCP connections (DNS
/// failure, refused, unreachable, or silent for [`REACH_TIMEOUT`] or the acquire timeout,
/// whichever is shorter). SQLite and Unix-socket hosts have nothing to check here.
pub async fn check_control_database(settings: &Settings) -> anyhow::Result<()> {
    let DatabaseSettings::Postgres { control_url, .. } = &settings.database else {
        return Ok(());
    };
    let host = control_url
        .host_str()
        .unwrap_or_default()
        .trim_start_matches('[')
        .trim_end_matches(']');
    let host = if host.is_empty() { "localhost" } else { host };
    if host.starts_with('/') || host.starts_with("%2F") {
        return Ok(());
    }
    let port = control_url.port().unwrap_or(5432);
    let shown = if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    };
    let wait = settings.pools.acquire_timeout.min(REACH_TIMEOUT);
    match tokio::time::timeout(wait, tokio::net::TcpStream::connect((host, port))).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => {
            bail!("cannot reach the control database server at {shown} (DATABASE_URL): {e}")
        }
        Err(_) => bail!(
            "cannot reach the control database server at {shown} (DATABASE_URL): no answer \
             within {} ms",
            wait.as_millis()
        ),
    }
}
