//! Users: e-mail addresses, display names, tenant roles, account states, languages.

use crate::Invalid;
use crate::validation::has_control;
use std::fmt;
use std::str::FromStr;

/// Limits, counted in characters as sent (before trimming), as the API
/// document states them.
pub const EMAIL_MAX: usize = 254;
pub const DISPLAY_NAME_MAX: usize = 100;
pub const PHONE_MAX: usize = 32;
pub const PHONE_DIGITS_MIN: usize = 6;

/// An e-mail address as typed (trimmed), checked for a plausible shape. It is
/// not proof that the mailbox exists: activation by link proves that.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        const E: Invalid = Invalid::new("email", "email.invalid");
        if s.chars().count() > EMAIL_MAX {
            return Err(E);
        }
        let s = s.trim();
        if s.len() > EMAIL_MAX || has_control(s) || s.chars().any(char::is_whitespace) {
            return Err(E);
        }
        let (local, domain) = s.rsplit_once('@').ok_or(E)?;
        if local.is_empty() || local.len() > 64 || local.contains('@') {
            return Err(E);
        }
        // Characters that would let an address inject headers or quoting games.
        if s.chars().any(|c| matches!(c, '<' | '>' | '"' | '(' | ')' | ',' | ';' | ':' | '\\' | '[' | ']')) {
            return Err(E);
        }
        let labels: Vec<&str> = domain.split('.').collect();
        if labels.len() < 2
            || labels.iter().any(|l| {
                l.is_empty()
                    || l.len() > 63
                    || l.starts_with('-')
                    || l.ends_with('-')
                    || !l.chars().all(|c| c.is_alphanumeric() || c == '-')
            })
        {
            return Err(E);
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form used to find an account: lowercased. Two addresses that differ
    /// only in case are the same account.
    pub fn normalized(&self) -> String {
        self.0.to_lowercase()
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.0)
    }
}

/// Addresses are contact details: keep them out of debug output and logs.
impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Email(<redacted>)")
    }
}

/// A person's display name: 1 to 100 characters, one line.
#[derive(Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        if s.chars().count() > DISPLAY_NAME_MAX || has_control(s) {
            return Err(Invalid::new("display_name", "display_name.invalid"));
        }
        let s = s.trim();
        if s.is_empty() {
            return Err(Invalid::new("display_name", "display_name.invalid"));
        }
        Ok(Self(s.to_owned()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// The name shown before a person has chosen one: the part of the
    /// address before the `@`.
    pub fn from_email(e: &Email) -> Self {
        let local = e.as_str().split('@').next().unwrap_or("user");
        Self(local.chars().take(100).collect())
    }
}

impl fmt::Display for DisplayName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.0)
    }
}

impl fmt::Debug for DisplayName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DisplayName(<redacted>)")
    }
}

/// A telephone number as people write them: up to 32 characters of digits,
/// spaces and `+ - . ( )`, with at least 6 digits.
#[derive(Clone, PartialEq, Eq)]
pub struct Phone(String);

impl Phone {
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        let digits = s.chars().filter(char::is_ascii_digit).count();
        let ok_chars = s.chars().all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '-' | '.' | '(' | ')'));
        if s.chars().count() > PHONE_MAX || digits < PHONE_DIGITS_MIN || !ok_chars {
            return Err(Invalid::new("phone", "phone.invalid"));
        }
        Ok(Self(s.trim().to_owned()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Phone(<redacted>)")
    }
}

/// A user's role in their tenant, from most to least powerful.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash, PartialOrd, Ord)]
pub enum Role {
    Owner,
    Admin,
    Member,
    Guest,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Owner, Role::Admin, Role::Member, Role::Guest];
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Member => "member",
            Role::Guest => "guest",
        }
    }
    pub fn is_admin(self) -> bool {
        matches!(self, Role::Owner | Role::Admin)
    }
}

impl FromStr for Role {
    type Err = Invalid;
    fn from_str(s: &str) -> Result<Self, Invalid> {
        Role::ALL.into_iter().find(|r| r.as_str() == s).ok_or(Invalid::new("role", "role.invalid"))
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// Where an account is in its life.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum UserStatus {
    /// Invited (or added as a participant), has not set a password yet.
    Pending,
    Active,
    /// Disabled by an admin: cannot log in; all sessions were ended.
    Disabled,
}

impl UserStatus {
    pub const ALL: [UserStatus; 3] = [UserStatus::Pending, UserStatus::Active, UserStatus::Disabled];
    pub fn as_str(self) -> &'static str {
        match self {
            UserStatus::Pending => "pending",
            UserStatus::Active => "active",
            UserStatus::Disabled => "disabled",
        }
    }
}

impl FromStr for UserStatus {
    type Err = Invalid;
    fn from_str(s: &str) -> Result<Self, Invalid> {
        UserStatus::ALL.into_iter().find(|r| r.as_str() == s).ok_or(Invalid::new("status", "status.invalid"))
    }
}

/// The languages Ordo speaks.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Hash)]
pub enum Locale {
    #[default]
    En,
    Fr,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::En, Locale::Fr];
    pub fn as_str(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Fr => "fr",
        }
    }

    /// The best match for an `Accept-Language` header, English if none fits.
    pub fn from_accept_language(header: &str) -> Self {
        let mut best: Option<(f32, Locale)> = None;
        for part in header.split(',') {
            let mut it = part.trim().split(';');
            let tag = it.next().unwrap_or("").trim().to_ascii_lowercase();
            let q =
                it.find_map(|p| p.trim().strip_prefix("q=")).and_then(|q| q.trim().parse::<f32>().ok()).unwrap_or(1.0);
            let primary = tag.split('-').next().unwrap_or("");
            let Ok(loc) = primary.parse::<Locale>() else {
                continue;
            };
            if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, loc));
            }
        }
        best.map(|(_, l)| l).unwrap_or_default()
    }
}

impl FromStr for Locale {
    type Err = Invalid;
    fn from_str(s: &str) -> Result<Self, Invalid> {
        Locale::ALL.into_iter().find(|l| l.as_str() == s).ok_or(Invalid::new("locale", "locale.invalid"))
    }
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        for ok in ["a@b.co", "Jean.Dupont+x@exemple.fr", "x@sub.domain.org", "élise@exemple.fr"] {
            assert!(Email::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "a",
            "a@",
            "@b.co",
            "a@b",
            "a b@c.de",
            "a@b..co",
            "a@-b.co",
            "a\r\nBcc: x@y.z@c.de",
            "<a@b.co>",
            "a@b.co,c@d.ef",
            "a\"b@c.de",
            &format!("{}@b.co", "x".repeat(65)),
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(Email::parse(" A@B.Co ").map(|e| e.normalized()), Ok("a@b.co".into()));
        assert_eq!(format!("{:?}", Email::parse("a@b.co")), "Ok(Email(<redacted>))");
    }

    #[test]
    fn phones() {
        for ok in ["+33 1 23 45 67 89", "(555) 123-4567", "0612345678"] {
            assert!(Phone::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["12345", "call me", "+33 1 23 45 67 89 00 00 00 00 00 00 00", "06<script>"] {
            assert!(Phone::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn accept_language() {
        assert_eq!(Locale::from_accept_language("fr-FR,fr;q=0.9,en;q=0.8"), Locale::Fr);
        assert_eq!(Locale::from_accept_language("de-DE,en;q=0.5,fr;q=0.7"), Locale::Fr);
        assert_eq!(Locale::from_accept_language("de"), Locale::En);
        assert_eq!(Locale::from_accept_language(""), Locale::En);
        assert_eq!(Locale::from_accept_language("fr;q=0"), Locale::En);
    }

    #[test]
    fn roles_round_trip() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>(), Ok(r));
        }
        assert!("root".parse::<Role>().is_err());
    }
}
