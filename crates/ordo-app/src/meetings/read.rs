//! Reading a meeting: its content (decrypted once, cached by revision),
//! the page for a viewer, the live revision, an image.

use super::access::load;
use super::{Capabilities, Comment, Content, Element, Meeting, MeetingPage, Participant, Topic, open_meeting};
use crate::accounts::{User, open_user};
use crate::keys::{Field, TenantKeys};
use crate::{App, AppError};
use ordo_core::ids::{ElementId, MeetingId, UserId};
use ordo_core::meeting::{self, MeetingAction, MeetingActor, MeetingRole};
use ordo_store::{MeetingRow, ParticipantRow, Tenant};
use std::collections::HashMap;

/// Read and decrypt a meeting's content.
pub(super) async fn read_content(
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
                origin: origins.get(&e.id).cloned().map(Into::into).unwrap_or_default(),
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

/// The meeting's current revision, for a live page; None once the actor
/// may no longer see it (removed, or the meeting not shared with them).
/// Read from the database, so that a change made on another node counts.
#[tracing::instrument(skip_all)]
pub async fn live_revision(app: &App, tenant: &Tenant, actor: &User, id: MeetingId) -> Result<Option<i64>, AppError> {
    match load(app, tenant, actor, id, MeetingAction::View).await {
        Ok(l) => Ok(Some(l.row.revision)),
        Err(AppError::NotFound) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The meeting page for `actor` (not found unless they may see it).
#[tracing::instrument(skip_all)]
pub async fn page(app: &App, tenant: &Tenant, actor: &User, id: MeetingId) -> Result<MeetingPage, AppError> {
    let l = load(app, tenant, actor, id, MeetingAction::View).await?;
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
    let may = |a| meeting::authorize_meeting(who, l.row.status, a);
    let can = Capabilities {
        edit: may(MeetingAction::EditDetails),
        participants: may(MeetingAction::ManageParticipants),
        share: may(MeetingAction::Share),
        send_minutes: may(MeetingAction::SendMinutes),
        follow_up: may(MeetingAction::FollowUp),
        cancel: may(MeetingAction::Cancel),
        archive: may(MeetingAction::Archive),
        add: may(MeetingAction::AddContent),
        edit_content: may(MeetingAction::EditContent),
        remove_comment: may(MeetingAction::RemoveComment),
        save_template: meeting::can_create_meetings(actor.role),
    };
    Ok(MeetingPage { meeting, content, can, revision: l.stamp.revision })
}

/// A meeting read by support under a tenant admin's grant (checked by the
/// caller, `support::view_meeting`, which also writes it in the tenant's
/// audit log): the content as a reader sees it.
#[tracing::instrument(skip_all)]
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

/// A meeting and its content, opened without an actor's check: for the
/// search indexer only, which keeps nothing of it but keyed hashes.
#[tracing::instrument(skip_all)]
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

/// An image, for someone who may see its meeting: (content type, bytes).
#[tracing::instrument(skip_all)]
pub async fn image(
    app: &App,
    tenant: &Tenant,
    actor: &User,
    id: MeetingId,
    element: ElementId,
) -> Result<(String, Vec<u8>), AppError> {
    let l = load(app, tenant, actor, id, MeetingAction::View).await?;
    let a = app.store.attachment(tenant.id, element).await?.ok_or(AppError::NotFound)?;
    if a.meeting_id != id {
        return Err(AppError::NotFound);
    }
    Ok((a.content_type, l.keys.open_bytes(Field::AttachmentData, &element.to_string(), &a.data)?))
}
