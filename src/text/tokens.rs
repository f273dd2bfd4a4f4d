//! Tokens and stems: words, numbers and punctuation as separate tokens with their
//! positions, and Snowball stems for Russian and English words.

use std::sync::OnceLock;

use rust_stemmers::{Algorithm, Stemmer};

use super::normalize_for_matching;

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// Letters (and digits after a letter), with inner hyphens and apostrophes: `из-за`, `G20`.
    Word,
    /// Digits with inner `.`/`,` separators: `1997`, `3,5`, `1.000.000`.
    Number,
    /// Any other character that is not a space.
    Punct,
}

/// A token of a text: its kind and where it is (byte offsets into the text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    pub start: usize,
    pub end: usize,
}

impl Token {
    pub fn text<'a>(&self, source: &'a str) -> &'a str {
        &source[self.start..self.end]
    }
}

fn is_word_char(c: char) -> bool {
    // Fast paths for the scripts tmbase sees most; the Unicode tables are slow.
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    if ('\u{0400}'..='\u{04FF}').contains(&c) {
        return !('\u{0482}'..='\u{0489}').contains(&c);
    }
    c.is_alphanumeric() || is_mark(c)
}

/// A digit that starts a number: ASCII digits, and other numeric characters that are not
/// letters (Arabic-Indic digits, fractions), looked up in the Unicode tables only outside
/// ASCII and Cyrillic (whose letters are never numeric).
fn starts_number(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_digit();
    }
    !('\u{0400}'..='\u{04FF}').contains(&c) && c.is_numeric() && !c.is_alphabetic()
}

/// Combining marks (accents written as separate characters) belong to their word.
fn is_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{20D0}'..='\u{20FF}')
}

fn is_joiner(c: char) -> bool {
    matches!(c, '-' | '\'' | '’' | '‐' | '‑')
}

fn is_invisible(c: char) -> bool {
    matches!(c, '\u{00AD}' | '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}')
}

/// Splits a text into words, numbers and punctuation. Whitespace separates tokens and is
/// not a token; soft hyphens and zero-width characters inside a word are part of it.
pub fn tokenize(text: &str) -> Vec<Token> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let end_of = |i: usize| if i < chars.len() { chars[i].0 } else { text.len() };
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let (start, c) = chars[i];
        if c.is_whitespace() || is_invisible(c) {
            i += 1;
            continue;
        }
        if starts_number(c) {
            let mut j = i + 1;
            while j < chars.len() {
                let d = chars[j].1;
                if d.is_ascii_digit() {
                    j += 1;
                } else if matches!(d, '.' | ',')
                    && j + 1 < chars.len()
                    && chars[j + 1].1.is_ascii_digit()
                {
                    j += 2;
                } else {
                    break;
                }
            }
            // Digits glued to letters (`19-й`, `5G`, `COVID-19` seen from the digit) form a word.
            let glued = j < chars.len()
                && (chars[j].1.is_alphabetic()
                    || (is_joiner(chars[j].1)
                        && j + 1 < chars.len()
                        && chars[j + 1].1.is_alphabetic()));
            if glued {
                if !chars[j].1.is_alphabetic() {
                    j += 1;
                }
                while j < chars.len() && (is_word_char(chars[j].1) || is_invisible(chars[j].1)) {
                    j += 1;
                }
                tokens.push(Token { kind: TokenKind::Word, start, end: end_of(j) });
            } else {
                tokens.push(Token { kind: TokenKind::Number, start, end: end_of(j) });
            }
            i = j;
        } else if is_word_char(c) {
            let mut j = i + 1;
            while j < chars.len() {
                let d = chars[j].1;
                if is_word_char(d) || is_invisible(d) {
                    j += 1;
                } else if is_joiner(d) && j + 1 < chars.len() && is_word_char(chars[j + 1].1) {
                    j += 2;
                } else {
                    break;
                }
            }
            tokens.push(Token { kind: TokenKind::Word, start, end: end_of(j) });
            i = j;
        } else {
            tokens.push(Token { kind: TokenKind::Punct, start, end: end_of(i + 1) });
            i += 1;
        }
    }
    tokens
}

/// The normalised form of a word for comparison: [`normalize_for_matching`] of the token.
pub fn token_form(token_text: &str) -> String {
    normalize_for_matching(token_text)
}

fn russian() -> &'static Stemmer {
    static S: OnceLock<Stemmer> = OnceLock::new();
    S.get_or_init(|| Stemmer::create(Algorithm::Russian))
}

fn english() -> &'static Stemmer {
    static S: OnceLock<Stemmer> = OnceLock::new();
    S.get_or_init(|| Stemmer::create(Algorithm::English))
}

/// The Snowball stem of a normalised word form: the Russian stemmer for Cyrillic words, the
/// English one for Latin words, the form itself otherwise (numbers, other scripts).
pub fn stem(form: &str) -> String {
    let first = form.chars().next();
    match first {
        Some(c) if ('\u{0400}'..='\u{04FF}').contains(&c) => russian().stem(form).into_owned(),
        Some(c) if c.is_ascii_alphabetic() => english().stem(form).into_owned(),
        _ => form.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, expected: &[(&str, TokenKind)]) {
        let got: Vec<(&str, TokenKind)> =
            tokenize(text).iter().map(|t| (t.text(text), t.kind)).collect();
        assert_eq!(got, expected, "tokenizing {text:?}");
    }

    use TokenKind::{Number as N, Punct as P, Word as W};

    #[test]
    fn tokenizer_table() {
        check("Привет, мир!", &[("Привет", W), (",", P), ("мир", W), ("!", P)]);
        check("из-за 3,5 млн.", &[("из-за", W), ("3,5", N), ("млн", W), (".", P)]);
        check(
            "В 1997 г. (т. е.)",
            &[
                ("В", W),
                ("1997", N),
                ("г", W),
                (".", P),
                ("(", P),
                ("т", W),
                (".", P),
                ("е", W),
                (".", P),
                (")", P),
            ],
        );
        check("COVID-19 и 19-й", &[("COVID-19", W), ("и", W), ("19-й", W)]);
        check("«Известия» — don't", &[("«", P), ("Известия", W), ("»", P), ("—", P), ("don't", W)]);
        check("1.000.000 руб", &[("1.000.000", N), ("руб", W)]);
        check("пере\u{00AD}говоры", &[("пере\u{00AD}говоры", W)]);
        check("", &[]);
    }

    #[test]
    fn inflected_forms_share_a_stem() {
        let forms = ["переговоров", "переговорам", "переговоры", "переговорах"];
        let stems: Vec<String> = forms.iter().map(|f| stem(f)).collect();
        assert!(stems.windows(2).all(|w| w[0] == w[1]), "{stems:?}");
        assert_eq!(stem("talks"), stem("talk"));
        assert_ne!(stem("карта"), stem("картофель"));
        assert_eq!(stem("1997"), "1997");
    }

    #[test]
    fn token_form_folds_case_and_yo() {
        assert_eq!(token_form("Ёлки"), "елки");
        assert_eq!(token_form("пере\u{00AD}говоры"), "переговоры");
    }
}
