//! Series and follow-ups (requirement M9): a weekly meeting carries its open
//! actions and unresolved topics forward, each marked with where it came
//! from, and its series shows the whole backlog.

use crate::helpers::*;

fn path_of(location: &str) -> String {
    location.split('?').next().unwrap().to_owned()
}

/// The id of the element titled `title` on a meeting page.
fn element_id(page: &str, title: &str) -> String {
    let at = page
        .find(&format!("<span class=\"el-title\">{title}</span>"))
        .unwrap_or_else(|| panic!("{title} not on the page"));
    let start = page[..at].rfind("id=\"el-").unwrap() + "id=\"el-".len();
    page[start..start + 36].to_owned()
}

/// The `<li>` of the element titled `title` (up to its remarks, if any).
fn element_html<'a>(page: &'a str, title: &str) -> &'a str {
    let id = element_id(page, title);
    let start = page.find(&format!("id=\"el-{id}\"")).unwrap();
    let end = page[start..].find("</li>").unwrap();
    &page[start..start + end]
}

async fn status(c: &Client, path: &str, element: &str, to: &str) {
    c.get(path).await;
    let r = c.post_form(&format!("{path}/elements/{element}/status"), &[("status", to)]).await;
    assert_eq!(r.status, 303, "{}", r.body);
}

both!(a_weekly_meeting_carries_its_open_items_forward_and_shows_its_backlog, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug, _owner, org) = t.tenant_with_owner().await;
    let (member, mc) = t.member(&slug, &org, "member").await;
    org.get(&format!("/t/{slug}/meetings")).await;

    // A series needs an end; its values are checked.
    for (fields, message) in [
        (vec![("repeat", "weekly"), ("interval", "1")], "A series needs an end"),
        (vec![("repeat", "weekly"), ("count", "1000")], "from 2 to 260"),
        (vec![("repeat", "daily"), ("count", "3")], "Choose how the meeting repeats"),
        (vec![("repeat", "weekly"), ("until", "2027-01-01")], "before the first meeting"),
    ] {
        let mut all = vec![
            ("title", "Weekly sync"),
            ("starts_at", "2027-03-22T09:30"),
            ("time_zone", "Europe/Paris"),
            ("duration_minutes", "30"),
        ];
        all.extend(fields);
        let r = org.post_form(&format!("/t/{slug}/meetings"), &all).await;
        assert_eq!(r.status, 422, "{all:?}");
        assert!(r.body.contains(message), "{message}: {}", r.body);
    }
    assert_eq!(t.db.text("SELECT CAST(COUNT(*) AS TEXT) FROM meetings").await, "0", "nothing half-made");
    assert_eq!(t.db.text("SELECT CAST(COUNT(*) AS TEXT) FROM meeting_series").await, "0");

    // Every week, three meetings; Paris changes its clocks on 28 March.
    let r = org
        .post_form(
            &format!("/t/{slug}/meetings"),
            &[
                ("title", "Weekly sync"),
                ("starts_at", "2027-03-22T09:30"),
                ("time_zone", "Europe/Paris"),
                ("duration_minutes", "30"),
                ("repeat", "weekly"),
                ("interval", "1"),
                ("count", "3"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let first = path_of(&r.location());
    org.post_form(&format!("{first}/participants"), &[("email", &member), ("role", "editor")]).await;
    org.post_form(&format!("{first}/topics"), &[("title", "Follow-ups")]).await;
    let page = org.get(&first).await.body;
    let topic = page.split("id=\"topic-").nth(1).unwrap()[..36].to_owned();
    let member_id = t.db.text("SELECT user_id FROM meeting_participants WHERE role = 'editor'").await;
    for (kind, title) in [
        ("action", "Send the plan"),
        ("action", "Book the room"),
        ("discuss", "Hiring policy"),
        ("discuss", "Parking"),
        ("note", "FYI"),
    ] {
        let mut fields = vec![("topic", topic.as_str()), ("kind", kind), ("title", title)];
        if title == "Send the plan" {
            fields.push(("owner", &member_id));
        }
        if kind == "action" {
            fields.push(("due_date", "2027-03-26"));
        }
        let r = org.post_form(&format!("{first}/elements"), &fields).await;
        assert_eq!(r.status, 303, "{}", r.body);
    }
    let page = org.get(&first).await.body;
    assert!(page.contains("Meeting 1 of a series, every week, 3 meetings"), "{page}");
    assert!(page.contains("Prepare the next meeting: <time>2027-03-29 09:30</time>"));
    status(&org, &first, &element_id(&page, "Book the room"), "done").await;
    status(&org, &first, &element_id(&page, "Parking"), "done").await;
    let page = org.get(&first).await.body;
    assert!(element_html(&page, "Parking").contains("Reopen"), "a topic to discuss is resolved");

    // The next meeting: same local time after the clock change, same
    // people and topics, what is open carried over and marked.
    let r = org.post_form(&format!("{first}/next"), &[]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(r.location().ends_with("?notice=next_prepared"));
    let second = path_of(&r.location());
    let page = org.get(&second).await.body;
    assert!(page.contains("Meeting 2 of a series"));
    assert!(page.contains("Mon 29 Mar 2027, 09:30"), "{page}");
    let id2 = second.rsplit('/').next().unwrap();
    let starts = t.db.text(&format!("SELECT CAST(starts_at AS TEXT) FROM meetings WHERE id = '{id2}'")).await;
    assert_eq!(starts, "1806305400", "09:30 in Paris on 29 March 2027 is 07:30 UTC");
    for carried in ["Send the plan", "Hiring policy"] {
        let html = element_html(&page, carried);
        assert!(html.contains("Carried over from 2027-03-22"), "{carried}: {html}");
        assert!(html.contains(&format!("href=\"{first}\"")));
    }
    assert!(element_html(&page, "Send the plan").contains("Mia member"), "its owner kept");
    assert!(element_html(&page, "Send the plan").contains("2027-03-26"), "its due date kept");
    for left in ["Book the room", "Parking", "FYI"] {
        assert!(!page.contains(&format!("<span class=\"el-title\">{left}</span>")), "{left} is not carried");
    }
    assert!(page.contains("Follow-ups"));
    assert!(page.contains("Mia member"), "the participants come along");
    // The first meeting points to it, says what went, and cannot be
    // followed up twice.
    let page = org.get(&first).await.body;
    assert!(element_html(&page, "Send the plan").contains("Carried over to the next meeting"));
    assert!(page.contains(&format!("href=\"{second}\" rel=\"next\"")));
    assert!(!page.contains("id=\"prepare-next\""));
    let r = org.post_form(&format!("{first}/next"), &[]).await;
    assert_eq!(r.status, 409);
    assert!(r.body.contains("The next meeting has been prepared already"));

    // The backlog: each open item once, where it now is, since when.
    org.get(&second).await;
    org.post_form(&format!("{second}/share"), &[]).await;
    let sid = t.db.text(&format!("SELECT series_id FROM meetings WHERE id = '{id2}'")).await;
    let series = org.get(&format!("/t/{slug}/series/{sid}")).await;
    assert_eq!(series.status, 200);
    assert_eq!(series.body.matches("Send the plan").count(), 1, "{}", series.body);
    assert_eq!(series.body.matches("Hiring policy").count(), 1);
    assert!(!series.body.contains("Book the room") && !series.body.contains("Parking"));
    assert!(series.body.contains("<td>2027-03-22</td>") && series.body.contains("2027-04-05 09:30"), "{}", series.body);

    // Done in the second meeting: gone from the backlog, not carried again;
    // carried twice, an item keeps its first origin.
    let page = org.get(&second).await.body;
    status(&org, &second, &element_id(&page, "Send the plan"), "done").await;
    let r = org.post_form(&format!("{second}/next"), &[]).await;
    let third = path_of(&r.location());
    let page = org.get(&third).await.body;
    assert!(element_html(&page, "Hiring policy").contains("Carried over from 2027-03-22"));
    assert!(!page.contains("<span class=\"el-title\">Send the plan</span>"));
    assert!(page.contains("The series has no further meeting."), "three meetings in all");
    // The series' end is a state of the meeting, not a wrong value: 409.
    let r = org.post_form(&format!("{third}/next"), &[]).await;
    assert_eq!(r.status, 409);
    assert!(r.body.contains("The series has no further meeting."), "{}", r.body);

    // The API: the same backlog; someone not invited sees no series.
    let token = token_for(&org, &slug, "series").await;
    let api = t.client();
    let r = api
        .send(
            api.request(reqwest::Method::GET, &format!("/t/{slug}/api/v1/series/{sid}"))
                .header("authorization", format!("Bearer {token}")),
        )
        .await;
    assert_eq!(r.status, 200);
    let v = r.json();
    assert_eq!(v["meetings"].as_array().unwrap().len(), 3);
    let backlog: Vec<&str> = v["backlog"].as_array().unwrap().iter().map(|b| b["title"].as_str().unwrap()).collect();
    assert_eq!(backlog, vec!["Hiring policy"]);
    assert_eq!(v["backlog"][0]["since"], "2027-03-22");
    let (_stranger, sc) = t.member(&slug, &org, "member").await;
    assert_eq!(sc.get(&format!("/t/{slug}/series/{sid}")).await.status, 404);
    // The member invited to the second meeting sees the series (its shared
    // meetings only).
    let seen = mc.get(&format!("/t/{slug}/series/{sid}")).await;
    assert_eq!(seen.status, 200);
    assert_eq!(seen.body.matches("<li value=").count(), 1, "only the meeting shared with them");
});

both!(a_single_meeting_gets_a_follow_up_at_a_chosen_time, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug, _owner, org) = t.tenant_with_owner().await;
    org.get(&format!("/t/{slug}/meetings")).await;
    let r = org
        .post_form(
            &format!("/t/{slug}/meetings"),
            &[
                ("title", "Kick-off"),
                ("starts_at", "2027-01-11T14:00"),
                ("time_zone", "America/New_York"),
                ("duration_minutes", "60"),
            ],
        )
        .await;
    let first = path_of(&r.location());
    org.post_form(&format!("{first}/topics"), &[("title", "Scope")]).await;
    let page = org.get(&first).await.body;
    let topic = page.split("id=\"topic-").nth(1).unwrap()[..36].to_owned();
    org.post_form(
        &format!("{first}/elements"),
        &[("topic", &topic), ("kind", "action"), ("title", "Draft the charter")],
    )
    .await;
    let page = org.get(&first).await.body;
    assert!(page.contains("value=\"2027-01-18T14:00\""), "a week later is offered");
    assert_eq!(org.post_form(&format!("{first}/next"), &[("starts_at", "2027-02-30T10:00")]).await.status, 422);
    let r = org.post_form(&format!("{first}/next"), &[("starts_at", "2027-01-20T10:00")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let second = path_of(&r.location());
    let page = org.get(&second).await.body;
    assert!(page.contains("Wed 20 Jan 2027, 10:00") && page.contains("America/New_York"), "{page}");
    assert!(page.contains(&format!("href=\"{first}\" rel=\"prev\"")));
    assert!(element_html(&page, "Draft the charter").contains("Carried over from 2027-01-11"));
    assert!(!page.contains("Meeting 1 of a series"), "not a series");

    // Through the API without a time: a week later, at the same time.
    let token = token_for(&org, &slug, "follow-up").await;
    let api = t.client();
    let next = format!("/t/{slug}/api/v1/meetings/{}/next", second.rsplit('/').next().unwrap());
    let r =
        api.send(api.request(reqwest::Method::POST, &next).header("authorization", format!("Bearer {token}"))).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let third = r.json()["id"].as_str().unwrap().to_owned();
    let page = org.get(&format!("/t/{slug}/meetings/{third}")).await.body;
    assert!(page.contains("Wed 27 Jan 2027, 10:00"), "a week after the second");
});
