//! Creating a meeting: its details, and what it starts with (an agenda
//! from a template, the participants and carried-over items of the meeting
//! it follows), in one change.

use super::{MeetingInput, meeting_detail, parse};
use crate::accounts::User;
use crate::keys::Field;
use crate::write::{Item, UseCase, change};
use crate::{App, AppError, Conflict};
use ordo_core::audit::AuditKind;
use ordo_core::ids::{ElementId, MeetingId, TopicId, UserId};
use ordo_core::meeting::{self, ActionStatus, ElementKind, MeetingRole, MeetingStatus, Title};
use ordo_store::{AuditDraft, ElementRow, MeetingRow, Tenant, TopicRow};

#[tracing::instrument(skip_all)]
pub async fn create(app: &App, tenant: &Tenant, actor: &User, input: MeetingInput<'_>) -> Result<MeetingId, AppError> {
    create_with_agenda(app, tenant, actor, input, None).await
}

/// Create a meeting, with an agenda (from a template) if given: the meeting,
/// its topics and standing items in one transaction, or nothing.
#[tracing::instrument(skip_all)]
pub async fn create_with_agenda(
    app: &App,
    tenant: &Tenant,
    actor: &User,
    input: MeetingInput<'_>,
    agenda: Option<&crate::templates::Agenda>,
) -> Result<MeetingId, AppError> {
    let plan = Plan { topics: plan_agenda(agenda)?, ..Plan::default() };
    create_planned(app, tenant, actor, input, plan, UseCase::MeetingCreate).await
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
#[tracing::instrument(skip_all)]
pub(crate) async fn create_planned(
    app: &App,
    tenant: &Tenant,
    actor: &User,
    input: MeetingInput<'_>,
    plan: Plan,
    use_case: UseCase,
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
    change!(app, tenant.id, Some(actor.id), use_case, |c| {
        let tx = &mut c.tx;
        if let Some(series) = &plan.new_series {
            tx.insert_series(tenant.id, series).await?;
        }
        if let Some(f) = plan.follows
            && tx.has_follow_up(tenant.id, f).await?
        {
            // Someone prepared it meanwhile.
            return Err(AppError::Conflict(Conflict::FollowUp));
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
        c.audit(AuditDraft::new(AuditKind::MeetingCreated).detail(meeting_detail(id))).await?;
        c.history(&keys, id, Item::meeting(id), None).await?;
        Ok(())
    })?;
    Ok(id)
}
