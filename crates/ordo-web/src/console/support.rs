//! The support inbox: conversations, replies, availability, and a meeting read under a tenant admin's grant.

use super::{OpsCtx, OpsPage};
use crate::error::WebError;
use crate::extract::{Form, Multipart};
use crate::pages::{Errors, ok, render};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use ordo_app::AppError;
use ordo_app::staff;
use ordo_core::staff::StaffAction;
use serde::Deserialize;

pub(super) fn decls() -> Vec<super::OpsDecl> {
    use super::OpsAccess::Staff;
    use super::{get, post};
    let support = Staff(StaffAction::Support);
    let mut reply_route = post("/ops/support/{slug}/{id}", support, reply);
    reply_route.handler =
        reply_route.handler.layer(axum::extract::DefaultBodyLimit::max(crate::middleware::MAX_UPLOAD_BYTES));
    vec![
        get("/ops/support", support, inbox_page),
        post("/ops/support/availability", support, set_availability),
        get("/ops/support/{slug}/{id}", support, conversation_page),
        reply_route,
        post("/ops/support/{slug}/{id}/status", support, set_status),
        get("/ops/support/{slug}/{id}/events", support, conversation_events),
        get("/ops/support/{slug}/{id}/images/{message}", support, conversation_image),
        get("/ops/grants/{slug}/{meeting}", support, granted_meeting),
    ]
}

// ---- The support inbox ----------------------------------------------------------

pub struct InboxView {
    pub href: String,
    pub tenant: String,
    pub plan: String,
    pub status: String,
    pub status_key: String,
    pub assigned: String,
    pub mine: bool,
    pub unread: i64,
    pub updated: String,
}

#[derive(Template)]
#[template(path = "ops_inbox.html")]
struct InboxTpl {
    p: OpsPage,
    available: bool,
    rows: Vec<InboxView>,
    grants: Vec<(String, String, String)>,
}

#[tracing::instrument(skip_all)]
async fn inbox_page(State(st): State<AppState>, ctx: OpsCtx) -> Result<Response, WebError> {
    let a = ctx.auth()?;
    let tr = ctx.tr();
    let rows = ordo_app::support::inbox(&st.app, a)
        .await?
        .into_iter()
        .map(|r| InboxView {
            href: format!("/ops/support/{}/{}", r.tenant_slug, r.id),
            tenant: r.tenant_name,
            plan: tr.t(&format!("ops.plan.{}", r.plan.as_str())).to_owned(),
            status: tr.t(&format!("ops.chat.status.{}", r.status)).to_owned(),
            status_key: r.status,
            assigned: r.assigned,
            mine: r.mine,
            unread: r.unread,
            updated: r.updated_at.human_utc(),
        })
        .collect();
    let grants = ordo_app::support::my_grants(&st.app, a)
        .await?
        .into_iter()
        .map(|(slug, m, until)| (format!("/ops/grants/{slug}/{m}"), slug, until.human_utc()))
        .collect();
    Ok(ok(&InboxTpl { p: OpsPage::new(&ctx, "support"), available: a.staff.available, rows, grants }))
}

#[derive(Deserialize)]
pub struct AvailabilityForm {
    available: String,
}

#[tracing::instrument(skip_all)]
async fn set_availability(
    State(st): State<AppState>,
    ctx: OpsCtx,
    Form(f, _): Form<AvailabilityForm>,
) -> Result<Response, WebError> {
    let available = match f.available.as_str() {
        "1" => true,
        "0" => false,
        _ => return Err(WebError::Invalid { field: "available", code: "status.invalid" }),
    };
    staff::set_available(&st.app, ctx.auth()?, available).await?;
    Ok(Redirect::to("/ops/support?notice=saved").into_response())
}

#[derive(Template)]
#[template(path = "ops_conversation.html")]
struct ConversationTpl {
    p: OpsPage,
    tenant: String,
    user: String,
    status_key: String,
    status_label: String,
    assigned: String,
    messages: Vec<crate::features::support::MessageView>,
    last: i64,
    base: String,
    errors: Errors,
}

#[tracing::instrument(skip_all)]
async fn conversation_view(
    st: &AppState,
    ctx: &OpsCtx,
    slug: &str,
    id: &str,
    errors: Errors,
) -> Result<ConversationTpl, WebError> {
    let a = ctx.auth()?;
    let v = ordo_app::support::staff_conversation(&st.app, a, slug, id, 0).await?;
    let base = format!("/ops/support/{slug}/{id}");
    let images = format!("{base}/images");
    let messages: Vec<_> = v
        .messages
        .iter()
        .map(|m| crate::features::support::message_view(m, &images, "UTC", ordo_core::user::Locale::En))
        .collect();
    Ok(ConversationTpl {
        p: OpsPage::new(ctx, "support"),
        tenant: v.tenant.name,
        user: v.user_name,
        status_label: ctx.tr().t(&format!("ops.chat.status.{}", v.conversation.status)).to_owned(),
        status_key: v.conversation.status,
        assigned: v.assigned,
        last: messages.last().map_or(0, |m| m.seq),
        messages,
        base,
        errors,
    })
}

#[tracing::instrument(skip_all)]
async fn conversation_page(
    State(st): State<AppState>,
    ctx: OpsCtx,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    Ok(ok(&conversation_view(&st, &ctx, &slug, &id, Errors::default()).await?))
}

#[tracing::instrument(skip_all)]
async fn reply(
    State(st): State<AppState>,
    ctx: OpsCtx,
    Path((slug, id)): Path<(String, String)>,
    Multipart(mp): Multipart,
) -> Result<Response, WebError> {
    let a = ctx.auth()?;
    let (body, file) = crate::features::support::read_message(mp).await?;
    let m = ordo_app::support::NewMessage { body: &body, image: file };
    match ordo_app::support::staff_send(&st.app, a, &slug, &id, m).await {
        Ok(_) => Ok(Redirect::to(&format!("/ops/support/{slug}/{id}#end")).into_response()),
        Err(AppError::Invalid(i)) => {
            let errors = Errors::one(i.field, ctx.tr().t(&format!("error.{}", i.code)).to_owned());
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &conversation_view(&st, &ctx, &slug, &id, errors).await?))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct StatusForm {
    status: String,
}

#[tracing::instrument(skip_all)]
async fn set_status(
    State(st): State<AppState>,
    ctx: OpsCtx,
    Path((slug, id)): Path<(String, String)>,
    Form(f, _): Form<StatusForm>,
) -> Result<Response, WebError> {
    ordo_app::support::set_status(&st.app, ctx.auth()?, &slug, &id, &f.status).await?;
    Ok(Redirect::to(&format!("/ops/support/{slug}/{id}")).into_response())
}

#[derive(Deserialize, Default)]
pub struct AfterQuery {
    #[serde(default)]
    after: i64,
}

/// The live stream of a conversation, for support.
#[tracing::instrument(skip_all)]
async fn conversation_events(
    State(st): State<AppState>,
    ctx: OpsCtx,
    headers: axum::http::HeaderMap,
    Path((slug, id)): Path<(String, String)>,
    Query(q): Query<AfterQuery>,
) -> Result<Response, WebError> {
    use axum::response::sse::{Event, KeepAlive, Sse};
    crate::respond::same_origin(&st.origin, &headers)?;
    let auth = ctx.auth()?.clone();
    // Refused now, not inside the stream: the conversation must exist.
    ordo_app::support::staff_conversation(&st.app, &auth, &slug, &id, i64::MAX).await?;
    let app = st.app.clone();
    let images = format!("/ops/support/{slug}/{id}/images");
    let stream = futures_util::stream::unfold(q.after.max(0), move |after| {
        let (app, auth, slug, id, images) = (app.clone(), auth.clone(), slug.clone(), id.clone(), images.clone());
        async move {
            loop {
                if let Ok(v) = ordo_app::support::staff_conversation(&app, &auth, &slug, &id, after).await
                    && let Some(last) = v.messages.last().map(|m| m.seq)
                {
                    let list: Vec<serde_json::Value> = v
                        .messages
                        .iter()
                        .map(|m| {
                            crate::features::support::message_json(&crate::features::support::message_view(
                                m,
                                &images,
                                "UTC",
                                ordo_core::user::Locale::En,
                            ))
                        })
                        .collect();
                    let event = Event::default().id(last.to_string()).data(serde_json::Value::Array(list).to_string());
                    return Some((Ok::<_, std::convert::Infallible>(event), last));
                }
                tokio::select! {
                    _ = app.support_wakeup.notified() => {}
                    _ = tokio::time::sleep(std::time::Duration::from_secs(1)) => {}
                }
            }
        }
    });
    Ok(crate::respond::unbuffered(Sse::new(stream).keep_alive(KeepAlive::default()).into_response()))
}

#[tracing::instrument(skip_all)]
async fn conversation_image(
    State(st): State<AppState>,
    ctx: OpsCtx,
    Path((slug, id, message)): Path<(String, String, String)>,
) -> Result<Response, WebError> {
    let (ctype, bytes) = ordo_app::support::staff_image(&st.app, ctx.auth()?, &slug, &id, &message).await?;
    crate::features::support::picture(&message, &ctype, bytes)
}

#[derive(Template)]
#[template(path = "ops_meeting.html")]
struct GrantedMeetingTpl {
    p: OpsPage,
    tenant: String,
    title: String,
    when: String,
    topics: Vec<(String, Vec<GrantedElement>)>,
}

/// One element of a granted meeting: its kind's label, title and (sanitised) description.
type GrantedElement = (String, String, String);

/// A meeting read by support under a grant: read-only, and written in the
/// tenant's audit log at each view.
#[tracing::instrument(skip_all)]
async fn granted_meeting(
    State(st): State<AppState>,
    ctx: OpsCtx,
    Path((slug, meeting)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let a = ctx.auth()?;
    let tr = ctx.tr();
    let meeting = meeting.parse().map_err(|_| WebError::NotFound)?;
    let (m, content) = ordo_app::support::view_meeting(&st.app, a, &slug, meeting, &ctx.ip).await?;
    let topics = content
        .topics
        .iter()
        .map(|t| {
            let elements = content
                .elements
                .iter()
                .filter(|e| e.topic_id == t.id)
                .map(|e| {
                    (
                        tr.t(&format!("element.kind.{}", e.kind.as_str())).to_owned(),
                        e.title.clone(),
                        // Sanitised when stored (as on the meeting page).
                        e.description.clone(),
                    )
                })
                .collect();
            (t.title.clone(), elements)
        })
        .collect();
    Ok(ok(&GrantedMeetingTpl {
        p: OpsPage::new(&ctx, "support"),
        tenant: slug,
        when: m.when(),
        title: m.title,
        topics,
    }))
}
