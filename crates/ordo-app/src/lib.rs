//! Ordo's use cases: what a user, an admin or an operator can do, expressed over
//! the store and the crypto crate, with no knowledge of HTTP. The web layer and
//! the command-line tool both call these, so a rule holds whichever door is used.
#![forbid(unsafe_code)]

pub mod accounts;
pub mod audit;
pub mod backups;
pub mod cache;
pub mod calendar;
pub mod demo;
pub mod feeds;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
pub mod i18n;
pub mod images;
pub mod invitations;
pub mod keyops;
pub mod keys;
pub mod mail;
pub mod meetings;
pub mod metrics;
pub mod minutes;
pub mod pdf;
pub mod platform;
pub mod ratelimit;
mod rekey;
pub mod reminders;
pub mod richtext;
pub mod schema;
pub mod search;
pub mod series;
mod settings;
pub mod staff;
pub mod support;
pub mod templates;
pub mod write;

#[cfg(test)]
mod tests;

pub use accounts::User;
pub use settings::{AlertSettings, Mode, Settings, Webhook, WebhookFormat};

use ordo_core::Invalid;
use ordo_core::ids::{MeetingId, TenantId};
use ordo_core::time::{SharedClock, Timestamp};
use ordo_crypto::PasswordHasher;
use ordo_store::{Store, StoreError};
use std::sync::Arc;

/// The application: everything a use case needs. Cheap to clone.
#[derive(Clone, Debug)]
pub struct App {
    /// The database: reached only through the use cases. `ordo-web` and the
    /// command line do not depend on `ordo-store` (a test checks it).
    pub(crate) store: Store,
    pub clock: SharedClock,
    pub hasher: PasswordHasher,
    pub settings: Arc<Settings>,
    pub limiter: Arc<ratelimit::LoginLimiter>,
    pub keys: Arc<keys::Keys>,
    /// Wakes the mail worker when a message is queued.
    pub mail_wakeup: Arc<tokio::sync::Notify>,
    /// Wakes the alert delivery worker when an alert is queued.
    pub alert_wakeup: Arc<tokio::sync::Notify>,
    /// Wakes the support chat's live streams on this node when a message
    /// arrives (other nodes' streams find it within a second).
    pub support_wakeup: Arc<tokio::sync::Notify>,
    /// Decrypted meeting content, reused while its revision is current.
    pub meeting_cache: Arc<cache::RevisionCache<(TenantId, MeetingId), meetings::Content>>,
    /// Request counters and latencies, for the metrics listener.
    pub metrics: Arc<metrics::Metrics>,
    /// The memory budget for decoding uploaded pictures.
    pub images: Arc<images::DecodeBudget>,
    /// Bounds concurrent Argon2 computations (19 MiB each), so a burst of
    /// sign-ins queues instead of exhausting memory.
    hashing: Arc<tokio::sync::Semaphore>,
}

impl App {
    pub fn new(store: Store, clock: SharedClock, settings: Settings, keys: keys::Keys) -> Result<Self, AppError> {
        let hasher = PasswordHasher::new(settings.password_params)?;
        let limiter = Arc::new(ratelimit::LoginLimiter::new(settings.login_limits));
        let cache_entries = settings.meeting_cache_entries;
        let settings_image_budget = settings.image_decode_budget_mib;
        Ok(Self {
            store,
            clock,
            hasher,
            settings: Arc::new(settings),
            limiter,
            keys: Arc::new(keys),
            mail_wakeup: Arc::new(tokio::sync::Notify::new()),
            alert_wakeup: Arc::new(tokio::sync::Notify::new()),
            support_wakeup: Arc::new(tokio::sync::Notify::new()),
            meeting_cache: Arc::new(cache::RevisionCache::new(cache_entries)),
            images: Arc::new(images::DecodeBudget::new(settings_image_budget)),
            metrics: Arc::new(metrics::Metrics::default()),
            hashing: Arc::new(tokio::sync::Semaphore::new(
                std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2).max(2),
            )),
        })
    }

    /// Open the database at `url` (migrating it), then the application,
    /// and check that the master key is the one the database was set up
    /// with.
    pub async fn open(url: &str, clock: SharedClock, settings: Settings, keys: keys::Keys) -> Result<Self, AppError> {
        let store = Store::connect(url).await?;
        store.migrate().await?;
        let app = App::new(store, clock, settings, keys)?;
        keyops::check_master_key(&app).await?;
        Ok(app)
    }

    /// The database, for the platform crates beside this one (`ordo-ops`:
    /// the tenant watch and the alert queue). Web handlers and the command
    /// line go through the use cases instead.
    #[doc(hidden)]
    pub fn platform_store(&self) -> &Store {
        &self.store
    }

    /// Is the database answering (readiness)?
    pub async fn ready(&self) -> bool {
        self.store.ping().await
    }

    /// `sqlite` or `postgres`, for the logs.
    pub fn engine(&self) -> &'static str {
        match self.store.engine() {
            ordo_store::Engine::Sqlite => "sqlite",
            ordo_store::Engine::Postgres => "postgres",
        }
    }

    /// Close the database's connections (at shutdown).
    pub async fn close(&self) {
        self.store.close().await;
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// Run password hashing or verification off the async runtime: it takes
    /// tens of milliseconds of CPU and would otherwise stall other requests.
    pub async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&PasswordHasher) -> T + Send + 'static,
    ) -> Result<T, AppError> {
        let _permit = self.hashing.acquire().await.map_err(|_| AppError::Internal("hashing pool closed"))?;
        let h = self.hasher.clone();
        tokio::task::spawn_blocking(move || f(&h)).await.map_err(|_| AppError::Internal("worker task failed"))
    }
}

/// The application layer's one error type. The web layer maps each variant to
/// a status and a translated message; `Store` and `Crypto` details go to the
/// log only.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("invalid input: {0}")]
    Invalid(#[from] Invalid),
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    #[error("conflict: {0:?}")]
    Conflict(Conflict),
    #[error("wrong e-mail or password")]
    BadCredentials,
    #[error("too many attempts; retry in {retry_after_secs} s")]
    Throttled { retry_after_secs: i64 },
    /// A bounded resource (the pictures' decoding budget) stayed full.
    #[error("busy; retry in {retry_after_secs} s")]
    Busy { retry_after_secs: i64 },
    #[error("link invalid, used or expired")]
    BadToken,
    #[error(transparent)]
    Store(StoreError),
    #[error(transparent)]
    Crypto(#[from] ordo_crypto::CryptoError),
    #[error(transparent)]
    Backup(#[from] ordo_backup::BackupError),
    #[error("internal error: {0}")]
    Internal(&'static str),
    #[error(
        "the master key does not match this database: it was set up with another one. \
         Set ORDO_MASTER_KEY_FILE to the right key (and ORDO_OLD_MASTER_KEY_FILES during a rotation)"
    )]
    WrongMasterKey,
}

/// Why a write was refused because of the state it met (HTTP 409).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Conflict {
    /// Someone saved a newer version since the form was loaded.
    Version,
    /// The meeting already has its next one (prepared meanwhile).
    FollowUp,
    /// The e-mail address belongs to another account (or a disabled one).
    EmailTaken,
    /// The address (slug) belongs to another organisation.
    SlugTaken,
    /// A tenant key of that version exists already.
    KeyExists,
    /// The series has no meeting after this one (its end was reached).
    SeriesEnded,
}

impl Conflict {
    /// Its stable name: the API's `field` of a 409 answer, and the end of
    /// its message's translation key.
    pub fn as_str(self) -> &'static str {
        match self {
            Conflict::Version => "version",
            Conflict::FollowUp => "follow_up",
            Conflict::EmailTaken => "email",
            Conflict::SlugTaken => "slug",
            Conflict::KeyExists => "key",
            Conflict::SeriesEnded => "series_ended",
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            // A uniqueness rule is the user's problem, not a server fault.
            StoreError::Conflict(ordo_store::Unique::Email) => AppError::Conflict(Conflict::EmailTaken),
            StoreError::Conflict(ordo_store::Unique::Slug) => AppError::Conflict(Conflict::SlugTaken),
            StoreError::Conflict(ordo_store::Unique::TenantKey) => AppError::Conflict(Conflict::KeyExists),
            other => AppError::Store(other),
        }
    }
}

impl From<ordo_core::policy::Denied> for AppError {
    fn from(_: ordo_core::policy::Denied) -> Self {
        AppError::Forbidden
    }
}

/// Pins an async block's output type so that `?` inside it converts into
/// `AppError` (async blocks cannot name their return type).
#[doc(hidden)]
pub fn typed<T, F: std::future::Future<Output = Result<T, AppError>>>(f: F) -> F {
    f
}

/// Run a block (usually one transaction) again, a few times, when the
/// database reports a transient conflict (SQLite busy, PostgreSQL
/// serialisation failure or deadlock). Everything else is returned as is.
macro_rules! retrying {
    ($body:block) => {{
        let mut attempt = 0u32;
        loop {
            match $crate::typed(async $body).await {
                Err($crate::AppError::Store(e)) if e.is_retryable() && attempt < 5 => {
                    attempt += 1;
                    tokio::time::sleep(std::time::Duration::from_millis(20u64 << attempt)).await;
                }
                other => break other,
            }
        }
    }};
}
pub(crate) use retrying;
