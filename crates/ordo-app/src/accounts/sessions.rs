//! Signing in and out, and the sessions a user has open.

use super::{User, json, open_user};
use crate::write::{UseCase, change};
use crate::{App, AppError};
use ordo_core::audit::AuditKind;
use ordo_core::ids::SessionId;
use ordo_core::user::{Email, UserStatus};
use ordo_crypto::{random, sha256_hex};
use ordo_store::{AuditDraft, NewSession, Session, Tenant};

/// A new session: the secret goes in the cookie, only its hash is stored.
pub struct LoggedIn {
    pub secret: String,
    pub session: Session,
    pub user: User,
}

/// Record a refused sign-in (its own audit entry, nothing else written).
async fn refused(app: &App, tenant: &Tenant, use_case: UseCase, draft: AuditDraft) -> Result<(), AppError> {
    change!(app, tenant.id, None, use_case, |c| {
        c.audit(draft.clone()).await?;
        Ok(())
    })
}

/// Where a sign-in comes from.
pub struct Signing<'a> {
    pub ip: &'a str,
    pub user_agent: &'a str,
    /// The session cookie this browser already had (replaced).
    pub previous_secret: Option<&'a str>,
    /// The time zone the browser reports: kept for a user who has none
    /// yet, ignored if it is not a known zone.
    pub browser_zone: Option<&'a str>,
}

impl<'a> Signing<'a> {
    pub fn new(ip: &'a str, user_agent: &'a str) -> Self {
        Signing { ip, user_agent, previous_secret: None, browser_zone: None }
    }
}

/// Log in with e-mail and password. Unknown accounts, wrong passwords and
/// disabled or pending accounts get the same error after the same work.
#[tracing::instrument(skip_all)]
pub async fn login(
    app: &App,
    tenant: &Tenant,
    email: &str,
    password: &str,
    from: Signing<'_>,
) -> Result<LoggedIn, AppError> {
    let Signing { ip, user_agent, previous_secret, browser_zone } = from;
    let account_key = format!("{}/{}", tenant.id, email.trim().to_lowercase());
    if let Some(wait) = app.limiter.check(&account_key, ip, app.now()) {
        tracing::warn!(tenant = %tenant.slug, ip, "login throttled");
        // Recorded once per client and window, so a flood cannot flood the log.
        if app.limiter.first_in_window(&format!("throttled/{account_key}/{ip}"), app.now()) {
            let draft = AuditDraft::new(AuditKind::LoginThrottled)
                .ip(ip)
                .detail(json(&[("retry_after_secs", &wait.to_string())]));
            refused(app, tenant, UseCase::LoginThrottle, draft).await?;
        }
        return Err(AppError::Throttled { retry_after_secs: wait });
    }
    let keys = app.keys.for_tenant(&app.store, tenant).await?;
    let user = match Email::parse(email) {
        Ok(e) => app.store.user_by_email_index(tenant.id, &keys.email_index(&e.normalized())).await?,
        Err(_) => None,
    };
    let phc = user.as_ref().filter(|u| u.status == UserStatus::Active).and_then(|u| u.password_hash.clone());
    let pw = password.to_owned();
    let ok = app.blocking(move |h| h.verify(&pw, phc.as_deref())).await?;
    let now = app.now();
    let mut user = match user {
        Some(u) if ok => u,
        user => {
            app.limiter.record_failure(&account_key, ip, now);
            let mut draft = AuditDraft::new(AuditKind::LoginFailed).ip(ip);
            draft = match &user {
                Some(u) => draft.subject(u.id).detail(json(&[(
                    "reason",
                    if u.status == UserStatus::Active { "password" } else { u.status.as_str() },
                )])),
                None => draft.detail(json(&[("reason", "unknown_account")])),
            };
            refused(app, tenant, UseCase::LoginFailure, draft).await?;
            return Err(AppError::BadCredentials);
        }
    };
    app.limiter.record_success(&account_key, ip);
    let rehash = match user.password_hash.as_deref() {
        Some(h) if app.hasher.needs_rehash(h) => {
            let pw = password.to_owned();
            Some(app.blocking(move |h| h.hash(&pw)).await??)
        }
        _ => None,
    };
    let secret = random::token(32)?;
    let ua: String = user_agent.chars().filter(|c| !c.is_control()).take(256).collect();
    let new = NewSession {
        id: SessionId::new(),
        secret_hash: sha256_hex(secret.as_bytes()),
        user_id: user.id,
        csrf_token: random::token(32)?,
        created_at: now,
        expires_at: now.plus_secs(app.settings.session_max_secs),
        ip: ip.to_owned(),
        user_agent: ua,
    };
    let zone = match (&user.time_zone, browser_zone.map(ordo_core::dates::Zone::parse)) {
        (None, Some(Ok(z))) => Some(z),
        _ => None,
    };
    change!(app, tenant.id, Some(user.id), UseCase::Login, |c| {
        if let Some(z) = &zone {
            c.tx.set_time_zone_if_unset(tenant.id, user.id, z.as_str()).await?;
        }
        if let Some(h) = &rehash {
            c.tx.set_password(tenant.id, user.id, h, c.now).await?;
        }
        // Rotation: whatever session this browser had is replaced.
        if let Some(prev) = previous_secret {
            c.tx.delete_session_by_secret(&sha256_hex(prev.as_bytes())).await?;
        }
        c.tx.insert_session(tenant.id, &new).await?;
        c.audit(AuditDraft::new(AuditKind::LoginSucceeded).subject(user.id).ip(ip)).await?;
        Ok(())
    })?;
    if let Some(z) = zone {
        user.time_zone = Some(z.as_str().to_owned());
    }
    let session = Session {
        tenant_id: tenant.id,
        id: new.id,
        user_id: user.id,
        csrf_token: new.csrf_token.clone(),
        created_at: now,
        last_seen_at: now,
        expires_at: new.expires_at,
        ip: new.ip.clone(),
        user_agent: new.user_agent.clone(),
    };
    Ok(LoggedIn { secret, session, user: open_user(&keys, user)? })
}

/// What a session cookie means on a tenant's pages.
pub enum SessionLookup {
    /// No live session (none, expired, or its user is no longer active).
    None,
    /// A live session of another tenant.
    Foreign,
    Mine(Box<Session>, Box<User>),
}

/// The live session and active user behind a cookie, if any. Sessions past
/// their idle timeout or absolute lifetime are deleted here (housekeeping,
/// not a use case: nobody's state changes).
#[tracing::instrument(skip_all)]
pub async fn resolve_session(app: &App, tenant: &Tenant, secret: &str) -> Result<SessionLookup, AppError> {
    let hash = sha256_hex(secret.as_bytes());
    let Some(session) = app.store.session_by_secret(&hash).await? else { return Ok(SessionLookup::None) };
    let now = app.now();
    let idle = now.unix() - session.last_seen_at.unix() >= app.settings.session_idle_secs;
    if now >= session.expires_at || idle {
        let mut tx = app.store.begin().await?;
        tx.delete_session_by_secret(&hash).await?;
        tx.commit().await?;
        return Ok(SessionLookup::None);
    }
    let Some(row) = app.store.user_by_id(session.tenant_id, session.user_id).await? else {
        return Ok(SessionLookup::None);
    };
    if row.status != UserStatus::Active {
        return Ok(SessionLookup::None);
    }
    // A write on every request would serialise SQLite readers behind its
    // write lock: record activity at most once a minute.
    if now.unix() - session.last_seen_at.unix() >= 60 {
        app.store.touch_session(session.tenant_id, session.id, now).await?;
    }
    if session.tenant_id != tenant.id {
        return Ok(SessionLookup::Foreign);
    }
    let user = open_user(&app.keys.for_tenant(&app.store, tenant).await?, row)?;
    Ok(SessionLookup::Mine(Box::new(session), Box::new(user)))
}

/// A user's open sessions, newest activity first.
#[tracing::instrument(skip_all)]
pub async fn list_sessions(app: &App, tenant: &Tenant, user: &User) -> Result<Vec<Session>, AppError> {
    Ok(app.store.list_user_sessions(tenant.id, user.id).await?)
}

#[tracing::instrument(skip_all)]
pub async fn logout(app: &App, tenant: &Tenant, session: &Session, ip: &str) -> Result<(), AppError> {
    change!(app, tenant.id, Some(session.user_id), UseCase::Logout, |c| {
        c.tx.delete_session(tenant.id, session.user_id, session.id).await?;
        c.audit(AuditDraft::new(AuditKind::Logout).subject(session.user_id).ip(ip)).await?;
        Ok(())
    })
}

/// End one of the user's own sessions.
#[tracing::instrument(skip_all)]
pub async fn end_session(app: &App, tenant: &Tenant, user: &User, id: SessionId, ip: &str) -> Result<(), AppError> {
    change!(app, tenant.id, Some(user.id), UseCase::SessionEnd, |c| {
        if !c.tx.delete_session(tenant.id, user.id, id).await? {
            return Err(AppError::NotFound);
        }
        let detail = json(&[("session", &id.to_string())]);
        c.audit(AuditDraft::new(AuditKind::SessionEnded).subject(user.id).ip(ip).detail(detail)).await?;
        Ok(())
    })
}
