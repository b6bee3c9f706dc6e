//! Search: the page and the JSON API over `ordo_app::search`.

use crate::error::WebError;
use crate::extract::Me;
use crate::extract::Query;
use crate::openapi::Doc;
use crate::pages::{Page, ok};
use crate::routes::{Decl, Guard, get};
use askama::Template;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn decls() -> Vec<Decl> {
    vec![
        get("/t/{slug}/search", Guard::User, page).costly(),
        get("/t/{slug}/api/v1/search", Guard::User, api).costly().doc(
            Doc::new("Search the meetings you may see: ?q=words (accents and plurals folded), best first")
                .query("q", "the words to find")
                .ok::<SearchOut>(200),
        ),
    ]
}

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

#[tracing::instrument(skip_all)]
async fn page(me: Me, Query(q): Query<SearchQuery>) -> Result<Response, WebError> {
    let tr = me.ctx.tr();
    let q = query(&q.q);
    let found = ordo_app::search::search(&me.app, me.tenant(), &me.user, &q).await?;
    let results = found
        .into_iter()
        .map(|f| ResultView {
            href: me.href(&match &f.element {
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
    Ok(ok(&SearchTpl { searched: !q.is_empty(), q, results, p: Page::new(&me.ctx, "search") }))
}

#[derive(Serialize, ToSchema)]
pub struct FoundOut {
    #[schema(format = Uuid)]
    pub meeting_id: String,
    pub meeting_title: String,
    pub when: String,
    /// The element the words are in (absent: the meeting's details).
    #[schema(format = Uuid)]
    pub element_id: Option<String>,
    #[schema(schema_with = crate::openapi::schema::element_kind_or_null)]
    pub kind: Option<&'static str>,
    pub title: Option<String>,
    pub excerpt: Option<String>,
    pub score: i64,
}

#[derive(Serialize, ToSchema)]
pub struct SearchOut {
    pub results: Vec<FoundOut>,
}

#[tracing::instrument(skip_all)]
async fn api(me: Me, Query(q): Query<SearchQuery>) -> Result<Response, WebError> {
    let found = ordo_app::search::search(&me.app, me.tenant(), &me.user, &query(&q.q)).await?;
    let results = found
        .into_iter()
        .map(|f| FoundOut {
            meeting_id: f.meeting_id.to_string(),
            meeting_title: f.meeting_title,
            when: f.when,
            element_id: f.element.as_ref().map(|e| e.id.clone()),
            kind: f.element.as_ref().map(|e| e.kind.as_str()),
            title: f.element.as_ref().map(|e| e.title.clone()),
            excerpt: f.element.as_ref().map(|e| e.excerpt.clone()),
            score: f.score,
        })
        .collect();
    Ok(axum::Json(SearchOut { results }).into_response())
}
