//! Tenant keys at run time: created with the tenant, unwrapped on first use
//! and cached (keyed by the tenant's key version and encryption switch, so a
//! rotation or a switch made by another process is picked up at the next
//! request), rotated, and destroyed with the tenant.

use crate::AppError;
use ordo_core::ids::TenantId;
use ordo_crypto::field::{Keyring, Place};
use ordo_crypto::keys::{KekStore, KeyProvider, SecretKey, unwrap_tenant_key, wrap_tenant_key};
use ordo_store::{Sealed, Store, Tenant, TenantKeyRow};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

pub const DATA: &str = "data";
pub const INDEX: &str = "index";

/// The protected columns: every value stored in one of these goes through a
/// tenant's [`Keyring`]. This list is the inventory in docs/security/crypto.md.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    UserEmail,
    UserDisplayName,
    UserPhone,
    MailRecipient,
    MailSubject,
    MailBody,
    MailHtml,
    MailAttachments,
    MeetingTitle,
    MeetingObjectives,
    MeetingPlace,
    TopicTitle,
    ElementTitle,
    ElementDescription,
    CommentBody,
    AttachmentData,
    SupportBody,
    SupportImage,
    TemplateName,
    TemplateBody,
    HistoryBefore,
    ApiTokenName,
}

impl Field {
    pub const ALL: [Field; 22] = [
        Field::UserEmail,
        Field::UserDisplayName,
        Field::UserPhone,
        Field::MailRecipient,
        Field::MailSubject,
        Field::MailBody,
        Field::MailHtml,
        Field::MailAttachments,
        Field::MeetingTitle,
        Field::MeetingObjectives,
        Field::MeetingPlace,
        Field::TopicTitle,
        Field::ElementTitle,
        Field::ElementDescription,
        Field::CommentBody,
        Field::AttachmentData,
        Field::SupportBody,
        Field::SupportImage,
        Field::TemplateName,
        Field::TemplateBody,
        Field::HistoryBefore,
        Field::ApiTokenName,
    ];

    /// Sealed bytes rather than text (pictures).
    pub fn is_binary(self) -> bool {
        matches!(self, Field::AttachmentData | Field::SupportImage)
    }

    /// The blob column this field is, if it is one.
    pub fn of_blob(b: ordo_store::Blob) -> Field {
        match b {
            ordo_store::Blob::Attachment => Field::AttachmentData,
            ordo_store::Blob::SupportImage => Field::SupportImage,
        }
    }

    /// The protected columns of a table the re-sealing job rewrites, in the
    /// store's column order.
    pub fn of_table(t: ordo_store::SealedTable) -> &'static [Field] {
        match t {
            ordo_store::SealedTable::Meetings => &[Field::MeetingTitle, Field::MeetingObjectives, Field::MeetingPlace],
            ordo_store::SealedTable::Topics => &[Field::TopicTitle],
            ordo_store::SealedTable::Elements => &[Field::ElementTitle, Field::ElementDescription],
            ordo_store::SealedTable::Comments => &[Field::CommentBody],
            ordo_store::SealedTable::SupportMessages => &[Field::SupportBody],
            ordo_store::SealedTable::Templates => &[Field::TemplateName, Field::TemplateBody],
            ordo_store::SealedTable::History => &[Field::HistoryBefore],
            ordo_store::SealedTable::ApiTokens => &[Field::ApiTokenName],
        }
    }

    pub fn table_column(self) -> (&'static str, &'static str) {
        match self {
            Field::UserEmail => ("users", "email"),
            Field::UserDisplayName => ("users", "display_name"),
            Field::UserPhone => ("users", "phone"),
            Field::MailRecipient => ("mail_outbox", "recipient"),
            Field::MailSubject => ("mail_outbox", "subject"),
            Field::MailBody => ("mail_outbox", "body_text"),
            Field::MailHtml => ("mail_outbox", "body_html"),
            Field::MailAttachments => ("mail_outbox", "attachments"),
            Field::MeetingTitle => ("meetings", "title"),
            Field::MeetingObjectives => ("meetings", "objectives"),
            Field::MeetingPlace => ("meetings", "place"),
            Field::TopicTitle => ("topics", "title"),
            Field::ElementTitle => ("elements", "title"),
            Field::ElementDescription => ("elements", "description"),
            Field::CommentBody => ("comments", "body"),
            Field::AttachmentData => ("attachments", "data"),
            Field::SupportBody => ("support_messages", "body"),
            Field::SupportImage => ("support_messages", "image"),
            Field::TemplateName => ("agenda_templates", "name"),
            Field::TemplateBody => ("agenda_templates", "body"),
            Field::HistoryBefore => ("meeting_history", "before"),
            Field::ApiTokenName => ("api_tokens", "name"),
        }
    }

    pub fn place<'a>(self, tenant: &'a str, row: &'a str) -> Place<'a> {
        let (table, column) = self.table_column();
        Place { tenant, table, column, row }
    }
}

/// A tenant's keyring with the tenant id, for convenient sealing.
#[derive(Clone, Debug)]
pub struct TenantKeys {
    tenant: String,
    ring: Arc<Keyring>,
    /// The tenant encrypts and nothing is left to re-seal: a value stored
    /// plain can only have been written behind Ordo's back, and is refused.
    strict: bool,
}

impl TenantKeys {
    /// Fuzzing only: keys as the server holds them for a tenant.
    #[cfg(feature = "fuzzing")]
    pub(crate) fn for_fuzzing(tenant: &str, ring: Keyring, strict: bool) -> Self {
        Self { tenant: tenant.to_owned(), ring: Arc::new(ring), strict }
    }

    pub fn seal(&self, field: Field, row: &str, value: &str) -> Result<Sealed, AppError> {
        Ok(self.ring.seal(field.place(&self.tenant, row), value)?)
    }
    pub fn open(&self, field: Field, row: &str, sealed: &Sealed) -> Result<String, AppError> {
        self.refuse_plain(field, row, sealed)?;
        self.ring.open(field.place(&self.tenant, row), sealed).map_err(|e| {
            tracing::error!(tenant = %self.tenant, field = ?field, row, "a protected value cannot be decrypted");
            AppError::Crypto(e)
        })
    }
    pub fn seal_bytes(&self, field: Field, row: &str, value: &[u8]) -> Result<Sealed, AppError> {
        Ok(self.ring.seal_bytes(field.place(&self.tenant, row), value)?)
    }
    pub fn open_bytes(&self, field: Field, row: &str, sealed: &Sealed) -> Result<Vec<u8>, AppError> {
        self.refuse_plain(field, row, sealed)?;
        self.ring.open_bytes(field.place(&self.tenant, row), sealed).map_err(|e| {
            tracing::error!(tenant = %self.tenant, field = ?field, row, "protected content cannot be decrypted");
            AppError::Crypto(e)
        })
    }
    fn refuse_plain(&self, field: Field, row: &str, sealed: &Sealed) -> Result<(), AppError> {
        if self.strict && sealed.is_plain() {
            tracing::error!(tenant = %self.tenant, field = ?field, row, "a value stored plain in a tenant that encrypts");
            return Err(AppError::Internal("a protected value is stored plain"));
        }
        Ok(())
    }

    pub fn email_index(&self, normalized_email: &str) -> String {
        self.ring.blind_index("email", normalized_email)
    }
    pub fn ring(&self) -> &Keyring {
        &self.ring
    }
}

/// Plain values are refused once a tenant encrypts and is fully re-sealed.
fn strict(tenant: &Tenant) -> bool {
    tenant.encryption && !tenant.reseal_pending
}

pub struct Keys {
    provider: Arc<dyn KeyProvider>,
    keks: KekStore,
    cache: Mutex<HashMap<(TenantId, u32, bool), Arc<Keyring>>>,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keys").field("provider", &self.provider).field("keks", &self.keks).finish_non_exhaustive()
    }
}

impl Keys {
    pub fn new(provider: Arc<dyn KeyProvider>, keks: KekStore) -> Self {
        Self { provider, keks, cache: Mutex::new(HashMap::new()) }
    }

    pub fn provider(&self) -> &dyn KeyProvider {
        &*self.provider
    }

    pub fn kek_store(&self) -> &KekStore {
        &self.keks
    }

    /// A tenant's key-encryption key, from the key store (backups wrap
    /// their own keys with it).
    pub fn kek(&self, tenant: &str) -> Result<ordo_crypto::keys::SecretKey, AppError> {
        Ok(self.keks.load(&*self.provider, tenant)?)
    }

    /// The platform's key-encryption key (platform backups), created the
    /// first time it is needed.
    pub fn platform_kek(&self) -> Result<SecretKey, AppError> {
        let name = ordo_backup::platform::KEK_NAME;
        if self.keks.exists(name) {
            Ok(self.keks.load(&*self.provider, name)?)
        } else {
            Ok(self.keks.create(&*self.provider, name)?)
        }
    }

    /// The keys of a tenant, unwrapped (cached).
    pub async fn for_tenant(&self, store: &Store, tenant: &Tenant) -> Result<TenantKeys, AppError> {
        let id = tenant.id.to_string();
        let cache_key = (tenant.id, tenant.key_version, tenant.encryption);
        if let Some(ring) = self.cache.lock().unwrap_or_else(|e| e.into_inner()).get(&cache_key).cloned() {
            return Ok(TenantKeys { tenant: id, ring, strict: strict(tenant) });
        }
        let rows = store.tenant_keys(tenant.id).await?;
        let kek = self.keks.load(&*self.provider, &id)?;
        let ring = Arc::new(keyring_from_rows(&kek, &id, &rows, tenant.key_version, tenant.encryption)?);
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        cache.retain(|(t, _, _), _| *t != tenant.id);
        cache.insert(cache_key, ring.clone());
        Ok(TenantKeys { tenant: id, ring, strict: strict(tenant) })
    }

    /// The keys of a tenant being created, from its key rows not yet
    /// committed (they are written in the same change as what they seal).
    pub fn from_new_rows(&self, tenant: &Tenant, rows: &[TenantKeyRow]) -> Result<TenantKeys, AppError> {
        let id = tenant.id.to_string();
        let kek = self.keks.load(&*self.provider, &id)?;
        let ring = Arc::new(keyring_from_rows(&kek, &id, rows, tenant.key_version, tenant.encryption)?);
        Ok(TenantKeys { tenant: id, ring, strict: strict(tenant) })
    }

    /// Can the tenant's data be read now? Everything from storage, never
    /// from the cache: its key-encryption key from the key store, its
    /// wrapped keys from the database, and one protected value opened (the
    /// tenant watch's probe).
    pub async fn probe(&self, store: &Store, tenant: &Tenant) -> Result<(), AppError> {
        let id = tenant.id.to_string();
        let rows = store.tenant_keys(tenant.id).await?;
        let kek = self.keks.load(&*self.provider, &id)?;
        let ring = keyring_from_rows(&kek, &id, &rows, tenant.key_version, tenant.encryption)?;
        if let Some(user) = store.first_user(tenant.id).await? {
            ring.open(Field::UserEmail.place(&id, &user.id.to_string()), &user.email)?;
        }
        Ok(())
    }

    /// Create a new tenant's key-encryption key (in the key store) and its
    /// first data and index keys (rows to insert with the tenant).
    pub fn create_for_tenant(&self, tenant: TenantId) -> Result<Vec<TenantKeyRow>, AppError> {
        let id = tenant.to_string();
        let kek = self.keks.create(&*self.provider, &id)?;
        let data = SecretKey::generate()?;
        let index = SecretKey::generate()?;
        Ok(vec![
            TenantKeyRow { purpose: DATA.into(), version: 1, wrapped: wrap_tenant_key(&kek, &data, &id, DATA, 1)? },
            TenantKeyRow { purpose: INDEX.into(), version: 1, wrapped: wrap_tenant_key(&kek, &index, &id, INDEX, 1)? },
        ])
    }

    /// A new data key version for a tenant (rotation), as a row to insert.
    pub fn new_data_key(&self, tenant: TenantId, version: u32) -> Result<TenantKeyRow, AppError> {
        let id = tenant.to_string();
        let kek = self.keks.load(&*self.provider, &id)?;
        let data = SecretKey::generate()?;
        Ok(TenantKeyRow { purpose: DATA.into(), version, wrapped: wrap_tenant_key(&kek, &data, &id, DATA, version)? })
    }

    /// Destroy a tenant's key-encryption key: its data becomes unreadable
    /// everywhere, including in old copies of the database.
    pub fn destroy_tenant(&self, tenant: TenantId) -> Result<(), AppError> {
        self.cache.lock().unwrap_or_else(|e| e.into_inner()).retain(|(t, _, _), _| *t != tenant);
        Ok(self.keks.destroy(&tenant.to_string())?)
    }

    pub fn forget(&self, tenant: TenantId) {
        self.cache.lock().unwrap_or_else(|e| e.into_inner()).retain(|(t, _, _), _| *t != tenant);
    }
}

pub(crate) fn keyring_from_rows(
    kek: &SecretKey,
    tenant: &str,
    rows: &[TenantKeyRow],
    current: u32,
    encrypt: bool,
) -> Result<Keyring, AppError> {
    let mut data = BTreeMap::new();
    let mut index = None;
    for r in rows {
        let key = unwrap_tenant_key(kek, &r.wrapped, tenant, &r.purpose, r.version)?;
        match r.purpose.as_str() {
            DATA => {
                data.insert(r.version, key);
            }
            INDEX => index = Some(key),
            _ => return Err(AppError::Internal("unknown tenant key purpose")),
        }
    }
    let index = index.ok_or(AppError::Internal("tenant has no index key"))?;
    if !data.contains_key(&current) {
        return Err(AppError::Internal("tenant's current data key is missing"));
    }
    Ok(Keyring::new(tenant, data, current, index, encrypt))
}
