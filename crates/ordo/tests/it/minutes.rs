//! Minutes out (PRODUCT.md M12): the minutes of a meeting as Markdown and
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
        .get(&format!("/t/{slug}/api/v1{}/minutes?format=pdf", path.trim_start_matches(&format!("/t/{slug}"))))
        .await;
    assert_eq!(bad.status, 422);
});
