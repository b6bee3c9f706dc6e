//! Starting and stopping the server: open the database, run migrations, bind,
//! serve until SIGTERM or Ctrl-C, let in-flight requests finish, stop the
//! background workers.

use crate::config::Config;
use ordo_app::App;
use ordo_app::keys::Keys;
use ordo_core::time::{SharedClock, SystemClock};
use ordo_crypto::keys::{FileKeyProvider, KekStore};
use ordo_web::{AppState, WebOptions};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    #[error("master key: {0}")]
    Key(#[from] ordo_crypto::CryptoError),
    #[error("{0}")]
    App(#[from] ordo_app::AppError),
    #[error("cannot listen on {addr}: {reason}")]
    Bind { addr: String, reason: String },
    #[error("server: {0}")]
    Io(#[from] std::io::Error),
    #[error("alerts: {0}")]
    Ops(String),
}

/// The master key provider from the configuration: the current key file
/// (created in development if missing, never in production) and the older
/// ones still accepted during a rotation.
pub fn key_provider(config: &Config) -> Result<FileKeyProvider, StartError> {
    use ordo_crypto::master_key::MasterKey;
    let key_path = config.master_key_path();
    let current = match config.master_key_file {
        // An operator-provided key must exist: never invent one silently.
        Some(_) => MasterKey::load(&key_path)?,
        None => {
            let (k, created) = MasterKey::load_or_create(&key_path)?;
            if created {
                tracing::warn!(path = %key_path.display(), "development mode: created a new master key file (mode 0600); keep it safe and outside backups of the data");
            }
            k
        }
    };
    let older = config.old_master_key_files.iter().map(|p| MasterKey::load(p)).collect::<Result<Vec<_>, _>>()?;
    Ok(FileKeyProvider::new(current, older))
}

/// Open the data directory, the master key and the database (migrated), and
/// check that the master key is the one this database was set up with.
/// Shared by `serve` and every other command.
pub async fn open(config: &Config, clock: SharedClock) -> Result<App, StartError> {
    config.ensure_data_dir()?;
    open_with(config, clock, key_provider(config)?).await
}

pub async fn open_with(config: &Config, clock: SharedClock, provider: FileKeyProvider) -> Result<App, StartError> {
    config.ensure_data_dir()?;
    let keys = Keys::new(Arc::new(provider), KekStore::new(&config.key_dir));
    Ok(App::open(config.database_url(), clock, config.settings(), keys).await?)
}

/// Serve on `listener` until `shutdown` resolves; runs the background
/// workers alongside (mail outbox, session sweeper, re-sealing, backups, the
/// tenant watch and alert deliveries), and stops them afterwards.
pub async fn launch_with_listener(
    listener: tokio::net::TcpListener,
    app: App,
    options: WebOptions,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (stop_tx, stop_rx) = watch::channel(false);
    let stopped = |mut rx: watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|v| *v).await;
    };
    // The tenant watch probes tenants' sign-in pages on this very listener.
    let mut local = listener.local_addr()?;
    if local.ip().is_unspecified() {
        local.set_ip(if local.is_ipv4() {
            std::net::Ipv4Addr::LOCALHOST.into()
        } else {
            std::net::Ipv6Addr::LOCALHOST.into()
        });
    }
    let probe_base = format!("http://{local}");
    let tenant_watch = tokio::spawn(ordo_ops::watch::run(app.clone(), probe_base, stopped(stop_rx.clone())));
    let alerts = tokio::spawn(ordo_ops::notify::run_delivery_worker(app.clone(), stopped(stop_rx.clone())));
    let mail = tokio::spawn(ordo_app::mail::run_worker(app.clone(), stopped(stop_rx.clone())));
    let sweeper = tokio::spawn(sweep_sessions(app.clone(), stopped(stop_rx.clone())));
    let resealer = tokio::spawn(ordo_app::keyops::run_worker(app.clone(), stopped(stop_rx.clone())));
    let reminders = tokio::spawn(run_reminders(app.clone(), stopped(stop_rx.clone())));
    let indexer = tokio::spawn(ordo_app::search::run_worker(app.clone(), stopped(stop_rx.clone())));
    let backups = tokio::spawn(run_backup_jobs(app.clone(), stopped(stop_rx)));
    let state = AppState::new(app.clone(), options);
    let result = ordo_web::serve(listener, state, shutdown).await;
    let _ = stop_tx.send(true);
    let _ = tokio::time::timeout(Duration::from_secs(10), async {
        let _ = mail.await;
        let _ = sweeper.await;
        let _ = resealer.await;
        let _ = backups.await;
        let _ = reminders.await;
        let _ = indexer.await;
        let _ = tenant_watch.await;
        let _ = alerts.await;
    })
    .await;
    result
}

/// Delete expired sessions every few minutes (they are refused anyway; this
/// keeps the table small and the session list honest).
async fn sweep_sessions(app: App, shutdown: impl Future<Output = ()>) {
    tokio::pin!(shutdown);
    loop {
        let idle = app.settings.session_idle_secs;
        match ordo_app::platform::purge_sessions(&app, idle).await {
            Ok((users, staff)) if users + staff > 0 => {
                tracing::info!(sessions = users, staff_sessions = staff, "expired sessions deleted")
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "session sweep failed"),
        }
        tokio::select! {
            _ = &mut shutdown => break,
            _ = tokio::time::sleep(Duration::from_secs(300)) => {}
        }
    }
}

/// Every minute, run the backups (tenants' and the platform's) and restore
/// drills that are due. Jobs live
/// in the database: they survive restarts, and of several nodes one runs
/// each (claimed in the database, so one node runs each).
async fn run_backup_jobs(app: App, shutdown: impl Future<Output = ()>) {
    tokio::pin!(shutdown);
    if !app.settings.backup_scheduler {
        return;
    }
    loop {
        if let Err(e) = ordo_app::backups::run_due(&app).await {
            tracing::error!(event = "backup.scheduler", error = %e, "running due backups failed");
        }
        if let Err(e) = ordo_app::backups::drill_due(&app).await {
            tracing::error!(event = "drill.scheduler", error = %e, "running due restore drills failed");
        }
        if let Err(e) = ordo_app::backups::platform_due(&app).await {
            tracing::error!(event = "backup.scheduler", error = %e, "running the platform backup failed");
        }
        tokio::select! {
            _ = &mut shutdown => break,
            _ = tokio::time::sleep(Duration::from_secs(60)) => {}
        }
    }
}

/// Every ten minutes, the daily digests of actions due soon that are due
/// (each user's at most once a day, whichever node sends it).
async fn run_reminders(app: App, shutdown: impl Future<Output = ()>) {
    tokio::pin!(shutdown);
    if !app.settings.reminders {
        return;
    }
    loop {
        match ordo_app::reminders::send_due(&app).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(event = "reminders.sent", count = n, "action digests queued"),
            Err(e) => tracing::error!(event = "reminders.failed", error = %e, "sending the action digests failed"),
        }
        tokio::select! {
            _ = &mut shutdown => break,
            _ = tokio::time::sleep(Duration::from_secs(600)) => {}
        }
    }
}

/// `ordo serve`.
pub async fn serve(config: Config) -> Result<(), StartError> {
    if config.mode == ordo_app::Mode::Development && config.listen.ip().is_unspecified() {
        tracing::warn!(
            "listening on all interfaces in development mode; set ORDO_PUBLIC_URL to the address users reach"
        );
    }
    let app = open(&config, Arc::new(SystemClock)).await?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| StartError::Bind { addr: config.listen.to_string(), reason: e.to_string() })?;
    let addr = listener.local_addr()?;
    tracing::info!(%addr, public_url = %config.public_url, mode = ?config.mode, engine = app.engine(), "Ordo listening");
    eprintln!("Ordo listening on http://{addr} (public address {})", config.public_url);
    let (metrics_stop, metrics_stopped) = tokio::sync::watch::channel(false);
    if let Some(maddr) = config.metrics_listen {
        // Metrics are for the operator: a failure to bind is reported, and
        // users are served anyway.
        match tokio::net::TcpListener::bind(maddr).await {
            Ok(l) => {
                let at = l.local_addr()?;
                tracing::info!(%at, "metrics listening (GET /metrics)");
                let mut rx = metrics_stopped;
                let stopped = async move {
                    let _ = rx.wait_for(|v| *v).await;
                };
                tokio::spawn(ordo_web::serve_metrics(l, app.clone(), stopped));
            }
            Err(e) => {
                tracing::error!(addr = %maddr, error = %e, "the metrics listener cannot bind; serving without it")
            }
        }
    }
    let options = WebOptions { trusted_proxies: config.trusted_proxies.clone(), ..WebOptions::default() };
    launch_with_listener(listener, app.clone(), options, shutdown_signal()).await?;
    let _ = metrics_stop.send(true);
    app.close().await;
    tracing::info!("Ordo stopped");
    Ok(())
}

/// Resolves on SIGTERM or Ctrl-C (SIGINT).
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutdown requested; finishing requests in flight");
}
