//! Ordo's persistence. One [`Store`] over SQLite (embedded, the default) or
//! PostgreSQL, chosen by URL. Every query is written once, with `$n`
//! placeholders that both engines accept, and runs on either engine through the
//! [`run!`] dispatch; each engine keeps its own migrations.
//!
//! Every operation on tenant data takes a [`TenantId`](ordo_core::ids::TenantId)
//! and filters on it: there is no query that can read another tenant's rows by
//! accident. On PostgreSQL, row-level security checks it again ([`scope`]).
#![forbid(unsafe_code)]

mod conn;
pub mod dump;
mod migrate;
pub mod models;
mod queries;
mod row;
pub mod scope;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
#[cfg(test)]
mod tests;

pub use conn::{Store, Tx};
/// The schema version this build creates and reads (its latest migration).
pub use migrate::LATEST as SCHEMA_VERSION;
pub use models::*;
pub use queries::{
    BackupRun, Blob, ConversationRow, Delivery, Gauges, GrantRow, HistoryRow, Hit, Incident, ItemKind, Job,
    MeetingLinks, MessageRow, Origin, PlatformAuditEntry, ReminderPref, SealedRow, SealedTable, SeriesRow, StaffRow,
    StaffSession, StatusChange, TemplateRow, TenantStatusRow, Term,
};

/// The store layer's one error type.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness rule was broken; the value says which.
    #[error("already exists: {0:?}")]
    Conflict(Unique),
    /// Another writer changed the row first (optimistic check failed).
    #[error("concurrent update")]
    Concurrent,
    /// A value read back from the database is not valid (tampering or a bug).
    #[error("corrupt value in column {0}")]
    Corrupt(&'static str),
    #[error("unsupported database URL (expected sqlite: or postgres://)")]
    BadUrl,
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migration {version} failed: {source}")]
    Migration { version: i64, source: sqlx::Error },
}

impl StoreError {
    /// True when retrying the whole operation may succeed.
    pub fn is_retryable(&self) -> bool {
        match self {
            StoreError::Concurrent => true,
            StoreError::Db(sqlx::Error::Database(e)) => {
                // SQLite "database is locked"/"busy"; PostgreSQL serialization
                // failure or deadlock.
                let code = e.code().unwrap_or_default();
                matches!(code.as_ref(), "5" | "6" | "517" | "40001" | "40P01")
            }
            _ => false,
        }
    }
}

/// The uniqueness rules a write can break.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unique {
    /// An account (or staff member) with this e-mail address exists.
    Email,
    /// A tenant with this address exists.
    Slug,
    /// A tenant key of this purpose and version exists.
    TenantKey,
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Which engine a store runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// The engine of a concrete connection, inside [`run!`] bodies.
pub(crate) trait EngineOf {
    const ENGINE: Engine;
}
impl EngineOf for sqlx::SqliteConnection {
    const ENGINE: Engine = Engine::Sqlite;
}
impl EngineOf for sqlx::PgConnection {
    const ENGINE: Engine = Engine::Postgres;
}
impl Engine {
    pub(crate) fn of<C: EngineOf>(_: &C) -> Engine {
        C::ENGINE
    }
}
