//! The dashboard (my meetings and actions), and the people I have met.

use crate::error::WebError;
use crate::extract::Me;
use crate::extract::Query;
use crate::openapi::Doc;
use crate::pages::{ActionRowView, HomeTpl, MeetingRowView, Page, ok};
use crate::routes::{Decl, Guard, get};
use axum::response::{IntoResponse, Response};
use ordo_core::meeting::ActionStatus;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn decls() -> Vec<Decl> {
    vec![
        get("/t/{slug}/", Guard::User, home),
        get("/t/{slug}/api/v1/actions", Guard::User, api_actions)
            .doc(Doc::new("The actions I own, across the meetings I may see").ok::<ActionsOut>(200)),
        get("/t/{slug}/api/v1/people", Guard::User, api_people).doc(
            Doc::new("People I have met in a meeting I may see (the only names suggested when adding participants)")
                .ok::<PeopleOut>(200),
        ),
    ]
}

#[derive(Deserialize, Default)]
pub struct HomeQuery {
    actions: Option<String>,
    /// Only the actions of this meeting.
    meeting: Option<String>,
}

/// The dashboard's address for an action filter (and a meeting): where a
/// tick on it comes back to. Only known values make it: the address is
/// built here, never taken from the request.
pub(crate) fn actions_href(me: &Me, filter: &str, meeting: Option<ordo_core::ids::MeetingId>) -> String {
    let filter = match filter {
        "overdue" => "overdue",
        "done" => "done",
        _ => "open",
    };
    match meeting {
        Some(m) => format!("{}?actions={filter}&meeting={m}", me.href("")),
        None => format!("{}?actions={filter}", me.href("")),
    }
}

/// The dashboard: my upcoming and recent meetings, my actions (open,
/// overdue, done) across all meetings.
#[tracing::instrument(skip_all)]
async fn home(me: Me, Query(q): Query<HomeQuery>) -> Result<Response, WebError> {
    let tr = me.ctx.tr();
    let now = me.app.now();
    let meetings = ordo_app::meetings::my_meetings(&me.app, me.tenant(), &me.user).await?;
    let view = |m: &ordo_app::meetings::Meeting| MeetingRowView {
        href: me.href(&format!("meetings/{}", m.id)),
        title: m.title.clone(),
        when: me.when(m.starts_at, &m.time_zone),
        zone: me.zone_or(&m.time_zone).to_owned(),
        status: tr.t(&format!("meeting.status.{}", m.status.as_str())).to_owned(),
    };
    let ends = |m: &ordo_app::meetings::Meeting| m.starts_at.plus_secs(m.duration_minutes * 60);
    let upcoming = meetings.iter().filter(|m| ends(m) >= now).take(10).map(view).collect();
    let recent = meetings.iter().rev().filter(|m| ends(m) < now).take(10).map(view).collect();
    // "Today" where the user is (UTC for one whose zone is not known).
    let today_date = ordo_core::meeting::day_in(now, me.zone_or("UTC")).unwrap_or_default();
    let today = today_date.strftime("%Y-%m-%d").to_string();
    // "due tomorrow", "due in 3 days", "overdue by 2 days", "due Thu 31 Dec 2026".
    let due_text = |due: &str| -> String {
        let Ok(d) = due.parse::<jiff::civil::Date>() else { return due.to_owned() };
        let told = ordo_core::dates::due(d, today_date, me.ctx.locale);
        let late = (today_date - d).get_days();
        if (1..=14).contains(&late) { told } else { format!("{} {told}", tr.t("element.due")) }
    };
    let filter = match q.actions.as_deref() {
        Some("overdue") => "overdue",
        Some("done") => "done",
        _ => "open",
    };
    let overdue = |a: &ordo_app::meetings::MyAction| {
        a.status == ActionStatus::Open && a.due_date.as_deref().is_some_and(|d| d < today.as_str())
    };
    let only: Option<ordo_core::ids::MeetingId> = q.meeting.as_deref().and_then(|m| m.parse().ok());
    let titles: std::collections::HashMap<_, _> = meetings.iter().map(|m| (m.id, m.title.clone())).collect();
    let mut mine = ordo_app::meetings::my_actions(&me.app, me.tenant(), &me.user).await?;
    // Soonest due first, those without a date last.
    mine.sort_by(|a, b| (a.due_date.is_none(), &a.due_date).cmp(&(b.due_date.is_none(), &b.due_date)));
    let mut action_meetings: Vec<(String, String, bool)> = Vec::new();
    for a in &mine {
        let id = a.meeting_id.to_string();
        if !action_meetings.iter().any(|(m, _, _)| *m == id) {
            let title = titles.get(&a.meeting_id).cloned().unwrap_or_default();
            action_meetings.push((id, title, only == Some(a.meeting_id)));
        }
    }
    let actions = mine
        .into_iter()
        .filter(|a| only.is_none_or(|m| a.meeting_id == m))
        .filter(|a| match filter {
            "overdue" => overdue(a),
            "done" => a.status == ActionStatus::Done,
            _ => a.status == ActionStatus::Open,
        })
        .map(|a| ActionRowView {
            href: me.href(&format!("meetings/{}#el-{}", a.meeting_id, a.element_id)),
            overdue: overdue(&a),
            meeting: titles.get(&a.meeting_id).cloned().unwrap_or_default(),
            status_url: me.href(&format!("meetings/{}/elements/{}/status", a.meeting_id, a.element_id)),
            done: a.status == ActionStatus::Done,
            title: a.title,
            due_text: a.due_date.as_deref().map(due_text).unwrap_or_default(),
            due_date: a.due_date.unwrap_or_default(),
        })
        .collect();
    Ok(ok(&HomeTpl {
        greeting: tr.tf("home.greeting", &[("name", &me.user.display_name)]),
        upcoming,
        recent,
        actions,
        filter,
        action_meetings,
        back: format!("{filter}{}", only.map(|m| format!(":{m}")).unwrap_or_default()),
        meeting_query: only.map(|m| format!("&meeting={m}")).unwrap_or_default(),
        p: Page::new(&me.ctx, "home"),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct ActionOut {
    #[schema(format = Uuid)]
    pub meeting_id: String,
    #[schema(format = Uuid)]
    pub element_id: String,
    pub title: String,
    pub due_date: Option<String>,
    #[schema(schema_with = crate::openapi::schema::action_status)]
    pub status: &'static str,
}

#[derive(Serialize, ToSchema)]
pub struct ActionsOut {
    pub actions: Vec<ActionOut>,
}

#[tracing::instrument(skip_all)]
async fn api_actions(me: Me) -> Result<Response, WebError> {
    let list = ordo_app::meetings::my_actions(&me.app, me.tenant(), &me.user).await?;
    let actions = list
        .into_iter()
        .map(|x| ActionOut {
            meeting_id: x.meeting_id.to_string(),
            element_id: x.element_id.to_string(),
            title: x.title,
            due_date: x.due_date,
            status: x.status.as_str(),
        })
        .collect();
    Ok(axum::Json(ActionsOut { actions }).into_response())
}

#[derive(Serialize, ToSchema)]
pub struct PersonOut {
    pub name: String,
    pub email: String,
}

#[derive(Serialize, ToSchema)]
pub struct PeopleOut {
    pub people: Vec<PersonOut>,
}

#[tracing::instrument(skip_all)]
async fn api_people(me: Me) -> Result<Response, WebError> {
    let list = ordo_app::meetings::people_met(&me.app, me.tenant(), &me.user).await?;
    let people = list.into_iter().map(|(name, email)| PersonOut { name, email }).collect();
    Ok(axum::Json(PeopleOut { people }).into_response())
}
