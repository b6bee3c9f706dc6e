//! Meetings: creation and details, participants and sharing, the note space
//! (topics, sub-topics, elements), actions. Every call checks the meeting
//! policy (`ordo_core::meeting::authorize_meeting`) for the acting user; a
//! meeting the user may not see is "not found", whatever its id.

use crate::accounts::{User, open_user};
use crate::cache::Stamp;
use crate::i18n::Tr;
use crate::keys::{Field, TenantKeys};
use crate::{App, AppError, retrying};
use ordo_core::audit::AuditKind;
use ordo_core::ids::{ElementId, MeetingId, TopicId, UserId};
use ordo_core::meeting::{
    self, ActionStatus, ElementKind, LongText, MeetingAction, MeetingActor, MeetingRole, MeetingStatus, Place, Start,
    Target, Title,
};
use ordo_core::time::Timestamp;
use ordo_core::user::{DisplayName, Email, UserStatus};
use ordo_store::{AuditDraft, ElementRow, MeetingRow, NewUser, ParticipantRow, Tenant, TopicRow};
use std::collections::HashMap;

/// What a form or API call gives to create or edit a meeting.
pub struct MeetingInput<'a> {
    pub title: &'a str,
    pub objectives: &'a str,
    /// Local date and time in `time_zone`, `YYYY-MM-DDTHH:MM`.
    pub starts_at: &'a str,
    pub time_zone: &'a str,
    pub duration_minutes: &'a str,
    pub place: &'a str,
}

struct Parsed {
    title: Title,
    objectives: LongText,
    start: Start,
    duration: i64,
    place: Place,
}

fn parse(input: &MeetingInput<'_>) -> Result<Parsed, AppError> {
    Ok(Parsed {
        title: Title::parse(input.title)?,
        objectives: LongText::parse("objectives", input.objectives)?,
        start: Start::parse(input.starts_at, input.time_zone)?,
        duration: meeting::parse_duration(input.duration_minutes)?,
        place: Place::parse(input.place)?,
    })
}

/// A meeting, decrypted, as its viewer may see it.
#[derive(Clone, Debug)]
pub struct Meeting {
    pub id: MeetingId,
    pub title: String,
    pub objectives: String,
    pub place: String,
    pub starts_at: Timestamp,
    /// `YYYY-MM-DDTHH:MM` in the meeting's time zone.
    pub local_start: String,
    pub time_zone: String,
    pub duration_minutes: i64,
    pub organiser_id: UserId,
    pub status: MeetingStatus,
    pub version: i64,
    /// The SEQUENCE of the invitations sent so far.
    pub ics_sequence: i64,
    pub my_role: MeetingRole,
}

#[derive(Clone, Debug)]
pub struct Participant {
    pub user_id: UserId,
    pub name: String,
    pub email: String,
    pub role: MeetingRole,
    pub shared: bool,
    /// Was at the meeting (`None`: not recorded).
    pub present: Option<bool>,
}

#[derive(Clone, Debug)]
pub struct Topic {
    pub id: TopicId,
    pub parent_id: Option<TopicId>,
    pub title: String,
}

#[derive(Clone, Debug)]
pub struct Comment {
    pub id: ordo_core::ids::CommentId,
    pub element_id: ElementId,
    pub parent_id: Option<ordo_core::ids::CommentId>,
    pub author_id: UserId,
    pub author: String,
    pub body: String,
    pub created_at: Timestamp,
}

#[derive(Clone, Debug)]
pub struct Element {
    pub id: ElementId,
    pub topic_id: TopicId,
    pub kind: ElementKind,
    pub title: String,
    pub description: String,
    pub due_date: Option<String>,
    pub action_status: Option<ActionStatus>,
    pub owners: Vec<UserId>,
    pub version: i64,
    /// Where it was carried over from, and to.
    pub origin: ordo_store::Origin,
}

/// A meeting's content, decrypted: the same for every participant who may
/// see it. Kept in [`App::meeting_cache`] and reused while the meeting's
/// revision (and the tenant's people revision) has not moved.
#[derive(Debug)]
pub struct Content {
    /// As stored: the permission checks read them.
    participant_rows: Vec<ParticipantRow>,
    pub participants: Vec<Participant>,
    pub topics: Vec<Topic>,
    pub elements: Vec<Element>,
    pub comments: Vec<Comment>,
    /// "Who contributes to what": (topic, user) pairs.
    pub contributors: Vec<(TopicId, UserId)>,
}

impl Content {
    /// Each topic's contributors: (user, name).
    pub fn contributor_names(&self) -> HashMap<TopicId, Vec<(UserId, String)>> {
        let mut out: HashMap<TopicId, Vec<(UserId, String)>> = HashMap::new();
        for (t, u) in &self.contributors {
            if let Some(p) = self.participants.iter().find(|p| p.user_id == *u) {
                out.entry(*t).or_default().push((*u, p.name.clone()));
            }
        }
        out
    }
}

/// Everything the meeting page shows, for one viewer.
#[derive(Clone, Debug)]
pub struct MeetingPage {
    pub meeting: Meeting,
    pub content: std::sync::Arc<Content>,
    pub can: HashMap<&'static str, bool>,
    /// The revision this page shows (a live page waits for the next one).
    pub revision: i64,
}

/// `2026-12-07 09:30 (Europe/Paris)`: a start as people read it, in the
/// meeting's zone.
pub fn when_text(at: Timestamp, zone: &str) -> String {
    format!("{} ({zone})", Start::local(at, zone).replace('T', " "))
}

impl Meeting {
    /// When it starts, as people read it.
    pub fn when(&self) -> String {
        when_text(self.starts_at, &self.time_zone)
    }
}

pub(crate) fn open_meeting(keys: &TenantKeys, row: &MeetingRow, role: MeetingRole) -> Result<Meeting, AppError> {
    let rid = row.id.to_string();
    Ok(Meeting {
        id: row.id,
        title: keys.open(Field::MeetingTitle, &rid, &row.title)?,
        objectives: keys.open(Field::MeetingObjectives, &rid, &row.objectives)?,
        place: keys.open(Field::MeetingPlace, &rid, &row.place)?,
        starts_at: row.starts_at,
        local_start: Start::local(row.starts_at, &row.time_zone),
        time_zone: row.time_zone.clone(),
        duration_minutes: row.duration_minutes,
        organiser_id: row.organiser_id,
        status: row.status,
        version: row.version,
        ics_sequence: row.ics_sequence,
        my_role: role,
    })
}

/// Load a meeting for `actor` and check `action`: "not found" if they may
/// not even see it, "forbidden" if they may see it but not do this.
async fn load(
    app: &App,
    tenant: &Tenant,
    actor: &User,
    id: MeetingId,
    action: MeetingAction,
) -> Result<(MeetingRow, ParticipantRow, TenantKeys), AppError> {
    let l = load_full(app, tenant, actor, id, action).await?;
    Ok((l.row, l.me, l.keys))
}

/// A meeting loaded for an actor, with what was read on the way.
struct Loaded {
    row: MeetingRow,
    /// The actor as the meeting policy sees them.
    who: MeetingActor,
    participants: Vec<ParticipantRow>,
    me: ParticipantRow,
    keys: TenantKeys,
    /// The decrypted content, if the cache holds it at the current revision.
    cached: Option<std::sync::Arc<Content>>,
    stamp: Stamp,
}

/// A meeting and its content, opened without an actor's check: for the
/// search indexer only, which keeps nothing of it but keyed hashes.
pub(crate) async fn open_for_index(
    app: &App,
    tenant: &Tenant,
    id: MeetingId,
) -> Result<Option<(MeetingRow, Meeting, Content)>, AppError> {
    let Some(row) = app.store.meeting_by_id(tenant.id, id).await? else { return Ok(None) };
    let keys = app.keys.for_tenant(&app.store, tenant).await?;
    let participants = app.store.participants(tenant.id, id).await?;
    let meeting = open_meeting(&keys, &row, MeetingRole::Organiser)?;
    let content = read_content(app, tenant, &keys, &row, participants).await?;
    Ok(Some((row, meeting, content)))
}

/// [`load`], also returning every participant and the cached content.
/// The meeting row is always read: its revision says whether the cached
/// participants and content are current.
async fn load_full(
    app: &App,
    tenant: &Tenant,
    actor: &User,
    id: MeetingId,
    action: MeetingAction,
) -> Result<Loaded, AppError> {
    let row = app.store.meeting_by_id(tenant.id, id).await?.ok_or(AppError::NotFound)?;
    let stamp = Stamp { revision: row.revision, people: tenant.people_revision };
    let cached = app.meeting_cache.get(&(tenant.id, id), stamp);
    let participants = match &cached {
        Some(c) => c.participant_rows.clone(),
        None => app.store.participants(tenant.id, id).await?,
    };
    let me = participants.iter().find(|p| p.user_id == actor.id).cloned().ok_or(AppError::NotFound)?;
    let who =
        MeetingActor { tenant_role: actor.role, meeting_role: Some(me.role), shared_with: me.shared_at.is_some() };
    if !meeting::authorize_meeting(who, row.status, MeetingAction::View) {
        return Err(AppError::NotFound);
    }
    if !meeting::authorize_meeting(who, row.status, action) {
        tracing::warn!(meeting = %id, user = %actor.id, ?action, "meeting action refused by the policy");
        return Err(AppError::Forbidden);
    }
    let keys = app.keys.for_tenant(&app.store, tenant).await?;
    Ok(Loaded { row, who, participants, me, keys, cached, stamp })
}

impl Loaded {
    /// Check an action on a particular target (own content, an assigned
    /// topic) with the meeting policy.
    fn allow(&self, action: MeetingAction, on: Target) -> Result<(), AppError> {
        if meeting::authorize_meeting_on(self.who, self.row.status, action, on) {
            Ok(())
        } else {
            tracing::warn!(meeting = %self.row.id, user = %self.me.user_id, ?action, ?on, "meeting action refused by the policy");
            Err(AppError::Forbidden)
        }
    }

    /// Is `topic` closed to this participant ("who contributes to what")?
    /// Only contributors are limited, so only their case reads the lists.
    async fn topic_closed(&self, app: &App, tenant: &Tenant, topic: TopicId) -> Result<bool, AppError> {
        if self.me.role != MeetingRole::Contributor {
            return Ok(false);
        }
        let topics = app.store.topics(tenant.id, self.row.id).await?;
        let parent = topics.iter().find(|t| t.id == topic).and_then(|t| t.parent_id);
        let assigned = app.store.topic_contributors(tenant.id, self.row.id).await?;
        let listed: Vec<UserId> =
            assigned.iter().filter(|(t, _)| *t == topic || Some(*t) == parent).map(|(_, u)| *u).collect();
        Ok(meeting::topic_closed_to(self.me.user_id, &listed))
    }
}

/// An id given in the input (not the address) that names nothing of this
/// meeting: a field error, like any other invalid value.
fn unknown(field: &'static str) -> AppError {
    AppError::Invalid(ordo_core::Invalid::new(field, "id.invalid"))
}

/// The policy's view of an element for the participant: did they add it,
/// and is its topic closed to them?
async fn own_element(l: &Loaded, app: &App, tenant: &Tenant, e: &ElementRow) -> Result<Target, AppError> {
    Ok(Target {
        own: e.created_by == l.me.user_id,
        topic_closed: l.topic_closed(app, tenant, e.topic_id).await?,
        owner: false,
    })
}

fn audit(kind: AuditKind, actor: &User, meeting: MeetingId) -> AuditDraft {
    AuditDraft::new(kind).actor(actor.id).detail(serde_json::json!({ "meeting": meeting.to_string() }).to_string())
}

pub async fn create(app: &App, tenant: &Tenant, actor: &User, input: MeetingInput<'_>) -> Result<MeetingId, AppError> {
    create_with_agenda(app, tenant, actor, input, None).await
}

/// Create a meeting, with an agenda (from a template) if given: the meeting,
/// its topics and standing items in one transaction, or nothing.
pub async fn create_with_agenda(
    app: &App,
    tenant: &Tenant,
    actor: &User,
    input: MeetingInput<'_>,
    agenda: Option<&crate::templates::Agenda>,
) -> Result<MeetingId, AppError> {
    let plan = Plan { topics: plan_agenda(agenda)?, ..Plan::default() };
    create_planned(app, tenant, actor, input, plan).await
}

/// A template's agenda as planned topics.
pub(crate) fn plan_agenda(agenda: Option<&crate::templates::Agenda>) -> Result<Vec<PlannedTopic>, AppError> {
    let mut topics = Vec::new();
    let Some(a) = agenda else { return Ok(topics) };
    a.check()?;
    let item = |i: &crate::templates::AgendaItem| -> Result<PlannedElement, AppError> {
        Ok(PlannedElement {
            kind: crate::templates::item_kind(&i.kind)?,
            title: i.title.clone(),
            description: String::new(),
            due_date: None,
            owners: Vec::new(),
            origin: None,
        })
    };
    for t in &a.topics {
        let elements = t.items.iter().map(item).collect::<Result<Vec<_>, _>>()?;
        topics.push(PlannedTopic { title: t.title.clone(), parent: None, elements });
        let parent = topics.len() - 1;
        for st in &t.subtopics {
            let elements = st.items.iter().map(item).collect::<Result<Vec<_>, _>>()?;
            topics.push(PlannedTopic { title: st.title.clone(), parent: Some(parent), elements });
        }
    }
    Ok(topics)
}

/// Check that `actor` may do `action` on the meeting.
pub(crate) async fn allowed(
    app: &App,
    tenant: &Tenant,
    actor: &User,
    id: MeetingId,
    action: MeetingAction,
) -> Result<(), AppError> {
    load_full(app, tenant, actor, id, action).await.map(|_| ())
}

/// What a new meeting starts with besides its details.
#[derive(Default)]
pub(crate) struct Plan {
    /// Topics in order; a sub-topic names its parent's place in this list.
    pub topics: Vec<PlannedTopic>,
    /// Participants besides the organiser (the actor).
    pub participants: Vec<(UserId, MeetingRole)>,
    /// A series to create with this, its first meeting.
    pub new_series: Option<ordo_store::SeriesRow>,
    /// Its series and place in it.
    pub series: Option<(String, i64)>,
    /// The meeting it follows up.
    pub follows: Option<MeetingId>,
    /// Elements of the followed meeting carried over into this one.
    pub carried: Vec<ElementId>,
}

pub(crate) struct PlannedTopic {
    pub title: String,
    pub parent: Option<usize>,
    pub elements: Vec<PlannedElement>,
}

pub(crate) struct PlannedElement {
    pub kind: ElementKind,
    pub title: String,
    /// Sanitised HTML (as stored).
    pub description: String,
    pub due_date: Option<String>,
    pub owners: Vec<UserId>,
    /// The meeting it first came from, and that meeting's local date.
    pub origin: Option<(MeetingId, String)>,
}

/// Create a meeting as planned, everything in one transaction or nothing.
pub(crate) async fn create_planned(
    app: &App,
    tenant: &Tenant,
    actor: &User,
    input: MeetingInput<'_>,
    plan: Plan,
) -> Result<MeetingId, AppError> {
    if !meeting::can_create_meetings(actor.role) {
        return Err(AppError::Forbidden);
    }
    let p = parse(&input)?;
    let keys = app.keys.for_tenant(&app.store, tenant).await?;
    let id = MeetingId::new();
    let rid = id.to_string();
    let now = app.now();
    let row = MeetingRow {
        tenant_id: tenant.id,
        id,
        title: keys.seal(Field::MeetingTitle, &rid, p.title.as_str())?,
        objectives: keys.seal(Field::MeetingObjectives, &rid, p.objectives.as_str())?,
        place: keys.seal(Field::MeetingPlace, &rid, p.place.as_str())?,
        starts_at: p.start.at,
        time_zone: p.start.zone,
        duration_minutes: p.duration,
        organiser_id: actor.id,
        status: MeetingStatus::Draft,
        version: 1,
        revision: 1,
        ics_sequence: 0,
        created_at: now,
        updated_at: now,
    };
    // The agenda, sealed before the transaction: (topic, its elements with
    // their owners and origin).
    type Sealed = (TopicRow, Vec<(ElementRow, Vec<UserId>, Option<(MeetingId, String)>)>);
    let mut topics: Vec<Sealed> = Vec::new();
    for t in &plan.topics {
        let tid = TopicId::new();
        let parent = match t.parent {
            Some(i) => Some(topics.get(i).map(|(p, _)| p.id).ok_or(AppError::Internal("topic parent"))?),
            None => None,
        };
        let topic = TopicRow {
            id: tid,
            meeting_id: id,
            parent_id: parent,
            position: 0,
            title: keys.seal(Field::TopicTitle, &tid.to_string(), Title::parse(&t.title)?.as_str())?,
        };
        let mut elements = Vec::with_capacity(t.elements.len());
        for e in &t.elements {
            let eid = ElementId::new();
            let rid = eid.to_string();
            let row = ElementRow {
                id: eid,
                meeting_id: id,
                topic_id: tid,
                position: 0,
                kind: e.kind,
                title: keys.seal(Field::ElementTitle, &rid, Title::parse(&e.title)?.as_str())?,
                description: keys.seal(Field::ElementDescription, &rid, &e.description)?,
                due_date: e.due_date.clone(),
                action_status: (e.kind == ElementKind::Action).then_some(ActionStatus::Open),
                created_by: actor.id,
                version: 1,
                updated_at: now,
            };
            elements.push((row, e.owners.clone(), e.origin.clone()));
        }
        topics.push((topic, elements));
    }
    retrying!({
        let mut tx = app.store.begin().await?;
        if let Some(series) = &plan.new_series {
            tx.insert_series(tenant.id, series).await?;
        }
        if let Some(f) = plan.follows
            && tx.has_follow_up(tenant.id, f).await?
        {
            // Someone prepared it meanwhile.
            return Err(AppError::Conflict("follow_up"));
        }
        tx.insert_meeting(&row).await?;
        tx.set_participant(tenant.id, id, actor.id, MeetingRole::Organiser).await?;
        for (user, role) in plan.participants.iter().filter(|(u, _)| *u != actor.id) {
            tx.set_participant(tenant.id, id, *user, *role).await?;
        }
        if plan.series.is_some() || plan.follows.is_some() {
            tx.set_meeting_links(tenant.id, id, plan.series.as_ref().map(|(s, i)| (s.as_str(), *i)), plan.follows)
                .await?;
        }
        for (topic, elements) in &topics {
            tx.insert_topic(tenant.id, topic, now).await?;
            for (e, owners, origin) in elements {
                tx.insert_element(tenant.id, e, now).await?;
                if !owners.is_empty() {
                    tx.set_element_owners(tenant.id, e.id, owners).await?;
                }
                if let Some((m, date)) = origin {
                    tx.set_element_origin(tenant.id, e.id, *m, date).await?;
                }
            }
        }
        for e in &plan.carried {
            tx.mark_carried(tenant.id, *e, id).await?;
        }
        tx.append_audit(tenant.id, &audit(AuditKind::MeetingCreated, actor, id), now).await?;
        tx.commit().await?;
        Ok(())
    })?;
    Ok(id)
}

pub async fn update(
    app: &App,
    tenant: &Tenant,
    actor: &User,
    id: MeetingId,
    input: MeetingInput<'_>,
    version: i64,
) -> Result<(), AppError> {
    let l = load_full(app, tenant, actor, id, MeetingAction::EditDetails).await?;
    let (row, keys) = (l.row, l.keys);
    let p = parse(&input)?;
    let old_place = keys.open(Field::MeetingPlace, &id.to_string(), &row.place)?;
    let old_title = keys.open(Field::MeetingTitle, &id.to_string(), &row.title)?;
    // What a calendar shows: a change to it is sent to those invited.
    let moved = p.start.at != row.starts_at
        || p.duration != row.duration_minutes
        || p.place.as_str() != old_place
        || p.title.as_str() != old_title;
    let people = if moved && row.status == MeetingStatus::Shared {
        crate::invitations::people(app, tenant, &keys, &row, &l.participants).await?
    } else {
        Vec::new()
    };
    let rid = id.to_string();
    let new = MeetingRow {
        title: keys.seal(Field::MeetingTitle, &rid, p.title.as_str())?,
        objectives: keys.seal(Field::MeetingObjectives, &rid, p.objectives.as_str())?,
        place: keys.seal(Field::MeetingPlace, &rid, p.place.as_str())?,
        starts_at: p.start.at,
        time_zone: p.start.zone,
        duration_minutes: p.duration,
        ..row
    };
    let now = app.now();
    let mut tx = app.store.begin().await?;
    if !tx.update_meeting(&new, version, now).await? {
        // Someone saved a newer version since this form was loaded.
        return Err(AppError::Conflict("version"));
    }
    let d = crate::invitations::Details {
        title: p.title.as_str(),
        place: p.place.as_str(),
        objectives: p.objectives.as_str(),
    };
    let sent = crate::invitations::queue_change(
        app,
        &mut tx,
        tenant,
        &keys,
        actor,
        &new,
        &d,
        &people,
        crate::invitations::Change::Updated,
    )
    .await?;
    tx.commit().await?;
    if sent > 0 {
        app.mail_wakeup.notify_one();
    }
    Ok(())
}

pub async fn set_status(
    app: &App,
    tenant: &Tenant,
    actor: &User,
    id: MeetingId,
    status: MeetingStatus,
) -> Result<(), AppError> {
    let action = match status {
        MeetingStatus::Cancelled => MeetingAction::Cancel,
        MeetingStatus::Archived => MeetingAction::Archive,
        _ => return Err(AppError::Forbidden),
    };
    let l = load_full(app, tenant, actor, id, action).await?;
    let now = app.now();
    let kind =
        if status == MeetingStatus::Cancelled { AuditKind::MeetingCancelled } else { AuditKind::MeetingArchived };
    // Those invited hear of a cancellation, with the calendar's CANCEL.
    let tell = status == MeetingStatus::Cancelled && l.row.status == MeetingStatus::Shared;
    let people = if tell {
        crate::invitations::people(app, tenant, &l.keys, &l.row, &l.participants).await?
    } else {
        Vec::new()
    };
    let opened = open_meeting(&l.keys, &l.row, l.me.role)?;
    let after = MeetingRow { status, ..l.row.clone() };
    let sent = retrying!({
        let mut tx = app.store.begin().await?;
        tx.set_meeting_status(tenant.id, id, status, now).await?;
        tx.append_audit(tenant.id, &audit(kind, actor, id), now).await?;
        let d = crate::invitations::Details::of(&opened);
        let sent = if tell {
            crate::invitations::queue_change(
                app,
                &mut tx,
                tenant,
                &l.keys,
                actor,
                &after,
                &d,
                &people,
                crate::invitations::Change::Cancelled,
            )
            .await?
        } else {
            0
        };
        tx.commit().await?;
        Ok(sent)
    })?;
    if sent > 0 {
        app.mail_wakeup.notify_one();
    }
    Ok(())
}

/// Add a participant by e-mail: an existing user of the tenant, or a new
/// pending account. Nothing is sent until access is shared.
pub async fn add_participant(
    app: &App,
    tenant: &Tenant,
    actor: &User,
    id: MeetingId,
    email: &str,
    role: MeetingRole,
) -> Result<UserId, AppError> {
    let (row, _, keys) = load(app, tenant, actor, id, MeetingAction::ManageParticipants).await?;
    if role == MeetingRole::Organiser {
        return Err(AppError::Invalid(ordo_core::Invalid::new("role", "meeting_role.invalid")));
    }
    let email = Email::parse(email)?;
    let index = keys.email_index(&email.normalized());
    let now = app.now();
    retrying!({
        let mut tx = app.store.begin().await?;
        let user_id = match tx.user_by_email_index(tenant.id, &index).await? {
            Some(u) if u.status == UserStatus::Disabled => return Err(AppError::Conflict("email")),
            Some(u) => u.id,
            None => {
                let uid = UserId::new();
                let rid = uid.to_string();
                let u = NewUser {
                    id: uid,
                    email: keys.seal(Field::UserEmail, &rid, email.as_str())?,
                    email_index: index.clone(),
                    display_name: keys.seal(Field::UserDisplayName, &rid, DisplayName::from_email(&email).as_str())?,
                    role: ordo_core::user::Role::Guest,
                    status: UserStatus::Pending,
                    locale: None,
                };
                tx.insert_user(tenant.id, &u, now).await?;
                uid
            }
        };
        if user_id == row.organiser_id {
            // Adding the organiser again must not demote them.
            return Err(AppError::Invalid(ordo_core::Invalid::new("email", "participant.is_organiser")));
        }
        tx.set_participant(tenant.id, id, user_id, role).await?;
        tx.commit().await?;
        Ok(user_id)
    })
}

/// The people of a meeting, opened, each with whether they were invited,
/// for an actor allowed `action`; with the tenant's keys.
pub(crate) async fn people_for(
    app: &App,
    tenant: &Tenant,
    actor: &User,
    id: MeetingId,
    action: MeetingAction,
) -> Result<(Vec<(User, bool)>, TenantKeys), AppError> {
    let l = load_full(app, tenant, actor, id, action).await?;
    let people = crate::invitations::people(app, tenant, &l.keys, &l.row, &l.participants).await?;
    Ok((people, l.keys))
}

/// Share access: each participant not yet invited gets an e-mail with the
/// agenda and a link, and from then on sees the meeting.
pub async fn share(app: &App, tenant: &Tenant, actor: &User, id: MeetingId) -> Result<usize, AppError> {
    let Loaded { row, keys, .. } = load_full(app, tenant, actor, id, MeetingAction::Share).await?;
    let page = page(app, tenant, actor, id).await?;
    let link = crate::accounts::tenant_link(app, &tenant.slug, &format!("meetings/{id}"));
    let agenda: Vec<String> = page.content.topics.iter().map(|t| format!("- {}", t.title)).collect();
    let when = page.meeting.when();
    let users: HashMap<UserId, User> = app
        .store
        .people_of_meeting(tenant.id, id)
        .await?
        .into_iter()
        .filter_map(|r| open_user(&keys, r).ok())
        .map(|u| (u.id, u))
        .collect();
    let now = app.now();
    // The calendar invitation: everyone of the meeting is invited from now.
    let invite = {
        let organiser = users.get(&row.organiser_id).unwrap_or(actor);
        let attendees: Vec<&User> = users.values().filter(|u| u.id != row.organiser_id).collect();
        let d = crate::invitations::Details::of(&page.meeting);
        let ev = crate::invitations::event(app, tenant, &row, &d, organiser, &attendees, row.ics_sequence, now);
        crate::invitations::attachment(crate::calendar::Method::Request, &ev)
    };
    let n = retrying!({
        let mut tx = app.store.begin().await?;
        let newly = tx.share_meeting(tenant.id, id, now).await?;
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
                tx.insert_token(tenant.id, u.id, ordo_store::TokenPurpose::Activation, &hash, now, now.plus_secs(ttl))
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
            tx.enqueue_mail(Some(tenant.id), &mail, now).await?;
            sent += 1;
        }
        if row.status == MeetingStatus::Draft {
            tx.set_meeting_status(tenant.id, id, MeetingStatus::Shared, now).await?;
        }
        tx.append_audit(tenant.id, &audit(AuditKind::MeetingShared, actor, id), now).await?;
        tx.commit().await?;
        Ok(sent)
    })?;
    app.mail_wakeup.notify_one();
    Ok(n)
}

pub async fn add_topic(
    app: &App,
    tenant: &Tenant,
    actor: &User,
    id: MeetingId,
    parent: Option<TopicId>,
    title: &str,
) -> Result<TopicId, AppError> {
    let l = load_full(app, tenant, actor, id, MeetingAction::AddContent).await?;
    let title = Title::parse(title)?;
    if let Some(p) = parent {
        if !app.store.topics(tenant.id, id).await?.iter().any(|t| t.id == p && t.parent_id.is_none()) {
            return Err(unknown("parent"));
        }
        l.allow(
            MeetingAction::AddContent,
            Target { topic_closed: l.topic_closed(app, tenant, p).await?, ..Target::default() },
        )?;
    }
    let keys = l.keys;
    let tid = TopicId::new();
    let row = TopicRow {
        id: tid,
        meeting_id: id,
        parent_id: parent,
        position: 0,
        title: keys.seal(Field::TopicTitle, &tid.to_string(), title.as_str())?,
    };
    let now = app.now();
    let mut tx = app.store.begin().await?;
    tx.insert_topic(tenant.id, &row, now).await?;
    tx.commit().await?;
    Ok(tid)
}

/// What a new element is.
pub struct ElementInput<'a> {
    pub topic: TopicId,
    pub kind: ElementKind,
    pub title: &'a str,
    pub description: &'a str,
    pub due_date: &'a str,
    pub owners: Vec<UserId>,
}

pub async fn add_element(
    app: &App,
    tenant: &Tenant,
    actor: &User,
    id: MeetingId,
    input: ElementInput<'_>,
) -> Result<ElementId, AppError> {
    if input.kind == ElementKind::Image {
        // An image element is made by uploading its picture (add_image).
        return Err(AppError::Invalid(ordo_core::Invalid::new("kind", "image.use_upload")));
    }
    insert_element(app, tenant, actor, id, input, None).await
}

/// A checked picture, to store with its image element.
struct Picture {
    content_type: &'static str,
    width: u32,
    height: u32,
    bytes: Vec<u8>,
}

/// Write a new element (and, for an image, its picture) in one
/// transaction: an element never exists without its picture.
async fn insert_element(
    app: &App,
    tenant: &Tenant,
    actor: &User,
    id: MeetingId,
    input: ElementInput<'_>,
    picture: Option<Picture>,
) -> Result<ElementId, AppError> {
    let l = load_full(app, tenant, actor, id, MeetingAction::AddContent).await?;
    let title = Title::parse(input.title)?;
    let description = LongText::parse("description", &crate::richtext::sanitize(input.description))?;
    let due = meeting::parse_date("due_date", input.due_date)?;
    if !app.store.topics(tenant.id, id).await?.iter().any(|t| t.id == input.topic) {
        return Err(unknown("topic"));
    }
    let closed = l.topic_closed(app, tenant, input.topic).await?;
    l.allow(MeetingAction::AddContent, Target { topic_closed: closed, ..Target::default() })?;
    let keys = l.keys;
    let existing = app.store.elements(tenant.id, id).await?;
    if existing.len() >= meeting::ELEMENTS_MAX {
        return Err(AppError::Invalid(ordo_core::Invalid::new("title", "elements.too_many")));
    }
    // Owners must take part in the meeting.
    let participants: Vec<UserId> = app.store.participants(tenant.id, id).await?.iter().map(|p| p.user_id).collect();
    if input.owners.iter().any(|o| !participants.contains(o)) {
        return Err(AppError::Invalid(ordo_core::Invalid::new("owners", "owners.not_participants")));
    }
    let eid = ElementId::new();
    let rid = eid.to_string();
    let is_action = input.kind == ElementKind::Action;
    let row = ElementRow {
        id: eid,
        meeting_id: id,
        topic_id: input.topic,
        position: 0,
        kind: input.kind,
        title: keys.seal(Field::ElementTitle, &rid, title.as_str())?,
        description: keys.seal(Field::ElementDescription, &rid, description.as_str())?,
        due_date: if is_action { due } else { None },
        action_status: is_action.then_some(ActionStatus::Open),
        created_by: actor.id,
        version: 1,
        updated_at: app.now(),
    };
    let attachment = match picture {
        Some(p) => Some(ordo_store::AttachmentRow {
            id: eid,
            meeting_id: id,
            content_type: p.content_type.to_owned(),
            size: p.bytes.len() as i64,
            width: i64::from(p.width),
            height: i64::from(p.height),
            data: keys.seal_bytes(Field::AttachmentData, &rid, &p.bytes)?,
        }),
        None => None,
    };
    let now = app.now();
    let owners = if is_action { input.owners } else { Vec::new() };
    retrying!({
        let mut tx = app.store.begin().await?;
        tx.insert_element(tenant.id, &row, now).await?;
        tx.set_element_owners(tenant.id, eid, &owners).await?;
        if let Some(a) = &attachment {
            tx.insert_attachment(tenant.id, a, now).await?;
        }
        tx.commit().await?;
        Ok(())
    })?;
    Ok(eid)
}

/// Mark an action done or open again: anyone who may edit the meeting's
/// content, and the action's own owners.
pub async fn set_action_status(
    app: &App,
    tenant: &Tenant,
    actor: &User,
    id: MeetingId,
    element: ElementId,
    status: ActionStatus,
) -> Result<(), AppError> {
    let l = load_full(app, tenant, actor, id, MeetingAction::View).await?;
    let elements = app.store.elements(tenant.id, id).await?;
    // Actions are done or open; topics to discuss resolved or open.
    let e = elements
        .iter()
        .find(|e| e.id == element && matches!(e.kind, ElementKind::Action | ElementKind::Discuss))
        .ok_or(AppError::NotFound)?;
    let owners = app.store.element_owners(tenant.id, id).await?;
    let owner = owners.iter().any(|(el, u)| *el == e.id && *u == actor.id);
    l.allow(MeetingAction::SetActionStatus, Target { owner, ..Target::default() })?;
    let now = app.now();
    let mut tx = app.store.begin().await?;
    tx.set_action_status(tenant.id, element, status, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Move an element one place up or down within its topic (the keyboard's
/// way; drag and drop places it with [`place_element`]).
pub async fn move_element(
    app: &App,
    tenant: &Tenant,
    actor: &User,
    id: MeetingId,
    element: ElementId,
    up: bool,
) -> Result<(), AppError> {
    load(app, tenant, actor, id, MeetingAction::View).await?;
    let elements = app.store.elements(tenant.id, id).await?;
    let e = elements.iter().find(|e| e.id == element).ok_or(AppError::NotFound)?;
    let mut siblings: Vec<&ElementRow> = elements.iter().filter(|x| x.topic_id == e.topic_id).collect();
    siblings.sort_by_key(|x| x.position);
    let i = siblings.iter().position(|x| x.id == element).ok_or(AppError::NotFound)?;
    let to = if up { i.saturating_sub(1) } else { i + 1 };
    place_element(app, tenant, actor, id, element, e.topic_id, to).await
}

/// Read and decrypt a meeting's content.
async fn read_content(
    app: &App,
    tenant: &Tenant,
    keys: &TenantKeys,
    row: &MeetingRow,
    participant_rows: Vec<ParticipantRow>,
) -> Result<Content, AppError> {
    let comment_rows = app.store.comments(tenant.id, row.id).await?;
    // Decrypt only the people this page names.
    let users: HashMap<UserId, User> = app
        .store
        .people_of_meeting(tenant.id, row.id)
        .await?
        .into_iter()
        .map(|r| open_user(keys, r).map(|u| (u.id, u)))
        .collect::<Result<_, _>>()?;
    let participants = participant_rows
        .iter()
        .map(|p| {
            let u = users.get(&p.user_id);
            Participant {
                user_id: p.user_id,
                name: u.map(|u| u.display_name.clone()).unwrap_or_default(),
                email: u.map(|u| u.email.clone()).unwrap_or_default(),
                role: p.role,
                // The organiser needs no invitation.
                shared: p.shared_at.is_some() || p.role == MeetingRole::Organiser,
                present: p.present,
            }
        })
        .collect();
    let topics = app
        .store
        .topics(tenant.id, row.id)
        .await?
        .into_iter()
        .map(|t| {
            Ok(Topic {
                id: t.id,
                parent_id: t.parent_id,
                title: keys.open(Field::TopicTitle, &t.id.to_string(), &t.title)?,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    let owners = app.store.element_owners(tenant.id, row.id).await?;
    let origins = app.store.element_origins(tenant.id, row.id).await?;
    let elements = app
        .store
        .elements(tenant.id, row.id)
        .await?
        .into_iter()
        .map(|e| {
            let rid = e.id.to_string();
            Ok(Element {
                id: e.id,
                topic_id: e.topic_id,
                kind: e.kind,
                title: keys.open(Field::ElementTitle, &rid, &e.title)?,
                description: keys.open(Field::ElementDescription, &rid, &e.description)?,
                due_date: e.due_date,
                action_status: e.action_status,
                owners: owners.iter().filter(|(el, _)| *el == e.id).map(|(_, u)| *u).collect(),
                version: e.version,
                origin: origins.get(&e.id).cloned().unwrap_or_default(),
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    let comments = comment_rows
        .into_iter()
        .map(|c| {
            Ok(Comment {
                id: c.id,
                element_id: c.element_id,
                parent_id: c.parent_id,
                author_id: c.author_id,
                author: users.get(&c.author_id).map(|u| u.display_name.clone()).unwrap_or_default(),
                body: keys.open(Field::CommentBody, &c.id.to_string(), &c.body)?,
                created_at: c.created_at,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    let contributors = app.store.topic_contributors(tenant.id, row.id).await?;
    Ok(Content { participant_rows, participants, topics, elements, comments, contributors })
}

/// The meeting page for `actor` (not found unless they may see it).
/// The meeting's current revision, for a live page; None once the actor
/// may no longer see it (removed, or the meeting not shared with them).
/// Read from the database, so that a change made on another node counts.
pub async fn live_revision(app: &App, tenant: &Tenant, actor: &User, id: MeetingId) -> Result<Option<i64>, AppError> {
    match load_full(app, tenant, actor, id, MeetingAction::View).await {
        Ok(l) => Ok(Some(l.row.revision)),
        Err(AppError::NotFound) => Ok(None),
        Err(e) => Err(e),
    }
}

pub async fn page(app: &App, tenant: &Tenant, actor: &User, id: MeetingId) -> Result<MeetingPage, AppError> {
    let l = load_full(app, tenant, actor, id, MeetingAction::View).await?;
    let content = match l.cached {
        Some(c) => c,
        None => {
            let c = std::sync::Arc::new(read_content(app, tenant, &l.keys, &l.row, l.participants).await?);
            app.meeting_cache.put((tenant.id, id), l.stamp, c.clone());
            c
        }
    };
    let meeting = open_meeting(&l.keys, &l.row, l.me.role)?;
    let who = MeetingActor {
        tenant_role: ordo_core::user::Role::Member,
        meeting_role: Some(l.me.role),
        shared_with: l.me.shared_at.is_some(),
    };
    let mut can = HashMap::new();
    for (name, a) in [
        ("edit", MeetingAction::EditDetails),
        ("participants", MeetingAction::ManageParticipants),
        ("share", MeetingAction::Share),
        ("send_minutes", MeetingAction::SendMinutes),
        ("follow_up", MeetingAction::FollowUp),
        ("cancel", MeetingAction::Cancel),
        ("archive", MeetingAction::Archive),
        ("add", MeetingAction::AddContent),
        ("edit_content", MeetingAction::EditContent),
        // Anyone's remark; authors may delete their own (the page asks per remark).
        ("remove_comment", MeetingAction::RemoveComment),
    ] {
        can.insert(name, meeting::authorize_meeting(who, l.row.status, a));
    }
    Ok(MeetingPage { meeting, content, can, revision: l.stamp.revision })
}

/// A meeting read by support under a tenant admin's grant (checked by the
/// caller, `support::view_meeting`, which also writes it in the tenant's
/// audit log): the content as a reader sees it.
pub(crate) async fn read_under_grant(
    app: &App,
    tenant: &Tenant,
    id: MeetingId,
) -> Result<(Meeting, std::sync::Arc<Content>), AppError> {
    let row = app.store.meeting_by_id(tenant.id, id).await?.ok_or(AppError::NotFound)?;
    let keys = app.keys.for_tenant(&app.store, tenant).await?;
    let participants = app.store.participants(tenant.id, id).await?;
    let content = read_content(app, tenant, &keys, &row, participants).await?;
    Ok((open_meeting(&keys, &row, MeetingRole::Reader)?, std::sync::Arc::new(content)))
}

/// The titles and dates of a tenant's meetings, for its admins (to grant
/// support access to one): no content.
pub async fn titles_for_admin(
    app: &App,
    tenant: &Tenant,
    actor: &User,
) -> Result<Vec<(MeetingId, String, String)>, AppError> {
    ordo_core::policy::authorize(
        ordo_core::policy::Actor { role: actor.role },
        ordo_core::policy::TenantAction::ViewMembers,
        false,
    )?;
    let keys = app.keys.for_tenant(&app.store, tenant).await?;
    let mut out = Vec::new();
    for m in app.store.all_meetings(tenant.id).await? {
        let title = keys.open(Field::MeetingTitle, &m.id.to_string(), &m.title)?;
        out.push((m.id, title, Start::local(m.starts_at, &m.time_zone).replace('T', " ")));
    }
    Ok(out)
}

/// The meetings a user sees, soonest first.
pub async fn my_meetings(app: &App, tenant: &Tenant, user: &User) -> Result<Vec<Meeting>, AppError> {
    let keys = app.keys.for_tenant(&app.store, tenant).await?;
    app.store
        .meetings_of_user(tenant.id, user.id)
        .await?
        .into_iter()
        .filter(|(m, p)| {
            let who =
                MeetingActor { tenant_role: user.role, meeting_role: Some(p.role), shared_with: p.shared_at.is_some() };
            meeting::authorize_meeting(who, m.status, MeetingAction::View)
        })
        .map(|(m, p)| open_meeting(&keys, &m, p.role))
        .collect()
}

/// An action owned by the user, with its meeting.
#[derive(Clone, Debug)]
pub struct MyAction {
    pub meeting_id: MeetingId,
    pub element_id: ElementId,
    pub title: String,
    pub due_date: Option<String>,
    pub status: ActionStatus,
}

pub async fn my_actions(app: &App, tenant: &Tenant, user: &User) -> Result<Vec<MyAction>, AppError> {
    let keys = app.keys.for_tenant(&app.store, tenant).await?;
    app.store
        .actions_of_user(tenant.id, user.id)
        .await?
        .into_iter()
        .map(|e| {
            Ok(MyAction {
                meeting_id: e.meeting_id,
                element_id: e.id,
                title: keys.open(Field::ElementTitle, &e.id.to_string(), &e.title)?,
                due_date: e.due_date,
                status: e.action_status.unwrap_or(ActionStatus::Open),
            })
        })
        .collect()
}

/// Comment on an element (a remark), or reply to a comment.
pub async fn add_comment(
    app: &App,
    tenant: &Tenant,
    actor: &User,
    id: MeetingId,
    element: ElementId,
    parent: Option<ordo_core::ids::CommentId>,
    body: &str,
) -> Result<ordo_core::ids::CommentId, AppError> {
    let (_, _, keys) = load(app, tenant, actor, id, MeetingAction::Comment).await?;
    let body = LongText::parse("body", body)?;
    if body.as_str().is_empty() {
        return Err(AppError::Invalid(ordo_core::Invalid::new("body", "comment.empty")));
    }
    if !app.store.elements(tenant.id, id).await?.iter().any(|e| e.id == element) {
        return Err(AppError::NotFound);
    }
    if let Some(p) = parent
        && !app.store.comments(tenant.id, id).await?.iter().any(|c| c.id == p && c.element_id == element)
    {
        return Err(AppError::NotFound);
    }
    let cid = ordo_core::ids::CommentId::new();
    let row = ordo_store::CommentRow {
        id: cid,
        meeting_id: id,
        element_id: element,
        parent_id: parent,
        author_id: actor.id,
        body: keys.seal(Field::CommentBody, &cid.to_string(), body.as_str())?,
        created_at: app.now(),
    };
    let mut tx = app.store.begin().await?;
    tx.insert_comment(tenant.id, &row).await?;
    tx.commit().await?;
    Ok(cid)
}

/// People the user has already met in a meeting they can see: the only
/// names suggested when adding participants (no directory of the tenant is
/// ever shown).
pub async fn people_met(app: &App, tenant: &Tenant, user: &User) -> Result<Vec<(String, String)>, AppError> {
    let visible: std::collections::HashSet<MeetingId> = app
        .store
        .meetings_of_user(tenant.id, user.id)
        .await?
        .into_iter()
        .filter(|(m, p)| {
            let who =
                MeetingActor { tenant_role: user.role, meeting_role: Some(p.role), shared_with: p.shared_at.is_some() };
            meeting::authorize_meeting(who, m.status, MeetingAction::View)
        })
        .map(|(m, _)| m.id)
        .collect();
    let keys = app.keys.for_tenant(&app.store, tenant).await?;
    let mut seen = std::collections::HashSet::new();
    let mut people = Vec::new();
    for (meeting, row) in app.store.people_met(tenant.id, user.id).await? {
        if !visible.contains(&meeting) || !seen.insert(row.id) {
            continue;
        }
        let u = open_user(&keys, row)?;
        if u.status != UserStatus::Disabled {
            people.push((u.display_name, u.email));
        }
    }
    people.sort();
    Ok(people)
}

/// What an element edit changes.
pub struct ElementEdit<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub due_date: &'a str,
    /// Move to this topic (the same one to stay).
    pub topic: TopicId,
    /// An action's new owners (None: unchanged).
    pub owners: Option<Vec<UserId>>,
    /// The version the form was loaded from.
    pub version: i64,
}

/// Edit an element (editors, or the participant who added it). A stale
/// version is refused: two edits of the same element never silently
/// overwrite each other.
pub async fn update_element(
    app: &App,
    tenant: &Tenant,
    actor: &User,
    id: MeetingId,
    element: ElementId,
    edit: ElementEdit<'_>,
) -> Result<(), AppError> {
    let l = load_full(app, tenant, actor, id, MeetingAction::View).await?;
    let elements = app.store.elements(tenant.id, id).await?;
    let e = elements.iter().find(|e| e.id == element).ok_or(AppError::NotFound)?;
    l.allow(MeetingAction::EditContent, own_element(&l, app, tenant, e).await?)?;
    if !app.store.topics(tenant.id, id).await?.iter().any(|t| t.id == edit.topic) {
        return Err(unknown("topic"));
    }
    if edit.topic != e.topic_id {
        let closed = l.topic_closed(app, tenant, edit.topic).await?;
        l.allow(MeetingAction::AddContent, Target { topic_closed: closed, ..Target::default() })?;
    }
    let Loaded { participants, keys, .. } = l;
    let owners = match edit.owners {
        Some(o) if e.kind == ElementKind::Action => {
            if o.iter().any(|u| !participants.iter().any(|p| p.user_id == *u)) {
                return Err(AppError::Invalid(ordo_core::Invalid::new("owners", "owners.not_participants")));
            }
            Some(o)
        }
        _ => None,
    };
    let title = Title::parse(edit.title)?;
    let description = LongText::parse("description", &crate::richtext::sanitize(edit.description))?;
    let due = meeting::parse_date("due_date", edit.due_date)?;
    let rid = element.to_string();
    let new = ElementRow {
        title: keys.seal(Field::ElementTitle, &rid, title.as_str())?,
        description: keys.seal(Field::ElementDescription, &rid, description.as_str())?,
        due_date: if e.kind == ElementKind::Action { due } else { None },
        topic_id: edit.topic,
        ..e.clone()
    };
    let now = app.now();
    let mut tx = app.store.begin().await?;
    if !tx.update_element(tenant.id, &new, edit.version, now).await? {
        return Err(AppError::Conflict("version"));
    }
    if let Some(o) = &owners {
        tx.set_element_owners(tenant.id, element, o).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The image formats accepted, recognised by their first bytes.
fn sniff(bytes: &[u8]) -> Option<(&'static str, image::ImageFormat)> {
    if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some(("image/png", image::ImageFormat::Png))
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(("image/jpeg", image::ImageFormat::Jpeg))
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some(("image/gif", image::ImageFormat::Gif))
    } else if bytes.len() > 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some(("image/webp", image::ImageFormat::WebP))
    } else {
        None
    }
}

/// Check an uploaded image: size, kind by content (never by name or by the
/// type the browser claims), and a full decode within the pixel limit.
/// Returns its content type and dimensions.
pub fn check_image(bytes: &[u8], max_bytes: usize, max_pixels: u64) -> Result<(&'static str, u32, u32), AppError> {
    let bad = |code| AppError::Invalid(ordo_core::Invalid::new("image", code));
    if bytes.is_empty() {
        return Err(bad("image.missing"));
    }
    if bytes.len() > max_bytes {
        return Err(bad("image.too_large"));
    }
    let (ctype, format) = sniff(bytes).ok_or(bad("image.type"))?;
    let mut reader = image::ImageReader::with_format(std::io::Cursor::new(bytes), format);
    let mut limits = image::Limits::default();
    limits.max_alloc = Some((max_pixels.saturating_mul(4)).min(512 * 1024 * 1024));
    reader.limits(limits);
    let (w, h) = reader.into_dimensions().map_err(|_| bad("image.corrupt"))?;
    if u64::from(w) * u64::from(h) > max_pixels {
        return Err(bad("image.too_many_pixels"));
    }
    let mut reader = image::ImageReader::with_format(std::io::Cursor::new(bytes), format);
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(w);
    limits.max_image_height = Some(h);
    limits.max_alloc = Some((max_pixels.saturating_mul(8)).min(1024 * 1024 * 1024));
    reader.limits(limits);
    reader.decode().map_err(|_| bad("image.corrupt"))?;
    Ok((ctype, w, h))
}

/// Add an image element: the picture is checked, then sealed like all
/// meeting data.
pub async fn add_image(
    app: &App,
    tenant: &Tenant,
    actor: &User,
    id: MeetingId,
    topic: TopicId,
    title: &str,
    bytes: Vec<u8>,
) -> Result<ElementId, AppError> {
    load(app, tenant, actor, id, MeetingAction::AddContent).await?;
    let (max_b, max_p) = (app.settings.max_image_bytes, app.settings.max_image_pixels);
    // Decoding is CPU work: off the async runtime, and the bytes come back.
    let (checked, bytes) = tokio::task::spawn_blocking(move || (check_image(&bytes, max_b, max_p), bytes))
        .await
        .map_err(|_| AppError::Internal("image check failed"))?;
    let checked = checked?;
    let (content_type, width, height) = checked;
    let title = if title.trim().is_empty() { "image" } else { title };
    let input =
        ElementInput { topic, kind: ElementKind::Image, title, description: "", due_date: "", owners: Vec::new() };
    insert_element(app, tenant, actor, id, input, Some(Picture { content_type, width, height, bytes })).await
}

/// An image, for someone who may see its meeting: (content type, bytes).
pub async fn image(
    app: &App,
    tenant: &Tenant,
    actor: &User,
    id: MeetingId,
    element: ElementId,
) -> Result<(String, Vec<u8>), AppError> {
    let (_, _, keys) = load(app, tenant, actor, id, MeetingAction::View).await?;
    let a = app.store.attachment(tenant.id, element).await?.ok_or(AppError::NotFound)?;
    if a.meeting_id != id {
        return Err(AppError::NotFound);
    }
    Ok((a.content_type, keys.open_bytes(Field::AttachmentData, &element.to_string(), &a.data)?))
}

/// An action in the admins' overview.
#[derive(Clone, Debug)]
pub struct TenantAction {
    pub meeting_id: MeetingId,
    pub meeting_title: String,
    pub element_id: ElementId,
    pub title: String,
    pub owners: Vec<String>,
    pub due_date: Option<String>,
    pub status: ActionStatus,
}

/// Every action of the tenant, for its owners and admins (PRODUCT.md M10):
/// titles and owners, not the rest of the meetings' notes.
pub async fn tenant_actions(app: &App, tenant: &Tenant, actor: &User) -> Result<Vec<TenantAction>, AppError> {
    ordo_core::policy::authorize(
        ordo_core::policy::Actor { role: actor.role },
        ordo_core::policy::TenantAction::ViewMembers,
        false,
    )?;
    let keys = app.keys.for_tenant(&app.store, tenant).await?;
    let names: HashMap<UserId, String> = app
        .store
        .list_users(tenant.id)
        .await?
        .into_iter()
        .map(|r| open_user(&keys, r).map(|u| (u.id, u.display_name)))
        .collect::<Result<_, _>>()?;
    let owners = app.store.all_action_owners(tenant.id).await?;
    let mut titles: HashMap<MeetingId, String> = HashMap::new();
    let mut out = Vec::new();
    for e in app.store.all_actions(tenant.id).await? {
        if !titles.contains_key(&e.meeting_id)
            && let Some(m) = app.store.meeting_by_id(tenant.id, e.meeting_id).await?
        {
            titles.insert(m.id, keys.open(Field::MeetingTitle, &m.id.to_string(), &m.title)?);
        }
        out.push(TenantAction {
            meeting_id: e.meeting_id,
            meeting_title: titles.get(&e.meeting_id).cloned().unwrap_or_default(),
            element_id: e.id,
            title: keys.open(Field::ElementTitle, &e.id.to_string(), &e.title)?,
            owners: owners.iter().filter(|(el, _)| *el == e.id).filter_map(|(_, u)| names.get(u).cloned()).collect(),
            due_date: e.due_date,
            status: e.action_status.unwrap_or(ActionStatus::Open),
        });
    }
    Ok(out)
}

/// Assign a participant as a contributor of a topic (organiser and editors).
pub async fn assign_topic_contributor(
    app: &App,
    tenant: &Tenant,
    actor: &User,
    id: MeetingId,
    topic: TopicId,
    user: UserId,
) -> Result<(), AppError> {
    load(app, tenant, actor, id, MeetingAction::EditContent).await?;
    if !app.store.topics(tenant.id, id).await?.iter().any(|t| t.id == topic) {
        return Err(AppError::NotFound);
    }
    if !app.store.participants(tenant.id, id).await?.iter().any(|p| p.user_id == user) {
        return Err(AppError::Invalid(ordo_core::Invalid::new("owners", "owners.not_participants")));
    }
    let mut tx = app.store.begin().await?;
    tx.add_topic_contributor(tenant.id, topic, user).await?;
    tx.commit().await?;
    Ok(())
}

/// Remove a participant (organiser and editors; never the organiser). They
/// lose the actions and topics they were given in this meeting.
/// Record who was at the meeting, for the minutes (organiser and editors,
/// while the meeting is open; the organiser too).
pub async fn set_presence(
    app: &App,
    tenant: &Tenant,
    actor: &User,
    id: MeetingId,
    user: UserId,
    present: Option<bool>,
) -> Result<(), AppError> {
    let l = load_full(app, tenant, actor, id, MeetingAction::ManageParticipants).await?;
    if !l.participants.iter().any(|p| p.user_id == user) {
        return Err(AppError::NotFound);
    }
    retrying!({
        let mut tx = app.store.begin().await?;
        if !tx.set_presence(tenant.id, id, user, present).await? {
            return Err(AppError::NotFound);
        }
        tx.commit().await?;
        Ok(())
    })
}

pub async fn remove_participant(
    app: &App,
    tenant: &Tenant,
    actor: &User,
    id: MeetingId,
    user: UserId,
) -> Result<(), AppError> {
    let l = load_full(app, tenant, actor, id, MeetingAction::ManageParticipants).await?;
    let target = l.participants.iter().find(|p| p.user_id == user).ok_or(AppError::NotFound)?;
    if target.role == MeetingRole::Organiser {
        return Err(AppError::Invalid(ordo_core::Invalid::new("user", "participant.is_organiser")));
    }
    let now = app.now();
    retrying!({
        let mut tx = app.store.begin().await?;
        if !tx.remove_participant(tenant.id, id, user).await? {
            return Err(AppError::NotFound);
        }
        let detail = serde_json::json!({ "meeting": id.to_string() }).to_string();
        tx.append_audit(
            tenant.id,
            &AuditDraft::new(AuditKind::ParticipantRemoved).actor(actor.id).subject(user).detail(detail),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    })
}

/// Change a participant's meeting role (organiser and editors). The
/// organiser's role is not changed, and nobody is made organiser.
pub async fn set_participant_role(
    app: &App,
    tenant: &Tenant,
    actor: &User,
    id: MeetingId,
    user: UserId,
    role: MeetingRole,
) -> Result<(), AppError> {
    let l = load_full(app, tenant, actor, id, MeetingAction::ManageParticipants).await?;
    let target = l.participants.iter().find(|p| p.user_id == user).ok_or(AppError::NotFound)?;
    if role == MeetingRole::Organiser {
        return Err(AppError::Invalid(ordo_core::Invalid::new("role", "meeting_role.invalid")));
    }
    if target.role == MeetingRole::Organiser {
        return Err(AppError::Invalid(ordo_core::Invalid::new("user", "participant.is_organiser")));
    }
    let mut tx = app.store.begin().await?;
    tx.set_participant(tenant.id, id, user, role).await?;
    tx.commit().await?;
    Ok(())
}

/// Rename a topic (organiser and editors).
pub async fn rename_topic(
    app: &App,
    tenant: &Tenant,
    actor: &User,
    id: MeetingId,
    topic: TopicId,
    title: &str,
) -> Result<(), AppError> {
    let (_, _, keys) = load(app, tenant, actor, id, MeetingAction::EditContent).await?;
    let title = Title::parse(title)?;
    let sealed = keys.seal(Field::TopicTitle, &topic.to_string(), title.as_str())?;
    let mut tx = app.store.begin().await?;
    if !tx.rename_topic(tenant.id, id, topic, &sealed).await? {
        return Err(AppError::NotFound);
    }
    tx.commit().await?;
    Ok(())
}

/// Delete a topic with its sub-topics and everything in them (organiser
/// and editors). The audit log records it: the content itself is gone.
pub async fn delete_topic(
    app: &App,
    tenant: &Tenant,
    actor: &User,
    id: MeetingId,
    topic: TopicId,
) -> Result<(), AppError> {
    load(app, tenant, actor, id, MeetingAction::EditContent).await?;
    let now = app.now();
    retrying!({
        let mut tx = app.store.begin().await?;
        if !tx.delete_topic(tenant.id, id, topic).await? {
            return Err(AppError::NotFound);
        }
        let detail = serde_json::json!({ "meeting": id.to_string(), "topic": topic.to_string() }).to_string();
        tx.append_audit(tenant.id, &AuditDraft::new(AuditKind::ContentDeleted).actor(actor.id).detail(detail), now)
            .await?;
        tx.commit().await?;
        Ok(())
    })
}

/// Delete an element (organiser and editors; a contributor their own).
pub async fn delete_element(
    app: &App,
    tenant: &Tenant,
    actor: &User,
    id: MeetingId,
    element: ElementId,
) -> Result<(), AppError> {
    let l = load_full(app, tenant, actor, id, MeetingAction::View).await?;
    let elements = app.store.elements(tenant.id, id).await?;
    let e = elements.iter().find(|e| e.id == element).ok_or(AppError::NotFound)?;
    l.allow(MeetingAction::EditContent, own_element(&l, app, tenant, e).await?)?;
    let now = app.now();
    retrying!({
        let mut tx = app.store.begin().await?;
        if !tx.delete_element(tenant.id, id, element).await? {
            return Err(AppError::NotFound);
        }
        let detail = serde_json::json!({ "meeting": id.to_string(), "element": element.to_string() }).to_string();
        tx.append_audit(tenant.id, &AuditDraft::new(AuditKind::ContentDeleted).actor(actor.id).detail(detail), now)
            .await?;
        tx.commit().await?;
        Ok(())
    })
}

/// Delete a remark and its replies (its author; the organiser and editors
/// any remark).
pub async fn delete_comment(
    app: &App,
    tenant: &Tenant,
    actor: &User,
    id: MeetingId,
    comment: ordo_core::ids::CommentId,
) -> Result<(), AppError> {
    let l = load_full(app, tenant, actor, id, MeetingAction::View).await?;
    let comments = app.store.comments(tenant.id, id).await?;
    let c = comments.iter().find(|c| c.id == comment).ok_or(AppError::NotFound)?;
    l.allow(MeetingAction::RemoveComment, Target { own: c.author_id == actor.id, ..Target::default() })?;
    let now = app.now();
    retrying!({
        let mut tx = app.store.begin().await?;
        if !tx.delete_comment(tenant.id, id, comment).await? {
            return Err(AppError::NotFound);
        }
        let detail = serde_json::json!({ "meeting": id.to_string(), "comment": comment.to_string() }).to_string();
        tx.append_audit(tenant.id, &AuditDraft::new(AuditKind::ContentDeleted).actor(actor.id).detail(detail), now)
            .await?;
        tx.commit().await?;
        Ok(())
    })
}

/// Take a participant off a topic's contributors (organiser and editors).
pub async fn remove_topic_contributor(
    app: &App,
    tenant: &Tenant,
    actor: &User,
    id: MeetingId,
    topic: TopicId,
    user: UserId,
) -> Result<(), AppError> {
    load(app, tenant, actor, id, MeetingAction::EditContent).await?;
    if !app.store.topics(tenant.id, id).await?.iter().any(|t| t.id == topic) {
        return Err(AppError::NotFound);
    }
    let mut tx = app.store.begin().await?;
    if !tx.remove_topic_contributor(tenant.id, topic, user).await? {
        return Err(AppError::NotFound);
    }
    tx.commit().await?;
    Ok(())
}

/// Where `item` lands when moved to `position` (0-based, clamped) among
/// `others` (the list without it).
fn placed<T: Copy>(mut others: Vec<T>, item: T, position: usize) -> Vec<T> {
    let at = position.min(others.len());
    others.insert(at, item);
    others
}

/// Move an element to `position` (0-based) in `topic`, the same topic or
/// another one of the meeting (drag and drop; the API).
pub async fn place_element(
    app: &App,
    tenant: &Tenant,
    actor: &User,
    id: MeetingId,
    element: ElementId,
    topic: TopicId,
    position: usize,
) -> Result<(), AppError> {
    let l = load_full(app, tenant, actor, id, MeetingAction::View).await?;
    let elements = app.store.elements(tenant.id, id).await?;
    let e = elements.iter().find(|e| e.id == element).ok_or(AppError::NotFound)?;
    l.allow(MeetingAction::EditContent, own_element(&l, app, tenant, e).await?)?;
    if !app.store.topics(tenant.id, id).await?.iter().any(|t| t.id == topic) {
        return Err(unknown("topic"));
    }
    if topic != e.topic_id {
        let closed = l.topic_closed(app, tenant, topic).await?;
        l.allow(MeetingAction::AddContent, Target { topic_closed: closed, ..Target::default() })?;
    }
    let mut siblings: Vec<&ElementRow> = elements.iter().filter(|e| e.topic_id == topic && e.id != element).collect();
    siblings.sort_by_key(|e| e.position);
    let order = placed(siblings.iter().map(|e| e.id).collect(), element, position);
    let mut tx = app.store.begin().await?;
    tx.place_elements(tenant.id, topic, &order).await?;
    tx.commit().await?;
    Ok(())
}

/// Where a topic goes: a place among its siblings, or one step.
#[derive(Clone, Copy, Debug)]
pub enum TopicMove {
    Up,
    Down,
    To(usize),
}

/// Reorder a topic among the topics of the same level (sub-topics stay
/// under their topic).
pub async fn move_topic(
    app: &App,
    tenant: &Tenant,
    actor: &User,
    id: MeetingId,
    topic: TopicId,
    to: TopicMove,
) -> Result<(), AppError> {
    load(app, tenant, actor, id, MeetingAction::EditContent).await?;
    let topics = app.store.topics(tenant.id, id).await?;
    let t = topics.iter().find(|t| t.id == topic).ok_or(AppError::NotFound)?;
    let mut siblings: Vec<&TopicRow> = topics.iter().filter(|x| x.parent_id == t.parent_id).collect();
    siblings.sort_by_key(|x| x.position);
    let now_at = siblings.iter().position(|x| x.id == topic).ok_or(AppError::NotFound)?;
    let position = match to {
        TopicMove::Up => now_at.saturating_sub(1),
        TopicMove::Down => now_at + 1,
        TopicMove::To(p) => p,
    };
    let others: Vec<TopicId> = siblings.iter().map(|x| x.id).filter(|x| *x != topic).collect();
    let order = placed(others, topic, position);
    let mut tx = app.store.begin().await?;
    tx.place_topics(tenant.id, &order).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn placing_clamps_to_the_ends() {
        assert_eq!(super::placed(vec![1, 2, 3], 9, 0), vec![9, 1, 2, 3]);
        assert_eq!(super::placed(vec![1, 2, 3], 9, 2), vec![1, 2, 9, 3]);
        assert_eq!(super::placed(vec![1, 2, 3], 9, 99), vec![1, 2, 3, 9]);
        assert_eq!(super::placed(Vec::<u8>::new(), 9, 5), vec![9]);
    }
}
