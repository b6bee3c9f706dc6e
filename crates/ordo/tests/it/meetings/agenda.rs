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
    let page = cc.get(&path).await.body;
    assert_eq!(page.matches(&format!("/comments/{contributor_remark}/edit\"")).count(), 1, "an edit form on my remark");
    assert!(!page.contains(&format!("/comments/{reader_remark}/edit\"")), "none on someone else's");
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
    let page = cc.get(&path).await.body;
    assert!(page.contains(">Contributor remark\nsecond line</textarea>"), "the edit field keeps the lines");
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
