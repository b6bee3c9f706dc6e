//! Who takes part: adding by e-mail, meeting roles, removing, attendance.

use super::{after, done, field};
use crate::error::WebError;
use crate::extract::path::{MeetingAt, ParticipantAt};
use crate::extract::{At, Flag, Form, Json, Me};
use crate::openapi::Doc;
use crate::routes::{Decl, Guard, delete, patch, post, put};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use ordo_app::AppError;
use ordo_app::meetings;
use ordo_core::meeting::{MeetingAction as A, MeetingRole};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn decls() -> Vec<Decl> {
    let manage = Guard::Meeting(A::ManageParticipants);
    vec![
        post("/t/{slug}/meetings/{id}/participants", manage, add_form),
        post("/t/{slug}/meetings/{id}/participants/{user}/role", manage, role_form),
        post("/t/{slug}/meetings/{id}/participants/{user}/remove", manage, remove_form),
        post("/t/{slug}/meetings/{id}/participants/{user}/presence", manage, presence_form),
        post("/t/{slug}/api/v1/meetings/{id}/participants", manage, api_add).doc(
            Doc::new("Add a participant by e-mail (a new guest account if unknown); nothing is sent until sharing")
                .body::<ParticipantIn>()
                .ok::<UserIdOut>(201)
                .conflict(),
        ),
        patch("/t/{slug}/api/v1/meetings/{id}/participants/{user}", manage, api_role)
            .doc(Doc::new("Change a participant's meeting role").body::<RoleIn>().done()),
        delete("/t/{slug}/api/v1/meetings/{id}/participants/{user}", manage, api_remove)
            .doc(Doc::new("Remove a participant (never the organiser)").done()),
        put("/t/{slug}/api/v1/meetings/{id}/participants/{user}/presence", manage, api_presence).doc(
            Doc::new("Record whether a participant was at the meeting (null: not recorded)")
                .body::<PresenceIn>()
                .done(),
        ),
    ]
}

/// Someone to add to a meeting.
#[derive(Deserialize, ToSchema)]
pub struct ParticipantIn {
    #[schema(schema_with = crate::openapi::schema::email)]
    pub email: String,
    /// `editor`, `contributor` or `reader`.
    #[schema(schema_with = crate::openapi::schema::meeting_role)]
    pub role: String,
}

impl ParticipantIn {
    async fn add(&self, me: &Me, id: ordo_core::ids::MeetingId) -> Result<ordo_core::ids::UserId, AppError> {
        let role: MeetingRole = field("role", "meeting_role.invalid", &self.role)?;
        meetings::add_participant(&me.app, me.tenant(), &me.user, id, &self.email, role).await
    }
}

#[derive(Serialize, ToSchema)]
pub struct UserIdOut {
    #[schema(format = Uuid)]
    pub user_id: String,
}

#[tracing::instrument(skip_all)]
async fn add_form(me: Me, At(p): At<MeetingAt>, Form(f, _): Form<ParticipantIn>) -> Result<Response, WebError> {
    let r = f.add(&me, p.id).await.map(|_| ());
    after(&me, p.id, r, "?notice=participant_added").await
}

#[tracing::instrument(skip_all)]
async fn api_add(me: Me, At(p): At<MeetingAt>, Json(b): Json<ParticipantIn>) -> Result<Response, WebError> {
    let uid = b.add(&me, p.id).await?;
    Ok((StatusCode::CREATED, axum::Json(UserIdOut { user_id: uid.to_string() })).into_response())
}

/// A participant's new meeting role.
#[derive(Deserialize, ToSchema)]
pub struct RoleIn {
    #[schema(schema_with = crate::openapi::schema::meeting_role)]
    pub role: String,
}

#[tracing::instrument(skip_all)]
async fn set_role(me: &Me, p: &ParticipantAt, role: &str) -> Result<(), AppError> {
    let role: MeetingRole = field("role", "meeting_role.invalid", role)?;
    meetings::set_participant_role(&me.app, me.tenant(), &me.user, p.id, p.user, role).await
}

#[tracing::instrument(skip_all)]
async fn role_form(me: Me, At(p): At<ParticipantAt>, Form(f, _): Form<RoleIn>) -> Result<Response, WebError> {
    let r = set_role(&me, &p, &f.role).await;
    after(&me, p.id, r, "?notice=participant_saved").await
}

#[tracing::instrument(skip_all)]
async fn api_role(me: Me, At(p): At<ParticipantAt>, Json(b): Json<RoleIn>) -> Result<Response, WebError> {
    set_role(&me, &p, &b.role).await?;
    Ok(done())
}

#[tracing::instrument(skip_all)]
async fn remove_form(me: Me, At(p): At<ParticipantAt>) -> Result<Response, WebError> {
    let r = meetings::remove_participant(&me.app, me.tenant(), &me.user, p.id, p.user).await;
    after(&me, p.id, r, "?notice=participant_removed").await
}

#[tracing::instrument(skip_all)]
async fn api_remove(me: Me, At(p): At<ParticipantAt>) -> Result<Response, WebError> {
    meetings::remove_participant(&me.app, me.tenant(), &me.user, p.id, p.user).await?;
    Ok(done())
}

/// Whether a participant was there (absent or null: not recorded).
#[derive(Deserialize, ToSchema)]
pub struct PresenceIn {
    #[serde(default)]
    #[schema(value_type = Option<bool>)]
    pub present: Option<Flag>,
}

#[tracing::instrument(skip_all)]
async fn set_presence(me: &Me, p: &ParticipantAt, b: &PresenceIn) -> Result<(), AppError> {
    let present = b.present.map(|f| f.0);
    meetings::set_presence(&me.app, me.tenant(), &me.user, p.id, p.user, present).await
}

#[tracing::instrument(skip_all)]
async fn presence_form(me: Me, At(p): At<ParticipantAt>, Form(f, _): Form<PresenceIn>) -> Result<Response, WebError> {
    let r = set_presence(&me, &p, &f).await;
    after(&me, p.id, r, "?notice=participant_saved").await
}

#[tracing::instrument(skip_all)]
async fn api_presence(me: Me, At(p): At<ParticipantAt>, Json(b): Json<PresenceIn>) -> Result<Response, WebError> {
    set_presence(&me, &p, &b).await?;
    Ok(done())
}
