//! iCalendar (RFC 5545) for meetings: the invitation attached to the
//! sharing e-mail (METHOD:REQUEST), its updates and cancellation (same UID,
//! higher SEQUENCE), and each user's calendar feed (METHOD:PUBLISH).
//!
//! Times are written in UTC (`DTSTART:20270329T073000Z`): the meeting's
//! start is stored as an instant, computed from its local time in its own
//! zone, so the instant is right on either side of a daylight-saving change
//! and every calendar shows it in its reader's zone. A weekly series is a
//! list of separate meetings, each its own event, so no RRULE has to carry
//! a zone's rules.

use ordo_core::time::Timestamp;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// An invitation or its update.
    Request,
    /// The meeting is called off.
    Cancel,
    /// A feed to subscribe to.
    Publish,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Request => "REQUEST",
            Method::Cancel => "CANCEL",
            Method::Publish => "PUBLISH",
        }
    }
}

/// Someone in an event: name and address.
#[derive(Clone, Debug)]
pub struct Person {
    pub name: String,
    pub email: String,
}

/// One meeting as a calendar event.
#[derive(Clone, Debug)]
pub struct Event {
    /// Stable for the meeting's life: `<meeting id>@<host>`.
    pub uid: String,
    pub sequence: i64,
    pub start: Timestamp,
    pub duration_minutes: i64,
    pub title: String,
    pub place: String,
    pub description: String,
    pub url: String,
    pub organiser: Person,
    pub attendees: Vec<Person>,
    pub cancelled: bool,
    /// When this version of the event was written.
    pub stamp: Timestamp,
}

/// The UID of a meeting's event: the same in every invitation, update,
/// cancellation and feed.
pub fn uid(meeting_id: &str, host: &str) -> String {
    format!("{meeting_id}@{host}")
}

fn utc(t: Timestamp) -> String {
    let ts = jiff::Timestamp::from_second(t.unix()).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    ts.strftime("%Y%m%dT%H%M%SZ").to_string()
}

/// TEXT value escaping (RFC 5545 §3.3.11).
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A parameter value (a name in CN=): quoted, without the characters a
/// quoted parameter cannot hold.
fn param(s: &str) -> String {
    let clean: String = s.chars().filter(|c| *c != '"' && !c.is_control()).collect();
    format!("\"{clean}\"")
}

/// An address as a `mailto:` URI, without what could break the line.
fn mailto(email: &str) -> String {
    let clean: String = email.chars().filter(|c| !c.is_control() && !matches!(c, ';' | ':' | '"' | ',')).collect();
    format!("mailto:{clean}")
}

/// A content line folded at 75 octets (never inside a character), CRLF.
fn line(out: &mut String, content: &str) {
    let mut used = 0;
    for c in content.chars() {
        let n = c.len_utf8();
        if used + n > 75 {
            out.push_str("\r\n ");
            used = 1;
        }
        out.push(c);
        used += n;
    }
    out.push_str("\r\n");
}

/// A calendar object holding `events`.
pub fn calendar(method: Method, name: Option<&str>, events: &[Event]) -> String {
    let mut o = String::new();
    line(&mut o, "BEGIN:VCALENDAR");
    line(&mut o, "VERSION:2.0");
    line(&mut o, "PRODID:-//Ordo//Ordo meetings//EN");
    line(&mut o, "CALSCALE:GREGORIAN");
    line(&mut o, &format!("METHOD:{}", method.as_str()));
    if let Some(n) = name {
        line(&mut o, &format!("X-WR-CALNAME:{}", text(n)));
    }
    for e in events {
        line(&mut o, "BEGIN:VEVENT");
        line(&mut o, &format!("UID:{}", text(&e.uid)));
        line(&mut o, &format!("SEQUENCE:{}", e.sequence));
        line(&mut o, &format!("DTSTAMP:{}", utc(e.stamp)));
        line(&mut o, &format!("DTSTART:{}", utc(e.start)));
        line(&mut o, &format!("DTEND:{}", utc(e.start.plus_secs(e.duration_minutes * 60))));
        line(&mut o, &format!("SUMMARY:{}", text(&e.title)));
        if !e.place.is_empty() {
            line(&mut o, &format!("LOCATION:{}", text(&e.place)));
        }
        if !e.description.is_empty() {
            line(&mut o, &format!("DESCRIPTION:{}", text(&e.description)));
        }
        if !e.url.is_empty() {
            line(&mut o, &format!("URL:{}", text(&e.url)));
        }
        line(&mut o, &format!("ORGANIZER;CN={}:{}", param(&e.organiser.name), mailto(&e.organiser.email)));
        if method != Method::Publish {
            for a in &e.attendees {
                line(
                    &mut o,
                    &format!(
                        "ATTENDEE;CN={};ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=FALSE:{}",
                        param(&a.name),
                        mailto(&a.email)
                    ),
                );
            }
        }
        line(&mut o, &format!("STATUS:{}", if e.cancelled { "CANCELLED" } else { "CONFIRMED" }));
        line(&mut o, "TRANSP:OPAQUE");
        line(&mut o, "END:VEVENT");
    }
    line(&mut o, "END:VCALENDAR");
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event() -> Event {
        Event {
            uid: uid("m1", "ordo.example"),
            sequence: 2,
            start: Timestamp::from_unix(1_806_305_400),
            duration_minutes: 90,
            title: "Budget; staff, and \\ plans".into(),
            place: "Room 1".into(),
            description: "Line one\nLine two".into(),
            url: "https://ordo.example/t/acme/meetings/m1".into(),
            organiser: Person { name: "Ann \"the boss\"".into(), email: "ann@example.com".into() },
            attendees: vec![Person { name: "Bob".into(), email: "bob@example.com\r\nX:1".into() }],
            cancelled: false,
            stamp: Timestamp::from_unix(1_806_000_000),
        }
    }

    #[test]
    fn values_are_escaped_and_lines_folded() {
        let mut e = event();
        e.description = "é".repeat(100);
        let ics = calendar(Method::Request, None, &[e]);
        assert!(ics.contains("SUMMARY:Budget\\; staff\\, and \\\\ plans\r\n"));
        assert!(ics.contains("ORGANIZER;CN=\"Ann the boss\":mailto:ann@example.com\r\n"));
        let unfolded = ics.replace("\r\n ", "");
        assert!(unfolded.contains(":mailto:bob@example.comX1\r\n"), "no line break smuggled in: {ics}");
        for l in ics.split("\r\n") {
            assert!(l.len() <= 75, "{l}");
        }
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
        assert!(!ics.replace("\r\n", "").contains('\n'));
    }

    #[test]
    fn times_are_utc_instants() {
        let ics = calendar(Method::Request, None, &[event()]);
        // 1_806_305_400 is 2027-03-29 07:30 UTC; 90 minutes later is 09:00.
        assert!(ics.contains("DTSTART:20270329T073000Z\r\n"), "{ics}");
        assert!(ics.contains("DTEND:20270329T090000Z\r\n"));
    }

    #[test]
    fn a_feed_names_no_attendees() {
        let ics = calendar(Method::Publish, Some("Ann"), &[event()]);
        assert!(ics.contains("METHOD:PUBLISH\r\n") && !ics.contains("ATTENDEE"));
    }
}
