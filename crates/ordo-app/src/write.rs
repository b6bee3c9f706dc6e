//! The one write path. Every change of a tenant's state is a [`UseCase`]
//! and runs through [`change!`]: it opens the transaction, lets the use
//! case read what its decision depends on and check the policy *inside* it,
//! apply the change and record it, then commits; a transient conflict
//! (SQLite busy, PostgreSQL serialisation failure or deadlock) runs the
//! whole again. A use case that did not leave the record it declares
//! ([`UseCase::audit`], [`UseCase::history`]) is rolled back: nothing is
//! written unrecorded.

use crate::keys::{Field, TenantKeys};
use crate::{App, AppError};
use ordo_core::audit::AuditKind;
use ordo_core::ids::{HistoryId, MeetingId, TenantId, UserId};
use ordo_core::time::Timestamp;
use ordo_store::{AuditDraft, HistoryRow, ItemKind, Tx};

/// Every use case that changes a tenant's state, named as its history
/// entries and the write-path test name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UseCase {
    TenantCreate,
    MemberInvite,
    AccountActivate,
    Login,
    LoginFailure,
    LoginThrottle,
    Logout,
    SessionEnd,
    PasswordForgot,
    PasswordReset,
    PasswordChange,
    MemberRole,
    MemberDisable,
    MemberEnable,
    ProfileUpdate,
    ApiTokenCreate,
    ApiTokenRevoke,
    RemindersSet,
    CalendarFeedCreate,
    CalendarFeedRevoke,
    EncryptionEnable,
    EncryptionDisable,
    KeyRotate,
    BackupSchedule,
    SupportGrant,
    SupportRevoke,
    TemplateSave,
    TemplateDelete,
    MeetingCreate,
    SeriesCreate,
    MeetingFollowUp,
    MeetingUpdate,
    MeetingCancel,
    MeetingArchive,
    MeetingShare,
    MinutesSend,
    ParticipantAdd,
    ParticipantRole,
    ParticipantRemove,
    ParticipantPresence,
    TopicAdd,
    TopicRename,
    TopicMove,
    TopicDelete,
    ContributorAssign,
    ContributorRemove,
    ElementAdd,
    ImageAdd,
    ElementEdit,
    ElementStatus,
    ElementMove,
    ElementDelete,
    CommentAdd,
    CommentEdit,
    CommentDelete,
}

impl UseCase {
    pub const ALL: &'static [UseCase] = &[
        UseCase::TenantCreate,
        UseCase::MemberInvite,
        UseCase::AccountActivate,
        UseCase::Login,
        UseCase::LoginFailure,
        UseCase::LoginThrottle,
        UseCase::Logout,
        UseCase::SessionEnd,
        UseCase::PasswordForgot,
        UseCase::PasswordReset,
        UseCase::PasswordChange,
        UseCase::MemberRole,
        UseCase::MemberDisable,
        UseCase::MemberEnable,
        UseCase::ProfileUpdate,
        UseCase::ApiTokenCreate,
        UseCase::ApiTokenRevoke,
        UseCase::RemindersSet,
        UseCase::CalendarFeedCreate,
        UseCase::CalendarFeedRevoke,
        UseCase::EncryptionEnable,
        UseCase::EncryptionDisable,
        UseCase::KeyRotate,
        UseCase::BackupSchedule,
        UseCase::SupportGrant,
        UseCase::SupportRevoke,
        UseCase::TemplateSave,
        UseCase::TemplateDelete,
        UseCase::MeetingCreate,
        UseCase::SeriesCreate,
        UseCase::MeetingFollowUp,
        UseCase::MeetingUpdate,
        UseCase::MeetingCancel,
        UseCase::MeetingArchive,
        UseCase::MeetingShare,
        UseCase::MinutesSend,
        UseCase::ParticipantAdd,
        UseCase::ParticipantRole,
        UseCase::ParticipantRemove,
        UseCase::ParticipantPresence,
        UseCase::TopicAdd,
        UseCase::TopicRename,
        UseCase::TopicMove,
        UseCase::TopicDelete,
        UseCase::ContributorAssign,
        UseCase::ContributorRemove,
        UseCase::ElementAdd,
        UseCase::ImageAdd,
        UseCase::ElementEdit,
        UseCase::ElementStatus,
        UseCase::ElementMove,
        UseCase::ElementDelete,
        UseCase::CommentAdd,
        UseCase::CommentEdit,
        UseCase::CommentDelete,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            UseCase::TenantCreate => "tenant.create",
            UseCase::MemberInvite => "member.invite",
            UseCase::AccountActivate => "account.activate",
            UseCase::Login => "login",
            UseCase::LoginFailure => "login.failure",
            UseCase::LoginThrottle => "login.throttle",
            UseCase::Logout => "logout",
            UseCase::SessionEnd => "session.end",
            UseCase::PasswordForgot => "password.forgot",
            UseCase::PasswordReset => "password.reset",
            UseCase::PasswordChange => "password.change",
            UseCase::MemberRole => "member.role",
            UseCase::MemberDisable => "member.disable",
            UseCase::MemberEnable => "member.enable",
            UseCase::ProfileUpdate => "profile.update",
            UseCase::ApiTokenCreate => "api_token.create",
            UseCase::ApiTokenRevoke => "api_token.revoke",
            UseCase::RemindersSet => "reminders.set",
            UseCase::CalendarFeedCreate => "calendar_feed.create",
            UseCase::CalendarFeedRevoke => "calendar_feed.revoke",
            UseCase::EncryptionEnable => "encryption.enable",
            UseCase::EncryptionDisable => "encryption.disable",
            UseCase::KeyRotate => "key.rotate",
            UseCase::BackupSchedule => "backup.schedule",
            UseCase::SupportGrant => "support.grant",
            UseCase::SupportRevoke => "support.revoke",
            UseCase::TemplateSave => "template.save",
            UseCase::TemplateDelete => "template.delete",
            UseCase::MeetingCreate => "meeting.create",
            UseCase::SeriesCreate => "series.create",
            UseCase::MeetingFollowUp => "meeting.follow_up",
            UseCase::MeetingUpdate => "meeting.update",
            UseCase::MeetingCancel => "meeting.cancel",
            UseCase::MeetingArchive => "meeting.archive",
            UseCase::MeetingShare => "meeting.share",
            UseCase::MinutesSend => "minutes.send",
            UseCase::ParticipantAdd => "participant.add",
            UseCase::ParticipantRole => "participant.role",
            UseCase::ParticipantRemove => "participant.remove",
            UseCase::ParticipantPresence => "participant.presence",
            UseCase::TopicAdd => "topic.add",
            UseCase::TopicRename => "topic.rename",
            UseCase::TopicMove => "topic.move",
            UseCase::TopicDelete => "topic.delete",
            UseCase::ContributorAssign => "contributor.assign",
            UseCase::ContributorRemove => "contributor.remove",
            UseCase::ElementAdd => "element.add",
            UseCase::ImageAdd => "image.add",
            UseCase::ElementEdit => "element.edit",
            UseCase::ElementStatus => "element.status",
            UseCase::ElementMove => "element.move",
            UseCase::ElementDelete => "element.delete",
            UseCase::CommentAdd => "comment.add",
            UseCase::CommentEdit => "comment.edit",
            UseCase::CommentDelete => "comment.delete",
        }
    }

    /// The audit entry it must write: changes to access, roles,
    /// participants, sharing, status, settings, and every deletion.
    pub fn audit(self) -> Option<AuditKind> {
        use AuditKind as K;
        Some(match self {
            UseCase::TenantCreate => K::TenantCreated,
            UseCase::MemberInvite => K::InvitationSent,
            UseCase::AccountActivate => K::AccountActivated,
            UseCase::Login => K::LoginSucceeded,
            UseCase::LoginFailure => K::LoginFailed,
            UseCase::LoginThrottle => K::LoginThrottled,
            UseCase::Logout => K::Logout,
            UseCase::SessionEnd => K::SessionEnded,
            UseCase::PasswordForgot => K::PasswordResetRequested,
            UseCase::PasswordReset => K::PasswordReset,
            UseCase::PasswordChange => K::PasswordChanged,
            UseCase::MemberRole => K::RoleChanged,
            UseCase::MemberDisable => K::UserDisabled,
            UseCase::MemberEnable => K::UserEnabled,
            UseCase::ProfileUpdate => K::ProfileChanged,
            UseCase::ApiTokenCreate => K::ApiTokenCreated,
            UseCase::ApiTokenRevoke => K::ApiTokenRevoked,
            UseCase::RemindersSet => K::RemindersChanged,
            UseCase::CalendarFeedCreate => K::CalendarFeedCreated,
            UseCase::CalendarFeedRevoke => K::CalendarFeedRevoked,
            UseCase::EncryptionEnable => K::EncryptionEnabled,
            UseCase::EncryptionDisable => K::EncryptionDisabled,
            UseCase::KeyRotate => K::KeyRotated,
            UseCase::BackupSchedule => K::BackupScheduled,
            UseCase::SupportGrant => K::SupportAccessGranted,
            UseCase::SupportRevoke => K::SupportAccessRevoked,
            UseCase::TemplateSave => K::TemplateSaved,
            UseCase::TemplateDelete => K::TemplateDeleted,
            UseCase::MeetingCreate | UseCase::SeriesCreate | UseCase::MeetingFollowUp => K::MeetingCreated,
            UseCase::MeetingCancel => K::MeetingCancelled,
            UseCase::MeetingArchive => K::MeetingArchived,
            UseCase::MeetingShare => K::MeetingShared,
            UseCase::MinutesSend => K::MinutesSent,
            UseCase::ParticipantAdd => K::ParticipantAdded,
            UseCase::ParticipantRole => K::ParticipantRoleChanged,
            UseCase::ParticipantRemove => K::ParticipantRemoved,
            UseCase::ParticipantPresence => K::AttendanceRecorded,
            UseCase::ContributorAssign => K::ContributorAssigned,
            UseCase::ContributorRemove => K::ContributorRemoved,
            UseCase::TopicDelete | UseCase::ElementDelete | UseCase::CommentDelete => K::ContentDeleted,
            UseCase::MeetingUpdate
            | UseCase::TopicAdd
            | UseCase::TopicRename
            | UseCase::TopicMove
            | UseCase::ElementAdd
            | UseCase::ImageAdd
            | UseCase::ElementEdit
            | UseCase::ElementStatus
            | UseCase::ElementMove
            | UseCase::CommentAdd
            | UseCase::CommentEdit => return None,
        })
    }

    /// Whether it must write an entry in the meeting's change history:
    /// every change of a meeting's content (details, topics, elements,
    /// remarks, moves), deletions included.
    pub fn history(self) -> bool {
        matches!(
            self,
            UseCase::MeetingCreate
                | UseCase::SeriesCreate
                | UseCase::MeetingFollowUp
                | UseCase::MeetingUpdate
                | UseCase::TopicAdd
                | UseCase::TopicRename
                | UseCase::TopicMove
                | UseCase::TopicDelete
                | UseCase::ElementAdd
                | UseCase::ImageAdd
                | UseCase::ElementEdit
                | UseCase::ElementStatus
                | UseCase::ElementMove
                | UseCase::ElementDelete
                | UseCase::CommentAdd
                | UseCase::CommentEdit
                | UseCase::CommentDelete
        )
    }
}

/// One state change under way: its transaction and what it recorded.
pub(crate) struct Change<'a> {
    pub tx: Tx,
    app: &'a App,
    tenant: TenantId,
    actor: Option<UserId>,
    use_case: UseCase,
    pub now: Timestamp,
    audited: Vec<AuditKind>,
    histories: usize,
    mail_queued: bool,
    unchanged: bool,
}

impl<'a> Change<'a> {
    pub(crate) async fn begin(
        app: &'a App,
        tenant: TenantId,
        actor: Option<UserId>,
        use_case: UseCase,
    ) -> Result<Change<'a>, AppError> {
        Ok(Change {
            tx: app.store.begin().await?,
            app,
            tenant,
            actor,
            use_case,
            now: app.now(),
            audited: Vec::new(),
            histories: 0,
            mail_queued: false,
            unchanged: false,
        })
    }

    /// Append an entry to the tenant's audit chain (the acting user unless
    /// the draft names one).
    pub(crate) async fn audit(&mut self, mut draft: AuditDraft) -> Result<(), AppError> {
        if draft.actor_id.is_none() {
            draft.actor_id = self.actor;
        }
        self.tx.append_audit(self.tenant, &draft, self.now).await?;
        self.audited.push(draft.kind);
        Ok(())
    }

    /// Record a change of a meeting's content: which item, and what it was
    /// before (`None`: it did not exist), sealed like the content.
    pub(crate) async fn history(
        &mut self,
        keys: &TenantKeys,
        meeting: MeetingId,
        item: Item,
        before: Option<serde_json::Value>,
    ) -> Result<(), AppError> {
        let id = HistoryId::new();
        let before = match before {
            Some(v) => Some(keys.seal(Field::HistoryBefore, &id.to_string(), &v.to_string())?),
            None => None,
        };
        let row = HistoryRow {
            id,
            meeting_id: meeting,
            at: self.now,
            actor_id: self.actor,
            use_case: self.use_case.as_str().to_owned(),
            item_kind: item.kind,
            item_id: item.id,
            before,
        };
        self.tx.insert_history(self.tenant, &row).await?;
        self.histories += 1;
        Ok(())
    }

    /// A mail was queued: the worker is woken once the change commits.
    pub(crate) fn mail_queued(&mut self) {
        self.mail_queued = true;
    }

    /// The use case found nothing to change (the state is already the one
    /// asked for): it ends here, writing nothing, and answers `value`.
    pub(crate) fn unchanged<T>(&mut self, value: T) -> Result<T, AppError> {
        self.unchanged = true;
        Ok(value)
    }

    /// End the change: commit it if the use case succeeded and left its
    /// records, else roll it back.
    pub(crate) async fn finish<T>(self, out: Result<T, AppError>) -> Result<T, AppError> {
        let value = out?;
        if self.unchanged {
            // Nothing was meant to be written: roll back whatever was.
            return Ok(value);
        }
        if let Some(kind) = self.use_case.audit()
            && !self.audited.contains(&kind)
        {
            tracing::error!(use_case = self.use_case.as_str(), "a write left no audit entry; rolled back");
            return Err(AppError::Internal("write left unrecorded"));
        }
        if self.use_case.history() && self.histories == 0 {
            tracing::error!(use_case = self.use_case.as_str(), "a write left no history entry; rolled back");
            return Err(AppError::Internal("write left unrecorded"));
        }
        self.tx.commit().await?;
        if self.mail_queued {
            self.app.mail_wakeup.notify_one();
        }
        Ok(value)
    }
}

/// The item a history entry is about.
pub(crate) struct Item {
    kind: ItemKind,
    id: String,
}

impl Item {
    pub(crate) fn meeting(id: MeetingId) -> Item {
        Item { kind: ItemKind::Meeting, id: id.to_string() }
    }
    pub(crate) fn topic(id: ordo_core::ids::TopicId) -> Item {
        Item { kind: ItemKind::Topic, id: id.to_string() }
    }
    pub(crate) fn element(id: ordo_core::ids::ElementId) -> Item {
        Item { kind: ItemKind::Element, id: id.to_string() }
    }
    pub(crate) fn comment(id: ordo_core::ids::CommentId) -> Item {
        Item { kind: ItemKind::Comment, id: id.to_string() }
    }
}

/// Run a use case on the one write path:
/// `change!(app, tenant_id, Some(actor_id), UseCase::X, |c| { ... Ok(v) })`.
/// Inside the block, `c` is the [`Change`]: `c.tx` for reads and writes,
/// `c.audit(..)` and `c.history(..)` for the records; `return Err(..)`
/// (or `?`) abandons it. The block runs again, from a new transaction, on
/// a transient conflict.
macro_rules! change {
    ($app:expr, $tenant:expr, $actor:expr, $use_case:expr, |$c:ident| $body:block) => {{
        let use_case: $crate::write::UseCase = $use_case;
        let tenant: ordo_core::ids::TenantId = $tenant;
        // One span per change: its log lines name the use case and the
        // tenant, and a retry says which attempt it is.
        let span = tracing::info_span!("change", use_case = use_case.as_str(), tenant = %tenant, attempt = 0u32);
        tracing::Instrument::instrument(
            async {
                let mut attempt = 0u32;
                loop {
                    let result = match $crate::write::Change::begin($app, tenant, $actor, use_case).await {
                        Ok(mut $c) => {
                            let out = $crate::typed(async { $body }).await;
                            $c.finish(out).await
                        }
                        Err(e) => Err(e),
                    };
                    match result {
                        Err($crate::AppError::Store(e)) if e.is_retryable() && attempt < 5 => {
                            attempt += 1;
                            tracing::Span::current().record("attempt", attempt);
                            tracing::debug!(error = %e, "transient conflict, running the change again");
                            tokio::time::sleep(std::time::Duration::from_millis(20u64 << attempt)).await;
                        }
                        Err(e) => {
                            tracing::debug!(error = %e, "change refused");
                            break Err(e);
                        }
                        Ok(v) => {
                            tracing::info!("change committed");
                            break Ok(v);
                        }
                    }
                }
            },
            span,
        )
        .await
    }};
}
pub(crate) use change;

#[cfg(test)]
mod tests {
    use super::UseCase;

    #[test]
    fn every_use_case_declares_a_record_and_a_unique_name() {
        let mut names = std::collections::HashSet::new();
        for u in UseCase::ALL {
            assert!(u.audit().is_some() || u.history(), "{u:?} records nothing");
            assert!(names.insert(u.as_str()), "{u:?}: name used twice");
        }
    }
}
