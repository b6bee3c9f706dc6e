//! One meeting: its page and its API view, its details, its life
//! (cancel, archive, share, the next meeting, the minutes by e-mail), its
//! series, and its change history.

use super::after;
use super::list::MeetingOut;
use super::view::{self, meeting_view};
use crate::error::WebError;
use crate::extract::Query;
use crate::extract::Whole;
use crate::extract::path::{MeetingAt, SeriesAt};
use crate::extract::{At, Form, Json, Me, OptionalJson};
use crate::openapi::Doc;
use crate::pages::{Errors, Page, SeriesTpl, ok};
use crate::respond::{NoticeQuery, notice};
use crate::routes::{Decl, Guard, get, patch, post};
use axum::response::{IntoResponse, Redirect, Response};
use ordo_app::meetings::{self, MeetingChanges};
use ordo_core::meeting::{MeetingAction as A, MeetingStatus};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn decls() -> Vec<Decl> {
    vec![
        get("/t/{slug}/meetings/{id}", Guard::Meeting(A::View), show),
        post("/t/{slug}/meetings/{id}/edit", Guard::Meeting(A::EditDetails), edit_form),
        post("/t/{slug}/meetings/{id}/share", Guard::Meeting(A::Share), share_form),
        post("/t/{slug}/meetings/{id}/next", Guard::Meeting(A::FollowUp), next_form),
        post("/t/{slug}/meetings/{id}/cancel", Guard::Meeting(A::Cancel), cancel_form),
        post("/t/{slug}/meetings/{id}/archive", Guard::Meeting(A::Archive), archive_form),
        // Each meeting of the series is shown only to who may see it.
        get("/t/{slug}/series/{series}", Guard::User, series_page),
        get("/t/{slug}/api/v1/meetings/{id}", Guard::Meeting(A::View), api_get)
            .doc(Doc::new("A meeting with its participants, agenda, elements and remarks").ok::<MeetingDetail>(200)),
        patch("/t/{slug}/api/v1/meetings/{id}", Guard::Meeting(A::EditDetails), api_edit).doc(
            Doc::new("Edit a meeting's details: absent fields keep their value; `version` is the one read")
                .body::<MeetingPatch>()
                .ok::<MeetingAnswer>(200)
                .conflict(),
        ),
        post("/t/{slug}/api/v1/meetings/{id}/cancel", Guard::Meeting(A::Cancel), api_cancel).doc(
            Doc::new("Cancel a meeting (its organiser); those invited get the calendar's cancellation")
                .no_body()
                .ok::<MeetingAnswer>(200),
        ),
        post("/t/{slug}/api/v1/meetings/{id}/archive", Guard::Meeting(A::Archive), api_archive).doc(
            Doc::new("Archive a meeting (its organiser): read-only from then on").no_body().ok::<MeetingAnswer>(200),
        ),
        post("/t/{slug}/api/v1/meetings/{id}/share", Guard::Meeting(A::Share), api_share).doc(
            Doc::new("Share access: each participant not yet invited gets the e-mail with the agenda and the ICS file")
                .no_body()
                .ok::<Invited>(200),
        ),
        post("/t/{slug}/api/v1/meetings/{id}/next", Guard::Meeting(A::FollowUp), api_next).doc(
            Doc::new(
                "Prepare the next meeting (of the series, or a follow-up at starts_at), carrying over what is open",
            )
            .optional_body::<NextIn>()
            .ok::<super::super::IdOut>(201)
            .conflict(),
        ),
        get("/t/{slug}/api/v1/meetings/{id}/history", Guard::Meeting(A::View), api_history).doc(
            Doc::new(
                "The meeting's change history, newest first: who changed which item, when, and what it was before",
            )
            .ok::<HistoryOut>(200),
        ),
        get("/t/{slug}/api/v1/series/{series}", Guard::User, api_series)
            .doc(Doc::new("A series: its meetings one may see, the next dates, and its backlog").ok::<SeriesOut>(200)),
    ]
}

#[tracing::instrument(skip_all)]
async fn show(me: Me, At(p): At<MeetingAt>, Query(q): Query<NoticeQuery>) -> Result<Response, WebError> {
    let tr = me.ctx.tr();
    Ok(ok(&meeting_view(&me, p.id, Errors::default(), notice(&tr, q.notice.as_deref()), None).await?))
}

/// A change of a meeting's details: every field absent keeps its value.
/// The page's form sends them all.
#[derive(Deserialize, ToSchema)]
pub struct MeetingPatch {
    /// The version read (a newer one is refused with 409).
    #[schema(value_type = i64)]
    pub version: Whole,
    #[schema(schema_with = crate::openapi::schema::title_or_null)]
    pub title: Option<String>,
    #[schema(schema_with = crate::openapi::schema::text_or_null)]
    pub objectives: Option<String>,
    /// Local date and time, `YYYY-MM-DDTHH:MM`, in `time_zone`.
    #[schema(schema_with = crate::openapi::schema::local_date_time_or_null)]
    pub starts_at: Option<String>,
    #[schema(schema_with = crate::openapi::schema::time_zone_or_null)]
    pub time_zone: Option<String>,
    #[schema(schema_with = crate::openapi::schema::duration_or_null)]
    pub duration_minutes: Option<Whole>,
    #[schema(schema_with = crate::openapi::schema::place_or_null)]
    pub place: Option<String>,
}

impl MeetingPatch {
    /// Apply it: one use case for the page and the API.
    async fn apply(
        &self,
        me: &Me,
        id: ordo_core::ids::MeetingId,
        form: bool,
    ) -> Result<meetings::Meeting, ordo_app::AppError> {
        // The form always sends a duration: one left empty is refused by the use case.
        let duration = self.duration_minutes.map(|d| d.0.to_string()).or_else(|| form.then(String::new));
        let changes = MeetingChanges {
            title: self.title.as_deref(),
            objectives: self.objectives.as_deref(),
            starts_at: self.starts_at.as_deref(),
            time_zone: self.time_zone.as_deref(),
            duration_minutes: duration.as_deref(),
            place: self.place.as_deref(),
        };
        meetings::update_partial(&me.app, me.tenant(), &me.user, id, changes, self.version.0).await
    }

    /// The page's form sends every field: one left empty is cleared, not kept.
    fn filled_for_form(self) -> Self {
        let e = |v: Option<String>| Some(v.unwrap_or_default());
        MeetingPatch {
            title: e(self.title),
            objectives: e(self.objectives),
            starts_at: e(self.starts_at),
            time_zone: e(self.time_zone),
            place: e(self.place),
            ..self
        }
    }
}

#[tracing::instrument(skip_all)]
async fn edit_form(me: Me, At(p): At<MeetingAt>, Form(f, _): Form<MeetingPatch>) -> Result<Response, WebError> {
    let r = f.filled_for_form().apply(&me, p.id, true).await.map(|_| ());
    after(&me, p.id, r, "?notice=meeting_saved").await
}

/// A meeting after a change.
#[derive(Serialize, ToSchema)]
pub struct MeetingAnswer {
    pub meeting: MeetingOut,
}

#[tracing::instrument(skip_all)]
async fn api_edit(me: Me, At(p): At<MeetingAt>, Json(b): Json<MeetingPatch>) -> Result<Response, WebError> {
    let m = b.apply(&me, p.id, false).await?;
    Ok(axum::Json(MeetingAnswer { meeting: MeetingOut::of(&m) }).into_response())
}

#[tracing::instrument(skip_all)]
async fn set_status(me: &Me, id: ordo_core::ids::MeetingId, status: MeetingStatus) -> Result<(), ordo_app::AppError> {
    meetings::set_status(&me.app, me.tenant(), &me.user, id, status).await
}

#[tracing::instrument(skip_all)]
async fn cancel_form(me: Me, At(p): At<MeetingAt>) -> Result<Response, WebError> {
    let r = set_status(&me, p.id, MeetingStatus::Cancelled).await;
    after(&me, p.id, r, "").await
}

#[tracing::instrument(skip_all)]
async fn archive_form(me: Me, At(p): At<MeetingAt>) -> Result<Response, WebError> {
    let r = set_status(&me, p.id, MeetingStatus::Archived).await;
    after(&me, p.id, r, "").await
}

#[tracing::instrument(skip_all)]
async fn status_answer(me: &Me, id: ordo_core::ids::MeetingId, status: MeetingStatus) -> Result<Response, WebError> {
    set_status(me, id, status).await?;
    let m = meetings::page(&me.app, me.tenant(), &me.user, id).await?.meeting;
    Ok(axum::Json(MeetingAnswer { meeting: MeetingOut::of(&m) }).into_response())
}

#[tracing::instrument(skip_all)]
async fn api_cancel(me: Me, At(p): At<MeetingAt>) -> Result<Response, WebError> {
    status_answer(&me, p.id, MeetingStatus::Cancelled).await
}

#[tracing::instrument(skip_all)]
async fn api_archive(me: Me, At(p): At<MeetingAt>) -> Result<Response, WebError> {
    status_answer(&me, p.id, MeetingStatus::Archived).await
}

#[tracing::instrument(skip_all)]
async fn share_form(me: Me, At(p): At<MeetingAt>) -> Result<Response, WebError> {
    let r = meetings::share(&me.app, me.tenant(), &me.user, p.id).await.map(|_| ());
    after(&me, p.id, r, "?notice=meeting_shared").await
}

#[derive(Serialize, ToSchema)]
pub struct Invited {
    /// How many participants were sent the invitation now.
    pub invited: usize,
}

#[tracing::instrument(skip_all)]
async fn api_share(me: Me, At(p): At<MeetingAt>) -> Result<Response, WebError> {
    let n = meetings::share(&me.app, me.tenant(), &me.user, p.id).await?;
    Ok(axum::Json(Invited { invited: n }).into_response())
}

/// The next meeting: of the series (its date follows the rule), or a
/// follow-up at a chosen time.
#[derive(Deserialize, ToSchema, Default)]
pub struct NextIn {
    /// For a follow-up outside a series: its local start, `YYYY-MM-DDTHH:MM`
    /// (absent or empty: a week after this meeting, at the same time).
    #[serde(default)]
    #[schema(schema_with = crate::openapi::schema::local_date_time_or_empty)]
    pub starts_at: String,
}

#[tracing::instrument(skip_all)]
async fn next_form(me: Me, At(p): At<MeetingAt>, Form(f, _): Form<NextIn>) -> Result<Response, WebError> {
    match ordo_app::series::prepare_next(&me.app, me.tenant(), &me.user, p.id, Some(&f.starts_at)).await {
        Ok(next) => Ok(Redirect::to(&me.href(&format!("meetings/{next}?notice=next_prepared"))).into_response()),
        Err(e) => after(&me, p.id, Err(e), "").await,
    }
}

#[tracing::instrument(skip_all)]
async fn api_next(me: Me, At(p): At<MeetingAt>, OptionalJson(b): OptionalJson<NextIn>) -> Result<Response, WebError> {
    let next = ordo_app::series::prepare_next(&me.app, me.tenant(), &me.user, p.id, Some(&b.starts_at)).await?;
    Ok(super::created(next))
}

#[tracing::instrument(skip_all)]
async fn series_page(me: Me, At(p): At<SeriesAt>) -> Result<Response, WebError> {
    let v = ordo_app::series::view(&me.app, me.tenant(), &me.user, &p.series.to_string()).await?;
    let tr = me.ctx.tr();
    let status = |s: MeetingStatus| tr.t(&format!("meeting.status.{}", s.as_str())).to_owned();
    Ok(ok(&SeriesTpl {
        rule: view::rule_label(&tr, &v.rule),
        title: v.meetings.last().map(|m| m.title.clone()).unwrap_or_default(),
        meetings: v
            .meetings
            .iter()
            .map(|m| {
                (me.href(&format!("meetings/{}", m.id)), m.number, m.title.clone(), m.when.clone(), status(m.status))
            })
            .collect(),
        upcoming: v.upcoming.iter().map(|u| u.replace('T', " ")).collect(),
        backlog: v.backlog.iter().map(|b| view::backlog_view(&me, &tr, b)).collect(),
        p: Page::new(&me.ctx, "meetings"),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct SeriesMeetingOut {
    #[schema(format = Uuid)]
    pub id: String,
    pub number: usize,
    pub title: String,
    pub when: String,
    #[schema(schema_with = crate::openapi::schema::meeting_status)]
    pub status: &'static str,
}

#[derive(Serialize, ToSchema)]
pub struct BacklogOut {
    #[schema(format = Uuid)]
    pub meeting_id: String,
    #[schema(format = Uuid)]
    pub element_id: String,
    #[schema(schema_with = crate::openapi::schema::element_kind)]
    pub kind: &'static str,
    pub title: String,
    pub owners: String,
    pub due_date: Option<String>,
    /// The date of the meeting it first came from.
    pub since: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct SeriesOut {
    #[schema(format = Uuid)]
    pub id: String,
    pub meetings: Vec<SeriesMeetingOut>,
    /// The next dates the rule gives (`YYYY-MM-DDTHH:MM`).
    pub upcoming: Vec<String>,
    pub backlog: Vec<BacklogOut>,
}

#[tracing::instrument(skip_all)]
async fn api_series(me: Me, At(p): At<SeriesAt>) -> Result<Response, WebError> {
    let v = ordo_app::series::view(&me.app, me.tenant(), &me.user, &p.series.to_string()).await?;
    Ok(axum::Json(SeriesOut {
        id: v.id,
        meetings: v
            .meetings
            .iter()
            .map(|m| SeriesMeetingOut {
                id: m.id.to_string(),
                number: m.number,
                title: m.title.clone(),
                when: m.when.clone(),
                status: m.status.as_str(),
            })
            .collect(),
        upcoming: v.upcoming,
        backlog: v
            .backlog
            .into_iter()
            .map(|b| BacklogOut {
                meeting_id: b.meeting_id.to_string(),
                element_id: b.element_id,
                kind: b.kind.as_str(),
                title: b.title,
                owners: b.owners,
                due_date: b.due_date,
                since: b.since,
            })
            .collect(),
    })
    .into_response())
}

#[derive(Serialize, ToSchema)]
pub struct ParticipantOut {
    #[schema(format = Uuid)]
    pub user_id: String,
    pub name: String,
    #[schema(schema_with = crate::openapi::schema::meeting_role)]
    pub role: &'static str,
    /// Sent the invitation (the organiser needs none).
    pub invited: bool,
    /// Was at the meeting (absent: not recorded).
    pub present: Option<bool>,
}

#[derive(Serialize, ToSchema)]
pub struct TopicOut {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(format = Uuid)]
    pub parent_id: Option<String>,
    pub title: String,
}

#[derive(Serialize, ToSchema)]
pub struct ElementOut {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(format = Uuid)]
    pub topic_id: String,
    #[schema(schema_with = crate::openapi::schema::element_kind)]
    pub kind: &'static str,
    pub title: String,
    /// Sanitised HTML.
    pub description: String,
    pub due_date: Option<String>,
    /// Actions: `open` or `done`; topics to discuss: open or resolved (`done`).
    #[schema(schema_with = crate::openapi::schema::action_status_or_null)]
    pub status: Option<&'static str>,
    #[schema(schema_with = crate::openapi::schema::uuids)]
    pub owners: Vec<String>,
    pub version: i64,
}

#[derive(Serialize, ToSchema)]
pub struct CommentOut {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(format = Uuid)]
    pub element_id: String,
    #[schema(format = Uuid)]
    pub parent_id: Option<String>,
    pub author: String,
    pub body: String,
    #[schema(format = DateTime)]
    pub created_at: String,
}

/// A meeting with everything in it, as the caller may see it.
#[derive(Serialize, ToSchema)]
pub struct MeetingDetail {
    pub meeting: MeetingOut,
    pub participants: Vec<ParticipantOut>,
    pub topics: Vec<TopicOut>,
    pub elements: Vec<ElementOut>,
    pub comments: Vec<CommentOut>,
}

#[tracing::instrument(skip_all)]
async fn api_get(me: Me, At(p): At<MeetingAt>) -> Result<Response, WebError> {
    let page = meetings::page(&me.app, me.tenant(), &me.user, p.id).await?;
    let c = &page.content;
    Ok(axum::Json(MeetingDetail {
        meeting: MeetingOut::of(&page.meeting),
        participants: c
            .participants
            .iter()
            .map(|p| ParticipantOut {
                user_id: p.user_id.to_string(),
                name: p.name.clone(),
                role: p.role.as_str(),
                invited: p.shared,
                present: p.present,
            })
            .collect(),
        topics: c
            .topics
            .iter()
            .map(|t| TopicOut {
                id: t.id.to_string(),
                parent_id: t.parent_id.map(|p| p.to_string()),
                title: t.title.clone(),
            })
            .collect(),
        elements: c
            .elements
            .iter()
            .map(|e| ElementOut {
                id: e.id.to_string(),
                topic_id: e.topic_id.to_string(),
                kind: e.kind.as_str(),
                title: e.title.clone(),
                description: e.description.clone(),
                due_date: e.due_date.clone(),
                status: e.action_status.map(|s| s.as_str()),
                owners: e.owners.iter().map(|o| o.to_string()).collect(),
                version: e.version,
            })
            .collect(),
        comments: c
            .comments
            .iter()
            .map(|x| CommentOut {
                id: x.id.to_string(),
                element_id: x.element_id.to_string(),
                parent_id: x.parent_id.map(|p| p.to_string()),
                author: x.author.clone(),
                body: x.body.clone(),
                created_at: x.created_at.rfc3339(),
            })
            .collect(),
    })
    .into_response())
}

/// One change of a meeting's content.
#[derive(Serialize, ToSchema)]
pub struct HistoryEntryOut {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(format = DateTime)]
    pub at: String,
    #[schema(format = Uuid)]
    pub actor_id: Option<String>,
    /// The actor's name, if they are still a member.
    pub actor: Option<String>,
    /// What was done: `element.edit`, `topic.delete`, `comment.add`, ...
    pub change: String,
    /// `meeting`, `topic`, `element` or `comment`.
    pub item_kind: &'static str,
    #[schema(format = Uuid)]
    pub item_id: String,
    /// What the item was before (absent: it was created).
    #[schema(value_type = Option<Object>)]
    pub before: Option<serde_json::Value>,
}

#[derive(Serialize, ToSchema)]
pub struct HistoryOut {
    pub history: Vec<HistoryEntryOut>,
}

#[tracing::instrument(skip_all)]
async fn api_history(me: Me, At(p): At<MeetingAt>) -> Result<Response, WebError> {
    let list = meetings::history(&me.app, me.tenant(), &me.user, p.id).await?;
    Ok(axum::Json(HistoryOut {
        history: list
            .into_iter()
            .map(|h| HistoryEntryOut {
                id: h.id.to_string(),
                at: h.at.rfc3339(),
                actor_id: h.actor_id.map(|u| u.to_string()),
                actor: h.actor,
                change: h.change,
                item_kind: h.item_kind,
                item_id: h.item_id,
                before: h.before,
            })
            .collect(),
    })
    .into_response())
}
