//! Backups of tenants: taking one, listing, checking and restoring them,
//! with the tenant's key-encryption key from the key store (the archive
//! format and targets are in `ordo-backup`).

use crate::{App, AppError};
use ordo_backup::BackupError;
use ordo_backup::format::{Header, TableSummary};
use ordo_backup::target::{Listed, Target};
use ordo_backup::tenant::{BackupOutcome, RestoreOutcome};
use ordo_core::tenant::Slug;

fn target(app: &App) -> Result<Target, AppError> {
    Ok(app.settings.backup_target.open()?)
}

/// The key-encryption key of the tenant an archive names.
fn kek_finder(app: &App) -> impl Fn(&str) -> Result<ordo_crypto::keys::SecretKey, BackupError> + '_ {
    move |tenant: &str| app.keys.kek(tenant).map_err(|_| BackupError::WrongKey)
}

/// Back up a tenant now.
pub async fn run(app: &App, slug: &Slug) -> Result<BackupOutcome, AppError> {
    let tenant = app.store.tenant_by_slug(slug).await?.ok_or(AppError::NotFound)?;
    let kek = app.keys.kek(&tenant.id.to_string())?;
    let out =
        ordo_backup::tenant::backup(&app.store, &tenant, &kek, &target(app)?, &app.settings.backup_work_dir, app.now())
            .await?;
    tracing::info!(tenant = %slug, snapshot = %out.snapshot, bytes = out.bytes, seconds = out.seconds, "backup done");
    Ok(out)
}

/// A tenant's snapshots, oldest first (works for a deleted tenant too).
pub async fn list(app: &App, slug: &Slug) -> Result<Vec<Listed>, AppError> {
    Ok(target(app)?.list(slug.as_str()).await?)
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
pub async fn verify(app: &App, slug: &Slug, snapshot: Option<&str>) -> Result<(Header, Vec<TableSummary>), AppError> {
    let snapshot = pick(app, slug, snapshot).await?;
    let file =
        ordo_backup::tenant::fetch(&target(app)?, slug.as_str(), &snapshot, &app.settings.backup_work_dir).await?;
    let (header, tables) = ordo_backup::tenant::verify_file(file.path(), &kek_finder(app))?;
    if header.tenant_slug != slug.as_str() || header.snapshot != snapshot {
        return Err(AppError::Backup(BackupError::Corrupt("an archive stored under another name")));
    }
    Ok((header, tables))
}

/// Restore a tenant from a snapshot, all or nothing (see
/// `ordo_backup::tenant::restore`).
pub async fn restore(app: &App, slug: &Slug, snapshot: &str, replace: bool) -> Result<RestoreOutcome, AppError> {
    let file =
        ordo_backup::tenant::fetch(&target(app)?, slug.as_str(), snapshot, &app.settings.backup_work_dir).await?;
    let out = ordo_backup::tenant::restore(&app.store, file.path(), &kek_finder(app), replace, app.now()).await?;
    if out.header.tenant_slug != slug.as_str() {
        // Restored rows carry their own slug: say so rather than hide it.
        tracing::warn!(asked = %slug, archive = %out.header.tenant_slug, "the archive was of another slug");
    }
    if let Ok(id) = out.header.tenant_id.parse::<ordo_core::ids::TenantId>() {
        app.meeting_cache.forget(|(t, _)| *t == id);
    }
    tracing::info!(tenant = %slug, snapshot, seconds = out.seconds, "restore done");
    Ok(out)
}
