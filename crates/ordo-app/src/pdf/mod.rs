//! A small PDF writer for documents of text: headings, paragraphs and
//! tables on A4 pages, with page numbers. It uses the standard fonts
//! Helvetica and Helvetica-Bold in WinAnsi encoding, which every PDF reader
//! has, so nothing is embedded, the text can be selected and searched, and
//! the file stays small. Characters outside WinAnsi (beyond Western
//! European scripts) are written as `?`.
//!
//! Written here rather than taken from a crate: what the minutes need is a
//! few hundred lines, and the format parts used (PDF 1.4 objects, one
//! cross-reference table, uncompressed content streams) are stable.

mod metrics;

const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const MARGIN: f32 = 56.0;
const BOTTOM: f32 = 64.0;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Font {
    Regular,
    Bold,
}

impl Font {
    fn name(self) -> &'static str {
        match self {
            Font::Regular => "F1",
            Font::Bold => "F2",
        }
    }
}

/// A character in WinAnsi, or `?`.
fn win_ansi(c: char) -> u8 {
    match c as u32 {
        0x20..=0x7E | 0xA1..=0xFF => c as u32 as u8,
        0xA0 => b' ',
        _ => metrics::WIN_ANSI_HIGH.iter().find(|(ch, _)| *ch == c).map(|(_, b)| *b).unwrap_or(b'?'),
    }
}

/// Width in points of `text` at `size`.
pub fn width(text: &str, font: Font, size: f32) -> f32 {
    let table = match font {
        Font::Regular => &metrics::REGULAR,
        Font::Bold => &metrics::BOLD,
    };
    let units: u32 = text
        .chars()
        .map(|c| {
            let b = win_ansi(c);
            u32::from(table.get(usize::from(b).saturating_sub(32)).copied().unwrap_or(556))
        })
        .sum();
    units as f32 * size / 1000.0
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

/// A PDF string literal: WinAnsi bytes, with the delimiters escaped and
/// anything outside printable ASCII as an octal escape.
fn literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('(');
    for c in text.chars() {
        match win_ansi(c) {
            b @ (b'(' | b')' | b'\\') => {
                out.push('\\');
                out.push(b as char);
            }
            b @ 0x20..=0x7E => out.push(b as char),
            b => out.push_str(&format!("\\{b:03o}")),
        }
    }
    out.push(')');
    out
}

/// A text string for the document information (PDF text strings take
/// UTF-16BE with a byte-order mark), as hexadecimal.
fn info_string(text: &str) -> String {
    let mut out = String::from("<FEFF");
    for u in text.encode_utf16() {
        out.push_str(&format!("{u:04X}"));
    }
    out.push('>');
    out
}

/// A table column: its heading and its share of the text width.
pub struct Column<'a> {
    pub heading: &'a str,
    pub share: f32,
}

/// A document being laid out, top to bottom.
pub struct Document {
    title: String,
    pages: Vec<String>,
    page: String,
    y: f32,
}

impl Document {
    pub fn new(title: &str) -> Self {
        Document { title: title.to_owned(), pages: Vec::new(), page: String::new(), y: PAGE_H - MARGIN }
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
        self.page.push_str(&format!(
            "BT {grey:.2} g /{} {size:.1} Tf {x:.2} {y:.2} Td {} Tj ET\n",
            font.name(),
            literal(text)
        ));
    }

    fn rule(&mut self, x1: f32, y: f32, x2: f32) {
        self.page.push_str(&format!("0.75 G 0.5 w {x1:.2} {y:.2} m {x2:.2} {y:.2} l S\n"));
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
    /// with its number: `footer(n, of)`.
    pub fn finish(mut self, footer: impl Fn(usize, usize) -> String) -> Vec<u8> {
        self.pages.push(std::mem::take(&mut self.page));
        let n = self.pages.len();
        // Objects: 1 catalog, 2 page tree, 3 and 4 fonts, 5 information,
        // then per page its page object and its content stream.
        let mut objects: Vec<String> = Vec::with_capacity(5 + 2 * n);
        let kids: Vec<String> = (0..n).map(|i| format!("{} 0 R", 6 + 2 * i)).collect();
        objects.push("<< /Type /Catalog /Pages 2 0 R >>".to_owned());
        objects.push(format!("<< /Type /Pages /Kids [{}] /Count {n} >>", kids.join(" ")));
        for base in ["Helvetica", "Helvetica-Bold"] {
            objects.push(format!("<< /Type /Font /Subtype /Type1 /BaseFont /{base} /Encoding /WinAnsiEncoding >>"));
        }
        objects.push(format!("<< /Title {} /Producer (Ordo) >>", info_string(&self.title)));
        for (i, body) in self.pages.iter().enumerate() {
            let mut content = body.clone();
            let foot = footer(i + 1, n);
            let fw = width(&foot, Font::Regular, 8.0);
            content.push_str(&format!(
                "BT 0.45 g /F1 8.0 Tf {:.2} {:.2} Td {} Tj ET\n",
                PAGE_W - MARGIN - fw,
                BOTTOM - 28.0,
                literal(&foot)
            ));
            objects.push(format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_W} {PAGE_H}] \
                 /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents {} 0 R >>",
                7 + 2 * i
            ));
            objects.push(format!("<< /Length {} >>\nstream\n{content}endstream", content.len()));
        }
        let mut out: Vec<u8> = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
        let mut offsets = Vec::with_capacity(objects.len());
        for (i, o) in objects.iter().enumerate() {
            offsets.push(out.len());
            out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
        }
        let xref = out.len();
        out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
        for off in offsets {
            out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
        }
        out.extend_from_slice(
            format!("trailer\n<< /Size {} /Root 1 0 R /Info 5 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1)
                .as_bytes(),
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_measured_with_the_font_metrics() {
        // Helvetica: "i" is 222 units, "W" 944, bold "W" 944, bold "i" 278.
        assert!((width("i", Font::Regular, 10.0) - 2.22).abs() < 1e-4);
        assert!((width("W", Font::Regular, 10.0) - 9.44).abs() < 1e-4);
        assert!((width("i", Font::Bold, 10.0) - 2.78).abs() < 1e-4);
        assert!(width("é", Font::Regular, 10.0) > 0.0);
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
    fn strings_are_escaped_and_encoded() {
        assert_eq!(literal("a(b)c\\"), "(a\\(b\\)c\\\\)");
        assert_eq!(literal("é’"), "(\\351\\222)");
        assert_eq!(literal("漢"), "(?)");
        assert_eq!(info_string("é"), "<FEFF00E9>");
    }

    #[test]
    fn the_cross_reference_table_points_at_every_object() {
        let mut d = Document::new("T");
        for i in 0..200 {
            d.paragraph(&format!("line {i}"));
        }
        let pdf = d.finish(|n, of| format!("{n}/{of}"));
        // One character per byte, so that offsets stay byte offsets.
        let text: String = pdf.iter().map(|&b| if b.is_ascii() { b as char } else { '?' }).collect();
        let start: usize = text.rsplit("startxref\n").next().unwrap().lines().next().unwrap().parse().unwrap();
        assert!(text[start..].starts_with("xref\n"));
        let entries: Vec<usize> = text[start..]
            .lines()
            .skip(3)
            .take_while(|l| l.ends_with(" n "))
            .map(|l| l[..10].parse().unwrap())
            .collect();
        assert!(entries.len() > 7, "more than one page");
        for (i, off) in entries.iter().enumerate() {
            assert!(text[*off..].starts_with(&format!("{} 0 obj", i + 1)));
        }
    }
}
