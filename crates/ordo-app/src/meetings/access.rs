//! Who may do what to a meeting: the meeting loaded for an actor and
//! checked against the policy, for reads (with the content cache) and,
//! inside a change's transaction, for writes.

use super::Content;
use crate::accounts::User;
use crate::cache::Stamp;
use crate::keys::TenantKeys;
use crate::{App, AppError};
use ordo_core::ids::{MeetingId, TopicId, UserId};
use ordo_core::meeting::{self, MeetingAction, MeetingActor, MeetingRole, Target};
use ordo_store::{ElementRow, MeetingRow, ParticipantRow, Tenant, Tx};

/// The actor as the meeting policy sees them, or "not found" if they may
/// not even see the meeting, "forbidden" if they may see it but not do
/// `action`.
fn check(
    actor: &User,
    row: &MeetingRow,
    participants: &[ParticipantRow],
    action: MeetingAction,
) -> Result<(MeetingActor, ParticipantRow), AppError> {
    let me = participants.iter().find(|p| p.user_id == actor.id).cloned().ok_or(AppError::NotFound)?;
    let who =
        MeetingActor { tenant_role: actor.role, meeting_role: Some(me.role), shared_with: me.shared_at.is_some() };
    if !meeting::authorize_meeting(who, row.status, MeetingAction::View) {
        return Err(AppError::NotFound);
    }
    if !meeting::authorize_meeting(who, row.status, action) {
        tracing::warn!(meeting = %row.id, user = %actor.id, ?action, "meeting action refused by the policy");
        return Err(AppError::Forbidden);
    }
    Ok((who, me))
}

/// A meeting loaded for an actor, for reading, with what was read on the way.
pub(super) struct Loaded {
    pub row: MeetingRow,
    pub participants: Vec<ParticipantRow>,
    pub me: ParticipantRow,
    pub keys: TenantKeys,
    /// The decrypted content, if the cache holds it at the current revision.
    pub cached: Option<std::sync::Arc<Content>>,
    pub stamp: Stamp,
}

/// Load a meeting for `actor` and check `action`. The meeting row is always
/// read: its revision says whether the cached participants and content are
/// current.
pub(super) async fn load(
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
    let (_, me) = check(actor, &row, &participants, action)?;
    let keys = app.keys.for_tenant(&app.store, tenant).await?;
    Ok(Loaded { row, participants, me, keys, cached, stamp })
}

/// Check that `actor` may do `action` on the meeting (outside a change:
/// for what only reads, or prepares a change that checks again).
#[tracing::instrument(skip_all)]
pub(crate) async fn allowed(
    app: &App,
    tenant: &Tenant,
    actor: &User,
    id: MeetingId,
    action: MeetingAction,
) -> Result<(), AppError> {
    load(app, tenant, actor, id, action).await.map(|_| ())
}

/// A meeting read inside a change's transaction (its row locked on
/// PostgreSQL), with the actor checked against the policy: what the
/// decision depends on is what the change commits on.
pub(crate) struct Locked {
    pub row: MeetingRow,
    pub who: MeetingActor,
    pub participants: Vec<ParticipantRow>,
    pub me: ParticipantRow,
}

/// Read the meeting inside `tx` and check `action` for `actor`.
#[tracing::instrument(skip_all)]
pub(crate) async fn lock(
    tx: &mut Tx,
    tenant: &Tenant,
    actor: &User,
    id: MeetingId,
    action: MeetingAction,
) -> Result<Locked, AppError> {
    let row = tx.lock_meeting(tenant.id, id).await?.ok_or(AppError::NotFound)?;
    let participants = tx.participants(tenant.id, id).await?;
    let (who, me) = check(actor, &row, &participants, action)?;
    Ok(Locked { row, who, participants, me })
}

impl Locked {
    /// Check an action on a particular target (own content, an assigned
    /// topic) with the meeting policy.
    pub fn allow(&self, action: MeetingAction, on: Target) -> Result<(), AppError> {
        if meeting::authorize_meeting_on(self.who, self.row.status, action, on) {
            Ok(())
        } else {
            tracing::warn!(meeting = %self.row.id, user = %self.me.user_id, ?action, ?on, "meeting action refused by the policy");
            Err(AppError::Forbidden)
        }
    }

    /// Is `topic` closed to this participant ("who contributes to what")?
    /// Only contributors are limited, so only their case reads the lists.
    pub async fn topic_closed(&self, tx: &mut Tx, tenant: &Tenant, topic: TopicId) -> Result<bool, AppError> {
        if self.me.role != MeetingRole::Contributor {
            return Ok(false);
        }
        let topics = tx.topics(tenant.id, self.row.id).await?;
        let parent = topics.iter().find(|t| t.id == topic).and_then(|t| t.parent_id);
        let assigned = tx.topic_contributors(tenant.id, self.row.id).await?;
        let listed: Vec<UserId> =
            assigned.iter().filter(|(t, _)| *t == topic || Some(*t) == parent).map(|(_, u)| *u).collect();
        Ok(meeting::topic_closed_to(self.me.user_id, &listed))
    }

    /// The policy's view of an element for the participant: did they add
    /// it, and is its topic closed to them?
    pub async fn own_element(&self, tx: &mut Tx, tenant: &Tenant, e: &ElementRow) -> Result<Target, AppError> {
        Ok(Target {
            own: e.created_by == self.me.user_id,
            topic_closed: self.topic_closed(tx, tenant, e.topic_id).await?,
            owner: false,
        })
    }

    /// May the actor add content to `topic`?
    pub async fn may_add_to(&self, tx: &mut Tx, tenant: &Tenant, topic: TopicId) -> Result<(), AppError> {
        let closed = self.topic_closed(tx, tenant, topic).await?;
        self.allow(MeetingAction::AddContent, Target { topic_closed: closed, ..Target::default() })
    }
}
