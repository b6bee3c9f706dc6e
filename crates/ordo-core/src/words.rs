//! Words for search, in French and English: text is cut into words, each
//! folded so that what a person types finds what was written — case,
//! accents and ligatures, elision (`l'équipe`), and the common plural
//! endings fold away. The search index stores keyed hashes of these folded
//! words, never the words (docs/security/crypto.md).

/// Words too common to be worth finding (and to index).
const STOP: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "au", "aux", "be", "by", "ce", "ces", "dan", "de", "des", "du", "en", "est",
    "et", "for", "il", "in", "is", "it", "la", "le", "les", "of", "on", "or", "ou", "par", "pour", "sur", "the", "to",
    "un", "une",
];

/// A combining accent (U+0300–U+036F): text written decomposed (`e` then
/// its accent, as some systems paste it) and lower-casing (`İ` becomes `i`
/// and a dot) produce them; they belong to their word and fold away.
fn is_combining(c: char) -> bool {
    ('\u{300}'..='\u{36f}').contains(&c)
}

/// One character, lower case and without its accent; ligatures spelled out.
fn fold_char(c: char, out: &mut String) {
    for l in c.to_lowercase() {
        if is_combining(l) {
            continue;
        }
        let plain = match l {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
            'ç' | 'ć' | 'č' => "c",
            'ď' | 'đ' => "d",
            'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => "e",
            'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' => "i",
            'ñ' | 'ń' | 'ň' => "n",
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => "o",
            'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' => "u",
            'ý' | 'ÿ' => "y",
            'ś' | 'š' => "s",
            'ź' | 'ż' | 'ž' => "z",
            'ł' => "l",
            'ř' => "r",
            'ť' => "t",
            'œ' => "oe",
            'æ' => "ae",
            'ß' => "ss",
            'ﬁ' => "fi",
            'ﬂ' => "fl",
            _ => {
                out.push(l);
                continue;
            }
        };
        out.push_str(plain);
    }
}

/// `text` lower case, without accents, ligatures spelled out: how names
/// are compared when typed (`@zoe` names Zoé).
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        fold_char(c, &mut out);
    }
    out
}

/// A folded word's plural ending removed: `budgets` → `budget`, `bureaux`
/// → `bureau`, `policies` → `policy`. Short words are left alone.
fn singular(w: String) -> String {
    let n = w.chars().count();
    if n > 4 && w.ends_with("ies") {
        return format!("{}y", &w[..w.len() - 3]);
    }
    if n > 3 && (w.ends_with('s') || w.ends_with('x')) && !w.ends_with("ss") {
        return w[..w.len() - 1].to_owned();
    }
    w
}

/// The search words of `text`, folded, in order, stop words left out.
pub fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let flush = |current: &mut String, out: &mut Vec<String>| {
        if current.chars().count() >= 2 {
            let w = singular(std::mem::take(current));
            if !STOP.contains(&w.as_str()) {
                out.push(w);
            }
        }
        current.clear();
    };
    for c in text.chars() {
        if c.is_alphanumeric() || is_combining(c) {
            fold_char(c, &mut current);
        } else {
            // An apostrophe ends an elided article (`l'`, `d'`, `qu'`):
            // what follows is a word of its own.
            flush(&mut current, &mut out);
        }
    }
    flush(&mut current, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accents_case_and_plurals_fold() {
        assert_eq!(words("Élection des RÉUNIONS"), vec!["election", "reunion"]);
        assert_eq!(words("l’équipe d'été"), vec!["equipe", "ete"]);
        assert_eq!(words("Budgets, bureaux, policies, Œuvres"), vec!["budget", "bureau", "policy", "oeuvre"]);
        assert_eq!(words("the class of business"), vec!["class", "business"]);
        assert_eq!(words("Straße"), vec!["strasse"]);
    }

    #[test]
    fn the_same_word_written_differently_folds_the_same() {
        // The last three were found by the `search_words` fuzz target: a
        // dotted capital I, text written decomposed, and a ligature.
        for (a, b) in [
            ("Décision", "decisions"),
            ("ÉTÉ", "été"),
            ("Recrutement", "recrutements"),
            ("İstanbul", "istanbul"),
            ("e\u{301}quipe", "équipe"),
            ("ﬁnal", "final"),
        ] {
            assert_eq!(words(a), words(b), "{a} / {b}");
        }
    }

    #[test]
    fn stop_words_and_single_letters_are_not_words() {
        assert!(words("a à de la the of x").is_empty());
        assert_eq!(words("Q4 2027"), vec!["q4", "2027"]);
    }
}
