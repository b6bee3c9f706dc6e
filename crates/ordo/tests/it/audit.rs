//! The audit log: what is recorded, and that tampering is detected.

use crate::helpers::*;
use std::process::Command;

fn verify(t: &TestApp, slug: &str) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_ordo"))
        .args(["--data-dir", t.dir.path().to_str().unwrap(), "audit", "verify", "--tenant", slug])
        .env("ORDO_DATABASE_URL", &t.db.url)
        .env("ORDO_LOG", "warn")
        .output()
        .unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned())
}

both!(audit_log_records_and_detects_tampering, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug, owner, c) = t.tenant_with_owner().await;
    let (member, m) = t.member(&slug, &c, "member").await;
    t.client().try_login(&slug, &owner, "not the password").await;
    let list = c.get(&format!("/t/{slug}/api/v1/members")).await.json();
    let mid = list["members"].as_array().unwrap().iter().find(|u| u["email"] == member.as_str()).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    c.get(&format!("/t/{slug}/admin/members")).await;
    c.post_form(&format!("/t/{slug}/admin/members/{mid}/role"), &[("role", "guest")]).await;
    let msess =
        m.get(&format!("/t/{slug}/api/v1/sessions")).await.json()["sessions"][0]["id"].as_str().unwrap().to_owned();
    m.get(&format!("/t/{slug}/settings/sessions")).await;
    m.post_form(&format!("/t/{slug}/settings/sessions/{msess}/end"), &[]).await;
    c.post_form(&format!("/t/{slug}/admin/members/{mid}/disable"), &[]).await;
    c.get(&format!("/t/{slug}/settings/password")).await;
    c.post_form(
        &format!("/t/{slug}/settings/password"),
        &[("current_password", PASSWORD), ("new_password", "a brand new passphrase")],
    )
    .await;
    let anon = t.client();
    anon.get(&format!("/t/{slug}/forgot-password")).await;
    anon.post_form(&format!("/t/{slug}/forgot-password"), &[("email", &owner)]).await;
    let link = t.link_in_mail(&owner, "/reset/").await;
    anon.get(&link).await;
    anon.post_form(&link, &[("password", "the final passphrase")]).await;
    let c = t.client();
    c.login(&slug, &owner, "the final passphrase").await;
    c.post_form(&format!("/t/{slug}/logout"), &[]).await;

    let c = t.client();
    c.login(&slug, &owner, "the final passphrase").await;
    let page = c.get(&format!("/t/{slug}/admin/audit")).await;
    assert_eq!(page.status, 200);
    for kind in [
        "tenant.created",
        "invitation.sent",
        "account.activated",
        "login.succeeded",
        "login.failed",
        "role.changed",
        "session.ended",
        "user.disabled",
        "password.changed",
        "password.reset_requested",
        "password.reset",
        "logout",
    ] {
        let n = t.db.text(&format!("SELECT CAST(COUNT(*) AS TEXT) FROM audit_log WHERE kind = '{kind}'")).await;
        assert_ne!(n, "0", "no {kind} entry");
    }
    assert!(page.body.contains("Account disabled") && page.body.contains("Failed sign-in"));

    // Intact chain.
    let (code, out) = verify(&t, &slug);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("intact"));

    // Alter an entry: detected, and named.
    t.db.exec("UPDATE audit_log SET detail = '{\"role\":\"owner\"}' WHERE seq = 3").await;
    let (code, out) = verify(&t, &slug);
    assert_ne!(code, 0);
    assert!(out.contains("BROKEN at entry 3"), "{out}");
    // Remove an entry in the middle: detected.
    t.db.exec("DELETE FROM audit_log WHERE seq = 3").await;
    let (code, out) = verify(&t, &slug);
    assert_ne!(code, 0);
    assert!(out.contains("BROKEN at entry 3"), "{out}");
});

both!(removing_the_newest_audit_entries_is_detected, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug, _owner, _c) = t.tenant_with_owner().await;
    let (code, _) = verify(&t, &slug);
    assert_eq!(code, 0);
    let last = t.db.text("SELECT CAST(MAX(seq) AS TEXT) FROM audit_log").await;
    t.db.exec(&format!("DELETE FROM audit_log WHERE seq = {last}")).await;
    let (code, out) = verify(&t, &slug);
    assert_ne!(code, 0);
    assert!(out.contains(&format!("BROKEN at entry {last}")), "{out}");
});
