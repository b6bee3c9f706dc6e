//! The alert rules: what the watch saw, judged against the thresholds. Pure
//! functions (no I/O), so each rule is tested on its own. A rule that was
//! evaluated and is not firing clears its incident; a rule that could not
//! be evaluated (its data unreachable) is left as it was.

use ordo_app::AlertSettings;
use ordo_core::time::Timestamp;

/// What an incident is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Rule {
    /// The database does not answer (every tenant is down with it).
    Database,
    /// A tenant's data cannot be read and decrypted, or its sign-in page
    /// does not render.
    TenantDown,
    /// A tenant answers, slowly.
    TenantSlow,
    /// Too many server errors among a tenant's requests.
    ErrorRate,
    /// A tenant's last good backup is too old.
    BackupStale,
    /// A tenant's latest backup failed.
    BackupFailed,
    /// A tenant's latest restore drill failed.
    DrillFailed,
    /// The data directory's disk is nearly full.
    DiskSpace,
    /// The public certificate expires soon (or cannot be read).
    CertExpiry,
}

impl Rule {
    pub const ALL: [Rule; 9] = [
        Rule::Database,
        Rule::TenantDown,
        Rule::TenantSlow,
        Rule::ErrorRate,
        Rule::BackupStale,
        Rule::BackupFailed,
        Rule::DrillFailed,
        Rule::DiskSpace,
        Rule::CertExpiry,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Rule::Database => "database",
            Rule::TenantDown => "tenant_down",
            Rule::TenantSlow => "tenant_slow",
            Rule::ErrorRate => "error_rate",
            Rule::BackupStale => "backup_stale",
            Rule::BackupFailed => "backup_failed",
            Rule::DrillFailed => "drill_failed",
            Rule::DiskSpace => "disk_space",
            Rule::CertExpiry => "cert_expiry",
        }
    }

    pub fn parse(s: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Critical: users are affected now (page someone). Warning: they will
    /// be if nothing is done (look today).
    pub fn severity(self) -> &'static str {
        match self {
            Rule::Database | Rule::TenantDown | Rule::ErrorRate => "critical",
            _ => "warning",
        }
    }
}

/// A rule firing for a subject (a tenant's slug, or "platform").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub summary: String,
    pub detail: String,
}

/// One rule evaluated for one subject: `Some` while it fires.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    pub rule: Rule,
    pub subject: String,
    pub firing: Option<Finding>,
}

/// The outcome of probing a tenant (after the retry).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Probe {
    Passed { latency_ms: i64 },
    Failed { reason: String },
}

/// What the watch gathered about one tenant.
#[derive(Clone, Debug)]
pub struct TenantSeen {
    pub slug: String,
    pub created_at: Timestamp,
    pub probe: Probe,
    /// When its last good backup finished.
    pub last_good_backup: Option<Timestamp>,
    /// The latest backup run failed, with this detail.
    pub backup_failed: Option<String>,
    /// The latest restore drill failed, with this detail.
    pub drill_failed: Option<String>,
    /// Requests and server errors over the last five minutes.
    pub requests: i64,
    pub errors: i64,
}

/// The tenant's status as shown to operators: down, degraded (slow), up.
pub fn status(seen: &TenantSeen, s: &AlertSettings) -> &'static str {
    match seen.probe {
        Probe::Failed { .. } => "down",
        Probe::Passed { latency_ms } if latency_ms > s.latency_ms => "degraded",
        Probe::Passed { .. } => "up",
    }
}

fn verdict(rule: Rule, subject: &str, firing: Option<(String, String)>) -> Verdict {
    Verdict { rule, subject: subject.to_owned(), firing: firing.map(|(summary, detail)| Finding { summary, detail }) }
}

/// Every tenant rule, judged.
pub fn judge_tenant(seen: &TenantSeen, s: &AlertSettings, now: Timestamp) -> Vec<Verdict> {
    let t = seen.slug.as_str();
    let mut out = Vec::new();
    out.push(verdict(
        Rule::TenantDown,
        t,
        match &seen.probe {
            Probe::Failed { reason } => Some((format!("Tenant {t} is down"), reason.clone())),
            Probe::Passed { .. } => None,
        },
    ));
    out.push(verdict(
        Rule::TenantSlow,
        t,
        match seen.probe {
            Probe::Passed { latency_ms } if latency_ms > s.latency_ms => Some((
                format!("Tenant {t} is slow"),
                format!("its probe took {latency_ms} ms (threshold {} ms)", s.latency_ms),
            )),
            _ => None,
        },
    ));
    let rate_over = seen.requests >= s.error_min_requests
        && seen.errors.saturating_mul(100) > seen.requests.saturating_mul(s.error_rate_percent);
    out.push(verdict(
        Rule::ErrorRate,
        t,
        rate_over.then(|| {
            (
                format!("Tenant {t} answers with server errors"),
                format!(
                    "{} of {} requests failed over 5 minutes (threshold {} %)",
                    seen.errors, seen.requests, s.error_rate_percent
                ),
            )
        }),
    ));
    let max_age = s.backup_age_hours * 3600;
    let last = seen.last_good_backup.unwrap_or(seen.created_at);
    let age = now.unix() - last.unix();
    out.push(verdict(
        Rule::BackupStale,
        t,
        (age > max_age).then(|| {
            let what = match seen.last_good_backup {
                Some(at) => format!("its last good backup is {} hours old ({})", age / 3600, at.rfc3339()),
                None => format!("it has had no good backup in the {} hours since it was created", age / 3600),
            };
            (format!("Tenant {t} has no recent backup"), format!("{what}; threshold {} hours", s.backup_age_hours))
        }),
    ));
    out.push(verdict(
        Rule::BackupFailed,
        t,
        seen.backup_failed.as_ref().map(|d| (format!("The latest backup of {t} failed"), d.clone())),
    ));
    out.push(verdict(
        Rule::DrillFailed,
        t,
        seen.drill_failed.as_ref().map(|d| (format!("The latest restore drill of {t} failed"), d.clone())),
    ));
    out
}

/// The platform's disk: free and total bytes of the data directory's disk.
pub fn judge_disk(free: u64, total: u64, s: &AlertSettings) -> Verdict {
    let low = total > 0 && free.saturating_mul(100) < total.saturating_mul(s.disk_free_percent as u64);
    verdict(
        Rule::DiskSpace,
        "platform",
        low.then(|| {
            (
                "The data disk is nearly full".to_owned(),
                format!(
                    "{} MB free of {} MB ({} %; threshold {} %)",
                    free / 1_000_000,
                    total / 1_000_000,
                    free.saturating_mul(100) / total.max(1),
                    s.disk_free_percent
                ),
            )
        }),
    )
}

/// The public certificate: when it expires, or why it could not be read.
pub fn judge_certificate(expires: Result<Timestamp, String>, s: &AlertSettings, now: Timestamp) -> Verdict {
    let firing = match expires {
        Ok(at) => {
            let days = (at.unix() - now.unix()) / 86_400;
            (days < s.cert_days).then(|| {
                (
                    "The public certificate expires soon".to_owned(),
                    format!("it expires on {} (in {days} days; threshold {} days)", at.rfc3339(), s.cert_days),
                )
            })
        }
        Err(why) => Some(("The public certificate cannot be checked".to_owned(), why)),
    };
    verdict(Rule::CertExpiry, "platform", firing)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen() -> TenantSeen {
        TenantSeen {
            slug: "acme".into(),
            created_at: Timestamp::from_unix(1_000_000),
            probe: Probe::Passed { latency_ms: 40 },
            last_good_backup: Some(Timestamp::from_unix(1_000_000 + 86_400)),
            backup_failed: None,
            drill_failed: None,
            requests: 100,
            errors: 0,
        }
    }

    fn firing(v: &[Verdict]) -> Vec<Rule> {
        v.iter().filter(|v| v.firing.is_some()).map(|v| v.rule).collect()
    }

    #[test]
    fn a_healthy_tenant_clears_every_rule() {
        let s = AlertSettings::default();
        let now = Timestamp::from_unix(1_000_000 + 2 * 86_400);
        let v = judge_tenant(&seen(), &s, now);
        assert_eq!(v.len(), 6, "every tenant rule is judged");
        assert!(firing(&v).is_empty(), "{v:?}");
        assert_eq!(status(&seen(), &s), "up");
    }

    #[test]
    fn each_tenant_rule_fires_on_its_threshold() {
        let s = AlertSettings::default();
        let now = Timestamp::from_unix(1_000_000 + 2 * 86_400);
        let down = TenantSeen { probe: Probe::Failed { reason: "key store: no key".into() }, ..seen() };
        assert_eq!(firing(&judge_tenant(&down, &s, now)), vec![Rule::TenantDown]);
        assert_eq!(status(&down, &s), "down");
        let slow = TenantSeen { probe: Probe::Passed { latency_ms: 2001 }, ..seen() };
        assert_eq!(firing(&judge_tenant(&slow, &s, now)), vec![Rule::TenantSlow]);
        assert_eq!(status(&slow, &s), "degraded");
        // 5 % is the threshold: 5 of 100 is not over it, 6 is; and too few
        // requests say nothing.
        assert!(firing(&judge_tenant(&TenantSeen { errors: 5, ..seen() }, &s, now)).is_empty());
        assert_eq!(firing(&judge_tenant(&TenantSeen { errors: 6, ..seen() }, &s, now)), vec![Rule::ErrorRate]);
        assert!(firing(&judge_tenant(&TenantSeen { requests: 19, errors: 19, ..seen() }, &s, now)).is_empty());
        // Backups: 26 hours by default, counted from creation if none yet.
        let later = Timestamp::from_unix(1_000_000 + 86_400 + 26 * 3600 + 1);
        assert_eq!(firing(&judge_tenant(&seen(), &s, later)), vec![Rule::BackupStale]);
        let new = TenantSeen { last_good_backup: None, ..seen() };
        assert!(firing(&judge_tenant(&new, &s, Timestamp::from_unix(1_000_000 + 3600))).is_empty());
        assert_eq!(firing(&judge_tenant(&new, &s, now)), vec![Rule::BackupStale]);
        let failed = TenantSeen { backup_failed: Some("quota".into()), drill_failed: Some("x".into()), ..seen() };
        assert_eq!(firing(&judge_tenant(&failed, &s, now)), vec![Rule::BackupFailed, Rule::DrillFailed]);
    }

    #[test]
    fn disk_and_certificate() {
        let s = AlertSettings::default();
        assert!(judge_disk(11, 100, &s).firing.is_none());
        assert!(judge_disk(9, 100, &s).firing.is_some());
        let now = Timestamp::from_unix(10_000_000);
        assert!(judge_certificate(Ok(now.plus_secs(30 * 86_400)), &s, now).firing.is_none());
        assert!(judge_certificate(Ok(now.plus_secs(13 * 86_400)), &s, now).firing.is_some());
        assert!(judge_certificate(Err("handshake failed".into()), &s, now).firing.is_some());
        for r in Rule::ALL {
            assert_eq!(Rule::parse(r.as_str()), Some(r));
        }
    }
}
