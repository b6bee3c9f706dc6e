//! Elements of the note space: added from the quick-add line, edited,
//! moved, marked done, deleted; images uploaded and served.

use super::agenda::MoveIn;
use super::view::{element_edit_view, meeting_view};
use super::{after, created, done, field, field_errors, ids};
use crate::error::WebError;
use crate::extract::Whole;
use crate::extract::path::{ElementAt, MeetingAt};
use crate::extract::{At, Form, Json, Me, Multipart};
use crate::openapi::Doc;
use crate::pages::{Errors, ok, render};
use crate::routes::{Decl, Guard, delete, get, patch, post};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use ordo_app::meetings::{self, ElementEdit};
use ordo_app::{AppError, Conflict};
use ordo_core::ids::{ElementId, MeetingId, TopicId, UserId};
use ordo_core::meeting::{ActionStatus, ElementKind, MeetingAction as A};
use serde::Deserialize;
use utoipa::ToSchema;

pub fn decls() -> Vec<Decl> {
    let edit = Guard::Meeting(A::EditContent);
    vec![
        post("/t/{slug}/meetings/{id}/elements", Guard::Meeting(A::AddContent), add_form),
        post("/t/{slug}/meetings/{id}/elements/{element}/status", Guard::Meeting(A::SetActionStatus), status_form),
        post("/t/{slug}/meetings/{id}/elements/{element}/move", edit, move_form),
        get("/t/{slug}/meetings/{id}/elements/{element}/edit", Guard::Meeting(A::AddContent), edit_page),
        post("/t/{slug}/meetings/{id}/elements/{element}/edit", edit, edit_form),
        post("/t/{slug}/meetings/{id}/elements/{element}/delete", edit, delete_form),
        post("/t/{slug}/meetings/{id}/images", Guard::Meeting(A::AddContent), upload_form).upload(),
        get("/t/{slug}/meetings/{id}/elements/{element}/image", Guard::Meeting(A::View), image),
        post("/t/{slug}/api/v1/meetings/{id}/elements", Guard::Meeting(A::AddContent), api_add).doc(
            Doc::new("Add an element to a topic: a decision, an action (owners, due date), a topic to discuss or a note")
                .body::<ElementIn>()
                .ok::<super::super::IdOut>(201),
        ),
        patch("/t/{slug}/api/v1/meetings/{id}/elements/{element}", edit, api_edit).doc(
            Doc::new("Edit an element: absent fields keep their value; `owners` replaces the list; `version` is the one read")
                .body::<ElementPatch>()
                .done()
                .conflict(),
        ),
        delete("/t/{slug}/api/v1/meetings/{id}/elements/{element}", edit, api_delete)
            .doc(Doc::new("Delete an element").done()),
        post("/t/{slug}/api/v1/meetings/{id}/elements/{element}/move", edit, api_move)
            .doc(Doc::new("Move an element to a place in its topic or another one").body::<MoveIn>().done()),
        post("/t/{slug}/api/v1/meetings/{id}/elements/{element}/status", Guard::Meeting(A::SetActionStatus), api_status)
            .doc(Doc::new("Mark an action done or open (a topic to discuss resolved or open)").body::<StatusIn>().done()),
        get("/t/{slug}/api/v1/meetings/{id}/elements/{element}/image", Guard::Meeting(A::View), image)
            .doc(Doc::new("An image element's picture, as stored").file(&["image/*"])),
        post("/t/{slug}/api/v1/meetings/{id}/images", Guard::Meeting(A::AddContent), api_upload)
            .upload()
            .doc(Doc::new("Upload a picture as a new image element").upload::<ImageIn>().ok::<super::super::IdOut>(201)),
    ]
}

/// A new element, as a line: the title may start with a kind (`/d`
/// decision, `/a` action, `/t` topic to discuss, `/n` note), and its `@`
/// words name owners (`@mia`) and a due date (`@fri`, `@+3d`, `@12/15`),
/// making it an action unless another kind is given.
#[derive(Deserialize, ToSchema)]
pub struct ElementIn {
    #[serde(alias = "topic")]
    #[schema(format = Uuid)]
    pub topic_id: String,
    /// Absent: a note (or the kind typed at the start of the title).
    #[serde(default)]
    #[schema(schema_with = crate::openapi::schema::element_kind_added)]
    pub kind: String,
    #[schema(schema_with = crate::openapi::schema::title)]
    pub title: String,
    /// Rich text (sanitised when stored).
    #[serde(default)]
    #[schema(schema_with = crate::openapi::schema::text)]
    pub description: String,
    /// An action's due date, `YYYY-MM-DD`.
    #[serde(default)]
    #[schema(schema_with = crate::openapi::schema::date_or_empty)]
    pub due_date: String,
    /// An action's owners (participants).
    #[serde(default, alias = "owner")]
    #[schema(schema_with = crate::openapi::schema::uuids)]
    pub owners: Vec<String>,
}

impl ElementIn {
    async fn add(&self, me: &Me, id: MeetingId) -> Result<ElementId, AppError> {
        let topic: TopicId = field("topic_id", "id.invalid", &self.topic_id)?;
        let kind = match self.kind.as_str() {
            "" => None,
            k => Some(field::<ElementKind>("kind", "element_kind.invalid", k)?),
        };
        let line = meetings::Line {
            topic,
            line: &self.title,
            kind,
            description: &self.description,
            due_date: &self.due_date,
            owners: ids("owners", &self.owners)?,
            locale: me.ctx.locale,
        };
        meetings::add_line(&me.app, me.tenant(), &me.user, id, line).await
    }
}

#[tracing::instrument(skip_all)]
async fn add_form(me: Me, At(p): At<MeetingAt>, Form(f, _): Form<ElementIn>) -> Result<Response, WebError> {
    match f.add(&me, p.id).await {
        Ok(_) => Ok(Redirect::to(&me.href(&format!("meetings/{}#title-{}", p.id, f.topic_id))).into_response()),
        Err(e) => {
            // The line is shown again where it was typed, with the message.
            let errors = field_errors(&me.ctx, e)?;
            let kept = Some((f.topic_id.clone(), f.title.clone()));
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &meeting_view(&me, p.id, errors, None, kept).await?))
        }
    }
}

#[tracing::instrument(skip_all)]
async fn api_add(me: Me, At(p): At<MeetingAt>, Json(b): Json<ElementIn>) -> Result<Response, WebError> {
    Ok(created(b.add(&me, p.id).await?))
}

/// An action's (or a topic to discuss's) new state.
#[derive(Deserialize, ToSchema)]
pub struct StatusIn {
    #[schema(schema_with = crate::openapi::schema::action_status)]
    pub status: String,
}

#[tracing::instrument(skip_all)]
async fn set_status(me: &Me, p: &ElementAt, b: &StatusIn) -> Result<(), AppError> {
    let status: ActionStatus = field("status", "action_status.invalid", &b.status)?;
    meetings::set_action_status(&me.app, me.tenant(), &me.user, p.id, p.element, status).await
}

#[tracing::instrument(skip_all)]
async fn status_form(me: Me, At(p): At<ElementAt>, Form(f, hints): Form<StatusIn>) -> Result<Response, WebError> {
    let r = set_status(&me, &p, &f).await;
    // Ticked on the dashboard (`_back=open`, `done:<meeting>`...): back to
    // the same list, whose address is built from known values only.
    match (hints.get("_back"), &r) {
        (Some(back), Ok(())) => {
            let (filter, meeting) = back.split_once(':').unwrap_or((back, ""));
            let href = crate::features::account::home::actions_href(&me, filter, meeting.parse().ok());
            Ok(Redirect::to(&href).into_response())
        }
        _ => after(&me, p.id, r, "").await,
    }
}

#[tracing::instrument(skip_all)]
async fn api_status(me: Me, At(p): At<ElementAt>, Json(b): Json<StatusIn>) -> Result<Response, WebError> {
    set_status(&me, &p, &b).await?;
    Ok(done())
}

#[tracing::instrument(skip_all)]
async fn place(me: &Me, p: &ElementAt, m: &MoveIn) -> Result<Result<(), AppError>, WebError> {
    let (app, tenant, user) = (&me.app, me.tenant(), &me.user);
    Ok(match (m.direction.as_deref(), m.position) {
        (Some("up"), _) => meetings::move_element(app, tenant, user, p.id, p.element, true).await,
        (Some("down"), _) => meetings::move_element(app, tenant, user, p.id, p.element, false).await,
        (None, Some(position)) => {
            let position = position.place()?;
            let topic = match m.topic_id.as_deref() {
                Some(t) => Some(field::<TopicId>("topic_id", "id.invalid", t).map_err(WebError::from)?),
                None => None,
            };
            match topic {
                Some(topic) => meetings::place_element(app, tenant, user, p.id, p.element, topic, position).await,
                None => meetings::place_element_in_its_topic(app, tenant, user, p.id, p.element, position).await,
            }
        }
        _ => return Err(WebError::Invalid { field: "position", code: "position.invalid" }),
    })
}

#[tracing::instrument(skip_all)]
async fn move_form(me: Me, At(p): At<ElementAt>, Form(f, _): Form<MoveIn>) -> Result<Response, WebError> {
    let r = place(&me, &p, &f).await?;
    after(&me, p.id, r, &format!("#el-{}", p.element)).await
}

#[tracing::instrument(skip_all)]
async fn api_move(me: Me, At(p): At<ElementAt>, Json(b): Json<MoveIn>) -> Result<Response, WebError> {
    place(&me, &p, &b).await??;
    Ok(done())
}

/// A change of an element: absent fields keep their value. The page's edit
/// form sends them all (and `_owners_shown` when it showed the owners).
#[derive(Deserialize, ToSchema)]
pub struct ElementPatch {
    /// The version read (a newer one is refused with 409).
    #[schema(value_type = i64)]
    pub version: Whole,
    #[schema(schema_with = crate::openapi::schema::title_or_null)]
    pub title: Option<String>,
    /// Rich text (sanitised when stored).
    #[schema(schema_with = crate::openapi::schema::text_or_null)]
    pub description: Option<String>,
    /// An action's due date, `YYYY-MM-DD` (empty: none).
    #[schema(schema_with = crate::openapi::schema::date_or_empty_or_null)]
    pub due_date: Option<String>,
    /// Move it to this topic.
    #[serde(default, alias = "topic")]
    #[schema(format = Uuid)]
    pub topic_id: Option<String>,
    /// An action's owners (replaces the list).
    #[serde(default, alias = "owner")]
    #[schema(schema_with = crate::openapi::schema::uuids)]
    pub owners: Option<Vec<String>>,
}

impl ElementPatch {
    async fn apply(&self, me: &Me, p: &ElementAt) -> Result<(), AppError> {
        let topic = self.topic_id.as_deref().map(|t| field::<TopicId>("topic_id", "id.invalid", t)).transpose()?;
        let owners = self.owners.as_deref().map(|o| ids::<UserId>("owners", o)).transpose()?;
        let edit = ElementEdit {
            title: self.title.as_deref(),
            description: self.description.as_deref(),
            due_date: self.due_date.as_deref(),
            topic,
            owners,
            version: self.version.0,
        };
        meetings::update_element(&me.app, me.tenant(), &me.user, p.id, p.element, edit).await
    }
}

#[tracing::instrument(skip_all)]
async fn api_edit(me: Me, At(p): At<ElementAt>, Json(b): Json<ElementPatch>) -> Result<Response, WebError> {
    b.apply(&me, &p).await?;
    Ok(done())
}

#[tracing::instrument(skip_all)]
async fn edit_page(me: Me, At(p): At<ElementAt>) -> Result<Response, WebError> {
    Ok(ok(&element_edit_view(&me, p.id, p.element, Errors::default()).await?))
}

#[tracing::instrument(skip_all)]
async fn edit_form(me: Me, At(p): At<ElementAt>, Form(mut f, hints): Form<ElementPatch>) -> Result<Response, WebError> {
    // The form sends every field: one left empty is cleared; no owner box
    // ticked (when they were shown) is no owner.
    for v in [&mut f.title, &mut f.description, &mut f.due_date] {
        v.get_or_insert_with(String::new);
    }
    if f.owners.is_none() && hints.get("_owners_shown").is_some() {
        f.owners = Some(Vec::new());
    }
    match f.apply(&me, &p).await {
        Ok(()) => Ok(Redirect::to(&me.href(&format!("meetings/{}#el-{}", p.id, p.element))).into_response()),
        Err(e) => {
            let conflict = matches!(e, AppError::Conflict(Conflict::Version));
            let errors = field_errors(&me.ctx, e)?;
            let status = if conflict || errors.get("form").is_some() {
                StatusCode::CONFLICT
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let mut view = element_edit_view(&me, p.id, p.element, errors).await?;
            if conflict {
                // Someone saved first: their version beside, this author's
                // text in the form, and the form now based on theirs (a
                // second save replaces it knowingly).
                view.theirs = Some((view.title.clone(), view.description_html.clone()));
                view.errors = Errors::one("form", me.ctx.tr().t("error.element_conflict").to_owned());
            }
            // What this author typed: shown again whatever happens, never lost.
            view.title = f.title.unwrap_or_default();
            view.description = f.description.unwrap_or_default();
            view.due_date = f.due_date.unwrap_or_default();
            Ok(render(status, &view))
        }
    }
}

#[tracing::instrument(skip_all)]
async fn delete_form(me: Me, At(p): At<ElementAt>) -> Result<Response, WebError> {
    let r = meetings::delete_element(&me.app, me.tenant(), &me.user, p.id, p.element).await;
    after(&me, p.id, r, "?notice=deleted").await
}

#[tracing::instrument(skip_all)]
async fn api_delete(me: Me, At(p): At<ElementAt>) -> Result<Response, WebError> {
    meetings::delete_element(&me.app, me.tenant(), &me.user, p.id, p.element).await?;
    Ok(done())
}

/// An upload: `topic_id` (the page's form says `topic`), an optional
/// `title`, and the picture as `file`.
#[derive(ToSchema)]
#[allow(dead_code)] // its fields document the multipart parts read by `read_upload`
pub struct ImageIn {
    #[schema(format = Uuid)]
    topic_id: String,
    #[schema(schema_with = crate::openapi::schema::caption)]
    title: Option<String>,
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// An upload's parts: the topic, a title, the file.
pub struct Upload {
    pub topic: String,
    pub title: String,
    pub file: Vec<u8>,
}

/// Read an upload's parts; unknown parts are skipped (the form's `_csrf`).
#[tracing::instrument(skip_all)]
pub async fn read_upload(mut mp: axum::extract::Multipart) -> Result<Upload, WebError> {
    let mut up = Upload { topic: String::new(), title: String::new(), file: Vec::new() };
    while let Some(field) = mp.next_field().await.map_err(|_| WebError::BadRequest)? {
        match field.name() {
            Some("topic" | "topic_id") => up.topic = field.text().await.map_err(|_| WebError::BadRequest)?,
            Some("title") => up.title = field.text().await.map_err(|_| WebError::BadRequest)?,
            Some("file") => up.file = field.bytes().await.map_err(|_| WebError::TooLarge)?.to_vec(),
            _ => {}
        }
    }
    Ok(up)
}

#[tracing::instrument(skip_all)]
async fn upload(me: &Me, id: MeetingId, mp: axum::extract::Multipart) -> Result<Result<ElementId, AppError>, WebError> {
    let up = read_upload(mp).await?;
    Ok(match field::<TopicId>("topic_id", "id.invalid", &up.topic) {
        Ok(topic) => meetings::add_image(&me.app, me.tenant(), &me.user, id, topic, &up.title, up.file).await,
        Err(e) => Err(e),
    })
}

/// Upload a picture: a new image element in a topic.
#[tracing::instrument(skip_all)]
async fn upload_form(me: Me, At(p): At<MeetingAt>, Multipart(mp): Multipart) -> Result<Response, WebError> {
    let r = upload(&me, p.id, mp).await?.map(|_| ());
    after(&me, p.id, r, "").await
}

#[tracing::instrument(skip_all)]
async fn api_upload(me: Me, At(p): At<MeetingAt>, Multipart(mp): Multipart) -> Result<Response, WebError> {
    Ok(created(upload(&me, p.id, mp).await??))
}

/// Serve an image to someone who may see its meeting, as the type its
/// content was checked to be, never sniffed, never cached.
#[tracing::instrument(skip_all)]
async fn image(me: Me, At(p): At<ElementAt>) -> Result<Response, WebError> {
    let (ctype, bytes) = meetings::image(&me.app, me.tenant(), &me.user, p.id, p.element).await?;
    image_response(p.element, &ctype, bytes)
}

/// A stored picture: its checked type, shown inline under a fixed name
/// (never the uploader's), `nosniff` and `no-store` from the outer layer.
pub fn image_response(element: ElementId, ctype: &str, bytes: Vec<u8>) -> Result<Response, WebError> {
    use axum::http::{HeaderValue, header};
    let ext = ctype.trim_start_matches("image/");
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_str(ctype).map_err(|_| WebError::Internal("content type"))?);
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&format!("inline; filename=\"image-{element}.{ext}\""))
            .map_err(|_| WebError::Internal("disposition"))?,
    );
    Ok(res)
}
