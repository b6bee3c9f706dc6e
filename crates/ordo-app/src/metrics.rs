//! Metrics in the Prometheus text format, served on a listener of their own
//! (never the public one): requests and latency by route template and
//! status, the database pool, backup and drill jobs, the mail outbox, and
//! each tenant's last good backup age. Counters live in memory, per
//! process; gauges are read from the database at each scrape.
//!
//! Labels carry route templates (`/t/{slug}/meetings/{id}`) and tenant
//! slugs, never ids, tokens or anything typed by users.

use crate::{App, AppError};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;

/// Upper bounds of the latency histogram, in seconds.
const BUCKETS: [f64; 11] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

#[derive(Default)]
struct Latency {
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

/// The in-memory counters.
#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    latency: Mutex<BTreeMap<String, Latency>>,
    /// Requests and server errors per tenant since the last flush (the
    /// tenant watch adds them to the database every minute).
    tenants: Mutex<std::collections::HashMap<ordo_core::ids::TenantId, (i64, i64)>>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl Metrics {
    /// One request answered: `route` is its template ("unmatched" if none).
    pub fn request(&self, route: &str, method: &str, status: u16, seconds: f64) {
        *self
            .requests
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry((route.to_owned(), method.to_owned(), status))
            .or_default() += 1;
        let mut latency = self.latency.lock().unwrap_or_else(|e| e.into_inner());
        let l = latency.entry(route.to_owned()).or_default();
        for (i, bound) in BUCKETS.iter().enumerate() {
            if seconds <= *bound {
                l.buckets[i] += 1;
            }
        }
        l.count += 1;
        l.sum += seconds;
    }
}

impl Metrics {
    /// One request of a tenant answered, with a server error or not.
    pub fn tenant_request(&self, tenant: ordo_core::ids::TenantId, server_error: bool) {
        let mut t = self.tenants.lock().unwrap_or_else(|e| e.into_inner());
        let c = t.entry(tenant).or_default();
        c.0 += 1;
        c.1 += i64::from(server_error);
    }

    /// The per-tenant counts since the last call, reset.
    pub fn take_tenant_counts(&self) -> Vec<(ordo_core::ids::TenantId, i64, i64)> {
        let mut t = self.tenants.lock().unwrap_or_else(|e| e.into_inner());
        t.drain().map(|(id, (r, e))| (id, r, e)).collect()
    }

    /// Put counts back that could not be written (the database was away).
    pub fn restore_tenant_counts(&self, counts: Vec<(ordo_core::ids::TenantId, i64, i64)>) {
        let mut t = self.tenants.lock().unwrap_or_else(|e| e.into_inner());
        for (id, r, e) in counts {
            let c = t.entry(id).or_default();
            c.0 += r;
            c.1 += e;
        }
    }
}

/// A label value, escaped as the text format wants.
fn label(v: &str) -> String {
    v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

/// The whole exposition, as scraped.
#[tracing::instrument(skip_all)]
pub async fn render(app: &App) -> Result<String, AppError> {
    let mut out = String::new();
    header(
        &mut out,
        "ordo_http_requests_total",
        "counter",
        "HTTP requests answered, by route template, method and status.",
    );
    for ((route, method, status), n) in app.metrics.requests.lock().unwrap_or_else(|e| e.into_inner()).iter() {
        let _ = writeln!(
            out,
            "ordo_http_requests_total{{route=\"{}\",method=\"{}\",status=\"{status}\"}} {n}",
            label(route),
            label(method)
        );
    }
    header(&mut out, "ordo_http_request_duration_seconds", "histogram", "Time to answer, by route template.");
    for (route, l) in app.metrics.latency.lock().unwrap_or_else(|e| e.into_inner()).iter() {
        let r = label(route);
        for (bound, n) in BUCKETS.iter().zip(l.buckets) {
            let _ = writeln!(out, "ordo_http_request_duration_seconds_bucket{{route=\"{r}\",le=\"{bound}\"}} {n}");
        }
        let _ = writeln!(out, "ordo_http_request_duration_seconds_bucket{{route=\"{r}\",le=\"+Inf\"}} {}", l.count);
        let _ = writeln!(out, "ordo_http_request_duration_seconds_sum{{route=\"{r}\"}} {}", l.sum);
        let _ = writeln!(out, "ordo_http_request_duration_seconds_count{{route=\"{r}\"}} {}", l.count);
    }
    let (open, idle) = app.store.pool_connections();
    header(&mut out, "ordo_db_pool_connections", "gauge", "Database connections open in the pool.");
    let _ = writeln!(out, "ordo_db_pool_connections {open}");
    header(&mut out, "ordo_db_pool_idle_connections", "gauge", "Open database connections not in use.");
    let _ = writeln!(out, "ordo_db_pool_idle_connections {idle}");

    let now = app.now();
    let g = app.store.gauges(now).await?;
    header(&mut out, "ordo_mail_outbox_pending", "gauge", "Messages waiting to be sent.");
    let _ = writeln!(out, "ordo_mail_outbox_pending {}", g.outbox_pending);
    header(&mut out, "ordo_mail_outbox_failed", "gauge", "Messages given up on.");
    let _ = writeln!(out, "ordo_mail_outbox_failed {}", g.outbox_failed);
    header(&mut out, "ordo_jobs_due", "gauge", "Backups and restore drills due and not yet taken by a node.");
    let _ = writeln!(out, "ordo_jobs_due {}", g.jobs_due);
    header(&mut out, "ordo_job_failures_24h", "gauge", "Backups and restore drills that failed in the last 24 hours.");
    let _ = writeln!(out, "ordo_job_failures_24h {}", g.failed_runs_24h);
    header(
        &mut out,
        "ordo_backup_last_success_age_seconds",
        "gauge",
        "Seconds since each tenant's last good backup (-1: never backed up).",
    );
    for (slug, at) in &g.last_good_backup {
        let age = at.map_or(-1, |t| (now.unix() - t.unix()).max(0));
        let _ = writeln!(out, "ordo_backup_last_success_age_seconds{{tenant=\"{}\"}} {age}", label(slug));
    }
    let (pending, failed, firing) = app.store.alert_gauges().await?;
    header(&mut out, "ordo_alerts_firing", "gauge", "Incidents open, by alert rule.");
    for (rule, n) in &firing {
        let _ = writeln!(out, "ordo_alerts_firing{{rule=\"{}\"}} {n}", label(rule));
    }
    header(&mut out, "ordo_alert_deliveries_pending", "gauge", "Alert deliveries waiting (retried with back-off).");
    let _ = writeln!(out, "ordo_alert_deliveries_pending {pending}");
    header(&mut out, "ordo_alert_deliveries_failed", "gauge", "Alert deliveries given up on.");
    let _ = writeln!(out, "ordo_alert_deliveries_failed {failed}");
    header(
        &mut out,
        "ordo_tenant_up",
        "gauge",
        "1 if the tenant's last probe passed, 0 if not (degraded counts as up).",
    );
    for t in app.store.tenant_statuses().await? {
        if let Some(status) = &t.status {
            let up = i32::from(status != "down");
            let _ = writeln!(out, "ordo_tenant_up{{tenant=\"{}\"}} {up}", label(&t.slug));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn labels_are_escaped_and_buckets_cumulative() {
        assert_eq!(super::label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
        let m = super::Metrics::default();
        m.request("/x", "GET", 200, 0.02);
        m.request("/x", "GET", 200, 3.0);
        let l = m.latency.lock().unwrap();
        let x = &l["/x"];
        assert_eq!((x.buckets[0], x.buckets[2], x.buckets[9], x.count), (0, 1, 2, 2));
    }
}
