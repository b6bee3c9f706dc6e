//! Signing in to the console: password, then the one-time code (or enrolling it), activating an invited account, signing out.

use super::{COOKIE, NoticeQuery, OpsCtx, OpsPage, field_errors, notice, with_cookie};
use crate::cookies;
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
use serde::Deserialize;

pub(super) fn decls() -> Vec<super::OpsDecl> {
    use super::OpsAccess::{Password, Public};
    use super::{get, post};
    vec![
        get("/ops/login", Public, login_page),
        post("/ops/login", Public, login),
        get("/ops/activate/{token}", Public, activate_page),
        post("/ops/activate/{token}", Public, activate),
        get("/ops/mfa", Password, mfa_page),
        post("/ops/mfa", Password, mfa),
        get("/ops/enrol", Password, enrol_page),
        post("/ops/enrol", Password, enrol),
        post("/ops/logout", Password, logout),
    ]
}

#[derive(Template)]
#[template(path = "ops_login.html")]
struct LoginTpl {
    p: OpsPage,
    email: String,
    errors: Errors,
    notice: Option<String>,
}

#[derive(Template)]
#[template(path = "ops_activate.html")]
struct ActivateTpl {
    p: OpsPage,
    action: String,
    errors: Errors,
}

#[derive(Template)]
#[template(path = "ops_mfa.html")]
struct MfaTpl {
    p: OpsPage,
    errors: Errors,
}

#[derive(Template)]
#[template(path = "ops_enrol.html")]
struct EnrolTpl {
    p: OpsPage,
    secret: String,
    uri: String,
    sealed: String,
    errors: Errors,
}

#[derive(Template)]
#[template(path = "ops_codes.html")]
struct CodesTpl {
    p: OpsPage,
    codes: Vec<String>,
}

#[tracing::instrument(skip_all)]
async fn login_page(ctx: OpsCtx, Query(q): Query<NoticeQuery>) -> Response {
    let tr = ctx.tr();
    ok(&LoginTpl {
        p: OpsPage::new(&ctx, "login"),
        email: String::new(),
        errors: Errors::default(),
        notice: notice(&tr, q.notice.as_deref()),
    })
}

#[derive(Deserialize)]
pub struct LoginForm {
    email: String,
    password: String,
}

#[tracing::instrument(skip_all)]
async fn login(State(st): State<AppState>, ctx: OpsCtx, Form(f, _): Form<LoginForm>) -> Result<Response, WebError> {
    match staff::login(&st.app, &f.email, &f.password, &ctx.ip, &ctx.user_agent).await {
        Ok(done) => {
            let to = if done.auth.staff.enrolled { "/ops/mfa" } else { "/ops/enrol" };
            Ok(with_cookie(Redirect::to(to).into_response(), cookies::set(COOKIE, &done.secret)))
        }
        Err(e) => {
            let throttled = matches!(e, AppError::Throttled { .. });
            let errors = field_errors(&ctx.tr(), e)?;
            let status = if throttled { StatusCode::TOO_MANY_REQUESTS } else { StatusCode::UNAUTHORIZED };
            let email = f.email.chars().take(254).collect();
            Ok(render(status, &LoginTpl { p: OpsPage::new(&ctx, "login"), email, errors, notice: None }))
        }
    }
}

#[tracing::instrument(skip_all)]
async fn activate_page(ctx: OpsCtx, Path(token): Path<String>) -> Response {
    ok(&ActivateTpl {
        p: OpsPage::new(&ctx, "login"),
        action: format!("/ops/activate/{token}"),
        errors: Errors::default(),
    })
}

#[derive(Deserialize)]
pub struct PasswordForm {
    password: String,
}

#[tracing::instrument(skip_all)]
async fn activate(
    State(st): State<AppState>,
    ctx: OpsCtx,
    Path(token): Path<String>,
    Form(f, _): Form<PasswordForm>,
) -> Result<Response, WebError> {
    match staff::activate(&st.app, &token, &f.password).await {
        Ok(_) => Ok(Redirect::to("/ops/login?notice=activated").into_response()),
        Err(AppError::BadToken) => Err(WebError::BadToken),
        Err(e) => {
            let errors = field_errors(&ctx.tr(), e)?;
            let t = ActivateTpl { p: OpsPage::new(&ctx, "login"), action: format!("/ops/activate/{token}"), errors };
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &t))
        }
    }
}

#[tracing::instrument(skip_all)]
async fn mfa_page(ctx: OpsCtx) -> Result<Response, WebError> {
    let a = ctx.auth()?;
    if !a.staff.enrolled {
        return Ok(Redirect::to("/ops/enrol").into_response());
    }
    Ok(ok(&MfaTpl { p: OpsPage::new(&ctx, "login"), errors: Errors::default() }))
}

#[derive(Deserialize)]
pub struct CodeForm {
    code: String,
}

#[tracing::instrument(skip_all)]
async fn mfa(State(st): State<AppState>, ctx: OpsCtx, Form(f, _): Form<CodeForm>) -> Result<Response, WebError> {
    let a = ctx.auth()?;
    match staff::second_factor(&st.app, a, &f.code, &ctx.ip).await {
        Ok(secret) => Ok(with_cookie(Redirect::to("/ops/").into_response(), cookies::set(COOKIE, &secret))),
        Err(e) => {
            let errors = field_errors(&ctx.tr(), e)?;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &MfaTpl { p: OpsPage::new(&ctx, "login"), errors }))
        }
    }
}

#[tracing::instrument(skip_all)]
async fn enrol_page(State(st): State<AppState>, ctx: OpsCtx) -> Result<Response, WebError> {
    let a = ctx.auth()?;
    if a.staff.enrolled {
        return Ok(Redirect::to("/ops/mfa").into_response());
    }
    let e = staff::begin_enrolment(&st.app, a)?;
    let t = EnrolTpl {
        p: OpsPage::new(&ctx, "login"),
        secret: e.secret_base32,
        uri: e.uri,
        sealed: e.sealed,
        errors: Errors::default(),
    };
    Ok(ok(&t))
}

#[derive(Deserialize)]
pub struct EnrolForm {
    code: String,
    sealed: String,
}

#[tracing::instrument(skip_all)]
async fn enrol(State(st): State<AppState>, ctx: OpsCtx, Form(f, _): Form<EnrolForm>) -> Result<Response, WebError> {
    let a = ctx.auth()?;
    if a.staff.enrolled {
        // Replacing a second factor is not done from a session it opened.
        return Ok(Redirect::to("/ops/mfa").into_response());
    }
    match staff::confirm_enrolment(&st.app, a, &f.sealed, &f.code).await {
        Ok((codes, secret)) => {
            Ok(with_cookie(ok(&CodesTpl { p: OpsPage::new(&ctx, "login"), codes }), cookies::set(COOKIE, &secret)))
        }
        Err(e) => {
            let errors = field_errors(&ctx.tr(), e)?;
            // The same secret again: the app already holds it.
            let secret = String::new();
            let t = EnrolTpl { p: OpsPage::new(&ctx, "login"), secret, uri: String::new(), sealed: f.sealed, errors };
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &t))
        }
    }
}

#[tracing::instrument(skip_all)]
async fn logout(State(st): State<AppState>, ctx: OpsCtx) -> Result<Response, WebError> {
    staff::logout(&st.app, ctx.auth()?).await?;
    Ok(with_cookie(Redirect::to("/ops/login?notice=signed_out").into_response(), cookies::clear(COOKIE)))
}
