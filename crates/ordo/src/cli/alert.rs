//! `ordo alert`: Alerting: a test notice, the tenants' status and open incidents.

use super::*;

#[derive(Subcommand, Debug)]
pub(super) enum AlertCommand {
    /// Send a test alert to every configured webhook now (and queue it for
    /// the on-call e-mail addresses); exits non-zero if a webhook refused it.
    Test,
    /// Every tenant's status, the open incidents and the latest deliveries;
    /// exits non-zero while an incident is open.
    Status,
}

pub(super) async fn run(cmd: AlertCommand, config: Config) -> Result<ExitCode, StartError> {
    match cmd {
        AlertCommand::Test => {
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
        AlertCommand::Status => {
            let app = server::open(&config, Arc::new(SystemClock)).await?;
            println!("{:<24} {:<10} {:<8} {:<26} detail", "tenant", "plan", "status", "since");
            for t in ordo_app::platform::tenant_statuses(&app).await? {
                println!(
                    "{:<24} {:<10} {:<8} {:<26} {}",
                    t.slug,
                    t.plan,
                    t.status.as_deref().unwrap_or("unknown"),
                    t.since.map(|s| s.rfc3339()).unwrap_or_default(),
                    t.detail
                );
            }
            let open = ordo_app::platform::open_incidents(&app).await?;
            println!("\nopen incidents: {}", open.len());
            for i in &open {
                println!("  {} {} {} since {}: {}", i.severity, i.rule, i.subject, i.opened_at.rfc3339(), i.summary);
            }
            let deliveries = ordo_app::platform::recent_deliveries(&app, 10).await?;
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
    }
}
