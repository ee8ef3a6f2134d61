//! Schema upgrades: the control database, then every tenant database.
//!
//! Each tenant is upgraded inside one transaction (DDL is transactional on PostgreSQL and
//! SQLite), so a failure leaves that tenant exactly as it was, never half-migrated. Tenants are
//! upgraded with bounded concurrency; one failing tenant is reported and the others go on.

use std::sync::Arc;

use entities::control::tenant::TenantStatus;
use migration::MigratorTrait;
use sea_orm::{DatabaseConnection, TransactionTrait};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::error::AppError;
use crate::tenancy::{Tenancy, registry};

/// What one upgrade did.
#[derive(Debug, Clone)]
pub struct Upgrade {
    /// Migrations applied now.
    pub applied: usize,
    /// The last migration the database has.
    pub version: Option<String>,
}

/// The outcome for one tenant.
#[derive(Debug)]
pub struct TenantOutcome {
    /// The tenant's slug.
    pub slug: String,
    /// The upgrade, or why it failed.
    pub result: Result<Upgrade, String>,
}

/// Applies the pending tenant migrations to `db` in one transaction.
pub async fn upgrade_tenant_database(db: &DatabaseConnection) -> Result<Upgrade, AppError> {
    let txn = db.begin().await?;
    let applied = migration::tenant::Migrator::get_pending_migrations(&txn)
        .await?
        .len();
    migration::tenant::Migrator::up(&txn, None).await?;
    let version = migration::tenant::Migrator::get_applied_migrations(&txn)
        .await?
        .last()
        .map(|m| m.name().to_owned());
    // Every module's seed: system roles follow the catalog in code, which may have grown with
    // this upgrade; reference data and stages are added where missing.
    crate::modules::seed(&txn).await?;
    txn.commit().await?;
    Ok(Upgrade { applied, version })
}

/// Upgrades every tenant database (except closed tenants and unfinished provisionings),
/// `concurrency` at a time, calling `progress` with one line per tenant as each finishes.
pub async fn upgrade_all_tenants(
    tenancy: &Arc<Tenancy>,
    concurrency: usize,
    progress: impl Fn(&str),
) -> Result<Vec<TenantOutcome>, AppError> {
    let tenants: Vec<_> = registry::list(tenancy.control())
        .await?
        .into_iter()
        .filter(|t| !matches!(t.status, TenantStatus::Closed | TenantStatus::Provisioning))
        .collect();
    let total = tenants.len();
    let permits = Arc::new(Semaphore::new(concurrency.max(1)));
    let mut tasks = JoinSet::new();
    for t in tenants {
        let tenancy = tenancy.clone();
        let permits = permits.clone();
        tasks.spawn(async move {
            let result = async {
                let _permit = permits.acquire().await.map_err(|e| e.to_string())?;
                let db = tenancy
                    .backend()
                    .connect_tenant(&t.db_server, &t.db_name, 1)
                    .await
                    .map_err(|e| e.to_string())?;
                let upgrade = upgrade_tenant_database(&db).await;
                let _ = db.close().await;
                let upgrade = upgrade.map_err(|e| e.to_string())?;
                if let Some(version) = &upgrade.version {
                    registry::set_schema_version(tenancy.control(), t.id, version)
                        .await
                        .map_err(|e| e.to_string())?;
                }
                Ok(upgrade)
            }
            .await;
            TenantOutcome {
                slug: t.slug,
                result,
            }
        });
    }
    let mut outcomes = Vec::with_capacity(total);
    while let Some(joined) = tasks.join_next().await {
        let outcome =
            joined.map_err(|e| AppError::Internal(format!("migration task failed: {e}")))?;
        let line = match &outcome.result {
            Ok(u) if u.applied == 0 => "up to date".to_owned(),
            Ok(u) => format!(
                "{} migration(s) applied, now at {}",
                u.applied,
                u.version.as_deref().unwrap_or("-")
            ),
            Err(e) => format!("FAILED: {e}"),
        };
        progress(&format!(
            "[{}/{total}] {}: {line}",
            outcomes.len() + 1,
            outcome.slug
        ));
        outcomes.push(outcome);
    }
    outcomes.sort_by(|a, b| a.slug.cmp(&b.slug));
    Ok(outcomes)
}
