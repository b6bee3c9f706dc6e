//! Meetings: what a meeting is made of, and who may do what with it.

use crate::Invalid;
use crate::time::Timestamp;
use crate::user::Role;
use crate::validation::has_control;
use std::fmt;
use std::str::FromStr;

/// Limits, documented in docs/meetings.md.
pub const TITLE_MAX: usize = 200;
pub const TEXT_MAX: usize = 20_000;
pub const PLACE_MAX: usize = 500;
pub const ELEMENTS_MAX: usize = 2_000;

/// A one-line title: 1 to 200 characters. Limits count the text as sent,
/// before the spaces around it are trimmed, so that they mean what the API
/// document says (`maxLength`).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Title(String);

impl Title {
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        if s.chars().count() > TITLE_MAX || has_control(s) {
            return Err(Invalid::new("title", "title.invalid"));
        }
        let s = s.trim();
        if s.is_empty() {
            return Err(Invalid::new("title", "title.empty"));
        }
        Ok(Self(s.to_owned()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A longer text (objectives): up to 20,000 characters, several lines.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct LongText(String);

impl LongText {
    pub fn parse(field: &'static str, s: &str) -> Result<Self, Invalid> {
        if s.chars().count() > TEXT_MAX || s.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
            return Err(Invalid::new(field, "text.too_long"));
        }
        Ok(Self(s.trim().replace("\r\n", "\n")))
    }
    /// What the rich-text sanitiser made of a text that was parsed: its
    /// escapes may lengthen it, within a small multiple of the limit.
    pub fn sanitized(s: String) -> Self {
        Self(s)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A place or video link: up to 500 characters, one line, may be empty.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Place(String);

impl Place {
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        if s.chars().count() > PLACE_MAX || has_control(s) {
            return Err(Invalid::new("place", "place.invalid"));
        }
        Ok(Self(s.trim().to_owned()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// When a meeting starts, in its time zone: a local date and time
/// (`2026-12-01T09:30`) and an IANA zone name (`Europe/Paris`), turned into
/// an instant. Daylight-saving gaps and overlaps resolve as the calendar
/// standard does (later in a gap, earlier in an overlap).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Start {
    pub at: Timestamp,
    pub zone: String,
}

impl Start {
    pub fn parse(local: &str, zone: &str) -> Result<Self, Invalid> {
        let tz = jiff::tz::db().get(zone.trim()).map_err(|_| Invalid::new("time_zone", "time_zone.invalid"))?;
        let dt: jiff::civil::DateTime =
            local.trim().parse().map_err(|_| Invalid::new("starts_at", "starts_at.invalid"))?;
        let zoned = dt.to_zoned_datetime(tz).map_err(|_| Invalid::new("starts_at", "starts_at.invalid"))?;
        Ok(Self { at: Timestamp::from_unix(zoned.timestamp().as_second()), zone: zone.trim().to_owned() })
    }

    /// The local date and time in the meeting's zone, as `YYYY-MM-DDTHH:MM`.
    pub fn local(at: Timestamp, zone: &str) -> String {
        let Ok(tz) = jiff::tz::db().get(zone) else { return at.rfc3339() };
        match jiff::Timestamp::from_second(at.unix()) {
            Ok(t) => t.to_zoned_datetime(tz).strftime("%Y-%m-%dT%H:%M").to_string(),
            Err(_) => at.rfc3339(),
        }
    }
}

/// The calendar day at `at` in `zone` (what "today" means to someone
/// there), if the zone is known.
pub fn day_in(at: Timestamp, zone: &str) -> Option<jiff::civil::Date> {
    let tz = jiff::tz::db().get(zone).ok()?;
    Some(jiff::Timestamp::from_second(at.unix()).ok()?.to_zoned_datetime(tz).date())
}

/// Minutes: 5 to 24 hours.
pub fn parse_duration(s: &str) -> Result<i64, Invalid> {
    match s.trim().parse::<i64>() {
        Ok(m) if (5..=1440).contains(&m) => Ok(m),
        _ => Err(Invalid::new("duration_minutes", "duration.invalid")),
    }
}

/// A calendar date, `YYYY-MM-DD` (due dates).
pub fn parse_date(field: &'static str, s: &str) -> Result<Option<String>, Invalid> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    s.parse::<jiff::civil::Date>().map(|d| Some(d.to_string())).map_err(|_| Invalid::new(field, "date.invalid"))
}

macro_rules! str_enum {
    ($(#[$doc:meta])* $name:ident, $field:literal, $code:literal { $($variant:ident => $s:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $s),+ }
            }
        }

        impl FromStr for $name {
            type Err = Invalid;
            fn from_str(s: &str) -> Result<Self, Invalid> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s).ok_or(Invalid::new($field, $code))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.pad(self.as_str())
            }
        }
    };
}

str_enum!(
    /// Where a meeting is in its life.
    MeetingStatus, "status", "meeting_status.invalid" {
        Draft => "draft",
        Shared => "shared",
        Cancelled => "cancelled",
        Archived => "archived",
    }
);

str_enum!(
    /// A participant's role in one meeting.
    MeetingRole, "role", "meeting_role.invalid" {
        Organiser => "organiser",
        Editor => "editor",
        Contributor => "contributor",
        Reader => "reader",
    }
);

str_enum!(
    /// The five kinds of element in a note space.
    ElementKind, "kind", "element_kind.invalid" {
        Decision => "decision",
        Action => "action",
        Discuss => "discuss",
        Note => "note",
        Image => "image",
    }
);

str_enum!(
    /// An action is open or done.
    ActionStatus, "status", "action_status.invalid" {
        Open => "open",
        Done => "done",
    }
);

/// Something a user asks to do with a meeting.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum MeetingAction {
    View,
    EditDetails,
    ManageParticipants,
    Share,
    Cancel,
    Archive,
    /// Add a topic or an element (in a topic: see [`Target::topic_closed`]).
    AddContent,
    /// Change, move or delete a topic or an element; assign contributors.
    EditContent,
    Comment,
    /// Delete a remark (its author may delete their own).
    RemoveComment,
    /// Rewrite a remark (its author their own; the organiser and editors
    /// any, as they may delete it: the history keeps the previous text).
    EditComment,
    /// Mark an action done or open (its owners may mark their own).
    SetActionStatus,
    /// E-mail the minutes to the participants (also once archived).
    SendMinutes,
    /// Prepare the next meeting (of the series, or a follow-up), carrying
    /// over what is still open; also once archived.
    FollowUp,
}

impl MeetingAction {
    pub const ALL: [MeetingAction; 14] = [
        MeetingAction::View,
        MeetingAction::EditDetails,
        MeetingAction::ManageParticipants,
        MeetingAction::Share,
        MeetingAction::Cancel,
        MeetingAction::Archive,
        MeetingAction::AddContent,
        MeetingAction::EditContent,
        MeetingAction::Comment,
        MeetingAction::RemoveComment,
        MeetingAction::EditComment,
        MeetingAction::SetActionStatus,
        MeetingAction::SendMinutes,
        MeetingAction::FollowUp,
    ];
}

/// Who asks, as far as a meeting is concerned.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct MeetingActor {
    pub tenant_role: Role,
    pub meeting_role: Option<MeetingRole>,
    pub shared_with: bool,
}

/// What the action touches inside the meeting, where that changes the
/// answer. The default is "something of somebody else's, in an open topic".
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct Target {
    /// The actor added this element, or wrote this remark.
    pub own: bool,
    /// The actor is one of this action's owners.
    pub owner: bool,
    /// "Who contributes to what": the topic (or its parent) lists
    /// contributors and the actor is not among them.
    pub topic_closed: bool,
}

/// Is a topic closed to `user`, given the contributors listed on it and on
/// its parent topic? A topic that lists nobody is open to every contributor.
pub fn topic_closed_to(user: crate::ids::UserId, listed: &[crate::ids::UserId]) -> bool {
    !listed.is_empty() && !listed.contains(&user)
}

/// The meeting policy, for something that belongs to somebody else in an
/// open topic; see [`authorize_meeting_on`].
pub fn authorize_meeting(actor: MeetingActor, status: MeetingStatus, action: MeetingAction) -> bool {
    authorize_meeting_on(actor, status, action, Target::default())
}

/// The meeting policy: the one place that decides what a participant may do
/// in a meeting. A participant sees a meeting only once it is shared with
/// them (the organiser always). Archived and cancelled meetings are
/// read-only for everyone. Tenant roles grant nothing inside a meeting: an
/// owner who does not take part does not read its notes.
pub fn authorize_meeting_on(actor: MeetingActor, status: MeetingStatus, action: MeetingAction, on: Target) -> bool {
    use MeetingAction::*;
    use MeetingRole::*;
    let Some(role) = actor.meeting_role else { return false };
    let sees = role == Organiser || actor.shared_with;
    if !sees {
        return false;
    }
    let open = matches!(status, MeetingStatus::Draft | MeetingStatus::Shared);
    let leads = matches!(role, Organiser | Editor);
    match action {
        View => true,
        // Minutes go out after the meeting, archived or not.
        SendMinutes => leads && status != MeetingStatus::Cancelled,
        FollowUp => leads,
        _ if !open => false,
        EditDetails | ManageParticipants => leads,
        Share | Cancel | Archive => role == Organiser,
        AddContent => leads || (role == Contributor && !on.topic_closed),
        EditContent => leads || (role == Contributor && on.own && !on.topic_closed),
        Comment => true,
        RemoveComment | EditComment => leads || on.own,
        SetActionStatus => leads || on.owner,
    }
}

/// The rows of the generated rules table: each action on somebody else's
/// content, then the cases where ownership or the topic changes the answer.
fn rules_rows() -> Vec<(String, MeetingAction, Target)> {
    let mut rows: Vec<(String, MeetingAction, Target)> =
        MeetingAction::ALL.iter().map(|a| (format!("{a:?}"), *a, Target::default())).collect();
    let closed = Target { topic_closed: true, ..Target::default() };
    let own = Target { own: true, ..Target::default() };
    rows.push(("AddContent, in a topic assigned to others".into(), MeetingAction::AddContent, closed));
    rows.push(("EditContent, of an element I added".into(), MeetingAction::EditContent, own));
    rows.push((
        "EditContent, of an element I added, in a topic assigned to others".into(),
        MeetingAction::EditContent,
        Target { own: true, topic_closed: true, owner: false },
    ));
    rows.push(("RemoveComment, of a remark I wrote".into(), MeetingAction::RemoveComment, own));
    rows.push(("EditComment, of a remark I wrote".into(), MeetingAction::EditComment, own));
    rows.push((
        "SetActionStatus, of an action I own".into(),
        MeetingAction::SetActionStatus,
        Target { owner: true, ..Target::default() },
    ));
    rows
}

/// The meeting rules as a Markdown table (one row per case, one column per
/// meeting role, for an open meeting shared with the participant), for
/// docs/security/authorization.md.
pub fn rules_table() -> String {
    let mut out =
        String::from("| Action (open meeting) | organiser | editor | contributor | reader |\n|---|---|---|---|---|\n");
    for (label, a, on) in rules_rows() {
        out.push_str(&format!("| {label}"));
        for r in MeetingRole::ALL {
            let who = MeetingActor { tenant_role: Role::Member, meeting_role: Some(*r), shared_with: true };
            out.push_str(if authorize_meeting_on(who, MeetingStatus::Shared, a, on) { " | yes" } else { " | no" });
        }
        out.push_str(" |\n");
    }
    out
}

/// May this tenant role create meetings? (Guests only join them.)
pub fn can_create_meetings(role: Role) -> bool {
    role != Role::Guest
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: MeetingRole, shared: bool) -> MeetingActor {
        MeetingActor { tenant_role: Role::Member, meeting_role: Some(role), shared_with: shared }
    }

    /// Limits count what was sent, spaces around it included, as the API
    /// document's `maxLength` does; the spaces are then trimmed.
    #[test]
    fn limits_count_the_text_as_sent() {
        let full = "a".repeat(TITLE_MAX);
        assert_eq!(Title::parse(&full).map(|t| t.0.len()), Ok(TITLE_MAX));
        assert!(Title::parse(&format!(" {full}")).is_err());
        assert_eq!(Title::parse("  Budget  ").map(|t| t.0), Ok("Budget".to_owned()));
        assert!(Title::parse(" \t ").is_err() && Title::parse("a\u{85}b").is_err());
        assert!(LongText::parse("x", &format!("{}\n", "a".repeat(TEXT_MAX))).is_err());
        assert!(Place::parse(&format!("{} ", "a".repeat(PLACE_MAX))).is_err());
    }

    #[test]
    fn nobody_sees_before_sharing_but_the_organiser() {
        for role in MeetingRole::ALL {
            let can = authorize_meeting(actor(*role, false), MeetingStatus::Draft, MeetingAction::View);
            assert_eq!(can, *role == MeetingRole::Organiser, "{role}");
        }
        let outsider = MeetingActor { tenant_role: Role::Owner, meeting_role: None, shared_with: false };
        assert!(!authorize_meeting(outsider, MeetingStatus::Shared, MeetingAction::View));
    }

    #[test]
    fn roles_inside_a_meeting() {
        use MeetingAction::*;
        let s = MeetingStatus::Shared;
        assert!(authorize_meeting(actor(MeetingRole::Editor, true), s, EditContent));
        assert!(!authorize_meeting(actor(MeetingRole::Editor, true), s, Share));
        assert!(authorize_meeting(actor(MeetingRole::Contributor, true), s, AddContent));
        assert!(!authorize_meeting(actor(MeetingRole::Contributor, true), s, EditContent));
        assert!(!authorize_meeting(actor(MeetingRole::Reader, true), s, AddContent));
        assert!(authorize_meeting(actor(MeetingRole::Reader, true), s, Comment));
        for a in MeetingAction::ALL {
            let ro = authorize_meeting(actor(MeetingRole::Organiser, true), MeetingStatus::Archived, a);
            // Sending the minutes and preparing the next meeting change
            // nothing of this one's content.
            assert_eq!(ro, matches!(a, View | SendMinutes | FollowUp), "archived meetings are read-only: {a:?}");
        }
    }

    #[test]
    fn ownership_and_assigned_topics() {
        use MeetingAction::*;
        let s = MeetingStatus::Shared;
        let own = Target { own: true, ..Target::default() };
        let closed = Target { topic_closed: true, ..Target::default() };
        let owner = Target { owner: true, ..Target::default() };
        let c = actor(MeetingRole::Contributor, true);
        let r = actor(MeetingRole::Reader, true);
        let e = actor(MeetingRole::Editor, true);
        assert!(authorize_meeting_on(c, s, EditContent, own));
        assert!(!authorize_meeting_on(c, s, EditContent, Target { topic_closed: true, ..own }));
        assert!(!authorize_meeting_on(c, s, AddContent, closed));
        assert!(authorize_meeting_on(e, s, AddContent, closed), "editors are not limited to their topics");
        assert!(!authorize_meeting_on(r, s, EditContent, own), "a reader adds nothing, so owns nothing to edit");
        assert!(authorize_meeting_on(r, s, RemoveComment, own));
        assert!(!authorize_meeting_on(r, s, RemoveComment, Target::default()));
        assert!(authorize_meeting_on(r, s, SetActionStatus, owner));
        assert!(!authorize_meeting_on(r, s, SetActionStatus, Target::default()));
        for a in MeetingAction::ALL {
            let on = Target { own: true, owner: true, topic_closed: false };
            let ro = authorize_meeting_on(actor(MeetingRole::Organiser, true), MeetingStatus::Cancelled, a, on);
            assert_eq!(
                ro,
                matches!(a, View | FollowUp),
                "cancelled meetings are read-only, even one's own content: {a:?}"
            );
        }
        let listed = [crate::ids::UserId::new()];
        assert!(topic_closed_to(crate::ids::UserId::new(), &listed));
        assert!(!topic_closed_to(listed[0], &listed));
        assert!(!topic_closed_to(listed[0], &[]));
    }

    #[test]
    fn authorization_doc_matches_meeting_policy() {
        let doc = include_str!("../../../docs/security/authorization.md");
        assert!(doc.contains(&rules_table()), "update docs/security/authorization.md with:\n{}", rules_table());
    }

    #[test]
    fn parsing() {
        assert!(Title::parse("  ").is_err());
        assert!(Title::parse(&"x".repeat(201)).is_err());
        let s = Start::parse("2026-03-29T02:30", "Europe/Paris").unwrap();
        // 02:30 does not exist that night in Paris: it is 03:30 CEST = 01:30 UTC.
        assert_eq!(s.at.rfc3339(), "2026-03-29T01:30:00Z");
        assert_eq!(Start::local(s.at, "Europe/Paris"), "2026-03-29T03:30");
        assert!(Start::parse("2026-12-01T09:30", "Mars/Olympus").is_err());
        assert!(Start::parse("tomorrow", "Europe/Paris").is_err());
        assert_eq!(parse_date("due", "2026-12-24"), Ok(Some("2026-12-24".into())));
        assert!(parse_date("due", "24/12/2026").is_err());
        assert_eq!("action".parse::<ElementKind>(), Ok(ElementKind::Action));
    }
}
