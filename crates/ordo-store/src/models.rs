//! Rows as the rest of Ordo sees them: typed, parsed, tenant-scoped.

use ordo_core::audit::AuditKind;
use ordo_core::ids::{AuditId, CommentId, ElementId, MailId, MeetingId, SessionId, TenantId, TopicId, UserId};
use ordo_core::meeting::{ActionStatus, ElementKind, MeetingRole, MeetingStatus};
use ordo_core::time::Timestamp;
use ordo_core::user::{Locale, Role, UserStatus};
pub use ordo_crypto::field::Sealed;

pub use ordo_core::tenant::Tenant;

/// A user as stored: contact details sealed (see `ordo_crypto::field`).
#[derive(Clone, Debug)]
pub struct UserRow {
    pub tenant_id: TenantId,
    pub id: UserId,
    pub email: Sealed,
    pub display_name: Sealed,
    pub phone: Option<Sealed>,
    pub role: Role,
    pub status: UserStatus,
    pub locale: Option<Locale>,
    /// An IANA zone name (`ordo_core::dates::Zone`), as the user chose it.
    pub time_zone: Option<String>,
    pub password_hash: Option<String>,
    pub created_at: Timestamp,
}

/// A user to create; contact details already sealed for their row.
pub struct NewUser {
    pub id: UserId,
    pub email: Sealed,
    pub email_index: String,
    pub display_name: Sealed,
    pub role: Role,
    pub status: UserStatus,
    pub locale: Option<Locale>,
}

pub use ordo_core::session::Session;

pub struct NewSession {
    pub id: SessionId,
    pub secret_hash: String,
    pub user_id: UserId,
    pub csrf_token: String,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub ip: String,
    pub user_agent: String,
}

/// Why a single-use token was issued.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenPurpose {
    Activation,
    Reset,
}

impl TokenPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenPurpose::Activation => "activation",
            TokenPurpose::Reset => "reset",
        }
    }
}

/// An entry to append to a tenant's audit log.
#[derive(Clone, Debug)]
pub struct AuditDraft {
    pub kind: AuditKind,
    pub actor_id: Option<UserId>,
    pub subject_id: Option<UserId>,
    pub ip: Option<String>,
    /// Small JSON object with the facts of the event; never a secret.
    pub detail: String,
}

impl AuditDraft {
    pub fn new(kind: AuditKind) -> Self {
        Self { kind, actor_id: None, subject_id: None, ip: None, detail: "{}".into() }
    }
    pub fn actor(mut self, id: UserId) -> Self {
        self.actor_id = Some(id);
        self
    }
    pub fn subject(mut self, id: UserId) -> Self {
        self.subject_id = Some(id);
        self
    }
    pub fn ip(mut self, ip: impl Into<String>) -> Self {
        self.ip = Some(ip.into());
        self
    }
    pub fn detail(mut self, json: impl Into<String>) -> Self {
        self.detail = json.into();
        self
    }
}

/// A stored audit entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEntry {
    pub tenant_id: TenantId,
    pub seq: i64,
    pub id: AuditId,
    pub at: Timestamp,
    pub actor_id: Option<String>,
    pub kind: String,
    pub subject_id: Option<String>,
    pub ip: Option<String>,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditEntry {
    /// The chain hash: SHA-256 over the length-prefixed fields and the hash
    /// of the entry before (empty for the first).
    pub fn compute_hash(&self) -> String {
        let seq = self.seq.to_string();
        let at = self.at.unix().to_string();
        let tenant = self.tenant_id.to_string();
        let id = self.id.to_string();
        ordo_crypto::digest::sha256_parts_hex(&[
            b"ordo-audit-v1",
            tenant.as_bytes(),
            seq.as_bytes(),
            id.as_bytes(),
            at.as_bytes(),
            self.actor_id.as_deref().unwrap_or("").as_bytes(),
            self.kind.as_bytes(),
            self.subject_id.as_deref().unwrap_or("").as_bytes(),
            self.ip.as_deref().unwrap_or("").as_bytes(),
            self.detail.as_bytes(),
            self.prev_hash.as_bytes(),
        ])
    }
}

/// The result of checking a tenant's audit chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChainCheck {
    Intact {
        entries: i64,
    },
    /// The first entry that does not fit; `seq` is where the chain breaks.
    Broken {
        seq: i64,
        reason: String,
    },
}

/// A message waiting in (or sent from) the outbox; its content is sealed
/// like any protected value of its tenant (plain-marked for platform mail).
#[derive(Clone, Debug)]
pub struct Mail {
    pub id: MailId,
    pub tenant_id: Option<TenantId>,
    pub recipient: Sealed,
    pub subject: Sealed,
    pub body_text: Sealed,
    /// The HTML alternative, if the message has one.
    pub body_html: Option<Sealed>,
    /// The attachments (one sealed list), if any.
    pub attachments: Option<Sealed>,
    pub attempts: i64,
    pub created_at: Timestamp,
}

pub struct NewMail {
    pub id: MailId,
    pub recipient: Sealed,
    pub subject: Sealed,
    pub body_text: Sealed,
    pub body_html: Option<Sealed>,
    pub attachments: Option<Sealed>,
}

/// A wrapped tenant key (data or index), as stored.
#[derive(Clone, Debug)]
pub struct TenantKeyRow {
    pub purpose: String,
    pub version: u32,
    pub wrapped: String,
}

/// The state of a message in the outbox.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MailStatus {
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
}

/// A meeting as stored; protected texts sealed.
#[derive(Clone, Debug)]
pub struct MeetingRow {
    pub tenant_id: TenantId,
    pub id: MeetingId,
    pub title: Sealed,
    pub objectives: Sealed,
    pub place: Sealed,
    pub starts_at: Timestamp,
    pub time_zone: String,
    pub duration_minutes: i64,
    pub organiser_id: UserId,
    pub status: MeetingStatus,
    /// Moves on with each edit of the details (optimistic concurrency).
    pub version: i64,
    /// Moves on with every change to the meeting or its content (set by
    /// database triggers; ignored on insert and update).
    pub revision: i64,
    /// The iCalendar SEQUENCE of the invitations sent so far (set by
    /// `raise_ics_sequence`; ignored on insert and update).
    pub ics_sequence: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Clone, Debug)]
pub struct ParticipantRow {
    pub user_id: UserId,
    pub role: MeetingRole,
    pub shared_at: Option<Timestamp>,
    /// Was at the meeting (`None`: not recorded).
    pub present: Option<bool>,
}

#[derive(Clone, Debug)]
pub struct TopicRow {
    pub id: TopicId,
    pub meeting_id: MeetingId,
    pub parent_id: Option<TopicId>,
    pub position: i64,
    pub title: Sealed,
}

#[derive(Clone, Debug)]
pub struct ElementRow {
    pub id: ElementId,
    pub meeting_id: MeetingId,
    pub topic_id: TopicId,
    pub position: i64,
    pub kind: ElementKind,
    pub title: Sealed,
    pub description: Sealed,
    pub due_date: Option<String>,
    pub action_status: Option<ActionStatus>,
    pub created_by: UserId,
    pub version: i64,
    pub updated_at: Timestamp,
}

#[derive(Clone, Debug)]
pub struct CommentRow {
    pub id: CommentId,
    pub meeting_id: MeetingId,
    pub element_id: ElementId,
    pub parent_id: Option<CommentId>,
    pub author_id: UserId,
    pub body: Sealed,
    pub created_at: Timestamp,
}

/// A personal API token (its secret is never stored).
#[derive(Clone, Debug)]
pub struct ApiToken {
    pub tenant_id: TenantId,
    pub id: String,
    pub user_id: UserId,
    /// Sealed like meeting data (the owner may name it after a project).
    pub name: Sealed,
    pub created_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
    pub revoked: bool,
}

/// An image, sealed; its id is its element's.
#[derive(Clone, Debug)]
pub struct AttachmentRow {
    pub id: ElementId,
    pub meeting_id: MeetingId,
    pub content_type: String,
    pub size: i64,
    pub width: i64,
    pub height: i64,
    pub data: Sealed,
}
