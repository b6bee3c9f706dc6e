//! Remarks on an element, replies, rewriting one, deleting one.

use super::{after, created, done, field};
use crate::error::WebError;
use crate::extract::path::{CommentAt, ElementAt};
use crate::extract::{At, Form, Json, Me};
use crate::openapi::Doc;
use crate::routes::{Decl, Guard, delete, get, patch, post};
use axum::response::Response;
use ordo_app::AppError;
use ordo_app::meetings;
use ordo_core::ids::CommentId;
use ordo_core::meeting::MeetingAction as A;
use serde::Deserialize;
use utoipa::ToSchema;

pub fn decls() -> Vec<Decl> {
    vec![
        get("/t/{slug}/meetings/{id}/elements/{element}/remarks", Guard::Meeting(A::View), page),
        post("/t/{slug}/meetings/{id}/elements/{element}/comments", Guard::Meeting(A::Comment), add_form),
        post("/t/{slug}/meetings/{id}/comments/{comment}/edit", Guard::Meeting(A::EditComment), edit_form),
        post("/t/{slug}/meetings/{id}/comments/{comment}/delete", Guard::Meeting(A::RemoveComment), delete_form),
        post("/t/{slug}/api/v1/meetings/{id}/elements/{element}/comments", Guard::Meeting(A::Comment), api_add).doc(
            Doc::new("Remark on an element, or reply to a remark (parent_id)")
                .body::<CommentIn>()
                .ok::<super::super::IdOut>(201),
        ),
        patch("/t/{slug}/api/v1/meetings/{id}/comments/{comment}", Guard::Meeting(A::EditComment), api_edit)
            .doc(Doc::new("Rewrite a remark (its author; the organiser and editors)").body::<CommentEditIn>().done()),
        delete("/t/{slug}/api/v1/meetings/{id}/comments/{comment}", Guard::Meeting(A::RemoveComment), api_delete)
            .doc(Doc::new("Delete a remark and its replies").done()),
    ]
}

/// A remark, or a reply to one.
#[derive(Deserialize, ToSchema)]
pub struct CommentIn {
    #[schema(schema_with = crate::openapi::schema::remark)]
    pub body: String,
    #[serde(default, alias = "parent")]
    #[schema(format = Uuid)]
    pub parent_id: Option<String>,
}

impl CommentIn {
    async fn add(&self, me: &Me, p: &ElementAt) -> Result<CommentId, AppError> {
        let parent = match self.parent_id.as_deref() {
            None | Some("") => None,
            Some(v) => Some(field::<CommentId>("parent_id", "id.invalid", v)?),
        };
        meetings::add_comment(&me.app, me.tenant(), &me.user, p.id, p.element, parent, &self.body).await
    }
}

/// An element's remarks, with the forms to add, reply, rewrite and delete:
/// the meeting page links here from an element without remarks ("Reply"),
/// and app.js opens the same form in place instead.
#[tracing::instrument(skip_all)]
async fn page(me: Me, At(p): At<ElementAt>) -> Result<Response, WebError> {
    let view = super::view::meeting_view(&me, p.id, crate::pages::Errors::default(), None, None).await?;
    let wanted = p.element.to_string();
    let found = view
        .topics
        .into_iter()
        .flat_map(|t| t.elements.into_iter().chain(t.subtopics.into_iter().flat_map(|s| s.elements)))
        .find(|e| e.id == wanted)
        .ok_or(WebError::NotFound)?;
    Ok(crate::pages::ok(&crate::pages::RemarksTpl {
        p: view.p,
        base: view.base,
        meeting_title: view.title,
        read_only: view.read_only,
        e: found,
    }))
}

#[tracing::instrument(skip_all)]
async fn add_form(me: Me, At(p): At<ElementAt>, Form(f, _): Form<CommentIn>) -> Result<Response, WebError> {
    let r = f.add(&me, &p).await.map(|_| ());
    after(&me, p.id, r, &format!("#el-{}", p.element)).await
}

#[tracing::instrument(skip_all)]
async fn api_add(me: Me, At(p): At<ElementAt>, Json(b): Json<CommentIn>) -> Result<Response, WebError> {
    Ok(created(b.add(&me, &p).await?))
}

/// A remark's new text.
#[derive(Deserialize, ToSchema)]
pub struct CommentEditIn {
    #[schema(schema_with = crate::openapi::schema::remark)]
    pub body: String,
}

#[tracing::instrument(skip_all)]
async fn edit_form(me: Me, At(p): At<CommentAt>, Form(f, _): Form<CommentEditIn>) -> Result<Response, WebError> {
    let r = meetings::edit_comment(&me.app, me.tenant(), &me.user, p.id, p.comment, &f.body).await;
    after(&me, p.id, r, &format!("#c-{}", p.comment)).await
}

#[tracing::instrument(skip_all)]
async fn api_edit(me: Me, At(p): At<CommentAt>, Json(b): Json<CommentEditIn>) -> Result<Response, WebError> {
    meetings::edit_comment(&me.app, me.tenant(), &me.user, p.id, p.comment, &b.body).await?;
    Ok(done())
}

#[tracing::instrument(skip_all)]
async fn delete_form(me: Me, At(p): At<CommentAt>) -> Result<Response, WebError> {
    let r = meetings::delete_comment(&me.app, me.tenant(), &me.user, p.id, p.comment).await;
    after(&me, p.id, r, "?notice=deleted").await
}

#[tracing::instrument(skip_all)]
async fn api_delete(me: Me, At(p): At<CommentAt>) -> Result<Response, WebError> {
    meetings::delete_comment(&me.app, me.tenant(), &me.user, p.id, p.comment).await?;
    Ok(done())
}
