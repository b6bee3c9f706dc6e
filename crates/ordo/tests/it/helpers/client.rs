//! A browser-like HTTP client (cookies, anti-forgery tokens, no automatic
//! redirects) whose every API answer is checked against the contract.

use super::*;
use std::collections::HashMap;
use std::time::Duration;

/// Read a live stream (server-sent events) as `c` until `text` arrives,
/// or fail after 10 s.
pub async fn stream_until(c: &Client, path: &str, text: &str) -> String {
    let mut req = reqwest::Client::new().get(format!("{}{path}", c.base)).header("cookie", c.cookie_header());
    for (k, v) in &c.headers {
        req = req.header(k, v);
    }
    let mut res = req.send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "text/event-stream");
    assert_eq!(res.headers()["x-accel-buffering"], "no", "a proxy must pass events on at once");
    let mut got = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !got.contains(text) {
        match tokio::time::timeout_at(deadline, res.chunk()).await {
            Ok(Ok(Some(chunk))) => got.push_str(&String::from_utf8_lossy(&chunk)),
            _ => panic!("{text} never came: {got}"),
        }
    }
    got
}

/// [`stream_until`] in the background, with the cookies `c` holds now.
pub fn stream_in_background(c: &Client, path: &str, text: &str) -> tokio::task::JoinHandle<String> {
    let mut copy = Client::new(&c.base);
    copy.headers = c.headers.clone();
    *copy.cookies.lock().unwrap() = c.cookies.lock().unwrap().clone();
    let (path, text) = (path.to_owned(), text.to_owned());
    tokio::spawn(async move { stream_until(&copy, &path, &text).await })
}

/// A response, read whole.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
    /// The body as sent (a PDF is not text).
    pub bytes: Vec<u8>,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
    }
    pub fn location(&self) -> String {
        self.header("location").unwrap_or_default()
    }
    pub fn set_cookies(&self) -> Vec<String> {
        self.headers.get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()).map(str::to_owned).collect()
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// A browser-like client: keeps cookies (it sends `__Host-` cookies over
/// plain http to 127.0.0.1, as browsers do for localhost), remembers the
/// last anti-forgery token it saw in a page, and never follows redirects by
/// itself so tests can check them.
pub struct Client {
    pub base: String,
    http: reqwest::Client,
    pub cookies: std::sync::Mutex<HashMap<String, String>>,
    pub csrf: std::sync::Mutex<Option<String>>,
    pub user_agent: String,
    pub headers: Vec<(String, String)>,
}

impl Client {
    pub fn new(base: &str) -> Client {
        Client {
            base: base.to_owned(),
            http: reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap(),
            cookies: Default::default(),
            csrf: Default::default(),
            user_agent: "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0".into(),
            headers: Vec::new(),
        }
    }

    pub fn with_header(mut self, k: &str, v: &str) -> Client {
        self.headers.push((k.to_owned(), v.to_owned()));
        self
    }

    /// The same browser (its cookies), sending one more header.
    pub fn clone_with_header(&self, k: &str, v: &str) -> Client {
        let c = Client::new(&self.base).with_header(k, v);
        *c.cookies.lock().unwrap() = self.cookies.lock().unwrap().clone();
        c
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies.lock().unwrap().get(name).cloned()
    }

    pub fn set_cookie(&self, name: &str, value: &str) {
        self.cookies.lock().unwrap().insert(name.to_owned(), value.to_owned());
    }

    pub fn cookie_header(&self) -> String {
        self.cookies.lock().unwrap().iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }

    pub async fn send(&self, req: reqwest::RequestBuilder) -> Resp {
        let mut req = req.header("user-agent", &self.user_agent);
        for (k, v) in &self.headers {
            req = req.header(k, v);
        }
        let cookies = self.cookie_header();
        if !cookies.is_empty() {
            req = req.header("cookie", cookies);
        }
        let (http, request) = req.build_split();
        let request = request.unwrap();
        let (method, path) = (request.method().as_str().to_owned(), request.url().path().to_owned());
        let res = http.execute(request).await.unwrap();
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let bytes = res.bytes().await.unwrap().to_vec();
        let body = String::from_utf8_lossy(&bytes).into_owned();
        // Every API answer is held to the OpenAPI document.
        let ctype = headers.get("content-type").and_then(|v| v.to_str().ok());
        crate::contract::check(&method, &path, status, ctype, &bytes);
        for sc in headers.get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()) {
            let (nv, attrs) = sc.split_once(';').unwrap_or((sc, ""));
            if let Some((n, v)) = nv.split_once('=') {
                let mut jar = self.cookies.lock().unwrap();
                if attrs.contains("Max-Age=0") || v.is_empty() {
                    jar.remove(n.trim());
                } else {
                    jar.insert(n.trim().to_owned(), v.trim().to_owned());
                }
            }
        }
        if let Some(tok) = extract_csrf(&body) {
            *self.csrf.lock().unwrap() = Some(tok);
        }
        Resp { status, headers, body, bytes }
    }

    /// GET without reading the body (an event stream never ends): the
    /// status and the redirect target.
    pub async fn get_head(&self, path: &str) -> (u16, String) {
        let mut req = self.http.get(format!("{}{path}", self.base)).header("user-agent", &self.user_agent);
        for (k, v) in &self.headers {
            req = req.header(k, v);
        }
        let cookies = self.cookie_header();
        if !cookies.is_empty() {
            req = req.header("cookie", cookies);
        }
        let res = req.send().await.unwrap();
        let location = res.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        (res.status().as_u16(), location)
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.send(self.http.get(format!("{}{path}", self.base))).await
    }

    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http.request(method, format!("{}{path}", self.base))
    }

    /// POST a form with the anti-forgery token the last page carried.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Resp {
        let token = self.csrf.lock().unwrap().clone().unwrap_or_default();
        let mut all: Vec<(&str, &str)> = vec![("_csrf", &token)];
        all.extend_from_slice(fields);
        self.post_form_raw(path, &all).await
    }

    /// POST exactly these fields.
    pub async fn post_form_raw(&self, path: &str, fields: &[(&str, &str)]) -> Resp {
        let body: String = form_encode(fields);
        self.send(
            self.http
                .post(format!("{}{path}", self.base))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body),
        )
        .await
    }

    /// POST a multipart form (an upload) with the anti-forgery token first.
    pub async fn post_multipart(&self, path: &str, fields: &[(&str, &str)], file: Option<(&str, &str, &[u8])>) -> Resp {
        let token = self.csrf.lock().unwrap().clone().unwrap_or_default();
        let boundary = format!("----ordo{}", random_suffix());
        let mut body: Vec<u8> = Vec::new();
        let mut part = |name: &str, value: &[u8], filename: Option<(&str, &str)>| {
            body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
            match filename {
                Some((f, ct)) => body.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: {ct}\r\n\r\n").as_bytes(),
                ),
                None => body.extend_from_slice(format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes()),
            }
            body.extend_from_slice(value);
            body.extend_from_slice(b"\r\n");
        };
        part("_csrf", token.as_bytes(), None);
        for (k, v) in fields {
            part(k, v.as_bytes(), None);
        }
        if let Some((name, ctype, bytes)) = file {
            part("file", bytes, Some((name, ctype)));
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        self.send(
            self.http
                .post(format!("{}{path}", self.base))
                .header("content-type", format!("multipart/form-data; boundary={boundary}"))
                .body(body),
        )
        .await
    }

    /// Open an activation link and set name and password.
    pub async fn activate(&self, link: &str, name: &str, password: &str) {
        let page = self.get(link).await;
        assert_eq!(page.status, 200, "activation page: {}", page.body);
        let r = self.post_form(link, &[("display_name", name), ("password", password)]).await;
        assert_eq!(r.status, 303, "activation: {}", r.body);
        assert!(r.location().ends_with("login?notice=activated"), "{}", r.location());
    }

    pub async fn try_login(&self, slug: &str, email: &str, password: &str) -> Resp {
        self.get(&format!("/t/{slug}/login")).await;
        self.post_form(&format!("/t/{slug}/login"), &[("email", email), ("password", password)]).await
    }

    pub async fn login(&self, slug: &str, email: &str, password: &str) {
        let r = self.try_login(slug, email, password).await;
        assert_eq!(r.status, 303, "login failed: {}", r.body);
        // Load a page so that the session's anti-forgery token is known.
        let home = self.get(&format!("/t/{slug}/")).await;
        assert_eq!(home.status, 200);
    }

    /// True if this client is signed in to `slug`.
    pub async fn signed_in(&self, slug: &str) -> bool {
        self.get(&format!("/t/{slug}/")).await.status == 200
    }
}

pub fn form_encode(fields: &[(&str, &str)]) -> String {
    fields.iter().map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v))).collect::<Vec<_>>().join("&")
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn extract_csrf(html: &str) -> Option<String> {
    let i = html.find("name=\"_csrf\" value=\"")?;
    let rest = &html[i + "name=\"_csrf\" value=\"".len()..];
    Some(rest[..rest.find('"')?].to_owned())
}
