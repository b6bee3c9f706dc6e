//! Each user's calendar feed: a secret address a calendar application
//! subscribes to, listing the meetings the user may see. The address holds
//! a random token (only its hash is stored); making a new one or revoking
//! it stops the old one at once. Calendar applications cannot send a
//! session or a header, which is why the secret is in the address: it opens
//! this read-only list and nothing else (docs/security/threat-model.md).

use crate::accounts::{User, tenant_link};
use crate::calendar::{self, Method};
use crate::write::{UseCase, change};
use crate::{App, AppError};
use ordo_core::audit::AuditKind;
use ordo_core::meeting::MeetingRole;
use ordo_core::time::Timestamp;
use ordo_core::user::UserStatus;
use ordo_store::{AuditDraft, Tenant};

/// Meetings that started longer ago than this are left out of the feed.
const PAST_DAYS: i64 = 180;

/// Make a new feed address for `actor` (the previous one stops working).
/// The address is shown once: only its hash is kept.
#[tracing::instrument(skip_all)]
pub async fn create(app: &App, tenant: &Tenant, actor: &User) -> Result<String, AppError> {
    let token = ordo_crypto::random::token(32)?;
    let hash = ordo_crypto::sha256_hex(token.as_bytes());
    change!(app, tenant.id, Some(actor.id), UseCase::CalendarFeedCreate, |c| {
        c.tx.replace_calendar_feed(tenant.id, actor.id, &hash, c.now).await?;
        c.audit(AuditDraft::new(AuditKind::CalendarFeedCreated)).await?;
        Ok(())
    })?;
    Ok(tenant_link(app, &tenant.slug, &format!("feed/{token}")))
}

/// Revoke `actor`'s feed. Returns whether there was one.
#[tracing::instrument(skip_all)]
pub async fn revoke(app: &App, tenant: &Tenant, actor: &User) -> Result<bool, AppError> {
    change!(app, tenant.id, Some(actor.id), UseCase::CalendarFeedRevoke, |c| {
        if !c.tx.delete_calendar_feed(tenant.id, actor.id).await? {
            return c.unchanged(false);
        }
        c.audit(AuditDraft::new(AuditKind::CalendarFeedRevoked)).await?;
        Ok(true)
    })
}

/// When `actor`'s current feed address was made, if they have one.
#[tracing::instrument(skip_all)]
pub async fn since(app: &App, tenant: &Tenant, actor: &User) -> Result<Option<Timestamp>, AppError> {
    Ok(app.store.calendar_feed_since(tenant.id, actor.id).await?)
}

/// The feed a token opens, as an iCalendar file; "not found" for an unknown
/// or revoked token, or a user who can no longer sign in.
#[tracing::instrument(skip_all)]
pub async fn render(app: &App, tenant: &Tenant, token: &str) -> Result<String, AppError> {
    let hash = ordo_crypto::sha256_hex(token.as_bytes());
    let user_id = app.store.calendar_feed_user(tenant.id, &hash).await?.ok_or(AppError::NotFound)?;
    let user = crate::accounts::get_user(app, tenant, user_id).await?;
    if user.status != UserStatus::Active {
        return Err(AppError::NotFound);
    }
    let keys = app.keys.for_tenant(&app.store, tenant).await?;
    let now = app.now();
    let from = now.plus_secs(-PAST_DAYS * 86_400);
    let mut events = Vec::new();
    let mut organisers: std::collections::HashMap<ordo_core::ids::UserId, User> = Default::default();
    organisers.insert(user.id, user.clone());
    for (row, me) in app.store.meetings_of_user(tenant.id, user.id).await? {
        // What the meeting policy lets them see: their own, or shared.
        if !(me.role == MeetingRole::Organiser || me.shared_at.is_some()) || row.starts_at < from {
            continue;
        }
        let m = crate::meetings::open_meeting(&keys, &row, me.role)?;
        let d = crate::invitations::Details::of(&m);
        if !organisers.contains_key(&row.organiser_id) {
            let o = crate::accounts::get_user(app, tenant, row.organiser_id).await?;
            organisers.insert(o.id, o);
        }
        let organiser = &organisers[&row.organiser_id];
        events.push(crate::invitations::event(app, tenant, &row, &d, organiser, &[], row.ics_sequence, now));
    }
    Ok(calendar::calendar(Method::Publish, Some(&format!("Ordo — {}", tenant.name)), &events))
}
