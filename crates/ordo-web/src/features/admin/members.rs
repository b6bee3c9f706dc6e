//! Members: invitations, roles, disabling and enabling.

use crate::error::WebError;
use crate::extract::Query;
use crate::extract::path::MemberAt;
use crate::extract::{At, Form, Json, Me};
use crate::openapi::Doc;
use crate::pages::{Errors, MemberRow, MembersTpl, Page, RoleOpt, ok, render};
use crate::respond::{NoticeQuery, notice};
use crate::routes::{Decl, Guard, get, patch, post};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use ordo_app::i18n::Tr;
use ordo_app::{AppError, accounts};
use ordo_core::policy::{self, Actor, TenantAction};
use ordo_core::user::{Role, UserStatus};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn decls() -> Vec<Decl> {
    vec![
        get("/t/{slug}/admin/members", Guard::Admin, page),
        post("/t/{slug}/admin/members/invite", Guard::Admin, invite_form),
        post("/t/{slug}/admin/members/{id}/role", Guard::Admin, role_form),
        post("/t/{slug}/admin/members/{id}/disable", Guard::Admin, disable_form),
        post("/t/{slug}/admin/members/{id}/enable", Guard::Admin, enable_form),
        get("/t/{slug}/api/v1/members", Guard::Admin, api_list)
            .doc(Doc::new("Members of the organisation (admins)").ok::<MembersOut>(200)),
        post("/t/{slug}/api/v1/members", Guard::Admin, api_invite).doc(
            Doc::new("Invite someone (admins); sends the activation e-mail")
                .body::<InviteIn>()
                .ok::<super::super::IdOut>(201)
                .conflict(),
        ),
        patch("/t/{slug}/api/v1/members/{id}", Guard::Admin, api_role)
            .doc(Doc::new("Change a member's role (admins, within their own rights)").body::<MemberRoleIn>().done()),
        post("/t/{slug}/api/v1/members/{id}/disable", Guard::Admin, api_disable)
            .doc(Doc::new("Disable a member: every session of theirs ends at once").no_body().ok::<Ended>(200)),
        post("/t/{slug}/api/v1/members/{id}/enable", Guard::Admin, api_enable)
            .doc(Doc::new("Enable a member again").no_body().done()),
    ]
}

fn role_options(tr: &Tr, actor: Role, selected: Role) -> Vec<RoleOpt> {
    Role::ALL
        .into_iter()
        .filter(|r| {
            *r == selected || policy::authorize(Actor { role: actor }, TenantAction::Invite { role: *r }, false).is_ok()
        })
        .map(|r| RoleOpt {
            value: r.as_str(),
            label: tr.t(&format!("role.{}", r.as_str())).to_owned(),
            selected: r == selected,
        })
        .collect()
}

#[tracing::instrument(skip_all)]
async fn view(me: &Me, errors: Errors, invite_email: String, notice: Option<String>) -> Result<MembersTpl, WebError> {
    let tr = me.ctx.tr();
    let users = accounts::list_users(&me.app, me.tenant()).await?;
    let actor = Actor { role: me.user.role };
    let rows = users
        .into_iter()
        .map(|u| {
            let is_self = u.id == me.user.id;
            let manageable = policy::authorize(actor, TenantAction::SetDisabled { target: u.role }, is_self).is_ok();
            MemberRow {
                id: u.id.to_string(),
                name: u.display_name,
                email: u.email,
                role_label: tr.t(&format!("role.{}", u.role.as_str())).to_owned(),
                role_options: role_options(&tr, me.user.role, u.role),
                status_label: tr.t(&format!("status.{}", u.status.as_str())).to_owned(),
                disabled: u.status == UserStatus::Disabled,
                manageable,
            }
        })
        .collect();
    Ok(MembersTpl {
        rows,
        invite_roles: role_options(&tr, me.user.role, Role::Member),
        invite_email,
        errors,
        notice,
        p: Page::new(&me.ctx, "admin"),
    })
}

#[tracing::instrument(skip_all)]
async fn page(me: Me, Query(q): Query<NoticeQuery>) -> Result<Response, WebError> {
    let tr = me.ctx.tr();
    Ok(ok(&view(&me, Errors::default(), String::new(), notice(&tr, q.notice.as_deref())).await?))
}

/// Someone to invite, with their role.
#[derive(Deserialize, ToSchema)]
pub struct InviteIn {
    #[schema(schema_with = crate::openapi::schema::email)]
    pub email: String,
    #[schema(schema_with = crate::openapi::schema::role)]
    pub role: String,
}

impl InviteIn {
    async fn invite(&self, me: &Me) -> Result<ordo_core::ids::UserId, AppError> {
        let role: Role = self.role.parse()?;
        accounts::invite(&me.app, me.tenant(), &me.user, &self.email, role, &me.ctx.ip).await
    }
}

#[tracing::instrument(skip_all)]
async fn invite_form(me: Me, Form(f, _): Form<InviteIn>) -> Result<Response, WebError> {
    let tr = me.ctx.tr();
    let (status, errors) = match f.invite(&me).await {
        Ok(_) => return Ok(Redirect::to(&me.href("admin/members?notice=invited")).into_response()),
        Err(AppError::Invalid(i)) if i.field == "role" => return Err(WebError::BadRequest),
        Err(AppError::Invalid(i)) => {
            (StatusCode::UNPROCESSABLE_ENTITY, Errors::one(i.field, tr.t(&format!("error.{}", i.code)).to_owned()))
        }
        Err(AppError::Conflict(_)) => {
            (StatusCode::CONFLICT, Errors::one("email", tr.t("error.email.taken").to_owned()))
        }
        Err(e) => return Err(e.into()),
    };
    let email: String = f.email.chars().take(254).collect();
    Ok(render(status, &view(&me, errors, email, None).await?))
}

#[tracing::instrument(skip_all)]
async fn api_invite(me: Me, Json(b): Json<InviteIn>) -> Result<Response, WebError> {
    Ok(crate::features::meetings::created(b.invite(&me).await?))
}

/// A member's new role.
#[derive(Deserialize, ToSchema)]
pub struct MemberRoleIn {
    #[schema(schema_with = crate::openapi::schema::role)]
    pub role: String,
}

#[tracing::instrument(skip_all)]
async fn set_role(me: &Me, p: &MemberAt, b: &MemberRoleIn) -> Result<(), AppError> {
    let role: Role = b.role.parse()?;
    accounts::set_role(&me.app, me.tenant(), &me.user, p.id, role, &me.ctx.ip).await
}

#[tracing::instrument(skip_all)]
async fn role_form(me: Me, At(p): At<MemberAt>, Form(f, _): Form<MemberRoleIn>) -> Result<Response, WebError> {
    set_role(&me, &p, &f).await?;
    Ok(Redirect::to(&me.href("admin/members?notice=role_changed")).into_response())
}

#[tracing::instrument(skip_all)]
async fn api_role(me: Me, At(p): At<MemberAt>, Json(b): Json<MemberRoleIn>) -> Result<Response, WebError> {
    set_role(&me, &p, &b).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[tracing::instrument(skip_all)]
async fn disable_form(me: Me, At(p): At<MemberAt>) -> Result<Response, WebError> {
    accounts::set_disabled(&me.app, me.tenant(), &me.user, p.id, true, &me.ctx.ip).await?;
    Ok(Redirect::to(&me.href("admin/members?notice=disabled")).into_response())
}

#[tracing::instrument(skip_all)]
async fn enable_form(me: Me, At(p): At<MemberAt>) -> Result<Response, WebError> {
    accounts::set_disabled(&me.app, me.tenant(), &me.user, p.id, false, &me.ctx.ip).await?;
    Ok(Redirect::to(&me.href("admin/members?notice=enabled")).into_response())
}

#[derive(Serialize, ToSchema)]
pub struct Ended {
    /// How many of their sessions ended.
    pub sessions_ended: u64,
}

#[tracing::instrument(skip_all)]
async fn api_disable(me: Me, At(p): At<MemberAt>) -> Result<Response, WebError> {
    let n = accounts::set_disabled(&me.app, me.tenant(), &me.user, p.id, true, &me.ctx.ip).await?;
    Ok(axum::Json(Ended { sessions_ended: n }).into_response())
}

#[tracing::instrument(skip_all)]
async fn api_enable(me: Me, At(p): At<MemberAt>) -> Result<Response, WebError> {
    accounts::set_disabled(&me.app, me.tenant(), &me.user, p.id, false, &me.ctx.ip).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Serialize, ToSchema)]
pub struct MemberOut {
    #[schema(format = Uuid)]
    pub id: String,
    pub email: String,
    pub display_name: String,
    #[schema(schema_with = crate::openapi::schema::role)]
    pub role: &'static str,
    #[schema(schema_with = crate::openapi::schema::user_status)]
    pub status: &'static str,
}

#[derive(Serialize, ToSchema)]
pub struct MembersOut {
    pub members: Vec<MemberOut>,
}

#[tracing::instrument(skip_all)]
async fn api_list(me: Me) -> Result<Response, WebError> {
    let members = accounts::list_users(&me.app, me.tenant())
        .await?
        .into_iter()
        .map(|u| MemberOut {
            id: u.id.to_string(),
            email: u.email,
            display_name: u.display_name,
            role: u.role.as_str(),
            status: u.status.as_str(),
        })
        .collect();
    Ok(axum::Json(MembersOut { members }).into_response())
}
