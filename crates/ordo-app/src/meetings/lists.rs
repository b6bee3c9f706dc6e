//! Lists across meetings: a user's meetings and actions, the people they
//! have met, and the admins' overviews (titles and actions, no notes).

use super::{Meeting, open_meeting};
use crate::accounts::{User, open_user};
use crate::keys::Field;
use crate::{App, AppError};
use ordo_core::ids::{ElementId, MeetingId, UserId};
use ordo_core::meeting::{self, ActionStatus, MeetingAction, MeetingActor, Start};
use ordo_core::user::UserStatus;
use ordo_store::Tenant;
use std::collections::HashMap;

/// The titles and dates of a tenant's meetings, for its admins (to grant
/// support access to one): no content.
#[tracing::instrument(skip_all)]
pub async fn titles_for_admin(
    app: &App,
    tenant: &Tenant,
    actor: &User,
) -> Result<Vec<(MeetingId, String, String)>, AppError> {
    ordo_core::policy::authorize(
        ordo_core::policy::Actor { role: actor.role },
        ordo_core::policy::TenantAction::ViewMembers,
        false,
    )?;
    let keys = app.keys.for_tenant(&app.store, tenant).await?;
    let mut out = Vec::new();
    for m in app.store.all_meetings(tenant.id).await? {
        let title = keys.open(Field::MeetingTitle, &m.id.to_string(), &m.title)?;
        out.push((m.id, title, Start::local(m.starts_at, &m.time_zone).replace('T', " ")));
    }
    Ok(out)
}

/// The meetings a user sees, soonest first.
#[tracing::instrument(skip_all)]
pub async fn my_meetings(app: &App, tenant: &Tenant, user: &User) -> Result<Vec<Meeting>, AppError> {
    let keys = app.keys.for_tenant(&app.store, tenant).await?;
    app.store
        .meetings_of_user(tenant.id, user.id)
        .await?
        .into_iter()
        .filter(|(m, p)| {
            let who =
                MeetingActor { tenant_role: user.role, meeting_role: Some(p.role), shared_with: p.shared_at.is_some() };
            meeting::authorize_meeting(who, m.status, MeetingAction::View)
        })
        .map(|(m, p)| open_meeting(&keys, &m, p.role))
        .collect()
}

/// A meeting as the meetings list shows it: with its series, and the names
/// of the people in it (to filter by person).
#[derive(Clone, Debug)]
pub struct ListedMeeting {
    pub meeting: Meeting,
    pub series_id: Option<String>,
    pub people: Vec<String>,
}

/// The meetings the user may see, each with its series and its people's
/// names: three reads, however many meetings.
#[tracing::instrument(skip_all)]
pub async fn meetings_listed(app: &App, tenant: &Tenant, user: &User) -> Result<Vec<ListedMeeting>, AppError> {
    let meetings = my_meetings(app, tenant, user).await?;
    let series: std::collections::HashMap<MeetingId, String> =
        app.store.series_of_meetings(tenant.id).await?.into_iter().collect();
    let keys = app.keys.for_tenant(&app.store, tenant).await?;
    let mut names: std::collections::HashMap<UserId, String> = std::collections::HashMap::new();
    let mut people: std::collections::HashMap<MeetingId, Vec<String>> = std::collections::HashMap::new();
    for (meeting, row) in app.store.people_met(tenant.id, user.id).await? {
        let name = match names.get(&row.id) {
            Some(n) => n.clone(),
            None => {
                let n = open_user(&keys, row.clone())?.display_name;
                names.insert(row.id, n.clone());
                n
            }
        };
        people.entry(meeting).or_default().push(name);
    }
    Ok(meetings
        .into_iter()
        .map(|m| ListedMeeting {
            series_id: series.get(&m.id).cloned(),
            people: people.remove(&m.id).unwrap_or_default(),
            meeting: m,
        })
        .collect())
}

/// An action owned by the user, with its meeting.
#[derive(Clone, Debug)]
pub struct MyAction {
    pub meeting_id: MeetingId,
    pub element_id: ElementId,
    pub title: String,
    pub due_date: Option<String>,
    pub status: ActionStatus,
}

#[tracing::instrument(skip_all)]
pub async fn my_actions(app: &App, tenant: &Tenant, user: &User) -> Result<Vec<MyAction>, AppError> {
    let keys = app.keys.for_tenant(&app.store, tenant).await?;
    app.store
        .actions_of_user(tenant.id, user.id)
        .await?
        .into_iter()
        .map(|e| {
            Ok(MyAction {
                meeting_id: e.meeting_id,
                element_id: e.id,
                title: keys.open(Field::ElementTitle, &e.id.to_string(), &e.title)?,
                due_date: e.due_date,
                status: e.action_status.unwrap_or(ActionStatus::Open),
            })
        })
        .collect()
}

/// People the user has already met in a meeting they can see: the only
/// names suggested when adding participants (no directory of the tenant is
/// ever shown).
#[tracing::instrument(skip_all)]
pub async fn people_met(app: &App, tenant: &Tenant, user: &User) -> Result<Vec<(String, String)>, AppError> {
    let visible: std::collections::HashSet<MeetingId> = app
        .store
        .meetings_of_user(tenant.id, user.id)
        .await?
        .into_iter()
        .filter(|(m, p)| {
            let who =
                MeetingActor { tenant_role: user.role, meeting_role: Some(p.role), shared_with: p.shared_at.is_some() };
            meeting::authorize_meeting(who, m.status, MeetingAction::View)
        })
        .map(|(m, _)| m.id)
        .collect();
    let keys = app.keys.for_tenant(&app.store, tenant).await?;
    let mut seen = std::collections::HashSet::new();
    let mut people = Vec::new();
    for (meeting, row) in app.store.people_met(tenant.id, user.id).await? {
        if !visible.contains(&meeting) || !seen.insert(row.id) {
            continue;
        }
        let u = open_user(&keys, row)?;
        if u.status != UserStatus::Disabled {
            people.push((u.display_name, u.email));
        }
    }
    people.sort();
    Ok(people)
}

/// An action in the admins' overview.
#[derive(Clone, Debug)]
pub struct TenantAction {
    pub meeting_id: MeetingId,
    pub meeting_title: String,
    pub element_id: ElementId,
    pub title: String,
    pub owners: Vec<String>,
    pub due_date: Option<String>,
    pub status: ActionStatus,
}

/// Every action of the tenant, for its owners and admins (requirement M10):
/// titles and owners, not the rest of the meetings' notes.
#[tracing::instrument(skip_all)]
pub async fn tenant_actions(app: &App, tenant: &Tenant, actor: &User) -> Result<Vec<TenantAction>, AppError> {
    ordo_core::policy::authorize(
        ordo_core::policy::Actor { role: actor.role },
        ordo_core::policy::TenantAction::ViewMembers,
        false,
    )?;
    let keys = app.keys.for_tenant(&app.store, tenant).await?;
    let names: HashMap<UserId, String> = app
        .store
        .list_users(tenant.id)
        .await?
        .into_iter()
        .map(|r| open_user(&keys, r).map(|u| (u.id, u.display_name)))
        .collect::<Result<_, _>>()?;
    let owners = app.store.all_action_owners(tenant.id).await?;
    let mut titles: HashMap<MeetingId, String> = HashMap::new();
    let mut out = Vec::new();
    for e in app.store.all_actions(tenant.id).await? {
        if !titles.contains_key(&e.meeting_id)
            && let Some(m) = app.store.meeting_by_id(tenant.id, e.meeting_id).await?
        {
            titles.insert(m.id, keys.open(Field::MeetingTitle, &m.id.to_string(), &m.title)?);
        }
        out.push(TenantAction {
            meeting_id: e.meeting_id,
            meeting_title: titles.get(&e.meeting_id).cloned().unwrap_or_default(),
            element_id: e.id,
            title: keys.open(Field::ElementTitle, &e.id.to_string(), &e.title)?,
            owners: owners.iter().filter(|(el, _)| *el == e.id).filter_map(|(_, u)| names.get(u).cloned()).collect(),
            due_date: e.due_date,
            status: e.action_status.unwrap_or(ActionStatus::Open),
        });
    }
    Ok(out)
}
