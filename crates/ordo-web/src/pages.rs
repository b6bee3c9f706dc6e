//! Page templates (askama: compiled, auto-escaped). Every visible word comes
//! from the translation files through `p.t(...)`.

use crate::context::Ctx;
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use ordo_app::i18n::Tr;

/// What every tenant page needs: language, tenant, the signed-in user, the
/// anti-forgery token, and which menu entry is current.
pub struct Page {
    pub tr: Tr,
    pub lang: &'static str,
    pub tenant_name: String,
    pub slug: String,
    pub user_name: Option<String>,
    pub is_admin: bool,
    pub csrf: String,
    pub nav: &'static str,
}

impl Page {
    pub fn new(ctx: &Ctx, nav: &'static str) -> Self {
        let tr = ctx.tr();
        Self {
            tr,
            lang: tr.lang(),
            tenant_name: ctx.tenant.name.clone(),
            slug: ctx.tenant.slug.to_string(),
            user_name: ctx.auth.as_ref().map(|a| a.user.display_name.clone()),
            is_admin: ctx.auth.as_ref().is_some_and(|a| ordo_app::accounts::can_view_members(&a.user)),
            csrf: ctx.csrf().to_owned(),
            nav,
        }
    }

    pub fn t<'a>(&self, key: &'a str) -> &'a str {
        self.tr.t(key)
    }

    pub fn href(&self, path: &str) -> String {
        format!("/t/{}/{}", self.slug, path)
    }
}

/// Field-level messages for a form shown again.
#[derive(Default, Debug)]
pub struct Errors(Vec<(&'static str, String)>);

impl Errors {
    pub fn one(field: &'static str, message: String) -> Self {
        Self(vec![(field, message)])
    }
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.iter().find(|(f, _)| *f == field).map(|(_, m)| m.as_str())
    }
}

/// Render a template as an HTML response with the given status.
pub fn render(status: StatusCode, t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template rendering failed");
            crate::error::WebError::Internal("template").into_response()
        }
    }
}

pub fn ok(t: &impl Template) -> Response {
    render(StatusCode::OK, t)
}

#[derive(Template)]
#[template(path = "login.html")]
pub struct LoginTpl {
    pub p: Page,
    pub email: String,
    pub next: String,
    pub errors: Errors,
    pub notice: Option<String>,
}

#[derive(Template)]
#[template(path = "forgot.html")]
pub struct ForgotTpl {
    pub p: Page,
}

#[derive(Template)]
#[template(path = "set_password.html")]
pub struct SetPasswordTpl {
    pub p: Page,
    pub title_key: &'static str,
    pub action: String,
    pub email: String,
    pub ask_name: bool,
    pub display_name: String,
    pub errors: Errors,
}

#[derive(Template)]
#[template(path = "message.html")]
pub struct MessageTpl {
    pub p: Page,
    pub title: String,
    pub text: String,
    pub link: Option<(String, String)>,
}

#[derive(Template)]
#[template(path = "home.html")]
pub struct HomeTpl {
    pub p: Page,
    pub greeting: String,
}

#[derive(Template)]
#[template(path = "profile.html")]
pub struct ProfileTpl {
    pub p: Page,
    pub email: String,
    pub display_name: String,
    pub locale: &'static str,
    pub errors: Errors,
    pub notice: Option<String>,
}

#[derive(Template)]
#[template(path = "password.html")]
pub struct PasswordTpl {
    pub p: Page,
    pub errors: Errors,
    pub notice: Option<String>,
}

pub struct SessionRow {
    pub id: String,
    pub device: String,
    pub ip: String,
    pub last_seen: String,
    pub last_seen_iso: String,
    pub created: String,
    pub created_iso: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "sessions.html")]
pub struct SessionsTpl {
    pub p: Page,
    pub rows: Vec<SessionRow>,
    pub notice: Option<String>,
}

pub struct RoleOpt {
    pub value: &'static str,
    pub label: String,
    pub selected: bool,
}

pub struct MemberRow {
    pub id: String,
    pub name: String,
    pub email: String,
    pub role_label: String,
    pub role_options: Vec<RoleOpt>,
    pub status_label: String,
    pub disabled: bool,
    pub manageable: bool,
}

#[derive(Template)]
#[template(path = "members.html")]
pub struct MembersTpl {
    pub p: Page,
    pub rows: Vec<MemberRow>,
    pub invite_roles: Vec<RoleOpt>,
    pub invite_email: String,
    pub errors: Errors,
    pub notice: Option<String>,
}

pub struct AuditRow {
    pub seq: i64,
    pub at: String,
    pub at_iso: String,
    pub kind: String,
    pub actor: String,
    pub subject: String,
    pub ip: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
pub struct AuditTpl {
    pub p: Page,
    pub rows: Vec<AuditRow>,
    pub older: Option<i64>,
}

#[derive(Template)]
#[template(path = "landing.html")]
pub struct LandingTpl {
    pub tr: Tr,
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorTpl<'a> {
    tr: Tr,
    status: u16,
    message: &'a str,
    request_id: &'a str,
}

/// The generic error page: status, a translated message, the request id.
pub fn error_page(tr: Tr, status: StatusCode, message: &str, request_id: &str) -> String {
    ErrorTpl { tr, status: status.as_u16(), message, request_id }
        .render()
        .unwrap_or_else(|_| format!("{} {}", status.as_u16(), request_id))
}
