//! The minutes as files: Markdown, HTML, PDF.

use crate::error::WebError;
use crate::extract::Query;
use crate::extract::path::MeetingAt;
use crate::extract::{At, Me};
use crate::openapi::Doc;
use crate::routes::{Decl, Guard, get};
use axum::response::{IntoResponse, Response};
use ordo_core::ids::MeetingId;
use ordo_core::meeting::MeetingAction as A;
use serde::Deserialize;

pub fn decls() -> Vec<Decl> {
    vec![
        get("/t/{slug}/meetings/{id}/minutes.md", Guard::Meeting(A::View), markdown).costly(),
        get("/t/{slug}/meetings/{id}/minutes.html", Guard::Meeting(A::View), html).costly(),
        get("/t/{slug}/meetings/{id}/minutes.pdf", Guard::Meeting(A::View), pdf).costly(),
        get("/t/{slug}/api/v1/meetings/{id}/minutes", Guard::Meeting(A::View), api).costly().doc(
            Doc::new("The minutes as a file: ?format=markdown (default), html or pdf")
                .query_one_of("format", "markdown (default), html or pdf", &["markdown", "html", "pdf"])
                .file(&["text/markdown", "text/html", "application/pdf"]),
        ),
    ]
}

#[derive(askama::Template)]
#[template(path = "minutes.html")]
pub struct MinutesTpl {
    /// The file's own style sheet: it is read away from Ordo's.
    pub style: &'static str,
    pub tr: ordo_app::i18n::Tr,
    pub lang: &'static str,
    pub m: ordo_app::minutes::Minutes,
}

const MINUTES_CSS: &str = "body { font: 16px/1.5 system-ui, sans-serif; max-width: 48rem; margin: 2rem auto; padding: 0 1rem; color: #1d2330; } h1 { margin-bottom: .2rem; } h2 { margin-top: 2rem; border-bottom: 1px solid #dfe3ea; } .meta, .muted { color: #5b6577; } .kind { font-weight: 600; } blockquote { margin: .3rem 0 .3rem 1rem; padding-left: .6rem; border-left: 3px solid #dfe3ea; } table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #dfe3ea; }";

/// The minutes as a file: its type, a name made of the meeting's date and
/// id only (never its title: RFC 6266 quoting cannot go wrong), `nosniff`
/// and `no-store` from the outer layer.
fn file(body: Vec<u8>, ctype: &'static str, ext: &str, id: MeetingId, date: &str) -> Response {
    use axum::http::{HeaderValue, header};
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ctype));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"minutes-{date}-{id}.{ext}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    res
}

/// The forms the minutes leave Ordo in.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Markdown,
    Html,
    Pdf,
}

/// Render the minutes of a meeting the user may see.
#[tracing::instrument(skip_all)]
async fn minutes_as(me: &Me, id: MeetingId, format: Format) -> Result<Response, WebError> {
    let tr = me.ctx.tr();
    let m = ordo_app::minutes::build(&me.app, me.tenant(), &me.user, id, &tr).await?;
    let date: String = m.when.chars().take(10).filter(|c| c.is_ascii_digit() || *c == '-').collect();
    Ok(match format {
        Format::Html => {
            use askama::Template as _;
            let body = MinutesTpl { style: MINUTES_CSS, tr, lang: tr.lang(), m }
                .render()
                .map_err(|_| WebError::Internal("minutes template"))?;
            file(body.into_bytes(), "text/html; charset=utf-8", "html", id, &date)
        }
        Format::Markdown => {
            let body = ordo_app::minutes::markdown(&m, &tr);
            file(body.into_bytes(), "text/markdown; charset=utf-8", "md", id, &date)
        }
        Format::Pdf => file(ordo_app::minutes::pdf(&m, &tr)?, "application/pdf", "pdf", id, &date),
    })
}

#[tracing::instrument(skip_all)]
async fn markdown(me: Me, At(p): At<MeetingAt>) -> Result<Response, WebError> {
    minutes_as(&me, p.id, Format::Markdown).await
}

#[tracing::instrument(skip_all)]
async fn html(me: Me, At(p): At<MeetingAt>) -> Result<Response, WebError> {
    minutes_as(&me, p.id, Format::Html).await
}

#[tracing::instrument(skip_all)]
async fn pdf(me: Me, At(p): At<MeetingAt>) -> Result<Response, WebError> {
    minutes_as(&me, p.id, Format::Pdf).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MinutesQuery {
    #[serde(default)]
    format: Option<String>,
}

#[tracing::instrument(skip_all)]
async fn api(me: Me, At(p): At<MeetingAt>, Query(q): Query<MinutesQuery>) -> Result<Response, WebError> {
    let format = match q.format.as_deref() {
        None | Some("markdown") => Format::Markdown,
        Some("html") => Format::Html,
        Some("pdf") => Format::Pdf,
        Some(_) => return Err(WebError::Invalid { field: "format", code: "minutes.format" }),
    };
    minutes_as(&me, p.id, format).await
}
