//! Reading a meeting's change history: who changed which item, when, and
//! what it was before, for anyone who may see the meeting.

use super::access::load;
use crate::accounts::{User, open_user};
use crate::keys::Field;
use crate::{App, AppError};
use ordo_core::ids::{ElementId, HistoryId, MeetingId, UserId};
use ordo_core::meeting::MeetingAction;
use ordo_core::time::Timestamp;
use ordo_store::Tenant;
use std::collections::HashMap;

/// How many entries a history answer holds at most (the newest).
pub const HISTORY_MAX: i64 = 500;

/// One change of a meeting's content.
#[derive(Clone, Debug)]
pub struct HistoryEntry {
    pub id: HistoryId,
    pub at: Timestamp,
    pub actor_id: Option<UserId>,
    /// The actor's name, if they are still a member.
    pub actor: Option<String>,
    /// What was done (`element.edit`, `topic.delete`, ...).
    pub change: String,
    /// `meeting`, `topic`, `element` or `comment`.
    pub item_kind: &'static str,
    pub item_id: String,
    /// What the item was before (`None`: it was created).
    pub before: Option<serde_json::Value>,
}

/// A meeting's history, newest first, for someone who may see it.
#[tracing::instrument(skip_all)]
pub async fn history(app: &App, tenant: &Tenant, actor: &User, id: MeetingId) -> Result<Vec<HistoryEntry>, AppError> {
    let l = load(app, tenant, actor, id, MeetingAction::View).await?;
    let rows = app.store.history(tenant.id, id, HISTORY_MAX).await?;
    let mut names: HashMap<UserId, Option<String>> = HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let actor = match r.actor_id {
            Some(u) => match names.get(&u) {
                Some(n) => n.clone(),
                None => {
                    let n = match app.store.user_by_id(tenant.id, u).await? {
                        Some(row) => Some(open_user(&l.keys, row)?.display_name),
                        None => None,
                    };
                    names.insert(u, n.clone());
                    n
                }
            },
            None => None,
        };
        let before = match &r.before {
            Some(sealed) => {
                let text = l.keys.open(Field::HistoryBefore, &r.id.to_string(), sealed)?;
                Some(serde_json::from_str(&text).map_err(|_| AppError::Internal("history value"))?)
            }
            None => None,
        };
        out.push(HistoryEntry {
            id: r.id,
            at: r.at,
            actor_id: r.actor_id,
            actor,
            change: r.use_case,
            item_kind: r.item_kind.as_str(),
            item_id: r.item_id,
            before,
        });
    }
    Ok(out)
}

/// Put an element's title and description back as a history entry kept
/// them: an ordinary edit of the element (checked, versioned, itself in the
/// history, so a restore can be undone the same way). "Not found" for an
/// entry that holds no text of an element that still exists.
#[tracing::instrument(skip_all)]
pub async fn restore_text(
    app: &App,
    tenant: &Tenant,
    actor: &User,
    id: MeetingId,
    entry: HistoryId,
) -> Result<ElementId, AppError> {
    let h = history(app, tenant, actor, id).await?.into_iter().find(|h| h.id == entry).ok_or(AppError::NotFound)?;
    let before = h.before.filter(|_| h.item_kind == "element").ok_or(AppError::NotFound)?;
    let (Some(title), Some(description)) = (before["title"].as_str(), before["description"].as_str()) else {
        return Err(AppError::NotFound);
    };
    let element: ElementId = h.item_id.parse().map_err(|_| AppError::NotFound)?;
    let page = super::page(app, tenant, actor, id).await?;
    let version = page.content.elements.iter().find(|e| e.id == element).ok_or(AppError::NotFound)?.version;
    let edit = super::ElementEdit {
        title: Some(title),
        description: Some(description),
        due_date: None,
        topic: None,
        owners: None,
        version,
    };
    super::update_element(app, tenant, actor, id, element, edit).await?;
    Ok(element)
}
