//! `ordo audit`: Check a tenant's tamper-evident audit log.

use super::*;
use ordo_app::audit::Verified;

#[derive(Subcommand, Debug)]
pub(super) enum AuditCommand {
    /// Recompute a tenant's audit chain; exits non-zero and names the first bad entry.
    Verify {
        /// The tenant's slug.
        #[arg(long)]
        tenant: String,
    },
}

pub(super) async fn run(cmd: AuditCommand, config: Config) -> Result<ExitCode, StartError> {
    match cmd {
        AuditCommand::Verify { tenant } => {
            let app = server::open(&config, Arc::new(SystemClock)).await?;
            let slug = match Slug::parse(&tenant) {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("ordo: {}", describe_invalid(&e));
                    return Ok(ExitCode::from(2));
                }
            };
            let Some(verified) = ordo_app::audit::verify(&app, &slug).await? else {
                eprintln!("ordo: no tenant {slug}");
                return Ok(ExitCode::from(2));
            };
            match verified {
                Verified::Intact { entries } => {
                    println!("audit log of {slug}: intact ({entries} entries)");
                    Ok(ExitCode::SUCCESS)
                }
                Verified::Broken { seq, reason } => {
                    println!("audit log of {slug}: BROKEN at entry {seq}: {reason}");
                    Ok(ExitCode::FAILURE)
                }
            }
        }
    }
}
