//! The minutes as files: Markdown, HTML, PDF.

use crate::error::WebError;
use crate::extract::Query;
use crate::extract::path::MeetingAt;
use crate::extract::{At, Me};
use crate::extract::{Form, OptionalJson};
use crate::openapi::Doc;
use crate::pages::Errors;
use crate::routes::{Decl, Guard, get, post};
use axum::response::{IntoResponse, Response};
use ordo_app::AppError;
use ordo_core::ids::UserId;
use ordo_core::ids::{ElementId, MeetingId};
use ordo_core::meeting::MeetingAction as A;
use serde::Deserialize;
use serde::Serialize;
use utoipa::ToSchema;

pub fn decls() -> Vec<Decl> {
    vec![
        get("/t/{slug}/meetings/{id}/minutes", Guard::Meeting(A::View), page),
        get("/t/{slug}/meetings/{id}/minutes/send", Guard::Meeting(A::SendMinutes), send_page),
        post("/t/{slug}/meetings/{id}/minutes/send", Guard::Meeting(A::SendMinutes), send_form),
        post("/t/{slug}/api/v1/meetings/{id}/minutes/send", Guard::Meeting(A::SendMinutes), api_send).doc(
            Doc::new(
                "E-mail the minutes (the sender's note, a summary and the PDF) to the invited participants chosen, \
                 by default every one but the sender",
            )
            .optional_body::<SendIn>()
            .ok::<Sent>(200),
        ),
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
    /// Each picture's source: the file carries them as `data:` addresses.
    pub pictures: Vec<(ElementId, String)>,
}

impl MinutesTpl {
    fn src(&self, e: &ElementId) -> Option<&str> {
        source(&self.pictures, e)
    }
}

/// The minutes as a page of Ordo: read-only, printable (app.css has its
/// print style), pictures from their own address.
#[derive(askama::Template)]
#[template(path = "minutes_page.html")]
pub struct MinutesPageTpl {
    pub p: crate::pages::Page,
    pub tr: ordo_app::i18n::Tr,
    pub m: ordo_app::minutes::Minutes,
    /// The meeting's page.
    pub back: String,
    pub pictures: Vec<(ElementId, String)>,
}

impl MinutesPageTpl {
    fn src(&self, e: &ElementId) -> Option<&str> {
        source(&self.pictures, e)
    }
}

fn source<'a>(pictures: &'a [(ElementId, String)], e: &ElementId) -> Option<&'a str> {
    pictures.iter().find(|(id, _)| id == e).map(|(_, s)| s.as_str())
}

#[tracing::instrument(skip_all)]
async fn page(me: Me, At(p): At<MeetingAt>) -> Result<Response, WebError> {
    let tr = me.ctx.tr();
    let m = ordo_app::minutes::build(&me.app, me.tenant(), &me.user, p.id, &tr).await?;
    let back = me.href(&format!("meetings/{}", p.id));
    let pictures = m
        .sections
        .iter()
        .flat_map(|s| s.items.iter().filter_map(|i| i.image))
        .map(|e| (e, format!("{back}/elements/{e}/image")))
        .collect();
    Ok(crate::pages::ok(&MinutesPageTpl { p: crate::pages::Page::new(&me.ctx, "meetings"), tr, m, back, pictures }))
}

const MINUTES_CSS: &str = "body { font: 16px/1.5 system-ui, sans-serif; max-width: 48rem; margin: 2rem auto; padding: 0 1rem; color: #1d2330; } h1 { margin-bottom: .2rem; } h2 { margin-top: 2rem; border-bottom: 1px solid #dfe3ea; } figure { margin: .4rem 0; } img { max-width: 100%; max-height: 24rem; } .meta, .muted { color: #5b6577; } .kind { font-weight: 600; } blockquote { margin: .3rem 0 .3rem 1rem; padding-left: .6rem; border-left: 3px solid #dfe3ea; } table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #dfe3ea; }";

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
            use base64::Engine as _;
            let pictures = ordo_app::minutes::pictures(&me.app, me.tenant(), &me.user, id, &m)
                .await?
                .into_iter()
                .map(|(e, ctype, data)| {
                    (e, format!("data:{ctype};base64,{}", base64::engine::general_purpose::STANDARD.encode(data)))
                })
                .collect();
            let body = MinutesTpl { style: MINUTES_CSS, tr, lang: tr.lang(), m, pictures }
                .render()
                .map_err(|_| WebError::Internal("minutes template"))?;
            file(body.into_bytes(), "text/html; charset=utf-8", "html", id, &date)
        }
        Format::Markdown => {
            let body = ordo_app::minutes::markdown(&m, &tr);
            file(body.into_bytes(), "text/markdown; charset=utf-8", "md", id, &date)
        }
        Format::Pdf => {
            let pictures = ordo_app::minutes::pictures(&me.app, me.tenant(), &me.user, id, &m).await?;
            file(ordo_app::minutes::pdf(&m, &tr, &pictures)?, "application/pdf", "pdf", id, &date)
        }
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

/// Whom to send the minutes to, and a note above them.
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct SendIn {
    /// The invited participants to send them to (user ids); absent: every
    /// invited participant but the sender.
    #[serde(default)]
    #[schema(value_type = Option<Vec<String>>, format = Uuid)]
    pub recipients: Option<Vec<String>>,
    /// Plain text above the minutes, at most 2,000 characters.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub note: String,
}

/// The send form: a box per person (`recipient`), the note.
#[derive(Deserialize, Default)]
pub struct SendForm {
    #[serde(default)]
    recipient: Vec<String>,
    #[serde(default)]
    note: String,
}

#[derive(Serialize, ToSchema)]
pub struct Sent {
    /// How many participants the minutes were sent to.
    pub sent: usize,
}

/// The send page: who the minutes go to (all ticked), a note, and what
/// the e-mail says.
#[derive(askama::Template)]
#[template(path = "minutes_send.html")]
pub struct SendTpl {
    pub p: crate::pages::Page,
    pub back: String,
    pub meeting_title: String,
    /// (user id, name, address, ticked).
    pub recipients: Vec<(String, String, String, bool)>,
    pub note: String,
    pub summary: String,
    pub errors: Errors,
}

async fn send_view(
    me: &Me,
    id: MeetingId,
    chosen: Option<&[String]>,
    note: &str,
    errors: Errors,
) -> Result<SendTpl, WebError> {
    let tr = me.ctx.tr();
    let pv = ordo_app::minutes::preview(&me.app, me.tenant(), &me.user, id, &tr).await?;
    Ok(SendTpl {
        p: crate::pages::Page::new(&me.ctx, "meetings"),
        back: me.href(&format!("meetings/{id}")),
        meeting_title: pv.title,
        recipients: pv
            .recipients
            .into_iter()
            .map(|(u, name, email)| {
                let u = u.to_string();
                let ticked = chosen.is_none_or(|c| c.contains(&u));
                (u, name, email, ticked)
            })
            .collect(),
        note: note.to_owned(),
        summary: pv.summary,
        errors,
    })
}

#[tracing::instrument(skip_all)]
async fn send_page(me: Me, At(p): At<MeetingAt>) -> Result<Response, WebError> {
    Ok(crate::pages::ok(&send_view(&me, p.id, None, "", Errors::default()).await?))
}

fn recipients(list: Option<&[String]>) -> Result<Option<Vec<UserId>>, AppError> {
    list.map(|l| l.iter().map(|v| super::field("recipients", "minutes.unknown_recipient", v)).collect()).transpose()
}

#[tracing::instrument(skip_all)]
async fn send_form(me: Me, At(p): At<MeetingAt>, Form(f, hints): Form<SendForm>) -> Result<Response, WebError> {
    // The boxes were shown: none ticked is a choice, not "everyone".
    let chosen = hints.get("_recipients_shown").map(|_| f.recipient.as_slice());
    let r = match recipients(chosen) {
        Ok(list) => {
            let how = ordo_app::minutes::Sending { recipients: list, note: &f.note };
            ordo_app::minutes::send(&me.app, me.tenant(), &me.user, p.id, how).await
        }
        Err(e) => Err(e),
    };
    match r {
        Ok(_) => {
            Ok(axum::response::Redirect::to(&me.href(&format!("meetings/{}?notice=minutes_sent", p.id)))
                .into_response())
        }
        Err(e @ AppError::Invalid(_)) => {
            // Refused: the page again, as it was filled in.
            let errors = super::field_errors(&me.ctx, e)?;
            let tpl = send_view(&me, p.id, Some(&f.recipient), &f.note, errors).await?;
            Ok(crate::pages::render(axum::http::StatusCode::UNPROCESSABLE_ENTITY, &tpl))
        }
        Err(e) => Err(e.into()),
    }
}

#[tracing::instrument(skip_all)]
async fn api_send(me: Me, At(p): At<MeetingAt>, OptionalJson(b): OptionalJson<SendIn>) -> Result<Response, WebError> {
    let how = ordo_app::minutes::Sending { recipients: recipients(b.recipients.as_deref())?, note: &b.note };
    let n = ordo_app::minutes::send(&me.app, me.tenant(), &me.user, p.id, how).await?;
    Ok(axum::Json(Sent { sent: n }).into_response())
}
