//! Words of a search query or of indexed text: any text folds into words of
//! two or more lower-case letters or digits with no accent left (what is
//! indexed and what is typed meet), and each word folds on its own: the
//! words of two texts side by side are the words of each.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ordo_core::words::words;

fuzz_target!(|parts: (&str, &str)| {
    let (a, b) = parts;
    let lowered = |c: char| c.to_lowercase().eq(std::iter::once(c));
    for w in words(a) {
        assert!(w.chars().count() >= 2, "{w:?}");
        assert!(w.chars().all(|c| c.is_alphanumeric() && lowered(c)), "{w:?} from {a:?}");
    }
    let mut each = words(a);
    each.extend(words(b));
    assert_eq!(words(&format!("{a} {b}")), each, "{a:?} and {b:?}");
});
