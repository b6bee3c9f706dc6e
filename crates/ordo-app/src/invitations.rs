//! Calendar invitations: the ICS file that goes with the sharing e-mail,
//! and the update or cancellation sent to everyone already invited when the
//! meeting moves or is called off. Each is queued in the transaction of the
//! change it reports, with the same UID and a SEQUENCE one higher, so the
//! participant's calendar replaces the event it holds.

use crate::accounts::{User, tenant_link};
use crate::calendar::{self, Event, Method, Person};
use crate::i18n::Tr;
use crate::keys::TenantKeys;
use crate::mail::{Attachment, Outgoing};
use crate::{App, AppError};
use ordo_core::ids::UserId;
use ordo_core::time::Timestamp;
use ordo_store::{MeetingRow, Tenant, Tx};

/// The host part of every UID: the public address's host.
fn host(app: &App) -> &str {
    let url = app.settings.public_url.as_str();
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split(['/', ':']).next().unwrap_or("ordo")
}

/// What an event needs of a meeting, opened (or as just edited).
pub struct Details<'a> {
    pub title: &'a str,
    pub place: &'a str,
    pub objectives: &'a str,
}

impl<'a> Details<'a> {
    pub fn of(m: &'a crate::meetings::Meeting) -> Self {
        Details { title: &m.title, place: &m.place, objectives: &m.objectives }
    }
}

/// The meeting as a calendar event for `attendees`.
#[allow(clippy::too_many_arguments)]
pub fn event(
    app: &App,
    tenant: &Tenant,
    row: &MeetingRow,
    d: &Details<'_>,
    organiser: &User,
    attendees: &[&User],
    sequence: i64,
    now: Timestamp,
) -> Event {
    let person = |u: &User| Person { name: u.display_name.clone(), email: u.email.clone() };
    Event {
        uid: calendar::uid(&row.id.to_string(), host(app)),
        sequence,
        start: row.starts_at,
        duration_minutes: row.duration_minutes,
        title: d.title.to_owned(),
        place: d.place.to_owned(),
        description: d.objectives.to_owned(),
        url: tenant_link(app, &tenant.slug, &format!("meetings/{}", row.id)),
        organiser: person(organiser),
        attendees: attendees.iter().map(|u| person(u)).collect(),
        cancelled: row.status == ordo_core::meeting::MeetingStatus::Cancelled,
        stamp: now,
    }
}

/// The ICS file of one event, as an attachment.
pub fn attachment(method: Method, event: &Event) -> Attachment {
    Attachment {
        filename: if method == Method::Cancel { "cancel.ics" } else { "invite.ics" }.to_owned(),
        content_type: format!("text/calendar; charset=utf-8; method={}", method.as_str()),
        data: calendar::calendar(method, None, std::slice::from_ref(event)).into_bytes(),
    }
}

/// What happened to a meeting that invited people must hear about.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Updated,
    Cancelled,
}

/// Queue, in `tx`, the update or cancellation for each invited participant
/// but the actor, raising the meeting's SEQUENCE once. `row` is the meeting
/// as it is after the change. Returns how many messages were queued.
#[allow(clippy::too_many_arguments)]
#[tracing::instrument(skip_all)]
pub async fn queue_change(
    app: &App,
    tx: &mut Tx,
    tenant: &Tenant,
    keys: &TenantKeys,
    actor: &User,
    row: &MeetingRow,
    d: &Details<'_>,
    people: &[(User, bool)],
    change: Change,
) -> Result<usize, AppError> {
    let invited: Vec<&User> = people.iter().filter(|(_, shared)| *shared).map(|(u, _)| u).collect();
    if invited.iter().all(|u| u.id == actor.id) {
        return Ok(0);
    }
    let organiser = people.iter().map(|(u, _)| u).find(|u| u.id == row.organiser_id).unwrap_or(actor);
    let sequence = tx.raise_ics_sequence(tenant.id, row.id).await?;
    let now = app.now();
    let (method, subject_key, body_key) = match change {
        Change::Updated => (Method::Request, "mail.meeting_updated.subject", "mail.meeting_updated.body"),
        Change::Cancelled => (Method::Cancel, "mail.meeting_cancelled.subject", "mail.meeting_cancelled.body"),
    };
    let ev = event(app, tenant, row, d, organiser, &invited, sequence, now);
    let file = attachment(method, &ev);
    let link = tenant_link(app, &tenant.slug, &format!("meetings/{}", row.id));
    let mut sent = 0;
    for u in invited.iter().filter(|u| u.id != actor.id) {
        let tr = Tr::new(u.locale.or(actor.locale).unwrap_or_default());
        let when = crate::meetings::when_text(row.starts_at, &row.time_zone);
        let fields = [
            ("organiser", actor.display_name.as_str()),
            ("title", d.title),
            ("when", when.as_str()),
            ("place", d.place),
            ("link", link.as_str()),
        ];
        let mut out = Outgoing::text(&u.email, tr.tf(subject_key, &[("title", d.title)]), tr.tf(body_key, &fields));
        out.attachments.push(file.clone());
        let mail = crate::mail::seal(keys, out)?;
        tx.enqueue_mail(Some(tenant.id), &mail, now).await?;
        sent += 1;
    }
    Ok(sent)
}

/// The people of a meeting (its rows as read), opened, each with whether
/// they were invited.
pub fn people(
    keys: &TenantKeys,
    rows: Vec<ordo_store::UserRow>,
    participants: &[ordo_store::ParticipantRow],
) -> Vec<(User, bool)> {
    let shared: std::collections::HashMap<UserId, bool> =
        participants.iter().map(|p| (p.user_id, p.shared_at.is_some())).collect();
    rows.into_iter()
        .filter_map(|r| crate::accounts::open_user(keys, r).ok())
        .map(|u| {
            let s = shared.get(&u.id).copied().unwrap_or(false);
            (u, s)
        })
        .collect()
}
