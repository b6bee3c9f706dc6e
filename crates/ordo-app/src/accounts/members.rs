//! Members of a tenant: invitations, roles, disabling. The decision (the
//! target's current role and status, the permission policy) is made inside
//! the change, on what it commits on.

use super::{User, json, new_user_row, open_user, tenant_link};
use crate::i18n::Tr;
use crate::write::{UseCase, change};
use crate::{App, AppError, Conflict};
use ordo_core::audit::AuditKind;
use ordo_core::ids::UserId;
use ordo_core::policy::{self, Actor, TenantAction};
use ordo_core::user::{DisplayName, Email, Role, UserStatus};
use ordo_crypto::{random, sha256_hex};
use ordo_store::{AuditDraft, Tenant, TokenPurpose, UserRow};

/// May this user see the member administration pages?
pub fn can_view_members(user: &User) -> bool {
    policy::authorize(Actor { role: user.role }, TenantAction::ViewMembers, false).is_ok()
}

/// Invite someone into the tenant with a role. Inviting again a person who
/// has not activated yet sends a fresh link (the old one stops working).
#[tracing::instrument(skip_all)]
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
    if let Err(retry_after_secs) = app.limiter.allow_invitation(&format!("{}/{}", tenant.id, actor.id), app.now()) {
        return Err(AppError::Throttled { retry_after_secs });
    }
    let token = random::token(32)?;
    let link = tenant_link(app, &tenant.slug, &format!("activate/{token}"));
    let ttl = app.settings.activation_ttl_secs;
    let tr = Tr::new(actor.locale.unwrap_or_default());
    let keys = app.keys.for_tenant(&app.store, tenant).await?;
    let mail = crate::mail::seal(&keys, crate::mail::activation(&tr, email.as_str(), &tenant.name, &link, ttl / 3600))?;
    let index = keys.email_index(&email.normalized());
    change!(app, tenant.id, Some(actor.id), UseCase::MemberInvite, |c| {
        let id = match c.tx.user_by_email_index(tenant.id, &index).await? {
            Some(u) if u.status == UserStatus::Pending => {
                c.tx.set_role(tenant.id, u.id, role, c.now).await?;
                u.id
            }
            Some(_) => return Err(AppError::Conflict(Conflict::EmailTaken)),
            None => {
                let name = DisplayName::from_email(&email);
                let u = new_user_row(&keys, &email, name.as_str(), role, UserStatus::Pending, None)?;
                c.tx.insert_user(tenant.id, &u, c.now).await?;
                u.id
            }
        };
        let (hash, until) = (sha256_hex(token.as_bytes()), c.now.plus_secs(ttl));
        c.tx.insert_token(tenant.id, id, TokenPurpose::Activation, &hash, c.now, until).await?;
        c.tx.enqueue_mail(Some(tenant.id), &mail, c.now).await?;
        c.mail_queued();
        let d = AuditDraft::new(AuditKind::InvitationSent).subject(id).ip(ip).detail(json(&[("role", role.as_str())]));
        c.audit(d).await?;
        Ok(id)
    })
}

/// A user of this tenant as the target of an admin action, read inside
/// the change; a user id of another tenant is simply not found.
async fn target(tx: &mut ordo_store::Tx, tenant: &Tenant, id: UserId) -> Result<UserRow, AppError> {
    tx.user_by_id(tenant.id, id).await?.ok_or(AppError::NotFound)
}

#[tracing::instrument(skip_all)]
pub async fn set_role(
    app: &App,
    tenant: &Tenant,
    actor: &User,
    target_id: UserId,
    role: Role,
    ip: &str,
) -> Result<(), AppError> {
    change!(app, tenant.id, Some(actor.id), UseCase::MemberRole, |c| {
        let t = target(&mut c.tx, tenant, target_id).await?;
        let action = TenantAction::ChangeRole { from: t.role, to: role };
        policy::authorize(Actor { role: actor.role }, action, t.id == actor.id)?;
        if t.role == role {
            return c.unchanged(());
        }
        c.tx.set_role(tenant.id, t.id, role, c.now).await?;
        let detail = json(&[("from", t.role.as_str()), ("to", role.as_str())]);
        c.audit(AuditDraft::new(AuditKind::RoleChanged).subject(t.id).ip(ip).detail(detail)).await?;
        Ok(())
    })
}

/// Disable a user (an employee leaves): every session they have ends at once.
/// Enabling again restores the account as it was.
#[tracing::instrument(skip_all)]
pub async fn set_disabled(
    app: &App,
    tenant: &Tenant,
    actor: &User,
    target_id: UserId,
    disabled: bool,
    ip: &str,
) -> Result<u64, AppError> {
    let use_case = if disabled { UseCase::MemberDisable } else { UseCase::MemberEnable };
    let keys = app.keys.for_tenant(&app.store, tenant).await?;
    change!(app, tenant.id, Some(actor.id), use_case, |c| {
        let t = open_user(&keys, target(&mut c.tx, tenant, target_id).await?)?;
        let action = TenantAction::SetDisabled { target: t.role };
        policy::authorize(Actor { role: actor.role }, action, t.id == actor.id)?;
        if (t.status == UserStatus::Disabled) == disabled {
            return c.unchanged(0);
        }
        let (status, kind, ended) = if disabled {
            let ended = c.tx.delete_user_sessions(tenant.id, t.id, None).await?;
            (UserStatus::Disabled, AuditKind::UserDisabled, ended)
        } else {
            let status = if t.password_hash.is_some() { UserStatus::Active } else { UserStatus::Pending };
            (status, AuditKind::UserEnabled, 0)
        };
        c.tx.set_status(tenant.id, t.id, status, c.now).await?;
        let detail = json(&[("sessions_ended", &ended.to_string())]);
        c.audit(AuditDraft::new(kind).subject(t.id).ip(ip).detail(detail)).await?;
        Ok(ended)
    })
}
