//! Sentence segmentation with SRX rules: cuts text into segments the way CAT tools do,
//! with built-in rules for Russian and English or the rules of a user's SRX file.
//!
//! Semantics (SRX 2.0): every position between two characters of a paragraph is a
//! candidate; the rules that apply to the language are tried in order, and the first
//! whose `<beforebreak>` matches the text ending at the position and whose `<afterbreak>`
//! matches the text starting there decides: break or no break. No rule matching means no
//! break. With `cascade="yes"` the rules of every language map matching the language are
//! concatenated in map order; otherwise only the first matching map's rules apply.
//! Line breaks always end a segment; segments are trimmed of white space and empty ones
//! dropped. See docs/segmentation.md.

mod compiled;

use std::ops::Range;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use regex_automata::meta::Regex;

use crate::model::normalize_lang_tag;
use crate::srx::{
    read_srx_file, read_srx_str, BadPattern, Position, SkippedRule, SrxDocument, SrxError,
    SrxReadOptions,
};
use compiled::{compile_language_pattern, Boundary, CompileFailure, CompiledRule, Haystack};

/// The built-in rules (Russian, English, and a default set for other languages).
pub const DEFAULT_SRX: &str = include_str!("default.srx");

/// Why a segmenter could not be built.
#[derive(Debug, thiserror::Error)]
pub enum SegmentError {
    /// The SRX file could not be read, or one of its regexes is not one tmbase can run.
    #[error(transparent)]
    Srx(#[from] SrxError),
    /// A regex that parses but cannot be compiled (in practice: too large).
    #[error("{0}")]
    Compile(Box<BadPattern>),
}

/// Segmentation rules ready to use; cheap to clone and safe to share between threads.
#[derive(Debug, Clone)]
pub struct Segmenter {
    inner: Arc<Rules>,
}

#[derive(Debug)]
struct Rules {
    source: String,
    cascade: bool,
    rule_sets: Vec<RuleSet>,
    maps: Vec<LanguageMap>,
    skipped: Vec<SkippedRule>,
}

#[derive(Debug)]
struct RuleSet {
    name: String,
    rules: Vec<CompiledRule>,
}

#[derive(Debug)]
struct LanguageMap {
    pattern: Regex,
    rule_set: usize,
}

impl Segmenter {
    /// The built-in rules for Russian and English (and a default set for other languages).
    pub fn default_rules() -> Segmenter {
        static DEFAULT: OnceLock<Segmenter> = OnceLock::new();
        DEFAULT
            .get_or_init(|| {
                Segmenter::from_srx_str(DEFAULT_SRX, "built-in default.srx")
                    .expect("the built-in default.srx compiles (checked by its tests)")
            })
            .clone()
    }

    /// Rules from an SRX file; any rule whose regex cannot be used is an error.
    pub fn from_srx_file(path: &Path) -> Result<Segmenter, SegmentError> {
        Segmenter::from_srx_file_with(path, SrxReadOptions::default())
    }

    /// Rules from an SRX file, with reading options (such as skipping bad rules, which
    /// are then listed by [`Segmenter::skipped_rules`]).
    pub fn from_srx_file_with(
        path: &Path,
        options: SrxReadOptions,
    ) -> Result<Segmenter, SegmentError> {
        Segmenter::from_document(&read_srx_file(path, options)?)
    }

    /// Rules from SRX text; `source_name` names it in messages.
    pub fn from_srx_str(text: &str, source_name: &str) -> Result<Segmenter, SegmentError> {
        Segmenter::from_document(&read_srx_str(text, source_name, SrxReadOptions::default())?)
    }

    /// Compiles the rules of a document read by [`crate::srx`].
    pub fn from_document(document: &SrxDocument) -> Result<Segmenter, SegmentError> {
        let compile_error =
            |at: Position, rule_set: &str, pattern: &str, failure: CompileFailure| {
                SegmentError::Compile(Box::new(BadPattern {
                    source_name: document.source.clone(),
                    at,
                    rule_set: rule_set.to_string(),
                    part: failure.part,
                    pattern: pattern.to_string(),
                    reason: format!("cannot be compiled: {}", failure.reason),
                }))
            };
        let mut rule_sets = Vec::with_capacity(document.language_rules.len());
        for language_rule in &document.language_rules {
            let mut rules = Vec::with_capacity(language_rule.rules.len());
            for rule in &language_rule.rules {
                let compiled =
                    CompiledRule::new(rule.breaks, &rule.before.translated, &rule.after.translated)
                        .map_err(|failure| {
                            let pattern = match failure.part {
                                "beforebreak" => &rule.before.written,
                                _ => &rule.after.written,
                            };
                            compile_error(rule.at, &language_rule.name, pattern, failure)
                        })?;
                rules.push(compiled);
            }
            rule_sets.push(RuleSet { name: language_rule.name.clone(), rules });
        }
        let mut maps = Vec::with_capacity(document.language_maps.len());
        for map in &document.language_maps {
            let pattern = compile_language_pattern(&map.pattern.translated).map_err(|reason| {
                let failure = CompileFailure { part: "languagemap languagepattern", reason };
                compile_error(map.at, &map.rule_name, &map.pattern.written, failure)
            })?;
            // The reader checked that every map names an existing rule set.
            if let Some(rule_set) = rule_sets.iter().position(|set| set.name == map.rule_name) {
                maps.push(LanguageMap { pattern, rule_set });
            }
        }
        Ok(Segmenter {
            inner: Arc::new(Rules {
                source: document.source.clone(),
                cascade: document.header.cascade,
                rule_sets,
                maps,
                skipped: document.skipped.clone(),
            }),
        })
    }

    /// Where the rules came from (a path, or "built-in default.srx").
    pub fn source(&self) -> &str {
        &self.inner.source
    }

    /// Rules left out when the file was read with `skip_bad_rules`.
    pub fn skipped_rules(&self) -> &[SkippedRule] {
        &self.inner.skipped
    }

    /// The names of the rule sets that apply to `lang`, in the order their rules are
    /// tried; empty when no language map matches (then only line breaks break).
    pub fn rule_set_names(&self, lang: &str) -> Vec<&str> {
        self.rule_sets_for(lang).map(|set| set.name.as_str()).collect()
    }

    fn rule_sets_for<'s>(&'s self, lang: &str) -> impl Iterator<Item = &'s RuleSet> + 's {
        let lang = normalize_lang_tag(lang);
        let limit = if self.inner.cascade { usize::MAX } else { 1 };
        let matching: Vec<usize> = self
            .inner
            .maps
            .iter()
            .filter(|map| map.pattern.is_match(lang.as_str()))
            .map(|map| map.rule_set)
            .take(limit)
            .collect();
        matching.into_iter().map(|i| &self.inner.rule_sets[i])
    }

    /// Cuts `text` into segments: byte ranges into `text`, in order, each trimmed of
    /// surrounding white space and never empty. Line breaks always end a segment.
    pub fn segment(&self, lang: &str, text: &str) -> Vec<Range<usize>> {
        let rules: Vec<&CompiledRule> =
            self.rule_sets_for(lang).flat_map(|set| set.rules.iter()).collect();
        let mut segments = Vec::new();
        for paragraph in paragraphs(text) {
            let base = paragraph.start;
            let haystack = Haystack::new(&text[paragraph]);
            let mut start = 0;
            let mut previous = None;
            for (position, after) in haystack.forward.char_indices() {
                if let Some(before) = previous.replace(after) {
                    if breaks_at(&rules, &haystack, Boundary { position, before, after }) {
                        push_trimmed(&mut segments, text, base + start..base + position);
                        start = position;
                    }
                }
            }
            push_trimmed(&mut segments, text, base + start..base + haystack.forward.len());
        }
        segments
    }

    /// The segments of `text` as string slices.
    pub fn segment_str<'t>(&self, lang: &str, text: &'t str) -> Vec<&'t str> {
        self.segment(lang, text).into_iter().map(|range| &text[range]).collect()
    }

    /// The segments of `text` as character (not byte) ranges, for clients that count
    /// characters (JavaScript counts UTF-16 units; convert from these if needed).
    pub fn segment_chars(&self, lang: &str, text: &str) -> Vec<Range<usize>> {
        char_ranges(text, &self.segment(lang, text))
    }
}

/// The first rule (in order) that matches at the boundary decides; none means no break.
fn breaks_at(rules: &[&CompiledRule], haystack: &Haystack<'_>, boundary: Boundary) -> bool {
    rules.iter().find(|rule| rule.matches_at(haystack, boundary)).is_some_and(|rule| rule.breaks)
}

/// Byte ranges of the lines of `text` (without their line terminators).
fn paragraphs(text: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    let mut start = 0;
    let mut ends = text
        .char_indices()
        .filter(|(_, c)| is_line_break(*c))
        .map(|(i, c)| (i, i + c.len_utf8()))
        .chain(std::iter::once((text.len(), text.len())));
    std::iter::from_fn(move || {
        let (end, next) = ends.next()?;
        let range = start..end;
        start = next;
        Some(range)
    })
}

fn is_line_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// White space around a segment, plus the byte-order mark and zero-width space.
fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{FEFF}' || c == '\u{200B}'
}

fn push_trimmed(segments: &mut Vec<Range<usize>>, text: &str, range: Range<usize>) {
    let slice = &text[range.clone()];
    let trimmed_start = slice.len() - slice.trim_start_matches(is_space).len();
    let trimmed = slice.trim_matches(is_space);
    if !trimmed.is_empty() {
        let start = range.start + trimmed_start;
        segments.push(start..start + trimmed.len());
    }
}

/// Byte ranges into `text` (on character boundaries, ascending) as character ranges.
pub fn char_ranges(text: &str, byte_ranges: &[Range<usize>]) -> Vec<Range<usize>> {
    let mut chars_before = 0;
    let mut byte = 0;
    let mut char_offset = |target: usize| {
        chars_before += text.get(byte..target).map_or(0, |s| s.chars().count());
        byte = byte.max(target);
        chars_before
    };
    byte_ranges.iter().map(|range| char_offset(range.start)..char_offset(range.end)).collect()
}

#[cfg(test)]
mod tests;
