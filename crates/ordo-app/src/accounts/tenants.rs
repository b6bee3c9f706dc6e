//! Creating a tenant: its row, its keys and its pending owner with the
//! activation e-mail, in one change.

use super::{json, new_user_row, tenant_link};
use crate::i18n::Tr;
use crate::write::{UseCase, change};
use crate::{App, AppError, Conflict};
use ordo_core::audit::AuditKind;
use ordo_core::ids::{TenantId, UserId};
use ordo_core::tenant::{Plan, Slug, TenantName};
use ordo_core::user::{DisplayName, Email, Locale, Role, UserStatus};
use ordo_crypto::{random, sha256_hex};
use ordo_store::{AuditDraft, Tenant, TokenPurpose};

pub struct CreatedTenant {
    pub tenant: Tenant,
    pub owner_id: UserId,
    pub activation_url: String,
}

/// Create a tenant, its keys and its pending owner; queue the owner's
/// activation mail. Nothing is written if any input is invalid or the slug
/// is taken.
#[tracing::instrument(skip_all)]
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
        return Err(AppError::Conflict(Conflict::SlugTaken));
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
    // The key-encryption key is a file: made first, removed if the change fails.
    let key_rows = app.keys.create_for_tenant(tenant.id)?;
    let made = async {
        let keys = app.keys.from_new_rows(&tenant, &key_rows)?;
        let link = tenant_link(app, &slug, &format!("activate/{token}"));
        let ttl = app.settings.activation_ttl_secs;
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
        change!(app, tenant.id, None, UseCase::TenantCreate, |c| {
            c.tx.insert_tenant(&tenant).await?;
            for k in &key_rows {
                c.tx.insert_tenant_key(tenant.id, k, c.now).await?;
            }
            c.tx.insert_user(tenant.id, &owner, c.now).await?;
            let (hash, until) = (sha256_hex(token.as_bytes()), c.now.plus_secs(ttl));
            c.tx.insert_token(tenant.id, owner.id, TokenPurpose::Activation, &hash, c.now, until).await?;
            c.tx.enqueue_mail(Some(tenant.id), &mail, c.now).await?;
            c.mail_queued();
            let detail = json(&[("plan", plan.as_str()), ("encryption", if encryption { "on" } else { "off" })]);
            c.audit(AuditDraft::new(AuditKind::TenantCreated).detail(detail)).await?;
            let invited =
                AuditDraft::new(AuditKind::InvitationSent).subject(owner.id).detail(json(&[("role", "owner")]));
            c.audit(invited).await?;
            Ok(())
        })?;
        Ok::<_, AppError>((owner.id, link))
    }
    .await;
    match made {
        Ok((owner_id, link)) => Ok(CreatedTenant { tenant, owner_id, activation_url: link }),
        Err(e) => {
            let _ = app.keys.destroy_tenant(tenant.id);
            Err(match e {
                AppError::Conflict(_) => AppError::Conflict(Conflict::SlugTaken),
                other => other,
            })
        }
    }
}
