//! When the meetings of a series fall: every N weeks, or every N months on
//! the same date or on the same weekday of the month (the second Tuesday,
//! the last Friday), until a date or for a number of meetings. Each
//! occurrence keeps the first meeting's local time in its zone, so a 09:30
//! weekly meeting stays at 09:30 across daylight-saving changes.

use crate::validation::Invalid;
use jiff::civil::{Date, DateTime, Weekday};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Frequency {
    Weekly,
    /// The same day of the month (the 31st falls on a shorter month's last day).
    MonthlyByDate,
    /// The same weekday and rank in the month (a fifth one counts as the last).
    MonthlyByWeekday,
}

impl Frequency {
    pub const ALL: &'static [Frequency] = &[Frequency::Weekly, Frequency::MonthlyByDate, Frequency::MonthlyByWeekday];
    pub fn as_str(self) -> &'static str {
        match self {
            Frequency::Weekly => "weekly",
            Frequency::MonthlyByDate => "monthly_date",
            Frequency::MonthlyByWeekday => "monthly_weekday",
        }
    }
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        match s {
            "weekly" => Ok(Frequency::Weekly),
            "monthly_date" => Ok(Frequency::MonthlyByDate),
            "monthly_weekday" => Ok(Frequency::MonthlyByWeekday),
            _ => Err(Invalid::new("repeat", "repeat.invalid")),
        }
    }
}

/// The most meetings a series may hold.
pub const MAX_COUNT: u32 = 260;

/// A series' rule: how often, and until when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    pub frequency: Frequency,
    /// Every `interval` weeks or months: 1 to 12.
    pub interval: u32,
    /// The last date a meeting may fall on.
    pub until: Option<Date>,
    /// How many meetings in all (the first included).
    pub count: Option<u32>,
}

impl Rule {
    /// The interval, end date and count as given (each may be empty): what
    /// a meeting that does not repeat still checks, so that no value is
    /// taken that the rule would refuse.
    pub fn parse_parts(interval: &str, until: &str, count: &str) -> Result<(u32, Option<Date>, Option<u32>), Invalid> {
        let interval = match interval.trim() {
            "" => 1,
            s => s
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=12).contains(n))
                .ok_or(Invalid::new("interval", "interval.invalid"))?,
        };
        let until = match until.trim() {
            "" => None,
            s => Some(s.parse::<Date>().map_err(|_| Invalid::new("until", "date.invalid"))?),
        };
        let count = match count.trim() {
            "" => None,
            s => Some(
                s.parse::<u32>()
                    .ok()
                    .filter(|n| (2..=MAX_COUNT).contains(n))
                    .ok_or(Invalid::new("count", "count.invalid"))?,
            ),
        };
        Ok((interval, until, count))
    }

    /// A rule from the form's values. An end is required (a date or a
    /// count), so that a series cannot run on for ever.
    pub fn parse(frequency: &str, interval: &str, until: &str, count: &str) -> Result<Rule, Invalid> {
        let frequency = Frequency::parse(frequency.trim())?;
        let (interval, until, count) = Self::parse_parts(interval, until, count)?;
        if until.is_none() && count.is_none() {
            return Err(Invalid::new("until", "repeat.end_required"));
        }
        Ok(Rule { frequency, interval, until, count })
    }

    /// The local start of meeting number `n` (0 for the first), if the
    /// series has one.
    pub fn occurrence(&self, first: DateTime, n: u32) -> Option<DateTime> {
        if n >= self.count.unwrap_or(MAX_COUNT).min(MAX_COUNT) {
            return None;
        }
        let date = match self.frequency {
            Frequency::Weekly => {
                first.date().checked_add(jiff::Span::new().days(i64::from(n * 7 * self.interval))).ok()?
            }
            Frequency::MonthlyByDate => {
                let (y, m) = add_months(first.year(), first.month(), n * self.interval)?;
                let last = Date::new(y, m, 1).ok()?.last_of_month().day();
                Date::new(y, m, first.day().min(last)).ok()?
            }
            Frequency::MonthlyByWeekday => {
                let (y, m) = add_months(first.year(), first.month(), n * self.interval)?;
                let rank = (first.day() - 1) / 7 + 1;
                nth_weekday(y, m, first.weekday(), rank)?
            }
        };
        if self.until.is_some_and(|u| date > u) {
            return None;
        }
        Some(date.to_datetime(first.time()))
    }
}

fn add_months(year: i16, month: i8, months: u32) -> Option<(i16, i8)> {
    let index = i64::from(year) * 12 + i64::from(month - 1) + i64::from(months);
    Some((i16::try_from(index / 12).ok()?, i8::try_from(index % 12 + 1).ok()?))
}

/// The `rank`-th `weekday` of a month; a fifth that does not exist, or a
/// rank of 5, is the month's last one.
fn nth_weekday(year: i16, month: i8, weekday: Weekday, rank: i8) -> Option<Date> {
    let first = Date::new(year, month, 1).ok()?;
    let offset = (weekday.to_monday_zero_offset() - first.weekday().to_monday_zero_offset()).rem_euclid(7);
    let mut day = 1 + offset + 7 * (rank - 1);
    let last = first.last_of_month().day();
    while day > last {
        day -= 7;
    }
    Date::new(year, month, day).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime {
        s.parse().unwrap()
    }

    fn all(rule: &Rule, first: &str) -> Vec<String> {
        (0..).map_while(|n| rule.occurrence(at(first), n)).map(|d| d.strftime("%Y-%m-%d %H:%M").to_string()).collect()
    }

    #[test]
    fn every_two_weeks_for_four_meetings() {
        let r = Rule::parse("weekly", "2", "", "4").unwrap();
        assert_eq!(
            all(&r, "2027-03-15T09:30"),
            ["2027-03-15 09:30", "2027-03-29 09:30", "2027-04-12 09:30", "2027-04-26 09:30"]
        );
    }

    #[test]
    fn monthly_on_the_31st_falls_on_the_last_day() {
        let r = Rule::parse("monthly_date", "1", "2027-04-30", "").unwrap();
        assert_eq!(
            all(&r, "2027-01-31T14:00"),
            ["2027-01-31 14:00", "2027-02-28 14:00", "2027-03-31 14:00", "2027-04-30 14:00"]
        );
    }

    #[test]
    fn monthly_on_the_second_tuesday_and_the_last_friday() {
        // 2027-01-12 is the second Tuesday of January.
        let r = Rule::parse("monthly_weekday", "1", "", "3").unwrap();
        assert_eq!(all(&r, "2027-01-12T10:00"), ["2027-01-12 10:00", "2027-02-09 10:00", "2027-03-09 10:00"]);
        // 2027-01-29 is the fifth (last) Friday; February has four.
        assert_eq!(all(&r, "2027-01-29T10:00"), ["2027-01-29 10:00", "2027-02-26 10:00", "2027-03-26 10:00"]);
    }

    #[test]
    fn a_series_needs_an_end_and_sane_values() {
        assert_eq!(Rule::parse("weekly", "1", "", "").unwrap_err().code, "repeat.end_required");
        assert!(Rule::parse("daily", "1", "", "3").is_err());
        assert!(Rule::parse("weekly", "0", "", "3").is_err());
        assert!(Rule::parse("weekly", "1", "", "1000").is_err());
        assert!(Rule::parse("weekly", "1", "someday", "").is_err());
    }
}
