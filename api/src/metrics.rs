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

    /// Records GraphQL errors by their `extensions.code`.
    pub fn record_graphql_error(&self, code: &str) {
        if let Ok(mut map) = self.graphql_errors.lock() {
            *map.entry(code.to_owned()).or_default() += 1;
        }
    }

    /// Counts one SQL statement (called by every database pool's metric callback).
    pub fn record_sql_statement(&self) {
        self.sql_statements.fetch_add(1, Ordering::Relaxed);
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
