//! The meeting page as it is shown (also again, with field errors, after a
//! refused change), the element edit page, and the series' words.

use crate::error::WebError;
use crate::extract::Me;
use crate::pages::{
    BacklogView, CommentView, ElementEditTpl, ElementView, Errors, MeetingTpl, Page, ParticipantView, PositionView,
    TopicView, render,
};
use axum::http::StatusCode;
use axum::response::Response;
use ordo_app::i18n::Tr;
use ordo_app::meetings::{self, Comment, Element};
use ordo_core::ids::{ElementId, MeetingId, TopicId, UserId};
use ordo_core::meeting::{ActionStatus, ElementKind, MeetingRole, MeetingStatus};

/// A refused quick-add line: its topic, and what was typed.
pub type Kept = Option<(String, String)>;

/// The meeting page for the caller, with `errors` and an optional notice.
#[tracing::instrument(skip_all)]
pub async fn meeting_view(
    me: &Me,
    id: MeetingId,
    errors: Errors,
    notice: Option<String>,
    kept: Kept,
) -> Result<MeetingTpl, WebError> {
    let page = meetings::page(&me.app, me.tenant(), &me.user, id).await?;
    let tr = me.ctx.tr();
    let name_of = |u: &UserId| {
        page.content.participants.iter().find(|p| p.user_id == *u).map(|p| p.name.clone()).unwrap_or_default()
    };
    let element_view = |e: &Element| ElementView {
        id: e.id.to_string(),
        kind: e.kind.as_str(),
        kind_label: tr.t(&format!("element.kind.{}", e.kind.as_str())).to_owned(),
        kind_letter: tr.t(&format!("element.letter.{}", e.kind.as_str())).to_owned(),
        title: e.title.clone(),
        due_date: e.due_date.clone().unwrap_or_default(),
        is_action: e.kind == ElementKind::Action,
        done: e.action_status == Some(ActionStatus::Done),
        owners: e.owners.iter().map(name_of).collect::<Vec<_>>().join(", "),
        comments: threaded(&page.content.comments, e.id, me, page.can.remove_comment),
        // Sanitised by ammonia when stored (the only way into the column is
        // through the use cases), and authenticated by AES-GCM since: shown
        // as it is, without parsing it again on every view.
        description_html: e.description.clone(),
        is_image: e.kind == ElementKind::Image,
        is_discuss: e.kind == ElementKind::Discuss,
        origin: e.origin.meeting.zip(e.origin.date.clone()).map(|(m, date)| (me.href(&format!("meetings/{m}")), date)),
        carried_to: e.origin.carried_to.map(|m| me.href(&format!("meetings/{m}"))),
    };
    let assigned = page.content.contributor_names();
    let names_of = |t: &TopicId| {
        assigned.get(t).map(|v| v.iter().map(|(u, n)| (u.to_string(), n.clone())).collect()).unwrap_or_default()
    };
    let topic_view = |t: &meetings::Topic, subtopics: Vec<TopicView>| TopicView {
        id: t.id.to_string(),
        title: t.title.clone(),
        contributors: names_of(&t.id),
        elements: page.content.elements.iter().filter(|e| e.topic_id == t.id).map(element_view).collect(),
        subtopics,
    };
    let topics: Vec<TopicView> = page
        .content
        .topics
        .iter()
        .filter(|t| t.parent_id.is_none())
        .map(|t| {
            let subs = page.content.topics.iter().filter(|s| s.parent_id == Some(t.id));
            topic_view(t, subs.map(|s| topic_view(s, Vec::new())).collect())
        })
        .collect();
    let on_page = |t: &str| page.content.topics.iter().any(|x| x.id.to_string() == t);
    let kept = kept.filter(|(t, _)| on_page(t));
    let m = &page.meeting;
    Ok(MeetingTpl {
        people_url: me.href("api/v1/people"),
        base: me.href(&format!("meetings/{}", m.id)),
        title: m.title.clone(),
        objectives: m.objectives.clone(),
        place: m.place.clone(),
        starts_at: m.local_start.clone(),
        when: me.when(m.starts_at, &m.time_zone),
        time_zone: me.zone_or(&m.time_zone).to_owned(),
        duration: m.duration_minutes,
        version: m.version,
        revision: page.revision,
        status: tr.t(&format!("meeting.status.{}", m.status.as_str())).to_owned(),
        read_only: matches!(m.status, MeetingStatus::Cancelled | MeetingStatus::Archived),
        participants: page
            .content
            .participants
            .iter()
            .map(|p| ParticipantView {
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
        position: position_view(me, &tr, m).await?,
        p: Page::new(&me.ctx, "meetings"),
    })
}

/// The meeting page again, with field errors (422, or 409 for a conflict).
#[tracing::instrument(skip_all)]
pub async fn meeting_page_with(me: &Me, id: MeetingId, errors: Errors, kept: Kept) -> Result<Response, WebError> {
    let status = if errors.get("form").is_some() { StatusCode::CONFLICT } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok(render(status, &meeting_view(me, id, errors, None, kept).await?))
}

/// A series' rule in words: "every 2 weeks, 6 meetings".
pub fn rule_label(tr: &Tr, rule: &ordo_core::recurrence::Rule) -> String {
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

#[tracing::instrument(skip_all)]
async fn position_view(me: &Me, tr: &Tr, m: &meetings::Meeting) -> Result<PositionView, WebError> {
    let pos = ordo_app::series::position(&me.app, me.tenant(), m.id).await?;
    let series = match (&pos.series_id, pos.number, &pos.rule) {
        (Some(s), Some(n), Some(rule)) => Some((
            me.href(&format!("series/{s}")),
            tr.tf("series.nth", &[("n", &n.to_string()), ("rule", &rule_label(tr, rule))]),
        )),
        _ => None,
    };
    // A follow-up is offered a week later, at the same time, by default.
    let follow_up_start = ordo_app::series::week_later(&m.local_start).unwrap_or_default();
    Ok(PositionView {
        series,
        follows: pos.follows.map(|f| me.href(&format!("meetings/{f}"))),
        next: pos.next.map(|f| me.href(&format!("meetings/{f}"))),
        next_start: pos.next_start.map(|s| s.replace('T', " ")),
        follow_up_start,
    })
}

/// An element's remarks, each followed by its replies. `moderate`: the
/// viewer may delete anyone's (organiser, editors); else only their own.
fn threaded(all: &[Comment], element: ElementId, me: &Me, moderate: bool) -> Vec<CommentView> {
    let view = |c: &Comment| CommentView {
        id: c.id.to_string(),
        can_delete: moderate || c.author_id == me.user.id,
        can_edit: c.author_id == me.user.id,
        author: c.author.clone(),
        body: c.body.clone(),
        // In the reader's zone; UTC (said so) for one who has none.
        when: ordo_core::dates::when_said(c.created_at, me.zone_or("UTC"), me.ctx.locale),
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

/// The page to edit one element (kept off the meeting page, which stays light).
#[tracing::instrument(skip_all)]
pub async fn element_edit_view(
    me: &Me,
    id: MeetingId,
    element: ElementId,
    errors: Errors,
) -> Result<ElementEditTpl, WebError> {
    let page = meetings::page(&me.app, me.tenant(), &me.user, id).await?;
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
    Ok(ElementEditTpl {
        back: me.href(&format!("meetings/{id}#el-{element}")),
        action: me.href(&format!("meetings/{id}/elements/{element}/edit")),
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
        delete_action: me.href(&format!("meetings/{id}/elements/{element}/delete")),
        move_action: me.href(&format!("meetings/{id}/elements/{element}/move")),
        errors,
        p: Page::new(&me.ctx, "meetings"),
    })
}

/// A backlog line of a series page.
pub fn backlog_view(me: &Me, tr: &Tr, b: &ordo_app::series::BacklogItem) -> BacklogView {
    BacklogView {
        href: me.href(&format!("meetings/{}#el-{}", b.meeting_id, b.element_id)),
        kind: tr.t(&format!("element.kind.{}", b.kind.as_str())).to_owned(),
        title: b.title.clone(),
        owners: b.owners.clone(),
        due: b.due_date.clone().unwrap_or_default(),
        since: b.since.clone().unwrap_or_default(),
        meeting_when: b.meeting_when.clone(),
    }
}
