//! Typed extractors: who calls (a visitor, a signed-in user by session or
//! API token), the ids in the path (parsed, a malformed one is a plain 404),
//! and bodies — one input type per operation, read from a form or from
//! JSON, strictly.

use crate::context::Ctx;
use crate::error::WebError;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use ordo_app::{App, User};
use ordo_core::tenant::Tenant;
use serde::de::DeserializeOwned;

/// A signed-in user of the tenant in the path, with the application: the
/// route table let only signed-in users through, so a request without one
/// means the table and the handler disagree (404, never served).
pub struct Me {
    pub app: App,
    pub ctx: Ctx,
    pub user: User,
    /// The session of a browser (None: the call carries a personal API token).
    pub session: Option<ordo_core::session::Session>,
}

impl Me {
    /// The zone this user reads times in: their own, else `fallback` (a
    /// meeting's zone, or UTC).
    pub fn zone_or<'a>(&'a self, fallback: &'a str) -> &'a str {
        self.user.time_zone.as_deref().unwrap_or(fallback)
    }

    /// An instant as this user reads it, in their zone (else `fallback`)
    /// and language: "Mon 7 Dec 2026, 09:30".
    pub fn when(&self, at: ordo_core::time::Timestamp, fallback: &str) -> String {
        ordo_core::dates::when(at, self.zone_or(fallback), self.ctx.locale)
    }

    pub fn tenant(&self) -> &Tenant {
        &self.ctx.tenant
    }
    pub fn href(&self, path: &str) -> String {
        self.ctx.href(path)
    }
}

impl FromRequestParts<crate::state::AppState> for Me {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, st: &crate::state::AppState) -> Result<Self, Self::Rejection> {
        let ctx = Ctx::from_request_parts(parts, st).await?;
        let auth = ctx.auth.clone().ok_or(WebError::NotFound)?;
        Ok(Me { app: st.app.clone(), ctx, user: auth.user, session: auth.session })
    }
}

/// A signed-in user's browser session (routes the API does not offer
/// with a token: the session list marks the current one, a password change
/// keeps it).
pub struct Browser(pub Me, pub ordo_core::session::Session);

impl FromRequestParts<crate::state::AppState> for Browser {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, st: &crate::state::AppState) -> Result<Self, Self::Rejection> {
        let me = Me::from_request_parts(parts, st).await?;
        let session = me.session.clone().ok_or(WebError::Forbidden)?;
        Ok(Browser(me, session))
    }
}

/// The ids of the path, parsed into their types (a struct of named ids:
/// `At(p): At<MeetingAt>`). An id that does not parse names nothing: 404.
pub struct At<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for At<T> {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, st: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, st).await.map(|p| At(p.0)).map_err(|_| WebError::NotFound)
    }
}

pub mod path {
    //! The shapes of the paths' ids.
    use ordo_core::ids::{
        CommentId, ElementId, HistoryId, MeetingId, SeriesId, SessionId, TemplateId, TopicId, UserId,
    };
    use serde::Deserialize;

    fn id<'de, D: serde::Deserializer<'de>, T: std::str::FromStr>(d: D) -> Result<T, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(|_| serde::de::Error::custom("malformed id"))
    }

    macro_rules! at {
        ($(#[$doc:meta])* $name:ident { $($field:ident: $ty:ty),+ }) => {
            $(#[$doc])*
            #[derive(Deserialize)]
            pub struct $name { $(#[serde(deserialize_with = "id")] pub $field: $ty),+ }
        };
    }

    at!(/// `/meetings/{id}`
        MeetingAt { id: MeetingId });
    at!(/// `/meetings/{id}/elements/{element}`
        ElementAt { id: MeetingId, element: ElementId });
    at!(/// `/meetings/{id}/topics/{topic}`
        TopicAt { id: MeetingId, topic: TopicId });
    at!(/// `/meetings/{id}/comments/{comment}`
        CommentAt { id: MeetingId, comment: CommentId });
    at!(/// `/meetings/{id}/history/{entry}`
        HistoryAt { id: MeetingId, entry: HistoryId });
    at!(/// `/meetings/{id}/participants/{user}`
        ParticipantAt { id: MeetingId, user: UserId });
    at!(/// `/meetings/{id}/topics/{topic}/contributors/{user}`
        ContributorAt { id: MeetingId, topic: TopicId, user: UserId });
    at!(/// `/series/{series}`
        SeriesAt { series: SeriesId });
    at!(/// `/templates/{id}`
        TemplateAt { id: TemplateId });
    at!(/// `/sessions/{id}`
        SessionAt { id: SessionId });
    at!(/// `/members/{id}`
        MemberAt { id: UserId });

    /// `/{...}/{id}` where the id is an opaque token name (API tokens, grants).
    #[derive(Deserialize)]
    pub struct NameAt {
        pub id: String,
    }

    /// `/{...}/{token}`: a secret from an e-mail.
    #[derive(Deserialize)]
    pub struct TokenAt {
        pub token: String,
    }
}

/// What a form carries for the page itself, not for the operation: the
/// fields whose names start with `_` (the anti-forgery token, the line to
/// return to).
#[derive(Default, Debug)]
pub struct Hints(Vec<(String, String)>);

impl Hints {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// A urlencoded form body, decoded into the operation's input type (the
/// same type as its JSON body). Repeated names fill lists, an empty value
/// is an absent optional one, fields the operation does not read are
/// ignored (as browsers send them). A body that does not decode is a plain
/// 400 with the generic error page, never a framework message.
pub struct Form<T>(pub T, pub Hints);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Form<T> {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_form = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        if !is_form {
            return Err(WebError::BadRequest);
        }
        let bytes = axum::body::Bytes::from_request(req, state).await.map_err(|_| WebError::TooLarge)?;
        let (hints, fields): (Vec<_>, Vec<_>) = form_urlencoded::parse(&bytes)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .partition(|(k, _)| k.starts_with('_'));
        let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(&fields).finish();
        let input = serde_html_form::from_str(&body).map_err(|e| {
            tracing::info!(error = %e, "a form that does not decode");
            WebError::BadRequest
        })?;
        Ok(Form(input, Hints(hints)))
    }
}

/// A query string, strictly typed: a malformed one is a 400 in the caller's
/// format (the JSON error of the API, the error page otherwise), not the
/// framework's plain text that no schema documents.
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| Query(q.0))
            .map_err(|_| WebError::BadRequest)
    }
}

/// A JSON body: `application/json` only (XML and anything else refused),
/// one object and nothing after it (serde would read a struct from an array
/// too), strict types, unknown fields refused (the OpenAPI document says
/// so: `additionalProperties: false`), and the offending field named in the
/// 422 answer.
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
        if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
            return Err(WebError::BadJson("body".into()));
        }
        let de = &mut serde_json::Deserializer::from_slice(&bytes);
        let mut unknown: Option<String> = None;
        let mut note = |path: serde_ignored::Path<'_>| {
            unknown.get_or_insert_with(|| path.to_string());
        };
        let ignoring = serde_ignored::Deserializer::new(&mut *de, &mut note);
        let value = serde_path_to_error::deserialize(ignoring).map_err(|e| {
            // The path names the offending field.
            let path = e.path().to_string();
            WebError::BadJson(if path == "." { "body".into() } else { path })
        })?;
        de.end().map_err(|_| WebError::BadJson("body".into()))?;
        match unknown {
            Some(field) => Err(WebError::BadJson(field)),
            None => Ok(Json(value)),
        }
    }
}

/// A JSON body that may be absent or empty (operations without input,
/// called with `{}` or nothing).
pub struct OptionalJson<T>(pub T);

impl<T: DeserializeOwned + Default, S: Send + Sync> FromRequest<S> for OptionalJson<T> {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let has_body = req.headers().get(axum::http::header::CONTENT_TYPE).is_some();
        if !has_body {
            return Ok(OptionalJson(T::default()));
        }
        Json::<T>::from_request(req, state).await.map(|Json(t)| OptionalJson(t))
    }
}

/// A multipart body (uploads); anything else is a plain 400 with the
/// generic error page, never a framework message.
pub struct Multipart(pub axum::extract::Multipart);

impl<S: Send + Sync> FromRequest<S> for Multipart {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Multipart::from_request(req, state).await.map(Multipart).map_err(|_| WebError::BadRequest)
    }
}

/// Yes or no: `true`/`false` in JSON, `1`/`0` from the page's buttons.
#[derive(Clone, Copy)]
pub struct Flag(pub bool);

impl<'de> serde::Deserialize<'de> for Flag {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Flag;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("true or false")
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Flag, E> {
                Ok(Flag(v))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Flag, E> {
                match v {
                    "1" | "true" | "on" => Ok(Flag(true)),
                    "0" | "false" => Ok(Flag(false)),
                    _ => Err(E::invalid_value(serde::de::Unexpected::Str(v), &self)),
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// A whole number: `5`, and `5.0` too in JSON (it has one number type, and
/// JSON Schema counts both as an integer), or `"5"` from a page's form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Whole(pub i64);

impl Whole {
    /// A place in a list: 0 or more.
    pub fn place(self) -> Result<usize, crate::error::WebError> {
        usize::try_from(self.0)
            .map_err(|_| crate::error::WebError::Invalid { field: "position", code: "position.invalid" })
    }
}

impl<'de> serde::Deserialize<'de> for Whole {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Whole;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a whole number")
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Whole, E> {
                Ok(Whole(v))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Whole, E> {
                i64::try_from(v).map(Whole).map_err(|_| E::invalid_value(serde::de::Unexpected::Unsigned(v), &self))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Whole, E> {
                // Exactly a whole number, within the range a double holds exactly.
                const EXACT: f64 = 9_007_199_254_740_992.0;
                if v.fract() == 0.0 && v.abs() <= EXACT {
                    #[allow(clippy::cast_possible_truncation)]
                    Ok(Whole(v as i64))
                } else {
                    Err(E::invalid_value(serde::de::Unexpected::Float(v), &self))
                }
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Whole, E> {
                v.trim().parse().map(Whole).map_err(|_| E::invalid_value(serde::de::Unexpected::Str(v), &self))
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::Whole;

    #[test]
    fn a_whole_number_in_any_of_its_spellings() {
        let whole = |json: &str| serde_json::from_str::<Whole>(json).ok().map(|w| w.0);
        assert_eq!(whole("5"), Some(5));
        assert_eq!(whole("5.0"), Some(5));
        assert_eq!(whole("-3"), Some(-3));
        assert_eq!(whole("\"7\""), Some(7));
        assert_eq!(whole("5.5"), None);
        assert_eq!(whole("1e300"), None);
        assert_eq!(whole("true"), None);
        assert_eq!(whole("18446744073709551615"), None);
    }
}
