//! The one error type of the domain layer: which field was refused and why.

/// An input was refused. `code` is a stable identifier that the web layer turns
/// into a translated, field-level message (`error.<code>` in the locale files).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("invalid {field}: {code}")]
pub struct Invalid {
    pub field: &'static str,
    pub code: &'static str,
}

impl Invalid {
    pub const fn new(field: &'static str, code: &'static str) -> Self {
        Self { field, code }
    }
}

/// True when the text holds a control character (other than none at all).
/// Single-line inputs must not carry them: they break logs, headers and mail.
pub(crate) fn has_control(s: &str) -> bool {
    s.chars().any(char::is_control)
}
