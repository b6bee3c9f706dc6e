//! The agenda: topics and sub-topics (added, renamed, moved, deleted) and
//! who contributes to which topic.

use super::{after, created, done, field};
use crate::error::WebError;
use crate::extract::Whole;
use crate::extract::path::{ContributorAt, MeetingAt, TopicAt};
use crate::extract::{At, Form, Json, Me};
use crate::openapi::Doc;
use crate::routes::{Decl, Guard, delete, get, patch, post};
use axum::response::Response;
use ordo_app::AppError;
use ordo_app::meetings::{self, TopicMove};
use ordo_core::ids::{TopicId, UserId};
use ordo_core::meeting::MeetingAction as A;
use serde::Deserialize;
use utoipa::ToSchema;

pub fn decls() -> Vec<Decl> {
    let edit = Guard::Meeting(A::EditContent);
    vec![
        post("/t/{slug}/meetings/{id}/topics", Guard::Meeting(A::AddContent), add_form),
        post("/t/{slug}/meetings/{id}/topics/{topic}/contributors", edit, assign_form),
        post("/t/{slug}/meetings/{id}/topics/{topic}/contributors/{user}/remove", edit, unassign_form),
        post("/t/{slug}/meetings/{id}/topics/{topic}/move", edit, move_form),
        get("/t/{slug}/meetings/{id}/topics/{topic}/edit", edit, edit_page),
        post("/t/{slug}/meetings/{id}/topics/{topic}/edit", edit, rename_form),
        post("/t/{slug}/meetings/{id}/topics/{topic}/delete", edit, delete_form),
        post("/t/{slug}/api/v1/meetings/{id}/topics", Guard::Meeting(A::AddContent), api_add)
            .doc(Doc::new("Add a topic, or a sub-topic (parent_id)").body::<TopicIn>().ok::<super::super::IdOut>(201)),
        patch("/t/{slug}/api/v1/meetings/{id}/topics/{topic}", edit, api_rename)
            .doc(Doc::new("Rename a topic").body::<RenameIn>().done()),
        delete("/t/{slug}/api/v1/meetings/{id}/topics/{topic}", edit, api_delete)
            .doc(Doc::new("Delete a topic with its sub-topics and their content").done()),
        post("/t/{slug}/api/v1/meetings/{id}/topics/{topic}/move", edit, api_move)
            .doc(Doc::new("Move a topic among the topics of its level").body::<MoveIn>().done()),
        post("/t/{slug}/api/v1/meetings/{id}/topics/{topic}/contributors", edit, api_assign)
            .doc(Doc::new("Assign a participant as a contributor of the topic").body::<ContributorIn>().done()),
        delete("/t/{slug}/api/v1/meetings/{id}/topics/{topic}/contributors/{user}", edit, api_unassign)
            .doc(Doc::new("Take a contributor off the topic").done()),
    ]
}

/// A new topic (a sub-topic under `parent_id`).
#[derive(Deserialize, ToSchema)]
pub struct TopicIn {
    #[schema(schema_with = crate::openapi::schema::title)]
    pub title: String,
    #[serde(default, alias = "parent")]
    #[schema(format = Uuid)]
    pub parent_id: Option<String>,
}

impl TopicIn {
    async fn add(&self, me: &Me, id: ordo_core::ids::MeetingId) -> Result<TopicId, AppError> {
        let parent = match self.parent_id.as_deref() {
            None | Some("") => None,
            Some(p) => Some(field("parent_id", "id.invalid", p)?),
        };
        meetings::add_topic(&me.app, me.tenant(), &me.user, id, parent, &self.title).await
    }
}

#[tracing::instrument(skip_all)]
async fn add_form(me: Me, At(p): At<MeetingAt>, Form(f, hints): Form<TopicIn>) -> Result<Response, WebError> {
    let r = f.add(&me, p.id).await.map(|_| ());
    // Back to the line the topic was typed in, so typing goes on (app.js
    // focuses the field the address names).
    let back = match f.parent_id.as_deref() {
        Some(parent) if !parent.is_empty() && hints.get("_focus") != Some("new-topic") => format!("#sub-{parent}"),
        _ => "#new-topic".to_owned(),
    };
    after(&me, p.id, r, &back).await
}

#[tracing::instrument(skip_all)]
async fn api_add(me: Me, At(p): At<MeetingAt>, Json(b): Json<TopicIn>) -> Result<Response, WebError> {
    Ok(created(b.add(&me, p.id).await?))
}

/// A topic's new title.
#[derive(Deserialize, ToSchema)]
pub struct RenameIn {
    #[schema(schema_with = crate::openapi::schema::title)]
    pub title: String,
}

/// A topic's page (the meeting page links to it from "Topic…"): the same
/// forms the meeting page used to carry for every topic.
#[tracing::instrument(skip_all)]
async fn edit_page(me: Me, At(p): At<TopicAt>) -> Result<Response, WebError> {
    let view = super::view::meeting_view(&me, p.id, crate::pages::Errors::default(), None, None).await?;
    if view.read_only || !view.can.edit_content {
        return Err(WebError::Forbidden);
    }
    let wanted = p.topic.to_string();
    let mut found = None;
    for t in view.topics {
        if t.id == wanted {
            found = Some((t, false));
            break;
        }
        if let Some(s) = t.subtopics.into_iter().find(|s| s.id == wanted) {
            found = Some((s, true));
            break;
        }
    }
    let (topic, nested) = found.ok_or(WebError::NotFound)?;
    Ok(crate::pages::ok(&crate::pages::TopicEditTpl {
        p: view.p,
        base: view.base,
        meeting_title: view.title,
        topic,
        nested,
        participants: view.participants,
    }))
}

#[tracing::instrument(skip_all)]
async fn rename_form(me: Me, At(p): At<TopicAt>, Form(f, _): Form<RenameIn>) -> Result<Response, WebError> {
    let r = meetings::rename_topic(&me.app, me.tenant(), &me.user, p.id, p.topic, &f.title).await;
    after(&me, p.id, r, &format!("#topic-{}", p.topic)).await
}

#[tracing::instrument(skip_all)]
async fn api_rename(me: Me, At(p): At<TopicAt>, Json(b): Json<RenameIn>) -> Result<Response, WebError> {
    meetings::rename_topic(&me.app, me.tenant(), &me.user, p.id, p.topic, &b.title).await?;
    Ok(done())
}

/// Delete a topic with its sub-topics and their content (the page asks first).
#[tracing::instrument(skip_all)]
async fn delete_form(me: Me, At(p): At<TopicAt>) -> Result<Response, WebError> {
    let r = meetings::delete_topic(&me.app, me.tenant(), &me.user, p.id, p.topic).await;
    after(&me, p.id, r, "?notice=deleted").await
}

#[tracing::instrument(skip_all)]
async fn api_delete(me: Me, At(p): At<TopicAt>) -> Result<Response, WebError> {
    meetings::delete_topic(&me.app, me.tenant(), &me.user, p.id, p.topic).await?;
    Ok(done())
}

/// Where a topic or an element goes: one step (`direction`: `up` or
/// `down`, the page's buttons), or a place (`position`, 0-based; past the
/// end means last), for an element in a topic (`topic_id`, absent: its own).
#[derive(Deserialize, ToSchema, Default)]
pub struct MoveIn {
    #[serde(default)]
    #[schema(schema_with = crate::openapi::schema::direction_or_null)]
    pub direction: Option<String>,
    /// 0 or more.
    #[serde(default)]
    #[schema(value_type = Option<u64>)]
    pub position: Option<Whole>,
    #[serde(default, alias = "topic")]
    #[schema(format = Uuid)]
    pub topic_id: Option<String>,
}

impl MoveIn {
    fn topic_move(&self) -> Result<TopicMove, WebError> {
        match (self.direction.as_deref(), self.position) {
            (Some("up"), _) => Ok(TopicMove::Up),
            (Some("down"), _) => Ok(TopicMove::Down),
            (None, Some(p)) => Ok(TopicMove::To(p.place()?)),
            _ => Err(WebError::Invalid { field: "position", code: "position.invalid" }),
        }
    }
}

#[tracing::instrument(skip_all)]
async fn move_form(me: Me, At(p): At<TopicAt>, Form(f, _): Form<MoveIn>) -> Result<Response, WebError> {
    let to = f.topic_move()?;
    let r = meetings::move_topic(&me.app, me.tenant(), &me.user, p.id, p.topic, to).await;
    after(&me, p.id, r, &format!("#topic-{}", p.topic)).await
}

#[tracing::instrument(skip_all)]
async fn api_move(me: Me, At(p): At<TopicAt>, Json(b): Json<MoveIn>) -> Result<Response, WebError> {
    meetings::move_topic(&me.app, me.tenant(), &me.user, p.id, p.topic, b.topic_move()?).await?;
    Ok(done())
}

/// A participant to list as a topic's contributor.
#[derive(Deserialize, ToSchema)]
pub struct ContributorIn {
    #[serde(alias = "user")]
    #[schema(format = Uuid)]
    pub user_id: String,
}

#[tracing::instrument(skip_all)]
async fn assign(me: &Me, p: &TopicAt, b: &ContributorIn) -> Result<(), AppError> {
    let user: UserId = field("user_id", "id.invalid", &b.user_id)?;
    meetings::assign_topic_contributor(&me.app, me.tenant(), &me.user, p.id, p.topic, user).await
}

#[tracing::instrument(skip_all)]
async fn assign_form(me: Me, At(p): At<TopicAt>, Form(f, _): Form<ContributorIn>) -> Result<Response, WebError> {
    let r = assign(&me, &p, &f).await;
    after(&me, p.id, r, &format!("#topic-{}", p.topic)).await
}

#[tracing::instrument(skip_all)]
async fn api_assign(me: Me, At(p): At<TopicAt>, Json(b): Json<ContributorIn>) -> Result<Response, WebError> {
    assign(&me, &p, &b).await?;
    Ok(done())
}

#[tracing::instrument(skip_all)]
async fn unassign_form(me: Me, At(p): At<ContributorAt>) -> Result<Response, WebError> {
    let r = meetings::remove_topic_contributor(&me.app, me.tenant(), &me.user, p.id, p.topic, p.user).await;
    after(&me, p.id, r, &format!("#topic-{}", p.topic)).await
}

#[tracing::instrument(skip_all)]
async fn api_unassign(me: Me, At(p): At<ContributorAt>) -> Result<Response, WebError> {
    meetings::remove_topic_contributor(&me.app, me.tenant(), &me.user, p.id, p.topic, p.user).await?;
    Ok(done())
}
