//! Tenants, accounts and sessions: creation, invitation, activation, login and
//! logout, passwords, roles, disabling, and the session list. Every change is
//! one transaction with its audit entry (and its e-mail, if any): it happens
//! completely or not at all.

use crate::i18n::Tr;
use crate::keys::{Field, TenantKeys};
use crate::{App, AppError, retrying};
use ordo_core::audit::AuditKind;
use ordo_core::ids::{SessionId, TenantId, UserId};
use ordo_core::password::NewPassword;
use ordo_core::policy::{self, Actor, TenantAction};
use ordo_core::tenant::{Plan, Slug, TenantName};
use ordo_core::user::{DisplayName, Email, Locale, Role, UserStatus};
use ordo_crypto::{random, sha256_hex};
use ordo_store::{AuditDraft, NewSession, NewUser, Session, Tenant, TokenPurpose, UserRow};

/// A user with contact details decrypted, for the layers above.
#[derive(Clone)]
pub struct User {
    pub tenant_id: TenantId,
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub phone: Option<String>,
    pub role: Role,
    pub status: UserStatus,
    pub locale: Option<Locale>,
    pub password_hash: Option<String>,
    pub created_at: ordo_core::time::Timestamp,
}

impl std::fmt::Debug for User {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Contact details and the password hash stay out of logs.
        f.debug_struct("User")
            .field("id", &self.id)
            .field("role", &self.role)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

/// Decrypt a stored user with its tenant's keys.
pub fn open_user(keys: &TenantKeys, row: UserRow) -> Result<User, AppError> {
    let rid = row.id.to_string();
    Ok(User {
        email: keys.open(Field::UserEmail, &rid, &row.email)?,
        display_name: keys.open(Field::UserDisplayName, &rid, &row.display_name)?,
        phone: row.phone.as_ref().map(|p| keys.open(Field::UserPhone, &rid, p)).transpose()?,
        tenant_id: row.tenant_id,
        id: row.id,
        role: row.role,
        status: row.status,
        locale: row.locale,
        password_hash: row.password_hash,
        created_at: row.created_at,
    })
}

/// Every user of a tenant, decrypted, in order of creation.
pub async fn list_users(app: &App, tenant: &Tenant) -> Result<Vec<User>, AppError> {
    let keys = app.keys.for_tenant(&app.store, tenant).await?;
    app.store.list_users(tenant.id).await?.into_iter().map(|r| open_user(&keys, r)).collect()
}

/// One user of this tenant, decrypted; another tenant's id finds nothing.
pub async fn get_user(app: &App, tenant: &Tenant, id: UserId) -> Result<User, AppError> {
    let keys = app.keys.for_tenant(&app.store, tenant).await?;
    let row = app.store.user_by_id(tenant.id, id).await?.ok_or(AppError::NotFound)?;
    open_user(&keys, row)
}

/// A new user row, contact details sealed for it.
fn new_user_row(
    keys: &TenantKeys,
    email: &Email,
    name: &str,
    role: Role,
    status: UserStatus,
    locale: Option<Locale>,
) -> Result<NewUser, AppError> {
    let id = UserId::new();
    let rid = id.to_string();
    Ok(NewUser {
        id,
        email: keys.seal(Field::UserEmail, &rid, email.as_str())?,
        email_index: keys.email_index(&email.normalized()),
        display_name: keys.seal(Field::UserDisplayName, &rid, name)?,
        role,
        status,
        locale,
    })
}

/// The public link to a page of a tenant.
pub fn tenant_link(app: &App, slug: &Slug, path: &str) -> String {
    format!("{}/t/{}/{}", app.settings.public_url, slug, path.trim_start_matches('/'))
}

fn json(pairs: &[(&str, &str)]) -> String {
    let map: serde_json::Map<String, serde_json::Value> =
        pairs.iter().map(|(k, v)| ((*k).to_owned(), serde_json::Value::String((*v).to_owned()))).collect();
    serde_json::Value::Object(map).to_string()
}

pub struct CreatedTenant {
    pub tenant: Tenant,
    pub owner_id: UserId,
    pub activation_url: String,
}

/// Create a tenant, its keys and its pending owner; queue the owner's
/// activation mail. Nothing is written if any input is invalid or the slug
/// is taken.
pub async fn create_tenant(
    app: &App,
    slug: &str,
    name: &str,
    owner_email: &str,
    plan: Plan,
    locale: Locale,
    encryption: bool,
) -> Result<CreatedTenant, AppError> {
    let slug = Slug::parse(slug)?;
    let name = TenantName::parse(name)?;
    let email = Email::parse(owner_email)?;
    if app.store.tenant_by_slug(&slug).await?.is_some() {
        return Err(AppError::Conflict(crate::Conflict::SlugTaken));
    }
    let token = random::token(32)?;
    let now = app.now();
    let tenant = Tenant {
        id: TenantId::new(),
        slug: slug.clone(),
        name: name.to_string(),
        plan,
        created_at: now,
        encryption,
        key_version: 1,
        reseal_pending: false,
        people_revision: 1,
    };
    let key_rows = app.keys.create_for_tenant(tenant.id)?;
    let result = async {
        let link = tenant_link(app, &slug, &format!("activate/{token}"));
        let ttl = app.settings.activation_ttl_secs;
        let mut tx = app.store.begin().await?;
        tx.insert_tenant(&tenant).await?;
        for k in &key_rows {
            tx.insert_tenant_key(tenant.id, k, now).await?;
        }
        tx.commit().await?;
        let keys = app.keys.for_tenant(&app.store, &tenant).await?;
        let owner = new_user_row(
            &keys,
            &email,
            DisplayName::from_email(&email).as_str(),
            Role::Owner,
            UserStatus::Pending,
            Some(locale),
        )?;
        let mail = crate::mail::seal(
            &keys,
            crate::mail::activation(&Tr::new(locale), email.as_str(), name.as_str(), &link, ttl / 3600),
        )?;
        retrying!({
            let mut tx = app.store.begin().await?;
            tx.insert_user(tenant.id, &owner, now).await?;
            tx.insert_token(
                tenant.id,
                owner.id,
                TokenPurpose::Activation,
                &sha256_hex(token.as_bytes()),
                now,
                now.plus_secs(ttl),
            )
            .await?;
            tx.enqueue_mail(Some(tenant.id), &mail, now).await?;
            tx.append_audit(
                tenant.id,
                &AuditDraft::new(AuditKind::TenantCreated)
                    .detail(json(&[("plan", plan.as_str()), ("encryption", if encryption { "on" } else { "off" })])),
                now,
            )
            .await?;
            tx.append_audit(
                tenant.id,
                &AuditDraft::new(AuditKind::InvitationSent).subject(owner.id).detail(json(&[("role", "owner")])),
                now,
            )
            .await?;
            tx.commit().await?;
            Ok(())
        })?;
        Ok::<_, AppError>((owner.id, link))
    }
    .await;
    match result {
        Ok((owner_id, link)) => {
            app.mail_wakeup.notify_one();
            Ok(CreatedTenant { tenant, owner_id, activation_url: link })
        }
        Err(e) => {
            // Leave nothing half-made: no tenant row, no key file.
            if let Ok(mut tx) = app.store.begin().await
                && tx.delete_tenant(tenant.id).await.is_ok()
            {
                let _ = tx.commit().await;
            }
            let _ = app.keys.destroy_tenant(tenant.id);
            Err(match e {
                AppError::Conflict(_) => AppError::Conflict(crate::Conflict::SlugTaken),
                other => other,
            })
        }
    }
}

/// Invite someone into the tenant with a role. Inviting again a person who
/// has not activated yet sends a fresh link (the old one stops working).
pub async fn invite(
    app: &App,
    tenant: &Tenant,
    actor: &User,
    email: &str,
    role: Role,
    ip: &str,
) -> Result<UserId, AppError> {
    policy::authorize(Actor { role: actor.role }, TenantAction::Invite { role }, false)?;
    let email = Email::parse(email)?;
    // Each invitation sends mail: bound how many one person can send.
    if !app.limiter.allow_invitation(&format!("{}/{}", tenant.id, actor.id), app.now()) {
        return Err(AppError::Throttled { retry_after_secs: app.settings.login_limits.window_secs });
    }
    let token = random::token(32)?;
    let link = tenant_link(app, &tenant.slug, &format!("activate/{token}"));
    let ttl = app.settings.activation_ttl_secs;
    let tr = Tr::new(actor.locale.unwrap_or_default());
    let keys = app.keys.for_tenant(&app.store, tenant).await?;
    let mail = crate::mail::seal(&keys, crate::mail::activation(&tr, email.as_str(), &tenant.name, &link, ttl / 3600))?;
    let index = keys.email_index(&email.normalized());
    let id = retrying!({
        let now = app.now();
        let mut tx = app.store.begin().await?;
        let id = match tx.user_by_email_index(tenant.id, &index).await? {
            Some(u) if u.status == UserStatus::Pending => {
                tx.set_role(tenant.id, u.id, role, now).await?;
                u.id
            }
            Some(_) => return Err(AppError::Conflict(crate::Conflict::EmailTaken)),
            None => {
                let u = new_user_row(
                    &keys,
                    &email,
                    DisplayName::from_email(&email).as_str(),
                    role,
                    UserStatus::Pending,
                    None,
                )?;
                tx.insert_user(tenant.id, &u, now).await?;
                u.id
            }
        };
        tx.insert_token(
            tenant.id,
            id,
            TokenPurpose::Activation,
            &sha256_hex(token.as_bytes()),
            now,
            now.plus_secs(ttl),
        )
        .await?;
        tx.enqueue_mail(Some(tenant.id), &mail, now).await?;
        tx.append_audit(
            tenant.id,
            &AuditDraft::new(AuditKind::InvitationSent)
                .actor(actor.id)
                .subject(id)
                .ip(ip)
                .detail(json(&[("role", role.as_str())])),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    })?;
    app.mail_wakeup.notify_one();
    Ok(id)
}

/// The pending user a valid activation or reset link belongs to.
pub async fn token_user(app: &App, tenant: &Tenant, purpose: TokenPurpose, token: &str) -> Result<User, AppError> {
    let user_id = app
        .store
        .peek_token(tenant.id, purpose, &sha256_hex(token.as_bytes()), app.now())
        .await?
        .ok_or(AppError::BadToken)?;
    let row = app.store.user_by_id(tenant.id, user_id).await?.ok_or(AppError::BadToken)?;
    open_user(&app.keys.for_tenant(&app.store, tenant).await?, row)
}

/// Activate an invited account from its link: set the password (and name).
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
    retrying!({
        let now = app.now();
        let mut tx = app.store.begin().await?;
        let user_id =
            tx.consume_token(tenant.id, TokenPurpose::Activation, &token_hash, now).await?.ok_or(AppError::BadToken)?;
        let user = tx.user_by_id(tenant.id, user_id).await?.ok_or(AppError::BadToken)?;
        if user.status != UserStatus::Pending {
            return Err(AppError::BadToken);
        }
        if user_id != user.id {
            return Err(AppError::BadToken);
        }
        tx.set_password(tenant.id, user_id, &hash, now).await?;
        tx.set_profile(tenant.id, user_id, &sealed_name, user.locale, now).await?;
        tx.append_audit(
            tenant.id,
            &AuditDraft::new(AuditKind::AccountActivated).actor(user_id).subject(user_id).ip(ip),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(user_id)
    })
}

/// Check a new password against the policy, with the words of this context.
fn new_password(tenant: &Tenant, email: &str, password: &str) -> Result<NewPassword, AppError> {
    let local = email.split('@').next().unwrap_or("");
    Ok(NewPassword::parse_in_context(password, &[&tenant.name, tenant.slug.as_str(), local])?)
}

/// A new session: the secret goes in the cookie, only its hash is stored.
pub struct LoggedIn {
    pub secret: String,
    pub session: Session,
    pub user: User,
}

/// Log in with e-mail and password. Unknown accounts, wrong passwords and
/// disabled or pending accounts get the same error after the same work.
pub async fn login(
    app: &App,
    tenant: &Tenant,
    email: &str,
    password: &str,
    ip: &str,
    user_agent: &str,
    previous_secret: Option<&str>,
) -> Result<LoggedIn, AppError> {
    let account_key = format!("{}/{}", tenant.id, email.trim().to_lowercase());
    if let Some(wait) = app.limiter.check(&account_key, ip, app.now()) {
        tracing::warn!(tenant = %tenant.slug, ip, "login throttled");
        // Recorded once per client and window, so a flood cannot flood the log.
        if app.limiter.first_in_window(&format!("throttled/{account_key}/{ip}"), app.now()) {
            let now = app.now();
            let draft = AuditDraft::new(AuditKind::LoginThrottled)
                .ip(ip)
                .detail(json(&[("retry_after_secs", &wait.to_string())]));
            retrying!({
                let mut tx = app.store.begin().await?;
                tx.append_audit(tenant.id, &draft, now).await?;
                tx.commit().await?;
                Ok(())
            })?;
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
    let user = match user {
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
            retrying!({
                let mut tx = app.store.begin().await?;
                tx.append_audit(tenant.id, &draft, now).await?;
                tx.commit().await?;
                Ok(())
            })?;
            return Err(AppError::BadCredentials);
        }
    };
    app.limiter.record_success(&account_key, ip);
    if user.password_hash.as_deref().is_some_and(|h| app.hasher.needs_rehash(h)) {
        let pw = password.to_owned();
        let new_hash = app.blocking(move |h| h.hash(&pw)).await??;
        let mut tx = app.store.begin().await?;
        tx.set_password(tenant.id, user.id, &new_hash, now).await?;
        tx.commit().await?;
    }
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
    retrying!({
        let mut tx = app.store.begin().await?;
        // Rotation: whatever session this browser had is replaced.
        if let Some(prev) = previous_secret {
            tx.delete_session_by_secret(&sha256_hex(prev.as_bytes())).await?;
        }
        tx.insert_session(tenant.id, &new).await?;
        tx.append_audit(
            tenant.id,
            &AuditDraft::new(AuditKind::LoginSucceeded).actor(user.id).subject(user.id).ip(ip),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    })?;
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
/// their idle timeout or absolute lifetime are deleted here.
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

pub async fn logout(app: &App, tenant: &Tenant, session: &Session, ip: &str) -> Result<(), AppError> {
    retrying!({
        let now = app.now();
        let mut tx = app.store.begin().await?;
        tx.delete_session(tenant.id, session.user_id, session.id).await?;
        tx.append_audit(
            tenant.id,
            &AuditDraft::new(AuditKind::Logout).actor(session.user_id).subject(session.user_id).ip(ip),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    })
}

/// End one of the user's own sessions (or, for admins, see [`set_disabled`]).
pub async fn end_session(app: &App, tenant: &Tenant, user: &User, id: SessionId, ip: &str) -> Result<(), AppError> {
    retrying!({
        let now = app.now();
        let mut tx = app.store.begin().await?;
        if !tx.delete_session(tenant.id, user.id, id).await? {
            return Err(AppError::NotFound);
        }
        tx.append_audit(
            tenant.id,
            &AuditDraft::new(AuditKind::SessionEnded)
                .actor(user.id)
                .subject(user.id)
                .ip(ip)
                .detail(json(&[("session", &id.to_string())])),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    })
}

/// Ask for a password-reset link. The answer never tells whether the account
/// exists; a link is only sent to active accounts.
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
    retrying!({
        let mut tx = app.store.begin().await?;
        tx.insert_token(
            tenant.id,
            user.id,
            TokenPurpose::Reset,
            &sha256_hex(token.as_bytes()),
            now,
            now.plus_secs(ttl),
        )
        .await?;
        tx.enqueue_mail(Some(tenant.id), &mail, now).await?;
        tx.append_audit(tenant.id, &AuditDraft::new(AuditKind::PasswordResetRequested).subject(user.id).ip(ip), now)
            .await?;
        tx.commit().await?;
        Ok(())
    })?;
    app.mail_wakeup.notify_one();
    Ok(())
}

/// Set a new password from a reset link. All the user's sessions end: whoever
/// may have had the old password is out.
pub async fn reset_password(app: &App, tenant: &Tenant, token: &str, password: &str, ip: &str) -> Result<(), AppError> {
    let user = token_user(app, tenant, TokenPurpose::Reset, token).await?;
    let password = new_password(tenant, &user.email, password)?;
    let hash = app.blocking(move |h| h.hash(password.expose())).await??;
    let token_hash = sha256_hex(token.as_bytes());
    retrying!({
        let now = app.now();
        let mut tx = app.store.begin().await?;
        let user_id =
            tx.consume_token(tenant.id, TokenPurpose::Reset, &token_hash, now).await?.ok_or(AppError::BadToken)?;
        let user = tx.user_by_id(tenant.id, user_id).await?.ok_or(AppError::BadToken)?;
        if user.status != UserStatus::Active {
            return Err(AppError::BadToken);
        }
        tx.set_password(tenant.id, user_id, &hash, now).await?;
        let ended = tx.delete_user_sessions(tenant.id, user_id, None).await?;
        tx.append_audit(
            tenant.id,
            &AuditDraft::new(AuditKind::PasswordReset)
                .actor(user_id)
                .subject(user_id)
                .ip(ip)
                .detail(json(&[("sessions_ended", &ended.to_string())])),
            now,
        )
        .await?;
        tx.commit().await?;
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
    retrying!({
        let now = app.now();
        let mut tx = app.store.begin().await?;
        tx.set_password(tenant.id, user.id, &hash, now).await?;
        let ended = if end_other_sessions {
            tx.delete_user_sessions(tenant.id, user.id, Some(current_session)).await?
        } else {
            0
        };
        tx.append_audit(
            tenant.id,
            &AuditDraft::new(AuditKind::PasswordChanged)
                .actor(user.id)
                .subject(user.id)
                .ip(ip)
                .detail(json(&[("sessions_ended", &ended.to_string())])),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(ended)
    })
}

/// Load a user of this tenant as the target of an admin action. A user id of
/// another tenant is simply not found.
async fn target(app: &App, tenant: &Tenant, id: UserId) -> Result<User, AppError> {
    get_user(app, tenant, id).await
}

pub async fn set_role(
    app: &App,
    tenant: &Tenant,
    actor: &User,
    target_id: UserId,
    role: Role,
    ip: &str,
) -> Result<(), AppError> {
    let t = target(app, tenant, target_id).await?;
    policy::authorize(
        Actor { role: actor.role },
        TenantAction::ChangeRole { from: t.role, to: role },
        t.id == actor.id,
    )?;
    if t.role == role {
        return Ok(());
    }
    retrying!({
        let now = app.now();
        let mut tx = app.store.begin().await?;
        tx.set_role(tenant.id, t.id, role, now).await?;
        tx.append_audit(
            tenant.id,
            &AuditDraft::new(AuditKind::RoleChanged)
                .actor(actor.id)
                .subject(t.id)
                .ip(ip)
                .detail(json(&[("from", t.role.as_str()), ("to", role.as_str())])),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    })
}

/// Disable a user (an employee leaves): every session they have ends at once.
/// Enabling again restores the account as it was.
pub async fn set_disabled(
    app: &App,
    tenant: &Tenant,
    actor: &User,
    target_id: UserId,
    disabled: bool,
    ip: &str,
) -> Result<u64, AppError> {
    let t = target(app, tenant, target_id).await?;
    policy::authorize(Actor { role: actor.role }, TenantAction::SetDisabled { target: t.role }, t.id == actor.id)?;
    retrying!({
        let now = app.now();
        let mut tx = app.store.begin().await?;
        let (status, kind, ended) = if disabled {
            let ended = tx.delete_user_sessions(tenant.id, t.id, None).await?;
            (UserStatus::Disabled, AuditKind::UserDisabled, ended)
        } else {
            let status = if t.password_hash.is_some() { UserStatus::Active } else { UserStatus::Pending };
            (status, AuditKind::UserEnabled, 0)
        };
        if (t.status == UserStatus::Disabled) == disabled {
            // Nothing to change, but sessions were still swept if disabling.
            tx.commit().await?;
            return Ok(ended);
        }
        tx.set_status(tenant.id, t.id, status, now).await?;
        tx.append_audit(
            tenant.id,
            &AuditDraft::new(kind)
                .actor(actor.id)
                .subject(t.id)
                .ip(ip)
                .detail(json(&[("sessions_ended", &ended.to_string())])),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(ended)
    })
}

/// Change one's display name, telephone number (empty clears it) and language.
pub async fn update_profile(
    app: &App,
    tenant: &Tenant,
    user: &User,
    display_name: &str,
    phone: &str,
    locale: Locale,
    ip: &str,
) -> Result<(), AppError> {
    let name = DisplayName::parse(display_name)?;
    let phone = if phone.trim().is_empty() { None } else { Some(ordo_core::user::Phone::parse(phone)?) };
    let keys = app.keys.for_tenant(&app.store, tenant).await?;
    let rid = user.id.to_string();
    let sealed = keys.seal(Field::UserDisplayName, &rid, name.as_str())?;
    let sealed_phone = phone.map(|p| keys.seal(Field::UserPhone, &rid, p.as_str())).transpose()?;
    retrying!({
        let now = app.now();
        let mut tx = app.store.begin().await?;
        tx.set_profile(tenant.id, user.id, &sealed, Some(locale), now).await?;
        tx.set_phone(tenant.id, user.id, sealed_phone.as_ref(), now).await?;
        tx.append_audit(
            tenant.id,
            &AuditDraft::new(AuditKind::ProfileChanged).actor(user.id).subject(user.id).ip(ip),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    })
}

/// May this user see the member administration pages?
pub fn can_view_members(user: &User) -> bool {
    policy::authorize(Actor { role: user.role }, TenantAction::ViewMembers, false).is_ok()
}

/// A new personal API token: the secret is shown once and stored only as
/// its SHA-256.
pub async fn create_api_token(
    app: &App,
    tenant: &Tenant,
    user: &User,
    name: &str,
) -> Result<(String, String), AppError> {
    let name = ordo_core::meeting::Title::parse(name)
        .map_err(|_| AppError::Invalid(ordo_core::Invalid::new("name", "token_name.invalid")))?;
    let secret = format!("ordo_{}", random::token(32)?);
    let id = random::token(9)?;
    let now = app.now();
    let mut tx = app.store.begin().await?;
    tx.insert_api_token(tenant.id, &id, user.id, name.as_str(), &sha256_hex(secret.as_bytes()), now).await?;
    tx.append_audit(
        tenant.id,
        &AuditDraft::new(AuditKind::ApiTokenCreated).actor(user.id).subject(user.id).detail(json(&[("token", &id)])),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok((id, secret))
}

pub async fn revoke_api_token(app: &App, tenant: &Tenant, user: &User, id: &str) -> Result<(), AppError> {
    let now = app.now();
    let mut tx = app.store.begin().await?;
    if !tx.revoke_api_token(tenant.id, user.id, id, now).await? {
        return Err(AppError::NotFound);
    }
    tx.append_audit(
        tenant.id,
        &AuditDraft::new(AuditKind::ApiTokenRevoked).actor(user.id).subject(user.id).detail(json(&[("token", id)])),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// What a bearer token means on a tenant's API.
pub enum TokenLookup {
    None,
    Foreign,
    Mine(Box<User>),
}

pub async fn resolve_api_token(app: &App, tenant: &Tenant, secret: &str) -> Result<TokenLookup, AppError> {
    let Some(tok) = app.store.api_token_by_hash(&sha256_hex(secret.as_bytes())).await? else {
        return Ok(TokenLookup::None);
    };
    if tok.tenant_id != tenant.id {
        return Ok(TokenLookup::Foreign);
    }
    let Some(row) = app.store.user_by_id(tenant.id, tok.user_id).await? else { return Ok(TokenLookup::None) };
    if row.status != UserStatus::Active {
        return Ok(TokenLookup::None);
    }
    let now = app.now();
    if tok.last_used_at.is_none_or(|t| now.unix() - t.unix() >= 60) {
        app.store.touch_api_token(tenant.id, &tok.id, now).await?;
    }
    Ok(TokenLookup::Mine(Box::new(open_user(&app.keys.for_tenant(&app.store, tenant).await?, row)?)))
}
