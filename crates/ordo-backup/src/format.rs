//! The tenant archive format, version 1 (`docs/operations/backup-format.md`).
//!
//! ```text
//! "ORDOBAK\0"            8 bytes
//! version                u16, big-endian (1)
//! header length          u32, big-endian
//! header                 JSON (Header): tenant, snapshot, schema, wrapped key
//! chunks, until the end:
//!   length | LAST << 31  u32, big-endian (LAST set on the final chunk only)
//!   sealed chunk         AES-256-GCM: nonce ‖ ciphertext ‖ tag
//! ```
//!
//! Each chunk is sealed under the backup's own random key, with associated
//! data binding it to the header (SHA-256 of magic, version and header), its
//! index and whether it is the last: a changed, missing, reordered, added or
//! truncated chunk, or a changed header, fails authentication. The chunks'
//! plaintext, end to end, is one zstd stream of newline-delimited JSON:
//! `{"table":…,"columns":[…]}`, then one array per row, then
//! `{"end":…,"rows":…,"sha256":…}`; after the last table, the manifest
//! `{"manifest":[{"table","rows","sha256"}…]}`. Everything is streamed:
//! memory stays flat whatever the tenant's size.

use crate::BackupError;
use ordo_crypto::aead::Cipher;
use ordo_crypto::keys::SecretKey;
use ordo_store::dump::Value;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::{BufRead, BufReader, Read, Write};

pub const MAGIC: &[u8; 8] = b"ORDOBAK\0";
pub const VERSION: u16 = 1;
/// Plaintext bytes per chunk (compressed data).
const CHUNK: usize = 1 << 20;
const LAST: u32 = 1 << 31;
const MAX_HEADER: u32 = 64 * 1024;
/// A sealed chunk: nonce, the chunk, tag.
const MAX_SEALED: u32 = CHUNK as u32 + 12 + 16;

/// What the archive says of itself, in clear (authenticated by every chunk).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Header {
    pub tenant_id: String,
    pub tenant_slug: String,
    pub snapshot: String,
    /// Unix seconds.
    pub created_at: i64,
    /// The database schema version the rows follow.
    pub schema_version: i64,
    /// The backup key, wrapped by the tenant's key-encryption key (base64).
    pub wrapped_key: String,
}

/// One table's summary, in each table's trailer and in the manifest.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct TableSummary {
    pub table: String,
    pub rows: u64,
    pub sha256: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TableStart {
    table: String,
    columns: Vec<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct TableEnd {
    end: String,
    rows: u64,
    sha256: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ManifestLine {
    manifest: Vec<TableSummary>,
}

fn header_digest(header_bytes: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(MAGIC);
    h.update(VERSION.to_be_bytes());
    h.update(header_bytes);
    h.finalize().into()
}

fn chunk_aad(digest: &[u8; 32], index: u64, last: bool) -> Vec<u8> {
    let mut aad = Vec::with_capacity(41);
    aad.extend_from_slice(digest);
    aad.extend_from_slice(&index.to_be_bytes());
    aad.push(u8::from(last));
    aad
}

fn to_json(v: &Value) -> serde_json::Value {
    match v {
        Value::Null => serde_json::Value::Null,
        Value::Int(i) => serde_json::Value::from(*i),
        Value::Text(t) => serde_json::Value::from(t.as_str()),
    }
}

fn from_json(v: serde_json::Value) -> Result<Value, BackupError> {
    match v {
        serde_json::Value::Null => Ok(Value::Null),
        serde_json::Value::Number(n) => n.as_i64().map(Value::Int).ok_or(BackupError::Corrupt("a value")),
        serde_json::Value::String(s) => Ok(Value::Text(s)),
        _ => Err(BackupError::Corrupt("a value")),
    }
}

// ---- Writing ----------------------------------------------------------------

/// Seals the compressed stream chunk by chunk.
struct ChunkWriter<W: Write> {
    out: W,
    cipher: Cipher,
    digest: [u8; 32],
    buf: Vec<u8>,
    index: u64,
}

impl<W: Write> ChunkWriter<W> {
    fn emit(&mut self, len: usize, last: bool) -> std::io::Result<()> {
        let sealed = self
            .cipher
            .seal(&chunk_aad(&self.digest, self.index, last), &self.buf[..len])
            .map_err(|_| std::io::Error::other("encryption failed"))?;
        let mut prefix = u32::try_from(sealed.len()).map_err(|_| std::io::Error::other("chunk too large"))?;
        if last {
            prefix |= LAST;
        }
        self.out.write_all(&prefix.to_be_bytes())?;
        self.out.write_all(&sealed)?;
        self.buf.drain(..len);
        self.index += 1;
        Ok(())
    }

    fn finish(mut self) -> std::io::Result<W> {
        let len = self.buf.len();
        self.emit(len, true)?;
        self.out.flush()?;
        Ok(self.out)
    }
}

impl<W: Write> Write for ChunkWriter<W> {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        // Strictly more than a chunk: the last chunk is never empty unless
        // the whole stream is.
        while self.buf.len() > CHUNK {
            self.emit(CHUNK, false)?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

struct OpenTable {
    name: String,
    width: usize,
    rows: u64,
    hash: Sha256,
}

/// Writes an archive: tables one after the other, rows as they come.
pub struct ArchiveWriter<W: Write> {
    z: zstd::stream::write::Encoder<'static, ChunkWriter<W>>,
    table: Option<OpenTable>,
    done: Vec<TableSummary>,
    line: Vec<u8>,
}

impl<W: Write> ArchiveWriter<W> {
    /// Start an archive: `key` is the backup's own key, `header` carries it
    /// wrapped.
    pub fn new(mut out: W, header: &Header, key: &SecretKey) -> Result<Self, BackupError> {
        let header_bytes = serde_json::to_vec(header).map_err(|_| BackupError::Corrupt("header"))?;
        let len = u32::try_from(header_bytes.len()).map_err(|_| BackupError::Corrupt("header"))?;
        out.write_all(MAGIC)?;
        out.write_all(&VERSION.to_be_bytes())?;
        out.write_all(&len.to_be_bytes())?;
        out.write_all(&header_bytes)?;
        let chunks = ChunkWriter {
            out,
            cipher: Cipher::new(key.bytes())?,
            digest: header_digest(&header_bytes),
            buf: Vec::with_capacity(CHUNK + 64 * 1024),
            index: 0,
        };
        let z = zstd::stream::write::Encoder::new(chunks, 3)?;
        Ok(Self { z, table: None, done: Vec::new(), line: Vec::new() })
    }

    fn write_line(&mut self) -> Result<(), BackupError> {
        self.line.push(b'\n');
        if let Some(t) = &mut self.table {
            t.hash.update(&self.line);
        }
        self.z.write_all(&self.line)?;
        self.line.clear();
        Ok(())
    }

    pub fn begin_table(&mut self, name: &str, columns: &[String]) -> Result<(), BackupError> {
        if self.table.is_some() {
            return Err(BackupError::Corrupt("a table left open"));
        }
        self.table = Some(OpenTable { name: name.to_owned(), width: columns.len(), rows: 0, hash: Sha256::new() });
        serde_json::to_writer(&mut self.line, &serde_json::json!({ "table": name, "columns": columns }))
            .map_err(|_| BackupError::Corrupt("columns"))?;
        self.write_line()
    }

    pub fn row(&mut self, values: &[Value]) -> Result<(), BackupError> {
        let t = self.table.as_mut().ok_or(BackupError::Corrupt("a row outside a table"))?;
        if values.len() != t.width {
            return Err(BackupError::Corrupt("a row of the wrong width"));
        }
        t.rows += 1;
        let json: Vec<serde_json::Value> = values.iter().map(to_json).collect();
        serde_json::to_writer(&mut self.line, &json).map_err(|_| BackupError::Corrupt("a row"))?;
        self.write_line()
    }

    pub fn end_table(&mut self) -> Result<(), BackupError> {
        let t = self.table.take().ok_or(BackupError::Corrupt("no table open"))?;
        let summary = TableSummary { table: t.name, rows: t.rows, sha256: hex::encode(t.hash.finalize()) };
        let end = TableEnd { end: summary.table.clone(), rows: summary.rows, sha256: summary.sha256.clone() };
        serde_json::to_writer(&mut self.line, &end).map_err(|_| BackupError::Corrupt("a trailer"))?;
        self.write_line()?;
        self.done.push(summary);
        Ok(())
    }

    /// Write the manifest and the final chunk; returns the output and what
    /// the archive holds.
    pub fn finish(mut self) -> Result<(W, Vec<TableSummary>), BackupError> {
        if self.table.is_some() {
            return Err(BackupError::Corrupt("a table left open"));
        }
        serde_json::to_writer(&mut self.line, &ManifestLine { manifest: self.done.clone() })
            .map_err(|_| BackupError::Corrupt("the manifest"))?;
        self.write_line()?;
        let chunks = self.z.finish()?;
        Ok((chunks.finish()?, self.done))
    }
}

/// Fuzzing only: an archive whose compressed stream holds `records` as they
/// are (lines of JSON or anything else), sealed with `key` as a real one,
/// so that a fuzz target reaches the record parser behind the chunks'
/// authentication.
#[cfg(feature = "fuzzing")]
pub fn seal_raw_records(header: &Header, key: &SecretKey, records: &[u8]) -> Result<Vec<u8>, BackupError> {
    let mut w = ArchiveWriter::new(Vec::new(), header, key)?;
    w.z.write_all(records)?;
    let chunks = w.z.finish()?;
    Ok(chunks.finish()?)
}

// ---- Reading ----------------------------------------------------------------

/// Opens chunks in order; refuses anything out of place.
struct ChunkReader<R: Read> {
    input: R,
    cipher: Cipher,
    digest: [u8; 32],
    plain: Vec<u8>,
    pos: usize,
    index: u64,
    ended: bool,
}

impl<R: Read> ChunkReader<R> {
    fn next_chunk(&mut self) -> Result<bool, BackupError> {
        if self.ended {
            return Ok(false);
        }
        let mut prefix = [0u8; 4];
        read_exact_or(&mut self.input, &mut prefix, BackupError::Truncated)?;
        let prefix = u32::from_be_bytes(prefix);
        let last = prefix & LAST != 0;
        let len = prefix & !LAST;
        if len > MAX_SEALED {
            return Err(BackupError::Corrupt("a chunk's length"));
        }
        let mut sealed = vec![0u8; len as usize];
        read_exact_or(&mut self.input, &mut sealed, BackupError::Truncated)?;
        self.plain =
            self.cipher.open(&chunk_aad(&self.digest, self.index, last), &sealed).map_err(|_| BackupError::Tampered)?;
        self.pos = 0;
        self.index += 1;
        if last {
            self.ended = true;
            // Nothing may follow the last chunk.
            let mut extra = [0u8; 1];
            if self.input.read(&mut extra)? != 0 {
                return Err(BackupError::Corrupt("data after the last chunk"));
            }
        }
        Ok(true)
    }
}

fn read_exact_or(r: &mut impl Read, buf: &mut [u8], short: BackupError) -> Result<(), BackupError> {
    match r.read_exact(buf) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Err(short),
        Err(e) => Err(e.into()),
    }
}

impl<R: Read> Read for ChunkReader<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        while self.pos == self.plain.len() {
            match self.next_chunk() {
                Ok(true) => {}
                Ok(false) => return Ok(0),
                // Carried through zstd as an I/O error, recovered below.
                Err(e) => return Err(std::io::Error::other(e)),
            }
        }
        let n = out.len().min(self.plain.len() - self.pos);
        out[..n].copy_from_slice(&self.plain[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

fn unwrap_io(e: std::io::Error) -> BackupError {
    match e.into_inner().map(|inner| inner.downcast::<BackupError>()) {
        Some(Ok(b)) => *b,
        Some(Err(other)) => BackupError::Io(std::io::Error::other(other.to_string())),
        None => BackupError::Corrupt("the compressed stream"),
    }
}

/// Read the header only (to find the tenant and unwrap the key).
pub fn read_header(input: &mut impl Read) -> Result<(Header, [u8; 32]), BackupError> {
    let mut magic = [0u8; 8];
    read_exact_or(input, &mut magic, BackupError::NotAnArchive)?;
    if &magic != MAGIC {
        return Err(BackupError::NotAnArchive);
    }
    let mut v = [0u8; 2];
    read_exact_or(input, &mut v, BackupError::Truncated)?;
    let version = u16::from_be_bytes(v);
    if version != VERSION {
        return Err(BackupError::UnsupportedVersion(version));
    }
    let mut l = [0u8; 4];
    read_exact_or(input, &mut l, BackupError::Truncated)?;
    let len = u32::from_be_bytes(l);
    if len > MAX_HEADER {
        return Err(BackupError::Corrupt("the header's length"));
    }
    let mut bytes = vec![0u8; len as usize];
    read_exact_or(input, &mut bytes, BackupError::Truncated)?;
    let header: Header = serde_json::from_slice(&bytes).map_err(|_| BackupError::Corrupt("the header"))?;
    Ok((header, header_digest(&bytes)))
}

/// What an archive yields, in order.
#[derive(Debug, PartialEq, Eq)]
pub enum Record {
    Table { name: String, columns: Vec<String> },
    Row(Vec<Value>),
    EndTable,
}

/// Reads an archive, checking every chunk, every table's row count and
/// checksum, the manifest and the end. Nothing read can be trusted before
/// [`ArchiveReader::next`] has returned `None` (the whole archive checked):
/// restores read everything once before writing anything.
pub struct ArchiveReader<R: Read> {
    lines: BufReader<zstd::stream::read::Decoder<'static, BufReader<ChunkReader<R>>>>,
    header: Header,
    table: Option<OpenTable>,
    done: Vec<TableSummary>,
    manifest: Option<Vec<TableSummary>>,
    line: String,
}

impl<R: Read> ArchiveReader<R> {
    /// Open an archive; `key` unwraps the backup key from its header (wrong
    /// key: [`BackupError::WrongKey`]).
    pub fn open(
        mut input: R,
        key: impl FnOnce(&Header) -> Result<SecretKey, BackupError>,
    ) -> Result<Self, BackupError> {
        let (header, digest) = read_header(&mut input)?;
        let k = key(&header)?;
        let chunks = ChunkReader {
            input,
            cipher: Cipher::new(k.bytes())?,
            digest,
            plain: Vec::new(),
            pos: 0,
            index: 0,
            ended: false,
        };
        let z = zstd::stream::read::Decoder::new(chunks)?;
        Ok(Self {
            lines: BufReader::new(z),
            header,
            table: None,
            done: Vec::new(),
            manifest: None,
            line: String::new(),
        })
    }

    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The tables as checked, once the end has been reached.
    pub fn manifest(&self) -> Option<&[TableSummary]> {
        self.manifest.as_deref()
    }

    /// The next record, or `None` at the (checked) end.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Result<Option<Record>, BackupError> {
        self.line.clear();
        let n = self.lines.read_line(&mut self.line).map_err(unwrap_io)?;
        if n == 0 {
            // The end: the manifest must have been read, and the chunks
            // must have ended with the last one, with nothing after it.
            if self.manifest.is_none() {
                return Err(BackupError::Truncated);
            }
            let chunks = self.lines.get_mut().get_mut().get_mut();
            let mut rest = Vec::new();
            chunks.read_to_end(&mut rest).map_err(unwrap_io)?;
            if !rest.is_empty() {
                return Err(BackupError::Corrupt("data after the compressed stream"));
            }
            if !chunks.ended {
                return Err(BackupError::Truncated);
            }
            return Ok(None);
        }
        if self.manifest.is_some() {
            return Err(BackupError::Corrupt("data after the manifest"));
        }
        if !self.line.ends_with('\n') {
            return Err(BackupError::Truncated);
        }
        let v: serde_json::Value = serde_json::from_str(&self.line).map_err(|_| BackupError::Corrupt("a record"))?;
        match v {
            serde_json::Value::Array(values) => {
                let t = self.table.as_mut().ok_or(BackupError::Corrupt("a row outside a table"))?;
                if values.len() != t.width {
                    return Err(BackupError::Corrupt("a row of the wrong width"));
                }
                t.hash.update(self.line.as_bytes());
                t.rows += 1;
                Ok(Some(Record::Row(values.into_iter().map(from_json).collect::<Result<_, _>>()?)))
            }
            serde_json::Value::Object(ref o) if o.contains_key("table") => {
                if self.table.is_some() {
                    return Err(BackupError::Corrupt("a table inside a table"));
                }
                let s: TableStart = serde_json::from_value(v).map_err(|_| BackupError::Corrupt("a table"))?;
                let mut hash = Sha256::new();
                hash.update(self.line.as_bytes());
                self.table = Some(OpenTable { name: s.table.clone(), width: s.columns.len(), rows: 0, hash });
                Ok(Some(Record::Table { name: s.table, columns: s.columns }))
            }
            serde_json::Value::Object(ref o) if o.contains_key("end") => {
                let e: TableEnd = serde_json::from_value(v).map_err(|_| BackupError::Corrupt("a trailer"))?;
                let t = self.table.take().ok_or(BackupError::Corrupt("a trailer outside a table"))?;
                let sum = hex::encode(t.hash.finalize());
                if e.end != t.name || e.rows != t.rows || e.sha256 != sum {
                    return Err(BackupError::Checksum(t.name));
                }
                self.done.push(TableSummary { table: t.name, rows: t.rows, sha256: sum });
                Ok(Some(Record::EndTable))
            }
            serde_json::Value::Object(ref o) if o.contains_key("manifest") => {
                let m: ManifestLine = serde_json::from_value(v).map_err(|_| BackupError::Corrupt("the manifest"))?;
                if self.table.is_some() || m.manifest != self.done {
                    return Err(BackupError::Corrupt("the manifest"));
                }
                self.manifest = Some(m.manifest);
                // The manifest is the last line: what follows must be the end.
                self.next()
            }
            _ => Err(BackupError::Corrupt("a record")),
        }
    }
}

/// Read a whole archive and check it; returns its header and manifest.
pub fn verify(
    input: impl Read,
    key: impl FnOnce(&Header) -> Result<SecretKey, BackupError>,
) -> Result<(Header, Vec<TableSummary>), BackupError> {
    let mut r = ArchiveReader::open(input, key)?;
    while r.next()?.is_some() {}
    let manifest = r.manifest().map(<[TableSummary]>::to_vec).ok_or(BackupError::Truncated)?;
    Ok((r.header().clone(), manifest))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> Header {
        Header {
            tenant_id: "t".into(),
            tenant_slug: "acme".into(),
            snapshot: "s".into(),
            created_at: 1,
            schema_version: 2,
            wrapped_key: "w".into(),
        }
    }

    /// An archive of two tables; `big` makes it span several chunks
    /// (random text does not compress).
    fn archive(key: &SecretKey, big: bool) -> Vec<u8> {
        let mut w = ArchiveWriter::new(Vec::new(), &header(), key).unwrap();
        w.begin_table("users", &["id".into(), "n".into(), "x".into()]).unwrap();
        for i in 0..3 {
            w.row(&[Value::Text(format!("confidential-user-{i}")), Value::Int(i), Value::Null]).unwrap();
        }
        w.end_table().unwrap();
        w.begin_table("notes", &["body".into()]).unwrap();
        let rows = if big { 6000 } else { 1 };
        for _ in 0..rows {
            let mut r = [0u8; 512];
            ordo_crypto::random::fill(&mut r).unwrap();
            w.row(&[Value::Text(hex::encode(r))]).unwrap();
        }
        w.end_table().unwrap();
        let (out, tables) = w.finish().unwrap();
        assert_eq!(tables.len(), 2);
        assert_eq!(tables[0].rows, 3);
        out
    }

    fn read_all(bytes: &[u8], key: &SecretKey) -> Result<Vec<Record>, BackupError> {
        let mut r = ArchiveReader::open(bytes, |_| Ok(key.clone()))?;
        let mut out = Vec::new();
        while let Some(rec) = r.next()? {
            out.push(rec);
        }
        Ok(out)
    }

    /// (offset, length) of each chunk, length prefix included.
    fn chunks(bytes: &[u8]) -> Vec<(usize, usize)> {
        let hlen = u32::from_be_bytes(bytes[10..14].try_into().unwrap()) as usize;
        let mut at = 14 + hlen;
        let mut out = Vec::new();
        while at < bytes.len() {
            let len = (u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap()) & !LAST) as usize;
            out.push((at, 4 + len));
            at += 4 + len;
        }
        out
    }

    #[test]
    fn an_archive_reads_back_as_written() {
        let key = SecretKey::generate().unwrap();
        let bytes = archive(&key, false);
        let recs = read_all(&bytes, &key).unwrap();
        assert_eq!(recs[0], Record::Table { name: "users".into(), columns: vec!["id".into(), "n".into(), "x".into()] });
        assert_eq!(recs[1], Record::Row(vec![Value::Text("confidential-user-0".into()), Value::Int(0), Value::Null]));
        assert_eq!(recs.len(), 1 + 3 + 1 + 1 + 1 + 1);
        let (h, m) = verify(&bytes[..], |_| Ok(key.clone())).unwrap();
        assert_eq!(h, header());
        assert_eq!(m.iter().map(|t| (t.table.as_str(), t.rows)).collect::<Vec<_>>(), [("users", 3), ("notes", 1)]);
        // Nothing of the rows is readable in the file. The marker is long
        // enough that random ciphertext cannot contain it by chance.
        assert!(!bytes.windows(12).any(|w| w == b"confidential"));
    }

    #[test]
    fn a_large_archive_spans_chunks_and_is_still_checked() {
        let key = SecretKey::generate().unwrap();
        let bytes = archive(&key, true);
        assert!(chunks(&bytes).len() >= 3, "{}", chunks(&bytes).len());
        assert_eq!(read_all(&bytes, &key).unwrap().len(), 1 + 3 + 1 + 1 + 6000 + 1);
    }

    #[test]
    fn any_flipped_bit_is_refused() {
        let key = SecretKey::generate().unwrap();
        let bytes = archive(&key, true);
        let (first, _) = chunks(&bytes)[0];
        // In the header, in a length, in a chunk's nonce, body and tag.
        for at in [12, 20, first + 1, first + 5, first + 40, bytes.len() / 2, bytes.len() - 1] {
            let mut bad = bytes.clone();
            bad[at] ^= 0x01;
            assert!(verify(&bad[..], |_| Ok(key.clone())).is_err(), "flip at {at} accepted");
        }
    }

    #[test]
    fn truncated_reordered_or_extended_archives_are_refused() {
        let key = SecretKey::generate().unwrap();
        let bytes = archive(&key, true);
        let c = chunks(&bytes);
        // Cut anywhere, including exactly at chunk boundaries.
        for cut in [0, 5, 13, c[0].0, c[1].0, c[c.len() - 1].0, bytes.len() - 1] {
            assert!(verify(&bytes[..cut], |_| Ok(key.clone())).is_err(), "cut at {cut} accepted");
        }
        // Two chunks swapped.
        let mut swapped = bytes[..c[0].0].to_vec();
        swapped.extend_from_slice(&bytes[c[1].0..c[1].0 + c[1].1]);
        swapped.extend_from_slice(&bytes[c[0].0..c[0].0 + c[0].1]);
        swapped.extend_from_slice(&bytes[c[2].0..]);
        assert!(matches!(verify(&swapped[..], |_| Ok(key.clone())), Err(BackupError::Tampered)));
        // A chunk dropped, or repeated.
        let mut dropped = bytes[..c[1].0].to_vec();
        dropped.extend_from_slice(&bytes[c[2].0..]);
        assert!(verify(&dropped[..], |_| Ok(key.clone())).is_err());
        let mut repeated = bytes.clone();
        repeated.extend_from_slice(&bytes[c[c.len() - 1].0..]);
        assert!(verify(&repeated[..], |_| Ok(key.clone())).is_err());
    }

    #[test]
    fn another_key_or_another_file_is_refused() {
        let key = SecretKey::generate().unwrap();
        let bytes = archive(&key, false);
        let other = SecretKey::generate().unwrap();
        assert!(matches!(verify(&bytes[..], |_| Ok(other.clone())), Err(BackupError::Tampered)));
        assert!(matches!(verify(&b"PK\x03\x04 not ours"[..], |_| Ok(key.clone())), Err(BackupError::NotAnArchive)));
    }
}
