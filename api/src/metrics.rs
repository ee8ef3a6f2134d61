//! Process metrics in the Prometheus text format, served at `/metrics`.
//!
//! Hand-written rather than a metrics crate: five metric families with fixed label sets need
//! no registry. Counters are atomics or short `std::sync::Mutex` sections (no await happens
//! while one is held). Durations are kept in whole microseconds: no floats in this code base.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

tokio::task_local! {
    /// SQL statements of the GraphQL request this task serves (development responses report
    /// it as `extensions.sqlStatements`). DataLoader batches run in tasks of their own and
    /// carry it along (see `modules::identity::loaders::Loaders::new`).
    pub static REQUEST_SQL: std::sync::Arc<AtomicU64>;
}

tokio::task_local! {
    /// Set in background tasks (the outbox relay, the Redis listener's catch-up, jobs): their
    /// statements count in `erp_background_sql_statements_total`, not in
    /// `erp_sql_statements_total`, which stays the statements of requests (a refused request
    /// costs 0 of them, whatever the jobs do meanwhile).
    static BACKGROUND: ();
}

/// Runs `work` as background work (see [`BACKGROUND`]).
pub async fn background<F: std::future::Future>(work: F) -> F::Output {
    BACKGROUND.scope((), work).await
}

/// Counts one statement for the current request, if any.
pub fn count_request_statement() {
    let _ = REQUEST_SQL.try_with(|c| c.fetch_add(1, Ordering::Relaxed));
}

/// Upper bounds of the latency histogram buckets, in microseconds, with their `le` labels.
const BUCKETS: [(u64, &str); 11] = [
    (1_000, "0.001"),
    (5_000, "0.005"),
    (10_000, "0.01"),
    (25_000, "0.025"),
    (50_000, "0.05"),
    (100_000, "0.1"),
    (250_000, "0.25"),
    (500_000, "0.5"),
    (1_000_000, "1"),
    (2_500_000, "2.5"),
    (10_000_000, "10"),
];

#[derive(Default)]
struct Histogram {
    /// Cumulative counts per bucket of [`BUCKETS`].
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum_micros: u64,
}

/// All metrics of the process.
#[derive(Default)]
pub struct Metrics {
    /// (route, status) → requests.
    requests: Mutex<BTreeMap<(String, u16), u64>>,
    /// route → latency histogram.
    latency: Mutex<BTreeMap<String, Histogram>>,
    /// error code → GraphQL errors returned.
    graphql_errors: Mutex<BTreeMap<String, u64>>,
    sql_statements: AtomicU64,
    tenant_pools_opened: AtomicU64,
    tenant_pools_closed: AtomicU64,
    tenant_pools_peak: AtomicU64,
    tenant_pools_grown: AtomicU64,
    background_statements: AtomicU64,
    events_published: AtomicU64,
    relay_failures: AtomicU64,
    /// Subscriptions started on the direct path (`graphql::direct`) and through the executor.
    subscriptions_direct: AtomicU64,
    subscriptions_executor: AtomicU64,
    /// 1 while the event bus is up (always, in-process); 0 while Redis is away.
    bus_down: std::sync::atomic::AtomicBool,
    /// Job kind → (runs, failures, queued and due at the last look).
    jobs: Mutex<BTreeMap<String, (u64, u64, u64)>>,
}

impl Metrics {
    /// Records one finished HTTP request.
    pub fn record_request(&self, route: &str, status: u16, elapsed: Duration) {
        let micros = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
        if let Ok(mut map) = self.requests.lock() {
            *map.entry((route.to_owned(), status)).or_default() += 1;
        }
        if let Ok(mut map) = self.latency.lock() {
            let h = map.entry(route.to_owned()).or_default();
            for (slot, (bound, _)) in h.buckets.iter_mut().zip(BUCKETS) {
                if micros <= bound {
                    *slot += 1;
                }
            }
            h.count += 1;
            h.sum_micros = h.sum_micros.saturating_add(micros);
        }
    }

    /// Counts one subscription started, on the direct path or through the executor.
    pub fn record_subscription(&self, direct: bool) {
        let counter = if direct {
            &self.subscriptions_direct
        } else {
            &self.subscriptions_executor
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// Records GraphQL errors by their `extensions.code`.
    pub fn record_graphql_error(&self, code: &str) {
        if let Ok(mut map) = self.graphql_errors.lock() {
            *map.entry(code.to_owned()).or_default() += 1;
        }
    }

    /// Counts one SQL statement (called by every database pool's metric callback), as
    /// background work's when run by it.
    pub fn record_sql_statement(&self) {
        if BACKGROUND.try_with(|()| ()).is_ok() {
            self.background_statements.fetch_add(1, Ordering::Relaxed);
        } else {
            self.sql_statements.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// SQL statements run since start.
    pub fn sql_statements(&self) -> u64 {
        self.sql_statements.load(Ordering::Relaxed)
    }

    /// A tenant pool was opened.
    pub fn tenant_pool_opened(&self) {
        self.tenant_pools_opened.fetch_add(1, Ordering::AcqRel);
        self.tenant_pools_peak
            .fetch_max(self.open_tenant_pools(), Ordering::AcqRel);
    }

    /// A tenant pool was closed.
    pub fn tenant_pool_closed(&self) {
        self.tenant_pools_closed.fetch_add(1, Ordering::AcqRel);
    }

    /// A tenant pool was replaced by a larger one (`crate::tenancy::pools`).
    pub fn tenant_pool_grown(&self) {
        self.tenant_pools_grown.fetch_add(1, Ordering::Relaxed);
    }

    /// `n` outbox rows were published and marked sent.
    pub fn record_events_published(&self, n: u64) {
        self.events_published.fetch_add(n, Ordering::Relaxed);
    }

    /// A relay pass failed (the bus or the tenant database was away).
    pub fn record_relay_failure(&self) {
        self.relay_failures.fetch_add(1, Ordering::Relaxed);
    }

    /// Whether the event bus can publish and listen.
    pub fn set_bus_up(&self, up: bool) {
        self.bus_down.store(!up, Ordering::Release);
    }

    /// A job of `kind` ran (`failed`: it returned an error).
    pub fn record_job_run(&self, kind: &str, failed: bool) {
        if let Ok(mut map) = self.jobs.lock() {
            let entry = map.entry(kind.to_owned()).or_default();
            entry.0 += 1;
            entry.1 += u64::from(failed);
        }
    }

    /// Jobs of `kind` queued and due, as the runner last saw them (summed over tenants).
    pub fn set_job_depth(&self, kind: &str, depth: u64) {
        if let Ok(mut map) = self.jobs.lock() {
            map.entry(kind.to_owned()).or_default().2 = depth;
        }
    }

    /// Tenant pools open now.
    pub fn open_tenant_pools(&self) -> u64 {
        let opened = self.tenant_pools_opened.load(Ordering::Acquire);
        opened.saturating_sub(self.tenant_pools_closed.load(Ordering::Acquire))
    }

    /// The Prometheus text exposition of everything.
    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str("# HELP erp_http_requests_total HTTP requests by route and status.\n");
        out.push_str("# TYPE erp_http_requests_total counter\n");
        if let Ok(map) = self.requests.lock() {
            for ((route, status), n) in map.iter() {
                let _ = writeln!(
                    out,
                    "erp_http_requests_total{{route=\"{route}\",status=\"{status}\"}} {n}"
                );
            }
        }
        out.push_str("# HELP erp_http_request_duration_seconds HTTP request latency by route.\n");
        out.push_str("# TYPE erp_http_request_duration_seconds histogram\n");
        if let Ok(map) = self.latency.lock() {
            for (route, h) in map.iter() {
                for (count, (_, le)) in h.buckets.iter().zip(BUCKETS) {
                    let _ = writeln!(
                        out,
                        "erp_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{le}\"}} {count}"
                    );
                }
                let _ = writeln!(
                    out,
                    "erp_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                    h.count
                );
                let _ = writeln!(
                    out,
                    "erp_http_request_duration_seconds_sum{{route=\"{route}\"}} {}.{:06}",
                    h.sum_micros / 1_000_000,
                    h.sum_micros % 1_000_000
                );
                let _ = writeln!(
                    out,
                    "erp_http_request_duration_seconds_count{{route=\"{route}\"}} {}",
                    h.count
                );
            }
        }
        out.push_str("# HELP erp_graphql_errors_total GraphQL errors by extensions.code.\n");
        out.push_str("# TYPE erp_graphql_errors_total counter\n");
        if let Ok(map) = self.graphql_errors.lock() {
            for (code, n) in map.iter() {
                let _ = writeln!(out, "erp_graphql_errors_total{{code=\"{code}\"}} {n}");
            }
        }
        let _ = write!(
            out,
            "# HELP erp_sql_statements_total SQL statements run on all databases.\n\
             # TYPE erp_sql_statements_total counter\n\
             erp_sql_statements_total {}\n\
             # HELP erp_tenant_pools_open Tenant database pools open now.\n\
             # TYPE erp_tenant_pools_open gauge\n\
             erp_tenant_pools_open {}\n\
             # HELP erp_tenant_pools_open_peak Most tenant database pools open at once since start.\n\
             # TYPE erp_tenant_pools_open_peak gauge\n\
             erp_tenant_pools_open_peak {}\n\
             # HELP erp_tenant_pools_opened_total Tenant database pools opened since start.\n\
             # TYPE erp_tenant_pools_opened_total counter\n\
             erp_tenant_pools_opened_total {}\n\
             # HELP erp_tenant_pools_grown_total Tenant pools replaced by a larger one because all their connections were busy.\n\
             # TYPE erp_tenant_pools_grown_total counter\n\
             erp_tenant_pools_grown_total {}\n",
            self.sql_statements(),
            self.open_tenant_pools(),
            self.tenant_pools_peak.load(Ordering::Acquire),
            self.tenant_pools_opened.load(Ordering::Relaxed),
            self.tenant_pools_grown.load(Ordering::Relaxed),
        );
        let _ = write!(
            out,
            "# HELP erp_background_sql_statements_total SQL statements of background work (relay, jobs).\n\
             # TYPE erp_background_sql_statements_total counter\n\
             erp_background_sql_statements_total {}\n\
             # HELP erp_events_published_total Outbox events published and marked sent.\n\
             # TYPE erp_events_published_total counter\n\
             erp_events_published_total {}\n\
             # HELP erp_outbox_relay_failures_total Relay passes that failed (bus or database away) and are retried.\n\
             # TYPE erp_outbox_relay_failures_total counter\n\
             erp_outbox_relay_failures_total {}\n\
             # HELP erp_event_bus_up 1 while the event bus can publish and listen (Redis reachable), else 0.\n\
             # TYPE erp_event_bus_up gauge\n\
             erp_event_bus_up {}\n\
             # HELP erp_subscriptions_started_total Subscriptions started, by path: direct (a plain change stream, answered without the executor) or executor.\n\
             # TYPE erp_subscriptions_started_total counter\n\
             erp_subscriptions_started_total{{path=\"direct\"}} {}\n\
             erp_subscriptions_started_total{{path=\"executor\"}} {}\n",
            self.background_statements.load(Ordering::Relaxed),
            self.events_published.load(Ordering::Relaxed),
            self.relay_failures.load(Ordering::Relaxed),
            u8::from(!self.bus_down.load(Ordering::Acquire)),
            self.subscriptions_direct.load(Ordering::Relaxed),
            self.subscriptions_executor.load(Ordering::Relaxed),
        );
        out.push_str("# HELP erp_jobs_runs_total Background job runs by kind.\n# TYPE erp_jobs_runs_total counter\n");
        let jobs = self.jobs.lock().map(|m| m.clone()).unwrap_or_default();
        for (kind, (runs, _, _)) in &jobs {
            let _ = writeln!(out, "erp_jobs_runs_total{{kind=\"{kind}\"}} {runs}");
        }
        out.push_str("# HELP erp_jobs_failures_total Background job runs that failed, by kind.\n# TYPE erp_jobs_failures_total counter\n");
        for (kind, (_, failures, _)) in &jobs {
            let _ = writeln!(out, "erp_jobs_failures_total{{kind=\"{kind}\"}} {failures}");
        }
        out.push_str("# HELP erp_jobs_queue_depth Jobs queued and due by kind, summed over tenants at the runner's last look.\n# TYPE erp_jobs_queue_depth gauge\n");
        for (kind, (_, _, depth)) in &jobs {
            let _ = writeln!(out, "erp_jobs_queue_depth{{kind=\"{kind}\"}} {depth}");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_histogram_is_cumulative_and_sums_exactly() {
        let m = Metrics::default();
        m.record_request("/graphql", 200, Duration::from_micros(3_000));
        m.record_request("/graphql", 200, Duration::from_micros(700_000));
        let text = m.render();
        assert!(
            text.contains("route=\"/graphql\",le=\"0.001\"} 0"),
            "{text}"
        );
        assert!(
            text.contains("route=\"/graphql\",le=\"0.005\"} 1"),
            "{text}"
        );
        assert!(text.contains("route=\"/graphql\",le=\"1\"} 2"), "{text}");
        assert!(
            text.contains("erp_http_request_duration_seconds_sum{route=\"/graphql\"} 0.703000")
        );
        assert!(text.contains("erp_http_requests_total{route=\"/graphql\",status=\"200\"} 2"));
    }
}
