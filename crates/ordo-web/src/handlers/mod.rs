//! Request handlers, thin: read the request, call a use case, render.

pub mod account;
pub mod admin;
pub mod api;
pub mod auth;
pub mod meetings;
pub mod search;
pub mod support;
pub mod system;
pub mod templates;

use crate::error::WebError;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

/// A urlencoded form body, decoded strictly by type; a malformed body is a
/// plain 400 with the generic error page, never a framework message.
pub struct Form<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Form<T> {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        axum::Form::<T>::from_request(req, state).await.map(|f| Form(f.0)).map_err(|_| WebError::BadRequest)
    }
}

/// A multipart body (uploads); anything else is a plain 400 with the
/// generic error page, never a framework message.
pub struct MultipartForm(pub axum::extract::Multipart);

impl<S: Send + Sync> FromRequest<S> for MultipartForm {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Multipart::from_request(req, state).await.map(MultipartForm).map_err(|_| WebError::BadRequest)
    }
}

/// A JSON body: `application/json` only (XML and anything else refused),
/// strict types, unknown fields refused (`deny_unknown_fields` on the type),
/// and the offending field named in the 422 answer.
pub struct Json<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v == "application/json" || v.starts_with("application/json;"));
        if !is_json {
            return Err(WebError::BadJson("content-type".into()));
        }
        let bytes = axum::body::Bytes::from_request(req, state).await.map_err(|_| WebError::TooLarge)?;
        let de = &mut serde_json::Deserializer::from_slice(&bytes);
        serde_path_to_error::deserialize(de).map(Json).map_err(|e| {
            // The path names the offending field, an unknown one included.
            let path = e.path().to_string();
            WebError::BadJson(if path == "." { "body".into() } else { path })
        })
    }
}

/// Only a path inside this tenant may follow a login: no scheme, no host, no
/// `//` or backslash tricks. Anything else goes to the tenant's home.
pub fn safe_next(slug: &str, next: &str) -> String {
    let home = format!("/t/{slug}/");
    let ok = next.starts_with(&home)
        && !next.contains("//")
        && !next.contains('\\')
        && !next.chars().any(|c| c.is_control() || c.is_whitespace())
        && !next.contains("/../")
        && !next.contains("/./");
    if ok { next.to_owned() } else { home }
}

/// Notices that a redirect may ask a page to show (`?notice=...`): only
/// these keys, so a link cannot make Ordo display arbitrary text.
pub fn notice(tr: &ordo_app::i18n::Tr, key: Option<&str>) -> Option<String> {
    let key = key?;
    NOTICES.contains(&key).then(|| tr.t(&format!("notice.{key}")).to_owned())
}

pub const NOTICES: &[&str] = &[
    "signed_out",
    "activated",
    "password_reset",
    "saved",
    "invited",
    "session_ended",
    "role_changed",
    "disabled",
    "enabled",
    "password_changed",
    "signed_out_elsewhere",
    "encryption_enabled",
    "meeting_created",
    "meeting_saved",
    "meeting_shared",
    "participant_added",
    "participant_saved",
    "participant_removed",
    "token_revoked",
    "deleted",
    "template_saved",
    "minutes_sent",
    "feed_revoked",
    "next_prepared",
];

#[derive(serde::Deserialize, Default)]
pub struct NoticeQuery {
    pub notice: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_inside_the_tenant() {
        assert_eq!(safe_next("acme", "/t/acme/settings/sessions"), "/t/acme/settings/sessions");
        for bad in [
            "https://evil.example/",
            "//evil.example/",
            "/\\evil.example",
            "/t/other/",
            "/t/acme//evil.example",
            "/t/acme/../other/",
            "javascript:alert(1)",
            "",
            "/t/acme/\r\nX: y",
        ] {
            assert_eq!(safe_next("acme", bad), "/t/acme/", "{bad:?}");
        }
    }
}
