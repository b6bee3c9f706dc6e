//! Meetings: the agenda becomes the note space; participants see a meeting
//! only once access is shared; roles decide who adds and edits.

use crate::helpers::*;

mod agenda;
mod history;
mod storage;

/// Create a meeting through the form; returns its path.
async fn new_meeting(c: &Client, slug: &str, title: &str) -> String {
    c.get(&format!("/t/{slug}/meetings")).await;
    let r = c
        .post_form(
            &format!("/t/{slug}/meetings"),
            &[
                ("title", title),
                ("starts_at", "2026-12-01T09:30"),
                ("time_zone", "Europe/Paris"),
                ("duration_minutes", "45"),
                ("place", "Salle Jaurès"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let loc = r.location();
    loc.split('?').next().unwrap().to_owned()
}

fn ids_after<'a>(body: &'a str, marker: &str) -> Vec<&'a str> {
    body.match_indices(marker).map(|(i, _)| &body[i + marker.len()..i + marker.len() + 36]).collect()
}

both!(a_team_runs_its_meeting, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug, _owner, org) = t.tenant_with_owner().await;
    let (member, mc) = t.member(&slug, &org, "member").await;
    let path = new_meeting(&org, &slug, "Weekly product review").await;
    let page = org.get(&path).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("Weekly product review")
            && page.body.contains("Tue 1 Dec 2026, 09:30")
            && page.body.contains("Europe/Paris")
    );

    // The agenda: a topic, a sub-topic.
    assert_eq!(org.post_form(&format!("{path}/topics"), &[("title", "Roadmap")]).await.status, 303);
    let page = org.get(&path).await;
    let topic = ids_after(&page.body, "id=\"topic-")[0].to_owned();
    assert_eq!(
        org.post_form(&format!("{path}/topics"), &[("title", "Q1 priorities"), ("parent", &topic)]).await.status,
        303
    );

    // Participants: an existing member (contributor) and a new address.
    assert_eq!(
        org.post_form(&format!("{path}/participants"), &[("email", &member), ("role", "contributor")]).await.status,
        303
    );
    let guest = TestApp::email("guest");
    assert_eq!(
        org.post_form(&format!("{path}/participants"), &[("email", &guest), ("role", "reader")]).await.status,
        303
    );
    // The topic's page lists the participants to assign.
    let page = org.get(&format!("{path}/topics/{topic}/edit")).await;
    let member_id = page
        .body
        .split("<option value=\"")
        .filter_map(|s| s.split('"').next())
        .find(|v| v.len() == 36 && page.body.contains(&format!("value=\"{v}\">Mia member")))
        .unwrap()
        .to_owned();

    // The five kinds of element; an action owned by the member.
    for (kind, title) in [("decision", "Ship v2 in March"), ("discuss", "Pricing"), ("note", "Sales are up")] {
        let r =
            org.post_form(&format!("{path}/elements"), &[("topic", &topic), ("kind", kind), ("title", title)]).await;
        assert_eq!(r.status, 303, "{kind}: {}", r.body);
    }
    // An image element is an uploaded picture (and cannot be made without one).
    let r = org.post_form(&format!("{path}/elements"), &[("topic", &topic), ("kind", "image"), ("title", "x")]).await;
    assert_eq!(r.status, 422);
    let r = org
        .post_multipart(
            &format!("{path}/images"),
            &[("topic", &topic), ("title", "Whiteboard")],
            Some(("board.png", "image/png", &png(40, 30))),
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let r = org
        .post_form(
            &format!("{path}/elements"),
            &[
                ("topic", &topic),
                ("kind", "action"),
                ("title", "Draft the release notes"),
                ("owner", &member_id),
                ("due_date", "2026-12-10"),
            ],
        )
        .await;
    assert_eq!(r.status, 303);

    // The admins' overview lists every action of the organisation.
    let overview = org.get(&format!("/t/{slug}/admin/actions")).await;
    assert!(overview.body.contains("Draft the release notes") && overview.body.contains("Mia member"));
    assert_eq!(mc.get(&format!("/t/{slug}/admin/actions")).await.status, 403);
    // Adding participants sent nothing, and they cannot see the meeting yet.
    assert_eq!(mc.get(&path).await.status, 404);
    assert!(t.mails_to(&guest).is_empty());

    // Share access: invitations with the agenda and a link.
    assert_eq!(org.post_form(&format!("{path}/share"), &[]).await.status, 303);
    let mail = t.wait_mails(&guest, 1).await.remove(0);
    assert!(mail.subject.contains("Weekly product review"));
    assert!(mail.body.contains("- Roadmap") && mail.body.contains(&path), "{}", mail.body);
    t.wait_mails(&member, 2).await;

    // The member sees it, adds a note, marks their action done.
    let page = mc.get(&path).await;
    assert_eq!(page.status, 200);
    for text in [
        "Ship v2 in March",
        "Pricing",
        "Sales are up",
        "Whiteboard",
        "Draft the release notes",
        "Q1 priorities",
        "due 2026-12-10",
    ] {
        assert!(page.body.contains(text), "{text}");
    }
    assert_eq!(
        mc.post_form(&format!("{path}/elements"), &[("topic", &topic), ("kind", "note"), ("title", "From Mia")])
            .await
            .status,
        303
    );
    let action = ids_after(&page.body, "/elements/")
        .into_iter()
        .find(|id| page.body.contains(&format!("/elements/{id}/status")))
        .unwrap()
        .to_owned();
    // Remarks: the member comments on the decision, the organiser replies.
    // The first element on the page is the decision (added first).
    let decision = ids_after(&page.body, "id=\"el-")[0].to_owned();
    assert!(page.body.contains(&format!("id=\"el-{decision}\"")));
    let r = mc.post_form(&format!("{path}/elements/{decision}/comments"), &[("body", "Is March realistic?")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = org.get(&path).await;
    let comment = ids_after(&page.body, "id=\"c-")[0].to_owned();
    let r = org
        .post_form(
            &format!("{path}/elements/{decision}/comments"),
            &[("body", "Yes, with two more people."), ("parent", &comment)],
        )
        .await;
    assert_eq!(r.status, 303);
    let page = mc.get(&path).await;
    assert!(page.body.contains("Is March realistic?") && page.body.contains("comment reply"));
    assert!(page.body.contains("Yes, with two more people."));
    let r = mc.post_form(&format!("{path}/elements/{decision}/comments"), &[("body", "   ")]).await;
    assert_eq!(r.status, 422);
    // The member's dashboard lists the meeting and the open action.
    let home = mc.get(&format!("/t/{slug}/")).await.body;
    assert!(home.contains("Weekly product review") && home.contains("Draft the release notes"), "{home}");
    assert!(!mc.get(&format!("/t/{slug}/?actions=overdue")).await.body.contains("Draft the release notes"));
    mc.get(&path).await;
    assert_eq!(mc.post_form(&format!("{path}/elements/{action}/status"), &[("status", "done")]).await.status, 303);
    assert!(!mc.get(&format!("/t/{slug}/?actions=open")).await.body.contains("Draft the release notes"));
    assert!(mc.get(&format!("/t/{slug}/?actions=done")).await.body.contains("Draft the release notes"));
    // Ticked from the dashboard, beside the meeting's name: back to the same
    // list. Where it comes back to is built from known values only.
    let home = mc.get(&format!("/t/{slug}/?actions=done")).await.body;
    assert!(home.contains("· Weekly product review") && home.contains("formaction="), "{home}");
    let id = path.rsplit('/').next().unwrap();
    let back = format!("done:{id}");
    let r = mc.post_form(&format!("{path}/elements/{action}/status"), &[("status", "open"), ("_back", &back)]).await;
    assert_eq!((r.status, r.location()), (303, format!("/t/{slug}/?actions=done&meeting={id}")));
    let filtered = mc.get(&r.location()).await.body;
    assert!(!filtered.contains("Draft the release notes") && filtered.contains("selected>Weekly product review"));
    let evil = [("status", "done"), ("_back", "//evil.example/x")];
    let r = mc.post_form(&format!("{path}/elements/{action}/status"), &evil).await;
    assert_eq!((r.status, r.location()), (303, format!("/t/{slug}/?actions=open")));
    // Ten days after the due date, an open action shows as overdue.
    mc.get(&path).await;
    mc.post_form(&format!("{path}/elements/{action}/status"), &[("status", "open")]).await;
    t.clock.advance_secs(30 * 86_400);
    mc.login(&slug, &member, PASSWORD).await;
    assert!(mc.get(&format!("/t/{slug}/?actions=overdue")).await.body.contains("Draft the release notes"));
    t.clock.advance_secs(-30 * 86_400);
    mc.get(&path).await;
    assert_eq!(mc.post_form(&format!("{path}/elements/{action}/status"), &[("status", "done")]).await.status, 303);
    // A contributor does not reorder; the organiser does.
    assert_eq!(mc.post_form(&format!("{path}/elements/{action}/move"), &[("direction", "up")]).await.status, 403);
    assert_eq!(org.post_form(&format!("{path}/elements/{action}/move"), &[("direction", "up")]).await.status, 303);
    let page = org.get(&path).await;
    assert!(page.body.contains("From Mia"));
    assert!(page.body.contains("kind-action done"), "the organiser sees the action done");
    let pos_action = page.body.find("Draft the release notes").unwrap();
    let pos_image = page.body.find("Whiteboard").unwrap();
    assert!(pos_action < pos_image, "moved up above the image");

    // Archived: read-only for everyone.
    assert_eq!(org.post_form(&format!("{path}/archive"), &[]).await.status, 303);
    let r =
        org.post_form(&format!("{path}/elements"), &[("topic", &topic), ("kind", "note"), ("title", "Too late")]).await;
    assert_eq!(r.status, 403);
    assert!(!org.get(&path).await.body.contains("quick-add"));
});

both!(meetings_are_private_to_their_participants, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug, _owner, org) = t.tenant_with_owner().await;
    let (_admin, admin) = t.member(&slug, &org, "admin").await;
    let (other_slug, _o2, other) = t.tenant_with_owner().await;
    let path = new_meeting(&org, &slug, "Board meeting").await;
    let id = path.rsplit('/').next().unwrap();
    // A tenant admin who is not a participant does not see it.
    assert_eq!(admin.get(&path).await.status, 404);
    // Another tenant's user, with this tenant's URL or its own: not found.
    assert_eq!(other.get(&path).await.status, 404);
    assert_eq!(other.get(&format!("/t/{other_slug}/meetings/{id}")).await.status, 404);
    other.get(&format!("/t/{other_slug}/")).await;
    let r = other.post_form(&format!("/t/{other_slug}/meetings/{id}/topics"), &[("title", "Injected")]).await;
    assert_eq!(r.status, 404);
    assert!(!org.get(&path).await.body.contains("Injected"));
});

both!(meeting_input_is_checked_and_conflicts_are_shown, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug, _owner, org) = t.tenant_with_owner().await;
    org.get(&format!("/t/{slug}/meetings")).await;
    for (field, bad) in
        [("title", ""), ("time_zone", "Mars/Olympus"), ("starts_at", "tomorrow"), ("duration_minutes", "0")]
    {
        let mut form = vec![
            ("title", "OK"),
            ("starts_at", "2026-12-01T09:30"),
            ("time_zone", "Europe/Paris"),
            ("duration_minutes", "30"),
            ("place", ""),
        ];
        for f in form.iter_mut() {
            if f.0 == field {
                f.1 = bad;
            }
        }
        let r = org.post_form(&format!("/t/{slug}/meetings"), &form).await;
        assert_eq!(r.status, 422, "{field}");
        assert!(r.body.contains(&format!("id=\"{field}-error\"")), "{field}: field-level error");
    }
    assert!(org.get(&format!("/t/{slug}/meetings")).await.body.contains("No meetings yet"), "nothing was created");

    // Two people edit the details from the same version: the second is told.
    let path = new_meeting(&org, &slug, "Budget").await;
    let page = org.get(&path).await;
    let version = page.body.split("name=\"version\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let form = |title: &'static str, v: &str| {
        vec![
            ("title", title.to_owned()),
            ("starts_at", "2026-12-01T09:30".into()),
            ("time_zone", "Europe/Paris".into()),
            ("duration_minutes", "30".into()),
            ("version", v.to_owned()),
        ]
    };
    let f1 = form("Budget 2027", &version);
    let f1: Vec<(&str, &str)> = f1.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(org.post_form(&format!("{path}/edit"), &f1).await.status, 303);
    let f2 = form("Budget (old tab)", &version);
    let f2: Vec<(&str, &str)> = f2.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = org.post_form(&format!("{path}/edit"), &f2).await;
    assert_eq!(r.status, 409);
    assert!(r.body.contains("Someone saved this meeting"));
    assert!(org.get(&path).await.body.contains("Budget 2027"));
});

both!(participant_suggestions_only_show_people_already_met, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug, _owner, org) = t.tenant_with_owner().await;
    let (met, _mc) = t.member(&slug, &org, "member").await;
    let (stranger, _sc) = t.member(&slug, &org, "member").await;
    let first = new_meeting(&org, &slug, "First").await;
    org.post_form(&format!("{first}/participants"), &[("email", &met), ("role", "reader")]).await;
    let second = new_meeting(&org, &slug, "Second").await;
    // The page names where the suggestions come from, loaded on demand.
    let page = org.get(&second).await.body;
    assert!(page.contains(&format!("data-people=\"/t/{slug}/api/v1/people\"")));
    assert!(!page.contains(&met), "not in the page itself");
    let people = org.get(&format!("/t/{slug}/api/v1/people")).await.json();
    let emails: Vec<&str> = people["people"].as_array().unwrap().iter().map(|p| p["email"].as_str().unwrap()).collect();
    assert_eq!(
        emails,
        [met.as_str()],
        "someone met in a meeting is suggested, not the tenant's directory ({stranger})"
    );
    // Someone who has met nobody gets nobody.
    let (_, lonely) = t.member(&slug, &org, "member").await;
    assert_eq!(lonely.get(&format!("/t/{slug}/api/v1/people")).await.json()["people"], serde_json::json!([]));
});

both!(a_participant_added_by_address_activates_from_the_invitation, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug, _owner, org) = t.tenant_with_owner().await;
    let path = new_meeting(&org, &slug, "Kick-off with a partner").await;
    org.post_form(&format!("{path}/topics"), &[("title", "Scope and planning")]).await;
    let partner = TestApp::email("partner");
    let r = org.post_form(&format!("{path}/participants"), &[("email", &partner), ("role", "contributor")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    // Adding sends nothing; sharing sends the agenda and the way in.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(t.mails_to(&partner).is_empty(), "mail sent before sharing");
    org.post_form(&format!("{path}/share"), &[]).await;
    let mail = t.wait_mails(&partner, 1).await.remove(0);
    assert!(mail.subject.contains("Kick-off with a partner"), "{}", mail.subject);
    assert!(mail.body.contains("Scope and planning"), "the agenda is in the invitation: {}", mail.body);
    let activate = mail.link("/activate/").expect("a new account's invitation carries its activation link");
    let open = mail.link("/meetings/").expect("and the meeting's link");
    let c = t.client();
    c.activate(&activate, "Pat Partner", PASSWORD).await;
    c.login(&slug, &partner, PASSWORD).await;
    let page = c.get(&open).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Kick-off with a partner") && page.body.contains("Scope and planning"));
    // A pending account made this way is a guest: no meetings of its own.
    c.get(&format!("/t/{slug}/meetings")).await;
    let r = c
        .post_form(
            &format!("/t/{slug}/meetings"),
            &[("title", "Mine"), ("starts_at", "2026-12-01T09:30"), ("time_zone", "UTC"), ("duration_minutes", "30")],
        )
        .await;
    assert_eq!(r.status, 403);
    // The link worked once.
    assert_eq!(t.client().get(&activate).await.status, 410);
});

both!(the_dashboard_shows_upcoming_and_recent_meetings_and_my_actions, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug, _owner, org) = t.tenant_with_owner().await;
    let (member, mc) = t.member(&slug, &org, "member").await;
    // One meeting last week, one next week (the test clock is "now").
    let day = 86_400;
    let now = t.app.now().unix();
    let local = |unix: i64| ordo_core::meeting::Start::local(ordo_core::time::Timestamp::from_unix(unix), "UTC");
    let mut paths = Vec::new();
    for (title, at) in [("Retro of last week", now - 7 * day), ("Planning of next week", now + 7 * day)] {
        org.get(&format!("/t/{slug}/meetings")).await;
        let r = org
            .post_form(
                &format!("/t/{slug}/meetings"),
                &[("title", title), ("starts_at", &local(at)), ("time_zone", "UTC"), ("duration_minutes", "30")],
            )
            .await;
        let path = r.location().split('?').next().unwrap().to_owned();
        org.post_form(&format!("{path}/topics"), &[("title", "Actions")]).await;
        org.post_form(&format!("{path}/participants"), &[("email", &member), ("role", "reader")]).await;
        paths.push(path);
    }
    let topic = ids_after(&org.get(&paths[0]).await.body, "id=\"topic-")[0].to_owned();
    let member_id = org.get(&format!("/t/{slug}/api/v1/members")).await.json()["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["email"] == member.as_str())
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let overdue = ordo_core::meeting::Start::local(ordo_core::time::Timestamp::from_unix(now - 2 * day), "UTC");
    org.post_form(
        &format!("{}/elements", paths[0]),
        &[
            ("topic", &topic),
            ("kind", "action"),
            ("title", "Send the retro notes"),
            ("owner", &member_id),
            ("due_date", &overdue[..10]),
        ],
    )
    .await;
    // Not shared yet: nothing shows for the member.
    let home = mc.get(&format!("/t/{slug}/")).await.body;
    assert!(!home.contains("Retro of last week") && !home.contains("Send the retro notes"), "{home}");
    for p in &paths {
        org.get(p).await;
        org.post_form(&format!("{p}/share"), &[]).await;
    }
    let home = mc.get(&format!("/t/{slug}/")).await.body;
    // Under "Upcoming", the next; under "Recent", the past one.
    let (upcoming, recent) = home.split_once("id=\"up-h\"").unwrap().1.split_once("Recent").unwrap();
    assert!(upcoming.contains("Planning of next week") && !upcoming.contains("Retro of last week"), "{home}");
    assert!(recent.split("id=\"act-h\"").next().unwrap().contains("Retro of last week"), "{home}");
    assert!(home.contains("Send the retro notes"), "{home}");
    // The same through the API, with the status and due date.
    let actions = mc.get(&format!("/t/{slug}/api/v1/actions")).await.json();
    let a = &actions["actions"].as_array().unwrap()[0];
    assert_eq!((a["title"].as_str(), a["status"].as_str()), (Some("Send the retro notes"), Some("open")));
    assert_eq!(a["due_date"].as_str(), Some(&overdue[..10]));
});

// Invited to two meetings before having an account: either invitation's
// link lets the person in, once; the second invitation does not quietly
// break the first one's link.
both!(a_second_invitation_keeps_the_first_link_working, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug, _owner, org) = t.tenant_with_owner().await;
    let partner = TestApp::email("partner");
    let mut links = Vec::new();
    for (i, title) in ["First with a partner", "Second with a partner"].iter().enumerate() {
        let path = new_meeting(&org, &slug, title).await;
        let r = org.post_form(&format!("{path}/participants"), &[("email", &partner), ("role", "reader")]).await;
        assert_eq!(r.status, 303, "{}", r.body);
        org.post_form(&format!("{path}/share"), &[]).await;
        let mail = t.wait_mails(&partner, i + 1).await.remove(i);
        links.push(mail.link("/activate/").expect("an activation link"));
    }
    assert_ne!(links[0], links[1]);
    // The first mail's link still works after the second was sent.
    let c = t.client();
    c.activate(&links[0], "Pat Partner", PASSWORD).await;
    c.login(&slug, &partner, PASSWORD).await;
    // And then neither works any more.
    for l in &links {
        assert_eq!(t.client().get(l).await.status, 410, "{l}");
    }
});

both!(the_meetings_list_splits_upcoming_past_and_series_and_filters, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug, _owner, org) = t.tenant_with_owner().await;
    let (mia, _) = t.member(&slug, &org, "member").await;
    let list = |q: &str| format!("/t/{slug}/meetings{q}");
    // Nothing yet: the new-meeting form is open.
    assert!(org.get(&list("")).await.body.contains("<details class=\"new-meeting\" open>"));
    let past = new_meeting(&org, &slug, "Rétrospective de novembre").await;
    org.post_form(&format!("{past}/participants"), &[("email", &mia), ("role", "reader")]).await;
    org.get(&list("")).await;
    let r = org
        .post_form(
            &list(""),
            &[
                ("title", "Comité hebdo"),
                ("starts_at", "2027-03-01T09:00"),
                ("time_zone", "Europe/Paris"),
                ("duration_minutes", "30"),
                ("repeat", "weekly"),
                ("interval", "1"),
                ("count", "3"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    org.get(&list("")).await;
    let r = org
        .post_form(
            &list(""),
            &[("title", "Budget 2027"), ("starts_at", "2027-02-01T14:00"), ("time_zone", "Europe/Paris")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);

    // Upcoming, the soonest first; the form behind its button now.
    let upcoming = org.get(&list("")).await.body;
    assert!(upcoming.contains("<details class=\"new-meeting\">"), "closed");
    let (budget, comite) = (upcoming.find("Budget 2027").unwrap(), upcoming.find("Comité hebdo").unwrap());
    assert!(budget < comite, "the soonest first");
    assert!(!upcoming.contains("Rétrospective"), "past meetings are under Past");
    let past_list = org.get(&list("?view=past")).await.body;
    assert!(past_list.contains("Rétrospective de novembre") && !past_list.contains("Budget 2027"));
    // Series: each once, with how many meetings and the next one.
    let series = org.get(&list("?view=series")).await.body;
    assert_eq!(series.matches("Comité hebdo").count(), 1, "{series}");
    assert!(series.contains("1 meeting ·"), "one made so far: {series}");
    assert!(series.contains("next: 2027-03-01 09:00") && !series.contains("Budget 2027"), "{series}");
    // A text filter finds titles without their accents, and people by name.
    let found = org.get(&list("?view=past&q=retrospective")).await.body;
    assert!(found.contains("Rétrospective de novembre"));
    let by_person = org.get(&list("?view=past&q=Mia")).await.body;
    assert!(by_person.contains("Rétrospective de novembre"), "Mia takes part in it");
    let nobody = org.get(&list("?q=Mia")).await.body;
    assert!(!nobody.contains("Budget 2027") && nobody.contains("No meeting here."), "Mia is in no upcoming meeting");
    // The tabs keep the filter.
    assert!(by_person.contains("?view=series&#38;q=Mia"), "{by_person}");
});
