//! What a meeting keeps: content sealed at rest, pictures checked and
//! served only to participants, and the page cache kept true across nodes.

use super::*;

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
    // Renamed at once: the first title is then kept only as the previous
    // value in the meeting's change history, sealed like the content.
    let page = org.get(&path).await.body;
    let version = page.split("name=\"version\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let r = org
        .post_form(
            &format!("{path}/edit"),
            &[
                ("version", &version),
                ("title", "A renamed meeting"),
                ("objectives", objectives),
                ("starts_at", "2026-12-01T09:30"),
                ("time_zone", "Europe/Paris"),
                ("duration_minutes", "45"),
                ("place", place),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(!org.get(&path).await.body.contains(title), "the title was changed");
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
    let renamed = ordo_app::accounts::Profile {
        display_name: "Renamed Member",
        phone: "",
        locale: ordo_core::user::Locale::En,
        time_zone: "",
    };
    ordo_app::accounts::update_profile(&other, &tenant, &m, renamed, "127.0.0.1").await.unwrap();
    assert!(org.get(&path).await.body.contains("Renamed Member"), "a participant renamed elsewhere");

    // Access is never decided on stale data: removed elsewhere, refused here.
    ordo_app::meetings::remove_participant(&other, &tenant, &o, id, m.id).await.unwrap();
    assert_eq!(mc.get(&path).await.status, 404);
    assert!(!org.get(&path).await.body.contains("Renamed Member"));
});

/// Peak resident memory of this process (the test and its server) since
/// the last reset, in MiB; `reset` starts a new peak from now (Linux).
fn peak_rss_mib(reset: bool) -> u64 {
    if reset {
        std::fs::write("/proc/self/clear_refs", "5").expect("reset the peak RSS");
    }
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap();
    kb / 1024
}

/// Upload `n` small, highly compressed pictures (16.5 MiB of pixels each)
/// at once; the peak memory they cost, in MiB.
async fn burst_of_pictures(engine: Engine, budget_mib: u32, n: usize) -> u64 {
    let opts = Opts {
        tweak: Some(std::sync::Arc::new(move |s: &mut ordo_app::Settings| s.image_decode_budget_mib = budget_mib)),
        ..Opts::default()
    };
    let t = TestApp::spawn_with(engine, opts).await;
    let (slug, _owner, org) = t.tenant_with_owner().await;
    let path = new_meeting(&org, &slug, "Pictures").await;
    org.post_form(&format!("{path}/topics"), &[("title", "Board")]).await;
    let topic = ids_after(&org.get(&path).await.body, "id=\"topic-")[0].to_owned();
    let flat = {
        let img = image::RgbImage::from_pixel(2400, 2400, image::Rgb([90, 140, 200]));
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png).unwrap();
        out.into_inner()
    };
    assert!(flat.len() < 100_000, "{} bytes", flat.len());
    let url = format!("{path}/images");
    let before = peak_rss_mib(true);
    let fields = [("topic", topic.as_str())];
    let uploads = (0..n).map(|_| org.post_multipart(&url, &fields, Some(("p.png", "image/png", &flat))));
    let answers = futures_util::future::join_all(uploads).await;
    let peak = peak_rss_mib(false).saturating_sub(before);
    for r in &answers {
        assert_eq!(r.status, 303, "{}", r.body);
    }
    assert_eq!(t.db.text("SELECT CAST(COUNT(*) AS TEXT) FROM attachments").await, n.to_string());
    assert_eq!(t.app.images.free_mib(), budget_mib as usize, "every permit came back");
    peak
}

// A resource test, not a timing one: pictures sent at once queue for the
// node's decoding budget instead of each taking its memory. Each test runs
// in its own process (nextest), so memory the allocator keeps after one
// burst never hides the growth of the other. Each picture counts for
// 50 MiB (its pixels and the encoder's copies): a 52 MiB budget decodes
// one at a time.
both!(a_burst_of_decompression_heavy_pictures_stays_within_the_decoding_budget, |engine| {
    let bounded = burst_of_pictures(engine, 52, 12).await;
    eprintln!("peak growth: {bounded} MiB with a 52 MiB budget");
    assert!(bounded <= 52 + 48, "{bounded} MiB with a 52 MiB budget");
});

// The control for the test above: the same burst with a budget that bounds
// nothing costs several pictures' memory at once, so the measure does see
// decoding (12 at once would be 600 MiB; three at once is enough).
both!(without_a_decoding_budget_the_same_burst_costs_several_pictures_at_once, |engine| {
    let unbounded = burst_of_pictures(engine, 4096, 12).await;
    eprintln!("peak growth: {unbounded} MiB without a budget");
    assert!(unbounded >= 150, "the control: {unbounded} MiB unbounded");
});
