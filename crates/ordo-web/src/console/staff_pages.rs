//! The platform's staff: the list, invitations, disabling.

use super::{NoticeQuery, OpsCtx, OpsPage, field_errors, notice};
use crate::error::WebError;
use crate::extract::Form;
use crate::pages::{Errors, ok, render};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use ordo_app::AppError;
use ordo_app::staff;
use ordo_core::staff::{PlatformRole, StaffAction};
use serde::Deserialize;

pub(super) fn decls() -> Vec<super::OpsDecl> {
    use super::OpsAccess::Staff;
    use super::{get, post};
    vec![
        get("/ops/staff", Staff(StaffAction::ViewTenants), staff_page),
        post("/ops/staff", Staff(StaffAction::ManageStaff), invite),
        post("/ops/staff/{id}/disable", Staff(StaffAction::ManageStaff), disable),
        post("/ops/staff/{id}/enable", Staff(StaffAction::ManageStaff), enable),
    ]
}

pub struct StaffRowView {
    pub id: String,
    pub name: String,
    pub email: String,
    pub role: String,
    pub status: String,
    pub disabled: bool,
    pub enrolled: bool,
    pub me: bool,
}

#[derive(Template)]
#[template(path = "ops_staff.html")]
struct StaffTpl {
    p: OpsPage,
    rows: Vec<StaffRowView>,
    can_manage: bool,
    roles: Vec<(&'static str, String)>,
    errors: Errors,
    notice: Option<String>,
}

#[tracing::instrument(skip_all)]
async fn staff_view(st: &AppState, ctx: &OpsCtx, errors: Errors, notice: Option<String>) -> Result<StaffTpl, WebError> {
    let a = ctx.auth()?;
    let tr = ctx.tr();
    let rows = staff::list(&st.app, a)
        .await?
        .into_iter()
        .map(|s| StaffRowView {
            id: s.id.to_string(),
            me: s.id == a.staff.id,
            name: s.display_name,
            email: s.email,
            role: tr.t(&format!("ops.role.{}", s.role.as_str())).to_owned(),
            status: tr.t(&format!("status.{}", s.status.as_str())).to_owned(),
            disabled: s.status == ordo_core::user::UserStatus::Disabled,
            enrolled: s.enrolled,
        })
        .collect();
    Ok(StaffTpl {
        p: OpsPage::new(ctx, "staff"),
        rows,
        can_manage: ordo_core::staff::staff_may(a.staff.role, StaffAction::ManageStaff),
        roles: PlatformRole::ALL
            .iter()
            .map(|r| (r.as_str(), tr.t(&format!("ops.role.{}", r.as_str())).to_owned()))
            .collect(),
        errors,
        notice,
    })
}

#[tracing::instrument(skip_all)]
async fn staff_page(
    State(st): State<AppState>,
    ctx: OpsCtx,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, WebError> {
    let tr = ctx.tr();
    Ok(ok(&staff_view(&st, &ctx, Errors::default(), notice(&tr, q.notice.as_deref())).await?))
}

#[derive(Deserialize)]
pub struct InviteForm {
    email: String,
    name: String,
    role: String,
}

#[tracing::instrument(skip_all)]
async fn invite(State(st): State<AppState>, ctx: OpsCtx, Form(f, _): Form<InviteForm>) -> Result<Response, WebError> {
    let a = ctx.auth()?;
    let tr = ctx.tr();
    let result = match f.role.parse::<PlatformRole>() {
        Ok(role) => staff::invite(&st.app, Some(a), &f.email, &f.name, role).await,
        Err(i) => Err(AppError::Invalid(i)),
    };
    match result {
        Ok(_) => Ok(Redirect::to("/ops/staff?notice=invited").into_response()),
        Err(e) => {
            let errors = field_errors(&tr, e)?;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &staff_view(&st, &ctx, errors, None).await?))
        }
    }
}

#[tracing::instrument(skip_all)]
async fn set_disabled(st: &AppState, ctx: &OpsCtx, id: &str, disabled: bool) -> Result<Response, WebError> {
    let a = ctx.auth()?;
    let id = id.parse().map_err(|_| WebError::NotFound)?;
    staff::set_disabled(&st.app, a, id, disabled).await?;
    let n = if disabled { "disabled" } else { "enabled" };
    Ok(Redirect::to(&format!("/ops/staff?notice={n}")).into_response())
}

#[tracing::instrument(skip_all)]
async fn disable(State(st): State<AppState>, ctx: OpsCtx, Path(id): Path<String>) -> Result<Response, WebError> {
    set_disabled(&st, &ctx, &id, true).await
}

#[tracing::instrument(skip_all)]
async fn enable(State(st): State<AppState>, ctx: OpsCtx, Path(id): Path<String>) -> Result<Response, WebError> {
    set_disabled(&st, &ctx, &id, false).await
}
