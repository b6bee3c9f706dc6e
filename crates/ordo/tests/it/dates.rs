//! Dates and times in the reader's time zone and language: the zone the
//! browser tells at sign-in (kept once), the profile's setting, meetings
//! and remarks shown in it, due dates told from today.

use crate::helpers::*;

both!(times_are_shown_in_the_readers_zone_and_language, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug, owner, org) = t.tenant_with_owner().await;
    // A meeting at 09:30 in Paris (08:30 UTC; 03:30 in New York).
    org.get(&format!("/t/{slug}/meetings")).await;
    let r = org
        .post_form(
            &format!("/t/{slug}/meetings"),
            &[
                ("title", "Zones"),
                ("starts_at", "2026-12-07T09:30"),
                ("time_zone", "Europe/Paris"),
                ("duration_minutes", "45"),
            ],
        )
        .await;
    let path = r.location().split('?').next().unwrap().to_owned();
    org.post_form(&format!("{path}/topics"), &[("title", "Plans")]).await;
    let topic = org.get(&path).await.body.split("id=\"topic-").nth(1).unwrap()[..36].to_owned();
    let owner_id = t.db.text("SELECT user_id FROM meeting_participants WHERE role = 'organiser'").await;
    let today = ordo_core::meeting::day_in(t.app.now(), "America/New_York").unwrap();
    let day = |n: i64| today.checked_add(jiff::Span::new().days(n)).unwrap().to_string();
    for (title, due) in [("Due tomorrow", day(1)), ("Late", day(-3)), ("Far", day(40))] {
        let r = org
            .post_form(
                &format!("{path}/elements"),
                &[("topic", &topic), ("kind", "action"), ("title", title), ("owner", &owner_id), ("due_date", &due)],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
    }
    let me_api = format!("/t/{slug}/api/v1/me");
    assert_eq!(org.get(&me_api).await.json()["time_zone"], serde_json::Value::Null, "none yet");

    // Signing in from a browser in New York: its zone is kept.
    let c = t.client();
    c.get(&format!("/t/{slug}/login")).await;
    let r = c
        .post_form(
            &format!("/t/{slug}/login"),
            &[("email", &owner), ("password", PASSWORD), ("_tz", "America/New_York")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(c.get(&me_api).await.json()["time_zone"], "America/New_York");
    let page = c.get(&path).await.body;
    assert!(page.contains("<time>Mon 7 Dec 2026, 03:30</time> (America/New_York)"), "{page}");
    for list in [format!("/t/{slug}/"), format!("/t/{slug}/meetings?view=past")] {
        let body = c.get(&list).await.body;
        assert!(body.contains("Mon 7 Dec 2026, 03:30 (America/New_York)"), "{list}: {body}");
    }
    // Due dates told from today where the user is.
    let home = c.get(&format!("/t/{slug}/")).await.body;
    assert!(home.contains(&format!("<time datetime=\"{}\">due tomorrow</time>", day(1))), "{home}");
    let late = format!("<time datetime=\"{}\">overdue by 3 days</time>", day(-3));
    assert!(home.contains(&late), "{home}");
    let far = today.checked_add(jiff::Span::new().days(40)).unwrap();
    assert!(home.contains(&format!("due {}", ordo_core::dates::day(far, ordo_core::user::Locale::En))), "{home}");
    // A new meeting is offered in the user's zone.
    assert!(
        c.get(&format!("/t/{slug}/meetings"))
            .await
            .body
            .contains("name=\"time_zone\" type=\"text\" required value=\"America/New_York\"")
    );

    // A later sign-in from elsewhere does not overwrite it; an unknown zone
    // from a browser is ignored.
    for tz in ["Asia/Tokyo", "Mars/Olympus"] {
        let other = t.client();
        other.get(&format!("/t/{slug}/login")).await;
        let r = other
            .post_form(&format!("/t/{slug}/login"), &[("email", &owner), ("password", PASSWORD), ("_tz", tz)])
            .await;
        assert_eq!(r.status, 303);
    }
    assert_eq!(c.get(&me_api).await.json()["time_zone"], "America/New_York");

    // The profile sets it; French shows French names; a bad zone is refused
    // on the page, and nothing is changed.
    c.get(&format!("/t/{slug}/settings/profile")).await;
    let r = c
        .post_form(
            &format!("/t/{slug}/settings/profile"),
            &[("display_name", "Olivia Owner"), ("locale", "fr"), ("time_zone", "Atlantis/Capital")],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Unknown time zone") && r.body.contains("value=\"Atlantis/Capital\""), "{}", r.body);
    let r = c
        .post_form(
            &format!("/t/{slug}/settings/profile"),
            &[("display_name", "Olivia Owner"), ("locale", "fr"), ("time_zone", "Europe/Paris")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = c.get(&path).await.body;
    assert!(page.contains("<time>lun. 7 déc. 2026, 09:30</time> (Europe/Paris)"), "{page}");
    // Through the API too; absent, the zone is kept; empty clears it.
    let token = token_for(&c, &slug, "zones").await;
    let api = t.client();
    let patch = |body: serde_json::Value| {
        api.request(reqwest::Method::PATCH, &me_api)
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", "application/json")
            .body(body.to_string())
    };
    let r = api.send(patch(serde_json::json!({ "display_name": "Olivia Owner", "locale": "en" }))).await;
    assert_eq!(r.json()["time_zone"], "Europe/Paris", "{}", r.body);
    let r =
        api.send(patch(serde_json::json!({ "display_name": "Olivia Owner", "locale": "en", "time_zone": "" }))).await;
    assert_eq!(r.json()["time_zone"], serde_json::Value::Null, "{}", r.body);
    let r = api.send(patch(serde_json::json!({ "display_name": "O", "locale": "en", "time_zone": "Nope/Nope" }))).await;
    assert_eq!((r.status, r.json()["error"]["code"].as_str()), (422, Some("time_zone.invalid")), "{}", r.body);
    // Without a zone, a meeting is shown in its own.
    assert!(c.get(&path).await.body.contains("<time>Mon 7 Dec 2026, 09:30</time> (Europe/Paris)"));
});
