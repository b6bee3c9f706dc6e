//! A short, human description of the device behind a session, from its
//! User-Agent header ("Firefox on Linux"). Only a hint for the session list.

pub fn describe(user_agent: &str) -> String {
    let ua = user_agent;
    let browser = if ua.contains("Edg/") {
        "Edge"
    } else if ua.contains("OPR/") {
        "Opera"
    } else if ua.contains("Firefox/") {
        "Firefox"
    } else if ua.contains("Chrome/") || ua.contains("Chromium/") {
        "Chrome"
    } else if ua.contains("Safari/") {
        "Safari"
    } else if ua.contains("curl/") {
        "curl"
    } else {
        ""
    };
    let os = if ua.contains("Android") {
        "Android"
    } else if ua.contains("iPhone") || ua.contains("iPad") {
        "iOS"
    } else if ua.contains("Windows") {
        "Windows"
    } else if ua.contains("Mac OS X") || ua.contains("Macintosh") {
        "macOS"
    } else if ua.contains("Linux") || ua.contains("X11") {
        "Linux"
    } else {
        ""
    };
    match (browser, os) {
        ("", "") => {
            let s: String = ua.chars().filter(|c| !c.is_control()).take(40).collect();
            if s.is_empty() { "?".into() } else { s }
        }
        (b, "") => b.into(),
        ("", o) => o.into(),
        (b, o) => format!("{b} · {o}"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn describes_common_agents() {
        let ff = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
        assert_eq!(super::describe(ff), "Firefox · Linux");
        let chrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36";
        assert_eq!(super::describe(chrome), "Chrome · Windows");
        assert_eq!(super::describe(""), "?");
    }
}
