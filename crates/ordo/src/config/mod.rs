//! Configuration: defaults, then the TOML file given by `--config` (or
//! `ORDO_CONFIG`), then `ORDO_*` environment variables, then command-line
//! flags. Unknown keys in the file are refused (a typo must not silently
//! leave a default in place). Secrets are redacted from `Debug` output.
//!
//! The layering is written out (`env(..).or(file.key)`, then bounds) rather
//! than left to a layering crate (figment, config): the TOML parsing and the
//! unknown-key refusal are serde and toml's, and what remains is each key's
//! bounds and its error naming the key and the reason, which such a crate
//! leaves to us anyway; doing it by hand costs no dependency and keeps every
//! secret in a `SecretString` from the moment it is read.
//!
//! The file's shape is in [`file`], alerting in [`alerting`], backup targets
//! in [`backup`].

use ordo_app::{Mode, Settings};
use ordo_backup::target::TargetSpec;
use secrecy::{ExposeSecret, SecretString};
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};

mod alerting;
mod backup;
mod file;

use alerting::alert_settings;
use backup::{backup_target, tenant_targets};
use file::FileConfig;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the configuration file {path}: {reason}")]
    Read { path: String, reason: String },
    #[error("the configuration file {path} is not valid: {reason}")]
    Parse { path: String, reason: String },
    #[error("invalid value for {key}: {reason}")]
    Invalid { key: &'static str, reason: String },
    #[error("refusing to start in production mode:\n{0}")]
    Production(String),
    #[error("{0}")]
    Io(String),
}

/// Values given on the command line (already merged with their `ORDO_*`
/// variable by clap).
#[derive(Default, Debug, Clone)]
pub struct Overrides {
    pub config: Option<PathBuf>,
    pub data_dir: Option<PathBuf>,
    pub listen: Option<String>,
    pub metrics_listen: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// The effective configuration.
#[derive(Debug)]
pub struct Config {
    /// The configuration file read, if any.
    pub config_file: Option<PathBuf>,
    pub mode: Mode,
    pub listen: SocketAddr,
    /// The metrics listener (None: off).
    pub metrics_listen: Option<SocketAddr>,
    pub data_dir: PathBuf,
    /// May hold a password, hence secret.
    pub database_url: SecretString,
    pub public_url: String,
    pub master_key_file: Option<PathBuf>,
    /// Master keys still accepted for unwrapping during a rotation.
    pub old_master_key_files: Vec<PathBuf>,
    /// The tenant key store (tenants' key-encryption keys).
    pub key_dir: PathBuf,
    pub smtp_url: Option<SecretString>,
    pub mail_from: String,
    pub session_idle_minutes: i64,
    pub session_max_hours: i64,
    pub activation_ttl_hours: i64,
    pub reset_ttl_minutes: i64,
    pub trusted_proxies: Vec<IpAddr>,
    pub max_image_bytes: i64,
    pub max_image_pixels: i64,
    /// Memory for decoding pictures at once, in MiB.
    pub image_decode_budget_mb: i64,
    /// Decrypted meetings kept in memory (0: none).
    pub meeting_cache_entries: i64,
    /// Most a tenant's backups may take, in GB (10^9 bytes).
    pub backup_quota_gb: i64,
    pub backup_retention: ordo_backup::retention::Retention,
    /// Where tenant backups go (its secret is redacted from debug output).
    pub backup_target: TargetSpec,
    /// Tenants with a bucket (and credentials) of their own.
    pub backup_tenant_targets: std::collections::BTreeMap<String, TargetSpec>,
    pub log: String,
    pub log_format: LogFormat,
    /// The tenant watch and where alerts go (webhook addresses are secret).
    pub alerts: ordo_app::AlertSettings,
}

fn env(key: &str) -> Option<String> {
    std::env::var(key).ok().filter(|v| !v.is_empty())
}

fn int(
    key: &'static str,
    env_key: &str,
    file: Option<i64>,
    default: i64,
    min: i64,
    max: i64,
) -> Result<i64, ConfigError> {
    let v = match env(env_key) {
        Some(s) => {
            s.trim().parse::<i64>().map_err(|_| ConfigError::Invalid { key, reason: "not a whole number".into() })?
        }
        None => file.unwrap_or(default),
    };
    if !(min..=max).contains(&v) {
        return Err(ConfigError::Invalid { key, reason: format!("must be between {min} and {max}") });
    }
    Ok(v)
}

impl Config {
    pub fn load(o: &Overrides) -> Result<Self, ConfigError> {
        let file = match &o.config {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| ConfigError::Read { path: path.display().to_string(), reason: e.to_string() })?;
                toml::from_str::<FileConfig>(&text).map_err(|e| ConfigError::Parse {
                    path: path.display().to_string(),
                    reason: e.message().to_owned(),
                })?
            }
            None => FileConfig::default(),
        };
        let backup_file = file.clone();
        let alert_file = file.clone();

        let mode = match env("ORDO_MODE").or(file.mode).as_deref() {
            None | Some("development") => Mode::Development,
            Some("production") => Mode::Production,
            Some(other) => {
                return Err(ConfigError::Invalid {
                    key: "mode",
                    reason: format!("{other:?} (expected development or production)"),
                });
            }
        };
        let listen_s =
            o.listen.clone().or(env("ORDO_LISTEN")).or(file.listen).unwrap_or_else(|| "127.0.0.1:8080".into());
        let listen: SocketAddr = listen_s.parse().map_err(|_| ConfigError::Invalid {
            key: "listen",
            reason: format!("{listen_s:?} is not an address like 127.0.0.1:8080"),
        })?;
        let data_dir = o
            .data_dir
            .clone()
            .or(env("ORDO_DATA_DIR").map(PathBuf::from))
            .or(file.data_dir.clone())
            .unwrap_or_else(|| "data".into());
        let backup_target = backup_target(&backup_file, &data_dir)?;
        let backup_tenant_targets = tenant_targets(&backup_file)?;
        let database_url = env("ORDO_DATABASE_URL")
            .or(file.database_url)
            .unwrap_or_else(|| format!("sqlite:{}", data_dir.join("ordo.db").display()));
        if !(database_url.starts_with("sqlite:")
            || database_url.starts_with("postgres://")
            || database_url.starts_with("postgresql://"))
        {
            return Err(ConfigError::Invalid {
                key: "database_url",
                reason: "must start with sqlite: or postgres://".into(),
            });
        }
        let metrics_s = o
            .metrics_listen
            .clone()
            .or(env("ORDO_METRICS_LISTEN"))
            .or(file.metrics_listen.clone())
            .unwrap_or_else(|| "127.0.0.1:9464".into());
        let metrics_listen = if metrics_s == "off" {
            None
        } else {
            let addr: SocketAddr = metrics_s.parse().map_err(|_| ConfigError::Invalid {
                key: "metrics_listen",
                reason: format!("{metrics_s:?} is not an address like 127.0.0.1:9464, nor off"),
            })?;
            // Metrics describe every tenant: never on the public listener.
            if addr.port() == listen.port() && addr.port() != 0 {
                return Err(ConfigError::Invalid {
                    key: "metrics_listen",
                    reason: "must not be the public listener's port".into(),
                });
            }
            Some(addr)
        };
        let public_url = env("ORDO_PUBLIC_URL").or(file.public_url).unwrap_or_else(|| format!("http://{listen}"));
        let public_url = public_url.trim_end_matches('/').to_owned();
        if !(public_url.starts_with("http://") || public_url.starts_with("https://"))
            || public_url.contains(['?', '#', ' '])
        {
            return Err(ConfigError::Invalid {
                key: "public_url",
                reason: "must be an http:// or https:// address".into(),
            });
        }
        let master_key_file = env("ORDO_MASTER_KEY_FILE").map(PathBuf::from).or(file.master_key_file);
        let old_master_key_files = match env("ORDO_OLD_MASTER_KEY_FILES") {
            Some(s) => s.split(',').map(str::trim).filter(|p| !p.is_empty()).map(PathBuf::from).collect(),
            None => file.old_master_key_files.unwrap_or_default(),
        };
        let key_dir = env("ORDO_KEY_DIR").map(PathBuf::from).or(file.key_dir).unwrap_or_else(|| data_dir.join("keys"));
        let smtp_url = env("ORDO_SMTP_URL").or(file.smtp_url).map(SecretString::from);
        let mail_from = env("ORDO_MAIL_FROM").or(file.mail_from).unwrap_or_else(|| "Ordo <no-reply@localhost>".into());
        let trusted = match env("ORDO_TRUSTED_PROXIES") {
            Some(s) => s.split(',').map(|p| p.trim().to_owned()).filter(|p| !p.is_empty()).collect(),
            None => file.trusted_proxies.unwrap_or_default(),
        };
        let trusted_proxies = trusted
            .iter()
            .map(|p| {
                p.parse::<IpAddr>().map_err(|_| ConfigError::Invalid {
                    key: "trusted_proxies",
                    reason: format!("{p:?} is not an IP address"),
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let log_format = match env("ORDO_LOG_FORMAT").or(file.log_format).as_deref() {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(_) => {
                return Err(ConfigError::Invalid { key: "log_format", reason: "expected text or json".into() });
            }
        };
        let alerts = alert_settings(&alert_file, mode)?;
        let cfg = Config {
            alerts,
            config_file: o.config.clone(),
            mode,
            listen,
            metrics_listen,
            data_dir,
            database_url: SecretString::from(database_url),
            public_url,
            master_key_file,
            old_master_key_files,
            key_dir,
            smtp_url,
            mail_from,
            session_idle_minutes: int(
                "session_idle_minutes",
                "ORDO_SESSION_IDLE_MINUTES",
                file.session_idle_minutes,
                30,
                1,
                24 * 60,
            )?,
            session_max_hours: int(
                "session_max_hours",
                "ORDO_SESSION_MAX_HOURS",
                file.session_max_hours,
                12,
                1,
                24 * 30,
            )?,
            activation_ttl_hours: int(
                "activation_ttl_hours",
                "ORDO_ACTIVATION_TTL_HOURS",
                file.activation_ttl_hours,
                72,
                1,
                24 * 30,
            )?,
            reset_ttl_minutes: int(
                "reset_ttl_minutes",
                "ORDO_RESET_TTL_MINUTES",
                file.reset_ttl_minutes,
                30,
                5,
                24 * 60,
            )?,
            trusted_proxies,
            max_image_bytes: int(
                "max_image_bytes",
                "ORDO_MAX_IMAGE_BYTES",
                file.max_image_bytes,
                5 * 1024 * 1024,
                1024,
                10 * 1024 * 1024,
            )?,
            max_image_pixels: int(
                "max_image_pixels",
                "ORDO_MAX_IMAGE_PIXELS",
                file.max_image_pixels,
                40_000_000,
                1,
                100_000_000,
            )?,
            image_decode_budget_mb: int(
                "image_decode_budget_mb",
                "ORDO_IMAGE_DECODE_BUDGET_MB",
                file.image_decode_budget_mb,
                512,
                16,
                65_536,
            )?,
            meeting_cache_entries: int(
                "meeting_cache_entries",
                "ORDO_MEETING_CACHE_ENTRIES",
                file.meeting_cache_entries,
                256,
                0,
                100_000,
            )?,
            backup_quota_gb: int("backup_quota_gb", "ORDO_BACKUP_QUOTA_GB", file.backup_quota_gb, 100, 1, 100_000)?,
            backup_retention: ordo_backup::retention::Retention {
                all_days: int(
                    "backup_keep_all_days",
                    "ORDO_BACKUP_KEEP_ALL_DAYS",
                    file.backup_keep_all_days,
                    14,
                    1,
                    3650,
                )?,
                weekly_weeks: int(
                    "backup_keep_weekly_weeks",
                    "ORDO_BACKUP_KEEP_WEEKLY_WEEKS",
                    file.backup_keep_weekly_weeks,
                    8,
                    0,
                    520,
                )?,
                monthly_months: int(
                    "backup_keep_monthly_months",
                    "ORDO_BACKUP_KEEP_MONTHLY_MONTHS",
                    file.backup_keep_monthly_months,
                    12,
                    0,
                    1200,
                )?,
            },
            backup_target,
            backup_tenant_targets,
            log: env("ORDO_LOG").or(file.log).unwrap_or_else(|| "info,sqlx=warn".into()),
            log_format,
        };
        cfg.check_production()?;
        Ok(cfg)
    }

    /// Production needs what development can do without: a public https
    /// address (cookies are Secure, HSTS is sent), a master key kept outside
    /// the data directory, and a real mail server.
    fn check_production(&self) -> Result<(), ConfigError> {
        if self.mode != Mode::Production {
            return Ok(());
        }
        let mut missing = Vec::new();
        if !self.public_url.starts_with("https://") {
            missing.push("- ORDO_PUBLIC_URL must be the public https:// address of this server");
        }
        if self.master_key_file.is_none() {
            missing.push(
                "- ORDO_MASTER_KEY_FILE must name the master key file (create one with `ordo keys generate FILE`)",
            );
        }
        match self.smtp_url.as_ref().map(|u| u.expose_secret()) {
            None => missing.push("- ORDO_SMTP_URL must name the mail server (smtps:// or smtp://...?tls=required)"),
            // Mail carries single-use links: never in clear between servers.
            Some(u) if !(u.starts_with("smtps://") || u.contains("tls=required")) => missing
                .push("- ORDO_SMTP_URL must use TLS: smtps://host:465, or smtp://host:587?tls=required for STARTTLS"),
            Some(_) => {}
        }
        if missing.is_empty() { Ok(()) } else { Err(ConfigError::Production(missing.join("\n"))) }
    }

    pub fn master_key_path(&self) -> PathBuf {
        self.master_key_file.clone().unwrap_or_else(|| self.data_dir.join("master.key"))
    }

    /// Create the data directory (owner-only) if needed.
    pub fn ensure_data_dir(&self) -> Result<(), ConfigError> {
        create_private_dir(&self.data_dir)
            .map_err(|e| ConfigError::Io(format!("cannot create the data directory {}: {e}", self.data_dir.display())))
    }

    /// The use cases' settings.
    pub fn settings(&self) -> Settings {
        let mut s = Settings::development(&self.data_dir, &self.public_url);
        s.mode = self.mode;
        s.session_idle_secs = self.session_idle_minutes * 60;
        s.session_max_secs = self.session_max_hours * 3600;
        s.activation_ttl_secs = self.activation_ttl_hours * 3600;
        s.reset_ttl_secs = self.reset_ttl_minutes * 60;
        s.mail_from = self.mail_from.clone();
        s.smtp_url = self.smtp_url.clone();
        s.max_image_bytes = usize::try_from(self.max_image_bytes).unwrap_or(5 * 1024 * 1024);
        s.max_image_pixels = u64::try_from(self.max_image_pixels).unwrap_or(40_000_000);
        s.image_decode_budget_mib = u32::try_from(self.image_decode_budget_mb).unwrap_or(512);
        s.meeting_cache_entries = usize::try_from(self.meeting_cache_entries).unwrap_or(256);
        s.backup_quota_bytes = u64::try_from(self.backup_quota_gb).unwrap_or(100).saturating_mul(1_000_000_000);
        s.backup_retention = self.backup_retention;
        s.backup_target = self.backup_target.clone();
        s.backup_tenant_targets = self.backup_tenant_targets.clone();
        s.config_file = self.config_file.clone();
        s.alerts = self.alerts.clone();
        s
    }

    pub fn database_url(&self) -> &str {
        self.database_url.expose_secret()
    }
}

fn create_private_dir(p: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    if p.is_dir() {
        return Ok(());
    }
    std::fs::DirBuilder::new().recursive(true).mode(0o700).create(p)
}

#[cfg(test)]
mod alert_tests;
#[cfg(test)]
mod tests;
