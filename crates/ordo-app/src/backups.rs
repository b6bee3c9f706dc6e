//! Backups of tenants: taking one, listing, checking and restoring them,
//! with the tenant's key-encryption key from the key store (the archive
//! format and targets are in `ordo-backup`); the schedule (twice a day by
//! default, as durable jobs) with retention and quota; and the daily restore
//! drill that proves each tenant's latest backup restores.

use crate::{App, AppError};
use ordo_backup::BackupError;
use ordo_backup::format::{Header, TableSummary};
use ordo_backup::target::{Listed, Target};
use ordo_backup::tenant::{BackupOutcome, DrillOutcome, RestoreOutcome};
use ordo_core::ids::TenantId;
use ordo_core::tenant::Slug;
use ordo_core::time::Timestamp;
pub use ordo_store::{BackupRun, Job};

/// How long a claimed job may run before another node takes it over.
const LEASE_SECS: i64 = 3600;
/// A failed backup is tried again this soon.
const RETRY_SECS: i64 = 15 * 60;
/// Restore drills: once a day.
const DRILL_EVERY_SECS: i64 = 24 * 3600;

/// The shared target (platform backups, and tenants without their own).
fn target(app: &App) -> Result<Target, AppError> {
    Ok(app.settings.backup_target.open()?)
}

/// Where a tenant's backups go: its own bucket if it has one, else the
/// shared target under its own prefix.
fn tenant_target(app: &App, slug: &Slug) -> Result<Target, AppError> {
    match app.settings.backup_tenant_targets.get(slug.as_str()) {
        Some(own) => Ok(own.open()?),
        None => target(app),
    }
}

/// A tenant's snapshot, fetched from its target into a scratch file.
async fn fetch(app: &App, slug: &Slug, snapshot: &str) -> Result<ordo_backup::tenant::FetchedArchive, AppError> {
    let target = tenant_target(app, slug)?;
    Ok(ordo_backup::tenant::fetch(&target, slug.as_str(), snapshot, &app.settings.backup_work_dir).await?)
}

/// The key-encryption key of the tenant an archive names.
fn kek_finder(app: &App) -> impl Fn(&str) -> Result<ordo_crypto::keys::SecretKey, BackupError> + '_ {
    move |tenant: &str| app.keys.kek(tenant).map_err(|_| BackupError::WrongKey)
}

/// Run ids sort in the order runs were recorded (the history lists them
/// newest first, even within one second): time, then a counter.
fn run_id(app: &App) -> Result<String, AppError> {
    static SEQ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut r = [0u8; 4];
    ordo_crypto::random::fill(&mut r)?;
    Ok(format!("{:012}-{n:012}-{}", app.now().unix(), hex_lower(&r)))
}

fn hex_lower(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// (snapshot, bytes, rows, seconds) of a run that went well.
type Done = (String, u64, u64, f64);

fn out_summary(snapshot: &str, bytes: u64, tables: &[TableSummary], seconds: f64) -> Done {
    (snapshot.to_owned(), bytes, tables.iter().map(|t| t.rows).sum(), seconds)
}

/// The record of a finished run, good or failed.
fn finished(app: &App, job: Job, started: Timestamp, result: Result<Done, &AppError>) -> Result<BackupRun, AppError> {
    let n = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
    let (ok, snapshot, bytes, rows_total, millis, detail) = match result {
        Ok((snap, bytes, rows, secs)) => (true, Some(snap), n(bytes), n(rows), (secs * 1000.0) as i64, String::new()),
        Err(e) => (false, None, 0, 0, 0, e.to_string()),
    };
    Ok(BackupRun {
        id: run_id(app)?,
        kind: job.as_str().into(),
        snapshot,
        started_at: started,
        finished_at: app.now(),
        ok,
        bytes,
        rows_total,
        millis,
        detail,
    })
}

async fn record(app: &App, tenant: TenantId, run: &BackupRun) -> Result<(), AppError> {
    let mut tx = app.store.begin().await?;
    tx.record_run(tenant, run).await?;
    tx.commit().await?;
    Ok(())
}

/// How often a tenant is backed up, set by its operator (audited: the
/// schedule is part of what the tenant was promised).
#[tracing::instrument(skip_all)]
pub async fn set_schedule(app: &App, slug: &Slug, every_hours: i64) -> Result<(), AppError> {
    if !(1..=24 * 7).contains(&every_hours) {
        return Err(AppError::Invalid(ordo_core::Invalid::new("every_hours", "backup.every_hours")));
    }
    let tenant = app.store.tenant_by_slug(slug).await?.ok_or(AppError::NotFound)?;
    let detail = serde_json::json!({ "every_hours": every_hours }).to_string();
    crate::write::change!(app, tenant.id, None, crate::write::UseCase::BackupSchedule, |c| {
        c.tx.set_backup_every(tenant.id, every_hours).await?;
        c.audit(ordo_store::AuditDraft::new(ordo_core::audit::AuditKind::BackupScheduled).detail(detail.clone()))
            .await?;
        Ok(())
    })
}

/// Back up a tenant now; the run is recorded (failed runs too) and old
/// snapshots are pruned by the retention rules once the new one is stored.
#[tracing::instrument(skip_all)]
pub async fn run(app: &App, slug: &Slug) -> Result<BackupOutcome, AppError> {
    let tenant = app.store.tenant_by_slug(slug).await?.ok_or(AppError::NotFound)?;
    let started = app.now();
    let result = async {
        let kek = app.keys.kek(&tenant.id.to_string())?;
        let target = tenant_target(app, slug)?;
        let out = ordo_backup::tenant::backup(
            &app.store,
            &tenant,
            &kek,
            &target,
            &app.settings.backup_work_dir,
            app.now(),
            Some(app.settings.backup_quota_bytes),
        )
        .await?;
        prune(app, &target, slug.as_str()).await?;
        Ok::<_, AppError>(out)
    }
    .await;
    let run = match &result {
        Ok(out) => {
            finished(app, Job::Backup, started, Ok(out_summary(&out.snapshot, out.bytes, &out.tables, out.seconds)))?
        }
        Err(e) => {
            // The alert: an error event the operator's log pipeline (and
            // the tenant watch) pick up.
            tracing::error!(event = "backup.failed", tenant = %slug, error = %e, "backup failed");
            finished(app, Job::Backup, started, Err(e))?
        }
    };
    record(app, tenant.id, &run).await?;
    let out = result?;
    tracing::info!(tenant = %slug, snapshot = %out.snapshot, bytes = out.bytes, seconds = out.seconds, "backup done");
    Ok(out)
}

/// Delete the snapshots of `folder` (a tenant's slug, or the platform's)
/// the retention rules no longer keep.
async fn prune(app: &App, target: &Target, folder: &str) -> Result<(), AppError> {
    let names: Vec<String> = target.list(folder).await?.into_iter().map(|l| l.snapshot).collect();
    let now = jiff::Timestamp::from_second(app.now().unix()).map_err(|_| AppError::Internal("clock"))?;
    for gone in ordo_backup::retention::to_delete(&names, now, app.settings.backup_retention) {
        target.delete(folder, &gone).await?;
        tracing::info!(folder, snapshot = %gone, "snapshot removed by the retention rules");
    }
    Ok(())
}

/// Run the backups that are due (on any node: each is claimed by one).
/// Returns how many ran.
#[tracing::instrument(skip_all)]
pub async fn run_due(app: &App) -> Result<usize, AppError> {
    let mut n = 0;
    while let Some((tenant, every_hours)) = app.store.claim_due(Job::Backup, app.now(), LEASE_SECS).await? {
        let Some(t) = app.store.tenant_by_id(tenant).await? else { continue };
        let next = match run(app, &t.slug).await {
            Ok(_) => app.now().plus_secs(every_hours.max(1) * 3600),
            Err(_) => app.now().plus_secs(RETRY_SECS),
        };
        app.store.reschedule(Job::Backup, tenant, next).await?;
        n += 1;
    }
    Ok(n)
}

/// A tenant's snapshots, oldest first (works for a deleted tenant too).
#[tracing::instrument(skip_all)]
pub async fn list(app: &App, slug: &Slug) -> Result<Vec<Listed>, AppError> {
    Ok(tenant_target(app, slug)?.list(slug.as_str()).await?)
}

/// The newest snapshot's name, or the one asked for.
async fn pick(app: &App, slug: &Slug, snapshot: Option<&str>) -> Result<String, AppError> {
    match snapshot {
        Some(s) => Ok(s.to_owned()),
        None => list(app, slug)
            .await?
            .pop()
            .map(|l| l.snapshot)
            .ok_or_else(|| AppError::Backup(BackupError::NoSnapshot(format!("{slug}: none")))),
    }
}

/// Fetch and check a whole snapshot (the newest by default).
#[tracing::instrument(skip_all)]
pub async fn verify(app: &App, slug: &Slug, snapshot: Option<&str>) -> Result<(Header, Vec<TableSummary>), AppError> {
    let snapshot = pick(app, slug, snapshot).await?;
    let file = fetch(app, slug, &snapshot).await?;
    let (header, tables) = ordo_backup::tenant::verify_file(file.path(), &kek_finder(app))?;
    if header.tenant_slug != slug.as_str() || header.snapshot != snapshot {
        return Err(AppError::Backup(BackupError::Corrupt("an archive stored under another name")));
    }
    Ok((header, tables))
}

/// Restore a tenant from a snapshot, all or nothing (see
/// `ordo_backup::tenant::restore`).
#[tracing::instrument(skip_all)]
pub async fn restore(app: &App, slug: &Slug, snapshot: &str, replace: bool) -> Result<RestoreOutcome, AppError> {
    let file = fetch(app, slug, snapshot).await?;
    let out = ordo_backup::tenant::restore(
        &app.store,
        file.path(),
        &kek_finder(app),
        Some(slug.as_str()),
        replace,
        app.now(),
        None,
    )
    .await?;
    if let Ok(id) = out.header.tenant_id.parse::<TenantId>() {
        app.meeting_cache.forget(|(t, _)| *t == id);
    }
    tracing::info!(tenant = %slug, snapshot, seconds = out.seconds, "restore done");
    Ok(out)
}

/// Restore a tenant's snapshot as a new tenant `into`, beside the original
/// (which may exist or not): a new id, new keys, every protected value
/// sealed again (see [`crate::rekey`]). All or nothing; the copy's key is
/// removed again if it fails. Returns the copy's id.
#[tracing::instrument(skip_all)]
pub async fn restore_into(
    app: &App,
    slug: &Slug,
    snapshot: &str,
    into: &Slug,
) -> Result<(TenantId, RestoreOutcome), AppError> {
    if app.store.tenant_by_slug(into).await?.is_some() {
        return Err(AppError::Backup(BackupError::TenantExists(into.to_string())));
    }
    let file = fetch(app, slug, snapshot).await?;
    // The header (its key unwrapped: tenant and snapshot authenticated) is
    // read before any key is made for the copy; `restore` then checks the
    // whole archive before writing, as for any restore.
    let header = ordo_backup::tenant::read_header(file.path(), &kek_finder(app))?;
    if header.tenant_slug != slug.as_str() {
        return Err(AppError::Backup(BackupError::Corrupt("an archive stored under another tenant's name")));
    }
    let to = TenantId::new();
    let mut rekey = crate::rekey::Rekey::new(app, &header, to, into)?;
    let result = ordo_backup::tenant::restore(
        &app.store,
        file.path(),
        &kek_finder(app),
        Some(slug.as_str()),
        false,
        app.now(),
        Some(&mut rekey),
    )
    .await;
    match result {
        Ok(out) => {
            tracing::info!(tenant = %slug, into = %into, snapshot, seconds = out.seconds, "restore into a new tenant done");
            Ok((to, out))
        }
        Err(e) => {
            crate::rekey::abandon(app, to);
            Err(e.into())
        }
    }
}

/// Restore the newest snapshot of a tenant into a scratch database and
/// compare it with the archive; the result is recorded, a failure alerts.
#[tracing::instrument(skip_all)]
pub async fn drill(app: &App, slug: &Slug) -> Result<DrillOutcome, AppError> {
    let tenant = app.store.tenant_by_slug(slug).await?.ok_or(AppError::NotFound)?;
    let started = app.now();
    let result = async {
        let snapshot = pick(app, slug, None).await?;
        let file = fetch(app, slug, &snapshot).await?;
        Ok::<_, AppError>(
            ordo_backup::tenant::drill(file.path(), &kek_finder(app), &app.settings.backup_work_dir, app.now()).await?,
        )
    }
    .await;
    let run = match &result {
        Ok(out) => finished(app, Job::Drill, started, Ok((out.snapshot.clone(), 0, out.rows, out.seconds)))?,
        Err(e) => {
            tracing::error!(event = "drill.failed", tenant = %slug, error = %e, "restore drill failed");
            finished(app, Job::Drill, started, Err(e))?
        }
    };
    record(app, tenant.id, &run).await?;
    result
}

/// Run the restore drills that are due (one a day per tenant).
#[tracing::instrument(skip_all)]
pub async fn drill_due(app: &App) -> Result<usize, AppError> {
    let mut n = 0;
    while let Some((tenant, _)) = app.store.claim_due(Job::Drill, app.now(), LEASE_SECS).await? {
        let Some(t) = app.store.tenant_by_id(tenant).await? else { continue };
        let _ = drill(app, &t.slug).await;
        app.store.reschedule(Job::Drill, tenant, app.now().plus_secs(DRILL_EVERY_SECS)).await?;
        n += 1;
    }
    Ok(n)
}

/// A tenant's backup status for its admins: schedule and recent runs.
pub struct Status {
    pub every_hours: i64,
    pub next_backup: Timestamp,
    pub next_drill: Timestamp,
    pub runs: Vec<BackupRun>,
}

#[tracing::instrument(skip_all)]
pub async fn status(app: &App, tenant: &ordo_store::Tenant) -> Result<Status, AppError> {
    let (every_hours, next_backup, next_drill) = app.store.backup_schedule(tenant.id).await?;
    let runs = app.store.backup_runs(tenant.id, 50).await?;
    Ok(Status { every_hours, next_backup, next_drill, runs })
}

/// The platform's own backup now (see `ordo_backup::platform`): platform
/// tables, the configuration file, and on SQLite the whole database.
#[tracing::instrument(skip_all)]
pub async fn platform(app: &App) -> Result<ordo_backup::platform::PlatformOutcome, AppError> {
    let result = async {
        let kek = app.keys.platform_kek()?;
        let config = match &app.settings.config_file {
            Some(path) => {
                let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("ordo.toml").to_owned();
                Some((name, std::fs::read_to_string(path).map_err(BackupError::Io)?))
            }
            None => None,
        };
        let target = target(app)?;
        let out = ordo_backup::platform::backup(
            &app.store,
            &kek,
            &target,
            &app.settings.backup_work_dir,
            app.now(),
            config.as_ref().map(|(n, t)| (n.as_str(), t.as_str())),
        )
        .await?;
        prune(app, &target, ordo_backup::platform::FOLDER).await?;
        Ok::<_, AppError>(out)
    }
    .await;
    match &result {
        Ok(out) => tracing::info!(snapshot = %out.snapshot, bytes = out.bytes, "platform backup done"),
        Err(e) => tracing::error!(event = "backup.failed", tenant = "(platform)", error = %e, "platform backup failed"),
    }
    result
}

/// The platform backups, oldest first.
#[tracing::instrument(skip_all)]
pub async fn platform_list(app: &App) -> Result<Vec<Listed>, AppError> {
    Ok(target(app)?.list(ordo_backup::platform::FOLDER).await?)
}

/// Fetch a platform snapshot (the newest by default), check it whole, and
/// write what it holds into `out` (see `ordo_backup::platform::extract`).
#[tracing::instrument(skip_all)]
pub async fn platform_extract(
    app: &App,
    snapshot: Option<&str>,
    out: &std::path::Path,
) -> Result<ordo_backup::platform::Extracted, AppError> {
    let snapshot = match snapshot {
        Some(s) => s.to_owned(),
        None => platform_list(app)
            .await?
            .pop()
            .map(|l| l.snapshot)
            .ok_or_else(|| AppError::Backup(BackupError::NoSnapshot("platform: none".into())))?,
    };
    let folder = ordo_backup::platform::FOLDER;
    let file = ordo_backup::tenant::fetch(&target(app)?, folder, &snapshot, &app.settings.backup_work_dir).await?;
    Ok(ordo_backup::platform::extract(file.path(), &app.keys.platform_kek()?, out)?)
}

/// The platform backup, when due (as often as tenants' by default), run by
/// one node: the claim moves the next time forward before the work starts.
#[tracing::instrument(skip_all)]
pub async fn platform_due(app: &App) -> Result<bool, AppError> {
    let now = app.now();
    if !app.store.claim_platform_backup(now, now.plus_secs(12 * 3600)).await? {
        return Ok(false);
    }
    if platform(app).await.is_err() {
        app.store.set_platform_backup_next(now.plus_secs(RETRY_SECS)).await?;
    }
    Ok(true)
}

/// Every tenant's backup status, for the operator (`ordo backup status`).
#[tracing::instrument(skip_all)]
pub async fn overview(app: &App) -> Result<Vec<(ordo_store::Tenant, Status)>, AppError> {
    let mut out = Vec::new();
    for t in app.store.list_tenants().await? {
        let st = status(app, &t).await?;
        out.push((t, st));
    }
    Ok(out)
}

impl Status {
    /// The newest run of a kind.
    pub fn last(&self, job: Job) -> Option<&BackupRun> {
        self.runs.iter().find(|r| r.kind == job.as_str())
    }
    /// The newest good run of a kind.
    pub fn last_good(&self, job: Job) -> Option<&BackupRun> {
        self.runs.iter().find(|r| r.kind == job.as_str() && r.ok)
    }
}
