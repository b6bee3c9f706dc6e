//! Support's access to one meeting, granted by an admin for a few hours,
//! revocable; each read is in the audit log.

use crate::error::WebError;
use crate::extract::Query;
use crate::extract::path::NameAt;
use crate::extract::{At, Form, Json, Me};
use crate::openapi::Doc;
use crate::pages::{Errors, ok, render};
use crate::respond::{NoticeQuery, notice};
use crate::routes::{Decl, Guard, delete, get, post};
use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use ordo_app::AppError;
use ordo_app::support;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn decls() -> Vec<Decl> {
    vec![
        get("/t/{slug}/admin/support", Guard::Admin, page),
        post("/t/{slug}/admin/support/grants", Guard::Admin, grant_form),
        post("/t/{slug}/admin/support/revoke", Guard::Admin, revoke_form),
        get("/t/{slug}/api/v1/support/grants", Guard::Admin, api_list)
            .doc(Doc::new("Support's accesses to meetings, running and past (admins)").ok::<GrantsOut>(200)),
        post("/t/{slug}/api/v1/support/grants", Guard::Admin, api_grant).doc(
            Doc::new("Let one support member read one meeting for 1 to 72 hours (admins)")
                .body::<GrantIn>()
                .ok::<super::super::IdOut>(201),
        ),
        delete("/t/{slug}/api/v1/support/grants/{id}", Guard::Admin, api_revoke)
            .doc(Doc::new("End a support access now (admins)").done()),
    ]
}

pub struct GrantView {
    pub id: String,
    pub meeting: String,
    pub staff: String,
    pub until: String,
    pub live: bool,
    pub revoked: bool,
}

#[derive(Template)]
#[template(path = "admin_support.html")]
pub struct AdminSupportTpl {
    pub p: crate::pages::Page,
    pub grants: Vec<GrantView>,
    pub meetings: Vec<(String, String)>,
    pub staff: Vec<(String, String)>,
    pub errors: Errors,
    pub notice: Option<String>,
}

#[tracing::instrument(skip_all)]
async fn view(me: &Me, errors: Errors, notice: Option<String>) -> Result<AdminSupportTpl, WebError> {
    let (app, tenant, user) = (&me.app, me.tenant(), &me.user);
    let grants = support::grants(app, tenant, user).await?;
    let meetings = ordo_app::meetings::titles_for_admin(app, tenant, user).await?;
    let staff = support::grantable_staff(app, tenant, user).await?;
    Ok(AdminSupportTpl {
        grants: grants
            .into_iter()
            .map(|g| GrantView {
                id: g.id,
                meeting: g.meeting_title,
                staff: g.staff_name,
                until: g.expires_at.human_utc(),
                live: g.live,
                revoked: g.revoked_at.is_some(),
            })
            .collect(),
        meetings: meetings.into_iter().map(|(id, t, when)| (id.to_string(), format!("{t} ({when})"))).collect(),
        staff: staff.into_iter().map(|(id, n)| (id.to_string(), n)).collect(),
        errors,
        notice,
        p: crate::pages::Page::new(&me.ctx, "admin"),
    })
}

#[tracing::instrument(skip_all)]
async fn page(me: Me, Query(q): Query<NoticeQuery>) -> Result<Response, WebError> {
    let tr = me.ctx.tr();
    Ok(ok(&view(&me, Errors::default(), notice(&tr, q.notice.as_deref())).await?))
}

/// One support member's access to one meeting, for `hours`.
#[derive(Deserialize, ToSchema)]
pub struct GrantIn {
    #[serde(alias = "meeting")]
    #[schema(format = Uuid)]
    pub meeting_id: String,
    #[serde(alias = "staff")]
    #[schema(format = Uuid)]
    pub staff_id: String,
    /// 1 to 72.
    #[schema(schema_with = crate::openapi::schema::grant_hours)]
    pub hours: String,
}

impl GrantIn {
    async fn grant(&self, me: &Me) -> Result<String, AppError> {
        let bad = |field, code| AppError::Invalid(ordo_core::Invalid::new(field, code));
        let meeting = self.meeting_id.parse().map_err(|_| bad("meeting", "id.invalid"))?;
        let staff = self.staff_id.parse().map_err(|_| bad("staff", "grant.staff"))?;
        let hours = self.hours.trim().parse().map_err(|_| bad("hours", "grant.hours"))?;
        support::grant(&me.app, me.tenant(), &me.user, meeting, staff, hours, &me.ctx.ip).await
    }
}

#[tracing::instrument(skip_all)]
async fn after(me: &Me, r: Result<(), AppError>) -> Result<Response, WebError> {
    match r {
        Ok(()) => Ok(Redirect::to(&me.href("admin/support?notice=saved")).into_response()),
        Err(AppError::Invalid(i)) => {
            let errors = Errors::one(i.field, me.ctx.tr().t(&format!("error.{}", i.code)).to_owned());
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &view(me, errors, None).await?))
        }
        Err(e) => Err(e.into()),
    }
}

#[tracing::instrument(skip_all)]
async fn grant_form(me: Me, Form(f, _): Form<GrantIn>) -> Result<Response, WebError> {
    let r = f.grant(&me).await.map(|_| ());
    after(&me, r).await
}

#[tracing::instrument(skip_all)]
async fn api_grant(me: Me, Json(b): Json<GrantIn>) -> Result<Response, WebError> {
    Ok(crate::features::meetings::created(b.grant(&me).await?))
}

#[derive(Deserialize)]
pub struct RevokeForm {
    #[serde(default)]
    grant: String,
}

#[tracing::instrument(skip_all)]
async fn revoke_form(me: Me, Form(f, _): Form<RevokeForm>) -> Result<Response, WebError> {
    let r = match support::revoke(&me.app, me.tenant(), &me.user, &f.grant, &me.ctx.ip).await {
        // An id in the form that names no running grant: a field error.
        Err(AppError::NotFound) => Err(AppError::Invalid(ordo_core::Invalid::new("grant", "id.invalid"))),
        other => other,
    };
    after(&me, r).await
}

#[tracing::instrument(skip_all)]
async fn api_revoke(me: Me, At(p): At<NameAt>) -> Result<Response, WebError> {
    support::revoke(&me.app, me.tenant(), &me.user, &p.id, &me.ctx.ip).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Serialize, ToSchema)]
pub struct GrantOut {
    pub id: String,
    #[schema(format = Uuid)]
    pub meeting_id: String,
    pub meeting_title: String,
    pub staff_name: String,
    #[schema(format = DateTime)]
    pub expires_at: String,
    #[schema(format = DateTime)]
    pub revoked_at: Option<String>,
    /// Running now.
    pub live: bool,
}

#[derive(Serialize, ToSchema)]
pub struct GrantsOut {
    pub grants: Vec<GrantOut>,
}

#[tracing::instrument(skip_all)]
async fn api_list(me: Me) -> Result<Response, WebError> {
    let grants = support::grants(&me.app, me.tenant(), &me.user)
        .await?
        .into_iter()
        .map(|g| GrantOut {
            id: g.id,
            meeting_id: g.meeting_id.to_string(),
            meeting_title: g.meeting_title,
            staff_name: g.staff_name,
            expires_at: g.expires_at.rfc3339(),
            revoked_at: g.revoked_at.map(|t| t.rfc3339()),
            live: g.live,
        })
        .collect();
    Ok(axum::Json(GrantsOut { grants }).into_response())
}
