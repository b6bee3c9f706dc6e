//! Remarks on an element, and replies to them.

use super::access::lock;
use super::invalid;
use crate::accounts::User;
use crate::keys::Field;
use crate::write::{Item, UseCase, change};
use crate::{App, AppError};
use ordo_core::audit::AuditKind;
use ordo_core::ids::{CommentId, ElementId, MeetingId};
use ordo_core::meeting::{LongText, MeetingAction, Target};
use ordo_store::{AuditDraft, CommentRow, Tenant};

/// Comment on an element (a remark), or reply to a comment.
#[tracing::instrument(skip_all)]
pub async fn add_comment(
    app: &App,
    tenant: &Tenant,
    actor: &User,
    id: MeetingId,
    element: ElementId,
    parent: Option<CommentId>,
    body: &str,
) -> Result<CommentId, AppError> {
    let keys = app.keys.for_tenant(&app.store, tenant).await?;
    change!(app, tenant.id, Some(actor.id), UseCase::CommentAdd, |c| {
        lock(&mut c.tx, tenant, actor, id, MeetingAction::Comment).await?;
        let body = LongText::parse("body", body)?;
        if body.as_str().is_empty() {
            return Err(invalid("body", "comment.empty"));
        }
        if !c.tx.elements(tenant.id, id).await?.iter().any(|e| e.id == element) {
            return Err(AppError::NotFound);
        }
        if let Some(p) = parent
            && !c.tx.comments(tenant.id, id).await?.iter().any(|c| c.id == p && c.element_id == element)
        {
            return Err(AppError::NotFound);
        }
        let cid = CommentId::new();
        let row = CommentRow {
            id: cid,
            meeting_id: id,
            element_id: element,
            parent_id: parent,
            author_id: actor.id,
            body: keys.seal(Field::CommentBody, &cid.to_string(), body.as_str())?,
            created_at: c.now,
        };
        c.tx.insert_comment(tenant.id, &row).await?;
        c.history(&keys, id, Item::comment(cid), None).await?;
        Ok(cid)
    })
}

/// Rewrite a remark: its author, or the organiser and editors (who may
/// delete it too); the history keeps what it said.
#[tracing::instrument(skip_all)]
pub async fn edit_comment(
    app: &App,
    tenant: &Tenant,
    actor: &User,
    id: MeetingId,
    comment: CommentId,
    body: &str,
) -> Result<(), AppError> {
    let keys = app.keys.for_tenant(&app.store, tenant).await?;
    change!(app, tenant.id, Some(actor.id), UseCase::CommentEdit, |c| {
        let l = lock(&mut c.tx, tenant, actor, id, MeetingAction::View).await?;
        let comments = c.tx.comments(tenant.id, id).await?;
        let old = comments.iter().find(|x| x.id == comment).ok_or(AppError::NotFound)?;
        l.allow(MeetingAction::EditComment, Target { own: old.author_id == actor.id, ..Target::default() })?;
        let body = LongText::parse("body", body)?;
        if body.as_str().is_empty() {
            return Err(invalid("body", "comment.empty"));
        }
        let rid = comment.to_string();
        let before = serde_json::json!({ "body": keys.open(Field::CommentBody, &rid, &old.body)? });
        let sealed = keys.seal(Field::CommentBody, &rid, body.as_str())?;
        if !c.tx.update_comment(tenant.id, id, comment, &sealed).await? {
            return Err(AppError::NotFound);
        }
        c.history(&keys, id, Item::comment(comment), Some(before)).await?;
        Ok(())
    })
}

/// Delete a remark and its replies (its author; the organiser and editors
/// any remark).
#[tracing::instrument(skip_all)]
pub async fn delete_comment(
    app: &App,
    tenant: &Tenant,
    actor: &User,
    id: MeetingId,
    comment: CommentId,
) -> Result<(), AppError> {
    let keys = app.keys.for_tenant(&app.store, tenant).await?;
    change!(app, tenant.id, Some(actor.id), UseCase::CommentDelete, |c| {
        let l = lock(&mut c.tx, tenant, actor, id, MeetingAction::View).await?;
        let comments = c.tx.comments(tenant.id, id).await?;
        let gone: Vec<&CommentRow> =
            comments.iter().filter(|x| x.id == comment || x.parent_id == Some(comment)).collect();
        let target = comments.iter().find(|x| x.id == comment).ok_or(AppError::NotFound)?;
        l.allow(MeetingAction::RemoveComment, Target { own: target.author_id == actor.id, ..Target::default() })?;
        if !c.tx.delete_comment(tenant.id, id, comment).await? {
            return Err(AppError::NotFound);
        }
        let detail = serde_json::json!({ "meeting": id.to_string(), "comment": comment.to_string() }).to_string();
        c.audit(AuditDraft::new(AuditKind::ContentDeleted).detail(detail)).await?;
        for x in gone {
            let before = serde_json::json!({
                "element_id": x.element_id.to_string(),
                "parent_id": x.parent_id.map(|p| p.to_string()),
                "author_id": x.author_id.to_string(),
                "body": keys.open(Field::CommentBody, &x.id.to_string(), &x.body)?,
                "created_at": x.created_at.rfc3339(),
            });
            c.history(&keys, id, Item::comment(x.id), Some(before)).await?;
        }
        Ok(())
    })
}
