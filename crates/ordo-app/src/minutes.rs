//! The minutes of a meeting (PRODUCT.md M12): what the meeting page shows,
//! arranged to be read outside Ordo — header, participants, the agenda with
//! everything noted in it, then the decisions and the actions table — and
//! written out as Markdown here (the HTML export renders the same model
//! with a template in `ordo-web`). Every label comes from the translations,
//! in the reader's language.

use crate::accounts::User;
use crate::i18n::Tr;
use crate::meetings::{self, Content};
use crate::{App, AppError};
use ordo_core::ids::MeetingId;
use ordo_core::meeting::{ActionStatus, ElementKind};
use ordo_store::Tenant;

/// The minutes, as plain values, labels resolved.
#[derive(Clone, Debug)]
pub struct Minutes {
    pub title: String,
    /// Local start and time zone, e.g. `2026-12-07 09:30 (Europe/Paris)`.
    pub when: String,
    pub duration_minutes: i64,
    pub place: String,
    pub objectives: String,
    pub status: String,
    /// (name, role label).
    pub participants: Vec<(String, String)>,
    pub sections: Vec<Section>,
    /// (title, topic).
    pub decisions: Vec<(String, String)>,
    pub actions: Vec<ActionLine>,
}

#[derive(Clone, Debug)]
pub struct Section {
    /// `1`, `1.2`: its place in the agenda.
    pub number: String,
    pub title: String,
    pub sub: bool,
    pub items: Vec<Item>,
}

#[derive(Clone, Debug)]
pub struct Item {
    pub kind: ElementKind,
    pub kind_label: String,
    pub title: String,
    /// The description, sanitised HTML (as stored).
    pub description_html: String,
    /// The description as plain text.
    pub description_text: String,
    /// (author, text).
    pub remarks: Vec<(String, String)>,
}

#[derive(Clone, Debug)]
pub struct ActionLine {
    pub title: String,
    pub owners: String,
    pub due: String,
    pub done: bool,
    pub status: String,
    pub topic: String,
}

/// Build the minutes for someone who may see the meeting.
pub async fn build(app: &App, tenant: &Tenant, actor: &User, id: MeetingId, tr: &Tr) -> Result<Minutes, AppError> {
    let page = meetings::page(app, tenant, actor, id).await?;
    Ok(arrange(&page.meeting, &page.content, tr))
}

fn arrange(m: &meetings::Meeting, c: &Content, tr: &Tr) -> Minutes {
    let name_of = |u| c.participants.iter().find(|p| p.user_id == u).map(|p| p.name.clone()).unwrap_or_default();
    let topic_title = |t| c.topics.iter().find(|x| x.id == t).map(|x| x.title.clone()).unwrap_or_default();
    let items_of = |topic| -> Vec<Item> {
        c.elements
            .iter()
            .filter(|e| e.topic_id == topic)
            .map(|e| Item {
                kind: e.kind,
                kind_label: tr.t(&format!("element.kind.{}", e.kind.as_str())).to_owned(),
                title: e.title.clone(),
                description_text: text_of(&e.description),
                description_html: e.description.clone(),
                remarks: c
                    .comments
                    .iter()
                    .filter(|r| r.element_id == e.id)
                    .map(|r| (r.author.clone(), r.body.clone()))
                    .collect(),
            })
            .collect()
    };
    let mut sections = Vec::new();
    for (i, t) in c.topics.iter().filter(|t| t.parent_id.is_none()).enumerate() {
        sections.push(Section {
            number: format!("{}", i + 1),
            title: t.title.clone(),
            sub: false,
            items: items_of(t.id),
        });
        for (j, s) in c.topics.iter().filter(|s| s.parent_id == Some(t.id)).enumerate() {
            sections.push(Section {
                number: format!("{}.{}", i + 1, j + 1),
                title: s.title.clone(),
                sub: true,
                items: items_of(s.id),
            });
        }
    }
    let by_kind = |k| c.elements.iter().filter(move |e| e.kind == k);
    Minutes {
        title: m.title.clone(),
        when: format!("{} ({})", m.local_start.replace('T', " "), m.time_zone),
        duration_minutes: m.duration_minutes,
        place: m.place.clone(),
        objectives: m.objectives.clone(),
        status: tr.t(&format!("meeting.status.{}", m.status.as_str())).to_owned(),
        participants: c
            .participants
            .iter()
            .map(|p| (p.name.clone(), tr.t(&format!("meeting.role.{}", p.role.as_str())).to_owned()))
            .collect(),
        sections,
        decisions: by_kind(ElementKind::Decision).map(|e| (e.title.clone(), topic_title(e.topic_id))).collect(),
        actions: by_kind(ElementKind::Action)
            .map(|e| {
                let done = e.action_status == Some(ActionStatus::Done);
                ActionLine {
                    title: e.title.clone(),
                    owners: e.owners.iter().map(|u| name_of(*u)).collect::<Vec<_>>().join(", "),
                    due: e.due_date.clone().unwrap_or_default(),
                    done,
                    status: tr.t(if done { "minutes.done" } else { "minutes.open" }).to_owned(),
                    topic: topic_title(e.topic_id),
                }
            })
            .collect(),
    }
}

/// Sanitised HTML to plain text: tags dropped (block ends become line
/// breaks), the few entities the sanitiser writes decoded.
pub fn text_of(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('>') else {
            rest = "";
            break;
        };
        let tag = &rest[open + 1..open + close];
        if ["/p", "br", "br/", "/li", "/ul", "/ol"].iter().any(|t| tag.eq_ignore_ascii_case(t)) {
            out.push('\n');
        } else if tag.eq_ignore_ascii_case("li") {
            out.push_str("- ");
        }
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    let out = out
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&");
    out.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join("\n")
}

/// Text made inert in Markdown: what could start markup is escaped, and a
/// value stays on its line.
fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '!' | '~' => {
                out.push('\\');
                out.push(ch);
            }
            '\r' | '\n' => out.push(' '),
            _ => out.push(ch),
        }
    }
    out
}

/// The minutes as Markdown.
pub fn markdown(m: &Minutes, tr: &Tr) -> String {
    let mut o = String::new();
    let line = |o: &mut String, s: String| {
        o.push_str(&s);
        o.push('\n');
    };
    line(&mut o, format!("# {}", md(&m.title)));
    line(&mut o, String::new());
    line(&mut o, format!("- {}: {}", tr.t("minutes.when"), md(&m.when)));
    line(&mut o, format!("- {}: {} {}", tr.t("minutes.duration"), m.duration_minutes, tr.t("meeting.minutes")));
    if !m.place.is_empty() {
        line(&mut o, format!("- {}: {}", tr.t("minutes.place"), md(&m.place)));
    }
    line(&mut o, format!("- {}: {}", tr.t("minutes.status"), md(&m.status)));
    if !m.objectives.is_empty() {
        line(&mut o, String::new());
        line(&mut o, format!("## {}", tr.t("minutes.objectives")));
        line(&mut o, String::new());
        for l in m.objectives.lines() {
            line(&mut o, md(l));
        }
    }
    line(&mut o, String::new());
    line(&mut o, format!("## {}", tr.t("minutes.participants")));
    line(&mut o, String::new());
    for (name, role) in &m.participants {
        line(&mut o, format!("- {} ({})", md(name), md(role)));
    }
    line(&mut o, String::new());
    line(&mut o, format!("## {}", tr.t("minutes.agenda")));
    for s in &m.sections {
        line(&mut o, String::new());
        line(&mut o, format!("{} {} {}", if s.sub { "####" } else { "###" }, s.number, md(&s.title)));
        if !s.items.is_empty() {
            line(&mut o, String::new());
        }
        for i in &s.items {
            line(&mut o, format!("- **{}:** {}", md(&i.kind_label), md(&i.title)));
            for l in i.description_text.lines() {
                line(&mut o, format!("  {}", md(l)));
            }
            for (author, body) in &i.remarks {
                line(&mut o, format!("  > {} — {}", md(body), md(author)));
            }
        }
    }
    line(&mut o, String::new());
    line(&mut o, format!("## {}", tr.t("minutes.decisions")));
    line(&mut o, String::new());
    if m.decisions.is_empty() {
        line(&mut o, tr.t("minutes.none").to_owned());
    }
    for (title, topic) in &m.decisions {
        line(&mut o, format!("- {} ({})", md(title), md(topic)));
    }
    line(&mut o, String::new());
    line(&mut o, format!("## {}", tr.t("minutes.actions")));
    line(&mut o, String::new());
    if m.actions.is_empty() {
        line(&mut o, tr.t("minutes.none").to_owned());
    } else {
        line(
            &mut o,
            format!(
                "| {} | {} | {} | {} |",
                tr.t("minutes.action"),
                tr.t("minutes.owners"),
                tr.t("minutes.due"),
                tr.t("minutes.status")
            ),
        );
        line(&mut o, "|---|---|---|---|".to_owned());
        for a in &m.actions {
            line(&mut o, format!("| {} | {} | {} | {} |", md(&a.title), md(&a.owners), md(&a.due), md(&a.status)));
        }
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_values_stays_text() {
        assert_eq!(
            md("# Title *bold* [link](javascript:x) <b>|"),
            "\\# Title \\*bold\\* \\[link\\](javascript:x) \\<b\\>\\|"
        );
        assert_eq!(md("two\nlines"), "two lines");
    }

    #[test]
    fn sanitised_html_becomes_text() {
        assert_eq!(
            text_of("<p>Budget &amp; <strong>staff</strong></p><ul><li>one</li><li>two</li></ul>"),
            "Budget & staff\n- one\n- two"
        );
        assert_eq!(text_of("a &lt;script&gt;"), "a <script>");
    }
}
