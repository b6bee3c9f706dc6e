//! A meeting's details and life: editing them (with the calendar update
//! sent to those invited), cancelling, archiving, sharing access.

use super::access::{load, lock};
use super::{Meeting, MeetingInput, open_meeting, parse};
use crate::accounts::{User, open_user};
use crate::i18n::Tr;
use crate::keys::{Field, TenantKeys};
use crate::write::{Item, UseCase, change};
use crate::{App, AppError, Conflict};
use ordo_core::audit::AuditKind;
use ordo_core::ids::{MeetingId, UserId};
use ordo_core::meeting::{MeetingAction, MeetingStatus};
use ordo_core::user::UserStatus;
use ordo_store::{AuditDraft, MeetingRow, Tenant};
use std::collections::HashMap;

/// A meeting's details as they were, for its history.
fn details_before(m: &Meeting) -> serde_json::Value {
    serde_json::json!({
        "title": m.title, "objectives": m.objectives, "place": m.place,
        "starts_at": m.local_start, "time_zone": m.time_zone, "duration_minutes": m.duration_minutes,
    })
}

/// A change of a meeting's details: each field given replaces the stored
/// one, each absent one keeps it (merged inside the change, on what it
/// commits on).
#[derive(Clone, Copy, Default)]
pub struct MeetingChanges<'a> {
    pub title: Option<&'a str>,
    pub objectives: Option<&'a str>,
    /// Local date and time in the time zone, `YYYY-MM-DDTHH:MM`.
    pub starts_at: Option<&'a str>,
    pub time_zone: Option<&'a str>,
    pub duration_minutes: Option<&'a str>,
    pub place: Option<&'a str>,
}

impl<'a> From<&MeetingInput<'a>> for MeetingChanges<'a> {
    fn from(i: &MeetingInput<'a>) -> Self {
        MeetingChanges {
            title: Some(i.title),
            objectives: Some(i.objectives),
            starts_at: Some(i.starts_at),
            time_zone: Some(i.time_zone),
            duration_minutes: Some(i.duration_minutes),
            place: Some(i.place),
        }
    }
}

/// Edit a meeting's details (all of them). `version` is the one the form
/// was loaded from: a stale one is refused, never silently overwritten.
#[tracing::instrument(skip_all)]
pub async fn update(
    app: &App,
    tenant: &Tenant,
    actor: &User,
    id: MeetingId,
    input: MeetingInput<'_>,
    version: i64,
) -> Result<(), AppError> {
    update_partial(app, tenant, actor, id, MeetingChanges::from(&input), version).await.map(|_| ())
}

/// Edit some of a meeting's details; returns the meeting as it is now.
#[tracing::instrument(skip_all)]
pub async fn update_partial(
    app: &App,
    tenant: &Tenant,
    actor: &User,
    id: MeetingId,
    changes: MeetingChanges<'_>,
    version: i64,
) -> Result<Meeting, AppError> {
    let keys = app.keys.for_tenant(&app.store, tenant).await?;
    let rid = id.to_string();
    change!(app, tenant.id, Some(actor.id), UseCase::MeetingUpdate, |c| {
        let l = lock(&mut c.tx, tenant, actor, id, MeetingAction::EditDetails).await?;
        let old = open_meeting(&keys, &l.row, l.me.role)?;
        let duration = old.duration_minutes.to_string();
        let input = MeetingInput {
            title: changes.title.unwrap_or(&old.title),
            objectives: changes.objectives.unwrap_or(&old.objectives),
            starts_at: changes.starts_at.unwrap_or(&old.local_start),
            time_zone: changes.time_zone.unwrap_or(&old.time_zone),
            duration_minutes: changes.duration_minutes.unwrap_or(&duration),
            place: changes.place.unwrap_or(&old.place),
        };
        let p = parse(&input)?;
        // What a calendar shows: a change to it is sent to those invited.
        let moved = p.start.at != l.row.starts_at
            || p.duration != l.row.duration_minutes
            || p.place.as_str() != old.place
            || p.title.as_str() != old.title;
        let people = if moved && l.row.status == MeetingStatus::Shared {
            crate::invitations::people(&keys, c.tx.people_of_meeting(tenant.id, id).await?, &l.participants)
        } else {
            Vec::new()
        };
        let new = MeetingRow {
            title: keys.seal(Field::MeetingTitle, &rid, p.title.as_str())?,
            objectives: keys.seal(Field::MeetingObjectives, &rid, p.objectives.as_str())?,
            place: keys.seal(Field::MeetingPlace, &rid, p.place.as_str())?,
            starts_at: p.start.at,
            time_zone: p.start.zone.clone(),
            duration_minutes: p.duration,
            ..l.row.clone()
        };
        if !c.tx.update_meeting(&new, version, c.now).await? {
            // Someone saved a newer version since this form was loaded.
            return Err(AppError::Conflict(Conflict::Version));
        }
        let d = crate::invitations::Details {
            title: p.title.as_str(),
            place: p.place.as_str(),
            objectives: p.objectives.as_str(),
        };
        let change = crate::invitations::Change::Updated;
        let sent =
            crate::invitations::queue_change(app, &mut c.tx, tenant, &keys, actor, &new, &d, &people, change).await?;
        if sent > 0 {
            c.mail_queued();
        }
        c.history(&keys, id, Item::meeting(id), Some(details_before(&old))).await?;
        let now = c.tx.meeting_by_id(tenant.id, id).await?.ok_or(AppError::NotFound)?;
        open_meeting(&keys, &now, l.me.role)
    })
}

/// Cancel or archive a meeting. Those invited hear of a cancellation, with
/// the calendar's CANCEL.
#[tracing::instrument(skip_all)]
pub async fn set_status(
    app: &App,
    tenant: &Tenant,
    actor: &User,
    id: MeetingId,
    status: MeetingStatus,
) -> Result<(), AppError> {
    let (action, use_case, kind) = match status {
        MeetingStatus::Cancelled => (MeetingAction::Cancel, UseCase::MeetingCancel, AuditKind::MeetingCancelled),
        MeetingStatus::Archived => (MeetingAction::Archive, UseCase::MeetingArchive, AuditKind::MeetingArchived),
        _ => return Err(AppError::Forbidden),
    };
    let keys = app.keys.for_tenant(&app.store, tenant).await?;
    change!(app, tenant.id, Some(actor.id), use_case, |c| {
        let l = lock(&mut c.tx, tenant, actor, id, action).await?;
        let tell = status == MeetingStatus::Cancelled && l.row.status == MeetingStatus::Shared;
        let people = if tell {
            crate::invitations::people(&keys, c.tx.people_of_meeting(tenant.id, id).await?, &l.participants)
        } else {
            Vec::new()
        };
        let opened = open_meeting(&keys, &l.row, l.me.role)?;
        let after = MeetingRow { status, ..l.row.clone() };
        c.tx.set_meeting_status(tenant.id, id, status, c.now).await?;
        let detail = serde_json::json!({ "meeting": id.to_string(), "from": l.row.status.as_str() }).to_string();
        c.audit(AuditDraft::new(kind).detail(detail)).await?;
        if tell {
            let d = crate::invitations::Details::of(&opened);
            let change = crate::invitations::Change::Cancelled;
            let sent =
                crate::invitations::queue_change(app, &mut c.tx, tenant, &keys, actor, &after, &d, &people, change)
                    .await?;
            if sent > 0 {
                c.mail_queued();
            }
        }
        Ok(())
    })
}

/// The people of a meeting, opened, each with whether they were invited,
/// for an actor allowed `action`; with the tenant's keys.
#[tracing::instrument(skip_all)]
pub(crate) async fn people_for(
    app: &App,
    tenant: &Tenant,
    actor: &User,
    id: MeetingId,
    action: MeetingAction,
) -> Result<(Vec<(User, bool)>, TenantKeys), AppError> {
    let l = load(app, tenant, actor, id, action).await?;
    let rows = app.store.people_of_meeting(tenant.id, id).await?;
    let people = crate::invitations::people(&l.keys, rows, &l.participants);
    Ok((people, l.keys))
}

/// Share access: each participant not yet invited gets an e-mail with the
/// agenda and a link, and from then on sees the meeting.
#[tracing::instrument(skip_all)]
pub async fn share(app: &App, tenant: &Tenant, actor: &User, id: MeetingId) -> Result<usize, AppError> {
    // What the e-mail says is read first; who may share, and who is newly
    // invited, are decided inside the change.
    let page = super::page(app, tenant, actor, id).await?;
    let keys = app.keys.for_tenant(&app.store, tenant).await?;
    let link = crate::accounts::tenant_link(app, &tenant.slug, &format!("meetings/{id}"));
    let agenda: Vec<String> = page.content.topics.iter().map(|t| format!("- {}", t.title)).collect();
    let when = page.meeting.when();
    change!(app, tenant.id, Some(actor.id), UseCase::MeetingShare, |c| {
        let l = lock(&mut c.tx, tenant, actor, id, MeetingAction::Share).await?;
        let row = l.row;
        let users: HashMap<UserId, User> =
            c.tx.people_of_meeting(tenant.id, id)
                .await?
                .into_iter()
                .filter_map(|r| open_user(&keys, r).ok())
                .map(|u| (u.id, u))
                .collect();
        let now = c.now;
        // The calendar invitation: everyone of the meeting is invited from now.
        let invite = {
            let organiser = users.get(&row.organiser_id).unwrap_or(actor);
            let attendees: Vec<&User> = users.values().filter(|u| u.id != row.organiser_id).collect();
            let d = crate::invitations::Details::of(&page.meeting);
            let ev = crate::invitations::event(app, tenant, &row, &d, organiser, &attendees, row.ics_sequence, now);
            crate::invitations::attachment(crate::calendar::Method::Request, &ev)
        };
        let newly = c.tx.share_meeting(tenant.id, id, now).await?;
        let mut sent = 0;
        for uid in &newly {
            let Some(u) = users.get(uid) else { continue };
            if *uid == actor.id {
                continue;
            }
            let tr = Tr::new(u.locale.or(actor.locale).unwrap_or_default());
            let mut fields = vec![
                ("organiser", actor.display_name.clone()),
                ("title", page.meeting.title.clone()),
                ("when", when.clone()),
                ("place", page.meeting.place.clone()),
                ("agenda", agenda.join("\n")),
                ("link", link.clone()),
            ];
            // Someone added by address has no account yet: the invitation
            // carries the single-use link to choose a password first.
            let key = if u.status == UserStatus::Pending {
                let token = ordo_crypto::random::token(32)?;
                let hash = ordo_crypto::sha256_hex(token.as_bytes());
                let ttl = app.settings.activation_ttl_secs;
                // Beside any earlier invitation's link, which keeps working.
                c.tx.add_token(tenant.id, u.id, ordo_store::TokenPurpose::Activation, &hash, now, now.plus_secs(ttl))
                    .await?;
                fields
                    .push(("activate", crate::accounts::tenant_link(app, &tenant.slug, &format!("activate/{token}"))));
                fields.push(("hours", (ttl / 3600).to_string()));
                "mail.share.body_new_account"
            } else {
                "mail.share.body"
            };
            let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let body = tr.tf(key, &pairs);
            let subject = tr.tf("mail.share.subject", &[("title", &page.meeting.title)]);
            let mut out = crate::mail::Outgoing::text(&u.email, subject, body);
            out.attachments.push(invite.clone());
            let mail = crate::mail::seal(&keys, out)?;
            c.tx.enqueue_mail(Some(tenant.id), &mail, now).await?;
            sent += 1;
        }
        if row.status == MeetingStatus::Draft {
            c.tx.set_meeting_status(tenant.id, id, MeetingStatus::Shared, now).await?;
        }
        let shared_with: Vec<String> = newly.iter().map(|u| u.to_string()).collect();
        let detail = serde_json::json!({ "meeting": id.to_string(), "invited": shared_with }).to_string();
        c.audit(AuditDraft::new(AuditKind::MeetingShared).detail(detail)).await?;
        if sent > 0 {
            c.mail_queued();
        }
        Ok(sent)
    })
}
