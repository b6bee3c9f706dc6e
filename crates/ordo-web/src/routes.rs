//! The route table. Every tenant route is listed here with who may reach it;
//! the tenant middleware looks the matched route up and refuses any route that
//! is missing (fail closed), and the isolation and access tests iterate this
//! table, so a new route cannot escape them.

use crate::handlers::{account, admin, api, auth, meetings, search, support, system, templates};
use crate::middleware;
use crate::state::AppState;
use axum::Router;
use axum::routing::{delete, get, patch, post};

/// Who may use a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not (sign-in, activation, password reset).
    Public,
    /// A signed-in user of this tenant.
    User,
    /// A signed-in member, admin or owner of this tenant: not a guest
    /// (guests take part in meetings, they do not create them).
    Member,
    /// A signed-in owner or admin of this tenant.
    Admin,
}

#[derive(Clone, Copy, Debug)]
pub struct Route {
    pub method: &'static str,
    pub path: &'static str,
    pub access: Access,
    /// For routes on one meeting: the meeting action its use case checks
    /// (the access-matrix test derives the expected answers from it).
    pub meeting: Option<MeetingAction>,
}

const fn r(method: &'static str, path: &'static str, access: Access) -> Route {
    Route { method, path, access, meeting: None }
}

const fn m(method: &'static str, path: &'static str, action: MeetingAction) -> Route {
    Route { method, path, access: Access::User, meeting: Some(action) }
}

use Access::*;
use ordo_core::meeting::MeetingAction;
use ordo_core::meeting::MeetingAction as A;

/// Every route under `/t/{slug}`.
pub const TENANT_ROUTES: &[Route] = &[
    r("GET", "/t/{slug}", Public),
    r("GET", "/t/{slug}/login", Public),
    r("POST", "/t/{slug}/login", Public),
    r("GET", "/t/{slug}/forgot-password", Public),
    r("POST", "/t/{slug}/forgot-password", Public),
    r("GET", "/t/{slug}/activate/{token}", Public),
    r("POST", "/t/{slug}/activate/{token}", Public),
    r("GET", "/t/{slug}/reset/{token}", Public),
    r("POST", "/t/{slug}/reset/{token}", Public),
    r("GET", "/t/{slug}/", User),
    r("POST", "/t/{slug}/logout", User),
    r("GET", "/t/{slug}/settings/profile", User),
    r("POST", "/t/{slug}/settings/profile", User),
    r("POST", "/t/{slug}/settings/reminders", User),
    r("GET", "/t/{slug}/search", User),
    // Each meeting of the series is shown only to who may see it.
    r("GET", "/t/{slug}/series/{series}", User),
    r("GET", "/t/{slug}/api/v1/series/{series}", User),
    r("GET", "/t/{slug}/api/v1/search", User),
    r("POST", "/t/{slug}/settings/calendar-feed", User),
    r("POST", "/t/{slug}/settings/calendar-feed/revoke", User),
    // The secret token in the address is the credential (calendar
    // applications send no session): see docs/security/threat-model.md.
    r("GET", "/t/{slug}/feed/{token}", Public),
    r("GET", "/t/{slug}/settings/password", User),
    r("POST", "/t/{slug}/settings/password", User),
    r("GET", "/t/{slug}/settings/sessions", User),
    r("POST", "/t/{slug}/settings/sessions/{id}/end", User),
    r("GET", "/t/{slug}/settings/tokens", User),
    r("POST", "/t/{slug}/settings/tokens", User),
    r("POST", "/t/{slug}/settings/tokens/{id}/revoke", User),
    r("GET", "/t/{slug}/admin/members", Admin),
    r("POST", "/t/{slug}/admin/members/invite", Admin),
    r("POST", "/t/{slug}/admin/members/{id}/role", Admin),
    r("POST", "/t/{slug}/admin/members/{id}/disable", Admin),
    r("POST", "/t/{slug}/admin/members/{id}/enable", Admin),
    r("GET", "/t/{slug}/admin/audit", Admin),
    r("GET", "/t/{slug}/admin/encryption", Admin),
    r("GET", "/t/{slug}/admin/backups", Admin),
    r("GET", "/t/{slug}/admin/actions", Admin),
    r("POST", "/t/{slug}/admin/encryption/enable", Admin),
    r("GET", "/t/{slug}/admin/support", Admin),
    r("POST", "/t/{slug}/admin/support/grants", Admin),
    r("POST", "/t/{slug}/admin/support/revoke", Admin),
    r("GET", "/t/{slug}/support", User),
    r("POST", "/t/{slug}/support", User),
    r("GET", "/t/{slug}/support/events", User),
    r("GET", "/t/{slug}/support/unread", User),
    r("GET", "/t/{slug}/support/images/{id}", User),
    r("GET", "/t/{slug}/meetings", User),
    r("GET", "/t/{slug}/templates", Member),
    r("POST", "/t/{slug}/templates", Member),
    r("POST", "/t/{slug}/templates/{id}/delete", Member),
    r("POST", "/t/{slug}/meetings", Member),
    m("GET", "/t/{slug}/meetings/{id}", A::View),
    m("GET", "/t/{slug}/meetings/{id}/events", A::View),
    m("GET", "/t/{slug}/meetings/{id}/minutes.md", A::View),
    m("GET", "/t/{slug}/meetings/{id}/minutes.html", A::View),
    m("GET", "/t/{slug}/meetings/{id}/minutes.pdf", A::View),
    m("POST", "/t/{slug}/meetings/{id}/edit", A::EditDetails),
    m("POST", "/t/{slug}/meetings/{id}/participants", A::ManageParticipants),
    m("POST", "/t/{slug}/meetings/{id}/participants/{user}/role", A::ManageParticipants),
    m("POST", "/t/{slug}/meetings/{id}/participants/{user}/remove", A::ManageParticipants),
    m("POST", "/t/{slug}/meetings/{id}/participants/{user}/presence", A::ManageParticipants),
    m("POST", "/t/{slug}/meetings/{id}/share", A::Share),
    m("POST", "/t/{slug}/meetings/{id}/minutes/send", A::SendMinutes),
    m("POST", "/t/{slug}/meetings/{id}/next", A::FollowUp),
    m("POST", "/t/{slug}/meetings/{id}/cancel", A::Cancel),
    m("POST", "/t/{slug}/meetings/{id}/archive", A::Archive),
    m("POST", "/t/{slug}/meetings/{id}/topics", A::AddContent),
    m("POST", "/t/{slug}/meetings/{id}/topics/{topic}/contributors", A::EditContent),
    m("POST", "/t/{slug}/meetings/{id}/topics/{topic}/contributors/{user}/remove", A::EditContent),
    m("POST", "/t/{slug}/meetings/{id}/topics/{topic}/move", A::EditContent),
    m("POST", "/t/{slug}/meetings/{id}/topics/{topic}/edit", A::EditContent),
    m("POST", "/t/{slug}/meetings/{id}/topics/{topic}/delete", A::EditContent),
    m("POST", "/t/{slug}/meetings/{id}/elements", A::AddContent),
    m("POST", "/t/{slug}/meetings/{id}/elements/{element}/status", A::SetActionStatus),
    m("POST", "/t/{slug}/meetings/{id}/elements/{element}/move", A::EditContent),
    m("POST", "/t/{slug}/meetings/{id}/elements/{element}/comments", A::Comment),
    m("GET", "/t/{slug}/meetings/{id}/elements/{element}/edit", A::AddContent),
    m("POST", "/t/{slug}/meetings/{id}/elements/{element}/edit", A::EditContent),
    m("POST", "/t/{slug}/meetings/{id}/elements/{element}/delete", A::EditContent),
    m("POST", "/t/{slug}/meetings/{id}/comments/{comment}/delete", A::RemoveComment),
    m("POST", "/t/{slug}/meetings/{id}/images", A::AddContent),
    m("GET", "/t/{slug}/meetings/{id}/elements/{element}/image", A::View),
    r("GET", "/t/{slug}/api/v1/me", User),
    r("GET", "/t/{slug}/api/v1/sessions", User),
    r("DELETE", "/t/{slug}/api/v1/sessions/{id}", User),
    r("GET", "/t/{slug}/api/v1/meetings", User),
    r("GET", "/t/{slug}/api/v1/templates", Member),
    r("POST", "/t/{slug}/api/v1/templates", Member),
    r("DELETE", "/t/{slug}/api/v1/templates/{id}", Member),
    r("POST", "/t/{slug}/api/v1/meetings", Member),
    m("GET", "/t/{slug}/api/v1/meetings/{id}", A::View),
    m("GET", "/t/{slug}/api/v1/meetings/{id}/minutes", A::View),
    m("PATCH", "/t/{slug}/api/v1/meetings/{id}", A::EditDetails),
    m("POST", "/t/{slug}/api/v1/meetings/{id}/cancel", A::Cancel),
    m("POST", "/t/{slug}/api/v1/meetings/{id}/archive", A::Archive),
    m("POST", "/t/{slug}/api/v1/meetings/{id}/participants", A::ManageParticipants),
    m("PATCH", "/t/{slug}/api/v1/meetings/{id}/participants/{user}", A::ManageParticipants),
    m("DELETE", "/t/{slug}/api/v1/meetings/{id}/participants/{user}", A::ManageParticipants),
    m("POST", "/t/{slug}/api/v1/meetings/{id}/share", A::Share),
    m("POST", "/t/{slug}/api/v1/meetings/{id}/minutes/send", A::SendMinutes),
    m("POST", "/t/{slug}/api/v1/meetings/{id}/next", A::FollowUp),
    m("POST", "/t/{slug}/api/v1/meetings/{id}/topics", A::AddContent),
    m("PATCH", "/t/{slug}/api/v1/meetings/{id}/topics/{topic}", A::EditContent),
    m("DELETE", "/t/{slug}/api/v1/meetings/{id}/topics/{topic}", A::EditContent),
    m("POST", "/t/{slug}/api/v1/meetings/{id}/topics/{topic}/move", A::EditContent),
    m("POST", "/t/{slug}/api/v1/meetings/{id}/topics/{topic}/contributors", A::EditContent),
    m("DELETE", "/t/{slug}/api/v1/meetings/{id}/topics/{topic}/contributors/{user}", A::EditContent),
    m("POST", "/t/{slug}/api/v1/meetings/{id}/elements", A::AddContent),
    m("PATCH", "/t/{slug}/api/v1/meetings/{id}/elements/{element}", A::EditContent),
    m("DELETE", "/t/{slug}/api/v1/meetings/{id}/elements/{element}", A::EditContent),
    m("POST", "/t/{slug}/api/v1/meetings/{id}/elements/{element}/move", A::EditContent),
    m("POST", "/t/{slug}/api/v1/meetings/{id}/elements/{element}/comments", A::Comment),
    m("POST", "/t/{slug}/api/v1/meetings/{id}/elements/{element}/status", A::SetActionStatus),
    m("GET", "/t/{slug}/api/v1/meetings/{id}/elements/{element}/image", A::View),
    m("POST", "/t/{slug}/api/v1/meetings/{id}/images", A::AddContent),
    m("DELETE", "/t/{slug}/api/v1/meetings/{id}/comments/{comment}", A::RemoveComment),
    r("GET", "/t/{slug}/api/v1/actions", User),
    r("GET", "/t/{slug}/api/v1/people", User),
    r("GET", "/t/{slug}/api/v1/members", Admin),
    r("POST", "/t/{slug}/api/v1/members", Admin),
];

/// Routes outside any tenant: all public and read-only.
pub const PLATFORM_ROUTES: &[Route] = &[
    r("GET", "/", Public),
    r("GET", "/healthz", Public),
    r("GET", "/readyz", Public),
    r("GET", "/static/{file}", Public),
    r("GET", "/api/openapi.json", Public),
    r("GET", "/api/docs", Public),
    r("GET", "/ops", Public),
];

pub fn lookup(method: &str, path: &str) -> Option<&'static Route> {
    TENANT_ROUTES.iter().find(|r| r.path == path && r.method == method)
}

pub fn router(state: AppState) -> Router {
    let tenant = Router::new()
        .route("/t/{slug}", get(auth::tenant_root))
        .route("/t/{slug}/login", get(auth::login_page).post(auth::login))
        .route("/t/{slug}/forgot-password", get(auth::forgot_page).post(auth::forgot))
        .route("/t/{slug}/activate/{token}", get(auth::activate_page).post(auth::activate))
        .route("/t/{slug}/reset/{token}", get(auth::reset_page).post(auth::reset))
        .route("/t/{slug}/", get(account::home))
        .route("/t/{slug}/logout", post(auth::logout))
        .route("/t/{slug}/settings/profile", get(account::profile_page).post(account::profile))
        .route("/t/{slug}/settings/reminders", post(account::reminders))
        .route("/t/{slug}/search", get(search::page))
        .route("/t/{slug}/api/v1/search", get(search::api))
        .route("/t/{slug}/settings/calendar-feed", post(account::calendar_feed))
        .route("/t/{slug}/settings/calendar-feed/revoke", post(account::revoke_calendar_feed))
        .route("/t/{slug}/feed/{token}", get(account::feed))
        .route("/t/{slug}/settings/password", get(account::password_page).post(account::password))
        .route("/t/{slug}/settings/sessions", get(account::sessions_page))
        .route("/t/{slug}/settings/sessions/{id}/end", post(account::end_session))
        .route("/t/{slug}/settings/tokens", get(account::tokens_page).post(account::create_token))
        .route("/t/{slug}/settings/tokens/{id}/revoke", post(account::revoke_token))
        .route("/t/{slug}/admin/members", get(admin::members_page))
        .route("/t/{slug}/admin/members/invite", post(admin::invite))
        .route("/t/{slug}/admin/members/{id}/role", post(admin::set_role))
        .route("/t/{slug}/admin/members/{id}/disable", post(admin::disable))
        .route("/t/{slug}/admin/members/{id}/enable", post(admin::enable))
        .route("/t/{slug}/admin/audit", get(admin::audit_page))
        .route("/t/{slug}/admin/encryption", get(admin::encryption_page))
        .route("/t/{slug}/admin/backups", get(admin::backups_page))
        .route("/t/{slug}/admin/actions", get(admin::actions_page))
        .route("/t/{slug}/admin/encryption/enable", post(admin::enable_encryption))
        .route("/t/{slug}/admin/support", get(support::admin_page))
        .route("/t/{slug}/admin/support/grants", post(support::grant))
        .route("/t/{slug}/admin/support/revoke", post(support::revoke))
        .route(
            "/t/{slug}/support",
            get(support::page)
                .post(support::send)
                .layer(axum::extract::DefaultBodyLimit::max(crate::middleware::MAX_UPLOAD_BYTES)),
        )
        .route("/t/{slug}/support/events", get(support::events))
        .route("/t/{slug}/support/unread", get(support::unread))
        .route("/t/{slug}/support/images/{id}", get(support::image))
        .route("/t/{slug}/meetings", get(meetings::list).post(meetings::create))
        .route("/t/{slug}/templates", get(templates::page).post(templates::save))
        .route("/t/{slug}/templates/{id}/delete", post(templates::delete))
        .route("/t/{slug}/api/v1/templates", get(templates::api_list).post(templates::api_create))
        .route("/t/{slug}/api/v1/templates/{id}", axum::routing::delete(templates::api_delete))
        .route("/t/{slug}/meetings/{id}", get(meetings::show))
        .route("/t/{slug}/meetings/{id}/events", get(meetings::events))
        .route("/t/{slug}/meetings/{id}/minutes.md", get(meetings::minutes_markdown))
        .route("/t/{slug}/meetings/{id}/minutes.html", get(meetings::minutes_html))
        .route("/t/{slug}/meetings/{id}/minutes.pdf", get(meetings::minutes_pdf))
        .route("/t/{slug}/api/v1/meetings/{id}/minutes", get(api::minutes))
        .route("/t/{slug}/meetings/{id}/edit", post(meetings::edit))
        .route("/t/{slug}/meetings/{id}/participants", post(meetings::add_participant))
        .route("/t/{slug}/meetings/{id}/participants/{user}/role", post(meetings::set_participant_role))
        .route("/t/{slug}/meetings/{id}/participants/{user}/remove", post(meetings::remove_participant))
        .route("/t/{slug}/meetings/{id}/participants/{user}/presence", post(meetings::set_presence))
        .route("/t/{slug}/meetings/{id}/share", post(meetings::share))
        .route("/t/{slug}/meetings/{id}/minutes/send", post(meetings::send_minutes))
        .route("/t/{slug}/meetings/{id}/next", post(meetings::prepare_next))
        .route("/t/{slug}/series/{series}", get(meetings::series_page))
        .route("/t/{slug}/meetings/{id}/cancel", post(meetings::cancel))
        .route("/t/{slug}/meetings/{id}/archive", post(meetings::archive))
        .route("/t/{slug}/meetings/{id}/topics", post(meetings::add_topic))
        .route("/t/{slug}/meetings/{id}/topics/{topic}/contributors", post(meetings::assign_contributor))
        .route("/t/{slug}/meetings/{id}/topics/{topic}/contributors/{user}/remove", post(meetings::remove_contributor))
        .route("/t/{slug}/meetings/{id}/topics/{topic}/move", post(meetings::move_topic))
        .route("/t/{slug}/meetings/{id}/topics/{topic}/edit", post(meetings::rename_topic))
        .route("/t/{slug}/meetings/{id}/topics/{topic}/delete", post(meetings::delete_topic))
        .route("/t/{slug}/meetings/{id}/elements", post(meetings::add_element))
        .route("/t/{slug}/meetings/{id}/elements/{element}/status", post(meetings::set_action_status))
        .route("/t/{slug}/meetings/{id}/elements/{element}/move", post(meetings::move_element))
        .route("/t/{slug}/meetings/{id}/elements/{element}/comments", post(meetings::add_comment))
        .route(
            "/t/{slug}/meetings/{id}/elements/{element}/edit",
            get(meetings::edit_element_page).post(meetings::edit_element),
        )
        .route("/t/{slug}/meetings/{id}/elements/{element}/delete", post(meetings::delete_element))
        .route("/t/{slug}/meetings/{id}/comments/{comment}/delete", post(meetings::delete_comment))
        .route(
            "/t/{slug}/meetings/{id}/images",
            post(meetings::upload_image)
                .layer(axum::extract::DefaultBodyLimit::max(crate::middleware::MAX_UPLOAD_BYTES)),
        )
        .route("/t/{slug}/meetings/{id}/elements/{element}/image", get(meetings::show_image))
        .route("/t/{slug}/api/v1/me", get(api::me))
        .route("/t/{slug}/api/v1/sessions", get(api::sessions))
        .route("/t/{slug}/api/v1/sessions/{id}", delete(api::end_session))
        .route("/t/{slug}/api/v1/members", get(api::members).post(api::invite))
        .route("/t/{slug}/api/v1/meetings", get(api::list_meetings).post(api::create_meeting))
        .route("/t/{slug}/api/v1/meetings/{id}", get(api::get_meeting).patch(api::update_meeting))
        .route("/t/{slug}/api/v1/meetings/{id}/cancel", post(api::cancel_meeting))
        .route("/t/{slug}/api/v1/meetings/{id}/archive", post(api::archive_meeting))
        .route("/t/{slug}/api/v1/meetings/{id}/participants", post(api::add_participant))
        .route(
            "/t/{slug}/api/v1/meetings/{id}/participants/{user}",
            patch(api::set_participant_role).delete(api::remove_participant),
        )
        .route("/t/{slug}/api/v1/meetings/{id}/share", post(api::share_meeting))
        .route("/t/{slug}/api/v1/meetings/{id}/minutes/send", post(api::send_minutes))
        .route("/t/{slug}/api/v1/meetings/{id}/next", post(api::prepare_next))
        .route("/t/{slug}/api/v1/series/{series}", get(api::series))
        .route("/t/{slug}/api/v1/meetings/{id}/topics", post(api::add_topic))
        .route("/t/{slug}/api/v1/meetings/{id}/topics/{topic}", patch(api::rename_topic).delete(api::delete_topic))
        .route("/t/{slug}/api/v1/meetings/{id}/topics/{topic}/move", post(api::move_topic))
        .route("/t/{slug}/api/v1/meetings/{id}/topics/{topic}/contributors", post(api::assign_contributor))
        .route("/t/{slug}/api/v1/meetings/{id}/topics/{topic}/contributors/{user}", delete(api::remove_contributor))
        .route("/t/{slug}/api/v1/meetings/{id}/elements", post(api::add_element))
        .route(
            "/t/{slug}/api/v1/meetings/{id}/elements/{element}",
            patch(api::update_element).delete(api::delete_element),
        )
        .route("/t/{slug}/api/v1/meetings/{id}/elements/{element}/move", post(api::move_element))
        .route("/t/{slug}/api/v1/meetings/{id}/elements/{element}/comments", post(api::add_comment))
        .route("/t/{slug}/api/v1/meetings/{id}/elements/{element}/status", post(api::set_action_status))
        .route("/t/{slug}/api/v1/meetings/{id}/elements/{element}/image", get(api::image))
        .route(
            "/t/{slug}/api/v1/meetings/{id}/images",
            post(api::upload_image).layer(axum::extract::DefaultBodyLimit::max(crate::middleware::MAX_UPLOAD_BYTES)),
        )
        .route("/t/{slug}/api/v1/meetings/{id}/comments/{comment}", delete(api::delete_comment))
        .route("/t/{slug}/api/v1/actions", get(api::my_actions))
        .route("/t/{slug}/api/v1/people", get(api::people))
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), middleware::tenant_context));

    Router::new()
        .route("/", get(system::landing))
        .route("/healthz", get(system::healthz))
        .route("/readyz", get(system::readyz))
        .route("/static/{file}", get(system::static_file))
        .route("/api/openapi.json", get(system::openapi))
        .route("/api/docs", get(system::api_docs))
        .merge(tenant)
        .route("/ops", get(|| async { axum::response::Redirect::permanent("/ops/") }))
        .merge(crate::ops::router(state.clone()))
        .fallback(system::not_found)
        .layer(axum::extract::DefaultBodyLimit::max(1024 * 1024))
        .layer(axum::middleware::from_fn_with_state(state.clone(), middleware::outer))
        .with_state(state)
}
