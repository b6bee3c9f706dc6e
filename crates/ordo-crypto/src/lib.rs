//! All of Ordo's cryptography, in one small crate to review: password hashing
//! (Argon2id), random tokens, digests, keyed hashes, constant-time comparison,
//! the key hierarchy (master key, tenant key-encryption keys, data keys) and
//! field encryption (AES-256-GCM). Nothing else in the workspace calls a primitive
//! directly.
#![forbid(unsafe_code)]

pub mod aead;
pub mod digest;
pub mod field;
pub mod keys;
pub mod master_key;
pub mod password;
pub mod random;
pub mod totp;

pub use digest::{constant_time_eq, sha256_hex};
pub use password::{PasswordHasher, PasswordParams};

#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    #[error("the system random number generator failed")]
    Random,
    #[error("password hashing failed")]
    Hash,
    #[error("key file {path}: {reason}")]
    KeyFile { path: String, reason: String },
    #[error("encryption failed")]
    Aead,
    /// Authentication failed: wrong key, wrong place, or altered data.
    #[error("decryption failed: the data was altered, moved, or its key is gone")]
    Decrypt,
    #[error("the master key that wrapped this key is not configured")]
    UnknownMasterKey,
    #[error("no key for this tenant (deleted, or the tenant key store is not this one)")]
    NoTenantKey,
}
