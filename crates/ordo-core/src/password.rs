//! The password policy (ASVS 6.2): at least 12 characters, up to 256 accepted
//! exactly as typed (no truncation, no composition rules), and never one of the
//! 30,000 most common passwords (the list shipped in `data/`, from zxcvbn).

use crate::Invalid;
use std::collections::HashSet;
use std::fmt;
use std::sync::OnceLock;

pub const MIN_CHARS: usize = 12;
pub const MAX_CHARS: usize = 256;

static COMMON_LIST: &str = include_str!("../data/common-passwords.txt");

fn common() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| COMMON_LIST.lines().filter(|l| !l.is_empty()).collect())
}

/// How many common passwords are shipped (reported in docs and tested).
pub fn common_list_len() -> usize {
    common().len()
}

/// A new password that satisfies the policy. Only its holder may read it.
pub struct NewPassword(String);

impl NewPassword {
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        Self::parse_in_context(s, &[])
    }

    /// Parse, also refusing passwords built on words of the context (the
    /// organisation's name and short name, the person's address, "ordo").
    pub fn parse_in_context(s: &str, context: &[&str]) -> Result<Self, Invalid> {
        let n = s.chars().count();
        if n < MIN_CHARS {
            return Err(Invalid::new("password", "password.too_short"));
        }
        if n > MAX_CHARS {
            return Err(Invalid::new("password", "password.too_long"));
        }
        if is_guessable(s, context) {
            return Err(Invalid::new("password", "password.common"));
        }
        Ok(Self(s.to_owned()))
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// A common password as is, a common password or context word padded with
/// digits and punctuation ("password1234!", "acme2026!!!!"), or one short
/// piece repeated ("abcabcabcabc").
fn is_guessable(s: &str, context: &[&str]) -> bool {
    let lower = s.to_lowercase();
    if common().contains(lower.as_str()) {
        return true;
    }
    let padding = |c: char| c.is_ascii_digit() || c.is_ascii_punctuation() || c.is_whitespace();
    let core = lower.trim_matches(padding);
    if core.chars().count() >= 4 && common().contains(core) {
        return true;
    }
    let squashed: String = lower.chars().filter(|c| c.is_alphanumeric()).collect();
    let squashed_core: String = core.chars().filter(|c| c.is_alphanumeric()).collect();
    let context_words = context.iter().map(|w| w.to_lowercase()).chain(["ordo".to_owned()]);
    for w in context_words {
        let w: String = w.chars().filter(|c| c.is_alphanumeric()).collect();
        if w.chars().count() >= 3
            && (squashed_core == w || squashed == w || squashed_core.trim_start_matches(&*w).is_empty())
        {
            return true;
        }
    }
    let chars: Vec<char> = lower.chars().collect();
    (1..=chars.len() / 2)
        .any(|unit| chars.len().is_multiple_of(unit) && chars.chunks(unit).all(|c| c == &chars[..unit]))
}

impl fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewPassword(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy() {
        assert!(common_list_len() >= 10_000);
        assert_eq!(NewPassword::parse("short-pass1").err().map(|e| e.code), Some("password.too_short"));
        assert!(NewPassword::parse("correct horse battery").is_ok());
        // Exactly 12 characters, counted as characters, not bytes.
        assert!(NewPassword::parse("étéàlamerprè").is_ok());
        let long = |n: usize| -> String { (0..n).map(|i| (b'a' + (i % 26) as u8) as char).collect() };
        assert!(NewPassword::parse(&long(MAX_CHARS)).is_ok());
        assert!(NewPassword::parse(&long(MAX_CHARS + 1)).is_err());
        // A common password of 12+ characters from the list, in any case.
        assert_eq!(NewPassword::parse("1q2w3e4r5t6y").err().map(|e| e.code), Some("password.common"));
        assert_eq!(NewPassword::parse("PASSWORD1234").err().map(|e| e.code), Some("password.common"));
        assert_eq!(format!("{:?}", NewPassword::parse("correct horse battery")), "Ok(NewPassword(<redacted>))");
        // Padding a common password does not make it strong.
        for weak in ["password1234", "Password!2026", "dragon123456", "abcabcabcabc", "aaaaaaaaaaaa", "ordo12345678"] {
            assert_eq!(NewPassword::parse(weak).err().map(|e| e.code), Some("password.common"), "{weak}");
        }
        // Context words, padded or repeated.
        let ctx = ["Acme Coopérative", "acme", "claire.martin"];
        for weak in ["acmeacmeacme", "Acme2026!!!!", "claire.martin1", "acme coopérative"] {
            assert!(NewPassword::parse_in_context(weak, &ctx).is_err(), "{weak}");
        }
        assert!(NewPassword::parse_in_context("acme meetings are long", &ctx).is_ok());
    }
}
