//! Route declarations. Every feature module declares each of its routes
//! once — method, path, who may reach it (and, on one meeting, the policy
//! action its use case checks), the handler, and for the JSON API what its
//! bodies are — and both the route table and the axum router are built
//! from those declarations. The tenant middleware looks the matched route
//! up in the table and refuses any route missing from it (fail closed);
//! the isolation and access tests walk the same table, and the OpenAPI
//! document is built from it, so a new route cannot escape any of them.

use crate::openapi::Doc;
use crate::state::AppState;
use axum::Router;
use axum::handler::Handler;
use axum::routing::MethodRouter;
use ordo_core::meeting::MeetingAction;
use std::sync::LazyLock;

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
    /// A client runs at most a few of these at once ([`crate::costly`]).
    pub costly: bool,
}

/// Who may reach a route, as a declaration says it.
#[derive(Clone, Copy, Debug)]
pub enum Guard {
    Public,
    User,
    Member,
    Admin,
    /// A signed-in user, and the meeting policy's answer for this action on
    /// the meeting of the path (checked by the use case).
    Meeting(MeetingAction),
}

impl Guard {
    fn split(self) -> (Access, Option<MeetingAction>) {
        match self {
            Guard::Public => (Access::Public, None),
            Guard::User => (Access::User, None),
            Guard::Member => (Access::Member, None),
            Guard::Admin => (Access::Admin, None),
            Guard::Meeting(a) => (Access::User, Some(a)),
        }
    }
}

/// One route, declared once.
pub struct Decl {
    pub route: Route,
    pub handler: MethodRouter<AppState>,
    /// The JSON API's description of the route (API routes only).
    pub doc: Option<Doc>,
}

/// The largest body a public route (no sign-in needed) reads.
pub const PUBLIC_BODY_BYTES: usize = 64 * 1024;

fn decl<H, T>(method: &'static str, path: &'static str, guard: Guard, h: H) -> Decl
where
    H: Handler<T, AppState>,
    T: 'static,
{
    let (access, meeting) = guard.split();
    let handler = match method {
        "GET" => axum::routing::get(h),
        "POST" => axum::routing::post(h),
        "PATCH" => axum::routing::patch(h),
        "PUT" => axum::routing::put(h),
        _ => axum::routing::delete(h),
    };
    let mut handler = handler;
    if access == Access::Public && method != "GET" {
        // Sign-in, activation and reset forms are a few fields: an anonymous
        // client gets far less room than a member's 1 MiB.
        handler = handler.layer(axum::extract::DefaultBodyLimit::max(PUBLIC_BODY_BYTES));
    }
    Decl { route: Route { method, path, access, meeting, costly: false }, handler, doc: None }
}

pub fn get<H: Handler<T, AppState>, T: 'static>(path: &'static str, guard: Guard, h: H) -> Decl {
    decl("GET", path, guard, h)
}
pub fn post<H: Handler<T, AppState>, T: 'static>(path: &'static str, guard: Guard, h: H) -> Decl {
    decl("POST", path, guard, h)
}
pub fn patch<H: Handler<T, AppState>, T: 'static>(path: &'static str, guard: Guard, h: H) -> Decl {
    decl("PATCH", path, guard, h)
}
pub fn put<H: Handler<T, AppState>, T: 'static>(path: &'static str, guard: Guard, h: H) -> Decl {
    decl("PUT", path, guard, h)
}
pub fn delete<H: Handler<T, AppState>, T: 'static>(path: &'static str, guard: Guard, h: H) -> Decl {
    decl("DELETE", path, guard, h)
}

impl Decl {
    /// A larger body than the default (uploads).
    pub fn upload(mut self) -> Self {
        self.handler = self.handler.layer(axum::extract::DefaultBodyLimit::max(crate::middleware::MAX_UPLOAD_BYTES));
        self
    }

    /// An expensive route: a client runs at most a few at once (429 beyond).
    pub fn costly(mut self) -> Self {
        self.route.costly = true;
        self
    }

    /// Describe this API route in the OpenAPI document.
    pub fn doc(mut self, doc: Doc) -> Self {
        self.doc = Some(doc);
        self
    }
}

/// Every route under `/t/{slug}`, from the feature modules.
pub fn tenant_decls() -> Vec<Decl> {
    crate::features::decls()
}

/// The table of every route under `/t/{slug}` (built once).
pub static TENANT_ROUTES: LazyLock<Vec<Route>> =
    LazyLock::new(|| tenant_decls().into_iter().map(|d| d.route).collect());

/// Routes outside any tenant: all public and read-only.
pub static PLATFORM_ROUTES: LazyLock<Vec<Route>> =
    LazyLock::new(|| crate::features::system::decls().into_iter().map(|d| d.route).collect());

pub fn lookup(method: &str, path: &str) -> Option<&'static Route> {
    TENANT_ROUTES.iter().find(|r| r.path == path && r.method == method)
}

/// An axum router from declarations: one `.route` per path, its methods merged.
pub(crate) fn router_of(decls: Vec<Decl>, state: &AppState) -> Router<AppState> {
    let mut by_path: Vec<(&'static str, MethodRouter<AppState>)> = Vec::new();
    for d in decls {
        let handler = if d.route.costly {
            d.handler.layer(axum::middleware::from_fn_with_state(state.clone(), crate::costly::limit))
        } else {
            d.handler
        };
        match by_path.iter_mut().find(|(p, _)| *p == d.route.path) {
            Some((_, m)) => *m = std::mem::take(m).merge(handler),
            None => by_path.push((d.route.path, handler)),
        }
    }
    by_path.into_iter().fold(Router::new(), |r, (path, m)| r.route(path, m))
}

pub fn router(state: AppState) -> Router {
    let tenant = router_of(tenant_decls(), &state)
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), crate::middleware::tenant_context));
    router_of(crate::features::system::decls(), &state)
        .merge(tenant)
        .merge(crate::console::router(state.clone()))
        .fallback(crate::features::system::not_found)
        .layer(axum::extract::DefaultBodyLimit::max(1024 * 1024))
        .layer(axum::middleware::from_fn_with_state(state.clone(), crate::middleware::outer))
        .with_state(state)
}
