//! Which snapshots to keep: every one for a while, then one a week, then one
//! a month (the defaults: 14 days, 8 weeks, 12 months). The newest snapshot
//! is always kept, and so is any snapshot whose name is not understood.

/// How long snapshots are kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Retention {
    /// Every snapshot younger than this is kept.
    pub all_days: i64,
    /// Then the newest of each week, for this many weeks.
    pub weekly_weeks: i64,
    /// Then the newest of each month, for this many months.
    pub monthly_months: i64,
}

impl Default for Retention {
    fn default() -> Self {
        Self { all_days: 14, weekly_weeks: 8, monthly_months: 12 }
    }
}

/// When a snapshot was taken, from its name (`20261128T043456Z-…`).
pub fn taken_at(snapshot: &str) -> Option<jiff::Timestamp> {
    let stamp = snapshot.split('-').next()?;
    let dt = jiff::civil::DateTime::strptime("%Y%m%dT%H%M%SZ", stamp).ok()?;
    dt.to_zoned_datetime(jiff::tz::TimeZone::UTC).ok().map(|z| z.timestamp())
}

/// The snapshots to delete, given all of a tenant's snapshot names.
pub fn to_delete(snapshots: &[String], now: jiff::Timestamp, r: Retention) -> Vec<String> {
    let mut dated: Vec<(jiff::Timestamp, &String)> =
        snapshots.iter().filter_map(|s| taken_at(s).map(|t| (t, s))).collect();
    // Newest first: the first seen of a week or month is the one kept.
    dated.sort_by(|a, b| b.cmp(a));
    let day = 86_400;
    let all_until = r.all_days * day;
    let weekly_until = all_until + r.weekly_weeks * 7 * day;
    let mut weeks = std::collections::HashSet::new();
    let mut months = std::collections::HashSet::new();
    let mut delete = Vec::new();
    for (i, (t, name)) in dated.iter().enumerate() {
        let age = now.as_second() - t.as_second();
        let keep = if i == 0 || age < all_until {
            true
        } else if age < weekly_until {
            weeks.insert(t.as_second().div_euclid(7 * day))
        } else {
            let z = t.to_zoned_datetime(jiff::tz::TimeZone::UTC);
            let month = (i32::from(z.year()), z.month());
            let now_z = now.to_zoned_datetime(jiff::tz::TimeZone::UTC);
            let months_old =
                (i64::from(now_z.year()) - i64::from(month.0)) * 12 + (i64::from(now_z.month()) - i64::from(month.1));
            months_old <= r.monthly_months && months.insert(month)
        };
        if !keep {
            delete.push((*name).clone());
        }
    }
    delete
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(t: jiff::Timestamp) -> String {
        format!("{}-00000000", t.strftime("%Y%m%dT%H%M%SZ"))
    }

    #[test]
    fn names_give_their_time() {
        let t: jiff::Timestamp = "2026-11-28T04:34:56Z".parse().unwrap();
        assert_eq!(taken_at(&name(t)), Some(t));
        assert_eq!(taken_at("garbage"), None);
    }

    #[test]
    fn two_backups_a_day_for_two_years_thin_out_as_promised() {
        let now: jiff::Timestamp = "2026-11-28T12:00:00Z".parse().unwrap();
        let all: Vec<String> = (0..2 * 365 * 2)
            .map(|i| name(now.checked_sub(jiff::SignedDuration::from_hours(12 * i)).unwrap()))
            .collect();
        let gone = to_delete(&all, now, Retention::default());
        let kept: Vec<&String> = all.iter().filter(|s| !gone.contains(s)).collect();
        let age_days = |s: &String| (now.as_second() - taken_at(s).unwrap().as_second()) / 86_400;
        // Every snapshot of the last 14 days (two a day).
        assert_eq!(kept.iter().filter(|s| age_days(s) < 14).count(), 28);
        // Then about one a week for 8 weeks.
        let weekly = kept.iter().filter(|s| (14..14 + 56).contains(&age_days(s))).count();
        assert!((8..=9).contains(&weekly), "{weekly}");
        // Then about one a month, up to 12 months back; nothing older.
        let monthly = kept.iter().filter(|s| age_days(s) >= 70).count();
        assert!((8..=12).contains(&monthly), "{monthly}");
        assert!(kept.iter().all(|s| age_days(s) <= 366 + 31), "nothing beyond a year");
    }

    #[test]
    fn the_newest_and_unknown_names_are_never_deleted() {
        let now: jiff::Timestamp = "2026-11-28T12:00:00Z".parse().unwrap();
        let old = name("2020-01-01T00:00:00Z".parse().unwrap());
        assert!(to_delete(std::slice::from_ref(&old), now, Retention::default()).is_empty());
        let strange = "manual-copy".to_owned();
        let newer = name("2021-01-01T00:00:00Z".parse().unwrap());
        assert_eq!(to_delete(&[old.clone(), strange, newer], now, Retention::default()), vec![old]);
    }
}
