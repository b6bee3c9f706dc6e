//! Calendars (requirement M12): the ICS file of an invitation, its update
//! and cancellation, and each user's calendar feed — read back with
//! Python's `icalendar`, a calendar library other programs use, and checked
//! in the meeting's own zone on both sides of daylight-saving changes.

use crate::helpers::*;

/// Every event of a calendar file as a calendar program reads it.
const READ_ICS: &str = r#"
import sys, json, zoneinfo
from icalendar import Calendar
cal = Calendar.from_ical(sys.stdin.buffer.read())
def at(t, zone):
    return t.astimezone(zoneinfo.ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M")
out = {"method": str(cal.get("METHOD")), "name": str(cal.get("X-WR-CALNAME", "")), "events": []}
for ev in cal.walk("VEVENT"):
    start, end = ev.decoded("DTSTART"), ev.decoded("DTEND")
    att = ev.get("ATTENDEE", [])
    att = att if isinstance(att, list) else [att]
    out["events"].append({
        "uid": str(ev["UID"]), "sequence": int(ev.get("SEQUENCE", 0)), "status": str(ev.get("STATUS", "")),
        "summary": str(ev["SUMMARY"]), "location": str(ev.get("LOCATION", "")),
        "utc": at(start, "UTC"), "paris": at(start, "Europe/Paris"), "new_york": at(start, "America/New_York"),
        "minutes": int((end - start).total_seconds() // 60),
        "organizer": str(ev.get("ORGANIZER", "")), "attendees": [str(a) for a in att],
    })
print(json.dumps(out))
"#;

fn read_ics(data: &[u8]) -> serde_json::Value {
    serde_json::from_str(&python(READ_ICS, data)).unwrap()
}

/// A meeting made by `org` (path returned).
async fn meeting(org: &Client, slug: &str, title: &str, starts_at: &str, zone: &str) -> String {
    org.get(&format!("/t/{slug}/meetings")).await;
    let r = org
        .post_form(
            &format!("/t/{slug}/meetings"),
            &[
                ("title", title),
                ("starts_at", starts_at),
                ("time_zone", zone),
                ("duration_minutes", "60"),
                ("place", "Room 2, east wing"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    r.location().split('?').next().unwrap().to_owned()
}

async fn edit(org: &Client, path: &str, t: &TestApp, fields: &[(&str, &str)]) {
    org.get(path).await;
    let id = path.rsplit('/').next().unwrap();
    let version = t.db.text(&format!("SELECT CAST(version AS TEXT) FROM meetings WHERE id = '{id}'")).await;
    let mut all: Vec<(&str, &str)> = vec![
        ("title", "Weekly sync; review, plan"),
        ("objectives", ""),
        ("starts_at", "2027-03-26T09:30"),
        ("time_zone", "Europe/Paris"),
        ("duration_minutes", "60"),
        ("place", "Room 2, east wing"),
    ];
    for (k, v) in fields {
        all.retain(|(a, _)| a != k);
        all.push((k, v));
    }
    all.push(("version", &version));
    let r = org.post_form(&format!("{path}/edit"), &all).await;
    assert_eq!(r.status, 303, "{}", r.body);
}

/// The calendar file of the newest message to `to` that has one, once `n`
/// messages have arrived.
async fn ics_of(t: &TestApp, to: &str, n: usize) -> (Mail, serde_json::Value) {
    let mails = t.wait_mails(to, n).await;
    assert_eq!(mails.len(), n, "exactly {n} messages for {to}");
    let m = mails.last().unwrap().clone();
    let file = m.attachments.iter().find(|a| a.content_type == "text/calendar").expect("a calendar file").clone();
    let ics = read_ics(&file.data);
    assert_eq!(file.method.as_deref(), ics["method"].as_str(), "the part's method is the calendar's");
    (m, ics)
}

both!(needs(ordo_tools, "the test script installs pdftotext and icalendar and sets ORDO_TEST_PYTHON") invitations_updates_and_cancellations_land_in_calendars_across_a_clock_change, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug, owner, org) = t.tenant_with_owner().await;
    let (member, _mc) = t.member(&slug, &org, "member").await;
    // Paris is on winter time (UTC+1) until 28 March 2027.
    let path = meeting(&org, &slug, "Weekly sync; review, plan", "2027-03-26T09:30", "Europe/Paris").await;
    org.post_form(&format!("{path}/participants"), &[("email", &member), ("role", "editor")]).await;
    org.post_form(&format!("{path}/share"), &[]).await;

    let (m, ics) = ics_of(&t, &member, 2).await; // activation, invitation
    assert!(m.subject.starts_with("Invitation: "));
    assert_eq!(ics["method"], "REQUEST");
    let ev = &ics["events"][0];
    let uid = ev["uid"].as_str().unwrap().to_owned();
    assert!(uid.starts_with(path.rsplit('/').next().unwrap()), "{uid}");
    assert_eq!(ev["sequence"], 0);
    assert_eq!(ev["summary"], "Weekly sync; review, plan");
    assert_eq!(ev["location"], "Room 2, east wing");
    assert_eq!((ev["paris"].as_str(), ev["utc"].as_str()), (Some("2027-03-26T09:30"), Some("2027-03-26T08:30")));
    assert_eq!(ev["minutes"], 60);
    assert_eq!(ev["status"], "CONFIRMED");
    assert!(ev["organizer"].as_str().unwrap().ends_with(&owner));
    assert_eq!(ev["attendees"], serde_json::json!([format!("mailto:{member}")]));

    // What a calendar does not show changes nothing there: no message.
    edit(&org, &path, &t, &[("objectives", "Decide the spring plan")]).await;
    // Moved to after the clock change (UTC+2): same UID, next SEQUENCE, the
    // same local time, one hour earlier in UTC.
    edit(&org, &path, &t, &[("objectives", "Decide the spring plan"), ("starts_at", "2027-03-29T09:30")]).await;
    let (m, ics) = ics_of(&t, &member, 3).await;
    assert_eq!(m.subject, "Updated: Weekly sync; review, plan");
    let ev = &ics["events"][0];
    assert_eq!((ics["method"].as_str(), ev["uid"].as_str(), ev["sequence"].as_i64()), (Some("REQUEST"), Some(uid.as_str()), Some(1)));
    assert_eq!((ev["paris"].as_str(), ev["utc"].as_str()), (Some("2027-03-29T09:30"), Some("2027-03-29T07:30")));

    // Called off: CANCEL, same UID, next SEQUENCE.
    org.get(&path).await;
    org.post_form(&format!("{path}/cancel"), &[]).await;
    let (m, ics) = ics_of(&t, &member, 4).await;
    assert_eq!(m.subject, "Cancelled: Weekly sync; review, plan");
    let ev = &ics["events"][0];
    assert_eq!((ics["method"].as_str(), ev["uid"].as_str(), ev["sequence"].as_i64()), (Some("CANCEL"), Some(uid.as_str()), Some(2)));
    assert_eq!(ev["status"], "CANCELLED");
    // The organiser is sent nothing of their own changes.
    assert!(t.mails_to(&owner).iter().all(|m| m.attachments.is_empty()));
});

both!(needs(ordo_tools, "the test script installs pdftotext and icalendar and sets ORDO_TEST_PYTHON") each_user_has_a_revocable_calendar_feed_of_the_meetings_they_may_see, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug, _owner, org) = t.tenant_with_owner().await;
    let (member, mc) = t.member(&slug, &org, "member").await;
    // New York changes its clocks on 14 March 2027: UTC-5, then UTC-4.
    let before = meeting(&org, &slug, "Before the change", "2027-03-12T09:00", "America/New_York").await;
    let after = meeting(&org, &slug, "After the change", "2027-03-15T09:00", "America/New_York").await;
    let hidden = meeting(&org, &slug, "Not for the member", "2027-03-16T09:00", "America/New_York").await;
    let unshared = meeting(&org, &slug, "Not shared yet", "2027-03-17T09:00", "America/New_York").await;
    for p in [&before, &after, &unshared] {
        org.post_form(&format!("{p}/participants"), &[("email", &member), ("role", "reader")]).await;
    }
    for p in [&before, &after] {
        org.post_form(&format!("{p}/share"), &[]).await;
    }

    let page = mc.get(&format!("/t/{slug}/settings/profile")).await.body;
    assert!(!page.contains("id=\"feed-url\""));
    let r = mc.post_form(&format!("/t/{slug}/settings/calendar-feed"), &[]).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("cache-control").as_deref(), Some("no-store"));
    let i = r.body.find("id=\"feed-url\" type=\"text\" readonly value=\"").expect("the address is shown once");
    let url = &r.body[i + "id=\"feed-url\" type=\"text\" readonly value=\"".len()..];
    let url = &url[..url.find('"').unwrap()];
    let feed = &url[url.find("/t/").unwrap()..];
    let token = feed.rsplit('/').next().unwrap().to_owned();
    assert!(token.len() >= 40);
    assert_eq!(t.db.text("SELECT token_hash FROM calendar_feeds").await, ordo_crypto::sha256_hex(token.as_bytes()));
    assert!(!mc.get(&format!("/t/{slug}/settings/profile")).await.body.contains(&token), "shown only once");

    // A calendar program: no session, just the address.
    let cal = t.client();
    let r = cal.get(feed).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.header("content-type").as_deref(), Some("text/calendar; charset=utf-8"));
    assert_eq!(r.header("cache-control").as_deref(), Some("no-store"));
    let ics = read_ics(&r.bytes);
    assert_eq!(ics["method"], "PUBLISH");
    let events = ics["events"].as_array().unwrap();
    let titles: Vec<&str> = events.iter().map(|e| e["summary"].as_str().unwrap()).collect();
    assert_eq!(titles, vec!["Before the change", "After the change"], "only what they may see");
    assert_eq!((events[0]["new_york"].as_str(), events[0]["utc"].as_str()), (Some("2027-03-12T09:00"), Some("2027-03-12T14:00")));
    assert_eq!((events[1]["new_york"].as_str(), events[1]["utc"].as_str()), (Some("2027-03-15T09:00"), Some("2027-03-15T13:00")));
    assert!(events.iter().all(|e| e["attendees"].as_array().unwrap().is_empty()), "a feed names no attendees");
    // Its UID is the invitation's: calendars see one event, not two.
    // (Wait for the invitations: activation, then the two shares.)
    let invite = t.wait_mails(&member, 3).await.into_iter().find_map(|m| m.attachments.into_iter().next()).unwrap();
    let invited = read_ics(&invite.data);
    assert!(events.iter().any(|e| e["uid"] == invited["events"][0]["uid"]));
    assert_eq!(cal.get(&format!("{feed}.ics")).await.status, 200, "the .ics ending is accepted");

    // The organiser's own feed has their drafts too.
    org.get(&format!("/t/{slug}/settings/profile")).await;
    let r = org.post_form(&format!("/t/{slug}/settings/calendar-feed"), &[]).await;
    let i = r.body.find("/feed/").unwrap();
    let org_feed = format!("/t/{slug}{}", &r.body[i..i + r.body[i..].find('"').unwrap()]);
    let org_titles: Vec<String> = read_ics(&cal.get(&org_feed).await.bytes)["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["summary"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(org_titles.len(), 4, "{org_titles:?}");
    let _ = hidden;

    // Under another organisation the token opens nothing.
    let (other, _o) = t.tenant(ordo_core::tenant::Plan::Pro).await;
    assert_eq!(cal.get(&feed.replace(&slug, &other)).await.status, 410);
    // A new address replaces the old one; revoking ends it.
    let page = mc.get(&format!("/t/{slug}/settings/profile")).await.body;
    assert!(page.contains("settings/calendar-feed/revoke"));
    let r = mc.post_form(&format!("/t/{slug}/settings/calendar-feed"), &[]).await;
    assert_eq!(r.status, 200);
    assert_eq!(cal.get(feed).await.status, 410, "the old address stops working");
    mc.get(&format!("/t/{slug}/settings/profile")).await;
    let r = mc.post_form(&format!("/t/{slug}/settings/calendar-feed/revoke"), &[]).await;
    assert_eq!(r.status, 303);
    assert_eq!(t.db.text("SELECT CAST(COUNT(*) AS TEXT) FROM calendar_feeds WHERE user_id <> (SELECT organiser_id FROM meetings LIMIT 1)").await, "0");
    assert_eq!(
        t.db.text("SELECT CAST(COUNT(*) AS TEXT) FROM audit_log WHERE kind IN ('calendar_feed.created', 'calendar_feed.revoked')").await,
        "4"
    );
});
