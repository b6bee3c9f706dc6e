//! The operator console, at `/ops/`: separate from every tenant (its own
//! session cookie, its own accounts), reached only with a password *and* a
//! one-time code. Its own route table classifies every route; the console
//! middleware looks the route up (fail closed), resolves the staff session,
//! checks the second factor and the platform role's right, and the
//! anti-forgery token of every state-changing request.

use crate::cookies;
use crate::error::WebError;
use crate::middleware::{accept_locale, check_csrf_token, check_origin, is_unsafe};
use crate::pages::Errors;
use crate::state::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::MethodRouter;
use ordo_app::AppError;
use ordo_app::i18n::Tr;
use ordo_app::staff::{self, StaffAuth};
use ordo_core::staff::StaffAction;
use ordo_core::user::Locale;
use serde::Deserialize;
use std::sync::LazyLock;

mod auth;
mod staff_pages;
mod status;
mod support;

/// The console's session cookie (never the tenants' one).
pub const COOKIE: &str = "__Host-ordo-ops";

/// Who may use a console route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpsAccess {
    /// Anyone (sign-in, activation).
    Public,
    /// Signed in with the password, second factor not yet given (the code
    /// or enrolment pages, signing out).
    Password,
    /// Both factors, and a role allowed this action.
    Staff(StaffAction),
}

use OpsAccess::{Password, Public, Staff};

#[derive(Clone, Copy, Debug)]
pub struct OpsRoute {
    pub method: &'static str,
    pub path: &'static str,
    pub access: OpsAccess,
}

/// One console route, declared once.
pub struct OpsDecl {
    pub route: OpsRoute,
    pub handler: MethodRouter<AppState>,
}

fn decl(method: &'static str, path: &'static str, access: OpsAccess, handler: MethodRouter<AppState>) -> OpsDecl {
    OpsDecl { route: OpsRoute { method, path, access }, handler }
}

pub(crate) fn get<H: axum::handler::Handler<T, AppState>, T: 'static>(
    path: &'static str,
    access: OpsAccess,
    h: H,
) -> OpsDecl {
    decl("GET", path, access, axum::routing::get(h))
}

pub(crate) fn post<H: axum::handler::Handler<T, AppState>, T: 'static>(
    path: &'static str,
    access: OpsAccess,
    h: H,
) -> OpsDecl {
    decl("POST", path, access, axum::routing::post(h))
}

fn decls() -> Vec<OpsDecl> {
    [auth::decls(), status::decls(), staff_pages::decls(), support::decls()].into_iter().flatten().collect()
}

/// Every route of the console (built once from the declarations).
pub static OPS_ROUTES: LazyLock<Vec<OpsRoute>> = LazyLock::new(|| decls().into_iter().map(|d| d.route).collect());

pub fn router(state: AppState) -> axum::Router<AppState> {
    let mut by_path: Vec<(&'static str, MethodRouter<AppState>)> = Vec::new();
    for d in decls() {
        match by_path.iter_mut().find(|(p, _)| *p == d.route.path) {
            Some((_, m)) => *m = std::mem::take(m).merge(d.handler),
            None => by_path.push((d.route.path, d.handler)),
        }
    }
    by_path
        .into_iter()
        .fold(axum::Router::new(), |r, (path, m)| r.route(path, m))
        .route_layer(axum::middleware::from_fn_with_state(state, ops_context))
}

/// What a console handler knows about the request.
#[derive(Clone)]
pub struct OpsCtx {
    pub auth: Option<StaffAuth>,
    pub locale: Locale,
    pub ip: String,
    pub user_agent: String,
    /// The anti-forgery token of a visitor who is not signed in.
    pub anon_csrf: String,
}

impl OpsCtx {
    pub(crate) fn tr(&self) -> Tr {
        Tr::new(self.locale)
    }
    fn csrf(&self) -> &str {
        match &self.auth {
            Some(a) => &a.session.csrf_token,
            None => &self.anon_csrf,
        }
    }
    pub(crate) fn auth(&self) -> Result<&StaffAuth, WebError> {
        self.auth.as_ref().ok_or(WebError::Unauthenticated)
    }
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for OpsCtx {
    type Rejection = WebError;
    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<OpsCtx>().cloned().ok_or(WebError::Internal("console context missing"))
    }
}

pub fn lookup(method: &str, path: &str) -> Option<&'static OpsRoute> {
    OPS_ROUTES.iter().find(|r| r.path == path && r.method == method)
}

/// Resolve the staff session, enforce the route table and the second
/// factor, check anti-forgery tokens.
#[tracing::instrument(skip_all)]
async fn ops_context(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let locale = accept_locale(req.headers());
    match ops_context_inner(st, req, next, locale).await {
        Ok(res) => res,
        Err(e) => {
            let mut res = e.into_response();
            res.extensions_mut().insert(locale);
            res
        }
    }
}

#[tracing::instrument(skip_all)]
async fn ops_context_inner(st: AppState, req: Request, next: Next, locale: Locale) -> Result<Response, WebError> {
    let method = if req.method() == Method::HEAD { "GET" } else { req.method().as_str() };
    let matched = req.extensions().get::<MatchedPath>().map(|m| m.as_str().to_owned()).unwrap_or_default();
    let Some(route) = lookup(method, &matched) else {
        if OPS_ROUTES.iter().any(|r| r.path == matched) {
            return Ok(StatusCode::METHOD_NOT_ALLOWED.into_response());
        }
        tracing::error!(path = matched, "console route missing from the route table");
        return Err(WebError::Internal("unclassified route"));
    };
    let headers = req.headers();
    let auth = match cookies::get(headers, COOKIE) {
        Some(secret) => staff::resolve(&st.app, &secret).await?,
        None => None,
    };
    if let Some(a) = &auth {
        tracing::Span::current().record("staff", tracing::field::display(a.staff.id));
    }
    let is_get = req.method() == Method::GET;
    match (route.access, &auth) {
        (Public, _) => {}
        (_, None) if is_get => return Ok(Redirect::to("/ops/login").into_response()),
        (_, None) => return Err(WebError::Unauthenticated),
        (Password, Some(_)) => {}
        (Staff(_), Some(a)) if !a.session.mfa_passed => {
            let to = if a.staff.enrolled { "/ops/mfa" } else { "/ops/enrol" };
            return if is_get { Ok(Redirect::to(to).into_response()) } else { Err(WebError::Unauthenticated) };
        }
        (Staff(action), Some(a)) => {
            if !ordo_core::staff::staff_may(a.staff.role, action) {
                tracing::warn!(staff = %a.staff.id, ?action, "console action refused by the platform policy");
                return Err(WebError::Forbidden);
            }
        }
    }
    let anon_cookie = cookies::get(headers, cookies::ANON_CSRF);
    let new_anon = if auth.is_none() && anon_cookie.is_none() { ordo_crypto::random::token(32).ok() } else { None };
    let anon_csrf = anon_cookie.clone().or_else(|| new_anon.clone()).unwrap_or_default();
    let ip = req.extensions().get::<crate::context::ClientIp>().map(|r| r.0.clone()).unwrap_or_default();
    let user_agent = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let mut req = req;
    if is_unsafe(req.method()) {
        check_origin(&st, req.headers())?;
        let expected = match &auth {
            Some(a) => Some(a.session.csrf_token.clone()),
            None => anon_cookie.clone(),
        };
        let (checked, rebuilt) = check_csrf_token(req, expected.as_deref()).await;
        req = rebuilt;
        checked?;
    }
    req.extensions_mut().insert(OpsCtx { auth, locale, ip, user_agent, anon_csrf });
    let mut res = next.run(req).await;
    res.extensions_mut().insert(locale);
    if let Some(token) = new_anon {
        res.headers_mut().append(header::SET_COOKIE, cookies::set(cookies::ANON_CSRF, &token));
    }
    Ok(res)
}

/// What every console page needs.
pub struct OpsPage {
    pub tr: Tr,
    pub lang: &'static str,
    pub csrf: String,
    /// Signed in with both factors: the name, and what the menu offers.
    pub staff_name: Option<String>,
    pub can_audit: bool,
    pub can_support: bool,
    pub nav: &'static str,
}

impl OpsPage {
    pub(crate) fn new(ctx: &OpsCtx, nav: &'static str) -> Self {
        let full = ctx.auth.as_ref().filter(|a| a.session.mfa_passed);
        Self {
            tr: ctx.tr(),
            lang: ctx.tr().lang(),
            csrf: ctx.csrf().to_owned(),
            staff_name: full.map(|a| a.staff.display_name.clone()),
            can_audit: full.is_some_and(|a| ordo_core::staff::staff_may(a.staff.role, StaffAction::ViewPlatformAudit)),
            can_support: full.is_some_and(|a| ordo_core::staff::staff_may(a.staff.role, StaffAction::Support)),
            nav,
        }
    }
    pub fn t<'a>(&self, key: &'a str) -> &'a str {
        self.tr.t(key)
    }
}

pub(crate) fn field_errors(tr: &Tr, e: AppError) -> Result<Errors, WebError> {
    match e {
        AppError::Invalid(i) => Ok(Errors::one(i.field, tr.t(&format!("error.{}", i.code)).to_owned())),
        AppError::BadCredentials => Ok(Errors::one("form", tr.t("error.login.failed").to_owned())),
        AppError::Throttled { retry_after_secs } => Ok(Errors::one(
            "form",
            tr.tf("error.throttled_minutes", &[("minutes", &((retry_after_secs + 59) / 60).to_string())]),
        )),
        AppError::Conflict(_) => Ok(Errors::one("email", tr.t("error.email.taken").to_owned())),
        other => Err(other.into()),
    }
}

pub(crate) fn with_cookie(mut res: Response, value: HeaderValue) -> Response {
    res.headers_mut().append(header::SET_COOKIE, value);
    res
}

#[derive(Deserialize, Default)]
pub struct NoticeQuery {
    pub notice: Option<String>,
}

/// Notices a redirect may ask for (only these keys).
pub(crate) fn notice(tr: &Tr, key: Option<&str>) -> Option<String> {
    let key = key?;
    ["activated", "signed_out", "saved", "invited", "disabled", "enabled"]
        .contains(&key)
        .then(|| tr.t(&format!("ops.notice.{key}")).to_owned())
}
