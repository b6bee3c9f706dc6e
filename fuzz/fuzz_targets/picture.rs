//! Any bytes uploaded as a picture: refused with a field error, or encoded
//! again into a picture that passes the same check (no panic, no decoding
//! beyond the announced size).
#![no_main]

use libfuzzer_sys::fuzz_target;
use ordo_app::fuzzing::check_picture;

fuzz_target!(|data: &[u8]| {
    if let Ok(p) = check_picture(data) {
        let again = check_picture(&p.bytes).expect("what Ordo stores passes its own check");
        assert_eq!((again.width, again.height), (p.width, p.height));
    }
});
