//! Where archives are kept: a directory (single-machine installs, tests), or
//! S3-compatible object storage. Each tenant has its own prefix; an archive
//! appears under its final name only once complete (a local file is renamed
//! into place; an object store publishes an upload only when it completes),
//! so a crash mid-backup never leaves a listed partial snapshot.

use crate::BackupError;
use futures_util::StreamExt;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::io::AsyncWriteExt;

pub const SUFFIX: &str = ".ordobak";

/// S3-compatible storage settings. The secret is never printed.
#[derive(Clone)]
pub struct S3Settings {
    /// `https://s3.eu-west-3.amazonaws.com`, or any S3-compatible endpoint.
    pub endpoint: String,
    pub region: String,
    pub bucket: String,
    /// Prefix inside the bucket (tenants go under it).
    pub prefix: String,
    pub access_key_id: String,
    pub secret_access_key: String,
    /// Plain http, for a local test server only (a warning is logged).
    pub allow_http: bool,
}

impl std::fmt::Debug for S3Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Settings")
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("bucket", &self.bucket)
            .field("prefix", &self.prefix)
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .field("allow_http", &self.allow_http)
            .finish()
    }
}

/// An archive as listed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listed {
    pub snapshot: String,
    pub size: u64,
}

/// Where backups go, as configured.
#[derive(Clone, Debug)]
pub enum TargetSpec {
    Dir(PathBuf),
    S3(S3Settings),
}

impl TargetSpec {
    pub fn open(&self) -> Result<Target, BackupError> {
        match self {
            TargetSpec::Dir(p) => Ok(Target::dir(p.clone())),
            TargetSpec::S3(s) => Target::s3(s),
        }
    }
}

#[derive(Clone, Debug)]
pub enum Target {
    Dir(PathBuf),
    S3 { store: Arc<dyn ObjectStore>, prefix: String, bucket: String },
}

fn snapshot_ok(s: &str) -> bool {
    !s.is_empty() && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

fn slug_ok(s: &str) -> bool {
    s == crate::platform::FOLDER || ordo_core::tenant::Slug::parse(s).is_ok()
}

impl Target {
    pub fn dir(path: impl Into<PathBuf>) -> Self {
        Target::Dir(path.into())
    }

    /// S3-compatible storage over TLS 1.2 or 1.3 (rustls), or plain http if
    /// explicitly allowed.
    pub fn s3(s: &S3Settings) -> Result<Self, BackupError> {
        // One process-wide TLS provider (ring, as for the database and mail).
        let _ = rustls::crypto::ring::default_provider().install_default();
        if !s.endpoint.starts_with("https://") {
            if !s.allow_http {
                return Err(BackupError::Storage(
                    "the S3 endpoint must be https:// (set allow_http only for a local test server)".into(),
                ));
            }
            tracing::warn!(endpoint = %s.endpoint, "backups go to S3 over plain http: for a local test server only");
        }
        let store = object_store::aws::AmazonS3Builder::new()
            .with_endpoint(&s.endpoint)
            .with_region(&s.region)
            .with_bucket_name(&s.bucket)
            .with_access_key_id(&s.access_key_id)
            .with_secret_access_key(&s.secret_access_key)
            .with_allow_http(s.allow_http)
            .with_virtual_hosted_style_request(false)
            .build()
            .map_err(BackupError::from)?;
        Ok(Target::S3 {
            store: Arc::new(store),
            prefix: s.prefix.trim_matches('/').to_owned(),
            bucket: s.bucket.clone(),
        })
    }

    /// Where, for messages (no credentials).
    pub fn describe(&self) -> String {
        match self {
            Target::Dir(p) => format!("directory {}", p.display()),
            Target::S3 { bucket, prefix, .. } => format!("s3://{bucket}/{prefix}"),
        }
    }

    fn object(&self, prefix: &str, slug: &str, name: &str) -> ObjectPath {
        let p = if prefix.is_empty() { format!("{slug}/{name}") } else { format!("{prefix}/{slug}/{name}") };
        ObjectPath::from(p)
    }

    /// Store a finished archive file as `snapshot` of tenant `slug`.
    pub async fn put(&self, slug: &str, snapshot: &str, file: &Path) -> Result<(), BackupError> {
        if !slug_ok(slug) || !snapshot_ok(snapshot) {
            return Err(BackupError::Corrupt("snapshot name"));
        }
        let name = format!("{snapshot}{SUFFIX}");
        match self {
            Target::Dir(root) => {
                let dir = root.join(slug);
                create_private_dir(&dir)?;
                let part = dir.join(format!("{name}.part"));
                tokio::fs::copy(file, &part).await?;
                tokio::fs::File::open(&part).await?.sync_all().await?;
                tokio::fs::rename(&part, dir.join(&name)).await?;
                Ok(())
            }
            Target::S3 { store, prefix, .. } => {
                let mut up = object_store::buffered::BufWriter::new(store.clone(), self.object(prefix, slug, &name));
                let mut f = tokio::fs::File::open(file).await?;
                tokio::io::copy(&mut f, &mut up).await?;
                up.shutdown().await?;
                Ok(())
            }
        }
    }

    /// The tenant's complete archives, oldest first.
    pub async fn list(&self, slug: &str) -> Result<Vec<Listed>, BackupError> {
        if !slug_ok(slug) {
            return Err(BackupError::Corrupt("tenant slug"));
        }
        let mut out = Vec::new();
        match self {
            Target::Dir(root) => {
                let dir = root.join(slug);
                let mut rd = match tokio::fs::read_dir(&dir).await {
                    Ok(rd) => rd,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
                    Err(e) => return Err(e.into()),
                };
                while let Some(e) = rd.next_entry().await? {
                    let name = e.file_name().to_string_lossy().into_owned();
                    if let Some(snap) = name.strip_suffix(SUFFIX).filter(|s| snapshot_ok(s)) {
                        out.push(Listed { snapshot: snap.to_owned(), size: e.metadata().await?.len() });
                    }
                }
            }
            Target::S3 { store, prefix, .. } => {
                let dir = if prefix.is_empty() { slug.to_owned() } else { format!("{prefix}/{slug}") };
                let mut items = store.list(Some(&ObjectPath::from(dir)));
                while let Some(m) = items.next().await {
                    let m = m?;
                    if let Some(snap) =
                        m.location.filename().and_then(|n| n.strip_suffix(SUFFIX)).filter(|s| snapshot_ok(s))
                    {
                        out.push(Listed { snapshot: snap.to_owned(), size: m.size });
                    }
                }
            }
        }
        out.sort_by(|a, b| a.snapshot.cmp(&b.snapshot));
        Ok(out)
    }

    /// Copy an archive to a local file (restores read it twice).
    pub async fn fetch(&self, slug: &str, snapshot: &str, dest: &Path) -> Result<(), BackupError> {
        if !slug_ok(slug) || !snapshot_ok(snapshot) {
            return Err(BackupError::NoSnapshot(snapshot.to_owned()));
        }
        let name = format!("{snapshot}{SUFFIX}");
        match self {
            Target::Dir(root) => {
                let src = root.join(slug).join(&name);
                if !src.exists() {
                    return Err(BackupError::NoSnapshot(snapshot.to_owned()));
                }
                tokio::fs::copy(src, dest).await?;
            }
            Target::S3 { store, prefix, .. } => {
                let mut stream = store.get(&self.object(prefix, slug, &name)).await?.into_stream();
                let mut f = tokio::fs::File::create(dest).await?;
                while let Some(bytes) = stream.next().await {
                    f.write_all(&bytes?).await?;
                }
                f.sync_all().await?;
            }
        }
        Ok(())
    }

    pub async fn delete(&self, slug: &str, snapshot: &str) -> Result<(), BackupError> {
        if !slug_ok(slug) || !snapshot_ok(snapshot) {
            return Err(BackupError::NoSnapshot(snapshot.to_owned()));
        }
        let name = format!("{snapshot}{SUFFIX}");
        match self {
            Target::Dir(root) => Ok(tokio::fs::remove_file(root.join(slug).join(name)).await?),
            Target::S3 { store, prefix, .. } => Ok(store.delete(&self.object(prefix, slug, &name)).await?),
        }
    }
}

fn create_private_dir(p: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new().recursive(true).mode(0o700).create(p)
}
