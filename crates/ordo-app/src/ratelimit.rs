//! Login throttling (ASVS 6.3.1), in memory, per node.
//!
//! Policy (documented in docs/security/authentication.md):
//! - per account *and* client address: `per_account_ip` failures in a window
//!   block that pair until the window ends — the common case of one attacker
//!   guessing one account, which never blocks the real user elsewhere;
//! - per account, from any address: `per_account` failures (a distributed
//!   attack) block the account for at most the rest of the window;
//! - per client address, any account: `per_ip` failures (credential
//!   stuffing) block the address for the rest of the window.
//!
//! A success clears the pair's counter. Accounts are keyed by the normalised
//! address typed, whether or not it exists, so throttling reveals nothing.

use ordo_core::time::Timestamp;
use std::collections::HashMap;
use std::sync::Mutex;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoginLimits {
    pub window_secs: i64,
    pub per_account_ip: u32,
    pub per_account: u32,
    pub per_ip: u32,
}

impl Default for LoginLimits {
    fn default() -> Self {
        Self { window_secs: 15 * 60, per_account_ip: 5, per_account: 50, per_ip: 30 }
    }
}

#[derive(Clone, PartialEq, Eq, Hash, Debug)]
enum Key {
    AccountIp(String, String),
    Account(String),
    Ip(String),
    /// Password-reset and other mail-sending requests.
    Mail(String),
    Invitation(String),
    Once(String),
}

/// Which limit applies to a key.
type LimitOf = fn(&LoginLimits) -> u32;

#[derive(Debug)]
pub struct LoginLimiter {
    limits: LoginLimits,
    counters: Mutex<HashMap<Key, (i64, u32)>>,
}

impl LoginLimiter {
    pub fn new(limits: LoginLimits) -> Self {
        Self { limits, counters: Mutex::new(HashMap::new()) }
    }

    fn keys(account: &str, ip: &str) -> [(Key, LimitOf); 3] {
        [
            (Key::AccountIp(account.to_owned(), ip.to_owned()), |l| l.per_account_ip),
            (Key::Account(account.to_owned()), |l| l.per_account),
            (Key::Ip(ip.to_owned()), |l| l.per_ip),
        ]
    }

    /// Seconds to wait before this login may be tried, or None if it may be.
    pub fn check(&self, account: &str, ip: &str, now: Timestamp) -> Option<i64> {
        let map = self.counters.lock().unwrap_or_else(|e| e.into_inner());
        Self::keys(account, ip)
            .iter()
            .filter_map(|(k, limit)| {
                let (start, n) = *map.get(k)?;
                let left = start + self.limits.window_secs - now.unix();
                (left > 0 && n >= limit(&self.limits)).then_some(left)
            })
            .max()
    }

    pub fn record_failure(&self, account: &str, ip: &str, now: Timestamp) {
        let mut map = self.counters.lock().unwrap_or_else(|e| e.into_inner());
        for (k, _) in Self::keys(account, ip) {
            bump(&mut map, k, now, self.limits.window_secs);
        }
        prune(&mut map, now, self.limits.window_secs);
    }

    pub fn record_success(&self, account: &str, ip: &str) {
        let mut map = self.counters.lock().unwrap_or_else(|e| e.into_inner());
        map.remove(&Key::AccountIp(account.to_owned(), ip.to_owned()));
    }

    /// Mail-sending requests (password reset) and similar one-off events:
    /// at most 5 per key and window. Returns false when over the limit.
    pub fn allow_mail(&self, key: &str, now: Timestamp) -> bool {
        let mut map = self.counters.lock().unwrap_or_else(|e| e.into_inner());
        let n = bump(&mut map, Key::Mail(key.to_owned()), now, self.limits.window_secs);
        n <= 5
    }

    /// True the first time `key` is seen in a window (to log an event once).
    pub fn first_in_window(&self, key: &str, now: Timestamp) -> bool {
        let mut map = self.counters.lock().unwrap_or_else(|e| e.into_inner());
        bump(&mut map, Key::Once(key.to_owned()), now, self.limits.window_secs) == 1
    }

    /// Invitations (each sends mail): at most 100 per inviting user and window.
    pub fn allow_invitation(&self, key: &str, now: Timestamp) -> bool {
        let mut map = self.counters.lock().unwrap_or_else(|e| e.into_inner());
        let n = bump(&mut map, Key::Invitation(key.to_owned()), now, self.limits.window_secs);
        n <= 100
    }
}

fn bump(map: &mut HashMap<Key, (i64, u32)>, k: Key, now: Timestamp, window: i64) -> u32 {
    let e = map.entry(k).or_insert((now.unix(), 0));
    if now.unix() - e.0 >= window {
        *e = (now.unix(), 0);
    }
    e.1 = e.1.saturating_add(1);
    e.1
}

/// Keep memory bounded: drop windows that are over.
fn prune(map: &mut HashMap<Key, (i64, u32)>, now: Timestamp, window: i64) {
    if map.len() > 10_000 {
        map.retain(|_, (start, _)| now.unix() - *start < window);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pair_blocks_then_releases_after_window() {
        let l = LoginLimiter::new(LoginLimits::default());
        let t = Timestamp::from_unix(10_000);
        for _ in 0..5 {
            assert_eq!(l.check("a@x.io", "1.1.1.1", t), None);
            l.record_failure("a@x.io", "1.1.1.1", t);
        }
        assert!(l.check("a@x.io", "1.1.1.1", t).is_some());
        // The real user, elsewhere, is not blocked.
        assert_eq!(l.check("a@x.io", "2.2.2.2", t), None);
        // After the window, the pair may try again.
        assert_eq!(l.check("a@x.io", "1.1.1.1", t.plus_secs(15 * 60)), None);
    }

    #[test]
    fn distributed_attack_blocks_the_account_for_at_most_a_window() {
        let l = LoginLimiter::new(LoginLimits::default());
        let t = Timestamp::from_unix(10_000);
        for i in 0..50 {
            l.record_failure("a@x.io", &format!("10.0.0.{i}"), t);
        }
        let wait = l.check("a@x.io", "9.9.9.9", t.plus_secs(60)).unwrap();
        assert!(wait <= 15 * 60);
        assert_eq!(l.check("a@x.io", "9.9.9.9", t.plus_secs(15 * 60)), None);
    }

    #[test]
    fn stuffing_from_one_address_is_blocked() {
        let l = LoginLimiter::new(LoginLimits::default());
        let t = Timestamp::from_unix(10_000);
        for i in 0..30 {
            l.record_failure(&format!("u{i}@x.io"), "6.6.6.6", t);
        }
        assert!(l.check("new@x.io", "6.6.6.6", t).is_some());
    }
}
