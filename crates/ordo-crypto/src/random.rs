//! Randomness from the operating system (getrandom), never a userspace PRNG.

use crate::CryptoError;
use base64::Engine;

pub fn fill(buf: &mut [u8]) -> Result<(), CryptoError> {
    getrandom::fill(buf).map_err(|_| CryptoError::Random)
}

/// A fresh secret token of `bytes` random bytes, base64url without padding.
/// 32 bytes (256 bits) for session ids and single-use links.
pub fn token(bytes: usize) -> Result<String, CryptoError> {
    let mut buf = vec![0u8; bytes];
    fill(&mut buf)?;
    let s = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&buf);
    zeroize::Zeroize::zeroize(&mut buf);
    Ok(s)
}

#[cfg(test)]
mod tests {
    #[test]
    fn tokens_are_long_unique_and_url_safe() {
        let a = super::token(32).unwrap();
        let b = super::token(32).unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43); // 256 bits
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    }
}
