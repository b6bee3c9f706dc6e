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
    pub password_params: PasswordParams,
    pub login_limits: LoginLimits,
    /// Largest image accepted, in bytes.
    pub max_image_bytes: usize,
    /// Largest image accepted, in pixels (width × height).
    pub max_image_pixels: u64,
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
    pub backup_scheduler: bool,
    /// The configuration file in use, if any: the platform backup keeps it.
    pub config_file: Option<PathBuf>,
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
            password_params: PasswordParams::OWASP,
            login_limits: LoginLimits::default(),
            max_image_bytes: 5 * 1024 * 1024,
            max_image_pixels: 40_000_000,
            meeting_cache_entries: 256,
            backup_target: ordo_backup::target::TargetSpec::Dir(data_dir.join("backups")),
            backup_tenant_targets: Default::default(),
            backup_work_dir: data_dir.join("tmp"),
            backup_quota_bytes: 100 * 1_000_000_000,
            backup_retention: ordo_backup::retention::Retention::default(),
            backup_scheduler: true,
            config_file: None,
        }
    }

    /// Is the public address served over TLS (then HSTS is sent)?
    pub fn is_https(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}
