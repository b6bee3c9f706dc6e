//! `ordo staff`: The platform's staff accounts.

use super::*;

#[derive(Subcommand, Debug)]
pub(super) enum StaffCommand {
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

pub(super) async fn run(cmd: StaffCommand, config: Config) -> Result<ExitCode, StartError> {
    match cmd {
        StaffCommand::Create { email, name, role } => {
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
        StaffCommand::List => {
            let app = server::open(&config, Arc::new(SystemClock)).await?;
            println!("{:<32} {:<18} {:<9} {:<4} name", "email", "role", "status", "mfa");
            for s in ordo_app::platform::staff_directory(&app).await? {
                let mfa = if s.enrolled { "yes" } else { "no" };
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
    }
}
