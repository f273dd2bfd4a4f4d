//! SRX regexes are written for ICU (the standard) or Java (what most tools run); this
//! rewrites them into the syntax of the Rust `regex-syntax` crate, or says why it cannot.
//!
//! Translated: `\Q..\E`, `\uXXXX` (with surrogate pairs), `\Uhhhhhhhh`, octal `\0nnn`,
//! `\cX`, `\e`, `\h` `\H` `\v` `\V` `\R`, `\Z`, Java property spellings (`\p{IsLu}`,
//! `\p{javaLowerCase}`, POSIX names), possessive quantifiers (run as greedy ones), Java's
//! embedded flags, and escaped punctuation Rust reads differently (`\<`, `\>`). Refused:
//! look-around, backreferences, atomic groups, `\G`, `\X`, `\N{..}` and Unicode blocks.
//! `\w`, `\d`, `\s`, `\b` keep their Unicode meaning, as in ICU.

/// Why a pattern cannot be translated; `offset` counts characters from 0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Untranslatable {
    pub offset: usize,
    pub reason: String,
}

const LOOK_AROUND_HINT: &str = "tmbase runs SRX rules on a linear-time regex engine without \
     look-around or backreferences; put the context into <beforebreak> or <afterbreak> instead";

/// Java's `\h`: horizontal white space.
const HORIZONTAL_SPACE: &str =
    r"\t\x{20}\x{A0}\x{1680}\x{180E}\x{2000}-\x{200A}\x{202F}\x{205F}\x{3000}";
/// Java's (and ICU's) `\v`: vertical white space.
const VERTICAL_SPACE: &str = r"\n\x{0B}\f\r\x{85}\x{2028}\x{2029}";

/// Rewrites an SRX (ICU/Java) regex into `regex-syntax` syntax.
pub(crate) fn translate_pattern(pattern: &str) -> Result<String, Untranslatable> {
    let mut translator = Translator {
        chars: pattern.chars().collect(),
        pos: 0,
        out: String::with_capacity(pattern.len() + 8),
    };
    while translator.pos < translator.chars.len() {
        translator.outside_class()?;
    }
    Ok(translator.out)
}

struct Translator {
    chars: Vec<char>,
    pos: usize,
    out: String,
}

/// What one escape sequence stands for.
enum Escaped {
    /// One character, which can also be the end of a range in a class.
    Char(char),
    /// Regex text to emit as is (a class, an assertion, a property).
    Text(String),
    /// A run of literal characters (`\Q..\E`).
    Literal(String),
    /// Nothing (a stray `\E`).
    Nothing,
}

impl Translator {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn peek_at(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.pos + ahead).copied()
    }

    fn starts_with(&self, text: &str) -> bool {
        text.chars().enumerate().all(|(i, c)| self.peek_at(i) == Some(c))
    }

    fn refuse<T>(&self, offset: usize, reason: impl Into<String>) -> Result<T, Untranslatable> {
        Err(Untranslatable { offset, reason: reason.into() })
    }

    /// Translates one item outside a character class.
    fn outside_class(&mut self) -> Result<(), Untranslatable> {
        let start = self.pos;
        let Some(c) = self.peek() else { return Ok(()) };
        self.pos += 1;
        match c {
            '\\' => match self.escape(start, false)? {
                Escaped::Char(c) => push_literal(&mut self.out, c),
                Escaped::Text(text) => self.out.push_str(&text),
                Escaped::Literal(text) => text.chars().for_each(|c| push_literal(&mut self.out, c)),
                Escaped::Nothing => {}
            },
            '[' => self.class(start)?,
            '(' => self.group(start)?,
            '*' | '+' | '?' => {
                self.out.push(c);
                self.quantifier_suffix();
            }
            '{' => match self.counted_repetition() {
                Some(repetition) => {
                    self.out.push_str(&repetition);
                    self.quantifier_suffix();
                }
                None => self.out.push_str(r"\{"),
            },
            '}' => self.out.push_str(r"\}"),
            _ => self.out.push(c),
        }
        Ok(())
    }

    /// After a quantifier: keep a lazy `?`, drop the `+` of a possessive quantifier. It only
    /// forbids giving characters back, so the two differ only where what follows could have
    /// been taken by the quantifier (`a*+a` never matches, `a*a` does); no rule in the
    /// public rule sets is written so.
    fn quantifier_suffix(&mut self) {
        match self.peek() {
            Some('?') => {
                self.out.push('?');
                self.pos += 1;
            }
            Some('+') => self.pos += 1,
            _ => {}
        }
    }

    /// `{n}`, `{n,}` or `{n,m}` after the `{` just read; `None` (nothing consumed) when
    /// the brace is a literal.
    fn counted_repetition(&mut self) -> Option<String> {
        let mut end = self.pos;
        let mut text = String::from("{");
        let mut digits = 0;
        let mut comma = false;
        while let Some(&c) = self.chars.get(end) {
            end += 1;
            match c {
                '0'..='9' => digits += 1,
                ',' if !comma && digits > 0 => comma = true,
                '}' if digits > 0 => {
                    text.push('}');
                    self.pos = end;
                    return Some(text);
                }
                _ => return None,
            }
            text.push(c);
        }
        None
    }

    /// A group, after its `(`.
    fn group(&mut self, start: usize) -> Result<(), Untranslatable> {
        if self.peek() != Some('?') {
            self.out.push('(');
            return Ok(());
        }
        if self.starts_with("?=") || self.starts_with("?!") {
            return self.refuse(start, format!("look-ahead is not supported: {LOOK_AROUND_HINT}"));
        }
        if self.starts_with("?<=") || self.starts_with("?<!") {
            return self.refuse(start, format!("look-behind is not supported: {LOOK_AROUND_HINT}"));
        }
        if self.starts_with("?>") {
            return self.refuse(
                start,
                "atomic groups (?>...) are not supported; a plain group (?:...) usually does",
            );
        }
        if self.starts_with("?:") {
            self.pos += 2;
            self.out.push_str("(?:");
            return Ok(());
        }
        if self.starts_with("?<") || self.starts_with("?P<") {
            // A named group: Rust reads (?<name>...) and (?P<name>...) as Java does.
            self.out.push('(');
            while let Some(c) = self.peek() {
                self.pos += 1;
                self.out.push(c);
                if c == '>' {
                    return Ok(());
                }
            }
            return self.refuse(start, "unclosed group name");
        }
        // Embedded flags: (?idmsuxU-idmsuxU) or (?flags:...).
        self.pos += 1;
        let mut flags = String::new();
        loop {
            let Some(c) = self.peek() else {
                return self.refuse(start, "unclosed group");
            };
            self.pos += 1;
            match c {
                // Case-insensitive, multi-line, dot-all and extended mean the same in Rust.
                'i' | 'm' | 's' | 'x' | '-' => flags.push(c),
                // Java's UNICODE_CASE, UNICODE_CHARACTER_CLASS, UNIX_LINES and COMMENTS
                // variants: Rust is Unicode-aware already and lines have no terminators here.
                'u' | 'U' | 'd' | 'c' => {}
                ')' | ':' => {
                    let flags = flags.trim_end_matches('-');
                    match (flags.is_empty(), c) {
                        (true, ')') => {}
                        (true, _) => self.out.push_str("(?:"),
                        (false, _) => {
                            self.out.push_str("(?");
                            self.out.push_str(flags);
                            self.out.push(c);
                        }
                    }
                    return Ok(());
                }
                other => {
                    return self.refuse(
                        start,
                        format!("unknown group syntax (?{flags}{other}...; flags may be i, m, s, x, u, U, d"),
                    )
                }
            }
        }
    }

    /// A character class, after its `[`; nested classes and `&&` mean what they mean in
    /// Java. A `-` that is not between two characters becomes `\-`, since Rust reads `--`
    /// and `~~` as set operations.
    fn class(&mut self, start: usize) -> Result<(), Untranslatable> {
        self.out.push('[');
        if self.peek() == Some('^') {
            self.out.push('^');
            self.pos += 1;
        }
        if self.peek() == Some(']') {
            self.out.push_str(r"\]");
            self.pos += 1;
        }
        // Whether the last item was one character (a range may start there), and whether
        // a range operator is waiting for its end.
        let mut after_char = false;
        let mut in_range = false;
        loop {
            let item_start = self.pos;
            let Some(c) = self.peek() else {
                return self.refuse(start, "unclosed character class [");
            };
            self.pos += 1;
            let single = match c {
                ']' => {
                    if in_range {
                        self.out.push_str(r"\-");
                    }
                    self.out.push(']');
                    return Ok(());
                }
                '[' => {
                    self.class(item_start)?;
                    None
                }
                '&' if self.peek() == Some('&') => {
                    self.pos += 1;
                    self.out.push_str("&&");
                    None
                }
                '-' if !in_range && after_char && self.peek().is_some_and(|n| n != ']') => {
                    self.out.push('-');
                    in_range = true;
                    after_char = false;
                    continue;
                }
                '\\' => match self.escape(item_start, true)? {
                    Escaped::Char(c) => Some(c),
                    Escaped::Text(text) => {
                        if in_range {
                            return self.refuse(item_start, "a range must end with a character");
                        }
                        self.out.push_str(&text);
                        None
                    }
                    Escaped::Literal(text) => {
                        for c in text.chars() {
                            push_class_char(&mut self.out, c);
                        }
                        after_char = !text.is_empty();
                        in_range = false;
                        continue;
                    }
                    Escaped::Nothing => continue,
                },
                other => Some(other),
            };
            match single {
                Some(c) => {
                    push_class_char(&mut self.out, c);
                    after_char = !in_range;
                    in_range = false;
                }
                None => {
                    after_char = false;
                    in_range = false;
                }
            }
        }
    }

    /// An escape sequence, after its backslash (`start` is the backslash's offset).
    fn escape(&mut self, start: usize, in_class: bool) -> Result<Escaped, Untranslatable> {
        let Some(c) = self.peek() else {
            return self.refuse(start, "the pattern ends with a lone backslash");
        };
        self.pos += 1;
        let bracket = |negated: bool, items: &str| {
            Escaped::Text(format!("[{}{items}]", if negated { "^" } else { "" }))
        };
        Ok(match c {
            'Q' => {
                let mut literal = String::new();
                while self.pos < self.chars.len() && !self.starts_with(r"\E") {
                    literal.push(self.chars[self.pos]);
                    self.pos += 1;
                }
                if self.starts_with(r"\E") {
                    self.pos += 2;
                }
                Escaped::Literal(literal)
            }
            'E' => Escaped::Nothing,
            'u' => Escaped::Char(self.utf16_escape(start)?),
            'U' => Escaped::Char(self.hex_digits(start, 8)?),
            'x' if self.peek() == Some('{') => {
                self.pos += 1;
                let mut hex = String::new();
                while let Some(h) = self.peek() {
                    self.pos += 1;
                    if h == '}' {
                        return code_point(&hex)
                            .map(Escaped::Char)
                            .ok_or_else(|| self.untranslatable(start, "bad \\x{...} escape"));
                    }
                    hex.push(h);
                }
                return self.refuse(start, "unclosed \\x{...} escape");
            }
            'x' => Escaped::Char(self.hex_digits(start, 2)?),
            '0' => {
                let mut value = 0u32;
                let mut digits = 0;
                while let Some(d) = self.peek().and_then(|d| d.to_digit(8)) {
                    if digits == 3 || value * 8 + d > 0o377 {
                        break;
                    }
                    value = value * 8 + d;
                    digits += 1;
                    self.pos += 1;
                }
                if digits == 0 {
                    return self.refuse(start, "\\0 must be followed by octal digits");
                }
                Escaped::Char(char::from_u32(value).unwrap_or('\0'))
            }
            'c' => {
                let Some(letter) = self.peek() else {
                    return self.refuse(start, "\\c must be followed by a character");
                };
                self.pos += 1;
                let control = char::from_u32(u32::from(letter) ^ 0x40)
                    .ok_or_else(|| self.untranslatable(start, "bad \\c escape"))?;
                Escaped::Char(control)
            }
            'e' => Escaped::Char('\u{1B}'),
            'a' => Escaped::Char('\u{07}'),
            'f' => Escaped::Char('\u{0C}'),
            'n' => Escaped::Char('\n'),
            'r' => Escaped::Char('\r'),
            't' => Escaped::Char('\t'),
            'h' => bracket(false, HORIZONTAL_SPACE),
            'H' => bracket(true, HORIZONTAL_SPACE),
            'v' => bracket(false, VERTICAL_SPACE),
            'V' => bracket(true, VERTICAL_SPACE),
            'R' if !in_class => Escaped::Text(format!(r"(?:\r\n|[{VERTICAL_SPACE}])")),
            'b' if in_class => Escaped::Char('\u{08}'),
            'd' | 'D' | 'w' | 'W' | 's' | 'S' => Escaped::Text(format!("\\{c}")),
            'b' | 'B' | 'A' | 'z' if !in_class => Escaped::Text(format!("\\{c}")),
            // The end of the input "before a final line terminator": segmented text never
            // holds one, since every line break ends a paragraph.
            'Z' if !in_class => Escaped::Text(String::from(r"\z")),
            'p' | 'P' => Escaped::Text(self.property(start, c == 'P')?),
            'G' => return self.refuse(start, "\\G (end of the previous match) is not supported"),
            'X' => return self.refuse(start, "\\X (grapheme cluster) is not supported"),
            'N' => return self.refuse(start, "\\N{NAME} is not supported; write \\x{...}"),
            'k' | '1'..='9' => {
                return self
                    .refuse(start, format!("backreferences are not supported: {LOOK_AROUND_HINT}"))
            }
            // Java refuses unknown escapes of ASCII letters and digits only.
            c if c.is_ascii_alphanumeric() => {
                return self.refuse(start, format!("unknown escape \\{c}"));
            }
            // Java: a backslash before any other character means the character itself.
            c => Escaped::Char(c),
        })
    }

    fn untranslatable(&self, offset: usize, reason: &str) -> Untranslatable {
        Untranslatable { offset, reason: reason.to_string() }
    }

    /// `count` hexadecimal digits making one code point.
    fn hex_digits(&mut self, start: usize, count: usize) -> Result<char, Untranslatable> {
        let hex: String = self.chars.iter().skip(self.pos).take(count).collect();
        if hex.chars().count() != count || !hex.chars().all(|h| h.is_ascii_hexdigit()) {
            return self.refuse(start, format!("expected {count} hexadecimal digits"));
        }
        self.pos += count;
        code_point(&hex).ok_or_else(|| self.untranslatable(start, "not a Unicode scalar value"))
    }

    /// `\uXXXX` after its `u`, combining a UTF-16 surrogate pair written as two escapes.
    fn utf16_escape(&mut self, start: usize) -> Result<char, Untranslatable> {
        let hex: String = self.chars.iter().skip(self.pos).take(4).collect();
        let unit = (hex.len() == 4)
            .then(|| u32::from_str_radix(&hex, 16).ok())
            .flatten()
            .ok_or_else(|| self.untranslatable(start, "\\u must be followed by 4 hex digits"))?;
        self.pos += 4;
        if (0xD800..0xDC00).contains(&unit) && self.starts_with(r"\u") {
            let low: String = self.chars.iter().skip(self.pos + 2).take(4).collect();
            if let Ok(low) = u32::from_str_radix(&low, 16) {
                if (0xDC00..0xE000).contains(&low) {
                    self.pos += 6;
                    let scalar = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
                    if let Some(c) = char::from_u32(scalar) {
                        return Ok(c);
                    }
                }
            }
        }
        char::from_u32(unit)
            .ok_or_else(|| self.untranslatable(start, "a lone UTF-16 surrogate is not a character"))
    }

    /// `\p{Name}`, `\pL` or their `\P` negations, after the `p`/`P`.
    fn property(&mut self, start: usize, negated: bool) -> Result<String, Untranslatable> {
        let name: String = if self.peek() == Some('{') {
            self.pos += 1;
            let mut name = String::new();
            loop {
                let Some(c) = self.peek() else {
                    return self.refuse(start, "unclosed \\p{...}");
                };
                self.pos += 1;
                if c == '}' {
                    break name;
                }
                name.push(c);
            }
        } else {
            let Some(c) = self.peek() else {
                return self.refuse(start, "\\p must be followed by a property name");
            };
            self.pos += 1;
            c.to_string()
        };
        let sign = if negated { 'P' } else { 'p' };
        let caret = if negated { "^" } else { "" };
        let items = |items: &str| format!("[{caret}{items}]");
        let property = |name: &str| format!("\\{sign}{{{name}}}");
        let lower = name.to_ascii_lowercase();
        if lower.starts_with("block=") || lower.starts_with("blk=") || is_java_block(&name) {
            return self.refuse(
                start,
                format!(
                    "\\p{{{name}}}: Unicode blocks are not supported; use a script such as \
                     \\p{{Greek}} or a range such as [\\x{{0370}}-\\x{{03FF}}]"
                ),
            );
        }
        let name = name.strip_prefix("Is").filter(|rest| !rest.is_empty()).unwrap_or(&name);
        Ok(match name {
            "javaLowerCase" => property("Lowercase"),
            "javaUpperCase" => property("Uppercase"),
            "javaAlphabetic" => property("Alphabetic"),
            "javaLetter" => property("L"),
            "javaDigit" => property("Nd"),
            "javaWhitespace" | "javaSpaceChar" => property("White_Space"),
            "javaLetterOrDigit" => items(r"\p{L}\p{Nd}"),
            n if n.starts_with("java") => {
                return self.refuse(start, format!("\\p{{{n}}} is not supported"))
            }
            // POSIX names, with the Unicode meaning ICU gives them.
            "Digit" | "digit" => property("Nd"),
            "Alnum" | "alnum" => items(r"\p{Alphabetic}\p{Nd}"),
            "Blank" | "blank" => items(r"\p{Zs}\t"),
            "Cntrl" | "cntrl" => property("Cc"),
            "XDigit" | "xdigit" => items("0-9A-Fa-f"),
            "ASCII" => items(r"\x00-\x7F"),
            other => property(other),
        })
    }
}

/// Java writes blocks as `InGreek`, `InBasicLatin`; the script `Inherited` is not one.
fn is_java_block(name: &str) -> bool {
    name.strip_prefix("In").and_then(|rest| rest.chars().next()).is_some_and(char::is_uppercase)
}

fn code_point(hex: &str) -> Option<char> {
    u32::from_str_radix(hex, 16).ok().and_then(char::from_u32)
}

/// A character outside a class: escaped when it is a regex metacharacter or white space
/// (which an `(?x)` pattern would drop).
fn push_literal(out: &mut String, c: char) {
    if c.is_whitespace() || c.is_control() {
        out.push_str(&format!("\\x{{{:X}}}", u32::from(c)));
    } else if regex_syntax::is_meta_character(c) {
        out.push('\\');
        out.push(c);
    } else {
        out.push(c);
    }
}

/// A character inside a class: `-`, `&`, `~`, `[`, `]`, `^`, `\\` and white space are
/// escaped, everything else is itself.
fn push_class_char(out: &mut String, c: char) {
    if c.is_whitespace() || c.is_control() {
        out.push_str(&format!("\\x{{{:X}}}", u32::from(c)));
    } else {
        if matches!(c, '-' | '&' | '~' | '[' | ']' | '^' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(java: &str, rust: &str) {
        assert_eq!(translate_pattern(java).as_deref(), Ok(rust), "translating {java:?}");
        regex_syntax::Parser::new()
            .parse(rust)
            .unwrap_or_else(|e| panic!("{rust:?} (from {java:?}) does not parse: {e}"));
    }

    fn refused(java: &str, reason_part: &str) {
        match translate_pattern(java) {
            Ok(rust) => panic!("{java:?} was translated to {rust:?}, expected a refusal"),
            Err(e) => assert!(
                e.reason.contains(reason_part),
                "{java:?}: reason {:?} lacks {reason_part:?}",
                e.reason
            ),
        }
    }

    #[test]
    fn plain_patterns_stay_as_they_are() {
        check(r"[.?!]+\s", r"[.?!]+\s");
        check(r"\b\p{Lu}\.", r"\b\p{Lu}\.");
        check(r"([A-Z]\.){2,}", r"([A-Z]\.){2,}");
        check(r"(?i)etc\.", r"(?i)etc\.");
        check(r"[\p{L}&&[^rwn]]\.", r"[\p{L}&&[^rwn]]\.");
        check("«|»", "«|»");
    }

    #[test]
    fn java_escapes_are_rewritten() {
        check(r"\u00BB", "»");
        check(r"[\u201D\u2019]", "[”’]");
        check(r"\uD83D\uDE00", "😀");
        check(r"\x{2026}", "…");
        check(r"\0101", "A");
        check(r"\cM", r"\x{D}");
        check(r"\e", r"\x{1B}");
        check(r"\Z", r"\z");
        check(r"\<", "<");
        check(r"[\ظ\.]", r"[ظ.]");
        check(r"[\b]", r"[\x{8}]");
        check(r"\Q...\E|…", r"\.\.\.|…");
        check(r"[\Q.-\E]", r"[.\-]");
        check(r"\h+", format!("[{HORIZONTAL_SPACE}]+").as_str());
        check(r"[\h\v]", format!("[[{HORIZONTAL_SPACE}][{VERTICAL_SPACE}]]").as_str());
    }

    #[test]
    fn java_properties_and_flags_are_rewritten() {
        check(r"\p{IsLu}", r"\p{Lu}");
        check(r"\p{IsAlphabetic}", r"\p{Alphabetic}");
        check(r"\P{javaLowerCase}", r"\P{Lowercase}");
        check(r"\p{Digit}", r"\p{Nd}");
        check(r"\p{Inherited}", r"\p{Inherited}");
        check(r"(?iu)mr\.", r"(?i)mr\.");
        check(r"(?U)\w", r"\w");
        check(r"(?u:x)", r"(?:x)");
    }

    #[test]
    fn possessive_quantifiers_become_greedy() {
        check(r"\s*+\p{Lu}", r"\s*\p{Lu}");
        check(r"a++b?+c{2,3}+", r"a+b?c{2,3}");
        check(r"a*?", r"a*?");
    }

    #[test]
    fn class_hyphens_do_not_become_set_operations() {
        check(r"[‐-―-]", r"[‐-―\-]");
        check(r"[-a]", r"[\-a]");
        check(r"[+--]", r"[+-\-]");
        check(r"[a-z--]", r"[a-z\-\-]");
        check(r"[~]", r"[\~]");
    }

    #[test]
    fn unsupported_constructs_are_refused_with_a_reason() {
        refused(r"(?<!\d)\.", "look-behind");
        refused(r"(?<=[XVI]+)", "look-behind");
        refused(r"(?!Але)\p{Lu}", "look-ahead");
        refused(r"(a)\1", "backreferences");
        refused(r"(?>a+)", "atomic");
        refused(r"\p{InGreek}", "blocks");
        refused(r"\p{block=Greek}", "blocks");
        refused(r"\X", "grapheme");
        refused(r"[abc", "unclosed");
        refused("\\", "lone backslash");
        refused(r"\uD83D", "surrogate");
    }

    #[test]
    fn named_groups_are_kept() {
        check(r"(?<abbr>Dr)\.", r"(?<abbr>Dr)\.");
    }
}
