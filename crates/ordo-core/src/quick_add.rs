//! The quick-add line of a topic: what a user types to add an element in
//! one line. A parser of untrusted text, fuzzed (`fuzz/`).

use crate::meeting::ElementKind;

/// A quick-add line may start with a kind: `/d` decision, `/a` action,
/// `/t` topic to discuss, `/n` note. Returns the title without it.
pub fn shortcut_kind(line: &str) -> (&str, Option<ElementKind>) {
    let kind = |c: &str| match c {
        "d" => Some(ElementKind::Decision),
        "a" => Some(ElementKind::Action),
        "t" => Some(ElementKind::Discuss),
        "n" => Some(ElementKind::Note),
        _ => None,
    };
    let trimmed = line.trim_start();
    if let Some(rest) = trimmed.strip_prefix('/')
        && let Some((code, title)) = rest.split_once(' ')
        && let Some(k) = kind(code)
    {
        return (title.trim_start(), Some(k));
    }
    (line, None)
}

#[cfg(test)]
mod tests {
    use super::shortcut_kind;
    use crate::meeting::ElementKind;

    #[test]
    fn quick_add_shortcuts_pick_the_kind() {
        assert_eq!(shortcut_kind("/d Budget approved"), ("Budget approved", Some(ElementKind::Decision)));
        assert_eq!(shortcut_kind("/a  Call the bank"), ("Call the bank", Some(ElementKind::Action)));
        assert_eq!(shortcut_kind("/t Parking"), ("Parking", Some(ElementKind::Discuss)));
        assert_eq!(shortcut_kind("/n Seen"), ("Seen", Some(ElementKind::Note)));
        assert_eq!(shortcut_kind("/x Other"), ("/x Other", None));
        assert_eq!(shortcut_kind("a/d b"), ("a/d b", None));
        assert_eq!(shortcut_kind("/d"), ("/d", None));
    }
}
