//! Time is passed in, never read from a global clock, so that tests can move it
//! (expiry of links and sessions, rate-limit windows, back-off). Clippy forbids
//! `SystemTime::now` everywhere else (see clippy.toml).

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// Seconds since the Unix epoch, UTC.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default)]
pub struct Timestamp(i64);

impl Timestamp {
    pub const fn from_unix(secs: i64) -> Self {
        Self(secs)
    }
    pub const fn unix(self) -> i64 {
        self.0
    }
    pub const fn plus_secs(self, secs: i64) -> Self {
        Self(self.0.saturating_add(secs))
    }
    pub const fn minus_secs(self, secs: i64) -> Self {
        Self(self.0.saturating_sub(secs))
    }
    /// RFC 3339 in UTC, e.g. `2026-11-28T09:30:00Z`.
    pub fn rfc3339(self) -> String {
        match jiff::Timestamp::from_second(self.0) {
            Ok(t) => t.to_string(),
            Err(_) => self.0.to_string(),
        }
    }
    /// The UTC calendar day, `YYYY-MM-DD`.
    pub fn date_utc(self) -> String {
        match jiff::Timestamp::from_second(self.0) {
            Ok(t) => t.strftime("%Y-%m-%d").to_string(),
            Err(_) => String::new(),
        }
    }
    /// A short human form in UTC, e.g. `2026-11-28 09:30 UTC`.
    pub fn human_utc(self) -> String {
        match jiff::Timestamp::from_second(self.0) {
            Ok(t) => t.strftime("%Y-%m-%d %H:%M UTC").to_string(),
            Err(_) => self.0.to_string(),
        }
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.rfc3339())
    }
}

/// Where "now" comes from.
pub trait Clock: Send + Sync + fmt::Debug {
    fn now(&self) -> Timestamp;
}

pub type SharedClock = Arc<dyn Clock>;

/// The real clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)] // the one place that reads the system clock
    fn now(&self) -> Timestamp {
        let secs =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0);
        Timestamp(secs)
    }
}

/// A clock that tests move by hand. It starts at the real time so that values
/// it produces look like real ones.
#[derive(Debug, Clone)]
pub struct ManualClock(Arc<AtomicI64>);

impl ManualClock {
    pub fn starting_now() -> Self {
        Self(Arc::new(AtomicI64::new(SystemClock.now().unix())))
    }
    pub fn at(t: Timestamp) -> Self {
        Self(Arc::new(AtomicI64::new(t.unix())))
    }
    pub fn advance_secs(&self, secs: i64) {
        self.0.fetch_add(secs, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        Timestamp(self.0.load(Ordering::SeqCst))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_told() {
        let c = ManualClock::at(Timestamp::from_unix(1_000));
        assert_eq!(c.now().unix(), 1_000);
        c.advance_secs(61);
        assert_eq!(c.now().unix(), 1_061);
    }

    #[test]
    fn formats_utc() {
        let t = Timestamp::from_unix(1_764_322_200);
        assert_eq!(t.rfc3339(), "2025-11-28T09:30:00Z");
        assert_eq!(t.human_utc(), "2025-11-28 09:30 UTC");
    }
}
