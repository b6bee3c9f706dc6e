//! Where alerts go (team-chat webhooks, e-mail) and the watch's thresholds.

use super::file::FileConfig;
use super::{ConfigError, env, int};
use ordo_app::Mode;
use secrecy::SecretString;

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
pub(super) fn alert_settings(file: &FileConfig, mode: Mode) -> Result<ordo_app::AlertSettings, ConfigError> {
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
