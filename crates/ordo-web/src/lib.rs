//! Ordo's HTTP layer (axum): server-rendered pages, the JSON API, sessions,
//! CSRF defences, security headers and the route table that decides who may
//! reach what. Handlers are thin: they read the request, call a use case in
//! `ordo-app`, and render the answer.
#![forbid(unsafe_code)]

pub mod console;
mod context;
mod cookies;
pub mod costly;
mod error;
mod extract;
mod features;
mod middleware;
pub mod openapi;
mod pages;
mod respond;
pub mod routes;
mod state;

pub use state::{AppState, Timeouts, WebOptions};

use std::future::Future;

/// Serve Ordo on an already-bound listener until `shutdown` resolves, then
/// finish the requests in flight (graceful shutdown, at most 30 s). Tests
/// bind `127.0.0.1:0` and call this, so they drive the real server.
///
/// The connections are hyper's own (HTTP/1.1) rather than `axum::serve`'s,
/// for one reason: a header-read timeout. Without a timer hyper never ends a
/// connection whose client sends its headers a byte at a time, or nothing.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use tower_service::Service as _;
    let header_read = state.options.timeouts.header_read;
    let router = routes::router(state);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                // Out of file descriptors and the like: wait, do not spin.
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut req: axum::http::Request<hyper::body::Incoming>| {
            req.extensions_mut().insert(axum::extract::ConnectInfo(peer));
            router.clone().call(req.map(axum::body::Body::new))
        });
        let conn = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(header_read)
            .serve_connection(TokioIo::new(stream), service);
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, "connection ended");
            }
        });
    }
    drop(listener);
    if tokio::time::timeout(std::time::Duration::from_secs(30), graceful.shutdown()).await.is_err() {
        tracing::warn!("connections still open 30 s after shutdown began; closing them");
    }
    Ok(())
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
