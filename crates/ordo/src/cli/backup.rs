//! `ordo backup` and `ordo restore`: backups of each tenant and of the
//! platform, their drills and schedule, and restoring one.

use super::*;

#[derive(Subcommand, Debug)]
pub(super) enum BackupCommand {
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
pub(super) enum PlatformAction {
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

pub(super) async fn run(cmd: BackupCommand, config: &Config) -> Result<ExitCode, StartError> {
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
            use ordo_app::backups::Job;
            let when =
                |r: Option<&ordo_app::backups::BackupRun>| r.map_or("never".to_owned(), |r| r.finished_at.rfc3339());
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
            match ordo_app::backups::set_schedule(&app, &slug, every_hours).await {
                Ok(()) => {}
                Err(ordo_app::AppError::NotFound) => {
                    eprintln!("ordo: no tenant {slug}");
                    return Ok(ExitCode::from(2));
                }
                Err(ordo_app::AppError::Invalid(i)) => {
                    eprintln!("ordo: {}", describe_invalid(&i));
                    return Ok(ExitCode::from(2));
                }
                Err(e) => return Err(e.into()),
            }
            println!("{slug} is backed up every {every_hours} h");
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `ordo restore`: a tenant from one of its snapshots, in place or as a copy.
pub(super) async fn restore(
    tenant: String,
    snapshot: String,
    replace: bool,
    into: Option<String>,
    config: Config,
) -> Result<ExitCode, StartError> {
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
