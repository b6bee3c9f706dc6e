//! Tenant isolation: a user and session of tenant A get 404 on every
//! tenant-B route, and ids of tenant B used in tenant-A URLs find nothing.
//! The routes come from the route table, so a new route cannot be forgotten.

use crate::helpers::*;
use ordo_web::routes::{Access, TENANT_ROUTES};

fn fill(path: &str, slug: &str, id: &str) -> String {
    path.replace("{slug}", slug).replace("{id}", id).replace("{token}", "sometoken")
}

async fn call(c: &Client, method: &str, path: &str) -> Resp {
    let token = c.csrf.lock().unwrap().clone().unwrap_or_default();
    let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut req = c.request(m, path);
    if method != "GET" {
        req = req.header("x-csrf-token", token);
        if path.contains("/api/") {
            req = req.header("content-type", "application/json").body(r#"{"email":"x@example.org","role":"member"}"#);
        } else {
            req = req
                .header("content-type", "application/x-www-form-urlencoded")
                .body("role=member&email=x%40example.org");
        }
    }
    c.send(req).await
}

both!(tenants_are_isolated, |engine| {
    let t = TestApp::spawn(engine).await;
    let (a, _owner_a, ca) = t.tenant_with_owner().await;
    let (b, owner_b, cb) = t.tenant_with_owner().await;
    let b_me = cb.get(&format!("/t/{b}/api/v1/me")).await.json();
    let b_user = b_me["id"].as_str().unwrap().to_owned();
    let b_sessions = cb.get(&format!("/t/{b}/api/v1/sessions")).await.json();
    let b_session = b_sessions["sessions"][0]["id"].as_str().unwrap().to_owned();

    let mut checked = 0;
    for r in TENANT_ROUTES.iter().filter(|r| r.access != Access::Public) {
        for id in [&b_user, &b_session] {
            // A's session on B's URLs: not found, whatever the route.
            let path = fill(r.path, &b, id);
            let res = call(&ca, r.method, &path).await;
            assert_eq!(res.status, 404, "{} {path} with a session of another tenant: {}", r.method, res.body);
            checked += 1;
        }
    }
    assert!(checked >= 2 * 15);

    // B's ids in A's URLs find nothing, and change nothing.
    for (method, path) in [
        ("POST", format!("/t/{a}/settings/sessions/{b_session}/end")),
        ("DELETE", format!("/t/{a}/api/v1/sessions/{b_session}")),
        ("POST", format!("/t/{a}/admin/members/{b_user}/disable")),
        ("POST", format!("/t/{a}/admin/members/{b_user}/role")),
        ("POST", format!("/t/{a}/admin/members/{b_user}/enable")),
    ] {
        ca.get(&format!("/t/{a}/")).await;
        let res = call(&ca, method, &path).await;
        assert_eq!(res.status, 404, "{method} {path}");
    }
    assert!(cb.signed_in(&b).await, "B's session survived");
    let members = cb.get(&format!("/t/{b}/api/v1/members")).await.json();
    let me = members["members"].as_array().unwrap().iter().find(|m| m["email"] == owner_b.as_str()).unwrap().clone();
    assert_eq!(me["status"], "active");
    assert_eq!(me["role"], "owner");

    // Without any session: pages redirect to sign-in, API answers 401.
    let anon = t.client();
    for r in TENANT_ROUTES.iter().filter(|r| r.access != Access::Public) {
        let path = fill(r.path, &a, &b_user);
        let res = call(&anon, r.method, &path).await;
        if r.method == "GET" && !r.path.contains("/api/") {
            assert_eq!(res.status, 303, "{} {path}", r.method);
            assert!(res.location().starts_with(&format!("/t/{a}/login?next=")));
        } else {
            assert!(res.status == 401 || res.status == 403, "{} {path}: {}", r.method, res.status);
        }
    }
    // An unknown tenant is simply not found.
    assert_eq!(anon.get("/t/no-such-tenant/login").await.status, 404);
});

both!(admin_routes_need_an_admin, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug, _o, owner) = t.tenant_with_owner().await;
    let (_m, member) = t.member(&slug, &owner, "member").await;
    let (_g, guest) = t.member(&slug, &owner, "guest").await;
    let me = owner.get(&format!("/t/{slug}/api/v1/me")).await.json();
    let id = me["id"].as_str().unwrap().to_owned();
    for r in TENANT_ROUTES.iter().filter(|r| r.access == Access::Admin) {
        for c in [&member, &guest] {
            c.get(&format!("/t/{slug}/")).await;
            let res = call(c, r.method, &fill(r.path, &slug, &id)).await;
            assert_eq!(res.status, 403, "{} {}", r.method, r.path);
        }
    }
});
