//! The normalised form of a segment used for matching and duplicate-insensitive lookups.
//! Originals are always kept and shown; this form only decides what counts as "the same".

use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

/// NFC, case folding, ё→е, typographic quotes to plain ones, dashes to `-`, every kind of
/// space to one ASCII space (collapsed, trimmed), soft hyphens and zero-width characters removed.
pub fn normalize_for_matching(text: &str) -> String {
    // Almost all stored text is already NFC; the quick checks avoid recomposing it. The
    // first needs no table: it holds for Latin and Cyrillic text without combining marks.
    if text.chars().all(is_nfc_starter) || is_nfc_quick(text.chars()) == IsNormalized::Yes {
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
        match mapped as u32 {
            0..=0x7F => out.push(mapped.to_ascii_lowercase()),
            // Cyrillic А–Я and Ѐ–Џ have their lower case at fixed offsets; а–џ is lower already.
            0x410..=0x42F => out.push(char::from_u32(mapped as u32 + 0x20).unwrap_or(mapped)),
            0x400..=0x40F => out.push(char::from_u32(mapped as u32 + 0x50).unwrap_or(mapped)),
            0x430..=0x45F => out.push(mapped),
            _ => out.extend(mapped.to_lowercase()),
        }
    }
    out
}

/// Characters that are NFC on their own and never combine with a neighbour (canonical
/// combining class 0, NFC quick check "yes"): a string of only these is NFC as it stands.
/// `fast_paths_agree_with_the_unicode_tables` checks every one against the tables.
fn is_nfc_starter(c: char) -> bool {
    matches!(c as u32, 0..=0x2FF | 0x400..=0x482 | 0x48A..=0x52F | 0x2010..=0x2027)
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
        check("ЀЏЁЯАяаџ", "ѐџеяаяаџ");
    }

    #[test]
    fn fast_paths_agree_with_the_unicode_tables() {
        use unicode_normalization::char::canonical_combining_class;
        for c in (0..=0x3000u32).filter_map(char::from_u32) {
            if is_nfc_starter(c) {
                assert_eq!(canonical_combining_class(c), 0, "{c:?} combines");
                assert_eq!(is_nfc_quick(std::iter::once(c)), IsNormalized::Yes, "{c:?} is not NFC");
            }
            let folded = fold(std::iter::once(c));
            let expected: String = match c {
                'ё' | 'Ё' => "е".into(),
                _ => c.to_lowercase().collect(),
            };
            if !c.is_whitespace() && ('\u{400}'..='\u{52F}').contains(&c) {
                assert_eq!(folded, expected, "lower case of {c:?}");
            }
        }
    }
}
