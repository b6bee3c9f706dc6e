//! The queries, grouped by what they hold. Each is written once and runs on
//! both engines.

mod audit;
mod gauges;
pub use gauges::Gauges;
mod backups;
mod feeds;
mod history;
pub use backups::{BackupRun, Job};
pub use history::{HistoryRow, ItemKind};
mod keys;
pub use keys::{Blob, SealedRow, SealedTable};
mod meetings;
mod outbox;
mod search;
pub use search::{Hit, Term};
mod series;
pub use series::{MeetingLinks, Origin, SeriesRow};
mod sessions;
mod tenants;
mod tokens;
mod tokens_api;
mod users;
mod watch;
pub use watch::{Delivery, Incident, StatusChange, TenantStatusRow};
mod staff;
pub use staff::{PlatformAuditEntry, StaffRow, StaffSession};
mod support;
pub use support::{ConversationRow, GrantRow, MessageRow};
mod templates;
pub use templates::{ReminderPref, TemplateRow};
