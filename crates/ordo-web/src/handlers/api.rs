//! The JSON API (v1) for what exists so far: the current user, their
//! sessions, and tenant members. Session-authenticated calls that change
//! anything must send the `X-CSRF-Token` header.

use super::Json;
use crate::context::Ctx;
use crate::error::WebError;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use ordo_app::{AppError, accounts};
use ordo_core::ids::SessionId;
use ordo_core::user::Role;
use serde::{Deserialize, Serialize};

#[derive(Serialize)]
struct Me {
    id: String,
    email: String,
    display_name: String,
    role: &'static str,
    locale: &'static str,
    tenant: String,
}

pub async fn me(ctx: Ctx) -> Result<Response, WebError> {
    let a = ctx.auth()?;
    Ok(axum::Json(Me {
        id: a.user.id.to_string(),
        email: a.user.email.clone(),
        display_name: a.user.display_name.clone(),
        role: a.user.role.as_str(),
        locale: ctx.locale.as_str(),
        tenant: ctx.tenant.slug.to_string(),
    })
    .into_response())
}

#[derive(Serialize)]
struct SessionOut {
    id: String,
    device: String,
    ip: String,
    created_at: String,
    last_seen_at: String,
    expires_at: String,
    current: bool,
}

pub async fn sessions(State(st): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let a = ctx.auth()?;
    let list = st.app.store.list_user_sessions(ctx.tenant.id, a.user.id).await.map_err(AppError::from)?;
    let out: Vec<SessionOut> = list
        .into_iter()
        .map(|s| SessionOut {
            id: s.id.to_string(),
            device: ordo_core::device::describe(&s.user_agent),
            ip: s.ip,
            created_at: s.created_at.rfc3339(),
            last_seen_at: s.last_seen_at.rfc3339(),
            expires_at: s.expires_at.rfc3339(),
            current: s.id == a.session.id,
        })
        .collect();
    Ok(axum::Json(serde_json::json!({ "sessions": out })).into_response())
}

pub async fn end_session(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let a = ctx.auth()?;
    let id: SessionId = id.parse().map_err(|_| WebError::NotFound)?;
    accounts::end_session(&st.app, &ctx.tenant, &a.user, id, &ctx.ip).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Serialize)]
struct MemberOut {
    id: String,
    email: String,
    display_name: String,
    role: &'static str,
    status: &'static str,
}

pub async fn members(State(st): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let users = accounts::list_users(&st.app, &ctx.tenant).await?;
    let out: Vec<MemberOut> = users
        .into_iter()
        .map(|u| MemberOut {
            id: u.id.to_string(),
            email: u.email,
            display_name: u.display_name,
            role: u.role.as_str(),
            status: u.status.as_str(),
        })
        .collect();
    Ok(axum::Json(serde_json::json!({ "members": out })).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InviteIn {
    email: String,
    role: String,
}

pub async fn invite(State(st): State<AppState>, ctx: Ctx, Json(body): Json<InviteIn>) -> Result<Response, WebError> {
    let a = ctx.auth()?;
    let role: Role =
        body.role.parse().map_err(|i: ordo_core::Invalid| WebError::Invalid { field: i.field, code: i.code })?;
    let id = accounts::invite(&st.app, &ctx.tenant, &a.user, &body.email, role, &ctx.ip).await?;
    Ok((StatusCode::CREATED, axum::Json(serde_json::json!({ "id": id.to_string() }))).into_response())
}
