//! `jobs`: the tenant's background jobs (`crate::jobs`) and their status, for whoever holds
//! `identity.job.read` (the admin role).

use async_graphql::Enum;
use chrono::{DateTime, Utc};
use entities::events::job;

use crate::authz::Require;
use crate::authz::catalog::JOB_READ;
use crate::error::GqlResult;
use crate::graphql::edit::filter_input;
use crate::graphql::fields::fields;
use crate::graphql::resolve::{list, queries};
use crate::jobs::queue::{self, JobFilter};

/// Where a job stands.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobStatus {
    /// Waiting for its next run (`runAt`).
    Queued,
    /// A runner holds it until `lockedUntil`; past that, another takes it over.
    Running,
    /// Finished (a one-off job).
    Done,
    /// Failed `maxAttempts` times; `lastError` says why.
    Failed,
}

impl JobStatus {
    fn of(status: &str) -> Self {
        match status {
            queue::RUNNING => Self::Running,
            queue::DONE => Self::Done,
            queue::FAILED => Self::Failed,
            _ => Self::Queued,
        }
    }
}

impl From<JobStatus> for &'static str {
    fn from(status: JobStatus) -> Self {
        match status {
            JobStatus::Queued => queue::QUEUED,
            JobStatus::Running => queue::RUNNING,
            JobStatus::Done => queue::DONE,
            JobStatus::Failed => queue::FAILED,
        }
    }
}

/// A job row (the GraphQL type `Job`).
pub struct Job(pub job::Model);

fields! {
    /// A background job of the tenant: recurring (the outbox relay, activity reminders) or
    /// one-off, retried with backoff when it fails.
    impl Job(job::Model) {
        /// Stable id.
        id id;
        /// What runs, e.g. `activity.reminders`.
        text kind;
        /// Where it stands.
        async fn status(&self) -> JobStatus {
            JobStatus::of(&self.0.status)
        }
        /// When it runs next (a done job: when it was due).
        value run_at: DateTime<Utc>;
        /// Runs started so far (reset when a recurring job succeeds).
        value attempts: i32;
        /// Runs it gets before it is `FAILED`.
        value max_attempts: i32;
        /// Until when its runner holds it (`RUNNING` only).
        value locked_until: Option<DateTime<Utc>>;
        /// Why its last run failed (none after a success). A database or internal error is
        /// shown as its kind only; the server log has the details.
        async fn last_error(&self) -> Option<String> {
            self.0.last_error.as_deref().map(|error| {
                for kind in ["database error", "internal error"] {
                    if error.starts_with(kind) {
                        return format!("{kind} (see the server log)");
                    }
                }
                error.to_owned()
            })
        }
        /// When it was queued first.
        value created_at: DateTime<Utc>;
        /// When it last changed.
        value updated_at: DateTime<Utc>;
    }
}

/// Job queries.
#[derive(Default)]
pub struct JobsQuery;

queries! { JobsQuery, guard = "Require(JOB_READ)";
    /// The tenant's background jobs, oldest first.
    list jobs(
        #[graphql(desc = "Which jobs.")] filter: Option<JobsFilter>,
    ) -> Job |ctx, args| {
        let filter = JobsFilter::service(filter).gql()?;
        list(ctx, Ok(queue::listed(&filter)), args, Job).await
    }
}

filter_input! {
    /// Which jobs `jobs` lists.
    JobsFilter => JobFilter;
    /// Only these statuses.
    any status: JobStatus;
    /// Only this kind, e.g. `activity.reminders`.
    one kind: String;
}
