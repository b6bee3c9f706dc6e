//! What a handler knows about the request: the tenant, the signed-in user (if
//! any), the language, the client address and the request id. The tenant
//! middleware builds it once per request.

use crate::error::WebError;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use ordo_app::User;
use ordo_app::i18n::Tr;
use ordo_core::session::Session;
use ordo_core::tenant::Tenant;
use ordo_core::user::Locale;

/// The client's address as Ordo believes it (see `WebOptions::trusted_proxies`).
#[derive(Clone, Debug)]
pub struct ClientIp(pub String);

#[derive(Clone, Debug)]
pub struct Auth {
    /// The browser's session (None: the call carries a personal API token).
    pub session: Option<Session>,
    pub user: User,
}

#[derive(Clone, Debug)]
pub struct Ctx {
    pub tenant: Tenant,
    pub auth: Option<Auth>,
    pub locale: Locale,
    pub ip: String,
    pub user_agent: String,
    /// The raw session cookie, if any (replaced at login).
    pub session_cookie: Option<String>,
    /// The anti-forgery token of a visitor who is not signed in.
    pub anon_csrf: String,
}

impl Ctx {
    pub fn tr(&self) -> Tr {
        Tr::new(self.locale)
    }

    /// The token that state-changing forms and API calls must carry.
    pub fn csrf(&self) -> &str {
        match self.auth.as_ref().and_then(|a| a.session.as_ref()) {
            Some(s) => &s.csrf_token,
            None => &self.anon_csrf,
        }
    }

    /// `/t/{slug}/{path}`
    pub fn href(&self, path: &str) -> String {
        format!("/t/{}/{}", self.tenant.slug, path.trim_start_matches('/'))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Ctx>().cloned().ok_or(WebError::Internal("tenant context missing"))
    }
}
