//! The sealed-field decoder, on any stored value, as the server runs it: a
//! tenant that encrypts (and has nothing left to re-seal) refuses the
//! plaintext marker and anything it did not seal itself; one that does not
//! encrypt reads only the plaintext marker or its own seals; every value
//! sealed opens to what was sealed, and nowhere else.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ordo_app::fuzzing::tenant_keys;
use ordo_app::keys::{Field, TenantKeys};
use ordo_crypto::field::{Keyring, Sealed};
use ordo_crypto::keys::SecretKey;
use std::collections::BTreeMap;
use std::sync::LazyLock;

fn keys(encrypt: bool) -> TenantKeys {
    let data = BTreeMap::from([(1, SecretKey::generate().unwrap())]);
    let ring = Keyring::new("00000000-0000-4000-8000-000000000001", data, 1, SecretKey::generate().unwrap(), encrypt);
    tenant_keys(ring, encrypt)
}
static ON: LazyLock<TenantKeys> = LazyLock::new(|| keys(true));
static OFF: LazyLock<TenantKeys> = LazyLock::new(|| keys(false));

fuzz_target!(|stored: &str| {
    let sealed = Sealed::from_storage(stored.to_owned());
    assert!(ON.open(Field::MeetingTitle, "m1", &sealed).is_err(), "an encrypting tenant opened {stored:?}");
    assert!(ON.open_bytes(Field::MeetingTitle, "m1", &sealed).is_err(), "an encrypting tenant opened {stored:?}");
    if OFF.open(Field::MeetingTitle, "m1", &sealed).is_ok() {
        assert!(stored.starts_with("p:"), "a tenant without encryption opened {stored:?}");
    }
    for k in [&*ON, &*OFF] {
        let s = k.seal(Field::MeetingTitle, "m1", stored).unwrap();
        assert_eq!(k.open(Field::MeetingTitle, "m1", &s).unwrap(), stored);
        if k.ring().encrypts() {
            assert!(k.open(Field::MeetingTitle, "m2", &s).is_err(), "a value opened in another row");
            assert!(k.open(Field::MeetingPlace, "m1", &s).is_err(), "a value opened in another column");
        }
    }
});
