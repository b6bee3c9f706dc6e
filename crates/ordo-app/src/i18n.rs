//! Translations. Every user-visible string lives in `locales/<lang>.toml`
//! (nested tables flattened to dotted keys). Tests check that both languages
//! have the same keys and that every key used by a template or e-mail exists.

use ordo_core::user::Locale;
use std::collections::{BTreeSet, HashMap};
use std::sync::OnceLock;

static EN: &str = include_str!("../locales/en.toml");
static FR: &str = include_str!("../locales/fr.toml");

type Map = HashMap<String, String>;

fn flatten(prefix: &str, table: &toml::Table, out: &mut Map) {
    for (k, v) in table {
        let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
        match v {
            toml::Value::Table(t) => flatten(&key, t, out),
            toml::Value::String(s) => {
                out.insert(key, s.clone());
            }
            // Only strings are meaningful; anything else is a mistake the
            // key-parity tests will surface as a missing key.
            _ => {}
        }
    }
}

fn parse(src: &str) -> Result<Map, toml::de::Error> {
    let table: toml::Table = toml::from_str(src)?;
    let mut out = Map::new();
    flatten("", &table, &mut out);
    Ok(out)
}

fn catalog(locale: Locale) -> &'static Map {
    static EN_MAP: OnceLock<Map> = OnceLock::new();
    static FR_MAP: OnceLock<Map> = OnceLock::new();
    let (cell, src) = match locale {
        Locale::En => (&EN_MAP, EN),
        Locale::Fr => (&FR_MAP, FR),
    };
    cell.get_or_init(|| {
        parse(src).unwrap_or_else(|e| {
            tracing::error!(%locale, error = %e, "translation file does not parse");
            Map::new()
        })
    })
}

/// The translations of one language.
#[derive(Clone, Copy, Debug)]
pub struct Tr {
    pub locale: Locale,
    map: &'static Map,
}

impl Tr {
    pub fn new(locale: Locale) -> Self {
        Self { locale, map: catalog(locale) }
    }

    /// The text for `key`; the key itself if it is missing (tests prevent it).
    pub fn t<'a>(&self, key: &'a str) -> &'a str
    where
        'static: 'a,
    {
        match self.map.get(key) {
            Some(s) => s.as_str(),
            None => key,
        }
    }

    /// The text for `key` with `{name}` placeholders replaced.
    /// The text of `key` with its `{name}` placeholders filled, in one
    /// pass: a value that itself contains `{...}` (a meeting title, say) is
    /// copied as it is, never expanded.
    pub fn tf(&self, key: &str, args: &[(&str, &str)]) -> String {
        let template = self.t(key);
        let mut out = String::with_capacity(template.len());
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let value = after
                .find('}')
                .and_then(|close| args.iter().find(|(n, _)| *n == &after[..close]).map(|(_, v)| (close, *v)));
            match value {
                Some((close, v)) => {
                    out.push_str(v);
                    rest = &after[close + 1..];
                }
                None => {
                    out.push('{');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }

    pub fn has(&self, key: &str) -> bool {
        self.map.contains_key(key)
    }

    pub fn lang(&self) -> &'static str {
        self.locale.as_str()
    }
}

/// The keys of a language (for tests and tooling).
pub fn keys(locale: Locale) -> BTreeSet<String> {
    catalog(locale).keys().cloned().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_parse_and_have_the_same_keys() {
        parse(EN).expect("en.toml");
        parse(FR).expect("fr.toml");
        let en = keys(Locale::En);
        let fr = keys(Locale::Fr);
        assert!(en.len() > 50);
        let only_en: Vec<_> = en.difference(&fr).collect();
        let only_fr: Vec<_> = fr.difference(&en).collect();
        assert!(only_en.is_empty() && only_fr.is_empty(), "only in en: {only_en:?}; only in fr: {only_fr:?}");
    }

    #[test]
    fn placeholders_match_between_languages() {
        let re = |s: &str| -> BTreeSet<String> {
            s.split('{').skip(1).filter_map(|p| p.split_once('}').map(|(n, _)| n.to_owned())).collect()
        };
        let en = Tr::new(Locale::En);
        let fr = Tr::new(Locale::Fr);
        for k in keys(Locale::En) {
            assert_eq!(re(en.t(&k)), re(fr.t(&k)), "placeholders differ for {k}");
        }
    }

    #[test]
    fn interpolation() {
        let en = Tr::new(Locale::En);
        assert_eq!(en.t("no.such.key"), "no.such.key");
        assert!(en.tf("mail.reset.body", &[("link", "https://x/y")]).contains("https://x/y"));
        // A value is never expanded again: a title that reads "{link}" stays
        // that text, and does not pull the link into its place.
        let body = en.tf("mail.share.body", &[("title", "{link} {nope"), ("link", "https://x/m"), ("agenda", "}")]);
        assert!(body.contains("{link} {nope\n"), "{body}");
        assert_eq!(body.matches("https://x/m").count(), 1, "{body}");
        assert!(body.contains("{organiser}"), "an unfilled placeholder stays visible: {body}");
    }
}
