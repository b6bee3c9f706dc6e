//! The meetings one takes part in, and creating one (single, recurring, or
//! from an agenda template).

use super::{created, field_errors};
use crate::error::WebError;
use crate::extract::Query;
use crate::extract::Whole;
use crate::extract::{Form, Json, Me};
use crate::openapi::Doc;
use crate::pages::{Errors, MeetingRowView, MeetingsTpl, Page, ok, render};
use crate::routes::{Decl, Guard, get, post};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use ordo_app::AppError;
use ordo_app::meetings::{self, MeetingInput};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn decls() -> Vec<Decl> {
    vec![
        get("/t/{slug}/meetings", Guard::User, page),
        post("/t/{slug}/meetings", Guard::Member, create_form),
        get("/t/{slug}/api/v1/meetings", Guard::User, api_list)
            .doc(Doc::new("Meetings I take part in").ok::<MeetingsOut>(200)),
        post("/t/{slug}/api/v1/meetings", Guard::Member, api_create).doc(
            Doc::new("Create a meeting (not guests): single, recurring (repeat), or from an agenda template")
                .body::<MeetingIn>()
                .ok::<super::super::IdOut>(201),
        ),
    ]
}

/// A new meeting: its details, and optionally how it repeats or the agenda
/// template it starts from. The same for the form and the JSON body.
#[derive(Deserialize, ToSchema, Default)]
pub struct MeetingIn {
    #[schema(schema_with = crate::openapi::schema::title)]
    pub title: String,
    #[serde(default)]
    #[schema(schema_with = crate::openapi::schema::text)]
    pub objectives: String,
    /// Local date and time, `YYYY-MM-DDTHH:MM`, in `time_zone`.
    #[schema(schema_with = crate::openapi::schema::local_date_time)]
    pub starts_at: String,
    /// An IANA zone (`Europe/Paris`).
    #[schema(schema_with = crate::openapi::schema::time_zone)]
    pub time_zone: String,
    /// Absent: 60.
    #[serde(default)]
    #[schema(schema_with = crate::openapi::schema::duration_or_null)]
    pub duration_minutes: Option<Whole>,
    #[serde(default)]
    #[schema(schema_with = crate::openapi::schema::place)]
    pub place: String,
    /// Start from this agenda template (empty or null: none).
    #[serde(default, alias = "template")]
    #[schema(schema_with = crate::openapi::schema::uuid_or_empty_or_null)]
    pub template_id: Option<String>,
    /// How it repeats: `weekly`, `monthly_date` or `monthly_weekday` (absent: a single meeting).
    /// A series needs an end: `until` or `count`.
    #[serde(default)]
    #[schema(schema_with = crate::openapi::schema::repeat_or_null)]
    pub repeat: Option<String>,
    /// Every this many weeks or months (default 1).
    #[serde(default)]
    #[schema(schema_with = crate::openapi::schema::interval_or_null)]
    pub interval: Option<String>,
    /// The last date a meeting of the series may fall on (`YYYY-MM-DD`).
    #[serde(default)]
    #[schema(schema_with = crate::openapi::schema::date_or_empty_or_null)]
    pub until: Option<String>,
    /// How many meetings the series has.
    #[serde(default)]
    #[schema(schema_with = crate::openapi::schema::count_or_null)]
    pub count: Option<String>,
}

impl MeetingIn {
    fn details<'a>(&'a self, duration: &'a str) -> MeetingInput<'a> {
        MeetingInput {
            title: &self.title,
            objectives: &self.objectives,
            starts_at: &self.starts_at,
            time_zone: &self.time_zone,
            duration_minutes: duration,
            place: &self.place,
        }
    }

    /// Create it: one use case for the page and the API.
    async fn create(&self, me: &Me) -> Result<ordo_core::ids::MeetingId, AppError> {
        let (app, tenant, user) = (&me.app, me.tenant(), &me.user);
        let agenda = match self.template_id.as_deref() {
            None | Some("") => None,
            Some(t) => match t.parse() {
                Ok(t) => Some(ordo_app::templates::agenda_for(app, tenant, user, t).await?),
                Err(_) => return Err(AppError::Invalid(ordo_core::Invalid::new("template", "id.invalid"))),
            },
        };
        // Absent: an hour, as the API document says.
        let duration = self.duration_minutes.map_or_else(|| "60".to_owned(), |d| d.0.to_string());
        match self.repeat.as_deref() {
            None | Some("") => {
                // Not a series: what was given of a rule must still be a
                // rule's values (the document says what they may be).
                let part = |v: &Option<String>| v.clone().unwrap_or_default();
                ordo_core::recurrence::Rule::parse_parts(
                    &part(&self.interval),
                    &part(&self.until),
                    &part(&self.count),
                )?;
                meetings::create_with_agenda(app, tenant, user, self.details(&duration), agenda.as_ref()).await
            }
            Some(frequency) => {
                let repeat = ordo_app::series::Repeat {
                    frequency,
                    interval: self.interval.as_deref().unwrap_or("1"),
                    until: self.until.as_deref().unwrap_or(""),
                    count: self.count.as_deref().unwrap_or(""),
                };
                ordo_app::series::create(app, tenant, user, self.details(&duration), repeat, agenda.as_ref()).await
            }
        }
    }
}

/// A meeting as the API shows it.
#[derive(Serialize, ToSchema)]
pub struct MeetingOut {
    #[schema(format = Uuid)]
    pub id: String,
    pub title: String,
    pub objectives: String,
    pub place: String,
    #[schema(format = DateTime)]
    pub starts_at: String,
    /// `YYYY-MM-DDTHH:MM` in `time_zone`.
    pub local_start: String,
    pub time_zone: String,
    pub duration_minutes: i64,
    #[schema(schema_with = crate::openapi::schema::meeting_status)]
    pub status: &'static str,
    /// The caller's role in it.
    #[schema(schema_with = crate::openapi::schema::meeting_role)]
    pub my_role: &'static str,
    /// The version an edit must name.
    pub version: i64,
}

impl MeetingOut {
    pub fn of(m: &meetings::Meeting) -> Self {
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
}

#[derive(Serialize, ToSchema)]
pub struct MeetingsOut {
    pub meetings: Vec<MeetingOut>,
}

#[tracing::instrument(skip_all)]
async fn api_list(me: Me) -> Result<Response, WebError> {
    let list = meetings::my_meetings(&me.app, me.tenant(), &me.user).await?;
    Ok(axum::Json(MeetingsOut { meetings: list.iter().map(MeetingOut::of).collect() }).into_response())
}

#[tracing::instrument(skip_all)]
async fn api_create(me: Me, Json(b): Json<MeetingIn>) -> Result<Response, WebError> {
    Ok(created(b.create(&me).await?))
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    notice: Option<String>,
    /// Preselect this agenda template in the new-meeting form.
    template: Option<String>,
    /// `upcoming` (the default), `past` or `series`.
    view: Option<String>,
    /// Only meetings whose title, or one of whose people's names, holds it.
    q: Option<String>,
}

#[tracing::instrument(skip_all)]
async fn list_view(
    me: &Me,
    form: &MeetingIn,
    errors: Errors,
    notice: Option<String>,
    q: &ListQuery,
) -> Result<MeetingsTpl, WebError> {
    let list = meetings::meetings_listed(&me.app, me.tenant(), &me.user).await?;
    let tr = me.ctx.tr();
    let can_create = ordo_core::meeting::can_create_meetings(me.user.role);
    let chosen = form.template_id.clone().unwrap_or_default();
    let templates = if can_create {
        ordo_app::templates::list(&me.app, me.tenant(), &me.user)
            .await?
            .into_iter()
            .map(|t| {
                let id = t.id.to_string();
                let selected = id == chosen;
                (id, t.name, selected)
            })
            .collect()
    } else {
        Vec::new()
    };
    let or = |v: &Option<String>, d: &str| v.clone().filter(|v| !v.is_empty()).unwrap_or_else(|| d.to_owned());
    let view = match q.view.as_deref() {
        Some("past") => "past",
        Some("series") => "series",
        _ => "upcoming",
    };
    // A filter is a few words: what is longer is not read (nor echoed).
    let text: String = q.q.as_deref().unwrap_or_default().chars().take(200).collect();
    let wanted = ordo_core::words::fold(text.trim());
    let fits = |l: &meetings::ListedMeeting| {
        wanted.is_empty()
            || ordo_core::words::fold(&l.meeting.title).contains(&wanted)
            || l.people.iter().any(|p| ordo_core::words::fold(p).contains(&wanted))
    };
    let now = me.app.now();
    let ended = |m: &meetings::Meeting| m.starts_at.plus_secs(m.duration_minutes * 60) < now;
    let any = !list.is_empty();
    let row = |m: &meetings::Meeting| MeetingRowView {
        href: me.href(&format!("meetings/{}", m.id)),
        title: m.title.clone(),
        when: me.when(m.starts_at, &m.time_zone),
        zone: me.zone_or(&m.time_zone).to_owned(),
        status: tr.t(&format!("meeting.status.{}", m.status.as_str())).to_owned(),
    };
    let shown: Vec<&meetings::ListedMeeting> = list.iter().filter(|l| fits(l)).collect();
    let rows = match view {
        // The soonest first.
        "upcoming" => shown.iter().filter(|l| !ended(&l.meeting)).map(|l| row(&l.meeting)).collect(),
        // The latest first.
        "past" => shown.iter().rev().filter(|l| ended(&l.meeting)).map(|l| row(&l.meeting)).collect(),
        _ => Vec::new(),
    };
    // Each series once, in the order of its first meeting: that meeting's
    // title, how many it has, the next one.
    let mut series: Vec<(String, String, String, String)> = Vec::new();
    if view == "series" {
        let mut groups: Vec<(&str, Vec<&meetings::ListedMeeting>)> = Vec::new();
        let mut at: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        for l in &shown {
            let Some(sid) = l.series_id.as_deref() else { continue };
            let i = *at.entry(sid).or_insert_with(|| {
                groups.push((sid, Vec::new()));
                groups.len() - 1
            });
            groups[i].1.push(l);
        }
        for (sid, of) in groups {
            let next = of
                .iter()
                .find(|x| !ended(&x.meeting))
                .map(|x| tr.tf("meetings.series_next", &[("when", &x.meeting.local_start.replace('T', " "))]))
                .unwrap_or_default();
            let count = if of.len() == 1 {
                tr.t("meetings.series_count_one").to_owned()
            } else {
                tr.tf("meetings.series_count", &[("n", &of.len().to_string())])
            };
            series.push((me.href(&format!("series/{sid}")), of[0].meeting.title.clone(), count, next));
        }
    }
    Ok(MeetingsTpl {
        templates,
        rows,
        view,
        q_query: if text.is_empty() {
            String::new()
        } else {
            format!("&q={}", form_urlencoded::byte_serialize(text.as_bytes()).collect::<String>())
        },
        q: text,
        any,
        series,
        can_create,
        form_title: form.title.clone(),
        form_starts_at: form.starts_at.clone(),
        // A new meeting is in its organiser's zone unless they say otherwise.
        form_time_zone: if form.time_zone.is_empty() {
            me.user.time_zone.clone().unwrap_or_else(|| "Europe/Paris".into())
        } else {
            form.time_zone.clone()
        },
        form_duration: form.duration_minutes.map_or(60, |d| d.0).to_string(),
        form_place: form.place.clone(),
        form_repeat: form.repeat.clone().unwrap_or_default(),
        form_interval: or(&form.interval, "1"),
        form_until: form.until.clone().unwrap_or_default(),
        form_count: form.count.clone().unwrap_or_default(),
        errors,
        notice,
        p: Page::new(&me.ctx, "meetings"),
    })
}

#[tracing::instrument(skip_all)]
async fn page(me: Me, Query(q): Query<ListQuery>) -> Result<Response, WebError> {
    let tr = me.ctx.tr();
    let form = MeetingIn { template_id: q.template.clone(), ..MeetingIn::default() };
    let notice = crate::respond::notice(&tr, q.notice.as_deref());
    Ok(ok(&list_view(&me, &form, Errors::default(), notice, &q).await?))
}

#[tracing::instrument(skip_all)]
async fn create_form(me: Me, Form(f, _): Form<MeetingIn>) -> Result<Response, WebError> {
    match f.create(&me).await {
        Ok(id) => Ok(Redirect::to(&me.href(&format!("meetings/{id}?notice=meeting_created"))).into_response()),
        Err(e) => {
            let errors = field_errors(&me.ctx, e)?;
            let q = ListQuery::default();
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &list_view(&me, &f, errors, None, &q).await?))
        }
    }
}
