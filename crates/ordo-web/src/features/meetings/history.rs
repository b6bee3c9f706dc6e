//! A meeting's change history as a page: who changed which item, when, and
//! what it was before, with a way to put an element's previous text back.

use super::done;
use crate::error::WebError;
use crate::extract::path::{HistoryAt, MeetingAt};
use crate::extract::{At, Me};
use crate::openapi::Doc;
use crate::routes::{Decl, Guard, get, post};
use axum::response::{IntoResponse, Redirect, Response};
use ordo_app::meetings;
use ordo_core::meeting::MeetingAction as A;

pub fn decls() -> Vec<Decl> {
    vec![
        get("/t/{slug}/meetings/{id}/history", Guard::Meeting(A::View), page),
        post("/t/{slug}/meetings/{id}/history/{entry}/restore", Guard::Meeting(A::EditContent), restore_form),
        post("/t/{slug}/api/v1/meetings/{id}/history/{entry}/restore", Guard::Meeting(A::EditContent), api_restore)
            .doc(Doc::new("Put an element's title and description back as a history entry kept them").no_body().done()),
    ]
}

/// One change, as the page shows it.
pub struct ChangeView {
    pub id: String,
    pub when: String,
    pub who: String,
    /// What was done, in words.
    pub what: String,
    /// The item's title now (empty: it is gone).
    pub item: String,
    pub item_href: Option<String>,
    pub before_title: Option<String>,
    /// Sanitised HTML, as it was stored.
    pub before_description: Option<String>,
    /// The previous text can be put back (an element's, which still exists).
    pub restorable: bool,
}

#[derive(askama::Template)]
#[template(path = "history.html")]
pub struct HistoryTpl {
    pub p: crate::pages::Page,
    pub back: String,
    pub meeting_title: String,
    pub can_restore: bool,
    pub changes: Vec<ChangeView>,
}

#[tracing::instrument(skip_all)]
async fn page(me: Me, At(p): At<MeetingAt>) -> Result<Response, WebError> {
    let tr = me.ctx.tr();
    let list = meetings::history(&me.app, me.tenant(), &me.user, p.id).await?;
    let page = meetings::page(&me.app, me.tenant(), &me.user, p.id).await?;
    let back = me.href(&format!("meetings/{}", p.id));
    let c = &page.content;
    let changes = list
        .into_iter()
        .map(|h| {
            let (item, item_href) = match h.item_kind {
                "element" => match c.elements.iter().find(|e| e.id.to_string() == h.item_id) {
                    Some(e) => (e.title.clone(), Some(format!("{back}#el-{}", e.id))),
                    None => (String::new(), None),
                },
                "topic" => match c.topics.iter().find(|t| t.id.to_string() == h.item_id) {
                    Some(t) => (t.title.clone(), Some(format!("{back}#topic-{}", t.id))),
                    None => (String::new(), None),
                },
                _ => (page.meeting.title.clone(), Some(back.clone())),
            };
            let text = |k: &str| h.before.as_ref().and_then(|b| b[k].as_str()).map(str::to_owned);
            let (before_title, before_description) = (text("title"), text("description"));
            let what = match (h.item_kind, h.before.is_some()) {
                (kind, false) => tr.t(&format!("history.created.{kind}")).to_owned(),
                (kind, true) => tr.t(&format!("history.changed.{kind}")).to_owned(),
            };
            ChangeView {
                id: h.id.to_string(),
                when: me.when(h.at, &page.meeting.time_zone),
                who: h.actor.unwrap_or_else(|| tr.t("history.someone").to_owned()),
                what,
                restorable: h.item_kind == "element"
                    && item_href.is_some()
                    && before_title.is_some()
                    && before_description.is_some(),
                item,
                item_href,
                before_title,
                before_description,
            }
        })
        .collect();
    let can_restore = page.can.edit_content;
    Ok(crate::pages::ok(&HistoryTpl {
        p: crate::pages::Page::new(&me.ctx, "meetings"),
        back,
        meeting_title: page.meeting.title.clone(),
        can_restore,
        changes,
    }))
}

#[tracing::instrument(skip_all)]
async fn restore_form(me: Me, At(p): At<HistoryAt>) -> Result<Response, WebError> {
    let element = meetings::restore_text(&me.app, me.tenant(), &me.user, p.id, p.entry).await?;
    Ok(Redirect::to(&me.href(&format!("meetings/{}?notice=restored#el-{element}", p.id))).into_response())
}

#[tracing::instrument(skip_all)]
async fn api_restore(me: Me, At(p): At<HistoryAt>) -> Result<Response, WebError> {
    meetings::restore_text(&me.app, me.tenant(), &me.user, p.id, p.entry).await?;
    Ok(done())
}
