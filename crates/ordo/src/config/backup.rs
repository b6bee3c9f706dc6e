//! Where backups go: a directory, S3-compatible storage, and a tenant's own
//! bucket.

use super::file::FileConfig;
use super::{ConfigError, env};
use ordo_backup::target::TargetSpec;
use std::path::{Path, PathBuf};

/// Backups go to S3-compatible storage when `backup_s3_url` is set, else to
/// a directory (`<data-dir>/backups` by default).
pub(super) fn backup_target(file: &FileConfig, data_dir: &Path) -> Result<TargetSpec, ConfigError> {
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
pub(super) fn tenant_targets(file: &FileConfig) -> Result<std::collections::BTreeMap<String, TargetSpec>, ConfigError> {
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
