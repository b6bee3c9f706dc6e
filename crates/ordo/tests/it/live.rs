//! Live collaboration (requirement M13): what one participant changes reaches
//! everyone viewing the meeting without a reload, through any server of the
//! cluster; two edits of the same element are detected and the second
//! author keeps their text.

use crate::helpers::*;

/// A shared meeting with one topic, organised by the tenant's owner, with a
/// member as editor: (slug, owner, owner's client, member, meeting path).
pub async fn meeting_with_member(t: &TestApp) -> (String, String, Client, String, String) {
    let (slug, owner, org) = t.tenant_with_owner().await;
    let (member, _mc) = t.member(&slug, &org, "member").await;
    org.get(&format!("/t/{slug}/meetings")).await;
    let r = org
        .post_form(
            &format!("/t/{slug}/meetings"),
            &[
                ("title", "Weekly"),
                ("starts_at", "2026-12-07T09:30"),
                ("time_zone", "Europe/Paris"),
                ("duration_minutes", "30"),
            ],
        )
        .await;
    let path = r.location().split('?').next().unwrap().to_owned();
    org.post_form(&format!("{path}/participants"), &[("email", &member), ("role", "editor")]).await;
    org.post_form(&format!("{path}/topics"), &[("title", "Roadmap")]).await;
    org.post_form(&format!("{path}/share"), &[]).await;
    (slug, owner, org, member, path)
}

fn revision_of(page: &str) -> String {
    page.split("data-revision=\"").nth(1).unwrap().split('"').next().unwrap().to_owned()
}

both!(a_change_made_through_another_server_reaches_a_live_page, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug, _owner, org, member, path) = meeting_with_member(&t).await;
    let page = org.get(&path).await.body;
    assert!(page.contains(&format!("data-events=\"{path}/events\"")), "{page}");
    let revision: i64 = revision_of(&page).parse().unwrap();
    let topic = page.split("id=\"topic-").nth(1).unwrap()[..36].to_owned();

    // The organiser watches through this server; the member writes through
    // a second one on the same database.
    let node = t.second_server().await;
    let mc = node.client();
    mc.login(&slug, &member, PASSWORD).await;
    let watching = stream_in_background(&org, &format!("{path}/events?revision={revision}"), "data: ");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    mc.get(&path).await;
    let r = mc
        .post_form(&format!("{path}/elements"), &[("topic", &topic), ("kind", "decision"), ("title", "Ship in March")])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let got = watching.await.unwrap();
    let told: i64 = got.split("data: ").nth(1).unwrap().lines().next().unwrap().trim().parse().unwrap();
    assert!(told > revision, "{got}");
    assert!(got.contains(&format!("id: {told}")), "the event carries its revision for a reconnection: {got}");
    let page = org.get(&path).await.body;
    assert!(page.contains("Ship in March"));
    assert_eq!(revision_of(&page), told.to_string(), "the page says which revision it shows");

    // A reconnecting browser says what it was last told: nothing new, no event
    // until the next change; then the next one.
    let r = org.clone_with_header("last-event-id", &told.to_string());
    let next = stream_in_background(&r, &format!("{path}/events?revision={revision}"), "data: ");
    tokio::time::sleep(std::time::Duration::from_millis(900)).await;
    assert!(!next.is_finished(), "no event for a revision already known");
    mc.post_form(&format!("{path}/topics"), &[("title", "Hiring")]).await;
    let got = next.await.unwrap();
    assert!(got.split("data: ").nth(1).unwrap().lines().next().unwrap().trim().parse::<i64>().unwrap() > told);

    // Only this origin, only people who see the meeting.
    let evil = org.clone_with_header("origin", "https://evil.example");
    assert_eq!(evil.get_head(&format!("{path}/events")).await.0, 403);
    let (_other, _o, stranger) = t.tenant_with_owner().await;
    assert_eq!(stranger.get_head(&format!("{path}/events")).await.0, 404);
    assert_eq!(t.client().get_head(&format!("{path}/events")).await.0, 303, "anonymous: to the sign-in page");

    // Removed from the meeting while watching: told it is gone.
    let gone = stream_in_background(&mc, &format!("{path}/events?revision=999999"), "event: gone");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let member_id = t.db.text("SELECT user_id FROM meeting_participants WHERE role = 'editor'").await;
    let r = org.post_form(&format!("{path}/participants/{member_id}/remove"), &[]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    gone.await.unwrap();
});

both!(two_edits_of_one_element_conflict_and_the_second_author_keeps_their_text, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug, _owner, org, member, path) = meeting_with_member(&t).await;
    let mc = t.client();
    mc.login(&slug, &member, PASSWORD).await;
    let page = org.get(&path).await.body;
    let topic = page.split("id=\"topic-").nth(1).unwrap()[..36].to_owned();
    org.post_form(&format!("{path}/elements"), &[("topic", &topic), ("kind", "note"), ("title", "Budget")]).await;
    let page = org.get(&path).await.body;
    let el = page.split("id=\"el-").nth(1).unwrap()[..36].to_owned();
    let edit = format!("{path}/elements/{el}/edit");
    // Both open the element's page at the same version.
    let version_of =
        |body: &str| body.split("name=\"version\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let v1 = version_of(&org.get(&edit).await.body);
    let v2 = version_of(&mc.get(&edit).await.body);
    assert_eq!(v1, v2);
    let first = org
        .post_form(
            &edit,
            &[("version", &v1), ("topic", &topic), ("title", "Budget 2027"), ("description", "Agreed by the board")],
        )
        .await;
    assert_eq!(first.status, 303, "{}", first.body);
    let second = mc
        .post_form(
            &edit,
            &[
                ("version", &v2),
                ("topic", &topic),
                ("title", "Budget draft"),
                ("description", "Still to check with finance"),
            ],
        )
        .await;
    assert_eq!(second.status, 409, "{}", second.body);
    // The conflict is shown: their version beside, this author's text kept.
    assert!(second.body.contains("Someone else saved this element"), "{}", second.body);
    assert!(second.body.contains("Budget 2027") && second.body.contains("Agreed by the board"));
    assert!(second.body.contains("value=\"Budget draft\"") && second.body.contains("Still to check with finance"));
    // Nothing was overwritten silently.
    let page = org.get(&path).await.body;
    assert!(page.contains("Budget 2027") && !page.contains("Budget draft"));
    // Saving again, now knowingly based on their version, goes through.
    let v3 = version_of(&second.body);
    assert_ne!(v3, v2);
    let again = mc
        .post_form(
            &edit,
            &[
                ("version", &v3),
                ("topic", &topic),
                ("title", "Budget 2027 (draft)"),
                ("description", "Agreed by the board; finance to check"),
            ],
        )
        .await;
    assert_eq!(again.status, 303, "{}", again.body);
    assert!(org.get(&path).await.body.contains("Budget 2027 (draft)"));
});
