//! Restoring a tenant's archive as another tenant (`ordo restore --into`):
//! a copy beside the original, under a new id, slug and keys. Every
//! protected value is opened with the original's keys (from the archive,
//! unwrapped by its key-encryption key) and sealed again for the copy, whose
//! values are bound to its own id; the blind index is recomputed with the
//! copy's index key. Destroying either tenant's keys leaves the other whole.
//!
//! What is not carried over, and why:
//! - one-time links (`user_tokens`) and API tokens: bearer secrets issued
//!   for the original; users sign in to the copy with their passwords;
//! - the audit log: its entries are bound to their tenant. The copy's chain
//!   opens with a `tenant.restored` entry naming the source, the snapshot
//!   and the head of the source chain, which stays verifiable in the
//!   archive and in the original;
//! - mail waiting to be sent: the original sent or will send it; it is kept
//!   in the copy as failed ("restored copy"), never sent twice.

use crate::keys::{Field, keyring_from_rows};
use crate::{App, AppError};
use ordo_backup::BackupError;
use ordo_backup::tenant::Rewrite;
use ordo_core::ids::{MailId, TenantId};
use ordo_core::tenant::Slug;
use ordo_crypto::field::Keyring;
use ordo_crypto::keys::SecretKey;
use ordo_store::dump::{TENANT_TABLES, Value};
use ordo_store::{Sealed, TenantKeyRow};

/// The original tenant as the archive describes it.
struct Source {
    key_version: u32,
    encryption: bool,
    audit_seq: i64,
    audit_head: String,
}

pub(crate) struct Rekey {
    from_id: String,
    from_slug: String,
    snapshot: String,
    to_id: String,
    to_slug: String,
    now: i64,
    from_kek: SecretKey,
    to_kek: SecretKey,
    to_keys: Vec<TenantKeyRow>,
    source: Option<Source>,
    from_key_rows: Vec<TenantKeyRow>,
    rings: Option<(Keyring, Keyring)>,
    keys_written: bool,
}

fn corrupt(what: &'static str) -> BackupError {
    BackupError::Corrupt(what)
}

fn at(columns: &[String], name: &str) -> Result<usize, BackupError> {
    columns.iter().position(|c| c == name).ok_or(corrupt("a table's columns"))
}

fn text(row: &[Value], i: usize) -> Result<&str, BackupError> {
    match row.get(i) {
        Some(Value::Text(t)) => Ok(t),
        _ => Err(corrupt("a value's type")),
    }
}

fn int(row: &[Value], i: usize) -> Result<i64, BackupError> {
    match row.get(i) {
        Some(Value::Int(n)) => Ok(*n),
        _ => Err(corrupt("a value's type")),
    }
}

fn set(row: &mut [Value], columns: &[String], name: &str, value: Value) {
    if let Some(i) = columns.iter().position(|c| c == name) {
        row[i] = value;
    }
}

impl Rekey {
    /// Prepare the copy: its id and keys (its key-encryption key is created
    /// in the key store now; [`abandon`] removes it if the restore fails).
    pub(crate) fn new(
        app: &App,
        from: &ordo_backup::format::Header,
        to_id: TenantId,
        to_slug: &Slug,
    ) -> Result<Self, AppError> {
        let from_kek = app.keys.kek(&from.tenant_id)?;
        let to_keys = app.keys.create_for_tenant(to_id)?;
        let to_kek = app.keys.kek(&to_id.to_string())?;
        Ok(Self {
            from_id: from.tenant_id.clone(),
            from_slug: from.tenant_slug.clone(),
            snapshot: from.snapshot.clone(),
            to_id: to_id.to_string(),
            to_slug: to_slug.as_str().to_owned(),
            now: app.now().unix(),
            from_kek,
            to_kek,
            to_keys,
            source: None,
            from_key_rows: Vec::new(),
            rings: None,
            keys_written: false,
        })
    }

    /// The original's and the copy's keyrings, made once the archive's
    /// tenant row and keys have been read (they come first).
    fn rings(&mut self) -> Result<&(Keyring, Keyring), BackupError> {
        if self.rings.is_none() {
            let source = self.source.as_ref().ok_or(corrupt("rows before their tenant"))?;
            let from = keyring_from_rows(
                &self.from_kek,
                &self.from_id,
                &self.from_key_rows,
                source.key_version,
                source.encryption,
            )
            .map_err(|_| BackupError::WrongKey)?;
            let to = keyring_from_rows(&self.to_kek, &self.to_id, &self.to_keys, 1, source.encryption)
                .map_err(|_| BackupError::WrongKey)?;
            self.rings = Some((from, to));
        }
        self.rings.as_ref().ok_or(corrupt("keys"))
    }

    fn tenant_row(&mut self, columns: &[String], mut row: Vec<Value>) -> Result<Vec<Value>, BackupError> {
        self.source = Some(Source {
            key_version: u32::try_from(int(&row, at(columns, "key_version")?)?)
                .map_err(|_| corrupt("a key version"))?,
            encryption: text(&row, at(columns, "encryption")?)? == "on",
            audit_seq: int(&row, at(columns, "audit_seq")?)?,
            audit_head: text(&row, at(columns, "audit_head")?)?.to_owned(),
        });
        set(&mut row, columns, "slug", Value::Text(self.to_slug.clone()));
        set(&mut row, columns, "created_at", Value::Int(self.now));
        set(&mut row, columns, "audit_seq", Value::Int(0));
        set(&mut row, columns, "audit_head", Value::Text(String::new()));
        set(&mut row, columns, "key_version", Value::Int(1));
        set(&mut row, columns, "reseal_pending", Value::Int(0));
        // The copy is backed up and drilled soon, by whichever node is free.
        set(&mut row, columns, "backup_next_at", Value::Int(self.now));
        set(&mut row, columns, "drill_next_at", Value::Int(self.now));
        set(&mut row, columns, "backup_lease_until", Value::Null);
        set(&mut row, columns, "drill_lease_until", Value::Null);
        Ok(row)
    }

    /// The copy's own key rows, in the archive's column order.
    fn key_rows(&self, columns: &[String]) -> Result<Vec<Vec<Value>>, BackupError> {
        self.to_keys
            .iter()
            .map(|k| {
                columns
                    .iter()
                    .map(|c| match c.as_str() {
                        "tenant_id" => Ok(Value::Text(self.to_id.clone())),
                        "purpose" => Ok(Value::Text(k.purpose.clone())),
                        "version" => Ok(Value::Int(i64::from(k.version))),
                        "wrapped" => Ok(Value::Text(k.wrapped.clone())),
                        "created_at" => Ok(Value::Int(self.now)),
                        _ => Err(corrupt("a tenant key column")),
                    })
                    .collect()
            })
            .collect()
    }

    /// Open each protected column with the original's keys, seal it for the
    /// copy, bound to `new_id` (a mail gets a new id: ids of mail are global).
    fn reseal(&mut self, table: &str, columns: &[String], row: &mut [Value], new_id: &str) -> Result<(), BackupError> {
        let id = text(row, at(columns, "id")?)?.to_owned();
        let (from_id, to_id) = (self.from_id.clone(), self.to_id.clone());
        let (from, to) = self.rings()?;
        for field in Field::ALL.iter().filter(|f| f.table_column().0 == table) {
            let i = at(columns, field.table_column().1)?;
            // Empty: scrubbed after use (a sent mail's subject and body).
            // NULL: an optional value (a message without a picture).
            let Value::Text(stored) = &row[i] else { continue };
            if stored.is_empty() {
                continue;
            }
            let sealed = Sealed::from_storage(stored.clone());
            let resealed = if field.is_binary() {
                let bytes = from.open_bytes(field.place(&from_id, &id), &sealed).map_err(|_| BackupError::WrongKey)?;
                to.seal_bytes(field.place(&to_id, new_id), &bytes)?
            } else {
                let plain = from.open(field.place(&from_id, &id), &sealed).map_err(|_| BackupError::WrongKey)?;
                if *field == Field::UserEmail {
                    let email = ordo_core::user::Email::parse(&plain).map_err(|_| corrupt("an e-mail address"))?;
                    let index = to.blind_index("email", &email.normalized());
                    set(row, columns, "email_index", Value::Text(index));
                }
                to.seal(field.place(&to_id, new_id), &plain)?
            };
            row[i] = Value::Text(resealed.as_storage().to_owned());
        }
        Ok(())
    }
}

impl Rewrite for Rekey {
    fn tenant_id(&self) -> &str {
        &self.to_id
    }

    fn row(&mut self, table: &str, columns: &[String], mut row: Vec<Value>) -> Result<Vec<Vec<Value>>, BackupError> {
        let (_, tenant_column) = TENANT_TABLES.iter().find(|(t, _)| *t == table).ok_or(corrupt("an unknown table"))?;
        let i = at(columns, tenant_column)?;
        row[i] = Value::Text(self.to_id.clone());
        match table {
            "tenants" => Ok(vec![self.tenant_row(columns, row)?]),
            "tenant_keys" => {
                self.from_key_rows.push(TenantKeyRow {
                    purpose: text(&row, at(columns, "purpose")?)?.to_owned(),
                    version: u32::try_from(int(&row, at(columns, "version")?)?)
                        .map_err(|_| corrupt("a key version"))?,
                    wrapped: text(&row, at(columns, "wrapped")?)?.to_owned(),
                });
                if std::mem::replace(&mut self.keys_written, true) { Ok(Vec::new()) } else { self.key_rows(columns) }
            }
            "user_tokens" | "api_tokens" | "calendar_feeds" | "audit_log" => Ok(Vec::new()),
            "mail_outbox" => {
                let new_id = MailId::new().to_string();
                self.reseal(table, columns, &mut row, &new_id)?;
                set(&mut row, columns, "id", Value::Text(new_id));
                if text(&row, at(columns, "status")?)? == "pending" {
                    set(&mut row, columns, "status", Value::Text("failed".into()));
                    set(&mut row, columns, "last_error", Value::Text("not sent from a restored copy".into()));
                    set(&mut row, columns, "locked_until", Value::Null);
                }
                Ok(vec![row])
            }
            _ => {
                if Field::ALL.iter().any(|f| f.table_column().0 == table) {
                    let id = text(&row, at(columns, "id")?)?.to_owned();
                    self.reseal(table, columns, &mut row, &id)?;
                }
                Ok(vec![row])
            }
        }
    }

    fn origin(&self) -> String {
        let (seq, head) = self.source.as_ref().map_or((0, ""), |s| (s.audit_seq, s.audit_head.as_str()));
        serde_json::json!({
            "from_tenant": self.from_id,
            "from_slug": self.from_slug,
            "snapshot": self.snapshot,
            "source_audit_seq": seq,
            "source_audit_head": head,
        })
        .to_string()
    }
}

/// Forget the keys of a copy that was not made.
pub(crate) fn abandon(app: &App, to_id: TenantId) {
    if let Err(e) = app.keys.destroy_tenant(to_id) {
        tracing::warn!(tenant = %to_id, error = %e, "the key of an unfinished copy could not be removed");
    }
}
