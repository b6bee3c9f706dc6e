//! The JSON API used by a program: a personal token, no cookie.

use crate::helpers::*;

async fn token_for(c: &Client, slug: &str, name: &str) -> String {
    c.get(&format!("/t/{slug}/settings/tokens")).await;
    let r = c.post_form(&format!("/t/{slug}/settings/tokens"), &[("name", name)]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let i = r.body.find("<code class=\"token\">").expect("the token is shown once");
    let rest = &r.body[i + "<code class=\"token\">".len()..];
    rest[..rest.find('<').unwrap()].to_owned()
}

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

    // The token works only in its tenant; revoked, it works nowhere.
    let (other, _o, _oc) = t.tenant_with_owner().await;
    let r = api.send(call(reqwest::Method::GET, format!("/t/{other}/api/v1/meetings"), None)).await;
    assert_eq!(r.status, 404);
    let page = c.get(&format!("/t/{slug}/settings/tokens")).await.body;
    assert!(page.contains("calendar add-in") && !page.contains(&token), "listed with its last use, never shown again");
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
