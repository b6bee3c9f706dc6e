//! What answers share: the notices a redirect may ask a page to show, and
//! where a sign-in may lead.

/// Only a path inside this tenant may follow a login: no scheme, no host, no
/// `//` or backslash tricks. Anything else goes to the tenant's home.
pub fn safe_next(slug: &str, next: &str) -> String {
    let home = format!("/t/{slug}/");
    let ok = next.starts_with(&home)
        && !next.contains("//")
        && !next.contains('\\')
        && !next.chars().any(|c| c.is_control() || c.is_whitespace())
        && !next.contains("/../")
        && !next.contains("/./");
    if ok { next.to_owned() } else { home }
}

/// Notices that a redirect may ask a page to show (`?notice=...`): only
/// these keys, so a link cannot make Ordo display arbitrary text.
pub fn notice(tr: &ordo_app::i18n::Tr, key: Option<&str>) -> Option<String> {
    let key = key?;
    NOTICES.contains(&key).then(|| tr.t(&format!("notice.{key}")).to_owned())
}

pub const NOTICES: &[&str] = &[
    "signed_out",
    "activated",
    "password_reset",
    "saved",
    "invited",
    "session_ended",
    "role_changed",
    "disabled",
    "enabled",
    "password_changed",
    "signed_out_elsewhere",
    "encryption_enabled",
    "meeting_created",
    "meeting_saved",
    "meeting_shared",
    "participant_added",
    "participant_saved",
    "participant_removed",
    "token_revoked",
    "deleted",
    "template_saved",
    "minutes_sent",
    "feed_revoked",
    "next_prepared",
    "restored",
];

#[derive(serde::Deserialize, Default)]
pub struct NoticeQuery {
    pub notice: Option<String>,
}

/// Event streams tell proxies not to buffer them.
pub fn unbuffered(mut res: axum::response::Response) -> axum::response::Response {
    res.headers_mut().insert("x-accel-buffering", axum::http::HeaderValue::from_static("no"));
    res
}

/// Live streams are for pages of this origin only: a cross-site page could
/// otherwise read a user's chat or meeting through their cookie.
pub fn same_origin(origin: &str, h: &axum::http::HeaderMap) -> Result<(), crate::error::WebError> {
    if let Some(site) = h.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && site != "same-origin"
    {
        return Err(crate::error::WebError::Forbidden);
    }
    if let Some(o) = h.get(axum::http::header::ORIGIN)
        && o.to_str().ok() != Some(origin)
    {
        return Err(crate::error::WebError::Forbidden);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_inside_the_tenant() {
        assert_eq!(safe_next("acme", "/t/acme/settings/sessions"), "/t/acme/settings/sessions");
        for bad in [
            "https://evil.example/",
            "//evil.example/",
            "/\\evil.example",
            "/t/other/",
            "/t/acme//evil.example",
            "/t/acme/../other/",
            "javascript:alert(1)",
            "",
            "/t/acme/\r\nX: y",
        ] {
            assert_eq!(safe_next("acme", bad), "/t/acme/", "{bad:?}");
        }
    }
}
