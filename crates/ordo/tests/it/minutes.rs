//! Minutes out (requirement M12): the minutes of a meeting as Markdown and
//! HTML files, in the reader's language, for people who may see it only,
//! with what the meeting holds and nothing of its markup run.

use crate::helpers::*;

both!(the_minutes_export_as_markdown_and_html, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug, _owner, org) = t.tenant_with_owner().await;
    let (member, mc) = t.member(&slug, &org, "member").await;
    org.get(&format!("/t/{slug}/meetings")).await;
    let r = org
        .post_form(
            &format!("/t/{slug}/meetings"),
            &[
                ("title", "Board *review* <script>"),
                ("objectives", "Close Q4"),
                ("starts_at", "2026-12-07T09:30"),
                ("time_zone", "Europe/Paris"),
                ("duration_minutes", "45"),
                ("place", "Room 4"),
            ],
        )
        .await;
    let path = r.location().split('?').next().unwrap().to_owned();
    org.post_form(&format!("{path}/participants"), &[("email", &member), ("role", "contributor")]).await;
    org.post_form(&format!("{path}/topics"), &[("title", "Budget")]).await;
    let page = org.get(&path).await.body;
    let topic = page.split("id=\"topic-").nth(1).unwrap()[..36].to_owned();
    org.post_form(
        &format!("{path}/elements"),
        &[("topic", &topic), ("kind", "decision"), ("title", "Approve the 2027 budget")],
    )
    .await;
    let page = org.get(&path).await.body;
    let member_id = t.db.text("SELECT user_id FROM meeting_participants WHERE role = 'contributor'").await;
    org.post_form(
        &format!("{path}/elements"),
        &[
            ("topic", &topic),
            ("kind", "action"),
            ("title", "Send the figures"),
            ("owner", &member_id),
            ("due_date", "2026-12-20"),
        ],
    )
    .await;
    let page2 = org.get(&path).await.body;
    let el = page2.split("id=\"el-").nth(1).unwrap()[..36].to_owned();
    org.post_form(&format!("{path}/elements/{el}/comments"), &[("body", "With the auditors' notes")]).await;
    assert!(page.contains(&format!("href=\"{path}/minutes.md\"")));

    let md = org.get(&format!("{path}/minutes.md")).await;
    assert_eq!(md.status, 200);
    assert_eq!(md.header("content-type").as_deref(), Some("text/markdown; charset=utf-8"));
    let disposition = md.header("content-disposition").unwrap();
    assert!(
        disposition.starts_with("attachment; filename=\"minutes-2026-12-07-") && disposition.ends_with(".md\""),
        "{disposition}"
    );
    assert!(!disposition.contains("Board"), "no title in the file name");
    let body = md.body;
    assert!(body.starts_with("# Board \\*review\\* \\<script\\>\n"), "markup escaped: {body}");
    for expected in [
        "Close Q4",
        "Room 4",
        "2026-12-07 09:30 (Europe/Paris)",
        "### 1 Budget",
        "**Decision:** Approve the 2027 budget",
        "| Send the figures |",
        "| 2026-12-20 | Open |",
        "## Decisions",
        "- Approve the 2027 budget (Budget)",
        "> With the auditors' notes — Olivia Owner",
    ] {
        assert!(body.contains(expected), "{expected:?} not in {body}");
    }

    let html = org.get(&format!("{path}/minutes.html")).await;
    assert_eq!(html.header("content-type").as_deref(), Some("text/html; charset=utf-8"));
    assert!(html.header("content-disposition").unwrap().ends_with(".html\""));
    assert!(html.body.contains("Board *review* ") && !html.body.contains("<script>"), "escaped");
    assert!(html.body.contains("<td>Send the figures</td>") && html.body.contains("Approve the 2027 budget"));

    // In the reader's language; a participant may export, nobody else.
    mc.get(&format!("/t/{slug}/settings/profile")).await;
    let r = mc
        .post_form(&format!("/t/{slug}/settings/profile"), &[("display_name", "Marie Member"), ("locale", "fr")])
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(mc.get(&format!("{path}/minutes.md")).await.status, 404, "not shared yet");
    org.post_form(&format!("{path}/share"), &[]).await;
    let fr = mc.get(&format!("{path}/minutes.md")).await.body;
    assert!(
        fr.contains("## Décisions") && fr.contains("| Send the figures | Marie Member | 2026-12-20 | Ouverte |"),
        "{fr}"
    );
    let (_o, _oo, stranger) = t.tenant_with_owner().await;
    assert_eq!(stranger.get(&format!("{path}/minutes.html")).await.status, 404);

    // The API: the same files.
    let api = org.get(&format!("/t/{slug}/api/v1{}/minutes", path.trim_start_matches(&format!("/t/{slug}")))).await;
    assert_eq!((api.status, api.header("content-type").as_deref()), (200, Some("text/markdown; charset=utf-8")));
    let api = org
        .get(&format!("/t/{slug}/api/v1{}/minutes?format=html", path.trim_start_matches(&format!("/t/{slug}"))))
        .await;
    assert!(api.body.starts_with("<!doctype html>"));
    let bad = org
        .get(&format!("/t/{slug}/api/v1{}/minutes?format=docx", path.trim_start_matches(&format!("/t/{slug}"))))
        .await;
    assert_eq!(bad.status, 422);
});

both!(needs(ordo_tools, "the test script installs poppler's pdftohtml") a_formatted_description_keeps_its_formatting_in_every_export, |engine| {
    let t = TestApp::spawn(engine).await;
    let (_slug, _owner, org, _member, _mc, path) = meeting_with_outcomes(&t, "Formatting").await;
    let page = org.get(&path).await.body;
    let topic = page.split("id=\"topic-").nth(1).unwrap()[..36].to_owned();
    // What the editor sends, and what a hostile client could add to it.
    let description = "<p>Keep <b>Zephyrbold</b> and <i>Quillitalic</i> and <mark>Marked</mark>.</p>\
        <ul><li>first point</li><li>second point<ol><li>nested one</li></ol></li></ul>\
        <p>See <a href=\"https://ex.org/plan?a=1&amp;b=2\">the plan</a> \
        <a href=\"javascript:alert(1)\">bad</a><script>alert(1)</script></p>";
    let r = org
        .post_form(
            &format!("{path}/elements"),
            &[("topic", &topic), ("kind", "note"), ("title", "Formatted note"), ("description", description)],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);

    let md = org.get(&format!("{path}/minutes.md")).await.body;
    let expected =
        "- **Note:** Formatted note\n  Keep **Zephyrbold** and *Quillitalic* and ==Marked==.\n\n  - first point\n  - second point\n    1. nested one\n\n  See [the plan](https://ex.org/plan?a=1&b=2) bad\n";
    assert!(md.contains(expected), "{expected:?} not in {md}");
    assert!(!md.contains("javascript") && !md.contains("alert"), "{md}");

    let html = org.get(&format!("{path}/minutes.html")).await.body;
    for expected in [
        "<b>Zephyrbold</b>",
        "<i>Quillitalic</i>",
        "<mark>Marked</mark>",
        "<ol><li>nested one</li></ol>",
        "<a href=\"https://ex.org/plan?a=1&amp;b=2\" rel=\"noopener noreferrer nofollow\">the plan</a>",
    ] {
        assert!(html.contains(expected), "{expected:?} not in {html}");
    }
    assert!(!html.contains("javascript:") && !html.contains("<script>alert"), "{html}");

    let pdf = org.get(&format!("{path}/minutes.pdf")).await;
    assert_eq!(pdf.status, 200);
    let text = pdf_text(&pdf.bytes);
    for expected in ["Keep Zephyrbold and Quillitalic and Marked.", "• first point", "1. nested one", "See the plan bad"] {
        assert!(text.contains(expected), "{expected:?} not in the PDF's text:\n{text}");
    }
    // The bold word is set in the bold face (poppler marks its run <b>),
    // the others are not, and the link can be followed.
    let xml = pdf_xml(&pdf.bytes);
    assert!(xml.contains("<b>Zephyrbold</b>"), "{xml}");
    assert!(!xml.contains("<b>Quillitalic") && !xml.contains("<b>Marked"), "{xml}");
    assert!(xml.contains("href=\"https://ex.org/plan?a=1&amp;b=2\""), "the link: {xml}");
    assert!(!xml.contains("javascript"), "{xml}");
});

both!(needs(ordo_tools, "the test script installs poppler's pdfimages") the_minutes_page_prints_and_every_export_carries_pictures_and_actions_where_they_stand, |engine| {
    let t = TestApp::spawn(engine).await;
    let (_slug, _owner, org, _member, mc, path) = meeting_with_outcomes(&t, "Weekly").await;
    let page = org.get(&path).await.body;
    let first = page.split("id=\"topic-").nth(1).unwrap()[..36].to_owned();
    org.post_form(&format!("{path}/topics"), &[("title", "Second")]).await;
    let page = org.get(&path).await.body;
    let second = page.split("id=\"topic-").nth(2).unwrap()[..36].to_owned();
    // Made in this order; the agenda orders them by topic.
    for (topic, title) in [(&second, "Decision of the second topic"), (&first, "Another decision of the first")] {
        org.post_form(&format!("{path}/elements"), &[("topic", topic), ("kind", "decision"), ("title", title)]).await;
    }
    let r = org
        .post_multipart(
            &format!("{path}/images"),
            &[("topic", &first), ("title", "Whiteboard")],
            Some(("w.png", "image/png", &png(40, 30))),
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let meeting = org.get(&path).await.body;
    let image = meeting.split("/image\"").next().unwrap().rsplit("/elements/").next().unwrap().to_owned();
    assert_eq!(image.len(), 36, "{image}");
    assert!(meeting.contains(&format!("href=\"{path}/minutes\"")), "the meeting links to its minutes");

    // The minutes page: read-only, in Ordo's layout, with its print style.
    let r = org.get(&format!("{path}/minutes")).await;
    assert_eq!(r.status, 200);
    let m = r.body;
    for expected in [
        "<article class=\"minutes\"".to_owned(),
        "— Mia member · Due 2026-12-20 · Open".to_owned(),
        format!("<img src=\"{path}/elements/{image}/image\" alt=\"Whiteboard\">"),
    ] {
        assert!(m.contains(&expected), "{expected:?} not in {m}");
    }
    assert_eq!(m.matches("<form").count(), 1, "read-only: the header's sign-out is its only form");
    assert!(org.get("/static/app.css").await.body.contains("@media print"), "a print style");
    assert_eq!(mc.get(&format!("{path}/minutes")).await.status, 404, "not shared yet");
    let order = |text: &str| -> Vec<usize> {
        ["Approuver le budget", "Another decision of the first", "Decision of the second topic"]
            .iter()
            .map(|d| text.rfind(d).unwrap_or_else(|| panic!("{d} not in {text}")))
            .collect()
    };
    let o = order(&m);
    assert!(o[0] < o[1] && o[1] < o[2], "decisions in agenda order: {o:?}");

    // Markdown: the picture linked, the action's owners and due date where it stands.
    let md = org.get(&format!("{path}/minutes.md")).await.body;
    assert!(md.contains("- **Action:** Envoyer les chiffres à l’équipe — Mia member · Due 2026-12-20 · Open"), "{md}");
    assert!(md.contains(&format!("  ![Whiteboard]({}{path}/elements/{image}/image)", t.base)), "{md}");
    let o = order(&md);
    assert!(o[0] < o[1] && o[1] < o[2], "{o:?}");
    // HTML: the picture inside the file.
    let html = org.get(&format!("{path}/minutes.html")).await.body;
    assert!(html.contains("<img src=\"data:image/png;base64,iVBORw0KGgo"), "{html}");
    assert!(html.contains("— Mia member · Due 2026-12-20 · Open"));
    // PDF: the picture drawn, the action's details under it.
    let pdf = org.get(&format!("{path}/minutes.pdf")).await.bytes;
    assert_eq!(pdf_pictures(&pdf), 1);
    let text = pdf_text(&pdf);
    assert!(text.contains("Mia member · Due 2026-12-20 · Open"), "{text}");
    let o = order(&text);
    assert!(o[0] < o[1] && o[1] < o[2], "{o:?}");
});

/// A meeting with a participant, a decision and an action owned by them:
/// (slug, organiser's address, organiser, member's address, member, path).
async fn meeting_with_outcomes(t: &TestApp, title: &str) -> (String, String, Client, String, Client, String) {
    let (slug, owner, org) = t.tenant_with_owner().await;
    let (member, mc) = t.member(&slug, &org, "member").await;
    org.get(&format!("/t/{slug}/meetings")).await;
    let r = org
        .post_form(
            &format!("/t/{slug}/meetings"),
            &[
                ("title", title),
                ("objectives", "Close the year"),
                ("starts_at", "2026-12-07T09:30"),
                ("time_zone", "Europe/Paris"),
                ("duration_minutes", "45"),
                ("place", "Salle Été"),
            ],
        )
        .await;
    let path = r.location().split('?').next().unwrap().to_owned();
    org.post_form(&format!("{path}/participants"), &[("email", &member), ("role", "contributor")]).await;
    org.post_form(&format!("{path}/topics"), &[("title", "Budget (prévisions)")]).await;
    let page = org.get(&path).await.body;
    let topic = page.split("id=\"topic-").nth(1).unwrap()[..36].to_owned();
    org.post_form(
        &format!("{path}/elements"),
        &[("topic", &topic), ("kind", "decision"), ("title", "Approuver le budget 2027 – version révisée")],
    )
    .await;
    let member_id = t.db.text("SELECT user_id FROM meeting_participants WHERE role = 'contributor'").await;
    org.post_form(
        &format!("{path}/elements"),
        &[
            ("topic", &topic),
            ("kind", "action"),
            ("title", "Envoyer les chiffres à l’équipe"),
            ("owner", &member_id),
            ("due_date", "2026-12-20"),
        ],
    )
    .await;
    (slug, owner, org, member, mc, path)
}

both!(needs(ordo_tools, "the test script installs pdftotext and icalendar and sets ORDO_TEST_PYTHON") the_minutes_export_as_a_pdf_with_selectable_text, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug, _owner, org, _member, mc, path) = meeting_with_outcomes(&t, "Comité de direction (décembre)").await;
    // Enough actions to need a second page.
    let page = org.get(&path).await.body;
    let topic = page.split("id=\"topic-").nth(1).unwrap()[..36].to_owned();
    for i in 0..45 {
        org.post_form(
            &format!("{path}/elements"),
            &[("topic", &topic), ("kind", "action"), ("title", &format!("Follow-up number {i} of the review"))],
        )
        .await;
    }
    // Names beyond Western Europe print as they are written.
    const NAMES: &str = "Łódź, Dvořák, Ștefan, Ωμέγα, Жуков";
    org.post_form(&format!("{path}/elements"), &[("topic", &topic), ("kind", "decision"), ("title", NAMES)]).await;
    assert!(org.get(&path).await.body.contains(&format!("href=\"{path}/minutes.pdf\"")));
    // Who was there: the organiser present, the member absent.
    for (role, present) in [("organiser", "1"), ("contributor", "0")] {
        let user = t.db.text(&format!("SELECT user_id FROM meeting_participants WHERE role = '{role}'")).await;
        let r = org.post_form(&format!("{path}/participants/{user}/presence"), &[("present", present)]).await;
        assert_eq!(r.status, 303, "{}", r.body);
    }

    let r = org.get(&format!("{path}/minutes.pdf")).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type").as_deref(), Some("application/pdf"));
    assert!(r.header("content-disposition").unwrap().ends_with(".pdf\""));
    assert!(r.bytes.starts_with(b"%PDF-"));
    let text = pdf_text(&r.bytes);
    for expected in [
        NAMES,
        "Comité de direction (décembre)",
        "2026-12-07 09:30 (Europe/Paris)",
        "Salle Été",
        "Participants",
        "Present: Olivia Owner",
        "Absent: Mia member",
        "Olivia Owner",
        "Decisions",
        "Approuver le budget 2027 – version révisée",
        "Envoyer les chiffres à l’équipe",
        "2026-12-20",
        "Follow-up number 44 of the review",
        "page 2 of",
    ] {
        assert!(text.contains(expected), "{expected:?} not in the PDF's text:\n{text}");
    }
    // The action's row in the table holds its due date and status on one line.
    assert!(
        text.lines().any(|l| l.contains("Envoyer les chiffres") && l.contains("2026-12-20") && l.contains("Open")),
        "{text}"
    );

    // In the reader's language, through the API too; nobody else's.
    mc.get(&format!("/t/{slug}/settings/profile")).await;
    mc.post_form(&format!("/t/{slug}/settings/profile"), &[("display_name", "Marie Member"), ("locale", "fr")]).await;
    assert_eq!(mc.get(&format!("{path}/minutes.pdf")).await.status, 404, "not shared yet");
    org.post_form(&format!("{path}/share"), &[]).await;
    let api = format!("/t/{slug}/api/v1{}/minutes?format=pdf", path.trim_start_matches(&format!("/t/{slug}")));
    let fr = mc.get(&api).await;
    assert_eq!(fr.header("content-type").as_deref(), Some("application/pdf"));
    let fr = pdf_text(&fr.bytes);
    assert!(fr.contains("Décisions") && fr.contains("Marie Member") && fr.contains("page 2 sur"), "{fr}");
    let (_o, _oo, stranger) = t.tenant_with_owner().await;
    assert_eq!(stranger.get(&format!("{path}/minutes.pdf")).await.status, 404);
});

both!(needs(ordo_tools, "the test script installs pdftotext and icalendar and sets ORDO_TEST_PYTHON") the_minutes_go_to_the_participants_by_email_with_the_pdf, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug, owner, org, member, mc, path) = meeting_with_outcomes(&t, "Board <b>review</b>").await;
    let (other, _) = t.member(&slug, &org, "admin").await;
    org.post_form(&format!("{path}/participants"), &[("email", &other), ("role", "reader")]).await;
    org.post_form(&format!("{path}/share"), &[]).await;
    t.wait_mails(&member, 2).await; // activation, invitation
    t.wait_mails(&other, 2).await;
    let member_id = t.db.text("SELECT user_id FROM meeting_participants WHERE role = 'contributor'").await;
    let other_id = t.db.text("SELECT user_id FROM meeting_participants WHERE role = 'reader'").await;

    // A contributor may not send them; the organiser may, also once archived.
    let page = mc.get(&path).await.body;
    assert!(!page.contains("/minutes/send"));
    assert_eq!(mc.post_form(&format!("{path}/minutes/send"), &[]).await.status, 403);
    assert_eq!(mc.get(&format!("{path}/minutes/send")).await.status, 403);
    org.get(&path).await;
    org.post_form(&format!("{path}/archive"), &[]).await;
    let page = org.get(&path).await.body;
    assert!(page.contains(&format!("href=\"{path}/minutes/send\"")), "offered once archived");
    // The send page: everyone invited but the sender, ticked, and what the
    // e-mail will say.
    let send = org.get(&format!("{path}/minutes/send")).await;
    assert_eq!(send.status, 200);
    for expected in [
        format!("name=\"recipient\" value=\"{member_id}\" checked"),
        format!("name=\"recipient\" value=\"{other_id}\" checked"),
        "Approuver le budget 2027".to_owned(),
        "Envoyer les chiffres à l’équipe — Mia member, Due 2026-12-20 [Open]".to_owned(),
    ] {
        assert!(send.body.contains(&expected), "{expected} not in {}", send.body);
    }
    assert!(!send.body.contains(&format!("value=\"{}\"", t.db.text("SELECT user_id FROM meeting_participants WHERE role = 'organiser'").await)), "not to the sender");
    // Nobody ticked, or a note too long: refused, and what was typed stays.
    let none = org.post_form(&format!("{path}/minutes/send"), &[("_recipients_shown", "1"), ("note", "Kept note")]).await;
    assert_eq!(none.status, 422);
    assert!(none.body.contains("Choose at least one person") && none.body.contains(">Kept note</textarea>"), "{}", none.body);
    let long = "x".repeat(2001);
    let r = org.post_form(&format!("{path}/minutes/send"), &[("_recipients_shown", "1"), ("recipient", &member_id), ("note", &long)]).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("The note is too long"), "{}", r.body);
    assert_eq!(t.db.text("SELECT CAST(COUNT(*) AS TEXT) FROM audit_log WHERE kind = 'minutes.sent'").await, "0");
    // To the member only, with a note.
    let r = org
        .post_form(
            &format!("{path}/minutes/send"),
            &[("_recipients_shown", "1"), ("recipient", &member_id), ("note", "Please check the figures <b>now</b>")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(r.location().ends_with("?notice=minutes_sent"));
    let mails = t.wait_mails(&member, 3).await;
    let m = mails.last().unwrap();
    assert_eq!(m.subject, "Minutes: Board <b>review</b>");
    assert!(m.body.starts_with("Olivia Owner writes:\n\nPlease check the figures <b>now</b>\n"), "{}", m.body);
    let note = m.html.as_deref().unwrap_or_default();
    assert!(note.contains("Please check the figures &lt;b&gt;now") || note.contains("Please check the figures &#60;b&#62;now"), "{note}");
    assert!(m.body.contains("Approuver le budget 2027") && m.body.contains("Envoyer les chiffres"), "{}", m.body);
    let html = m.html.as_deref().expect("an HTML part");
    // Escaped by the template engine (named or numeric references alike).
    let escaped = html.contains("Board &lt;b&gt;review&lt;/b&gt;") || html.contains("Board &#60;b&#62;review&#60;/b&#62;");
    assert!(escaped && !html.contains("<b>review"), "escaped: {html}");
    assert!(html.contains("<td>Envoyer les chiffres à l’équipe</td>") && html.contains("<td>2026-12-20</td>"));
    assert_eq!(m.attachments.len(), 1);
    let pdf = &m.attachments[0];
    assert_eq!(pdf.content_type, "application/pdf");
    assert!(pdf.name.starts_with("minutes-2026-12-07") && pdf.name.ends_with(".pdf"), "{}", pdf.name);
    let text = pdf_text(&pdf.data);
    assert!(text.contains("Approuver le budget 2027 – version révisée") && text.contains("Envoyer les chiffres"));
    // Nobody mails themselves; the audit log has it; the outbox keeps no
    // copy of the content once sent.
    assert_eq!(t.mails_to(&owner).iter().filter(|m| m.subject.starts_with("Minutes")).count(), 0);
    assert_eq!(t.mails_to(&other).iter().filter(|m| m.subject.starts_with("Minutes")).count(), 0, "not chosen");
    assert_eq!(t.db.text("SELECT CAST(COUNT(*) AS TEXT) FROM audit_log WHERE kind = 'minutes.sent'").await, "1");
    assert_eq!(
        t.db.text("SELECT CAST(COUNT(*) AS TEXT) FROM mail_outbox WHERE body_html <> '' OR attachments <> ''").await,
        "0"
    );

    // The API does the same and says how many.
    let api = format!("/t/{slug}/api/v1{}/minutes/send", path.trim_start_matches(&format!("/t/{slug}")));
    let token = token_for(&org, &slug, "minutes").await;
    let c = t.client();
    let r = c.send(c.request(reqwest::Method::POST, &api).header("authorization", format!("Bearer {token}"))).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["sent"], 2, "everyone invited but the sender");
    let to = |body: serde_json::Value| {
        c.request(reqwest::Method::POST, &api)
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", "application/json")
            .body(body.to_string())
    };
    let owner_id = t.db.text("SELECT user_id FROM meeting_participants WHERE role = 'organiser'").await;
    let r = c.send(to(serde_json::json!({ "recipients": [owner_id] }))).await;
    assert_eq!((r.status, r.json()["error"]["code"].as_str()), (422, Some("minutes.unknown_recipient")), "{}", r.body);
    let r = c.send(to(serde_json::json!({ "recipients": [other_id], "note": "For you" }))).await;
    assert_eq!(r.json()["sent"], 1, "{}", r.body);
    let mails = t.wait_mails(&other, 4).await;
    assert!(mails.last().unwrap().body.starts_with("Olivia Owner writes:\n\nFor you\n"));
});
