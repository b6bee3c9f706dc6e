//! The signed-in user's own pages: home, profile, password, sessions.

use super::{Form, NoticeQuery, notice};
use crate::context::Ctx;
use crate::cookies;
use crate::error::WebError;
use crate::pages::{Errors, HomeTpl, Page, PasswordTpl, ProfileTpl, SessionRow, SessionsTpl, ok, render};
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use ordo_app::{AppError, accounts};
use ordo_core::device;
use ordo_core::ids::SessionId;
use ordo_core::user::Locale;
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct HomeQuery {
    actions: Option<String>,
}

/// The dashboard: my upcoming and recent meetings, my actions (open,
/// overdue, done) across all meetings.
pub async fn home(State(st): State<AppState>, ctx: Ctx, Query(q): Query<HomeQuery>) -> Result<Response, WebError> {
    use ordo_core::meeting::ActionStatus;
    let auth = ctx.auth()?;
    let tr = ctx.tr();
    let now = st.app.now();
    let meetings = ordo_app::meetings::my_meetings(&st.app, &ctx.tenant, &auth.user).await?;
    let view = |m: &ordo_app::meetings::Meeting| crate::pages::MeetingRowView {
        href: ctx.href(&format!("meetings/{}", m.id)),
        title: m.title.clone(),
        when: m.local_start.replace('T', " "),
        zone: m.time_zone.clone(),
        status: tr.t(&format!("meeting.status.{}", m.status.as_str())).to_owned(),
    };
    let ends = |m: &ordo_app::meetings::Meeting| m.starts_at.plus_secs(m.duration_minutes * 60);
    let upcoming = meetings.iter().filter(|m| ends(m) >= now).take(10).map(view).collect();
    let recent = meetings.iter().rev().filter(|m| ends(m) < now).take(10).map(view).collect();
    let today =
        jiff::Timestamp::from_second(now.unix()).map(|t| t.strftime("%Y-%m-%d").to_string()).unwrap_or_default();
    let filter = match q.actions.as_deref() {
        Some("overdue") => "overdue",
        Some("done") => "done",
        _ => "open",
    };
    let actions = ordo_app::meetings::my_actions(&st.app, &ctx.tenant, &auth.user)
        .await?
        .into_iter()
        .filter(|a| {
            let overdue = a.status == ActionStatus::Open && a.due_date.as_deref().is_some_and(|d| d < today.as_str());
            match filter {
                "overdue" => overdue,
                "done" => a.status == ActionStatus::Done,
                _ => a.status == ActionStatus::Open,
            }
        })
        .map(|a| crate::pages::ActionRowView {
            href: ctx.href(&format!("meetings/{}#el-{}", a.meeting_id, a.element_id)),
            overdue: a.status == ActionStatus::Open && a.due_date.as_deref().is_some_and(|d| d < today.as_str()),
            title: a.title,
            due_date: a.due_date.unwrap_or_default(),
        })
        .collect();
    Ok(ok(&HomeTpl {
        greeting: tr.tf("home.greeting", &[("name", &auth.user.display_name)]),
        upcoming,
        recent,
        actions,
        filter,
        p: Page::new(&ctx, "home"),
    }))
}

/// The profile page as it stands for the signed-in user.
async fn profile_view(st: &AppState, ctx: &Ctx, notice: Option<String>) -> Result<ProfileTpl, WebError> {
    let auth = ctx.auth()?;
    let feed_since = ordo_app::feeds::since(&st.app, &ctx.tenant, &auth.user)
        .await?
        .map(|t| ordo_core::meeting::Start::local(t, "UTC").replace('T', " ") + " UTC");
    Ok(ProfileTpl {
        reminders: ordo_app::reminders::wanted(&st.app, &ctx.tenant, &auth.user).await?,
        feed_since,
        feed_url: None,
        email: auth.user.email.clone(),
        display_name: auth.user.display_name.clone(),
        phone: auth.user.phone.clone().unwrap_or_default(),
        locale: ctx.locale.as_str(),
        errors: Errors::default(),
        notice,
        p: Page::new(ctx, "settings"),
    })
}

pub async fn profile_page(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, WebError> {
    let tr = ctx.tr();
    Ok(ok(&profile_view(&st, &ctx, notice(&tr, q.notice.as_deref())).await?))
}

/// A new calendar feed address, shown once on the page that answers (never
/// put in a redirect: it is a secret).
pub async fn calendar_feed(State(st): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let auth = ctx.auth()?;
    let url = ordo_app::feeds::create(&st.app, &ctx.tenant, &auth.user).await?;
    let tr = ctx.tr();
    let mut view = profile_view(&st, &ctx, Some(tr.t("notice.feed_created").to_owned())).await?;
    view.feed_url = Some(url);
    // Every page is sent `no-store` (middleware): the address is not kept.
    Ok(ok(&view))
}

/// The calendar feed a secret address opens (`.ics` may end it).
pub async fn feed(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((_, token)): Path<(String, String)>,
) -> Result<Response, WebError> {
    use axum::http::HeaderValue;
    let token = token.strip_suffix(".ics").unwrap_or(&token);
    // An unknown or revoked address is a link that no longer works.
    let body = match ordo_app::feeds::render(&st.app, &ctx.tenant, token).await {
        Err(AppError::NotFound) => return Err(WebError::BadToken),
        other => other?,
    };
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/calendar; charset=utf-8"));
    h.insert(header::CONTENT_DISPOSITION, HeaderValue::from_static("inline; filename=\"ordo.ics\""));
    Ok(res)
}

pub async fn revoke_calendar_feed(State(st): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let auth = ctx.auth()?;
    ordo_app::feeds::revoke(&st.app, &ctx.tenant, &auth.user).await?;
    Ok(Redirect::to(&ctx.href("settings/profile?notice=feed_revoked")).into_response())
}

#[derive(Deserialize)]
pub struct ProfileForm {
    display_name: String,
    #[serde(default)]
    phone: String,
    locale: String,
}

pub async fn profile(State(st): State<AppState>, ctx: Ctx, Form(f): Form<ProfileForm>) -> Result<Response, WebError> {
    let auth = ctx.auth()?;
    let locale: Locale = f.locale.parse().map_err(|_| WebError::BadRequest)?;
    match accounts::update_profile(&st.app, &ctx.tenant, &auth.user, &f.display_name, &f.phone, locale, &ctx.ip).await {
        Ok(()) => Ok(Redirect::to(&ctx.href("settings/profile?notice=saved")).into_response()),
        Err(AppError::Invalid(i)) => {
            let tr = ctx.tr();
            let mut view = profile_view(&st, &ctx, None).await?;
            view.display_name = f.display_name.chars().take(200).collect();
            view.phone = f.phone.chars().take(64).collect();
            view.locale = locale.as_str();
            view.errors = Errors::one(i.field, tr.t(&format!("error.{}", i.code)).to_owned());
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &view))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct RemindersForm {
    /// Present (`1`) when the box is ticked.
    #[serde(default)]
    reminders: Option<String>,
}

/// The daily e-mail of my actions due soon: on or off.
pub async fn reminders(
    State(st): State<AppState>,
    ctx: Ctx,
    Form(f): Form<RemindersForm>,
) -> Result<Response, WebError> {
    let auth = ctx.auth()?;
    let wanted = match f.reminders.as_deref() {
        None => false,
        Some("1") => true,
        Some(_) => return Err(WebError::BadRequest),
    };
    ordo_app::reminders::set_wanted(&st.app, &ctx.tenant, &auth.user, wanted).await?;
    Ok(Redirect::to(&ctx.href("settings/profile?notice=saved")).into_response())
}

pub async fn password_page(ctx: Ctx, Query(q): Query<NoticeQuery>) -> Response {
    let tr = ctx.tr();
    ok(&PasswordTpl {
        errors: Errors::default(),
        notice: notice(&tr, q.notice.as_deref()),
        p: Page::new(&ctx, "settings"),
    })
}

#[derive(Deserialize)]
pub struct PasswordForm {
    current_password: String,
    new_password: String,
    #[serde(default)]
    end_other_sessions: Option<String>,
}

pub async fn password(State(st): State<AppState>, ctx: Ctx, Form(f): Form<PasswordForm>) -> Result<Response, WebError> {
    let auth = ctx.auth()?;
    let end_others = f.end_other_sessions.is_some();
    let res = accounts::change_password(
        &st.app,
        &ctx.tenant,
        &auth.user,
        auth.session.id,
        accounts::PasswordChange { current: &f.current_password, new: &f.new_password, end_other_sessions: end_others },
        &ctx.ip,
    )
    .await;
    match res {
        Ok(_) => Ok(Redirect::to(&ctx.href("settings/password?notice=password_changed")).into_response()),
        Err(AppError::Invalid(i)) => {
            let tr = ctx.tr();
            Ok(render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &PasswordTpl {
                    errors: Errors::one(i.field, tr.t(&format!("error.{}", i.code)).to_owned()),
                    notice: None,
                    p: Page::new(&ctx, "settings"),
                },
            ))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn sessions_page(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, WebError> {
    let auth = ctx.auth()?;
    let sessions = st.app.store.list_user_sessions(ctx.tenant.id, auth.user.id).await.map_err(AppError::from)?;
    let rows = sessions
        .into_iter()
        .map(|s| SessionRow {
            id: s.id.to_string(),
            device: device::describe(&s.user_agent),
            ip: s.ip,
            last_seen: s.last_seen_at.human_utc(),
            last_seen_iso: s.last_seen_at.rfc3339(),
            created: s.created_at.human_utc(),
            created_iso: s.created_at.rfc3339(),
            current: s.id == auth.session.id,
        })
        .collect();
    let tr = ctx.tr();
    Ok(ok(&SessionsTpl { rows, notice: notice(&tr, q.notice.as_deref()), p: Page::new(&ctx, "settings") }))
}

pub async fn end_session(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let auth = ctx.auth()?;
    let id: SessionId = id.parse().map_err(|_| WebError::NotFound)?;
    accounts::end_session(&st.app, &ctx.tenant, &auth.user, id, &ctx.ip).await?;
    if id == auth.session.id {
        let mut res = Redirect::to(&ctx.href("login?notice=signed_out")).into_response();
        res.headers_mut().append(header::SET_COOKIE, cookies::clear(cookies::SESSION));
        return Ok(res);
    }
    Ok(Redirect::to(&ctx.href("settings/sessions?notice=session_ended")).into_response())
}

async fn tokens_view(
    st: &AppState,
    ctx: &Ctx,
    new_token: Option<String>,
    errors: Errors,
    notice: Option<String>,
) -> Result<crate::pages::TokensTpl, WebError> {
    let auth = ctx.auth()?;
    let tr = ctx.tr();
    let rows = st
        .app
        .store
        .api_tokens_of(ctx.tenant.id, auth.user.id)
        .await
        .map_err(AppError::from)?
        .into_iter()
        .map(|t| crate::pages::TokenRow {
            id: t.id,
            name: t.name,
            created: t.created_at.human_utc(),
            last_used: t.last_used_at.map(|t| t.human_utc()).unwrap_or_else(|| tr.t("tokens.never").to_owned()),
        })
        .collect();
    Ok(crate::pages::TokensTpl { rows, new_token, errors, notice, p: Page::new(ctx, "settings") })
}

pub async fn tokens_page(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, WebError> {
    let tr = ctx.tr();
    Ok(ok(&tokens_view(&st, &ctx, None, Errors::default(), notice(&tr, q.notice.as_deref())).await?))
}

#[derive(Deserialize)]
pub struct TokenForm {
    name: String,
}

/// Create a token and show it once, on this response only (never in a URL).
pub async fn create_token(
    State(st): State<AppState>,
    ctx: Ctx,
    Form(f): Form<TokenForm>,
) -> Result<Response, WebError> {
    let auth = ctx.auth()?;
    match accounts::create_api_token(&st.app, &ctx.tenant, &auth.user, &f.name).await {
        Ok((_, secret)) => Ok(ok(&tokens_view(&st, &ctx, Some(secret), Errors::default(), None).await?)),
        Err(AppError::Invalid(i)) => {
            let tr = ctx.tr();
            let errors = Errors::one(i.field, tr.t(&format!("error.{}", i.code)).to_owned());
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &tokens_view(&st, &ctx, None, errors, None).await?))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn revoke_token(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let auth = ctx.auth()?;
    accounts::revoke_api_token(&st.app, &ctx.tenant, &auth.user, &id).await?;
    Ok(Redirect::to(&ctx.href("settings/tokens?notice=token_revoked")).into_response())
}
