//! Reading a tenant's audit log, and checking its hash chain.

use crate::accounts::{User, can_view_members};
use crate::{App, AppError};
use ordo_core::tenant::{Slug, Tenant};
use ordo_core::time::Timestamp;

/// One entry of a tenant's audit log.
#[derive(Clone, Debug)]
pub struct Entry {
    pub seq: i64,
    pub at: Timestamp,
    pub actor_id: Option<String>,
    /// Its kind's stable name (`ordo_core::audit::AuditKind`).
    pub kind: String,
    pub subject_id: Option<String>,
    pub ip: Option<String>,
    /// Small JSON object with the facts of the event.
    pub detail: String,
}

/// Entries before `before` (newest first), for the tenant's admins.
#[tracing::instrument(skip_all)]
pub async fn list(
    app: &App,
    tenant: &Tenant,
    actor: &User,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<Entry>, AppError> {
    if !can_view_members(actor) {
        return Err(AppError::Forbidden);
    }
    Ok(app
        .store
        .list_audit(tenant.id, before, limit.clamp(1, 500))
        .await?
        .into_iter()
        .map(|e| Entry {
            seq: e.seq,
            at: e.at,
            actor_id: e.actor_id,
            kind: e.kind,
            subject_id: e.subject_id,
            ip: e.ip,
            detail: e.detail,
        })
        .collect())
}

/// What checking a chain found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verified {
    Intact {
        entries: i64,
    },
    /// The first entry that does not fit.
    Broken {
        seq: i64,
        reason: String,
    },
}

/// Check a tenant's audit chain end to end (`ordo audit verify`); `None`
/// if there is no such tenant.
#[tracing::instrument(skip_all)]
pub async fn verify(app: &App, slug: &Slug) -> Result<Option<Verified>, AppError> {
    let Some(t) = app.store.tenant_by_slug(slug).await? else { return Ok(None) };
    Ok(Some(match app.store.verify_audit_chain(t.id).await? {
        ordo_store::ChainCheck::Intact { entries } => Verified::Intact { entries },
        ordo_store::ChainCheck::Broken { seq, reason } => Verified::Broken { seq, reason },
    }))
}
