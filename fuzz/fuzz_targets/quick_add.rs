//! The quick-add line: any text gives a title taken from the line itself,
//! and its `@` words never panic, whatever they hold (days past the
//! calendar's end, huge offsets, any script).
#![no_main]

use libfuzzer_sys::fuzz_target;
use ordo_core::quick_add::{Date, MENTIONS_MAX, names, parse, shortcut_kind};
use ordo_core::user::Locale;

fuzz_target!(|line: &str| {
    let (title, kind) = shortcut_kind(line);
    assert!(line.ends_with(title), "the title is the end of the line");
    if kind.is_none() {
        assert_eq!(title, line, "without a shortcut the line is the title");
    }
    let today = Date::new(2026, 12, 7).expect("a date");
    for locale in Locale::ALL {
        let typed = parse(line, today, locale);
        assert_eq!(typed.text, title, "the text is the title after the shortcut");
        assert!(typed.people.len() <= MENTIONS_MAX, "at most a few names are read");
        assert!(typed.bare.len() <= typed.text.len(), "the bare title is no longer than the text");
        for person in &typed.people {
            let _ = names(person, line, line);
        }
    }
});
