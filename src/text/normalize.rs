//! The normalised form of a segment used for matching and duplicate-insensitive lookups.
//! Originals are always kept and shown; this form only decides what counts as "the same".

use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

/// NFC, case folding, ё→е, typographic quotes to plain ones, dashes to `-`, every kind of
/// space to one ASCII space (collapsed, trimmed), soft hyphens and zero-width characters removed.
pub fn normalize_for_matching(text: &str) -> String {
    // Almost all stored text is Latin or Cyrillic without combining marks: every character
    // is NFC on its own, so the text is folded as it stands, ASCII straight from its bytes.
    let mut folder = Folder::with_capacity(text.len());
    let bytes = text.as_bytes();
    let mut at = 0;
    while let Some(&b) = bytes.get(at) {
        if b.is_ascii() {
            folder.push_ascii(b);
            at += 1;
            continue;
        }
        // Two-byte sequences D0 xx and D1 xx are U+0400–U+047F: Cyrillic, decoded in place.
        if let (0xD0 | 0xD1, Some(&next)) = (b, bytes.get(at + 1)) {
            let code = (u32::from(b & 0x1F) << 6) | u32::from(next & 0x3F);
            if code < 0x460 {
                folder.push_cyrillic(code);
                at += 2;
                continue;
            }
        }
        let c = text[at..].chars().next().expect("`at` is on a character boundary");
        if !is_nfc_starter(c) {
            return fold_not_nfc_starters(text);
        }
        folder.push(c);
        at += c.len_utf8();
    }
    folder.out
}

/// The slow way, for text with a character that may combine with its neighbours.
fn fold_not_nfc_starters(text: &str) -> String {
    if is_nfc_quick(text.chars()) == IsNormalized::Yes {
        fold(text.chars())
    } else {
        fold(text.nfc())
    }
}

fn fold(chars: impl Iterator<Item = char>) -> String {
    let mut folder = Folder::with_capacity(chars.size_hint().0);
    chars.for_each(|c| folder.push(c));
    folder.out
}

/// Builds the folded text one character at a time.
struct Folder {
    out: String,
    /// Whether a space is owed before the next character (spaces collapse and are trimmed).
    pending_space: bool,
}

impl Folder {
    fn with_capacity(bytes: usize) -> Folder {
        Folder { out: String::with_capacity(bytes), pending_space: false }
    }

    #[inline]
    fn push_ascii(&mut self, b: u8) {
        // The ASCII characters for which `char::is_whitespace` holds.
        if matches!(b, b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' ') {
            self.pending_space = !self.out.is_empty();
        } else {
            self.emit(char::from(b.to_ascii_lowercase()));
        }
    }

    /// A character of U+0400–U+045F, every one of which is an NFC starter and not a space.
    /// Ё and ё fold to е; А–Я and Ѐ–Џ have their lower case at fixed offsets; а–џ is lower
    /// already.
    #[inline]
    fn push_cyrillic(&mut self, code: u32) {
        let lower = match code {
            0x401 | 0x451 => 0x435,
            0x400..=0x40F => code + 0x50,
            0x410..=0x42F => code + 0x20,
            _ => code,
        };
        self.emit(char::from_u32(lower).expect("a Cyrillic code point"));
    }

    fn push(&mut self, c: char) {
        let mapped = match c {
            '\u{00AD}' | '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' => return,
            '«' | '»' | '„' | '“' | '”' | '‟' | '″' => '"',
            '‚' | '‘' | '’' | '‛' | '′' => '\'',
            '‐' | '‑' | '‒' | '–' | '—' | '―' | '−' => '-',
            c if c.is_whitespace() => {
                self.pending_space = !self.out.is_empty();
                return;
            }
            c => c,
        };
        match mapped as u32 {
            0..=0x7F => self.emit(mapped.to_ascii_lowercase()),
            code @ 0x400..=0x45F => self.push_cyrillic(code),
            _ => mapped.to_lowercase().for_each(|l| self.emit(l)),
        }
    }

    #[inline]
    fn emit(&mut self, c: char) {
        if self.pending_space {
            self.out.push(' ');
            self.pending_space = false;
        }
        self.out.push(c);
    }
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

    proptest::proptest! {
        /// The fast path (folding text as it stands) gives what folding its NFC form gives.
        #[test]
        fn folding_without_recomposing_agrees_with_folding_the_nfc_form(
            text in "[a-zA-Z0-9 \t\n.,«»—ёЁа-яА-ЯѐЀ-Џ\\u{0400}-\\u{04FF}\u{0300}-\u{036F}\u{00A0}\u{00AD}\u{2000}-\u{206F}éÅ]{0,40}|\\PC{0,40}"
        ) {
            proptest::prop_assert_eq!(normalize_for_matching(&text), fold(text.nfc()));
        }
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
