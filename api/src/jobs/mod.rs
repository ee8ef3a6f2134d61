//! Background jobs: the work Celery does for other ERPs, inside `erp serve` (unless
//! `ERP_JOBS=off`) and `erp worker` (a process that runs only jobs).
//!
//! Jobs live in each tenant's `job` table ([`queue`]): claimed by one runner at a time in any
//! number of processes, retried with backoff (2, 4, 8 … s, at most 5 min) until
//! `max_attempts`, then `FAILED` with their last error; `status`, `attempts` and `last_error`
//! are there to look at. Every tick (`ERP_JOBS_TICK_MS`) the runner visits the tenants whose
//! database pool is open in this process (the busy ones), and every [`SWEEP_TICKS`] ticks every
//! usable tenant, at most `ERP_JOBS_CONCURRENCY` at once, and runs their due jobs: a SaaS
//! process does not open a pool per idle tenant each tick. `/metrics` shows runs, failures and
//! the queue depth per kind.
//!
//! Kinds (each tenant gets the recurring ones on the runner's first visit):
//! - [`RELAY`] (every 10 ticks): publishes outbox rows nobody published (a replica died between
//!   commit and publish and did not come back) and drops rows sent a week ago.
//! - [`REMINDERS`] (every tick): an `ACTIVITY_DUE` notification for each open activity that
//!   fell due since the last run, to its assignee (or owner), once per activity and due time
//!   (the notification's dedup key), however many processes run jobs.
//! - [`QUOTATION_EXPIRY`] (every [`SWEEP_TICKS`] ticks, at once again while a batch was
//!   full): marks `EXPIRED` the sent quotations whose `valid_until` has passed
//!   (`sales::service::quotations::expire`), audited and announced like any change.

pub mod queue;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use entities::crm::activity;
use entities::events::job;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use tokio::sync::Semaphore;
use uuid::Uuid;

use crate::audit::AuditActor;
use crate::error::AppError;
use crate::kit::Write;
use crate::modules::notifications::service as notifications;
use crate::modules::sales::service::quotations;
use crate::state::AppState;
use crate::tenancy::pools::TenantDb;

/// The outbox sweep.
pub const RELAY: &str = "outbox.relay";
/// Activity reminders.
pub const REMINDERS: &str = "activity.reminders";
/// Expiry of quotations past their validity.
pub const QUOTATION_EXPIRY: &str = "sales.quotations.expire";

/// Every recurring kind.
const KINDS: [&str; 3] = [RELAY, REMINDERS, QUOTATION_EXPIRY];

/// Every this many ticks the runner visits every usable tenant, not only the busy ones.
pub const SWEEP_TICKS: u64 = 15;

/// Runs every tenant's jobs until the process ends.
pub fn start(state: AppState) {
    tokio::spawn(crate::metrics::background(async move { run(state).await }));
}

async fn run(state: AppState) {
    let settings = state.settings().jobs.clone();
    let limit = Arc::new(Semaphore::new(settings.concurrency));
    let mut interval = tokio::time::interval(settings.tick);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut seeded = std::collections::HashSet::new();
    let mut ticks: u64 = 0;
    loop {
        interval.tick().await;
        let sweep = ticks.is_multiple_of(SWEEP_TICKS);
        ticks += 1;
        let busy = state.tenancy().pools().open_ids();
        let tenants = match crate::tenancy::registry::list(state.tenancy().control()).await {
            Ok(tenants) => tenants,
            Err(e) => {
                tracing::warn!(error = %e, "jobs: cannot list tenants");
                continue;
            }
        };
        let mut tasks = tokio::task::JoinSet::new();
        let visited = tenants
            .into_iter()
            .filter(|t| t.status.is_usable() && (sweep || busy.contains(&t.id)));
        for tenant in visited {
            let fresh = seeded.insert(tenant.id);
            let (state, limit) = (state.clone(), limit.clone());
            tasks.spawn(crate::metrics::background(async move {
                let _permit = limit.acquire().await;
                match visit(&state, tenant.id, fresh).await {
                    Ok(depth) => depth,
                    Err(e) => {
                        tracing::warn!(tenant = %tenant.slug, error = %e, "jobs: tenant skipped this tick");
                        Vec::new()
                    }
                }
            }));
        }
        let mut depth = std::collections::BTreeMap::<String, u64>::new();
        while let Some(Ok(kinds)) = tasks.join_next().await {
            for (kind, n) in kinds {
                *depth.entry(kind).or_default() += n;
            }
        }
        for kind in KINDS {
            state
                .metrics()
                .set_job_depth(kind, depth.get(kind).copied().unwrap_or(0));
        }
    }
}

/// Runs `tenant`'s due jobs; returns how many were due, by kind.
async fn visit(
    state: &AppState,
    tenant: Uuid,
    fresh: bool,
) -> Result<Vec<(String, u64)>, AppError> {
    let db = state.tenancy().tenant_db(tenant).await?;
    if fresh {
        queue::ensure_recurring(db.conn(), RELAY, "{}").await?;
        let start = serde_json::json!({ "since": Utc::now() }).to_string();
        queue::ensure_recurring(db.conn(), REMINDERS, &start).await?;
        queue::ensure_recurring(db.conn(), QUOTATION_EXPIRY, "{}").await?;
    }
    let claimed = queue::claim(db.conn()).await?;
    let mut due = Vec::new();
    for kind in KINDS {
        due.push((
            kind.to_owned(),
            claimed.iter().filter(|j| j.kind == kind).count() as u64,
        ));
    }
    for job in claimed {
        let outcome = match execute(state, &db, &job).await {
            Ok(outcome) => outcome,
            Err(e) => queue::Outcome::Failed(e.to_string()),
        };
        let failed = matches!(outcome, queue::Outcome::Failed(_));
        state.metrics().record_job_run(&job.kind, failed);
        if let queue::Outcome::Failed(error) = &outcome {
            tracing::warn!(%tenant, kind = %job.kind, attempt = job.attempts, %error, "job failed");
        }
        queue::finish(db.conn(), &job, outcome).await?;
    }
    Ok(due)
}

async fn execute(
    state: &AppState,
    db: &Arc<TenantDb>,
    job: &job::Model,
) -> Result<queue::Outcome, AppError> {
    let tick = state.settings().jobs.tick;
    match job.kind.as_str() {
        RELAY => {
            state.events().relay().relay(db.tenant().id).await?;
            crate::events::outbox::prune(db.conn(), 7).await?;
            Ok(queue::Outcome::Done {
                next: Some(Utc::now() + chrono_of(tick * 10)),
                payload: job.payload.clone(),
            })
        }
        REMINDERS => {
            let payload = reminders(state, db, &job.payload).await?;
            Ok(queue::Outcome::Done {
                next: Some(Utc::now() + chrono_of(tick)),
                payload,
            })
        }
        QUOTATION_EXPIRY => {
            let expired = expire_quotations(state, db).await?;
            let wait = if expired as u64 == quotations::EXPIRY_BATCH {
                Duration::ZERO
            } else {
                tick * u32::try_from(SWEEP_TICKS).unwrap_or(15)
            };
            Ok(queue::Outcome::Done {
                next: Some(Utc::now() + chrono_of(wait)),
                payload: job.payload.clone(),
            })
        }
        other => Ok(queue::Outcome::Failed(format!("unknown job kind {other}"))),
    }
}

fn chrono_of(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::seconds(1))
}

/// Marks the quotations past their validity expired, in one transaction; returns how many.
async fn expire_quotations(state: &AppState, db: &Arc<TenantDb>) -> Result<usize, AppError> {
    let access = crate::authz::Access::system(db.tenant().id);
    let relay = crate::kit::write::Relay {
        events: state.events().clone(),
        tenant: db.tenant().id,
    };
    let w = Write::begin(db.conn(), &access, AuditActor(None), Some(relay));
    let expired = quotations::expire(&w, Utc::now().date_naive()).await?;
    w.commit().await?;
    Ok(expired)
}

/// Most reminders one run sends; the rest wait for the next run.
const REMINDER_BATCH: u64 = 500;

/// Sends `ACTIVITY_DUE` for open activities due in `(since, now]`; returns the next payload.
async fn reminders(
    state: &AppState,
    db: &Arc<TenantDb>,
    payload: &str,
) -> Result<String, AppError> {
    let since: DateTime<Utc> = serde_json::from_str::<serde_json::Value>(payload)
        .ok()
        .and_then(|v| v.get("since").cloned())
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_else(Utc::now);
    let now = Utc::now();
    let due = activity::Entity::find()
        .filter(activity::Column::Done.eq(false))
        .filter(activity::Column::DueAt.gt(since))
        .filter(activity::Column::DueAt.lte(now))
        .order_by_asc(activity::Column::DueAt)
        .limit(REMINDER_BATCH)
        .all(db.conn())
        .await?;
    let reached = if due.len() as u64 == REMINDER_BATCH {
        due.last().and_then(|a| a.due_at).unwrap_or(now)
    } else {
        now
    };
    if !due.is_empty() {
        let access = crate::authz::Access::system(db.tenant().id);
        let relay = crate::kit::write::Relay {
            events: state.events().clone(),
            tenant: db.tenant().id,
        };
        let w = Write::begin(db.conn(), &access, AuditActor(None), Some(relay));
        for a in &due {
            let Some(recipient) = a.assignee_id.or(a.owner_id) else {
                continue;
            };
            let due_at = a.due_at.unwrap_or(now);
            let notice = notifications::Notice {
                kind: notifications::ACTIVITY_DUE,
                title: format!("Due now: {}", a.subject),
                body: format!(
                    "{} was due at {}",
                    a.subject,
                    due_at.format("%Y-%m-%d %H:%M UTC")
                ),
                link: Some(("activity", a.id)),
                dedup: Some(format!(
                    "activity-due:{}:{}",
                    a.id,
                    due_at.timestamp_micros()
                )),
            };
            notifications::send(&w, &[recipient], &notice).await?;
        }
        w.commit().await?;
    }
    Ok(serde_json::json!({ "since": reached }).to_string())
}
