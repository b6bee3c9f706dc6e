//! Entry points for the fuzz targets (`fuzz/`, feature `fuzzing` only):
//! the parsers and writers of untrusted text and bytes that are private to
//! their modules, each as the server runs it.

use crate::AppError;

/// The picture check an upload goes through (header, then decoding and
/// encoding again), with the default limits but no node budget.
pub fn check_picture(bytes: &[u8]) -> Result<crate::images::Picture, AppError> {
    static LIMITS: std::sync::LazyLock<(usize, u64)> = std::sync::LazyLock::new(|| {
        let s = crate::Settings::development(std::path::Path::new("."), "http://ordo.test");
        (s.max_image_bytes, s.max_image_pixels)
    });
    let (format, w, h, total) = crate::images::header(bytes, LIMITS.0, LIMITS.1)?;
    crate::images::reencode(bytes, format, w, h, total)
}

/// The sealed-field decoder as the server runs it for a tenant that
/// encrypts and has nothing left to re-seal (`strict`), or that does not.
pub fn tenant_keys(ring: ordo_crypto::field::Keyring, strict: bool) -> crate::keys::TenantKeys {
    let tenant = ring.tenant().to_owned();
    crate::keys::TenantKeys::for_fuzzing(&tenant, ring, strict)
}

/// Text as the Markdown minutes write it.
pub fn markdown_text(s: &str) -> String {
    crate::minutes::md(s)
}

/// Stored rich text (sanitised first, as the use cases store it) as the
/// Markdown minutes write it, line by line.
pub fn rich_markdown(html: &str) -> Vec<String> {
    crate::minutes::rich_md(&crate::richtext::blocks(&crate::richtext::sanitize(html)))
}
