//! Calendar files written from meeting details a user typed: whatever the
//! text, every line is at most 75 octets, ends in CRLF, and no value starts
//! a line of its own (a property or a component injected into the file).
#![no_main]

use libfuzzer_sys::fuzz_target;
use ordo_app::calendar::{Event, Method, Person, calendar};
use ordo_core::time::Timestamp;

fuzz_target!(|parts: (&str, &str, &str, &str, &str, &str)| {
    let (title, place, description, name, email, url) = parts;
    let person = Person { name: name.into(), email: email.into() };
    let event = Event {
        uid: "m@ordo.test".into(),
        sequence: 1,
        start: Timestamp::from_unix(1_900_000_000),
        duration_minutes: 60,
        title: title.into(),
        place: place.into(),
        description: description.into(),
        url: url.into(),
        organiser: person.clone(),
        attendees: vec![person],
        cancelled: false,
        stamp: Timestamp::from_unix(1_800_000_000),
    };
    let ics = calendar(Method::Request, Some(title), &[event]);
    assert!(ics.ends_with("\r\n"));
    let body = &ics[..ics.len() - 2];
    let mut begins = 0;
    for line in body.split("\r\n") {
        assert!(line.len() <= 75, "a line over 75 octets: {line:?}");
        assert!(!line.contains('\r') && !line.contains('\n'), "a bare line break: {line:?}");
        if line.starts_with("BEGIN:") {
            begins += 1;
        }
    }
    assert_eq!(begins, 2, "one calendar, one event: {ics}");
});
