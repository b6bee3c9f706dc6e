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
        let n = s.chars().count();
        if n < MIN_CHARS {
            return Err(Invalid::new("password", "password.too_short"));
        }
        if n > MAX_CHARS {
            return Err(Invalid::new("password", "password.too_long"));
        }
        if common().contains(s.to_lowercase().as_str()) {
            return Err(Invalid::new("password", "password.common"));
        }
        Ok(Self(s.to_owned()))
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
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
        assert!(NewPassword::parse("éééééééééééé").is_ok());
        assert!(NewPassword::parse(&"x".repeat(MAX_CHARS)).is_ok());
        assert!(NewPassword::parse(&"x".repeat(MAX_CHARS + 1)).is_err());
        // A common password of 12+ characters from the list, in any case.
        assert_eq!(NewPassword::parse("1q2w3e4r5t6y").err().map(|e| e.code), Some("password.common"));
        assert_eq!(NewPassword::parse("PASSWORD1234").err().map(|e| e.code), Some("password.common"));
        assert_eq!(format!("{:?}", NewPassword::parse("correct horse battery")), "Ok(NewPassword(<redacted>))");
    }
}
