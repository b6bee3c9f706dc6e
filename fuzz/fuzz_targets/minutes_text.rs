//! Text in the Markdown minutes and the HTML-to-text of notes: any input
//! stays on its line and starts no markup; text_of and the rich-text
//! blocks never panic; rich text in Markdown opens no HTML and links only
//! to http, https and mailto addresses.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ordo_app::fuzzing::{markdown_text, rich_markdown};
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
    let _ = ordo_app::richtext::blocks(s);
    for line in rich_markdown(s) {
        let mut escaped = false;
        for (i, c) in line.char_indices() {
            if !escaped {
                assert!(c != '<', "raw HTML in {line:?}");
                if line[i..].starts_with("](") {
                    let url = line[i + 2..].to_ascii_lowercase();
                    assert!(
                        ["http://", "https://", "mailto:"].iter().any(|p| url.starts_with(p)),
                        "a link to {url:?} in {line:?}"
                    );
                    let end = url.find(')').expect("a link's address ends");
                    assert!(!url[..end].contains([' ', '(', '<', '>', '`']), "{line:?}");
                }
            }
            escaped = !escaped && c == '\\';
        }
    }
});
