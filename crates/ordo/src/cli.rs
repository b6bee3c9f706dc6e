//! The command line. Every command takes the same `--config`, `--data-dir`
//! and `ORDO_*` environment as `serve`, and works while a server runs on the
//! same data (SQLite in WAL mode, or PostgreSQL).

use crate::config::{Config, LogFormat, Overrides};
use crate::server::{self, StartError};
use clap::{Args, Parser, Subcommand};
use ordo_core::tenant::{Plan, Slug};
use ordo_core::time::SystemClock;
use ordo_core::user::Locale;
use ordo_store::ChainCheck;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

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

#[derive(Subcommand, Debug)]
enum StaffCommand {
    /// Create a staff account and print its single-use activation link
    /// (also e-mailed). The first operator admin is made this way.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// operator_admin, support_agent, csm or security_officer.
        #[arg(long)]
        role: String,
    },
    /// Every staff account, with role, status and second factor.
    List,
}

#[derive(Subcommand, Debug)]
enum AlertCommand {
    /// Send a test alert to every configured webhook now (and queue it for
    /// the on-call e-mail addresses); exits non-zero if a webhook refused it.
    Test,
    /// Every tenant's status, the open incidents and the latest deliveries;
    /// exits non-zero while an incident is open.
    Status,
}

#[derive(Subcommand, Debug)]
enum DemoCommand {
    /// Fill a tenant with realistic meetings (sealed like real data) up to
    /// about SIZE megabytes: for trying Ordo out and measuring backups.
    Generate {
        /// The tenant's slug.
        #[arg(long)]
        tenant: String,
        /// Approximate size of the data to add, in megabytes.
        #[arg(long, value_parser = clap::value_parser!(u64).range(1..=200_000))]
        size_mb: u64,
    },
    /// Add two sample meetings (last week's and next week's) organised by
    /// the tenant's owner: a first look at Ordo.
    Sample {
        /// The tenant's slug.
        #[arg(long)]
        tenant: String,
    },
}

#[derive(Subcommand, Debug)]
enum BackupCommand {
    /// Back up a tenant now (encrypted, to the configured target).
    Run {
        /// The tenant's slug.
        #[arg(long)]
        tenant: String,
    },
    /// List a tenant's snapshots, oldest first.
    List {
        /// The tenant's slug.
        #[arg(long)]
        tenant: String,
    },
    /// Read a whole snapshot and check every chunk, table and checksum.
    Verify {
        /// The tenant's slug.
        #[arg(long)]
        tenant: String,
        /// The snapshot (default: the newest).
        #[arg(long)]
        snapshot: Option<String>,
    },
    /// Restore the newest snapshot into a scratch database and compare it
    /// with the archive (what `ordo serve` does daily); records the result.
    Drill {
        /// The tenant's slug.
        #[arg(long)]
        tenant: String,
    },
    /// The platform's own backup: platform tables, the configuration file,
    /// and on SQLite the whole database (on PostgreSQL, see pg_dump/PITR in
    /// docs/operations.md). Without a subcommand: take one now.
    #[command(args_conflicts_with_subcommands = true)]
    Platform {
        #[command(subcommand)]
        action: Option<PlatformAction>,
    },
    /// Every tenant's backups at a glance (for the operator): the last good
    /// backup, the last drill, what failed, what is next.
    Status,
    /// How often a tenant is backed up (default every 12 hours).
    Schedule {
        /// The tenant's slug.
        #[arg(long)]
        tenant: String,
        /// Hours between backups (1 to 168).
        #[arg(long, value_parser = clap::value_parser!(i64).range(1..=168))]
        every_hours: i64,
    },
}

#[derive(Subcommand, Debug)]
enum PlatformAction {
    /// List the platform snapshots, oldest first.
    List,
    /// Check a platform snapshot whole, then write what it holds into a new
    /// private directory: the platform tables as NDJSON, the configuration
    /// file, and on SQLite `ordo.db`, the database to put back.
    Extract {
        /// The snapshot (default: the newest).
        #[arg(long)]
        snapshot: Option<String>,
        /// A directory that does not exist yet.
        #[arg(long)]
        out: std::path::PathBuf,
    },
}

#[derive(Subcommand, Debug)]
enum TenantCommand {
    /// Create a tenant and its owner; prints the owner's single-use activation
    /// URL as the last line (it is also e-mailed).
    Create {
        /// Short name used in the address /t/SLUG/ (3-40 lowercase letters, digits, hyphens).
        #[arg(long)]
        slug: String,
        /// Display name of the organisation.
        #[arg(long)]
        name: String,
        /// E-mail address of the owner.
        #[arg(long, value_name = "EMAIL")]
        owner_email: String,
        /// Commercial plan.
        #[arg(long, default_value = "free", value_parser = ["free", "pro", "enterprise"])]
        plan: String,
        /// Language of the owner's invitation and account.
        #[arg(long, default_value = "en", value_parser = ["en", "fr"])]
        locale: String,
        /// Encrypt the tenant's contact details and meeting data at rest.
        #[arg(long, default_value = "on", value_parser = ["on", "off"])]
        encryption: String,
    },
    /// List tenants.
    List,
    /// Switch encryption at rest on or off for a tenant, and re-seal its
    /// stored values (resumable: run it again after an interruption).
    Encryption {
        /// The tenant's slug.
        #[arg(long)]
        tenant: String,
        /// on or off.
        #[arg(long, value_parser = ["on", "off"])]
        set: String,
        /// Only switch; let a running server re-seal in the background.
        #[arg(long)]
        background: bool,
    },
    /// Delete a tenant: destroy its keys (its data becomes unreadable
    /// everywhere, backups included), then its rows. Cannot be undone.
    Delete {
        /// The tenant's slug.
        slug: String,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Subcommand, Debug)]
enum AuditCommand {
    /// Recompute a tenant's audit chain; exits non-zero and names the first bad entry.
    Verify {
        /// The tenant's slug.
        #[arg(long)]
        tenant: String,
    },
}

#[derive(Subcommand, Debug)]
enum KeysCommand {
    /// Create a new master key file (mode 0600); refuses to overwrite one.
    Generate {
        /// Where to write the key.
        file: PathBuf,
    },
    /// Rotate a tenant's data key: new values use a new key at once; stored
    /// values are re-encrypted (resumable); the old key goes when unused.
    Rotate {
        /// The tenant's slug.
        #[arg(long)]
        tenant: String,
        /// Only rotate; let a running server re-encrypt in the background.
        #[arg(long)]
        background: bool,
    },
    /// Re-wrap every tenant's key-encryption key under a new master key (no
    /// data is rewritten; resumable). Afterwards, set ORDO_MASTER_KEY_FILE to
    /// the new file.
    RotateMaster {
        /// The new master key file (create it with `ordo keys generate`).
        #[arg(long, value_name = "FILE")]
        new_key_file: PathBuf,
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
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
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
        Command::Tenant(TenantCommand::Create { slug, name, owner_email, plan, locale, encryption }) => {
            // Refuse bad input before touching the data directory.
            let checks = [
                Slug::parse(&slug).err(),
                ordo_core::tenant::TenantName::parse(&name).err(),
                ordo_core::user::Email::parse(&owner_email).err(),
            ];
            if let Some(e) = checks.into_iter().flatten().next() {
                eprintln!("ordo: {}", describe_invalid(&e));
                return Ok(ExitCode::from(2));
            }
            let app = server::open(&config, Arc::new(SystemClock)).await?;
            let plan: Plan = plan.parse().map_err(|e: ordo_core::Invalid| usage(&e))?;
            let locale: Locale = locale.parse().map_err(|e: ordo_core::Invalid| usage(&e))?;
            let encrypt = encryption == "on";
            match ordo_app::accounts::create_tenant(&app, &slug, &name, &owner_email, plan, locale, encrypt).await {
                Ok(created) => {
                    println!(
                        "Tenant {} ({}) created, plan {}, encryption at rest {}.",
                        created.tenant.slug, created.tenant.name, plan, encryption
                    );
                    println!(
                        "The owner {} can activate the account (single use, expires in {} h) at:",
                        owner_email.trim(),
                        config.activation_ttl_hours
                    );
                    println!("{}", created.activation_url);
                    Ok(ExitCode::SUCCESS)
                }
                Err(ordo_app::AppError::Invalid(i)) => {
                    eprintln!("ordo: {}", describe_invalid(&i));
                    Ok(ExitCode::from(2))
                }
                Err(ordo_app::AppError::Conflict(ordo_app::Conflict::SlugTaken)) => {
                    eprintln!("ordo: the slug {slug:?} is already taken");
                    Ok(ExitCode::from(2))
                }
                Err(e) => Err(e.into()),
            }
        }
        Command::Tenant(TenantCommand::List) => {
            let app = server::open(&config, Arc::new(SystemClock)).await?;
            let tenants = app.store.list_tenants().await?;
            println!("{:<24} {:<12} {:<22} NAME", "SLUG", "PLAN", "CREATED");
            for t in tenants {
                println!("{:<24} {:<12} {:<22} {}", t.slug, t.plan, t.created_at.human_utc(), t.name);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit(AuditCommand::Verify { tenant }) => {
            let app = server::open(&config, Arc::new(SystemClock)).await?;
            let slug = match Slug::parse(&tenant) {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("ordo: {}", describe_invalid(&e));
                    return Ok(ExitCode::from(2));
                }
            };
            let Some(t) = app.store.tenant_by_slug(&slug).await? else {
                eprintln!("ordo: no tenant {slug}");
                return Ok(ExitCode::from(2));
            };
            match app.store.verify_audit_chain(t.id).await? {
                ChainCheck::Intact { entries } => {
                    println!("audit log of {slug}: intact ({entries} entries)");
                    Ok(ExitCode::SUCCESS)
                }
                ChainCheck::Broken { seq, reason } => {
                    println!("audit log of {slug}: BROKEN at entry {seq}: {reason}");
                    Ok(ExitCode::FAILURE)
                }
            }
        }
        Command::Keys(KeysCommand::Generate { file }) => Ok(keys_generate(&file)),
        Command::Backup(cmd) => backup_command(cmd, &config).await,
        Command::Demo(DemoCommand::Generate { tenant, size_mb }) => {
            let app = server::open(&config, Arc::new(SystemClock)).await?;
            let Some(slug) = parse_slug(&tenant) else { return Ok(ExitCode::from(2)) };
            let started = std::time::Instant::now();
            let (meetings, bytes) = ordo_app::demo::generate(&app, &slug, size_mb * 1_000_000).await?;
            println!(
                "{slug}: {meetings} meetings added ({} MB) in {:.1} s",
                bytes / 1_000_000,
                started.elapsed().as_secs_f64()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Staff(StaffCommand::Create { email, name, role }) => {
            let role = match role.parse::<ordo_core::staff::PlatformRole>() {
                Ok(r) => r,
                Err(_) => {
                    eprintln!("ordo: unknown role {role:?} (operator_admin, support_agent, csm, security_officer)");
                    return Ok(ExitCode::from(2));
                }
            };
            let app = server::open(&config, Arc::new(SystemClock)).await?;
            match ordo_app::staff::invite(&app, None, &email, &name, role).await {
                Ok((_, link)) => {
                    println!("staff account created for {email} ({role}); activation link (single use):");
                    println!("{link}");
                    Ok(ExitCode::SUCCESS)
                }
                Err(ordo_app::AppError::Invalid(i)) => {
                    eprintln!("ordo: invalid {}", i.field);
                    Ok(ExitCode::from(2))
                }
                Err(ordo_app::AppError::Conflict(_)) => {
                    eprintln!("ordo: a staff account already exists for {email}");
                    Ok(ExitCode::from(2))
                }
                Err(e) => Err(e.into()),
            }
        }
        Command::Staff(StaffCommand::List) => {
            let app = server::open(&config, Arc::new(SystemClock)).await?;
            println!("{:<32} {:<18} {:<9} {:<4} name", "email", "role", "status", "mfa");
            for s in app.store.list_staff().await? {
                let mfa = if s.totp_secret.is_some() { "yes" } else { "no" };
                println!(
                    "{:<32} {:<18} {:<9} {:<4} {}",
                    s.email,
                    s.role.as_str(),
                    s.status.as_str(),
                    mfa,
                    s.display_name
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Alert(AlertCommand::Test) => {
            let app = server::open(&config, Arc::new(SystemClock)).await?;
            if app.settings.alerts.webhooks.is_empty() && app.settings.alerts.emails.is_empty() {
                eprintln!(
                    "ordo: no alert channel is configured (ORDO_ALERT_WEBHOOK_URL, [[alert_webhooks]], ORDO_ALERT_EMAILS)"
                );
                return Ok(ExitCode::from(2));
            }
            let mut failed = false;
            for (channel, result) in
                ordo_ops::notify::send_test(&app).await.map_err(|e| StartError::Ops(e.to_string()))?
            {
                match result {
                    Ok(0) => println!("{channel}: queued"),
                    Ok(status) => println!("{channel}: delivered ({status})"),
                    Err(e) => {
                        failed = true;
                        println!("{channel}: NOT DELIVERED: {e}");
                    }
                }
            }
            Ok(if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
        }
        Command::Alert(AlertCommand::Status) => {
            let app = server::open(&config, Arc::new(SystemClock)).await?;
            println!("{:<24} {:<10} {:<8} {:<26} detail", "tenant", "plan", "status", "since");
            for t in app.store.tenant_statuses().await? {
                println!(
                    "{:<24} {:<10} {:<8} {:<26} {}",
                    t.slug,
                    t.plan,
                    t.status.as_deref().unwrap_or("unknown"),
                    t.since.map(|s| s.rfc3339()).unwrap_or_default(),
                    t.detail
                );
            }
            let open = app.store.open_incidents().await?;
            println!("\nopen incidents: {}", open.len());
            for i in &open {
                println!("  {} {} {} since {}: {}", i.severity, i.rule, i.subject, i.opened_at.rfc3339(), i.summary);
            }
            let deliveries = app.store.recent_deliveries(10).await?;
            if !deliveries.is_empty() {
                println!("\nlatest deliveries:");
                for d in deliveries {
                    println!(
                        "  {} {} {} to {} ({} attempts){}",
                        d.created_at.rfc3339(),
                        d.event,
                        d.status,
                        d.channel,
                        d.attempts,
                        d.last_error.map(|e| format!(": {e}")).unwrap_or_default()
                    );
                }
            }
            Ok(if open.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
        }
        Command::Demo(DemoCommand::Sample { tenant }) => {
            let app = server::open(&config, Arc::new(SystemClock)).await?;
            let Some(slug) = parse_slug(&tenant) else { return Ok(ExitCode::from(2)) };
            let ids = ordo_app::demo::sample(&app, &slug).await?;
            println!("{slug}: {} sample meetings added", ids.len());
            Ok(ExitCode::SUCCESS)
        }
        Command::Restore { tenant, snapshot, replace, into } => {
            let app = server::open(&config, Arc::new(SystemClock)).await?;
            let Some(slug) = parse_slug(&tenant) else { return Ok(ExitCode::from(2)) };
            let into = match into.as_deref().map(parse_slug) {
                None => None,
                Some(Some(s)) => Some(s),
                Some(None) => return Ok(ExitCode::from(2)),
            };
            let result = match &into {
                None => ordo_app::backups::restore(&app, &slug, &snapshot, replace).await,
                Some(new) => ordo_app::backups::restore_into(&app, &slug, &snapshot, new).await.map(|(_, out)| out),
            };
            match result {
                Ok(out) => {
                    let rows: u64 = out.tables.iter().map(|t| t.rows).sum();
                    let name = into.as_ref().map_or(slug.to_string(), |new| format!("{new} (a copy of {slug})"));
                    println!(
                        "restored {name} from {snapshot}: {} tables, {rows} rows, in {:.1} s",
                        out.tables.len(),
                        out.seconds
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(ordo_app::AppError::Backup(e)) => {
                    eprintln!("ordo: restore refused, nothing was written: {e}");
                    Ok(ExitCode::FAILURE)
                }
                Err(e) => Err(e.into()),
            }
        }
        Command::Tenant(TenantCommand::Encryption { tenant, set, background }) => {
            let app = server::open(&config, Arc::new(SystemClock)).await?;
            let Some(slug) = tenant_slug(&app, &tenant).await? else { return Ok(ExitCode::from(2)) };
            let t = ordo_app::keyops::set_encryption(&app, &slug, set == "on", "operator").await?;
            println!("encryption at rest of {slug}: {set}");
            if background {
                println!("a running server re-seals the stored values in the background");
                return Ok(ExitCode::SUCCESS);
            }
            reseal_to_completion(&app, &t.slug).await
        }
        Command::Tenant(TenantCommand::Delete { slug, yes }) => {
            let app = server::open(&config, Arc::new(SystemClock)).await?;
            let Some(slug) = tenant_slug(&app, &slug).await? else { return Ok(ExitCode::from(2)) };
            if !yes
                && !confirm(
                    &format!(
                        "Delete tenant {slug} and destroy its keys? This cannot be undone. Type the slug to confirm: "
                    ),
                    slug.as_str(),
                )
            {
                eprintln!("ordo: not confirmed; nothing deleted");
                return Ok(ExitCode::from(2));
            }
            ordo_app::keyops::delete_tenant(&app, &slug).await?;
            println!("tenant {slug} deleted; its keys are destroyed");
            Ok(ExitCode::SUCCESS)
        }
        Command::Keys(KeysCommand::Rotate { tenant, background }) => {
            let app = server::open(&config, Arc::new(SystemClock)).await?;
            let Some(slug) = tenant_slug(&app, &tenant).await? else { return Ok(ExitCode::from(2)) };
            let v = ordo_app::keyops::rotate_tenant_key(&app, &slug).await?;
            println!("tenant {slug}: new data key version {v}");
            if background {
                println!("a running server re-encrypts the stored values in the background");
                return Ok(ExitCode::SUCCESS);
            }
            reseal_to_completion(&app, &slug).await
        }
        Command::Keys(KeysCommand::RotateMaster { new_key_file }) => {
            // The new key becomes current; the configured one (and any older
            // ones) stay readable until every tenant key is re-wrapped.
            let old = server::key_provider(&config)?;
            let new = ordo_crypto::master_key::MasterKey::load(&new_key_file).map_err(StartError::Key)?;
            let mut older =
                vec![ordo_crypto::master_key::MasterKey::load(&config.master_key_path()).map_err(StartError::Key)?];
            for p in &config.old_master_key_files {
                older.push(ordo_crypto::master_key::MasterKey::load(p).map_err(StartError::Key)?);
            }
            drop(old);
            let provider = ordo_crypto::keys::FileKeyProvider::new(new, older);
            let app = server::open_with(&config, Arc::new(SystemClock), provider).await?;
            let n = ordo_app::keyops::rotate_master(&app).await?;
            println!("{n} tenant key(s) re-wrapped under the new master key.");
            println!(
                "Now set ORDO_MASTER_KEY_FILE={} (keep the old key in ORDO_OLD_MASTER_KEY_FILES until every node runs with the new one).",
                new_key_file.display()
            );
            Ok(ExitCode::SUCCESS)
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
    if app.store.tenant_by_slug(&slug).await?.is_none() {
        eprintln!("ordo: no tenant {slug}");
        return Ok(None);
    }
    Ok(Some(slug))
}

/// Run the re-sealing of a tenant to the end, showing progress.
async fn reseal_to_completion(app: &ordo_app::App, slug: &Slug) -> Result<ExitCode, StartError> {
    loop {
        let done = ordo_app::keyops::reseal(app, slug, 500, Some(1)).await?;
        let t = app.store.tenant_by_slug(slug).await?.ok_or(StartError::App(ordo_app::AppError::NotFound))?;
        let st = ordo_app::keyops::reseal_status(app, &t).await?;
        println!("re-sealed {} of {} stored values", st.done, st.done + st.remaining);
        if done {
            println!("done");
            return Ok(ExitCode::SUCCESS);
        }
        if app.store.users_to_reseal(t.id, t.encryption.then_some(t.key_version), 1).await?.is_empty() {
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

async fn backup_command(cmd: BackupCommand, config: &Config) -> Result<ExitCode, StartError> {
    let app = server::open(config, Arc::new(SystemClock)).await?;
    match cmd {
        BackupCommand::Run { tenant } => {
            let Some(slug) = parse_slug(&tenant) else { return Ok(ExitCode::from(2)) };
            match ordo_app::backups::run(&app, &slug).await {
                Ok(out) => {
                    let rows: u64 = out.tables.iter().map(|t| t.rows).sum();
                    println!(
                        "backup of {slug}: snapshot {} ({} bytes, {rows} rows) in {:.1} s",
                        out.snapshot, out.bytes, out.seconds
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(ordo_app::AppError::NotFound) => {
                    eprintln!("ordo: no tenant {slug}");
                    Ok(ExitCode::from(2))
                }
                Err(e) => Err(e.into()),
            }
        }
        BackupCommand::List { tenant } => {
            let Some(slug) = parse_slug(&tenant) else { return Ok(ExitCode::from(2)) };
            let list = ordo_app::backups::list(&app, &slug).await?;
            println!("{:<28} {:>14}", "SNAPSHOT", "BYTES");
            for l in list {
                println!("{:<28} {:>14}", l.snapshot, l.size);
            }
            Ok(ExitCode::SUCCESS)
        }
        BackupCommand::Verify { tenant, snapshot } => {
            let Some(slug) = parse_slug(&tenant) else { return Ok(ExitCode::from(2)) };
            match ordo_app::backups::verify(&app, &slug, snapshot.as_deref()).await {
                Ok((header, tables)) => {
                    println!("snapshot {} of {slug}: intact", header.snapshot);
                    for t in tables {
                        println!("  {:<24} {:>10} rows  sha256 {}", t.table, t.rows, t.sha256);
                    }
                    Ok(ExitCode::SUCCESS)
                }
                Err(ordo_app::AppError::Backup(e)) => {
                    println!("snapshot of {slug}: BAD: {e}");
                    Ok(ExitCode::FAILURE)
                }
                Err(e) => Err(e.into()),
            }
        }
        BackupCommand::Drill { tenant } => {
            let Some(slug) = parse_slug(&tenant) else { return Ok(ExitCode::from(2)) };
            match ordo_app::backups::drill(&app, &slug).await {
                Ok(out) => {
                    println!(
                        "restore drill of {slug}: snapshot {} restored and checked ({} tables, {} rows) in {:.1} s",
                        out.snapshot, out.tables, out.rows, out.seconds
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(ordo_app::AppError::Backup(e)) => {
                    println!("restore drill of {slug}: FAILED: {e}");
                    Ok(ExitCode::FAILURE)
                }
                Err(e) => Err(e.into()),
            }
        }
        BackupCommand::Platform { action: None } => {
            let out = ordo_app::backups::platform(&app).await?;
            println!("platform backup: snapshot {} ({} bytes) in {:.1} s", out.snapshot, out.bytes, out.seconds);
            Ok(ExitCode::SUCCESS)
        }
        BackupCommand::Platform { action: Some(PlatformAction::List) } => {
            println!("{:<28} {:>14}", "SNAPSHOT", "BYTES");
            for l in ordo_app::backups::platform_list(&app).await? {
                println!("{:<28} {:>14}", l.snapshot, l.size);
            }
            Ok(ExitCode::SUCCESS)
        }
        BackupCommand::Platform { action: Some(PlatformAction::Extract { snapshot, out }) } => {
            if out.exists() {
                eprintln!("ordo: {} exists: give a new directory", out.display());
                return Ok(ExitCode::from(2));
            }
            match ordo_app::backups::platform_extract(&app, snapshot.as_deref(), &out).await {
                Ok(x) => {
                    println!("platform snapshot {} checked; written:", x.header.snapshot);
                    for f in x.files {
                        println!("  {}", f.display());
                    }
                    Ok(ExitCode::SUCCESS)
                }
                Err(ordo_app::AppError::Backup(e)) => {
                    eprintln!("ordo: platform snapshot refused: {e}");
                    Ok(ExitCode::FAILURE)
                }
                Err(e) => Err(e.into()),
            }
        }
        BackupCommand::Status => {
            use ordo_store::Job;
            let when = |r: Option<&ordo_store::BackupRun>| r.map_or("never".to_owned(), |r| r.finished_at.rfc3339());
            println!(
                "{:<24} {:>5} {:<22} {:<22} {:<7} {:<22}",
                "TENANT", "EVERY", "LAST GOOD BACKUP", "LAST DRILL", "STATE", "NEXT BACKUP"
            );
            let mut failing = 0;
            for (t, st) in ordo_app::backups::overview(&app).await? {
                let failed = [Job::Backup, Job::Drill].iter().any(|j| st.last(*j).is_some_and(|r| !r.ok));
                failing += usize::from(failed);
                println!(
                    "{:<24} {:>4}h {:<22} {:<22} {:<7} {:<22}",
                    t.slug.as_str(),
                    st.every_hours,
                    when(st.last_good(Job::Backup)),
                    when(st.last(Job::Drill)),
                    if failed { "FAILING" } else { "ok" },
                    st.next_backup.rfc3339()
                );
            }
            // Scripts and monitors can act on the exit code.
            Ok(if failing == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE })
        }
        BackupCommand::Schedule { tenant, every_hours } => {
            let Some(slug) = parse_slug(&tenant) else { return Ok(ExitCode::from(2)) };
            let Some(t) = app.store.tenant_by_slug(&slug).await? else {
                eprintln!("ordo: no tenant {slug}");
                return Ok(ExitCode::from(2));
            };
            let mut tx = app.store.begin().await?;
            tx.set_backup_every(t.id, every_hours).await?;
            tx.commit().await?;
            println!("{slug} is backed up every {every_hours} h");
            Ok(ExitCode::SUCCESS)
        }
    }
}
