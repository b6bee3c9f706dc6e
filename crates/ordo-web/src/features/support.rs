//! The support chat, on the user's side (every page has its button). The
//! chat works without script (a form that posts); with script, new messages
//! arrive through a server-sent event stream, authenticated by the session
//! and refused from another origin. The console's side reuses its views.

use crate::error::WebError;
use crate::extract::Query;
use crate::extract::path::NameAt;
use crate::extract::{At, Me, Multipart};
use crate::pages::{Errors, ok, render};
use crate::routes::{Decl, Guard, get, post};
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Redirect, Response};
use ordo_app::AppError;
use ordo_app::support::{self, Message};
use serde::Deserialize;
use std::time::Duration;

pub fn decls() -> Vec<Decl> {
    vec![
        get("/t/{slug}/support", Guard::User, page),
        post("/t/{slug}/support", Guard::User, send).upload(),
        get("/t/{slug}/support/events", Guard::User, events),
        get("/t/{slug}/support/unread", Guard::User, unread),
        get("/t/{slug}/support/images/{id}", Guard::User, image),
    ]
}

/// A message as the pages and the live stream show it.
pub struct MessageView {
    pub seq: i64,
    pub from_support: bool,
    pub author: String,
    pub body: String,
    pub image_url: String,
    pub when: String,
}

/// A message as its reader sees it, its time in their zone and language
/// (the console's agents read UTC).
pub fn message_view(m: &Message, image_base: &str, zone: &str, locale: ordo_core::user::Locale) -> MessageView {
    MessageView {
        seq: m.seq,
        from_support: m.from_support,
        author: m.author.clone(),
        body: m.body.clone(),
        image_url: if m.image_type.is_some() { format!("{image_base}/{}", m.id) } else { String::new() },
        when: ordo_core::dates::when_said(m.created_at, zone, locale),
    }
}

pub fn message_json(m: &MessageView) -> serde_json::Value {
    serde_json::json!({
        "seq": m.seq, "from_support": m.from_support, "author": m.author, "body": m.body,
        "image_url": m.image_url, "when": m.when,
    })
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

#[tracing::instrument(skip_all)]
async fn view(me: &Me, errors: Errors) -> Result<SupportTpl, WebError> {
    let tr = me.ctx.tr();
    let conversation = support::my_conversation(&me.app, me.tenant(), &me.user).await?;
    let (messages, status) = match &conversation {
        Some(c) => {
            let list = support::user_messages(&me.app, me.tenant(), &me.user, &c.id, 0).await?;
            let base = me.href("support/images");
            (
                list.iter().map(|m| message_view(m, &base, me.zone_or("UTC"), me.ctx.locale)).collect(),
                tr.t(&format!("support.status.{}", c.status)).to_owned(),
            )
        }
        None => (Vec::new(), String::new()),
    };
    Ok(SupportTpl {
        last: messages.last().map_or(0, |m: &MessageView| m.seq),
        messages,
        status,
        events_url: me.href("support/events"),
        errors,
        p: crate::pages::Page::new(&me.ctx, "support"),
    })
}

#[tracing::instrument(skip_all)]
async fn page(me: Me) -> Result<Response, WebError> {
    Ok(ok(&view(&me, Errors::default()).await?))
}

/// Send a message (multipart: `body`, optional `file`).
#[tracing::instrument(skip_all)]
async fn send(me: Me, Multipart(mp): Multipart) -> Result<Response, WebError> {
    let (body, file) = read_message(mp).await?;
    let m = support::NewMessage { body: &body, image: file };
    match support::user_send(&me.app, me.tenant(), &me.user, m).await {
        Ok(_) => Ok(Redirect::to(&me.href("support#end")).into_response()),
        Err(AppError::Invalid(i)) => {
            let errors = Errors::one(i.field, me.ctx.tr().t(&format!("error.{}", i.code)).to_owned());
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &view(&me, errors).await?))
        }
        Err(e) => Err(e.into()),
    }
}

/// A message's parts: its text and, if any, a picture.
#[tracing::instrument(skip_all)]
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
#[tracing::instrument(skip_all)]
async fn events(
    State(st): State<AppState>,
    me: Me,
    headers: HeaderMap,
    Query(q): Query<AfterQuery>,
) -> Result<Response, WebError> {
    crate::respond::same_origin(&st.origin, &headers)?;
    let user = me.user.clone();
    let tenant = me.tenant().clone();
    let base = me.href("support/images");
    let (zone, locale) = (me.zone_or("UTC").to_owned(), me.ctx.locale);
    let app = me.app.clone();
    let stream = futures_util::stream::unfold(q.after.max(0), move |after| {
        let (app, tenant, user, base, zone) = (app.clone(), tenant.clone(), user.clone(), base.clone(), zone.clone());
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
                        list.iter().map(|m| message_json(&message_view(m, &base, &zone, locale))).collect();
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
    Ok(crate::respond::unbuffered(Sse::new(stream).keep_alive(KeepAlive::default()).into_response()))
}

/// How many replies the user has not read (the chat button's badge).
#[tracing::instrument(skip_all)]
async fn unread(me: Me) -> Result<Response, WebError> {
    let n = support::user_unread(&me.app, me.tenant(), &me.user).await?;
    Ok(axum::Json(serde_json::json!({ "unread": n })).into_response())
}

/// A picture of the user's conversation.
#[tracing::instrument(skip_all)]
async fn image(me: Me, At(p): At<NameAt>) -> Result<Response, WebError> {
    let c = support::my_conversation(&me.app, me.tenant(), &me.user).await?.ok_or(WebError::NotFound)?;
    let (ctype, bytes) = support::user_image(&me.app, me.tenant(), &me.user, &c.id, &p.id).await?;
    picture(&p.id, &ctype, bytes)
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
