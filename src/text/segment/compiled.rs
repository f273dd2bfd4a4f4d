//! SRX rules compiled for matching at a position: `<afterbreak>` runs forward from the
//! position, `<beforebreak>` runs on the reversed text from the mirrored position.
//!
//! "Does the regex match some text ending exactly here?" has no direct answer in a
//! forward regex engine. Reversing the regex (concatenations back to front, literals
//! reversed, `^`/`$` and other assertions swapped) and the text turns it into "does the
//! reversed regex match text starting here?", an anchored search that looks at no more
//! of the text than the match needs. Every match ending at the position counts, however
//! it overlaps others, as SRX requires; look-around in the surrounding text (`\b`, `^`)
//! sees the whole paragraph.
//!
//! Most rules can only match where a few characters stand (a `<beforebreak>` ending in
//! `[.?!]`); each rule keeps the characters its matches can end (and begin) with, so most
//! positions are ruled out by a table look-up before any regex runs.

use std::cmp::Ordering;

use regex_automata::meta::{Config, Regex};
use regex_automata::{Anchored, Input};
use regex_syntax::hir::{Capture, Class, ClassUnicode, Hir, HirKind, Repetition};

/// One SRX rule ready to be tried at a position.
#[derive(Debug, Clone)]
pub(super) struct CompiledRule {
    pub breaks: bool,
    /// The reversed `<beforebreak>`; `None` when it is empty (it matches everywhere).
    before_reversed: Option<Regex>,
    /// The characters a `<beforebreak>` match can end with, when they are limited.
    before_last: Option<CharSet>,
    /// `<afterbreak>`; `None` when it is empty.
    after: Option<Regex>,
    /// The characters an `<afterbreak>` match can start with, when they are limited.
    after_first: Option<CharSet>,
}

/// Which regex of a rule could not be compiled, and why.
#[derive(Debug)]
pub(super) struct CompileFailure {
    pub part: &'static str,
    pub reason: String,
}

/// A position between two characters of a paragraph.
#[derive(Debug, Clone, Copy)]
pub(super) struct Boundary {
    /// Byte offset, on a character boundary, neither 0 nor the paragraph's length.
    pub position: usize,
    pub before: char,
    pub after: char,
}

/// A paragraph and its characters in reverse order, prepared once for all positions.
pub(super) struct Haystack<'p> {
    pub forward: &'p str,
    reversed: String,
}

impl<'p> Haystack<'p> {
    pub fn new(paragraph: &'p str) -> Self {
        Haystack { forward: paragraph, reversed: paragraph.chars().rev().collect() }
    }
}

impl CompiledRule {
    /// Compiles the two regexes, given in `regex-syntax` syntax (already checked to parse).
    pub fn new(breaks: bool, before: &str, after: &str) -> Result<Self, CompileFailure> {
        let failed = |part| move |reason| CompileFailure { part, reason };
        let (before_reversed, before_last) = if before.is_empty() {
            (None, None)
        } else {
            let reversed = parse(before).and_then(reverse).map_err(failed("beforebreak"))?;
            let last = CharSet::first_of(&reversed);
            (Some(build(&reversed).map_err(failed("beforebreak"))?), last)
        };
        let (after, after_first) = if after.is_empty() {
            (None, None)
        } else {
            let hir = parse(after).map_err(failed("afterbreak"))?;
            let first = CharSet::first_of(&hir);
            (Some(build(&hir).map_err(failed("afterbreak"))?), first)
        };
        Ok(CompiledRule { breaks, before_reversed, before_last, after, after_first })
    }

    /// Whether `<beforebreak>` matches text ending at the boundary and `<afterbreak>` text
    /// starting there.
    pub fn matches_at(&self, haystack: &Haystack<'_>, boundary: Boundary) -> bool {
        if self.before_last.as_ref().is_some_and(|set| !set.contains(boundary.before))
            || self.after_first.as_ref().is_some_and(|set| !set.contains(boundary.after))
        {
            return false;
        }
        let position = boundary.position;
        if let Some(before) = &self.before_reversed {
            let mirrored = haystack.forward.len() - position;
            let input = Input::new(&haystack.reversed)
                .range(mirrored..)
                .anchored(Anchored::Yes)
                .earliest(true);
            if !before.is_match(input) {
                return false;
            }
        }
        if let Some(after) = &self.after {
            let input = Input::new(haystack.forward)
                .range(position..)
                .anchored(Anchored::Yes)
                .earliest(true);
            if !after.is_match(input) {
                return false;
            }
        }
        true
    }
}

/// A regex matched against whole language codes, ignoring case.
pub(super) fn compile_language_pattern(pattern: &str) -> Result<Regex, String> {
    let whole = format!(r"(?i)\A(?:{pattern})\z");
    build(&parse(&whole)?)
}

fn parse(pattern: &str) -> Result<Hir, String> {
    regex_syntax::Parser::new().parse(pattern).map_err(|e| e.to_string())
}

/// Builds a regex without a full DFA: rule sets hold thousands of small regexes, and
/// building their DFAs takes three times as long as everything else while the lazy DFA
/// serves these short anchored searches as well.
fn build(hir: &Hir) -> Result<Regex, String> {
    Regex::builder()
        .configure(Config::new().dfa(false))
        .build_from_hir(hir)
        .map_err(|e| e.to_string())
}

/// A set of characters as sorted, disjoint ranges.
#[derive(Debug, Clone)]
struct CharSet(Vec<(char, char)>);

impl CharSet {
    /// The characters a match of `hir` must start with; `None` when a match can be empty
    /// (or start with anything that cannot be listed), so no position can be ruled out.
    fn first_of(hir: &Hir) -> Option<CharSet> {
        let (class, can_be_empty) = first_chars(hir)?;
        (!can_be_empty).then(|| CharSet(class.iter().map(|r| (r.start(), r.end())).collect()))
    }

    fn contains(&self, c: char) -> bool {
        self.0
            .binary_search_by(|&(start, end)| {
                if end < c {
                    Ordering::Less
                } else if start > c {
                    Ordering::Greater
                } else {
                    Ordering::Equal
                }
            })
            .is_ok()
    }
}

/// The characters a match can start with, and whether it can be empty; `None` when they
/// cannot be told (byte classes).
fn first_chars(hir: &Hir) -> Option<(ClassUnicode, bool)> {
    Some(match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => (ClassUnicode::empty(), true),
        HirKind::Literal(literal) => {
            let c = std::str::from_utf8(&literal.0).ok()?.chars().next()?;
            (ClassUnicode::new([regex_syntax::hir::ClassUnicodeRange::new(c, c)]), false)
        }
        HirKind::Class(Class::Unicode(class)) => (class.clone(), false),
        HirKind::Class(Class::Bytes(_)) => return None,
        HirKind::Repetition(repetition) => {
            let (class, can_be_empty) = first_chars(&repetition.sub)?;
            (class, can_be_empty || repetition.min == 0)
        }
        HirKind::Capture(capture) => first_chars(&capture.sub)?,
        HirKind::Concat(parts) => {
            let mut all = ClassUnicode::empty();
            for part in parts {
                let (class, can_be_empty) = first_chars(part)?;
                all.union(&class);
                if !can_be_empty {
                    return Some((all, false));
                }
            }
            (all, true)
        }
        HirKind::Alternation(parts) => {
            let mut all = ClassUnicode::empty();
            let mut any_empty = false;
            for part in parts {
                let (class, can_be_empty) = first_chars(part)?;
                all.union(&class);
                any_empty |= can_be_empty;
            }
            (all, any_empty)
        }
    })
}

/// The regex that matches the reversed strings of what `hir` matches.
fn reverse(hir: Hir) -> Result<Hir, String> {
    Ok(match hir.into_kind() {
        HirKind::Empty => Hir::empty(),
        HirKind::Literal(literal) => {
            let text = std::str::from_utf8(&literal.0)
                .map_err(|_| String::from("byte-oriented regexes (?-u) are not supported"))?;
            let reversed: String = text.chars().rev().collect();
            Hir::literal(reversed.into_bytes())
        }
        HirKind::Class(class) => Hir::class(class),
        HirKind::Look(look) => Hir::look(look.reversed()),
        HirKind::Repetition(repetition) => {
            Hir::repetition(Repetition { sub: Box::new(reverse(*repetition.sub)?), ..repetition })
        }
        HirKind::Capture(capture) => {
            Hir::capture(Capture { sub: Box::new(reverse(*capture.sub)?), ..capture })
        }
        HirKind::Concat(parts) => {
            Hir::concat(parts.into_iter().rev().map(reverse).collect::<Result<_, _>>()?)
        }
        HirKind::Alternation(parts) => {
            Hir::alternation(parts.into_iter().map(reverse).collect::<Result<_, _>>()?)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The boundaries of `text` (between two characters) where `rule` matches.
    fn hits(rule: &CompiledRule, text: &str) -> Vec<usize> {
        let haystack = Haystack::new(text);
        let chars: Vec<(usize, char)> = text.char_indices().collect();
        chars
            .windows(2)
            .map(|pair| Boundary { position: pair[1].0, before: pair[0].1, after: pair[1].1 })
            .filter(|&boundary| rule.matches_at(&haystack, boundary))
            .map(|boundary| boundary.position)
            .collect()
    }

    /// Every boundary where `before` matches text ending there.
    fn ends(before: &str, text: &str) -> Vec<usize> {
        // A trailing character lets the last position be a boundary.
        hits(&CompiledRule::new(true, before, "").expect("compiles"), &format!("{text}\n"))
    }

    #[test]
    fn before_finds_every_match_ending_at_a_position_even_overlapping_ones() {
        // A leftmost-first forward scan would find one match, "U.S.A.", ending at 6.
        assert_eq!(ends(r"([A-Z]\.){2,}", "U.S.A."), [4, 6]);
        assert_eq!(ends(r"\.", "a.b."), [2, 4]);
        assert_eq!(ends("абв", "xабвx"), [7]);
    }

    #[test]
    fn assertions_see_the_text_around_the_position() {
        // `\b` at the end of the before-text must see the character after the position.
        assert_eq!(ends(r"ab\b", "ab abc"), [2]);
        assert_eq!(ends(r"\bт\.", "т. кот."), [3]);
        // `^` is the start of the paragraph, `$` its end.
        assert_eq!(ends(r"^\d\.", "1. 2."), [2]);
        let at_end = CompiledRule::new(true, r"\d\.", r"\s*$").expect("compiles");
        assert_eq!(hits(&at_end, "1. 2. "), [5]);
    }

    #[test]
    fn after_is_anchored_at_the_position() {
        let rule = CompiledRule::new(true, "", r"\s\p{Lu}").expect("compiles");
        assert_eq!(hits(&rule, "a. B c. d"), [2]);
    }

    #[test]
    fn first_and_last_characters_are_known_where_they_are_limited() {
        let last_of = |before: &str| CharSet::first_of(&reverse(parse(before).unwrap()).unwrap());
        let dot = last_of(r"\b(?:Mr|Dr)\.").expect("limited");
        assert!(dot.contains('.') && !dot.contains(','));
        let closers = last_of(r"[.?!][»)]*").expect("limited");
        assert!(closers.contains('»') && closers.contains('?') && !closers.contains('a'));
        let dot_spaces = last_of(r"\.\s*").expect("limited");
        assert!(
            dot_spaces.contains('.') && dot_spaces.contains('\u{A0}') && !dot_spaces.contains('a')
        );
        assert!(last_of(r"\.?").is_none(), "the match can be empty");
        assert!(CharSet::first_of(&parse("").unwrap()).is_none());
        let upper = CharSet::first_of(&parse(r"\s*\p{Lu}").unwrap()).expect("limited");
        assert!(upper.contains(' ') && upper.contains('Ж') && !upper.contains('ж'));
    }

    #[test]
    fn language_patterns_match_whole_codes_ignoring_case() {
        let ru = compile_language_pattern("RU.*").expect("compiles");
        assert!(ru.is_match("ru-RU"));
        assert!(!ru.is_match("fr-RU"));
        let en = compile_language_pattern("en").expect("compiles");
        assert!(!en.is_match("en-GB"));
    }
}
