//! `ordo tenant`: Manage tenants: create, list, switch encryption, delete.

use super::*;

#[derive(Subcommand, Debug)]
pub(super) enum TenantCommand {
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

pub(super) async fn run(cmd: TenantCommand, config: Config) -> Result<ExitCode, StartError> {
    match cmd {
        TenantCommand::Create { slug, name, owner_email, plan, locale, encryption } => {
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
        TenantCommand::List => {
            let app = server::open(&config, Arc::new(SystemClock)).await?;
            let tenants = ordo_app::platform::list_tenants(&app).await?;
            println!("{:<24} {:<12} {:<22} NAME", "SLUG", "PLAN", "CREATED");
            for t in tenants {
                println!("{:<24} {:<12} {:<22} {}", t.slug, t.plan, t.created_at.human_utc(), t.name);
            }
            Ok(ExitCode::SUCCESS)
        }
        TenantCommand::Encryption { tenant, set, background } => {
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
        TenantCommand::Delete { slug, yes } => {
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
    }
}
