//! Meetings: the list, the meeting page with its note space, and every
//! operation on one, in the browser (forms, Post/Redirect/Get, field errors
//! shown in place) and in the JSON API. Both call the same use case with
//! the same input type; they differ only in their answer.

mod agenda;
mod details;
mod elements;
mod history;
mod list;
mod live;
mod minutes;
mod participants;
mod remarks;
pub(crate) mod view;

use crate::error::WebError;
use crate::extract::Me;
use crate::pages::Errors;
use crate::routes::Decl;
use axum::response::{IntoResponse, Redirect, Response};
use ordo_app::{AppError, Conflict};
use ordo_core::ids::MeetingId;

pub fn decls() -> Vec<Decl> {
    [list::decls(), details::decls(), participants::decls(), agenda::decls(), elements::decls(), remarks::decls()]
        .into_iter()
        .chain([minutes::decls(), live::decls(), history::decls()])
        .flatten()
        .collect()
}

/// A refused change, as the messages shown next to the fields of a page.
pub(crate) fn field_errors(ctx: &crate::context::Ctx, e: AppError) -> Result<Errors, WebError> {
    let tr = ctx.tr();
    match e {
        AppError::Invalid(i) => Ok(Errors::one(i.field, tr.t(&format!("error.{}", i.code)).to_owned())),
        AppError::Conflict(Conflict::Version) => Ok(Errors::one("form", tr.t("error.stale").to_owned())),
        AppError::Conflict(Conflict::FollowUp) => Ok(Errors::one("form", tr.t("error.follow_up_exists").to_owned())),
        AppError::Conflict(Conflict::SeriesEnded) => Ok(Errors::one("form", tr.t("error.series.ended").to_owned())),
        other => Err(other.into()),
    }
}

/// After a change from the meeting page: back to it (at `done`, an anchor
/// or a notice), or the page again with the field errors (422, 409).
#[tracing::instrument(skip_all)]
pub(crate) async fn after(me: &Me, id: MeetingId, r: Result<(), AppError>, done: &str) -> Result<Response, WebError> {
    match r {
        Ok(()) => Ok(Redirect::to(&me.href(&format!("meetings/{id}{done}"))).into_response()),
        Err(e) => {
            let errors = field_errors(&me.ctx, e)?;
            view::meeting_page_with(me, id, errors, None).await
        }
    }
}

/// A value of a form or body that does not parse: a field error, like any
/// value the use case refuses.
pub(crate) fn field<T: std::str::FromStr>(name: &'static str, code: &'static str, v: &str) -> Result<T, AppError> {
    v.parse().map_err(|_| AppError::Invalid(ordo_core::Invalid::new(name, code)))
}

/// Ids given in a body: each must parse, else the field is refused (an
/// empty one, a form's "nobody" choice, is no id).
pub(crate) fn ids<T: std::str::FromStr>(name: &'static str, list: &[String]) -> Result<Vec<T>, AppError> {
    list.iter().filter(|v| !v.is_empty()).map(|v| field(name, "owners.not_participants", v)).collect()
}

/// `201 Created` with `{ "id": ... }`.
pub(crate) fn created(id: impl std::fmt::Display) -> Response {
    (axum::http::StatusCode::CREATED, axum::Json(crate::features::IdOut { id: id.to_string() })).into_response()
}

/// `204 No Content`.
pub(crate) fn done() -> Response {
    axum::http::StatusCode::NO_CONTENT.into_response()
}
