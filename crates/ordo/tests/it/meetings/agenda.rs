//! The note space: topics, elements and remarks edited, moved, assigned
//! and deleted by whom the policy says, in the browser and through the API.

use super::*;

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
    // Rewriting a remark from the page: its author may, keeping its lines;
    // a reader may not rewrite another's; the change is in the history.
    // The meeting page links "Edit" to the element's remarks page, which
    // holds the edit form (app.js opens it in place).
    let page = cc.get(&path).await.body;
    assert_eq!(page.matches(&format!("remarks#ce-{contributor_remark}\"")).count(), 1, "Edit on my remark");
    assert!(!page.contains(&format!("remarks#ce-{reader_remark}\"")), "none on someone else's");
    let remarks = cc.get(&format!("{path}/elements/{theirs}/remarks")).await.body;
    assert_eq!(remarks.matches(&format!("/comments/{contributor_remark}/edit\"")).count(), 1, "an edit form on mine");
    assert!(!remarks.contains(&format!("/comments/{reader_remark}/edit\"")), "none on someone else's");
    let r = cc
        .post_form(
            &format!("{path}/comments/{contributor_remark}/edit"),
            &[("body", "Contributor remark\nsecond line")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(r.location().ends_with(&format!("#c-{contributor_remark}")), "{}", r.location());
    let j = org.get(&api).await.json();
    assert!(j["comments"].as_array().unwrap().iter().any(|c| c["body"] == "Contributor remark\nsecond line"), "{j}");
    let remarks = cc.get(&format!("{path}/elements/{theirs}/remarks")).await.body;
    assert!(remarks.contains(">Contributor remark\nsecond line</textarea>"), "the edit field keeps the lines");
    rc.get(&path).await;
    let r = rc.post_form(&format!("{path}/comments/{contributor_remark}/edit"), &[("body", "Hijacked")]).await;
    assert_eq!(r.status, 403);
    let history = org.get(&format!("{}/history", api)).await.json();
    assert!(history.to_string().contains("Contributor remark"), "the previous text is in the history: {history}");
    cc.get(&path).await;
    cc.post_form(&format!("{path}/comments/{contributor_remark}/edit"), &[("body", "Contributor remark")]).await;
    rc.get(&path).await;
    assert_eq!(rc.post_form(&format!("{path}/comments/{contributor_remark}/delete"), &[]).await.status, 403);
    let page = rc.get(&path).await.body;
    assert_eq!(page.matches("/delete\" class=\"link\" data-confirm").count(), 1, "a delete button on my remark only");
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

both!(a_line_names_owners_and_a_due_date_after_at_in_the_page_and_the_api, |engine| {
    use ordo_core::time::Clock;
    let t = TestApp::spawn(engine).await;
    let (slug, _owner, org) = t.tenant_with_owner().await;
    let (mia, _) = t.member(&slug, &org, "member").await;
    let path = new_meeting(&org, &slug, "Typed lines").await;
    org.post_form(&format!("{path}/topics"), &[("title", "Work")]).await;
    org.post_form(&format!("{path}/participants"), &[("email", &mia), ("role", "contributor")]).await;
    let topic = ids_after(&org.get(&path).await.body, "id=\"topic-")[0].to_owned();
    // "Today" is the day in the meeting's zone (Europe/Paris).
    let today = ordo_core::meeting::day_in(t.clock.now(), "Europe/Paris").unwrap();
    let in_three = today.tomorrow().and_then(|d| d.tomorrow()).and_then(|d| d.tomorrow()).unwrap().to_string();

    // From the page's line: an action, its owner, its due date, its title
    // without the @ words.
    let r =
        org.post_form(&format!("{path}/elements"), &[("topic", &topic), ("title", "Call the bank @mia @+3d")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = org.get(&path).await.body;
    let line = page.split("Call the bank").nth(1).unwrap().split("</li>").next().unwrap();
    assert!(page.contains("kind-action"), "the line became an action");
    assert!(line.contains("Mia member") && line.contains(&in_three), "owner and due date: {line}");
    assert!(!page.contains("@mia"), "the @ words are not in the title");

    // A note keeps its @ words as text.
    let r = org.post_form(&format!("{path}/elements"), &[("topic", &topic), ("title", "/n ask @mia later")]).await;
    assert_eq!(r.status, 303);
    assert!(org.get(&path).await.body.contains("ask @mia later"));

    // A name that is nobody is refused where it was typed, the text kept.
    let r = org.post_form(&format!("{path}/elements"), &[("topic", &topic), ("title", "Send it @nobody")]).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("is not one of the meeting"), "{}", r.body);
    assert!(r.body.contains("value=\"Send it @nobody\""), "the line is kept");

    // Two people a name fits: refused, never guessed.
    let (mia2, _) = t.member(&slug, &org, "member").await;
    org.post_form(&format!("{path}/participants"), &[("email", &mia2), ("role", "reader")]).await;
    let r = org.post_form(&format!("{path}/elements"), &[("topic", &topic), ("title", "Who @mia")]).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("fits several participants"), "{}", r.body);

    // Through the API, the same line is read the same way; a kind given
    // apart wins, and its @ words stay text.
    let token = token_for(&org, &slug, "lines").await;
    let api = t.client();
    let id = path.rsplit('/').next().unwrap();
    let base = format!("/t/{slug}/api/v1/meetings/{id}");
    let post = |body: String| {
        api.request(reqwest::Method::POST, &format!("{base}/elements"))
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", "application/json")
            .body(body)
    };
    let fr_date = format!("{}/{}", today.day(), today.month());
    let r = api.send(post(format!(r#"{{"topic_id":"{topic}","title":"Write notes @mia_member @{fr_date}"}}"#))).await;
    // Two "Mia member" now: the full name still fits both.
    assert_eq!(r.status, 422, "{}", r.body);
    let r = api
        .send(post(format!(
            r#"{{"topic_id":"{topic}","title":"Write notes @{} @12/31/2031"}}"#,
            mia.split('@').next().unwrap()
        )))
        .await;
    assert_eq!(r.status, 201, "an e-mail's name part names one person: {}", r.body);
    let element = r.json()["id"].as_str().unwrap().to_owned();
    let r = api.send(post(format!(r#"{{"topic_id":"{topic}","kind":"decision","title":"Ask @mia"}}"#))).await;
    assert_eq!(r.status, 201);
    let j = api
        .send(api.request(reqwest::Method::GET, &base).header("authorization", format!("Bearer {token}")))
        .await
        .json();
    let e = j["elements"].as_array().unwrap().iter().find(|e| e["id"] == element.as_str()).unwrap().clone();
    assert_eq!((e["kind"].as_str(), e["title"].as_str()), (Some("action"), Some("Write notes")), "{e}");
    assert_eq!(e["due_date"], "2031-12-31", "month first for an English writer: {e}");
    assert_eq!(e["owners"].as_array().unwrap().len(), 1);
    let d = j["elements"].as_array().unwrap().iter().find(|e| e["kind"] == "decision").unwrap().clone();
    assert_eq!(d["title"], "Ask @mia");
});

/// A meeting of 100 elements (ten topics of ten: actions with an owner and
/// a due date, decisions, topics to discuss, notes, remarks on some): what
/// the page weighs, and how many controls it offers before any is revealed.
/// The element's controls are one shared form's buttons, its remarks form
/// sits closed: the page stays light however long the meeting.
#[tokio::test]
async fn a_hundred_element_meeting_page_stays_light() {
    let t = TestApp::spawn(Engine::Sqlite).await;
    let (slug, _owner, org) = t.tenant_with_owner().await;
    let (mia, _) = t.member(&slug, &org, "member").await;
    let path = new_meeting(&org, &slug, "Weekly operations review").await;
    org.post_form(&format!("{path}/participants"), &[("email", &mia), ("role", "contributor")]).await;
    for i in 0..10 {
        org.post_form(&format!("{path}/topics"), &[("title", &format!("Topic number {i} of the weekly review"))]).await;
    }
    let topics: Vec<String> =
        ids_after(&org.get(&path).await.body, "id=\"topic-").into_iter().map(str::to_owned).collect();
    assert_eq!(topics.len(), 10);
    for (n, topic) in topics.iter().enumerate() {
        for i in 0..10 {
            let line = match i % 4 {
                0 => format!("Follow up with the supplier about order {n}{i} @mia @+7d"),
                1 => format!("/d We agreed on the plan for item {n}{i}"),
                2 => format!("/t Open question about item {n}{i}"),
                _ => format!("A note about what was said on item {n}{i}"),
            };
            let r = org.post_form(&format!("{path}/elements"), &[("topic", topic), ("title", &line)]).await;
            assert_eq!(r.status, 303, "{}", r.body);
        }
    }
    let page = org.get(&path).await.body;
    let elements = ids_after(&page, "id=\"el-");
    assert_eq!(elements.len(), 100);
    for e in elements.iter().take(10) {
        org.post_form(&format!("{path}/elements/{e}/comments"), &[("body", "Agreed, with a remark")]).await;
    }
    let page = org.get(&path).await.body;
    let kib = page.len() as f64 / 1024.0;
    eprintln!("100 elements: {kib:.1} KiB, {:.2} KiB per element", kib / 100.0);
    // The page of the same meeting weighed 286 KiB when each element
    // carried its own forms: at most half of it now.
    assert!(kib <= 143.0, "the page weighs {kib:.1} KiB");
    // An element's buttons post through one shared form.
    assert!(!page.contains("/move\" name=\"direction\""), "no move buttons per element");
    assert_eq!(page.matches("<form id=\"acts\"").count(), 1);
    assert_eq!(
        page.matches("form=\"acts\"").count(),
        30 + 20 + 10,
        "the status of 30 actions and 20 topics to discuss, the deletion of 10 remarks \
         (elements move by Alt+arrows, drag or their page)"
    );
}

both!(a_topics_forms_and_an_elements_remarks_have_pages_of_their_own, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug, _owner, org) = t.tenant_with_owner().await;
    let (reader, rc) = t.member(&slug, &org, "member").await;
    let (_outsider, oc) = t.member(&slug, &org, "member").await;
    let path = new_meeting(&org, &slug, "Pages").await;
    org.post_form(&format!("{path}/topics"), &[("title", "Agenda item")]).await;
    org.post_form(&format!("{path}/participants"), &[("email", &reader), ("role", "reader")]).await;
    org.post_form(&format!("{path}/share"), &[]).await;
    let page = org.get(&path).await.body;
    let topic = ids_after(&page, "id=\"topic-")[0].to_owned();
    org.post_form(&format!("{path}/elements"), &[("topic", &topic), ("title", "Without remarks")]).await;
    let page = org.get(&path).await.body;
    let el = ids_after(&page, "id=\"el-")[0].to_owned();

    // The meeting page links to the topic's page; it renames the topic.
    assert!(page.contains(&format!("/topics/{topic}/edit\"")), "Topic… is a link");
    let edit = org.get(&format!("{path}/topics/{topic}/edit")).await;
    assert_eq!(edit.status, 200);
    assert!(edit.body.contains("value=\"Agenda item\"") && edit.body.contains(&format!("id=\"sub-{topic}\"")));
    let r = org.post_form(&format!("{path}/topics/{topic}/edit"), &[("title", "Renamed item")]).await;
    assert_eq!(r.status, 303);
    assert!(org.get(&path).await.body.contains("Renamed item"));
    // A reader may not manage topics; someone outside does not see them.
    assert_eq!(rc.get(&format!("{path}/topics/{topic}/edit")).await.status, 403);
    assert_eq!(oc.get(&format!("{path}/topics/{topic}/edit")).await.status, 404);

    // "Reply" leads to the element's remarks page, where a reader remarks.
    let reader_page = rc.get(&path).await.body;
    assert!(reader_page.contains(&format!("/elements/{el}/remarks\"")), "Reply is a link");
    let remarks = rc.get(&format!("{path}/elements/{el}/remarks")).await;
    assert_eq!(remarks.status, 200);
    assert!(remarks.body.contains(&format!("id=\"cm-{el}\"")), "the remark form");
    let r = rc.post_form(&format!("{path}/elements/{el}/comments"), &[("body", "Seen, thanks")]).await;
    assert_eq!(r.status, 303);
    assert!(rc.get(&format!("{path}/elements/{el}/remarks")).await.body.contains("Seen, thanks"));
    assert_eq!(oc.get(&format!("{path}/elements/{el}/remarks")).await.status, 404);
    // An element of another meeting is not found here.
    let other = new_meeting(&org, &slug, "Other").await;
    assert_eq!(org.get(&format!("{other}/elements/{el}/remarks")).await.status, 404);
});
