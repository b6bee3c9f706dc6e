//! The test harness: a fresh database per test (a SQLite file, or a new
//! PostgreSQL database), the real server on 127.0.0.1:0 with a clock the test
//! moves, a cookie-keeping client, and mail read back from the SMTP server's
//! mailbox (or the development `.eml` files).

use ordo_app::{App, Settings};
use ordo_core::tenant::Plan;
use ordo_core::time::ManualClock;
use ordo_core::user::Locale;
use ordo_crypto::keys::{FileKeyProvider, KekStore};
use ordo_web::WebOptions;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// Generate `mod $name { sqlite, postgres }`: the same test on both engines.
/// The PostgreSQL one is ignored (with the reason) when no test database is
/// configured at build time.
macro_rules! both {
    ($name:ident, |$e:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let $e = $crate::helpers::Engine::Sqlite;
                $body
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            #[cfg_attr(not(ordo_pg), ignore = "set ORDO_TEST_DATABASE_URL to run on PostgreSQL")]
            async fn postgres() {
                let $e = $crate::helpers::Engine::Postgres;
                $body
            }
        }
    };
    // Needing a tool the test script installs (`cfg` set by build.rs).
    (needs($cfg:ident, $why:literal) $name:ident, |$e:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            #[cfg_attr(not($cfg), ignore = $why)]
            async fn sqlite() {
                let $e = $crate::helpers::Engine::Sqlite;
                $body
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            #[cfg_attr(
                not(all(ordo_pg, $cfg)),
                ignore = "the test script sets ORDO_TEST_DATABASE_URL and installs the tools"
            )]
            async fn postgres() {
                let $e = $crate::helpers::Engine::Postgres;
                $body
            }
        }
    };
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

pub fn random_suffix() -> String {
    ordo_crypto::random::token(9).unwrap().to_lowercase().replace(['-', '_'], "x")
}

/// A database of its own for one test.
#[derive(Clone, Debug)]
pub struct TestDb {
    pub engine: Engine,
    pub url: String,
}

impl TestDb {
    pub async fn new(engine: Engine, dir: &Path) -> TestDb {
        match engine {
            Engine::Sqlite => TestDb { engine, url: format!("sqlite:{}", dir.join("ordo.db").display()) },
            Engine::Postgres => {
                let admin = std::env::var("ORDO_TEST_DATABASE_URL").expect("ORDO_TEST_DATABASE_URL");
                let name = format!("ordo_t_{}", random_suffix());
                let pool = sqlx::PgPool::connect(&admin).await.expect("connect to the test PostgreSQL");
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&pool)
                    .await
                    .expect("create database");
                pool.close().await;
                let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
                TestDb { engine, url: format!("{base}/{name}") }
            }
        }
    }

    /// Run raw SQL against the database, as an attacker with database access
    /// (or a test inspecting storage) would.
    pub async fn exec(&self, sql: &str) -> u64 {
        match self.engine {
            Engine::Sqlite => {
                let pool = sqlx::SqlitePool::connect(&self.url).await.unwrap();
                let r = sqlx::query(sqlx::AssertSqlSafe(sql.to_owned())).execute(&pool).await.unwrap();
                pool.close().await;
                r.rows_affected()
            }
            Engine::Postgres => {
                let pool = sqlx::PgPool::connect(&self.url).await.unwrap();
                let r = sqlx::query(sqlx::AssertSqlSafe(sql.to_owned())).execute(&pool).await.unwrap();
                pool.close().await;
                r.rows_affected()
            }
        }
    }

    /// One text column of the first row of a query.
    pub async fn text(&self, sql: &str) -> String {
        match self.engine {
            Engine::Sqlite => {
                let pool = sqlx::SqlitePool::connect(&self.url).await.unwrap();
                let (v,): (String,) =
                    sqlx::query_as(sqlx::AssertSqlSafe(sql.to_owned())).fetch_one(&pool).await.unwrap();
                pool.close().await;
                v
            }
            Engine::Postgres => {
                let pool = sqlx::PgPool::connect(&self.url).await.unwrap();
                let (v,): (String,) =
                    sqlx::query_as(sqlx::AssertSqlSafe(sql.to_owned())).fetch_one(&pool).await.unwrap();
                pool.close().await;
                v
            }
        }
    }
}

/// A change to a test server's settings.
pub type Tweak = Arc<dyn Fn(&mut Settings) + Send + Sync>;

/// Options for one test server.
#[derive(Clone, Default)]
pub struct Opts {
    pub public_url: Option<String>,
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Force a mail transport: None = the test script's SMTP server if any,
    /// else `.eml` files.
    pub smtp_url: Option<Option<String>>,
    /// Let the server run due backups and drills in the background.
    pub backup_scheduler: bool,
    /// Change other settings (limits, intervals) before the server starts.
    pub tweak: Option<Tweak>,
    /// Let the server run the tenant watch (tests that mean to).
    pub watch: bool,
}

/// A second server (see [`TestApp::second_server`]); stopped when dropped.
pub struct Node {
    pub base: String,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    _handle: tokio::task::JoinHandle<()>,
}

impl Node {
    pub fn client(&self) -> Client {
        Client::new(&self.base)
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

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

pub struct TestApp {
    pub base: String,
    pub app: App,
    /// The database itself, below the use cases: what the tests inspect
    /// (as an auditor with database access would).
    pub store: ordo_store::Store,
    pub clock: ManualClock,
    pub db: TestDb,
    pub dir: Arc<tempfile::TempDir>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    handle: Option<tokio::task::JoinHandle<()>>,
}

impl TestApp {
    pub async fn spawn(engine: Engine) -> TestApp {
        Self::spawn_with(engine, Opts::default()).await
    }

    pub async fn spawn_with(engine: Engine, opts: Opts) -> TestApp {
        let dir = Arc::new(tempfile::tempdir().unwrap());
        let db = TestDb::new(engine, dir.path()).await;
        Self::start(db, dir, ManualClock::starting_now(), opts).await
    }

    /// Start a server on an existing database and data directory (restarts).
    pub async fn start(db: TestDb, dir: Arc<tempfile::TempDir>, clock: ManualClock, opts: Opts) -> TestApp {
        let provider = test_key_provider(dir.path());
        Self::start_full(db, dir, clock, opts, provider).await
    }

    /// Start with a given master key provider (key rotation tests).
    pub async fn start_with_provider(
        db: TestDb,
        dir: Arc<tempfile::TempDir>,
        clock: ManualClock,
        provider: FileKeyProvider,
    ) -> TestApp {
        Self::start_full(db, dir, clock, Opts::default(), provider).await
    }

    async fn start_full(
        db: TestDb,
        dir: Arc<tempfile::TempDir>,
        clock: ManualClock,
        opts: Opts,
        provider: FileKeyProvider,
    ) -> TestApp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let base = format!("http://{addr}");
        let public = opts.public_url.clone().unwrap_or_else(|| base.clone());
        let mut settings = Settings::development(dir.path(), &public);
        // Tests run backups when they mean to (the scheduler has its own test).
        settings.backup_scheduler = opts.backup_scheduler;
        // Digests are sent by the tests that mean to (they count mail).
        settings.reminders = false;
        settings.alerts.watch = opts.watch;
        if let Some(tweak) = &opts.tweak {
            tweak(&mut settings);
        }
        settings.smtp_url = match &opts.smtp_url {
            Some(forced) => forced.clone().map(Into::into),
            None => std::env::var("ORDO_TEST_SMTP_URL").ok().map(Into::into),
        };
        let store = ordo_store::Store::connect(&db.url).await.unwrap();
        store.migrate().await.unwrap();
        let keys = ordo_app::keys::Keys::new(Arc::new(provider), KekStore::new(dir.path().join("keys")));
        let app = App::new(store.clone(), Arc::new(clock.clone()), settings, keys).unwrap();
        ordo_app::keyops::check_master_key(&app).await.unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let web = WebOptions { trusted_proxies: opts.trusted_proxies.clone() };
        let a = app.clone();
        let handle = tokio::spawn(async move {
            ordo::launch_with_listener(listener, a, web, async {
                let _ = rx.await;
            })
            .await
            .unwrap();
        });
        TestApp { base, app, store, clock, db, dir, shutdown: Some(tx), handle: Some(handle) }
    }

    /// Another server's use cases on the same database and key store, with
    /// its own caches: what a second node of a cluster would do.
    pub async fn other_node(&self) -> App {
        self.other_node_with(|_| {}).await
    }

    /// [`TestApp::other_node`] with its own settings.
    pub async fn other_node_with(&self, change: impl FnOnce(&mut Settings)) -> App {
        let store = ordo_store::Store::connect(&self.db.url).await.unwrap();
        let keys = ordo_app::keys::Keys::new(
            Arc::new(test_key_provider(self.dir.path())),
            KekStore::new(self.dir.path().join("keys")),
        );
        let mut settings = Settings::development(self.dir.path(), &self.base);
        settings.backup_scheduler = false;
        settings.reminders = false;
        change(&mut settings);
        App::new(store, Arc::new(self.clock.clone()), settings, keys).unwrap()
    }

    /// A second server of the same cluster, listening on its own address:
    /// the same database and key store, its own caches and wake-ups.
    pub async fn second_server(&self) -> Node {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let store = ordo_store::Store::connect(&self.db.url).await.unwrap();
        let keys = ordo_app::keys::Keys::new(
            Arc::new(test_key_provider(self.dir.path())),
            KekStore::new(self.dir.path().join("keys")),
        );
        let mut settings = Settings::development(self.dir.path(), &base);
        settings.backup_scheduler = false;
        settings.reminders = false;
        settings.smtp_url = std::env::var("ORDO_TEST_SMTP_URL").ok().map(Into::into);
        let app = App::new(store, Arc::new(self.clock.clone()), settings, keys).unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let handle = tokio::spawn(async move {
            ordo::launch_with_listener(listener, app, WebOptions::default(), async {
                let _ = rx.await;
            })
            .await
            .unwrap();
        });
        Node { base, shutdown: Some(tx), _handle: handle }
    }

    /// Stop the server (graceful) and wait for it.
    pub async fn stop(mut self) -> (TestDb, Arc<tempfile::TempDir>, ManualClock) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(h) = self.handle.take() {
            let _ = tokio::time::timeout(Duration::from_secs(15), h).await;
        }
        self.app.close().await;
        (self.db.clone(), self.dir.clone(), self.clock.clone())
    }

    pub fn client(&self) -> Client {
        Client::new(&self.base)
    }

    pub fn slug() -> String {
        format!("t{}", random_suffix())
    }

    /// A fresh address nobody else in the test run uses, so tests sharing
    /// one SMTP mailbox never read each other's mail.
    pub fn email(who: &str) -> String {
        format!("{who}.{}@example.org", random_suffix())
    }

    /// Create a tenant through the use case (the CLI calls the same one).
    pub async fn tenant(&self, plan: Plan) -> (String, String) {
        let slug = Self::slug();
        let owner = Self::email("owner");
        ordo_app::accounts::create_tenant(&self.app, &slug, &format!("Org {slug}"), &owner, plan, Locale::En, true)
            .await
            .unwrap();
        (slug, owner)
    }

    /// Create a tenant and activate its owner; returns (slug, owner e-mail,
    /// a client signed in as the owner).
    pub async fn tenant_with_owner(&self) -> (String, String, Client) {
        let (slug, owner) = self.tenant(Plan::Free).await;
        let link = self.link_in_mail(&owner, "/activate/").await;
        let c = self.client();
        c.activate(&link, "Olivia Owner", PASSWORD).await;
        c.login(&slug, &owner, PASSWORD).await;
        (slug, owner, c)
    }

    /// Invite someone as `role` from the signed-in admin `admin`, activate and
    /// sign them in; returns their address and a client.
    pub async fn member(&self, slug: &str, admin: &Client, role: &str) -> (String, Client) {
        let email = Self::email(role);
        let r = admin.post_form(&format!("/t/{slug}/admin/members/invite"), &[("email", &email), ("role", role)]).await;
        assert_eq!(r.status, 303, "invite: {}", r.body);
        let link = self.link_in_mail(&email, "/activate/").await;
        let c = self.client();
        c.activate(&link, &format!("Mia {role}"), PASSWORD).await;
        c.login(slug, &email, PASSWORD).await;
        (email, c)
    }

    /// Every byte the database keeps, as an attacker with a copy would see
    /// it: the SQLite files themselves (main file and write-ahead log), or on
    /// PostgreSQL every stored value of every table (as XML text).
    pub async fn raw_storage(&self) -> String {
        match self.db.engine {
            Engine::Sqlite => {
                self.db.exec("PRAGMA wal_checkpoint(TRUNCATE)").await;
                let mut bytes = std::fs::read(self.dir.path().join("ordo.db")).unwrap();
                if let Ok(wal) = std::fs::read(self.dir.path().join("ordo.db-wal")) {
                    bytes.extend(wal);
                }
                String::from_utf8_lossy(&bytes).into_owned()
            }
            Engine::Postgres => {
                // Every value of every table, whatever tables later issues add.
                self.db
                    .text(
                        "SELECT COALESCE(string_agg(query_to_xml(format('SELECT * FROM %I', table_name), true, false, '')::text, '|'), '')
                         FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
                    )
                    .await
            }
        }
    }

    /// Messages delivered to `to` so far, oldest first.
    pub fn mails_to(&self, to: &str) -> Vec<Mail> {
        let mut files: Vec<PathBuf> = Vec::new();
        let mut dirs = vec![self.dir.path().join("mail")];
        if let Ok(md) = std::env::var("ORDO_TEST_MAILDIR") {
            dirs.push(PathBuf::from(&md).join("new"));
            dirs.push(PathBuf::from(&md).join("cur"));
        }
        for d in dirs {
            if let Ok(rd) = std::fs::read_dir(&d) {
                files.extend(rd.filter_map(|e| e.ok()).map(|e| e.path()));
            }
        }
        let mut out: Vec<(std::time::SystemTime, Mail)> = files
            .iter()
            .filter_map(|p| {
                let raw = std::fs::read(p).ok()?;
                let m = Mail::parse(&raw)?;
                let t = std::fs::metadata(p).and_then(|m| m.modified()).ok()?;
                (m.to.eq_ignore_ascii_case(to)).then_some((t, m))
            })
            .collect();
        out.sort_by_key(|(t, _)| *t);
        out.into_iter().map(|(_, m)| m).collect()
    }

    /// Wait (up to 20 s) until `to` has received at least `n` messages.
    pub async fn wait_mails(&self, to: &str, n: usize) -> Vec<Mail> {
        for _ in 0..200 {
            let m = self.mails_to(to);
            if m.len() >= n {
                return m;
            }
            self.app.mail_wakeup.notify_one();
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("no mail (or fewer than {n}) for {to}");
    }

    /// The link containing `marker` in the newest message to `to` that has
    /// one (waiting up to 20 s for it), as a path.
    pub async fn link_in_mail(&self, to: &str, marker: &str) -> String {
        for _ in 0..200 {
            if let Some(link) = self.mails_to(to).iter().rev().find_map(|m| m.link(marker)) {
                return link;
            }
            self.app.mail_wakeup.notify_one();
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("no mail with a {marker} link for {to}");
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

pub const PASSWORD: &str = "correct horse battery staple";

/// The master key of a test data directory (created on first use, 0600).
pub fn test_key_provider(dir: &Path) -> FileKeyProvider {
    let (k, _) = ordo_crypto::master_key::MasterKey::load_or_create(&dir.join("master.key")).unwrap();
    FileKeyProvider::new(k, vec![])
}

/// A delivered message, decoded.
#[derive(Debug, Clone)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub body: String,
    /// The HTML alternative, if there is one.
    pub html: Option<String>,
    pub attachments: Vec<MailFile>,
}

/// An attachment of a delivered message.
#[derive(Debug, Clone)]
pub struct MailFile {
    pub name: String,
    /// `type/subtype`, lower case.
    pub content_type: String,
    /// The `method` parameter of the content type (calendar files).
    pub method: Option<String>,
    pub data: Vec<u8>,
}

impl Mail {
    fn parse(raw: &[u8]) -> Option<Mail> {
        let msg = mail_parser::MessageParser::default().parse(raw)?;
        let to = msg.to()?.first()?.address()?.to_string();
        use mail_parser::MimeHeaders as _;
        let attachments = msg
            .attachments()
            .map(|a| {
                let ct = a.content_type();
                MailFile {
                    name: a.attachment_name().unwrap_or("").to_owned(),
                    content_type: ct
                        .map(|c| format!("{}/{}", c.ctype(), c.subtype().unwrap_or("")).to_lowercase())
                        .unwrap_or_default(),
                    method: ct.and_then(|c| c.attribute("method")).map(str::to_owned),
                    data: a.contents().to_vec(),
                }
            })
            .collect();
        Some(Mail {
            to,
            subject: msg.subject().unwrap_or("").to_owned(),
            body: msg.body_text(0).map(|b| b.to_string()).unwrap_or_default(),
            html: msg.html_body_count().gt(&0).then(|| msg.body_html(0).map(|b| b.to_string())).flatten(),
            attachments,
        })
    }

    /// The path (from `/t/`) of the first URL in the body containing `marker`.
    pub fn link(&self, marker: &str) -> Option<String> {
        self.body
            .split_whitespace()
            .find(|w| w.starts_with("http") && w.contains(marker))
            .and_then(|u| u.find("/t/").map(|i| u[i..].to_owned()))
    }
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

/// A small real PNG picture.
pub fn png(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x * 7) as u8, (y * 5) as u8, 120]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
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

/// The text of a PDF as `pdftotext` reads it (layout kept).
pub fn pdf_text(pdf: &[u8]) -> String {
    run_tool(std::process::Command::new("pdftotext").args(["-layout", "-enc", "UTF-8", "-", "-"]), pdf)
}

/// Run a Python script (the test script's environment, with icalendar) on
/// `input` and return what it prints.
pub fn python(script: &str, input: &[u8]) -> String {
    let py = std::env::var("ORDO_TEST_PYTHON").expect("ORDO_TEST_PYTHON (set by scripts/test.sh)");
    run_tool(std::process::Command::new(py).args(["-c", script]), input)
}

fn run_tool(cmd: &mut std::process::Command, input: &[u8]) -> String {
    use std::io::Write as _;
    use std::process::Stdio;
    let mut child = cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{cmd:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// A personal API token made on the settings page (shown once).
pub async fn token_for(c: &Client, slug: &str, name: &str) -> String {
    c.get(&format!("/t/{slug}/settings/tokens")).await;
    let r = c.post_form(&format!("/t/{slug}/settings/tokens"), &[("name", name)]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let i = r.body.find("<code class=\"token\">").expect("the token is shown once");
    let rest = &r.body[i + "<code class=\"token\">".len()..];
    rest[..rest.find('<').unwrap()].to_owned()
}
