//! The minutes of a meeting (requirement M12): what the meeting page shows,
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
    /// Names of those recorded present, and absent.
    pub present: Vec<String>,
    pub absent: Vec<String>,
    pub sections: Vec<Section>,
    /// (title, topic).
    pub decisions: Vec<(String, String)>,
    pub actions: Vec<ActionLine>,
    /// The meeting's address in Ordo (pictures are linked from it in
    /// Markdown); empty where unknown.
    pub link: String,
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
    /// The description as blocks of styled text (Markdown, PDF).
    pub description: Vec<crate::richtext::Block>,
    /// (author, text).
    pub remarks: Vec<(String, String)>,
    /// An action's owners, due date and status, wherever it appears.
    pub action: Option<ActionLine>,
    /// An image's element (its caption is the title).
    pub image: Option<ordo_core::ids::ElementId>,
}

#[derive(Clone, Debug)]
pub struct ActionLine {
    pub title: String,
    pub owners: String,
    pub due: String,
    pub done: bool,
    pub status: String,
    pub topic: String,
    /// Owners, due date and status as one line ("Mia · Due 2026-12-20 · Open").
    pub details: String,
}

/// Build the minutes for someone who may see the meeting.
#[tracing::instrument(skip_all)]
pub async fn build(app: &App, tenant: &Tenant, actor: &User, id: MeetingId, tr: &Tr) -> Result<Minutes, AppError> {
    let page = meetings::page(app, tenant, actor, id).await?;
    let mut m = arrange(&page.meeting, &page.content, tr);
    m.link = crate::accounts::tenant_link(app, &tenant.slug, &format!("meetings/{id}"));
    Ok(m)
}

/// The most pictures, and bytes of them, a PDF or HTML file of the minutes
/// carries: past these, a picture is its caption (the file stays a size a
/// mail or a browser takes).
pub const PICTURES_MAX: usize = 40;
pub const PICTURE_BYTES_MAX: usize = 24 << 20;

/// A picture of the minutes: (element, content type, bytes).
pub type Picture = (ordo_core::ids::ElementId, String, Vec<u8>);

/// The meeting's pictures, in agenda order, within the bounds above.
#[tracing::instrument(skip_all)]
pub async fn pictures(
    app: &App,
    tenant: &Tenant,
    actor: &User,
    id: MeetingId,
    m: &Minutes,
) -> Result<Vec<Picture>, AppError> {
    let mut out = Vec::new();
    let mut bytes = 0usize;
    // Collected first: an iterator of closures held across an await makes
    // the future not `Send`.
    let ids: Vec<_> = m.sections.iter().flat_map(|s| &s.items).filter_map(|i| i.image).take(PICTURES_MAX).collect();
    for e in ids {
        let (ctype, data) = match meetings::image(app, tenant, actor, id, e).await {
            Ok(p) => p,
            // Deleted since the minutes were read: its caption stays.
            Err(AppError::NotFound) => continue,
            Err(e) => return Err(e),
        };
        bytes += data.len();
        if bytes > PICTURE_BYTES_MAX {
            break;
        }
        out.push((e, ctype, data));
    }
    Ok(out)
}

/// An action's owners, due date and status, as one line of text.
fn action_details(a: &ActionLine, tr: &Tr) -> String {
    let mut parts = Vec::new();
    if !a.owners.is_empty() {
        parts.push(a.owners.clone());
    }
    if !a.due.is_empty() {
        parts.push(format!("{} {}", tr.t("minutes.due"), a.due));
    }
    parts.push(a.status.clone());
    parts.join(" · ")
}

fn arrange(m: &meetings::Meeting, c: &Content, tr: &Tr) -> Minutes {
    let name_of = |u| c.participants.iter().find(|p| p.user_id == u).map(|p| p.name.clone()).unwrap_or_default();
    let topic_title = |t| c.topics.iter().find(|x| x.id == t).map(|x| x.title.clone()).unwrap_or_default();
    let action_of = |e: &meetings::Element| {
        let done = e.action_status == Some(ActionStatus::Done);
        let mut a = ActionLine {
            title: e.title.clone(),
            owners: e.owners.iter().map(|u| name_of(*u)).collect::<Vec<_>>().join(", "),
            due: e.due_date.clone().unwrap_or_default(),
            done,
            status: tr.t(if done { "minutes.done" } else { "minutes.open" }).to_owned(),
            topic: topic_title(e.topic_id),
            details: String::new(),
        };
        a.details = action_details(&a, tr);
        a
    };
    let items_of = |topic| -> Vec<Item> {
        c.elements
            .iter()
            .filter(|e| e.topic_id == topic)
            .map(|e| Item {
                kind: e.kind,
                kind_label: tr.t(&format!("element.kind.{}", e.kind.as_str())).to_owned(),
                title: e.title.clone(),
                description: crate::richtext::blocks(&e.description),
                description_html: e.description.clone(),
                remarks: c
                    .comments
                    .iter()
                    .filter(|r| r.element_id == e.id)
                    .map(|r| (r.author.clone(), r.body.clone()))
                    .collect(),
                action: (e.kind == ElementKind::Action).then(|| action_of(e)),
                image: (e.kind == ElementKind::Image).then_some(e.id),
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
    // Decisions and actions in the agenda's order, as the sections hold them.
    let decisions = sections
        .iter()
        .flat_map(|s| {
            s.items.iter().filter(|i| i.kind == ElementKind::Decision).map(move |i| (i.title.clone(), s.title.clone()))
        })
        .collect();
    let actions = sections.iter().flat_map(|s| s.items.iter().filter_map(|i| i.action.clone())).collect();
    Minutes {
        title: m.title.clone(),
        when: m.when(),
        duration_minutes: m.duration_minutes,
        place: m.place.clone(),
        objectives: m.objectives.clone(),
        status: tr.t(&format!("meeting.status.{}", m.status.as_str())).to_owned(),
        participants: c
            .participants
            .iter()
            .map(|p| (p.name.clone(), tr.t(&format!("meeting.role.{}", p.role.as_str())).to_owned()))
            .collect(),
        present: c.participants.iter().filter(|p| p.present == Some(true)).map(|p| p.name.clone()).collect(),
        absent: c.participants.iter().filter(|p| p.present == Some(false)).map(|p| p.name.clone()).collect(),
        sections,
        decisions,
        actions,
        link: String::new(),
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
    // The sanitiser writes a no-break space only as `&nbsp;`: as text, a space.
    let out = crate::richtext::decode(&out).replace('\u{a0}', " ");
    out.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join("\n")
}

/// Text made inert in Markdown: what could start markup is escaped, and a
/// value stays on its line.
pub(crate) fn md(s: &str) -> String {
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

/// Rich text as Markdown lines: `**bold**`, `*italic*`, `==highlight==`
/// (the common extension), `[text](address)`, lists indented two spaces a
/// level, a blank line around paragraphs and a backslash for a line break.
/// Every character of the text itself is made inert by [`md`].
pub(crate) fn rich_md(blocks: &[crate::richtext::Block]) -> Vec<String> {
    use crate::richtext::Lead;
    let mut out = Vec::new();
    for (i, b) in blocks.iter().enumerate() {
        if i > 0 && (b.lead == Lead::None || blocks[i - 1].lead == Lead::None) {
            out.push(String::new());
        }
        let pad = "  ".repeat(b.depth.saturating_sub(usize::from(b.lead != Lead::None)));
        let lead = match b.lead {
            Lead::None => String::new(),
            Lead::Bullet => "- ".to_owned(),
            Lead::Number(n) => format!("{n}. "),
        };
        let cont = " ".repeat(lead.len());
        let mut text = String::new();
        let mut k = 0;
        while k < b.runs.len() {
            let r = &b.runs[k];
            if r.text == "\n" {
                text.push_str("\\\n");
                k += 1;
                continue;
            }
            // Consecutive runs of one link are one link.
            let mut j = k + 1;
            while r.link.is_some() && j < b.runs.len() && b.runs[j].link == r.link {
                j += 1;
            }
            let inner: String = b.runs[k..j].iter().map(styled_md).collect();
            match &r.link {
                Some(url) => text.push_str(&format!("[{}]({})", inner.trim(), md_url(url))),
                None => text.push_str(&inner),
            }
            k = j;
        }
        for (n, l) in text.split('\n').enumerate() {
            out.push(format!("{pad}{}{l}", if n == 0 { &lead } else { &cont }));
        }
    }
    out
}

/// One run in Markdown, its markers tight around the letters (a marker
/// beside a space is not one).
fn styled_md(r: &crate::richtext::Run) -> String {
    let core = r.text.trim();
    if core.is_empty() {
        return if r.text.is_empty() { String::new() } else { " ".to_owned() };
    }
    let mut t = md(core);
    if r.style.mark {
        t = format!("=={t}==");
    }
    if r.style.italic {
        t = format!("*{t}*");
    }
    if r.style.bold {
        t = format!("**{t}**");
    }
    let before = if r.text.starts_with(char::is_whitespace) { " " } else { "" };
    let after = if r.text.ends_with(char::is_whitespace) { " " } else { "" };
    format!("{before}{t}{after}")
}

/// A link's address as Markdown reads it whole: what would end it is
/// percent-encoded.
fn md_url(url: &str) -> String {
    url.replace('%', "%25")
        .replace(' ', "%20")
        .replace('(', "%28")
        .replace(')', "%29")
        .replace('<', "%3C")
        .replace('>', "%3E")
        .replace('`', "%60")
        .replace(['\n', '\r', '\t'], "")
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
    if !m.present.is_empty() || !m.absent.is_empty() {
        line(&mut o, String::new());
        line(&mut o, format!("{}: {}", tr.t("minutes.present"), md(&names(&m.present, tr))));
        line(&mut o, String::new());
        line(&mut o, format!("{}: {}", tr.t("minutes.absent"), md(&names(&m.absent, tr))));
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
            let details = i.action.as_ref().map(|a| format!(" — {}", md(&a.details))).unwrap_or_default();
            line(&mut o, format!("- **{}:** {}{details}", md(&i.kind_label), md(&i.title)));
            if let (Some(e), false) = (i.image, m.link.is_empty()) {
                let caption = if i.title.is_empty() { md(&i.kind_label) } else { md(&i.title) };
                line(&mut o, format!("  ![{caption}]({}/elements/{e}/image)", md_url(&m.link)));
            }
            for l in rich_md(&i.description) {
                line(&mut o, if l.is_empty() { l } else { format!("  {l}") });
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

/// The minutes as a PDF with selectable text: header, participants, the
/// agenda with its notes, decisions, then the actions table.
pub fn pdf(m: &Minutes, tr: &Tr, pictures: &[Picture]) -> Result<Vec<u8>, AppError> {
    use crate::pdf::{Column, Document};
    let mut d = Document::new(&m.title);
    d.title(&m.title);
    d.field(tr.t("minutes.when"), &m.when);
    d.field(tr.t("minutes.duration"), &format!("{} {}", m.duration_minutes, tr.t("meeting.minutes")));
    if !m.place.is_empty() {
        d.field(tr.t("minutes.place"), &m.place);
    }
    d.field(tr.t("minutes.status"), &m.status);
    if !m.objectives.is_empty() {
        d.heading(tr.t("minutes.objectives"), 1);
        d.paragraph(&m.objectives);
    }
    d.heading(tr.t("minutes.participants"), 1);
    if !m.present.is_empty() || !m.absent.is_empty() {
        d.field(tr.t("minutes.present"), &names(&m.present, tr));
        d.field(tr.t("minutes.absent"), &names(&m.absent, tr));
        d.gap(4.0);
    }
    for (name, role) in &m.participants {
        d.bullet("", &format!("{name} ({role})"));
    }
    d.heading(tr.t("minutes.agenda"), 1);
    for s in &m.sections {
        d.heading(&format!("{} {}", s.number, s.title), 2);
        for i in &s.items {
            d.bullet(&i.kind_label, &i.title);
            if let Some(a) = &i.action {
                d.note(&a.details, 12.0);
            }
            if let Some((_, ctype, data)) = i.image.and_then(|e| pictures.iter().find(|p| p.0 == e)) {
                d.image(data, ctype, 12.0);
            }
            d.rich(&i.description, 12.0);
            for (author, body) in &i.remarks {
                d.note(&format!("{body} \u{2014} {author}"), 24.0);
            }
        }
    }
    d.heading(tr.t("minutes.decisions"), 1);
    if m.decisions.is_empty() {
        d.paragraph(tr.t("minutes.none"));
    }
    for (title, topic) in &m.decisions {
        d.bullet("", &format!("{title} ({topic})"));
    }
    d.heading(tr.t("minutes.actions"), 1);
    if m.actions.is_empty() {
        d.paragraph(tr.t("minutes.none"));
    } else {
        let columns = [
            Column { heading: tr.t("minutes.action"), share: 5.0 },
            Column { heading: tr.t("minutes.owners"), share: 3.0 },
            Column { heading: tr.t("minutes.due"), share: 1.8 },
            Column { heading: tr.t("minutes.status"), share: 1.4 },
        ];
        let rows: Vec<Vec<String>> = m
            .actions
            .iter()
            .map(|a| vec![a.title.clone(), a.owners.clone(), a.due.clone(), a.status.clone()])
            .collect();
        d.table(&columns, &rows);
    }
    let title = m.title.clone();
    d.finish(|n, of| tr.tf("minutes.page", &[("title", &title), ("n", &n.to_string()), ("of", &of.to_string())]))
        .ok_or(AppError::Internal("the PDF writer"))
}

/// Names as a list, or "none".
fn names(list: &[String], tr: &Tr) -> String {
    if list.is_empty() { tr.t("minutes.nobody").to_owned() } else { list.join(", ") }
}

/// The e-mail's HTML summary: an askama template, so every value is
/// escaped by the template engine, not by hand.
#[derive(askama::Template)]
#[template(path = "minutes_mail.html")]
struct SummaryHtml<'a> {
    m: &'a Minutes,
    tr: &'a Tr,
    link: &'a str,
    note: &'a str,
}

/// The summary an e-mail carries: header, decisions and the actions
/// table, as HTML (every value escaped) and as text.
pub fn summary(m: &Minutes, tr: &Tr, link: &str, note: &str) -> Result<(String, String), AppError> {
    use askama::Template as _;
    let h = SummaryHtml { m, tr, link, note }.render().map_err(|_| AppError::Internal("minutes e-mail template"))?;
    let mut t = String::new();
    t.push_str(&format!("{}\n{}: {}\n", m.title, tr.t("minutes.when"), m.when));
    if !m.place.is_empty() {
        t.push_str(&format!("{}: {}\n", tr.t("minutes.place"), m.place));
    }
    t.push_str(&format!("\n{}\n", tr.t("minutes.decisions")));
    if m.decisions.is_empty() {
        t.push_str(&format!("{}\n", tr.t("minutes.none")));
    }
    for (title, topic) in &m.decisions {
        t.push_str(&format!("- {title} ({topic})\n"));
    }
    t.push_str(&format!("\n{}\n", tr.t("minutes.actions")));
    if m.actions.is_empty() {
        t.push_str(&format!("{}\n", tr.t("minutes.none")));
    }
    for a in &m.actions {
        let due = if a.due.is_empty() { String::new() } else { format!(", {} {}", tr.t("minutes.due"), a.due) };
        let owners = if a.owners.is_empty() { String::new() } else { format!(" — {}", a.owners) };
        t.push_str(&format!("- {}{owners}{due} [{}]\n", a.title, a.status));
    }
    Ok((h, t))
}

/// The longest note a sender may put above the minutes.
pub const NOTE_MAX: usize = 2000;

/// Whom the minutes go to (`None`: every invited participant but the
/// sender), and the sender's note above them.
#[derive(Default)]
pub struct Sending<'a> {
    pub recipients: Option<Vec<ordo_core::ids::UserId>>,
    pub note: &'a str,
}

/// What sending would do, for the sender to check first: who may receive
/// the minutes (user, name, address) and the summary the e-mail holds.
pub struct Preview {
    /// The meeting's title.
    pub title: String,
    pub recipients: Vec<(ordo_core::ids::UserId, String, String)>,
    pub summary: String,
}

/// The preview of sending the minutes, in the sender's language.
#[tracing::instrument(skip_all)]
pub async fn preview(app: &App, tenant: &Tenant, actor: &User, id: MeetingId, tr: &Tr) -> Result<Preview, AppError> {
    use ordo_core::meeting::MeetingAction;
    let (people, _) = meetings::people_for(app, tenant, actor, id, MeetingAction::SendMinutes).await?;
    let page = meetings::page(app, tenant, actor, id).await?;
    let link = crate::accounts::tenant_link(app, &tenant.slug, &format!("meetings/{id}"));
    let (_, summary) = summary(&arrange(&page.meeting, &page.content, tr), tr, &link, "")?;
    let recipients = people
        .into_iter()
        .filter(|(u, invited)| *invited && u.id != actor.id)
        .map(|(u, _)| (u.id, u.display_name.clone(), u.email.to_string()))
        .collect();
    Ok(Preview { title: page.meeting.title.clone(), recipients, summary })
}

/// E-mail the minutes to the invited participants chosen (by default all
/// but the sender), each in their language: the sender's note, a summary
/// in the message, the full minutes as PDF. Queued in one transaction with
/// the audit entry. Returns how many.
#[tracing::instrument(skip_all)]
pub async fn send(
    app: &App,
    tenant: &Tenant,
    actor: &User,
    id: MeetingId,
    how: Sending<'_>,
) -> Result<usize, AppError> {
    use ordo_core::Invalid;
    use ordo_core::meeting::MeetingAction;
    // Plain text, escaped in the HTML part; other controls become spaces.
    let note: String = how
        .note
        .trim()
        .replace("\r\n", "\n")
        .chars()
        .map(|c| if c.is_control() && c != '\n' { ' ' } else { c })
        .collect();
    if note.chars().count() > NOTE_MAX {
        return Err(Invalid::new("note", "minutes.note_too_long").into());
    }
    let (people, keys) = meetings::people_for(app, tenant, actor, id, MeetingAction::SendMinutes).await?;
    let eligible: Vec<&User> =
        people.iter().filter(|(u, invited)| *invited && u.id != actor.id).map(|(u, _)| u).collect();
    let chosen: Vec<&User> = match &how.recipients {
        None => eligible,
        Some(ids) => {
            if ids.is_empty() {
                return Err(Invalid::new("recipients", "minutes.no_recipient").into());
            }
            if ids.iter().any(|id| !eligible.iter().any(|u| u.id == *id)) {
                return Err(Invalid::new("recipients", "minutes.unknown_recipient").into());
            }
            eligible.into_iter().filter(|u| ids.contains(&u.id)).collect()
        }
    };
    let page = meetings::page(app, tenant, actor, id).await?;
    let link = crate::accounts::tenant_link(app, &tenant.slug, &format!("meetings/{id}"));
    let date: String = page.meeting.local_start.chars().take(10).collect();
    let sender_tr = Tr::new(actor.locale.unwrap_or_default());
    let pictures = pictures(app, tenant, actor, id, &arrange(&page.meeting, &page.content, &sender_tr)).await?;
    let mut outgoing = Vec::new();
    for u in chosen {
        let tr = Tr::new(u.locale.or(actor.locale).unwrap_or_default());
        let m = arrange(&page.meeting, &page.content, &tr);
        let (html, text) = summary(&m, &tr, &link, &note)?;
        let body = tr.tf("mail.minutes.body", &[("sender", &actor.display_name), ("summary", &text), ("link", &link)]);
        let body = if note.is_empty() {
            body
        } else {
            format!("{}\n\n{body}", tr.tf("mail.minutes.note", &[("sender", &actor.display_name), ("note", &note)]))
        };
        let mut out =
            crate::mail::Outgoing::text(&u.email, tr.tf("mail.minutes.subject", &[("title", &m.title)]), body);
        out.body_html = Some(html);
        out.attachments.push(crate::mail::Attachment {
            filename: format!("minutes-{date}.pdf"),
            content_type: "application/pdf".into(),
            data: pdf(&m, &tr, &pictures)?,
        });
        outgoing.push(out);
    }
    let n = outgoing.len();
    let mails = outgoing.into_iter().map(|o| crate::mail::seal(&keys, o)).collect::<Result<Vec<_>, _>>()?;
    crate::write::change!(app, tenant.id, Some(actor.id), crate::write::UseCase::MinutesSend, |c| {
        // Checked again inside the change: sending is decided on what it commits on.
        crate::meetings::lock(&mut c.tx, tenant, actor, id, MeetingAction::SendMinutes).await?;
        for mail in &mails {
            c.tx.enqueue_mail(Some(tenant.id), mail, c.now).await?;
        }
        c.mail_queued();
        let entry = ordo_store::AuditDraft::new(ordo_core::audit::AuditKind::MinutesSent)
            .detail(serde_json::json!({ "meeting": id.to_string(), "recipients": n }).to_string());
        c.audit(entry).await?;
        Ok(())
    })?;
    Ok(n)
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
    fn formatting_is_kept_in_markdown_and_the_text_stays_inert() {
        let html = crate::richtext::sanitize(
            "<p>Budget <b>up</b> <i>a bit</i> <mark>now</mark> <b>*x*</b></p><ul><li>one</li><li>two<ol><li>a<br>b</li></ol></li></ul><p>see <a href=\"https://ex.org/a (b)\">the <b>site</b></a>.</p>",
        );
        assert_eq!(
            rich_md(&crate::richtext::blocks(&html)),
            vec![
                "Budget **up** *a bit* ==now== **\\*x\\***",
                "",
                "- one",
                "- two",
                "  1. a\\",
                "     b",
                "",
                "see [the **site**](https://ex.org/a%20%28b%29).",
            ]
        );
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
