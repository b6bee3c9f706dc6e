//! One's own profile: display name, telephone number, language, time zone.

use super::User;
use crate::keys::Field;
use crate::write::{UseCase, change};
use crate::{App, AppError};
use ordo_core::audit::AuditKind;
use ordo_core::user::{DisplayName, Locale};
use ordo_store::{AuditDraft, Tenant};

/// One's profile as a form gives it.
pub struct Profile<'a> {
    pub display_name: &'a str,
    /// Empty clears it.
    pub phone: &'a str,
    pub locale: Locale,
    /// An IANA name; empty: none (times in each meeting's own zone).
    pub time_zone: &'a str,
}

/// Change one's display name, telephone number, language and time zone.
#[tracing::instrument(skip_all)]
pub async fn update_profile(app: &App, tenant: &Tenant, user: &User, p: Profile<'_>, ip: &str) -> Result<(), AppError> {
    let Profile { display_name, phone, locale, time_zone } = p;
    let name = DisplayName::parse(display_name)?;
    let zone = if time_zone.trim().is_empty() { None } else { Some(ordo_core::dates::Zone::parse(time_zone)?) };
    let phone = if phone.trim().is_empty() { None } else { Some(ordo_core::user::Phone::parse(phone)?) };
    let keys = app.keys.for_tenant(&app.store, tenant).await?;
    let rid = user.id.to_string();
    let sealed = keys.seal(Field::UserDisplayName, &rid, name.as_str())?;
    let sealed_phone = phone.map(|p| keys.seal(Field::UserPhone, &rid, p.as_str())).transpose()?;
    change!(app, tenant.id, Some(user.id), UseCase::ProfileUpdate, |c| {
        c.tx.set_profile(tenant.id, user.id, &sealed, Some(locale), zone.as_ref().map(|z| z.as_str()), c.now).await?;
        c.tx.set_phone(tenant.id, user.id, sealed_phone.as_ref(), c.now).await?;
        c.audit(AuditDraft::new(AuditKind::ProfileChanged).subject(user.id).ip(ip)).await?;
        Ok(())
    })
}
