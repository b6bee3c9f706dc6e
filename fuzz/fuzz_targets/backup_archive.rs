//! Any bytes given to restore as an archive: refused with an error, never a
//! panic, and nothing is yielded before the chunks authenticate.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ordo_backup::format::ArchiveReader;
use ordo_crypto::keys::SecretKey;
use std::sync::LazyLock;

static KEY: LazyLock<SecretKey> = LazyLock::new(|| SecretKey::generate().unwrap());

fuzz_target!(|data: &[u8]| {
    let Ok(mut reader) = ArchiveReader::open(data, |_| Ok(KEY.clone())) else { return };
    // Bytes nobody sealed with KEY cannot pass the first chunk.
    for _ in 0..10_000 {
        match reader.next() {
            Ok(Some(_)) => panic!("a record from bytes not sealed with the key"),
            Ok(None) | Err(_) => return,
        }
    }
});
