//! SQLite templates: one file per key in the template directory; a tenant database is a copy.
//!
//! Builders take an exclusive lock on `<dir>/.lock` (an OS file lock, so it holds between
//! processes too), build into `<name>.build-<uuid>`, make the file self-contained (WAL
//! checkpointed, rollback journal) and rename it into place. Copies go through a temporary
//! file renamed onto the tenant's path, so a tenant file is either absent or complete.

use std::fs::{self, File};
use std::path::{Path, PathBuf};

use sea_orm::ConnectionTrait;
use uuid::Uuid;

use super::CopyError;
use crate::error::AppError;
use crate::tenancy::backend::{Backend, private_file, sqlite_tenant_path, sqlite_url};

/// Template files are `tenant-<key>.db`.
pub(super) const FILE_PREFIX: &str = "tenant-";

/// Builds the template at `path` unless it exists. Returns whether it was built now.
pub(super) async fn ensure(backend: &Backend, path: &Path) -> Result<bool, AppError> {
    if path.exists() {
        return Ok(false);
    }
    let dir = path
        .parent()
        .ok_or_else(|| AppError::Internal("template path without a folder".into()))?
        .to_owned();
    crate::files::create_private_dir(&dir)
        .map_err(|e| io_error(&format!("cannot create {}", dir.display()), e))?;
    let lock_path = dir.join(".lock");
    let _lock = blocking(move || {
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)?;
        file.lock()?;
        Ok(file)
    })
    .await
    .map_err(|e| io_error("cannot lock the template folder", e))?;
    if path.exists() {
        return Ok(false);
    }
    // Holding the lock, no other builder is at work here: build files are crash leftovers.
    remove_others(&dir, None, ".build-")?;

    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| AppError::Internal("template file name is not UTF-8".into()))?;
    let tmp = dir.join(format!("{name}.build-{}", Uuid::new_v4().simple()));
    let started = std::time::Instant::now();
    private_file(&tmp)?;
    let db = backend.connect(&sqlite_url(&tmp), 1).await?;
    let filled = async {
        super::fill(&db).await?;
        // Fold the WAL into the file and leave WAL mode, so the file alone is the database.
        db.execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)")
            .await?;
        db.execute_unprepared("PRAGMA journal_mode=DELETE").await?;
        Ok::<(), AppError>(())
    }
    .await;
    db.close().await?;
    if let Err(e) = filled {
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    let final_path = path.to_owned();
    blocking(move || {
        for suffix in ["-wal", "-shm", "-journal"] {
            let _ = fs::remove_file(with_suffix(&tmp, suffix));
        }
        File::open(&tmp)?.sync_all()?;
        fs::rename(&tmp, &final_path)
    })
    .await
    .map_err(|e| io_error("cannot store the tenant template", e))?;
    tracing::info!(
        template = %path.display(),
        ms = started.elapsed().as_millis() as u64,
        "tenant template built"
    );
    // Templates of other keys are no longer used by this build of the code.
    remove_others(&dir, Some(name), ".db")?;
    Ok(true)
}

/// Copies `template` to tenant database `db_name` under the data directory `data_dir`, unless
/// that database exists already (`Ok(false)`).
pub(super) async fn copy(
    template: &Path,
    data_dir: &Path,
    db_name: &str,
) -> Result<bool, CopyError> {
    let tenants = data_dir.join("tenants");
    crate::files::ensure_private_dir(&tenants)
        .map_err(|e| io_error(&format!("cannot create {}", tenants.display()), e))?;
    let target = sqlite_tenant_path(data_dir, db_name);
    let template = template.to_owned();
    let db_name = db_name.to_owned();
    let outcome = blocking(move || {
        if fs::metadata(&target).is_ok_and(|m| m.len() > 0) {
            return Ok(false);
        }
        let tmp = tenants.join(format!(".{db_name}.db.copy-{}", Uuid::new_v4().simple()));
        let copied = fs::copy(&template, &tmp)
            .and_then(|_| File::open(&tmp)?.sync_all())
            .and_then(|()| fs::rename(&tmp, &target));
        if copied.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        copied.map(|()| true)
    })
    .await;
    match outcome {
        Ok(created) => Ok(created),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(CopyError::Missing),
        Err(e) => Err(CopyError::Failed(io_error(
            "cannot copy the tenant template",
            e,
        ))),
    }
}

/// Removes the template files in `dir` (but `keep`) whose name contains `marker`, with their
/// `-wal`/`-shm` companions.
fn remove_others(dir: &Path, keep: Option<&str>, marker: &str) -> Result<(), AppError> {
    let entries = fs::read_dir(dir).map_err(|e| io_error("cannot list templates", e))?;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let ours = name.starts_with(FILE_PREFIX) && name.contains(marker);
        if ours && Some(name.as_str()) != keep {
            let path = entry.path();
            tracing::info!(file = %path.display(), "removing an unused tenant template");
            let _ = fs::remove_file(&path);
            for suffix in ["-wal", "-shm", "-journal"] {
                let _ = fs::remove_file(with_suffix(&path, suffix));
            }
        }
    }
    Ok(())
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> std::io::Result<T> + Send + 'static,
) -> std::io::Result<T> {
    tokio::task::spawn_blocking(work)
        .await
        .unwrap_or_else(|e| Err(std::io::Error::other(e.to_string())))
}

fn io_error(what: &str, e: std::io::Error) -> AppError {
    AppError::Internal(format!("{what}: {e}"))
}
