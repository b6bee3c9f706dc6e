//! Ordo's HTTP layer (axum): server-rendered pages, the JSON API, sessions,
//! CSRF defences, security headers and the route table that decides who may
//! reach what. Handlers are thin: they read the request, call a use case in
//! `ordo-app`, and render the answer.
#![forbid(unsafe_code)]

pub mod console;
mod context;
mod cookies;
mod error;
mod extract;
mod features;
mod middleware;
pub mod openapi;
mod pages;
mod respond;
pub mod routes;
mod state;

pub use state::{AppState, WebOptions};

use std::future::Future;
use std::net::SocketAddr;

/// Serve Ordo on an already-bound listener until `shutdown` resolves, then
/// finish the requests in flight (graceful shutdown). Tests bind
/// `127.0.0.1:0` and call this, so they drive the real server.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = routes::router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await
}

/// Serve the metrics (Prometheus text format, `GET /metrics`) on a listener
/// of their own, never the public one, until `shutdown` resolves.
pub async fn serve_metrics(
    listener: tokio::net::TcpListener,
    app: ordo_app::App,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use axum::response::IntoResponse;
    let router = axum::Router::new().route(
        "/metrics",
        axum::routing::get(|axum::extract::State(app): axum::extract::State<ordo_app::App>| async move {
            match ordo_app::metrics::render(&app).await {
                Ok(text) => ([(axum::http::header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response(),
                Err(e) => {
                    tracing::error!(error = %e, "metrics could not be read");
                    axum::http::StatusCode::SERVICE_UNAVAILABLE.into_response()
                }
            }
        }),
    );
    axum::serve(listener, router.with_state(app)).with_graceful_shutdown(shutdown).await
}
