//! Agenda templates: the tenant's list, saving a meeting's agenda (or one
//! given) as one, deleting; in the browser and the JSON API.

use crate::error::WebError;
use crate::extract::Query;
use crate::extract::path::TemplateAt;
use crate::extract::{At, Form, Json, Me};
use crate::openapi::Doc;
use crate::pages::{Errors, Page, ok, render};
use crate::respond::{NoticeQuery, notice};
use crate::routes::{Decl, Guard, delete, get, post};
use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use ordo_app::AppError;
use ordo_app::templates::{self, Agenda};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn decls() -> Vec<Decl> {
    vec![
        get("/t/{slug}/templates", Guard::Member, page),
        post("/t/{slug}/templates", Guard::Member, save_form),
        post("/t/{slug}/templates/{id}/delete", Guard::Member, delete_form),
        get("/t/{slug}/api/v1/templates", Guard::Member, api_list)
            .doc(Doc::new("The organisation's agenda templates (not for guests)").ok::<TemplatesOut>(200)),
        post("/t/{slug}/api/v1/templates", Guard::Member, api_create).doc(
            Doc::new("Save an agenda template: a meeting's agenda (meeting_id) or one given (agenda), not both")
                .body::<TemplateIn>()
                .ok::<super::IdOut>(201),
        ),
        delete("/t/{slug}/api/v1/templates/{id}", Guard::Member, api_delete)
            .doc(Doc::new("Delete an agenda template (whoever saved it, or an admin)").done()),
    ]
}

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

#[tracing::instrument(skip_all)]
async fn view(me: &Me, errors: Errors, notice: Option<String>) -> Result<TemplatesTpl, WebError> {
    let rows = templates::list(&me.app, me.tenant(), &me.user)
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
            use_href: me.href(&format!("meetings?template={}#new-h", t.id)),
            delete_action: templates::may_delete(&me.user, t.created_by)
                .then(|| me.href(&format!("templates/{}/delete", t.id))),
        })
        .collect();
    Ok(TemplatesTpl { p: Page::new(&me.ctx, "meetings"), rows, errors, notice })
}

#[tracing::instrument(skip_all)]
async fn page(me: Me, Query(q): Query<NoticeQuery>) -> Result<Response, WebError> {
    let tr = me.ctx.tr();
    Ok(ok(&view(&me, Errors::default(), notice(&tr, q.notice.as_deref())).await?))
}

/// A template to save: a meeting's agenda as the caller sees it, or an
/// agenda given; never both.
#[derive(Deserialize, ToSchema)]
pub struct TemplateIn {
    #[schema(schema_with = crate::openapi::schema::title)]
    pub name: String,
    /// Save this meeting's agenda...
    #[serde(default, alias = "meeting")]
    #[schema(format = Uuid)]
    pub meeting_id: Option<String>,
    /// ...or this one.
    #[serde(default)]
    pub agenda: Option<Agenda>,
}

impl TemplateIn {
    async fn save(&self, me: &Me) -> Result<ordo_core::ids::TemplateId, AppError> {
        let (app, tenant, user) = (&me.app, me.tenant(), &me.user);
        match (&self.meeting_id, &self.agenda) {
            (Some(m), None) => templates::save_from_meeting(app, tenant, user, m, &self.name).await,
            (None, Some(a)) => templates::save(app, tenant, user, &self.name, a).await,
            _ => Err(AppError::Invalid(ordo_core::Invalid::new("agenda", "template.one_source"))),
        }
    }
}

/// Save a meeting's agenda as a template (the form on the meeting page).
#[tracing::instrument(skip_all)]
async fn save_form(me: Me, Form(f, _): Form<TemplateIn>) -> Result<Response, WebError> {
    match f.save(&me).await {
        Ok(_) => Ok(Redirect::to(&me.href("templates?notice=template_saved")).into_response()),
        Err(AppError::Invalid(i)) => {
            // Back to the meeting, the message beside the field.
            let errors = super::meetings::field_errors(&me.ctx, AppError::Invalid(i))?;
            match f.meeting_id.as_deref().map(str::parse) {
                Some(Ok(id)) if i.field != "meeting" => {
                    super::meetings::view::meeting_page_with(&me, id, errors, None).await
                }
                _ => Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &view(&me, errors, None).await?)),
            }
        }
        Err(e) => Err(e.into()),
    }
}

#[tracing::instrument(skip_all)]
async fn delete_form(me: Me, At(p): At<TemplateAt>) -> Result<Response, WebError> {
    templates::delete(&me.app, me.tenant(), &me.user, p.id).await?;
    Ok(Redirect::to(&me.href("templates?notice=deleted")).into_response())
}

#[derive(Serialize, ToSchema)]
pub struct TemplateOut {
    #[schema(format = Uuid)]
    pub id: String,
    pub name: String,
    pub agenda: Agenda,
    #[schema(format = DateTime)]
    pub created_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct TemplatesOut {
    pub templates: Vec<TemplateOut>,
}

#[tracing::instrument(skip_all)]
async fn api_list(me: Me) -> Result<Response, WebError> {
    let templates = templates::list(&me.app, me.tenant(), &me.user)
        .await?
        .into_iter()
        .map(|t| TemplateOut {
            id: t.id.to_string(),
            name: t.name,
            agenda: t.agenda,
            created_at: t.created_at.rfc3339(),
        })
        .collect();
    Ok(axum::Json(TemplatesOut { templates }).into_response())
}

#[tracing::instrument(skip_all)]
async fn api_create(me: Me, Json(b): Json<TemplateIn>) -> Result<Response, WebError> {
    Ok(super::meetings::created(b.save(&me).await?))
}

#[tracing::instrument(skip_all)]
async fn api_delete(me: Me, At(p): At<TemplateAt>) -> Result<Response, WebError> {
    templates::delete(&me.app, me.tenant(), &me.user, p.id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
