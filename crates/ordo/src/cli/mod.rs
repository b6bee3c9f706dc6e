//! The command line. Every command takes the same `--config`, `--data-dir`
//! and `ORDO_*` environment as `serve`, and works while a server runs on the
//! same data (SQLite in WAL mode, or PostgreSQL).

use crate::config::{Config, LogFormat, Overrides};
use crate::server::{self, StartError};
use clap::{Args, Parser, Subcommand};
use ordo_core::tenant::{Plan, Slug};
use ordo_core::time::SystemClock;
use ordo_core::user::Locale;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

mod alert;
mod audit;
mod backup;
mod demo;
mod keys;
mod staff;
mod tenant;

use alert::AlertCommand;
use audit::AuditCommand;
use backup::BackupCommand;
use demo::DemoCommand;
use keys::KeysCommand;
use staff::StaffCommand;
use tenant::TenantCommand;

#[derive(Parser, Debug)]
#[command(
    name = "ordo",
    version,
    about = "Ordo — secure meetings: agendas, notes, decisions, actions and minutes.",
    long_about = "Ordo — secure meetings: agendas, notes, decisions, actions and minutes.\n\n\
Configuration comes from defaults, then the TOML file given by --config, then ORDO_* \
environment variables, then command-line flags. See the README for every setting."
)]
pub struct Cli {
    #[command(flatten)]
    global: GlobalArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Debug, Clone)]
struct GlobalArgs {
    /// Configuration file (TOML).
    #[arg(long, global = true, env = "ORDO_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
    /// Data directory: SQLite database, development master key, mail files.
    #[arg(long, global = true, env = "ORDO_DATA_DIR", value_name = "DIR")]
    data_dir: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the web server (migrations are applied at start).
    Serve {
        /// Address to listen on [default: 127.0.0.1:8080].
        #[arg(long, env = "ORDO_LISTEN", value_name = "ADDR")]
        listen: Option<String>,
        /// Address of the metrics listener (Prometheus text format), or
        /// `off` [default: 127.0.0.1:9464]. Never the public address.
        #[arg(long, env = "ORDO_METRICS_LISTEN", value_name = "ADDR")]
        metrics_listen: Option<String>,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Manage tenants (client organisations).
    #[command(subcommand)]
    Tenant(TenantCommand),
    /// Check the tamper-evident audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Master key files.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Tenant backups: take one now, list, verify.
    #[command(subcommand)]
    Backup(BackupCommand),
    /// Demonstration and benchmark data.
    #[command(subcommand)]
    Demo(DemoCommand),
    /// Alerting: send a test alert; see tenants' status and incidents.
    #[command(subcommand)]
    Alert(AlertCommand),
    /// The operator's staff (the console at /ops/).
    #[command(subcommand)]
    Staff(StaffCommand),
    /// Restore a tenant from a backup, all or nothing: the whole archive is
    /// checked before anything is written.
    Restore {
        /// The tenant's slug (as in the backup).
        #[arg(long)]
        tenant: String,
        /// The snapshot to restore (see `ordo backup list`).
        #[arg(long)]
        snapshot: String,
        /// Replace the tenant if it exists (its current data is lost; its
        /// users sign in again).
        #[arg(long, conflicts_with = "into")]
        replace: bool,
        /// Restore as a new tenant with this slug, beside the original
        /// (new id and keys; the original is not touched).
        #[arg(long, value_name = "NEWSLUG")]
        into: Option<String>,
    },
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let (listen, metrics_listen) = match &cli.command {
        Command::Serve { listen, metrics_listen } => (listen.clone(), metrics_listen.clone()),
        _ => (None, None),
    };
    if let Command::Keys(KeysCommand::Generate { file }) = &cli.command {
        return keys_generate(file);
    }
    let overrides =
        Overrides { config: cli.global.config.clone(), data_dir: cli.global.data_dir.clone(), listen, metrics_listen };
    let config = match Config::load(&overrides) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("ordo: {e}");
            return ExitCode::from(2);
        }
    };
    init_logging(&config);
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("ordo: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = rt.block_on(run(cli.command, config));
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("ordo: {e}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging(config: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_new(&config.log)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // Logs go to standard error: standard output is for command results.
    // Colours only for a person at a terminal, never in a file or a journal.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(ansi);
    let _ = match config.log_format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

fn keys_generate(file: &std::path::Path) -> ExitCode {
    if file.exists() {
        eprintln!("ordo: {} already exists; not overwriting a key", file.display());
        return ExitCode::from(2);
    }
    match ordo_crypto::master_key::MasterKey::load_or_create(file) {
        Ok((k, _)) => {
            println!("master key written to {} (fingerprint {})", file.display(), k.fingerprint());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("ordo: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command, config: Config) -> Result<ExitCode, StartError> {
    match command {
        Command::Serve { .. } => {
            server::serve(config).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate => {
            server::open(&config, Arc::new(SystemClock)).await?;
            println!("database is up to date");
            Ok(ExitCode::SUCCESS)
        }
        Command::Tenant(cmd) => tenant::run(cmd, config).await,
        Command::Audit(cmd) => audit::run(cmd, config).await,
        Command::Keys(cmd) => keys::run(cmd, config).await,
        Command::Backup(cmd) => backup::run(cmd, &config).await,
        Command::Demo(cmd) => demo::run(cmd, config).await,
        Command::Staff(cmd) => staff::run(cmd, config).await,
        Command::Alert(cmd) => alert::run(cmd, config).await,
        Command::Restore { tenant, snapshot, replace, into } => {
            backup::restore(tenant, snapshot, replace, into, config).await
        }
    }
}

async fn tenant_slug(app: &ordo_app::App, tenant: &str) -> Result<Option<Slug>, StartError> {
    let slug = match Slug::parse(tenant) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("ordo: {}", describe_invalid(&e));
            return Ok(None);
        }
    };
    if ordo_app::platform::tenant_by_slug(app, &slug).await?.is_none() {
        eprintln!("ordo: no tenant {slug}");
        return Ok(None);
    }
    Ok(Some(slug))
}

/// Run the re-sealing of a tenant to the end, showing progress.
async fn reseal_to_completion(app: &ordo_app::App, slug: &Slug) -> Result<ExitCode, StartError> {
    loop {
        let done = ordo_app::keyops::reseal(app, slug, 500, Some(1)).await?;
        let t = ordo_app::platform::tenant_by_slug(app, slug)
            .await?
            .ok_or(StartError::App(ordo_app::AppError::NotFound))?;
        let st = ordo_app::keyops::reseal_status(app, &t).await?;
        println!("re-sealed {} of {} stored values", st.done, st.done + st.remaining);
        if done {
            println!("done");
            return Ok(ExitCode::SUCCESS);
        }
        if ordo_app::keyops::only_mail_left(app, &t).await? {
            // Only queued messages under the previous key remain.
            println!("the rest are queued e-mails; the server finishes once they are sent");
            return Ok(ExitCode::SUCCESS);
        }
    }
}

fn confirm(question: &str, expected: &str) -> bool {
    use std::io::{BufRead, Write};
    eprint!("{question}");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).is_ok() && line.trim() == expected
}

fn usage(e: &ordo_core::Invalid) -> StartError {
    StartError::App(ordo_app::AppError::Invalid(*e))
}

/// The English message for a refused value, for the command line.
fn describe_invalid(i: &ordo_core::Invalid) -> String {
    let tr = ordo_app::i18n::Tr::new(Locale::En);
    format!("{}: {}", i.field, tr.t(&format!("error.{}", i.code)))
}

fn parse_slug(s: &str) -> Option<Slug> {
    match Slug::parse(s) {
        Ok(slug) => Some(slug),
        Err(e) => {
            eprintln!("ordo: {}", describe_invalid(&e));
            None
        }
    }
}
