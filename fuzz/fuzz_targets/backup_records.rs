//! The record parser behind the chunks' authentication: any decompressed
//! stream, sealed with the right key, is read to its end or refused, never
//! a panic; and a stream the reader accepts whole has a manifest that
//! matches what it yielded.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ordo_backup::format::{ArchiveReader, Header, Record, seal_raw_records};
use ordo_crypto::keys::SecretKey;
use std::sync::LazyLock;

static KEY: LazyLock<SecretKey> = LazyLock::new(|| SecretKey::generate().unwrap());

fuzz_target!(|data: &[u8]| {
    let header = Header {
        tenant_id: "00000000-0000-4000-8000-000000000001".into(),
        tenant_slug: "fuzz".into(),
        snapshot: "s".into(),
        created_at: 0,
        schema_version: 1,
        wrapped_key: String::new(),
    };
    let archive = seal_raw_records(&header, &KEY, data).unwrap();
    let mut reader = ArchiveReader::open(archive.as_slice(), |_| Ok(KEY.clone())).unwrap();
    let mut tables = 0usize;
    loop {
        match reader.next() {
            Ok(Some(Record::Table { .. })) => tables += 1,
            Ok(Some(_)) => {}
            Ok(None) => {
                let manifest = reader.manifest().expect("the end is reached only after the manifest");
                assert_eq!(manifest.len(), tables, "the manifest lists every table read");
                return;
            }
            Err(_) => return,
        }
    }
});
