//! The note space's elements (decisions, actions, topics to discuss,
//! notes, images): added, edited, moved, marked done, deleted. Each change
//! is in the meeting's history, with what the element was before.

use super::access::{Locked, lock};
use super::topics::placed;
use super::{invalid, unknown};
use crate::accounts::User;
use crate::keys::{Field, TenantKeys};
use crate::write::{Item, UseCase, change};
use crate::{App, AppError, Conflict};
use ordo_core::audit::AuditKind;
use ordo_core::ids::{ElementId, MeetingId, TopicId, UserId};
use ordo_core::meeting::{self, ActionStatus, ElementKind, LongText, MeetingAction, Target, Title};
use ordo_core::quick_add;
use ordo_core::user::Locale;
use ordo_store::{AuditDraft, ElementRow, Tenant, Tx};

/// An element as it was, for the history.
pub(super) fn element_before(
    keys: &TenantKeys,
    e: &ElementRow,
    owners: &[(ElementId, UserId)],
) -> Result<serde_json::Value, AppError> {
    let rid = e.id.to_string();
    let owners: Vec<String> = owners.iter().filter(|(el, _)| *el == e.id).map(|(_, u)| u.to_string()).collect();
    Ok(serde_json::json!({
        "topic_id": e.topic_id.to_string(),
        "kind": e.kind.as_str(),
        "title": keys.open(Field::ElementTitle, &rid, &e.title)?,
        "description": keys.open(Field::ElementDescription, &rid, &e.description)?,
        "due_date": e.due_date,
        "status": e.action_status.map(|s| s.as_str()),
        "owners": owners,
        "position": e.position,
    }))
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

#[tracing::instrument(skip_all)]
pub async fn add_element(
    app: &App,
    tenant: &Tenant,
    actor: &User,
    id: MeetingId,
    input: ElementInput<'_>,
) -> Result<ElementId, AppError> {
    if input.kind == ElementKind::Image {
        // An image element is made by uploading its picture (add_image).
        return Err(invalid("kind", "image.use_upload"));
    }
    insert_element(app, tenant, actor, id, input, None).await
}

/// A line typed in a topic (the quick-add line, or an API title): its kind
/// shortcut and `@` words are read here, once for the browser and the API
/// (`ordo_core::quick_add`).
pub struct Line<'a> {
    pub topic: TopicId,
    pub line: &'a str,
    /// A kind given apart from the text (the API's field); absent, the
    /// text decides, and a note by default.
    pub kind: Option<ElementKind>,
    pub description: &'a str,
    pub due_date: &'a str,
    pub owners: Vec<UserId>,
    /// The writer's language: the order of day and month in `@12/15`.
    pub locale: Locale,
}

/// Add the element a line says. `@` words make it an action (unless a
/// kind other than action was chosen: then they are text), each name one
/// participant of the meeting, each date its due date, "today" being the
/// day in the meeting's time zone. A name that is nobody, or several
/// people, refuses the line: an owner is never guessed.
#[tracing::instrument(skip_all)]
pub async fn add_line(
    app: &App,
    tenant: &Tenant,
    actor: &User,
    id: MeetingId,
    line: Line<'_>,
) -> Result<ElementId, AppError> {
    let l = super::access::load(app, tenant, actor, id, MeetingAction::AddContent).await?;
    let today =
        meeting::day_in(app.clock.now(), &l.row.time_zone).ok_or(AppError::Internal("a meeting's time zone"))?;
    let typed = quick_add::parse(line.line, today, line.locale);
    let kind = typed.kind.or(line.kind);
    let reads_at = typed.names_something() && matches!(kind, None | Some(ElementKind::Action));
    let (title, kind) = if reads_at {
        (typed.bare.as_str(), ElementKind::Action)
    } else {
        (typed.text.as_str(), kind.unwrap_or(ElementKind::Note))
    };
    let mut owners = line.owners;
    if reads_at && !typed.people.is_empty() {
        let rows = app.store.people_of_meeting(tenant.id, id).await?;
        let people = crate::invitations::people(&l.keys, rows, &l.participants);
        for name in &typed.people {
            let mut found = people.iter().map(|(u, _)| u).filter(|u| quick_add::names(name, &u.display_name, &u.email));
            match (found.next(), found.next()) {
                (Some(one), None) if !owners.contains(&one.id) => owners.push(one.id),
                (Some(_), None) => {}
                (None, _) => return Err(invalid("title", "owners.unknown_name")),
                (Some(_), Some(_)) => return Err(invalid("title", "owners.ambiguous_name")),
            }
        }
    }
    let due = match typed.due {
        Some(d) if reads_at && line.due_date.trim().is_empty() => d.to_string(),
        _ => line.due_date.to_owned(),
    };
    let input = ElementInput { topic: line.topic, kind, title, description: line.description, due_date: &due, owners };
    add_element(app, tenant, actor, id, input).await
}

/// A checked picture, to store with its image element.
struct Picture {
    content_type: &'static str,
    width: u32,
    height: u32,
    bytes: Vec<u8>,
}

/// Write a new element (and, for an image, its picture) in one change: an
/// element never exists without its picture.
async fn insert_element(
    app: &App,
    tenant: &Tenant,
    actor: &User,
    id: MeetingId,
    input: ElementInput<'_>,
    picture: Option<Picture>,
) -> Result<ElementId, AppError> {
    let keys = app.keys.for_tenant(&app.store, tenant).await?;
    let use_case = if picture.is_some() { UseCase::ImageAdd } else { UseCase::ElementAdd };
    let eid = ElementId::new();
    let rid = eid.to_string();
    // Sealed once (a picture is large); the change may run again.
    let attachment = match &picture {
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
    change!(app, tenant.id, Some(actor.id), use_case, |c| {
        let l = lock(&mut c.tx, tenant, actor, id, MeetingAction::AddContent).await?;
        let title = Title::parse(input.title)?;
        let description = rich_text(input.description)?;
        let due = meeting::parse_date("due_date", input.due_date)?;
        if !c.tx.topics(tenant.id, id).await?.iter().any(|t| t.id == input.topic) {
            return Err(unknown("topic_id"));
        }
        l.may_add_to(&mut c.tx, tenant, input.topic).await?;
        if c.tx.elements(tenant.id, id).await?.len() >= meeting::ELEMENTS_MAX {
            return Err(invalid("title", "elements.too_many"));
        }
        // Owners must take part in the meeting.
        if input.owners.iter().any(|o| !l.participants.iter().any(|p| p.user_id == *o)) {
            return Err(invalid("owners", "owners.not_participants"));
        }
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
            updated_at: c.now,
        };
        let owners: &[UserId] = if is_action { &input.owners } else { &[] };
        c.tx.insert_element(tenant.id, &row, c.now).await?;
        c.tx.set_element_owners(tenant.id, eid, owners).await?;
        if let Some(a) = &attachment {
            c.tx.insert_attachment(tenant.id, a, c.now).await?;
        }
        c.history(&keys, id, Item::element(eid), None).await?;
        Ok(eid)
    })
}

/// What an element edit changes: each field given replaces the stored
/// one, each absent one keeps it (merged inside the change).
pub struct ElementEdit<'a> {
    pub title: Option<&'a str>,
    /// Rich text, sanitised when stored.
    pub description: Option<&'a str>,
    /// An action's due date (`YYYY-MM-DD`; empty clears it).
    pub due_date: Option<&'a str>,
    /// Move to this topic.
    pub topic: Option<TopicId>,
    /// An action's new owners.
    pub owners: Option<Vec<UserId>>,
    /// The version the form was loaded from.
    pub version: i64,
}

/// An element of the locked meeting, which the actor may edit.
async fn editable(
    tx: &mut Tx,
    l: &Locked,
    tenant: &Tenant,
    element: ElementId,
) -> Result<(ElementRow, Vec<(ElementId, UserId)>), AppError> {
    let elements = tx.elements(tenant.id, l.row.id).await?;
    let e = elements.into_iter().find(|e| e.id == element).ok_or(AppError::NotFound)?;
    let target = l.own_element(tx, tenant, &e).await?;
    l.allow(MeetingAction::EditContent, target)?;
    let owners = tx.element_owners(tenant.id, l.row.id).await?;
    Ok((e, owners))
}

/// Edit an element (editors, or the participant who added it). A stale
/// version is refused: two edits of the same element never silently
/// overwrite each other.
#[tracing::instrument(skip_all)]
pub async fn update_element(
    app: &App,
    tenant: &Tenant,
    actor: &User,
    id: MeetingId,
    element: ElementId,
    edit: ElementEdit<'_>,
) -> Result<(), AppError> {
    let keys = app.keys.for_tenant(&app.store, tenant).await?;
    change!(app, tenant.id, Some(actor.id), UseCase::ElementEdit, |c| {
        let l = lock(&mut c.tx, tenant, actor, id, MeetingAction::View).await?;
        let (e, owners_now) = editable(&mut c.tx, &l, tenant, element).await?;
        let topic = edit.topic.unwrap_or(e.topic_id);
        if !c.tx.topics(tenant.id, id).await?.iter().any(|t| t.id == topic) {
            return Err(unknown("topic_id"));
        }
        if topic != e.topic_id {
            l.may_add_to(&mut c.tx, tenant, topic).await?;
        }
        let owners = match &edit.owners {
            Some(o) if e.kind == ElementKind::Action => {
                if o.iter().any(|u| !l.participants.iter().any(|p| p.user_id == *u)) {
                    return Err(invalid("owners", "owners.not_participants"));
                }
                Some(o)
            }
            _ => None,
        };
        let rid = element.to_string();
        let old_title = keys.open(Field::ElementTitle, &rid, &e.title)?;
        let old_description = keys.open(Field::ElementDescription, &rid, &e.description)?;
        let title = Title::parse(edit.title.unwrap_or(&old_title))?;
        let description = match edit.description {
            Some(d) => rich_text(d)?,
            None => LongText::sanitized(old_description),
        };
        let due = match edit.due_date {
            Some(d) => meeting::parse_date("due_date", d)?,
            None => e.due_date.clone(),
        };
        let before = element_before(&keys, &e, &owners_now)?;
        let new = ElementRow {
            title: keys.seal(Field::ElementTitle, &rid, title.as_str())?,
            description: keys.seal(Field::ElementDescription, &rid, description.as_str())?,
            due_date: if e.kind == ElementKind::Action { due } else { None },
            topic_id: topic,
            ..e.clone()
        };
        if !c.tx.update_element(tenant.id, &new, edit.version, c.now).await? {
            return Err(AppError::Conflict(Conflict::Version));
        }
        if let Some(o) = owners {
            c.tx.set_element_owners(tenant.id, element, o).await?;
        }
        c.history(&keys, id, Item::element(element), Some(before)).await?;
        Ok(())
    })
}

/// Mark an action done or open again, or a topic to discuss resolved:
/// anyone who may edit the meeting's content, and the action's own owners.
#[tracing::instrument(skip_all)]
pub async fn set_action_status(
    app: &App,
    tenant: &Tenant,
    actor: &User,
    id: MeetingId,
    element: ElementId,
    status: ActionStatus,
) -> Result<(), AppError> {
    let keys = app.keys.for_tenant(&app.store, tenant).await?;
    change!(app, tenant.id, Some(actor.id), UseCase::ElementStatus, |c| {
        let l = lock(&mut c.tx, tenant, actor, id, MeetingAction::View).await?;
        let elements = c.tx.elements(tenant.id, id).await?;
        // Actions are done or open; topics to discuss resolved or open.
        let e = elements
            .iter()
            .find(|e| e.id == element && matches!(e.kind, ElementKind::Action | ElementKind::Discuss))
            .ok_or(AppError::NotFound)?;
        let owners = c.tx.element_owners(tenant.id, id).await?;
        let owner = owners.iter().any(|(el, u)| *el == e.id && *u == actor.id);
        l.allow(MeetingAction::SetActionStatus, Target { owner, ..Target::default() })?;
        c.tx.set_action_status(tenant.id, element, status, c.now).await?;
        let before = serde_json::json!({ "status": e.action_status.map(|s| s.as_str()) });
        c.history(&keys, id, Item::element(element), Some(before)).await?;
        Ok(())
    })
}

/// Move an element one place up or down within its topic (the keyboard's
/// way; drag and drop places it with [`place_element`]).
#[tracing::instrument(skip_all)]
pub async fn move_element(
    app: &App,
    tenant: &Tenant,
    actor: &User,
    id: MeetingId,
    element: ElementId,
    up: bool,
) -> Result<(), AppError> {
    place(app, tenant, actor, id, element, Place::Step { up }).await
}

/// Move an element to `position` (0-based) in `topic`, the same topic or
/// another one of the meeting (drag and drop; the API).
#[tracing::instrument(skip_all)]
pub async fn place_element(
    app: &App,
    tenant: &Tenant,
    actor: &User,
    id: MeetingId,
    element: ElementId,
    topic: TopicId,
    position: usize,
) -> Result<(), AppError> {
    place(app, tenant, actor, id, element, Place::At { topic: Some(topic), position }).await
}

/// Move an element to `position` (0-based) in the topic it is in.
#[tracing::instrument(skip_all)]
pub async fn place_element_in_its_topic(
    app: &App,
    tenant: &Tenant,
    actor: &User,
    id: MeetingId,
    element: ElementId,
    position: usize,
) -> Result<(), AppError> {
    place(app, tenant, actor, id, element, Place::At { topic: None, position }).await
}

enum Place {
    Step { up: bool },
    At { topic: Option<TopicId>, position: usize },
}

async fn place(
    app: &App,
    tenant: &Tenant,
    actor: &User,
    id: MeetingId,
    element: ElementId,
    to: Place,
) -> Result<(), AppError> {
    let keys = app.keys.for_tenant(&app.store, tenant).await?;
    change!(app, tenant.id, Some(actor.id), UseCase::ElementMove, |c| {
        let l = lock(&mut c.tx, tenant, actor, id, MeetingAction::View).await?;
        let (e, _) = editable(&mut c.tx, &l, tenant, element).await?;
        let elements = c.tx.elements(tenant.id, id).await?;
        let sorted = |topic: TopicId| {
            let mut v: Vec<&ElementRow> = elements.iter().filter(|x| x.topic_id == topic).collect();
            v.sort_by_key(|x| x.position);
            v
        };
        let now_at = sorted(e.topic_id).iter().position(|x| x.id == element).ok_or(AppError::NotFound)?;
        let (topic, position) = match to {
            Place::Step { up } => (e.topic_id, if up { now_at.saturating_sub(1) } else { now_at + 1 }),
            Place::At { topic, position } => (topic.unwrap_or(e.topic_id), position),
        };
        if !c.tx.topics(tenant.id, id).await?.iter().any(|t| t.id == topic) {
            return Err(unknown("topic_id"));
        }
        if topic != e.topic_id {
            l.may_add_to(&mut c.tx, tenant, topic).await?;
        }
        let others: Vec<ElementId> = sorted(topic).iter().map(|x| x.id).filter(|x| *x != element).collect();
        let order = placed(others, element, position);
        c.tx.place_elements(tenant.id, topic, &order).await?;
        let before = serde_json::json!({ "topic_id": e.topic_id.to_string(), "position": now_at });
        c.history(&keys, id, Item::element(element), Some(before)).await?;
        Ok(())
    })
}

/// Delete an element (organiser and editors; a contributor their own).
#[tracing::instrument(skip_all)]
pub async fn delete_element(
    app: &App,
    tenant: &Tenant,
    actor: &User,
    id: MeetingId,
    element: ElementId,
) -> Result<(), AppError> {
    let keys = app.keys.for_tenant(&app.store, tenant).await?;
    change!(app, tenant.id, Some(actor.id), UseCase::ElementDelete, |c| {
        let l = lock(&mut c.tx, tenant, actor, id, MeetingAction::View).await?;
        let (e, owners) = editable(&mut c.tx, &l, tenant, element).await?;
        if !c.tx.delete_element(tenant.id, id, element).await? {
            return Err(AppError::NotFound);
        }
        let detail = serde_json::json!({ "meeting": id.to_string(), "element": element.to_string() }).to_string();
        c.audit(AuditDraft::new(AuditKind::ContentDeleted).detail(detail)).await?;
        c.history(&keys, id, Item::element(element), Some(element_before(&keys, &e, &owners)?)).await?;
        Ok(())
    })
}

/// A description as sent (within the text limits), then sanitised: the
/// limits are those of what was sent, which the sanitiser only escapes.
fn rich_text(sent: &str) -> Result<LongText, ordo_core::Invalid> {
    let sent = LongText::parse("description", sent)?;
    Ok(LongText::sanitized(crate::richtext::sanitize(sent.as_str())))
}

/// Add an image element: the picture is checked, then sealed like all
/// meeting data.
#[tracing::instrument(skip_all)]
pub async fn add_image(
    app: &App,
    tenant: &Tenant,
    actor: &User,
    id: MeetingId,
    topic: TopicId,
    title: &str,
    bytes: Vec<u8>,
) -> Result<ElementId, AppError> {
    // Refused before the costly decode for anyone who may not add here.
    super::allowed(app, tenant, actor, id, MeetingAction::AddContent).await?;
    // Checked and encoded again without metadata, within the node's budget.
    let crate::images::Picture { content_type, width, height, bytes } = crate::images::check(app, bytes).await?;
    let title = if title.trim().is_empty() { "image" } else { title };
    let input =
        ElementInput { topic, kind: ElementKind::Image, title, description: "", due_date: "", owners: Vec::new() };
    insert_element(app, tenant, actor, id, input, Some(Picture { content_type, width, height, bytes })).await
}
