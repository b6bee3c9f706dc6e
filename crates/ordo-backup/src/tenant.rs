//! Taking, checking and restoring one tenant's backup.

use crate::BackupError;
use crate::format::{ArchiveReader, ArchiveWriter, Header, Record, TableSummary};
use crate::target::Target;
use ordo_core::time::Timestamp;
use ordo_crypto::keys::{SecretKey, unwrap_tenant_key, wrap_tenant_key};
use ordo_store::dump::{TENANT_TABLES, Value};
use ordo_store::{SCHEMA_VERSION, Store, Tenant};
use std::io::{BufReader, BufWriter};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Rows inserted per batch during a restore, and the most bytes a batch
/// holds (large images): memory stays bounded whatever the tenant's size.
const BATCH: usize = 500;
const BATCH_BYTES: usize = 8 << 20;

fn value_size(v: &Value) -> usize {
    match v {
        Value::Text(t) => t.len(),
        _ => 8,
    }
}

/// What a backup produced.
#[derive(Clone, Debug)]
pub struct BackupOutcome {
    pub snapshot: String,
    pub bytes: u64,
    pub tables: Vec<TableSummary>,
    pub seconds: f64,
}

/// What a restore did.
#[derive(Clone, Debug)]
pub struct RestoreOutcome {
    pub header: Header,
    pub tables: Vec<TableSummary>,
    pub seconds: f64,
}

/// How rows change on their way in when an archive is restored under
/// another tenant (`ordo restore --into`): the new tenant's id, and each
/// archived row turned into the rows to write (none, itself changed, or
/// others). Implemented where the keys are known (`ordo-app`).
pub trait Rewrite: Send {
    /// The tenant the rows are written for.
    fn tenant_id(&self) -> &str;
    /// The rows to write for one archived row of `table`.
    fn row(&mut self, table: &str, columns: &[String], row: Vec<Value>) -> Result<Vec<Vec<Value>>, BackupError>;
    /// What opens the new tenant's audit chain: where it came from.
    fn origin(&self) -> String;
}

/// A new snapshot name: sortable by time, unique.
pub fn snapshot_name(now: Timestamp) -> Result<String, BackupError> {
    let mut r = [0u8; 4];
    ordo_crypto::random::fill(&mut r)?;
    // 2026-11-28T04:34:56Z -> 20261128T043456Z
    let t: String = now.rfc3339().chars().filter(|c| *c != '-' && *c != ':').collect();
    Ok(format!("{t}-{}", hex::encode(r)))
}

fn key_purpose(snapshot: &str) -> String {
    format!("backup/{snapshot}")
}

/// The backup key of an archive, unwrapped with its tenant's KEK.
pub fn archive_key(kek: &SecretKey, header: &Header) -> Result<SecretKey, BackupError> {
    unwrap_tenant_key(kek, &header.wrapped_key, &header.tenant_id, &key_purpose(&header.snapshot), 1)
        .map_err(|_| BackupError::WrongKey)
}

/// A file in `dir` removed when dropped (unless kept).
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Back up a tenant: every table of [`TENANT_TABLES`] read in one
/// consistent snapshot, written to a scratch file in `work_dir`, then
/// stored in `target`. Returns once the archive is complete in the target.
pub async fn backup(
    store: &Store,
    tenant: &Tenant,
    kek: &SecretKey,
    target: &Target,
    work_dir: &Path,
    now: Timestamp,
    quota_bytes: Option<u64>,
) -> Result<BackupOutcome, BackupError> {
    let started = Instant::now();
    let snapshot = snapshot_name(now)?;
    let key = SecretKey::generate()?;
    let tenant_id = tenant.id.to_string();
    let header = Header {
        tenant_id: tenant_id.clone(),
        tenant_slug: tenant.slug.as_str().to_owned(),
        snapshot: snapshot.clone(),
        created_at: now.unix(),
        schema_version: SCHEMA_VERSION,
        wrapped_key: wrap_tenant_key(kek, &key, &tenant_id, &key_purpose(&snapshot), 1)?,
    };
    std::fs::create_dir_all(work_dir)?;
    let scratch = Scratch(work_dir.join(format!(".{snapshot}.tmp")));
    let file = std::fs::OpenOptions::new().write(true).create_new(true).open(&scratch.0)?;
    let mut w = ArchiveWriter::new(BufWriter::new(file), &header, &key)?;
    let mut tx = store.begin_snapshot().await?;
    for (table, _) in TENANT_TABLES {
        let columns: Vec<String> = tx.columns(table).await?.into_iter().map(|c| c.name).collect();
        w.begin_table(table, &columns)?;
        tx.dump_table(tenant.id, table, |row: Vec<Value>| w.row(&row)).await?;
        w.end_table()?;
    }
    tx.commit().await?;
    let (out, tables) = w.finish()?;
    let file = out.into_inner().map_err(|e| e.into_error())?;
    file.sync_all()?;
    let bytes = file.metadata()?.len();
    drop(file);
    if let Some(limit) = quota_bytes {
        // Over quota, the backup fails and nothing is deleted to make room:
        // the last good backups stay.
        let used: u64 = target.list(tenant.slug.as_str()).await?.iter().map(|l| l.size).sum();
        if used + bytes > limit {
            return Err(BackupError::Quota { used: used + bytes, limit });
        }
    }
    target.put(tenant.slug.as_str(), &snapshot, &scratch.0).await?;
    Ok(BackupOutcome { snapshot, bytes, tables, seconds: started.elapsed().as_secs_f64() })
}

/// Check a whole archive file: every chunk, table and checksum, the
/// manifest, the end. `kek` finds the key-encryption key of the tenant the
/// archive names.
pub fn verify_file(
    file: &Path,
    kek: &(dyn Fn(&str) -> Result<SecretKey, BackupError> + Sync),
) -> Result<(Header, Vec<TableSummary>), BackupError> {
    let input = BufReader::new(std::fs::File::open(file)?);
    crate::format::verify(input, |h| archive_key(&kek(&h.tenant_id)?, h))
}

/// An archive's header, its key unwrapped with the tenant's KEK (which
/// authenticates the tenant and snapshot it names); the rest is not read.
pub fn read_header(
    file: &Path,
    kek: &(dyn Fn(&str) -> Result<SecretKey, BackupError> + Sync),
) -> Result<Header, BackupError> {
    let input = BufReader::new(std::fs::File::open(file)?);
    Ok(ArchiveReader::open(input, |h| archive_key(&kek(&h.tenant_id)?, h))?.header().clone())
}

/// Restore a tenant from an archive file, all or nothing: the archive is
/// checked from end to end before anything is written, then written in one
/// transaction (re-checked as it is read again). A tenant that exists is
/// replaced only with `replace` (its sessions end). Re-running a failed
/// restore is safe. With `into`, the rows are written for another tenant,
/// as it rewrites them, and the original tenant is not touched.
pub async fn restore(
    store: &Store,
    file: &Path,
    kek: &(dyn Fn(&str) -> Result<SecretKey, BackupError> + Sync),
    expected_slug: Option<&str>,
    replace: bool,
    now: Timestamp,
    mut into: Option<&mut dyn Rewrite>,
) -> Result<RestoreOutcome, BackupError> {
    let started = Instant::now();
    let (header, _) = verify_file(file, kek)?;
    if expected_slug.is_some_and(|s| s != header.tenant_slug) {
        return Err(BackupError::Corrupt("an archive stored under another tenant's name"));
    }
    if header.schema_version != SCHEMA_VERSION {
        return Err(BackupError::Schema { archive: header.schema_version, database: SCHEMA_VERSION });
    }
    let tenant: ordo_core::ids::TenantId = into
        .as_ref()
        .map_or(header.tenant_id.as_str(), |r| r.tenant_id())
        .parse()
        .map_err(|_| BackupError::Corrupt("the header's tenant"))?;
    let key = archive_key(&kek(&header.tenant_id)?, &header)?;
    // Read (decrypt, decompress, parse) on a thread of its own while this
    // task writes: the two overlap on a machine with two cores.
    let mut records = read_ahead(file, header.clone(), key)?;
    let mut tx = store.begin().await?;
    tx.restoring().await?;
    if tx.tenant_exists(tenant).await? {
        if !replace {
            return Err(BackupError::TenantExists(header.tenant_slug.clone()));
        }
        tx.delete_tenant_for_restore(tenant).await?;
    }
    let mut table: Option<(String, Vec<String>, usize)> = None;
    let mut batch: Vec<Vec<Value>> = Vec::with_capacity(BATCH);
    let mut batch_bytes = 0usize;
    let mut manifest = None;
    while let Some(item) = records.recv().await {
        let rec = match item? {
            Ahead::Record(rec) => rec,
            Ahead::End(tables) => {
                manifest = Some(tables);
                break;
            }
        };
        match rec {
            Record::Table { name, columns } => {
                let (_, col) =
                    TENANT_TABLES.iter().find(|(t, _)| *t == name).ok_or(BackupError::Corrupt("an unknown table"))?;
                let at = columns.iter().position(|c| c == col).ok_or(BackupError::Corrupt("a table's columns"))?;
                table = Some((name, columns, at));
            }
            Record::Row(values) => {
                let (_, _, at) = table.as_ref().ok_or(BackupError::Corrupt("a row outside a table"))?;
                // Every row belongs to the archive's tenant.
                if values.get(*at) != Some(&Value::Text(header.tenant_id.clone())) {
                    return Err(BackupError::Corrupt("a row of another tenant"));
                }
                let rows = match into.as_deref_mut() {
                    None => vec![values],
                    Some(rewrite) => {
                        let (name, columns, _) = table.as_ref().ok_or(BackupError::Corrupt("a row outside a table"))?;
                        rewrite.row(name, columns, values)?
                    }
                };
                for values in rows {
                    batch_bytes += values.iter().map(value_size).sum::<usize>();
                    batch.push(values);
                }
                if batch.len() >= BATCH || batch_bytes >= BATCH_BYTES {
                    batch_bytes = 0;
                    let (name, columns, _) = table.as_ref().ok_or(BackupError::Corrupt("a row outside a table"))?;
                    tx.restore_rows(name, columns, &batch).await?;
                    batch.clear();
                }
            }
            Record::EndTable => {
                let (name, columns, _) = table.take().ok_or(BackupError::Corrupt("a trailer outside a table"))?;
                tx.restore_rows(&name, &columns, &batch).await?;
                batch.clear();
                batch_bytes = 0;
            }
        }
    }
    // No end: the reader stopped early (it reports why before stopping).
    let tables = manifest.ok_or(BackupError::Truncated)?;
    tx.renew_people_revision(tenant, now.unix().saturating_mul(1_000_000)).await?;
    let detail = match &into {
        None => serde_json::json!({ "slug": header.tenant_slug, "snapshot": header.snapshot }),
        Some(_) => serde_json::json!({
            "slug": header.tenant_slug,
            "snapshot": header.snapshot,
            "into": tenant.to_string(),
        }),
    }
    .to_string();
    tx.append_platform_audit("tenant.restored", Some(&header.tenant_id), &detail, now).await?;
    if let Some(rewrite) = &into {
        // A copy starts its own audit chain (entries are bound to their
        // tenant), opened by where it came from and the source chain's head.
        let draft = ordo_store::AuditDraft::new(ordo_core::audit::AuditKind::TenantRestored).detail(rewrite.origin());
        tx.append_audit(tenant, &draft, now).await?;
    }
    tx.commit().await?;
    Ok(RestoreOutcome { header, tables, seconds: started.elapsed().as_secs_f64() })
}

/// What the read-ahead thread hands over: records, then the manifest.
enum Ahead {
    Record(Record),
    End(Vec<TableSummary>),
}

/// Read an archive on a thread of its own, a bounded number of records
/// ahead of the writer (memory stays bounded). An error ends the stream;
/// so does the receiver going away (the thread then stops).
fn read_ahead(
    file: &Path,
    header: Header,
    key: SecretKey,
) -> Result<tokio::sync::mpsc::Receiver<Result<Ahead, BackupError>>, BackupError> {
    let input = BufReader::new(std::fs::File::open(file)?);
    let (send, receive) = tokio::sync::mpsc::channel(1024);
    std::thread::Builder::new().name("ordo-restore-read".into()).spawn(move || {
        let opened = ArchiveReader::open(input, |h| {
            // The file changed between the check and this reading.
            if h != &header { Err(BackupError::Tampered) } else { Ok(key.clone()) }
        });
        let mut r = match opened {
            Ok(r) => r,
            Err(e) => {
                let _ = send.blocking_send(Err(e));
                return;
            }
        };
        loop {
            let item = match r.next() {
                Ok(Some(rec)) => Ok(Ahead::Record(rec)),
                Ok(None) => match r.manifest() {
                    Some(m) => Ok(Ahead::End(m.to_vec())),
                    None => Err(BackupError::Truncated),
                },
                Err(e) => Err(e),
            };
            let last = !matches!(item, Ok(Ahead::Record(_)));
            if send.blocking_send(item).is_err() || last {
                return;
            }
        }
    })?;
    Ok(receive)
}

/// Write the archive of `target`'s snapshot to a scratch file next to
/// `work_dir` and return it (removed when the returned guard drops).
pub async fn fetch(
    target: &Target,
    slug: &str,
    snapshot: &str,
    work_dir: &Path,
) -> Result<FetchedArchive, BackupError> {
    std::fs::create_dir_all(work_dir)?;
    let mut r = [0u8; 6];
    ordo_crypto::random::fill(&mut r)?;
    let path = work_dir.join(format!(".fetch-{}.tmp", hex::encode(r)));
    let guard = FetchedArchive(Scratch(path));
    target.fetch(slug, snapshot, guard.path()).await?;
    Ok(guard)
}

/// A fetched archive file, removed when dropped.
pub struct FetchedArchive(Scratch);

impl FetchedArchive {
    pub fn path(&self) -> &Path {
        &self.0.0
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn snapshot_names_sort_by_time() {
        let a = super::snapshot_name(ordo_core::time::Timestamp::from_unix(1_795_840_496)).unwrap();
        let b = super::snapshot_name(ordo_core::time::Timestamp::from_unix(1_795_840_497)).unwrap();
        assert!(a.starts_with("20261128T") && a.len() == "20261128T033456Z-01234567".len(), "{a}");
        assert!(a < b);
    }
}

/// What a restore drill found.
#[derive(Clone, Debug)]
pub struct DrillOutcome {
    pub snapshot: String,
    pub tables: usize,
    pub rows: u64,
    pub seconds: f64,
}

/// Per table: row count and a digest of the rows without their revision
/// counters (which a restore moves on purpose).
type Digests = std::collections::BTreeMap<String, (u64, String)>;

fn digest_add(d: &mut Digests, table: &str, keep: &[usize], row: &[Value]) {
    use sha2::Digest as _;
    let e = d.entry(table.to_owned()).or_insert((0, String::new()));
    e.0 += 1;
    let mut h = sha2::Sha256::new();
    h.update(e.1.as_bytes());
    for i in keep {
        h.update(format!("{:?}|", row.get(*i)).as_bytes());
    }
    e.1 = hex::encode(h.finalize());
}

fn kept_columns(columns: &[String]) -> Vec<usize> {
    (0..columns.len()).filter(|i| !columns[*i].ends_with("revision")).collect()
}

fn archive_digests(
    file: &Path,
    kek: &(dyn Fn(&str) -> Result<SecretKey, BackupError> + Sync),
) -> Result<Digests, BackupError> {
    let mut r =
        ArchiveReader::open(BufReader::new(std::fs::File::open(file)?), |h| archive_key(&kek(&h.tenant_id)?, h))?;
    let mut d = Digests::new();
    let mut current: Option<(String, Vec<usize>)> = None;
    while let Some(rec) = r.next()? {
        match rec {
            Record::Table { name, columns } => {
                d.entry(name.clone()).or_insert((0, String::new()));
                current = Some((name, kept_columns(&columns)));
            }
            Record::Row(values) => {
                let (name, keep) = current.as_ref().ok_or(BackupError::Corrupt("a row outside a table"))?;
                digest_add(&mut d, name, keep, &values);
            }
            Record::EndTable => current = None,
        }
    }
    Ok(d)
}

async fn store_digests(store: &Store, tenant: ordo_core::ids::TenantId) -> Result<Digests, BackupError> {
    let mut d = Digests::new();
    let mut tx = store.begin_snapshot().await?;
    for (table, _) in TENANT_TABLES {
        let columns: Vec<String> = tx.columns(table).await?.into_iter().map(|c| c.name).collect();
        let keep = kept_columns(&columns);
        d.entry((*table).to_owned()).or_insert((0, String::new()));
        tx.dump_table(tenant, table, |row: Vec<Value>| {
            digest_add(&mut d, table, &keep, &row);
            Ok::<(), BackupError>(())
        })
        .await?;
    }
    tx.commit().await?;
    Ok(d)
}

/// A restore drill: restore an archive into a scratch SQLite database in
/// `work_dir` (never the live one), then compare every table's row count and
/// content with the archive's. The scratch database is removed afterwards.
pub async fn drill(
    file: &Path,
    kek: &(dyn Fn(&str) -> Result<SecretKey, BackupError> + Sync),
    work_dir: &Path,
    now: Timestamp,
) -> Result<DrillOutcome, BackupError> {
    let started = Instant::now();
    std::fs::create_dir_all(work_dir)?;
    let mut r = [0u8; 6];
    ordo_crypto::random::fill(&mut r)?;
    let db = work_dir.join(format!(".drill-{}.db", hex::encode(r)));
    let _cleanup = [
        Scratch(db.clone()),
        Scratch(PathBuf::from(format!("{}-wal", db.display()))),
        Scratch(PathBuf::from(format!("{}-shm", db.display()))),
    ];
    let scratch = Store::connect(&format!("sqlite:{}", db.display())).await?;
    scratch.migrate().await?;
    let out = restore(&scratch, file, kek, None, false, now, None).await?;
    let tenant: ordo_core::ids::TenantId =
        out.header.tenant_id.parse().map_err(|_| BackupError::Corrupt("the header's tenant"))?;
    let expected = archive_digests(file, kek)?;
    let found = store_digests(&scratch, tenant).await?;
    scratch.close().await;
    for (table, (rows, digest)) in &expected {
        match found.get(table) {
            Some((n, d)) if n == rows && d == digest => {}
            _ => return Err(BackupError::Checksum(table.clone())),
        }
    }
    let rows = out.tables.iter().map(|t| t.rows).sum();
    Ok(DrillOutcome {
        snapshot: out.header.snapshot,
        tables: out.tables.len(),
        rows,
        seconds: started.elapsed().as_secs_f64(),
    })
}
