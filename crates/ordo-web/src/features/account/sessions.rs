//! The sessions I have open: listed, ended.

use crate::cookies;
use crate::error::WebError;
use crate::extract::Query;
use crate::extract::path::SessionAt;
use crate::extract::{At, Me};
use crate::openapi::Doc;
use crate::pages::{Page, SessionRow, SessionsTpl, ok};
use crate::respond::{NoticeQuery, notice};
use crate::routes::{Decl, Guard, delete, get, post};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use ordo_app::accounts;
use ordo_core::device;
use serde::Serialize;
use utoipa::ToSchema;

pub fn decls() -> Vec<Decl> {
    vec![
        get("/t/{slug}/settings/sessions", Guard::User, page),
        post("/t/{slug}/settings/sessions/{id}/end", Guard::User, end_form),
        get("/t/{slug}/api/v1/sessions", Guard::User, api_list)
            .doc(Doc::new("My sessions (device, address, last activity)").ok::<SessionsOut>(200)),
        delete("/t/{slug}/api/v1/sessions/{id}", Guard::User, api_end).doc(Doc::new("End one of my sessions").done()),
    ]
}

#[tracing::instrument(skip_all)]
async fn page(me: Me, Query(q): Query<NoticeQuery>) -> Result<Response, WebError> {
    let current = me.session.as_ref().map(|s| s.id);
    let rows = accounts::list_sessions(&me.app, me.tenant(), &me.user)
        .await?
        .into_iter()
        .map(|s| SessionRow {
            id: s.id.to_string(),
            device: device::describe(&s.user_agent),
            ip: s.ip,
            last_seen: s.last_seen_at.human_utc(),
            last_seen_iso: s.last_seen_at.rfc3339(),
            created: s.created_at.human_utc(),
            created_iso: s.created_at.rfc3339(),
            current: Some(s.id) == current,
        })
        .collect();
    let tr = me.ctx.tr();
    Ok(ok(&SessionsTpl { rows, notice: notice(&tr, q.notice.as_deref()), p: Page::new(&me.ctx, "settings") }))
}

#[tracing::instrument(skip_all)]
async fn end_form(me: Me, At(p): At<SessionAt>) -> Result<Response, WebError> {
    accounts::end_session(&me.app, me.tenant(), &me.user, p.id, &me.ctx.ip).await?;
    if me.session.as_ref().is_some_and(|s| s.id == p.id) {
        let mut res = Redirect::to(&me.href("login?notice=signed_out")).into_response();
        res.headers_mut().append(header::SET_COOKIE, cookies::clear(cookies::SESSION));
        return Ok(res);
    }
    Ok(Redirect::to(&me.href("settings/sessions?notice=session_ended")).into_response())
}

#[derive(Serialize, ToSchema)]
pub struct SessionOut {
    #[schema(format = Uuid)]
    pub id: String,
    pub device: String,
    pub ip: String,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub last_seen_at: String,
    #[schema(format = DateTime)]
    pub expires_at: String,
    /// The session of this very call.
    pub current: bool,
}

#[derive(Serialize, ToSchema)]
pub struct SessionsOut {
    pub sessions: Vec<SessionOut>,
}

#[tracing::instrument(skip_all)]
async fn api_list(me: Me) -> Result<Response, WebError> {
    let current = me.session.as_ref().map(|s| s.id);
    let sessions = accounts::list_sessions(&me.app, me.tenant(), &me.user)
        .await?
        .into_iter()
        .map(|s| SessionOut {
            id: s.id.to_string(),
            device: device::describe(&s.user_agent),
            ip: s.ip,
            created_at: s.created_at.rfc3339(),
            last_seen_at: s.last_seen_at.rfc3339(),
            expires_at: s.expires_at.rfc3339(),
            current: Some(s.id) == current,
        })
        .collect();
    Ok(axum::Json(SessionsOut { sessions }).into_response())
}

#[tracing::instrument(skip_all)]
async fn api_end(me: Me, At(p): At<SessionAt>) -> Result<Response, WebError> {
    accounts::end_session(&me.app, me.tenant(), &me.user, p.id, &me.ctx.ip).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
