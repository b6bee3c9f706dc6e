//! The JSON API (v1) for what exists so far: the current user, their
//! sessions, and tenant members. Session-authenticated calls that change
//! anything must send the `X-CSRF-Token` header.

use super::Json;
use crate::context::Ctx;
use crate::error::WebError;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use ordo_app::{AppError, accounts};
use ordo_core::ids::SessionId;
use ordo_core::user::Role;
use serde::{Deserialize, Serialize};

#[derive(Serialize)]
struct Me {
    id: String,
    email: String,
    display_name: String,
    role: &'static str,
    locale: &'static str,
    tenant: String,
}

pub async fn me(ctx: Ctx) -> Result<Response, WebError> {
    let a = ctx.auth()?;
    Ok(axum::Json(Me {
        id: a.user.id.to_string(),
        email: a.user.email.clone(),
        display_name: a.user.display_name.clone(),
        role: a.user.role.as_str(),
        locale: ctx.locale.as_str(),
        tenant: ctx.tenant.slug.to_string(),
    })
    .into_response())
}

#[derive(Serialize)]
struct SessionOut {
    id: String,
    device: String,
    ip: String,
    created_at: String,
    last_seen_at: String,
    expires_at: String,
    current: bool,
}

pub async fn sessions(State(st): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let a = ctx.auth()?;
    let list = st.app.store.list_user_sessions(ctx.tenant.id, a.user.id).await.map_err(AppError::from)?;
    let out: Vec<SessionOut> = list
        .into_iter()
        .map(|s| SessionOut {
            id: s.id.to_string(),
            device: ordo_core::device::describe(&s.user_agent),
            ip: s.ip,
            created_at: s.created_at.rfc3339(),
            last_seen_at: s.last_seen_at.rfc3339(),
            expires_at: s.expires_at.rfc3339(),
            current: s.id == a.session.id,
        })
        .collect();
    Ok(axum::Json(serde_json::json!({ "sessions": out })).into_response())
}

pub async fn end_session(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let a = ctx.auth()?;
    let id: SessionId = id.parse().map_err(|_| WebError::NotFound)?;
    accounts::end_session(&st.app, &ctx.tenant, &a.user, id, &ctx.ip).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Serialize)]
struct MemberOut {
    id: String,
    email: String,
    display_name: String,
    role: &'static str,
    status: &'static str,
}

pub async fn members(State(st): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let users = accounts::list_users(&st.app, &ctx.tenant).await?;
    let out: Vec<MemberOut> = users
        .into_iter()
        .map(|u| MemberOut {
            id: u.id.to_string(),
            email: u.email,
            display_name: u.display_name,
            role: u.role.as_str(),
            status: u.status.as_str(),
        })
        .collect();
    Ok(axum::Json(serde_json::json!({ "members": out })).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InviteIn {
    email: String,
    role: String,
}

pub async fn invite(State(st): State<AppState>, ctx: Ctx, Json(body): Json<InviteIn>) -> Result<Response, WebError> {
    let a = ctx.auth()?;
    let role: Role =
        body.role.parse().map_err(|i: ordo_core::Invalid| WebError::Invalid { field: i.field, code: i.code })?;
    let id = accounts::invite(&st.app, &ctx.tenant, &a.user, &body.email, role, &ctx.ip).await?;
    Ok((StatusCode::CREATED, axum::Json(serde_json::json!({ "id": id.to_string() }))).into_response())
}

// ---- Meetings -------------------------------------------------------------

use ordo_app::meetings::{self, ElementInput, MeetingInput};
use ordo_core::ids::{CommentId, ElementId, MeetingId, TopicId, UserId};
use ordo_core::meeting::{ActionStatus, ElementKind, MeetingRole};

/// An id in the address: one that does not parse names nothing (404).
fn parse_id<T: std::str::FromStr>(s: &str) -> Result<T, WebError> {
    s.parse().map_err(|_| WebError::NotFound)
}

/// An id in the body: one that does not parse is a field error (422).
fn body_id<T: std::str::FromStr>(field: &'static str, s: &str) -> Result<T, WebError> {
    s.parse().map_err(|_| WebError::Invalid { field, code: "id.invalid" })
}

/// A use case's answer, with its field names as the API spells them (the
/// forms say `topic`, the JSON `topic_id`).
fn api<T>(r: Result<T, AppError>) -> Result<T, WebError> {
    r.map_err(|e| match WebError::from(e) {
        WebError::Invalid { field, code } => {
            let field = match field {
                "topic" => "topic_id",
                "parent" => "parent_id",
                "user" => "user_id",
                other => other,
            };
            WebError::Invalid { field, code }
        }
        other => other,
    })
}

fn invalid(i: ordo_core::Invalid) -> WebError {
    WebError::Invalid { field: i.field, code: i.code }
}

#[derive(Serialize)]
struct MeetingOut {
    id: String,
    title: String,
    objectives: String,
    place: String,
    starts_at: String,
    local_start: String,
    time_zone: String,
    duration_minutes: i64,
    status: &'static str,
    my_role: &'static str,
    version: i64,
}

fn meeting_out(m: &ordo_app::meetings::Meeting) -> MeetingOut {
    MeetingOut {
        id: m.id.to_string(),
        title: m.title.clone(),
        objectives: m.objectives.clone(),
        place: m.place.clone(),
        starts_at: m.starts_at.rfc3339(),
        local_start: m.local_start.clone(),
        time_zone: m.time_zone.clone(),
        duration_minutes: m.duration_minutes,
        status: m.status.as_str(),
        my_role: m.my_role.as_str(),
        version: m.version,
    }
}

pub async fn list_meetings(State(st): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let a = ctx.auth()?;
    let list = meetings::my_meetings(&st.app, &ctx.tenant, &a.user).await?;
    let out: Vec<MeetingOut> = list.iter().map(meeting_out).collect();
    Ok(axum::Json(serde_json::json!({ "meetings": out })).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeetingIn {
    title: String,
    #[serde(default)]
    objectives: String,
    /// Local date and time, `YYYY-MM-DDTHH:MM`, in `time_zone`.
    starts_at: String,
    time_zone: String,
    duration_minutes: i64,
    #[serde(default)]
    place: String,
    /// Start from this agenda template.
    #[serde(default)]
    template_id: Option<String>,
}

pub async fn create_meeting(
    State(st): State<AppState>,
    ctx: Ctx,
    Json(b): Json<MeetingIn>,
) -> Result<Response, WebError> {
    let a = ctx.auth()?;
    let duration = b.duration_minutes.to_string();
    let input = MeetingInput {
        title: &b.title,
        objectives: &b.objectives,
        starts_at: &b.starts_at,
        time_zone: &b.time_zone,
        duration_minutes: &duration,
        place: &b.place,
    };
    let id = match &b.template_id {
        None => meetings::create(&st.app, &ctx.tenant, &a.user, input).await?,
        Some(t) => {
            let t = t.parse().map_err(|_| WebError::Invalid { field: "template_id", code: "id.invalid" })?;
            ordo_app::templates::create_meeting(&st.app, &ctx.tenant, &a.user, input, t).await?
        }
    };
    Ok((StatusCode::CREATED, axum::Json(serde_json::json!({ "id": id.to_string() }))).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MinutesQuery {
    #[serde(default)]
    format: Option<String>,
}

/// The minutes as a file: `?format=markdown` (the default), `html` or `pdf`.
pub async fn minutes(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(String, String)>,
    axum::extract::Query(q): axum::extract::Query<MinutesQuery>,
) -> Result<Response, WebError> {
    use super::meetings::MinutesFormat;
    let format = match q.format.as_deref() {
        None | Some("markdown") => MinutesFormat::Markdown,
        Some("html") => MinutesFormat::Html,
        Some("pdf") => MinutesFormat::Pdf,
        Some(_) => return Err(WebError::Invalid { field: "format", code: "minutes.format" }),
    };
    super::meetings::minutes_as(&st, &ctx, parse_id(&id)?, format).await
}

pub async fn get_meeting(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let a = ctx.auth()?;
    let page = meetings::page(&st.app, &ctx.tenant, &a.user, parse_id(&id)?).await?;
    let topics: Vec<serde_json::Value> = page
        .content
        .topics
        .iter()
        .map(|t| serde_json::json!({ "id": t.id.to_string(), "parent_id": t.parent_id.map(|p| p.to_string()), "title": t.title }))
        .collect();
    let elements: Vec<serde_json::Value> = page
        .content
        .elements
        .iter()
        .map(|e| {
            serde_json::json!({
                "id": e.id.to_string(), "topic_id": e.topic_id.to_string(), "kind": e.kind.as_str(), "title": e.title,
                "description": e.description, "due_date": e.due_date,
                "status": e.action_status.map(|s| s.as_str()), "owners": e.owners.iter().map(|o| o.to_string()).collect::<Vec<_>>(),
                "version": e.version,
            })
        })
        .collect();
    let comments: Vec<serde_json::Value> = page
        .content
        .comments
        .iter()
        .map(|c| {
            serde_json::json!({
                "id": c.id.to_string(), "element_id": c.element_id.to_string(), "parent_id": c.parent_id.map(|p| p.to_string()),
                "author": c.author, "body": c.body, "created_at": c.created_at.rfc3339(),
            })
        })
        .collect();
    let participants: Vec<serde_json::Value> = page
        .content
        .participants
        .iter()
        .map(|p| serde_json::json!({ "user_id": p.user_id.to_string(), "name": p.name, "role": p.role.as_str(), "invited": p.shared }))
        .collect();
    Ok(axum::Json(serde_json::json!({
        "meeting": meeting_out(&page.meeting), "participants": participants, "topics": topics,
        "elements": elements, "comments": comments,
    }))
    .into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParticipantIn {
    email: String,
    role: String,
}

pub async fn add_participant(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(String, String)>,
    Json(b): Json<ParticipantIn>,
) -> Result<Response, WebError> {
    let a = ctx.auth()?;
    let role: MeetingRole = b.role.parse().map_err(invalid)?;
    let uid = meetings::add_participant(&st.app, &ctx.tenant, &a.user, parse_id(&id)?, &b.email, role).await?;
    Ok((StatusCode::CREATED, axum::Json(serde_json::json!({ "user_id": uid.to_string() }))).into_response())
}

pub async fn share_meeting(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let a = ctx.auth()?;
    let n = meetings::share(&st.app, &ctx.tenant, &a.user, parse_id(&id)?).await?;
    Ok(axum::Json(serde_json::json!({ "invited": n })).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NextIn {
    /// For a follow-up outside a series: its local start.
    #[serde(default)]
    starts_at: String,
}

/// Prepare the next meeting, carrying over what is still open.
pub async fn prepare_next(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(String, String)>,
    Json(b): Json<NextIn>,
) -> Result<Response, WebError> {
    let a = ctx.auth()?;
    let next =
        api(ordo_app::series::prepare_next(&st.app, &ctx.tenant, &a.user, parse_id(&id)?, Some(&b.starts_at)).await)?;
    Ok((StatusCode::CREATED, axum::Json(serde_json::json!({ "id": next.to_string() }))).into_response())
}

/// A series: its meetings one may see, and its backlog.
pub async fn series(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((_, series)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let a = ctx.auth()?;
    let series: ordo_core::ids::SeriesId = series.parse().map_err(|_| WebError::NotFound)?;
    let v = ordo_app::series::view(&st.app, &ctx.tenant, &a.user, &series.to_string()).await?;
    let meetings: Vec<serde_json::Value> = v
        .meetings
        .iter()
        .map(|m| serde_json::json!({"id": m.id.to_string(), "number": m.number, "title": m.title, "when": m.when, "status": m.status.as_str()}))
        .collect();
    let backlog: Vec<serde_json::Value> = v
        .backlog
        .iter()
        .map(|b| {
            serde_json::json!({
                "meeting_id": b.meeting_id.to_string(), "element_id": b.element_id, "kind": b.kind.as_str(),
                "title": b.title, "owners": b.owners, "due_date": b.due_date, "since": b.since,
            })
        })
        .collect();
    Ok(axum::Json(serde_json::json!({ "id": v.id, "meetings": meetings, "upcoming": v.upcoming, "backlog": backlog }))
        .into_response())
}

pub async fn send_minutes(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let a = ctx.auth()?;
    let n = ordo_app::minutes::send(&st.app, &ctx.tenant, &a.user, parse_id(&id)?).await?;
    Ok(axum::Json(serde_json::json!({ "sent": n })).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopicIn {
    title: String,
    #[serde(default)]
    parent_id: Option<String>,
}

pub async fn add_topic(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(String, String)>,
    Json(b): Json<TopicIn>,
) -> Result<Response, WebError> {
    let a = ctx.auth()?;
    let parent = b.parent_id.as_deref().map(|p| body_id::<TopicId>("parent_id", p)).transpose()?;
    let tid = api(meetings::add_topic(&st.app, &ctx.tenant, &a.user, parse_id(&id)?, parent, &b.title).await)?;
    Ok((StatusCode::CREATED, axum::Json(serde_json::json!({ "id": tid.to_string() }))).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ElementIn {
    topic_id: String,
    kind: String,
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    due_date: String,
    #[serde(default)]
    owners: Vec<String>,
}

pub async fn add_element(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(String, String)>,
    Json(b): Json<ElementIn>,
) -> Result<Response, WebError> {
    let a = ctx.auth()?;
    let kind: ElementKind = b.kind.parse().map_err(invalid)?;
    let owners = b
        .owners
        .iter()
        .map(|o| {
            o.parse::<UserId>().map_err(|_| WebError::Invalid { field: "owners", code: "owners.not_participants" })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let input = ElementInput {
        topic: body_id("topic_id", &b.topic_id)?,
        kind,
        title: &b.title,
        description: &b.description,
        due_date: &b.due_date,
        owners,
    };
    let eid = api(meetings::add_element(&st.app, &ctx.tenant, &a.user, parse_id(&id)?, input).await)?;
    Ok((StatusCode::CREATED, axum::Json(serde_json::json!({ "id": eid.to_string() }))).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommentIn {
    body: String,
    #[serde(default)]
    parent_id: Option<String>,
}

pub async fn add_comment(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((_, id, element)): Path<(String, String, String)>,
    Json(b): Json<CommentIn>,
) -> Result<Response, WebError> {
    let a = ctx.auth()?;
    let parent = b.parent_id.as_deref().map(|p| body_id::<CommentId>("parent_id", p)).transpose()?;
    let cid = meetings::add_comment(
        &st.app,
        &ctx.tenant,
        &a.user,
        parse_id(&id)?,
        parse_id::<ElementId>(&element)?,
        parent,
        &b.body,
    )
    .await?;
    Ok((StatusCode::CREATED, axum::Json(serde_json::json!({ "id": cid.to_string() }))).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusIn {
    status: String,
}

pub async fn set_action_status(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((_, id, element)): Path<(String, String, String)>,
    Json(b): Json<StatusIn>,
) -> Result<Response, WebError> {
    let a = ctx.auth()?;
    let status: ActionStatus = b.status.parse().map_err(invalid)?;
    meetings::set_action_status(
        &st.app,
        &ctx.tenant,
        &a.user,
        parse_id::<MeetingId>(&id)?,
        parse_id(&element)?,
        status,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn my_actions(State(st): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let a = ctx.auth()?;
    let list = meetings::my_actions(&st.app, &ctx.tenant, &a.user).await?;
    let out: Vec<serde_json::Value> = list
        .iter()
        .map(|x| {
            serde_json::json!({ "meeting_id": x.meeting_id.to_string(), "element_id": x.element_id.to_string(), "title": x.title,
                "due_date": x.due_date, "status": x.status.as_str() })
        })
        .collect();
    Ok(axum::Json(serde_json::json!({ "actions": out })).into_response())
}

/// A partial edit of a meeting's details: absent fields keep their value;
/// `version` is the one read (a stale version is refused with 409).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeetingPatch {
    version: i64,
    title: Option<String>,
    objectives: Option<String>,
    starts_at: Option<String>,
    time_zone: Option<String>,
    duration_minutes: Option<i64>,
    place: Option<String>,
}

pub async fn update_meeting(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(String, String)>,
    Json(b): Json<MeetingPatch>,
) -> Result<Response, WebError> {
    let a = ctx.auth()?;
    let id: MeetingId = parse_id(&id)?;
    let now = meetings::page(&st.app, &ctx.tenant, &a.user, id).await?.meeting;
    let duration = b.duration_minutes.unwrap_or(now.duration_minutes).to_string();
    let input = MeetingInput {
        title: b.title.as_deref().unwrap_or(&now.title),
        objectives: b.objectives.as_deref().unwrap_or(&now.objectives),
        starts_at: b.starts_at.as_deref().unwrap_or(&now.local_start),
        time_zone: b.time_zone.as_deref().unwrap_or(&now.time_zone),
        duration_minutes: &duration,
        place: b.place.as_deref().unwrap_or(&now.place),
    };
    meetings::update(&st.app, &ctx.tenant, &a.user, id, input, b.version).await?;
    let m = meetings::page(&st.app, &ctx.tenant, &a.user, id).await?.meeting;
    Ok(axum::Json(serde_json::json!({ "meeting": meeting_out(&m) })).into_response())
}

async fn set_meeting_status(
    st: &AppState,
    ctx: &Ctx,
    id: &str,
    status: ordo_core::meeting::MeetingStatus,
) -> Result<Response, WebError> {
    let a = ctx.auth()?;
    let id: MeetingId = parse_id(id)?;
    meetings::set_status(&st.app, &ctx.tenant, &a.user, id, status).await?;
    let m = meetings::page(&st.app, &ctx.tenant, &a.user, id).await?.meeting;
    Ok(axum::Json(serde_json::json!({ "meeting": meeting_out(&m) })).into_response())
}

pub async fn cancel_meeting(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    set_meeting_status(&st, &ctx, &id, ordo_core::meeting::MeetingStatus::Cancelled).await
}

pub async fn archive_meeting(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    set_meeting_status(&st, &ctx, &id, ordo_core::meeting::MeetingStatus::Archived).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleIn {
    role: String,
}

pub async fn set_participant_role(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((_, id, user)): Path<(String, String, String)>,
    Json(b): Json<RoleIn>,
) -> Result<Response, WebError> {
    let a = ctx.auth()?;
    let role: MeetingRole = b.role.parse().map_err(invalid)?;
    meetings::set_participant_role(&st.app, &ctx.tenant, &a.user, parse_id(&id)?, parse_id(&user)?, role).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn remove_participant(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((_, id, user)): Path<(String, String, String)>,
) -> Result<Response, WebError> {
    let a = ctx.auth()?;
    meetings::remove_participant(&st.app, &ctx.tenant, &a.user, parse_id(&id)?, parse_id(&user)?).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// A partial edit of an element: absent fields keep their value; `owners`
/// (actions only) replaces the list; `version` is the one read.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ElementPatch {
    version: i64,
    title: Option<String>,
    description: Option<String>,
    due_date: Option<String>,
    topic_id: Option<String>,
    owners: Option<Vec<String>>,
}

pub async fn update_element(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((_, id, element)): Path<(String, String, String)>,
    Json(b): Json<ElementPatch>,
) -> Result<Response, WebError> {
    let a = ctx.auth()?;
    let id: MeetingId = parse_id(&id)?;
    let element: ElementId = parse_id(&element)?;
    let page = meetings::page(&st.app, &ctx.tenant, &a.user, id).await?;
    let e = page.content.elements.iter().find(|e| e.id == element).ok_or(WebError::NotFound)?;
    let topic = match &b.topic_id {
        Some(t) => body_id("topic_id", t)?,
        None => e.topic_id,
    };
    let owners = b
        .owners
        .as_ref()
        .map(|list| {
            list.iter()
                .map(|o| {
                    o.parse::<UserId>()
                        .map_err(|_| WebError::Invalid { field: "owners", code: "owners.not_participants" })
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?;
    let due_now = e.due_date.clone().unwrap_or_default();
    let edit = meetings::ElementEdit {
        title: b.title.as_deref().unwrap_or(&e.title),
        description: b.description.as_deref().unwrap_or(&e.description),
        due_date: b.due_date.as_deref().unwrap_or(&due_now),
        topic,
        owners,
        version: b.version,
    };
    api(meetings::update_element(&st.app, &ctx.tenant, &a.user, id, element, edit).await)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlaceIn {
    /// The topic to move to (elements; absent: the same topic).
    #[serde(default)]
    topic_id: Option<String>,
    /// 0-based place among the siblings; past the end means last.
    position: usize,
}

pub async fn move_element(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((_, id, element)): Path<(String, String, String)>,
    Json(b): Json<PlaceIn>,
) -> Result<Response, WebError> {
    let a = ctx.auth()?;
    let id: MeetingId = parse_id(&id)?;
    let element: ElementId = parse_id(&element)?;
    let topic = match &b.topic_id {
        Some(t) => body_id("topic_id", t)?,
        None => {
            let page = meetings::page(&st.app, &ctx.tenant, &a.user, id).await?;
            page.content.elements.iter().find(|e| e.id == element).ok_or(WebError::NotFound)?.topic_id
        }
    };
    api(meetings::place_element(&st.app, &ctx.tenant, &a.user, id, element, topic, b.position).await)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopicPlaceIn {
    position: usize,
}

pub async fn move_topic(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((_, id, topic)): Path<(String, String, String)>,
    Json(b): Json<TopicPlaceIn>,
) -> Result<Response, WebError> {
    let a = ctx.auth()?;
    let to = meetings::TopicMove::To(b.position);
    meetings::move_topic(&st.app, &ctx.tenant, &a.user, parse_id(&id)?, parse_id(&topic)?, to).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// People I have met in a meeting I can see: the only names suggested when
/// adding participants (the page loads them when the field is used).
pub async fn people(State(st): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let a = ctx.auth()?;
    let list = meetings::people_met(&st.app, &ctx.tenant, &a.user).await?;
    let out: Vec<serde_json::Value> =
        list.into_iter().map(|(name, email)| serde_json::json!({ "name": name, "email": email })).collect();
    Ok(axum::Json(serde_json::json!({ "people": out })).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopicPatch {
    title: String,
}

pub async fn rename_topic(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((_, id, topic)): Path<(String, String, String)>,
    Json(b): Json<TopicPatch>,
) -> Result<Response, WebError> {
    let a = ctx.auth()?;
    meetings::rename_topic(&st.app, &ctx.tenant, &a.user, parse_id(&id)?, parse_id(&topic)?, &b.title).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn delete_topic(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((_, id, topic)): Path<(String, String, String)>,
) -> Result<Response, WebError> {
    let a = ctx.auth()?;
    meetings::delete_topic(&st.app, &ctx.tenant, &a.user, parse_id(&id)?, parse_id(&topic)?).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContributorIn {
    user_id: String,
}

pub async fn assign_contributor(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((_, id, topic)): Path<(String, String, String)>,
    Json(b): Json<ContributorIn>,
) -> Result<Response, WebError> {
    let a = ctx.auth()?;
    let user: UserId = body_id("user_id", &b.user_id)?;
    api(meetings::assign_topic_contributor(&st.app, &ctx.tenant, &a.user, parse_id(&id)?, parse_id(&topic)?, user)
        .await)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn remove_contributor(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((_, id, topic, user)): Path<(String, String, String, String)>,
) -> Result<Response, WebError> {
    let a = ctx.auth()?;
    meetings::remove_topic_contributor(
        &st.app,
        &ctx.tenant,
        &a.user,
        parse_id(&id)?,
        parse_id(&topic)?,
        parse_id(&user)?,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn delete_element(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((_, id, element)): Path<(String, String, String)>,
) -> Result<Response, WebError> {
    let a = ctx.auth()?;
    meetings::delete_element(&st.app, &ctx.tenant, &a.user, parse_id(&id)?, parse_id(&element)?).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn delete_comment(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((_, id, comment)): Path<(String, String, String)>,
) -> Result<Response, WebError> {
    let a = ctx.auth()?;
    meetings::delete_comment(&st.app, &ctx.tenant, &a.user, parse_id(&id)?, parse_id(&comment)?).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// An image element's picture, as stored (the same headers as the page's).
pub async fn image(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((_, id, element)): Path<(String, String, String)>,
) -> Result<Response, WebError> {
    let a = ctx.auth()?;
    let element: ElementId = parse_id(&element)?;
    let (ctype, bytes) = meetings::image(&st.app, &ctx.tenant, &a.user, parse_id(&id)?, element).await?;
    super::meetings::image_response(element, &ctype, bytes)
}

/// Upload a picture as a new image element: multipart with `topic_id`,
/// optional `title`, and `file`.
pub async fn upload_image(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(String, String)>,
    super::MultipartForm(mp): super::MultipartForm,
) -> Result<Response, WebError> {
    let a = ctx.auth()?;
    let up = super::meetings::read_upload(mp, "topic_id").await?;
    let topic: TopicId = body_id("topic_id", &up.topic)?;
    let eid = api(meetings::add_image(&st.app, &ctx.tenant, &a.user, parse_id(&id)?, topic, &up.title, up.file).await)?;
    Ok((StatusCode::CREATED, axum::Json(serde_json::json!({ "id": eid.to_string() }))).into_response())
}
