//! The `job` table of a tenant: enqueue, claim, finish. A claim is one statement that marks
//! due jobs `RUNNING` with a lease and returns them: on PostgreSQL the candidates are locked
//! `FOR UPDATE SKIP LOCKED`, so runners in several processes never take the same job; on
//! SQLite the `UPDATE … RETURNING` is atomic under the database's write lock. A job whose
//! runner died is taken over once its lease has passed.

use chrono::{DateTime, Duration, Utc};
use entities::events::job;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, Select, Set, Statement,
};
use uuid::Uuid;

use crate::error::AppError;

/// Queued, waiting for `run_at`.
pub const QUEUED: &str = "QUEUED";
/// Claimed by a runner until `locked_until`.
pub const RUNNING: &str = "RUNNING";
/// Finished (one-off jobs).
pub const DONE: &str = "DONE";
/// Failed `max_attempts` times; kept with its last error.
pub const FAILED: &str = "FAILED";

/// Which jobs `jobs` lists.
#[derive(Debug, Default)]
pub struct JobFilter {
    /// Only these statuses ([`QUEUED`], [`RUNNING`], [`DONE`], [`FAILED`]); empty: all.
    pub status: Vec<&'static str>,
    /// Only this kind, e.g. `activity.reminders`.
    pub kind: Option<String>,
}

/// The tenant's jobs that `filter` selects (the resolver checks the permission).
pub fn listed(filter: &JobFilter) -> Select<job::Entity> {
    let mut query = job::Entity::find();
    if !filter.status.is_empty() {
        query = query.filter(job::Column::Status.is_in(filter.status.iter().copied()));
    }
    if let Some(kind) = &filter.kind {
        query = query.filter(job::Column::Kind.eq(kind.as_str()));
    }
    query
}

/// How long a claimed job is its runner's.
pub const LEASE: Duration = Duration::seconds(60);

/// Most jobs one runner claims from a tenant per tick.
pub const CLAIM: i64 = 16;

/// Queues a recurring job of `kind` under its unique key (the kind), due now, unless the
/// tenant has it already.
pub async fn ensure_recurring<C: ConnectionTrait>(
    db: &C,
    kind: &str,
    payload: &str,
) -> Result<(), AppError> {
    let now = Utc::now();
    let row = job::ActiveModel {
        id: Set(Uuid::now_v7()),
        kind: Set(kind.to_owned()),
        unique_key: Set(Some(kind.to_owned())),
        payload: Set(payload.to_owned()),
        status: Set(QUEUED.to_owned()),
        run_at: Set(now),
        attempts: Set(0),
        max_attempts: Set(i32::MAX),
        locked_until: Set(None),
        last_error: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    };
    job::Entity::insert(row)
        .on_conflict(
            OnConflict::column(job::Column::UniqueKey)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Claims up to [`CLAIM`] due jobs (queued and due, or running past their lease).
pub async fn claim<C: ConnectionTrait>(db: &C) -> Result<Vec<job::Model>, AppError> {
    let now = Utc::now();
    let until = now + LEASE;
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => {
            "UPDATE job SET status = 'RUNNING', locked_until = $1, attempts = attempts + 1, \
             updated_at = $2 WHERE id IN (SELECT id FROM job WHERE (status = 'QUEUED' AND \
             run_at <= $3) OR (status = 'RUNNING' AND locked_until < $4) ORDER BY run_at \
             LIMIT $5 FOR UPDATE SKIP LOCKED) RETURNING *"
        }
        _ => {
            "UPDATE job SET status = 'RUNNING', locked_until = ?, attempts = attempts + 1, \
             updated_at = ? WHERE id IN (SELECT id FROM job WHERE (status = 'QUEUED' AND \
             run_at <= ?) OR (status = 'RUNNING' AND locked_until < ?) ORDER BY run_at \
             LIMIT ?) RETURNING *"
        }
    };
    let statement = Statement::from_sql_and_values(
        backend,
        sql,
        [
            until.into(),
            now.into(),
            now.into(),
            now.into(),
            CLAIM.into(),
        ],
    );
    Ok(job::Entity::find().from_raw_sql(statement).all(db).await?)
}

/// How a run ended.
pub enum Outcome {
    /// Done; a recurring job runs again at `next` with `payload`.
    Done {
        /// When a recurring job runs next (none: one-off, now `DONE`).
        next: Option<DateTime<Utc>>,
        /// Its payload for the next run.
        payload: String,
    },
    /// Failed with this error: retried with backoff, or `FAILED` after `max_attempts`.
    Failed(String),
}

/// The wait before retry `attempt` (1, 2, …): 2^attempt seconds, at most five minutes.
pub fn backoff(attempt: i32) -> Duration {
    Duration::seconds(1_i64 << attempt.clamp(1, 8)).min(Duration::minutes(5))
}

/// Records how claimed `job` ended (only while the claim is still this runner's).
pub async fn finish<C: ConnectionTrait>(
    db: &C,
    job: &job::Model,
    outcome: Outcome,
) -> Result<(), AppError> {
    let now = Utc::now();
    let mut row = job::ActiveModel {
        updated_at: Set(now),
        locked_until: Set(None),
        ..Default::default()
    };
    match outcome {
        Outcome::Done {
            next: Some(next),
            payload,
        } => {
            row.status = Set(QUEUED.to_owned());
            row.run_at = Set(next);
            row.attempts = Set(0);
            row.payload = Set(payload);
            row.last_error = Set(None);
        }
        Outcome::Done {
            next: None,
            payload,
        } => {
            row.status = Set(DONE.to_owned());
            row.payload = Set(payload);
            row.last_error = Set(None);
        }
        Outcome::Failed(error) => {
            let spent = job.attempts >= job.max_attempts;
            row.status = Set(if spent { FAILED } else { QUEUED }.to_owned());
            row.run_at = Set(now + backoff(job.attempts));
            row.last_error = Set(Some(error.chars().take(2_000).collect()));
        }
    }
    job::Entity::update_many()
        .set(row)
        .filter(job::Column::Id.eq(job.id))
        .filter(job::Column::Status.eq(RUNNING))
        .filter(job::Column::LockedUntil.eq(job.locked_until))
        .exec(db)
        .await?;
    Ok(())
}
