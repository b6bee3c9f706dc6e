//! Password hashing with Argon2id at the OWASP Password Storage Cheat Sheet's
//! recommended parameters (m = 19 MiB, t = 2, p = 1). Hashing is deliberately
//! slow: callers run it off the async runtime (`spawn_blocking`).

use crate::CryptoError;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Argon2id cost parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PasswordParams {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl PasswordParams {
    /// OWASP's first recommended configuration for Argon2id.
    pub const OWASP: PasswordParams = PasswordParams { memory_kib: 19_456, iterations: 2, parallelism: 1 };
}

impl Default for PasswordParams {
    fn default() -> Self {
        Self::OWASP
    }
}

/// Hashes and verifies passwords. Cheap to clone; holds a dummy hash so that
/// logins for unknown accounts cost exactly as much as for known ones.
#[derive(Clone)]
pub struct PasswordHasher {
    params: PasswordParams,
    dummy_hash: Arc<str>,
    verifications: Arc<AtomicU64>,
}

impl std::fmt::Debug for PasswordHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordHasher").field("params", &self.params).finish_non_exhaustive()
    }
}

impl PasswordHasher {
    pub fn new(params: PasswordParams) -> Result<Self, CryptoError> {
        let mut dummy_pw = [0u8; 32];
        crate::random::fill(&mut dummy_pw)?;
        let dummy = hash_with(params, &dummy_pw)?;
        Ok(Self { params, dummy_hash: dummy.into(), verifications: Arc::new(AtomicU64::new(0)) })
    }

    pub fn params(&self) -> PasswordParams {
        self.params
    }

    /// A PHC string `$argon2id$v=19$m=19456,t=2,p=1$salt$hash`.
    pub fn hash(&self, password: &str) -> Result<String, CryptoError> {
        hash_with(self.params, password.as_bytes())
    }

    /// Verify `password` against `phc`, or against the dummy hash when there is
    /// no account (`None`), in which case the answer is always `false` but the
    /// work done is the same.
    pub fn verify(&self, password: &str, phc: Option<&str>) -> bool {
        self.verifications.fetch_add(1, Ordering::Relaxed);
        let (hash, real) = match phc {
            Some(h) => (h, true),
            None => (&*self.dummy_hash, false),
        };
        let ok = argon2_for(self.params).map(|a| a.verify_password(password.as_bytes(), hash).is_ok()).unwrap_or(false);
        ok && real
    }

    /// How many verifications this hasher has run (tests use it to prove that
    /// unknown accounts go through the same work; metrics may report it).
    pub fn verification_count(&self) -> u64 {
        self.verifications.load(Ordering::Relaxed)
    }

    /// True when a stored hash was made with weaker parameters than today's,
    /// so that it is re-hashed at the next successful login.
    pub fn needs_rehash(&self, phc: &str) -> bool {
        let want = format!(
            "$argon2id$v=19$m={},t={},p={}$",
            self.params.memory_kib, self.params.iterations, self.params.parallelism
        );
        !phc.starts_with(&want)
    }
}

fn argon2_for(p: PasswordParams) -> Result<Argon2<'static>, CryptoError> {
    let params = Params::new(p.memory_kib, p.iterations, p.parallelism, None).map_err(|_| CryptoError::Hash)?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

fn hash_with(p: PasswordParams, password: &[u8]) -> Result<String, CryptoError> {
    let mut salt = [0u8; 16];
    crate::random::fill(&mut salt)?;
    argon2_for(p)?.hash_password_with_salt(password, &salt).map(|h| h.to_string()).map_err(|_| CryptoError::Hash)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_with_owasp_argon2id_and_verifies() {
        let h = PasswordHasher::new(PasswordParams::OWASP).unwrap();
        let phc = h.hash("correct horse battery staple").unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(h.verify("correct horse battery staple", Some(&phc)));
        assert!(!h.verify("correct horse battery stapl", Some(&phc)));
        assert!(!h.needs_rehash(&phc));
        assert!(h.needs_rehash("$argon2id$v=19$m=4096,t=3,p=1$abc$def"));
    }

    #[test]
    fn unknown_accounts_cost_a_verification_and_fail() {
        let h = PasswordHasher::new(PasswordParams::OWASP).unwrap();
        let before = h.verification_count();
        assert!(!h.verify("anything at all", None));
        assert_eq!(h.verification_count(), before + 1);
    }

    #[test]
    fn long_passwords_are_not_truncated() {
        let h = PasswordHasher::new(PasswordParams { memory_kib: 1024, iterations: 1, parallelism: 1 }).unwrap();
        let long = "x".repeat(200);
        let phc = h.hash(&long).unwrap();
        assert!(h.verify(&long, Some(&phc)));
        assert!(!h.verify(&long[..128], Some(&phc)));
    }
}
