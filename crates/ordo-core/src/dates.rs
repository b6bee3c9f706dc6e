//! Dates and times as a person reads them: in their time zone and their
//! language ("Mon 7 Dec 2026, 09:30", "lun. 7 déc. 2026, 09:30"), and due
//! dates relative to today where that helps ("in 2 days", "overdue by 3
//! days"). The names are ours (two languages, twelve months, seven days):
//! simpler than a locale database for what the pages show.

use crate::time::Timestamp;
use crate::user::Locale;
use crate::validation::Invalid;
use jiff::civil::{Date, DateTime};

/// An IANA time zone someone reads times in (`Europe/Paris`), known to the
/// bundled time-zone database.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Zone(String);

impl Zone {
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        let s = s.trim();
        if s.is_empty() || s.len() > 64 || jiff::tz::db().get(s).is_err() {
            return Err(Invalid::new("time_zone", "time_zone.invalid"));
        }
        Ok(Zone(s.to_owned()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for Zone {
    type Err = Invalid;
    fn from_str(s: &str) -> Result<Self, Invalid> {
        Zone::parse(s)
    }
}

/// Every zone name the database knows, sorted (the profile's list), read
/// once.
pub fn zone_names() -> &'static [String] {
    static NAMES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    NAMES.get_or_init(|| {
        let mut names: Vec<String> = jiff::tz::db().available().map(|n| n.as_str().to_owned()).collect();
        names.sort();
        names
    })
}

const DAYS_EN: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const DAYS_FR: [&str; 7] = ["lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."];
const MONTHS_EN: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const MONTHS_FR: [&str; 12] =
    ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."];

/// A day: "Mon 7 Dec 2026" / "lun. 7 déc. 2026".
pub fn day(d: Date, locale: Locale) -> String {
    let wd = usize::try_from(d.weekday().to_monday_zero_offset()).unwrap_or(0);
    let m = usize::try_from(d.month() - 1).unwrap_or(0);
    let (days, months) = match locale {
        Locale::En => (DAYS_EN, MONTHS_EN),
        Locale::Fr => (DAYS_FR, MONTHS_FR),
    };
    format!("{} {} {} {}", days[wd % 7], d.day(), months[m % 12], d.year())
}

/// A day and a time: "Mon 7 Dec 2026, 09:30" / "lun. 7 déc. 2026, 09:30".
pub fn day_time(dt: DateTime, locale: Locale) -> String {
    format!("{}, {:02}:{:02}", day(dt.date(), locale), dt.hour(), dt.minute())
}

/// An instant in a zone, as [`day_time`]; in UTC, said so, if the zone is
/// unknown. (Where no zone is named beside it, see [`when_said`].)
pub fn when(at: Timestamp, zone: &str, locale: Locale) -> String {
    let Ok(t) = jiff::Timestamp::from_second(at.unix()) else { return at.human_utc() };
    match jiff::tz::db().get(zone) {
        Ok(tz) => day_time(t.to_zoned_datetime(tz).datetime(), locale),
        Err(_) => format!("{} UTC", day_time(t.to_zoned_datetime(jiff::tz::TimeZone::UTC).datetime(), locale)),
    }
}

/// As [`when`], with "UTC" after it when that is the zone: for times shown
/// without their zone beside them (remarks, messages).
pub fn when_said(at: Timestamp, zone: &str, locale: Locale) -> String {
    let text = when(at, zone, locale);
    if zone == "UTC" && !text.ends_with(" UTC") { format!("{text} UTC") } else { text }
}

/// A due date against today: "today", "tomorrow", "in 3 days", "yesterday",
/// "overdue by 3 days"; beyond two weeks either way, the day itself.
pub fn due(d: Date, today: Date, locale: Locale) -> String {
    let n = (d - today).get_days();
    let fr = locale == Locale::Fr;
    match n {
        0 => (if fr { "aujourd’hui" } else { "today" }).to_owned(),
        1 => (if fr { "demain" } else { "tomorrow" }).to_owned(),
        -1 => (if fr { "en retard d’un jour" } else { "overdue by 1 day" }).to_owned(),
        2..=14 => {
            if fr {
                format!("dans {n} jours")
            } else {
                format!("in {n} days")
            }
        }
        -14..=-2 => {
            if fr {
                format!("en retard de {} jours", -n)
            } else {
                format!("overdue by {} days", -n)
            }
        }
        _ => day(d, locale),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_in_the_readers_zone_and_language() {
        // 2026-12-07 08:30 UTC is 09:30 in Paris, 03:30 in New York.
        let at = Timestamp::from_unix(1_796_632_200);
        assert_eq!(when(at, "Europe/Paris", Locale::En), "Mon 7 Dec 2026, 09:30");
        assert_eq!(when(at, "Europe/Paris", Locale::Fr), "lun. 7 déc. 2026, 09:30");
        assert_eq!(when(at, "America/New_York", Locale::En), "Mon 7 Dec 2026, 03:30");
        assert_eq!(when(at, "Nowhere/Else", Locale::En), "Mon 7 Dec 2026, 08:30 UTC");
        assert_eq!(when(at, "UTC", Locale::Fr), "lun. 7 déc. 2026, 08:30");
        assert_eq!(when_said(at, "UTC", Locale::Fr), "lun. 7 déc. 2026, 08:30 UTC");
        assert_eq!(when_said(at, "Europe/Paris", Locale::En), "Mon 7 Dec 2026, 09:30");
        assert_eq!(day(jiff::civil::date(2027, 2, 14), Locale::Fr), "dim. 14 févr. 2027");
    }

    #[test]
    fn due_dates_are_told_from_today() {
        let today = jiff::civil::date(2026, 12, 7);
        let on = |m, d| jiff::civil::date(2026, m, d);
        assert_eq!(due(today, today, Locale::En), "today");
        assert_eq!(due(on(12, 8), today, Locale::Fr), "demain");
        assert_eq!(due(on(12, 9), today, Locale::En), "in 2 days");
        assert_eq!(due(on(12, 6), today, Locale::En), "overdue by 1 day");
        assert_eq!(due(on(12, 4), today, Locale::Fr), "en retard de 3 jours");
        assert_eq!(due(on(12, 31), today, Locale::En), "Thu 31 Dec 2026");
    }

    #[test]
    fn a_zone_is_one_the_database_knows() {
        assert_eq!(Zone::parse(" Europe/Paris ").unwrap().as_str(), "Europe/Paris");
        for bad in ["", "Europe/Atlantis", "../../etc/passwd", &"A".repeat(65)] {
            assert!(Zone::parse(bad).is_err(), "{bad}");
        }
        assert!(zone_names().iter().any(|z| z == "America/New_York"));
    }
}
