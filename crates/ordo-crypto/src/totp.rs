//! One-time codes for multi-factor sign-in: TOTP (RFC 6238) over HOTP
//! (RFC 4226) with HMAC-SHA-1, 30-second steps and 6 digits — what every
//! authenticator app reads from an `otpauth://` address — plus single-use
//! recovery codes. A code is accepted for the current step and the one
//! either side (clock drift), and never twice: the caller keeps the last
//! step used and a code of that step or before is refused (replay).

use crate::CryptoError;
use hmac::{KeyInit, Mac};
use zeroize::Zeroizing;

/// Seconds per step.
pub const STEP: i64 = 30;
/// Digits of a code.
pub const DIGITS: u32 = 6;
/// Bytes of a secret (160 bits, as RFC 4226 recommends).
pub const SECRET_BYTES: usize = 20;

/// A new random secret.
pub fn new_secret() -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    let mut s = Zeroizing::new(vec![0u8; SECRET_BYTES]);
    crate::random::fill(&mut s)?;
    Ok(s)
}

/// The HOTP value of `counter` (RFC 4226 §5.3).
pub fn hotp(secret: &[u8], counter: u64, digits: u32) -> String {
    // HMAC accepts keys of any length: this cannot fail.
    let Ok(mut mac) = hmac::Hmac::<sha1::Sha1>::new_from_slice(secret) else { return String::new() };
    mac.update(&counter.to_be_bytes());
    let h = mac.finalize().into_bytes();
    let offset = usize::from(h[h.len() - 1] & 0x0f);
    let bin = (u32::from(h[offset] & 0x7f) << 24)
        | (u32::from(h[offset + 1]) << 16)
        | (u32::from(h[offset + 2]) << 8)
        | u32::from(h[offset + 3]);
    let code = bin % 10u32.pow(digits);
    format!("{code:0width$}", width = digits as usize)
}

/// The step a Unix time falls in.
pub fn step_of(unix: i64) -> i64 {
    unix.div_euclid(STEP)
}

/// Check `code` at time `unix`: the step it matches (the current one or
/// one either side), if that step is after `last_used` (a code is good
/// once). Comparisons are constant-time.
pub fn verify(secret: &[u8], code: &str, unix: i64, last_used: i64) -> Option<i64> {
    let code = code.trim().replace(' ', "");
    if code.len() != DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let now = step_of(unix);
    let mut found = None;
    for step in [now - 1, now, now + 1] {
        let Ok(counter) = u64::try_from(step) else { continue };
        let expected = hotp(secret, counter, DIGITS);
        if crate::constant_time_eq(expected.as_bytes(), code.as_bytes()) && step > last_used {
            found = Some(step);
        }
    }
    found
}

const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// Base32 (RFC 4648) without padding: how authenticator apps take secrets.
pub fn base32(bytes: &[u8]) -> String {
    let mut out = String::new();
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            out.push(char::from(ALPHABET[((buffer >> (bits - 5)) & 31) as usize]));
            bits -= 5;
        }
    }
    if bits > 0 {
        out.push(char::from(ALPHABET[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

/// Read base32 (case and spaces ignored); None if it is not base32.
pub fn base32_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let (mut buffer, mut bits) = (0u32, 0u32);
    for c in s.chars().filter(|c| !c.is_whitespace() && *c != '=') {
        let v = ALPHABET.iter().position(|a| char::from(*a) == c.to_ascii_uppercase())? as u32;
        buffer = (buffer << 5) | v;
        bits += 5;
        if bits >= 8 {
            out.push(((buffer >> (bits - 8)) & 0xff) as u8);
            bits -= 8;
        }
    }
    Some(out)
}

/// The `otpauth://` address an authenticator app enrols from.
pub fn otpauth_uri(issuer: &str, account: &str, secret: &[u8]) -> String {
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-._~@".contains(&b) {
                    char::from(b).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect()
    };
    format!(
        "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP}",
        enc(issuer),
        enc(account),
        base32(secret),
        enc(issuer)
    )
}

/// Ten recovery codes (`xxxx-xxxx-xxxx-xxxx`, 80 bits each), for when the
/// authenticator is lost. Shown once; only their SHA-256 is kept: at 80
/// random bits a stolen hash cannot be searched back to its code, so no key
/// or salt is needed (earlier codes had 50 bits: re-enrolling replaces them).
pub fn recovery_codes() -> Result<Vec<String>, CryptoError> {
    (0..10)
        .map(|_| {
            let mut b = [0u8; 10];
            crate::random::fill(&mut b)?;
            let s = base32(&b).to_lowercase();
            Ok(format!("{}-{}-{}-{}", &s[..4], &s[4..8], &s[8..12], &s[12..16]))
        })
        .collect()
}

/// A recovery code as typed (case, spaces and dashes ignored), hashed for
/// lookup.
pub fn recovery_code_hash(code: &str) -> String {
    let norm: String = code.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_lowercase()).collect();
    crate::sha256_hex(norm.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 Appendix B, SHA-1: the 20-byte ASCII secret, 8 digits.
    #[test]
    fn rfc6238_test_vectors() {
        let secret = b"12345678901234567890";
        for (time, code) in [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ] {
            assert_eq!(hotp(secret, step_of(time) as u64, 8), code, "T = {time}");
        }
    }

    /// RFC 4226 Appendix D: HOTP values 0 to 9.
    #[test]
    fn rfc4226_test_vectors() {
        let expected =
            ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"];
        for (i, code) in expected.iter().enumerate() {
            assert_eq!(hotp(b"12345678901234567890", i as u64, 6), *code);
        }
    }

    #[test]
    fn a_code_is_good_once_and_near_its_time() {
        let secret = b"12345678901234567890";
        let t = 1_234_567_890;
        let code = hotp(secret, step_of(t) as u64, 6);
        let step = verify(secret, &code, t, 0).unwrap();
        assert_eq!(step, step_of(t));
        assert_eq!(verify(secret, &code, t, step), None, "replayed");
        assert_eq!(verify(secret, &code, t + 30, 0), Some(step), "one step of drift");
        assert_eq!(verify(secret, &code, t + 90, 0), None, "too late");
        assert_eq!(verify(secret, "12345", t, 0), None);
        assert_eq!(verify(secret, "abcdef", t, 0), None);
        let spaced = format!("{} {}", &code[..3], &code[3..]);
        assert_eq!(verify(secret, &spaced, t, 0), Some(step));
    }

    #[test]
    fn base32_round_trips_and_matches_rfc4648() {
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32(b"f"), "MY");
        assert_eq!(base32_decode("mzxw 6ytb oi").unwrap(), b"foobar");
        assert_eq!(base32_decode("not base32 !"), None);
        let s = new_secret().unwrap();
        assert_eq!(base32_decode(&base32(&s)).unwrap(), s.to_vec());
        let uri = otpauth_uri("Ordo operator", "ann@example.org", &s);
        assert!(uri.starts_with("otpauth://totp/Ordo%20operator:ann@example.org?secret="), "{uri}");
    }

    #[test]
    fn recovery_codes_are_distinct_and_hashed_loosely() {
        let codes = recovery_codes().unwrap();
        assert_eq!(codes.len(), 10);
        let set: std::collections::HashSet<_> = codes.iter().collect();
        assert_eq!(set.len(), 10);
        // 16 base32 characters: 80 random bits.
        for c in &codes {
            let letters: String = c.chars().filter(|c| *c != '-').collect();
            assert_eq!(letters.len(), 16, "{c}");
            assert_eq!(base32_decode(&letters).unwrap().len(), 10, "{c}");
        }
        assert_eq!(recovery_code_hash(&codes[0]), recovery_code_hash(&codes[0].to_uppercase().replace('-', " ")));
    }
}
