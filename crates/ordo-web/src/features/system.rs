//! Platform routes: landing page, health, readiness, static files, 404.

use crate::error::WebError;
use crate::pages::{LandingTpl, ok};
use crate::routes::{Decl, Guard, get};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ordo_app::i18n::Tr;
use ordo_core::user::Locale;
use std::sync::OnceLock;

/// Routes outside any tenant: all public and read-only.
pub fn decls() -> Vec<Decl> {
    vec![
        get("/", Guard::Public, landing),
        get("/healthz", Guard::Public, healthz),
        get("/readyz", Guard::Public, readyz),
        get("/static/{file}", Guard::Public, static_file),
        get("/api/openapi.json", Guard::Public, openapi),
        get("/api/docs", Guard::Public, api_docs),
        get("/ops", Guard::Public, || async { axum::response::Redirect::permanent("/ops/") }),
    ]
}

/// The root page. In production it lists no tenants: nobody learns who
/// uses this server. In development it links to each tenant's sign-in, so
/// a newcomer who ran the server finds their way in.
#[tracing::instrument(skip_all)]
async fn landing(State(st): State<AppState>, headers: HeaderMap) -> Response {
    let locale = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(Locale::from_accept_language)
        .unwrap_or_default();
    let tenants = if st.app.settings.mode == ordo_app::Mode::Development {
        ordo_app::platform::list_tenants(&st.app)
            .await
            .unwrap_or_default()
            .into_iter()
            .take(50)
            .map(|t| (t.slug.as_str().to_owned(), t.name))
            .collect()
    } else {
        Vec::new()
    };
    ok(&LandingTpl { tr: Tr::new(locale), tenants })
}

/// Liveness: the process answers.
#[tracing::instrument(skip_all)]
async fn healthz() -> &'static str {
    "ok"
}

/// Readiness: the database answers.
#[tracing::instrument(skip_all)]
async fn readyz(State(st): State<AppState>) -> Response {
    if st.app.ready().await {
        (StatusCode::OK, "ready").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
    }
}

/// The static files, built into the binary: (name, content type, bytes).
const STATIC: [(&str, &str, &[u8]); 4] = [
    ("app.css", "text/css; charset=utf-8", include_bytes!("../../static/app.css")),
    ("app.js", "text/javascript; charset=utf-8", include_bytes!("../../static/app.js")),
    // The rich-text editor, loaded by the pages that edit rich text only
    // (built by scripts/build-editor.sh).
    ("editor.js", "text/javascript; charset=utf-8", include_bytes!("../../static/editor.js")),
    ("favicon.svg", "image/svg+xml", include_bytes!("../../static/favicon.svg")),
];

/// Each static file gzipped, once (the editor's 218 KiB are 68 KiB so).
fn gzipped(i: usize) -> &'static [u8] {
    static GZ: [OnceLock<Vec<u8>>; 4] = [const { OnceLock::new() }; 4];
    GZ[i].get_or_init(|| {
        use std::io::Write;
        let mut z = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        // Writing to memory cannot fail; an empty body would only be smaller.
        let _ = z.write_all(STATIC[i].2);
        z.finish().unwrap_or_default()
    })
}

#[tracing::instrument(skip_all)]
async fn static_file(Path(file): Path<String>, headers: HeaderMap) -> Response {
    let Some(i) = STATIC.iter().position(|(name, _, _)| *name == file) else {
        return WebError::NotFound.into_response();
    };
    let (_, ctype, body) = STATIC[i];
    let gzip = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|e| e.split(';').next().is_some_and(|e| e.trim() == "gzip")));
    let mut res = if gzip && body.len() > 1024 { gzipped(i).into_response() } else { body.into_response() };
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ctype));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    if gzip && body.len() > 1024 {
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    res
}

#[tracing::instrument(skip_all)]
pub async fn not_found() -> WebError {
    WebError::NotFound
}

/// The OpenAPI 3.1 description of the API. It is built from static
/// declarations, so it is built once and served as the same bytes: the
/// route is public, and the document lists every time zone.
#[tracing::instrument(skip_all)]
async fn openapi() -> Response {
    static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
    let body = BYTES.get_or_init(|| serde_json::to_vec(crate::openapi::cached()).unwrap_or_default());
    let mut res = body.as_slice().into_response();
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    res
}

/// The operations of the readable reference, read once from the document.
fn api_ops() -> &'static [crate::pages::ApiOp] {
    static OPS: OnceLock<Vec<crate::pages::ApiOp>> = OnceLock::new();
    OPS.get_or_init(|| {
        let doc = crate::openapi::cached();
        let mut ops = Vec::new();
        for (path, item) in doc["paths"].as_object().into_iter().flatten() {
            for (method, op) in item.as_object().into_iter().flatten() {
                let req = &op["requestBody"]["content"]["application/json"]["schema"];
                ops.push(crate::pages::ApiOp {
                    method: method.to_uppercase(),
                    path: path.clone(),
                    summary: op["summary"].as_str().unwrap_or("").to_owned(),
                    request: if req.is_null() {
                        String::new()
                    } else {
                        serde_json::to_string_pretty(req).unwrap_or_default()
                    },
                });
            }
        }
        ops
    })
}

/// A readable reference of the API, from the same document.
#[tracing::instrument(skip_all)]
async fn api_docs(headers: HeaderMap) -> Response {
    let locale = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(Locale::from_accept_language)
        .unwrap_or_default();
    ok(&crate::pages::ApiDocsTpl {
        tr: Tr::new(locale),
        intro: crate::openapi::cached()["info"]["description"].as_str().unwrap_or(""),
        ops: api_ops(),
    })
}
