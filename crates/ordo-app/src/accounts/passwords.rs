//! Passwords: activating an invited account, forgetting and resetting,
//! changing one's own. Links are single-use: the token is consumed inside
//! the change that uses it.

use super::{User, json, open_user, tenant_link};
use crate::i18n::Tr;
use crate::keys::Field;
use crate::write::{UseCase, change};
use crate::{App, AppError};
use ordo_core::audit::AuditKind;
use ordo_core::ids::{SessionId, UserId};
use ordo_core::password::NewPassword;
use ordo_core::user::{DisplayName, Email, Locale, UserStatus};
use ordo_crypto::{random, sha256_hex};
use ordo_store::{AuditDraft, Tenant, TokenPurpose};

/// The pending user a valid activation or reset link belongs to.
#[tracing::instrument(skip_all)]
pub async fn token_user(app: &App, tenant: &Tenant, purpose: TokenPurpose, token: &str) -> Result<User, AppError> {
    let user_id = app
        .store
        .peek_token(tenant.id, purpose, &sha256_hex(token.as_bytes()), app.now())
        .await?
        .ok_or(AppError::BadToken)?;
    let row = app.store.user_by_id(tenant.id, user_id).await?.ok_or(AppError::BadToken)?;
    open_user(&app.keys.for_tenant(&app.store, tenant).await?, row)
}

/// The pending account an activation link opens.
#[tracing::instrument(skip_all)]
pub async fn activation_user(app: &App, tenant: &Tenant, token: &str) -> Result<User, AppError> {
    token_user(app, tenant, TokenPurpose::Activation, token).await
}

/// The account a password-reset link opens.
#[tracing::instrument(skip_all)]
pub async fn reset_user(app: &App, tenant: &Tenant, token: &str) -> Result<User, AppError> {
    token_user(app, tenant, TokenPurpose::Reset, token).await
}

/// Check a new password against the policy, with the words of this context.
fn new_password(tenant: &Tenant, email: &str, password: &str) -> Result<NewPassword, AppError> {
    let local = email.split('@').next().unwrap_or("");
    Ok(NewPassword::parse_in_context(password, &[&tenant.name, tenant.slug.as_str(), local])?)
}

/// Activate an invited account from its link: set the password (and name).
#[tracing::instrument(skip_all)]
pub async fn activate(
    app: &App,
    tenant: &Tenant,
    token: &str,
    password: &str,
    display_name: &str,
    ip: &str,
) -> Result<UserId, AppError> {
    let user = token_user(app, tenant, TokenPurpose::Activation, token).await?;
    let name = DisplayName::parse(display_name)?;
    let password = new_password(tenant, &user.email, password)?;
    let keys = app.keys.for_tenant(&app.store, tenant).await?;
    let sealed_name = keys.seal(Field::UserDisplayName, &user.id.to_string(), name.as_str())?;
    let hash = app.blocking(move |h| h.hash(password.expose())).await??;
    let token_hash = sha256_hex(token.as_bytes());
    change!(app, tenant.id, Some(user.id), UseCase::AccountActivate, |c| {
        let purpose = TokenPurpose::Activation;
        let user_id = c.tx.consume_token(tenant.id, purpose, &token_hash, c.now).await?.ok_or(AppError::BadToken)?;
        let row = c.tx.user_by_id(tenant.id, user_id).await?.ok_or(AppError::BadToken)?;
        if row.status != UserStatus::Pending || user_id != user.id {
            return Err(AppError::BadToken);
        }
        c.tx.set_password(tenant.id, user_id, &hash, c.now).await?;
        c.tx.set_profile(tenant.id, user_id, &sealed_name, row.locale, row.time_zone.as_deref(), c.now).await?;
        // Other invitations' links have done their job.
        c.tx.forget_tokens(tenant.id, user_id, purpose).await?;
        c.audit(AuditDraft::new(AuditKind::AccountActivated).subject(user_id).ip(ip)).await?;
        Ok(user_id)
    })
}

/// Ask for a password-reset link. The answer never tells whether the account
/// exists; a link is only sent to active accounts.
#[tracing::instrument(skip_all)]
pub async fn forgot_password(
    app: &App,
    tenant: &Tenant,
    email: &str,
    ip: &str,
    locale: Locale,
) -> Result<(), AppError> {
    let Ok(email) = Email::parse(email) else {
        return Ok(());
    };
    let now = app.now();
    if !app.limiter.allow_mail(&format!("reset/{}/{}", tenant.id, email.normalized()), now)
        || !app.limiter.allow_mail(&format!("reset-ip/{ip}"), now)
    {
        tracing::warn!(tenant = %tenant.slug, ip, "password reset requests throttled");
        return Ok(());
    }
    let keys = app.keys.for_tenant(&app.store, tenant).await?;
    let Some(row) = app.store.user_by_email_index(tenant.id, &keys.email_index(&email.normalized())).await? else {
        return Ok(());
    };
    if row.status != UserStatus::Active {
        return Ok(());
    }
    let user = open_user(&keys, row)?;
    let token = random::token(32)?;
    let link = tenant_link(app, &tenant.slug, &format!("reset/{token}"));
    let ttl = app.settings.reset_ttl_secs;
    let tr = Tr::new(user.locale.unwrap_or(locale));
    let mail = crate::mail::seal(&keys, crate::mail::reset(&tr, &user.email, &tenant.name, &link, ttl / 60))?;
    change!(app, tenant.id, None, UseCase::PasswordForgot, |c| {
        let (hash, until) = (sha256_hex(token.as_bytes()), c.now.plus_secs(ttl));
        c.tx.insert_token(tenant.id, user.id, TokenPurpose::Reset, &hash, c.now, until).await?;
        c.tx.enqueue_mail(Some(tenant.id), &mail, c.now).await?;
        c.mail_queued();
        c.audit(AuditDraft::new(AuditKind::PasswordResetRequested).subject(user.id).ip(ip)).await?;
        Ok(())
    })
}

/// Set a new password from a reset link. All the user's sessions end: whoever
/// may have had the old password is out.
#[tracing::instrument(skip_all)]
pub async fn reset_password(app: &App, tenant: &Tenant, token: &str, password: &str, ip: &str) -> Result<(), AppError> {
    let user = token_user(app, tenant, TokenPurpose::Reset, token).await?;
    let password = new_password(tenant, &user.email, password)?;
    let hash = app.blocking(move |h| h.hash(password.expose())).await??;
    let token_hash = sha256_hex(token.as_bytes());
    change!(app, tenant.id, Some(user.id), UseCase::PasswordReset, |c| {
        let purpose = TokenPurpose::Reset;
        let user_id = c.tx.consume_token(tenant.id, purpose, &token_hash, c.now).await?.ok_or(AppError::BadToken)?;
        let row = c.tx.user_by_id(tenant.id, user_id).await?.ok_or(AppError::BadToken)?;
        if row.status != UserStatus::Active || user_id != user.id {
            return Err(AppError::BadToken);
        }
        c.tx.set_password(tenant.id, user_id, &hash, c.now).await?;
        let ended = c.tx.delete_user_sessions(tenant.id, user_id, None).await?;
        let detail = json(&[("sessions_ended", &ended.to_string())]);
        c.audit(AuditDraft::new(AuditKind::PasswordReset).subject(user_id).ip(ip).detail(detail)).await?;
        Ok(())
    })
}

/// A request to change one's password.
pub struct PasswordChange<'a> {
    pub current: &'a str,
    pub new: &'a str,
    /// End every other session of the user (the current one stays).
    pub end_other_sessions: bool,
}

/// Change one's password; the current one is required.
#[tracing::instrument(skip_all)]
pub async fn change_password(
    app: &App,
    tenant: &Tenant,
    user: &User,
    current_session: SessionId,
    change: PasswordChange<'_>,
    ip: &str,
) -> Result<u64, AppError> {
    let (current, new, end_other_sessions) = (change.current, change.new, change.end_other_sessions);
    let phc = user.password_hash.clone();
    let cur = current.to_owned();
    if !app.blocking(move |h| h.verify(&cur, phc.as_deref())).await? {
        return Err(AppError::Invalid(ordo_core::Invalid::new("current_password", "password.wrong_current")));
    }
    let password = new_password(tenant, &user.email, new)?;
    let hash = app.blocking(move |h| h.hash(password.expose())).await??;
    change!(app, tenant.id, Some(user.id), UseCase::PasswordChange, |c| {
        c.tx.set_password(tenant.id, user.id, &hash, c.now).await?;
        let ended = if end_other_sessions {
            c.tx.delete_user_sessions(tenant.id, user.id, Some(current_session)).await?
        } else {
            0
        };
        let detail = json(&[("sessions_ended", &ended.to_string())]);
        c.audit(AuditDraft::new(AuditKind::PasswordChanged).subject(user.id).ip(ip).detail(detail)).await?;
        Ok(ended)
    })
}
