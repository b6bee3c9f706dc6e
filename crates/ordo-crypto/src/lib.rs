//! All of Ordo's cryptography, in one small crate to review: password hashing
//! (Argon2id), random tokens, digests, keyed hashes, constant-time comparison,
//! and the master key file. Nothing else in the workspace calls a primitive
//! directly.
#![forbid(unsafe_code)]

pub mod digest;
pub mod master_key;
pub mod password;
pub mod random;

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
}
