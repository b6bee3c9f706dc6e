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
    org.post_form(&format!("{path}/share"), &[]).await;
    t.wait_mails(&member, 2).await; // activation, invitation

    // A contributor may not send them; the organiser may, also once archived.
    let page = mc.get(&path).await.body;
    assert!(!page.contains("/minutes/send"));
    assert_eq!(mc.post_form(&format!("{path}/minutes/send"), &[]).await.status, 403);
    org.get(&path).await;
    org.post_form(&format!("{path}/archive"), &[]).await;
    let page = org.get(&path).await.body;
    assert!(page.contains(&format!("action=\"{path}/minutes/send\"")), "offered once archived");
    let r = org.post_form(&format!("{path}/minutes/send"), &[]).await;
    assert_eq!(r.status, 303);
    assert!(r.location().ends_with("?notice=minutes_sent"));

    let mails = t.wait_mails(&member, 3).await;
    let m = mails.last().unwrap();
    assert_eq!(m.subject, "Minutes: Board <b>review</b>");
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
    assert_eq!(r.json()["sent"], 1);
});
