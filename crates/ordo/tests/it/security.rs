//! The security baseline of the walking skeleton, one test per promise.

use crate::helpers::*;

both!(passwords_are_argon2id_and_unknown_accounts_cost_the_same, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug, owner, _c) = t.tenant_with_owner().await;
    let hash = t.db.text("SELECT password_hash FROM users WHERE role = 'owner'").await;
    assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");

    let c = t.client();
    let n0 = t.app.hasher.verification_count();
    let unknown = c.try_login(&slug, "nobody@example.org", "wrong password here").await;
    let n1 = t.app.hasher.verification_count();
    let wrong = c.try_login(&slug, &owner, "wrong password here").await;
    let n2 = t.app.hasher.verification_count();
    // An unknown address runs the same Argon2 verification (against a dummy
    // hash) as a wrong password, and gets the same answer.
    assert_eq!(n1 - n0, 1);
    assert_eq!(n2 - n1, 1);
    assert_eq!(unknown.status, 401);
    assert_eq!(wrong.status, 401);
    let strip = |b: &str| b.replace("nobody@example.org", "").replace(&owner, "");
    assert_eq!(strip(&unknown.body), strip(&wrong.body));
});

both!(password_policy, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug, owner) = t.tenant(ordo_core::tenant::Plan::Free).await;
    let link = t.link_in_mail(&owner, "/activate/").await;
    let c = t.client();
    c.get(&link).await;
    let r = c.post_form(&link, &[("display_name", "O"), ("password", "elevenchars")]).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("at least 12 characters"));
    let r = c.post_form(&link, &[("display_name", "O"), ("password", "1q2w3e4r5t6y")]).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("too common"));
    // 200 characters are taken as typed: no truncation at 72 or 128.
    let long: String = (0..200).map(|i| (b'a' + (i % 26) as u8) as char).collect();
    let r = c.post_form(&link, &[("display_name", "O"), ("password", &long)]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(t.client().try_login(&slug, &owner, &long[..128]).await.status, 401);
    assert_eq!(t.client().try_login(&slug, &owner, &long[..72]).await.status, 401);
    t.client().login(&slug, &owner, &long).await;
});

both!(session_cookie_and_rotation, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug, owner) = t.tenant(ordo_core::tenant::Plan::Free).await;
    let link = t.link_in_mail(&owner, "/activate/").await;
    let c = t.client();
    c.activate(&link, "O", PASSWORD).await;
    // A fixation attempt: a cookie planted before login is not kept.
    c.set_cookie("__Host-ordo", "planted-by-an-attacker");
    let r = c.try_login(&slug, &owner, PASSWORD).await;
    assert_eq!(r.status, 303);
    let sc = r.set_cookies().into_iter().find(|s| s.starts_with("__Host-ordo=")).expect("session cookie");
    for attr in ["Path=/", "Secure", "HttpOnly", "SameSite=Lax"] {
        assert!(sc.contains(attr), "{sc} lacks {attr}");
    }
    assert!(!sc.contains("Domain"), "{sc}");
    let first = c.cookie("__Host-ordo").unwrap();
    assert_ne!(first, "planted-by-an-attacker");
    assert!(first.len() >= 43, "at least 256 bits, base64url");
    assert!(c.signed_in(&slug).await);
    // Logging in again rotates the id; the old one stops working.
    c.login(&slug, &owner, PASSWORD).await;
    let second = c.cookie("__Host-ordo").unwrap();
    assert_ne!(first, second);
    let old = t.client();
    old.set_cookie("__Host-ordo", &first);
    assert!(!old.signed_in(&slug).await);
    // The database holds only a hash of the cookie.
    let stored = t.db.text("SELECT secret_hash FROM sessions").await;
    assert_ne!(stored, second);
    assert_eq!(stored, ordo_crypto::sha256_hex(second.as_bytes()));
});

both!(idle_and_absolute_session_timeouts, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug, owner, c) = t.tenant_with_owner().await;
    t.clock.advance_secs(29 * 60);
    assert!(c.signed_in(&slug).await, "29 minutes idle is fine");
    t.clock.advance_secs(30 * 60 + 1);
    let r = c.get(&format!("/t/{slug}/settings/sessions")).await;
    assert_eq!(r.status, 303, "idle for over 30 minutes");
    assert!(r.location().starts_with(&format!("/t/{slug}/login?next=")));

    // Absolute lifetime: active every 20 minutes, still out after 12 hours.
    c.login(&slug, &owner, PASSWORD).await;
    for _ in 0..35 {
        t.clock.advance_secs(20 * 60);
        assert!(c.signed_in(&slug).await);
    }
    t.clock.advance_secs(20 * 60 + 1);
    assert!(!c.signed_in(&slug).await, "past 12 hours");
});

both!(csrf_and_origin_checks, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug, owner, c) = t.tenant_with_owner().await;
    let logout = format!("/t/{slug}/logout");
    // No token, a wrong token: refused, still signed in.
    assert_eq!(c.post_form_raw(&logout, &[]).await.status, 403);
    assert_eq!(c.post_form_raw(&logout, &[("_csrf", "forged")]).await.status, 403);
    assert!(c.signed_in(&slug).await);
    // The right token from another site: refused by Origin and Sec-Fetch-Site.
    let token = c.csrf.lock().unwrap().clone().unwrap();
    let evil = c
        .request(reqwest::Method::POST, &logout)
        .header("origin", "https://evil.example")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form_encode(&[("_csrf", &token)]));
    assert_eq!(c.send(evil).await.status, 403);
    let cross = c
        .request(reqwest::Method::POST, &logout)
        .header("sec-fetch-site", "cross-site")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form_encode(&[("_csrf", &token)]));
    assert_eq!(c.send(cross).await.status, 403);
    assert!(c.signed_in(&slug).await);
    // Same origin with the token: accepted.
    let same = c
        .request(reqwest::Method::POST, &logout)
        .header("origin", t.base.clone())
        .header("sec-fetch-site", "same-origin")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form_encode(&[("_csrf", &token)]));
    assert_eq!(c.send(same).await.status, 303);

    // The public forms need the pre-session token too (login CSRF).
    let anon = t.client();
    let r = anon.post_form_raw(&format!("/t/{slug}/login"), &[("email", &owner), ("password", PASSWORD)]).await;
    assert_eq!(r.status, 403);
    anon.get(&format!("/t/{slug}/login")).await;
    let r = anon
        .post_form_raw(&format!("/t/{slug}/login"), &[("_csrf", "nope"), ("email", &owner), ("password", PASSWORD)])
        .await;
    assert_eq!(r.status, 403);
    // A JSON API call with the session but without the header.
    let c2 = t.client();
    c2.login(&slug, &owner, PASSWORD).await;
    let r = c2
        .send(
            c2.request(reqwest::Method::POST, &format!("/t/{slug}/api/v1/members"))
                .header("content-type", "application/json")
                .body(r#"{"email":"x@example.org","role":"member"}"#),
        )
        .await;
    assert_eq!(r.status, 403);
});

const CSP: &str = "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

fn assert_headers(r: &Resp, what: &str, authenticated: bool) {
    assert_eq!(r.header("content-security-policy").as_deref(), Some(CSP), "{what}");
    assert_eq!(r.header("x-content-type-options").as_deref(), Some("nosniff"), "{what}");
    assert_eq!(r.header("referrer-policy").as_deref(), Some("same-origin"), "{what}");
    assert_eq!(r.header("cross-origin-opener-policy").as_deref(), Some("same-origin"), "{what}");
    assert!(r.header("x-request-id").is_some(), "{what}");
    if authenticated {
        assert_eq!(r.header("cache-control").as_deref(), Some("no-store"), "{what}");
    }
}

#[tokio::test]
async fn static_files_are_sent_gzipped_to_a_browser_that_accepts_it() {
    use std::io::Read as _;
    let t = TestApp::spawn(Engine::Sqlite).await;
    let c = t.client();
    for file in ["app.js", "app.css", "editor.js"] {
        let path = format!("/static/{file}");
        let plain = c.get(&path).await;
        assert_eq!((plain.status, plain.header("content-encoding")), (200, None), "{path}");
        let zipped = c.send(c.request(reqwest::Method::GET, &path).header("accept-encoding", "br, gzip;q=0.8")).await;
        assert_eq!(zipped.header("content-encoding").as_deref(), Some("gzip"), "{path}");
        assert_eq!(zipped.header("vary").as_deref(), Some("accept-encoding"), "{path}");
        assert!(zipped.bytes.len() * 2 < plain.bytes.len(), "{path}: {} of {}", zipped.bytes.len(), plain.bytes.len());
        let mut back = Vec::new();
        flate2::read::GzDecoder::new(&zipped.bytes[..]).read_to_end(&mut back).unwrap();
        assert!(back == plain.bytes, "{path} unzips to the same bytes");
        assert_headers(&zipped, &path, false);
    }
    // Only the files built in are served.
    assert_eq!(c.get("/static/nothing.js").await.status, 404);
}

both!(security_headers_on_every_response, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug, _owner, c) = t.tenant_with_owner().await;
    let anon = t.client();
    for path in [
        "/",
        "/healthz",
        "/readyz",
        "/static/app.css",
        "/nowhere",
        &format!("/t/{slug}/login"),
        "/t/nosuchtenant/login",
    ] {
        assert_headers(&anon.get(path).await, path, false);
    }
    for path in
        ["/".to_owned(), format!("/t/{slug}/"), format!("/t/{slug}/settings/sessions"), format!("/t/{slug}/api/v1/me")]
    {
        let r = c.get(&path).await;
        assert_eq!(r.status, 200, "{path}");
        assert_headers(&r, &path, true);
    }
    // No HSTS over plain http...
    assert!(anon.get("/").await.header("strict-transport-security").is_none());
    // ... and HSTS when the public address is https.
    let tls =
        TestApp::spawn_with(engine, Opts { public_url: Some("https://ordo.example.com".into()), ..Default::default() })
            .await;
    let hsts = tls.client().get("/").await.header("strict-transport-security").unwrap_or_default();
    assert!(hsts.starts_with("max-age=63072000"), "{hsts}");
    // Inline scripts and styles would need a weaker CSP: the pages have none.
    let page = c.get(&format!("/t/{slug}/settings/sessions")).await.body;
    assert!(!page.contains("<script>") && !page.contains(" style=") && !page.contains("onclick"));
});

both!(unused_methods_are_refused, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug, _o) = t.tenant(ordo_core::tenant::Plan::Free).await;
    let c = t.client();
    for (m, path) in [
        ("TRACE", "/".to_owned()),
        ("TRACE", format!("/t/{slug}/login")),
        ("PUT", format!("/t/{slug}/login")),
        ("PATCH", format!("/t/{slug}/login")),
        ("DELETE", "/healthz".to_owned()),
        ("POST", "/".to_owned()),
    ] {
        let r = c.send(c.request(reqwest::Method::from_bytes(m.as_bytes()).unwrap(), &path)).await;
        assert_eq!(r.status, 405, "{m} {path}");
    }
});

both!(login_throttling_without_locking_the_real_user_out, |engine| {
    let local: std::net::IpAddr = "127.0.0.1".parse().unwrap();
    let t = TestApp::spawn_with(engine, Opts { trusted_proxies: vec![local], ..Default::default() }).await;
    let (slug, owner, _c) = t.tenant_with_owner().await;
    let attacker = t.client().with_header("x-forwarded-for", "203.0.113.7");
    for _ in 0..5 {
        assert_eq!(attacker.try_login(&slug, &owner, "guess guess guess").await.status, 401);
    }
    // Blocked now, even with the right password.
    let r = attacker.try_login(&slug, &owner, PASSWORD).await;
    assert_eq!(r.status, 429);
    assert!(r.header("retry-after").is_some());
    // Retry-After is the real rest of the block: the whole window now
    // (the test's clock has not moved), five minutes after ten more.
    assert_eq!(r.header("retry-after").as_deref(), Some("900"));
    t.clock.advance_secs(10 * 60);
    let r = attacker.try_login(&slug, &owner, PASSWORD).await;
    assert_eq!(r.status, 429);
    assert_eq!(r.header("retry-after").as_deref(), Some("300"));
    assert!(r.body.contains("Try again in 5 min."), "the page says how many minutes are left");
    assert_eq!(attacker.try_login(&slug, &owner, PASSWORD).await.status, 429);
    // The throttling is in the audit log, once per client and window.
    let n =
        t.db.text("SELECT CAST(COUNT(*) AS TEXT) FROM audit_log WHERE kind = 'login.throttled' AND ip = '203.0.113.7'")
            .await;
    assert_eq!(n, "1");
    // The real user, elsewhere, is not.
    let user = t.client().with_header("x-forwarded-for", "198.51.100.20");
    user.login(&slug, &owner, PASSWORD).await;
    // The attacker's block ends with the window (15 minutes).
    t.clock.advance_secs(15 * 60);
    assert_eq!(attacker.try_login(&slug, &owner, "guess guess guess").await.status, 401);
    // The failures were logged in the audit trail, with the client address.
    let n =
        t.db.text("SELECT CAST(COUNT(*) AS TEXT) FROM audit_log WHERE kind = 'login.failed' AND ip = '203.0.113.7'")
            .await;
    assert_eq!(n, "6");
});

both!(redirects_stay_inside_the_app, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug, owner) = t.tenant(ordo_core::tenant::Plan::Free).await;
    let link = t.link_in_mail(&owner, "/activate/").await;
    t.client().activate(&link, "O", PASSWORD).await;
    let c = t.client();
    // Asking for a protected page sends to sign-in with a relative next=.
    let r = c.get(&format!("/t/{slug}/settings/sessions")).await;
    assert_eq!(r.status, 303);
    assert_eq!(r.location(), format!("/t/{slug}/login?next=%2Ft%2F{slug}%2Fsettings%2Fsessions"));
    for (next, expected) in [
        (format!("/t/{slug}/settings/sessions"), format!("/t/{slug}/settings/sessions")),
        ("https://evil.example/".to_owned(), format!("/t/{slug}/")),
        ("//evil.example/".to_owned(), format!("/t/{slug}/")),
        ("/\\evil.example".to_owned(), format!("/t/{slug}/")),
        (format!("/t/{slug}//evil.example"), format!("/t/{slug}/")),
    ] {
        let c = t.client();
        c.get(&format!("/t/{slug}/login")).await;
        let r = c
            .post_form(&format!("/t/{slug}/login"), &[("email", &owner), ("password", PASSWORD), ("next", &next)])
            .await;
        assert_eq!(r.status, 303);
        assert_eq!(r.location(), expected, "next={next}");
    }
});

both!(errors_are_generic_with_a_request_id, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug, _o) = t.tenant(ordo_core::tenant::Plan::Free).await;
    let c = t.client();
    let nf = c.get(&format!("/t/{slug}/no/such/page")).await;
    assert_eq!(nf.status, 404);
    assert!(nf.body.contains(&nf.header("x-request-id").unwrap()));
    let api = c.get(&format!("/t/{slug}/api/v1/nothing")).await;
    assert_eq!(api.status, 404);

    // Break the database under the running server.
    assert_eq!(c.get("/readyz").await.status, 200);
    t.store.close().await;
    assert_eq!(c.get("/readyz").await.status, 503);
    assert_eq!(c.get("/healthz").await.status, 200);
    let r = c.get(&format!("/t/{slug}/login")).await;
    assert_eq!(r.status, 500);
    let id = r.header("x-request-id").unwrap();
    assert!(r.body.contains(&id), "the page shows the request id");
    let lower = r.body.to_lowercase();
    for leak in ["sqlx", "select", "pool", "panicked", "database", "error:", ".rs:"] {
        assert!(!lower.contains(leak), "the error page leaks {leak:?}: {}", r.body);
    }
    let r = c.get(&format!("/t/{slug}/api/v1/me")).await;
    assert_eq!(r.status, 500);
    let j = r.json();
    assert_eq!(j["error"]["code"], "internal");
    assert_eq!(j["error"]["request_id"], r.header("x-request-id").unwrap().as_str());
});

both!(api_input_is_strict, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug, _owner, c) = t.tenant_with_owner().await;
    let token = c.csrf.lock().unwrap().clone().unwrap();
    let post = |body: &'static str, ctype: &'static str| {
        c.request(reqwest::Method::POST, &format!("/t/{slug}/api/v1/members"))
            .header("content-type", ctype)
            .header("x-csrf-token", token.clone())
            .body(body)
    };
    let r = c.send(post(r#"{"email":"a@example.org","role":"member","admin":true}"#, "application/json")).await;
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["error"]["code"], "invalid_json");
    assert_eq!(r.json()["error"]["field"], "admin", "the unknown field is named");
    let r = c.send(post("not json at all", "application/json")).await;
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["error"]["field"], "body", "malformed JSON");
    // One object, nothing after it: serde would fill a struct from an array.
    for body in [r#"["a@example.org","member"]"#, r#"{"email":"a@example.org","role":"member"} {}"#] {
        let r = c.send(post(body, "application/json")).await;
        assert_eq!((r.status, r.json()["error"]["field"].as_str()), (422, Some("body")), "{body}");
    }
    let r = c.send(post(r#"{"email":42,"role":"member"}"#, "application/json")).await;
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["error"]["field"], "email");
    let r = c.send(post(r#"{"email":"not-an-address","role":"member"}"#, "application/json")).await;
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["error"]["field"], "email");
    let r = c.send(post(r#"{"email":"a@example.org","role":"emperor"}"#, "application/json")).await;
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["error"]["field"], "role");
    let r = c
        .send(post(
            r#"<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>"#,
            "application/xml",
        ))
        .await;
    assert_eq!(r.status, 422);
    // Nothing was created by the refused calls.
    let members = c.get(&format!("/t/{slug}/api/v1/members")).await.json();
    assert_eq!(members["members"].as_array().unwrap().len(), 1);
    let r = c.send(post(r#"{"email":"new@example.org","role":"member"}"#, "application/json")).await;
    assert_eq!(r.status, 201);
});

// A slow client cannot hold a connection: headers that never end close it,
// a body that never arrives gets 408. (The bounds are the test's, a second
// each; the waits below only say how long the test gives up after.)
both!(slow_clients_are_cut_off, |engine| {
    use std::time::Duration;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let timeouts = ordo_web::Timeouts { header_read: Duration::from_secs(1), request: Duration::from_secs(1) };
    let t = TestApp::spawn_with(engine, Opts { timeouts: Some(timeouts), ..Opts::default() }).await;
    let (slug, _owner, c) = t.tenant_with_owner().await;
    let addr = t.base.trim_start_matches("http://").to_owned();

    // Headers sent in part, then nothing: the server closes the connection.
    let mut s = tokio::net::TcpStream::connect(&addr).await.unwrap();
    s.write_all(format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\nX-Slow: ").as_bytes()).await.unwrap();
    let mut got = Vec::new();
    let closed = tokio::time::timeout(Duration::from_secs(30), s.read_to_end(&mut got)).await;
    assert!(closed.is_ok(), "a connection whose headers never end was kept open");
    assert!(!String::from_utf8_lossy(&got).contains(" 200 "), "{}", String::from_utf8_lossy(&got));

    // A body announced and never sent: 408, and nothing was done.
    let token = token_for(&c, &slug, "slow").await;
    let mut s = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "POST /t/{slug}/api/v1/meetings HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{\"title\": \"Never"
    );
    s.write_all(head.as_bytes()).await.unwrap();
    let mut buf = vec![0u8; 4096];
    let n = tokio::time::timeout(Duration::from_secs(30), s.read(&mut buf)).await.expect("an answer").unwrap();
    let answer = String::from_utf8_lossy(&buf[..n]);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert_eq!(t.db.text("SELECT CAST(COUNT(*) AS TEXT) FROM meetings").await, "0");

    // Ordinary requests are not affected.
    assert_eq!(c.get(&format!("/t/{slug}/")).await.status, 200);
});

// The root page helps a newcomer in development (a link to each tenant's
// sign-in) and tells nobody in production who uses the server.
both!(the_root_page_names_tenants_only_in_development, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug, _owner, _c) = t.tenant_with_owner().await;
    let page = t.client().get("/").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains(&format!("href=\"/t/{slug}/login\"")), "{}", page.body);
    let tweak = |s: &mut ordo_app::Settings| s.mode = ordo_app::Mode::Production;
    let prod = TestApp::spawn_with(engine, Opts { tweak: Some(std::sync::Arc::new(tweak)), ..Opts::default() }).await;
    let (other, _owner, _c) = prod.tenant_with_owner().await;
    let page = prod.client().get("/").await;
    assert_eq!(page.status, 200);
    assert!(!page.body.contains(&other) && !page.body.contains("/login"), "{}", page.body);
});

// Costly routes (search, exports, the audit log, the calendar feed) take a
// slot of their client while they run. With no slot to give, each answers
// 429 with Retry-After at once and does nothing, while other routes answer
// as usual: the wiring of every such route, without racing requests (the
// counting itself is `ordo_web::costly::tests`).
both!(costly_routes_take_a_slot_of_their_client, |engine| {
    let costly = [
        "GET /t/{slug}/search",
        "GET /t/{slug}/api/v1/search",
        "GET /t/{slug}/meetings/{id}/minutes.md",
        "GET /t/{slug}/meetings/{id}/minutes.html",
        "GET /t/{slug}/meetings/{id}/minutes.pdf",
        "GET /t/{slug}/api/v1/meetings/{id}/minutes",
        "GET /t/{slug}/admin/audit",
        "GET /t/{slug}/api/v1/audit",
        "GET /t/{slug}/feed/{token}",
    ];
    let mut declared: Vec<String> = ordo_web::routes::TENANT_ROUTES
        .iter()
        .filter(|r| r.costly)
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    declared.sort();
    let mut tried = costly.map(String::from).to_vec();
    tried.sort();
    assert_eq!(declared, tried, "the costly routes of the table are the ones this test tries");

    for limit in [2, 0] {
        let t = TestApp::spawn_with(engine, Opts { costly_per_client: Some(limit), ..Opts::default() }).await;
        let (slug, _owner, c) = t.tenant_with_owner().await;
        let token = token_for(&c, &slug, "costly").await;
        let api = t.client().with_header("Authorization", &format!("Bearer {token}"));
        let r = api
            .send(
                api.request(reqwest::Method::POST, &format!("/t/{slug}/api/v1/meetings"))
                    .header("content-type", "application/json")
                    .body(
                        r#"{"title":"Weekly","starts_at":"2030-01-07T09:00","time_zone":"UTC","duration_minutes":30}"#,
                    ),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        let id = r.json()["id"].as_str().unwrap().to_owned();
        c.get(&format!("/t/{slug}/settings/profile")).await;
        let page = c.post_form(&format!("/t/{slug}/settings/calendar-feed"), &[]).await.body;
        let at = page.find("/feed/").expect("the feed's address on the profile page");
        let feed = page[at + 6..].split(['"', '<', '?']).next().unwrap().to_owned();
        for route in costly {
            let path = route.split_once(' ').unwrap().1;
            let path = path.replace("{slug}", &slug).replace("{id}", &id).replace("{token}", &feed);
            let r = if path.contains("/api/") { api.get(&path).await } else { c.get(&path).await };
            if limit == 0 {
                assert_eq!(r.status, 429, "{route}: {}", r.body);
                assert_eq!(r.header("retry-after").as_deref(), Some("1"), "{route}");
            } else {
                assert_eq!(r.status, 200, "{route}: {}", r.body);
            }
        }
        // Other routes are not bounded this way.
        assert_eq!(c.get(&format!("/t/{slug}/meetings/{id}")).await.status, 200);
        assert_eq!(api.get(&format!("/t/{slug}/api/v1/meetings/{id}")).await.status, 200);
    }
});

// A public form (sign-in, activation, reset) reads a few fields: an
// anonymous client cannot make the server read a megabyte body there.
both!(public_forms_read_small_bodies_only, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug, owner, _c) = t.tenant_with_owner().await;
    let c = t.client();
    c.get(&format!("/t/{slug}/login")).await;
    let big = "x".repeat(ordo_web::routes::PUBLIC_BODY_BYTES + 1);
    let r = c.post_form(&format!("/t/{slug}/login"), &[("email", &owner), ("password", &big)]).await;
    assert_eq!(r.status, 413, "{}", r.body);
    // The control: the same form, of a usual size, is read (and refused for
    // its wrong password, not its size).
    let r = c.post_form(&format!("/t/{slug}/login"), &[("email", &owner), ("password", "not the password")]).await;
    assert_eq!(r.status, 401, "{}", r.body);
});
