//! Term recognition: every term of the chosen term bases in a segment, inflected and
//! multi-word forms included, the longest match winning where terms overlap.
//!
//! Terms are indexed by the key of their first word (its stem, or its normalised form for
//! exact and case-sensitive terms and for acronyms); each word of a segment looks up its
//! candidates and checks the following words. Offsets are in characters (Unicode scalar
//! values), end exclusive.

use std::collections::HashMap;

use super::morph;
use crate::model::{MatchMode, TermStatus};
use crate::store::{RecognitionTerm, Store, StoreError};
use crate::text::{stem, token_form, tokenize, TokenKind};

/// A term of the target language offered for a recognised concept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetTerm {
    pub term_id: i64,
    pub lang: String,
    pub text: String,
    pub status: Option<TermStatus>,
}

/// One recognised term.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermHit {
    /// Character offsets in the segment, end exclusive.
    pub start: usize,
    pub end: usize,
    /// The segment's text at those offsets.
    pub text: String,
    pub termbase: String,
    pub concept_id: i64,
    pub concept_external_id: String,
    pub term_id: i64,
    /// The term as written in the term base.
    pub term: String,
    pub status: Option<TermStatus>,
    pub match_mode: MatchMode,
    /// Terms of the target language, preferred first (forbidden ones last, marked).
    pub targets: Vec<TargetTerm>,
}

/// How one word of a term is compared.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Compare {
    /// Same stem and an ending of the same paradigm (Russian) or an inflection (English).
    Stem { stem: String, ending: String, paradigms: u16, cyrillic: bool },
    /// Same normalised form (case- and ё-insensitive).
    Norm(String),
    /// Same characters (after NFC and ё→е folding), capitals included.
    Surface(String),
    /// An acronym (`МИД`, `НАТО`), also with a Russian case ending written in small letters
    /// (`МИДа`, `МИДе`); compared with or without regard to case.
    Acronym { surface: String, case_sensitive: bool },
}

/// Case endings that Russian adds to acronyms in small letters: `МИДа`, `МИДом`, `вузы`.
const ACRONYM_ENDINGS: &[&str] = &["а", "у", "ом", "е", "ы", "ов", "ам", "ами", "ах", "ой"];

/// The acronym a word starts with when the rest is a case ending: `МИДа` → `МИД`.
fn acronym_base(surface: &str) -> Option<&str> {
    let split = surface.char_indices().find(|(_, c)| !c.is_uppercase()).map(|(i, _)| i)?;
    let (base, ending) = surface.split_at(split);
    (base.chars().count() >= 2 && ACRONYM_ENDINGS.contains(&ending)).then_some(base)
}

#[derive(Debug, Clone)]
struct Entry {
    termbase: u32,
    concept_id: i64,
    concept_external_id: String,
    term_id: i64,
    text: String,
    status: Option<TermStatus>,
    mode: MatchMode,
    words: Vec<Compare>,
    /// The normalised form of each word, to prefer the term written like the text.
    norms: Vec<String>,
}

/// A segment's token, with what comparisons need.
struct TextToken {
    start: usize,
    end: usize,
    norm: String,
    stem: String,
    surface: String,
}

/// The recognition index of some term bases for one language (and the target terms of
/// another). Build it once and call [`Recognizer::find`] for each segment.
#[derive(Debug, Default)]
pub struct Recognizer {
    termbases: Vec<String>,
    entries: Vec<Entry>,
    /// Entries by the stem of their first word (stemmed words).
    by_stem: HashMap<String, Bucket>,
    /// Entries by the normalised form of their first word (exact, case-sensitive, acronyms).
    by_norm: HashMap<String, Bucket>,
    by_concept: HashMap<i64, Vec<u32>>,
    targets: HashMap<i64, Vec<TargetTerm>>,
}

/// The entries that share a first-word key: one-word terms, and longer ones by the key of
/// their second word, so that a frequent first word does not mean many candidates.
#[derive(Debug, Default)]
struct Bucket {
    single: Vec<u32>,
    /// (the second word's key is a stem, key) → entries.
    by_second: HashMap<(bool, String), Vec<u32>>,
}

/// The keys under which a text token may be found: its stem, its form taken as a stem (when
/// Snowball cut it short), its normalised form, the acronym it starts with.
fn token_keys(tok: &TextToken) -> [Option<(bool, String)>; 4] {
    [
        Some((true, tok.stem.clone())),
        (tok.norm != tok.stem).then(|| (true, tok.norm.clone())),
        Some((false, tok.norm.clone())),
        acronym_base(&tok.surface).map(|a| (false, token_form(a))),
    ]
}

fn is_cyrillic(s: &str) -> bool {
    s.chars().next().is_some_and(|c| ('\u{0400}'..='\u{04FF}').contains(&c))
}

/// Capital letters only (`НАТО`, `ОБСЕ`, `EU`): acronyms are compared whole, never stemmed.
fn is_acronym(surface: &str) -> bool {
    let letters: Vec<char> = surface.chars().filter(|c| c.is_alphabetic()).collect();
    letters.len() >= 2 && letters.iter().all(|c| c.is_uppercase())
}

fn fold_surface(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'ё' => 'е',
            'Ё' => 'Е',
            c => c,
        })
        .collect()
}

fn text_tokens(text: &str) -> Vec<TextToken> {
    let mut chars_before = 0usize;
    let mut last_byte = 0usize;
    let mut out = Vec::new();
    for t in tokenize(text) {
        chars_before += text[last_byte..t.start].chars().count();
        let surface = &text[t.start..t.end];
        let len = surface.chars().count();
        let norm = token_form(surface);
        let stem = if t.kind == TokenKind::Word { stem(&norm) } else { norm.clone() };
        out.push(TextToken {
            start: chars_before,
            end: chars_before + len,
            stem,
            norm,
            surface: fold_surface(surface),
        });
        chars_before += len;
        last_byte = t.end;
    }
    out
}

fn compile_word(surface: &str, kind: TokenKind, mode: MatchMode) -> Compare {
    let norm = token_form(surface);
    let acronym = kind == TokenKind::Word && is_acronym(surface);
    match mode {
        MatchMode::CaseSensitive if acronym => {
            Compare::Acronym { surface: fold_surface(surface), case_sensitive: true }
        }
        MatchMode::CaseSensitive => Compare::Surface(fold_surface(surface)),
        MatchMode::Exact => Compare::Norm(norm),
        MatchMode::Stemmed => {
            if acronym {
                return Compare::Acronym { surface: fold_surface(surface), case_sensitive: false };
            }
            if kind != TokenKind::Word || norm.chars().any(|c| c.is_numeric()) {
                return Compare::Norm(norm);
            }
            let s = stem(&norm);
            let ending = morph::ending(&norm, &s).to_string();
            let cyrillic = is_cyrillic(&norm);
            let paradigms = if cyrillic { morph::russian_paradigms(&ending) } else { 0 };
            Compare::Stem { stem: s, ending, paradigms, cyrillic }
        }
    }
}

impl Compare {
    /// The index key: (is a stem, key).
    fn key(&self) -> (bool, String) {
        match self {
            Compare::Stem { stem, .. } => (true, stem.clone()),
            Compare::Norm(n) => (false, n.clone()),
            Compare::Surface(s) | Compare::Acronym { surface: s, .. } => (false, token_form(s)),
        }
    }

    fn matches(&self, t: &TextToken) -> bool {
        match self {
            Compare::Norm(n) => *n == t.norm,
            Compare::Surface(s) => *s == t.surface,
            Compare::Acronym { surface, case_sensitive } => {
                let base = acronym_base(&t.surface).unwrap_or(&t.surface);
                if *case_sensitive {
                    base == surface
                } else {
                    token_form(base) == token_form(surface)
                }
            }
            Compare::Stem { stem, ending, paradigms, cyrillic } => {
                let text_ending = if *stem == t.stem {
                    morph::ending(&t.norm, &t.stem)
                } else {
                    // Snowball sometimes cuts a zero-ending form shorter (`систем`, genitive of
                    // `системы`, → `сист`): the word may still be the term's stem plus an ending.
                    match t.norm.strip_prefix(stem.as_str()) {
                        Some(rest) => rest,
                        None => return false,
                    }
                };
                if *cyrillic {
                    text_ending == ending || morph::russian_ending_fits(text_ending, *paradigms)
                } else {
                    morph::english_ending_fits(ending, text_ending)
                }
            }
        }
    }
}

impl Recognizer {
    /// An index of `terms` (one language); `targets` are the terms of the target language
    /// offered with each hit (any term bases, matched by concept id).
    pub fn new(terms: Vec<RecognitionTerm>, targets: Vec<RecognitionTerm>) -> Recognizer {
        let mut r = Recognizer::default();
        for t in terms {
            let termbase = match r.termbases.iter().position(|n| *n == t.termbase) {
                Some(i) => i as u32,
                None => {
                    r.termbases.push(t.termbase.clone());
                    (r.termbases.len() - 1) as u32
                }
            };
            let tokens = tokenize(&t.text);
            let words: Vec<Compare> = tokens
                .iter()
                .map(|tok| compile_word(tok.text(&t.text), tok.kind, t.match_mode))
                .collect();
            let norms: Vec<String> =
                tokens.iter().map(|tok| token_form(tok.text(&t.text))).collect();
            if words.is_empty() {
                continue;
            }
            let index = r.entries.len() as u32;
            let (is_stem, key) = words[0].key();
            let map = if is_stem { &mut r.by_stem } else { &mut r.by_norm };
            let bucket = map.entry(key).or_default();
            match words.get(1) {
                None => bucket.single.push(index),
                Some(second) => bucket.by_second.entry(second.key()).or_default().push(index),
            }
            r.by_concept.entry(t.concept_id).or_default().push(index);
            r.entries.push(Entry {
                termbase,
                concept_id: t.concept_id,
                concept_external_id: t.concept_external_id,
                term_id: t.term_id,
                text: t.text,
                status: t.status,
                mode: t.match_mode,
                words,
                norms,
            });
        }
        for t in targets {
            r.targets.entry(t.concept_id).or_default().push(TargetTerm {
                term_id: t.term_id,
                lang: t.lang,
                text: t.text,
                status: t.status,
            });
        }
        for list in r.targets.values_mut() {
            // Stable: the term base's order within one status.
            list.sort_by_key(|t| TermStatus::rank(t.status));
        }
        r
    }

    /// The index of the `source` terms of the named term bases, with their `target` terms.
    pub fn from_store(
        store: &Store,
        termbases: &[String],
        source: &str,
        target: Option<&str>,
    ) -> Result<Recognizer, StoreError> {
        let mut terms = Vec::new();
        let mut targets = Vec::new();
        for tb in termbases {
            terms.extend(store.recognition_terms(tb, source)?);
            if let Some(target) = target {
                targets.extend(store.recognition_terms(tb, target)?);
            }
        }
        Ok(Recognizer::new(terms, targets))
    }

    /// The terms of a concept in this index's language, with their statuses.
    pub fn concept_terms(&self, concept_id: i64) -> Vec<(&str, Option<TermStatus>)> {
        self.by_concept
            .get(&concept_id)
            .map(|list| {
                list.iter()
                    .map(|&i| {
                        let e = &self.entries[i as usize];
                        (e.text.as_str(), e.status)
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// How many terms the index holds.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Every term in `text`. Where matches overlap the longest wins (in words); matches of
    /// several concepts on exactly the same words are all given. Ordered by position.
    pub fn find(&self, text: &str) -> Vec<TermHit> {
        let tokens = text_tokens(text);
        // (first token, token count, entry)
        let mut raw: Vec<(usize, usize, u32)> = Vec::new();
        let keys: Vec<[Option<(bool, String)>; 4]> = tokens.iter().map(token_keys).collect();
        for i in 0..tokens.len() {
            for (is_stem, key) in keys[i].iter().flatten() {
                let map = if *is_stem { &self.by_stem } else { &self.by_norm };
                let Some(bucket) = map.get(key) else { continue };
                let mut lists: Vec<&Vec<u32>> = vec![&bucket.single];
                if let Some(next) = keys.get(i + 1) {
                    lists.extend(next.iter().flatten().filter_map(|k| bucket.by_second.get(k)));
                }
                for &e in lists.into_iter().flatten() {
                    let entry = &self.entries[e as usize];
                    let n = entry.words.len();
                    if i + n > tokens.len() {
                        continue;
                    }
                    if entry.words.iter().zip(&tokens[i..i + n]).all(|(w, t)| w.matches(t))
                        && !raw
                            .iter()
                            .rev()
                            .take_while(|r| r.0 == i)
                            .any(|&(_, l, x)| l == n && x == e)
                    {
                        raw.push((i, n, e));
                    }
                }
            }
        }
        // Longest first, then leftmost; a match survives when it overlaps no longer one.
        raw.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let mut taken: Vec<(usize, usize)> = Vec::new();
        // (first token, token count, entry, written otherwise than the text)
        let mut kept: Vec<(usize, usize, u32, bool)> = Vec::new();
        for (s, l, e) in raw {
            let span = (s, s + l);
            let same = taken.contains(&span);
            let overlaps = taken.iter().any(|&(a, b)| s < b && a < s + l);
            if same || !overlaps {
                if !same {
                    taken.push(span);
                }
                let norms = &self.entries[e as usize].norms;
                let differs = norms.iter().zip(&tokens[s..s + l]).any(|(n, t)| *n != t.norm);
                kept.push((s, l, e, differs));
            }
        }
        // One hit per concept and span: the term written most like the text, then the best status.
        kept.sort_by(|a, b| {
            let (ea, eb) = (&self.entries[a.2 as usize], &self.entries[b.2 as usize]);
            (a.0, ea.concept_id, a.3, TermStatus::rank(ea.status), ea.term_id).cmp(&(
                b.0,
                eb.concept_id,
                b.3,
                TermStatus::rank(eb.status),
                eb.term_id,
            ))
        });
        kept.dedup_by(|b, a| {
            a.0 == b.0
                && a.1 == b.1
                && self.entries[a.2 as usize].concept_id == self.entries[b.2 as usize].concept_id
        });
        let chars: Vec<char> = text.chars().collect();
        kept.into_iter()
            .map(|(s, l, e, _)| {
                let entry = &self.entries[e as usize];
                let (start, end) = (tokens[s].start, tokens[s + l - 1].end);
                TermHit {
                    start,
                    end,
                    text: chars[start..end].iter().collect(),
                    termbase: self.termbases[entry.termbase as usize].clone(),
                    concept_id: entry.concept_id,
                    concept_external_id: entry.concept_external_id.clone(),
                    term_id: entry.term_id,
                    term: entry.text.clone(),
                    status: entry.status,
                    match_mode: entry.mode,
                    targets: self.targets.get(&entry.concept_id).cloned().unwrap_or_default(),
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn term(concept: i64, text: &str, mode: MatchMode) -> RecognitionTerm {
        RecognitionTerm {
            termbase: "tb".into(),
            concept_id: concept,
            concept_external_id: format!("c{concept}"),
            term_id: concept * 10,
            lang: "ru".into(),
            text: text.into(),
            status: None,
            match_mode: mode,
        }
    }

    fn found(r: &Recognizer, text: &str) -> Vec<(usize, usize, String, String)> {
        r.find(text).into_iter().map(|h| (h.start, h.end, h.text, h.term)).collect()
    }

    #[test]
    fn inflected_multi_word_terms_are_found_with_char_offsets() {
        let r = Recognizer::new(
            vec![
                term(1, "Североатлантический альянс", MatchMode::Stemmed),
                term(2, "гарантии безопасности", MatchMode::Stemmed),
                term(3, "альянс", MatchMode::Stemmed),
                term(4, "НАТО", MatchMode::CaseSensitive),
            ],
            vec![],
        );
        let text =
            "Ёмкая речь о расширении Североатлантического альянса и гарантиях безопасности НАТО";
        assert_eq!(
            found(&r, text),
            [
                (
                    24,
                    52,
                    "Североатлантического альянса".to_string(),
                    "Североатлантический альянс".to_string()
                ),
                (55, 77, "гарантиях безопасности".to_string(), "гарантии безопасности".to_string()),
                (78, 82, "НАТО".to_string(), "НАТО".to_string()),
            ]
        );
        assert!(found(&r, "нато").is_empty(), "case-sensitive");
    }

    #[test]
    fn no_hits_on_words_that_share_a_beginning() {
        let r = Recognizer::new(
            vec![term(1, "карта", MatchMode::Stemmed), term(2, "мир", MatchMode::Stemmed)],
            vec![],
        );
        assert!(found(&r, "картофель и мировой рынок").is_empty());
        assert_eq!(found(&r, "по карте мира").len(), 2);
    }
}
