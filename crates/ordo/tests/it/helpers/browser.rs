//! Headless Chromium (Debian's chromium and chromium-driver) over the
//! WebDriver protocol, one process group per browser.

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
        use std::os::unix::process::CommandExt;
        // Chromium raises some of its threads to nice -8 when it may (as
        // root it may): one spinning there starves this two-core machine's
        // own kernel workers, and the sandbox then cuts every process off.
        // So ChromeDriver and Chromium run without the right to raise their
        // priority (CAP_SYS_NICE dropped for good), at the lowest one.
        let driver = Command::new("setpriv")
            .args(["--bounding-set=-sys_nice", "--inh-caps=-sys_nice", "--", "nice", "-n", "19", "chromedriver"])
            .arg(format!("--port={port}"))
            // Its own process group, so that Drop can end Chromium with it.
            .process_group(0)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver (Debian package chromium-driver)");
        let wd = format!("http://127.0.0.1:{port}");
        // A WebDriver call that hangs fails the test instead of holding it.
        let http = reqwest::Client::builder().timeout(Duration::from_secs(90)).build().unwrap();
        for _ in 0..100 {
            if http.get(format!("{wd}/status")).send().await.is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let profile = tempfile::tempdir().unwrap();
        let caps = json!({"capabilities": {"alwaysMatch": {"browserName": "chrome", "unhandledPromptBehavior": "accept", "goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     // Nothing but the test server on 127.0.0.1: no name
                     // lookups, every other address through a proxy that is
                     // not there, no multicast discovery (cast, SSDP, mDNS),
                     // no reports or pings. This machine allows no other
                     // traffic, and tests must not depend on any.
                     "--proxy-server=http://127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                     "--disable-features=MediaRouter,DialMediaRouteProvider,CastMediaRouteProvider,OptimizationHints,Translate,AutofillServerCommunication,CertificateTransparencyComponentUpdater,NetworkTimeServiceQuerying,InterestFeedContentSuggestions",
                     "--force-webrtc-ip-handling-policy=disable_non_proxied_udp", "--disable-domain-reliability",
                     "--disable-client-side-phishing-detection", "--no-pings", "--disable-breakpad",
                     "--disable-default-apps", "--disable-extensions", "--metrics-recording-only",
                     format!("--user-data-dir={}", profile.path().display()), "--window-size=1280,900"],
            "prefs": {"intl.accept_languages": lang}
        }}}});
        let mut b = Browser { driver, wd, session: String::new(), http, _profile: profile };
        let v = b.call(reqwest::Method::POST, "/session", Some(caps)).await;
        b.session = v["sessionId"].as_str().expect("a WebDriver session").to_owned();
        b
    }

    pub async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut req = self.http.request(method, format!("{}{path}", self.wd));
        if let Some(b) = body {
            req = req.header("content-type", "application/json").body(b.to_string());
        }
        let text = req.send().await.unwrap().text().await.unwrap();
        let v: Value = serde_json::from_str(&text).unwrap();
        assert!(v["value"].get("error").is_none(), "WebDriver error: {text}");
        v["value"].clone()
    }

    pub fn s(&self, rest: &str) -> String {
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
        self.settle().await;
    }

    /// Wait until what the page sent has come back: app.js counts the
    /// changes on their way in `<html data-pending>` (WebDriver waits for a
    /// navigation, not for a script's request). A dialog left open (a
    /// confirmation) is the test's to answer.
    pub async fn settle(&self) {
        tokio::time::sleep(Duration::from_millis(100)).await;
        for _ in 0..150 {
            let v = self
                .http
                .post(format!("{}{}", self.wd, self.s("/execute/sync")))
                .header("content-type", "application/json")
                .body(
                    json!({"script": "return document.documentElement.dataset.pending || ''", "args": []}).to_string(),
                )
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            let v: Value = serde_json::from_str(&v).unwrap();
            // An open dialog answers with an error: leave it to the test.
            if v["value"].get("error").is_some() || v["value"] == json!("") {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the page still has changes on their way after 15 s");
    }

    /// Accept the open confirmation dialog (app.js asks before archiving),
    /// then wait for what it sends. The session accepts a dialog by itself
    /// when another command comes first (`settle` after a click may have),
    /// so a dialog already gone is no error.
    pub async fn accept_dialog(&self) {
        let _ = self
            .http
            .post(format!("{}{}", self.wd, self.s("/alert/accept")))
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await;
        self.settle().await;
    }

    /// Sign in to a tenant through its sign-in form (the test password).
    pub async fn sign_in(&self, base: &str, slug: &str, email: &str) {
        self.goto(&format!("{base}/t/{slug}/login")).await;
        self.fill("#email", email).await;
        self.fill("#password", crate::helpers::PASSWORD).await;
        self.click("button.primary").await;
    }

    pub async fn url(&self) -> String {
        self.call(reqwest::Method::GET, &self.s("/url"), None).await.as_str().unwrap().to_owned()
    }

    /// Set a field's value directly (date and time pickers, whose typing
    /// rules depend on the browser's locale).
    pub async fn set_value(&self, css: &str, value: &str) {
        let script = "document.querySelector(arguments[0]).value = arguments[1];";
        self.call(
            reqwest::Method::POST,
            &self.s("/execute/sync"),
            Some(json!({"script": script, "args": [css, value]})),
        )
        .await;
    }

    /// Type into a field and press Enter (the quick-add lines).
    pub async fn type_enter(&self, css: &str, text: &str) {
        let id = self.element(css).await;
        self.call(
            reqwest::Method::POST,
            &self.s(&format!("/element/{id}/value")),
            Some(json!({ "text": format!("{text}\u{E007}") })),
        )
        .await;
        self.settle().await;
    }

    /// Send keys to a field (WebDriver key codes: \u{E004} Tab, \u{E007}
    /// Enter, \u{E00A} Alt, \u{E008} Shift; a modifier holds until sent again).
    pub async fn keys(&self, css: &str, text: &str) {
        let id = self.element(css).await;
        self.call(reqwest::Method::POST, &self.s(&format!("/element/{id}/value")), Some(json!({ "text": text }))).await;
        self.settle().await;
    }

    /// Run a script in the page and return its value.
    pub async fn eval(&self, script: &str, args: Value) -> Value {
        self.call(reqwest::Method::POST, &self.s("/execute/sync"), Some(json!({"script": script, "args": args}))).await
    }

    /// Choose a file for a file input.
    pub async fn attach(&self, css: &str, path: &str) {
        let id = self.element(css).await;
        self.call(reqwest::Method::POST, &self.s(&format!("/element/{id}/value")), Some(json!({ "text": path }))).await;
    }

    /// Choose an option of a select.
    pub async fn select(&self, css: &str, value: &str) {
        self.click(&format!("{css} option[value=\"{value}\"]")).await;
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

    /// Resize the window (the page's viewport follows).
    pub async fn resize(&self, width: u32, height: u32) {
        self.call(reqwest::Method::POST, &self.s("/window/rect"), Some(json!({"width": width, "height": height})))
            .await;
    }

    pub async fn source(&self) -> String {
        self.call(reqwest::Method::GET, &self.s("/source"), None).await.as_str().unwrap().to_owned()
    }
}

/// The processes of a process group (read from /proc).
fn group_members(group: u32) -> Vec<u32> {
    let Ok(dir) = std::fs::read_dir("/proc") else { return Vec::new() };
    dir.filter_map(|e| {
        let pid: u32 = e.ok()?.file_name().to_str()?.parse().ok()?;
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // "pid (comm) state ppid pgrp ...": the name may hold anything, so
        // read after its last parenthesis.
        let rest = &stat[stat.rfind(')')? + 1..];
        let pgrp: u32 = rest.split_whitespace().nth(2)?.parse().ok()?;
        (pgrp == group).then_some(pid)
    })
    .collect()
}

impl Drop for Browser {
    fn drop(&mut self) {
        // End the WebDriver session first: chromedriver then quits Chromium
        // (killing chromedriver alone leaves Chromium running). Plain
        // blocking HTTP: Drop cannot await.
        use std::io::{Read, Write};
        if let Some(addr) = self.wd.strip_prefix("http://")
            && let Ok(mut s) = std::net::TcpStream::connect(addr)
        {
            let _ = s.set_read_timeout(Some(Duration::from_secs(10)));
            let req = format!(
                "DELETE /session/{} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                self.session
            );
            if s.write_all(req.as_bytes()).is_ok() {
                let mut sink = Vec::new();
                let _ = s.read_to_end(&mut sink);
            }
        }
        // Let Chromium finish closing (it waits for its own children), so
        // that nothing is left without a parent: this machine's init (the
        // sandbox's agent) must not inherit Chromium's processes.
        let group = self.driver.id();
        for _ in 0..50 {
            if group_members(group).iter().all(|p| *p == group) {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        // Then the whole process group, whatever is left of it.
        if !group_members(group).is_empty() {
            let _ = Command::new("kill").args(["-9", &format!("-{group}")]).status();
        }
    }
}
