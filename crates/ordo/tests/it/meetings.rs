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

/// Everything a meeting holds, in a tenant with encryption `on`: title,
/// objectives, place, a topic, an element with a description, a remark, an
/// image and the invitation mail with the agenda. Returns the image's bytes.
/// (The mail sits in the outbox when the test's mail server never answers.)
async fn fill_meeting(t: &TestApp, encryption: bool, words: &[&str; 8], picture: Vec<u8>) -> Vec<u8> {
    let slug = TestApp::slug();
    let owner = TestApp::email("owner");
    let created = ordo_app::accounts::create_tenant(
        &t.app,
        &slug,
        &format!("Org {slug}"),
        &owner,
        ordo_core::tenant::Plan::Pro,
        ordo_core::user::Locale::En,
        encryption,
    )
    .await
    .unwrap();
    let link = created.activation_url.replace(&t.base, "");
    let org = t.client();
    org.activate(&link, "Olivia Owner", PASSWORD).await;
    org.login(&slug, &owner, PASSWORD).await;
    let [title, objectives, place, topic_title, element, description, remark, support] = words;
    org.get(&format!("/t/{slug}/meetings")).await;
    let r = org
        .post_form(
            &format!("/t/{slug}/meetings"),
            &[
                ("title", title),
                ("objectives", objectives),
                ("starts_at", "2026-12-01T09:30"),
                ("time_zone", "Europe/Paris"),
                ("duration_minutes", "45"),
                ("place", place),
            ],
        )
        .await;
    let path = r.location().split('?').next().unwrap().to_owned();
    org.post_form(&format!("{path}/topics"), &[("title", topic_title)]).await;
    let topic = ids_after(&org.get(&path).await.body, "id=\"topic-")[0].to_owned();
    let r = org
        .post_form(
            &format!("{path}/elements"),
            &[("topic", &topic), ("kind", "decision"), ("title", element), ("description", description)],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let el = ids_after(&org.get(&path).await.body, "id=\"el-")[0].to_owned();
    org.post_form(&format!("{path}/elements/{el}/comments"), &[("body", remark)]).await;
    let r = org
        .post_multipart(&format!("{path}/images"), &[("topic", &topic)], Some(("p.png", "image/png", &picture)))
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let guest = TestApp::email("guest");
    org.post_form(&format!("{path}/participants"), &[("email", &guest), ("role", "reader")]).await;
    // The invitation (with the agenda) waits in the outbox: the mail
    // server of this test never answers.
    org.post_form(&format!("{path}/share"), &[]).await;
    assert!(org.get(&path).await.body.contains(remark));
    // A question to support, with the same picture: tenant data too.
    org.get(&format!("/t/{slug}/support")).await;
    let r = org
        .post_multipart(&format!("/t/{slug}/support"), &[("body", support)], Some(("p.png", "image/png", &picture)))
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    picture
}

both!(meeting_content_and_support_messages_are_encrypted_at_rest, |engine| {
    // Mail stays in the outbox (nothing listens there): it is part of what
    // a copy of the database holds.
    let opts = Opts { smtp_url: Some(Some("smtp://127.0.0.1:9".into())), ..Opts::default() };
    let t = TestApp::spawn_with(engine, opts).await;
    let hidden = [
        "Confidential merger talks",
        "Agree on Zephyr valuation",
        "Salle Jaurès",
        "Valuation of Zephyr Corp",
        "Offer 42 million",
        "Board approval pending",
        "Keep this between us",
        "Our merger room is locked",
    ];
    let shown = [
        "Public picnic planning",
        "Choose a sunny Saturday",
        "Parc Monceau",
        "Sandwich logistics",
        "Bring baguettes",
        "Forty loaves needed",
        "Remember the napkins",
        "Where is the picnic form",
    ];
    // Two different pictures (the same bytes in both would be "in clear").
    let secret_picture = fill_meeting(&t, true, &hidden, png(17, 13)).await;
    let open_picture = fill_meeting(&t, false, &shown, png(19, 11)).await;
    let dump = t.raw_storage().await;
    use base64::Engine as _;
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD_NO_PAD.encode(b);
    // The same storage shows the unencrypted tenant's meeting in clear: the
    // check can see what it looks for.
    for word in shown {
        assert!(dump.contains(word), "the counter-check does not see {word}");
    }
    assert!(dump.contains(&b64(&open_picture)));
    for word in hidden {
        assert!(!dump.contains(word), "{word} stored in clear");
    }
    assert!(!dump.contains(&b64(&secret_picture)), "an image (the meeting's or support's) stored in clear");
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
    assert!(r.body.contains("Someone else saved"));
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
    // JPEG, WebP and GIF are accepted and served as what their content is,
    // whatever the browser claimed.
    for (format, ctype) in [
        (image::ImageFormat::Jpeg, "image/jpeg"),
        (image::ImageFormat::WebP, "image/webp"),
        (image::ImageFormat::Gif, "image/gif"),
    ] {
        let img = image::RgbImage::from_fn(20, 10, |x, y| image::Rgb([(x * 9) as u8, (y * 20) as u8, 60]));
        let mut bytes = std::io::Cursor::new(Vec::new());
        img.write_to(&mut bytes, format).unwrap();
        let r = org
            .post_multipart(
                &format!("{path}/images"),
                &[("topic", &topic), ("title", ctype)],
                Some(("picture.bin", "application/octet-stream", bytes.get_ref())),
            )
            .await;
        assert_eq!(r.status, 303, "{ctype}: {}", r.body);
        let j = org.get(&path.replace(&format!("/t/{slug}/"), &format!("/t/{slug}/api/v1/"))).await.json();
        let id = j["elements"].as_array().unwrap().iter().find(|e| e["title"] == ctype).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let served = org.get(&format!("{path}/elements/{id}/image")).await;
        assert_eq!(served.header("content-type").as_deref(), Some(ctype));
    }
});

both!(image_limits_are_the_configured_ones, |engine| {
    let opts = Opts {
        tweak: Some(std::sync::Arc::new(|s: &mut ordo_app::Settings| {
            s.max_image_bytes = 2000;
            s.max_image_pixels = 50 * 50;
        })),
        ..Opts::default()
    };
    let t = TestApp::spawn_with(engine, opts).await;
    let (slug, _owner, org) = t.tenant_with_owner().await;
    let path = new_meeting(&org, &slug, "Small pictures").await;
    org.post_form(&format!("{path}/topics"), &[("title", "Board")]).await;
    let topic = ids_after(&org.get(&path).await.body, "id=\"topic-")[0].to_owned();
    // A flat image compresses to a few bytes: too many pixels, not too many bytes.
    let flat = |w, h| {
        let img = image::RgbImage::from_pixel(w, h, image::Rgb([200, 200, 200]));
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png).unwrap();
        out.into_inner()
    };
    // Noise does not compress: a small picture, many bytes.
    let noisy = {
        let img = image::RgbImage::from_fn(40, 40, |x, y| {
            let n = (x * 7919 + y * 104_729).wrapping_mul(2_654_435_761);
            image::Rgb([(n >> 8) as u8, (n >> 16) as u8, (n >> 24) as u8])
        });
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png).unwrap();
        out.into_inner()
    };
    assert!(noisy.len() > 2000 && flat(60, 60).len() < 2000);
    for (bytes, expected, message) in
        [(flat(50, 50), 303, ""), (flat(60, 60), 422, "too many pixels"), (noisy, 422, "too large")]
    {
        let r = org
            .post_multipart(&format!("{path}/images"), &[("topic", &topic)], Some(("p.png", "image/png", &bytes)))
            .await;
        assert_eq!(r.status, expected, "{message}: {}", r.body);
        assert!(r.body.contains(message), "{message}: {}", r.body);
    }
    assert_eq!(t.db.text("SELECT CAST(COUNT(*) AS TEXT) FROM attachments").await, "1");
    assert_eq!(t.db.text("SELECT CAST(COUNT(*) AS TEXT) FROM elements").await, "1", "no element without its picture");
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
    let tenant =
        other.platform_store().tenant_by_slug(&ordo_core::tenant::Slug::parse(&slug).unwrap()).await.unwrap().unwrap();
    let keys = other.keys.for_tenant(other.platform_store(), &tenant).await.unwrap();
    let user = |email: &str| {
        let (other, keys, tenant) = (other.clone(), keys.clone(), tenant.clone());
        let email = email.to_owned();
        async move {
            let row = other
                .platform_store()
                .user_by_email_index(tenant.id, &keys.email_index(&email))
                .await
                .unwrap()
                .unwrap();
            ordo_app::accounts::open_user(&keys, row).unwrap()
        }
    };
    let o = user(&owner).await;
    let id: ordo_core::ids::MeetingId = path.rsplit('/').next().unwrap().parse().unwrap();
    let page = ordo_app::meetings::page(&other, &tenant, &o, id).await.unwrap();
    let e = &page.content.elements[0];
    let edit = ordo_app::meetings::ElementEdit {
        title: Some("After"),
        description: Some(""),
        due_date: Some(""),
        topic: Some(e.topic_id),
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

both!(topics_elements_and_remarks_are_renamed_and_deleted_by_whom_the_policy_says, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug, _owner, org) = t.tenant_with_owner().await;
    let (contributor, cc) = t.member(&slug, &org, "member").await;
    let (reader, rc) = t.member(&slug, &org, "member").await;
    let path = new_meeting(&org, &slug, "Housekeeping").await;
    let api = path.replace(&format!("/t/{slug}/"), &format!("/t/{slug}/api/v1/"));
    org.post_form(&format!("{path}/topics"), &[("title", "Old name")]).await;
    org.post_form(&format!("{path}/topics"), &[("title", "To drop")]).await;
    for (who, role) in [(&contributor, "contributor"), (&reader, "reader")] {
        org.post_form(&format!("{path}/participants"), &[("email", who), ("role", role)]).await;
    }
    org.post_form(&format!("{path}/share"), &[]).await;
    let topics =
        ids_after(&org.get(&path).await.body, "id=\"topic-").into_iter().map(str::to_owned).collect::<Vec<_>>();
    org.post_form(&format!("{path}/topics"), &[("title", "A sub-topic"), ("parent", &topics[1])]).await;

    // Renaming: the organiser yes, a contributor no; a bad title is a field error.
    let r = org.post_form(&format!("{path}/topics/{}/edit", topics[0]), &[("title", "New name")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let r = org.post_form(&format!("{path}/topics/{}/edit", topics[0]), &[("title", "  ")]).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("A title is needed"), "{}", r.body);
    cc.get(&path).await;
    assert_eq!(cc.post_form(&format!("{path}/topics/{}/edit", topics[0]), &[("title", "Mine")]).await.status, 403);
    let page = org.get(&path).await.body;
    assert!(page.contains("New name") && !page.contains("Old name"));

    // The contributor's own note, and the organiser's decision.
    cc.get(&path).await;
    cc.post_form(&format!("{path}/elements"), &[("topic", &topics[0]), ("kind", "note"), ("title", "My note")]).await;
    org.post_form(&format!("{path}/elements"), &[("topic", &topics[0]), ("kind", "decision"), ("title", "Theirs")])
        .await;
    org.post_form(&format!("{path}/elements"), &[("topic", &topics[1]), ("kind", "note"), ("title", "Doomed")]).await;
    let j = org.get(&api).await.json();
    let id_of = |title: &str| {
        j["elements"].as_array().unwrap().iter().find(|e| e["title"] == title).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let (mine, theirs, doomed) = (id_of("My note"), id_of("Theirs"), id_of("Doomed"));
    // A contributor edits and deletes what they added, not the others'.
    cc.get(&format!("{path}/elements/{mine}/edit")).await;
    let r = cc
        .post_form(
            &format!("{path}/elements/{mine}/edit"),
            &[("title", "My note, better"), ("topic", &topics[0]), ("version", "1")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(cc.post_form(&format!("{path}/elements/{theirs}/delete"), &[]).await.status, 403);

    // Remarks: each deletes their own; the organiser any; a reader not others'.
    rc.get(&path).await;
    rc.post_form(&format!("{path}/elements/{theirs}/comments"), &[("body", "Reader remark")]).await;
    cc.get(&path).await;
    cc.post_form(&format!("{path}/elements/{theirs}/comments"), &[("body", "Contributor remark")]).await;
    let j = org.get(&api).await.json();
    let remark = |body: &str| {
        j["comments"].as_array().unwrap().iter().find(|c| c["body"] == body).unwrap()["id"].as_str().unwrap().to_owned()
    };
    let (reader_remark, contributor_remark) = (remark("Reader remark"), remark("Contributor remark"));
    rc.get(&path).await;
    assert_eq!(rc.post_form(&format!("{path}/comments/{contributor_remark}/delete"), &[]).await.status, 403);
    let page = rc.get(&path).await.body;
    assert_eq!(page.matches("/delete\" class=\"inline\" data-confirm").count(), 1, "a delete button on my remark only");
    assert_eq!(rc.post_form(&format!("{path}/comments/{reader_remark}/delete"), &[]).await.status, 303);
    org.get(&path).await;
    assert_eq!(org.post_form(&format!("{path}/comments/{contributor_remark}/delete"), &[]).await.status, 303);
    assert!(org.get(&api).await.json()["comments"].as_array().unwrap().is_empty());

    // Deleting: my element; a whole topic with its sub-topic and content.
    cc.get(&path).await;
    assert_eq!(cc.post_form(&format!("{path}/elements/{mine}/delete"), &[]).await.status, 303);
    org.get(&path).await;
    assert_eq!(org.post_form(&format!("{path}/topics/{}/delete", topics[1]), &[]).await.status, 303);
    let j = org.get(&api).await.json();
    let titles: Vec<&str> = j["elements"].as_array().unwrap().iter().map(|e| e["title"].as_str().unwrap()).collect();
    assert_eq!(titles, vec!["Theirs"], "{doomed} went with its topic");
    let topic_titles: Vec<&str> =
        j["topics"].as_array().unwrap().iter().map(|t| t["title"].as_str().unwrap()).collect();
    assert_eq!(topic_titles, vec!["New name"], "the sub-topic went too");
    // The audit log keeps the fact (not the content).
    let audit = org.get(&format!("/t/{slug}/admin/audit")).await.body;
    assert_eq!(audit.matches("Meeting content deleted").count(), 4, "two remarks, an element, a topic: {audit}");
    // Unknown things to delete are not found; nothing else changed.
    assert_eq!(org.post_form(&format!("{path}/elements/{mine}/delete"), &[]).await.status, 404);
});

both!(the_api_renames_deletes_assigns_and_uploads, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug, _owner, org) = t.tenant_with_owner().await;
    let (member, _mc) = t.member(&slug, &org, "member").await;
    let token = org.csrf.lock().unwrap().clone().unwrap();
    let send = |method: reqwest::Method, path: String, body: Option<String>| {
        let mut req = org.request(method, &path).header("x-csrf-token", token.clone());
        if let Some(b) = body {
            req = req.header("content-type", "application/json").body(b);
        }
        org.send(req)
    };
    use reqwest::Method;
    let base = format!("/t/{slug}/api/v1");
    let r = send(
        Method::POST,
        format!("{base}/meetings"),
        Some(
            r#"{"title":"API housekeeping","starts_at":"2026-12-02T14:00","time_zone":"UTC","duration_minutes":30}"#
                .into(),
        ),
    )
    .await;
    let m = format!("{base}/meetings/{}", r.json()["id"].as_str().unwrap());
    let topic = send(Method::POST, format!("{m}/topics"), Some(r#"{"title":"Draft"}"#.into())).await.json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = send(Method::PATCH, format!("{m}/topics/{topic}"), Some(r#"{"title":"Final"}"#.into())).await;
    assert_eq!(r.status, 204, "{}", r.body);
    let r =
        send(Method::PATCH, format!("{m}/topics/{topic}"), Some(format!(r#"{{"title":"{}"}}"#, "x".repeat(201)))).await;
    assert_eq!((r.status, r.json()["error"]["field"].as_str()), (422, Some("title")));
    let uid = send(
        Method::POST,
        format!("{m}/participants"),
        Some(format!(r#"{{"email":"{member}","role":"contributor"}}"#)),
    )
    .await
    .json()["user_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r =
        send(Method::POST, format!("{m}/topics/{topic}/contributors"), Some(format!(r#"{{"user_id":"{uid}"}}"#))).await;
    assert_eq!(r.status, 204, "{}", r.body);
    let r =
        send(Method::POST, format!("{m}/topics/{topic}/contributors"), Some(r#"{"user_id":"nobody"}"#.into())).await;
    assert_eq!((r.status, r.json()["error"]["field"].as_str()), (422, Some("user_id")));
    let stranger = ordo_core::ids::UserId::new();
    let r =
        send(Method::POST, format!("{m}/topics/{topic}/contributors"), Some(format!(r#"{{"user_id":"{stranger}"}}"#)))
            .await;
    assert_eq!(r.status, 422, "not a participant: {}", r.body);
    // An action with two owners: both see it among their actions.
    let me = send(Method::GET, format!("{base}/me"), None).await.json()["id"].as_str().unwrap().to_owned();
    let body = format!(r#"{{"topic_id":"{topic}","kind":"action","title":"Shared chore","owners":["{uid}","{me}"]}}"#);
    assert_eq!(send(Method::POST, format!("{m}/elements"), Some(body)).await.status, 201);
    let j = send(Method::GET, m.clone(), None).await.json();
    let chore = j["elements"].as_array().unwrap().iter().find(|e| e["title"] == "Shared chore").unwrap().clone();
    assert_eq!(chore["owners"].as_array().unwrap().len(), 2, "{chore}");
    let mine = send(Method::GET, format!("{base}/actions"), None).await.json();
    assert!(mine["actions"].as_array().unwrap().iter().any(|a| a["title"] == "Shared chore"));
    assert_eq!(send(Method::DELETE, format!("{m}/topics/{topic}/contributors/{uid}"), None).await.status, 204);
    assert_eq!(send(Method::DELETE, format!("{m}/topics/{topic}/contributors/{uid}"), None).await.status, 404);
    // Elements: an id of nothing in the body is a field error.
    let r =
        send(Method::POST, format!("{m}/elements"), Some(r#"{"topic_id":"nope","kind":"note","title":"x"}"#.into()))
            .await;
    assert_eq!((r.status, r.json()["error"]["field"].as_str()), (422, Some("topic_id")));
    let other_topic = ordo_core::ids::TopicId::new();
    let body = format!(r#"{{"topic_id":"{other_topic}","kind":"note","title":"x"}}"#);
    let r = send(Method::POST, format!("{m}/elements"), Some(body)).await;
    assert_eq!((r.status, r.json()["error"]["field"].as_str()), (422, Some("topic_id")));
    let r = send(
        Method::POST,
        format!("{m}/elements"),
        Some(format!(r#"{{"topic_id":"{topic}","kind":"note","title":"Note"}}"#)),
    )
    .await;
    let element = r.json()["id"].as_str().unwrap().to_owned();
    let comment = send(Method::POST, format!("{m}/elements/{element}/comments"), Some(r#"{"body":"Hm"}"#.into()))
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(send(Method::DELETE, format!("{m}/comments/{comment}"), None).await.status, 204);
    assert_eq!(send(Method::DELETE, format!("{m}/elements/{element}"), None).await.status, 204);
    // Images through the API, served back with their type.
    let picture = png(12, 9);
    let r = org
        .post_multipart(
            &format!("{m}/images"),
            &[("topic_id", &topic), ("title", "Board")],
            Some(("b.png", "image/png", &picture)),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let image = r.json()["id"].as_str().unwrap().to_owned();
    let got = org.get(&format!("{m}/elements/{image}/image")).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.header("content-type").as_deref(), Some("image/png"));
    assert_eq!(got.header("x-content-type-options").as_deref(), Some("nosniff"));
    let r = org
        .post_multipart(&format!("{m}/images"), &[("topic_id", &topic)], Some(("b.png", "image/png", b"GIF89a nope")))
        .await;
    assert_eq!((r.status, r.json()["error"]["field"].as_str()), (422, Some("image")));
    assert_eq!(send(Method::DELETE, format!("{m}/topics/{topic}"), None).await.status, 204);
    let j = send(Method::GET, m.clone(), None).await.json();
    assert!(j["topics"].as_array().unwrap().is_empty() && j["elements"].as_array().unwrap().is_empty());
    assert_eq!(t.db.text("SELECT CAST(COUNT(*) AS TEXT) FROM attachments").await, "0");
});

both!(the_note_space_refuses_bad_input_field_by_field_and_changes_nothing, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug, _owner, org) = t.tenant_with_owner().await;
    let path = new_meeting(&org, &slug, "Careful").await;
    let other = new_meeting(&org, &slug, "Elsewhere").await;
    org.post_form(&format!("{path}/topics"), &[("title", "Here")]).await;
    org.post_form(&format!("{other}/topics"), &[("title", "There")]).await;
    let topic = ids_after(&org.get(&path).await.body, "id=\"topic-")[0].to_owned();
    let elsewhere = ids_after(&org.get(&other).await.body, "id=\"topic-")[0].to_owned();
    org.post_form(&format!("{path}/elements"), &[("topic", &topic), ("kind", "note"), ("title", "Fine")]).await;
    let el = ids_after(&org.get(&path).await.body, "id=\"el-")[0].to_owned();
    let long_title = "t".repeat(201);
    let long_text = "d".repeat(20_001);
    // (where to post, the form, what the refusal says)
    type Case<'a> = (String, Vec<(&'a str, &'a str)>, &'a str);
    let cases: Vec<Case> = vec![
        (
            format!("{path}/elements"),
            vec![("topic", &topic), ("kind", "poem"), ("title", "x")],
            "Unknown kind of element",
        ),
        (
            format!("{path}/elements"),
            vec![("topic", "not-an-id"), ("kind", "note"), ("title", "x")],
            "Unknown identifier",
        ),
        (
            format!("{path}/elements"),
            vec![("topic", &elsewhere), ("kind", "note"), ("title", "x")],
            "Unknown identifier",
        ),
        (
            format!("{path}/elements"),
            vec![("topic", &topic), ("kind", "action"), ("title", "x"), ("owner", "someone")],
            "owners must be participants",
        ),
        (format!("{path}/elements"), vec![("topic", &topic), ("kind", "note"), ("title", &long_title)], "at most 200"),
        (
            format!("{path}/elements"),
            vec![("topic", &topic), ("kind", "note"), ("title", "x"), ("description", &long_text)],
            "too long",
        ),
        (
            format!("{path}/elements"),
            vec![("topic", &topic), ("kind", "action"), ("title", "x"), ("due_date", "soon")],
            "like 2026-12-24",
        ),
        (format!("{path}/topics"), vec![("title", "Sub"), ("parent", &elsewhere)], "Unknown identifier"),
        (format!("{path}/elements/{el}/comments"), vec![("body", &long_text)], "too long"),
        (
            format!("{path}/participants"),
            vec![("email", "someone@example.org"), ("role", "king")],
            "Unknown meeting role",
        ),
        (format!("{path}/participants"), vec![("email", "not an address"), ("role", "reader")], "not a valid e-mail"),
    ];
    let before = org.get(&path.replace(&format!("/t/{slug}/"), &format!("/t/{slug}/api/v1/"))).await.body;
    for (url, form, message) in &cases {
        org.get(&path).await;
        let r = org.post_form(url, form).await;
        assert_eq!(r.status, 422, "{form:?}: {}", r.body);
        assert!(r.body.contains(message), "{form:?} should say {message:?}");
        assert!(r.body.contains("role=\"alert\""), "announced: {form:?}");
    }
    // A refused quick-add line keeps what was typed, the message beside it.
    org.get(&path).await;
    let form = [("topic", topic.as_str()), ("kind", "poem"), ("title", "Kept line")];
    let r = org.post_form(&format!("{path}/elements"), &form).await;
    assert!(r.body.contains("value=\"Kept line\" aria-invalid=\"true\""), "{}", r.body);
    assert!(r.body.contains(&format!("id=\"qa-error-{topic}\"")));
    let after = org.get(&path.replace(&format!("/t/{slug}/"), &format!("/t/{slug}/api/v1/"))).await.body;
    assert_eq!(before, after, "refused input changed nothing");
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
