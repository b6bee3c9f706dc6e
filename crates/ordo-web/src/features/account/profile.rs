//! Profile and language, reminders, the calendar feed, the password.

use crate::error::WebError;
use crate::extract::Query;
use crate::extract::path::TokenAt;
use crate::extract::{At, Browser, Flag, Form, Json, Me};
use crate::openapi::Doc;
use crate::pages::{Errors, Page, PasswordTpl, ProfileTpl, ok, render};
use crate::respond::{NoticeQuery, notice};
use crate::routes::{Decl, Guard, delete, get, patch, post, put};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use ordo_app::{AppError, accounts};
use ordo_core::user::Locale;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn decls() -> Vec<Decl> {
    vec![
        get("/t/{slug}/settings/profile", Guard::User, profile_page),
        post("/t/{slug}/settings/profile", Guard::User, profile_form),
        post("/t/{slug}/settings/reminders", Guard::User, reminders_form),
        post("/t/{slug}/settings/calendar-feed", Guard::User, feed_create_form),
        post("/t/{slug}/settings/calendar-feed/revoke", Guard::User, feed_revoke_form),
        // The secret token in the address is the credential (calendar
        // applications send no session): see docs/security/threat-model.md.
        get("/t/{slug}/feed/{token}", Guard::Public, feed).costly(),
        get("/t/{slug}/settings/password", Guard::User, password_page),
        post("/t/{slug}/settings/password", Guard::User, password_form),
        get("/t/{slug}/api/v1/me", Guard::User, api_me).doc(Doc::new("The signed-in user").ok::<MeOut>(200)),
        patch("/t/{slug}/api/v1/me", Guard::User, api_profile)
            .doc(Doc::new("Change my name, telephone number and language").body::<ProfileIn>().ok::<MeOut>(200)),
        put("/t/{slug}/api/v1/me/reminders", Guard::User, api_reminders)
            .doc(Doc::new("The daily e-mail of my actions due soon: on or off").body::<RemindersIn>().done()),
        post("/t/{slug}/api/v1/me/calendar-feed", Guard::User, api_feed_create).doc(
            Doc::new("A new address of my calendar feed (the previous one stops working); shown once")
                .no_body()
                .ok::<FeedOut>(201),
        ),
        delete("/t/{slug}/api/v1/me/calendar-feed", Guard::User, api_feed_revoke)
            .doc(Doc::new("Revoke my calendar feed's address").done()),
        post("/t/{slug}/api/v1/me/password", Guard::User, api_password).doc(
            Doc::new("Change my password (the current one is required); optionally end my other sessions")
                .body::<PasswordIn>()
                .ok::<SessionsEnded>(200),
        ),
    ]
}

/// The signed-in user.
#[derive(Serialize, ToSchema)]
pub struct MeOut {
    #[schema(format = Uuid)]
    pub id: String,
    pub email: String,
    pub display_name: String,
    #[schema(schema_with = crate::openapi::schema::role)]
    pub role: &'static str,
    #[schema(schema_with = crate::openapi::schema::locale)]
    pub locale: &'static str,
    /// The IANA time zone times are shown in, if the user has one.
    pub time_zone: Option<String>,
    /// The organisation's address (`/t/{tenant}/`).
    pub tenant: String,
}

#[tracing::instrument(skip_all)]
async fn api_me(me: Me) -> Result<Response, WebError> {
    Ok(axum::Json(MeOut {
        id: me.user.id.to_string(),
        email: me.user.email.clone(),
        display_name: me.user.display_name.clone(),
        role: me.user.role.as_str(),
        locale: me.ctx.locale.as_str(),
        time_zone: me.user.time_zone.clone(),
        tenant: me.tenant().slug.to_string(),
    })
    .into_response())
}

/// My name, telephone number (empty clears it) and language.
#[derive(Deserialize, ToSchema)]
pub struct ProfileIn {
    #[schema(schema_with = crate::openapi::schema::display_name)]
    pub display_name: String,
    #[serde(default)]
    #[schema(schema_with = crate::openapi::schema::phone)]
    pub phone: String,
    #[schema(schema_with = crate::openapi::schema::locale)]
    pub locale: String,
    /// The IANA time zone times are shown in (`Europe/Paris`); empty: none
    /// (each meeting's own); absent: unchanged.
    #[serde(default)]
    #[schema(max_length = 64)]
    pub time_zone: Option<String>,
}

impl ProfileIn {
    async fn save(&self, me: &Me) -> Result<Locale, AppError> {
        let locale: Locale = self.locale.parse()?;
        let zone = self.time_zone.as_deref().or(me.user.time_zone.as_deref()).unwrap_or_default();
        let p = accounts::Profile { display_name: &self.display_name, phone: &self.phone, locale, time_zone: zone };
        accounts::update_profile(&me.app, me.tenant(), &me.user, p, &me.ctx.ip).await?;
        Ok(locale)
    }
}

/// The profile page as it stands for the signed-in user.
#[tracing::instrument(skip_all)]
async fn profile_view(me: &Me, notice: Option<String>) -> Result<ProfileTpl, WebError> {
    let feed_since = ordo_app::feeds::since(&me.app, me.tenant(), &me.user)
        .await?
        .map(|t| ordo_core::meeting::Start::local(t, "UTC").replace('T', " ") + " UTC");
    Ok(ProfileTpl {
        reminders: ordo_app::reminders::wanted(&me.app, me.tenant(), &me.user).await?,
        feed_since,
        feed_url: None,
        email: me.user.email.clone(),
        display_name: me.user.display_name.clone(),
        phone: me.user.phone.clone().unwrap_or_default(),
        locale: me.ctx.locale.as_str(),
        time_zone: me.user.time_zone.clone().unwrap_or_default(),
        zones: ordo_core::dates::zone_names(),
        errors: Errors::default(),
        notice,
        p: Page::new(&me.ctx, "settings"),
    })
}

#[tracing::instrument(skip_all)]
async fn profile_page(me: Me, Query(q): Query<NoticeQuery>) -> Result<Response, WebError> {
    let tr = me.ctx.tr();
    Ok(ok(&profile_view(&me, notice(&tr, q.notice.as_deref())).await?))
}

#[tracing::instrument(skip_all)]
async fn profile_form(me: Me, Form(f, _): Form<ProfileIn>) -> Result<Response, WebError> {
    match f.save(&me).await {
        Ok(_) => Ok(Redirect::to(&me.href("settings/profile?notice=saved")).into_response()),
        Err(AppError::Invalid(i)) if i.field == "locale" => Err(WebError::BadRequest),
        Err(AppError::Invalid(i)) => {
            let tr = me.ctx.tr();
            let mut view = profile_view(&me, None).await?;
            view.display_name = f.display_name.chars().take(200).collect();
            view.phone = f.phone.chars().take(64).collect();
            view.locale = f.locale.parse::<Locale>().unwrap_or_default().as_str();
            view.time_zone = f.time_zone.as_deref().unwrap_or_default().chars().take(64).collect();
            view.errors = Errors::one(i.field, tr.t(&format!("error.{}", i.code)).to_owned());
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &view))
        }
        Err(e) => Err(e.into()),
    }
}

#[tracing::instrument(skip_all)]
async fn api_profile(me: Me, Json(b): Json<ProfileIn>) -> Result<Response, WebError> {
    let locale = b.save(&me).await?;
    let user = accounts::get_user(&me.app, me.tenant(), me.user.id).await?;
    Ok(axum::Json(MeOut {
        id: user.id.to_string(),
        email: user.email,
        display_name: user.display_name,
        role: user.role.as_str(),
        locale: locale.as_str(),
        time_zone: user.time_zone,
        tenant: me.tenant().slug.to_string(),
    })
    .into_response())
}

/// The daily e-mail of my actions due soon (the page's box: present when ticked).
#[derive(Deserialize, ToSchema, Default)]
pub struct RemindersIn {
    /// Absent or null: off.
    #[serde(default)]
    #[schema(value_type = Option<bool>)]
    pub reminders: Option<Flag>,
}

#[tracing::instrument(skip_all)]
async fn set_reminders(me: &Me, b: &RemindersIn) -> Result<(), AppError> {
    let wanted = b.reminders.is_some_and(|f| f.0);
    ordo_app::reminders::set_wanted(&me.app, me.tenant(), &me.user, wanted).await
}

#[tracing::instrument(skip_all)]
async fn reminders_form(me: Me, Form(f, _): Form<RemindersIn>) -> Result<Response, WebError> {
    set_reminders(&me, &f).await?;
    Ok(Redirect::to(&me.href("settings/profile?notice=saved")).into_response())
}

#[tracing::instrument(skip_all)]
async fn api_reminders(me: Me, Json(b): Json<RemindersIn>) -> Result<Response, WebError> {
    set_reminders(&me, &b).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// A new calendar feed address, shown once on the page that answers (never
/// put in a redirect: it is a secret).
#[tracing::instrument(skip_all)]
async fn feed_create_form(me: Me) -> Result<Response, WebError> {
    let url = ordo_app::feeds::create(&me.app, me.tenant(), &me.user).await?;
    let tr = me.ctx.tr();
    let mut view = profile_view(&me, Some(tr.t("notice.feed_created").to_owned())).await?;
    view.feed_url = Some(url);
    // Every page is sent `no-store` (middleware): the address is not kept.
    Ok(ok(&view))
}

#[derive(Serialize, ToSchema)]
pub struct FeedOut {
    /// The feed's address: a secret, shown this once.
    pub url: String,
}

#[tracing::instrument(skip_all)]
async fn api_feed_create(me: Me) -> Result<Response, WebError> {
    let url = ordo_app::feeds::create(&me.app, me.tenant(), &me.user).await?;
    Ok((StatusCode::CREATED, axum::Json(FeedOut { url })).into_response())
}

#[tracing::instrument(skip_all)]
async fn feed_revoke_form(me: Me) -> Result<Response, WebError> {
    ordo_app::feeds::revoke(&me.app, me.tenant(), &me.user).await?;
    Ok(Redirect::to(&me.href("settings/profile?notice=feed_revoked")).into_response())
}

#[tracing::instrument(skip_all)]
async fn api_feed_revoke(me: Me) -> Result<Response, WebError> {
    // Idempotent: afterwards there is no feed, whether there was one or not.
    ordo_app::feeds::revoke(&me.app, me.tenant(), &me.user).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The calendar feed a secret address opens (`.ics` may end it).
#[tracing::instrument(skip_all)]
async fn feed(
    axum::extract::State(st): axum::extract::State<crate::state::AppState>,
    ctx: crate::context::Ctx,
    At(p): At<TokenAt>,
) -> Result<Response, WebError> {
    use axum::http::HeaderValue;
    let token = p.token.strip_suffix(".ics").unwrap_or(&p.token);
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

#[tracing::instrument(skip_all)]
async fn password_page(me: Me, Query(q): Query<NoticeQuery>) -> Response {
    let tr = me.ctx.tr();
    ok(&PasswordTpl {
        errors: Errors::default(),
        notice: notice(&tr, q.notice.as_deref()),
        p: Page::new(&me.ctx, "settings"),
    })
}

/// A change of my password.
#[derive(Deserialize, ToSchema)]
pub struct PasswordIn {
    pub current_password: String,
    pub new_password: String,
    /// End my other sessions too.
    #[serde(default)]
    #[schema(value_type = bool)]
    pub end_other_sessions: Option<Flag>,
}

impl PasswordIn {
    async fn change(&self, me: &Me, keep: Option<ordo_core::ids::SessionId>) -> Result<u64, AppError> {
        let change = accounts::PasswordChange {
            current: &self.current_password,
            new: &self.new_password,
            end_other_sessions: self.end_other_sessions.is_some_and(|f| f.0),
        };
        // Called with a token, no session is current: all of them are "other".
        let keep = keep.unwrap_or_default();
        accounts::change_password(&me.app, me.tenant(), &me.user, keep, change, &me.ctx.ip).await
    }
}

#[tracing::instrument(skip_all)]
async fn password_form(Browser(me, session): Browser, Form(f, _): Form<PasswordIn>) -> Result<Response, WebError> {
    match f.change(&me, Some(session.id)).await {
        Ok(_) => Ok(Redirect::to(&me.href("settings/password?notice=password_changed")).into_response()),
        Err(AppError::Invalid(i)) => {
            let tr = me.ctx.tr();
            let errors = Errors::one(i.field, tr.t(&format!("error.{}", i.code)).to_owned());
            Ok(render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &PasswordTpl { errors, notice: None, p: Page::new(&me.ctx, "settings") },
            ))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Serialize, ToSchema)]
pub struct SessionsEnded {
    pub sessions_ended: u64,
}

#[tracing::instrument(skip_all)]
async fn api_password(me: Me, Json(b): Json<PasswordIn>) -> Result<Response, WebError> {
    let keep = me.session.as_ref().map(|s| s.id);
    let n = b.change(&me, keep).await?;
    Ok(axum::Json(SessionsEnded { sessions_ended: n }).into_response())
}
