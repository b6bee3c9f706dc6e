//! The operator console, at `/ops/`: separate from every tenant (its own
//! session cookie, its own accounts), reached only with a password *and* a
//! one-time code. Its own route table classifies every route; the console
//! middleware looks the route up (fail closed), resolves the staff session,
//! checks the second factor and the platform role's right, and the
//! anti-forgery token of every state-changing request.

use crate::cookies;
use crate::error::WebError;
use crate::handlers::Form;
use crate::middleware::{accept_locale, check_csrf_token, check_origin, is_unsafe};
use crate::pages::{Errors, ok, render};
use crate::state::AppState;
use askama::Template;
use axum::extract::{MatchedPath, Path, Query, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use ordo_app::AppError;
use ordo_app::i18n::Tr;
use ordo_app::staff::{self, StaffAuth};
use ordo_core::staff::{PlatformRole, StaffAction};
use ordo_core::user::Locale;
use serde::Deserialize;

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

#[derive(Clone, Copy, Debug)]
pub struct OpsRoute {
    pub method: &'static str,
    pub path: &'static str,
    pub access: OpsAccess,
}

const fn r(method: &'static str, path: &'static str, access: OpsAccess) -> OpsRoute {
    OpsRoute { method, path, access }
}

use OpsAccess::{Password, Public, Staff};

/// Every route of the console.
pub const OPS_ROUTES: &[OpsRoute] = &[
    r("GET", "/ops/login", Public),
    r("POST", "/ops/login", Public),
    r("GET", "/ops/activate/{token}", Public),
    r("POST", "/ops/activate/{token}", Public),
    r("GET", "/ops/mfa", Password),
    r("POST", "/ops/mfa", Password),
    r("GET", "/ops/enrol", Password),
    r("POST", "/ops/enrol", Password),
    r("POST", "/ops/logout", Password),
    r("GET", "/ops/", Staff(StaffAction::ViewStatus)),
    r("GET", "/ops/tenants/{slug}", Staff(StaffAction::ViewTenants)),
    r("POST", "/ops/tenants/{slug}/csm", Staff(StaffAction::AssignCsm)),
    r("GET", "/ops/staff", Staff(StaffAction::ViewTenants)),
    r("POST", "/ops/staff", Staff(StaffAction::ManageStaff)),
    r("POST", "/ops/staff/{id}/disable", Staff(StaffAction::ManageStaff)),
    r("POST", "/ops/staff/{id}/enable", Staff(StaffAction::ManageStaff)),
    r("GET", "/ops/audit", Staff(StaffAction::ViewPlatformAudit)),
    r("GET", "/ops/support", Staff(StaffAction::Support)),
    r("POST", "/ops/support/availability", Staff(StaffAction::Support)),
    r("GET", "/ops/support/{slug}/{id}", Staff(StaffAction::Support)),
    r("POST", "/ops/support/{slug}/{id}", Staff(StaffAction::Support)),
    r("POST", "/ops/support/{slug}/{id}/status", Staff(StaffAction::Support)),
    r("GET", "/ops/support/{slug}/{id}/events", Staff(StaffAction::Support)),
    r("GET", "/ops/support/{slug}/{id}/images/{message}", Staff(StaffAction::Support)),
    r("GET", "/ops/grants/{slug}/{meeting}", Staff(StaffAction::Support)),
];

pub fn router(state: AppState) -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/ops/login", get(login_page).post(login))
        .route("/ops/activate/{token}", get(activate_page).post(activate))
        .route("/ops/mfa", get(mfa_page).post(mfa))
        .route("/ops/enrol", get(enrol_page).post(enrol))
        .route("/ops/logout", post(logout))
        .route("/ops/", get(status_page))
        .route("/ops/tenants/{slug}", get(tenant_page))
        .route("/ops/tenants/{slug}/csm", post(assign_csm))
        .route("/ops/staff", get(staff_page).post(invite))
        .route("/ops/staff/{id}/disable", post(disable))
        .route("/ops/staff/{id}/enable", post(enable))
        .route("/ops/audit", get(audit_page))
        .route("/ops/support", get(inbox_page))
        .route("/ops/support/availability", post(set_availability))
        .route(
            "/ops/support/{slug}/{id}",
            get(conversation_page)
                .post(reply)
                .layer(axum::extract::DefaultBodyLimit::max(crate::middleware::MAX_UPLOAD_BYTES)),
        )
        .route("/ops/support/{slug}/{id}/status", post(set_status))
        .route("/ops/support/{slug}/{id}/events", get(conversation_events))
        .route("/ops/support/{slug}/{id}/images/{message}", get(conversation_image))
        .route("/ops/grants/{slug}/{meeting}", get(granted_meeting))
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
    fn tr(&self) -> Tr {
        Tr::new(self.locale)
    }
    fn csrf(&self) -> &str {
        match &self.auth {
            Some(a) => &a.session.csrf_token,
            None => &self.anon_csrf,
        }
    }
    fn auth(&self) -> Result<&StaffAuth, WebError> {
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

// ---- Pages -------------------------------------------------------------------

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
    fn new(ctx: &OpsCtx, nav: &'static str) -> Self {
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

#[derive(Template)]
#[template(path = "ops_login.html")]
struct LoginTpl {
    p: OpsPage,
    email: String,
    errors: Errors,
    notice: Option<String>,
}

#[derive(Template)]
#[template(path = "ops_activate.html")]
struct ActivateTpl {
    p: OpsPage,
    action: String,
    errors: Errors,
}

#[derive(Template)]
#[template(path = "ops_mfa.html")]
struct MfaTpl {
    p: OpsPage,
    errors: Errors,
}

#[derive(Template)]
#[template(path = "ops_enrol.html")]
struct EnrolTpl {
    p: OpsPage,
    secret: String,
    uri: String,
    sealed: String,
    errors: Errors,
}

#[derive(Template)]
#[template(path = "ops_codes.html")]
struct CodesTpl {
    p: OpsPage,
    codes: Vec<String>,
}

pub struct TenantRow {
    pub slug: String,
    pub name: String,
    pub plan: String,
    pub status: String,
    pub status_key: String,
    pub since: String,
    pub detail: String,
    pub csm: String,
}

pub struct IncidentRow {
    pub severity: String,
    pub rule: String,
    pub subject: String,
    pub summary: String,
    pub opened: String,
    pub resolved: String,
}

#[derive(Template)]
#[template(path = "ops_status.html")]
struct StatusTpl {
    p: OpsPage,
    tenants: Vec<TenantRow>,
    open: Vec<IncidentRow>,
    recent: Vec<IncidentRow>,
}

#[derive(Template)]
#[template(path = "ops_tenant.html")]
struct TenantTpl {
    p: OpsPage,
    tenant: TenantRow,
    history: Vec<(String, String, String)>,
    can_assign: bool,
    /// (id, name, selected)
    csm_options: Vec<(String, String, bool)>,
    action: String,
    notice: Option<String>,
}

pub struct StaffRowView {
    pub id: String,
    pub name: String,
    pub email: String,
    pub role: String,
    pub status: String,
    pub disabled: bool,
    pub enrolled: bool,
    pub me: bool,
}

#[derive(Template)]
#[template(path = "ops_staff.html")]
struct StaffTpl {
    p: OpsPage,
    rows: Vec<StaffRowView>,
    can_manage: bool,
    roles: Vec<(&'static str, String)>,
    errors: Errors,
    notice: Option<String>,
}

#[derive(Template)]
#[template(path = "ops_audit.html")]
struct AuditTpl {
    p: OpsPage,
    rows: Vec<(i64, String, String, String, String)>,
}

fn field_errors(tr: &Tr, e: AppError) -> Result<Errors, WebError> {
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

fn with_cookie(mut res: Response, value: HeaderValue) -> Response {
    res.headers_mut().append(header::SET_COOKIE, value);
    res
}

#[derive(Deserialize, Default)]
pub struct NoticeQuery {
    notice: Option<String>,
}

/// Notices a redirect may ask for (only these keys).
fn notice(tr: &Tr, key: Option<&str>) -> Option<String> {
    let key = key?;
    ["activated", "signed_out", "saved", "invited", "disabled", "enabled"]
        .contains(&key)
        .then(|| tr.t(&format!("ops.notice.{key}")).to_owned())
}

async fn login_page(ctx: OpsCtx, Query(q): Query<NoticeQuery>) -> Response {
    let tr = ctx.tr();
    ok(&LoginTpl {
        p: OpsPage::new(&ctx, "login"),
        email: String::new(),
        errors: Errors::default(),
        notice: notice(&tr, q.notice.as_deref()),
    })
}

#[derive(Deserialize)]
pub struct LoginForm {
    email: String,
    password: String,
}

async fn login(State(st): State<AppState>, ctx: OpsCtx, Form(f): Form<LoginForm>) -> Result<Response, WebError> {
    match staff::login(&st.app, &f.email, &f.password, &ctx.ip, &ctx.user_agent).await {
        Ok(done) => {
            let to = if done.auth.staff.enrolled { "/ops/mfa" } else { "/ops/enrol" };
            Ok(with_cookie(Redirect::to(to).into_response(), cookies::set(COOKIE, &done.secret)))
        }
        Err(e) => {
            let throttled = matches!(e, AppError::Throttled { .. });
            let errors = field_errors(&ctx.tr(), e)?;
            let status = if throttled { StatusCode::TOO_MANY_REQUESTS } else { StatusCode::UNAUTHORIZED };
            let email = f.email.chars().take(254).collect();
            Ok(render(status, &LoginTpl { p: OpsPage::new(&ctx, "login"), email, errors, notice: None }))
        }
    }
}

async fn activate_page(ctx: OpsCtx, Path(token): Path<String>) -> Response {
    ok(&ActivateTpl {
        p: OpsPage::new(&ctx, "login"),
        action: format!("/ops/activate/{token}"),
        errors: Errors::default(),
    })
}

#[derive(Deserialize)]
pub struct PasswordForm {
    password: String,
}

async fn activate(
    State(st): State<AppState>,
    ctx: OpsCtx,
    Path(token): Path<String>,
    Form(f): Form<PasswordForm>,
) -> Result<Response, WebError> {
    match staff::activate(&st.app, &token, &f.password).await {
        Ok(_) => Ok(Redirect::to("/ops/login?notice=activated").into_response()),
        Err(AppError::BadToken) => Err(WebError::BadToken),
        Err(e) => {
            let errors = field_errors(&ctx.tr(), e)?;
            let t = ActivateTpl { p: OpsPage::new(&ctx, "login"), action: format!("/ops/activate/{token}"), errors };
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &t))
        }
    }
}

async fn mfa_page(ctx: OpsCtx) -> Result<Response, WebError> {
    let a = ctx.auth()?;
    if !a.staff.enrolled {
        return Ok(Redirect::to("/ops/enrol").into_response());
    }
    Ok(ok(&MfaTpl { p: OpsPage::new(&ctx, "login"), errors: Errors::default() }))
}

#[derive(Deserialize)]
pub struct CodeForm {
    code: String,
}

async fn mfa(State(st): State<AppState>, ctx: OpsCtx, Form(f): Form<CodeForm>) -> Result<Response, WebError> {
    let a = ctx.auth()?;
    match staff::second_factor(&st.app, a, &f.code, &ctx.ip).await {
        Ok(secret) => Ok(with_cookie(Redirect::to("/ops/").into_response(), cookies::set(COOKIE, &secret))),
        Err(e) => {
            let errors = field_errors(&ctx.tr(), e)?;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &MfaTpl { p: OpsPage::new(&ctx, "login"), errors }))
        }
    }
}

async fn enrol_page(State(st): State<AppState>, ctx: OpsCtx) -> Result<Response, WebError> {
    let a = ctx.auth()?;
    if a.staff.enrolled {
        return Ok(Redirect::to("/ops/mfa").into_response());
    }
    let e = staff::begin_enrolment(&st.app, a)?;
    let t = EnrolTpl {
        p: OpsPage::new(&ctx, "login"),
        secret: e.secret_base32,
        uri: e.uri,
        sealed: e.sealed,
        errors: Errors::default(),
    };
    Ok(ok(&t))
}

#[derive(Deserialize)]
pub struct EnrolForm {
    code: String,
    sealed: String,
}

async fn enrol(State(st): State<AppState>, ctx: OpsCtx, Form(f): Form<EnrolForm>) -> Result<Response, WebError> {
    let a = ctx.auth()?;
    if a.staff.enrolled {
        // Replacing a second factor is not done from a session it opened.
        return Ok(Redirect::to("/ops/mfa").into_response());
    }
    match staff::confirm_enrolment(&st.app, a, &f.sealed, &f.code).await {
        Ok((codes, secret)) => {
            Ok(with_cookie(ok(&CodesTpl { p: OpsPage::new(&ctx, "login"), codes }), cookies::set(COOKIE, &secret)))
        }
        Err(e) => {
            let errors = field_errors(&ctx.tr(), e)?;
            // The same secret again: the app already holds it.
            let secret = String::new();
            let t = EnrolTpl { p: OpsPage::new(&ctx, "login"), secret, uri: String::new(), sealed: f.sealed, errors };
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &t))
        }
    }
}

async fn logout(State(st): State<AppState>, ctx: OpsCtx) -> Result<Response, WebError> {
    staff::logout(&st.app, ctx.auth()?).await?;
    Ok(with_cookie(Redirect::to("/ops/login?notice=signed_out").into_response(), cookies::clear(COOKIE)))
}

fn incident_row(tr: &Tr, i: &ordo_store::Incident) -> IncidentRow {
    IncidentRow {
        severity: tr.t(&format!("ops.severity.{}", i.severity)).to_owned(),
        rule: i.rule.clone(),
        subject: i.subject.clone(),
        summary: i.summary.clone(),
        opened: i.opened_at.human_utc(),
        resolved: i.resolved_at.map(|t| t.human_utc()).unwrap_or_default(),
    }
}

async fn tenant_rows(st: &AppState, tr: &Tr) -> Result<Vec<TenantRow>, WebError> {
    let app = &st.app;
    let staff = app.store.list_staff().await.map_err(AppError::from)?;
    let csms = app.store.tenant_csms().await.map_err(AppError::from)?;
    Ok(app
        .store
        .tenant_statuses()
        .await
        .map_err(AppError::from)?
        .into_iter()
        .map(|t| {
            let csm = csms
                .iter()
                .find(|(id, _)| *id == t.tenant_id)
                .and_then(|(_, s)| staff.iter().find(|x| x.id == *s))
                .map(|s| s.display_name.clone())
                .unwrap_or_default();
            let key = t.status.clone().unwrap_or_else(|| "unknown".into());
            TenantRow {
                status: tr.t(&format!("ops.status.{key}")).to_owned(),
                status_key: key,
                slug: t.slug,
                name: t.name,
                plan: tr.t(&format!("ops.plan.{}", t.plan)).to_owned(),
                since: t.since.map(|s| s.human_utc()).unwrap_or_default(),
                detail: t.detail,
                csm,
            }
        })
        .collect())
}

async fn status_page(State(st): State<AppState>, ctx: OpsCtx) -> Result<Response, WebError> {
    let tr = ctx.tr();
    let tenants = tenant_rows(&st, &tr).await?;
    let open = st.app.store.open_incidents().await.map_err(AppError::from)?;
    let recent = st.app.store.recent_incidents(20).await.map_err(AppError::from)?;
    Ok(ok(&StatusTpl {
        p: OpsPage::new(&ctx, "status"),
        tenants,
        open: open.iter().map(|i| incident_row(&tr, i)).collect(),
        recent: recent.iter().filter(|i| i.resolved_at.is_some()).map(|i| incident_row(&tr, i)).collect(),
    }))
}

async fn find_tenant(st: &AppState, slug: &str) -> Result<ordo_store::Tenant, WebError> {
    let slug = ordo_core::tenant::Slug::parse(slug).map_err(|_| WebError::NotFound)?;
    st.app.store.tenant_by_slug(&slug).await.map_err(AppError::from)?.ok_or(WebError::NotFound)
}

async fn tenant_page(
    State(st): State<AppState>,
    ctx: OpsCtx,
    Path(slug): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, WebError> {
    let a = ctx.auth()?;
    let tr = ctx.tr();
    let tenant = find_tenant(&st, &slug).await?;
    let row = tenant_rows(&st, &tr).await?.into_iter().find(|t| t.slug == slug).ok_or(WebError::NotFound)?;
    let history = st
        .app
        .store
        .status_changes(tenant.id, 50)
        .await
        .map_err(AppError::from)?
        .into_iter()
        .map(|c| (c.at.human_utc(), tr.t(&format!("ops.status.{}", c.status)).to_owned(), c.detail))
        .collect();
    let current = st.app.store.tenant_csms().await.map_err(AppError::from)?;
    let current = current.iter().find(|(t, _)| *t == tenant.id).map(|(_, s)| *s);
    let csm_options = st
        .app
        .store
        .list_staff()
        .await
        .map_err(AppError::from)?
        .into_iter()
        .filter(|s| s.role == PlatformRole::Csm && s.status != ordo_core::user::UserStatus::Disabled)
        .map(|s| (s.id.to_string(), s.display_name, Some(s.id) == current))
        .collect();
    Ok(ok(&TenantTpl {
        p: OpsPage::new(&ctx, "status"),
        tenant: row,
        history,
        can_assign: ordo_core::staff::staff_may(a.staff.role, StaffAction::AssignCsm),
        csm_options,
        action: format!("/ops/tenants/{slug}/csm"),
        notice: notice(&tr, q.notice.as_deref()),
    }))
}

#[derive(Deserialize)]
pub struct CsmForm {
    #[serde(default)]
    csm: String,
}

async fn assign_csm(
    State(st): State<AppState>,
    ctx: OpsCtx,
    Path(slug): Path<String>,
    Form(f): Form<CsmForm>,
) -> Result<Response, WebError> {
    let a = ctx.auth()?;
    let tenant = find_tenant(&st, &slug).await?;
    let csm = if f.csm.is_empty() {
        None
    } else {
        Some(f.csm.parse().map_err(|_| WebError::Invalid { field: "csm", code: "csm.invalid" })?)
    };
    staff::assign_csm(&st.app, a, tenant.id, csm).await?;
    Ok(Redirect::to(&format!("/ops/tenants/{slug}?notice=saved")).into_response())
}

async fn staff_view(st: &AppState, ctx: &OpsCtx, errors: Errors, notice: Option<String>) -> Result<StaffTpl, WebError> {
    let a = ctx.auth()?;
    let tr = ctx.tr();
    let rows = staff::list(&st.app, a)
        .await?
        .into_iter()
        .map(|s| StaffRowView {
            id: s.id.to_string(),
            me: s.id == a.staff.id,
            name: s.display_name,
            email: s.email,
            role: tr.t(&format!("ops.role.{}", s.role.as_str())).to_owned(),
            status: tr.t(&format!("status.{}", s.status.as_str())).to_owned(),
            disabled: s.status == ordo_core::user::UserStatus::Disabled,
            enrolled: s.enrolled,
        })
        .collect();
    Ok(StaffTpl {
        p: OpsPage::new(ctx, "staff"),
        rows,
        can_manage: ordo_core::staff::staff_may(a.staff.role, StaffAction::ManageStaff),
        roles: PlatformRole::ALL
            .iter()
            .map(|r| (r.as_str(), tr.t(&format!("ops.role.{}", r.as_str())).to_owned()))
            .collect(),
        errors,
        notice,
    })
}

async fn staff_page(
    State(st): State<AppState>,
    ctx: OpsCtx,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, WebError> {
    let tr = ctx.tr();
    Ok(ok(&staff_view(&st, &ctx, Errors::default(), notice(&tr, q.notice.as_deref())).await?))
}

#[derive(Deserialize)]
pub struct InviteForm {
    email: String,
    name: String,
    role: String,
}

async fn invite(State(st): State<AppState>, ctx: OpsCtx, Form(f): Form<InviteForm>) -> Result<Response, WebError> {
    let a = ctx.auth()?;
    let tr = ctx.tr();
    let result = match f.role.parse::<PlatformRole>() {
        Ok(role) => staff::invite(&st.app, Some(a), &f.email, &f.name, role).await,
        Err(i) => Err(AppError::Invalid(i)),
    };
    match result {
        Ok(_) => Ok(Redirect::to("/ops/staff?notice=invited").into_response()),
        Err(e) => {
            let errors = field_errors(&tr, e)?;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &staff_view(&st, &ctx, errors, None).await?))
        }
    }
}

async fn set_disabled(st: &AppState, ctx: &OpsCtx, id: &str, disabled: bool) -> Result<Response, WebError> {
    let a = ctx.auth()?;
    let id = id.parse().map_err(|_| WebError::NotFound)?;
    staff::set_disabled(&st.app, a, id, disabled).await?;
    let n = if disabled { "disabled" } else { "enabled" };
    Ok(Redirect::to(&format!("/ops/staff?notice={n}")).into_response())
}

async fn disable(State(st): State<AppState>, ctx: OpsCtx, Path(id): Path<String>) -> Result<Response, WebError> {
    set_disabled(&st, &ctx, &id, true).await
}

async fn enable(State(st): State<AppState>, ctx: OpsCtx, Path(id): Path<String>) -> Result<Response, WebError> {
    set_disabled(&st, &ctx, &id, false).await
}

async fn audit_page(State(st): State<AppState>, ctx: OpsCtx) -> Result<Response, WebError> {
    ctx.auth()?.may(StaffAction::ViewPlatformAudit)?;
    let rows = st
        .app
        .store
        .platform_audit(200)
        .await
        .map_err(AppError::from)?
        .into_iter()
        .map(|e| (e.seq, e.at.human_utc(), e.kind, e.subject.unwrap_or_default(), e.detail))
        .collect();
    Ok(ok(&AuditTpl { p: OpsPage::new(&ctx, "audit"), rows }))
}

// ---- The support inbox ----------------------------------------------------------

pub struct InboxView {
    pub href: String,
    pub tenant: String,
    pub plan: String,
    pub status: String,
    pub status_key: String,
    pub assigned: String,
    pub mine: bool,
    pub unread: i64,
    pub updated: String,
}

#[derive(Template)]
#[template(path = "ops_inbox.html")]
struct InboxTpl {
    p: OpsPage,
    available: bool,
    rows: Vec<InboxView>,
    grants: Vec<(String, String, String)>,
}

async fn inbox_page(State(st): State<AppState>, ctx: OpsCtx) -> Result<Response, WebError> {
    let a = ctx.auth()?;
    let tr = ctx.tr();
    let rows = ordo_app::support::inbox(&st.app, a)
        .await?
        .into_iter()
        .map(|r| InboxView {
            href: format!("/ops/support/{}/{}", r.tenant_slug, r.id),
            tenant: r.tenant_name,
            plan: tr.t(&format!("ops.plan.{}", r.plan.as_str())).to_owned(),
            status: tr.t(&format!("ops.chat.status.{}", r.status)).to_owned(),
            status_key: r.status,
            assigned: r.assigned,
            mine: r.mine,
            unread: r.unread,
            updated: r.updated_at.human_utc(),
        })
        .collect();
    let grants = ordo_app::support::my_grants(&st.app, a)
        .await?
        .into_iter()
        .map(|(slug, m, until)| (format!("/ops/grants/{slug}/{m}"), slug, until.human_utc()))
        .collect();
    Ok(ok(&InboxTpl { p: OpsPage::new(&ctx, "support"), available: a.staff.available, rows, grants }))
}

#[derive(Deserialize)]
pub struct AvailabilityForm {
    available: String,
}

async fn set_availability(
    State(st): State<AppState>,
    ctx: OpsCtx,
    Form(f): Form<AvailabilityForm>,
) -> Result<Response, WebError> {
    let available = match f.available.as_str() {
        "1" => true,
        "0" => false,
        _ => return Err(WebError::Invalid { field: "available", code: "status.invalid" }),
    };
    staff::set_available(&st.app, ctx.auth()?, available).await?;
    Ok(Redirect::to("/ops/support?notice=saved").into_response())
}

#[derive(Template)]
#[template(path = "ops_conversation.html")]
struct ConversationTpl {
    p: OpsPage,
    tenant: String,
    user: String,
    status_key: String,
    status_label: String,
    assigned: String,
    messages: Vec<crate::handlers::support::MessageView>,
    last: i64,
    base: String,
    errors: Errors,
}

async fn conversation_view(
    st: &AppState,
    ctx: &OpsCtx,
    slug: &str,
    id: &str,
    errors: Errors,
) -> Result<ConversationTpl, WebError> {
    let a = ctx.auth()?;
    let v = ordo_app::support::staff_conversation(&st.app, a, slug, id, 0).await?;
    let base = format!("/ops/support/{slug}/{id}");
    let images = format!("{base}/images");
    let messages: Vec<_> = v.messages.iter().map(|m| crate::handlers::support::message_view(m, &images)).collect();
    Ok(ConversationTpl {
        p: OpsPage::new(ctx, "support"),
        tenant: v.tenant.name,
        user: v.user_name,
        status_label: ctx.tr().t(&format!("ops.chat.status.{}", v.conversation.status)).to_owned(),
        status_key: v.conversation.status,
        assigned: v.assigned,
        last: messages.last().map_or(0, |m| m.seq),
        messages,
        base,
        errors,
    })
}

async fn conversation_page(
    State(st): State<AppState>,
    ctx: OpsCtx,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    Ok(ok(&conversation_view(&st, &ctx, &slug, &id, Errors::default()).await?))
}

async fn reply(
    State(st): State<AppState>,
    ctx: OpsCtx,
    Path((slug, id)): Path<(String, String)>,
    crate::handlers::MultipartForm(mp): crate::handlers::MultipartForm,
) -> Result<Response, WebError> {
    let a = ctx.auth()?;
    let (body, file) = crate::handlers::support::read_message(mp).await?;
    let m = ordo_app::support::NewMessage { body: &body, image: file };
    match ordo_app::support::staff_send(&st.app, a, &slug, &id, m).await {
        Ok(_) => Ok(Redirect::to(&format!("/ops/support/{slug}/{id}#end")).into_response()),
        Err(AppError::Invalid(i)) => {
            let errors = Errors::one(i.field, ctx.tr().t(&format!("error.{}", i.code)).to_owned());
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &conversation_view(&st, &ctx, &slug, &id, errors).await?))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct StatusForm {
    status: String,
}

async fn set_status(
    State(st): State<AppState>,
    ctx: OpsCtx,
    Path((slug, id)): Path<(String, String)>,
    Form(f): Form<StatusForm>,
) -> Result<Response, WebError> {
    ordo_app::support::set_status(&st.app, ctx.auth()?, &slug, &id, &f.status).await?;
    Ok(Redirect::to(&format!("/ops/support/{slug}/{id}")).into_response())
}

#[derive(Deserialize, Default)]
pub struct AfterQuery {
    #[serde(default)]
    after: i64,
}

/// The live stream of a conversation, for support.
async fn conversation_events(
    State(st): State<AppState>,
    ctx: OpsCtx,
    headers: axum::http::HeaderMap,
    Path((slug, id)): Path<(String, String)>,
    Query(q): Query<AfterQuery>,
) -> Result<Response, WebError> {
    use axum::response::sse::{Event, KeepAlive, Sse};
    crate::handlers::support::same_origin(&st, &headers)?;
    let auth = ctx.auth()?.clone();
    // Refused now, not inside the stream: the conversation must exist.
    ordo_app::support::staff_conversation(&st.app, &auth, &slug, &id, i64::MAX).await?;
    let app = st.app.clone();
    let images = format!("/ops/support/{slug}/{id}/images");
    let stream = futures_util::stream::unfold(q.after.max(0), move |after| {
        let (app, auth, slug, id, images) = (app.clone(), auth.clone(), slug.clone(), id.clone(), images.clone());
        async move {
            loop {
                if let Ok(v) = ordo_app::support::staff_conversation(&app, &auth, &slug, &id, after).await
                    && let Some(last) = v.messages.last().map(|m| m.seq)
                {
                    let list: Vec<serde_json::Value> = v
                        .messages
                        .iter()
                        .map(|m| {
                            crate::handlers::support::message_json(&crate::handlers::support::message_view(m, &images))
                        })
                        .collect();
                    let event = Event::default().id(last.to_string()).data(serde_json::Value::Array(list).to_string());
                    return Some((Ok::<_, std::convert::Infallible>(event), last));
                }
                tokio::select! {
                    _ = app.support_wakeup.notified() => {}
                    _ = tokio::time::sleep(std::time::Duration::from_secs(1)) => {}
                }
            }
        }
    });
    Ok(crate::handlers::support::unbuffered(Sse::new(stream).keep_alive(KeepAlive::default()).into_response()))
}

async fn conversation_image(
    State(st): State<AppState>,
    ctx: OpsCtx,
    Path((slug, id, message)): Path<(String, String, String)>,
) -> Result<Response, WebError> {
    let (ctype, bytes) = ordo_app::support::staff_image(&st.app, ctx.auth()?, &slug, &id, &message).await?;
    crate::handlers::support::picture(&message, &ctype, bytes)
}

#[derive(Template)]
#[template(path = "ops_meeting.html")]
struct GrantedMeetingTpl {
    p: OpsPage,
    tenant: String,
    title: String,
    when: String,
    topics: Vec<(String, Vec<GrantedElement>)>,
}

/// One element of a granted meeting: its kind's label, title and (sanitised) description.
type GrantedElement = (String, String, String);

/// A meeting read by support under a grant: read-only, and written in the
/// tenant's audit log at each view.
async fn granted_meeting(
    State(st): State<AppState>,
    ctx: OpsCtx,
    Path((slug, meeting)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let a = ctx.auth()?;
    let tr = ctx.tr();
    let meeting = meeting.parse().map_err(|_| WebError::NotFound)?;
    let (m, content) = ordo_app::support::view_meeting(&st.app, a, &slug, meeting, &ctx.ip).await?;
    let topics = content
        .topics
        .iter()
        .map(|t| {
            let elements = content
                .elements
                .iter()
                .filter(|e| e.topic_id == t.id)
                .map(|e| {
                    (
                        tr.t(&format!("element.kind.{}", e.kind.as_str())).to_owned(),
                        e.title.clone(),
                        // Sanitised when stored (as on the meeting page).
                        e.description.clone(),
                    )
                })
                .collect();
            (t.title.clone(), elements)
        })
        .collect();
    Ok(ok(&GrantedMeetingTpl {
        p: OpsPage::new(&ctx, "support"),
        tenant: slug,
        when: m.when(),
        title: m.title,
        topics,
    }))
}
