//! The configuration file's shape: its keys are the environment variables’
//! names without `ORDO_`, in lowercase; unknown keys are refused.

use serde::Deserialize;
use std::path::PathBuf;

/// The configuration file's keys (all optional). Names match the
/// environment variables without the `ORDO_` prefix, in lowercase.
#[derive(Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
pub(super) struct FileConfig {
    pub(super) mode: Option<String>,
    pub(super) listen: Option<String>,
    pub(super) metrics_listen: Option<String>,
    pub(super) data_dir: Option<PathBuf>,
    pub(super) database_url: Option<String>,
    pub(super) public_url: Option<String>,
    pub(super) master_key_file: Option<PathBuf>,
    pub(super) old_master_key_files: Option<Vec<PathBuf>>,
    pub(super) key_dir: Option<PathBuf>,
    pub(super) smtp_url: Option<String>,
    pub(super) mail_from: Option<String>,
    pub(super) session_idle_minutes: Option<i64>,
    pub(super) session_max_hours: Option<i64>,
    pub(super) activation_ttl_hours: Option<i64>,
    pub(super) reset_ttl_minutes: Option<i64>,
    pub(super) trusted_proxies: Option<Vec<String>>,
    pub(super) max_image_bytes: Option<i64>,
    pub(super) max_image_pixels: Option<i64>,
    pub(super) image_decode_budget_mb: Option<i64>,
    pub(super) meeting_cache_entries: Option<i64>,
    pub(super) backup_quota_gb: Option<i64>,
    pub(super) backup_keep_all_days: Option<i64>,
    pub(super) backup_keep_weekly_weeks: Option<i64>,
    pub(super) backup_keep_monthly_months: Option<i64>,
    pub(super) backup_dir: Option<PathBuf>,
    pub(super) backup_s3_url: Option<String>,
    pub(super) backup_s3_endpoint: Option<String>,
    pub(super) backup_s3_region: Option<String>,
    pub(super) backup_s3_access_key_id: Option<String>,
    pub(super) backup_s3_secret_access_key: Option<String>,
    pub(super) backup_s3_allow_http: Option<bool>,
    /// A tenant's own bucket and credentials, by slug (`[backup_tenants.SLUG]`).
    pub(super) backup_tenants: Option<std::collections::BTreeMap<String, TenantTargetFile>>,
    pub(super) log: Option<String>,
    pub(super) log_format: Option<String>,
    pub(super) alert_webhook_url: Option<String>,
    pub(super) alert_webhook_format: Option<String>,
    pub(super) alert_webhook_secret: Option<String>,
    /// Several webhooks (`[[alert_webhooks]]`).
    pub(super) alert_webhooks: Option<Vec<WebhookFile>>,
    pub(super) alert_emails: Option<Vec<String>>,
    pub(super) watch: Option<bool>,
    pub(super) watch_interval_secs: Option<i64>,
    pub(super) alert_latency_ms: Option<i64>,
    pub(super) alert_error_rate_percent: Option<i64>,
    pub(super) alert_backup_age_hours: Option<i64>,
    pub(super) alert_disk_free_percent: Option<i64>,
    pub(super) alert_cert_days: Option<i64>,
    pub(super) alert_remind_minutes: Option<i64>,
}

/// One team-chat webhook of the configuration file.
#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub(super) struct WebhookFile {
    pub(super) name: String,
    pub(super) url: String,
    pub(super) format: String,
    pub(super) secret: Option<String>,
}

/// Where one tenant's backups go instead of the shared target: a directory,
/// or an S3 bucket with its own credentials (endpoint and region default to
/// the shared S3 settings).
#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub(super) struct TenantTargetFile {
    pub(super) dir: Option<PathBuf>,
    pub(super) s3_url: Option<String>,
    pub(super) s3_endpoint: Option<String>,
    pub(super) s3_region: Option<String>,
    pub(super) s3_access_key_id: Option<String>,
    pub(super) s3_secret_access_key: Option<String>,
    pub(super) s3_allow_http: Option<bool>,
}
