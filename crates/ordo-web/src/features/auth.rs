//! Sign-in, sign-out, activation of invited accounts, forgotten passwords.

use crate::context::Ctx;
use crate::cookies;
use crate::error::WebError;
use crate::extract::Query;
use crate::extract::path::TokenAt;
use crate::extract::{At, Browser, Form};
use crate::pages::{Errors, ForgotTpl, LoginTpl, MessageTpl, Page, SetPasswordTpl, ok, render};
use crate::respond::{notice, safe_next};
use crate::routes::{Decl, Guard, get, post};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use ordo_app::{AppError, accounts};
use serde::Deserialize;

pub fn decls() -> Vec<Decl> {
    vec![
        get("/t/{slug}", Guard::Public, tenant_root),
        get("/t/{slug}/login", Guard::Public, login_page),
        post("/t/{slug}/login", Guard::Public, login),
        get("/t/{slug}/forgot-password", Guard::Public, forgot_page),
        post("/t/{slug}/forgot-password", Guard::Public, forgot),
        get("/t/{slug}/activate/{token}", Guard::Public, activate_page),
        post("/t/{slug}/activate/{token}", Guard::Public, activate),
        get("/t/{slug}/reset/{token}", Guard::Public, reset_page),
        post("/t/{slug}/reset/{token}", Guard::Public, reset),
        post("/t/{slug}/logout", Guard::User, logout),
    ]
}

/// What a link from an e-mail opens.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Purpose {
    Activation,
    Reset,
}

#[tracing::instrument(skip_all)]
async fn tenant_root(ctx: Ctx) -> Redirect {
    Redirect::to(&ctx.href(""))
}

#[derive(Deserialize, Default)]
pub struct LoginQuery {
    next: Option<String>,
    notice: Option<String>,
}

#[tracing::instrument(skip_all)]
async fn login_page(ctx: Ctx, Query(q): Query<LoginQuery>) -> Response {
    if ctx.auth.is_some() {
        return Redirect::to(&ctx.href("")).into_response();
    }
    let tr = ctx.tr();
    ok(&LoginTpl {
        p: Page::new(&ctx, "login"),
        email: String::new(),
        next: q.next.unwrap_or_default(),
        errors: Errors::default(),
        notice: notice(&tr, q.notice.as_deref()),
    })
}

#[derive(Deserialize)]
pub struct LoginForm {
    email: String,
    password: String,
    #[serde(default)]
    next: String,
}

#[tracing::instrument(skip_all)]
async fn login(State(st): State<AppState>, ctx: Ctx, Form(f, hints): Form<LoginForm>) -> Response {
    let tr = ctx.tr();
    let res = accounts::login(
        &st.app,
        &ctx.tenant,
        &f.email,
        &f.password,
        accounts::Signing {
            ip: &ctx.ip,
            user_agent: &ctx.user_agent,
            previous_secret: ctx.session_cookie.as_deref(),
            // Filled in by app.js from the browser's settings.
            browser_zone: hints.get("_tz"),
        },
    )
    .await;
    match res {
        Ok(done) => {
            let to = safe_next(ctx.tenant.slug.as_str(), &f.next);
            let mut res = Redirect::to(&to).into_response();
            res.headers_mut().append(header::SET_COOKIE, cookies::set(cookies::SESSION, &done.secret));
            res
        }
        Err(e) => {
            let mut wait = None;
            let (status, message) = match e {
                AppError::BadCredentials => (StatusCode::UNAUTHORIZED, tr.t("error.login.failed").to_owned()),
                AppError::Throttled { retry_after_secs } => {
                    wait = Some(retry_after_secs.max(1));
                    (
                        StatusCode::TOO_MANY_REQUESTS,
                        tr.tf("error.throttled_minutes", &[("minutes", &((retry_after_secs + 59) / 60).to_string())]),
                    )
                }
                other => return WebError::from(other).into_response(),
            };
            let mut res = render(
                status,
                &LoginTpl {
                    p: Page::new(&ctx, "login"),
                    email: f.email.chars().take(254).collect(),
                    next: f.next,
                    errors: Errors::one("form", message),
                    notice: None,
                },
            );
            // The real rest of the block, as the message says it.
            if let Some(secs) = wait {
                res.headers_mut().insert(header::RETRY_AFTER, axum::http::HeaderValue::from(secs));
            }
            res
        }
    }
}

#[tracing::instrument(skip_all)]
async fn logout(Browser(me, session): Browser) -> Result<Response, WebError> {
    accounts::logout(&me.app, me.tenant(), &session, &me.ctx.ip).await?;
    let mut res = Redirect::to(&me.href("login?notice=signed_out")).into_response();
    res.headers_mut().append(header::SET_COOKIE, cookies::clear(cookies::SESSION));
    // Nothing of the session stays in this browser.
    res.headers_mut().insert("clear-site-data", axum::http::HeaderValue::from_static("\"cache\", \"storage\""));
    Ok(res)
}

#[tracing::instrument(skip_all)]
async fn forgot_page(ctx: Ctx) -> Response {
    ok(&ForgotTpl { p: Page::new(&ctx, "login") })
}

#[derive(Deserialize)]
pub struct ForgotForm {
    email: String,
}

/// Always the same answer, whether or not the account exists.
#[tracing::instrument(skip_all)]
async fn forgot(State(st): State<AppState>, ctx: Ctx, Form(f, _): Form<ForgotForm>) -> Result<Response, WebError> {
    accounts::forgot_password(&st.app, &ctx.tenant, &f.email, &ctx.ip, ctx.locale).await?;
    let tr = ctx.tr();
    Ok(ok(&MessageTpl {
        p: Page::new(&ctx, "login"),
        title: tr.t("forgot.sent_title").to_owned(),
        text: tr.t("forgot.sent_text").to_owned(),
        link: Some((ctx.href("login"), tr.t("login.back").to_owned())),
    }))
}

fn bad_link(ctx: &Ctx) -> Response {
    let tr = ctx.tr();
    render(
        StatusCode::GONE,
        &MessageTpl {
            p: Page::new(ctx, "login"),
            title: tr.t("link.invalid_title").to_owned(),
            text: tr.t("link.invalid_text").to_owned(),
            link: Some((ctx.href("forgot-password"), tr.t("login.forgot").to_owned())),
        },
    )
}

fn set_password_form(
    ctx: &Ctx,
    purpose: Purpose,
    token: &str,
    email: String,
    display_name: String,
    errors: Errors,
) -> SetPasswordTpl {
    let (title_key, path, ask_name) = match purpose {
        Purpose::Activation => ("activate.title", "activate", true),
        Purpose::Reset => ("reset.title", "reset", false),
    };
    SetPasswordTpl {
        p: Page::new(ctx, "login"),
        title_key,
        action: ctx.href(&format!("{path}/{token}")),
        email,
        ask_name,
        display_name,
        errors,
    }
}

#[tracing::instrument(skip_all)]
async fn link_user(st: &AppState, ctx: &Ctx, purpose: Purpose, token: &str) -> Result<ordo_app::User, AppError> {
    match purpose {
        Purpose::Activation => accounts::activation_user(&st.app, &ctx.tenant, token).await,
        Purpose::Reset => accounts::reset_user(&st.app, &ctx.tenant, token).await,
    }
}

#[tracing::instrument(skip_all)]
async fn token_page(st: &AppState, ctx: &Ctx, purpose: Purpose, token: &str) -> Result<Response, WebError> {
    match link_user(st, ctx, purpose, token).await {
        Ok(user) => Ok(ok(&set_password_form(ctx, purpose, token, user.email, user.display_name, Errors::default()))),
        Err(AppError::BadToken) => Ok(bad_link(ctx)),
        Err(e) => Err(e.into()),
    }
}

#[tracing::instrument(skip_all)]
async fn activate_page(State(st): State<AppState>, ctx: Ctx, At(p): At<TokenAt>) -> Result<Response, WebError> {
    token_page(&st, &ctx, Purpose::Activation, &p.token).await
}

#[tracing::instrument(skip_all)]
async fn reset_page(State(st): State<AppState>, ctx: Ctx, At(p): At<TokenAt>) -> Result<Response, WebError> {
    token_page(&st, &ctx, Purpose::Reset, &p.token).await
}

#[derive(Deserialize)]
pub struct SetPasswordForm {
    password: String,
    #[serde(default)]
    display_name: String,
}

#[tracing::instrument(skip_all)]
async fn set_password(
    st: &AppState,
    ctx: &Ctx,
    purpose: Purpose,
    token: &str,
    f: SetPasswordForm,
) -> Result<Response, WebError> {
    let result = match purpose {
        Purpose::Activation => accounts::activate(&st.app, &ctx.tenant, token, &f.password, &f.display_name, &ctx.ip)
            .await
            .map(|_| "activated"),
        Purpose::Reset => {
            accounts::reset_password(&st.app, &ctx.tenant, token, &f.password, &ctx.ip).await.map(|_| "password_reset")
        }
    };
    match result {
        Ok(key) => {
            let mut res = Redirect::to(&ctx.href(&format!("login?notice={key}"))).into_response();
            if purpose == Purpose::Reset {
                // Every session of this user ended; this browser's too.
                res.headers_mut().append(header::SET_COOKIE, cookies::clear(cookies::SESSION));
            }
            Ok(res)
        }
        Err(AppError::BadToken) => Ok(bad_link(ctx)),
        Err(AppError::Invalid(i)) => {
            let user = match link_user(st, ctx, purpose, token).await {
                Ok(u) => u,
                Err(_) => return Ok(bad_link(ctx)),
            };
            let tr = ctx.tr();
            let errors = Errors::one(i.field, tr.t(&format!("error.{}", i.code)).to_owned());
            Ok(render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &set_password_form(ctx, purpose, token, user.email, f.display_name, errors),
            ))
        }
        Err(e) => Err(e.into()),
    }
}

#[tracing::instrument(skip_all)]
async fn activate(
    State(st): State<AppState>,
    ctx: Ctx,
    At(p): At<TokenAt>,
    Form(f, _): Form<SetPasswordForm>,
) -> Result<Response, WebError> {
    set_password(&st, &ctx, Purpose::Activation, &p.token, f).await
}

#[tracing::instrument(skip_all)]
async fn reset(
    State(st): State<AppState>,
    ctx: Ctx,
    At(p): At<TokenAt>,
    Form(f, _): Form<SetPasswordForm>,
) -> Result<Response, WebError> {
    set_password(&st, &ctx, Purpose::Reset, &p.token, f).await
}
