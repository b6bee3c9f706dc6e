//! A small PDF writer for documents of text: headings, paragraphs and
//! tables on A4 pages, with page numbers. The layout (wrapping, page
//! breaks, tables that never split a row) is ours; the file is written by
//! krilla (typst's PDF writer), with DejaVu Sans embedded and subsetted, so
//! every character of European names, Greek and Cyrillic prints, the text
//! can be selected and searched, and the file carries only the glyphs it
//! uses. Glyphs are placed one per character with their advances (skrifa
//! reads the font): no kerning and no ligatures, which Latin, Greek and
//! Cyrillic text in composed form (NFC) does not need. A character the font
//! lacks (CJK) is written as `?`.
//!
//! The fonts are DejaVu Sans 2.37 (Bitstream Vera licence, `fonts/LICENSE-DejaVu`).

use krilla::action::LinkAction;
use krilla::annotation::{LinkAnnotation, Target};
use krilla::geom::{PathBuilder, Point, Rect, Transform};
use krilla::metadata::Metadata;
use krilla::paint::{Fill, Stroke};
use krilla::text::{GlyphId, KrillaGlyph};
use skrifa::MetadataProvider;
use skrifa::instance::{LocationRef, Size};
use std::sync::OnceLock;

const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const MARGIN: f32 = 56.0;
const BOTTOM: f32 = 64.0;

static REGULAR: &[u8] = include_bytes!("fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("fonts/DejaVuSans-Bold.ttf");

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Font {
    Regular,
    Bold,
}

/// A font as both tools see it: krilla's (to draw and embed) and skrifa's
/// (its characters and advances).
/// The character map and metrics are read from the font's tables once,
/// not per character.
struct Loaded {
    pdf: krilla::text::Font,
    charmap: skrifa::charmap::Charmap<'static>,
    metrics: skrifa::metrics::GlyphMetrics<'static>,
    upem: f32,
}

impl Loaded {
    fn glyph(&self, c: char) -> Option<skrifa::GlyphId> {
        self.charmap.map(c)
    }
    /// A glyph's advance, in ems.
    fn advance(&self, g: skrifa::GlyphId) -> f32 {
        self.metrics.advance_width(g).unwrap_or(0.0) / self.upem
    }
}

fn loaded(font: Font) -> Option<&'static Loaded> {
    static FONTS: OnceLock<Option<[Loaded; 2]>> = OnceLock::new();
    let fonts = FONTS.get_or_init(|| {
        let load = |bytes: &'static [u8]| {
            let face = skrifa::FontRef::new(bytes).ok()?;
            let upem = f32::from(face.metrics(Size::unscaled(), LocationRef::default()).units_per_em);
            Some(Loaded {
                pdf: krilla::text::Font::new(bytes.into(), 0)?,
                charmap: face.charmap(),
                metrics: face.glyph_metrics(Size::unscaled(), LocationRef::default()),
                upem,
            })
        };
        Some([load(REGULAR)?, load(BOLD)?])
    });
    fonts.as_ref().map(|f| &f[font as usize])
}

/// The text as it will be drawn: a character the font has no glyph for
/// becomes `?` (no invisible boxes), controls become spaces.
fn printable(text: &str, font: Font) -> String {
    let Some(f) = loaded(font) else { return text.to_owned() };
    text.chars()
        .map(|c| match c {
            c if c.is_control() => ' ',
            c if f.glyph(c).is_some() => c,
            _ => '?',
        })
        .collect()
}

/// The glyphs of a printable text, one per character, each with its byte
/// range in the text (what the PDF's Unicode map is made from).
fn glyphs(text: &str, f: &Loaded) -> Vec<KrillaGlyph> {
    text.char_indices()
        .filter_map(|(i, c)| {
            let g = f.glyph(c)?;
            Some(KrillaGlyph::new(GlyphId::new(g.to_u32()), f.advance(g), 0.0, 0.0, 0.0, i..i + c.len_utf8(), None))
        })
        .collect()
}

/// Width in points of `text` at `size`, as it will be drawn.
pub fn width(text: &str, font: Font, size: f32) -> f32 {
    let Some(f) = loaded(font) else { return 0.0 };
    printable(text, font).chars().filter_map(|c| f.glyph(c)).map(|g| f.advance(g)).sum::<f32>() * size
}

/// Break `text` into lines no wider than `max` points; a word longer than a
/// line is cut. Line breaks in the text are kept.
pub fn wrap(text: &str, font: Font, size: f32, max: f32) -> Vec<String> {
    let mut lines = Vec::new();
    for para in text.split('\n') {
        let mut line = String::new();
        for word in para.split_whitespace() {
            let candidate = if line.is_empty() { word.to_owned() } else { format!("{line} {word}") };
            if width(&candidate, font, size) <= max {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            // The word alone may still be too long: cut it.
            let mut piece = String::new();
            for ch in word.chars() {
                piece.push(ch);
                if width(&piece, font, size) > max && piece.chars().count() > 1 {
                    piece.pop();
                    lines.push(std::mem::take(&mut piece));
                    piece.push(ch);
                }
            }
            line = piece;
        }
        lines.push(line);
    }
    lines
}

/// Styled runs broken into lines no wider than `max`: each line is its
/// pieces, placed from its start. A word wider than a line is cut; a
/// `"\n"` run breaks the line.
fn rich_lines(runs: &[crate::richtext::Run], size: f32, max: f32) -> Vec<Vec<Piece>> {
    let mut lines: Vec<Vec<Piece>> = Vec::new();
    let mut line: Vec<Piece> = Vec::new();
    let mut x = 0.0f32;
    let end_line = |line: &mut Vec<Piece>, lines: &mut Vec<Vec<Piece>>, x: &mut f32| {
        if let Some(last) = line.last_mut() {
            let t = last.text.trim_end().len();
            last.text.truncate(t);
        }
        line.retain(|p| !p.text.is_empty());
        lines.push(std::mem::take(line));
        *x = 0.0;
    };
    for r in runs {
        if r.text == "\n" {
            end_line(&mut line, &mut lines, &mut x);
            continue;
        }
        let font = if r.style.bold { Font::Bold } else { Font::Regular };
        // Words with the space after each, so spaces are measured too.
        for word in r.text.split_inclusive(' ') {
            let bare = word.trim_end_matches(' ');
            let w_bare = width(bare, font, size);
            if x > 0.0 && x + w_bare > max {
                end_line(&mut line, &mut lines, &mut x);
            }
            let mut word = if x == 0.0 { word.trim_start_matches(' ') } else { word };
            // Too long for a line of its own: cut it.
            while width(word.trim_end_matches(' '), font, size) > max - x && word.chars().count() > 1 {
                let mut cut = 0;
                for (i, c) in word.char_indices() {
                    if width(&word[..i + c.len_utf8()], font, size) > max - x && i > 0 {
                        break;
                    }
                    cut = i + c.len_utf8();
                }
                line.push(Piece { x, text: word[..cut].to_owned(), font, style: r.style, link: r.link.clone() });
                end_line(&mut line, &mut lines, &mut x);
                word = &word[cut..];
            }
            if word.is_empty() {
                continue;
            }
            // One piece per word and style: a link or a highlight ends at
            // its last letter, not across the space after it.
            line.push(Piece { x, text: word.to_owned(), font, style: r.style, link: r.link.clone() });
            x += width(word, font, size);
        }
    }
    if !line.is_empty() {
        end_line(&mut line, &mut lines, &mut x);
    }
    lines
}

/// What a page shows, in PDF points from the bottom left (as the layout
/// counts), replayed into krilla when the document is finished.
enum Mark {
    /// A picture, `y` at its bottom.
    Picture {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        image: krilla::image::Image,
    },
    Text {
        x: f32,
        y: f32,
        text: String,
        font: Font,
        size: f32,
        ink: Ink,
        italic: bool,
    },
    Rule {
        x1: f32,
        x2: f32,
        y: f32,
    },
    /// Highlighted text's background: `y` is the baseline.
    Highlight {
        x: f32,
        y: f32,
        w: f32,
        size: f32,
    },
    /// A link's clickable area over text on the baseline `y`.
    Link {
        x: f32,
        y: f32,
        w: f32,
        size: f32,
        url: String,
    },
}

/// Text colour: a grey from 0 (black) to 1 (white), or a link's blue.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Ink {
    Grey(f32),
    Link,
}

/// A piece of a line of rich text, placed.
struct Piece {
    x: f32,
    text: String,
    font: Font,
    style: crate::richtext::Style,
    link: Option<String>,
}

/// A table column: its heading and its share of the text width.
pub struct Column<'a> {
    pub heading: &'a str,
    pub share: f32,
}

/// A document being laid out, top to bottom.
pub struct Document {
    title: String,
    pages: Vec<Vec<Mark>>,
    page: Vec<Mark>,
    y: f32,
}

impl Document {
    pub fn new(title: &str) -> Self {
        Document { title: title.to_owned(), pages: Vec::new(), page: Vec::new(), y: PAGE_H - MARGIN }
    }

    fn text_width() -> f32 {
        PAGE_W - 2.0 * MARGIN
    }

    /// Start a new page if fewer than `needed` points are left.
    fn room(&mut self, needed: f32) {
        if self.y - needed < BOTTOM {
            self.pages.push(std::mem::take(&mut self.page));
            self.y = PAGE_H - MARGIN;
        }
    }

    fn put(&mut self, x: f32, y: f32, text: &str, font: Font, size: f32, grey: f32) {
        if !text.is_empty() {
            let text = printable(text, font);
            self.page.push(Mark::Text { x, y, text, font, size, ink: Ink::Grey(grey), italic: false });
        }
    }

    fn rule(&mut self, x1: f32, y: f32, x2: f32) {
        self.page.push(Mark::Rule { x1, x2, y });
    }

    /// Lines of text, each wrapped to the width, `indent` points in.
    fn lines(&mut self, text: &str, font: Font, size: f32, indent: f32, grey: f32) {
        let leading = size * 1.35;
        for line in wrap(text, font, size, Self::text_width() - indent) {
            self.room(leading);
            self.y -= leading;
            self.put(MARGIN + indent, self.y, &line, font, size, grey);
        }
    }

    /// The document's title, large, with a rule under it.
    pub fn title(&mut self, text: &str) {
        self.lines(text, Font::Bold, 18.0, 0.0, 0.0);
        self.y -= 6.0;
        let y = self.y;
        self.rule(MARGIN, y, PAGE_W - MARGIN);
        self.y -= 4.0;
    }

    /// A section heading (level 1) or sub-heading (level 2).
    pub fn heading(&mut self, text: &str, level: u8) {
        let size = if level <= 1 { 13.5 } else { 11.5 };
        // Keep a heading with at least two lines of what follows.
        self.room(size * 1.35 + 40.0);
        self.y -= if level <= 1 { 12.0 } else { 6.0 };
        self.lines(text, Font::Bold, size, 0.0, 0.0);
        self.y -= 2.0;
    }

    /// A paragraph of body text.
    pub fn paragraph(&mut self, text: &str) {
        self.lines(text, Font::Regular, 10.0, 0.0, 0.0);
    }

    /// Indented, greyed text (descriptions, remarks).
    pub fn note(&mut self, text: &str, indent: f32) {
        self.lines(text, Font::Regular, 9.5, indent, 0.3);
    }

    /// Rich text (a description), `indent` points in and greyed like a
    /// note: bold, italic (slanted, as a browser does without an italic
    /// face), highlight, lists with their bullets and numbers, and links
    /// in blue that can be clicked.
    pub fn rich(&mut self, blocks: &[crate::richtext::Block], indent: f32) {
        use crate::richtext::Lead;
        let size = 9.5;
        let leading = size * 1.35;
        for (i, b) in blocks.iter().enumerate() {
            if i > 0 && (b.lead == Lead::None || blocks[i - 1].lead == Lead::None) {
                self.y -= 3.0;
            }
            let nest = 14.0 * b.depth.saturating_sub(usize::from(b.lead != Lead::None)) as f32;
            let x0 = MARGIN + indent + nest;
            let lead = match b.lead {
                Lead::None => String::new(),
                Lead::Bullet => "\u{2022}".to_owned(),
                Lead::Number(n) => format!("{n}."),
            };
            let text_x = if lead.is_empty() { x0 } else { x0 + width(&lead, Font::Regular, size).max(7.0) + 5.0 };
            let max = (PAGE_W - MARGIN - text_x).max(60.0);
            for (n, line) in rich_lines(&b.runs, size, max).into_iter().enumerate() {
                self.room(leading);
                self.y -= leading;
                let y = self.y;
                if n == 0 && !lead.is_empty() {
                    self.put(x0, y, &lead, Font::Regular, size, 0.3);
                }
                for p in line {
                    let x = text_x + p.x;
                    let w = width(&p.text, p.font, size);
                    if p.style.mark {
                        self.page.push(Mark::Highlight { x, y, w, size });
                    }
                    let ink = if p.link.is_some() { Ink::Link } else { Ink::Grey(0.3) };
                    let text = printable(&p.text, p.font);
                    self.page.push(Mark::Text { x, y, text, font: p.font, size, ink, italic: p.style.italic });
                    if let Some(url) = p.link {
                        self.page.push(Mark::Link { x, y, w, size, url });
                    }
                }
            }
        }
    }

    /// A picture (PNG, JPEG, WebP or GIF, as Ordo stores them), `indent`
    /// points in, as wide as it is at 96 dpi but no wider than the text and
    /// no taller than a third of the page. One that cannot be read is left
    /// out: the caption beside it says what it was.
    pub fn image(&mut self, data: &[u8], content_type: &str, indent: f32) {
        use krilla::image::Image;
        let bytes: krilla::Data = data.to_vec().into();
        let image = match content_type {
            "image/png" => Image::from_png(bytes, true),
            "image/jpeg" => Image::from_jpeg(bytes, true),
            "image/webp" => Image::from_webp(bytes, true),
            "image/gif" => Image::from_gif(bytes, true),
            _ => return,
        };
        let Ok(image) = image else { return };
        let (pw, ph) = image.size();
        if pw == 0 || ph == 0 {
            return;
        }
        let max_w = Self::text_width() - indent;
        let max_h = (PAGE_H - MARGIN - BOTTOM) / 3.0;
        let scale = (pw as f32 * 0.75).min(max_w) / pw as f32;
        let scale = scale.min(max_h / ph as f32);
        let (w, h) = (pw as f32 * scale, ph as f32 * scale);
        self.room(h + 8.0);
        self.y -= h + 4.0;
        let y = self.y;
        self.page.push(Mark::Picture { x: MARGIN + indent, y, w, h, image });
        self.y -= 4.0;
    }

    /// `label: value` with the label in bold.
    pub fn field(&mut self, label: &str, value: &str) {
        let size = 10.0;
        let label = format!("{label}: ");
        let lw = width(&label, Font::Bold, size);
        let lines = wrap(value, Font::Regular, size, Self::text_width() - lw);
        for (i, line) in lines.iter().enumerate() {
            self.room(size * 1.35);
            self.y -= size * 1.35;
            if i == 0 {
                self.put(MARGIN, self.y, &label, Font::Bold, size, 0.0);
            }
            self.put(MARGIN + lw, self.y, line, Font::Regular, size, 0.0);
        }
    }

    /// A bullet point: bold lead-in, then text.
    pub fn bullet(&mut self, lead: &str, text: &str) {
        let size = 10.0;
        let indent = 12.0;
        let lead = if lead.is_empty() { String::new() } else { format!("{lead}: ") };
        let lw = width(&lead, Font::Bold, size);
        let lines = wrap(text, Font::Regular, size, Self::text_width() - indent - lw);
        for (i, line) in lines.iter().enumerate() {
            self.room(size * 1.35);
            self.y -= size * 1.35;
            if i == 0 {
                self.put(MARGIN + 2.0, self.y, "\u{2022}", Font::Regular, size, 0.0);
                self.put(MARGIN + indent, self.y, &lead, Font::Bold, size, 0.0);
            }
            self.put(MARGIN + indent + lw, self.y, line, Font::Regular, size, 0.0);
        }
    }

    /// A table: bold headings, a rule, then each row with its cells wrapped
    /// in their column. A row never splits across pages; the headings are
    /// repeated on a new page.
    pub fn table(&mut self, columns: &[Column<'_>], rows: &[Vec<String>]) {
        let size = 9.5;
        let leading = size * 1.35;
        let total: f32 = columns.iter().map(|c| c.share).sum();
        let widths: Vec<f32> = columns.iter().map(|c| c.share / total * Self::text_width()).collect();
        let pad = 6.0;
        let head = |d: &mut Document| {
            d.room(leading * 3.0);
            d.y -= leading;
            let mut x = MARGIN;
            for (c, w) in columns.iter().zip(&widths) {
                d.put(x, d.y, c.heading, Font::Bold, size, 0.0);
                x += w;
            }
            d.y -= 4.0;
            let y = d.y;
            d.rule(MARGIN, y, PAGE_W - MARGIN);
        };
        head(self);
        for row in rows {
            let cells: Vec<Vec<String>> =
                row.iter().zip(&widths).map(|(t, w)| wrap(t, Font::Regular, size, w - pad)).collect();
            let height = cells.iter().map(Vec::len).max().unwrap_or(1) as f32 * leading + 4.0;
            if self.y - height < BOTTOM {
                self.room(PAGE_H);
                head(self);
            }
            let top = self.y;
            let mut x = MARGIN;
            for (cell, w) in cells.iter().zip(&widths) {
                let mut y = top;
                for line in cell {
                    y -= leading;
                    self.put(x, y, line, Font::Regular, size, 0.0);
                }
                x += w;
            }
            self.y = top - height;
            let y = self.y;
            self.rule(MARGIN, y, PAGE_W - MARGIN);
        }
    }

    /// Some space.
    pub fn gap(&mut self, points: f32) {
        self.y -= points;
    }

    /// The finished file. `footer` is written at the bottom of every page
    /// with its number: `footer(n, of)`. `None` only if the embedded fonts
    /// cannot be read or krilla refuses to write (neither depends on the text).
    pub fn finish(mut self, footer: impl Fn(usize, usize) -> String) -> Option<Vec<u8>> {
        self.pages.push(std::mem::take(&mut self.page));
        let n = self.pages.len();
        let fonts = [loaded(Font::Regular)?, loaded(Font::Bold)?];
        let mut doc = krilla::Document::new();
        doc.set_metadata(Metadata::new().title(self.title.clone()).producer("Ordo".to_owned()));
        let settings = krilla::page::PageSettings::from_wh(PAGE_W, PAGE_H)?;
        for (i, mut marks) in self.pages.into_iter().enumerate() {
            let foot = printable(&footer(i + 1, n), Font::Regular);
            let x = PAGE_W - MARGIN - width(&foot, Font::Regular, 8.0);
            let ink = Ink::Grey(0.45);
            marks.push(Mark::Text {
                x,
                y: BOTTOM - 28.0,
                text: foot,
                font: Font::Regular,
                size: 8.0,
                ink,
                italic: false,
            });
            let mut page = doc.start_page_with(settings.clone());
            let mut links = Vec::new();
            let mut surface = page.surface();
            for mark in marks {
                match mark {
                    Mark::Text { x, y, text, font, size, ink, italic } => {
                        surface.set_stroke(None);
                        let paint = match ink {
                            Ink::Grey(g) => luma(g).into(),
                            Ink::Link => krilla::color::rgb::Color::new(0x1f, 0x4a, 0xb8).into(),
                        };
                        surface.set_fill(Some(Fill { paint, ..Default::default() }));
                        let f = fonts[font as usize];
                        let g = glyphs(&text, f);
                        // krilla counts from the top left.
                        if italic {
                            // A 12° slant about the baseline.
                            surface.push_transform(&Transform::from_row(1.0, 0.0, -0.21, 1.0, x, PAGE_H - y));
                            surface.draw_glyphs(Point::from_xy(0.0, 0.0), &g, f.pdf.clone(), &text, size, false);
                            surface.pop();
                        } else {
                            surface.draw_glyphs(Point::from_xy(x, PAGE_H - y), &g, f.pdf.clone(), &text, size, false);
                        }
                    }
                    Mark::Highlight { x, y, w, size } => {
                        let mut path = PathBuilder::new();
                        if let Some(r) = Rect::from_xywh(x - 0.5, PAGE_H - y - size * 0.95, w + 1.0, size * 1.25) {
                            path.push_rect(r);
                        }
                        if let Some(path) = path.finish() {
                            surface.set_stroke(None);
                            let paint = krilla::color::rgb::Color::new(0xff, 0xec, 0x8a).into();
                            surface.set_fill(Some(Fill { paint, ..Default::default() }));
                            surface.draw_path(&path);
                        }
                    }
                    Mark::Picture { x, y, w, h, image } => {
                        if let Some(size) = krilla::geom::Size::from_wh(w, h) {
                            surface.push_transform(&Transform::from_translate(x, PAGE_H - y - h));
                            surface.draw_image(image, size);
                            surface.pop();
                        }
                    }
                    Mark::Link { x, y, w, size, url } => {
                        if let Some(r) = Rect::from_xywh(x, PAGE_H - y - size * 0.95, w, size * 1.25) {
                            links.push(LinkAnnotation::new(r, Target::Action(LinkAction::new(url).into())));
                        }
                    }
                    Mark::Rule { x1, x2, y } => {
                        let mut path = PathBuilder::new();
                        path.move_to(x1, PAGE_H - y);
                        path.line_to(x2, PAGE_H - y);
                        if let Some(path) = path.finish() {
                            surface.set_fill(None);
                            surface.set_stroke(Some(Stroke {
                                paint: luma(0.75).into(),
                                width: 0.5,
                                ..Default::default()
                            }));
                            surface.draw_path(&path);
                        }
                    }
                }
            }
            surface.finish();
            for link in links {
                page.add_annotation(link.into());
            }
            page.finish();
        }
        doc.finish().ok()
    }
}

/// A grey from 0 (black) to 1 (white).
fn luma(grey: f32) -> krilla::color::luma::Color {
    krilla::color::luma::Color::new((grey.clamp(0.0, 1.0) * 255.0).round() as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_measured_with_the_font() {
        // Narrow and wide letters, bold wider than regular, width in
        // proportion to the size, and letters beyond Latin-1 measured.
        let (i, w) = (width("i", Font::Regular, 10.0), width("W", Font::Regular, 10.0));
        assert!(i > 0.0 && w > 2.0 * i, "{i} {w}");
        assert!(width("Budget", Font::Bold, 10.0) > width("Budget", Font::Regular, 10.0));
        assert!((width("ab", Font::Regular, 20.0) - 2.0 * width("ab", Font::Regular, 10.0)).abs() < 1e-3);
        assert!(width("łřșΩЖ", Font::Regular, 10.0) > 0.0);
    }

    #[test]
    fn lines_never_exceed_the_width() {
        let text = "Réunion hebdomadaire de l’équipe: budget, recrutement et feuille de route \
                    Anticonstitutionnellementextraordinairementlongmot";
        for line in wrap(text, Font::Regular, 10.0, 120.0) {
            assert!(width(&line, Font::Regular, 10.0) <= 120.0, "{line}");
        }
        assert_eq!(wrap("one\ntwo", Font::Regular, 10.0, 500.0), vec!["one", "two"]);
    }

    #[test]
    fn rich_text_wraps_across_styles_within_the_width() {
        use crate::richtext::{Run, Style};
        let bold = Style { bold: true, ..Style::default() };
        let runs = vec![
            Run { text: "Budget review with ".into(), style: Style::default(), link: None },
            Run { text: "the whole finance team ".into(), style: bold, link: None },
            Run { text: "Anticonstitutionnellementextraordinaire".into(), style: Style::default(), link: None },
            Run { text: "\n".into(), style: Style::default(), link: None },
            Run { text: "after".into(), style: Style::default(), link: Some("https://ex.org".into()) },
        ];
        let lines = rich_lines(&runs, 10.0, 120.0);
        for line in &lines {
            let end = line.last().map(|p| p.x + width(&p.text, p.font, 10.0)).unwrap_or(0.0);
            assert!(end <= 120.0 + 1e-3, "{end}");
        }
        let text: Vec<String> = lines.iter().map(|l| l.iter().map(|p| p.text.as_str()).collect()).collect();
        assert_eq!(
            text.concat().replace(' ', ""),
            "BudgetreviewwiththewholefinanceteamAnticonstitutionnellementextraordinaireafter"
        );
        // The bold words are set in bold, the break starts a line, the
        // link keeps its address.
        assert!(lines.iter().flatten().any(|p| p.text.starts_with("finance") && p.font == Font::Bold));
        let last = lines.last().unwrap();
        assert_eq!((last[0].text.as_str(), last[0].link.as_deref()), ("after", Some("https://ex.org")));
        let mut d = Document::new("x");
        d.rich(&crate::richtext::blocks("<p><a href=\"https://ex.org\">l</a></p>"), 0.0);
        let pdf = d.finish(|_, _| String::new()).unwrap_or_default();
        assert!(pdf.windows(14).any(|w| w == b"https://ex.org"), "the link's address is in the file");
    }

    #[test]
    fn what_the_font_lacks_is_a_question_mark() {
        assert_eq!(printable("Łódź Dvořák Ștefan Ωμέγα Жуков", Font::Regular), "Łódź Dvořák Ștefan Ωμέγα Жуков");
        assert_eq!(printable("漢\u{7}", Font::Bold), "? ");
    }

    #[test]
    fn a_document_of_several_pages_is_written() {
        let mut d = Document::new("Minutes — Łódź");
        for i in 0..200 {
            d.paragraph(&format!("line {i} Жуков"));
        }
        let pdf = d.finish(|n, of| format!("{n}/{of}")).unwrap_or_default();
        assert!(pdf.starts_with(b"%PDF-"), "a PDF");
        assert!(pdf.len() > 2000, "{} bytes", pdf.len());
    }
}
