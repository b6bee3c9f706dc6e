//! The web layer's one error type. A handler returns it; the response carries
//! only a status and a marker, and the outer middleware renders a generic page
//! or JSON body with the request id, in the user's language. Causes are
//! logged, never shown.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use ordo_app::AppError;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    #[error("csrf check failed")]
    Csrf,
    #[error("not signed in")]
    Unauthenticated,
    #[error("invalid {field}: {code}")]
    Invalid { field: &'static str, code: &'static str },
    #[error("conflict: {0:?}")]
    Conflict(ordo_app::Conflict),
    #[error("throttled")]
    Throttled(i64),
    /// A bounded resource stayed full (503, with Retry-After).
    #[error("busy")]
    Busy(i64),
    /// The request took longer than its bound (408).
    #[error("timeout")]
    Timeout,
    #[error("bad or expired link")]
    BadToken,
    #[error("body too large")]
    TooLarge,
    #[error("bad request")]
    BadRequest,
    /// A JSON body that does not match the expected shape; names the field.
    #[error("invalid JSON at {0}")]
    BadJson(String),
    #[error("internal: {0}")]
    Internal(&'static str),
}

/// Attached to error responses for the outer middleware to render.
#[derive(Clone, Debug)]
pub struct ErrorInfo {
    /// Translation key suffix and JSON error code.
    pub code: &'static str,
    pub field: Option<String>,
}

impl From<AppError> for WebError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Invalid(i) => WebError::Invalid { field: i.field, code: i.code },
            AppError::NotFound => WebError::NotFound,
            AppError::Forbidden => {
                tracing::warn!("action refused by the permission policy");
                WebError::Forbidden
            }
            AppError::Conflict(w) => WebError::Conflict(w),
            AppError::BadCredentials => WebError::Invalid { field: "email", code: "login.failed" },
            AppError::Throttled { retry_after_secs } => WebError::Throttled(retry_after_secs),
            AppError::Busy { retry_after_secs } => {
                tracing::warn!("refused: a bounded resource stayed full");
                WebError::Busy(retry_after_secs)
            }
            AppError::BadToken => WebError::BadToken,
            AppError::Store(e) => {
                tracing::error!(error = %e, "store error");
                WebError::Internal("store")
            }
            AppError::Crypto(e) => {
                tracing::error!(error = %e, "crypto error");
                WebError::Internal("crypto")
            }
            AppError::Backup(e) => {
                tracing::error!(error = %e, "backup error");
                WebError::Internal("backup")
            }
            AppError::WrongMasterKey => {
                tracing::error!("wrong master key");
                WebError::Internal("master key")
            }
            AppError::Internal(what) => {
                tracing::error!(what, "internal error");
                WebError::Internal(what)
            }
        }
    }
}

impl WebError {
    pub fn status(&self) -> StatusCode {
        match self {
            WebError::NotFound => StatusCode::NOT_FOUND,
            WebError::Forbidden | WebError::Csrf => StatusCode::FORBIDDEN,
            WebError::Unauthenticated => StatusCode::UNAUTHORIZED,
            WebError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            WebError::Conflict(_) => StatusCode::CONFLICT,
            WebError::Throttled(_) => StatusCode::TOO_MANY_REQUESTS,
            WebError::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
            WebError::Timeout => StatusCode::REQUEST_TIMEOUT,
            WebError::BadToken => StatusCode::GONE,
            WebError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            WebError::BadRequest => StatusCode::BAD_REQUEST,
            WebError::BadJson(_) => StatusCode::UNPROCESSABLE_ENTITY,
            WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn info(&self) -> ErrorInfo {
        let (code, field) = match self {
            WebError::NotFound => ("not_found", None),
            WebError::Forbidden => ("forbidden", None),
            WebError::Csrf => ("csrf", None),
            WebError::Unauthenticated => ("unauthenticated", None),
            WebError::Invalid { field, code } => (*code, Some((*field).to_owned())),
            WebError::Conflict(c) => ("conflict", Some(c.as_str().to_owned())),
            WebError::BadJson(f) => ("invalid_json", Some(f.clone())),
            WebError::Throttled(_) => ("throttled", None),
            WebError::Busy(_) => ("busy", None),
            WebError::Timeout => ("timeout", None),
            WebError::BadToken => ("bad_token", None),
            WebError::TooLarge => ("too_large", None),
            WebError::BadRequest => ("bad_request", None),
            WebError::Internal(_) => ("internal", None),
        };
        ErrorInfo { code, field }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let mut res = self.status().into_response();
        if let WebError::Throttled(secs) | WebError::Busy(secs) = self
            && let Ok(v) = axum::http::HeaderValue::from_str(&secs.max(1).to_string())
        {
            res.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
        }
        res.extensions_mut().insert(self.info());
        res
    }
}
