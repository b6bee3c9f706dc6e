//! Operations on tenants' encryption: switching it on or off, rotating a
//! tenant's data key, rotating the master key, and deleting a tenant by
//! destroying its keys (crypto-shredding). Re-sealing stored values is a
//! resumable background job: it works in batches, each its own transaction,
//! and always looks for what is left to do, so a crash at any point is
//! recovered by running it again.

use crate::accounts::open_user;
use crate::keys::Field;
use crate::write::{UseCase, change};
use crate::{App, AppError};
use ordo_core::audit::AuditKind;
use ordo_core::tenant::Slug;
use ordo_store::{AuditDraft, Tenant};

/// Where a tenant's re-sealing stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResealStatus {
    pub encryption: bool,
    pub key_version: u32,
    /// Protected values already in the wanted form.
    pub done: i64,
    /// Protected values still to re-seal.
    pub remaining: i64,
}

#[tracing::instrument(skip_all)]
pub async fn reseal_status(app: &App, tenant: &Tenant) -> Result<ResealStatus, AppError> {
    let counts = app.store.sealed_versions(tenant.id).await?;
    let target = tenant.encryption.then_some(tenant.key_version);
    let done = counts.iter().filter(|(v, _)| *v == target).map(|(_, n)| n).sum();
    let remaining = counts.iter().filter(|(v, _)| *v != target).map(|(_, n)| n).sum();
    Ok(ResealStatus { encryption: tenant.encryption, key_version: tenant.key_version, done, remaining })
}

/// Re-seal up to `max_batches` batches of `batch` users (all if None).
/// Returns true when the tenant is fully re-sealed (and old keys are gone).
#[tracing::instrument(skip_all)]
pub async fn reseal(app: &App, slug: &Slug, batch: i64, max_batches: Option<usize>) -> Result<bool, AppError> {
    let tenant = app.store.tenant_by_slug(slug).await?.ok_or(AppError::NotFound)?;
    let keys = app.keys.for_tenant(&app.store, &tenant).await?;
    let target = tenant.encryption.then_some(tenant.key_version);
    let mut batches = 0;
    loop {
        if max_batches.is_some_and(|m| batches >= m) {
            return Ok(false);
        }
        let rows = app.store.users_to_reseal(tenant.id, target, batch).await?;
        if rows.is_empty() {
            break;
        }
        let mut progressed = false;
        let mut tx = app.store.begin().await?;
        for row in rows {
            let rid = row.id.to_string();
            let user = open_user(&keys, row.clone())?;
            let email = keys.seal(Field::UserEmail, &rid, &user.email)?;
            let name = keys.seal(Field::UserDisplayName, &rid, &user.display_name)?;
            let phone = user.phone.as_deref().map(|p| keys.seal(Field::UserPhone, &rid, p)).transpose()?;
            progressed |= tx.reseal_user(&row, &email, &name, phone.as_ref()).await?;
        }
        tx.commit().await?;
        batches += 1;
        if !progressed {
            // Every row of the batch changed under us: try again later.
            return Ok(false);
        }
    }
    for table in ordo_store::SealedTable::ALL {
        let fields = Field::of_table(table);
        loop {
            if max_batches.is_some_and(|m| batches >= m) {
                return Ok(false);
            }
            let rows = app.store.rows_to_reseal(table, tenant.id, target, batch).await?;
            if rows.is_empty() {
                break;
            }
            let mut progressed = false;
            let mut tx = app.store.begin().await?;
            for row in rows {
                let mut new = Vec::with_capacity(fields.len());
                for (field, sealed) in fields.iter().zip(&row.values) {
                    let plain = keys.open(*field, &row.id, sealed)?;
                    new.push(keys.seal(*field, &row.id, &plain)?);
                }
                progressed |= tx.reseal_row(table, tenant.id, &row, &new).await?;
            }
            tx.commit().await?;
            batches += 1;
            if !progressed {
                return Ok(false);
            }
        }
    }
    for blob in ordo_store::Blob::ALL {
        let field = Field::of_blob(blob);
        loop {
            if max_batches.is_some_and(|m| batches >= m) {
                return Ok(false);
            }
            // Pictures are large: a few at a time.
            let rows = app.store.blobs_to_reseal(blob, tenant.id, target, batch.min(20)).await?;
            if rows.is_empty() {
                break;
            }
            let mut progressed = false;
            let mut tx = app.store.begin().await?;
            for (id, old) in rows {
                let bytes = keys.open_bytes(field, &id, &old)?;
                let new = keys.seal_bytes(field, &id, &bytes)?;
                progressed |= tx.reseal_blob(blob, tenant.id, &id, &old, &new).await?;
            }
            tx.commit().await?;
            batches += 1;
            if !progressed {
                return Ok(false);
            }
        }
    }
    finish(app, &tenant).await
}

/// Forget the data keys nothing uses any more; when every stored value is in
/// the wanted form, mark the tenant done. A key still used (by a message
/// waiting in the outbox) is kept, and the tenant looked at again later.
async fn finish(app: &App, tenant: &Tenant) -> Result<bool, AppError> {
    let counts = app.store.sealed_versions(tenant.id).await?;
    let in_use: Vec<u32> = counts.iter().filter_map(|(v, _)| *v).collect();
    let target = tenant.encryption.then_some(tenant.key_version);
    let mut all_done = counts.iter().all(|(v, _)| *v == target);
    // The values just replaced must not stay readable in the database's
    // files (SQLite's write-ahead log): switching encryption on, or a key
    // rotation, is only done once they are gone.
    if all_done && !app.store.forget_replaced_values().await? {
        tracing::warn!(tenant = %tenant.slug, "replaced values still in the write-ahead log; trying again later");
        all_done = false;
    }
    let versions: Vec<u32> = app
        .store
        .tenant_keys(tenant.id)
        .await?
        .iter()
        .filter(|k| k.purpose == crate::keys::DATA)
        .map(|k| k.version)
        .collect();
    let mut tx = app.store.begin().await?;
    for v in versions {
        if v != tenant.key_version && !in_use.contains(&v) {
            tx.delete_tenant_data_key(tenant.id, v).await?;
        }
    }
    if all_done {
        tx.clear_reseal_pending(tenant.id).await?;
    }
    tx.commit().await?;
    app.keys.forget(tenant.id);
    if all_done {
        tracing::info!(tenant = %tenant.slug, "stored values re-sealed");
    }
    Ok(all_done)
}

/// Is what is left to re-seal only mail still queued (which the server's
/// outbox finishes as it sends it)?
#[tracing::instrument(skip_all)]
pub async fn only_mail_left(app: &App, tenant: &Tenant) -> Result<bool, AppError> {
    Ok(app.store.users_to_reseal(tenant.id, tenant.encryption.then_some(tenant.key_version), 1).await?.is_empty())
}

/// A tenant's owner or admin switches encryption on (switching it off is
/// for operators, from the command line).
#[tracing::instrument(skip_all)]
pub async fn enable_encryption(app: &App, tenant: &Tenant, actor: &crate::User) -> Result<(), AppError> {
    if !crate::accounts::can_view_members(actor) {
        return Err(AppError::Forbidden);
    }
    set_encryption(app, &tenant.slug, true, &format!("user:{}", actor.id)).await.map(|_| ())
}

/// Switch encryption of a tenant's stored values on or off. On: new values
/// are encrypted at once and existing ones in the background. Off is an
/// operator's decision (command line only), recorded in both audit logs.
#[tracing::instrument(skip_all)]
pub async fn set_encryption(app: &App, slug: &Slug, on: bool, actor: &str) -> Result<Tenant, AppError> {
    let tenant = app.store.tenant_by_slug(slug).await?.ok_or(AppError::NotFound)?;
    let (kind, use_case) = if on {
        (AuditKind::EncryptionEnabled, UseCase::EncryptionEnable)
    } else {
        (AuditKind::EncryptionDisabled, UseCase::EncryptionDisable)
    };
    let detail = serde_json::json!({ "by": actor }).to_string();
    change!(app, tenant.id, None, use_case, |c| {
        let now = c.tx.tenant_by_slug(slug).await?.ok_or(AppError::NotFound)?;
        if now.encryption == on {
            // Already as asked: nothing to write, nothing to re-seal.
            return c.unchanged(());
        }
        c.tx.set_tenant_encryption(tenant.id, on).await?;
        c.audit(AuditDraft::new(kind).detail(detail.clone())).await?;
        c.tx.append_platform_audit(kind.as_str(), Some(&tenant.id.to_string()), &detail, c.now).await?;
        Ok(())
    })?;
    app.keys.forget(tenant.id);
    app.store.tenant_by_slug(slug).await?.ok_or(AppError::NotFound)
}

/// Rotate a tenant's data key: a new version for new values; stored values
/// are re-sealed in the background; the old key is kept until none uses it.
#[tracing::instrument(skip_all)]
pub async fn rotate_tenant_key(app: &App, slug: &Slug) -> Result<u32, AppError> {
    let tenant = app.store.tenant_by_slug(slug).await?.ok_or(AppError::NotFound)?;
    let existing = app.store.tenant_keys(tenant.id).await?;
    let next = existing.iter().filter(|k| k.purpose == crate::keys::DATA).map(|k| k.version).max().unwrap_or(0) + 1;
    let row = app.keys.new_data_key(tenant.id, next)?;
    let detail = serde_json::json!({ "version": next }).to_string();
    change!(app, tenant.id, None, UseCase::KeyRotate, |c| {
        c.tx.insert_tenant_key(tenant.id, &row, c.now).await?;
        c.tx.set_tenant_key_version(tenant.id, next).await?;
        c.audit(AuditDraft::new(AuditKind::KeyRotated).detail(detail.clone())).await?;
        c.tx.append_platform_audit(AuditKind::KeyRotated.as_str(), Some(&tenant.id.to_string()), &detail, c.now)
            .await?;
        Ok(())
    })?;
    app.keys.forget(tenant.id);
    Ok(next)
}

/// Wrap every tenant's key-encryption key under the provider's current
/// master key (the data is not touched). Idempotent: a crashed rotation is
/// finished by running it again. Returns how many keys were re-wrapped.
#[tracing::instrument(skip_all)]
pub async fn rotate_master(app: &App) -> Result<usize, AppError> {
    let store = app.keys.kek_store();
    let provider = app.keys.provider();
    let mut n = 0;
    for t in app.store.list_tenants().await? {
        if store.rewrap(provider, &t.id.to_string())? {
            n += 1;
        }
    }
    // The platform backups' key too, or they would die with the old master key.
    let platform = ordo_backup::platform::KEK_NAME;
    if store.exists(platform) && store.rewrap(provider, platform)? {
        n += 1;
    }
    let now = app.now();
    let mut tx = app.store.begin().await?;
    tx.set_platform_state(MASTER_KEY_ID, &provider.current_id()).await?;
    let detail = serde_json::json!({ "master_key": provider.current_id(), "rewrapped": n }).to_string();
    tx.append_platform_audit("master_key.rotated", None, &detail, now).await?;
    tx.commit().await?;
    Ok(n)
}

pub const MASTER_KEY_ID: &str = "master_key_id";

/// Refuse to run with a master key that is not the one this database uses
/// (or, on first start, remember which one it is).
#[tracing::instrument(skip_all)]
pub async fn check_master_key(app: &App) -> Result<(), AppError> {
    let provider = app.keys.provider();
    match app.store.platform_state(MASTER_KEY_ID).await? {
        Some(id) if provider.knows(&id) => Ok(()),
        Some(_) => Err(AppError::WrongMasterKey),
        None => {
            let mut tx = app.store.begin().await?;
            tx.set_platform_state(MASTER_KEY_ID, &provider.current_id()).await?;
            tx.commit().await?;
            Ok(())
        }
    }
}

/// Delete a tenant: destroy its key-encryption key first (its data, in this
/// database, its copies and its backups, becomes unreadable), then its rows,
/// and record it in the platform audit log. Safe to run again after a crash.
#[tracing::instrument(skip_all)]
pub async fn delete_tenant(app: &App, slug: &Slug) -> Result<(), AppError> {
    let tenant = app.store.tenant_by_slug(slug).await?.ok_or(AppError::NotFound)?;
    app.keys.destroy_tenant(tenant.id)?;
    app.meeting_cache.forget(|(t, _)| *t == tenant.id);
    let now = app.now();
    let mut tx = app.store.begin().await?;
    tx.delete_tenant(tenant.id).await?;
    let detail = serde_json::json!({ "slug": tenant.slug.as_str() }).to_string();
    tx.append_platform_audit("tenant.deleted", Some(&tenant.id.to_string()), &detail, now).await?;
    tx.commit().await?;
    Ok(())
}

/// The background worker: re-seals every tenant that needs it.
#[tracing::instrument(skip_all)]
pub async fn run_worker(app: App, shutdown: impl std::future::Future<Output = ()>) {
    tokio::pin!(shutdown);
    loop {
        match app.store.tenants_to_reseal().await {
            Ok(tenants) => {
                for t in tenants {
                    if let Err(e) = reseal(&app, &t.slug, 200, Some(10)).await {
                        tracing::error!(tenant = %t.slug, error = %e, "re-sealing failed; will retry");
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "re-seal worker cannot list tenants"),
        }
        tokio::select! {
            _ = &mut shutdown => break,
            _ = tokio::time::sleep(std::time::Duration::from_secs(5)) => {}
        }
    }
}
