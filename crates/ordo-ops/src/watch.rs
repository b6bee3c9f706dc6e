//! The tenant watch. Every node adds its per-tenant request counts to the
//! database each round; one node at a time (a lease) probes every tenant
//! (its data read and decrypted from storage, its sign-in page rendered,
//! the time taken), reads backups, drills, error rates, the disk and the
//! public certificate, judges them by the rules, and opens, reminds and
//! closes incidents, whose notices go out through the delivery queue.
//!
//! When the database itself does not answer, nothing can be queued in it:
//! the watching node then remembers the outage and posts its notices to the
//! webhooks straight away, retrying from memory until they go through, and
//! records the incident once the database is back.

use crate::OpsError;
use crate::notify::{self, Event};
use crate::rules::{self, Probe, Rule, TenantSeen, Verdict};
use ordo_app::App;
use ordo_core::time::Timestamp;
use ordo_store::{Incident, Job, Tenant};
use std::time::{Duration, Instant};

const LEASE: &str = "tenant_watch";

/// A notice to post from memory (the database is away).
struct Direct {
    hook: usize,
    body: String,
    attempts: i64,
    next: Instant,
}

/// The database outage this node is watching, if any.
struct Outage {
    since: Timestamp,
    incident: Incident,
}

pub struct Watch {
    app: App,
    /// This node's name in the lease.
    node: String,
    /// Where this node serves (`http://127.0.0.1:PORT`): the probes ask it
    /// for each tenant's sign-in page.
    probe_base: String,
    http: reqwest::Client,
    webhooks: reqwest::Client,
    holds_lease: bool,
    outage: Option<Outage>,
    direct: Vec<Direct>,
}

impl Watch {
    pub fn new(app: App, probe_base: String) -> Result<Self, OpsError> {
        crate::tls_provider();
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| OpsError::Http(e.to_string()))?;
        Ok(Self {
            app,
            node: ordo_crypto::random::token(9).map_err(|_| OpsError::Http("no randomness".into()))?,
            probe_base: probe_base.trim_end_matches('/').to_owned(),
            http,
            webhooks: notify::client()?,
            holds_lease: false,
            outage: None,
            direct: Vec::new(),
        })
    }

    /// One round: what every node does, then the watch if this node holds it.
    pub async fn round(&mut self) {
        self.flush_traffic().await;
        self.post_direct().await;
        let now = self.app.now();
        let until = now.plus_secs(i64::try_from(self.app.settings.alerts.interval_secs.max(1) * 3).unwrap_or(180));
        match self.app.store.claim_lease(LEASE, &self.node, now, until).await {
            Ok(holds) => self.holds_lease = holds,
            // The database is away: whoever watched goes on watching.
            Err(e) => tracing::debug!(error = %e, "tenant watch: lease not renewed"),
        }
        if !self.holds_lease {
            return;
        }
        if !self.app.store.ping().await {
            self.database_down().await;
            return;
        }
        if let Err(e) = self.database_back().await {
            tracing::warn!(error = %e, "tenant watch: recording the database outage");
        }
        if let Err(e) = self.watch_tenants().await {
            tracing::warn!(error = %e, "tenant watch round failed");
        }
    }

    /// Add this node's per-tenant counts to the database (kept for later if
    /// it is away).
    async fn flush_traffic(&self) {
        let counts = self.app.metrics.take_tenant_counts();
        if counts.is_empty() {
            return;
        }
        let minute = self.app.now().unix().div_euclid(60);
        let mut unsaved = Vec::new();
        for (tenant, requests, errors) in counts {
            if self.app.store.add_traffic(tenant, minute, requests, errors).await.is_err() {
                unsaved.push((tenant, requests, errors));
            }
        }
        self.app.metrics.restore_tenant_counts(unsaved);
    }

    async fn database_down(&mut self) {
        if self.outage.is_some() {
            return;
        }
        let now = self.app.now();
        let incident = Incident {
            id: format!("database-{}", now.unix()),
            rule: Rule::Database.as_str().into(),
            subject: "platform".into(),
            severity: Rule::Database.severity().into(),
            summary: "The database does not answer".into(),
            detail:
                "Every tenant is down until it answers again. This notice was sent from memory by the watching node."
                    .into(),
            opened_at: now,
            last_notified_at: now,
            reminders: 0,
            resolved_at: None,
        };
        tracing::error!(event = "alert", rule = "database", "the database does not answer");
        self.queue_direct(&incident, Event::Opened);
        self.outage = Some(Outage { since: now, incident });
        self.post_direct().await;
    }

    /// The database answers again: record the outage as a closed incident
    /// and announce the recovery through the queue.
    async fn database_back(&mut self) -> Result<(), OpsError> {
        let Some(outage) = self.outage.take() else { return Ok(()) };
        let now = self.app.now();
        let s = &outage.incident;
        let opened =
            self.app.store.open_incident(&s.rule, &s.subject, &s.severity, &s.summary, &s.detail, outage.since).await;
        let incident = match opened {
            Ok(Some(i)) => i,
            Ok(None) => s.clone(),
            Err(e) => {
                self.outage = Some(outage);
                return Err(e.into());
            }
        };
        self.app.store.resolve_incident(&incident.id, now).await?;
        let resolved = self.app.store.incident(&incident.id).await?.unwrap_or(incident);
        notify::announce(&self.app, &resolved, Event::Resolved).await
    }

    fn queue_direct(&mut self, incident: &Incident, event: Event) {
        let url = self.app.settings.public_url.clone();
        for (hook, h) in self.app.settings.alerts.webhooks.iter().enumerate() {
            let body = notify::payload(h.format, event, incident, &url).to_string();
            self.direct.push(Direct { hook, body, attempts: 0, next: Instant::now() });
        }
    }

    /// Post the notices held in memory that are due; keep those that fail.
    async fn post_direct(&mut self) {
        let mut kept = Vec::new();
        for mut d in std::mem::take(&mut self.direct) {
            let Some(hook) = self.app.settings.alerts.webhooks.get(d.hook) else { continue };
            if d.next > Instant::now() {
                kept.push(d);
                continue;
            }
            match notify::post(&self.webhooks, hook, &d.body).await {
                Ok(_) => tracing::info!(event = "alert.delivered", channel = %hook.name, "alert delivered from memory"),
                Err(e) => {
                    tracing::warn!(event = "alert.retry", channel = %hook.name, error = %e, "alert not delivered; will retry");
                    d.next = Instant::now() + Duration::from_secs(notify::backoff_secs(d.attempts) as u64);
                    d.attempts += 1;
                    kept.push(d);
                }
            }
        }
        self.direct = kept;
    }

    async fn watch_tenants(&mut self) -> Result<(), OpsError> {
        let app = &self.app;
        let s = &app.settings.alerts;
        let tenants = app.store.list_tenants().await?;
        let now = app.now();
        let minute = now.unix().div_euclid(60);
        let traffic = app.store.traffic_since(minute - 4, minute - 24 * 60).await?;
        let mut verdicts: Vec<Verdict> = Vec::new();
        for t in &tenants {
            let probe = self.probe_with_retry(t).await;
            let (requests, errors) =
                traffic.iter().find(|(id, _, _)| *id == t.id).map(|(_, r, e)| (*r, *e)).unwrap_or((0, 0));
            let runs = app.store.backup_runs(t.id, 50).await?;
            let latest = |kind: Job| runs.iter().find(|r| r.kind == kind.as_str());
            let failed = |kind: Job| latest(kind).filter(|r| !r.ok).map(|r| r.detail.clone());
            let seen = TenantSeen {
                slug: t.slug.to_string(),
                created_at: t.created_at,
                probe,
                last_good_backup: runs.iter().find(|r| r.kind == "backup" && r.ok).map(|r| r.finished_at),
                backup_failed: failed(Job::Backup),
                drill_failed: failed(Job::Drill),
                requests,
                errors,
            };
            let (latency, detail) = match &seen.probe {
                Probe::Passed { latency_ms } => (*latency_ms, String::new()),
                Probe::Failed { reason } => (0, reason.clone()),
            };
            let status = rules::status(&seen, s);
            let before = app.store.record_tenant_status(t.id, status, latency, &detail, app.now()).await?;
            if before.as_deref() != Some(status) {
                tracing::info!(event = "tenant.status", tenant = %t.slug, status, before = ?before, "tenant status changed");
            }
            // Backups are only judged where they run.
            verdicts.extend(
                rules::judge_tenant(&seen, s, now)
                    .into_iter()
                    .filter(|v| app.settings.backup_scheduler || !matches!(v.rule, Rule::BackupStale)),
            );
        }
        if let Ok(st) = rustix::fs::statvfs(&app.settings.data_dir) {
            let unit = st.f_frsize.max(1);
            verdicts.push(rules::judge_disk(st.f_bavail.saturating_mul(unit), st.f_blocks.saturating_mul(unit), s));
        }
        if let Some((host, port)) = crate::cert::host_port(&app.settings.public_url) {
            let connect = (host.as_str(), port);
            verdicts.push(rules::judge_certificate(crate::cert::expires(&host, connect).await, s, now));
        }
        let slugs: Vec<String> = tenants.iter().map(|t| t.slug.to_string()).collect();
        reconcile(app, &verdicts, &slugs).await
    }

    /// A failed probe is tried once more before it counts: a lost packet is
    /// not an incident.
    async fn probe_with_retry(&self, t: &Tenant) -> Probe {
        match self.probe(t).await {
            Probe::Failed { .. } => {
                tokio::time::sleep(Duration::from_secs(self.app.settings.alerts.retry_secs)).await;
                self.probe(t).await
            }
            passed => passed,
        }
    }

    /// Read and decrypt the tenant's data from storage, and render its
    /// sign-in page; the time both take.
    async fn probe(&self, t: &Tenant) -> Probe {
        let started = Instant::now();
        if let Err(e) = self.app.keys.probe(&self.app.store, t).await {
            return Probe::Failed { reason: format!("its data cannot be read and decrypted: {e}") };
        }
        let url = format!("{}/t/{}/login", self.probe_base, t.slug);
        match self.http.get(&url).send().await {
            Ok(res) if res.status().is_success() => match res.text().await {
                Ok(body) if body.contains(&format!("/t/{}/login", t.slug)) => {}
                _ => return Probe::Failed { reason: "its sign-in page does not render".into() },
            },
            Ok(res) => return Probe::Failed { reason: format!("its sign-in page answers {}", res.status().as_u16()) },
            Err(_) => return Probe::Failed { reason: "its sign-in page does not answer".into() },
        }
        Probe::Passed { latency_ms: i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX) }
    }
}

/// Open what fires and is not open yet, remind what stays open, close what
/// was judged and no longer fires (and what concerns a tenant that is gone).
pub async fn reconcile(app: &App, verdicts: &[Verdict], tenants: &[String]) -> Result<(), OpsError> {
    let now = app.now();
    let remind = app.settings.alerts.remind_minutes * 60;
    let open = app.store.open_incidents().await?;
    for v in verdicts {
        let existing = open.iter().find(|i| i.rule == v.rule.as_str() && i.subject == v.subject);
        match (&v.firing, existing) {
            (Some(f), None) => {
                let opened = app
                    .store
                    .open_incident(v.rule.as_str(), &v.subject, v.rule.severity(), &f.summary, &f.detail, now)
                    .await?;
                if let Some(i) = opened {
                    notify::announce(app, &i, Event::Opened).await?;
                }
            }
            (Some(_), Some(i)) => {
                let due = now.minus_secs(remind);
                if i.last_notified_at.unix() <= due.unix() && app.store.claim_reminder(&i.id, due, now).await? {
                    let i = app.store.incident(&i.id).await?.unwrap_or_else(|| i.clone());
                    notify::announce(app, &i, Event::Reminder).await?;
                }
            }
            (None, Some(i)) => close(app, i, now).await?,
            (None, None) => {}
        }
    }
    for i in open.iter().filter(|i| i.subject != "platform" && !tenants.contains(&i.subject)) {
        close(app, i, now).await?;
    }
    Ok(())
}

async fn close(app: &App, i: &Incident, now: Timestamp) -> Result<(), OpsError> {
    if app.store.resolve_incident(&i.id, now).await? {
        let i = app.store.incident(&i.id).await?.unwrap_or_else(|| i.clone());
        notify::announce(app, &i, Event::Resolved).await?;
    }
    Ok(())
}

/// The watch loop of `ordo serve`: a round every interval until `shutdown`.
pub async fn run(app: App, probe_base: String, shutdown: impl std::future::Future<Output = ()>) {
    if !app.settings.alerts.watch {
        return;
    }
    let mut watch = match Watch::new(app.clone(), probe_base) {
        Ok(w) => w,
        Err(e) => {
            tracing::error!(error = %e, "tenant watch not started");
            return;
        }
    };
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            _ = watch.round() => {}
        }
        tokio::select! {
            _ = &mut shutdown => break,
            _ = tokio::time::sleep(Duration::from_secs(app.settings.alerts.interval_secs.max(1))) => {}
        }
    }
}
