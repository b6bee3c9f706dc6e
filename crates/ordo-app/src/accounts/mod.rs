//! Tenants, accounts and sessions: creation, invitation, activation, login and
//! logout, passwords, roles, disabling, the session list and personal API
//! tokens. Every change runs on the one write path (`crate::write`): one
//! transaction with its audit entry (and its e-mail, if any), decided on
//! what that transaction reads.

mod members;
mod passwords;
mod profile;
mod sessions;
mod tenants;
mod tokens;

pub use members::{can_view_members, invite, set_disabled, set_role};
pub use passwords::{
    PasswordChange, activate, activation_user, change_password, forgot_password, reset_password, reset_user, token_user,
};
pub use profile::{Profile, update_profile};
pub use sessions::{LoggedIn, SessionLookup, Signing, end_session, list_sessions, login, logout, resolve_session};
pub use tenants::{CreatedTenant, create_tenant};
pub use tokens::{ApiToken, TokenLookup, create_api_token, list_api_tokens, resolve_api_token, revoke_api_token};

use crate::keys::{Field, TenantKeys};
use crate::{App, AppError};
use ordo_core::ids::{TenantId, UserId};
use ordo_core::tenant::Slug;
use ordo_core::user::{Email, Locale, Role, UserStatus};
use ordo_store::{NewUser, Tenant, UserRow};

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
    /// The zone the user reads times in, if known (chosen, or told by their
    /// browser at sign-in).
    pub time_zone: Option<String>,
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
        time_zone: row.time_zone,
        password_hash: row.password_hash,
        created_at: row.created_at,
    })
}

/// Every user of a tenant, decrypted, in order of creation.
#[tracing::instrument(skip_all)]
pub async fn list_users(app: &App, tenant: &Tenant) -> Result<Vec<User>, AppError> {
    let keys = app.keys.for_tenant(&app.store, tenant).await?;
    app.store.list_users(tenant.id).await?.into_iter().map(|r| open_user(&keys, r)).collect()
}

/// One user of this tenant, decrypted; another tenant's id finds nothing.
#[tracing::instrument(skip_all)]
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
