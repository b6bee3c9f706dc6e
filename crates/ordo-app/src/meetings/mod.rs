//! Meetings: creation and details, participants and sharing, the note space
//! (topics, sub-topics, elements), actions, and the meeting's change
//! history. Every call checks the meeting policy
//! (`ordo_core::meeting::authorize_meeting`) for the acting user; a meeting
//! the user may not see is "not found", whatever its id. Every change runs
//! on the one write path (`crate::write`): the meeting is read, and the
//! policy checked, inside the change's own transaction.

mod access;
mod comments;
mod create;
mod details;
mod elements;
mod history;
mod lists;
mod participants;
mod read;
mod topics;

pub use comments::{add_comment, delete_comment, edit_comment};
pub(crate) use create::{Plan, PlannedElement, PlannedTopic, create_planned, plan_agenda};
pub use create::{create, create_with_agenda};
pub(crate) use details::people_for;
pub use details::{MeetingChanges, set_status, share, update, update_partial};
pub use elements::{
    ElementEdit, ElementInput, Line, add_element, add_image, add_line, delete_element, move_element, place_element,
    place_element_in_its_topic, set_action_status, update_element,
};
pub use history::{HistoryEntry, history, restore_text};
pub use lists::{
    ListedMeeting, MyAction, TenantAction, meetings_listed, my_actions, my_meetings, people_met, tenant_actions,
    titles_for_admin,
};
pub use participants::{
    add_participant, assign_topic_contributor, remove_participant, remove_topic_contributor, set_participant_role,
    set_presence,
};
pub use read::{image, live_revision, page};
pub(crate) use read::{open_for_index, read_under_grant};
pub use topics::{TopicMove, add_topic, delete_topic, move_topic, rename_topic};

pub(crate) use access::{allowed, lock};

use crate::AppError;
use crate::keys::{Field, TenantKeys};
use ordo_core::ids::{ElementId, MeetingId, TopicId, UserId};
use ordo_core::meeting::{self, ActionStatus, ElementKind, LongText, MeetingRole, MeetingStatus, Place, Start, Title};
use ordo_core::time::Timestamp;
use ordo_store::{MeetingRow, ParticipantRow};
use std::collections::HashMap;

/// What a form or API call gives to create or edit a meeting.
pub struct MeetingInput<'a> {
    pub title: &'a str,
    pub objectives: &'a str,
    /// Local date and time in `time_zone`, `YYYY-MM-DDTHH:MM`.
    pub starts_at: &'a str,
    pub time_zone: &'a str,
    pub duration_minutes: &'a str,
    pub place: &'a str,
}

struct Parsed {
    title: Title,
    objectives: LongText,
    start: Start,
    duration: i64,
    place: Place,
}

fn parse(input: &MeetingInput<'_>) -> Result<Parsed, AppError> {
    Ok(Parsed {
        title: Title::parse(input.title)?,
        objectives: LongText::parse("objectives", input.objectives)?,
        start: Start::parse(input.starts_at, input.time_zone)?,
        duration: meeting::parse_duration(input.duration_minutes)?,
        place: Place::parse(input.place)?,
    })
}

/// A meeting, decrypted, as its viewer may see it.
#[derive(Clone, Debug)]
pub struct Meeting {
    pub id: MeetingId,
    pub title: String,
    pub objectives: String,
    pub place: String,
    pub starts_at: Timestamp,
    /// `YYYY-MM-DDTHH:MM` in the meeting's time zone.
    pub local_start: String,
    pub time_zone: String,
    pub duration_minutes: i64,
    pub organiser_id: UserId,
    pub status: MeetingStatus,
    pub version: i64,
    /// The SEQUENCE of the invitations sent so far.
    pub ics_sequence: i64,
    pub my_role: MeetingRole,
}

#[derive(Clone, Debug)]
pub struct Participant {
    pub user_id: UserId,
    pub name: String,
    pub email: String,
    pub role: MeetingRole,
    pub shared: bool,
    /// Was at the meeting (`None`: not recorded).
    pub present: Option<bool>,
}

#[derive(Clone, Debug)]
pub struct Topic {
    pub id: TopicId,
    pub parent_id: Option<TopicId>,
    pub title: String,
}

#[derive(Clone, Debug)]
pub struct Comment {
    pub id: ordo_core::ids::CommentId,
    pub element_id: ElementId,
    pub parent_id: Option<ordo_core::ids::CommentId>,
    pub author_id: UserId,
    pub author: String,
    pub body: String,
    pub created_at: Timestamp,
}

/// Where an element was carried over from, and to.
#[derive(Clone, Debug, Default)]
pub struct Origin {
    /// The meeting it first came from.
    pub meeting: Option<MeetingId>,
    /// That meeting's local date (`YYYY-MM-DD`).
    pub date: Option<String>,
    /// The meeting it was carried over to.
    pub carried_to: Option<MeetingId>,
}

impl From<ordo_store::Origin> for Origin {
    fn from(o: ordo_store::Origin) -> Self {
        Origin { meeting: o.meeting, date: o.date, carried_to: o.carried_to }
    }
}

#[derive(Clone, Debug)]
pub struct Element {
    pub id: ElementId,
    pub topic_id: TopicId,
    pub kind: ElementKind,
    pub title: String,
    pub description: String,
    pub due_date: Option<String>,
    pub action_status: Option<ActionStatus>,
    pub owners: Vec<UserId>,
    pub version: i64,
    pub origin: Origin,
}

/// A meeting's content, decrypted: the same for every participant who may
/// see it. Kept in [`crate::App::meeting_cache`] and reused while the
/// meeting's revision (and the tenant's people revision) has not moved.
#[derive(Debug)]
pub struct Content {
    /// As stored: the permission checks read them.
    participant_rows: Vec<ParticipantRow>,
    pub participants: Vec<Participant>,
    pub topics: Vec<Topic>,
    pub elements: Vec<Element>,
    pub comments: Vec<Comment>,
    /// "Who contributes to what": (topic, user) pairs.
    pub contributors: Vec<(TopicId, UserId)>,
}

impl Content {
    /// Each topic's contributors: (user, name).
    pub fn contributor_names(&self) -> HashMap<TopicId, Vec<(UserId, String)>> {
        let mut out: HashMap<TopicId, Vec<(UserId, String)>> = HashMap::new();
        for (t, u) in &self.contributors {
            if let Some(p) = self.participants.iter().find(|p| p.user_id == *u) {
                out.entry(*t).or_default().push((*u, p.name.clone()));
            }
        }
        out
    }
}

/// What the viewer of a meeting page may do there, by the meeting policy.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Capabilities {
    /// Edit the meeting's details.
    pub edit: bool,
    /// Add, remove and change participants; record attendance.
    pub participants: bool,
    pub share: bool,
    pub send_minutes: bool,
    /// Prepare the next meeting.
    pub follow_up: bool,
    pub cancel: bool,
    pub archive: bool,
    /// Add topics and elements (on topics open to the viewer).
    pub add: bool,
    /// Edit, move and delete anyone's content.
    pub edit_content: bool,
    /// Delete anyone's remark (authors may delete their own).
    pub remove_comment: bool,
    /// Save the agenda as a template (members, not guests).
    pub save_template: bool,
}

/// Everything the meeting page shows, for one viewer.
#[derive(Clone, Debug)]
pub struct MeetingPage {
    pub meeting: Meeting,
    pub content: std::sync::Arc<Content>,
    pub can: Capabilities,
    /// The revision this page shows (a live page waits for the next one).
    pub revision: i64,
}

/// `2026-12-07 09:30 (Europe/Paris)`: a start as people read it, in the
/// meeting's zone.
pub fn when_text(at: Timestamp, zone: &str) -> String {
    format!("{} ({zone})", Start::local(at, zone).replace('T', " "))
}

impl Meeting {
    /// When it starts, as people read it.
    pub fn when(&self) -> String {
        when_text(self.starts_at, &self.time_zone)
    }
}

pub(crate) fn open_meeting(keys: &TenantKeys, row: &MeetingRow, role: MeetingRole) -> Result<Meeting, AppError> {
    let rid = row.id.to_string();
    Ok(Meeting {
        id: row.id,
        title: keys.open(Field::MeetingTitle, &rid, &row.title)?,
        objectives: keys.open(Field::MeetingObjectives, &rid, &row.objectives)?,
        place: keys.open(Field::MeetingPlace, &rid, &row.place)?,
        starts_at: row.starts_at,
        local_start: Start::local(row.starts_at, &row.time_zone),
        time_zone: row.time_zone.clone(),
        duration_minutes: row.duration_minutes,
        organiser_id: row.organiser_id,
        status: row.status,
        version: row.version,
        ics_sequence: row.ics_sequence,
        my_role: role,
    })
}

/// An id given in the input (not the address) that names nothing of this
/// meeting: a field error, like any other invalid value.
fn unknown(field: &'static str) -> AppError {
    AppError::Invalid(ordo_core::Invalid::new(field, "id.invalid"))
}

/// A field error.
fn invalid(field: &'static str, code: &'static str) -> AppError {
    AppError::Invalid(ordo_core::Invalid::new(field, code))
}

/// The facts of a meeting's audit entry.
fn meeting_detail(meeting: MeetingId) -> String {
    serde_json::json!({ "meeting": meeting.to_string() }).to_string()
}
