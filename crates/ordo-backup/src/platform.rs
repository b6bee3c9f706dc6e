//! The platform's own backup (`ordo backup platform`): what is outside every
//! tenant. Tenants are backed up one by one; this archive holds the
//! platform tables (the platform audit chain, platform facts), the
//! configuration file, and on SQLite a consistent online copy of the whole
//! database file. It uses the tenant archive format, sealed under a key
//! wrapped by the platform's own key-encryption key (`platform` in the key
//! store, re-wrapped with the others when the master key rotates), and is
//! kept under `_platform/` in the backup target, a name no tenant can take.
//!
//! On PostgreSQL the whole database is copied by `pg_dump` or continuous
//! archiving (PITR), as docs/operations.md describes; this archive then
//! carries the platform tables and configuration.

use crate::BackupError;
use crate::format::{ArchiveReader, ArchiveWriter, Header, Record, TableSummary};
use crate::target::Target;
use base64::Engine as _;
use ordo_core::time::Timestamp;
use ordo_crypto::keys::{SecretKey, unwrap_tenant_key, wrap_tenant_key};
use ordo_store::dump::{PLATFORM_TABLES, Value};
use ordo_store::{SCHEMA_VERSION, Store};
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The key-store name of the platform's key-encryption key, and the
/// archive header's "tenant".
pub const KEK_NAME: &str = "platform";
/// The folder of platform archives in a target.
pub const FOLDER: &str = "_platform";
/// The table holding the configuration file, and the SQLite file copy.
const CONFIG: &str = "config_file";
const DATABASE: &str = "sqlite_database";
/// Bytes of the database file per archived row.
const PIECE: usize = 512 * 1024;

/// What a platform backup produced.
#[derive(Clone, Debug)]
pub struct PlatformOutcome {
    pub snapshot: String,
    pub bytes: u64,
    pub tables: Vec<TableSummary>,
    pub seconds: f64,
}

fn purpose(snapshot: &str) -> String {
    format!("backup/{snapshot}")
}

fn key_of(kek: &SecretKey, h: &Header) -> Result<SecretKey, BackupError> {
    if h.tenant_id != KEK_NAME {
        return Err(BackupError::Corrupt("not a platform archive"));
    }
    unwrap_tenant_key(kek, &h.wrapped_key, KEK_NAME, &purpose(&h.snapshot), 1).map_err(|_| BackupError::WrongKey)
}

/// Take a platform backup: platform tables, the configuration file (if
/// any: `config` is its name and text), and on SQLite the database file.
pub async fn backup(
    store: &Store,
    kek: &SecretKey,
    target: &Target,
    work_dir: &Path,
    now: Timestamp,
    config: Option<(&str, &str)>,
) -> Result<PlatformOutcome, BackupError> {
    let started = Instant::now();
    let snapshot = crate::tenant::snapshot_name(now)?;
    let key = SecretKey::generate()?;
    let header = Header {
        tenant_id: KEK_NAME.into(),
        tenant_slug: FOLDER.into(),
        snapshot: snapshot.clone(),
        created_at: now.unix(),
        schema_version: SCHEMA_VERSION,
        wrapped_key: wrap_tenant_key(kek, &key, KEK_NAME, &purpose(&snapshot), 1)?,
    };
    std::fs::create_dir_all(work_dir)?;
    let scratch = Scratch(work_dir.join(format!(".{snapshot}.platform.tmp")));
    let file = std::fs::OpenOptions::new().write(true).create_new(true).open(&scratch.0)?;
    let mut w = ArchiveWriter::new(BufWriter::new(file), &header, &key)?;
    let mut tx = store.begin_snapshot().await?;
    for table in PLATFORM_TABLES {
        let columns: Vec<String> = tx.columns(table).await?.into_iter().map(|c| c.name).collect();
        w.begin_table(table, &columns)?;
        tx.dump_platform_table(table, |row: Vec<Value>| w.row(&row)).await?;
        w.end_table()?;
    }
    tx.commit().await?;
    w.begin_table(CONFIG, &["name".into(), "text".into()])?;
    if let Some((name, text)) = config {
        w.row(&[Value::Text(name.into()), Value::Text(text.into())])?;
    }
    w.end_table()?;
    if store.engine() == ordo_store::Engine::Sqlite {
        let copy = Scratch(work_dir.join(format!(".{snapshot}.db.tmp")));
        store.sqlite_copy_into(&copy.0).await?;
        w.begin_table(DATABASE, &["offset".into(), "data".into()])?;
        let mut input = std::fs::File::open(&copy.0)?;
        let mut buf = vec![0u8; PIECE];
        let mut offset = 0i64;
        loop {
            let n = read_full(&mut input, &mut buf)?;
            if n == 0 {
                break;
            }
            let piece = base64::engine::general_purpose::STANDARD.encode(&buf[..n]);
            w.row(&[Value::Int(offset), Value::Text(piece)])?;
            offset += n as i64;
        }
        w.end_table()?;
    }
    let (out, tables) = w.finish()?;
    let file = out.into_inner().map_err(|e| e.into_error())?;
    file.sync_all()?;
    let bytes = file.metadata()?.len();
    drop(file);
    target.put(FOLDER, &snapshot, &scratch.0).await?;
    Ok(PlatformOutcome { snapshot, bytes, tables, seconds: started.elapsed().as_secs_f64() })
}

fn read_full(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// What [`extract`] wrote.
#[derive(Clone, Debug)]
pub struct Extracted {
    pub header: Header,
    pub tables: Vec<TableSummary>,
    pub files: Vec<PathBuf>,
}

/// Check a whole platform archive, then write what it holds into `out`
/// (created, private): `<table>.ndjson` per platform table (a line of
/// column names, then a JSON array per row), the configuration file under
/// its name, and `ordo.db` (the SQLite database, ready to be put back).
pub fn extract(file: &Path, kek: &SecretKey, out: &Path) -> Result<Extracted, BackupError> {
    let (header, _) = crate::format::verify(BufReader::new(std::fs::File::open(file)?), |h| key_of(kek, h))?;
    create_private_dir(out)?;
    let mut r = ArchiveReader::open(BufReader::new(std::fs::File::open(file)?), |h| {
        if h != &header {
            return Err(BackupError::Tampered);
        }
        key_of(kek, h)
    })?;
    let mut files = Vec::new();
    let mut current: Option<(String, Option<std::fs::File>)> = None;
    let mut offset = 0i64;
    while let Some(rec) = r.next()? {
        match rec {
            Record::Table { name, columns } => {
                let sink = if PLATFORM_TABLES.contains(&name.as_str()) {
                    let path = out.join(format!("{name}.ndjson"));
                    let mut f = private_file(&path)?;
                    writeln!(f, "{}", serde_json::to_string(&columns).map_err(|_| BackupError::Corrupt("columns"))?)?;
                    files.push(path);
                    Some(f)
                } else if name == DATABASE {
                    let path = out.join("ordo.db");
                    files.push(path.clone());
                    offset = 0;
                    Some(private_file(&path)?)
                } else if name == CONFIG {
                    None
                } else {
                    return Err(BackupError::Corrupt("an unknown table"));
                };
                current = Some((name, sink));
            }
            Record::Row(values) => {
                let (name, sink) = current.as_mut().ok_or(BackupError::Corrupt("a row outside a table"))?;
                match (name.as_str(), values.as_slice()) {
                    (CONFIG, [Value::Text(file_name), Value::Text(text)]) => {
                        // Only a plain file name: the archive cannot write elsewhere.
                        let base = Path::new(file_name)
                            .file_name()
                            .and_then(|n| n.to_str())
                            .filter(|n| !n.starts_with('.'))
                            .ok_or(BackupError::Corrupt("a configuration file name"))?;
                        let path = out.join(base);
                        private_file(&path)?.write_all(text.as_bytes())?;
                        files.push(path);
                    }
                    (DATABASE, [Value::Int(at), Value::Text(piece)]) => {
                        if *at != offset {
                            return Err(BackupError::Corrupt("the database copy's pieces"));
                        }
                        let bytes = base64::engine::general_purpose::STANDARD
                            .decode(piece)
                            .map_err(|_| BackupError::Corrupt("the database copy"))?;
                        offset += bytes.len() as i64;
                        sink.as_mut().ok_or(BackupError::Corrupt("database"))?.write_all(&bytes)?;
                    }
                    (table, row) if PLATFORM_TABLES.contains(&table) => {
                        let json: Vec<serde_json::Value> = row
                            .iter()
                            .map(|v| match v {
                                Value::Null => serde_json::Value::Null,
                                Value::Int(n) => (*n).into(),
                                Value::Text(t) => t.clone().into(),
                            })
                            .collect();
                        let line = serde_json::to_string(&json).map_err(|_| BackupError::Corrupt("a row"))?;
                        writeln!(sink.as_mut().ok_or(BackupError::Corrupt("table"))?, "{line}")?;
                    }
                    _ => return Err(BackupError::Corrupt("a row's shape")),
                }
            }
            Record::EndTable => {
                if let Some((_, Some(f))) = current.take() {
                    f.sync_all()?;
                }
            }
        }
    }
    let tables = r.manifest().map(<[TableSummary]>::to_vec).ok_or(BackupError::Truncated)?;
    Ok(Extracted { header, tables, files })
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(dir)
}

/// A new file only its owner can read; an existing one is never overwritten.
fn private_file(path: &Path) -> std::io::Result<std::fs::File> {
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    o.open(path)
}

/// A file removed when dropped.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}
