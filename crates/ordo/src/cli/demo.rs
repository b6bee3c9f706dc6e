//! `ordo demo`: Sample and generated data for demonstrations and benchmarks.

use super::*;

#[derive(Subcommand, Debug)]
pub(super) enum DemoCommand {
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

pub(super) async fn run(cmd: DemoCommand, config: Config) -> Result<ExitCode, StartError> {
    match cmd {
        DemoCommand::Generate { tenant, size_mb } => {
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
        DemoCommand::Sample { tenant } => {
            let app = server::open(&config, Arc::new(SystemClock)).await?;
            let Some(slug) = parse_slug(&tenant) else { return Ok(ExitCode::from(2)) };
            let ids = ordo_app::demo::sample(&app, &slug).await?;
            println!("{slug}: {} sample meetings added", ids.len());
            Ok(ExitCode::SUCCESS)
        }
    }
}
