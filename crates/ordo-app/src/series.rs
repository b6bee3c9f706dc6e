//! Series and follow-ups (requirement M9): a weekly meeting carries its
//! open actions and unresolved topics forward by itself.
//!
//! A series is a rule (`ordo_core::recurrence`) and its meetings, made one
//! at a time: preparing the next one copies the agenda's topics, the
//! participants and the details, and carries over every action still open
//! and every topic to discuss not yet resolved, each marked with the
//! meeting and date it first came from; the item it was carried from is
//! marked as carried, so the series' backlog counts each once. A single
//! meeting may have a follow-up the same way, at a date chosen for it.

use crate::accounts::User;
use crate::meetings::{self, MeetingInput, Plan, PlannedElement, PlannedTopic};
use crate::{App, AppError};
use ordo_core::Invalid;
use ordo_core::ids::{MeetingId, SeriesId, TopicId, UserId};
use ordo_core::meeting::{ActionStatus, ElementKind, MeetingAction, MeetingRole, MeetingStatus, Start};
use ordo_core::recurrence::{Frequency, Rule};
use ordo_store::{SeriesRow, Tenant};
use std::collections::{HashMap, HashSet};

/// How a new meeting repeats, as the form gives it.
pub struct Repeat<'a> {
    pub frequency: &'a str,
    pub interval: &'a str,
    pub until: &'a str,
    pub count: &'a str,
}

fn rule_of(s: &SeriesRow) -> Result<Rule, AppError> {
    let corrupt = |_| AppError::Internal("a stored series rule");
    Ok(Rule {
        frequency: Frequency::parse(&s.frequency).map_err(|_| AppError::Internal("a stored series rule"))?,
        interval: u32::try_from(s.interval).map_err(corrupt)?,
        until: s
            .until
            .as_deref()
            .map(str::parse)
            .transpose()
            .map_err(|_| AppError::Internal("a stored series rule"))?,
        count: s.count.map(u32::try_from).transpose().map_err(corrupt)?,
    })
}

fn first_of(s: &SeriesRow) -> Result<jiff::civil::DateTime, AppError> {
    s.first_local.parse().map_err(|_| AppError::Internal("a stored series start"))
}

fn local(d: jiff::civil::DateTime) -> String {
    d.strftime("%Y-%m-%dT%H:%M").to_string()
}

/// Create the first meeting of a new series, from a template's agenda if
/// given. The series and its first meeting are made together or not at all.
#[tracing::instrument(skip_all)]
pub async fn create(
    app: &App,
    tenant: &Tenant,
    actor: &User,
    input: MeetingInput<'_>,
    repeat: Repeat<'_>,
    agenda: Option<&crate::templates::Agenda>,
) -> Result<MeetingId, AppError> {
    let rule = Rule::parse(repeat.frequency, repeat.interval, repeat.until, repeat.count)?;
    let start = Start::parse(input.starts_at, input.time_zone)?;
    let first_local = Start::local(start.at, &start.zone);
    if rule.until.is_some_and(|u| first_local.get(..10).is_some_and(|d| d > u.to_string().as_str())) {
        return Err(Invalid::new("until", "repeat.until_before_start").into());
    }
    let id = SeriesId::new().to_string();
    let series = SeriesRow {
        id: id.clone(),
        frequency: rule.frequency.as_str().to_owned(),
        interval: i64::from(rule.interval),
        until: rule.until.map(|d| d.to_string()),
        count: rule.count.map(i64::from),
        first_local,
        time_zone: start.zone.clone(),
        created_at: app.now(),
    };
    let plan = Plan {
        topics: meetings::plan_agenda(agenda)?,
        new_series: Some(series),
        series: Some((id, 0)),
        ..Plan::default()
    };
    meetings::create_planned(app, tenant, actor, input, plan, crate::write::UseCase::SeriesCreate).await
}

/// Where a meeting stands among others, for its page.
#[derive(Clone, Debug, Default)]
pub struct Position {
    pub series_id: Option<String>,
    /// `1` for the first meeting of the series.
    pub number: Option<i64>,
    pub rule: Option<Rule>,
    pub follows: Option<MeetingId>,
    pub next: Option<MeetingId>,
    /// The local start the next meeting of the series would have (none at
    /// the end of the series, or outside a series).
    pub next_start: Option<String>,
}

#[tracing::instrument(skip_all)]
pub async fn position(app: &App, tenant: &Tenant, id: MeetingId) -> Result<Position, AppError> {
    let links = app.store.meeting_links(tenant.id, id).await?;
    let mut p = Position { follows: links.follows, next: links.next, ..Position::default() };
    if let (Some(sid), Some(index)) = (&links.series_id, links.series_index)
        && let Some(s) = app.store.series(tenant.id, sid).await?
    {
        let rule = rule_of(&s)?;
        p.next_start = u32::try_from(index + 1).ok().and_then(|n| rule.occurrence(first_of(&s).ok()?, n)).map(local);
        p.series_id = Some(sid.clone());
        p.number = Some(index + 1);
        p.rule = Some(rule);
    }
    Ok(p)
}

/// An item still to do: an open action or an unresolved topic.
fn still_open(e: &meetings::Element) -> bool {
    matches!(e.kind, ElementKind::Action | ElementKind::Discuss) && e.action_status != Some(ActionStatus::Done)
}

/// A follow-up's start when none is chosen: a week later, at the same local
/// time (`YYYY-MM-DDTHH:MM`).
pub fn week_later(local_start: &str) -> Option<String> {
    let d = local_start.parse::<jiff::civil::DateTime>().ok()?;
    d.checked_add(jiff::Span::new().days(7)).ok().map(|d| d.strftime("%Y-%m-%dT%H:%M").to_string())
}

/// Prepare the meeting after `id`: the next of its series, or else a
/// follow-up starting at `when` (local time in the meeting's zone; absent,
/// a week later). What is
/// still open is carried over. Returns the new meeting.
#[tracing::instrument(skip_all)]
pub async fn prepare_next(
    app: &App,
    tenant: &Tenant,
    actor: &User,
    id: MeetingId,
    when: Option<&str>,
) -> Result<MeetingId, AppError> {
    meetings::allowed(app, tenant, actor, id, MeetingAction::FollowUp).await?;
    let page = meetings::page(app, tenant, actor, id).await?;
    let links = app.store.meeting_links(tenant.id, id).await?;
    if links.next.is_some() {
        return Err(AppError::Conflict(crate::Conflict::FollowUp));
    }
    let m = &page.meeting;
    // A time given is a time, even where the series' rule decides.
    let when = when.map(str::trim).filter(|w| !w.is_empty());
    if let Some(w) = when {
        ordo_core::meeting::Start::parse(w, &m.time_zone)?;
    }
    let (starts_at, series) = match (&links.series_id, links.series_index) {
        (Some(sid), Some(index)) => {
            let s = app.store.series(tenant.id, sid).await?.ok_or(AppError::Internal("a meeting's series"))?;
            let n = index + 1;
            let next = u32::try_from(n)
                .ok()
                .and_then(|n| rule_of(&s).ok()?.occurrence(first_of(&s).ok()?, n))
                .ok_or(AppError::Conflict(crate::Conflict::SeriesEnded))?;
            (local(next), Some((sid.clone(), n)))
        }
        _ => match when {
            Some(w) => (w.to_owned(), None),
            None => (week_later(&m.local_start).ok_or(Invalid::new("starts_at", "starts_at.invalid"))?, None),
        },
    };
    // The same topics, in order; what is open goes back into its topic.
    let date: String = m.local_start.chars().take(10).collect();
    let mut topics: Vec<PlannedTopic> = Vec::new();
    let mut place: HashMap<TopicId, usize> = HashMap::new();
    for t in page.content.topics.iter().filter(|t| t.parent_id.is_none()) {
        topics.push(PlannedTopic { title: t.title.clone(), parent: None, elements: Vec::new() });
        let parent = topics.len() - 1;
        place.insert(t.id, parent);
        for st in page.content.topics.iter().filter(|s| s.parent_id == Some(t.id)) {
            topics.push(PlannedTopic { title: st.title.clone(), parent: Some(parent), elements: Vec::new() });
            place.insert(st.id, topics.len() - 1);
        }
    }
    let people: HashSet<UserId> = page.content.participants.iter().map(|p| p.user_id).collect();
    let mut carried = Vec::new();
    for e in page.content.elements.iter().filter(|e| still_open(e) && e.origin.carried_to.is_none()) {
        let Some(&at) = place.get(&e.topic_id) else { continue };
        // Marked with where it first came from, however often carried.
        let origin = match (e.origin.meeting, &e.origin.date) {
            (Some(from), Some(on)) => (from, on.clone()),
            _ => (id, date.clone()),
        };
        topics[at].elements.push(PlannedElement {
            kind: e.kind,
            title: e.title.clone(),
            description: e.description.clone(),
            due_date: e.due_date.clone(),
            owners: e.owners.iter().filter(|u| people.contains(u)).copied().collect(),
            origin: Some(origin),
        });
        carried.push(e.id);
    }
    // The same people; whoever prepares it organises it, and the previous
    // organiser becomes an editor.
    let participants = page
        .content
        .participants
        .iter()
        .map(|p| (p.user_id, if p.role == MeetingRole::Organiser { MeetingRole::Editor } else { p.role }))
        .collect();
    let duration = m.duration_minutes.to_string();
    let input = MeetingInput {
        title: &m.title,
        objectives: &m.objectives,
        starts_at: &starts_at,
        time_zone: &m.time_zone,
        duration_minutes: &duration,
        place: &m.place,
    };
    let plan = Plan { topics, participants, series, follows: Some(id), carried, ..Plan::default() };
    meetings::create_planned(app, tenant, actor, input, plan, crate::write::UseCase::MeetingFollowUp).await
}

/// A meeting of a series, as its page lists it.
#[derive(Clone, Debug)]
pub struct SeriesMeeting {
    pub id: MeetingId,
    pub number: usize,
    pub title: String,
    pub when: String,
    pub status: MeetingStatus,
}

/// An item of the backlog: where it is now, and where it first came from.
#[derive(Clone, Debug)]
pub struct BacklogItem {
    pub meeting_id: MeetingId,
    pub meeting_when: String,
    pub element_id: String,
    pub kind: ElementKind,
    pub title: String,
    pub owners: String,
    pub due_date: Option<String>,
    /// The local date of the meeting it first came from, if carried over.
    pub since: Option<String>,
}

#[derive(Clone, Debug)]
pub struct SeriesView {
    pub id: String,
    pub rule: Rule,
    pub meetings: Vec<SeriesMeeting>,
    /// The local starts of the next few meetings the rule still holds.
    pub upcoming: Vec<String>,
    pub backlog: Vec<BacklogItem>,
}

/// A series as `actor` may see it: the meetings of it they may see, and
/// everything still open in those. "Not found" if they see none.
#[tracing::instrument(skip_all)]
pub async fn view(app: &App, tenant: &Tenant, actor: &User, series: &str) -> Result<SeriesView, AppError> {
    let s = app.store.series(tenant.id, series).await?.ok_or(AppError::NotFound)?;
    let rule = rule_of(&s)?;
    let ids = app.store.series_meetings(tenant.id, series).await?;
    let mut out = SeriesView {
        id: s.id.clone(),
        rule: rule.clone(),
        meetings: Vec::new(),
        upcoming: Vec::new(),
        backlog: Vec::new(),
    };
    for (i, id) in ids.iter().enumerate() {
        let page = match meetings::page(app, tenant, actor, *id).await {
            Ok(p) => p,
            Err(AppError::NotFound) => continue,
            Err(e) => return Err(e),
        };
        let m = &page.meeting;
        let when = m.when();
        let name_of = |u: &UserId| page.content.participants.iter().find(|p| p.user_id == *u).map(|p| p.name.clone());
        for e in page.content.elements.iter().filter(|e| still_open(e) && e.origin.carried_to.is_none()) {
            out.backlog.push(BacklogItem {
                meeting_id: *id,
                meeting_when: when.clone(),
                element_id: e.id.to_string(),
                kind: e.kind,
                title: e.title.clone(),
                owners: e.owners.iter().filter_map(name_of).collect::<Vec<_>>().join(", "),
                due_date: e.due_date.clone(),
                since: e.origin.date.clone(),
            });
        }
        out.meetings.push(SeriesMeeting { id: *id, number: i + 1, title: m.title.clone(), when, status: m.status });
    }
    if out.meetings.is_empty() {
        return Err(AppError::NotFound);
    }
    let first = first_of(&s)?;
    let made = u32::try_from(ids.len()).unwrap_or(u32::MAX);
    out.upcoming = (made..made.saturating_add(3)).map_while(|n| rule.occurrence(first, n)).map(local).collect();
    Ok(out)
}
