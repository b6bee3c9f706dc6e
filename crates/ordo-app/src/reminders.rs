//! Reminders (issue 7): once a day, each user who owns open actions due
//! within the next few days, or overdue, gets one e-mail listing them, in
//! their language, with a link to their dashboard — unless they opted out
//! (in their profile settings). Only actions of meetings they can see count.
//! The mail goes through the outbox, sealed like the tenant's other mail.

use crate::accounts::{User, open_user, tenant_link};
use crate::i18n::Tr;
use crate::write::{UseCase, change};
use crate::{App, AppError, retrying};
use ordo_core::audit::AuditKind;
use ordo_core::meeting::ActionStatus;
use ordo_core::user::UserStatus;
use ordo_store::AuditDraft;
use ordo_store::Tenant;

/// Actions due within this many days (and overdue ones) are listed.
pub const SOON_DAYS: i64 = 3;
/// Digests go from this hour of the UTC day on.
pub const HOUR_UTC: i64 = 7;

/// Whether a user receives the digest.
#[tracing::instrument(skip_all)]
pub async fn wanted(app: &App, tenant: &Tenant, user: &User) -> Result<bool, AppError> {
    let prefs = app.store.reminder_prefs(tenant.id).await?;
    Ok(!prefs.iter().any(|(u, p)| *u == user.id && p.opt_out))
}

/// A user turns the digest on or off for themself.
#[tracing::instrument(skip_all)]
pub async fn set_wanted(app: &App, tenant: &Tenant, user: &User, wanted: bool) -> Result<(), AppError> {
    change!(app, tenant.id, Some(user.id), UseCase::RemindersSet, |c| {
        c.tx.set_reminder_opt_out(tenant.id, user.id, !wanted).await?;
        let detail = serde_json::json!({ "reminders": if wanted { "on" } else { "off" } }).to_string();
        c.audit(AuditDraft::new(AuditKind::RemindersChanged).subject(user.id).detail(detail)).await?;
        Ok(())
    })
}

/// Send the digests due now, in every tenant; returns how many were queued.
/// Safe to run often and on several nodes: a user's digest is claimed for
/// the day in the same transaction that queues it.
#[tracing::instrument(skip_all)]
pub async fn send_due(app: &App) -> Result<usize, AppError> {
    let now = app.now();
    if (now.unix().rem_euclid(86_400)) / 3600 < HOUR_UTC {
        return Ok(0);
    }
    let today = now.date_utc();
    let horizon = now.plus_secs(SOON_DAYS * 86_400).date_utc();
    let mut sent = 0;
    for tenant in app.store.list_tenants().await? {
        let prefs = app.store.reminder_prefs(tenant.id).await?;
        let keys = app.keys.for_tenant(&app.store, &tenant).await?;
        for row in app.store.list_users(tenant.id).await? {
            let pref = prefs.iter().find(|(u, _)| *u == row.id).map(|(_, p)| p.clone()).unwrap_or_default();
            if pref.opt_out || pref.last_sent_on.as_deref() == Some(today.as_str()) || row.status != UserStatus::Active
            {
                continue;
            }
            let user = open_user(&keys, row)?;
            let mut due: Vec<(String, String)> = crate::meetings::my_actions(app, &tenant, &user)
                .await?
                .into_iter()
                .filter(|a| a.status == ActionStatus::Open)
                .filter_map(|a| a.due_date.filter(|d| d.as_str() <= horizon.as_str()).map(|d| (d, a.title)))
                .collect();
            if due.is_empty() {
                continue;
            }
            due.sort();
            let tr = Tr::new(user.locale.unwrap_or_default());
            let lines: Vec<String> = due
                .iter()
                .map(|(d, title)| {
                    let key = if d.as_str() < today.as_str() { "mail.reminder.overdue" } else { "mail.reminder.due" };
                    format!("- {title} ({})", tr.tf(key, &[("date", d)]))
                })
                .collect();
            let subject = tr.tf("mail.reminder.subject", &[("tenant", &tenant.name)]);
            let body = tr.tf(
                "mail.reminder.body",
                &[
                    ("name", &user.display_name),
                    ("actions", &lines.join("\n")),
                    ("link", &tenant_link(app, &tenant.slug, "")),
                    ("settings", &tenant_link(app, &tenant.slug, "settings/profile")),
                ],
            );
            let mail = crate::mail::seal(&keys, crate::mail::Outgoing::text(&user.email, subject, body))?;
            let queued = retrying!({
                let mut tx = app.store.begin().await?;
                if !tx.mark_digest_sent(tenant.id, user.id, &today).await? {
                    return Ok(false);
                }
                tx.enqueue_mail(Some(tenant.id), &mail, now).await?;
                tx.commit().await?;
                Ok(true)
            })?;
            if queued {
                sent += 1;
            }
        }
    }
    if sent > 0 {
        app.mail_wakeup.notify_one();
    }
    Ok(sent)
}
