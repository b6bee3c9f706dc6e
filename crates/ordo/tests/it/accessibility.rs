//! Accessibility (WCAG 2.1 A and AA) of the main pages, checked by axe-core
//! inside headless Chromium: no serious or critical violation on sign-in,
//! home, the meetings list, a meeting with content, its minutes, the
//! actions list and the settings, in English and in French. axe-core comes
//! from the npm registry, pinned by its hash (scripts/test.sh).

use crate::helpers::*;
use serde_json::{Value, json};

/// Run axe on the page in the browser; its serious and critical
/// violations as `rule: target, target (help)` lines.
async fn violations(b: &Browser, axe: &str) -> Vec<String> {
    b.eval(axe, json!([])).await;
    let run = "const done = arguments[0]; \
        axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, \
                            resultTypes: ['violations'] }) \
           .then((r) => done(r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, \
                 nodes: v.nodes.map((n) => n.target.join(' ')) })))) \
           .catch((e) => done([{ id: 'axe-error', impact: 'critical', help: String(e), nodes: [] }]));";
    let v = b.call(reqwest::Method::POST, &b.s("/execute/async"), Some(json!({ "script": run, "args": [] }))).await;
    v.as_array()
        .unwrap()
        .iter()
        .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
        .map(|v: &Value| {
            let nodes: Vec<&str> = v["nodes"].as_array().unwrap().iter().filter_map(Value::as_str).take(5).collect();
            format!("{}: {} ({})", v["id"].as_str().unwrap_or(""), nodes.join(", "), v["help"].as_str().unwrap_or(""))
        })
        .collect()
}

#[cfg_attr(not(ordo_browser), ignore = "the test script installs Chromium and axe-core and sets ORDO_TEST_BROWSER")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_main_pages_have_no_serious_accessibility_violation_in_either_language() {
    let axe_path = std::env::var("ORDO_TEST_AXE").expect("ORDO_TEST_AXE (set by scripts/test.sh)");
    let axe = std::fs::read_to_string(&axe_path).unwrap();
    let t = TestApp::spawn(Engine::Sqlite).await;
    let (slug, owner, c) = t.tenant_with_owner().await;
    let (member, _) = t.member(&slug, &c, "member").await;
    c.get(&format!("/t/{slug}/meetings")).await;
    let r = c
        .post_form(
            &format!("/t/{slug}/meetings"),
            &[
                ("title", "Weekly"),
                ("starts_at", "2026-12-07T09:30"),
                ("time_zone", "Europe/Paris"),
                ("duration_minutes", "45"),
                ("place", "https://meet.example.org/weekly"),
            ],
        )
        .await;
    let path = r.location().split('?').next().unwrap().to_owned();
    c.post_form(&format!("{path}/participants"), &[("email", &member), ("role", "contributor")]).await;
    c.post_form(&format!("{path}/topics"), &[("title", "Budget")]).await;
    let topic = c.get(&path).await.body.split("id=\"topic-").nth(1).unwrap()[..36].to_owned();
    for (kind, title, description) in [
        ("decision", "Approve the budget", ""),
        ("action", "Send the figures", ""),
        ("note", "Context", "<p>Some <b>bold</b> and a <a href=\"https://ex.org\">link</a></p>"),
    ] {
        c.post_form(
            &format!("{path}/elements"),
            &[("topic", &topic), ("kind", kind), ("title", title), ("description", description)],
        )
        .await;
    }
    let el = c.get(&path).await.body.split("id=\"el-").nth(1).unwrap()[..36].to_owned();
    c.post_form(&format!("{path}/elements/{el}/comments"), &[("body", "Agreed")]).await;

    let pages = [
        format!("/t/{slug}/"),
        format!("/t/{slug}/meetings"),
        path.clone(),
        format!("{path}/minutes"),
        format!("{path}/elements/{el}/edit"),
        format!("/t/{slug}/admin/actions"),
        format!("/t/{slug}/settings/profile"),
    ];
    let mut found = Vec::new();
    for (lang, locale) in [("en-GB,en", "en"), ("fr-FR,fr", "fr")] {
        c.get(&format!("/t/{slug}/settings/profile")).await;
        c.post_form(&format!("/t/{slug}/settings/profile"), &[("display_name", "Olivia Owner"), ("locale", locale)])
            .await;
        let b = Browser::start(lang).await;
        b.call(reqwest::Method::POST, &b.s("/timeouts"), Some(json!({ "script": 60_000 }))).await;
        b.goto(&format!("{}/t/{slug}/login", t.base)).await;
        for v in violations(&b, &axe).await {
            found.push(format!("[{locale}] sign-in: {v}"));
        }
        b.sign_in(&t.base, &slug, &owner).await;
        for page in &pages {
            b.goto(&format!("{}{page}", t.base)).await;
            let lang_attr = b.eval("return document.documentElement.lang", json!([])).await;
            assert_eq!(lang_attr, locale, "{page} in the user's language");
            for v in violations(&b, &axe).await {
                found.push(format!("[{locale}] {page}: {v}"));
            }
        }
    }
    assert!(found.is_empty(), "serious or critical violations:\n{}", found.join("\n"));
}
