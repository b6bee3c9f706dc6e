//! Rich text (element descriptions): a small HTML subset — bold, italic,
//! highlight, lists, paragraphs, line breaks, and links to http, https and
//! mailto only — kept by the ammonia sanitiser (html5ever's parser), whatever
//! the client sends. Everything else is dropped (scripts and styles with
//! their content). It runs when text is stored; what is stored can only come
//! from here (the use cases) and is authenticated by AES-GCM since, so views
//! show it without parsing it again (that cost a third of the meeting page).

use std::collections::HashSet;
use std::sync::OnceLock;

fn builder() -> &'static ammonia::Builder<'static> {
    static B: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    B.get_or_init(|| {
        let mut b = ammonia::Builder::empty();
        b.tags(HashSet::from(["b", "strong", "i", "em", "mark", "ul", "ol", "li", "p", "br", "a"]))
            .link_rel(Some("noopener noreferrer nofollow"))
            .url_schemes(HashSet::from(["http", "https", "mailto"]))
            .url_relative(ammonia::UrlRelative::Deny)
            .clean_content_tags(HashSet::from(["script", "style"]))
            // None on any tag but a link's address, set whole: ammonia
            // keeps `lang`, and `hreflang` on links, even in an empty
            // builder (found by the `rich_text` fuzz target).
            .generic_attributes(HashSet::new())
            .tag_attributes(std::collections::HashMap::from([("a", HashSet::from(["href"]))]));
        b
    })
}

/// The safe HTML for `input`.
pub fn sanitize(input: &str) -> String {
    builder().clean(input).to_string()
}

#[cfg(test)]
mod tests {
    use super::sanitize;

    #[test]
    fn keeps_the_subset_and_drops_the_rest() {
        assert_eq!(sanitize("<b>bold</b> <i>it</i> <mark>hi</mark>"), "<b>bold</b> <i>it</i> <mark>hi</mark>");
        assert_eq!(sanitize("<ul><li>a</li></ul>"), "<ul><li>a</li></ul>");
        assert_eq!(
            sanitize(r#"<a href="https://ex.org" onclick="x()">l</a>"#),
            r#"<a href="https://ex.org" rel="noopener noreferrer nofollow">l</a>"#
        );
        for evil in [
            "<script>alert(1)</script>",
            r#"<img src=x onerror=alert(1)>"#,
            r#"<a href="javascript:alert(1)">x</a>"#,
            r#"<a href="data:text/html,<script>alert(1)</script>">x</a>"#,
            r#"<svg onload=alert(1)>"#,
            r#"<iframe src="https://evil"></iframe>"#,
            r#"<style>body{display:none}</style>"#,
            r#"<p style="position:fixed">x</p>"#,
            r#"<a href="/relative">x</a>"#,
        ] {
            let out = sanitize(evil);
            for bad in [
                "<script",
                "onerror",
                "javascript:",
                "data:",
                "<svg",
                "<iframe",
                "<style",
                "style=",
                "onload",
                "href=\"/",
            ] {
                assert!(!out.contains(bad), "{evil} -> {out}");
            }
        }
        assert_eq!(sanitize("plain text & more"), "plain text &amp; more");
        // Found by the `rich_text` fuzz target: no attribute outside the subset.
        assert_eq!(
            sanitize(r#"<p lang="en" title="t"><a lang="x" hreflang="en" href="https://ex.org">l</a></p>"#),
            r#"<p><a href="https://ex.org" rel="noopener noreferrer nofollow">l</a></p>"#
        );
    }
}
