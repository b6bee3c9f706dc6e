//! Configuration: defaults, then the TOML file given by `--config` (or
//! `ORDO_CONFIG`), then `ORDO_*` environment variables, then command-line
//! flags. Unknown keys in the file are refused (a typo must not silently
//! leave a default in place). Secrets are redacted from `Debug` output.

use ordo_app::{Mode, Settings};
use ordo_backup::target::TargetSpec;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};

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

/// The configuration file's keys (all optional). Names match the
/// environment variables without the `ORDO_` prefix, in lowercase.
#[derive(Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    mode: Option<String>,
    listen: Option<String>,
    metrics_listen: Option<String>,
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    public_url: Option<String>,
    master_key_file: Option<PathBuf>,
    old_master_key_files: Option<Vec<PathBuf>>,
    key_dir: Option<PathBuf>,
    smtp_url: Option<String>,
    mail_from: Option<String>,
    session_idle_minutes: Option<i64>,
    session_max_hours: Option<i64>,
    activation_ttl_hours: Option<i64>,
    reset_ttl_minutes: Option<i64>,
    trusted_proxies: Option<Vec<String>>,
    max_image_bytes: Option<i64>,
    max_image_pixels: Option<i64>,
    meeting_cache_entries: Option<i64>,
    backup_quota_gb: Option<i64>,
    backup_keep_all_days: Option<i64>,
    backup_keep_weekly_weeks: Option<i64>,
    backup_keep_monthly_months: Option<i64>,
    backup_dir: Option<PathBuf>,
    backup_s3_url: Option<String>,
    backup_s3_endpoint: Option<String>,
    backup_s3_region: Option<String>,
    backup_s3_access_key_id: Option<String>,
    backup_s3_secret_access_key: Option<String>,
    backup_s3_allow_http: Option<bool>,
    /// A tenant's own bucket and credentials, by slug (`[backup_tenants.SLUG]`).
    backup_tenants: Option<std::collections::BTreeMap<String, TenantTargetFile>>,
    log: Option<String>,
    log_format: Option<String>,
    alert_webhook_url: Option<String>,
    alert_webhook_format: Option<String>,
    alert_webhook_secret: Option<String>,
    /// Several webhooks (`[[alert_webhooks]]`).
    alert_webhooks: Option<Vec<WebhookFile>>,
    alert_emails: Option<Vec<String>>,
    watch: Option<bool>,
    watch_interval_secs: Option<i64>,
    alert_latency_ms: Option<i64>,
    alert_error_rate_percent: Option<i64>,
    alert_backup_age_hours: Option<i64>,
    alert_disk_free_percent: Option<i64>,
    alert_cert_days: Option<i64>,
    alert_remind_minutes: Option<i64>,
}

/// One team-chat webhook of the configuration file.
#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct WebhookFile {
    name: String,
    url: String,
    format: String,
    secret: Option<String>,
}

/// Where one tenant's backups go instead of the shared target: a directory,
/// or an S3 bucket with its own credentials (endpoint and region default to
/// the shared S3 settings).
#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct TenantTargetFile {
    dir: Option<PathBuf>,
    s3_url: Option<String>,
    s3_endpoint: Option<String>,
    s3_region: Option<String>,
    s3_access_key_id: Option<String>,
    s3_secret_access_key: Option<String>,
    s3_allow_http: Option<bool>,
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

fn webhook(
    name: &str,
    url: String,
    format: &str,
    secret: Option<String>,
    mode: Mode,
) -> Result<ordo_app::Webhook, ConfigError> {
    let bad = |reason: String| ConfigError::Invalid { key: "alert_webhooks", reason };
    let format = ordo_app::WebhookFormat::parse(format)
        .ok_or_else(|| bad(format!("{name}: format {format:?} (expected slack, mattermost, teams or json)")))?;
    let https = url.starts_with("https://");
    // Webhook addresses carry their own token: never in clear on the
    // network in production.
    if !(https || (mode == Mode::Development && url.starts_with("http://"))) {
        return Err(bad(format!("{name}: the address must be https:// (http:// in development only)")));
    }
    if name.is_empty() || name.len() > 64 || !name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)) {
        return Err(bad(format!("{name:?}: a name is 1 to 64 letters, digits, - _ .")));
    }
    Ok(ordo_app::Webhook {
        name: name.to_owned(),
        url: SecretString::from(url),
        format,
        secret: secret.map(SecretString::from),
    })
}

/// Where alerts go and the watch's thresholds: the file, then `ORDO_ALERT_*`.
fn alert_settings(file: &FileConfig, mode: Mode) -> Result<ordo_app::AlertSettings, ConfigError> {
    let d = ordo_app::AlertSettings::default();
    let mut webhooks = Vec::new();
    if let Some(url) = env("ORDO_ALERT_WEBHOOK_URL").or(file.alert_webhook_url.clone()) {
        let format =
            env("ORDO_ALERT_WEBHOOK_FORMAT").or(file.alert_webhook_format.clone()).unwrap_or_else(|| "json".into());
        let secret = env("ORDO_ALERT_WEBHOOK_SECRET").or(file.alert_webhook_secret.clone());
        webhooks.push(webhook("default", url, &format, secret, mode)?);
    }
    for w in file.alert_webhooks.clone().unwrap_or_default() {
        if webhooks.iter().any(|h: &ordo_app::Webhook| h.name == w.name) {
            return Err(ConfigError::Invalid { key: "alert_webhooks", reason: format!("{}: named twice", w.name) });
        }
        webhooks.push(webhook(&w.name, w.url, &w.format, w.secret, mode)?);
    }
    let emails = match env("ORDO_ALERT_EMAILS") {
        Some(s) => s.split(',').map(|e| e.trim().to_owned()).filter(|e| !e.is_empty()).collect(),
        None => file.alert_emails.clone().unwrap_or_default(),
    };
    for e in &emails {
        ordo_core::user::Email::parse(e).map_err(|_| ConfigError::Invalid {
            key: "alert_emails",
            reason: format!("{e:?} is not an e-mail address"),
        })?;
    }
    let watch = match env("ORDO_WATCH") {
        Some(v) => match v.as_str() {
            "on" | "true" | "1" => true,
            "off" | "false" | "0" => false,
            _ => return Err(ConfigError::Invalid { key: "watch", reason: "expected on or off".into() }),
        },
        None => file.watch.unwrap_or(true),
    };
    Ok(ordo_app::AlertSettings {
        webhooks,
        emails,
        watch,
        interval_secs: u64::try_from(int(
            "watch_interval_secs",
            "ORDO_WATCH_INTERVAL_SECS",
            file.watch_interval_secs,
            i64::try_from(d.interval_secs).unwrap_or(60),
            5,
            3600,
        )?)
        .unwrap_or(60),
        retry_secs: d.retry_secs,
        latency_ms: int("alert_latency_ms", "ORDO_ALERT_LATENCY_MS", file.alert_latency_ms, d.latency_ms, 10, 600_000)?,
        error_rate_percent: int(
            "alert_error_rate_percent",
            "ORDO_ALERT_ERROR_RATE_PERCENT",
            file.alert_error_rate_percent,
            d.error_rate_percent,
            1,
            100,
        )?,
        error_min_requests: d.error_min_requests,
        backup_age_hours: int(
            "alert_backup_age_hours",
            "ORDO_ALERT_BACKUP_AGE_HOURS",
            file.alert_backup_age_hours,
            d.backup_age_hours,
            1,
            24 * 90,
        )?,
        disk_free_percent: int(
            "alert_disk_free_percent",
            "ORDO_ALERT_DISK_FREE_PERCENT",
            file.alert_disk_free_percent,
            d.disk_free_percent,
            0,
            99,
        )?,
        cert_days: int("alert_cert_days", "ORDO_ALERT_CERT_DAYS", file.alert_cert_days, d.cert_days, 1, 365)?,
        remind_minutes: int(
            "alert_remind_minutes",
            "ORDO_ALERT_REMIND_MINUTES",
            file.alert_remind_minutes,
            d.remind_minutes,
            5,
            7 * 24 * 60,
        )?,
    })
}

/// Backups go to S3-compatible storage when `backup_s3_url` is set, else to
/// a directory (`<data-dir>/backups` by default).
fn backup_target(file: &FileConfig, data_dir: &Path) -> Result<TargetSpec, ConfigError> {
    let Some(url) = env("ORDO_BACKUP_S3_URL").or(file.backup_s3_url.clone()) else {
        let dir = env("ORDO_BACKUP_DIR").map(PathBuf::from).or(file.backup_dir.clone());
        return Ok(TargetSpec::Dir(dir.unwrap_or_else(|| data_dir.join("backups"))));
    };
    let allow_http = match env("ORDO_BACKUP_S3_ALLOW_HTTP") {
        Some(v) => matches!(v.as_str(), "1" | "true" | "yes"),
        None => file.backup_s3_allow_http.unwrap_or(false),
    };
    s3_target(S3Fields {
        url,
        endpoint: env("ORDO_BACKUP_S3_ENDPOINT").or(file.backup_s3_endpoint.clone()),
        region: env("ORDO_BACKUP_S3_REGION").or(file.backup_s3_region.clone()),
        access_key_id: env("ORDO_BACKUP_S3_ACCESS_KEY_ID").or(file.backup_s3_access_key_id.clone()),
        secret_access_key: env("ORDO_BACKUP_S3_SECRET_ACCESS_KEY").or(file.backup_s3_secret_access_key.clone()),
        allow_http,
    })
}

struct S3Fields {
    url: String,
    endpoint: Option<String>,
    region: Option<String>,
    access_key_id: Option<String>,
    secret_access_key: Option<String>,
    allow_http: bool,
}

fn s3_target(f: S3Fields) -> Result<TargetSpec, ConfigError> {
    let bad = |reason: &str| ConfigError::Invalid { key: "backup_s3_url", reason: reason.into() };
    let rest = f.url.strip_prefix("s3://").ok_or_else(|| bad("expected s3://BUCKET/PREFIX"))?;
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    if bucket.is_empty() {
        return Err(bad("expected s3://BUCKET/PREFIX"));
    }
    let need = |key: &'static str, v: Option<String>| {
        v.ok_or(ConfigError::Invalid { key, reason: "required with an s3:// target".into() })
    };
    let endpoint = need("backup_s3_endpoint", f.endpoint)?;
    let secure = endpoint.starts_with("https://");
    if !(secure || (f.allow_http && endpoint.starts_with("http://"))) {
        return Err(ConfigError::Invalid {
            key: "backup_s3_endpoint",
            reason: "must be https:// (http:// only with backup_s3_allow_http, for a local test server)".into(),
        });
    }
    Ok(TargetSpec::S3(ordo_backup::target::S3Settings {
        endpoint,
        region: f.region.unwrap_or_else(|| "us-east-1".into()),
        bucket: bucket.to_owned(),
        prefix: prefix.trim_matches('/').to_owned(),
        access_key_id: need("backup_s3_access_key_id", f.access_key_id)?,
        secret_access_key: need("backup_s3_secret_access_key", f.secret_access_key)?,
        allow_http: f.allow_http,
    }))
}

/// The tenants whose backups go to a target of their own.
fn tenant_targets(file: &FileConfig) -> Result<std::collections::BTreeMap<String, TargetSpec>, ConfigError> {
    let mut out = std::collections::BTreeMap::new();
    for (slug, t) in file.backup_tenants.clone().unwrap_or_default() {
        if ordo_core::tenant::Slug::parse(&slug).is_err() {
            return Err(ConfigError::Invalid {
                key: "backup_tenants",
                reason: format!("{slug:?} is not a tenant slug"),
            });
        }
        let spec = match (t.dir, t.s3_url) {
            (Some(dir), None) => TargetSpec::Dir(dir),
            (None, Some(url)) => s3_target(S3Fields {
                url,
                endpoint: t.s3_endpoint.or(file.backup_s3_endpoint.clone()),
                region: t.s3_region.or(file.backup_s3_region.clone()),
                // A tenant's own bucket comes with its own credentials.
                access_key_id: t.s3_access_key_id,
                secret_access_key: t.s3_secret_access_key,
                allow_http: t.s3_allow_http.unwrap_or(false),
            })?,
            _ => {
                return Err(ConfigError::Invalid {
                    key: "backup_tenants",
                    reason: format!("{slug}: give either dir or s3_url"),
                });
            }
        };
        out.insert(slug, spec);
    }
    Ok(out)
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
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted_in_debug_output() {
        let c = Config {
            config_file: None,
            mode: Mode::Production,
            listen: "127.0.0.1:8080".parse().unwrap(),
            metrics_listen: None,
            data_dir: "data".into(),
            database_url: SecretString::from("postgres://ordo:db-s3cret@db/ordo"),
            public_url: "https://ordo.example.com".into(),
            master_key_file: Some("/etc/ordo/master.key".into()),
            old_master_key_files: vec![],
            key_dir: "/var/lib/ordo/keys".into(),
            smtp_url: Some(SecretString::from("smtps://mailer:smtp-s3cret@mail.example.com")),
            mail_from: "Ordo <no-reply@example.com>".into(),
            session_idle_minutes: 30,
            session_max_hours: 12,
            activation_ttl_hours: 72,
            reset_ttl_minutes: 30,
            trusted_proxies: vec![],
            max_image_bytes: 5 * 1024 * 1024,
            max_image_pixels: 40_000_000,
            meeting_cache_entries: 256,
            backup_quota_gb: 100,
            backup_retention: Default::default(),
            backup_target: TargetSpec::S3(ordo_backup::target::S3Settings {
                endpoint: "https://s3.example.com".into(),
                region: "eu-west-3".into(),
                bucket: "backups".into(),
                prefix: "ordo".into(),
                access_key_id: "AKIA".into(),
                secret_access_key: "s3-s3cret".into(),
                allow_http: false,
            }),
            backup_tenant_targets: [(
                "acme".to_owned(),
                TargetSpec::S3(ordo_backup::target::S3Settings {
                    endpoint: "https://s3.example.com".into(),
                    region: "eu-west-3".into(),
                    bucket: "acme-backups".into(),
                    prefix: String::new(),
                    access_key_id: "AKIA2".into(),
                    secret_access_key: "acme-s3cret".into(),
                    allow_http: false,
                }),
            )]
            .into(),
            log: "info".into(),
            log_format: LogFormat::Text,
            alerts: ordo_app::AlertSettings {
                webhooks: vec![ordo_app::Webhook {
                    name: "oncall".into(),
                    url: SecretString::from("https://hooks.slack.com/services/T0/B0/hook-s3cret"),
                    format: ordo_app::WebhookFormat::Slack,
                    secret: Some(SecretString::from("sig-s3cret")),
                }],
                ..Default::default()
            },
        };
        let shown = format!("{c:?} {:?}", c.settings());
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("REDACTED"));
        assert!(c.check_production().is_ok());
    }

    #[test]
    fn backup_quota_retention_and_metrics_listener_are_configurable() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ordo.toml");
        let load = |text: &str| {
            std::fs::write(&path, text).unwrap();
            Config::load(&Overrides {
                config: Some(path.clone()),
                data_dir: Some(dir.path().join("data")),
                listen: None,
                metrics_listen: None,
            })
        };
        let s = load("").unwrap().settings();
        assert_eq!(s.backup_quota_bytes, 100_000_000_000);
        assert_eq!(s.backup_retention, ordo_backup::retention::Retention::default());
        let s =
            load("backup_quota_gb = 5\nbackup_keep_all_days = 7\nbackup_keep_weekly_weeks = 0\n").unwrap().settings();
        assert_eq!(s.backup_quota_bytes, 5_000_000_000);
        assert_eq!(
            s.backup_retention,
            ordo_backup::retention::Retention { all_days: 7, weekly_weeks: 0, monthly_months: 12 }
        );
        assert!(load("backup_quota_gb = 0\n").is_err());
        // Metrics: on their own listener, or off; never the public port.
        assert_eq!(load("").unwrap().metrics_listen, Some("127.0.0.1:9464".parse().unwrap()));
        assert_eq!(load("metrics_listen = \"off\"\n").unwrap().metrics_listen, None);
        assert!(load("listen = \"0.0.0.0:8080\"\nmetrics_listen = \"127.0.0.1:8080\"\n").is_err());
        assert!(load("backup_keep_all_days = 0\n").is_err());
    }

    fn file(text: &str) -> FileConfig {
        toml::from_str(text).unwrap()
    }

    #[test]
    fn a_tenant_can_have_its_own_bucket_and_credentials() {
        let f = file(
            r#"
            backup_s3_endpoint = "https://s3.example.com"
            backup_s3_region = "eu-west-3"
            [backup_tenants.acme]
            s3_url = "s3://acme-backups/ordo"
            s3_access_key_id = "AKIA2"
            s3_secret_access_key = "acme-secret"
            [backup_tenants.globex]
            dir = "/srv/globex-backups"
            "#,
        );
        let t = tenant_targets(&f).unwrap();
        let TargetSpec::S3(acme) = &t["acme"] else { panic!("{t:?}") };
        assert_eq!((acme.bucket.as_str(), acme.prefix.as_str()), ("acme-backups", "ordo"));
        assert_eq!((acme.endpoint.as_str(), acme.region.as_str()), ("https://s3.example.com", "eu-west-3"));
        assert_eq!(acme.secret_access_key, "acme-secret");
        assert!(matches!(&t["globex"], TargetSpec::Dir(d) if d.ends_with("globex-backups")));
        // Its own bucket needs its own credentials (never the shared ones),
        // TLS, a real slug, and one place only.
        for bad in [
            "[backup_tenants.acme]
s3_url = \"s3://b\"
s3_endpoint = \"https://s3\"",
            "[backup_tenants.acme]
s3_url = \"s3://b\"
s3_endpoint = \"http://s3\"
s3_access_key_id = \"a\"
s3_secret_access_key = \"b\"",
            "[backup_tenants.Not_A_Slug]
dir = \"/x\"",
            "[backup_tenants.acme]
dir = \"/x\"
s3_url = \"s3://b\"",
        ] {
            assert!(tenant_targets(&file(bad)).is_err(), "{bad}");
        }
    }
}

#[cfg(test)]
mod alert_tests {
    use super::*;

    #[test]
    fn webhooks_and_thresholds_are_configured_and_checked() {
        let f = |text: &str| -> FileConfig { toml::from_str(text).unwrap() };
        let a = alert_settings(
            &f(r#"
            alert_emails = ["oncall@example.org"]
            alert_remind_minutes = 30
            [[alert_webhooks]]
            name = "slack"
            url = "https://hooks.slack.com/services/x"
            format = "slack"
            [[alert_webhooks]]
            name = "teams"
            url = "https://example.webhook.office.com/x"
            format = "teams"
            "#),
            Mode::Production,
        )
        .unwrap();
        assert_eq!(a.webhooks.len(), 2);
        assert_eq!(a.webhooks[1].format, ordo_app::WebhookFormat::Teams);
        assert_eq!((a.emails.len(), a.remind_minutes, a.interval_secs), (1, 30, 60));
        for bad in [
            "[[alert_webhooks]]\nname = \"x\"\nurl = \"http://hooks.example\"\nformat = \"slack\"",
            "[[alert_webhooks]]\nname = \"x\"\nurl = \"https://hooks.example\"\nformat = \"pager\"",
            "[[alert_webhooks]]\nname = \"a b\"\nurl = \"https://hooks.example\"\nformat = \"json\"",
            "alert_emails = [\"not an address\"]",
            "alert_error_rate_percent = 0",
        ] {
            assert!(alert_settings(&f(bad), Mode::Production).is_err(), "{bad}");
        }
        // Plain http only for a development receiver.
        let dev = "[[alert_webhooks]]\nname = \"x\"\nurl = \"http://127.0.0.1:9/hook\"\nformat = \"json\"";
        assert!(alert_settings(&f(dev), Mode::Development).is_ok());
    }
}
