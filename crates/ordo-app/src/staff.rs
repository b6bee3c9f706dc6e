//! The operator's staff and the console's sign-in: accounts created by an
//! operator admin (the first one from the command line), activated from a
//! single-use link, signed in with a password *and* a TOTP code (RFC 6238;
//! a code works once) or a single-use recovery code. Disabling a staff
//! member ends all their sessions at once. Every step is in the platform
//! audit log.

use crate::{App, AppError, retrying};
use ordo_core::ids::{StaffId, StaffSessionId, TenantId};
use ordo_core::staff::{PlatformRole, StaffAction, staff_may};
use ordo_core::user::{DisplayName, Email, UserStatus};
use ordo_crypto::{random, sha256_hex, totp};
use ordo_store::{StaffRow, StaffSession};

/// Minutes between the password and the one-time code.
const SECOND_FACTOR_WINDOW_SECS: i64 = 10 * 60;

/// A staff member, as the console shows them.
#[derive(Clone, Debug)]
pub struct Staff {
    pub id: StaffId,
    pub email: String,
    pub display_name: String,
    pub role: PlatformRole,
    pub status: UserStatus,
    /// Has a second factor.
    pub enrolled: bool,
    pub available: bool,
}

impl From<StaffRow> for Staff {
    fn from(r: StaffRow) -> Self {
        Staff {
            id: r.id,
            email: r.email,
            display_name: r.display_name,
            role: r.role,
            status: r.status,
            enrolled: r.totp_secret.is_some(),
            available: r.available,
        }
    }
}

/// A signed-in staff member and their session.
#[derive(Clone, Debug)]
pub struct StaffAuth {
    pub session: StaffSession,
    pub staff: Staff,
}

impl StaffAuth {
    pub fn may(&self, action: StaffAction) -> Result<(), AppError> {
        if self.session.mfa_passed && staff_may(self.staff.role, action) { Ok(()) } else { Err(AppError::Forbidden) }
    }
}

async fn platform_audit(
    app: &App,
    kind: &str,
    subject: Option<String>,
    detail: serde_json::Value,
) -> Result<(), AppError> {
    let now = app.now();
    let detail = detail.to_string();
    retrying!({
        let mut tx = app.store.begin().await?;
        tx.append_platform_audit(kind, subject.as_deref(), &detail, now).await?;
        tx.commit().await?;
        Ok(())
    })
}

/// The console's address for `path`.
pub fn ops_link(app: &App, path: &str) -> String {
    format!("{}/ops/{}", app.settings.public_url, path.trim_start_matches('/'))
}

/// A new staff member, pending until they open their activation link (sent
/// by e-mail, and returned: the command line prints it). `actor` is None for
/// the command line (the operator at the machine).
#[tracing::instrument(skip_all)]
pub async fn invite(
    app: &App,
    actor: Option<&StaffAuth>,
    email: &str,
    name: &str,
    role: PlatformRole,
) -> Result<(StaffId, String), AppError> {
    if let Some(a) = actor {
        a.may(StaffAction::ManageStaff)?;
    }
    let email = Email::parse(email)?;
    let name = DisplayName::parse(name)?;
    let token = random::token(32)?;
    let link = ops_link(app, &format!("activate/{token}"));
    let hours = app.settings.activation_ttl_secs / 3600;
    // Staff have no language setting: the platform's default one.
    let tr = crate::i18n::Tr::new(ordo_core::user::Locale::default());
    let role_name = tr.t(&format!("ops.role.{}", role.as_str())).to_owned();
    let body = tr.tf(
        "mail.staff.body",
        &[("name", name.as_str()), ("role", &role_name), ("hours", &hours.to_string()), ("link", &link)],
    );
    let mail = crate::mail::platform_mail(app, email.as_str(), tr.t("mail.staff.subject"), &body)?;
    let id = StaffId::new();
    let now = app.now();
    let by = actor.map(|a| a.staff.id.to_string()).unwrap_or_else(|| "command line".into());
    retrying!({
        let mut tx = app.store.begin().await?;
        tx.insert_staff(id, &email.normalized(), name.as_str(), role, now).await?;
        tx.insert_staff_token(id, &sha256_hex(token.as_bytes()), now.plus_secs(app.settings.activation_ttl_secs))
            .await?;
        tx.enqueue_mail(None, &mail, now).await?;
        let detail = serde_json::json!({ "role": role.as_str(), "by": by }).to_string();
        tx.append_platform_audit("staff.invited", Some(&id.to_string()), &detail, now).await?;
        tx.commit().await?;
        Ok(())
    })?;
    app.mail_wakeup.notify_one();
    Ok((id, link))
}

/// Choose a password from the activation link.
#[tracing::instrument(skip_all)]
pub async fn activate(app: &App, token: &str, password: &str) -> Result<StaffId, AppError> {
    let password = ordo_core::password::NewPassword::parse_in_context(password, &["ordo", "operator"])?;
    let hash = app.blocking(move |h| h.hash(password.expose())).await??;
    let now = app.now();
    let id = retrying!({
        let mut tx = app.store.begin().await?;
        let id = tx.consume_staff_token(&sha256_hex(token.as_bytes()), now).await?.ok_or(AppError::BadToken)?;
        let staff = tx.staff_by_id(id).await?.ok_or(AppError::BadToken)?;
        if staff.status != UserStatus::Pending {
            return Err(AppError::BadToken);
        }
        tx.set_staff_password(id, &hash, now).await?;
        tx.append_platform_audit("staff.activated", Some(&id.to_string()), "{}", now).await?;
        tx.commit().await?;
        Ok(id)
    })?;
    Ok(id)
}

/// A staff session just opened: the cookie's secret, shown once.
pub struct StaffLogin {
    pub secret: String,
    pub auth: StaffAuth,
}

/// The first factor. The session it opens reaches nothing but the page
/// asking for the one-time code (or, the first time, the enrolment).
#[tracing::instrument(skip_all)]
pub async fn login(app: &App, email: &str, password: &str, ip: &str, user_agent: &str) -> Result<StaffLogin, AppError> {
    let key = format!("ops/{}", email.trim().to_lowercase());
    if let Some(wait) = app.limiter.check(&key, ip, app.now()) {
        return Err(AppError::Throttled { retry_after_secs: wait });
    }
    let row = match Email::parse(email) {
        Ok(e) => app.store.staff_by_email(&e.normalized()).await?,
        Err(_) => None,
    };
    let phc = row.as_ref().filter(|r| r.status == UserStatus::Active).and_then(|r| r.password_hash.clone());
    let pw = password.to_owned();
    // Unknown accounts cost the same Argon2 work (a dummy hash).
    let ok = app.blocking(move |h| h.verify(&pw, phc.as_deref())).await?;
    let now = app.now();
    let Some(row) = row.filter(|_| ok) else {
        app.limiter.record_failure(&key, ip, now);
        platform_audit(app, "staff.login_failed", None, serde_json::json!({ "ip": ip })).await?;
        return Err(AppError::BadCredentials);
    };
    app.limiter.record_success(&key, ip);
    let secret = random::token(32)?;
    let session = StaffSession {
        id: StaffSessionId::new(),
        staff_id: row.id,
        csrf_token: random::token(32)?,
        mfa_passed: false,
        created_at: now,
        last_seen_at: now,
        expires_at: now.plus_secs(app.settings.session_max_secs),
    };
    let ua: String = user_agent.chars().filter(|c| !c.is_control()).take(256).collect();
    retrying!({
        let mut tx = app.store.begin().await?;
        tx.insert_staff_session(
            session.id,
            &sha256_hex(secret.as_bytes()),
            row.id,
            &session.csrf_token,
            now,
            session.expires_at,
            ip,
            &ua,
        )
        .await?;
        tx.append_platform_audit(
            "staff.password_ok",
            Some(&row.id.to_string()),
            &serde_json::json!({ "ip": ip }).to_string(),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    })?;
    Ok(StaffLogin { secret, auth: StaffAuth { session, staff: row.into() } })
}

/// The live staff session behind a cookie (expired ones are ended here).
#[tracing::instrument(skip_all)]
pub async fn resolve(app: &App, secret: &str) -> Result<Option<StaffAuth>, AppError> {
    let Some(session) = app.store.staff_session_by_secret(&sha256_hex(secret.as_bytes())).await? else {
        return Ok(None);
    };
    let now = app.now();
    let idle = now.unix() - session.last_seen_at.unix() > app.settings.session_idle_secs;
    let half_done = !session.mfa_passed && now.unix() - session.created_at.unix() > SECOND_FACTOR_WINDOW_SECS;
    let row = app.store.staff_by_id(session.staff_id).await?;
    let Some(row) = row.filter(|r| r.status == UserStatus::Active) else { return Ok(None) };
    if now >= session.expires_at || idle || half_done {
        let mut tx = app.store.begin().await?;
        tx.delete_staff_session(session.id).await?;
        tx.commit().await?;
        return Ok(None);
    }
    app.store.touch_staff_session(session.id, now).await?;
    Ok(Some(StaffAuth { session, staff: row.into() }))
}

/// Seal a TOTP secret under the platform key, bound to its staff member.
fn seal_secret(app: &App, id: StaffId, secret: &[u8]) -> Result<String, AppError> {
    use base64::Engine as _;
    let key = app.keys.platform_kek()?;
    let aad = format!("staff.totp_secret|{id}");
    let sealed = ordo_crypto::aead::seal(key.bytes(), aad.as_bytes(), secret)?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sealed))
}

fn open_secret(app: &App, id: StaffId, sealed: &str) -> Result<zeroize::Zeroizing<Vec<u8>>, AppError> {
    use base64::Engine as _;
    let key = app.keys.platform_kek()?;
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(sealed).map_err(|_| AppError::BadToken)?;
    let aad = format!("staff.totp_secret|{id}");
    Ok(zeroize::Zeroizing::new(
        ordo_crypto::aead::open(key.bytes(), aad.as_bytes(), &raw).map_err(|_| AppError::BadToken)?,
    ))
}

/// What the enrolment page shows: the secret for the app (as text and as
/// an `otpauth://` address) and the same secret sealed, posted back with
/// the first code (nothing is stored until that code is right).
pub struct Enrolment {
    pub secret_base32: String,
    pub uri: String,
    pub sealed: String,
}

pub fn begin_enrolment(app: &App, auth: &StaffAuth) -> Result<Enrolment, AppError> {
    if auth.staff.enrolled {
        return Err(AppError::Forbidden);
    }
    let secret = totp::new_secret()?;
    Ok(Enrolment {
        secret_base32: totp::base32(&secret),
        uri: totp::otpauth_uri("Ordo operator", &auth.staff.email, &secret),
        sealed: seal_secret(app, auth.staff.id, &secret)?,
    })
}

/// The first code from the app confirms the enrolment: the secret is
/// stored, the session passes, and ten recovery codes are returned, to
/// show once.
/// Returns the recovery codes and the session's new cookie secret.
#[tracing::instrument(skip_all)]
pub async fn confirm_enrolment(
    app: &App,
    auth: &StaffAuth,
    sealed: &str,
    code: &str,
) -> Result<(Vec<String>, String), AppError> {
    if auth.staff.enrolled {
        return Err(AppError::Forbidden);
    }
    let secret = open_secret(app, auth.staff.id, sealed)?;
    let now = app.now();
    let Some(step) = totp::verify(&secret, code, now.unix(), 0) else {
        return Err(AppError::Invalid(ordo_core::Invalid::new("code", "totp.wrong")));
    };
    let codes = totp::recovery_codes()?;
    let hashes: Vec<String> = codes.iter().map(|c| totp::recovery_code_hash(c)).collect();
    let sealed = seal_secret(app, auth.staff.id, &secret)?;
    let cookie = random::token(32)?;
    retrying!({
        let mut tx = app.store.begin().await?;
        if !tx.set_staff_totp(auth.staff.id, &sealed, step, &hashes, now).await? {
            return Err(AppError::Forbidden);
        }
        tx.pass_staff_mfa(auth.session.id, &sha256_hex(cookie.as_bytes())).await?;
        tx.append_platform_audit("staff.mfa_enrolled", Some(&auth.staff.id.to_string()), "{}", now).await?;
        tx.commit().await?;
        Ok(())
    })?;
    Ok((codes, cookie))
}

/// The second factor: a TOTP code (once: a code already used is refused),
/// or a recovery code (once). Throttled like passwords. Returns the
/// session's new cookie secret.
#[tracing::instrument(skip_all)]
pub async fn second_factor(app: &App, auth: &StaffAuth, code: &str, ip: &str) -> Result<String, AppError> {
    let key = format!("ops-mfa/{}", auth.staff.id);
    if let Some(wait) = app.limiter.check(&key, ip, app.now()) {
        return Err(AppError::Throttled { retry_after_secs: wait });
    }
    let row = app.store.staff_by_id(auth.staff.id).await?.ok_or(AppError::NotFound)?;
    let sealed = row.totp_secret.as_deref().ok_or(AppError::Forbidden)?;
    let secret = open_secret(app, row.id, sealed)?;
    let now = app.now();
    let digits_only = code.trim().chars().all(|c| c.is_ascii_digit() || c == ' ');
    let cookie = random::token(32)?;
    let cookie_hash = sha256_hex(cookie.as_bytes());
    let (ok, how) = if digits_only {
        match totp::verify(&secret, code, now.unix(), row.totp_last_step) {
            Some(step) => {
                let mut tx = app.store.begin().await?;
                let fresh = tx.use_totp_step(row.id, step).await?;
                if fresh {
                    tx.pass_staff_mfa(auth.session.id, &cookie_hash).await?;
                }
                tx.commit().await?;
                (fresh, "totp")
            }
            None => (false, "totp"),
        }
    } else {
        let mut tx = app.store.begin().await?;
        let fresh = tx.use_recovery_code(row.id, &totp::recovery_code_hash(code), now).await?;
        if fresh {
            tx.pass_staff_mfa(auth.session.id, &cookie_hash).await?;
        }
        tx.commit().await?;
        (fresh, "recovery_code")
    };
    let subject = Some(row.id.to_string());
    if !ok {
        app.limiter.record_failure(&key, ip, now);
        platform_audit(app, "staff.mfa_failed", subject, serde_json::json!({ "ip": ip, "with": how })).await?;
        return Err(AppError::Invalid(ordo_core::Invalid::new("code", "totp.wrong")));
    }
    app.limiter.record_success(&key, ip);
    platform_audit(app, "staff.login_succeeded", subject, serde_json::json!({ "ip": ip, "with": how })).await?;
    Ok(cookie)
}

#[tracing::instrument(skip_all)]
pub async fn logout(app: &App, auth: &StaffAuth) -> Result<(), AppError> {
    let mut tx = app.store.begin().await?;
    tx.delete_staff_session(auth.session.id).await?;
    tx.commit().await?;
    platform_audit(app, "staff.logout", Some(auth.staff.id.to_string()), serde_json::json!({})).await
}

#[tracing::instrument(skip_all)]
pub async fn list(app: &App, auth: &StaffAuth) -> Result<Vec<Staff>, AppError> {
    auth.may(StaffAction::ViewTenants)?;
    Ok(app.store.list_staff().await?.into_iter().map(Staff::from).collect())
}

/// Disable (ending every session at once) or enable a staff member; nobody
/// disables themselves.
#[tracing::instrument(skip_all)]
pub async fn set_disabled(app: &App, auth: &StaffAuth, target: StaffId, disabled: bool) -> Result<u64, AppError> {
    auth.may(StaffAction::ManageStaff)?;
    if target == auth.staff.id {
        return Err(AppError::Forbidden);
    }
    let now = app.now();
    retrying!({
        let mut tx = app.store.begin().await?;
        let ended = tx.set_staff_disabled(target, disabled, now).await?.ok_or(AppError::NotFound)?;
        let kind = if disabled { "staff.disabled" } else { "staff.enabled" };
        let detail = serde_json::json!({ "by": auth.staff.id.to_string(), "sessions_ended": ended }).to_string();
        tx.append_platform_audit(kind, Some(&target.to_string()), &detail, now).await?;
        tx.commit().await?;
        Ok(ended)
    })
}

/// A support agent or CSM marks themself available for new conversations,
/// or away (round-robin and CSM assignment then pass them by).
#[tracing::instrument(skip_all)]
pub async fn set_available(app: &App, auth: &StaffAuth, available: bool) -> Result<(), AppError> {
    auth.may(StaffAction::Support)?;
    let now = app.now();
    retrying!({
        let mut tx = app.store.begin().await?;
        tx.set_staff_available(auth.staff.id, available, now).await?;
        let kind = if available { "staff.available" } else { "staff.away" };
        tx.append_platform_audit(kind, Some(&auth.staff.id.to_string()), "{}", now).await?;
        tx.commit().await?;
        Ok(())
    })
}

/// Name a tenant's customer success manager (a staff member with the CSM
/// role), or none.
#[tracing::instrument(skip_all)]
pub async fn assign_csm(app: &App, auth: &StaffAuth, tenant: TenantId, csm: Option<StaffId>) -> Result<(), AppError> {
    auth.may(StaffAction::AssignCsm)?;
    if let Some(id) = csm {
        let row = app.store.staff_by_id(id).await?.ok_or(AppError::NotFound)?;
        if row.role != PlatformRole::Csm || row.status == UserStatus::Disabled {
            return Err(AppError::Invalid(ordo_core::Invalid::new("csm", "csm.invalid")));
        }
    }
    let now = app.now();
    retrying!({
        let mut tx = app.store.begin().await?;
        if !tx.set_tenant_csm(tenant, csm).await? {
            return Err(AppError::NotFound);
        }
        let detail =
            serde_json::json!({ "by": auth.staff.id.to_string(), "csm": csm.map(|c| c.to_string()) }).to_string();
        tx.append_platform_audit("tenant.csm_assigned", Some(&tenant.to_string()), &detail, now).await?;
        tx.commit().await?;
        Ok(())
    })
}
