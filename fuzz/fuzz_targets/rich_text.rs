//! The rich-text sanitiser, on any HTML a user sends: what it keeps holds
//! only the allowed tags, with no attribute but a link's href (of scheme
//! http, https or mailto) and rel — and so does what a browser makes of it
//! when it parses the stored text again (mutation XSS): a second pass of the
//! sanitiser, which parses the same way, still finds only those. (It may
//! nest the tags differently: an `<li>` outside a list is moved, which is
//! not a change of what may run.)
#![no_main]

use libfuzzer_sys::fuzz_target;
use ordo_app::richtext::sanitize;

const TAGS: &[&str] = &["b", "strong", "i", "em", "mark", "ul", "ol", "li", "p", "br", "a"];

/// Walk the serialised HTML: text never holds a raw `<` (it is `&lt;`), and
/// attribute values are always double-quoted.
fn check(html: &str) {
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        let end = rest.find([' ', '>']).expect("a tag ends");
        let name = rest[..end].trim_start_matches('/');
        assert!(TAGS.contains(&name), "tag {name:?} kept in {html:?}");
        rest = &rest[end..];
        loop {
            rest = rest.trim_start_matches(' ');
            if let Some(after) = rest.strip_prefix('>') {
                rest = after;
                break;
            }
            let eq = rest.find("=\"").expect("an attribute has a quoted value");
            let attr = &rest[..eq];
            let value_len = rest[eq + 2..].find('"').expect("a value ends");
            let value = &rest[eq + 2..eq + 2 + value_len];
            match attr {
                "rel" => {}
                "href" => {
                    // As a browser reads it (the URL standard drops leading
                    // C0 controls and spaces, and tabs and newlines anywhere).
                    let v: String = value
                        .trim_start_matches(|c: char| c <= ' ')
                        .chars()
                        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
                        .collect::<String>()
                        .to_ascii_lowercase();
                    assert!(
                        v.starts_with("http:") || v.starts_with("https:") || v.starts_with("mailto:"),
                        "href {value:?} kept in {html:?}"
                    );
                }
                other => panic!("attribute {other:?} kept in {html:?}"),
            }
            rest = &rest[eq + 2 + value_len + 1..];
        }
    }
}

fuzz_target!(|html: &str| {
    let clean = sanitize(html);
    check(&clean);
    let again = sanitize(&clean);
    check(&again);
    // What remains once re-parsed is text the first pass kept too.
    let text = |h: &str| h.split('<').map(|s| s.split_once('>').map_or(s, |(_, t)| t)).collect::<String>();
    assert_eq!(text(&again), text(&clean), "the text changed when parsed again: {html:?}");
});
