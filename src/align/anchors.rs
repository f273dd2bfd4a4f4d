//! Anchors: what a sentence and its translation visibly share. Numbers (`1997`, `3,5` ↔
//! `3.5`, `два` ↔ `two`), names matched across scripts by transliteration (`Грушко` ↔
//! `Grushko`, see [`super::translit`]), and concepts of a term base recognised on both sides.
//!
//! Each anchor becomes a key shared by both documents; an item (sentence or paragraph) holds
//! the keys found in it. Within a region being aligned, a key is worth `ln(N / k)` nats when
//! `k` of the region's `N` items (both sides counted) hold it: a name found in one sentence of
//! each side is strong evidence that they belong together, `NATO` in every sentence is none.

use std::collections::HashMap;
use std::sync::Arc;

use super::translit::{
    is_cyrillic_word, key_similarity, latin_name_key, russian_name_keys, MIN_NAME_KEY_LEN,
    NAME_SIMILARITY_THRESHOLD,
};
use super::AlignError;
use crate::store::Store;
use crate::terms::Recognizer;
use crate::text::{token_form, tokenize, TokenKind};

/// What kind of evidence an anchor is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AnchorKind {
    Number,
    Name,
    Term,
}

impl AnchorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AnchorKind::Number => "number",
            AnchorKind::Name => "name",
            AnchorKind::Term => "term",
        }
    }
}

/// An anchor found on both sides of a bead, with the words that gave it on each side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchedAnchor {
    pub kind: AnchorKind,
    pub source: String,
    pub target: String,
}

/// Term recognisers for both languages, built from the same term bases: a concept recognised
/// in a source sentence and in a target sentence is an anchor.
#[derive(Debug, Clone)]
pub struct TermAnchors {
    /// Recognises source-language terms (with their target terms).
    pub source: Arc<Recognizer>,
    /// Recognises target-language terms.
    pub target: Arc<Recognizer>,
}

impl TermAnchors {
    /// Recognisers for the terms of `termbases` in the two languages.
    pub fn from_store(
        store: &Store,
        termbases: &[String],
        source_lang: &str,
        target_lang: &str,
    ) -> Result<TermAnchors, AlignError> {
        Ok(TermAnchors {
            source: Arc::new(Recognizer::from_store(
                store,
                termbases,
                source_lang,
                Some(target_lang),
            )?),
            target: Arc::new(Recognizer::from_store(store, termbases, target_lang, None)?),
        })
    }
}

/// The anchor keys of one item, sorted and unique, each with the first words that gave it.
#[derive(Debug, Clone, Default)]
pub struct ItemAnchors {
    entries: Vec<(u32, String)>,
}

impl ItemAnchors {
    fn insert(&mut self, key: u32, surface: &str) {
        if let Err(at) = self.entries.binary_search_by_key(&key, |e| e.0) {
            self.entries.insert(at, (key, surface.to_string()));
        }
    }

    pub fn contains(&self, key: u32) -> bool {
        self.entries.binary_search_by_key(&key, |e| e.0).is_ok()
    }

    pub fn keys(&self) -> impl Iterator<Item = u32> + '_ {
        self.entries.iter().map(|e| e.0)
    }

    fn surface(&self, key: u32) -> Option<&str> {
        self.entries.binary_search_by_key(&key, |e| e.0).ok().map(|i| self.entries[i].1.as_str())
    }

    /// The anchors of several items together (a paragraph from its sentences).
    pub fn union<'a>(items: impl IntoIterator<Item = &'a ItemAnchors>) -> ItemAnchors {
        let mut out = ItemAnchors::default();
        for item in items {
            for (key, surface) in &item.entries {
                out.insert(*key, surface);
            }
        }
        out
    }
}

/// The anchors of every sentence of two documents, with keys shared across them.
#[derive(Debug, Default)]
pub struct DocumentAnchors {
    pub source: Vec<ItemAnchors>,
    pub target: Vec<ItemAnchors>,
    kinds: Vec<AnchorKind>,
}

impl DocumentAnchors {
    /// The anchors on both sides of a bead, in key order.
    pub fn matched(&self, source: &[&ItemAnchors], target: &[&ItemAnchors]) -> Vec<MatchedAnchor> {
        let mut keys: Vec<u32> = source.iter().flat_map(|item| item.keys()).collect();
        keys.sort_unstable();
        keys.dedup();
        keys.into_iter()
            .filter_map(|key| {
                let target_word = target.iter().find_map(|item| item.surface(key))?;
                let source_word = source.iter().find_map(|item| item.surface(key))?;
                Some(MatchedAnchor {
                    kind: self.kinds[key as usize],
                    source: source_word.to_string(),
                    target: target_word.to_string(),
                })
            })
            .collect()
    }
}

/// What a key stands for, while keys are being made.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum KeyName {
    Number(String),
    NameGroup(usize),
    Term(i64),
}

#[derive(Default)]
struct Keys {
    ids: HashMap<KeyName, u32>,
    kinds: Vec<AnchorKind>,
}

impl Keys {
    fn id(&mut self, name: KeyName) -> u32 {
        let kind = match name {
            KeyName::Number(_) => AnchorKind::Number,
            KeyName::NameGroup(_) => AnchorKind::Name,
            KeyName::Term(_) => AnchorKind::Term,
        };
        let next = self.kinds.len() as u32;
        *self.ids.entry(name).or_insert_with(|| {
            self.kinds.push(kind);
            next
        })
    }
}

/// A word that may be a name: capitalised, with its phonetic keys.
struct NameWord {
    surface: String,
    keys: Vec<String>,
}

/// Words of one side that may be names, each once, and the sentences they are in.
#[derive(Default)]
struct NameWords {
    words: Vec<NameWord>,
    by_surface: HashMap<String, usize>,
    /// (sentence, word) pairs.
    occurrences: Vec<(usize, usize)>,
}

impl NameWords {
    fn add(&mut self, sentence: usize, surface: &str) {
        let index = match self.by_surface.get(surface) {
            Some(&i) => i,
            None => {
                let keys = if is_cyrillic_word(surface) {
                    russian_name_keys(surface)
                } else {
                    vec![latin_name_key(surface)]
                };
                let keys: Vec<String> =
                    keys.into_iter().filter(|k| k.len() >= MIN_NAME_KEY_LEN).collect();
                if keys.is_empty() {
                    return;
                }
                self.words.push(NameWord { surface: surface.to_string(), keys });
                self.by_surface.insert(surface.to_string(), self.words.len() - 1);
                self.words.len() - 1
            }
        };
        self.occurrences.push((sentence, index));
    }
}

/// Whether two names may be alike enough, before the edit distance is computed: the
/// distance is at least the difference in length.
fn worth_comparing(a: &str, b: &str) -> bool {
    let (la, lb) = (a.len() as f64, b.len() as f64);
    (la - lb).abs() <= (1.0 - NAME_SIMILARITY_THRESHOLD) * la.max(lb)
}

fn find_root(parent: &mut [usize], mut x: usize) -> usize {
    while parent[x] != x {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    x
}

/// Groups the names of both sides that match (union–find over words), so that `Женева`,
/// `Женеве` and `Geneva` are one anchor. Returns the group of each source and target word
/// that matched at least one word of the other side.
fn group_names(source: &NameWords, target: &NameWords) -> (Vec<Option<usize>>, Vec<Option<usize>>) {
    let offset = source.words.len();
    let mut parent: Vec<usize> = (0..offset + target.words.len()).collect();
    let mut matched = vec![false; parent.len()];
    // Candidates by the first letter of their keys, which the folding makes agree.
    let mut target_by_initial: HashMap<char, Vec<(usize, &str)>> = HashMap::new();
    for (t, word) in target.words.iter().enumerate() {
        for key in &word.keys {
            if let Some(initial) = key.chars().next() {
                target_by_initial.entry(initial).or_default().push((t, key));
            }
        }
    }
    for (s, word) in source.words.iter().enumerate() {
        for key in &word.keys {
            let Some(initial) = key.chars().next() else { continue };
            for &(t, target_key) in target_by_initial.get(&initial).into_iter().flatten() {
                if worth_comparing(key, target_key)
                    && key_similarity(key, target_key) >= NAME_SIMILARITY_THRESHOLD
                {
                    let (a, b) = (find_root(&mut parent, s), find_root(&mut parent, offset + t));
                    parent[a] = b;
                    matched[s] = true;
                    matched[offset + t] = true;
                }
            }
        }
    }
    let mut group = |i: usize| matched[i].then(|| find_root(&mut parent, i));
    let source_groups = (0..offset).map(&mut group).collect();
    let target_groups = (offset..offset + target.words.len()).map(&mut group).collect();
    (source_groups, target_groups)
}

/// Whether the language writes `3.5` (a decimal point), rather than `3,5`.
fn uses_decimal_point(lang: &str) -> bool {
    let primary = lang.split(['-', '_']).next().unwrap_or("").to_ascii_lowercase();
    matches!(primary.as_str(), "en" | "zh" | "ja" | "ko" | "he" | "th" | "hi" | "ms")
}

/// The numbers written with digits in `text`, each as (value in a canonical form, as
/// written). Digits glued to words count (`1990-х`, `mid-1990s`, `post-1997`); the
/// language decides which of `.` and `,` is the decimal separator; spaces between groups of
/// three digits (`1 000 000`) are thousands separators.
pub fn digit_numbers(text: &str, lang: &str) -> Vec<(String, String)> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let digit = |i: usize| chars.get(i).is_some_and(|&(_, c)| c.is_ascii_digit());
    let digits_from = |i: usize| (i..).take_while(|&k| digit(k)).count();
    let decimal_point = uses_decimal_point(lang);
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !digit(i) || (i > 0 && digit(i - 1)) {
            i += 1;
            continue;
        }
        let start = i;
        let mut groups: Vec<(char, String)> = Vec::new(); // (separator before, digits)
        let first = digits_from(i);
        groups.push((' ', chars[i..i + first].iter().map(|&(_, c)| c).collect()));
        i += first;
        while i + 1 < chars.len() {
            let separator = chars[i].1;
            let next = digits_from(i + 1);
            let space = matches!(separator, ' ' | '\u{00A0}' | '\u{202F}' | '\u{2009}');
            let accepted = match separator {
                '.' | ',' => next > 0,
                _ if space => next == 3 && groups.last().is_some_and(|g| g.1.len() <= 3),
                _ => false,
            };
            if !accepted {
                break;
            }
            groups.push((separator, chars[i + 1..i + 1 + next].iter().map(|&(_, c)| c).collect()));
            i += 1 + next;
        }
        let end = chars.get(i).map_or(text.len(), |&(at, _)| at);
        out.push((canonical_number(&groups, decimal_point), text[chars[start].0..end].to_string()));
    }
    out
}

/// `groups` are digit runs with the separator written before each (the first's is ignored).
fn canonical_number(groups: &[(char, String)], decimal_point: bool) -> String {
    let is_decimal = |separator: char, digits: &str| match separator {
        '.' if decimal_point => true,
        ',' if !decimal_point => true,
        // `1.000` is a thousand in German and Russian, `3.5` still three and a half.
        '.' => digits.len() != 3,
        _ => false,
    };
    let decimal_marks =
        groups.iter().skip(1).filter(|(separator, digits)| is_decimal(*separator, digits)).count();
    if decimal_marks > 1 {
        // A date or a version (`14.01.2022`): compared as written.
        return groups.iter().map(|g| g.1.as_str()).collect::<Vec<_>>().join(".");
    }
    let mut integer = String::new();
    let mut fraction = String::new();
    for (k, (separator, digits)) in groups.iter().enumerate() {
        if k > 0 && is_decimal(*separator, digits) {
            fraction.push_str(digits);
        } else if fraction.is_empty() {
            integer.push_str(digits);
        }
    }
    let integer = integer.trim_start_matches('0');
    let integer = if integer.is_empty() { "0" } else { integer };
    let fraction = fraction.trim_end_matches('0');
    if fraction.is_empty() {
        integer.to_string()
    } else {
        format!("{integer}.{fraction}")
    }
}

/// Cardinal numbers one to ten written as words, with the Russian case forms.
const NUMBER_WORDS: &[(&str, &[&str])] = &[
    ("1", &["один", "одна", "одно", "одного", "одной", "одному", "одним", "одном", "одну", "one"]),
    ("2", &["два", "две", "двух", "двум", "двумя", "two"]),
    ("3", &["три", "трех", "трем", "тремя", "three"]),
    ("4", &["четыре", "четырех", "четырем", "четырьмя", "four"]),
    ("5", &["пять", "пяти", "пятью", "five"]),
    ("6", &["шесть", "шести", "шестью", "six"]),
    ("7", &["семь", "семи", "seven"]),
    ("8", &["восемь", "восьми", "восемью", "eight"]),
    ("9", &["девять", "девяти", "девятью", "nine"]),
    ("10", &["десять", "десяти", "десятью", "ten"]),
];

fn number_word_value(form: &str) -> Option<&'static str> {
    NUMBER_WORDS.iter().find(|(_, forms)| forms.contains(&form)).map(|(value, _)| *value)
}

/// A word (as a token) with its character span.
struct Word<'a> {
    text: &'a str,
    chars: std::ops::Range<usize>,
}

fn words(text: &str) -> Vec<Word<'_>> {
    let mut out = Vec::new();
    let (mut chars_before, mut last_byte) = (0, 0);
    for token in tokenize(text) {
        chars_before += text[last_byte..token.start].chars().count();
        let surface = token.text(text);
        let len = surface.chars().count();
        if token.kind == TokenKind::Word {
            out.push(Word { text: surface, chars: chars_before..chars_before + len });
        }
        chars_before += len;
        last_byte = token.end;
    }
    out
}

fn is_capitalised(word: &str) -> bool {
    word.chars().next().is_some_and(|c| c.is_uppercase())
}

/// One side's raw anchors before keys are shared: numbers, terms and name words.
#[derive(Default)]
struct SideAnchors {
    numbers: Vec<Vec<(String, String)>>,
    terms: Vec<Vec<(i64, String)>>,
    names: NameWords,
}

fn scan_side(
    sentences: &[&str],
    lang: &str,
    recognizer: Option<&Recognizer>,
    source: bool,
) -> SideAnchors {
    let mut side = SideAnchors::default();
    for (index, sentence) in sentences.iter().enumerate() {
        let mut numbers = digit_numbers(sentence, lang);
        let mut terms = Vec::new();
        let mut term_spans = Vec::new();
        if let Some(recognizer) = recognizer {
            for hit in recognizer.find(sentence) {
                // A source term counts only when the term base gives it a translation.
                if source && hit.targets.is_empty() {
                    continue;
                }
                term_spans.push(hit.start..hit.end);
                terms.push((hit.concept_id, hit.text));
            }
        }
        for word in words(sentence) {
            if let Some(value) = number_word_value(&token_form(word.text)) {
                numbers.push((value.to_string(), word.text.to_string()));
                continue;
            }
            let in_term =
                term_spans.iter().any(|s| s.start < word.chars.end && word.chars.start < s.end);
            if is_capitalised(word.text) && !in_term {
                side.names.add(index, word.text);
            }
        }
        side.numbers.push(numbers);
        side.terms.push(terms);
    }
    side
}

/// Finds the anchors of every sentence of two documents.
pub fn find_anchors(
    source: &[&str],
    target: &[&str],
    source_lang: &str,
    target_lang: &str,
    terms: Option<&TermAnchors>,
) -> DocumentAnchors {
    let source_side = scan_side(source, source_lang, terms.map(|t| &*t.source), true);
    let target_side = scan_side(target, target_lang, terms.map(|t| &*t.target), false);
    let (source_groups, target_groups) = group_names(&source_side.names, &target_side.names);
    let mut keys = Keys::default();
    let mut build = |side: &SideAnchors, groups: &[Option<usize>], count: usize| {
        let mut items = vec![ItemAnchors::default(); count];
        for (index, item) in items.iter_mut().enumerate() {
            for (value, surface) in &side.numbers[index] {
                item.insert(keys.id(KeyName::Number(value.clone())), surface);
            }
            for (concept, surface) in &side.terms[index] {
                item.insert(keys.id(KeyName::Term(*concept)), surface);
            }
        }
        for &(sentence, word) in &side.names.occurrences {
            if let Some(group) = groups[word] {
                items[sentence]
                    .insert(keys.id(KeyName::NameGroup(group)), &side.names.words[word].surface);
            }
        }
        items
    };
    let source_items = build(&source_side, &source_groups, source.len());
    let target_items = build(&target_side, &target_groups, target.len());
    DocumentAnchors { source: source_items, target: target_items, kinds: keys.kinds }
}

/// What each anchor key is worth in one region (the items being aligned together).
#[derive(Debug, Default)]
pub struct AnchorWeights {
    weights: HashMap<u32, f64>,
}

impl AnchorWeights {
    /// `ln(N / k)` for each key held by `k` of the region's `N` items, for keys found on both
    /// sides of the region (the others cannot match).
    pub fn for_region(source: &[&ItemAnchors], target: &[&ItemAnchors]) -> AnchorWeights {
        let total = (source.len() + target.len()) as f64;
        let mut counts: HashMap<u32, (usize, usize)> = HashMap::new();
        for item in source {
            for key in item.keys() {
                counts.entry(key).or_default().0 += 1;
            }
        }
        for item in target {
            for key in item.keys() {
                counts.entry(key).or_default().1 += 1;
            }
        }
        let weights = counts
            .into_iter()
            .filter(|(_, (s, t))| *s > 0 && *t > 0)
            .map(|(key, (s, t))| (key, (total / (s + t) as f64).ln().max(0.0)))
            .collect();
        AnchorWeights { weights }
    }

    /// The summed weight of the keys found on both sides of a bead.
    pub fn reward(&self, source: &[&ItemAnchors], target: &[&ItemAnchors]) -> f64 {
        let mut sum = 0.0;
        for (k, item) in source.iter().enumerate() {
            for key in item.keys() {
                let seen_before = source[..k].iter().any(|earlier| earlier.contains(key));
                if seen_before || !target.iter().any(|t| t.contains(key)) {
                    continue;
                }
                sum += self.weights.get(&key).copied().unwrap_or(0.0);
            }
        }
        sum
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(text: &str, lang: &str) -> Vec<String> {
        digit_numbers(text, lang).into_iter().map(|(value, _)| value).collect()
    }

    #[test]
    fn numbers_are_compared_by_value_whatever_the_writing() {
        assert_eq!(values("рост на 3,5 % в 1997 году", "ru"), ["3.5", "1997"]);
        assert_eq!(values("growth of 3.5% in 1997", "en"), ["3.5", "1997"]);
        assert_eq!(values("1 000 000 рублей и 2,50 доллара", "ru"), ["1000000", "2.5"]);
        assert_eq!(values("1,000,000 roubles", "en"), ["1000000"]);
        assert_eq!(values("в середине 1990-х годов", "ru"), ["1990"]);
        assert_eq!(values("in the mid-1990s, post-1997", "en"), ["1990", "1997"]);
        assert_eq!(values("14.01.2022", "ru"), ["14.01.2022"]);
        assert_eq!(values("в 2021 100 человек", "ru"), ["2021", "100"]);
    }

    #[test]
    fn anchors_link_numbers_names_and_number_words() {
        let source = ["Грушко прибыл в Женеву в 1997 году.", "Прошло два месяца."];
        let target = ["Two months passed.", "Grushko came to Geneva in 1997."];
        let anchors = find_anchors(&source, &target, "ru", "en", None);
        let matched = anchors.matched(&[&anchors.source[0]], &[&anchors.target[1]]);
        let words: Vec<(AnchorKind, &str, &str)> =
            matched.iter().map(|m| (m.kind, m.source.as_str(), m.target.as_str())).collect();
        assert!(words.contains(&(AnchorKind::Number, "1997", "1997")), "{words:?}");
        assert!(words.contains(&(AnchorKind::Name, "Грушко", "Grushko")), "{words:?}");
        assert!(words.contains(&(AnchorKind::Name, "Женеву", "Geneva")), "{words:?}");
        let matched = anchors.matched(&[&anchors.source[1]], &[&anchors.target[0]]);
        assert_eq!(matched.len(), 1, "{matched:?}");
        assert_eq!((matched[0].source.as_str(), matched[0].target.as_str()), ("два", "Two"));
        // Nothing links the crossed pairs.
        assert!(anchors.matched(&[&anchors.source[0]], &[&anchors.target[0]]).is_empty());
    }

    #[test]
    fn rare_anchors_weigh_more_than_common_ones() {
        let source = ["НАТО и Грушко.", "НАТО.", "НАТО."];
        let target = ["NATO and Grushko.", "NATO.", "NATO."];
        let anchors = find_anchors(&source, &target, "ru", "en", None);
        let s: Vec<&ItemAnchors> = anchors.source.iter().collect();
        let t: Vec<&ItemAnchors> = anchors.target.iter().collect();
        let weights = AnchorWeights::for_region(&s, &t);
        let with_name = weights.reward(&s[0..1], &t[0..1]);
        let nato_only = weights.reward(&s[1..2], &t[1..2]);
        assert!(nato_only.abs() < 1e-9, "{nato_only}");
        assert!((with_name - 3f64.ln()).abs() < 1e-9, "{with_name}");
    }
}
