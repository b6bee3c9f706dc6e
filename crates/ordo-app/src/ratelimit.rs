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
//!
//! Keys are chosen by clients (addresses typed, client addresses), so the
//! map is bounded: windows that are over are dropped, and when it is still
//! full at least the least-used tenth goes (single attempts first, never a block in
//! force before a key that has not reached its limit), so a flood of new
//! keys costs at most [`MAX_KEYS`] entries and cannot lift a block.

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

/// The most keys kept (about 100 bytes each).
pub const MAX_KEYS: usize = 100_000;

#[derive(Debug)]
pub struct LoginLimiter {
    limits: LoginLimits,
    capacity: usize,
    counters: Mutex<Counters>,
}

#[derive(Debug, Default)]
struct Counters {
    /// Per key: when its window began, and the events counted in it.
    map: HashMap<Key, (i64, u32)>,
    /// When windows that are over were last dropped.
    swept: i64,
}

impl LoginLimiter {
    pub fn new(limits: LoginLimits) -> Self {
        Self::with_capacity(limits, MAX_KEYS)
    }

    fn with_capacity(limits: LoginLimits, capacity: usize) -> Self {
        Self { limits, capacity: capacity.max(10), counters: Mutex::new(Counters::default()) }
    }

    /// Keys held now (for tests and metrics).
    pub fn len(&self) -> usize {
        self.counters.lock().unwrap_or_else(|e| e.into_inner()).map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn bump(&self, c: &mut Counters, k: Key, now: Timestamp) -> (u32, i64) {
        let window = self.limits.window_secs;
        // Once a window, drop the windows that are over.
        if now.unix() - c.swept >= window {
            c.map.retain(|_, (start, _)| now.unix() - *start < window);
            c.swept = now.unix();
        }
        if !c.map.contains_key(&k) && c.map.len() >= self.capacity {
            make_room(&mut c.map, now, window, self.capacity);
        }
        bump(&mut c.map, k, now, window)
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
        let c = self.counters.lock().unwrap_or_else(|e| e.into_inner());
        Self::keys(account, ip)
            .iter()
            .filter_map(|(k, limit)| {
                let (start, n) = *c.map.get(k)?;
                let left = start + self.limits.window_secs - now.unix();
                (left > 0 && n >= limit(&self.limits)).then_some(left)
            })
            .max()
    }

    pub fn record_failure(&self, account: &str, ip: &str, now: Timestamp) {
        let mut c = self.counters.lock().unwrap_or_else(|e| e.into_inner());
        for (k, _) in Self::keys(account, ip) {
            self.bump(&mut c, k, now);
        }
    }

    pub fn record_success(&self, account: &str, ip: &str) {
        let mut c = self.counters.lock().unwrap_or_else(|e| e.into_inner());
        c.map.remove(&Key::AccountIp(account.to_owned(), ip.to_owned()));
    }

    /// Mail-sending requests (password reset) and similar one-off events:
    /// at most 5 per key and window. Returns false when over the limit.
    pub fn allow_mail(&self, key: &str, now: Timestamp) -> bool {
        let mut c = self.counters.lock().unwrap_or_else(|e| e.into_inner());
        let (n, _) = self.bump(&mut c, Key::Mail(key.to_owned()), now);
        n <= 5
    }

    /// True the first time `key` is seen in a window (to log an event once).
    pub fn first_in_window(&self, key: &str, now: Timestamp) -> bool {
        let mut c = self.counters.lock().unwrap_or_else(|e| e.into_inner());
        self.bump(&mut c, Key::Once(key.to_owned()), now).0 == 1
    }

    /// Invitations (each sends mail): at most 100 per inviting user and
    /// window. Over the limit: the seconds until the window ends.
    pub fn allow_invitation(&self, key: &str, now: Timestamp) -> Result<(), i64> {
        let mut c = self.counters.lock().unwrap_or_else(|e| e.into_inner());
        let (n, start) = self.bump(&mut c, Key::Invitation(key.to_owned()), now);
        if n <= 100 { Ok(()) } else { Err((start + self.limits.window_secs - now.unix()).max(1)) }
    }
}

/// Count one more event for `k`; returns the count and when its window began.
fn bump(map: &mut HashMap<Key, (i64, u32)>, k: Key, now: Timestamp, window: i64) -> (u32, i64) {
    let e = map.entry(k).or_insert((now.unix(), 0));
    if now.unix() - e.0 >= window {
        *e = (now.unix(), 0);
    }
    e.1 = e.1.saturating_add(1);
    (e.1, e.0)
}

/// Make room for a new key: drop windows that are over, then, if still
/// full, the least-used tenth (fewest events, then oldest).
fn make_room(map: &mut HashMap<Key, (i64, u32)>, now: Timestamp, window: i64, capacity: usize) {
    map.retain(|_, (start, _)| now.unix() - *start < window);
    if map.len() < capacity {
        return;
    }
    let mut usage: Vec<(u32, i64)> = map.values().map(|(start, n)| (*n, *start)).collect();
    usage.sort_unstable();
    let cut = usage[capacity / 10];
    map.retain(|_, (start, n)| (*n, *start) > cut);
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
    fn a_flood_of_new_keys_is_bounded_and_lifts_no_block() {
        let l = LoginLimiter::with_capacity(LoginLimits::default(), 1_000);
        let t = Timestamp::from_unix(10_000);
        for _ in 0..5 {
            l.record_failure("a@x.io", "1.1.1.1", t);
        }
        assert!(l.check("a@x.io", "1.1.1.1", t).is_some());
        // Ten times the capacity of one-off keys, within the same window.
        for i in 0..10_000 {
            l.record_failure(&format!("u{i}@x.io"), &format!("10.{}.{}.{}", i >> 16, (i >> 8) & 255, i & 255), t);
            assert!(l.len() <= 1_000, "{} keys", l.len());
        }
        for i in 0..3_000 {
            assert!(l.allow_mail(&format!("reset/{i}"), t));
        }
        assert!(l.len() <= 1_000);
        assert!(l.check("a@x.io", "1.1.1.1", t).is_some(), "the block survived the flood");
        // Windows that are over are dropped first.
        l.record_failure("late@x.io", "2.2.2.2", t.plus_secs(15 * 60));
        assert!(l.len() <= 4, "{} keys after the window", l.len());
    }

    #[test]
    fn invitations_say_how_long_to_wait() {
        let l = LoginLimiter::new(LoginLimits::default());
        let t = Timestamp::from_unix(10_000);
        for _ in 0..100 {
            assert_eq!(l.allow_invitation("t/u", t), Ok(()));
        }
        assert_eq!(l.allow_invitation("t/u", t.plus_secs(60)), Err(14 * 60));
        assert_eq!(l.allow_invitation("t/u", t.plus_secs(15 * 60)), Ok(()));
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
