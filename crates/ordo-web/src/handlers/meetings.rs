//! Meeting pages: the list, the meeting with its note space, and the forms
//! that change it. Each form posts, the use case checks the meeting policy,
//! and the page is shown again (Post/Redirect/Get), with field errors when
//! the input is refused.

use super::{Form, NoticeQuery, notice};
use crate::context::Ctx;
use crate::error::WebError;
use crate::pages::{ElementView, Errors, MeetingTpl, MeetingsTpl, Page, TopicView, ok, render};
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use ordo_app::AppError;
use ordo_app::meetings::{self, ElementInput, MeetingInput};
use ordo_core::ids::{ElementId, MeetingId, TopicId, UserId};
use ordo_core::meeting::{ActionStatus, ElementKind, MeetingRole, MeetingStatus};
use serde::Deserialize;

fn meeting_id(s: &str) -> Result<MeetingId, WebError> {
    s.parse().map_err(|_| WebError::NotFound)
}

/// A form value that does not parse: a field error shown next to the field,
/// like any value the use case refuses.
fn field<T: std::str::FromStr>(name: &'static str, code: &'static str, v: &str) -> Result<T, AppError> {
    v.parse().map_err(|_| AppError::Invalid(ordo_core::Invalid::new(name, code)))
}

pub(crate) fn field_errors(ctx: &Ctx, e: AppError) -> Result<Errors, WebError> {
    let tr = ctx.tr();
    match e {
        AppError::Invalid(i) => Ok(Errors::one(i.field, tr.t(&format!("error.{}", i.code)).to_owned())),
        AppError::Conflict(ordo_app::Conflict::Version) => Ok(Errors::one("form", tr.t("error.stale").to_owned())),
        AppError::Conflict(ordo_app::Conflict::FollowUp) => {
            Ok(Errors::one("form", tr.t("error.follow_up_exists").to_owned()))
        }
        other => Err(other.into()),
    }
}

#[derive(Deserialize, Default)]
pub struct MeetingForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    objectives: String,
    #[serde(default)]
    starts_at: String,
    #[serde(default)]
    time_zone: String,
    #[serde(default)]
    duration_minutes: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    version: i64,
    /// An agenda template to start from (creation only; empty: none).
    #[serde(default)]
    template: String,
    /// How it repeats (creation only; empty: a single meeting).
    #[serde(default)]
    repeat: String,
    #[serde(default)]
    interval: String,
    #[serde(default)]
    until: String,
    #[serde(default)]
    count: String,
}

impl MeetingForm {
    fn input(&self) -> MeetingInput<'_> {
        MeetingInput {
            title: &self.title,
            objectives: &self.objectives,
            starts_at: &self.starts_at,
            time_zone: &self.time_zone,
            duration_minutes: &self.duration_minutes,
            place: &self.place,
        }
    }
}

async fn list_view(
    st: &AppState,
    ctx: &Ctx,
    form: MeetingForm,
    errors: Errors,
    notice: Option<String>,
) -> Result<MeetingsTpl, WebError> {
    let auth = ctx.auth()?;
    let list = meetings::my_meetings(&st.app, &ctx.tenant, &auth.user).await?;
    let tr = ctx.tr();
    let can_create = ordo_core::meeting::can_create_meetings(auth.user.role);
    let templates = if can_create {
        ordo_app::templates::list(&st.app, &ctx.tenant, &auth.user)
            .await?
            .into_iter()
            .map(|t| {
                let id = t.id.to_string();
                let selected = id == form.template;
                (id, t.name, selected)
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(MeetingsTpl {
        templates,
        rows: list
            .into_iter()
            .map(|m| crate::pages::MeetingRowView {
                href: ctx.href(&format!("meetings/{}", m.id)),
                title: m.title,
                when: m.local_start.replace('T', " "),
                zone: m.time_zone,
                status: tr.t(&format!("meeting.status.{}", m.status.as_str())).to_owned(),
            })
            .collect(),
        can_create,
        form_title: form.title,
        form_starts_at: form.starts_at,
        form_time_zone: if form.time_zone.is_empty() { "Europe/Paris".into() } else { form.time_zone },
        form_duration: if form.duration_minutes.is_empty() { "60".into() } else { form.duration_minutes },
        form_place: form.place,
        form_repeat: form.repeat,
        form_interval: if form.interval.is_empty() { "1".into() } else { form.interval },
        form_until: form.until,
        form_count: form.count,
        errors,
        notice,
        p: Page::new(ctx, "meetings"),
    })
}

#[derive(Deserialize)]
pub struct ListQuery {
    notice: Option<String>,
    /// Preselect this agenda template in the new-meeting form.
    template: Option<String>,
}

pub async fn list(State(st): State<AppState>, ctx: Ctx, Query(q): Query<ListQuery>) -> Result<Response, WebError> {
    let tr = ctx.tr();
    let form = MeetingForm { template: q.template.unwrap_or_default(), ..MeetingForm::default() };
    Ok(ok(&list_view(&st, &ctx, form, Errors::default(), notice(&tr, q.notice.as_deref())).await?))
}

pub async fn create(State(st): State<AppState>, ctx: Ctx, Form(f): Form<MeetingForm>) -> Result<Response, WebError> {
    let auth = ctx.auth()?;
    let created = async {
        let agenda = match f.template.as_str() {
            "" => None,
            t => match t.parse() {
                Ok(t) => Some(ordo_app::templates::agenda_for(&st.app, &ctx.tenant, &auth.user, t).await?),
                Err(_) => return Err(AppError::Invalid(ordo_core::Invalid::new("template", "id.invalid"))),
            },
        };
        if f.repeat.is_empty() {
            meetings::create_with_agenda(&st.app, &ctx.tenant, &auth.user, f.input(), agenda.as_ref()).await
        } else {
            let repeat = ordo_app::series::Repeat {
                frequency: &f.repeat,
                interval: &f.interval,
                until: &f.until,
                count: &f.count,
            };
            ordo_app::series::create(&st.app, &ctx.tenant, &auth.user, f.input(), repeat, agenda.as_ref()).await
        }
    }
    .await;
    match created {
        Ok(id) => Ok(Redirect::to(&ctx.href(&format!("meetings/{id}?notice=meeting_created"))).into_response()),
        Err(e) => {
            let errors = field_errors(&ctx, e)?;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &list_view(&st, &ctx, f, errors, None).await?))
        }
    }
}

/// The meeting page again, with field errors (422).
pub(crate) async fn meeting_page_with(
    st: &AppState,
    ctx: &Ctx,
    id: MeetingId,
    errors: Errors,
) -> Result<Response, WebError> {
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &meeting_view(st, ctx, id, errors, None).await?))
}

async fn meeting_view(
    st: &AppState,
    ctx: &Ctx,
    id: MeetingId,
    errors: Errors,
    notice: Option<String>,
) -> Result<MeetingTpl, WebError> {
    meeting_view_kept(st, ctx, id, errors, notice, None).await
}

async fn meeting_view_kept(
    st: &AppState,
    ctx: &Ctx,
    id: MeetingId,
    errors: Errors,
    notice: Option<String>,
    kept: Option<(String, String)>,
) -> Result<MeetingTpl, WebError> {
    let auth = ctx.auth()?;
    let page = meetings::page(&st.app, &ctx.tenant, &auth.user, id).await?;
    let tr = ctx.tr();
    let name_of = |u: &UserId| {
        page.content.participants.iter().find(|p| p.user_id == *u).map(|p| p.name.clone()).unwrap_or_default()
    };
    let element_view = |e: &ordo_app::meetings::Element| ElementView {
        id: e.id.to_string(),
        kind: e.kind.as_str(),
        kind_label: tr.t(&format!("element.kind.{}", e.kind.as_str())).to_owned(),
        kind_letter: tr.t(&format!("element.letter.{}", e.kind.as_str())).to_owned(),
        title: e.title.clone(),
        due_date: e.due_date.clone().unwrap_or_default(),
        is_action: e.kind == ElementKind::Action,
        done: e.action_status == Some(ActionStatus::Done),
        owners: e.owners.iter().map(name_of).collect::<Vec<_>>().join(", "),
        comments: threaded(&page.content.comments, e.id, &auth.user.id, page.can.remove_comment),
        // Sanitised by ammonia when stored (the only way into the column is
        // through the use cases), and authenticated by AES-GCM since: shown
        // as it is, without parsing it again on every view.
        description_html: e.description.clone(),
        is_image: e.kind == ElementKind::Image,
        is_discuss: e.kind == ElementKind::Discuss,
        origin: e.origin.meeting.zip(e.origin.date.clone()).map(|(m, date)| (ctx.href(&format!("meetings/{m}")), date)),
        carried_to: e.origin.carried_to.map(|m| ctx.href(&format!("meetings/{m}"))),
    };
    let assigned = page.content.contributor_names();
    let names_of = |t: &TopicId| {
        assigned.get(t).map(|v| v.iter().map(|(u, n)| (u.to_string(), n.clone())).collect()).unwrap_or_default()
    };
    let topics: Vec<TopicView> = page
        .content
        .topics
        .iter()
        .filter(|t| t.parent_id.is_none())
        .map(|t| TopicView {
            id: t.id.to_string(),
            title: t.title.clone(),
            contributors: names_of(&t.id),
            elements: page.content.elements.iter().filter(|e| e.topic_id == t.id).map(element_view).collect(),
            subtopics: page
                .content
                .topics
                .iter()
                .filter(|s| s.parent_id == Some(t.id))
                .map(|s| TopicView {
                    id: s.id.to_string(),
                    title: s.title.clone(),
                    contributors: names_of(&s.id),
                    elements: page.content.elements.iter().filter(|e| e.topic_id == s.id).map(element_view).collect(),
                    subtopics: Vec::new(),
                })
                .collect(),
        })
        .collect();
    let on_page = |t: &str| page.content.topics.iter().any(|x| x.id.to_string() == t);
    let kept = kept.filter(|(t, _)| on_page(t));
    let m = &page.meeting;
    Ok(MeetingTpl {
        people_url: ctx.href("api/v1/people"),
        base: ctx.href(&format!("meetings/{}", m.id)),
        title: m.title.clone(),
        objectives: m.objectives.clone(),
        place: m.place.clone(),
        starts_at: m.local_start.clone(),
        when: m.local_start.replace('T', " "),
        time_zone: m.time_zone.clone(),
        duration: m.duration_minutes,
        version: m.version,
        revision: page.revision,
        status: tr.t(&format!("meeting.status.{}", m.status.as_str())).to_owned(),
        read_only: matches!(m.status, MeetingStatus::Cancelled | MeetingStatus::Archived),
        participants: page
            .content
            .participants
            .iter()
            .map(|p| crate::pages::ParticipantView {
                id: p.user_id.to_string(),
                name: p.name.clone(),
                role: tr.t(&format!("meeting.role.{}", p.role.as_str())).to_owned(),
                role_key: p.role.as_str(),
                organiser: p.role == MeetingRole::Organiser,
                shared: p.shared,
                present: p.present,
            })
            .collect(),
        can: page.can,
        meeting_id: id.to_string(),
        topics,
        errors,
        notice,
        // Kept in place only on a line of this page (else the message shows on top).
        kept_topic: kept.as_ref().map(|k| k.0.clone()).unwrap_or_default(),
        kept_text: kept.map(|k| k.1).unwrap_or_default(),
        position: position_view(st, ctx, &tr, m).await?,
        p: Page::new(ctx, "meetings"),
    })
}

/// A series' rule in words: "every 2 weeks, 6 meetings".
pub fn rule_label(tr: &ordo_app::i18n::Tr, rule: &ordo_core::recurrence::Rule) -> String {
    use ordo_core::recurrence::Frequency;
    let n = rule.interval.to_string();
    let key = match (rule.frequency, rule.interval) {
        (Frequency::Weekly, 1) => "series.weekly_1",
        (Frequency::Weekly, _) => "series.weekly_n",
        (Frequency::MonthlyByDate, 1) => "series.monthly_date_1",
        (Frequency::MonthlyByDate, _) => "series.monthly_date_n",
        (Frequency::MonthlyByWeekday, 1) => "series.monthly_weekday_1",
        (Frequency::MonthlyByWeekday, _) => "series.monthly_weekday_n",
    };
    let mut out = tr.tf(key, &[("n", &n)]);
    if let Some(c) = rule.count {
        out.push_str(&tr.tf("series.count", &[("n", &c.to_string())]));
    }
    if let Some(u) = rule.until {
        out.push_str(&tr.tf("series.until", &[("date", &u.to_string())]));
    }
    out
}

async fn position_view(
    st: &AppState,
    ctx: &Ctx,
    tr: &ordo_app::i18n::Tr,
    m: &ordo_app::meetings::Meeting,
) -> Result<crate::pages::PositionView, WebError> {
    let pos = ordo_app::series::position(&st.app, &ctx.tenant, m.id).await?;
    let series = match (&pos.series_id, pos.number, &pos.rule) {
        (Some(s), Some(n), Some(rule)) => Some((
            ctx.href(&format!("series/{s}")),
            tr.tf("series.nth", &[("n", &n.to_string()), ("rule", &rule_label(tr, rule))]),
        )),
        _ => None,
    };
    // A follow-up is offered a week later, at the same time, by default.
    let follow_up_start = m
        .local_start
        .parse::<jiff::civil::DateTime>()
        .ok()
        .and_then(|d| d.checked_add(jiff::Span::new().days(7)).ok())
        .map(|d| d.strftime("%Y-%m-%dT%H:%M").to_string())
        .unwrap_or_default();
    Ok(crate::pages::PositionView {
        series,
        follows: pos.follows.map(|f| ctx.href(&format!("meetings/{f}"))),
        next: pos.next.map(|f| ctx.href(&format!("meetings/{f}"))),
        next_start: pos.next_start.map(|s| s.replace('T', " ")),
        follow_up_start,
    })
}

/// An element's comments, each followed by its replies. `moderate`: the
/// viewer may delete anyone's (organiser, editors); else only their own.
fn threaded(
    all: &[ordo_app::meetings::Comment],
    element: ElementId,
    me: &UserId,
    moderate: bool,
) -> Vec<crate::pages::CommentView> {
    let view = |c: &ordo_app::meetings::Comment| crate::pages::CommentView {
        id: c.id.to_string(),
        can_delete: moderate || c.author_id == *me,
        author: c.author.clone(),
        body: c.body.clone(),
        when: c.created_at.human_utc(),
        when_iso: c.created_at.rfc3339(),
        is_reply: c.parent_id.is_some(),
    };
    let mut out = Vec::new();
    for c in all.iter().filter(|c| c.element_id == element && c.parent_id.is_none()) {
        out.push(view(c));
        out.extend(all.iter().filter(|r| r.parent_id == Some(c.id)).map(view));
    }
    out
}

#[derive(Deserialize, Default)]
pub struct RevisionQuery {
    #[serde(default)]
    revision: i64,
}

/// How long one live stream lasts: the browser then reconnects, and the
/// session and the access are checked afresh.
const LIVE_STREAM: std::time::Duration = std::time::Duration::from_secs(60);
/// How often a live stream reads the meeting's revision.
const LIVE_POLL: std::time::Duration = std::time::Duration::from_millis(400);

/// The live meeting page: an event each time the meeting's revision moves
/// (`data`: the new revision), read from the database every 400 ms so that
/// changes made through any node show within a second; a `gone` event when
/// the user may no longer see it. Authenticated by the session, this origin
/// only.
pub async fn events(
    State(st): State<AppState>,
    ctx: Ctx,
    headers: axum::http::HeaderMap,
    Path((_, id)): Path<(String, String)>,
    Query(q): Query<RevisionQuery>,
) -> Result<Response, WebError> {
    use axum::response::sse::{Event, KeepAlive, Sse};
    super::support::same_origin(&st, &headers)?;
    let id = meeting_id(&id)?;
    let user = ctx.auth()?.user.clone();
    let tenant = ctx.tenant.clone();
    meetings::live_revision(&st.app, &tenant, &user, id).await?.ok_or(WebError::NotFound)?;
    // A reconnecting browser says the last revision it was told.
    let last = headers.get("last-event-id").and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<i64>().ok());
    let known = q.revision.max(last.unwrap_or(0));
    let app = st.app.clone();
    let until = tokio::time::Instant::now() + LIVE_STREAM;
    let stream = futures_util::stream::unfold(Some(known), move |state| {
        let (app, tenant, user) = (app.clone(), tenant.clone(), user.clone());
        async move {
            let known = state?;
            while tokio::time::Instant::now() < until {
                match meetings::live_revision(&app, &tenant, &user, id).await {
                    Ok(Some(r)) if r > known => {
                        let event = Event::default().id(r.to_string()).data(r.to_string());
                        return Some((Ok::<_, std::convert::Infallible>(event), Some(r)));
                    }
                    Ok(Some(_)) => {}
                    Ok(None) => return Some((Ok(Event::default().event("gone").data("")), None)),
                    Err(e) => {
                        tracing::warn!(error = %e, "live meeting stream ended");
                        return None;
                    }
                }
                tokio::time::sleep(LIVE_POLL).await;
            }
            None
        }
    });
    Ok(super::support::unbuffered(Sse::new(stream).keep_alive(KeepAlive::default()).into_response()))
}

#[derive(askama::Template)]
#[template(path = "minutes.html")]
pub struct MinutesTpl {
    /// The file's own style sheet: it is read away from Ordo's.
    pub style: &'static str,
    pub tr: ordo_app::i18n::Tr,
    pub lang: &'static str,
    pub m: ordo_app::minutes::Minutes,
}

const MINUTES_CSS: &str = "body { font: 16px/1.5 system-ui, sans-serif; max-width: 48rem; margin: 2rem auto; padding: 0 1rem; color: #1d2330; } h1 { margin-bottom: .2rem; } h2 { margin-top: 2rem; border-bottom: 1px solid #dfe3ea; } .meta, .muted { color: #5b6577; } .kind { font-weight: 600; } blockquote { margin: .3rem 0 .3rem 1rem; padding-left: .6rem; border-left: 3px solid #dfe3ea; } table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #dfe3ea; }";

/// The minutes as a file: its type, a name made of the meeting's date and
/// id only (never its title: RFC 6266 quoting cannot go wrong), `nosniff`
/// and `no-store` from the outer layer.
pub fn minutes_file(body: Vec<u8>, ctype: &'static str, ext: &str, id: MeetingId, date: &str) -> Response {
    use axum::http::{HeaderValue, header};
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ctype));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"minutes-{date}-{id}.{ext}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    res
}

/// The forms the minutes leave Ordo in.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum MinutesFormat {
    Markdown,
    Html,
    Pdf,
}

/// Render the minutes of a meeting the user may see.
pub async fn minutes_as(st: &AppState, ctx: &Ctx, id: MeetingId, format: MinutesFormat) -> Result<Response, WebError> {
    let auth = ctx.auth()?;
    let tr = ctx.tr();
    let m = ordo_app::minutes::build(&st.app, &ctx.tenant, &auth.user, id, &tr).await?;
    let date: String = m.when.chars().take(10).filter(|c| c.is_ascii_digit() || *c == '-').collect();
    Ok(match format {
        MinutesFormat::Html => {
            let body = minutes_html_text(tr, m)?;
            minutes_file(body.into_bytes(), "text/html; charset=utf-8", "html", id, &date)
        }
        MinutesFormat::Markdown => {
            let body = ordo_app::minutes::markdown(&m, &tr);
            minutes_file(body.into_bytes(), "text/markdown; charset=utf-8", "md", id, &date)
        }
        MinutesFormat::Pdf => minutes_file(ordo_app::minutes::pdf(&m, &tr), "application/pdf", "pdf", id, &date),
    })
}

/// The minutes as a stand-alone HTML document.
fn minutes_html_text(tr: ordo_app::i18n::Tr, m: ordo_app::minutes::Minutes) -> Result<String, WebError> {
    use askama::Template as _;
    MinutesTpl { style: MINUTES_CSS, tr, lang: tr.lang(), m }
        .render()
        .map_err(|_| WebError::Internal("minutes template"))
}

pub async fn minutes_markdown(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    minutes_as(&st, &ctx, meeting_id(&id)?, MinutesFormat::Markdown).await
}

pub async fn minutes_html(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    minutes_as(&st, &ctx, meeting_id(&id)?, MinutesFormat::Html).await
}

pub async fn minutes_pdf(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    minutes_as(&st, &ctx, meeting_id(&id)?, MinutesFormat::Pdf).await
}

pub async fn show(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(String, String)>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, WebError> {
    let tr = ctx.tr();
    Ok(ok(&meeting_view(&st, &ctx, meeting_id(&id)?, Errors::default(), notice(&tr, q.notice.as_deref())).await?))
}

/// Run a change, then show the meeting again: redirected on success, with
/// field errors (422) when the input was refused.
async fn after(
    st: &AppState,
    ctx: &Ctx,
    id: MeetingId,
    r: Result<(), AppError>,
    done: &str,
) -> Result<Response, WebError> {
    match r {
        Ok(()) => Ok(Redirect::to(&ctx.href(&format!("meetings/{id}{done}"))).into_response()),
        Err(e) => {
            let errors = field_errors(ctx, e)?;
            let status =
                if errors.get("form").is_some() { StatusCode::CONFLICT } else { StatusCode::UNPROCESSABLE_ENTITY };
            Ok(render(status, &meeting_view(st, ctx, id, errors, None).await?))
        }
    }
}

pub async fn edit(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(String, String)>,
    Form(f): Form<MeetingForm>,
) -> Result<Response, WebError> {
    let id = meeting_id(&id)?;
    let auth = ctx.auth()?;
    let r = meetings::update(&st.app, &ctx.tenant, &auth.user, id, f.input(), f.version).await;
    after(&st, &ctx, id, r, "?notice=meeting_saved").await
}

#[derive(Deserialize)]
pub struct ParticipantForm {
    email: String,
    role: String,
}

pub async fn add_participant(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(String, String)>,
    Form(f): Form<ParticipantForm>,
) -> Result<Response, WebError> {
    let id = meeting_id(&id)?;
    let auth = ctx.auth()?;
    let r = match field::<MeetingRole>("role", "meeting_role.invalid", &f.role) {
        Ok(role) => meetings::add_participant(&st.app, &ctx.tenant, &auth.user, id, &f.email, role).await.map(|_| ()),
        Err(e) => Err(e),
    };
    after(&st, &ctx, id, r, "?notice=participant_added").await
}

pub async fn share(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let id = meeting_id(&id)?;
    let auth = ctx.auth()?;
    let r = meetings::share(&st.app, &ctx.tenant, &auth.user, id).await.map(|_| ());
    after(&st, &ctx, id, r, "?notice=meeting_shared").await
}

#[derive(Deserialize)]
pub struct NextForm {
    /// For a follow-up outside a series: when it starts (local time).
    #[serde(default)]
    starts_at: String,
}

/// Prepare the next meeting (of the series, or a follow-up), carrying over
/// what is still open, and go to it.
pub async fn prepare_next(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(String, String)>,
    Form(f): Form<NextForm>,
) -> Result<Response, WebError> {
    let id = meeting_id(&id)?;
    let auth = ctx.auth()?;
    match ordo_app::series::prepare_next(&st.app, &ctx.tenant, &auth.user, id, Some(&f.starts_at)).await {
        Ok(next) => Ok(Redirect::to(&ctx.href(&format!("meetings/{next}?notice=next_prepared"))).into_response()),
        Err(e) => after(&st, &ctx, id, Err(e), "").await,
    }
}

pub async fn series_page(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((_, series)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let auth = ctx.auth()?;
    let series: ordo_core::ids::SeriesId = series.parse().map_err(|_| WebError::NotFound)?;
    let v = ordo_app::series::view(&st.app, &ctx.tenant, &auth.user, &series.to_string()).await?;
    let tr = ctx.tr();
    let status = |s: MeetingStatus| tr.t(&format!("meeting.status.{}", s.as_str())).to_owned();
    Ok(ok(&crate::pages::SeriesTpl {
        rule: rule_label(&tr, &v.rule),
        title: v.meetings.last().map(|m| m.title.clone()).unwrap_or_default(),
        meetings: v
            .meetings
            .iter()
            .map(|m| {
                (ctx.href(&format!("meetings/{}", m.id)), m.number, m.title.clone(), m.when.clone(), status(m.status))
            })
            .collect(),
        upcoming: v.upcoming.iter().map(|u| u.replace('T', " ")).collect(),
        backlog: v
            .backlog
            .iter()
            .map(|b| crate::pages::BacklogView {
                href: ctx.href(&format!("meetings/{}#el-{}", b.meeting_id, b.element_id)),
                kind: tr.t(&format!("element.kind.{}", b.kind.as_str())).to_owned(),
                title: b.title.clone(),
                owners: b.owners.clone(),
                due: b.due_date.clone().unwrap_or_default(),
                since: b.since.clone().unwrap_or_default(),
                meeting_when: b.meeting_when.clone(),
            })
            .collect(),
        p: Page::new(&ctx, "meetings"),
    }))
}

pub async fn send_minutes(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let id = meeting_id(&id)?;
    let auth = ctx.auth()?;
    let r = ordo_app::minutes::send(&st.app, &ctx.tenant, &auth.user, id).await.map(|_| ());
    after(&st, &ctx, id, r, "?notice=minutes_sent").await
}

pub async fn cancel(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let id = meeting_id(&id)?;
    let auth = ctx.auth()?;
    let r = meetings::set_status(&st.app, &ctx.tenant, &auth.user, id, MeetingStatus::Cancelled).await;
    after(&st, &ctx, id, r, "").await
}

pub async fn archive(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let id = meeting_id(&id)?;
    let auth = ctx.auth()?;
    let r = meetings::set_status(&st.app, &ctx.tenant, &auth.user, id, MeetingStatus::Archived).await;
    after(&st, &ctx, id, r, "").await
}

#[derive(Deserialize)]
pub struct TopicForm {
    title: String,
    #[serde(default)]
    parent: String,
    /// Which line it came from (`new-topic`), to return to it.
    #[serde(default)]
    focus: String,
}

pub async fn add_topic(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(String, String)>,
    Form(f): Form<TopicForm>,
) -> Result<Response, WebError> {
    let id = meeting_id(&id)?;
    let auth = ctx.auth()?;
    let parsed: Result<Option<TopicId>, AppError> =
        if f.parent.is_empty() { Ok(None) } else { field("parent", "id.invalid", &f.parent).map(Some) };
    let parent = parsed.as_ref().ok().copied().flatten();
    let r = match parsed {
        Ok(parent) => meetings::add_topic(&st.app, &ctx.tenant, &auth.user, id, parent, &f.title).await.map(|_| ()),
        Err(e) => Err(e),
    };
    // Back to the line the topic was typed in, so typing goes on (app.js
    // focuses the field the address names).
    let back = match parent {
        Some(p) if f.focus != "new-topic" => format!("#sub-{p}"),
        _ => "#new-topic".to_owned(),
    };
    after(&st, &ctx, id, r, &back).await
}

#[derive(Deserialize)]
pub struct ElementForm {
    topic: String,
    kind: String,
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    due_date: String,
    #[serde(default)]
    owner: String,
}

pub async fn add_element(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(String, String)>,
    Form(f): Form<ElementForm>,
) -> Result<Response, WebError> {
    let id = meeting_id(&id)?;
    let auth = ctx.auth()?;
    // The quick-add line's shortcuts ("/d Budget approved"), also without script.
    let (title, typed) = shortcut_kind(&f.title);
    let parsed = (|| {
        let topic: TopicId = field("topic", "id.invalid", &f.topic)?;
        let kind = match typed {
            Some(k) => k,
            None => field::<ElementKind>("kind", "element_kind.invalid", &f.kind)?,
        };
        let owners =
            if f.owner.is_empty() { Vec::new() } else { vec![field("owners", "owners.not_participants", &f.owner)?] };
        Ok::<_, AppError>((topic, kind, owners))
    })();
    let r = match parsed {
        Ok((topic, kind, owners)) => {
            let input = ElementInput { topic, kind, title, description: &f.description, due_date: &f.due_date, owners };
            meetings::add_element(&st.app, &ctx.tenant, &auth.user, id, input).await.map(|_| ())
        }
        Err(e) => Err(e),
    };
    match r {
        Ok(()) => Ok(Redirect::to(&ctx.href(&format!("meetings/{id}#title-{}", f.topic))).into_response()),
        Err(e) => {
            // The line is shown again where it was typed, with the message.
            let errors = field_errors(&ctx, e)?;
            let kept = Some((f.topic.clone(), f.title.clone()));
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &meeting_view_kept(&st, &ctx, id, errors, None, kept).await?))
        }
    }
}

#[derive(Deserialize)]
pub struct StatusForm {
    status: String,
}

pub async fn set_action_status(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((_, id, element)): Path<(String, String, String)>,
    Form(f): Form<StatusForm>,
) -> Result<Response, WebError> {
    let id = meeting_id(&id)?;
    let auth = ctx.auth()?;
    let element: ElementId = element.parse().map_err(|_| WebError::NotFound)?;
    let r = match field::<ActionStatus>("status", "action_status.invalid", &f.status) {
        Ok(status) => meetings::set_action_status(&st.app, &ctx.tenant, &auth.user, id, element, status).await,
        Err(e) => Err(e),
    };
    after(&st, &ctx, id, r, "").await
}

/// One step up or down, or (drag and drop) a place in a topic.
#[derive(Deserialize)]
pub struct MoveForm {
    #[serde(default)]
    direction: String,
    #[serde(default)]
    topic: String,
    #[serde(default)]
    position: Option<usize>,
}

pub async fn move_element(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((_, id, element)): Path<(String, String, String)>,
    Form(f): Form<MoveForm>,
) -> Result<Response, WebError> {
    let id = meeting_id(&id)?;
    let auth = ctx.auth()?;
    let element: ElementId = element.parse().map_err(|_| WebError::NotFound)?;
    let r = match (f.direction.as_str(), f.position) {
        ("up", _) => meetings::move_element(&st.app, &ctx.tenant, &auth.user, id, element, true).await,
        ("down", _) => meetings::move_element(&st.app, &ctx.tenant, &auth.user, id, element, false).await,
        ("", Some(position)) => {
            let topic: TopicId = f.topic.parse().map_err(|_| WebError::NotFound)?;
            meetings::place_element(&st.app, &ctx.tenant, &auth.user, id, element, topic, position).await
        }
        _ => return Err(WebError::BadRequest),
    };
    after(&st, &ctx, id, r, &format!("#el-{element}")).await
}

/// Reorder a topic among its siblings: one step, or a place (drag and drop).
pub async fn move_topic(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((_, id, topic)): Path<(String, String, String)>,
    Form(f): Form<MoveForm>,
) -> Result<Response, WebError> {
    let id = meeting_id(&id)?;
    let auth = ctx.auth()?;
    let topic: TopicId = topic.parse().map_err(|_| WebError::NotFound)?;
    let to = match (f.direction.as_str(), f.position) {
        ("up", _) => meetings::TopicMove::Up,
        ("down", _) => meetings::TopicMove::Down,
        ("", Some(p)) => meetings::TopicMove::To(p),
        _ => return Err(WebError::BadRequest),
    };
    let r = meetings::move_topic(&st.app, &ctx.tenant, &auth.user, id, topic, to).await;
    after(&st, &ctx, id, r, &format!("#topic-{topic}")).await
}

#[derive(Deserialize)]
pub struct RoleForm {
    role: String,
}

/// Change a participant's meeting role.
pub async fn set_participant_role(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((_, id, user)): Path<(String, String, String)>,
    Form(f): Form<RoleForm>,
) -> Result<Response, WebError> {
    let id = meeting_id(&id)?;
    let auth = ctx.auth()?;
    let user: UserId = user.parse().map_err(|_| WebError::NotFound)?;
    let r = match field::<MeetingRole>("role", "meeting_role.invalid", &f.role) {
        Ok(role) => meetings::set_participant_role(&st.app, &ctx.tenant, &auth.user, id, user, role).await,
        Err(e) => Err(e),
    };
    after(&st, &ctx, id, r, "?notice=participant_saved").await
}

#[derive(Deserialize)]
pub struct PresenceForm {
    /// `1` present, `0` absent, empty: not recorded.
    #[serde(default)]
    present: String,
}

/// Record whether a participant was at the meeting.
pub async fn set_presence(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((_, id, user)): Path<(String, String, String)>,
    Form(f): Form<PresenceForm>,
) -> Result<Response, WebError> {
    let id = meeting_id(&id)?;
    let auth = ctx.auth()?;
    let user: UserId = user.parse().map_err(|_| WebError::NotFound)?;
    let present = match f.present.as_str() {
        "1" => Some(true),
        "0" => Some(false),
        "" => None,
        _ => return Err(WebError::BadRequest),
    };
    let r = meetings::set_presence(&st.app, &ctx.tenant, &auth.user, id, user, present).await;
    after(&st, &ctx, id, r, "?notice=participant_saved").await
}

/// Remove a participant from the meeting.
pub async fn remove_participant(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((_, id, user)): Path<(String, String, String)>,
) -> Result<Response, WebError> {
    let id = meeting_id(&id)?;
    let auth = ctx.auth()?;
    let user: UserId = user.parse().map_err(|_| WebError::NotFound)?;
    let r = meetings::remove_participant(&st.app, &ctx.tenant, &auth.user, id, user).await;
    after(&st, &ctx, id, r, "?notice=participant_removed").await
}

#[derive(Deserialize)]
pub struct CommentForm {
    body: String,
    #[serde(default)]
    parent: String,
}

pub async fn add_comment(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((_, id, element)): Path<(String, String, String)>,
    Form(f): Form<CommentForm>,
) -> Result<Response, WebError> {
    let id = meeting_id(&id)?;
    let auth = ctx.auth()?;
    let element: ElementId = element.parse().map_err(|_| WebError::NotFound)?;
    let parent = if f.parent.is_empty() {
        None
    } else {
        Some(f.parent.parse::<ordo_core::ids::CommentId>().map_err(|_| WebError::NotFound)?)
    };
    let r = meetings::add_comment(&st.app, &ctx.tenant, &auth.user, id, element, parent, &f.body).await.map(|_| ());
    after(&st, &ctx, id, r, &format!("#el-{element}")).await
}

pub async fn edit_element(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((_, id, element)): Path<(String, String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let id = meeting_id(&id)?;
    let auth = ctx.auth()?;
    let element: ElementId = element.parse().map_err(|_| WebError::NotFound)?;
    // Read by hand: the owner boxes repeat the same name.
    let one = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let topic: TopicId = one("topic").ok_or(WebError::BadRequest)?.parse().map_err(|_| WebError::NotFound)?;
    let version: i64 = one("version").ok_or(WebError::BadRequest)?.parse().map_err(|_| WebError::BadRequest)?;
    let owners = if one("owners_shown").is_some() {
        let ids = pairs.iter().filter(|(n, _)| n == "owner").map(|(_, v)| v.parse::<UserId>());
        Some(ids.collect::<Result<Vec<_>, _>>().map_err(|_| WebError::BadRequest)?)
    } else {
        None
    };
    let edit = meetings::ElementEdit {
        title: one("title").unwrap_or_default(),
        description: one("description").unwrap_or_default(),
        due_date: one("due_date").unwrap_or_default(),
        topic,
        owners,
        version,
    };
    // What this author typed: shown again whatever happens, never lost.
    let mine = Typed {
        title: edit.title.to_owned(),
        description: edit.description.to_owned(),
        due_date: edit.due_date.to_owned(),
    };
    match meetings::update_element(&st.app, &ctx.tenant, &auth.user, id, element, edit).await {
        Ok(()) => Ok(Redirect::to(&ctx.href(&format!("meetings/{id}#el-{element}"))).into_response()),
        Err(e) => {
            let conflict = matches!(e, AppError::Conflict(ordo_app::Conflict::Version));
            let errors = field_errors(&ctx, e)?;
            let status = if conflict || errors.get("form").is_some() {
                StatusCode::CONFLICT
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let mut view = element_edit_view(&st, &ctx, id, element, errors).await?;
            if conflict {
                // Someone saved first: their version beside, this author's
                // text in the form, and the form now based on theirs (a
                // second save replaces it knowingly).
                view.theirs = Some((view.title.clone(), view.description_html.clone()));
                view.errors = Errors::one("form", ctx.tr().t("error.element_conflict").to_owned());
            }
            view.title = mine.title;
            view.description = mine.description;
            view.due_date = mine.due_date;
            Ok(render(status, &view))
        }
    }
}

struct Typed {
    title: String,
    description: String,
    due_date: String,
}

async fn element_edit_view(
    st: &AppState,
    ctx: &Ctx,
    id: MeetingId,
    element: ElementId,
    errors: Errors,
) -> Result<crate::pages::ElementEditTpl, WebError> {
    let auth = ctx.auth()?;
    let page = meetings::page(&st.app, &ctx.tenant, &auth.user, id).await?;
    if !page.can.add {
        return Err(WebError::Forbidden);
    }
    let e = page.content.elements.iter().find(|e| e.id == element).ok_or(WebError::NotFound)?;
    let topic_options = page
        .content
        .topics
        .iter()
        .filter(|t| t.parent_id.is_none())
        .flat_map(|t| {
            std::iter::once((t.id.to_string(), t.title.clone())).chain(
                page.content
                    .topics
                    .iter()
                    .filter(|s| s.parent_id == Some(t.id))
                    .map(|s| (s.id.to_string(), format!("— {}", s.title))),
            )
        })
        .collect();
    Ok(crate::pages::ElementEditTpl {
        back: ctx.href(&format!("meetings/{id}#el-{element}")),
        action: ctx.href(&format!("meetings/{id}/elements/{element}/edit")),
        meeting_title: page.meeting.title.clone(),
        title: e.title.clone(),
        description: e.description.clone(),
        description_html: e.description.clone(),
        theirs: None,
        due_date: e.due_date.clone().unwrap_or_default(),
        is_action: e.kind == ElementKind::Action,
        topic_id: e.topic_id.to_string(),
        version: e.version,
        topic_options,
        owner_options: page
            .content
            .participants
            .iter()
            .map(|p| (p.user_id.to_string(), p.name.clone(), e.owners.contains(&p.user_id)))
            .collect(),
        delete_action: ctx.href(&format!("meetings/{id}/elements/{element}/delete")),
        errors,
        p: Page::new(ctx, "meetings"),
    })
}

/// The page to edit one element (kept off the meeting page, which stays light).
pub async fn edit_element_page(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((_, id, element)): Path<(String, String, String)>,
) -> Result<Response, WebError> {
    let element: ElementId = element.parse().map_err(|_| WebError::NotFound)?;
    Ok(ok(&element_edit_view(&st, &ctx, meeting_id(&id)?, element, Errors::default()).await?))
}

/// Upload a picture: a new image element in a topic.
pub async fn upload_image(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(String, String)>,
    super::MultipartForm(mp): super::MultipartForm,
) -> Result<Response, WebError> {
    let id = meeting_id(&id)?;
    let auth = ctx.auth()?;
    let up = read_upload(mp, "topic").await?;
    let r = match up.topic.parse::<TopicId>() {
        Ok(topic) => {
            meetings::add_image(&st.app, &ctx.tenant, &auth.user, id, topic, &up.title, up.file).await.map(|_| ())
        }
        Err(_) => Err(AppError::Invalid(ordo_core::Invalid::new("topic", "id.invalid"))),
    };
    after(&st, &ctx, id, r, "").await
}

/// An image upload's parts: the topic (named `topic_field`), a title, the file.
pub struct Upload {
    pub topic: String,
    pub title: String,
    pub file: Vec<u8>,
}

/// Read an upload's parts; unknown parts are skipped (the form's `_csrf`).
pub async fn read_upload(mut mp: axum::extract::Multipart, topic_field: &str) -> Result<Upload, WebError> {
    let mut up = Upload { topic: String::new(), title: String::new(), file: Vec::new() };
    while let Some(field) = mp.next_field().await.map_err(|_| WebError::BadRequest)? {
        match field.name() {
            Some(n) if n == topic_field => up.topic = field.text().await.map_err(|_| WebError::BadRequest)?,
            Some("title") => up.title = field.text().await.map_err(|_| WebError::BadRequest)?,
            Some("file") => up.file = field.bytes().await.map_err(|_| WebError::TooLarge)?.to_vec(),
            _ => {}
        }
    }
    Ok(up)
}

/// Serve an image to someone who may see its meeting, as the type its
/// content was checked to be, never sniffed, never cached.
pub async fn show_image(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((_, id, element)): Path<(String, String, String)>,
) -> Result<Response, WebError> {
    let auth = ctx.auth()?;
    let element: ElementId = element.parse().map_err(|_| WebError::NotFound)?;
    let (ctype, bytes) = meetings::image(&st.app, &ctx.tenant, &auth.user, meeting_id(&id)?, element).await?;
    image_response(element, &ctype, bytes)
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

#[derive(Deserialize)]
pub struct ContributorForm {
    user: String,
}

/// Assign a contributor to a topic ("who contributes to what").
pub async fn assign_contributor(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((_, id, topic)): Path<(String, String, String)>,
    Form(f): Form<ContributorForm>,
) -> Result<Response, WebError> {
    let id = meeting_id(&id)?;
    let auth = ctx.auth()?;
    let topic: TopicId = topic.parse().map_err(|_| WebError::NotFound)?;
    let r = match field::<UserId>("user", "id.invalid", &f.user) {
        Ok(user) => meetings::assign_topic_contributor(&st.app, &ctx.tenant, &auth.user, id, topic, user).await,
        Err(e) => Err(e),
    };
    after(&st, &ctx, id, r, &format!("#topic-{topic}")).await
}

/// Take a contributor off a topic's list.
pub async fn remove_contributor(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((_, id, topic, user)): Path<(String, String, String, String)>,
) -> Result<Response, WebError> {
    let id = meeting_id(&id)?;
    let auth = ctx.auth()?;
    let topic: TopicId = topic.parse().map_err(|_| WebError::NotFound)?;
    let user: UserId = user.parse().map_err(|_| WebError::NotFound)?;
    let r = meetings::remove_topic_contributor(&st.app, &ctx.tenant, &auth.user, id, topic, user).await;
    after(&st, &ctx, id, r, &format!("#topic-{topic}")).await
}

#[derive(Deserialize)]
pub struct RenameForm {
    title: String,
}

/// Rename a topic or sub-topic.
pub async fn rename_topic(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((_, id, topic)): Path<(String, String, String)>,
    Form(f): Form<RenameForm>,
) -> Result<Response, WebError> {
    let id = meeting_id(&id)?;
    let auth = ctx.auth()?;
    let topic: TopicId = topic.parse().map_err(|_| WebError::NotFound)?;
    let r = meetings::rename_topic(&st.app, &ctx.tenant, &auth.user, id, topic, &f.title).await;
    after(&st, &ctx, id, r, &format!("#topic-{topic}")).await
}

/// Delete a topic with its sub-topics and their content (the page asks first).
pub async fn delete_topic(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((_, id, topic)): Path<(String, String, String)>,
) -> Result<Response, WebError> {
    let id = meeting_id(&id)?;
    let auth = ctx.auth()?;
    let topic: TopicId = topic.parse().map_err(|_| WebError::NotFound)?;
    let r = meetings::delete_topic(&st.app, &ctx.tenant, &auth.user, id, topic).await;
    after(&st, &ctx, id, r, "?notice=deleted").await
}

/// Delete an element (from its edit page).
pub async fn delete_element(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((_, id, element)): Path<(String, String, String)>,
) -> Result<Response, WebError> {
    let id = meeting_id(&id)?;
    let auth = ctx.auth()?;
    let element: ElementId = element.parse().map_err(|_| WebError::NotFound)?;
    let r = meetings::delete_element(&st.app, &ctx.tenant, &auth.user, id, element).await;
    after(&st, &ctx, id, r, "?notice=deleted").await
}

/// Delete a remark and its replies.
pub async fn delete_comment(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((_, id, comment)): Path<(String, String, String)>,
) -> Result<Response, WebError> {
    let id = meeting_id(&id)?;
    let auth = ctx.auth()?;
    let comment: ordo_core::ids::CommentId = comment.parse().map_err(|_| WebError::NotFound)?;
    let r = meetings::delete_comment(&st.app, &ctx.tenant, &auth.user, id, comment).await;
    after(&st, &ctx, id, r, "?notice=deleted").await
}

/// A quick-add line may start with a kind: `/d` decision, `/a` action,
/// `/t` topic to discuss, `/n` note. Returns the title without it.
pub fn shortcut_kind(line: &str) -> (&str, Option<ElementKind>) {
    let kind = |c: &str| match c {
        "d" => Some(ElementKind::Decision),
        "a" => Some(ElementKind::Action),
        "t" => Some(ElementKind::Discuss),
        "n" => Some(ElementKind::Note),
        _ => None,
    };
    let trimmed = line.trim_start();
    if let Some(rest) = trimmed.strip_prefix('/')
        && let Some((code, title)) = rest.split_once(' ')
        && let Some(k) = kind(code)
    {
        return (title.trim_start(), Some(k));
    }
    (line, None)
}

#[cfg(test)]
mod tests {
    use super::shortcut_kind;
    use ordo_core::meeting::ElementKind;

    #[test]
    fn quick_add_shortcuts_pick_the_kind() {
        assert_eq!(shortcut_kind("/d Budget approved"), ("Budget approved", Some(ElementKind::Decision)));
        assert_eq!(shortcut_kind("/a  Call the bank"), ("Call the bank", Some(ElementKind::Action)));
        assert_eq!(shortcut_kind("/t Parking"), ("Parking", Some(ElementKind::Discuss)));
        assert_eq!(shortcut_kind("/n Seen"), ("Seen", Some(ElementKind::Note)));
        assert_eq!(shortcut_kind("/x Other"), ("/x Other", None));
        assert_eq!(shortcut_kind("a/d b"), ("a/d b", None));
        assert_eq!(shortcut_kind("/d"), ("/d", None));
    }
}
