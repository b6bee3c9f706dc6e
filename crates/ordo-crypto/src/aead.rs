//! AES-256-GCM with random 96-bit nonces and associated data. The output is
//! `nonce ‖ ciphertext ‖ tag`. Random nonces are safe here: a key encrypts far
//! fewer than 2³² messages before it is rotated (NIST SP 800-38D §8.3).

use crate::CryptoError;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};

pub const NONCE_LEN: usize = 12;
pub const TAG_LEN: usize = 16;

/// An AES-256-GCM key, expanded once (round keys and GHASH key), for keys
/// used many times (tenant data keys). Its state is wiped on drop.
pub struct Cipher(Aes256Gcm);

impl Cipher {
    pub fn new(key: &[u8; 32]) -> Result<Self, CryptoError> {
        Aes256Gcm::new_from_slice(key).map(Self).map_err(|_| CryptoError::Aead)
    }

    pub fn seal(&self, aad: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let mut nonce = [0u8; NONCE_LEN];
        crate::random::fill(&mut nonce)?;
        let n = Nonce::try_from(&nonce[..]).map_err(|_| CryptoError::Aead)?;
        let ct = self.0.encrypt(&n, Payload { msg: plaintext, aad }).map_err(|_| CryptoError::Aead)?;
        let mut out = Vec::with_capacity(NONCE_LEN + ct.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ct);
        Ok(out)
    }

    /// Open `nonce ‖ ciphertext ‖ tag`. Any change to the bytes, the key or
    /// the associated data gives [`CryptoError::Decrypt`], never wrong data.
    pub fn open(&self, aad: &[u8], sealed: &[u8]) -> Result<Vec<u8>, CryptoError> {
        if sealed.len() < NONCE_LEN + TAG_LEN {
            return Err(CryptoError::Decrypt);
        }
        let (nonce, ct) = sealed.split_at(NONCE_LEN);
        let n = Nonce::try_from(nonce).map_err(|_| CryptoError::Decrypt)?;
        self.0.decrypt(&n, Payload { msg: ct, aad }).map_err(|_| CryptoError::Decrypt)
    }
}

impl std::fmt::Debug for Cipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Cipher(<redacted>)")
    }
}

pub fn seal(key: &[u8; 32], aad: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, CryptoError> {
    Cipher::new(key)?.seal(aad, plaintext)
}

/// Open `nonce ‖ ciphertext ‖ tag` (see [`Cipher::open`]).
pub fn open(key: &[u8; 32], aad: &[u8], sealed: &[u8]) -> Result<Vec<u8>, CryptoError> {
    Cipher::new(key)?.open(aad, sealed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_tamper_detection() {
        let key = [7u8; 32];
        let sealed = seal(&key, b"aad", b"hello").unwrap();
        assert_eq!(open(&key, b"aad", &sealed).unwrap(), b"hello");
        assert_ne!(seal(&key, b"aad", b"hello").unwrap(), sealed, "fresh nonce each time");
        assert!(matches!(open(&key, b"other", &sealed), Err(CryptoError::Decrypt)));
        assert!(matches!(open(&[8u8; 32], b"aad", &sealed), Err(CryptoError::Decrypt)));
        let mut flipped = sealed.clone();
        flipped[NONCE_LEN + 1] ^= 1;
        assert!(matches!(open(&key, b"aad", &flipped), Err(CryptoError::Decrypt)));
        assert!(matches!(open(&key, b"aad", &sealed[..10]), Err(CryptoError::Decrypt)));
    }

    /// NIST GCM test vector (gcmEncryptExtIV256.rsp, Count 0 with a 128-bit
    /// plaintext): proves this is standard AES-256-GCM.
    #[test]
    fn known_answer() {
        let key: [u8; 32] = hex::decode("31bdadd96698c204aa9ce1448ea94ae1fb4a9a0b3c9d773b51bb1822666b8f22")
            .unwrap()
            .try_into()
            .unwrap();
        let nonce = hex::decode("0d18e06c7c725ac9e362e1ce").unwrap();
        let pt = hex::decode("2db5168e932556f8089a0622981d017d").unwrap();
        let cipher = Aes256Gcm::new_from_slice(&key).unwrap();
        let ct = cipher.encrypt(&Nonce::try_from(&nonce[..]).unwrap(), Payload { msg: &pt, aad: b"" }).unwrap();
        assert_eq!(hex::encode(&ct[..16]), "fa4362189661d163fcd6a56d8bf0405a");
        assert_eq!(hex::encode(&ct[16..]), "d636ac1bbedd5cc3ee727dc2ab4a9489");
    }
}
