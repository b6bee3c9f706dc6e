//! Search: the page and the JSON API over `ordo_app::search`.

use crate::context::Ctx;
use crate::error::WebError;
use crate::pages::{Page, ok};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

/// Longer queries are cut: the words past the first few are not used anyway.
const MAX_QUERY: usize = 200;

#[derive(Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

pub struct ResultView {
    pub href: String,
    pub meeting_title: String,
    pub when: String,
    /// (kind label, title, excerpt) of the element found in.
    pub element: Option<(String, String, String)>,
}

#[derive(Template)]
#[template(path = "search.html")]
pub struct SearchTpl {
    pub p: Page,
    pub q: String,
    pub searched: bool,
    pub results: Vec<ResultView>,
}

fn query(q: &str) -> String {
    q.chars().take(MAX_QUERY).collect::<String>().trim().to_owned()
}

pub async fn page(State(st): State<AppState>, ctx: Ctx, Query(q): Query<SearchQuery>) -> Result<Response, WebError> {
    let auth = ctx.auth()?;
    let tr = ctx.tr();
    let q = query(&q.q);
    let found = ordo_app::search::search(&st.app, &ctx.tenant, &auth.user, &q).await?;
    let results = found
        .into_iter()
        .map(|f| ResultView {
            href: ctx.href(&match &f.element {
                Some(e) => format!("meetings/{}#el-{}", f.meeting_id, e.id),
                None => format!("meetings/{}", f.meeting_id),
            }),
            meeting_title: f.meeting_title,
            when: f.when,
            element: f
                .element
                .map(|e| (tr.t(&format!("element.kind.{}", e.kind.as_str())).to_owned(), e.title, e.excerpt)),
        })
        .collect();
    Ok(ok(&SearchTpl { searched: !q.is_empty(), q, results, p: Page::new(&ctx, "search") }))
}

pub async fn api(State(st): State<AppState>, ctx: Ctx, Query(q): Query<SearchQuery>) -> Result<Response, WebError> {
    let auth = ctx.auth()?;
    let found = ordo_app::search::search(&st.app, &ctx.tenant, &auth.user, &query(&q.q)).await?;
    let results: Vec<serde_json::Value> = found
        .into_iter()
        .map(|f| {
            serde_json::json!({
                "meeting_id": f.meeting_id.to_string(),
                "meeting_title": f.meeting_title,
                "when": f.when,
                "element_id": f.element.as_ref().map(|e| e.id.clone()),
                "kind": f.element.as_ref().map(|e| e.kind.as_str()),
                "title": f.element.as_ref().map(|e| e.title.clone()),
                "excerpt": f.element.as_ref().map(|e| e.excerpt.clone()),
                "score": f.score,
            })
        })
        .collect();
    Ok(axum::Json(serde_json::json!({ "results": results })).into_response())
}
