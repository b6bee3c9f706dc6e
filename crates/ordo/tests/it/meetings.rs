//! Meetings: the agenda becomes the note space; participants see a meeting
//! only once access is shared; roles decide who adds and edits.

use crate::helpers::*;

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
            && page.body.contains("2026-12-01 09:30")
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
    let page = org.get(&path).await;
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

both!(meeting_content_is_encrypted_at_rest, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug, _owner, org) = t.tenant_with_owner().await;
    let path = new_meeting(&org, &slug, "Confidential merger talks").await;
    org.post_form(&format!("{path}/topics"), &[("title", "Valuation of Zephyr Corp")]).await;
    let page = org.get(&path).await;
    let topic = ids_after(&page.body, "id=\"topic-")[0].to_owned();
    org.post_form(
        &format!("{path}/elements"),
        &[("topic", &topic), ("kind", "decision"), ("title", "Offer 42 million")],
    )
    .await;
    // string_agg: PostgreSQL, and SQLite since 3.44 (the bundled one is newer).
    let dump =
        t.db.text(
            "SELECT COALESCE(string_agg(v, '|'), '') FROM (
               SELECT title || objectives || place AS v FROM meetings
               UNION ALL SELECT title FROM topics UNION ALL SELECT title || description FROM elements) x",
        )
        .await;
    assert!(!dump.is_empty());
    for secret in ["Confidential merger", "Zephyr", "42 million", "Salle Jaurès"] {
        assert!(!dump.contains(secret), "{secret} stored in clear");
    }
    assert!(org.get(&path).await.body.contains("Offer 42 million"));
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

both!(elements_are_edited_sanitised_moved_and_conflicts_detected, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug, _owner, org) = t.tenant_with_owner().await;
    let path = new_meeting(&org, &slug, "Edits").await;
    org.post_form(&format!("{path}/topics"), &[("title", "First topic")]).await;
    org.post_form(&format!("{path}/topics"), &[("title", "Second topic")]).await;
    let page = org.get(&path).await;
    let topics = ids_after(&page.body, "id=\"topic-").into_iter().map(str::to_owned).collect::<Vec<_>>();
    org.post_form(&format!("{path}/elements"), &[("topic", &topics[0]), ("kind", "note"), ("title", "A note")]).await;
    let page = org.get(&path).await;
    let el = ids_after(&page.body, "id=\"el-")[0].to_owned();
    // The edit form has its own page.
    let edit = org.get(&format!("{path}/elements/{el}/edit")).await;
    assert_eq!(edit.status, 200);
    let version = edit.body.split("name=\"version\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let payload = r#"<b>Bold</b> <mark>key</mark> <script>alert('x')</script><img src=x onerror=alert(1)><a href="javascript:alert(1)">bad</a> <a href="https://example.org">good</a>"#;
    let r = org
        .post_form(
            &format!("{path}/elements/{el}/edit"),
            &[("title", "A better note"), ("description", payload), ("topic", &topics[1]), ("version", &version)],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = org.get(&path).await.body;
    assert!(page.contains("<b>Bold</b>") && page.contains("<mark>key</mark>"));
    assert!(page.contains(r#"<a href="https://example.org" rel="noopener noreferrer nofollow">good</a>"#));
    for evil in ["<script>alert", "onerror", "javascript:alert"] {
        assert!(!page.contains(evil), "{evil} reached the page");
    }
    // Moved to the second topic.
    let second = page.find(&format!("id=\"topic-{}\"", topics[1])).unwrap();
    assert!(page.find("A better note").unwrap() > second);
    // A second edit from the same (now stale) version is refused, and shown.
    let r = org
        .post_form(
            &format!("{path}/elements/{el}/edit"),
            &[("title", "Stale"), ("topic", &topics[1]), ("version", &version)],
        )
        .await;
    assert_eq!(r.status, 409);
    assert!(r.body.contains("Someone saved"));
    assert!(r.body.contains("name=\"version\""), "the edit form is shown again");
    assert!(!org.get(&path).await.body.contains("Stale"));
});

both!(images_are_checked_sealed_and_served_only_to_participants, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug, _owner, org) = t.tenant_with_owner().await;
    let (_a, admin) = t.member(&slug, &org, "admin").await;
    let path = new_meeting(&org, &slug, "Pictures").await;
    org.post_form(&format!("{path}/topics"), &[("title", "Board")]).await;
    let page = org.get(&path).await;
    let topic = ids_after(&page.body, "id=\"topic-")[0].to_owned();
    let picture = png(64, 48);
    let r = org
        .post_multipart(
            &format!("{path}/images"),
            &[("topic", &topic), ("title", "Roadmap board")],
            Some(("b.png", "image/png", &picture)),
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = org.get(&path).await.body;
    let el = ids_after(&page, "id=\"el-")[0].to_owned();
    assert!(page.contains(&format!("{path}/elements/{el}/image")));
    let img = org.get(&format!("{path}/elements/{el}/image")).await;
    assert_eq!(img.status, 200);
    assert_eq!(img.header("content-type").as_deref(), Some("image/png"));
    assert_eq!(img.header("x-content-type-options").as_deref(), Some("nosniff"));
    assert!(img.header("content-disposition").unwrap().starts_with("inline; filename="));
    // Served only to those who may see the meeting.
    assert_eq!(admin.get(&format!("{path}/elements/{el}/image")).await.status, 404);
    assert_eq!(t.client().get(&format!("{path}/elements/{el}/image")).await.status, 303);
    // Sealed in the database: the PNG signature is nowhere in clear.
    let stored = t.db.text("SELECT data FROM attachments").await;
    assert!(stored.starts_with("e1."));
    use base64::Engine as _;
    assert!(!stored.contains(&base64::engine::general_purpose::STANDARD_NO_PAD.encode(&picture[..12])));
    // Checked by content: HTML named .png, a truncated PNG.
    for (name, bytes, code) in [
        ("evil.png", b"<html><script>alert(1)</script></html>".to_vec(), "Only PNG, JPEG, WebP and GIF"),
        ("cut.png", picture[..40].to_vec(), "not a readable image"),
    ] {
        let r = org
            .post_multipart(
                &format!("{path}/images"),
                &[("topic", &topic), ("title", name)],
                Some((name, "image/png", &bytes)),
            )
            .await;
        assert_eq!(r.status, 422, "{name}");
        assert!(r.body.contains(code), "{name}: {}", r.body);
    }
    // No anti-forgery token: refused.
    let r = org
        .send(
            org.request(reqwest::Method::POST, &format!("{path}/images"))
                .header("content-type", "multipart/form-data; boundary=x")
                .body("--x\r\nContent-Disposition: form-data; name=\"topic\"\r\n\r\nabc\r\n--x--\r\n"),
        )
        .await;
    assert_eq!(r.status, 403, "uploads need the anti-forgery token too");
    // Only the one good image was stored.
    assert_eq!(t.db.text("SELECT CAST(COUNT(*) AS TEXT) FROM attachments").await, "1");
});

both!(who_contributes_to_what, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug, _owner, org) = t.tenant_with_owner().await;
    let (alice, ac) = t.member(&slug, &org, "member").await;
    let (bob, bc) = t.member(&slug, &org, "member").await;
    let path = new_meeting(&org, &slug, "Split work").await;
    org.post_form(&format!("{path}/topics"), &[("title", "Sales")]).await;
    org.post_form(&format!("{path}/topics"), &[("title", "Open floor")]).await;
    for who in [&alice, &bob] {
        org.post_form(&format!("{path}/participants"), &[("email", who), ("role", "contributor")]).await;
    }
    org.post_form(&format!("{path}/share"), &[]).await;
    let page = org.get(&path).await.body;
    let topics = ids_after(&page, "id=\"topic-").into_iter().map(str::to_owned).collect::<Vec<_>>();
    let members = org.get(&format!("/t/{slug}/api/v1/members")).await.json();
    let alice_id = members["members"].as_array().unwrap().iter().find(|m| m["email"] == alice.as_str()).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // Only Alice contributes to "Sales".
    let r = org.post_form(&format!("{path}/topics/{}/contributors", topics[0]), &[("user", &alice_id)]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = org.get(&path).await.body;
    let listed = page.split("class=\"muted contributors\"").nth(1).unwrap_or_default();
    assert!(listed.split("</div>").next().unwrap_or_default().contains("Mia member"), "{page}");
    for (client, expected) in [(&ac, 303), (&bc, 403)] {
        client.get(&path).await;
        let r = client
            .post_form(&format!("{path}/elements"), &[("topic", &topics[0]), ("kind", "note"), ("title", "Sales note")])
            .await;
        // Both are called "Mia member"; only the assigned one may add.
        assert_eq!(r.status, expected);
    }
    // Anyone may add to a topic without listed contributors.
    bc.get(&path).await;
    let r = bc
        .post_form(&format!("{path}/elements"), &[("topic", &topics[1]), ("kind", "note"), ("title", "Open note")])
        .await;
    assert_eq!(r.status, 303);
    // ... but not move their note into the assigned topic.
    let api_path = path.replace(&format!("/t/{slug}/"), &format!("/t/{slug}/api/v1/"));
    let j = bc.get(&api_path).await.json();
    let note = j["elements"].as_array().unwrap().iter().find(|e| e["title"] == "Open note").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    bc.get(&path).await;
    let r = bc.post_form(&format!("{path}/elements/{note}/move"), &[("topic", &topics[0]), ("position", "0")]).await;
    assert_eq!(r.status, 403, "moved into a topic assigned to others");
    // Taken off the list, Alice no longer holds the topic: Bob may add.
    org.get(&path).await;
    let r = org.post_form(&format!("{path}/topics/{}/contributors/{alice_id}/remove", topics[0]), &[]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    bc.get(&path).await;
    let r = bc
        .post_form(&format!("{path}/elements"), &[("topic", &topics[0]), ("kind", "note"), ("title", "Now open")])
        .await;
    assert_eq!(r.status, 303);
});

both!(a_cached_meeting_page_shows_changes_made_on_another_node, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug, owner, org) = t.tenant_with_owner().await;
    let (member, mc) = t.member(&slug, &org, "member").await;
    let path = new_meeting(&org, &slug, "Cluster").await;
    org.post_form(&format!("{path}/participants"), &[("email", &member), ("role", "contributor")]).await;
    org.post_form(&format!("{path}/topics"), &[("title", "Topic")]).await;
    let page = org.get(&path).await.body;
    let topic = page.split("id=\"topic-").nth(1).unwrap()[..36].to_owned();
    org.post_form(&format!("{path}/elements"), &[("topic", &topic), ("kind", "note"), ("title", "Before")]).await;
    org.post_form(&format!("{path}/share"), &[]).await;
    assert!(org.get(&path).await.body.contains("Before"));
    assert_eq!(mc.get(&path).await.status, 200);
    assert!(!t.app.meeting_cache.is_empty(), "the page was cached");

    // Another node changes the meeting, its people and its participants:
    // this server's next view shows each change (the cache checks the
    // database's revision on every request).
    let other = t.other_node().await;
    let tenant = other.store.tenant_by_slug(&ordo_core::tenant::Slug::parse(&slug).unwrap()).await.unwrap().unwrap();
    let keys = other.keys.for_tenant(&other.store, &tenant).await.unwrap();
    let user = |email: &str| {
        let (other, keys, tenant) = (other.clone(), keys.clone(), tenant.clone());
        let email = email.to_owned();
        async move {
            let row = other.store.user_by_email_index(tenant.id, &keys.email_index(&email)).await.unwrap().unwrap();
            ordo_app::accounts::open_user(&keys, row).unwrap()
        }
    };
    let o = user(&owner).await;
    let id: ordo_core::ids::MeetingId = path.rsplit('/').next().unwrap().parse().unwrap();
    let page = ordo_app::meetings::page(&other, &tenant, &o, id).await.unwrap();
    let e = &page.content.elements[0];
    let edit = ordo_app::meetings::ElementEdit {
        title: "After",
        description: "",
        due_date: "",
        topic: e.topic_id,
        owners: None,
        version: e.version,
    };
    ordo_app::meetings::update_element(&other, &tenant, &o, id, e.id, edit).await.unwrap();
    let body = org.get(&path).await.body;
    assert!(body.contains("After") && !body.contains("Before"), "an element edited elsewhere");

    ordo_app::meetings::add_comment(&other, &tenant, &o, id, e.id, None, "Said on node two").await.unwrap();
    assert!(org.get(&path).await.body.contains("Said on node two"), "a remark added elsewhere");

    let m = user(&member).await;
    ordo_app::accounts::update_profile(
        &other,
        &tenant,
        &m,
        "Renamed Member",
        "",
        ordo_core::user::Locale::En,
        "127.0.0.1",
    )
    .await
    .unwrap();
    assert!(org.get(&path).await.body.contains("Renamed Member"), "a participant renamed elsewhere");

    // Access is never decided on stale data: removed elsewhere, refused here.
    ordo_app::meetings::remove_participant(&other, &tenant, &o, id, m.id).await.unwrap();
    assert_eq!(mc.get(&path).await.status, 404);
    assert!(!org.get(&path).await.body.contains("Renamed Member"));
});
