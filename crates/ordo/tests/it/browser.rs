//! Real-browser checks in headless Chromium (Debian's chromium and
//! chromium-driver), over the WebDriver protocol: what works with a test HTTP
//! client must also work where browsers add their own rules (Secure cookies,
//! Origin headers, referrer policy, CSP).

use crate::helpers::*;
use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct Browser {
    driver: Child,
    wd: String,
    session: String,
    http: reqwest::Client,
    _profile: tempfile::TempDir,
}

impl Browser {
    pub async fn start(lang: &str) -> Browser {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver (Debian package chromium-driver)");
        let wd = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        for _ in 0..100 {
            if http.get(format!("{wd}/status")).send().await.is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let profile = tempfile::tempdir().unwrap();
        let caps = json!({"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     format!("--user-data-dir={}", profile.path().display()), "--window-size=1280,900"],
            "prefs": {"intl.accept_languages": lang}
        }}}});
        let mut b = Browser { driver, wd, session: String::new(), http, _profile: profile };
        let v = b.call(reqwest::Method::POST, "/session", Some(caps)).await;
        b.session = v["sessionId"].as_str().expect("a WebDriver session").to_owned();
        b
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut req = self.http.request(method, format!("{}{path}", self.wd));
        if let Some(b) = body {
            req = req.header("content-type", "application/json").body(b.to_string());
        }
        let text = req.send().await.unwrap().text().await.unwrap();
        let v: Value = serde_json::from_str(&text).unwrap();
        assert!(v["value"].get("error").is_none(), "WebDriver error: {text}");
        v["value"].clone()
    }

    fn s(&self, rest: &str) -> String {
        format!("/session/{}{rest}", self.session)
    }

    pub async fn goto(&self, url: &str) {
        self.call(reqwest::Method::POST, &self.s("/url"), Some(json!({ "url": url }))).await;
    }

    async fn element(&self, css: &str) -> String {
        let v = self
            .call(reqwest::Method::POST, &self.s("/element"), Some(json!({"using": "css selector", "value": css})))
            .await;
        v.as_object().and_then(|o| o.values().next()).and_then(|v| v.as_str()).unwrap().to_owned()
    }

    /// Replace the field's content with `text`, as a person typing would.
    pub async fn fill(&self, css: &str, text: &str) {
        let id = self.element(css).await;
        self.call(reqwest::Method::POST, &self.s(&format!("/element/{id}/clear")), Some(json!({}))).await;
        self.call(reqwest::Method::POST, &self.s(&format!("/element/{id}/value")), Some(json!({ "text": text }))).await;
    }

    pub async fn click(&self, css: &str) {
        let id = self.element(css).await;
        self.call(reqwest::Method::POST, &self.s(&format!("/element/{id}/click")), Some(json!({}))).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
    }

    pub async fn url(&self) -> String {
        self.call(reqwest::Method::GET, &self.s("/url"), None).await.as_str().unwrap().to_owned()
    }

    /// Wait (up to 5 s) until the address contains `part`.
    pub async fn wait_url(&self, part: &str) -> String {
        let mut url = String::new();
        for _ in 0..50 {
            url = self.url().await;
            if url.contains(part) {
                return url;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the browser is at {url}, not at …{part}: {}", self.source().await);
    }

    pub async fn source(&self) -> String {
        self.call(reqwest::Method::GET, &self.s("/source"), None).await.as_str().unwrap().to_owned()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

#[cfg_attr(not(ordo_browser), ignore = "the test script installs Chromium and sets ORDO_TEST_BROWSER")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_newcomer_activates_signs_in_and_out_in_chromium() {
    let t = TestApp::spawn(Engine::Sqlite).await;
    let (slug, owner) = t.tenant(ordo_core::tenant::Plan::Free).await;
    let link = t.link_in_mail(&owner, "/activate/").await;

    let b = Browser::start("en-GB,en").await;
    b.goto(&format!("{}{link}", t.base)).await;
    b.fill("#display_name", "Olivia Owner").await;
    b.fill("#password", PASSWORD).await;
    b.click("button.primary").await;
    b.wait_url("/login?notice=activated").await;
    assert!(b.source().await.contains("Your account is active"));

    b.fill("#email", &owner).await;
    b.fill("#password", PASSWORD).await;
    b.click("button.primary").await;
    let home = b.source().await;
    assert!(home.contains("Hello, Olivia Owner"), "signed in through a real browser: {home}");

    b.goto(&format!("{}/t/{slug}/settings/sessions", t.base)).await;
    assert!(b.source().await.contains("this device"));
    // Invite someone through the form.
    b.goto(&format!("{}/t/{slug}/admin/members", t.base)).await;
    let invitee = TestApp::email("member");
    b.fill("#email", &invitee).await;
    b.click("form.row button.primary").await;
    assert!(b.source().await.contains("Invitation sent"));
    t.link_in_mail(&invitee, "/activate/").await;

    // Sign out from the header.
    b.click("header form.inline button").await;
    b.wait_url("/login?notice=signed_out").await;
    b.goto(&format!("{}/t/{slug}/", t.base)).await;
    b.wait_url("/login?next=").await;
}

#[cfg_attr(not(ordo_browser), ignore = "the test script installs Chromium and sets ORDO_TEST_BROWSER")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_follow_the_browser_language_in_chromium() {
    let t = TestApp::spawn(Engine::Sqlite).await;
    let (slug, _owner) = t.tenant(ordo_core::tenant::Plan::Free).await;
    let b = Browser::start("fr-FR,fr").await;
    b.goto(&format!("{}/t/{slug}/login", t.base)).await;
    let page = b.source().await;
    assert!(page.contains("lang=\"fr\"") && page.contains("Se connecter"), "{page}");
}
