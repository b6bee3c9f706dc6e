//! Middleware: the outer layer every response passes through (request id,
//! security headers, error rendering, access log), and the tenant layer that
//! resolves the tenant and session, enforces the route table and checks
//! anti-forgery tokens before any handler runs.

use crate::context::{Auth, ClientIp, Ctx};
use crate::cookies;
use crate::error::{ErrorInfo, WebError};
use crate::routes::{self, Access};
use crate::state::AppState;
use axum::body::Body;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use ordo_app::i18n::Tr;
use ordo_core::tenant::Slug;
use ordo_core::user::Locale;
use std::net::{IpAddr, SocketAddr};

/// Content-Security-Policy: nothing inline, nothing from elsewhere.
pub const CSP: &str =
    "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/// Bodies of state-changing requests are buffered (to read the anti-forgery
/// token of forms) up to this size.
const MAX_FORM_BYTES: usize = 256 * 1024;

pub async fn outer(
    State(st): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    mut req: Request,
    next: Next,
) -> Response {
    let started = std::time::Instant::now();
    let request_id = ordo_crypto::random::token(9).unwrap_or_else(|_| "-".into());
    let ip = client_ip(&st, peer.ip(), req.headers());
    let method = req.method().clone();
    let path = redact_path(req.uri().path());
    let is_api = req.uri().path().contains("/api/");
    let accept_locale = accept_locale(req.headers());
    let is_static = req.uri().path().starts_with("/static/");
    // The route's template, never the path itself (ids, tokens).
    let route = req
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |m| m.as_str().to_owned());

    req.extensions_mut().insert(ClientIp(ip.clone()));

    // Every log line of this request carries its id (shown to the user on
    // error pages), the client address and the route's template; the tenant
    // layer adds the tenant and the user, the console the staff member.
    let span = tracing::info_span!(
        "request",
        request_id = %request_id,
        ip = %ip,
        route = %route,
        tenant = tracing::field::Empty,
        user = tracing::field::Empty,
        staff = tracing::field::Empty,
    );
    let mut res = if method == Method::TRACE || method == Method::CONNECT {
        StatusCode::METHOD_NOT_ALLOWED.into_response()
    } else {
        // A client that sends its body too slowly, or a handler stuck on
        // something, ends here rather than holding the connection.
        let run = tracing::Instrument::instrument(next.run(req), span.clone());
        match tokio::time::timeout(st.options.timeouts.request, run).await {
            Ok(res) => res,
            Err(_) => {
                let _e = span.enter();
                tracing::warn!("request timed out");
                WebError::Timeout.into_response()
            }
        }
    };
    let _entered = span.enter();

    if let Some(info) = res.extensions().get::<ErrorInfo>().cloned() {
        let locale = res.extensions().get::<Locale>().copied().unwrap_or(accept_locale);
        res = render_error(res, &info, Tr::new(locale), &request_id, is_api);
    }
    let h = res.headers_mut();
    h.insert("content-security-policy", HeaderValue::from_static(CSP));
    h.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    h.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    h.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    h.insert("cross-origin-resource-policy", HeaderValue::from_static("same-origin"));
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    h.insert("permissions-policy", HeaderValue::from_static("camera=(), microphone=(), geolocation=(), payment=()"));
    if st.app.settings.is_https() {
        h.insert("strict-transport-security", HeaderValue::from_static("max-age=63072000; includeSubDomains"));
    }
    if !is_static {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        h.insert("x-request-id", v);
    }
    let elapsed = started.elapsed();
    st.app.metrics.request(&route, metric_method(&method), res.status().as_u16(), elapsed.as_secs_f64());
    tracing::info!(%method, path, status = res.status().as_u16(), ms = elapsed.as_millis() as u64, "request");
    res
}

/// The method as a metrics label: a closed set, whatever a client sends
/// (each label value is a time series kept in memory).
fn metric_method(m: &Method) -> &'static str {
    match *m {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// Never log single-use tokens that travel in paths.
fn redact_path(path: &str) -> String {
    let mut out = Vec::new();
    let mut hide_next = false;
    for seg in path.split('/') {
        if hide_next && !seg.is_empty() {
            out.push("[redacted]");
            hide_next = false;
            continue;
        }
        hide_next = matches!(seg, "activate" | "reset" | "feed");
        out.push(seg);
    }
    out.join("/")
}

pub(crate) fn accept_locale(h: &HeaderMap) -> Locale {
    h.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).map(Locale::from_accept_language).unwrap_or_default()
}

fn client_ip(st: &AppState, peer: IpAddr, h: &HeaderMap) -> String {
    if st.options.trusted_proxies.contains(&peer) {
        // The right-most address not added by one of our own proxies.
        let forwarded: Vec<IpAddr> = h
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|s| s.trim().parse().ok())
            .collect();
        if let Some(ip) = forwarded.iter().rev().find(|ip| !st.options.trusted_proxies.contains(ip)) {
            return ip.to_string();
        }
    }
    peer.to_string()
}

fn render_error(res: Response, info: &ErrorInfo, tr: Tr, request_id: &str, is_api: bool) -> Response {
    let status = res.status();
    let key = format!("error.{}", info.code);
    let message = if tr.has(&key) { tr.t(&key).to_owned() } else { tr.t("error.generic").to_owned() };
    let (mut parts, _) = res.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    let body = if is_api {
        parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        let mut err = serde_json::json!({ "code": info.code, "message": message, "request_id": request_id });
        if let Some(f) = &info.field {
            err["field"] = serde_json::Value::String(f.clone());
        }
        serde_json::json!({ "error": err }).to_string()
    } else {
        parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
        crate::pages::error_page(tr, status, &message, request_id)
    };
    Response::from_parts(parts, Body::from(body))
}

fn route_is_api(path: &str) -> bool {
    path.contains("/api/")
}

pub(crate) fn is_unsafe(m: &Method) -> bool {
    !matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Resolve tenant and session, enforce the route table, check CSRF.
pub async fn tenant_context(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let locale_hint = accept_locale(req.headers());
    match tenant_context_inner(st, req, next).await {
        Ok(res) => res,
        Err((e, locale)) => {
            let mut res = e.into_response();
            res.extensions_mut().insert(locale.unwrap_or(locale_hint));
            res
        }
    }
}

async fn tenant_context_inner(st: AppState, req: Request, next: Next) -> Result<Response, (WebError, Option<Locale>)> {
    // HEAD is answered by GET handlers, so it is classified as GET.
    let method = if req.method() == Method::HEAD { "GET" } else { req.method().as_str() };
    let route = req.extensions().get::<MatchedPath>().and_then(|m| routes::lookup(method, m.as_str()));
    let Some(route) = route else {
        let matched = req.extensions().get::<MatchedPath>().map(|m| m.as_str().to_owned()).unwrap_or_default();
        if routes::TENANT_ROUTES.iter().any(|r| r.path == matched) {
            // The path exists, not with this method.
            return Ok(StatusCode::METHOD_NOT_ALLOWED.into_response());
        }
        // A route missing from the table is refused rather than served unchecked.
        tracing::error!(path = matched, "route missing from the route table");
        return Err((WebError::Internal("unclassified route"), None));
    };
    let slug = req.uri().path().split('/').nth(2).unwrap_or("");
    let slug = Slug::parse(slug).map_err(|_| (WebError::NotFound, None))?;
    let app = &st.app;
    let tenant = ordo_app::platform::tenant_by_slug(app, &slug)
        .await
        .map_err(|e| (WebError::from(e), None))?
        .ok_or((WebError::NotFound, None))?;
    tracing::Span::current().record("tenant", tracing::field::display(&tenant.slug));

    let headers = req.headers();
    let session_cookie = cookies::get(headers, cookies::SESSION);
    let mut foreign_session = false;
    let mut auth = None;
    // API calls may carry a personal token instead of the session cookie.
    // A token is not an ambient credential: no anti-forgery token needed.
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| route_is_api(route.path) && !t.is_empty())
        .map(str::to_owned);
    let via_token = bearer.is_some();
    if let Some(secret) = &bearer {
        use ordo_app::accounts::TokenLookup;
        match ordo_app::accounts::resolve_api_token(app, &tenant, secret)
            .await
            .map_err(|e| (WebError::from(e), None))?
        {
            TokenLookup::Mine(user) => auth = Some(Auth { session: None, user: *user }),
            TokenLookup::Foreign => foreign_session = true,
            TokenLookup::None => return Err((WebError::Unauthenticated, None)),
        }
    } else if let Some(secret) = &session_cookie {
        use ordo_app::accounts::SessionLookup;
        match ordo_app::accounts::resolve_session(app, &tenant, secret).await.map_err(|e| (WebError::from(e), None))? {
            SessionLookup::Mine(session, user) => auth = Some(Auth { session: Some(*session), user: *user }),
            SessionLookup::Foreign => foreign_session = true,
            SessionLookup::None => {}
        }
    }
    if let Some(a) = &auth {
        tracing::Span::current().record("user", tracing::field::display(a.user.id));
    }
    let locale = auth.as_ref().and_then(|a| a.user.locale).unwrap_or_else(|| accept_locale(headers));
    let fail = |e: WebError| (e, Some(locale));
    let is_api = route.path.contains("/api/");

    match (route.access, &auth) {
        (Access::Public, _) => {}
        (_, None) if foreign_session => {
            tracing::warn!(tenant = %tenant.slug, route = route.path, "session of another tenant refused");
            return Err(fail(WebError::NotFound));
        }
        (_, None) if is_api || req.method() != Method::GET => {
            return Err(fail(WebError::Unauthenticated));
        }
        (_, None) => {
            let next_path = req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/");
            let to = format!(
                "/t/{}/login?next={}",
                tenant.slug,
                form_urlencoded::byte_serialize(next_path.as_bytes()).collect::<String>()
            );
            return Ok(Redirect::to(&to).into_response());
        }
        (Access::Admin, Some(a)) if !ordo_app::accounts::can_view_members(&a.user) => {
            return Err(fail(WebError::Forbidden));
        }
        (Access::Member, Some(a)) if !ordo_core::meeting::can_create_meetings(a.user.role) => {
            return Err(fail(WebError::Forbidden));
        }
        _ => {}
    }

    let anon_cookie = cookies::get(headers, cookies::ANON_CSRF);
    let new_anon = if auth.is_none() && anon_cookie.is_none() { ordo_crypto::random::token(32).ok() } else { None };
    let anon_csrf = anon_cookie.clone().or_else(|| new_anon.clone()).unwrap_or_default();

    let ip = req.extensions().get::<ClientIp>().map(|r| r.0.clone()).unwrap_or_default();
    let user_agent = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();

    let mut req = req;
    if is_unsafe(req.method()) && !via_token {
        check_origin(&st, req.headers()).map_err(fail)?;
        let expected = match &auth {
            Some(a) => a.session.as_ref().map(|s| s.csrf_token.clone()),
            None => anon_cookie.clone(),
        };
        let (checked, rebuilt) = check_csrf_token(req, expected.as_deref()).await;
        req = rebuilt;
        checked.map_err(fail)?;
    }

    let tenant_id = tenant.id;
    let ctx = Ctx { tenant, auth, locale, ip, user_agent, session_cookie, anon_csrf };
    req.extensions_mut().insert(ctx);
    // From here on the database, not only the queries, keeps the request to
    // its tenant's rows (the lookups above may look across tenants: a
    // session or token of another tenant is refused, not just missed).
    let mut res = ordo_app::platform::as_tenant(tenant_id, next.run(req)).await;
    // The tenant watch's error rate: server errors among this tenant's answers.
    st.app.metrics.tenant_request(tenant_id, res.status().is_server_error());
    res.extensions_mut().insert(locale);
    if let Some(token) = new_anon {
        res.headers_mut().append(header::SET_COOKIE, cookies::set(cookies::ANON_CSRF, &token));
    }
    Ok(res)
}

/// Browsers say where a request comes from; refuse cross-site writes even
/// before looking at the token.
pub(crate) fn check_origin(st: &AppState, h: &HeaderMap) -> Result<(), WebError> {
    if let Some(site) = h.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && site != "same-origin"
    {
        tracing::warn!(sec_fetch_site = site, "cross-site write refused");
        return Err(WebError::Csrf);
    }
    if let Some(origin) = h.get(header::ORIGIN)
        && origin.to_str().ok() != Some(&*st.origin)
    {
        tracing::warn!(origin = ?origin, expected = %st.origin, "write from another origin refused");
        return Err(WebError::Csrf);
    }
    Ok(())
}

/// The token comes in the `X-CSRF-Token` header (scripts, API) or the `_csrf`
/// field of a urlencoded form; either way it must equal the expected one.
pub(crate) async fn check_csrf_token(req: Request, expected: Option<&str>) -> (Result<(), WebError>, Request) {
    let Some(expected) = expected else {
        return (Err(WebError::Csrf), req);
    };
    if let Some(v) = req.headers().get("x-csrf-token") {
        let ok = ordo_crypto::constant_time_eq(v.as_bytes(), expected.as_bytes());
        return (if ok { Ok(()) } else { Err(WebError::Csrf) }, req);
    }
    let ctype = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    if ctype.starts_with("multipart/form-data") {
        return check_multipart_token(req, expected, &ctype).await;
    }
    let is_form = ctype.starts_with("application/x-www-form-urlencoded");
    if !is_form {
        return (Err(WebError::Csrf), req);
    }
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_FORM_BYTES).await {
        Ok(b) => b,
        Err(_) => {
            return (Err(WebError::TooLarge), Request::from_parts(parts, Body::empty()));
        }
    };
    let ok = form_urlencoded::parse(&bytes)
        .find(|(k, _)| k == "_csrf")
        .is_some_and(|(_, v)| ordo_crypto::constant_time_eq(v.as_bytes(), expected.as_bytes()));
    if !ok {
        tracing::warn!("write refused: anti-forgery token missing or wrong");
    }
    (if ok { Ok(()) } else { Err(WebError::Csrf) }, Request::from_parts(parts, Body::from(bytes)))
}

/// Uploads (multipart forms) carry the token as their `_csrf` part. The body
/// is read once (within the upload limit), checked, and handed on intact.
async fn check_multipart_token(req: Request, expected: &str, ctype: &str) -> (Result<(), WebError>, Request) {
    use axum::extract::FromRequest;
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_UPLOAD_BYTES).await {
        Ok(b) => b,
        Err(_) => return (Err(WebError::TooLarge), Request::from_parts(parts, Body::empty())),
    };
    let probe = Request::builder().header(header::CONTENT_TYPE, ctype).body(Body::from(bytes.clone()));
    let mut found = None;
    if let Ok(probe) = probe
        && let Ok(mut mp) = axum::extract::Multipart::from_request(probe, &()).await
    {
        while let Ok(Some(field)) = mp.next_field().await {
            if field.name() == Some("_csrf") {
                found = field.text().await.ok();
                break;
            }
        }
    }
    let ok = found.is_some_and(|v| ordo_crypto::constant_time_eq(v.as_bytes(), expected.as_bytes()));
    if !ok {
        tracing::warn!("upload refused: anti-forgery token missing or wrong");
    }
    (if ok { Ok(()) } else { Err(WebError::Csrf) }, Request::from_parts(parts, Body::from(bytes)))
}

/// The largest request body an upload may have (images up to their own
/// limit, checked by the use case, plus the form around them).
pub const MAX_UPLOAD_BYTES: usize = 12 * 1024 * 1024;

#[cfg(test)]
mod tests {
    #[test]
    fn tokens_in_paths_are_redacted() {
        assert_eq!(super::redact_path("/t/acme/activate/SECRET"), "/t/acme/activate/[redacted]");
        assert_eq!(super::redact_path("/t/acme/reset/SECRET"), "/t/acme/reset/[redacted]");
        assert_eq!(super::redact_path("/t/acme/feed/SECRET"), "/t/acme/feed/[redacted]");
        assert_eq!(super::redact_path("/t/acme/login"), "/t/acme/login");
    }
}
