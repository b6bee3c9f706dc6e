//! Personal API tokens: made, listed, revoked, and resolved on each API
//! call. The secret is shown once and stored only as its SHA-256.

use super::{User, json, open_user};
use crate::keys::Field;
use crate::write::{UseCase, change};
use crate::{App, AppError};
use ordo_core::audit::AuditKind;
use ordo_core::time::Timestamp;
use ordo_core::user::UserStatus;
use ordo_crypto::{random, sha256_hex};
use ordo_store::{AuditDraft, Tenant};

/// A personal API token as its owner sees it (never its secret).
#[derive(Clone, Debug)]
pub struct ApiToken {
    pub id: String,
    pub name: String,
    pub created_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
}

/// The user's tokens that still work.
#[tracing::instrument(skip_all)]
pub async fn list_api_tokens(app: &App, tenant: &Tenant, user: &User) -> Result<Vec<ApiToken>, AppError> {
    let keys = app.keys.for_tenant(&app.store, tenant).await?;
    app.store
        .api_tokens_of(tenant.id, user.id)
        .await?
        .into_iter()
        .filter(|t| !t.revoked)
        .map(|t| {
            let name = keys.open(Field::ApiTokenName, &t.id, &t.name)?;
            Ok(ApiToken { id: t.id, name, created_at: t.created_at, last_used_at: t.last_used_at })
        })
        .collect()
}

/// A new personal API token: (its id, its secret).
#[tracing::instrument(skip_all)]
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
    let hash = sha256_hex(secret.as_bytes());
    let keys = app.keys.for_tenant(&app.store, tenant).await?;
    let sealed = keys.seal(Field::ApiTokenName, &id, name.as_str())?;
    change!(app, tenant.id, Some(user.id), UseCase::ApiTokenCreate, |c| {
        c.tx.insert_api_token(tenant.id, &id, user.id, &sealed, &hash, c.now).await?;
        let detail = json(&[("token", &id)]);
        c.audit(AuditDraft::new(AuditKind::ApiTokenCreated).subject(user.id).detail(detail)).await?;
        Ok(())
    })?;
    Ok((id, secret))
}

#[tracing::instrument(skip_all)]
pub async fn revoke_api_token(app: &App, tenant: &Tenant, user: &User, id: &str) -> Result<(), AppError> {
    change!(app, tenant.id, Some(user.id), UseCase::ApiTokenRevoke, |c| {
        if !c.tx.revoke_api_token(tenant.id, user.id, id, c.now).await? {
            return Err(AppError::NotFound);
        }
        c.audit(AuditDraft::new(AuditKind::ApiTokenRevoked).subject(user.id).detail(json(&[("token", id)]))).await?;
        Ok(())
    })
}

/// What a bearer token means on a tenant's API.
pub enum TokenLookup {
    None,
    Foreign,
    Mine(Box<User>),
}

#[tracing::instrument(skip_all)]
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
