//! Who takes part in a meeting, in which role, whether they were there, and
//! who contributes to which topic. Each change is in the audit log: it
//! changes who may read or edit the meeting.

use super::access::lock;
use super::invalid;
use crate::accounts::User;
use crate::keys::Field;
use crate::write::{UseCase, change};
use crate::{App, AppError, Conflict};
use ordo_core::audit::AuditKind;
use ordo_core::ids::{MeetingId, TopicId, UserId};
use ordo_core::meeting::{MeetingAction, MeetingRole};
use ordo_core::user::{DisplayName, Email, UserStatus};
use ordo_store::{AuditDraft, NewUser, Tenant};

fn detail(meeting: MeetingId, extra: serde_json::Value) -> String {
    let mut d = serde_json::json!({ "meeting": meeting.to_string() });
    if let (Some(d), serde_json::Value::Object(extra)) = (d.as_object_mut(), extra) {
        d.extend(extra);
    }
    d.to_string()
}

/// Add a participant by e-mail: an existing user of the tenant, or a new
/// pending account. Nothing is sent until access is shared.
#[tracing::instrument(skip_all)]
pub async fn add_participant(
    app: &App,
    tenant: &Tenant,
    actor: &User,
    id: MeetingId,
    email: &str,
    role: MeetingRole,
) -> Result<UserId, AppError> {
    let keys = app.keys.for_tenant(&app.store, tenant).await?;
    change!(app, tenant.id, Some(actor.id), UseCase::ParticipantAdd, |c| {
        let l = lock(&mut c.tx, tenant, actor, id, MeetingAction::ManageParticipants).await?;
        if role == MeetingRole::Organiser {
            return Err(invalid("role", "meeting_role.invalid"));
        }
        let email = Email::parse(email)?;
        let index = keys.email_index(&email.normalized());
        let user_id = match c.tx.user_by_email_index(tenant.id, &index).await? {
            Some(u) if u.status == UserStatus::Disabled => return Err(AppError::Conflict(Conflict::EmailTaken)),
            Some(u) => u.id,
            None => {
                let uid = UserId::new();
                let rid = uid.to_string();
                let u = NewUser {
                    id: uid,
                    email: keys.seal(Field::UserEmail, &rid, email.as_str())?,
                    email_index: index,
                    display_name: keys.seal(Field::UserDisplayName, &rid, DisplayName::from_email(&email).as_str())?,
                    role: ordo_core::user::Role::Guest,
                    status: UserStatus::Pending,
                    locale: None,
                };
                c.tx.insert_user(tenant.id, &u, c.now).await?;
                uid
            }
        };
        if user_id == l.row.organiser_id {
            // Adding the organiser again must not demote them.
            return Err(invalid("email", "participant.is_organiser"));
        }
        c.tx.set_participant(tenant.id, id, user_id, role).await?;
        let d = detail(id, serde_json::json!({ "role": role.as_str() }));
        c.audit(AuditDraft::new(AuditKind::ParticipantAdded).subject(user_id).detail(d)).await?;
        Ok(user_id)
    })
}

/// Change a participant's meeting role (organiser and editors). The
/// organiser's role is not changed, and nobody is made organiser.
#[tracing::instrument(skip_all)]
pub async fn set_participant_role(
    app: &App,
    tenant: &Tenant,
    actor: &User,
    id: MeetingId,
    user: UserId,
    role: MeetingRole,
) -> Result<(), AppError> {
    change!(app, tenant.id, Some(actor.id), UseCase::ParticipantRole, |c| {
        let l = lock(&mut c.tx, tenant, actor, id, MeetingAction::ManageParticipants).await?;
        let target = l.participants.iter().find(|p| p.user_id == user).ok_or(AppError::NotFound)?;
        if role == MeetingRole::Organiser {
            return Err(invalid("role", "meeting_role.invalid"));
        }
        if target.role == MeetingRole::Organiser {
            return Err(invalid("user_id", "participant.is_organiser"));
        }
        c.tx.set_participant(tenant.id, id, user, role).await?;
        let d = detail(id, serde_json::json!({ "from": target.role.as_str(), "to": role.as_str() }));
        c.audit(AuditDraft::new(AuditKind::ParticipantRoleChanged).subject(user).detail(d)).await?;
        Ok(())
    })
}

/// Remove a participant (organiser and editors; never the organiser). They
/// lose the actions and topics they were given in this meeting.
#[tracing::instrument(skip_all)]
pub async fn remove_participant(
    app: &App,
    tenant: &Tenant,
    actor: &User,
    id: MeetingId,
    user: UserId,
) -> Result<(), AppError> {
    change!(app, tenant.id, Some(actor.id), UseCase::ParticipantRemove, |c| {
        let l = lock(&mut c.tx, tenant, actor, id, MeetingAction::ManageParticipants).await?;
        let target = l.participants.iter().find(|p| p.user_id == user).ok_or(AppError::NotFound)?;
        if target.role == MeetingRole::Organiser {
            return Err(invalid("user_id", "participant.is_organiser"));
        }
        if !c.tx.remove_participant(tenant.id, id, user).await? {
            return Err(AppError::NotFound);
        }
        let d = detail(id, serde_json::json!({ "role": target.role.as_str() }));
        c.audit(AuditDraft::new(AuditKind::ParticipantRemoved).subject(user).detail(d)).await?;
        Ok(())
    })
}

/// Record whether a participant was at the meeting, for the minutes
/// (organiser and editors; `None`: not recorded).
#[tracing::instrument(skip_all)]
pub async fn set_presence(
    app: &App,
    tenant: &Tenant,
    actor: &User,
    id: MeetingId,
    user: UserId,
    present: Option<bool>,
) -> Result<(), AppError> {
    change!(app, tenant.id, Some(actor.id), UseCase::ParticipantPresence, |c| {
        let l = lock(&mut c.tx, tenant, actor, id, MeetingAction::ManageParticipants).await?;
        if !l.participants.iter().any(|p| p.user_id == user) || !c.tx.set_presence(tenant.id, id, user, present).await?
        {
            return Err(AppError::NotFound);
        }
        let d = detail(id, serde_json::json!({ "present": present }));
        c.audit(AuditDraft::new(AuditKind::AttendanceRecorded).subject(user).detail(d)).await?;
        Ok(())
    })
}

/// Assign a participant as a contributor of a topic (organiser and editors).
#[tracing::instrument(skip_all)]
pub async fn assign_topic_contributor(
    app: &App,
    tenant: &Tenant,
    actor: &User,
    id: MeetingId,
    topic: TopicId,
    user: UserId,
) -> Result<(), AppError> {
    change!(app, tenant.id, Some(actor.id), UseCase::ContributorAssign, |c| {
        let l = lock(&mut c.tx, tenant, actor, id, MeetingAction::EditContent).await?;
        if !c.tx.topics(tenant.id, id).await?.iter().any(|t| t.id == topic) {
            return Err(AppError::NotFound);
        }
        if !l.participants.iter().any(|p| p.user_id == user) {
            return Err(invalid("owners", "owners.not_participants"));
        }
        c.tx.add_topic_contributor(tenant.id, topic, user).await?;
        let d = detail(id, serde_json::json!({ "topic": topic.to_string() }));
        c.audit(AuditDraft::new(AuditKind::ContributorAssigned).subject(user).detail(d)).await?;
        Ok(())
    })
}

/// Take a participant off a topic's contributors (organiser and editors).
#[tracing::instrument(skip_all)]
pub async fn remove_topic_contributor(
    app: &App,
    tenant: &Tenant,
    actor: &User,
    id: MeetingId,
    topic: TopicId,
    user: UserId,
) -> Result<(), AppError> {
    change!(app, tenant.id, Some(actor.id), UseCase::ContributorRemove, |c| {
        lock(&mut c.tx, tenant, actor, id, MeetingAction::EditContent).await?;
        if !c.tx.topics(tenant.id, id).await?.iter().any(|t| t.id == topic)
            || !c.tx.remove_topic_contributor(tenant.id, topic, user).await?
        {
            return Err(AppError::NotFound);
        }
        let d = detail(id, serde_json::json!({ "topic": topic.to_string() }));
        c.audit(AuditDraft::new(AuditKind::ContributorRemoved).subject(user).detail(d)).await?;
        Ok(())
    })
}
