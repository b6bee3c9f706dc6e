//! Runtime settings the use cases depend on. The binary fills them from the
//! configuration file and `ORDO_*` environment variables.

use crate::ratelimit::LoginLimits;
use ordo_crypto::PasswordParams;
use secrecy::SecretString;
use std::path::PathBuf;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Mode {
    #[default]
    Development,
    Production,
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub mode: Mode,
    /// The address users reach Ordo at, without a trailing slash
    /// (`https://ordo.example.com`). Links in e-mails start with it.
    pub public_url: String,
    pub session_idle_secs: i64,
    pub session_max_secs: i64,
    pub activation_ttl_secs: i64,
    pub reset_ttl_secs: i64,
    pub mail_from: String,
    /// `smtp://`, `smtps://` (TLS) or `smtp://...?tls=required` (STARTTLS);
    /// it may hold a password, hence secret. None: write `.eml` files.
    pub smtp_url: Option<SecretString>,
    pub mail_dir: PathBuf,
    /// The data directory (the watch checks its disk's free space).
    pub data_dir: PathBuf,
    pub password_params: PasswordParams,
    pub login_limits: LoginLimits,
    /// Largest image accepted, in bytes.
    pub max_image_bytes: usize,
    /// Largest image accepted, in pixels (width × height).
    pub max_image_pixels: u64,
    /// Memory the node spends on decoding pictures at once, in MiB: uploads
    /// beyond it wait (then are refused as busy).
    pub image_decode_budget_mib: u32,
    /// How many decrypted meetings the server keeps in memory to serve
    /// their pages without reading and decrypting them again (0: none).
    pub meeting_cache_entries: usize,
    /// Where tenant backups go (default: `<data-dir>/backups`).
    pub backup_target: ordo_backup::target::TargetSpec,
    /// Tenants whose backups go to a target of their own (a bucket with
    /// its own credentials), by slug.
    pub backup_tenant_targets: std::collections::BTreeMap<String, ordo_backup::target::TargetSpec>,
    /// Scratch space for archives being written or restored.
    pub backup_work_dir: PathBuf,
    /// Most a tenant's backups may take in the target (bytes).
    pub backup_quota_bytes: u64,
    /// Which snapshots are kept.
    pub backup_retention: ordo_backup::retention::Retention,
    /// Whether `ordo serve` runs due backups and drills itself.
    /// Send the daily digest of actions due soon (tests call it themselves).
    pub reminders: bool,
    pub backup_scheduler: bool,
    /// The configuration file in use, if any: the platform backup keeps it.
    pub config_file: Option<PathBuf>,
    /// Watching tenants and alerting on-call.
    pub alerts: AlertSettings,
}

/// How an alert is written for a team chat's incoming webhook.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WebhookFormat {
    Slack,
    Mattermost,
    Teams,
    /// Ordo's own JSON, signed with HMAC-SHA-256 when a secret is set.
    Json,
}

impl WebhookFormat {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "slack" => Some(Self::Slack),
            "mattermost" => Some(Self::Mattermost),
            "teams" => Some(Self::Teams),
            "json" => Some(Self::Json),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Slack => "slack",
            Self::Mattermost => "mattermost",
            Self::Teams => "teams",
            Self::Json => "json",
        }
    }
}

/// One team-chat webhook. Its address usually carries a token: secret.
#[derive(Clone, Debug)]
pub struct Webhook {
    /// How deliveries name it (in the log and the database, instead of the address).
    pub name: String,
    pub url: SecretString,
    pub format: WebhookFormat,
    /// Signs `json` payloads (Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature`).
    pub secret: Option<SecretString>,
}

/// The tenant watch and its alert rules (docs/operations.md, "Alerting").
#[derive(Clone, Debug)]
pub struct AlertSettings {
    pub webhooks: Vec<Webhook>,
    /// On-call addresses that receive every alert by e-mail too.
    pub emails: Vec<String>,
    /// Whether `ordo serve` runs the watch (one node at a time).
    pub watch: bool,
    /// Seconds between two rounds of probes.
    pub interval_secs: u64,
    /// A failed probe is tried again this many seconds later before it counts.
    pub retry_secs: u64,
    /// A probe slower than this makes the tenant "degraded".
    pub latency_ms: i64,
    /// Server errors above this share of a tenant's requests over 5 minutes…
    pub error_rate_percent: i64,
    /// …once it had at least this many requests.
    pub error_min_requests: i64,
    /// A tenant whose last good backup is older than this.
    pub backup_age_hours: i64,
    /// Free space of the data directory's disk under this share.
    pub disk_free_percent: i64,
    /// The public certificate expires within this many days.
    pub cert_days: i64,
    /// Reminders while an incident stays open.
    pub remind_minutes: i64,
}

impl Default for AlertSettings {
    fn default() -> Self {
        Self {
            webhooks: Vec::new(),
            emails: Vec::new(),
            watch: true,
            interval_secs: 60,
            retry_secs: 10,
            latency_ms: 2000,
            error_rate_percent: 5,
            error_min_requests: 20,
            backup_age_hours: 26,
            disk_free_percent: 10,
            cert_days: 14,
            remind_minutes: 60,
        }
    }
}

impl Settings {
    /// Defaults for a development install rooted at `data_dir`.
    pub fn development(data_dir: &std::path::Path, public_url: &str) -> Self {
        Self {
            mode: Mode::Development,
            public_url: public_url.trim_end_matches('/').to_owned(),
            session_idle_secs: 30 * 60,
            session_max_secs: 12 * 3600,
            activation_ttl_secs: 72 * 3600,
            reset_ttl_secs: 30 * 60,
            mail_from: "Ordo <no-reply@localhost>".into(),
            smtp_url: None,
            mail_dir: data_dir.join("mail"),
            data_dir: data_dir.to_path_buf(),
            password_params: PasswordParams::OWASP,
            login_limits: LoginLimits::default(),
            max_image_bytes: 5 * 1024 * 1024,
            max_image_pixels: 40_000_000,
            image_decode_budget_mib: 512,
            meeting_cache_entries: 256,
            backup_target: ordo_backup::target::TargetSpec::Dir(data_dir.join("backups")),
            backup_tenant_targets: Default::default(),
            backup_work_dir: data_dir.join("tmp"),
            backup_quota_bytes: 100 * 1_000_000_000,
            backup_retention: ordo_backup::retention::Retention::default(),
            backup_scheduler: true,
            reminders: true,
            config_file: None,
            alerts: AlertSettings::default(),
        }
    }

    /// Is the public address served over TLS (then HSTS is sent)?
    pub fn is_https(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}
