//! The JSON API used by a program: a personal token, no cookie.

use crate::helpers::*;

both!(a_program_runs_a_meeting_through_the_api_with_a_token, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug, _owner, c) = t.tenant_with_owner().await;
    let (member, _mc) = t.member(&slug, &c, "member").await;
    let token = token_for(&c, &slug, "calendar add-in").await;
    assert!(token.starts_with("ordo_") && token.len() > 40);
    // Only its hash is stored.
    let stored = t.db.text("SELECT token_hash FROM api_tokens").await;
    assert_eq!(stored, ordo_crypto::sha256_hex(token.as_bytes()));
    let api = t.client();
    let call = |method: reqwest::Method, path: String, body: Option<String>| {
        let mut req = api.request(method, &path).header("authorization", format!("Bearer {token}"));
        if let Some(b) = body {
            req = req.header("content-type", "application/json").body(b);
        }
        req
    };
    let base = format!("/t/{slug}/api/v1");
    // No cookie, no anti-forgery token: the token is the credential.
    let r = api.send(call(reqwest::Method::POST, format!("{base}/meetings"), Some(r#"{"title":"API review","starts_at":"2026-12-02T14:00","time_zone":"America/New_York","duration_minutes":30}"#.into()))).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.json()["id"].as_str().unwrap().to_owned();
    let r = api
        .send(call(reqwest::Method::POST, format!("{base}/meetings/{id}/topics"), Some(r#"{"title":"Status"}"#.into())))
        .await;
    assert_eq!(r.status, 201);
    let topic = r.json()["id"].as_str().unwrap().to_owned();
    let r = api
        .send(call(
            reqwest::Method::POST,
            format!("{base}/meetings/{id}/participants"),
            Some(format!(r#"{{"email":"{member}","role":"contributor"}}"#)),
        ))
        .await;
    assert_eq!(r.status, 201);
    let member_id = r.json()["user_id"].as_str().unwrap().to_owned();
    let body = format!(
        r#"{{"topic_id":"{topic}","kind":"action","title":"Ship it","due_date":"2026-12-09","owners":["{member_id}"]}}"#
    );
    let r = api.send(call(reqwest::Method::POST, format!("{base}/meetings/{id}/elements"), Some(body))).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let element = r.json()["id"].as_str().unwrap().to_owned();
    let r = api
        .send(call(
            reqwest::Method::POST,
            format!("{base}/meetings/{id}/elements/{element}/comments"),
            Some(r#"{"body":"On it"}"#.into()),
        ))
        .await;
    assert_eq!(r.status, 201);
    let r = api.send(call(reqwest::Method::POST, format!("{base}/meetings/{id}/share"), None)).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["invited"], 1);
    let r = api.send(call(reqwest::Method::GET, format!("{base}/meetings/{id}"), None)).await;
    assert_eq!(r.status, 200);
    let j = r.json();
    assert_eq!(j["meeting"]["starts_at"], "2026-12-02T19:00:00Z", "14:00 in New York is 19:00 UTC in December");
    assert_eq!(j["elements"][0]["owners"][0], member_id.as_str());
    assert_eq!(j["comments"][0]["body"], "On it");
    // Strict input: an unknown field, a wrong kind.
    let r = api
        .send(call(
            reqwest::Method::POST,
            format!("{base}/meetings/{id}/topics"),
            Some(r#"{"title":"x","color":"red"}"#.into()),
        ))
        .await;
    assert_eq!(r.status, 422);
    let r = api
        .send(call(
            reqwest::Method::POST,
            format!("{base}/meetings/{id}/elements"),
            Some(format!(r#"{{"topic_id":"{topic}","kind":"poem","title":"x"}}"#)),
        ))
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["error"]["field"], "kind");
    // No kind: a note, as the document says; whole numbers may come as 1.0.
    let r = api
        .send(call(
            reqwest::Method::POST,
            format!("{base}/meetings/{id}/elements"),
            Some(format!(r#"{{"topic_id":"{topic}","title":"Plain"}}"#)),
        ))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let plain = r.json()["id"].as_str().unwrap().to_owned();
    let r = api
        .send(call(
            reqwest::Method::POST,
            format!("{base}/meetings/{id}/elements/{plain}/move"),
            Some(r#"{"position":0.0}"#.into()),
        ))
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    let r = api.send(call(reqwest::Method::GET, format!("{base}/meetings/{id}"), None)).await;
    let kind =
        r.json()["elements"].as_array().unwrap().iter().find(|e| e["id"] == plain.as_str()).unwrap()["kind"].clone();
    assert_eq!(kind, "note");
    let r = api
        .send(call(
            reqwest::Method::POST,
            format!("{base}/meetings/{id}/elements/{plain}/move"),
            Some(r#"{"position":0.5}"#.into()),
        ))
        .await;
    assert_eq!(r.status, 422, "not a whole number: {}", r.body);

    // The token works only in its tenant; revoked, it works nowhere.
    let (other, _o, _oc) = t.tenant_with_owner().await;
    let r = api.send(call(reqwest::Method::GET, format!("/t/{other}/api/v1/meetings"), None)).await;
    assert_eq!(r.status, 404);
    let page = c.get(&format!("/t/{slug}/settings/tokens")).await.body;
    assert!(page.contains("calendar add-in") && !page.contains(&token), "listed with its last use, never shown again");
    let used = t.db.text("SELECT CAST(last_used_at AS TEXT) FROM api_tokens").await;
    assert_eq!(used, t.app.now().unix().to_string(), "the last use is recorded");
    let row = page.split("calendar add-in").nth(1).unwrap().split("</tr>").next().unwrap();
    assert!(!row.contains(">never<"), "and shown: {row}");
    let id_start = page.find("/settings/tokens/").unwrap() + "/settings/tokens/".len();
    let token_id = page[id_start..].split('/').next().unwrap().to_owned();
    assert_eq!(c.post_form(&format!("/t/{slug}/settings/tokens/{token_id}/revoke"), &[]).await.status, 303);
    let r = api.send(call(reqwest::Method::GET, format!("{base}/meetings"), None)).await;
    assert_eq!(r.status, 401);
    // A token never unlocks the HTML pages.
    let r = api
        .send(
            api.request(reqwest::Method::GET, &format!("/t/{slug}/"))
                .header("authorization", format!("Bearer {token}")),
        )
        .await;
    assert_eq!(r.status, 303);
});

both!(the_openapi_document_and_reference_are_served, |engine| {
    let t = TestApp::spawn(engine).await;
    let c = t.client();
    let r = c.get("/api/openapi.json").await;
    assert_eq!(r.status, 200);
    let doc = r.json();
    assert_eq!(doc["openapi"], "3.1.0");
    for path in ordo_web::routes::TENANT_ROUTES.iter().filter(|r| r.path.contains("/api/")) {
        assert!(
            doc["paths"][path.path][path.method.to_lowercase()].is_object(),
            "{} {} missing from /api/openapi.json",
            path.method,
            path.path
        );
    }
    let page = c.get("/api/docs").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("POST /t/{slug}/api/v1/meetings"));
});

both!(the_api_edits_reorders_manages_people_and_closes_a_meeting, |engine| {
    use reqwest::Method;
    let t = TestApp::spawn(engine).await;
    let (slug, _owner, c) = t.tenant_with_owner().await;
    let (member, mc) = t.member(&slug, &c, "member").await;
    let token = token_for(&c, &slug, "script").await;
    let api = t.client();
    let call = |method: Method, path: String, body: Option<&str>| {
        let mut req = api.request(method, &path).header("authorization", format!("Bearer {token}"));
        if let Some(b) = body {
            req = req.header("content-type", "application/json").body(b.to_owned());
        }
        req
    };
    let base = format!("/t/{slug}/api/v1");
    let send = |m: Method, p: String, b: Option<String>| api.send(call(m, p, b.as_deref()));
    let r = send(
        Method::POST,
        format!("{base}/meetings"),
        Some(r#"{"title":"Weekly","starts_at":"2026-12-02T09:00","time_zone":"UTC","duration_minutes":30}"#.into()),
    )
    .await;
    let id = r.json()["id"].as_str().unwrap().to_owned();
    let m = format!("{base}/meetings/{id}");
    let mut topics = Vec::new();
    for title in ["First", "Second"] {
        let r = send(Method::POST, format!("{m}/topics"), Some(format!(r#"{{"title":"{title}"}}"#))).await;
        topics.push(r.json()["id"].as_str().unwrap().to_owned());
    }
    let r = send(
        Method::POST,
        format!("{m}/participants"),
        Some(format!(r#"{{"email":"{member}","role":"contributor"}}"#)),
    )
    .await;
    let member_id = r.json()["user_id"].as_str().unwrap().to_owned();
    let mut elements = Vec::new();
    for title in ["One", "Two", "Three"] {
        let body = format!(r#"{{"topic_id":"{}","kind":"action","title":"{title}"}}"#, topics[0]);
        let r = send(Method::POST, format!("{m}/elements"), Some(body)).await;
        elements.push(r.json()["id"].as_str().unwrap().to_owned());
    }
    let get = || send(Method::GET, m.clone(), None);

    // Details: a partial edit keeps the other fields; a stale version is 409;
    // a bad value is 422 naming its field; nothing changes on refusal.
    let r =
        send(Method::PATCH, m.clone(), Some(r#"{"version":1,"title":"Weekly sync","place":"Room 2"}"#.into())).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["meeting"]["title"], "Weekly sync");
    assert_eq!(r.json()["meeting"]["duration_minutes"], 30);
    assert_eq!(r.json()["meeting"]["version"], 2);
    let r = send(Method::PATCH, m.clone(), Some(r#"{"version":1,"title":"Lost update"}"#.into())).await;
    assert_eq!(r.status, 409, "{}", r.body);
    let r = send(Method::PATCH, m.clone(), Some(r#"{"version":2,"duration_minutes":2}"#.into())).await;
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["error"]["field"], "duration_minutes");
    let r = send(Method::PATCH, m.clone(), Some(r#"{"version":2,"colour":"red"}"#.into())).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(r.json()["error"]["field"], "colour", "an unknown field is named");
    let r = send(Method::PATCH, m.clone(), Some(r#"{"version":"two"}"#.into())).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(r.json()["error"]["field"], "version", "a value of the wrong type is named");
    let long = "x".repeat(201);
    let r = send(Method::PATCH, m.clone(), Some(format!(r#"{{"version":2,"title":"{long}"}}"#))).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(r.json()["error"]["field"], "title", "too long");
    assert_eq!(get().await.json()["meeting"]["title"], "Weekly sync");

    // Elements: edit with owners, stale version, owner who is no participant.
    let e = format!("{m}/elements/{}", elements[0]);
    let r = send(
        Method::PATCH,
        e.clone(),
        Some(format!(r#"{{"version":1,"title":"One, done well","owners":["{member_id}"],"due_date":"2026-12-24"}}"#)),
    )
    .await;
    assert_eq!(r.status, 204, "{}", r.body);
    let r = send(Method::PATCH, e.clone(), Some(r#"{"version":1,"title":"Stale"}"#.into())).await;
    assert_eq!(r.status, 409);
    let stranger = ordo_core::ids::UserId::new();
    let r = send(Method::PATCH, e.clone(), Some(format!(r#"{{"version":2,"owners":["{stranger}"]}}"#))).await;
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["error"]["field"], "owners");
    let j = get().await.json();
    let one = j["elements"].as_array().unwrap().iter().find(|x| x["id"] == elements[0].as_str()).unwrap().clone();
    assert_eq!(one["title"], "One, done well");
    assert_eq!(one["due_date"], "2026-12-24");
    assert_eq!(one["owners"], serde_json::json!([member_id]));
    assert_eq!(one["version"], 2);

    // Reordering: "Three" first in its topic, "Two" into the second topic,
    // then the second topic before the first.
    let r = send(Method::POST, format!("{m}/elements/{}/move", elements[2]), Some(r#"{"position":0}"#.into())).await;
    assert_eq!(r.status, 204, "{}", r.body);
    let body = format!(r#"{{"topic_id":"{}","position":5}}"#, topics[1]);
    let r = send(Method::POST, format!("{m}/elements/{}/move", elements[1]), Some(body)).await;
    assert_eq!(r.status, 204, "{}", r.body);
    let r = send(Method::POST, format!("{m}/topics/{}/move", topics[1]), Some(r#"{"position":0}"#.into())).await;
    assert_eq!(r.status, 204, "{}", r.body);
    let j = get().await.json();
    let order = |topic: &str| -> Vec<String> {
        j["elements"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|x| x["topic_id"] == topic)
            .map(|x| x["title"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(order(&topics[0]), ["Three", "One, done well"]);
    assert_eq!(order(&topics[1]), ["Two"]);
    let topic_titles: Vec<&str> =
        j["topics"].as_array().unwrap().iter().map(|x| x["title"].as_str().unwrap()).collect();
    assert_eq!(topic_titles, ["Second", "First"]);
    // A topic of another meeting is not a place to move to.
    let r = send(
        Method::POST,
        format!("{base}/meetings"),
        Some(r#"{"title":"Other","starts_at":"2026-12-03T09:00","time_zone":"UTC","duration_minutes":30}"#.into()),
    )
    .await;
    let other = r.json()["id"].as_str().unwrap().to_owned();
    let r =
        send(Method::POST, format!("{base}/meetings/{other}/topics"), Some(r#"{"title":"Elsewhere"}"#.into())).await;
    let elsewhere = r.json()["id"].as_str().unwrap().to_owned();
    let body = format!(r#"{{"topic_id":"{elsewhere}","position":0}}"#);
    let r = send(Method::POST, format!("{m}/elements/{}/move", elements[1]), Some(body)).await;
    assert_eq!(r.status, 422, "an id of elsewhere in the body is a field error: {}", r.body);
    assert_eq!(r.json()["error"]["field"], "topic_id");
    let j = get().await.json();
    let two = j["elements"].as_array().unwrap().iter().find(|x| x["id"] == elements[1].as_str()).unwrap().clone();
    assert_eq!(two["topic_id"], topics[1].as_str(), "unchanged");

    // People: suggestions are the people met; roles change; the organiser
    // stays; a removed participant loses the meeting and its actions.
    let r = send(Method::GET, format!("{base}/people"), None).await;
    assert_eq!(r.json()["people"][0]["email"], member.as_str());
    let me = send(Method::GET, format!("{base}/me"), None).await.json()["id"].as_str().unwrap().to_owned();
    let r = send(Method::PATCH, format!("{m}/participants/{member_id}"), Some(r#"{"role":"editor"}"#.into())).await;
    assert_eq!(r.status, 204, "{}", r.body);
    let j = get().await.json();
    let p = j["participants"].as_array().unwrap().iter().find(|x| x["user_id"] == member_id.as_str()).unwrap().clone();
    assert_eq!(p["role"], "editor");
    let r = send(Method::PATCH, format!("{m}/participants/{me}"), Some(r#"{"role":"reader"}"#.into())).await;
    assert_eq!(r.status, 422);
    let r = send(Method::PATCH, format!("{m}/participants/{member_id}"), Some(r#"{"role":"organiser"}"#.into())).await;
    assert_eq!(r.status, 422);
    let r = send(Method::DELETE, format!("{m}/participants/{me}"), None).await;
    assert_eq!(r.status, 422);
    send(Method::POST, format!("{m}/share"), None).await;
    assert_eq!(mc.get(&format!("/t/{slug}/meetings/{id}")).await.status, 200);
    let r = send(Method::DELETE, format!("{m}/participants/{member_id}"), None).await;
    assert_eq!(r.status, 204, "{}", r.body);
    assert_eq!(mc.get(&format!("/t/{slug}/meetings/{id}")).await.status, 404);
    let j = get().await.json();
    assert!(j["participants"].as_array().unwrap().iter().all(|x| x["user_id"] != member_id.as_str()));
    let one = j["elements"].as_array().unwrap().iter().find(|x| x["id"] == elements[0].as_str()).unwrap().clone();
    assert_eq!(one["owners"], serde_json::json!([]));
    let r = send(Method::DELETE, format!("{m}/participants/{member_id}"), None).await;
    assert_eq!(r.status, 404);

    // Closing: cancelled, the meeting is read-only.
    let r = send(Method::POST, format!("{m}/cancel"), None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["meeting"]["status"], "cancelled");
    let r = send(Method::PATCH, m.clone(), Some(r#"{"version":2,"title":"Too late"}"#.into())).await;
    assert_eq!(r.status, 403);
    let r = send(Method::POST, format!("{base}/meetings/{other}/archive"), None).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["meeting"]["status"], "archived");
    let r = send(Method::POST, format!("{base}/meetings/{other}/topics"), Some(r#"{"title":"After"}"#.into())).await;
    assert_eq!(r.status, 403);
});

both!(a_meeting_made_through_the_api_takes_the_documented_defaults_and_no_stray_rule, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug, _owner, c) = t.tenant_with_owner().await;
    let token = token_for(&c, &slug, "defaults").await;
    let api = t.client();
    let post = |body: &str| {
        api.request(reqwest::Method::POST, &format!("/t/{slug}/api/v1/meetings"))
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", "application/json")
            .body(body.to_owned())
    };
    // No duration: an hour, as the document says.
    let r = api.send(post(r#"{"title":"Defaults","starts_at":"2027-01-04T10:00","time_zone":"Europe/Paris"}"#)).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.json()["id"].as_str().unwrap().to_owned();
    let j = api
        .send(
            api.request(reqwest::Method::GET, &format!("/t/{slug}/api/v1/meetings/{id}"))
                .header("authorization", format!("Bearer {token}")),
        )
        .await
        .json();
    assert_eq!(j["meeting"]["duration_minutes"], 60);
    // A meeting that does not repeat still refuses what no rule could be.
    for (field, value) in [("count", "E9"), ("until", "soon"), ("interval", "13")] {
        let body = format!(
            r#"{{"title":"Stray","starts_at":"2027-01-04T10:00","time_zone":"Europe/Paris","{field}":"{value}"}}"#
        );
        let r = api.send(post(&body)).await;
        assert_eq!(r.status, 422, "{field}: {}", r.body);
        assert_eq!(r.json()["error"]["field"], field, "{}", r.body);
    }
});
