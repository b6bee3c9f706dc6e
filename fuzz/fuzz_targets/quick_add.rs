//! The quick-add line: any text gives a title taken from the line itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ordo_core::quick_add::shortcut_kind;

fuzz_target!(|line: &str| {
    let (title, kind) = shortcut_kind(line);
    assert!(line.ends_with(title), "the title is the end of the line");
    if kind.is_none() {
        assert_eq!(title, line, "without a shortcut the line is the title");
    }
});
