//! Cookies. Ordo sets two, both `__Host-` prefixed (Secure, Path=/, no Domain,
//! so no other host or path can set or read them), HttpOnly and SameSite=Lax:
//! the session (`__Host-ordo`) and, before login, the anti-forgery token for
//! the public forms (`__Host-ordo-csrf`).

use axum::http::{HeaderMap, HeaderValue, header};

pub const SESSION: &str = "__Host-ordo";
pub const ANON_CSRF: &str = "__Host-ordo-csrf";

/// The value of cookie `name` in the request, if present and well-formed.
pub fn get(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
        .filter(|v| {
            !v.is_empty() && v.len() <= 128 && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

pub fn set(name: &str, value: &str) -> HeaderValue {
    // The value is base64url (checked by `get` on the way back in).
    HeaderValue::from_str(&format!("{name}={value}; Path=/; Secure; HttpOnly; SameSite=Lax"))
        .unwrap_or_else(|_| HeaderValue::from_static("invalid=; Path=/"))
}

pub fn clear(name: &str) -> HeaderValue {
    HeaderValue::from_str(&format!("{name}=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0"))
        .unwrap_or_else(|_| HeaderValue::from_static("invalid=; Path=/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_only_well_formed_values() {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, HeaderValue::from_static("a=1; __Host-ordo=abc_DEF-123; x=y"));
        assert_eq!(get(&h, SESSION).as_deref(), Some("abc_DEF-123"));
        h.insert(header::COOKIE, HeaderValue::from_static("__Host-ordo=a b"));
        assert_eq!(get(&h, SESSION), None);
        assert_eq!(set(SESSION, "v").to_str().unwrap(), "__Host-ordo=v; Path=/; Secure; HttpOnly; SameSite=Lax");
    }
}
