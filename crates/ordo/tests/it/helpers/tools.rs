//! Test data and the external tools that read what Ordo writes (PNG
//! pictures, `pdftotext`, Python with icalendar).

/// A small real PNG picture.
pub fn png(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x * 7) as u8, (y * 5) as u8, 120]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// The text of a PDF as `pdftotext` reads it (layout kept).
pub fn pdf_text(pdf: &[u8]) -> String {
    run_tool(std::process::Command::new("pdftotext").args(["-layout", "-enc", "UTF-8", "-", "-"]), pdf)
}

/// The PDF as poppler's XML: each run of text with its font
/// (`<fontspec id=".." family="DejaVuSans-Bold">`, `<text font="..">`),
/// and its links as `<a href>`.
pub fn pdf_xml(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("in.pdf");
    std::fs::write(&file, pdf).unwrap();
    let out =
        std::process::Command::new("pdftohtml").args(["-xml", "-stdout", "-i", "-q"]).arg(&file).output().unwrap();
    assert!(out.status.success(), "pdftohtml failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// How many pictures a PDF draws (poppler's `pdfimages -list`).
pub fn pdf_pictures(pdf: &[u8]) -> usize {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("in.pdf");
    std::fs::write(&file, pdf).unwrap();
    let out = std::process::Command::new("pdfimages").arg("-list").arg(&file).output().unwrap();
    assert!(out.status.success(), "pdfimages failed: {}", String::from_utf8_lossy(&out.stderr));
    // Two heading lines, then one line per picture.
    String::from_utf8(out.stdout).unwrap().lines().skip(2).filter(|l| !l.trim().is_empty()).count()
}

/// Run a Python script (the test script's environment, with icalendar) on
/// `input` and return what it prints.
pub fn python(script: &str, input: &[u8]) -> String {
    let py = std::env::var("ORDO_TEST_PYTHON").expect("ORDO_TEST_PYTHON (set by scripts/test.sh)");
    run_tool(std::process::Command::new(py).args(["-c", script]), input)
}

fn run_tool(cmd: &mut std::process::Command, input: &[u8]) -> String {
    use std::io::Write as _;
    use std::process::Stdio;
    let mut child = cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{cmd:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}
