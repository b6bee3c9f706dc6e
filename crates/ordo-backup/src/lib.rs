//! Ordo's backups: the tenant archive format ([`format`]), where archives
//! are kept ([`target`]), and taking, checking and restoring a tenant's
//! backup ([`tenant`]), and the platform's own backup ([`platform`]). Archives are encrypted under a key of their own,
//! wrapped by the tenant's key-encryption key: deleting a tenant's keys
//! (crypto-shredding) makes its backups unreadable too.
#![forbid(unsafe_code)]

pub mod format;
pub mod platform;
pub mod retention;
pub mod target;
pub mod tenant;

/// The backup layer's one error type.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("not an Ordo archive")]
    NotAnArchive,
    #[error("archive format version {0} is not supported by this version of Ordo")]
    UnsupportedVersion(u16),
    #[error("the archive is truncated")]
    Truncated,
    #[error("the archive was altered, reordered or sealed with another key")]
    Tampered,
    #[error("the archive's key cannot be unwrapped: wrong tenant key, or the tenant's keys were destroyed")]
    WrongKey,
    #[error("the archive is corrupt: {0}")]
    Corrupt(&'static str),
    #[error("the checksum of table {0} does not match")]
    Checksum(String),
    #[error("the archive is for schema version {archive}; this database is at {database}")]
    Schema { archive: i64, database: i64 },
    #[error("tenant {0} exists: restore with --replace, or into another slug")]
    TenantExists(String),
    #[error("backup quota exceeded: {used} bytes needed, {limit} allowed (no backup was deleted)")]
    Quota { used: u64, limit: u64 },
    #[error("no snapshot {0}")]
    NoSnapshot(String),
    #[error("storage: {0}")]
    Storage(String),
    #[error(transparent)]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Crypto(#[from] ordo_crypto::CryptoError),
    #[error(transparent)]
    Store(#[from] ordo_store::StoreError),
}

impl From<object_store::Error> for BackupError {
    fn from(e: object_store::Error) -> Self {
        match e {
            object_store::Error::NotFound { path, .. } => BackupError::NoSnapshot(path),
            // Messages name the bucket and object, never credentials.
            other => BackupError::Storage(other.to_string()),
        }
    }
}
