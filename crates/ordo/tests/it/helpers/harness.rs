//! A fresh database per test (a SQLite file or a new PostgreSQL database)
//! and the real server on 127.0.0.1:0 with a clock the test moves.

use super::*;
use ordo_app::{App, Settings};
use ordo_core::tenant::Plan;
use ordo_core::time::ManualClock;
use ordo_core::user::Locale;
use ordo_crypto::keys::{FileKeyProvider, KekStore};
use ordo_web::WebOptions;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

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
    /// The server's URL. On PostgreSQL it connects as a role that row-level
    /// security binds, as in production.
    pub url: String,
    /// The same database as its superuser (PostgreSQL), for [`TestDb::exec`]
    /// and [`TestDb::text`]: raw storage as someone with database access sees it.
    raw_url: String,
}

impl TestDb {
    pub async fn new(engine: Engine, dir: &Path) -> TestDb {
        match engine {
            Engine::Sqlite => TestDb::sqlite(&dir.join("ordo.db")),
            Engine::Postgres => {
                let admin = std::env::var("ORDO_TEST_DATABASE_URL").expect("ORDO_TEST_DATABASE_URL");
                let db = ordo_store::testing::postgres_database(&admin).await.expect("a test database");
                TestDb { engine, url: db.url, raw_url: db.admin_url }
            }
        }
    }

    /// The SQLite database at `path`.
    pub fn sqlite(path: &Path) -> TestDb {
        let url = format!("sqlite:{}", path.display());
        TestDb { engine: Engine::Sqlite, raw_url: url.clone(), url }
    }

    /// Run raw SQL against the database, as an attacker with database access
    /// (or a test inspecting storage) would.
    pub async fn exec(&self, sql: &str) -> u64 {
        match self.engine {
            Engine::Sqlite => {
                let pool = sqlx::SqlitePool::connect(&self.raw_url).await.unwrap();
                let r = sqlx::query(sqlx::AssertSqlSafe(sql.to_owned())).execute(&pool).await.unwrap();
                pool.close().await;
                r.rows_affected()
            }
            Engine::Postgres => {
                let pool = sqlx::PgPool::connect(&self.raw_url).await.unwrap();
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
                let pool = sqlx::SqlitePool::connect(&self.raw_url).await.unwrap();
                let (v,): (String,) =
                    sqlx::query_as(sqlx::AssertSqlSafe(sql.to_owned())).fetch_one(&pool).await.unwrap();
                pool.close().await;
                v
            }
            Engine::Postgres => {
                let pool = sqlx::PgPool::connect(&self.raw_url).await.unwrap();
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
    /// Shorter client timeouts than the server's defaults.
    pub timeouts: Option<ordo_web::Timeouts>,
    /// Another limit of costly requests per client.
    pub costly_per_client: Option<usize>,
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
        let web = WebOptions {
            trusted_proxies: opts.trusted_proxies.clone(),
            timeouts: opts.timeouts.unwrap_or_default(),
            costly_per_client: opts.costly_per_client.unwrap_or(WebOptions::default().costly_per_client),
        };
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
    /// it: the SQLite files themselves (main file and write-ahead log, after
    /// a checkpoint), or on PostgreSQL every stored value of every table (as
    /// XML text).
    pub async fn raw_storage(&self) -> String {
        if self.db.engine == Engine::Sqlite {
            self.db.exec("PRAGMA wal_checkpoint(TRUNCATE)").await;
        }
        self.raw_storage_as_it_is().await
    }

    /// The same, without a checkpoint first: on SQLite the database file,
    /// its write-ahead log and its index exactly as a copy taken now would
    /// hold them.
    pub async fn raw_storage_as_it_is(&self) -> String {
        match self.db.engine {
            Engine::Sqlite => {
                let mut bytes = Vec::new();
                for f in ["ordo.db", "ordo.db-wal", "ordo.db-shm"] {
                    if let Ok(b) = std::fs::read(self.dir.path().join(f)) {
                        bytes.extend(b);
                    }
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

/// A personal API token made on the settings page (shown once).
pub async fn token_for(c: &Client, slug: &str, name: &str) -> String {
    c.get(&format!("/t/{slug}/settings/tokens")).await;
    let r = c.post_form(&format!("/t/{slug}/settings/tokens"), &[("name", name)]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let i = r.body.find("<code class=\"token\">").expect("the token is shown once");
    let rest = &r.body[i + "<code class=\"token\">".len()..];
    rest[..rest.find('<').unwrap()].to_owned()
}
