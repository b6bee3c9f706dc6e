use ordo_app::App;
use std::net::IpAddr;
use std::sync::Arc;

/// Options of the HTTP layer only.
#[derive(Clone, Debug, Default)]
pub struct WebOptions {
    /// Reverse proxies whose `X-Forwarded-For` is believed. Requests from any
    /// other peer are attributed to the peer's own address.
    pub trusted_proxies: Vec<IpAddr>,
}

#[derive(Clone, Debug)]
pub struct AppState {
    pub app: App,
    pub options: Arc<WebOptions>,
    /// `scheme://host[:port]` of the public URL, for Origin checks.
    pub origin: Arc<str>,
}

impl AppState {
    pub fn new(app: App, options: WebOptions) -> Self {
        let origin = origin_of(&app.settings.public_url);
        Self { app, options: Arc::new(options), origin: origin.into() }
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
