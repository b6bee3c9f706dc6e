//! Page templates (askama: compiled, auto-escaped). Every visible word comes
//! from the translation files through `p.t(...)`.

use crate::context::Ctx;
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use ordo_app::i18n::Tr;

/// What every tenant page needs: language, tenant, the signed-in user, the
/// anti-forgery token, and which menu entry is current.
pub struct Page {
    pub tr: Tr,
    pub lang: &'static str,
    pub tenant_name: String,
    pub slug: String,
    pub user_name: Option<String>,
    pub is_admin: bool,
    pub csrf: String,
    pub nav: &'static str,
}

impl Page {
    pub fn new(ctx: &Ctx, nav: &'static str) -> Self {
        let tr = ctx.tr();
        Self {
            tr,
            lang: tr.lang(),
            tenant_name: ctx.tenant.name.clone(),
            slug: ctx.tenant.slug.to_string(),
            user_name: ctx.auth.as_ref().map(|a| a.user.display_name.clone()),
            is_admin: ctx.auth.as_ref().is_some_and(|a| ordo_app::accounts::can_view_members(&a.user)),
            csrf: ctx.csrf().to_owned(),
            nav,
        }
    }

    pub fn t<'a>(&self, key: &'a str) -> &'a str {
        self.tr.t(key)
    }

    pub fn href(&self, path: &str) -> String {
        format!("/t/{}/{}", self.slug, path)
    }
}

/// Field-level messages for a form shown again.
#[derive(Default, Debug)]
pub struct Errors(Vec<(&'static str, String)>);

impl Errors {
    pub fn one(field: &'static str, message: String) -> Self {
        Self(vec![(field, message)])
    }
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.iter().find(|(f, _)| *f == field).map(|(_, m)| m.as_str())
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// Every field's message but the whole form's, for pages that show
    /// them above many small forms.
    pub fn fields(&self) -> impl Iterator<Item = &str> {
        self.0.iter().filter(|(f, _)| *f != "form").map(|(_, m)| m.as_str())
    }
}

/// Render a template as an HTML response with the given status.
pub fn render(status: StatusCode, t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template rendering failed");
            crate::error::WebError::Internal("template").into_response()
        }
    }
}

pub fn ok(t: &impl Template) -> Response {
    render(StatusCode::OK, t)
}

#[derive(Template)]
#[template(path = "login.html")]
pub struct LoginTpl {
    pub p: Page,
    pub email: String,
    pub next: String,
    pub errors: Errors,
    pub notice: Option<String>,
}

#[derive(Template)]
#[template(path = "forgot.html")]
pub struct ForgotTpl {
    pub p: Page,
}

#[derive(Template)]
#[template(path = "set_password.html")]
pub struct SetPasswordTpl {
    pub p: Page,
    pub title_key: &'static str,
    pub action: String,
    pub email: String,
    pub ask_name: bool,
    pub display_name: String,
    pub errors: Errors,
}

#[derive(Template)]
#[template(path = "message.html")]
pub struct MessageTpl {
    pub p: Page,
    pub title: String,
    pub text: String,
    pub link: Option<(String, String)>,
}

pub struct ActionRowView {
    pub href: String,
    pub title: String,
    pub due_date: String,
    /// The due date told from today, in the reader's language.
    pub due_text: String,
    pub overdue: bool,
    /// The meeting it belongs to (its title), and where its status posts.
    pub meeting: String,
    pub status_url: String,
    pub done: bool,
}

#[derive(Template)]
#[template(path = "home.html")]
pub struct HomeTpl {
    pub p: Page,
    pub greeting: String,
    pub upcoming: Vec<MeetingRowView>,
    pub recent: Vec<MeetingRowView>,
    pub actions: Vec<ActionRowView>,
    pub filter: &'static str,
    /// The meetings my actions are in, to filter by: (id, title, chosen).
    pub action_meetings: Vec<(String, String, bool)>,
    /// Where a tick comes back to (`_back`): this filter.
    pub back: String,
    /// `&meeting=…` when filtered by a meeting (kept by the filter tabs).
    pub meeting_query: String,
}

#[derive(Template)]
#[template(path = "profile.html")]
pub struct ProfileTpl {
    pub p: Page,
    /// Receives the daily digest of actions due soon.
    pub reminders: bool,
    /// When the calendar feed address was made, if there is one.
    pub feed_since: Option<String>,
    /// A feed address just made, shown this once.
    pub feed_url: Option<String>,
    pub email: String,
    pub display_name: String,
    pub phone: String,
    pub locale: &'static str,
    pub time_zone: String,
    /// Every zone the server knows, offered as the field's list.
    pub zones: &'static [String],
    pub errors: Errors,
    pub notice: Option<String>,
}

#[derive(Template)]
#[template(path = "password.html")]
pub struct PasswordTpl {
    pub p: Page,
    pub errors: Errors,
    pub notice: Option<String>,
}

pub struct SessionRow {
    pub id: String,
    pub device: String,
    pub ip: String,
    pub last_seen: String,
    pub last_seen_iso: String,
    pub created: String,
    pub created_iso: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "sessions.html")]
pub struct SessionsTpl {
    pub p: Page,
    pub rows: Vec<SessionRow>,
    pub notice: Option<String>,
}

pub struct TokenRow {
    pub id: String,
    pub name: String,
    pub created: String,
    pub last_used: String,
}

#[derive(Template)]
#[template(path = "tokens.html")]
pub struct TokensTpl {
    pub p: Page,
    pub rows: Vec<TokenRow>,
    /// A token just created: shown this once.
    pub new_token: Option<String>,
    pub errors: Errors,
    pub notice: Option<String>,
}

pub struct RoleOpt {
    pub value: &'static str,
    pub label: String,
    pub selected: bool,
}

pub struct MemberRow {
    pub id: String,
    pub name: String,
    pub email: String,
    pub role_label: String,
    pub role_options: Vec<RoleOpt>,
    pub status_label: String,
    pub disabled: bool,
    pub manageable: bool,
}

#[derive(Template)]
#[template(path = "members.html")]
pub struct MembersTpl {
    pub p: Page,
    pub rows: Vec<MemberRow>,
    pub invite_roles: Vec<RoleOpt>,
    pub invite_email: String,
    pub errors: Errors,
    pub notice: Option<String>,
}

pub struct AuditRow {
    pub seq: i64,
    pub at: String,
    pub at_iso: String,
    pub kind: String,
    pub actor: String,
    pub subject: String,
    pub ip: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
pub struct AuditTpl {
    pub p: Page,
    pub rows: Vec<AuditRow>,
    pub older: Option<i64>,
}

pub struct MeetingRowView {
    pub href: String,
    pub title: String,
    pub when: String,
    pub zone: String,
    pub status: String,
}

#[derive(Template)]
#[template(path = "meetings.html")]
pub struct MeetingsTpl {
    pub p: Page,
    pub rows: Vec<MeetingRowView>,
    /// `upcoming`, `past` or `series`, and the text filter.
    pub view: &'static str,
    pub q: String,
    /// `&q=…`, encoded, for the tabs' links.
    pub q_query: String,
    /// Whether the tenant-wide list has any meeting at all.
    pub any: bool,
    /// The series view: (series page, title, "n meetings", "next: …").
    pub series: Vec<(String, String, String, String)>,
    /// Agenda templates to start from: (id, name, chosen).
    pub templates: Vec<(String, String, bool)>,
    pub can_create: bool,
    pub form_title: String,
    pub form_starts_at: String,
    pub form_time_zone: String,
    pub form_duration: String,
    pub form_place: String,
    pub form_repeat: String,
    pub form_interval: String,
    pub form_until: String,
    pub form_count: String,
    pub errors: Errors,
    pub notice: Option<String>,
}

impl MeetingsTpl {
    /// The new-meeting form is behind its button, open when there is
    /// nothing to list yet, when it comes back with an error, or when a
    /// template was chosen to start from.
    pub fn opens_form(&self) -> bool {
        !self.any || !self.errors.is_empty() || !self.form_title.is_empty() || self.templates.iter().any(|t| t.2)
    }
}

#[derive(Template)]
#[template(path = "element_edit.html")]
pub struct ElementEditTpl {
    pub p: Page,
    pub back: String,
    pub action: String,
    pub meeting_title: String,
    pub title: String,
    pub description: String,
    /// The stored description, sanitised (shown as the other version).
    pub description_html: String,
    /// After a conflict: the version saved by someone else (title, description).
    pub theirs: Option<(String, String)>,
    pub due_date: String,
    pub is_action: bool,
    pub topic_id: String,
    pub version: i64,
    pub topic_options: Vec<(String, String)>,
    /// Participants: (id, name, owns the action).
    pub owner_options: Vec<(String, String, bool)>,
    /// Where the delete form posts.
    pub delete_action: String,
    /// Where its move up / down posts (the page's way to move without script).
    pub move_action: String,
    pub errors: Errors,
}

pub struct ElementView {
    pub id: String,
    pub kind: &'static str,
    pub kind_label: String,
    pub kind_letter: String,
    pub title: String,
    pub due_date: String,
    pub is_action: bool,
    pub done: bool,
    pub owners: String,
    pub comments: Vec<CommentView>,
    pub description_html: String,
    pub is_image: bool,
    /// A topic to discuss (resolved or not, like an action's done).
    pub is_discuss: bool,
    /// Carried over: (the first meeting's page, its date).
    pub origin: Option<(String, String)>,
    /// Carried over to the next meeting: its page.
    pub carried_to: Option<String>,
}

/// A topic's page: rename it, add a sub-topic, assign contributors,
/// delete it.
#[derive(Template)]
#[template(path = "topic_edit.html")]
pub struct TopicEditTpl {
    pub p: Page,
    pub base: String,
    pub meeting_title: String,
    pub topic: TopicView,
    /// A sub-topic (it takes no sub-topic of its own).
    pub nested: bool,
    pub participants: Vec<ParticipantView>,
}

/// An element's remarks on a page of their own: where "Reply" leads
/// without script.
#[derive(Template)]
#[template(path = "remarks.html")]
pub struct RemarksTpl {
    pub p: Page,
    pub base: String,
    pub meeting_title: String,
    pub read_only: bool,
    pub e: ElementView,
}

pub struct CommentView {
    pub id: String,
    /// The viewer may delete it (its author, or the organiser and editors).
    pub can_delete: bool,
    /// The viewer wrote it (and may rewrite it).
    pub can_edit: bool,
    pub author: String,
    pub body: String,
    pub when: String,
    pub when_iso: String,
    pub is_reply: bool,
}

pub struct TopicView {
    pub id: String,
    pub title: String,
    /// The contributors assigned to this topic, (id, name) (empty: anyone).
    pub contributors: Vec<(String, String)>,
    pub elements: Vec<ElementView>,
    pub subtopics: Vec<TopicView>,
}

pub struct ParticipantView {
    pub id: String,
    pub name: String,
    /// Translated.
    pub role: String,
    /// As stored (`editor`...), for the role picker.
    pub role_key: &'static str,
    pub organiser: bool,
    pub shared: bool,
    pub present: Option<bool>,
}

impl ParticipantView {
    /// Up to two letters for the header's row of people: "Mia Member" → "MM".
    pub fn initials(&self) -> String {
        self.name.split_whitespace().filter_map(|w| w.chars().next()).take(2).flat_map(char::to_uppercase).collect()
    }
}

#[derive(Template)]
#[template(path = "meeting.html")]
pub struct MeetingTpl {
    pub p: Page,
    pub meeting_id: String,
    pub base: String,
    pub revision: i64,
    pub title: String,
    pub objectives: String,
    pub place: String,
    pub starts_at: String,
    pub when: String,
    pub time_zone: String,
    pub duration: i64,
    pub version: i64,
    pub status: String,
    pub read_only: bool,
    pub participants: Vec<ParticipantView>,
    pub can: ordo_app::meetings::Capabilities,
    pub topics: Vec<TopicView>,
    /// Where the page's script loads the people already met (suggestions
    /// when adding participants), only when that field is used.
    pub people_url: String,
    pub errors: Errors,
    pub notice: Option<String>,
    /// A quick-add line that was refused: its topic and what was typed,
    /// shown again in place with the message beside it.
    pub kept_topic: String,
    pub kept_text: String,
    pub position: PositionView,
}

impl MeetingTpl {
    /// The place as a link when it is a web address (a video call).
    pub fn place_link(&self) -> Option<&str> {
        let p = self.place.trim();
        let web = p.starts_with("https://") || p.starts_with("http://");
        (web && !p.contains(char::is_whitespace)).then_some(p)
    }
}

#[derive(Template)]
#[template(path = "series.html")]
pub struct SeriesTpl {
    pub p: Page,
    pub title: String,
    pub rule: String,
    /// (page, number, title, when, status).
    pub meetings: Vec<(String, usize, String, String, String)>,
    pub upcoming: Vec<String>,
    pub backlog: Vec<BacklogView>,
}

pub struct BacklogView {
    pub href: String,
    pub kind: String,
    pub title: String,
    pub owners: String,
    pub due: String,
    /// The date of the meeting it first came from ('' if raised in the
    /// meeting it is in).
    pub since: String,
    pub meeting_when: String,
}

/// Where a meeting stands among others.
#[derive(Default)]
pub struct PositionView {
    /// The series page and "meeting n of the series, every …".
    pub series: Option<(String, String)>,
    pub follows: Option<String>,
    pub next: Option<String>,
    /// What the next meeting of the series would be, to prepare it.
    pub next_start: Option<String>,
    /// A single meeting: its follow-up may be prepared at a chosen time.
    pub follow_up_start: String,
}

pub struct BackupRunView {
    pub when: String,
    pub kind: String,
    pub ok: bool,
    pub detail: String,
    pub snapshot: String,
    pub size: String,
    pub duration: String,
}

#[derive(Template)]
#[template(path = "backups.html")]
pub struct BackupsTpl {
    pub p: Page,
    pub every_hours: i64,
    pub next_backup: String,
    pub next_drill: String,
    pub last_good: Option<String>,
    pub runs: Vec<BackupRunView>,
}

#[derive(Template)]
#[template(path = "encryption.html")]
pub struct EncryptionTpl {
    pub p: Page,
    pub on: bool,
    pub key_version: u32,
    pub done: i64,
    pub remaining: i64,
    pub percent: i64,
    pub notice: Option<String>,
}

pub struct ApiOp {
    pub method: String,
    pub path: String,
    pub summary: String,
    pub request: String,
}

#[derive(Template)]
#[template(path = "api_docs.html")]
pub struct ApiDocsTpl {
    pub tr: Tr,
    pub intro: &'static str,
    pub ops: &'static [ApiOp],
}

pub struct TenantActionRow {
    pub href: String,
    pub meeting: String,
    pub title: String,
    pub owners: String,
    pub due_date: String,
    pub status: String,
}

#[derive(Template)]
#[template(path = "admin_actions.html")]
pub struct TenantActionsTpl {
    pub p: Page,
    pub rows: Vec<TenantActionRow>,
}

#[derive(Template)]
#[template(path = "landing.html")]
pub struct LandingTpl {
    pub tr: Tr,
    /// (slug, name) of each tenant, in development only.
    pub tenants: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorTpl<'a> {
    tr: Tr,
    status: u16,
    message: &'a str,
    request_id: &'a str,
}

/// The generic error page: status, a translated message, the request id.
pub fn error_page(tr: Tr, status: StatusCode, message: &str, request_id: &str) -> String {
    ErrorTpl { tr, status: status.as_u16(), message, request_id }
        .render()
        .unwrap_or_else(|_| format!("{} {}", status.as_u16(), request_id))
}

#[cfg(test)]
mod tests {
    use ordo_app::i18n::Tr;
    use ordo_core::user::Locale;
    use std::path::PathBuf;

    fn templates() -> Vec<(String, String)> {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("templates");
        let mut out: Vec<(String, String)> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(&p).unwrap()))
            .collect();
        out.sort();
        assert!(out.len() >= 10);
        out
    }

    /// Remove `open ... close` spans (non-nested).
    fn strip(s: &str, open: &str, close: &str) -> String {
        let mut out = String::new();
        let mut rest = s;
        while let Some(i) = rest.find(open) {
            out.push_str(&rest[..i]);
            match rest[i..].find(close) {
                Some(j) => rest = &rest[i + j + close.len()..],
                None => return out,
            }
        }
        out.push_str(rest);
        out
    }

    #[test]
    fn templates_hold_no_user_visible_text() {
        for (name, src) in templates() {
            // The page's CSS class is markup, not text.
            let mut text = strip(&src, "{% block main_class %}", "{% endblock %}");
            text = strip(&text, "{#", "#}");
            text = strip(&text, "{%", "%}");
            text = strip(&text, "{{", "}}");
            text = strip(&text, "<", ">");
            let leftover: String = text
                .replace("Ordo", "")
                .chars()
                // Punctuation, and icons (arrows, the drag handle) whose
                // controls carry translated labels.
                .filter(|c| {
                    !c.is_whitespace()
                        && !matches!(
                            c,
                            '·' | ':' | '&' | ';' | '%' | '/' | '(' | ')' | '↑' | '↓' | '⠿' | '×' | '→' | '—'
                        )
                })
                .collect();
            assert!(leftover.is_empty(), "{name} has text outside the translation files: {leftover:?}");
        }
    }

    #[test]
    fn every_key_used_exists_in_both_languages() {
        let mut keys = Vec::new();
        for (_, src) in templates() {
            for part in src.split(".t(\"").skip(1) {
                keys.push(part.split('"').next().unwrap().to_owned());
            }
        }
        // Keys built at run time.
        for r in ordo_core::user::Role::ALL {
            keys.push(format!("role.{r}"));
        }
        for s in ordo_core::user::UserStatus::ALL {
            keys.push(format!("status.{}", s.as_str()));
        }
        for k in ordo_core::audit::AuditKind::ALL {
            keys.push(format!("audit.kind.{k}"));
        }
        for code in [
            "not_found",
            "forbidden",
            "csrf",
            "unauthenticated",
            "conflict",
            "throttled",
            "bad_token",
            "too_large",
            "bad_request",
            "invalid_json",
            "internal",
            "generic",
            "login.failed",
            "throttled_minutes",
            "email.taken",
            "slug.invalid",
            "slug.reserved",
            "tenant_name.invalid",
            "email.invalid",
            "display_name.invalid",
            "role.invalid",
            "locale.invalid",
            "password.too_short",
            "password.too_long",
            "password.common",
            "password.wrong_current",
            "id.invalid",
            "plan.invalid",
            "status.invalid",
            "audit_kind.invalid",
        ] {
            keys.push(format!("error.{code}"));
        }
        for code in [
            "title.empty",
            "title.invalid",
            "text.too_long",
            "place.invalid",
            "starts_at.invalid",
            "time_zone.invalid",
            "duration.invalid",
            "date.invalid",
            "meeting_status.invalid",
            "meeting_role.invalid",
            "element_kind.invalid",
            "action_status.invalid",
            "elements.too_many",
            "owners.not_participants",
            "stale",
            "comment.empty",
        ] {
            keys.push(format!("error.{code}"));
        }
        for s in ordo_core::meeting::MeetingStatus::ALL {
            keys.push(format!("meeting.status.{s}"));
        }
        for r in ordo_core::meeting::MeetingRole::ALL {
            keys.push(format!("meeting.role.{r}"));
        }
        for k in ordo_core::meeting::ElementKind::ALL {
            keys.push(format!("element.kind.{k}"));
            keys.push(format!("element.letter.{k}"));
        }
        for n in crate::respond::NOTICES {
            keys.push(format!("notice.{n}"));
        }
        keys.extend(["activate.title", "reset.title"].map(String::from));
        for locale in Locale::ALL {
            let tr = Tr::new(locale);
            for k in &keys {
                assert!(tr.has(k), "{k} missing from {locale}.toml");
            }
        }
    }
}
