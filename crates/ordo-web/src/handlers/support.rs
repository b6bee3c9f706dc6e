//! The support chat, on the user's side (every page has its button), and
//! the admins' page that grants support time-limited access to a meeting.
//! The chat works without script (a form that posts); with script, new
//! messages arrive through a server-sent event stream, authenticated by the
//! session and refused from another origin.

use super::Form;
use crate::context::Ctx;
use crate::error::WebError;
use crate::pages::{Errors, ok, render};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Redirect, Response};
use ordo_app::AppError;
use ordo_app::support::{self, Message};
use serde::Deserialize;
use std::time::Duration;

/// A message as the pages and the live stream show it.
pub struct MessageView {
    pub seq: i64,
    pub from_support: bool,
    pub author: String,
    pub body: String,
    pub image_url: String,
    pub when: String,
}

pub fn message_view(m: &Message, image_base: &str) -> MessageView {
    MessageView {
        seq: m.seq,
        from_support: m.from_support,
        author: m.author.clone(),
        body: m.body.clone(),
        image_url: if m.image_type.is_some() { format!("{image_base}/{}", m.id) } else { String::new() },
        when: m.created_at.human_utc(),
    }
}

pub fn message_json(m: &MessageView) -> serde_json::Value {
    serde_json::json!({
        "seq": m.seq, "from_support": m.from_support, "author": m.author, "body": m.body,
        "image_url": m.image_url, "when": m.when,
    })
}

/// Ask a reverse proxy (nginx) not to hold back a live stream's events.
pub fn unbuffered(mut res: Response) -> Response {
    res.headers_mut().insert("x-accel-buffering", axum::http::HeaderValue::from_static("no"));
    res
}

/// Live streams are for pages of this origin only: a cross-site page could
/// otherwise read a user's chat through their cookie.
pub fn same_origin(st: &AppState, h: &HeaderMap) -> Result<(), WebError> {
    if let Some(site) = h.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && site != "same-origin"
    {
        return Err(WebError::Forbidden);
    }
    if let Some(origin) = h.get(axum::http::header::ORIGIN)
        && origin.to_str().ok() != Some(&*st.origin)
    {
        return Err(WebError::Forbidden);
    }
    Ok(())
}

#[derive(Template)]
#[template(path = "support.html")]
pub struct SupportTpl {
    pub p: crate::pages::Page,
    pub messages: Vec<MessageView>,
    pub status: String,
    pub last: i64,
    pub events_url: String,
    pub errors: Errors,
}

async fn view(st: &AppState, ctx: &Ctx, errors: Errors) -> Result<SupportTpl, WebError> {
    let a = ctx.auth()?;
    let tr = ctx.tr();
    let conversation = support::my_conversation(&st.app, &ctx.tenant, &a.user).await?;
    let (messages, status) = match &conversation {
        Some(c) => {
            let list = support::user_messages(&st.app, &ctx.tenant, &a.user, &c.id, 0).await?;
            let base = ctx.href("support/images");
            (
                list.iter().map(|m| message_view(m, &base)).collect(),
                tr.t(&format!("support.status.{}", c.status)).to_owned(),
            )
        }
        None => (Vec::new(), String::new()),
    };
    Ok(SupportTpl {
        last: messages.last().map_or(0, |m: &MessageView| m.seq),
        messages,
        status,
        events_url: ctx.href("support/events"),
        errors,
        p: crate::pages::Page::new(ctx, "support"),
    })
}

pub async fn page(State(st): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    Ok(ok(&view(&st, &ctx, Errors::default()).await?))
}

/// Send a message (multipart: `body`, optional `file`).
pub async fn send(
    State(st): State<AppState>,
    ctx: Ctx,
    super::MultipartForm(mp): super::MultipartForm,
) -> Result<Response, WebError> {
    let a = ctx.auth()?;
    let (body, file) = read_message(mp).await?;
    let m = support::NewMessage { body: &body, image: file };
    match support::user_send(&st.app, &ctx.tenant, &a.user, m).await {
        Ok(_) => Ok(Redirect::to(&ctx.href("support#end")).into_response()),
        Err(AppError::Invalid(i)) => {
            let errors = Errors::one(i.field, ctx.tr().t(&format!("error.{}", i.code)).to_owned());
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &view(&st, &ctx, errors).await?))
        }
        Err(e) => Err(e.into()),
    }
}

/// A message's parts: its text and, if any, a picture.
pub async fn read_message(mut mp: axum::extract::Multipart) -> Result<(String, Option<Vec<u8>>), WebError> {
    let (mut body, mut file) = (String::new(), None);
    while let Some(field) = mp.next_field().await.map_err(|_| WebError::BadRequest)? {
        match field.name() {
            Some("body") => body = field.text().await.map_err(|_| WebError::BadRequest)?,
            Some("file") => {
                let bytes = field.bytes().await.map_err(|_| WebError::TooLarge)?;
                if !bytes.is_empty() {
                    file = Some(bytes.to_vec());
                }
            }
            _ => {}
        }
    }
    Ok((body, file))
}

#[derive(Deserialize, Default)]
pub struct AfterQuery {
    #[serde(default)]
    after: i64,
}

/// The live stream of the user's conversation: each new message as an
/// event (`data`: a JSON list), polled every second and woken at once by a
/// message sent on this node.
pub async fn events(
    State(st): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Query(q): Query<AfterQuery>,
) -> Result<Response, WebError> {
    same_origin(&st, &headers)?;
    let user = ctx.auth()?.user.clone();
    let tenant = ctx.tenant.clone();
    let base = ctx.href("support/images");
    let app = st.app.clone();
    let stream = futures_util::stream::unfold(q.after.max(0), move |after| {
        let (app, tenant, user, base) = (app.clone(), tenant.clone(), user.clone(), base.clone());
        async move {
            loop {
                let conversation = support::my_conversation(&app, &tenant, &user).await.ok().flatten();
                if let Some(c) = &conversation
                    && let Err(e) = support::user_here(&app, &tenant, c).await
                {
                    tracing::warn!(error = %e, "support presence not recorded");
                }
                if let Some(c) = conversation
                    && c.messages > after
                    && let Ok(list) = support::user_messages(&app, &tenant, &user, &c.id, after).await
                    && let Some(last) = list.last().map(|m| m.seq)
                {
                    let views: Vec<serde_json::Value> =
                        list.iter().map(|m| message_json(&message_view(m, &base))).collect();
                    let event = Event::default().id(last.to_string()).data(serde_json::Value::Array(views).to_string());
                    return Some((Ok::<_, std::convert::Infallible>(event), last));
                }
                tokio::select! {
                    _ = app.support_wakeup.notified() => {}
                    _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                }
            }
        }
    });
    Ok(unbuffered(Sse::new(stream).keep_alive(KeepAlive::default()).into_response()))
}

/// How many replies the user has not read (the chat button's badge).
pub async fn unread(State(st): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let n = support::user_unread(&st.app, &ctx.tenant, &ctx.auth()?.user).await?;
    Ok(axum::Json(serde_json::json!({ "unread": n })).into_response())
}

/// A picture of the user's conversation.
pub async fn image(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let a = ctx.auth()?;
    let c = support::my_conversation(&st.app, &ctx.tenant, &a.user).await?.ok_or(WebError::NotFound)?;
    let (ctype, bytes) = support::user_image(&st.app, &ctx.tenant, &a.user, &c.id, &id).await?;
    picture(&id, &ctype, bytes)
}

/// A stored picture: its checked type, inline under a fixed name.
pub fn picture(id: &str, ctype: &str, bytes: Vec<u8>) -> Result<Response, WebError> {
    use axum::http::{HeaderValue, header};
    let ext = ctype.trim_start_matches("image/");
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_str(ctype).map_err(|_| WebError::Internal("content type"))?);
    let name: String = id.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&format!("inline; filename=\"support-{name}.{ext}\""))
            .map_err(|_| WebError::Internal("disposition"))?,
    );
    Ok(res)
}

// ---- The admins' page: support's access to a meeting ------------------------------

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

async fn admin_view(
    st: &AppState,
    ctx: &Ctx,
    errors: Errors,
    notice: Option<String>,
) -> Result<AdminSupportTpl, WebError> {
    let a = ctx.auth()?;
    let grants = support::grants(&st.app, &ctx.tenant, &a.user).await?;
    let meetings = ordo_app::meetings::titles_for_admin(&st.app, &ctx.tenant, &a.user).await?;
    let staff = support::grantable_staff(&st.app, &ctx.tenant, &a.user).await?;
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
        p: crate::pages::Page::new(ctx, "admin"),
    })
}

pub async fn admin_page(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<super::NoticeQuery>,
) -> Result<Response, WebError> {
    let tr = ctx.tr();
    Ok(ok(&admin_view(&st, &ctx, Errors::default(), super::notice(&tr, q.notice.as_deref())).await?))
}

#[derive(Deserialize)]
pub struct GrantForm {
    #[serde(default)]
    meeting: String,
    #[serde(default)]
    staff: String,
    #[serde(default)]
    hours: String,
}

pub async fn grant(State(st): State<AppState>, ctx: Ctx, Form(f): Form<GrantForm>) -> Result<Response, WebError> {
    let a = ctx.auth()?;
    let parsed = (|| {
        let bad = |field| AppError::Invalid(ordo_core::Invalid::new(field, "id.invalid"));
        let meeting = f.meeting.parse().map_err(|_| bad("meeting"))?;
        let staff = f.staff.parse().map_err(|_| AppError::Invalid(ordo_core::Invalid::new("staff", "grant.staff")))?;
        let hours =
            f.hours.trim().parse().map_err(|_| AppError::Invalid(ordo_core::Invalid::new("hours", "grant.hours")))?;
        Ok::<_, AppError>((meeting, staff, hours))
    })();
    let r = match parsed {
        Ok((meeting, staff, hours)) => {
            support::grant(&st.app, &ctx.tenant, &a.user, meeting, staff, hours, &ctx.ip).await.map(|_| ())
        }
        Err(e) => Err(e),
    };
    after(&st, &ctx, r).await
}

#[derive(Deserialize)]
pub struct RevokeForm {
    #[serde(default)]
    grant: String,
}

pub async fn revoke(State(st): State<AppState>, ctx: Ctx, Form(f): Form<RevokeForm>) -> Result<Response, WebError> {
    let a = ctx.auth()?;
    let r = match support::revoke(&st.app, &ctx.tenant, &a.user, &f.grant, &ctx.ip).await {
        // An id in the form that names no running grant: a field error.
        Err(AppError::NotFound) => Err(AppError::Invalid(ordo_core::Invalid::new("grant", "id.invalid"))),
        other => other,
    };
    after(&st, &ctx, r).await
}

async fn after(st: &AppState, ctx: &Ctx, r: Result<(), AppError>) -> Result<Response, WebError> {
    match r {
        Ok(()) => Ok(Redirect::to(&ctx.href("admin/support?notice=saved")).into_response()),
        Err(AppError::Invalid(i)) => {
            let errors = Errors::one(i.field, ctx.tr().t(&format!("error.{}", i.code)).to_owned());
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &admin_view(st, ctx, errors, None).await?))
        }
        Err(e) => Err(e.into()),
    }
}
