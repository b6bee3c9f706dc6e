//! Uploaded pictures (meeting images, support chat pictures).
//!
//! A picture is recognised by its first bytes (never by its name or the
//! type the browser claims), its dimensions are read from its header, and
//! only then is it decoded — within a memory budget shared by the whole
//! node, so that many small, highly compressed pictures sent at once queue
//! instead of taking the server's memory. It is then encoded again from its
//! pixels (turned upright first), so that what is stored and served carries
//! no metadata — a phone photo's EXIF with its GPS position, XMP, text
//! chunks — and no bytes the decoder did not understand.

use crate::{App, AppError};
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader};
use ordo_core::Invalid;
use std::io::Cursor;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

/// How long an upload waits for room in the budget before it is refused
/// as "busy, try again".
const WAIT: Duration = Duration::from_secs(20);

/// The node's memory budget for decoding pictures, in MiB.
#[derive(Debug)]
pub struct DecodeBudget {
    mib: u32,
    room: Arc<Semaphore>,
}

impl DecodeBudget {
    pub fn new(mib: u32) -> Self {
        let mib = mib.max(1);
        Self { mib, room: Arc::new(Semaphore::new(mib as usize)) }
    }

    /// MiB free now (for tests and metrics).
    pub fn free_mib(&self) -> usize {
        self.room.available_permits()
    }
}

/// A picture that passed the checks, encoded again without metadata.
#[derive(Debug)]
pub struct Picture {
    pub content_type: &'static str,
    pub width: u32,
    pub height: u32,
    pub bytes: Vec<u8>,
}

fn bad(code: &'static str) -> AppError {
    AppError::Invalid(Invalid::new("image", code))
}

/// The image formats accepted, recognised by their first bytes.
fn sniff(bytes: &[u8]) -> Option<ImageFormat> {
    if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some(ImageFormat::Png)
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(ImageFormat::Jpeg)
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some(ImageFormat::Gif)
    } else if bytes.len() > 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some(ImageFormat::WebP)
    } else {
        None
    }
}

/// What decoding will cost, from the header only: the format, the
/// dimensions and the bytes of the decoded pixels.
pub(crate) fn header(
    bytes: &[u8],
    max_bytes: usize,
    max_pixels: u64,
) -> Result<(ImageFormat, u32, u32, u64), AppError> {
    if bytes.is_empty() {
        return Err(bad("image.missing"));
    }
    if bytes.len() > max_bytes {
        return Err(bad("image.too_large"));
    }
    let format = sniff(bytes).ok_or(bad("image.type"))?;
    let decoder = reader(bytes, format, None).into_decoder().map_err(|_| bad("image.corrupt"))?;
    let (w, h) = decoder.dimensions();
    // A picture of no pixels decodes, but encodes into a file that no
    // decoder reads back (found by the `picture` fuzz target).
    if w == 0 || h == 0 {
        return Err(bad("image.corrupt"));
    }
    if u64::from(w) * u64::from(h) > max_pixels {
        return Err(bad("image.too_many_pixels"));
    }
    Ok((format, w, h, decoder.total_bytes()))
}

fn reader(bytes: &[u8], format: ImageFormat, size: Option<(u32, u32, u64)>) -> ImageReader<Cursor<&[u8]>> {
    let mut r = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = image::Limits::default();
    match size {
        // Decoding: exactly the announced size, and its pixels' bytes.
        Some((w, h, total)) => {
            limits.max_image_width = Some(w);
            limits.max_image_height = Some(h);
            limits.max_alloc = Some(total.saturating_mul(2).max(1 << 20));
        }
        // The header only.
        None => limits.max_alloc = Some(64 << 20),
    }
    r.limits(limits);
    r
}

/// Decode within the announced size, turn upright, encode again.
pub(crate) fn reencode(bytes: &[u8], format: ImageFormat, w: u32, h: u32, total: u64) -> Result<Picture, AppError> {
    let mut decoder = reader(bytes, format, Some((w, h, total))).into_decoder().map_err(|_| bad("image.corrupt"))?;
    let orientation = decoder.orientation().unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut img = DynamicImage::from_decoder(decoder).map_err(|_| bad("image.corrupt"))?;
    img.apply_orientation(orientation);
    let mut out = Cursor::new(Vec::new());
    // Each stays in its format: JPEG at a quality a meeting's photos do not
    // lose by, PNG and WebP lossless, GIF with its first frame.
    let content_type = match format {
        ImageFormat::Jpeg => {
            let rgb = DynamicImage::ImageRgb8(img.to_rgb8());
            let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90);
            rgb.write_with_encoder(encoder).map_err(|_| AppError::Internal("jpeg encoding"))?;
            "image/jpeg"
        }
        ImageFormat::Png => {
            img.write_to(&mut out, format).map_err(|_| AppError::Internal("png encoding"))?;
            "image/png"
        }
        ImageFormat::WebP => {
            img.write_to(&mut out, format).map_err(|_| AppError::Internal("webp encoding"))?;
            "image/webp"
        }
        _ => {
            img.write_to(&mut out, ImageFormat::Gif).map_err(|_| AppError::Internal("gif encoding"))?;
            "image/gif"
        }
    };
    let (width, height) = (img.width(), img.height());
    Ok(Picture { content_type, width, height, bytes: out.into_inner() })
}

/// Check a picture and encode it again without its metadata, within the
/// node's decoding budget. Refused with a field error when it is not a
/// picture Ordo takes; `Busy` when the budget stays full too long.
#[tracing::instrument(skip_all, fields(bytes = bytes.len()))]
pub async fn check(app: &App, bytes: Vec<u8>) -> Result<Picture, AppError> {
    let (max_b, max_p) = (app.settings.max_image_bytes, app.settings.max_image_pixels);
    let (head, bytes) = tokio::task::spawn_blocking(move || (header(&bytes, max_b, max_p), bytes))
        .await
        .map_err(|_| AppError::Internal("image check failed"))?;
    let (format, w, h, total) = head?;
    // The decoded pixels and the encoder's working copies (measured: about
    // three times the pixels at the peak), in MiB; a picture within the
    // limits but larger than the whole budget waits for all of it.
    let budget = &app.images;
    let need = u32::try_from(total.saturating_mul(3).div_ceil(1 << 20)).unwrap_or(u32::MAX).clamp(1, budget.mib);
    let permit = tokio::time::timeout(WAIT, budget.room.clone().acquire_many_owned(need))
        .await
        .map_err(|_| AppError::Busy { retry_after_secs: 5 })?
        .map_err(|_| AppError::Internal("image budget closed"))?;
    tokio::task::spawn_blocking(move || {
        let _held = permit;
        reencode(&bytes, format, w, h, total)
    })
    .await
    .map_err(|_| AppError::Internal("image check failed"))?
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x * 7) as u8, (y * 5) as u8, 120]));
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, ImageFormat::Png).unwrap();
        out.into_inner()
    }

    #[test]
    fn the_cost_is_known_from_the_header_before_decoding() {
        let (format, w, h, total) = header(&png(30, 20), 1 << 20, 1_000).unwrap();
        assert_eq!((format, w, h, total), (ImageFormat::Png, 30, 20, 30 * 20 * 3));
        assert!(
            matches!(header(&png(40, 30), 1 << 20, 1_000), Err(AppError::Invalid(i)) if i.code == "image.too_many_pixels")
        );
        assert!(matches!(header(b"GIF89a", 1 << 20, 1_000), Err(AppError::Invalid(i)) if i.code == "image.corrupt"));
        assert!(matches!(header(b"<svg/>", 1 << 20, 1_000), Err(AppError::Invalid(i)) if i.code == "image.type"));
        assert!(matches!(header(&png(30, 20), 10, 1_000), Err(AppError::Invalid(i)) if i.code == "image.too_large"));
    }

    /// Found by the `picture` fuzz target (fuzz/corpus/picture/zero-height.gif):
    /// a GIF whose screen is one pixel wide and none high was taken, and
    /// what was stored did not decode again.
    #[test]
    fn a_picture_of_no_pixels_is_refused() {
        let gif =
            std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fuzz/corpus/picture/zero-height.gif")).unwrap();
        assert!(matches!(header(&gif, 1 << 20, 1_000), Err(AppError::Invalid(i)) if i.code == "image.corrupt"));
    }

    /// A JPEG with an EXIF block (a GPS position, a camera) and a comment;
    /// a PNG with text chunks: none of it survives.
    #[test]
    fn metadata_is_dropped_and_the_picture_kept() {
        let mut jpeg = Cursor::new(Vec::new());
        image::RgbImage::from_pixel(16, 8, image::Rgb([200, 10, 10])).write_to(&mut jpeg, ImageFormat::Jpeg).unwrap();
        let jpeg = jpeg.into_inner();
        // APP1 "Exif" segment with a recognisable payload, right after SOI.
        let payload = b"Exif\0\0GPS 48.8566N 2.3522E SecretCam";
        let mut with_exif = jpeg[..2].to_vec();
        with_exif.extend_from_slice(&[0xFF, 0xE1]);
        with_exif.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
        with_exif.extend_from_slice(payload);
        with_exif.extend_from_slice(&[0xFF, 0xFE, 0x00, 0x0B]);
        with_exif.extend_from_slice(b"Secret cm");
        with_exif.extend_from_slice(&jpeg[2..]);
        let (f, w, h, t) = header(&with_exif, 1 << 20, 1 << 20).unwrap();
        let out = reencode(&with_exif, f, w, h, t).unwrap();
        assert_eq!((out.content_type, out.width, out.height), ("image/jpeg", 16, 8));
        let text = String::from_utf8_lossy(&out.bytes);
        assert!(!text.contains("GPS") && !text.contains("SecretCam") && !text.contains("Secret cm"), "{text}");
        assert!(String::from_utf8_lossy(&with_exif).contains("SecretCam"), "the control carries it");

        // A PNG with a text chunk (written by the png crate).
        let mut with_text = Vec::new();
        let mut enc = png::Encoder::new(&mut with_text, 8, 8);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        enc.add_text_chunk("Comment".into(), "Taken at 12 rue Secrete".into()).unwrap();
        enc.write_header().unwrap().write_image_data(&[90; 8 * 8 * 3]).unwrap();
        let (f, w, h, t) = header(&with_text, 1 << 20, 1 << 20).unwrap();
        let out = reencode(&with_text, f, w, h, t).unwrap();
        assert_eq!((out.content_type, out.width, out.height), ("image/png", 8, 8));
        assert!(!String::from_utf8_lossy(&out.bytes).contains("rue Secrete"));
        assert!(String::from_utf8_lossy(&with_text).contains("rue Secrete"));
    }
}
