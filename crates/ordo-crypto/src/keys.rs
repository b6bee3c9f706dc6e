//! The key hierarchy (see docs/security/crypto.md):
//!
//! ```text
//! master key (file or KMS, outside the database)
//!   └─ wraps each tenant's key-encryption key (KEK), kept in the tenant key
//!      store, outside the database: destroying it shreds the tenant
//!        └─ wraps the tenant's data keys (one per version) and its blind-index
//!           key, stored in the database (table tenant_keys)
//!             └─ data keys encrypt fields (AES-256-GCM, bound to tenant,
//!                table, column, row and key version)
//! ```

use crate::master_key::MasterKey;
use crate::{CryptoError, aead};
use base64::Engine;
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use zeroize::{Zeroize, ZeroizeOnDrop};

/// 256 bits of secret key material, wiped when dropped, never printed.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct SecretKey([u8; 32]);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(<redacted>)")
    }
}

impl SecretKey {
    pub fn generate() -> Result<Self, CryptoError> {
        let mut k = [0u8; 32];
        crate::random::fill(&mut k)?;
        Ok(Self(k))
    }
    pub fn bytes(&self) -> &[u8; 32] {
        &self.0
    }
    fn from_vec(mut v: Vec<u8>) -> Result<Self, CryptoError> {
        let k = <[u8; 32]>::try_from(v.as_slice()).map(Self).map_err(|_| CryptoError::Decrypt);
        v.zeroize();
        k
    }
}

/// Wraps and unwraps keys under a master key. Implemented here for master
/// key files; a KMS (HashiCorp Vault Transit, a cloud KMS) implements the same
/// three calls with its encrypt/decrypt API, the master key never leaving it.
/// The calls are synchronous: they happen when a tenant's keys are first
/// loaded (then cached), at tenant creation and at master-key rotation.
pub trait KeyProvider: Send + Sync + std::fmt::Debug {
    /// The id of the master key that `wrap` uses now (stored beside each
    /// wrapped key, so that old and new keys coexist during a rotation).
    fn current_id(&self) -> String;
    /// Is this master key id one this provider can unwrap with?
    fn knows(&self, key_id: &str) -> bool;
    fn wrap(&self, key: &SecretKey, aad: &[u8]) -> Result<(String, Vec<u8>), CryptoError>;
    fn unwrap(&self, key_id: &str, wrapped: &[u8], aad: &[u8]) -> Result<SecretKey, CryptoError>;
}

/// Master keys from files: the current one, and older ones still accepted
/// for unwrapping while a rotation is under way.
#[derive(Debug)]
pub struct FileKeyProvider {
    current: MasterKey,
    older: Vec<MasterKey>,
}

impl FileKeyProvider {
    pub fn new(current: MasterKey, older: Vec<MasterKey>) -> Self {
        Self { current, older }
    }

    fn find(&self, id: &str) -> Option<&MasterKey> {
        std::iter::once(&self.current).chain(self.older.iter()).find(|k| k.fingerprint() == id)
    }
}

impl KeyProvider for FileKeyProvider {
    fn current_id(&self) -> String {
        self.current.fingerprint()
    }
    fn knows(&self, key_id: &str) -> bool {
        self.find(key_id).is_some()
    }
    fn wrap(&self, key: &SecretKey, aad: &[u8]) -> Result<(String, Vec<u8>), CryptoError> {
        Ok((self.current.fingerprint(), aead::seal(self.current.bytes(), aad, key.bytes())?))
    }
    fn unwrap(&self, key_id: &str, wrapped: &[u8], aad: &[u8]) -> Result<SecretKey, CryptoError> {
        let mk = self.find(key_id).ok_or(CryptoError::UnknownMasterKey)?;
        SecretKey::from_vec(aead::open(mk.bytes(), aad, wrapped)?)
    }
}

/// Associated data of a tenant's key-encryption key.
fn kek_aad(tenant: &str) -> Vec<u8> {
    crate::digest::length_prefixed(&[b"ordo-tenant-kek-v1", tenant.as_bytes()])
}

/// Associated data of a tenant data or index key: binds it to its tenant,
/// purpose and version, so a wrapped key cannot be moved elsewhere.
pub fn tenant_key_aad(tenant: &str, purpose: &str, version: u32) -> Vec<u8> {
    crate::digest::length_prefixed(&[
        b"ordo-tenant-key-v1",
        tenant.as_bytes(),
        purpose.as_bytes(),
        &version.to_be_bytes(),
    ])
}

const KEK_PREFIX: &str = "ordo-tenant-kek-v1";

/// The tenant key store: one small file per tenant holding its KEK wrapped by
/// the master key, outside the database (`<data-dir>/keys/` by default).
/// Deleting a file is what makes a deleted tenant's data unreadable
/// everywhere, old database copies and backups included.
#[derive(Debug, Clone)]
pub struct KekStore {
    dir: PathBuf,
}

impl KekStore {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, tenant: &str) -> PathBuf {
        self.dir.join(format!("{tenant}.kek"))
    }

    fn err(&self, tenant: &str, reason: impl Into<String>) -> CryptoError {
        CryptoError::KeyFile { path: self.path(tenant).display().to_string(), reason: reason.into() }
    }

    pub fn exists(&self, tenant: &str) -> bool {
        self.path(tenant).exists()
    }

    /// Create a new KEK for a tenant; refuses to replace an existing one.
    pub fn create(&self, provider: &dyn KeyProvider, tenant: &str) -> Result<SecretKey, CryptoError> {
        let kek = SecretKey::generate()?;
        let (id, wrapped) = provider.wrap(&kek, &kek_aad(tenant))?;
        self.write(tenant, &id, &wrapped, false)?;
        Ok(kek)
    }

    pub fn load(&self, provider: &dyn KeyProvider, tenant: &str) -> Result<SecretKey, CryptoError> {
        let (id, wrapped) = self.read(tenant)?;
        provider.unwrap(&id, &wrapped, &kek_aad(tenant))
    }

    /// The master key id a tenant's KEK is wrapped with.
    pub fn master_id(&self, tenant: &str) -> Result<String, CryptoError> {
        Ok(self.read(tenant)?.0)
    }

    /// Wrap the tenant's KEK again under the provider's current master key
    /// (master-key rotation). Atomic (write then rename); a no-op if it is
    /// already, so a crashed rotation is simply run again.
    pub fn rewrap(&self, provider: &dyn KeyProvider, tenant: &str) -> Result<bool, CryptoError> {
        let (id, wrapped) = self.read(tenant)?;
        if id == provider.current_id() {
            return Ok(false);
        }
        let kek = provider.unwrap(&id, &wrapped, &kek_aad(tenant))?;
        let (new_id, new_wrapped) = provider.wrap(&kek, &kek_aad(tenant))?;
        self.write(tenant, &new_id, &new_wrapped, true)?;
        Ok(true)
    }

    /// Destroy a tenant's KEK: overwrite, sync, unlink.
    pub fn destroy(&self, tenant: &str) -> Result<(), CryptoError> {
        let p = self.path(tenant);
        if !p.exists() {
            return Ok(());
        }
        let len = std::fs::metadata(&p).map(|m| m.len()).unwrap_or(0) as usize;
        let mut f = std::fs::OpenOptions::new().write(true).open(&p).map_err(|e| self.err(tenant, e.to_string()))?;
        f.write_all(&vec![0u8; len]).and_then(|_| f.sync_all()).map_err(|e| self.err(tenant, e.to_string()))?;
        std::fs::remove_file(&p).map_err(|e| self.err(tenant, e.to_string()))?;
        if let Ok(d) = std::fs::File::open(&self.dir) {
            let _ = d.sync_all();
        }
        Ok(())
    }

    /// Tenants that have a KEK file.
    pub fn tenants(&self) -> Result<Vec<String>, CryptoError> {
        let rd = match std::fs::read_dir(&self.dir) {
            Ok(rd) => rd,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(CryptoError::KeyFile { path: self.dir.display().to_string(), reason: e.to_string() }),
        };
        Ok(rd
            .filter_map(|e| e.ok())
            .filter_map(|e| e.file_name().to_str().and_then(|n| n.strip_suffix(".kek")).map(str::to_owned))
            .collect())
    }

    fn read(&self, tenant: &str) -> Result<(String, Vec<u8>), CryptoError> {
        let p = self.path(tenant);
        let text = std::fs::read_to_string(&p).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => CryptoError::NoTenantKey,
            _ => self.err(tenant, e.to_string()),
        })?;
        let mut parts = text.trim().split(':');
        let (Some(KEK_PREFIX), Some(id), Some(b64), None) = (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(self.err(tenant, "not a tenant key file"));
        };
        let wrapped = base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(b64)
            .map_err(|_| self.err(tenant, "not a tenant key file"))?;
        Ok((id.to_owned(), wrapped))
    }

    fn write(&self, tenant: &str, id: &str, wrapped: &[u8], replace: bool) -> Result<(), CryptoError> {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&self.dir)
            .map_err(|e| self.err(tenant, e.to_string()))?;
        let text = format!("{KEK_PREFIX}:{id}:{}\n", base64::engine::general_purpose::STANDARD_NO_PAD.encode(wrapped));
        let target = self.path(tenant);
        let tmp = if replace { self.dir.join(format!("{tenant}.kek.tmp")) } else { target.clone() };
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .create_new(!replace)
            .mode(0o600)
            .open(&tmp)
            .map_err(|e| self.err(tenant, e.to_string()))?;
        f.write_all(text.as_bytes()).and_then(|_| f.sync_all()).map_err(|e| self.err(tenant, e.to_string()))?;
        let _ = std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o600));
        if replace {
            std::fs::rename(&tmp, &target).map_err(|e| self.err(tenant, e.to_string()))?;
        }
        if let Ok(d) = std::fs::File::open(&self.dir) {
            let _ = d.sync_all();
        }
        Ok(())
    }
}

/// Wrap a tenant data or index key under the tenant's KEK, base64.
pub fn wrap_tenant_key(
    kek: &SecretKey,
    key: &SecretKey,
    tenant: &str,
    purpose: &str,
    version: u32,
) -> Result<String, CryptoError> {
    let sealed = aead::seal(kek.bytes(), &tenant_key_aad(tenant, purpose, version), key.bytes())?;
    Ok(base64::engine::general_purpose::STANDARD_NO_PAD.encode(sealed))
}

pub fn unwrap_tenant_key(
    kek: &SecretKey,
    wrapped: &str,
    tenant: &str,
    purpose: &str,
    version: u32,
) -> Result<SecretKey, CryptoError> {
    let bytes = base64::engine::general_purpose::STANDARD_NO_PAD.decode(wrapped).map_err(|_| CryptoError::Decrypt)?;
    SecretKey::from_vec(aead::open(kek.bytes(), &tenant_key_aad(tenant, purpose, version), &bytes)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn provider() -> FileKeyProvider {
        FileKeyProvider::new(MasterKey::generate().unwrap(), vec![])
    }

    #[test]
    fn kek_round_trip_rotation_and_destruction() {
        let dir = tempfile::tempdir().unwrap();
        let store = KekStore::new(dir.path().join("keys"));
        let p1 = provider();
        let kek = store.create(&p1, "t1").unwrap();
        assert!(store.create(&p1, "t1").is_err(), "never replaced by create");
        assert_eq!(store.load(&p1, "t1").unwrap().bytes(), kek.bytes());
        let mode = std::fs::metadata(dir.path().join("keys/t1.kek")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);

        // Another master key cannot unwrap it.
        assert!(store.load(&provider(), "t1").is_err());

        // Master rotation: the new provider knows the old key while rewrapping.
        let old_bytes = *p1.current.bytes();
        let new = MasterKey::generate().unwrap();
        let p2 = FileKeyProvider::new(new, vec![MasterKey::from_bytes(old_bytes)]);
        assert!(store.rewrap(&p2, "t1").unwrap());
        assert!(!store.rewrap(&p2, "t1").unwrap(), "idempotent");
        let p3 = FileKeyProvider::new(MasterKey::from_bytes(*p2.current.bytes()), vec![]);
        assert_eq!(store.load(&p3, "t1").unwrap().bytes(), kek.bytes());

        // A KEK is bound to its tenant.
        std::fs::copy(dir.path().join("keys/t1.kek"), dir.path().join("keys/t2.kek")).unwrap();
        assert!(store.load(&p3, "t2").is_err());

        store.destroy("t1").unwrap();
        assert!(matches!(store.load(&p3, "t1"), Err(CryptoError::NoTenantKey)));
    }

    #[test]
    fn tenant_keys_are_bound_to_tenant_purpose_and_version() {
        let kek = SecretKey::generate().unwrap();
        let dk = SecretKey::generate().unwrap();
        let w = wrap_tenant_key(&kek, &dk, "t1", "data", 1).unwrap();
        assert_eq!(unwrap_tenant_key(&kek, &w, "t1", "data", 1).unwrap().bytes(), dk.bytes());
        assert!(unwrap_tenant_key(&kek, &w, "t2", "data", 1).is_err());
        assert!(unwrap_tenant_key(&kek, &w, "t1", "index", 1).is_err());
        assert!(unwrap_tenant_key(&kek, &w, "t1", "data", 2).is_err());
    }
}
