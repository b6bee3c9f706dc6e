//! What the audit log records. The names are stable: they are hashed into the
//! chain and read by auditors.

use std::fmt;
use std::str::FromStr;

#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub enum AuditKind {
    TenantCreated,
    LoginSucceeded,
    LoginFailed,
    LoginThrottled,
    Logout,
    AccountActivated,
    PasswordChanged,
    PasswordResetRequested,
    PasswordReset,
    InvitationSent,
    RoleChanged,
    UserDisabled,
    UserEnabled,
    SessionEnded,
    ProfileChanged,
    EncryptionEnabled,
    EncryptionDisabled,
    KeyRotated,
    MeetingCreated,
    MeetingShared,
    MeetingCancelled,
    MeetingArchived,
    MinutesSent,
    CalendarFeedCreated,
    CalendarFeedRevoked,
    ParticipantRemoved,
    ApiTokenCreated,
    ApiTokenRevoked,
    TenantRestored,
    ContentDeleted,
    SupportAccessGranted,
    SupportAccessRevoked,
    SupportMeetingViewed,
    TemplateSaved,
    TemplateDeleted,
    ParticipantAdded,
    ParticipantRoleChanged,
    AttendanceRecorded,
    ContributorAssigned,
    ContributorRemoved,
    RemindersChanged,
    BackupScheduled,
}

impl AuditKind {
    pub const ALL: [AuditKind; 42] = [
        AuditKind::TenantCreated,
        AuditKind::LoginSucceeded,
        AuditKind::LoginFailed,
        AuditKind::LoginThrottled,
        AuditKind::Logout,
        AuditKind::AccountActivated,
        AuditKind::PasswordChanged,
        AuditKind::PasswordResetRequested,
        AuditKind::PasswordReset,
        AuditKind::InvitationSent,
        AuditKind::RoleChanged,
        AuditKind::UserDisabled,
        AuditKind::UserEnabled,
        AuditKind::SessionEnded,
        AuditKind::ProfileChanged,
        AuditKind::EncryptionEnabled,
        AuditKind::EncryptionDisabled,
        AuditKind::KeyRotated,
        AuditKind::MeetingCreated,
        AuditKind::MeetingShared,
        AuditKind::MeetingCancelled,
        AuditKind::MeetingArchived,
        AuditKind::MinutesSent,
        AuditKind::CalendarFeedCreated,
        AuditKind::CalendarFeedRevoked,
        AuditKind::ParticipantRemoved,
        AuditKind::ApiTokenCreated,
        AuditKind::ApiTokenRevoked,
        AuditKind::TenantRestored,
        AuditKind::ContentDeleted,
        AuditKind::SupportAccessGranted,
        AuditKind::SupportAccessRevoked,
        AuditKind::SupportMeetingViewed,
        AuditKind::TemplateSaved,
        AuditKind::TemplateDeleted,
        AuditKind::ParticipantAdded,
        AuditKind::ParticipantRoleChanged,
        AuditKind::AttendanceRecorded,
        AuditKind::ContributorAssigned,
        AuditKind::ContributorRemoved,
        AuditKind::RemindersChanged,
        AuditKind::BackupScheduled,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            AuditKind::TenantCreated => "tenant.created",
            AuditKind::LoginSucceeded => "login.succeeded",
            AuditKind::LoginFailed => "login.failed",
            AuditKind::LoginThrottled => "login.throttled",
            AuditKind::Logout => "logout",
            AuditKind::AccountActivated => "account.activated",
            AuditKind::PasswordChanged => "password.changed",
            AuditKind::PasswordResetRequested => "password.reset_requested",
            AuditKind::PasswordReset => "password.reset",
            AuditKind::InvitationSent => "invitation.sent",
            AuditKind::RoleChanged => "role.changed",
            AuditKind::UserDisabled => "user.disabled",
            AuditKind::UserEnabled => "user.enabled",
            AuditKind::SessionEnded => "session.ended",
            AuditKind::ProfileChanged => "profile.changed",
            AuditKind::EncryptionEnabled => "encryption.enabled",
            AuditKind::EncryptionDisabled => "encryption.disabled",
            AuditKind::KeyRotated => "key.rotated",
            AuditKind::MeetingCreated => "meeting.created",
            AuditKind::MeetingShared => "meeting.shared",
            AuditKind::MeetingCancelled => "meeting.cancelled",
            AuditKind::MeetingArchived => "meeting.archived",
            AuditKind::MinutesSent => "minutes.sent",
            AuditKind::CalendarFeedCreated => "calendar_feed.created",
            AuditKind::CalendarFeedRevoked => "calendar_feed.revoked",
            AuditKind::ParticipantRemoved => "meeting.participant_removed",
            AuditKind::ApiTokenCreated => "api_token.created",
            AuditKind::ApiTokenRevoked => "api_token.revoked",
            AuditKind::TenantRestored => "tenant.restored",
            AuditKind::ContentDeleted => "meeting.content_deleted",
            AuditKind::SupportAccessGranted => "support.access_granted",
            AuditKind::SupportAccessRevoked => "support.access_revoked",
            AuditKind::SupportMeetingViewed => "support.meeting_viewed",
            AuditKind::TemplateSaved => "template.saved",
            AuditKind::TemplateDeleted => "template.deleted",
            AuditKind::ParticipantAdded => "meeting.participant_added",
            AuditKind::ParticipantRoleChanged => "meeting.participant_role_changed",
            AuditKind::AttendanceRecorded => "meeting.attendance_recorded",
            AuditKind::ContributorAssigned => "meeting.contributor_assigned",
            AuditKind::ContributorRemoved => "meeting.contributor_removed",
            AuditKind::RemindersChanged => "reminders.changed",
            AuditKind::BackupScheduled => "backup.scheduled",
        }
    }
}

impl FromStr for AuditKind {
    type Err = crate::Invalid;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AuditKind::ALL.into_iter().find(|k| k.as_str() == s).ok_or(crate::Invalid::new("kind", "audit_kind.invalid"))
    }
}

impl fmt::Display for AuditKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
