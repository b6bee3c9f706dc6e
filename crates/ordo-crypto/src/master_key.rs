//! The master key file. In development Ordo creates one (mode 0600) under the
//! data directory; in production the operator provides it. The issue on
//! encryption at rest builds the key hierarchy on top of this.

use crate::CryptoError;
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;
use zeroize::{Zeroize, ZeroizeOnDrop};

const PREFIX: &str = "ordo-master-key-v1:";

/// 256 bits of key material, wiped from memory when dropped.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct MasterKey([u8; 32]);

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(<redacted>)")
    }
}

impl MasterKey {
    pub fn generate() -> Result<Self, CryptoError> {
        let mut k = [0u8; 32];
        crate::random::fill(&mut k)?;
        Ok(Self(k))
    }

    pub fn from_bytes(b: [u8; 32]) -> Self {
        Self(b)
    }

    pub fn bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// A short, non-secret fingerprint to tell keys apart in logs.
    pub fn fingerprint(&self) -> String {
        crate::digest::sha256_parts_hex(&[b"ordo-master-key-fingerprint", &self.0])[..16].to_owned()
    }

    fn encode(&self) -> String {
        format!("{PREFIX}{}\n", hex::encode(self.0))
    }

    fn decode(text: &str) -> Option<Self> {
        let hex_part = text.trim().strip_prefix(PREFIX)?;
        let mut bytes = hex::decode(hex_part).ok()?;
        let key = <[u8; 32]>::try_from(bytes.as_slice()).ok().map(Self);
        bytes.zeroize();
        key
    }

    /// Read a key file. It must be readable by its owner only.
    pub fn load(path: &Path) -> Result<Self, CryptoError> {
        let err = |reason: &str| CryptoError::KeyFile { path: path.display().to_string(), reason: reason.into() };
        let meta = std::fs::metadata(path).map_err(|e| err(&e.kind().to_string()))?;
        if meta.permissions().mode() & 0o077 != 0 {
            return Err(err("permissions are too open; run chmod 600 on it"));
        }
        let mut text = std::fs::read_to_string(path).map_err(|e| err(&e.kind().to_string()))?;
        let key = Self::decode(&text).ok_or_else(|| err("not an Ordo master key file"));
        text.zeroize();
        key
    }

    /// Read the key file, or create it (0600, never overwriting) if missing.
    pub fn load_or_create(path: &Path) -> Result<(Self, bool), CryptoError> {
        if path.exists() {
            return Self::load(path).map(|k| (k, false));
        }
        let err =
            |e: std::io::Error| CryptoError::KeyFile { path: path.display().to_string(), reason: e.kind().to_string() };
        let key = Self::generate()?;
        let mut f = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path).map_err(err)?;
        let mut text = key.encode();
        let res = f.write_all(text.as_bytes()).and_then(|_| f.sync_all());
        text.zeroize();
        res.map_err(err)?;
        Ok((key, true))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_with_0600_and_reloaded() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("master.key");
        let (k1, created) = MasterKey::load_or_create(&p).unwrap();
        assert!(created);
        assert_eq!(std::fs::metadata(&p).unwrap().permissions().mode() & 0o777, 0o600);
        let (k2, created) = MasterKey::load_or_create(&p).unwrap();
        assert!(!created);
        assert_eq!(k1.bytes(), k2.bytes());
        assert_eq!(format!("{k1:?}"), "MasterKey(<redacted>)");
    }

    #[test]
    fn refuses_open_permissions_and_garbage() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("k");
        std::fs::write(&p, "ordo-master-key-v1:00").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert!(MasterKey::load(&p).is_err());
        let (k, _) = MasterKey::load_or_create(&dir.path().join("k2")).unwrap();
        std::fs::set_permissions(dir.path().join("k2"), std::fs::Permissions::from_mode(0o644)).unwrap();
        let e = MasterKey::load(&dir.path().join("k2")).unwrap_err().to_string();
        assert!(e.contains("too open"), "{e}");
        drop(k);
    }
}
