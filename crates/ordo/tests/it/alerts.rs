//! Watching tenants and alerting on-call (requirement O3), by fault
//! injection: a tenant's data made undecryptable (its key-encryption key
//! moved away), a webhook receiver that is down, the database made
//! unreachable. A real HTTP receiver on 127.0.0.1 records what on-call would
//! get: exactly one alert per incident, reminders while it lasts, one
//! recovery notice, nothing lost while the receiver is away.

use crate::helpers::*;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The secret the test servers sign their JSON notices with.
const HOOK_SECRET: &str = "shared secret";

/// A team chat's incoming webhook, as far as Ordo can tell: it records the
/// JSON bodies posted to it. Like a careful receiver, it checks the
/// Standard Webhooks signature (HMAC-SHA-256 over `id.timestamp.body`,
/// written here with the `hmac` crate, not Ordo's code) and takes each
/// notice id once. Stopped, it refuses connections.
pub struct Receiver {
    pub port: u16,
    pub got: Arc<Mutex<Vec<serde_json::Value>>>,
    /// What it refused, and why ("signature", "replay").
    pub refused: Arc<Mutex<Vec<String>>>,
    /// The (id, timestamp) of every notice it took.
    pub signed: Arc<Mutex<Vec<(String, i64)>>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

/// The `v1,` signature a receiver expects for this notice.
pub fn standard_webhook_signature(secret: &[u8], id: &str, ts: &str, body: &str) -> String {
    use base64::Engine as _;
    use hmac::{KeyInit, Mac};
    let mut mac = <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(secret).unwrap();
    mac.update(format!("{id}.{ts}.{body}").as_bytes());
    format!("v1,{}", base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes()))
}

impl Receiver {
    pub async fn start() -> Receiver {
        let mut r =
            Receiver { port: 0, got: Arc::default(), refused: Arc::default(), signed: Arc::default(), task: None };
        r.listen().await;
        r
    }

    async fn listen(&mut self) {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", self.port)).await.unwrap();
        self.port = listener.local_addr().unwrap().port();
        let (got, refused, signed) = (self.got.clone(), self.refused.clone(), self.signed.clone());
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(move |headers: axum::http::HeaderMap, body: String| {
                let (got, refused, signed) = (got.clone(), refused.clone(), signed.clone());
                async move {
                    let h = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
                    let (id, ts, sig) = (h("webhook-id"), h("webhook-timestamp"), h("webhook-signature"));
                    // Team-chat formats are not signed (those services do
                    // not check): taken as they come, and not in `signed`.
                    if id.is_empty() && sig.is_empty() {
                        got.lock().unwrap().push(serde_json::from_str(&body).unwrap_or(serde_json::Value::Null));
                        return (axum::http::StatusCode::OK, "ok");
                    }
                    let expected = standard_webhook_signature(HOOK_SECRET.as_bytes(), &id, &ts, &body);
                    if !sig.split(' ').any(|s| s == expected) {
                        refused.lock().unwrap().push("signature".into());
                        return (axum::http::StatusCode::UNAUTHORIZED, "bad signature");
                    }
                    if signed.lock().unwrap().iter().any(|(seen, _)| *seen == id) {
                        refused.lock().unwrap().push("replay".into());
                        return (axum::http::StatusCode::OK, "seen");
                    }
                    signed.lock().unwrap().push((id, ts.parse().unwrap_or(-1)));
                    got.lock().unwrap().push(serde_json::from_str(&body).unwrap_or(serde_json::Value::Null));
                    (axum::http::StatusCode::OK, "ok")
                }
            }),
        );
        self.task = Some(tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        }));
    }

    pub fn stop(&mut self) {
        if let Some(t) = self.task.take() {
            t.abort();
        }
    }

    pub async fn restart(&mut self) {
        self.stop();
        tokio::time::sleep(Duration::from_millis(100)).await;
        self.listen().await;
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/hook", self.port)
    }

    /// The notices received, as (event, rule, subject).
    pub fn notices(&self) -> Vec<(String, String, String)> {
        self.got
            .lock()
            .unwrap()
            .iter()
            .map(|v| {
                let s = |p: &str| v.pointer(p).and_then(|x| x.as_str()).unwrap_or_default().to_owned();
                (s("/event"), s("/incident/rule"), s("/incident/subject"))
            })
            .collect()
    }

    /// Wait (up to `secs` seconds) until `n` notices arrived.
    pub async fn wait_for(&self, n: usize, secs: u64) -> Vec<(String, String, String)> {
        for _ in 0..secs * 10 {
            if self.got.lock().unwrap().len() >= n {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        self.notices()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A server whose watch runs every second, posting to `hook` as JSON.
async fn watched(engine: Engine, hook: String) -> TestApp {
    watched_reminding(engine, hook, 60).await
}

async fn watched_reminding(engine: Engine, hook: String, remind_minutes: i64) -> TestApp {
    watched_with(engine, hook, remind_minutes, None).await
}

/// The on-call address of a watched test server (alerts are e-mailed too).
fn oncall(t: &TestApp) -> String {
    t.app.settings.alerts.emails[0].clone()
}

async fn watched_with(engine: Engine, hook: String, remind_minutes: i64, public_url: Option<String>) -> TestApp {
    let email = TestApp::email("oncall");
    let tweak = move |s: &mut ordo_app::Settings| {
        s.alerts.emails = vec![email.clone()];
        s.alerts.remind_minutes = remind_minutes;
        s.alerts.interval_secs = 1;
        s.alerts.retry_secs = 0;
        s.alerts.webhooks = vec![ordo_app::Webhook {
            name: "oncall".into(),
            url: hook.clone().into(),
            format: ordo_app::WebhookFormat::Json,
            secret: Some(HOOK_SECRET.to_owned().into()),
        }];
    };
    TestApp::spawn_with(engine, Opts { watch: true, tweak: Some(Arc::new(tweak)), public_url, ..Opts::default() }).await
}

/// Wait until the watch has seen `slug` with `status`.
async fn status_becomes(t: &TestApp, slug: &str, status: &str) {
    for _ in 0..200 {
        let all = t.store.tenant_statuses().await.unwrap();
        if all.iter().any(|s| s.slug == slug && s.status.as_deref() == Some(status)) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{slug} never became {status}: {:?}", t.store.tenant_statuses().await.unwrap());
}

fn kek_path(t: &TestApp, tenant: &ordo_store::Tenant) -> std::path::PathBuf {
    t.dir.path().join("keys").join(format!("{}.kek", tenant.id))
}

both!(an_undecryptable_tenant_alerts_once_reminds_and_recovers, |engine| {
    let receiver = Receiver::start().await;
    let t = watched(engine, receiver.url()).await;
    let (slug, _owner, _c) = t.tenant_with_owner().await;
    let tenant = t.store.tenant_by_slug(&ordo_core::tenant::Slug::parse(&slug).unwrap()).await.unwrap().unwrap();
    // A second node watches the same database: still one alert per incident.
    let alerts = t.app.settings.alerts.clone();
    let other = t.other_node_with(move |s| s.alerts = alerts).await;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let second = tokio::spawn(ordo_ops::watch::run(other, t.base.clone(), async {
        let _ = stopped.await;
    }));
    status_becomes(&t, &slug, "up").await;

    // The fault: its key-encryption key is gone from the key store.
    let kek = kek_path(&t, &tenant);
    let aside = kek.with_extension("aside");
    std::fs::rename(&kek, &aside).unwrap();
    let started = std::time::Instant::now();
    let got = receiver.wait_for(1, 30).await;
    assert!(started.elapsed() < Duration::from_secs(30), "alerted within the configured time");
    assert_eq!(got, vec![("opened".into(), "tenant_down".into(), slug.clone())]);
    let alert = receiver.got.lock().unwrap()[0].clone();
    assert!(alert["incident"]["detail"].as_str().unwrap().contains("cannot be read and decrypted"), "{alert}");
    assert_eq!(alert["incident"]["severity"], "critical");
    // Signed over its id, its time and its body: the receiver refused nothing,
    // and the time is the server's clock at sending.
    assert!(receiver.refused.lock().unwrap().is_empty(), "{:?}", receiver.refused.lock().unwrap());
    assert_eq!(receiver.signed.lock().unwrap().len(), receiver.got.lock().unwrap().len(), "every notice signed");
    let (_, ts) = receiver.signed.lock().unwrap()[0].clone();
    assert!((ts - ordo_core::time::Clock::now(&t.clock).unix()).abs() <= 60, "webhook-timestamp {ts}");
    // Several rounds later, on two nodes: still that one alert.
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(receiver.notices().len(), 1, "de-duplicated: {:?}", receiver.notices());
    status_becomes(&t, &slug, "down").await;

    // While it fires, a reminder per hour (the clock moves, not the wall).
    t.clock.advance_secs(61 * 60);
    let got = receiver.wait_for(2, 30).await;
    assert_eq!(got[1], ("reminder".into(), "tenant_down".into(), slug.clone()));
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(receiver.notices().len(), 2, "one reminder: {:?}", receiver.notices());

    // Repaired: one recovery notice, the incident closed.
    std::fs::rename(&aside, &kek).unwrap();
    let got = receiver.wait_for(3, 30).await;
    assert_eq!(got[2], ("resolved".into(), "tenant_down".into(), slug.clone()));
    status_becomes(&t, &slug, "up").await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(receiver.notices().len(), 3, "{:?}", receiver.notices());
    assert!(t.store.open_incidents().await.unwrap().is_empty());
    let history = t.store.status_changes(tenant.id, 10).await.unwrap();
    let statuses: Vec<&str> = history.iter().rev().map(|c| c.status.as_str()).collect();
    assert_eq!(statuses, vec!["up", "down", "up"], "the status history");
    // Every delivery went out, signed.
    let deliveries = t.store.recent_deliveries(10).await.unwrap();
    assert_eq!(deliveries.len(), 3);
    assert!(deliveries.iter().all(|d| d.status == "sent"), "{deliveries:?}");
    // On-call got the same three by e-mail.
    let mails = t.wait_mails(&oncall(&t), 3).await;
    let subjects: Vec<&str> = mails.iter().map(|m| m.subject.as_str()).collect();
    assert!(subjects[0].starts_with("[CRITICAL] Tenant") && subjects[0].contains("is down"), "{subjects:?}");
    assert!(subjects[1].contains("Still firing") && subjects[2].starts_with("[RESOLVED]"), "{subjects:?}");
    assert!(mails[0].body.contains("tenant_down") && mails[0].body.contains("/ops/"), "{}", mails[0].body);
    let _ = stop.send(());
    let _ = second.await;
});

both!(alerts_wait_for_a_receiver_that_is_down_and_none_is_lost, |engine| {
    let mut receiver = Receiver::start().await;
    // No reminders here: the clock runs fast to pass the back-off.
    let t = watched_reminding(engine, receiver.url(), 100_000).await;
    let (slug, _owner, _c) = t.tenant_with_owner().await;
    let tenant = t.store.tenant_by_slug(&ordo_core::tenant::Slug::parse(&slug).unwrap()).await.unwrap().unwrap();
    status_becomes(&t, &slug, "up").await;
    receiver.stop();
    let kek = kek_path(&t, &tenant);
    let aside = kek.with_extension("aside");
    std::fs::rename(&kek, &aside).unwrap();
    // The alert is queued and its deliveries fail, logged, with back-off.
    let mut attempts = 0;
    for _ in 0..300 {
        let d = t.store.recent_deliveries(10).await.unwrap();
        if let Some(d) = d.iter().find(|d| d.event == "opened") {
            attempts = d.attempts;
            if attempts >= 3 {
                assert_eq!(d.status, "pending");
                assert!(d.last_error.as_deref().unwrap().contains("cannot connect"), "{d:?}");
                assert!(!d.last_error.as_deref().unwrap().contains("127.0.0.1"), "the address stays out of the log");
                break;
            }
        }
        // Past the back-off (15 s, 30 s, 1 min...) on the server's clock.
        t.clock.advance_secs(60);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(attempts >= 3, "retried");
    // Repaired while the receiver is still down: the recovery waits too.
    std::fs::rename(&aside, &kek).unwrap();
    status_becomes(&t, &slug, "up").await;
    // The receiver comes back: both notices arrive, once each, in order.
    receiver.restart().await;
    for _ in 0..100 {
        if receiver.notices().len() >= 2 {
            break;
        }
        t.clock.advance_secs(900);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let got = receiver.notices();
    assert_eq!(
        got,
        vec![("opened".into(), "tenant_down".into(), slug.clone()), ("resolved".into(), "tenant_down".into(), slug)],
    );
    assert!(t.store.recent_deliveries(10).await.unwrap().iter().all(|d| d.status == "sent"));
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(ordo_pg), ignore = "set ORDO_TEST_DATABASE_URL to run on PostgreSQL")]
async fn an_unreachable_database_alerts_from_memory_and_recovers_on_postgresql() {
    let receiver = Receiver::start().await;
    let t = watched(Engine::Postgres, receiver.url()).await;
    let (slug, _owner, _c) = t.tenant_with_owner().await;
    status_becomes(&t, &slug, "up").await;
    let name = t.db.url.rsplit('/').next().unwrap().to_owned();
    let admin = std::env::var("ORDO_TEST_DATABASE_URL").unwrap();
    let admin = sqlx::PgPool::connect(&admin).await.unwrap();
    let sql = |q: String| sqlx::query(sqlx::AssertSqlSafe(q));
    // The fault: nobody may connect to the database, and every connection ends.
    sql(format!("ALTER DATABASE {name} ALLOW_CONNECTIONS false")).execute(&admin).await.unwrap();
    sql(format!("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"))
        .execute(&admin)
        .await
        .unwrap();
    let got = receiver.wait_for(1, 40).await;
    assert_eq!(got, vec![("opened".into(), "database".into(), "platform".into())]);
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(receiver.notices().len(), 1, "one alert for the outage: {:?}", receiver.notices());
    // Repaired: a recovery notice, and the outage is on record.
    sql(format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true")).execute(&admin).await.unwrap();
    let got = receiver.wait_for(2, 40).await;
    assert_eq!(got[1], ("resolved".into(), "database".into(), "platform".into()));
    let incidents = t.store.recent_incidents(10).await.unwrap();
    assert!(incidents.iter().any(|i| i.rule == "database" && i.resolved_at.is_some()), "{incidents:?}");
    admin.close().await;
}

both!(error_rates_backups_and_the_disk_are_judged_and_shown_in_metrics, |engine| {
    let receiver = Receiver::start().await;
    let t = watched(engine, receiver.url()).await;
    let (slug, _owner, _c) = t.tenant_with_owner().await;
    let tenant = t.store.tenant_by_slug(&ordo_core::tenant::Slug::parse(&slug).unwrap()).await.unwrap().unwrap();
    status_becomes(&t, &slug, "up").await;
    // A backup that failed (as the scheduler records one).
    let mut tx = t.store.begin().await.unwrap();
    let now = t.app.now();
    tx.record_run(
        tenant.id,
        &ordo_store::BackupRun {
            id: "r1".into(),
            kind: "backup".into(),
            snapshot: None,
            started_at: now,
            finished_at: now,
            ok: false,
            bytes: 0,
            rows_total: 0,
            millis: 0,
            detail: "quota exceeded".into(),
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    // Server errors: more than 5 % of this tenant's requests.
    let minute = now.unix().div_euclid(60);
    t.store.add_traffic(tenant.id, minute, 100, 30).await.unwrap();
    let got = receiver.wait_for(2, 30).await;
    let rules: std::collections::BTreeSet<String> = got.iter().map(|(_, r, _)| r.clone()).collect();
    assert!(rules.contains("backup_failed") && rules.contains("error_rate"), "{got:?}");
    // The operator's metrics show what fires.
    let metrics = ordo_app::metrics::render(&t.app).await.unwrap();
    assert!(metrics.contains("ordo_alerts_firing{rule=\"error_rate\"} 1"), "{metrics}");
    assert!(metrics.contains(&format!("ordo_tenant_up{{tenant=\"{slug}\"}} 1")), "{metrics}");
    // Five minutes on, the errors are past: that incident closes.
    t.clock.advance_secs(6 * 60);
    for _ in 0..100 {
        if receiver.notices().iter().any(|(e, r, _)| e == "resolved" && r == "error_rate") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(
        receiver.notices().iter().any(|(e, r, _)| e == "resolved" && r == "error_rate"),
        "{:?}",
        receiver.notices()
    );
});

/// A TLS server on 127.0.0.1 with the fixture certificate (`localhost`,
/// expiring 2036-11-28 21:41:40 UTC): the public address of a proxy.
async fn tls_server() -> u16 {
    use rustls::pki_types::pem::PemObject;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let cert = rustls::pki_types::CertificateDer::from_pem_file(dir.join("tls-cert.pem")).unwrap();
    let key = rustls::pki_types::PrivateKeyDer::from_pem_file(dir.join("tls-key.pem")).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let _ = acceptor.accept(stream).await;
            });
        }
    });
    port
}

const FIXTURE_NOT_AFTER: i64 = 2_111_521_300;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_public_certificate_is_read_over_tls() {
    let port = tls_server().await;
    let at = ordo_ops::cert::expires("localhost", ("127.0.0.1", port)).await.unwrap();
    assert_eq!(at.unix(), FIXTURE_NOT_AFTER);
    // Nothing listening, or not TLS: an error that says so.
    let plain = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let p = plain.local_addr().unwrap().port();
    drop(plain);
    let e = ordo_ops::cert::expires("localhost", ("127.0.0.1", p)).await.unwrap_err();
    assert!(e.contains("cannot connect"), "{e}");
}

both!(an_expiring_public_certificate_alerts, |engine| {
    let receiver = Receiver::start().await;
    let port = tls_server().await;
    let t = watched_with(engine, receiver.url(), 60, Some(format!("https://localhost:{port}"))).await;
    // Ten days before it expires (the threshold is fourteen).
    let now = t.app.now().unix();
    t.clock.advance_secs(FIXTURE_NOT_AFTER - 10 * 86_400 - now);
    // The watch asks the public host: 127.0.0.1 serves "localhost" here.
    let got = receiver.wait_for(1, 30).await;
    assert!(got.contains(&("opened".into(), "cert_expiry".into(), "platform".into())), "{got:?}");
    let text = receiver.got.lock().unwrap().iter().find(|v| v["incident"]["rule"] == "cert_expiry").cloned().unwrap();
    assert!(text["incident"]["detail"].as_str().unwrap().contains("2036-11-28"), "{text}");
});
