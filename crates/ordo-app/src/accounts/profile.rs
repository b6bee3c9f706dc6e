//! One's own profile: display name, telephone number, language.

use super::User;
use crate::keys::Field;
use crate::write::{UseCase, change};
use crate::{App, AppError};
use ordo_core::audit::AuditKind;
use ordo_core::user::{DisplayName, Locale};
use ordo_store::{AuditDraft, Tenant};

/// Change one's display name, telephone number (empty clears it) and language.
#[tracing::instrument(skip_all)]
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
    change!(app, tenant.id, Some(user.id), UseCase::ProfileUpdate, |c| {
        c.tx.set_profile(tenant.id, user.id, &sealed, Some(locale), c.now).await?;
        c.tx.set_phone(tenant.id, user.id, sealed_phone.as_ref(), c.now).await?;
        c.audit(AuditDraft::new(AuditKind::ProfileChanged).subject(user.id).ip(ip)).await?;
        Ok(())
    })
}
