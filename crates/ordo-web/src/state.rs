use ordo_app::App;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

/// Options of the HTTP layer only.
#[derive(Clone, Debug)]
pub struct WebOptions {
    /// Reverse proxies whose `X-Forwarded-For` is believed. Requests from any
    /// other peer are attributed to the peer's own address.
    pub trusted_proxies: Vec<IpAddr>,
    pub timeouts: Timeouts,
    /// Costly requests (exports, search, the audit log) one client may run
    /// at once (see [`crate::costly`]).
    pub costly_per_client: usize,
}

impl Default for WebOptions {
    fn default() -> Self {
        // Two: a user with the page and an export open at once is not held
        // back; a script firing dozens is.
        Self { trusted_proxies: Vec::new(), timeouts: Timeouts::default(), costly_per_client: 2 }
    }
}

/// How long a client may take, so that a slow one cannot hold a connection
/// (and its memory) forever.
#[derive(Clone, Copy, Debug)]
pub struct Timeouts {
    /// To send a request's line and headers, and between requests on a
    /// kept-alive connection.
    pub header_read: Duration,
    /// From the headers to the answer's headers: reading the body and
    /// handling it. Event streams answer at once and then stream, so their
    /// length is their own (a minute for a meeting, then the browser
    /// reconnects).
    pub request: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self { header_read: Duration::from_secs(30), request: Duration::from_secs(60) }
    }
}

#[derive(Clone, Debug)]
pub struct AppState {
    pub app: App,
    pub options: Arc<WebOptions>,
    /// `scheme://host[:port]` of the public URL, for Origin checks.
    pub origin: Arc<str>,
    /// The slots of costly requests, per client.
    pub costly: Arc<crate::costly::ClientSlots>,
}

impl AppState {
    pub fn new(app: App, options: WebOptions) -> Self {
        let origin = origin_of(&app.settings.public_url);
        let costly = crate::costly::ClientSlots::new(options.costly_per_client);
        Self { app, options: Arc::new(options), origin: origin.into(), costly }
    }
}

/// The origin part of a URL: scheme, host and port, no path.
fn origin_of(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let host = rest.split('/').next().unwrap_or("");
            format!("{scheme}://{host}")
        }
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn origins() {
        assert_eq!(super::origin_of("https://ordo.example.com/base"), "https://ordo.example.com");
        assert_eq!(super::origin_of("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
    }
}
