//! The agenda: topics and sub-topics, added, renamed, moved and deleted.
//! Each change is in the meeting's history, with what the topic was before.

use super::access::lock;
use super::unknown;
use crate::accounts::User;
use crate::keys::{Field, TenantKeys};
use crate::write::{Item, UseCase, change};
use crate::{App, AppError};
use ordo_core::audit::AuditKind;
use ordo_core::ids::{MeetingId, TopicId};
use ordo_core::meeting::{MeetingAction, Target, Title};
use ordo_store::{AuditDraft, Tenant, TopicRow};

/// A topic as it was, for the history.
pub(super) fn topic_before(keys: &TenantKeys, t: &TopicRow) -> Result<serde_json::Value, AppError> {
    Ok(serde_json::json!({
        "title": keys.open(Field::TopicTitle, &t.id.to_string(), &t.title)?,
        "parent_id": t.parent_id.map(|p| p.to_string()),
        "position": t.position,
    }))
}

#[tracing::instrument(skip_all)]
pub async fn add_topic(
    app: &App,
    tenant: &Tenant,
    actor: &User,
    id: MeetingId,
    parent: Option<TopicId>,
    title: &str,
) -> Result<TopicId, AppError> {
    let keys = app.keys.for_tenant(&app.store, tenant).await?;
    change!(app, tenant.id, Some(actor.id), UseCase::TopicAdd, |c| {
        let l = lock(&mut c.tx, tenant, actor, id, MeetingAction::AddContent).await?;
        let title = Title::parse(title)?;
        if let Some(p) = parent {
            if !c.tx.topics(tenant.id, id).await?.iter().any(|t| t.id == p && t.parent_id.is_none()) {
                return Err(unknown("parent_id"));
            }
            let closed = l.topic_closed(&mut c.tx, tenant, p).await?;
            l.allow(MeetingAction::AddContent, Target { topic_closed: closed, ..Target::default() })?;
        }
        let tid = TopicId::new();
        let row = TopicRow {
            id: tid,
            meeting_id: id,
            parent_id: parent,
            position: 0,
            title: keys.seal(Field::TopicTitle, &tid.to_string(), title.as_str())?,
        };
        c.tx.insert_topic(tenant.id, &row, c.now).await?;
        c.history(&keys, id, Item::topic(tid), None).await?;
        Ok(tid)
    })
}

/// Rename a topic (organiser and editors).
#[tracing::instrument(skip_all)]
pub async fn rename_topic(
    app: &App,
    tenant: &Tenant,
    actor: &User,
    id: MeetingId,
    topic: TopicId,
    title: &str,
) -> Result<(), AppError> {
    let keys = app.keys.for_tenant(&app.store, tenant).await?;
    change!(app, tenant.id, Some(actor.id), UseCase::TopicRename, |c| {
        lock(&mut c.tx, tenant, actor, id, MeetingAction::EditContent).await?;
        let title = Title::parse(title)?;
        let topics = c.tx.topics(tenant.id, id).await?;
        let old = topics.iter().find(|t| t.id == topic).ok_or(AppError::NotFound)?;
        let sealed = keys.seal(Field::TopicTitle, &topic.to_string(), title.as_str())?;
        if !c.tx.rename_topic(tenant.id, id, topic, &sealed).await? {
            return Err(AppError::NotFound);
        }
        c.history(&keys, id, Item::topic(topic), Some(topic_before(&keys, old)?)).await?;
        Ok(())
    })
}

/// Delete a topic with its sub-topics and everything in them (organiser
/// and editors). The audit log records that it happened; the history
/// keeps what each deleted topic and element was.
#[tracing::instrument(skip_all)]
pub async fn delete_topic(
    app: &App,
    tenant: &Tenant,
    actor: &User,
    id: MeetingId,
    topic: TopicId,
) -> Result<(), AppError> {
    let keys = app.keys.for_tenant(&app.store, tenant).await?;
    change!(app, tenant.id, Some(actor.id), UseCase::TopicDelete, |c| {
        lock(&mut c.tx, tenant, actor, id, MeetingAction::EditContent).await?;
        let topics = c.tx.topics(tenant.id, id).await?;
        let gone: Vec<&TopicRow> = topics.iter().filter(|t| t.id == topic || t.parent_id == Some(topic)).collect();
        let elements = c.tx.elements(tenant.id, id).await?;
        let owners = c.tx.element_owners(tenant.id, id).await?;
        if !c.tx.delete_topic(tenant.id, id, topic).await? {
            return Err(AppError::NotFound);
        }
        let detail = serde_json::json!({ "meeting": id.to_string(), "topic": topic.to_string() }).to_string();
        c.audit(AuditDraft::new(AuditKind::ContentDeleted).detail(detail)).await?;
        for t in &gone {
            for e in elements.iter().filter(|e| e.topic_id == t.id) {
                let before = super::elements::element_before(&keys, e, &owners)?;
                c.history(&keys, id, Item::element(e.id), Some(before)).await?;
            }
            c.history(&keys, id, Item::topic(t.id), Some(topic_before(&keys, t)?)).await?;
        }
        Ok(())
    })
}

/// Where `item` lands when moved to `position` (0-based, clamped) among
/// `others` (the list without it).
pub(super) fn placed<T: Copy>(mut others: Vec<T>, item: T, position: usize) -> Vec<T> {
    let at = position.min(others.len());
    others.insert(at, item);
    others
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
#[tracing::instrument(skip_all)]
pub async fn move_topic(
    app: &App,
    tenant: &Tenant,
    actor: &User,
    id: MeetingId,
    topic: TopicId,
    to: TopicMove,
) -> Result<(), AppError> {
    let keys = app.keys.for_tenant(&app.store, tenant).await?;
    change!(app, tenant.id, Some(actor.id), UseCase::TopicMove, |c| {
        lock(&mut c.tx, tenant, actor, id, MeetingAction::EditContent).await?;
        let topics = c.tx.topics(tenant.id, id).await?;
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
        c.tx.place_topics(tenant.id, &order).await?;
        let before = serde_json::json!({ "position": now_at });
        c.history(&keys, id, Item::topic(topic), Some(before)).await?;
        Ok(())
    })
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
