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
    /// The notice's id, the same on every attempt.
    id: String,
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
    /// The public certificate's expiry, as last read.
    cert: Option<(Instant, Result<Timestamp, String>)>,
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
            cert: None,
            direct: Vec::new(),
        })
    }

    /// One round: what every node does, then the watch if this node holds it.
    pub async fn round(&mut self) {
        // Every node, watching or not: its counts make the error rates.
        self.flush_traffic().await;
        self.post_direct().await;
        if !self.app.settings.alerts.watch {
            return;
        }
        match self.renew_lease().await {
            Ok(holds) => self.holds_lease = holds,
            // The database is away: whoever watched goes on watching.
            Err(e) => tracing::debug!(error = %e, "tenant watch: lease not renewed"),
        }
        let answers = self.app.platform_store().ping().await;
        // The node that saw an outage records its end, lease or not (the
        // lease may have passed to another node meanwhile).
        if answers && let Err(e) = self.database_back().await {
            tracing::warn!(error = %e, "tenant watch: recording the database outage");
        }
        if !self.holds_lease {
            return;
        }
        if !answers {
            self.database_down().await;
            return;
        }
        if let Err(e) = self.watch_tenants().await {
            tracing::warn!(error = %e, "tenant watch round failed");
        }
    }

    async fn renew_lease(&self) -> Result<bool, OpsError> {
        let now = self.app.now();
        let until = now.plus_secs(i64::try_from(self.app.settings.alerts.interval_secs.max(1) * 3).unwrap_or(180));
        Ok(self.app.platform_store().claim_lease(LEASE, &self.node, now, until).await?)
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
            if self.app.platform_store().add_traffic(tenant, minute, requests, errors).await.is_err() {
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
    /// and announce the recovery through the queue, in one transaction. On
    /// any error the outage is kept, and this is tried again next round.
    async fn database_back(&mut self) -> Result<(), OpsError> {
        let Some(outage) = self.outage.take() else { return Ok(()) };
        match self.record_outage(&outage).await {
            Ok(()) => Ok(()),
            Err(e) => {
                self.outage = Some(outage);
                Err(e)
            }
        }
    }

    async fn record_outage(&self, outage: &Outage) -> Result<(), OpsError> {
        let now = self.app.now();
        let s = &outage.incident;
        let mut tx = self.app.platform_store().begin().await?;
        let opened = tx.open_incident(&s.rule, &s.subject, &s.severity, &s.summary, &s.detail, outage.since).await?;
        let resolved = match opened {
            Some(i) => {
                tx.resolve_incident(&i.id, now).await?;
                let i = tx.incident(&i.id).await?.unwrap_or(i);
                notify::announce(&mut tx, &self.app, &i, Event::Resolved).await?;
                Some(i)
            }
            // One is open already (another node recorded it first): it is
            // closed, and announced, by whoever did.
            None => None,
        };
        tx.commit().await?;
        if let Some(i) = resolved {
            notify::announced(&self.app, &i, Event::Resolved);
        }
        Ok(())
    }

    fn queue_direct(&mut self, incident: &Incident, event: Event) {
        let url = self.app.settings.public_url.clone();
        for (hook, h) in self.app.settings.alerts.webhooks.iter().enumerate() {
            let body = notify::payload(h.format, event, incident, &url).to_string();
            let id = format!("msg_direct_{}", ordo_crypto::random::token(12).unwrap_or_default());
            self.direct.push(Direct { hook, id, body, attempts: 0, next: Instant::now() });
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
            match notify::post(&self.webhooks, hook, &d.id, self.app.now(), &d.body).await {
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
        let app = &self.app.clone();
        let s = &app.settings.alerts;
        let tenants = app.platform_store().list_tenants().await?;
        let now = app.now();
        let minute = now.unix().div_euclid(60);
        let traffic = app.platform_store().traffic_since(minute - 4, minute - 24 * 60).await?;
        // Probes run a few at a time: a round stays well within the lease
        // even when several tenants time out.
        let mut probes: Vec<Probe> = Vec::with_capacity(tenants.len());
        for chunk in tenants.chunks(8) {
            let mut batch = Vec::with_capacity(chunk.len());
            for t in chunk {
                batch.push(self.probe_with_retry(t));
            }
            probes.extend(futures_util::future::join_all(batch).await);
        }
        let mut verdicts: Vec<Verdict> = Vec::new();
        for (t, probe) in tenants.iter().zip(probes) {
            let (requests, errors) =
                traffic.iter().find(|(id, _, _)| *id == t.id).map(|(_, r, e)| (*r, *e)).unwrap_or((0, 0));
            let runs = app.platform_store().backup_runs(t.id, 50).await?;
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
            let before = app.platform_store().record_tenant_status(t.id, status, latency, &detail, app.now()).await?;
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
            // The certificate changes rarely: read it once an hour.
            let stale = self.cert.as_ref().is_none_or(|(at, _)| at.elapsed() > Duration::from_secs(3600));
            if stale {
                self.cert = Some((Instant::now(), crate::cert::expires(&host, (host.as_str(), port)).await));
            }
            if let Some((_, expires)) = &self.cert {
                verdicts.push(rules::judge_certificate(expires.clone(), s, now));
            }
        }
        // Another node may have taken over while the probes ran: then its
        // verdicts, not these stale ones, decide.
        if !self.renew_lease().await? {
            self.holds_lease = false;
            return Ok(());
        }
        let slugs: Vec<String> = tenants.iter().map(|t| t.slug.to_string()).collect();
        reconcile(&self.app, &verdicts, &slugs).await
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
        if let Err(e) = self.app.keys.probe(self.app.platform_store(), t).await {
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
/// Each change and its notices are one transaction.
pub async fn reconcile(app: &App, verdicts: &[Verdict], tenants: &[String]) -> Result<(), OpsError> {
    let now = app.now();
    let remind = app.settings.alerts.remind_minutes * 60;
    let open = app.platform_store().open_incidents().await?;
    for v in verdicts {
        let existing = open.iter().find(|i| i.rule == v.rule.as_str() && i.subject == v.subject);
        match (&v.firing, existing) {
            (Some(f), None) => {
                let mut tx = app.platform_store().begin().await?;
                let opened = tx
                    .open_incident(v.rule.as_str(), &v.subject, v.rule.severity(), &f.summary, &f.detail, now)
                    .await?;
                if let Some(i) = &opened {
                    notify::announce(&mut tx, app, i, Event::Opened).await?;
                }
                tx.commit().await?;
                if let Some(i) = opened {
                    notify::announced(app, &i, Event::Opened);
                }
            }
            (Some(_), Some(i)) => {
                let due = now.minus_secs(remind);
                if i.last_notified_at.unix() <= due.unix() {
                    let mut tx = app.platform_store().begin().await?;
                    if tx.claim_reminder(&i.id, due, now).await? {
                        let i = tx.incident(&i.id).await?.unwrap_or_else(|| i.clone());
                        notify::announce(&mut tx, app, &i, Event::Reminder).await?;
                        tx.commit().await?;
                        notify::announced(app, &i, Event::Reminder);
                    }
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
    let mut tx = app.platform_store().begin().await?;
    if tx.resolve_incident(&i.id, now).await? {
        let i = tx.incident(&i.id).await?.unwrap_or_else(|| i.clone());
        notify::announce(&mut tx, app, &i, Event::Resolved).await?;
        tx.commit().await?;
        notify::announced(app, &i, Event::Resolved);
    }
    Ok(())
}

/// The watch loop of `ordo serve`: a round every interval until `shutdown`.
pub async fn run(app: App, probe_base: String, shutdown: impl std::future::Future<Output = ()>) {
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
