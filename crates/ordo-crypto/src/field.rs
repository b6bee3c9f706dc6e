//! Field encryption: how a protected value is stored.
//!
//! Stored text is either `p:<text>` (a tenant without encryption) or
//! `e1.<version>:<base64url(nonce ‖ ciphertext ‖ tag)>` — format 1 is
//! AES-256-GCM under the tenant's data key `version`. The associated data
//! binds the ciphertext to its tenant, table, column, row and key version, so
//! a value copied to another row, column or tenant fails to decrypt. The key
//! version is visible (not secret) so that rotation finds the rows to redo.

use crate::keys::SecretKey;
use crate::{CryptoError, aead};
use base64::Engine;
use std::collections::BTreeMap;

/// A protected value as stored. The only way to make one from plain text is
/// [`Keyring::seal`]; the store's protected columns accept nothing else.
#[derive(Clone, PartialEq, Eq)]
pub struct Sealed(String);

impl std::fmt::Debug for Sealed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealed(<protected>)")
    }
}

impl Sealed {
    /// Wrap a value read back from the database (it is opened, and checked,
    /// by [`Keyring::open`]).
    pub fn from_storage(s: String) -> Self {
        Self(s)
    }
    pub fn as_storage(&self) -> &str {
        &self.0
    }
    /// The data key version it is sealed with; None when stored in clear.
    pub fn key_version(&self) -> Option<u32> {
        self.0.strip_prefix("e1.")?.split_once(':')?.0.parse().ok()
    }
    pub fn is_plain(&self) -> bool {
        self.0.starts_with("p:") || self.0.starts_with("pb:")
    }
}

/// Where a value lives: what its ciphertext is bound to.
#[derive(Clone, Copy, Debug)]
pub struct Place<'a> {
    pub tenant: &'a str,
    pub table: &'static str,
    pub column: &'static str,
    pub row: &'a str,
}

fn aad(p: &Place<'_>, version: u32) -> Vec<u8> {
    crate::digest::length_prefixed(&[
        b"ordo-field-v1",
        p.tenant.as_bytes(),
        p.table.as_bytes(),
        p.column.as_bytes(),
        p.row.as_bytes(),
        &version.to_be_bytes(),
    ])
}

/// A tenant's keys, unwrapped: its data keys by version, the current one,
/// its blind-index key, and whether new values are encrypted.
pub struct Keyring {
    tenant: String,
    data: BTreeMap<u32, aead::Cipher>,
    current: u32,
    index: SecretKey,
    encrypt: bool,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keyring")
            .field("tenant", &self.tenant)
            .field("versions", &self.data.keys().collect::<Vec<_>>())
            .field("current", &self.current)
            .field("encrypt", &self.encrypt)
            .finish_non_exhaustive()
    }
}

impl Keyring {
    pub fn new(tenant: &str, data: BTreeMap<u32, SecretKey>, current: u32, index: SecretKey, encrypt: bool) -> Self {
        // Expand each data key once: sealing and opening then skip the key
        // schedule. A key that cannot be expanded cannot happen (32 bytes).
        let data = data.into_iter().filter_map(|(v, k)| aead::Cipher::new(k.bytes()).ok().map(|c| (v, c))).collect();
        Self { tenant: tenant.to_owned(), data, current, index, encrypt }
    }

    pub fn tenant(&self) -> &str {
        &self.tenant
    }
    pub fn current_version(&self) -> u32 {
        self.current
    }
    pub fn encrypts(&self) -> bool {
        self.encrypt
    }

    /// Protect `value` for `place`: encrypted under the current data key, or
    /// marked plain when the tenant has encryption off.
    pub fn seal(&self, place: Place<'_>, value: &str) -> Result<Sealed, CryptoError> {
        debug_assert_eq!(place.tenant, self.tenant);
        if !self.encrypt {
            return Ok(Sealed(format!("p:{value}")));
        }
        let cipher = self.data.get(&self.current).ok_or(CryptoError::NoTenantKey)?;
        let ct = cipher.seal(&aad(&place, self.current), value.as_bytes())?;
        Ok(Sealed(format!("e1.{}:{}", self.current, base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(ct))))
    }

    /// Read a protected value. Anything tampered with, moved, or sealed with a
    /// key this tenant does not have is an error, never wrong data.
    pub fn open(&self, place: Place<'_>, sealed: &Sealed) -> Result<String, CryptoError> {
        if place.tenant != self.tenant {
            return Err(CryptoError::Decrypt);
        }
        if let Some(text) = sealed.0.strip_prefix("p:") {
            return Ok(text.to_owned());
        }
        let rest = sealed.0.strip_prefix("e1.").ok_or(CryptoError::Decrypt)?;
        let (ver, b64) = rest.split_once(':').ok_or(CryptoError::Decrypt)?;
        let version: u32 = ver.parse().map_err(|_| CryptoError::Decrypt)?;
        let cipher = self.data.get(&version).ok_or(CryptoError::Decrypt)?;
        let ct = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(b64).map_err(|_| CryptoError::Decrypt)?;
        let pt = cipher.open(&aad(&place, version), &ct)?;
        String::from_utf8(pt).map_err(|_| CryptoError::Decrypt)
    }

    /// Protect binary content (images): stored as `pb:<base64>` when the
    /// tenant has encryption off, else like text, `e1.<version>:<base64url>`.
    pub fn seal_bytes(&self, place: Place<'_>, value: &[u8]) -> Result<Sealed, CryptoError> {
        if !self.encrypt {
            return Ok(Sealed(format!("pb:{}", base64::engine::general_purpose::STANDARD_NO_PAD.encode(value))));
        }
        let cipher = self.data.get(&self.current).ok_or(CryptoError::NoTenantKey)?;
        let ct = cipher.seal(&aad(&place, self.current), value)?;
        Ok(Sealed(format!("e1.{}:{}", self.current, base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(ct))))
    }

    /// Read binary content sealed by [`Keyring::seal_bytes`].
    pub fn open_bytes(&self, place: Place<'_>, sealed: &Sealed) -> Result<Vec<u8>, CryptoError> {
        if place.tenant != self.tenant {
            return Err(CryptoError::Decrypt);
        }
        if let Some(b64) = sealed.0.strip_prefix("pb:") {
            return base64::engine::general_purpose::STANDARD_NO_PAD.decode(b64).map_err(|_| CryptoError::Decrypt);
        }
        let rest = sealed.0.strip_prefix("e1.").ok_or(CryptoError::Decrypt)?;
        let (ver, b64) = rest.split_once(':').ok_or(CryptoError::Decrypt)?;
        let version: u32 = ver.parse().map_err(|_| CryptoError::Decrypt)?;
        let cipher = self.data.get(&version).ok_or(CryptoError::Decrypt)?;
        let ct = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(b64).map_err(|_| CryptoError::Decrypt)?;
        cipher.open(&aad(&place, version), &ct)
    }

    /// Is this stored value in the form the tenant wants now (plain when
    /// encryption is off, under the current key when on)?
    pub fn is_current(&self, sealed: &Sealed) -> bool {
        if self.encrypt { sealed.key_version() == Some(self.current) } else { sealed.is_plain() }
    }

    /// A keyed blind index of a normalised value (HMAC-SHA-256 under the
    /// tenant's index key): equal inputs give equal indexes, and nothing about
    /// the input can be learnt from it without the key.
    pub fn blind_index(&self, purpose: &str, normalized: &str) -> String {
        crate::digest::hmac_sha256_hex(
            self.index.bytes(),
            &crate::digest::length_prefixed(&[purpose.as_bytes(), normalized.as_bytes()]),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring(tenant: &str, encrypt: bool) -> Keyring {
        let mut data = BTreeMap::new();
        data.insert(1, SecretKey::generate().unwrap());
        Keyring::new(tenant, data, 1, SecretKey::generate().unwrap(), encrypt)
    }

    fn place<'a>(tenant: &'a str, column: &'static str, row: &'a str) -> Place<'a> {
        Place { tenant, table: "users", column, row }
    }

    #[test]
    fn sealed_values_are_bound_to_their_place() {
        let k = ring("t1", true);
        let s = k.seal(place("t1", "email", "r1"), "claire@example.org").unwrap();
        assert!(s.as_storage().starts_with("e1.1:"));
        assert!(!s.as_storage().contains("claire"));
        assert_eq!(k.open(place("t1", "email", "r1"), &s).unwrap(), "claire@example.org");
        assert_eq!(format!("{s:?}"), "Sealed(<protected>)");
        for other in [place("t1", "email", "r2"), place("t1", "display_name", "r1"), place("t2", "email", "r1")] {
            assert!(matches!(k.open(other, &s), Err(CryptoError::Decrypt)), "{other:?}");
        }
        // Another tenant's keyring cannot read it either.
        assert!(ring("t1", true).open(place("t1", "email", "r1"), &s).is_err());
        // Garbage and tampering are errors.
        for bad in ["e1.1:", "e1.x:abc", "e1.9:AAAA", "x", ""] {
            assert!(k.open(place("t1", "email", "r1"), &Sealed::from_storage(bad.into())).is_err(), "{bad}");
        }
    }

    #[test]
    fn plain_tenants_and_versions() {
        let k = ring("t1", false);
        let s = k.seal(place("t1", "email", "r1"), "a@b.co").unwrap();
        assert_eq!(s.as_storage(), "p:a@b.co");
        assert!(k.is_current(&s));
        assert_eq!(s.key_version(), None);
        let e = ring("t1", true);
        assert!(!e.is_current(&s));
        assert_eq!(e.seal(place("t1", "email", "r1"), "x").unwrap().key_version(), Some(1));
    }

    #[test]
    fn key_material_never_shows_in_debug_output() {
        let key = SecretKey::generate().unwrap();
        let hexed = hex::encode(key.bytes());
        let mut data = BTreeMap::new();
        data.insert(1, key.clone());
        let ring = Keyring::new("t1", data, 1, key.clone(), true);
        for shown in [format!("{key:?}"), format!("{ring:?}")] {
            assert!(!shown.contains(&hexed) && !shown.contains(&format!("{:?}", key.bytes())), "{shown}");
        }
        assert_eq!(format!("{key:?}"), "SecretKey(<redacted>)");
    }

    #[test]
    fn bytes_are_sealed_and_bound_too() {
        let k = ring("t1", true);
        let png = [0x89u8, b'P', b'N', b'G', 0, 1, 2, 255];
        let s = k.seal_bytes(place("t1", "data", "r1"), &png).unwrap();
        assert_eq!(k.open_bytes(place("t1", "data", "r1"), &s).unwrap(), png);
        assert!(k.open_bytes(place("t1", "data", "r2"), &s).is_err());
        let plain = ring("t1", false).seal_bytes(place("t1", "data", "r1"), &png).unwrap();
        assert!(plain.as_storage().starts_with("pb:") && plain.is_plain());
    }

    #[test]
    fn blind_index_is_keyed_and_stable() {
        let k = ring("t1", true);
        assert_eq!(k.blind_index("email", "a@b.co"), k.blind_index("email", "a@b.co"));
        assert_ne!(k.blind_index("email", "a@b.co"), k.blind_index("email", "a@b.cd"));
        assert_ne!(k.blind_index("email", "a@b.co"), ring("t1", true).blind_index("email", "a@b.co"));
        assert_eq!(k.blind_index("email", "a@b.co").len(), 64);
    }
}
