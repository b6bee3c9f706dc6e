//! Operations: the tenant watch and alerting (requirement O3). The watch
//! (`watch`) probes every tenant each minute and reads backups, drills,
//! error rates, the disk and the public certificate; the rules (`rules`)
//! judge what it saw; incidents open once per rule and subject, remind while
//! they last and close with a recovery notice; `notify` writes and delivers
//! the notices to on-call (team-chat webhooks, e-mail).
#![forbid(unsafe_code)]

pub mod cert;
pub mod notify;
pub mod rules;
pub mod watch;

/// The operations layer's one error type.
#[derive(Debug, thiserror::Error)]
pub enum OpsError {
    #[error(transparent)]
    Store(#[from] ordo_store::StoreError),
    #[error(transparent)]
    App(#[from] ordo_app::AppError),
    #[error("http client: {0}")]
    Http(String),
}

/// One process-wide TLS provider (ring, as for the database, mail and
/// backups), installed before any HTTP client is built.
pub(crate) fn tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
