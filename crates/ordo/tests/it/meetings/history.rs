//! The history page: who changed what and when, the previous text, and
//! putting an element's previous text back (an edit like any other).

use super::*;

both!(the_history_page_shows_previous_texts_and_puts_one_back, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug, _owner, org) = t.tenant_with_owner().await;
    let (reader, rc) = t.member(&slug, &org, "member").await;
    let path = new_meeting(&org, &slug, "Weekly").await;
    let api = path.replace(&format!("/t/{slug}/"), &format!("/t/{slug}/api/v1/"));
    org.post_form(&format!("{path}/participants"), &[("email", &reader), ("role", "reader")]).await;
    org.post_form(&format!("{path}/share"), &[]).await;
    org.post_form(&format!("{path}/topics"), &[("title", "Plans")]).await;
    let topic = ids_after(&org.get(&path).await.body, "id=\"topic-")[0].to_owned();
    org.post_form(
        &format!("{path}/elements"),
        &[("topic", &topic), ("kind", "note"), ("title", "First title"), ("description", "<p>First <b>text</b></p>")],
    )
    .await;
    let el = ids_after(&org.get(&path).await.body, "id=\"el-")[0].to_owned();
    let version =
        |body: String| body.split("name=\"version\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let v = version(org.get(&format!("{path}/elements/{el}/edit")).await.body);
    let r = org
        .post_form(
            &format!("{path}/elements/{el}/edit"),
            &[("title", "Second title"), ("description", "<p>Second</p>"), ("topic", &topic), ("version", &v)],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);

    // The page: newest first, who and when, the previous text as it was.
    assert!(org.get(&path).await.body.contains(&format!("href=\"{path}/history\"")), "linked from the meeting");
    let page = org.get(&format!("{path}/history")).await;
    assert_eq!(page.status, 200);
    let h = page.body;
    assert!(
        h.contains("Olivia Owner</strong> · changed: <a") && h.contains("Olivia Owner</strong> · added: <a"),
        "{h}"
    );
    assert!(h.contains("<p class=\"el-title\">First title</p>") && h.contains("First <b>text</b>"), "{h}");
    let entry = h.split("/history/").nth(1).unwrap().split('/').next().unwrap().to_owned();
    assert!(h.contains(&format!("action=\"{path}/history/{entry}/restore\"")), "{h}");
    // A reader sees it but may not put anything back.
    let rp = rc.get(&format!("{path}/history")).await;
    assert_eq!(rp.status, 200);
    assert!(rp.body.contains("First title") && !rp.body.contains("/restore\""), "{}", rp.body);
    assert_eq!(rc.post_form(&format!("{path}/history/{entry}/restore"), &[]).await.status, 403);

    // Put back: the element has its first text again, and the text it had
    // is in the history in its turn.
    org.get(&format!("{path}/history")).await;
    let r = org.post_form(&format!("{path}/history/{entry}/restore"), &[]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(r.location().ends_with(&format!("?notice=restored#el-{el}")), "{}", r.location());
    let j = org.get(&api).await.json();
    let e = j["elements"].as_array().unwrap().iter().find(|e| e["id"] == el.as_str()).unwrap().clone();
    assert_eq!(
        (e["title"].as_str(), e["description"].as_str()),
        (Some("First title"), Some("<p>First <b>text</b></p>"))
    );
    let history = org.get(&format!("{api}/history")).await.json();
    let entries = history["history"].as_array().unwrap();
    assert!(entries.iter().any(|h| h["before"]["title"] == "Second title"), "{history}");
    // Nothing to put back from a creation, nor from an entry of another meeting.
    let created = entries.iter().find(|h| h["before"].is_null()).unwrap()["id"].clone();
    let token = token_for(&org, &slug, "history").await;
    let c = t.client();
    let post = |url: String| c.request(reqwest::Method::POST, &url).header("authorization", format!("Bearer {token}"));
    assert_eq!(c.send(post(format!("{api}/history/{}/restore", created.as_str().unwrap()))).await.status, 404);
    let other = new_meeting(&org, &slug, "Other").await;
    let other_api = other.replace(&format!("/t/{slug}/"), &format!("/t/{slug}/api/v1/"));
    assert_eq!(c.send(post(format!("{other_api}/history/{entry}/restore"))).await.status, 404);
    assert_eq!(c.send(post(format!("{api}/history/{entry}/restore"))).await.status, 204, "through the API");
});
