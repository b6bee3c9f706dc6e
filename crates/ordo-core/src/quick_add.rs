//! The quick-add line of a topic: what a user types to add an element in
//! one line. A parser of untrusted text, fuzzed (`fuzz/`).
//!
//! `/d`, `/a`, `/t`, `/n` at the start pick the kind. Words starting with
//! `@` name an owner (`@mia`, `@mia_member`) or a due date (`@today`,
//! `@tomorrow`, `@fri`, `@+3d`, `@12/15`, in the user's language), and make
//! the line an action. Which owner a name means is decided by the caller,
//! among the meeting's participants ([`names`]).

use crate::meeting::ElementKind;
use crate::user::Locale;
use crate::words::fold;
use jiff::ToSpan;
pub use jiff::civil::Date;
use jiff::civil::Weekday;

/// A quick-add line may start with a kind: `/d` decision, `/a` action,
/// `/t` topic to discuss, `/n` note. Returns the title without it.
pub fn shortcut_kind(line: &str) -> (&str, Option<ElementKind>) {
    let kind = |c: &str| match c {
        "d" => Some(ElementKind::Decision),
        "a" => Some(ElementKind::Action),
        "t" => Some(ElementKind::Discuss),
        "n" => Some(ElementKind::Note),
        _ => None,
    };
    let trimmed = line.trim_start();
    if let Some(rest) = trimmed.strip_prefix('/')
        && let Some((code, title)) = rest.split_once(' ')
        && let Some(k) = kind(code)
    {
        return (title.trim_start(), Some(k));
    }
    (line, None)
}

/// A line read: its kind if typed, and what its `@` words say.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Typed {
    /// The text after the kind shortcut, `@` words included: the title of
    /// an element that is not an action.
    pub text: String,
    pub kind: Option<ElementKind>,
    /// The text without its `@` words: an action's title.
    pub bare: String,
    /// The names given (after `@`), folded, `_` `.` `-` read as spaces.
    pub people: Vec<String>,
    /// The last due date given.
    pub due: Option<Date>,
}

impl Typed {
    /// Whether the `@` words said anything.
    pub fn names_something(&self) -> bool {
        !self.people.is_empty() || self.due.is_some()
    }
}

/// At most this many `@` words are read; the rest stay text (a line is
/// short, and each name is compared with every participant).
pub const MENTIONS_MAX: usize = 8;

/// Read a line typed on `today` (the user's day) by someone writing in
/// `locale`.
pub fn parse(line: &str, today: Date, locale: Locale) -> Typed {
    let (text, kind) = shortcut_kind(line);
    let mut bare: Vec<&str> = Vec::new();
    let mut people = Vec::new();
    let mut due = None;
    let mut mentions = 0;
    for word in text.split_whitespace() {
        let token = word.strip_prefix('@').map(|t| t.trim_end_matches([',', ';', '.', ':', '!', '?', ')']));
        match token {
            Some(t) if !t.is_empty() && mentions < MENTIONS_MAX => {
                mentions += 1;
                match date(t, today, locale) {
                    Some(d) => due = Some(d),
                    None => people
                        .push(fold(t).replace(['_', '.', '-'], " ").split_whitespace().collect::<Vec<_>>().join(" ")),
                }
            }
            _ => bare.push(word),
        }
    }
    people.retain(|p| !p.is_empty());
    Typed { text: text.to_owned(), kind, bare: bare.join(" "), people, due }
}

/// Whether the folded `name` (from [`parse`]) names the person with this
/// display name and e-mail: it starts one of their names (`mia`, `member`,
/// `mia mem`), or their e-mail address.
pub fn names(name: &str, display_name: &str, email: &str) -> bool {
    if name.is_empty() {
        return false;
    }
    let full = format!(" {}", fold(display_name).split_whitespace().collect::<Vec<_>>().join(" "));
    let local = fold(email.split('@').next().unwrap_or("")).replace(['_', '.', '-'], " ");
    full.contains(&format!(" {name}")) || format!(" {local}").starts_with(&format!(" {name}"))
}

const WEEKDAYS: [(Weekday, &str, &str); 7] = [
    (Weekday::Monday, "monday", "lundi"),
    (Weekday::Tuesday, "tuesday", "mardi"),
    (Weekday::Wednesday, "wednesday", "mercredi"),
    (Weekday::Thursday, "thursday", "jeudi"),
    (Weekday::Friday, "friday", "vendredi"),
    (Weekday::Saturday, "saturday", "samedi"),
    (Weekday::Sunday, "sunday", "dimanche"),
];

/// A due date as typed: a day word (both languages), a weekday (its first
/// three letters or more: the next one after today), `+N` days (`d`/`j`) or
/// weeks (`w`/`s`), a day and month in the user's order (`12/15` in
/// English, `15/12` in French: the next such day), or `YYYY-MM-DD`.
pub fn date(token: &str, today: Date, locale: Locale) -> Option<Date> {
    let t = fold(token);
    match t.as_str() {
        "today" | "aujourd'hui" | "aujourd’hui" | "auj" => return Some(today),
        "tomorrow" | "tmrw" | "demain" => return today.checked_add(1.day()).ok(),
        _ => {}
    }
    if t.len() >= 3 {
        for (day, en, fr) in WEEKDAYS {
            if en.starts_with(&t) || fr.starts_with(&t) {
                let ahead = (day.to_monday_zero_offset() - today.weekday().to_monday_zero_offset()).rem_euclid(7);
                let ahead = if ahead == 0 { 7 } else { ahead };
                return today.checked_add(i64::from(ahead).days()).ok();
            }
        }
    }
    if let Some(n) = t.strip_prefix('+') {
        let (digits, unit) = n.split_at(n.find(|c: char| !c.is_ascii_digit()).unwrap_or(n.len()));
        let count: i64 = digits.parse().ok().filter(|c| (1..=3660).contains(c))?;
        let days = match unit {
            "" | "d" | "j" => count,
            "w" | "s" => count * 7,
            _ => return None,
        };
        return today.checked_add(days.days()).ok();
    }
    if let Ok(d) = t.parse::<Date>()
        && t.len() == 10
    {
        return Some(d);
    }
    let parts: Vec<&str> = t.split('/').collect();
    if !(2..=3).contains(&parts.len())
        || parts.iter().any(|p| p.is_empty() || p.len() > 4 || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let (a, b): (i8, i8) = (parts[0].parse().ok()?, parts[1].parse().ok()?);
    let (month, day) = match locale {
        Locale::En => (a, b),
        Locale::Fr => (b, a),
    };
    match parts.get(2) {
        Some(y) => {
            let year: i16 = y.parse().ok()?;
            let year = if y.len() == 2 { 2000 + year } else { year };
            Date::new(year, month, day).ok()
        }
        None => {
            let this = Date::new(today.year(), month, day).ok();
            match this {
                Some(d) if d >= today => Some(d),
                // Past this year (or 29/2 of a common year): the next one.
                _ => (1..=8).find_map(|k| Date::new(today.year().checked_add(k)?, month, day).ok()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meeting::ElementKind;

    #[test]
    fn quick_add_shortcuts_pick_the_kind() {
        assert_eq!(shortcut_kind("/d Budget approved"), ("Budget approved", Some(ElementKind::Decision)));
        assert_eq!(shortcut_kind("/a  Call the bank"), ("Call the bank", Some(ElementKind::Action)));
        assert_eq!(shortcut_kind("/t Parking"), ("Parking", Some(ElementKind::Discuss)));
        assert_eq!(shortcut_kind("/n Seen"), ("Seen", Some(ElementKind::Note)));
        assert_eq!(shortcut_kind("/x Other"), ("/x Other", None));
        assert_eq!(shortcut_kind("a/d b"), ("a/d b", None));
        assert_eq!(shortcut_kind("/d"), ("/d", None));
    }

    // Monday 7 December 2026.
    fn monday() -> Date {
        Date::new(2026, 12, 7).unwrap()
    }

    fn d(y: i16, m: i8, day: i8) -> Option<Date> {
        Date::new(y, m, day).ok()
    }

    #[test]
    fn due_dates_are_typed_naturally_in_both_languages() {
        let (en, fr, today) = (Locale::En, Locale::Fr, monday());
        assert_eq!(date("today", today, en), Some(today));
        assert_eq!(date("Demain", today, fr), d(2026, 12, 8));
        assert_eq!(date("aujourd'hui", today, fr), Some(today));
        assert_eq!(date("fri", today, en), d(2026, 12, 11));
        assert_eq!(date("ven", today, fr), d(2026, 12, 11));
        assert_eq!(date("vendredi", today, en), d(2026, 12, 11), "either language's words");
        // Today's weekday means the one a week later.
        assert_eq!(date("mon", today, en), d(2026, 12, 14));
        assert_eq!(date("sun", today, en), d(2026, 12, 13));
        assert_eq!(date("+3d", today, en), d(2026, 12, 10));
        assert_eq!(date("+3j", today, fr), d(2026, 12, 10));
        assert_eq!(date("+2w", today, en), d(2026, 12, 21));
        assert_eq!(date("+1", today, en), d(2026, 12, 8));
        // The user's order of day and month; a day past is next year's.
        assert_eq!(date("12/15", today, en), d(2026, 12, 15));
        assert_eq!(date("15/12", today, fr), d(2026, 12, 15));
        assert_eq!(date("1/5", today, en), d(2027, 1, 5));
        assert_eq!(date("1/5", today, fr), d(2027, 5, 1));
        assert_eq!(date("12/7", today, en), Some(today), "today is not past");
        assert_eq!(date("29/2", today, fr), d(2028, 2, 29), "the next 29 February");
        assert_eq!(date("15/12/2027", today, fr), d(2027, 12, 15));
        assert_eq!(date("12/15/27", today, en), d(2027, 12, 15));
        assert_eq!(date("2027-01-31", today, fr), d(2027, 1, 31));
        for not in ["", "mo", "15/12", "+0d", "+3x", "+99999", "2027-02-30", "1/13/2027", "1/2/3/4", "/", "mia", "fr"] {
            let locale = if not == "15/12" { en } else { fr };
            assert_eq!(date(not, today, locale), None, "{not}");
        }
    }

    #[test]
    fn at_words_name_owners_and_dates_and_leave_the_title() {
        let t = parse("Call the bank @mia @fri", monday(), Locale::En);
        assert_eq!(t.bare, "Call the bank");
        assert_eq!(t.text, "Call the bank @mia @fri");
        assert_eq!(t.people, ["mia"]);
        assert_eq!(t.due, d(2026, 12, 11));
        assert!(t.names_something());
        let t = parse("/a Écrire @Zoé_Dupont, @demain", monday(), Locale::Fr);
        assert_eq!((t.kind, t.bare.as_str()), (Some(ElementKind::Action), "Écrire"));
        assert_eq!((t.people, t.due), (vec!["zoe dupont".to_owned()], d(2026, 12, 8)));
        let t = parse("/d Budget approved", monday(), Locale::En);
        assert!(!t.names_something());
        assert_eq!(t.bare, "Budget approved");
        // A lone @ and an address inside a word are text.
        let t = parse("Write to a@b.example @ now", monday(), Locale::En);
        assert_eq!((t.bare.as_str(), t.people.len()), ("Write to a@b.example @ now", 0));
        // Only the first few @ words are read.
        let many = (0..20).map(|i| format!("@p{i}")).collect::<Vec<_>>().join(" ");
        assert_eq!(parse(&many, monday(), Locale::En).people.len(), MENTIONS_MAX);
    }

    #[test]
    fn a_name_starts_one_of_the_persons_names_or_their_address() {
        assert!(names("mia", "Mia Member", "mia@example.org"));
        assert!(names("member", "Mia Member", "x@example.org"));
        assert!(names("mia mem", "Mia Member", "x@example.org"));
        assert!(names("zoe", "Zoé Dupont", "z@example.org"));
        assert!(names("olivia o", "x", "olivia.o@example.org"));
        assert!(!names("ia", "Mia Member", "x@example.org"));
        assert!(!names("mia x", "Mia Member", "x@example.org"));
        assert!(!names("", "Mia Member", "mia@example.org"));
    }
}
