//! Text in the Markdown minutes and the HTML-to-text of notes: any input
//! stays on its line and starts no markup; text_of never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ordo_app::fuzzing::markdown_text;
use ordo_app::minutes::text_of;

fuzz_target!(|s: &str| {
    let md = markdown_text(s);
    assert!(!md.contains('\n') && !md.contains('\r'), "a value leaves its line: {md:?}");
    let mut escaped = false;
    for c in md.chars() {
        if !escaped && "`*_[]<>#|!~".contains(c) {
            panic!("unescaped markup {c:?} in {md:?}");
        }
        escaped = !escaped && c == '\\';
    }
    let _ = text_of(s);
});
