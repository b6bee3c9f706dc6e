//! Agenda templates (requirement M11): a meeting's agenda saved as a template,
//! meetings created from it (in one step, in the browser and the API), what
//! a template keeps and refuses, who may delete one, and its sealing.

use crate::helpers::*;

async fn meeting_with_agenda(c: &Client, slug: &str) -> String {
    c.get(&format!("/t/{slug}/meetings")).await;
    let r = c
        .post_form(
            &format!("/t/{slug}/meetings"),
            &[
                ("title", "Weekly team"),
                ("starts_at", "2026-12-07T09:30"),
                ("time_zone", "Europe/Paris"),
                ("duration_minutes", "45"),
            ],
        )
        .await;
    let path = r.location().split('?').next().unwrap().to_owned();
    c.post_form(&format!("{path}/topics"), &[("title", "News round")]).await;
    c.post_form(&format!("{path}/topics"), &[("title", "Projects")]).await;
    let page = c.get(&path).await.body;
    let topics: Vec<String> = page.match_indices("id=\"topic-").map(|(i, _)| page[i + 10..i + 46].to_owned()).collect();
    c.post_form(&format!("{path}/topics"), &[("title", "Project Atlas"), ("parent", &topics[1])]).await;
    for (topic, kind, title) in [
        (&topics[0], "discuss", "Anything blocking?"),
        (&topics[0], "note", "Two minutes each"),
        (&topics[0], "decision", "Decided once, not a standing item"),
        (&topics[1], "action", "An action of this week only"),
    ] {
        let r = c.post_form(&format!("{path}/elements"), &[("topic", topic), ("kind", kind), ("title", title)]).await;
        assert_eq!(r.status, 303, "{}", r.body);
    }
    path
}

both!(an_agenda_saved_as_a_template_starts_new_meetings, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug, _owner, org) = t.tenant_with_owner().await;
    let path = meeting_with_agenda(&org, &slug).await;
    let page = org.get(&path).await.body;
    assert!(page.contains("Save the agenda as a template"), "{page}");
    let meeting = path.rsplit('/').next().unwrap().to_owned();
    let r = org.post_form(&format!("/t/{slug}/templates"), &[("meeting", &meeting), ("name", "Team weekly")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let list = org.get(&r.location()).await.body;
    assert!(list.contains("Template saved") && list.contains("Team weekly"), "{list}");
    assert!(list.contains("News round") && list.contains("Project Atlas"));

    // A new meeting from it: the same topics and standing items, nothing of
    // what the first meeting decided or assigned.
    let tid = list.split("meetings?template=").nth(1).unwrap()[..36].to_owned();
    let form = org.get(&format!("/t/{slug}/meetings?template={tid}")).await.body;
    assert!(form.contains(&format!("<option value=\"{tid}\" selected>Team weekly</option>")), "{form}");
    let r = org
        .post_form(
            &format!("/t/{slug}/meetings"),
            &[
                ("title", "Weekly team, next"),
                ("starts_at", "2026-12-14T09:30"),
                ("time_zone", "Europe/Paris"),
                ("duration_minutes", "45"),
                ("template", &tid),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let next = org.get(r.location().split('?').next().unwrap()).await.body;
    for kept in ["News round", "Projects", "Project Atlas", "Anything blocking?", "Two minutes each"] {
        assert!(next.contains(kept), "{kept} missing");
    }
    assert!(!next.contains("Decided once") && !next.contains("An action of this week"));
    // Sub-topics stay sub-topics.
    assert!(next.contains("class=\"subtopic\""));

    // Through the API: list, create from it, save one given directly.
    let api = org.get(&format!("/t/{slug}/api/v1/templates")).await.json();
    assert_eq!(api["templates"][0]["name"], "Team weekly");
    assert_eq!(api["templates"][0]["agenda"]["topics"][1]["subtopics"][0]["title"], "Project Atlas");
    let token = org.csrf.lock().unwrap().clone().unwrap_or_default();
    let post = |path: String, body: String| {
        let req = org
            .request(reqwest::Method::POST, &path)
            .header("content-type", "application/json")
            .header("x-csrf-token", &token)
            .body(body);
        org.send(req)
    };
    let r = post(
        format!("/t/{slug}/api/v1/meetings"),
        format!(r#"{{"title":"From the API","starts_at":"2026-12-21T09:30","time_zone":"UTC","duration_minutes":30,"template_id":"{tid}"}}"#),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.json()["id"].as_str().unwrap().to_owned();
    let m = org.get(&format!("/t/{slug}/api/v1/meetings/{id}")).await.json();
    assert!(m.to_string().contains("Anything blocking?"), "{m}");
    let r = post(
        format!("/t/{slug}/api/v1/templates"),
        r#"{"name":"Retro","agenda":{"topics":[{"title":"What went well","items":[{"kind":"discuss","title":"Wins"}]},{"title":"To improve"}]}}"#.into(),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.body);

    // What a template refuses, field by field; nothing is saved.
    for (body, field) in [
        (r#"{"name":"","agenda":{"topics":[{"title":"A"}]}}"#, "name"),
        (r#"{"name":"Empty","agenda":{"topics":[]}}"#, "agenda"),
        (
            r#"{"name":"Deep","agenda":{"topics":[{"title":"A","subtopics":[{"title":"B","subtopics":[{"title":"C"}]}]}]}}"#,
            "agenda",
        ),
        (r#"{"name":"Actions","agenda":{"topics":[{"title":"A","items":[{"kind":"action","title":"Do"}]}]}}"#, "kind"),
        (
            r#"{"name":"Both","meeting_id":"00000000-0000-4000-8000-000000000000","agenda":{"topics":[{"title":"A"}]}}"#,
            "agenda",
        ),
        (r#"{"name":"Unknown","agenda":{"topics":[{"title":"A"}]},"colour":"red"}"#, ""),
    ] {
        let r = post(format!("/t/{slug}/api/v1/templates"), body.into()).await;
        assert!(matches!(r.status, 400 | 422), "{body}: {} {}", r.status, r.body);
        if !field.is_empty() {
            // A shape the types refuse names the path into the body (`agenda.topics[0]…`).
            let named = r.json()["error"]["field"].as_str().unwrap_or_default().to_owned();
            assert!(named == field || named.starts_with(&format!("{field}.")), "{body}: {}", r.body);
        }
    }
    let r = post(
        format!("/t/{slug}/api/v1/meetings"),
        r#"{"title":"Bad template","starts_at":"2026-12-21T09:30","time_zone":"UTC","duration_minutes":30,"template_id":"00000000-0000-4000-8000-000000000000"}"#.into(),
    )
    .await;
    assert_eq!((r.status, r.json()["error"]["field"].as_str()), (422, Some("template")), "{}", r.body);
    assert_eq!(t.db.text("SELECT CAST(COUNT(*) AS TEXT) FROM agenda_templates").await, "2");
    for view in ["upcoming", "past"] {
        let list = org.get(&format!("/t/{slug}/meetings?view={view}")).await.body;
        assert!(!list.contains("Bad template"), "no meeting half-made");
    }
});

both!(templates_are_for_members_and_deleted_by_their_author_or_an_admin, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug, _owner, org) = t.tenant_with_owner().await;
    let (_m, member) = t.member(&slug, &org, "member").await;
    let (_o, other_member) = t.member(&slug, &org, "member").await;
    let (_g, guest) = t.member(&slug, &org, "guest").await;
    let path = meeting_with_agenda(&member, &slug).await;
    let meeting = path.rsplit('/').next().unwrap().to_owned();
    member.get(&path).await;
    let r = member.post_form(&format!("/t/{slug}/templates"), &[("meeting", &meeting), ("name", "Mine")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    // Not someone else's meeting: its agenda is not theirs to copy.
    other_member.get(&format!("/t/{slug}/templates")).await;
    let r = other_member.post_form(&format!("/t/{slug}/templates"), &[("meeting", &meeting), ("name", "Stolen")]).await;
    assert_eq!(r.status, 422, "{}", r.body);
    // A name is required: the meeting page again, the message by the field.
    let r = member.post_form(&format!("/t/{slug}/templates"), &[("meeting", &meeting), ("name", " ")]).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("id=\"name-error\""), "{}", r.body);

    let list = other_member.get(&format!("/t/{slug}/templates")).await.body;
    assert!(list.contains("Mine") && !list.contains("/delete\""), "seen by every member, deleted by its author");
    let tid = list.split("meetings?template=").nth(1).unwrap()[..36].to_owned();
    assert_eq!(other_member.post_form(&format!("/t/{slug}/templates/{tid}/delete"), &[]).await.status, 403);
    assert_eq!(guest.get(&format!("/t/{slug}/templates")).await.status, 403, "guests do not create meetings");
    // The owner (an admin) may delete anyone's; the audit log says who.
    org.get(&format!("/t/{slug}/templates")).await;
    let r = org.post_form(&format!("/t/{slug}/templates/{tid}/delete"), &[]).await;
    assert_eq!(r.status, 303);
    assert_eq!(t.db.text("SELECT CAST(COUNT(*) AS TEXT) FROM agenda_templates").await, "0");
    let audit = org.get(&format!("/t/{slug}/admin/audit")).await.body;
    assert!(audit.contains("Agenda template saved") && audit.contains("Agenda template deleted"), "{audit}");
});

both!(a_template_is_sealed_like_meeting_data, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug, _owner, org) = t.tenant_with_owner().await;
    let path = meeting_with_agenda(&org, &slug).await;
    let meeting = path.rsplit('/').next().unwrap().to_owned();
    org.post_form(&format!("/t/{slug}/templates"), &[("meeting", &meeting), ("name", "Confidential board pack")]).await;
    assert!(t.db.text("SELECT name FROM agenda_templates").await.starts_with("e1."));
    assert!(t.db.text("SELECT body FROM agenda_templates").await.starts_with("e1."));
    let dump = t.raw_storage().await;
    assert!(!dump.contains("Confidential board pack") && !dump.contains("Anything blocking?"));
});
