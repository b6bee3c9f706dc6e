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

/// How a run of text is set.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Style {
    pub bold: bool,
    pub italic: bool,
    pub mark: bool,
}

/// Text in one style, maybe a link. `"\n"` alone is a line break.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Run {
    pub text: String,
    pub style: Style,
    pub link: Option<String>,
}

/// What starts a block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lead {
    /// A paragraph, or a further paragraph of a list item.
    None,
    Bullet,
    /// The item's number in its list.
    Number(u32),
}

/// A paragraph or a list item, `depth` lists deep (0: not in a list).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    pub lead: Lead,
    pub depth: usize,
    pub runs: Vec<Run>,
}

/// Stored rich text as blocks of styled runs, for the exports (Markdown,
/// PDF) that keep the formatting. It reads only what [`sanitize`] writes —
/// the subset's tags, `href` in double quotes, the five entities html5ever
/// escapes — so a tag scanner is enough and simpler than a second HTML
/// parse; anything else is skipped as a tag or kept as text, never
/// interpreted. Whitespace collapses as a browser would show it.
pub fn blocks(html: &str) -> Vec<Block> {
    let mut out: Vec<Block> = Vec::new();
    let mut cur: Option<Block> = None;
    let (mut bold, mut italic, mut mark) = (0u32, 0u32, 0u32);
    let mut link: Option<String> = None;
    // Each open list: numbered or not, and the items seen.
    let mut lists: Vec<(bool, u32)> = Vec::new();
    // The block a `<li>` opened and nothing has been written in yet: its
    // first `<p>` is that block, not a new one.
    let mut fresh_item = false;
    let flush = |cur: &mut Option<Block>, out: &mut Vec<Block>| {
        if let Some(mut b) = cur.take() {
            while b.runs.last().is_some_and(|r| r.text == "\n") {
                b.runs.pop();
            }
            if let Some(last) = b.runs.last_mut() {
                let t = last.text.trim_end().len();
                last.text.truncate(t);
            }
            b.runs.retain(|r| !r.text.is_empty());
            if !b.runs.is_empty() {
                out.push(b);
            }
        }
    };
    let mut rest = html;
    while !rest.is_empty() {
        let (text, tag) = match rest.find('<') {
            Some(0) => match rest.find('>') {
                Some(close) => {
                    let tag = &rest[1..close];
                    rest = &rest[close + 1..];
                    ("", Some(tag))
                }
                None => {
                    let t = rest;
                    rest = "";
                    (t, None)
                }
            },
            Some(open) => {
                let t = &rest[..open];
                rest = &rest[open..];
                (t, None)
            }
            None => {
                let t = rest;
                rest = "";
                (t, None)
            }
        };
        if !text.is_empty() {
            let text = decode(text);
            let block = cur.get_or_insert_with(|| Block {
                lead: Lead::None,
                depth: lists.len().min(MAX_DEPTH),
                runs: Vec::new(),
            });
            // Collapse whitespace, none at the start of a block or line.
            let at_start = block.runs.last().is_none_or(|r| r.text == "\n" || r.text.ends_with(' '));
            let mut t = String::with_capacity(text.len());
            let mut space = at_start;
            for c in text.chars() {
                if c.is_whitespace() {
                    if !space {
                        t.push(' ');
                    }
                    space = true;
                } else {
                    t.push(c);
                    space = false;
                }
            }
            if t.is_empty() {
                continue;
            }
            fresh_item = false;
            let style = Style { bold: bold > 0, italic: italic > 0, mark: mark > 0 };
            match block.runs.last_mut() {
                Some(r) if r.style == style && r.link == link && r.text != "\n" => r.text.push_str(&t),
                _ => block.runs.push(Run { text: t, style, link: link.clone() }),
            }
            continue;
        }
        let Some(tag) = tag else { continue };
        let (closing, tag) = match tag.strip_prefix('/') {
            Some(t) => (true, t),
            None => (false, tag),
        };
        let name_end = tag.find(|c: char| c.is_whitespace() || c == '/').unwrap_or(tag.len());
        let name = tag[..name_end].to_ascii_lowercase();
        let count = |n: &mut u32| {
            if closing {
                *n = n.saturating_sub(1);
            } else {
                *n += 1;
            }
        };
        match name.as_str() {
            "b" | "strong" => count(&mut bold),
            "i" | "em" => count(&mut italic),
            "mark" => count(&mut mark),
            "a" if closing => link = None,
            "a" => link = href(tag),
            "br" => {
                if let Some(b) = cur.as_mut() {
                    b.runs.push(Run { text: "\n".into(), style: Style::default(), link: None });
                }
            }
            "p" if closing => {
                flush(&mut cur, &mut out);
                fresh_item = false;
            }
            "p" if !fresh_item => flush(&mut cur, &mut out),
            "ul" | "ol" if closing => {
                flush(&mut cur, &mut out);
                lists.pop();
                fresh_item = false;
            }
            "ul" | "ol" => {
                flush(&mut cur, &mut out);
                lists.push((name == "ol", 0));
                fresh_item = false;
            }
            "li" if closing => {
                flush(&mut cur, &mut out);
                fresh_item = false;
            }
            "li" => {
                flush(&mut cur, &mut out);
                let (lead, depth) = match lists.last_mut() {
                    Some((true, n)) => {
                        *n += 1;
                        (Lead::Number(*n), lists.len().min(MAX_DEPTH))
                    }
                    Some((false, _)) => (Lead::Bullet, lists.len().min(MAX_DEPTH)),
                    None => (Lead::Bullet, 1),
                };
                cur = Some(Block { lead, depth, runs: Vec::new() });
                fresh_item = true;
            }
            _ => {}
        }
    }
    flush(&mut cur, &mut out);
    out
}

/// Deeper than any real note needs: deeper lists are shown at this depth.
const MAX_DEPTH: usize = 6;

/// A link's address, if it is one the subset keeps.
fn href(tag: &str) -> Option<String> {
    let at = tag.find("href=\"")? + 6;
    let end = tag[at..].find('"')? + at;
    let url = decode(&tag[at..end]);
    let lower = url.to_ascii_lowercase();
    ["http://", "https://", "mailto:"].iter().any(|s| lower.starts_with(s)).then_some(url)
}

/// The entities html5ever writes, decoded (`&amp;` last).
pub(crate) fn decode(s: &str) -> String {
    if !s.contains('&') {
        return s.to_owned();
    }
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::{Block, Lead, Run, Style, blocks, sanitize};

    fn run(text: &str, style: Style) -> Run {
        Run { text: text.into(), style, link: None }
    }

    #[test]
    fn stored_text_reads_as_blocks_of_styled_runs() {
        const B: Style = Style { bold: true, italic: false, mark: false };
        const P: Style = Style { bold: false, italic: false, mark: false };
        let html = sanitize(
            "<p>Budget <b>up <i>10</i></b> &amp; <mark>hi</mark></p>\n<ul><li><p>one</p></li><li>two<ol><li>a</li><li>b<br>c</li></ol></li></ul><p><a href=\"https://ex.org/?a=1&amp;b=2\">the <b>site</b></a> end</p>",
        );
        let got = blocks(&html);
        assert_eq!(
            got[0],
            Block {
                lead: Lead::None,
                depth: 0,
                runs: vec![
                    run("Budget ", P),
                    run("up ", B),
                    run("10", Style { bold: true, italic: true, mark: false }),
                    run(" & ", P),
                    run("hi", Style { mark: true, ..P })
                ]
            }
        );
        assert_eq!(got[1], Block { lead: Lead::Bullet, depth: 1, runs: vec![run("one", P)] });
        assert_eq!(got[2], Block { lead: Lead::Bullet, depth: 1, runs: vec![run("two", P)] });
        assert_eq!(got[3], Block { lead: Lead::Number(1), depth: 2, runs: vec![run("a", P)] });
        assert_eq!(got[4].lead, Lead::Number(2));
        assert_eq!(got[4].runs, vec![run("b", P), run("\n", P), run("c", P)]);
        let link = Some("https://ex.org/?a=1&b=2".to_owned());
        assert_eq!(
            got[5].runs,
            vec![
                Run { text: "the ".into(), style: P, link: link.clone() },
                Run { text: "site".into(), style: B, link },
                run(" end", P)
            ]
        );
        assert_eq!(got.len(), 6);
        assert_eq!(
            blocks(&sanitize("plain  text\n")),
            vec![Block { lead: Lead::None, depth: 0, runs: vec![run("plain text", P)] }]
        );
        assert!(blocks("").is_empty() && blocks("<p> </p><ul></ul>").is_empty());
    }

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
