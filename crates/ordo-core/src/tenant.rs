//! Tenants: the client organisations. Each lives under `/t/{slug}/`.

use crate::Invalid;
use crate::validation::has_control;
use std::fmt;
use std::str::FromStr;

/// The short name of a tenant in its address: 3 to 40 characters, lowercase
/// ASCII letters, digits and single hyphens, starting with a letter.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Slug(String);

/// Names that would be confusing or collide with platform paths.
const RESERVED_SLUGS: &[&str] = &[
    "admin", "api", "app", "assets", "auth", "backup", "backups", "console", "health", "healthz", "login", "logout",
    "metrics", "operator", "ops", "ordo", "readyz", "root", "static", "status", "support", "system", "www",
];

impl Slug {
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        const E: Invalid = Invalid::new("slug", "slug.invalid");
        let len = s.len();
        if !(3..=40).contains(&len) {
            return Err(E);
        }
        let bytes = s.as_bytes();
        if !bytes[0].is_ascii_lowercase() || bytes[len - 1] == b'-' {
            return Err(E);
        }
        if !bytes.iter().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-') || s.contains("--") {
            return Err(E);
        }
        if RESERVED_SLUGS.contains(&s) {
            return Err(Invalid::new("slug", "slug.reserved"));
        }
        Ok(Self(s.to_owned()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for Slug {
    type Err = Invalid;
    fn from_str(s: &str) -> Result<Self, Invalid> {
        Self::parse(s)
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.0)
    }
}

/// The display name of a tenant: 1 to 100 characters, trimmed, one line.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct TenantName(String);

impl TenantName {
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        let s = s.trim();
        let n = s.chars().count();
        if n == 0 || n > 100 || has_control(s) {
            return Err(Invalid::new("name", "tenant_name.invalid"));
        }
        Ok(Self(s.to_owned()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TenantName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.0)
    }
}

/// The commercial plan: it decides support levels (a CSM for Enterprise).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum Plan {
    #[default]
    Free,
    Pro,
    Enterprise,
}

impl Plan {
    pub const ALL: [Plan; 3] = [Plan::Free, Plan::Pro, Plan::Enterprise];
    pub fn as_str(self) -> &'static str {
        match self {
            Plan::Free => "free",
            Plan::Pro => "pro",
            Plan::Enterprise => "enterprise",
        }
    }
}

impl FromStr for Plan {
    type Err = Invalid;
    fn from_str(s: &str) -> Result<Self, Invalid> {
        Plan::ALL.into_iter().find(|p| p.as_str() == s).ok_or(Invalid::new("plan", "plan.invalid"))
    }
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        for ok in ["acme", "acme-corp", "a1b", "x2-y3-z4"] {
            assert!(Slug::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "ab",
            "Acme",
            "1acme",
            "-acme",
            "acme-",
            "ac--me",
            "ac me",
            "acmé",
            "api",
            "a/b",
            "../x",
            &"a".repeat(41),
        ] {
            assert!(Slug::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn names_and_plans() {
        assert_eq!(TenantName::parse("  Acme  ").map(|n| n.to_string()), Ok("Acme".into()));
        assert!(TenantName::parse("   ").is_err());
        assert!(TenantName::parse("a\nb").is_err());
        assert_eq!("enterprise".parse::<Plan>(), Ok(Plan::Enterprise));
        assert!("gold".parse::<Plan>().is_err());
    }
}

/// A tenant (client organisation): who it is, and how its data is sealed.
#[derive(Clone, Debug)]
pub struct Tenant {
    pub id: crate::ids::TenantId,
    pub slug: Slug,
    pub name: String,
    pub plan: Plan,
    pub created_at: crate::time::Timestamp,
    /// New protected values are encrypted (else stored marked plain).
    pub encryption: bool,
    /// The data key version new values are sealed with.
    pub key_version: u32,
    /// Stored values are being re-sealed to match `encryption`/`key_version`.
    pub reseal_pending: bool,
    /// Moves on with every change to a member's name or address (set by
    /// database triggers).
    pub people_revision: i64,
}
