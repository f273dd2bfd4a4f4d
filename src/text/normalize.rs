//! The normalised form of a segment used for matching and duplicate-insensitive lookups.
//! Originals are always kept and shown; this form only decides what counts as "the same".

use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

/// NFC, case folding, ё→е, typographic quotes to plain ones, dashes to `-`, every kind of
/// space to one ASCII space (collapsed, trimmed), soft hyphens and zero-width characters removed.
pub fn normalize_for_matching(text: &str) -> String {
    // Almost all stored text is already NFC; the quick check avoids recomposing it.
    if is_nfc_quick(text.chars()) == IsNormalized::Yes {
        fold(text.chars())
    } else {
        fold(text.nfc())
    }
}

fn fold(chars: impl Iterator<Item = char>) -> String {
    let (low, _) = chars.size_hint();
    let mut out = String::with_capacity(low);
    let mut pending_space = false;
    for c in chars {
        let mapped = match c {
            '\u{00AD}' | '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' => continue,
            'ё' | 'Ё' => 'е',
            '«' | '»' | '„' | '“' | '”' | '‟' | '″' => '"',
            '‚' | '‘' | '’' | '‛' | '′' => '\'',
            '‐' | '‑' | '‒' | '–' | '—' | '―' | '−' => '-',
            c if c.is_whitespace() => {
                pending_space = !out.is_empty();
                continue;
            }
            c => c,
        };
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        if mapped.is_ascii() {
            out.push(mapped.to_ascii_lowercase());
        } else {
            out.extend(mapped.to_lowercase());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: &str) {
        assert_eq!(normalize_for_matching(input), expected, "normalising {input:?}");
    }

    #[test]
    fn normalisation_table() {
        check("Ёлка", "елка");
        check("«Известия» — газета", "\"известия\" - газета");
        check("„Так“ ‚да‘", "\"так\" 'да'");
        check("  много\u{00A0}\u{2009}пробелов\t\n ", "много пробелов");
        check("пере\u{00AD}говоры\u{200B}", "переговоры");
        check("e\u{0301}", "\u{00E9}");
        check("3 − 2 ‒ 1", "3 - 2 - 1");
        check("НАТО", "нато");
    }
}
