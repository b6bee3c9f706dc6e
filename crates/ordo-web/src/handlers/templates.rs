//! Agenda templates: the tenant's list, saving a meeting's agenda as one,
//! deleting; in the browser and the JSON API.

use super::{Form, Json, NoticeQuery, notice};
use crate::context::Ctx;
use crate::error::WebError;
use crate::pages::{Errors, Page, ok, render};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use ordo_app::AppError;
use ordo_app::templates::{self, Agenda};
use ordo_core::ids::TemplateId;
use serde::Deserialize;

pub struct TemplateView {
    pub name: String,
    /// The outline: (title, sub-topic titles, standing items).
    pub topics: Vec<(String, Vec<String>, usize)>,
    pub created: String,
    pub use_href: String,
    pub delete_action: Option<String>,
}

#[derive(Template)]
#[template(path = "templates.html")]
pub struct TemplatesTpl {
    pub p: Page,
    pub rows: Vec<TemplateView>,
    pub errors: Errors,
    pub notice: Option<String>,
}

fn template_id(s: &str) -> Result<TemplateId, WebError> {
    s.parse().map_err(|_| WebError::NotFound)
}

async fn view(st: &AppState, ctx: &Ctx, errors: Errors, notice: Option<String>) -> Result<TemplatesTpl, WebError> {
    let auth = ctx.auth()?;
    let rows = templates::list(&st.app, &ctx.tenant, &auth.user)
        .await?
        .into_iter()
        .map(|t| TemplateView {
            topics: t
                .agenda
                .topics
                .iter()
                .map(|x| {
                    let items = x.items.len() + x.subtopics.iter().map(|s| s.items.len()).sum::<usize>();
                    (x.title.clone(), x.subtopics.iter().map(|s| s.title.clone()).collect(), items)
                })
                .collect(),
            name: t.name,
            created: t.created_at.human_utc(),
            use_href: ctx.href(&format!("meetings?template={}#new-h", t.id)),
            delete_action: templates::may_delete(&auth.user, t.created_by)
                .then(|| ctx.href(&format!("templates/{}/delete", t.id))),
        })
        .collect();
    Ok(TemplatesTpl { p: Page::new(ctx, "meetings"), rows, errors, notice })
}

pub async fn page(State(st): State<AppState>, ctx: Ctx, Query(q): Query<NoticeQuery>) -> Result<Response, WebError> {
    let tr = ctx.tr();
    Ok(ok(&view(&st, &ctx, Errors::default(), notice(&tr, q.notice.as_deref())).await?))
}

#[derive(Deserialize)]
pub struct SaveForm {
    #[serde(default)]
    meeting: String,
    #[serde(default)]
    name: String,
}

/// Save a meeting's agenda as a template (the form on the meeting page).
pub async fn save(State(st): State<AppState>, ctx: Ctx, Form(f): Form<SaveForm>) -> Result<Response, WebError> {
    let auth = ctx.auth()?;
    match templates::save_from_meeting(&st.app, &ctx.tenant, &auth.user, &f.meeting, &f.name).await {
        Ok(_) => Ok(Redirect::to(&ctx.href("templates?notice=template_saved")).into_response()),
        Err(AppError::Invalid(i)) => {
            // Back to the meeting, the message beside the field.
            let errors = super::meetings::field_errors(&ctx, AppError::Invalid(i))?;
            match f.meeting.parse() {
                Ok(id) if i.field != "meeting" => super::meetings::meeting_page_with(&st, &ctx, id, errors).await,
                _ => Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &view(&st, &ctx, errors, None).await?)),
            }
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn delete(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let auth = ctx.auth()?;
    templates::delete(&st.app, &ctx.tenant, &auth.user, template_id(&id)?).await?;
    Ok(Redirect::to(&ctx.href("templates?notice=deleted")).into_response())
}

// ---- The API ------------------------------------------------------------------

fn template_json(t: &templates::Template) -> serde_json::Value {
    serde_json::json!({
        "id": t.id.to_string(),
        "name": t.name,
        "agenda": t.agenda,
        "created_at": t.created_at.rfc3339(),
    })
}

pub async fn api_list(State(st): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let auth = ctx.auth()?;
    let list = templates::list(&st.app, &ctx.tenant, &auth.user).await?;
    let out: Vec<serde_json::Value> = list.iter().map(template_json).collect();
    Ok(axum::Json(serde_json::json!({ "templates": out })).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateIn {
    name: String,
    /// Save this meeting's agenda...
    #[serde(default)]
    meeting_id: Option<String>,
    /// ...or this one.
    #[serde(default)]
    agenda: Option<Agenda>,
}

pub async fn api_create(State(st): State<AppState>, ctx: Ctx, Json(b): Json<TemplateIn>) -> Result<Response, WebError> {
    let auth = ctx.auth()?;
    let id = match (&b.meeting_id, &b.agenda) {
        (Some(m), None) => templates::save_from_meeting(&st.app, &ctx.tenant, &auth.user, m, &b.name).await?,
        (None, Some(a)) => templates::save(&st.app, &ctx.tenant, &auth.user, &b.name, a).await?,
        _ => return Err(WebError::Invalid { field: "agenda", code: "template.one_source" }),
    };
    Ok((StatusCode::CREATED, axum::Json(serde_json::json!({ "id": id.to_string() }))).into_response())
}

pub async fn api_delete(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let auth = ctx.auth()?;
    templates::delete(&st.app, &ctx.tenant, &auth.user, template_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
