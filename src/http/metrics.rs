//! Request counts and latencies by route, for `GET /metrics` in the Prometheus text format.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;

/// Upper bounds of the latency histogram buckets, in seconds.
const BUCKETS: [f64; 12] =
    [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0];

#[derive(Debug, Default, Clone)]
struct RouteStats {
    by_status: BTreeMap<u16, u64>,
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

#[derive(Debug, Default)]
pub struct Metrics {
    routes: Mutex<BTreeMap<String, RouteStats>>,
}

impl Metrics {
    pub fn record(&self, route: &str, status: u16, seconds: f64) {
        let mut routes = self.routes.lock().unwrap_or_else(|e| e.into_inner());
        let stats = routes.entry(route.to_string()).or_default();
        *stats.by_status.entry(status).or_default() += 1;
        for (i, bound) in BUCKETS.iter().enumerate() {
            if seconds <= *bound {
                stats.buckets[i] += 1;
            }
        }
        stats.count += 1;
        stats.sum += seconds;
    }

    /// The Prometheus text exposition of the request metrics, plus the given gauges.
    pub fn render(&self, memories: &[(String, u64)], jobs: (u64, u64, u64)) -> String {
        let routes = self.routes.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let mut s = String::new();
        let _ = writeln!(s, "# HELP tmbase_http_requests_total HTTP requests by route and status.");
        let _ = writeln!(s, "# TYPE tmbase_http_requests_total counter");
        for (route, stats) in &routes {
            for (status, n) in &stats.by_status {
                let _ = writeln!(
                    s,
                    "tmbase_http_requests_total{{route=\"{route}\",status=\"{status}\"}} {n}"
                );
            }
        }
        let _ = writeln!(
            s,
            "# HELP tmbase_http_request_duration_seconds HTTP request latency by route."
        );
        let _ = writeln!(s, "# TYPE tmbase_http_request_duration_seconds histogram");
        for (route, stats) in &routes {
            for (i, bound) in BUCKETS.iter().enumerate() {
                let _ = writeln!(
                    s,
                    "tmbase_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {}",
                    stats.buckets[i]
                );
            }
            let _ = writeln!(
                s,
                "tmbase_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                stats.count
            );
            let _ = writeln!(
                s,
                "tmbase_http_request_duration_seconds_sum{{route=\"{route}\"}} {}",
                stats.sum
            );
            let _ = writeln!(
                s,
                "tmbase_http_request_duration_seconds_count{{route=\"{route}\"}} {}",
                stats.count
            );
        }
        let _ = writeln!(s, "# HELP tmbase_memory_units Translation units per memory.");
        let _ = writeln!(s, "# TYPE tmbase_memory_units gauge");
        for (name, units) in memories {
            let escaped = name.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n");
            let _ = writeln!(s, "tmbase_memory_units{{memory=\"{escaped}\"}} {units}");
        }
        let _ = writeln!(s, "# HELP tmbase_import_jobs Import jobs since start by state.");
        let _ = writeln!(s, "# TYPE tmbase_import_jobs gauge");
        let _ = writeln!(s, "tmbase_import_jobs{{state=\"running\"}} {}", jobs.0);
        let _ = writeln!(s, "tmbase_import_jobs{{state=\"done\"}} {}", jobs.1);
        let _ = writeln!(s, "tmbase_import_jobs{{state=\"failed\"}} {}", jobs.2);
        s
    }
}
