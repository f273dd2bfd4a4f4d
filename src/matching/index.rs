//! The candidate index: an in-memory inverted index from stems to the source segments that
//! hold them, with prefix filtering so that a lookup reads only the postings of the query's
//! rarest words and still finds every segment that can reach the minimum score.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use super::score::{can_reach, SHORT};
use crate::model::{lang_matches, tmx_date_seconds};
use crate::store::IndexRow;
use crate::text::{normalize_for_matching, stem, tokenize, TokenKind};

/// The index key all numbers share: a number can be adjusted to any other number.
const NUMBER_KEY: u32 = 0;

/// A text broken down the way the scorer compares it.
#[derive(Debug, Clone, Default)]
pub struct Analyzed {
    pub norm: String,
    /// Hash of the exact text: equal hashes mean an exact match.
    pub plain_hash: u64,
    /// Hash of the text with whitespace collapsed: tells whitespace-only differences apart.
    pub ws_hash: u64,
    /// Word and number tokens in order, as form ids, stem ids and number flags.
    pub forms: Vec<u32>,
    pub stems: Vec<u32>,
    pub is_number: Vec<bool>,
    /// Punctuation tokens in order.
    pub puncts: Vec<String>,
    pub tags: u32,
}

fn hash_str(s: &str) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    s.hash(&mut h);
    h.finish()
}

fn collapse_ws(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Word forms and stems, each with a numeric id.
#[derive(Debug, Default)]
struct Vocabulary {
    forms: HashMap<Box<str>, u32>,
    stems: HashMap<Box<str>, u32>,
    /// For each form id: its stem id and whether it is a number.
    form_info: Vec<(u32, bool)>,
}

impl Vocabulary {
    fn new() -> Self {
        let mut v = Vocabulary::default();
        // Stem id 0 is the shared number key; no word stem takes it.
        v.stems.insert("\u{0}number".into(), NUMBER_KEY);
        v
    }

    fn intern(&mut self, form: &str, is_number: bool) -> (u32, u32) {
        if let Some(&id) = self.forms.get(form) {
            return (id, self.form_info[id as usize].0);
        }
        let stem_text = if is_number { form.to_string() } else { stem(form) };
        let next = self.stems.len() as u32;
        let stem_id = *self.stems.entry(stem_text.into_boxed_str()).or_insert(next);
        let id = self.form_info.len() as u32;
        self.forms.insert(form.into(), id);
        self.form_info.push((stem_id, is_number));
        (id, stem_id)
    }

    /// Ids for a form without adding it: unknown forms and stems get fresh ids from the top
    /// of the range, which no stored segment holds.
    fn lookup(&self, form: &str, is_number: bool, fresh: &mut HashMap<String, u32>) -> (u32, u32) {
        if let Some(&id) = self.forms.get(form) {
            return (id, self.form_info[id as usize].0);
        }
        let mut fresh_id = |key: String| {
            let next = u32::MAX - fresh.len() as u32;
            *fresh.entry(key).or_insert(next)
        };
        let form_id = fresh_id(format!("f:{form}"));
        let stem_text = if is_number { form.to_string() } else { stem(form) };
        let stem_id = match self.stems.get(stem_text.as_str()) {
            Some(&id) => id,
            None => fresh_id(format!("s:{stem_text}")),
        };
        (form_id, stem_id)
    }
}

/// One source segment in the index.
#[derive(Debug)]
pub(crate) struct Entry {
    pub unit_id: i64,
    pub ord: i64,
    pub targets: Box<[u16]>,
    pub text: Analyzed,
    /// Hashes of the normalised previous and next segments (0: none).
    pub ctx_prev: u64,
    pub ctx_next: u64,
    /// Change (or creation) date as seconds since 1970, for ordering equal scores.
    pub changed: i64,
    pub usage: i64,
    pub alive: bool,
}

/// Sizes, for benchmarks and logs.
#[derive(Debug, Clone, Default)]
pub struct IndexStats {
    pub entries: usize,
    pub forms: usize,
    pub stems: usize,
    pub postings: usize,
}

/// The fuzzy index of one memory's segments in one source language.
#[derive(Debug)]
pub struct FuzzyIndex {
    vocab: Vocabulary,
    pub(crate) entries: Vec<Entry>,
    /// For each index key (stem id, or the number key): the entries holding it, ascending.
    postings: Vec<Vec<u32>>,
    /// Entries with no word at all (only punctuation or markup).
    wordless: Vec<u32>,
    langs: Vec<String>,
    /// Entries whose normalised source is shared with other entries, by hash of that text.
    pub(crate) same_source: HashMap<u64, Vec<u32>>,
    by_unit: HashMap<i64, Vec<u32>>,
}

impl Default for FuzzyIndex {
    fn default() -> Self {
        Self::new()
    }
}

impl FuzzyIndex {
    pub fn new() -> Self {
        FuzzyIndex {
            vocab: Vocabulary::new(),
            entries: Vec::new(),
            postings: vec![Vec::new()],
            wordless: Vec::new(),
            langs: Vec::new(),
            same_source: HashMap::new(),
            by_unit: HashMap::new(),
        }
    }

    pub fn stats(&self) -> IndexStats {
        IndexStats {
            entries: self.entries.iter().filter(|e| e.alive).count(),
            forms: self.vocab.forms.len(),
            stems: self.vocab.stems.len(),
            postings: self.postings.iter().map(Vec::len).sum(),
        }
    }

    fn lang_id(&mut self, lang: &str) -> u16 {
        match self.langs.iter().position(|l| l == lang) {
            Some(i) => i as u16,
            None => {
                self.langs.push(lang.to_string());
                (self.langs.len() - 1) as u16
            }
        }
    }

    /// Does the entry have a variant in a language matching `wanted`?
    pub(crate) fn has_target(&self, entry: &Entry, wanted: &str) -> bool {
        entry.targets.iter().any(|&t| lang_matches(&self.langs[t as usize], wanted))
    }

    /// Breaks a stored text down, adding its words to the vocabulary.
    fn analyze_stored(&mut self, plain: &str, norm: &str, tags: u32) -> Analyzed {
        let mut a = Analyzed {
            norm: norm.to_string(),
            plain_hash: hash_str(plain),
            ws_hash: hash_str(&collapse_ws(plain)),
            tags,
            ..Analyzed::default()
        };
        for t in tokenize(norm) {
            let text = t.text(norm);
            match t.kind {
                TokenKind::Punct => a.puncts.push(text.to_string()),
                kind => {
                    let is_number = kind == TokenKind::Number;
                    let (form, stem) = self.vocab.intern(text, is_number);
                    a.forms.push(form);
                    a.stems.push(stem);
                    a.is_number.push(is_number);
                }
            }
        }
        a
    }

    /// Breaks a query down without changing the index.
    pub fn analyze_query(&self, plain: &str, tags: u32) -> Analyzed {
        let norm = normalize_for_matching(plain);
        let mut fresh = HashMap::new();
        let mut a = Analyzed {
            plain_hash: hash_str(plain),
            ws_hash: hash_str(&collapse_ws(plain)),
            tags,
            ..Analyzed::default()
        };
        for t in tokenize(&norm) {
            let text = t.text(&norm);
            match t.kind {
                TokenKind::Punct => a.puncts.push(text.to_string()),
                kind => {
                    let is_number = kind == TokenKind::Number;
                    let (form, stem) = self.vocab.lookup(text, is_number, &mut fresh);
                    a.forms.push(form);
                    a.stems.push(stem);
                    a.is_number.push(is_number);
                }
            }
        }
        a.norm = norm;
        a
    }

    /// The index key of each token: its stem, or the shared number key.
    fn keys(text: &Analyzed) -> Vec<u32> {
        text.stems
            .iter()
            .zip(&text.is_number)
            .map(|(&s, &n)| if n { NUMBER_KEY } else { s })
            .collect()
    }

    /// Adds a stored segment.
    pub fn insert(&mut self, row: &IndexRow) {
        let text = self.analyze_stored(&row.plain, &row.norm, row.tags.max(0) as u32);
        let targets: Box<[u16]> =
            row.other_langs.split(',').filter(|l| !l.is_empty()).map(|l| self.lang_id(l)).collect();
        let id = self.entries.len() as u32;
        let mut keys = Self::keys(&text);
        keys.sort_unstable();
        keys.dedup();
        if keys.is_empty() {
            self.wordless.push(id);
        }
        for k in keys {
            let k = k as usize;
            if k >= self.postings.len() {
                self.postings.resize_with(k + 1, Vec::new);
            }
            self.postings[k].push(id);
        }
        let source_hash = hash_str(&text.norm);
        let group = self.same_source.entry(source_hash).or_default();
        group.push(id);
        self.by_unit.entry(row.unit_id).or_default().push(id);
        let ctx =
            |c: &Option<String>| c.as_deref().filter(|s| !s.is_empty()).map(hash_str).unwrap_or(0);
        self.entries.push(Entry {
            unit_id: row.unit_id,
            ord: row.ord,
            targets,
            text,
            ctx_prev: ctx(&row.ctx_prev),
            ctx_next: ctx(&row.ctx_next),
            changed: tmx_date_seconds(row.changed.as_deref()),
            usage: row.usagecount.unwrap_or(0),
            alive: true,
        });
    }

    /// Removes every segment of a unit (after an edit or delete; an edited unit is then
    /// inserted again).
    pub fn remove_unit(&mut self, unit_id: i64) {
        if let Some(ids) = self.by_unit.remove(&unit_id) {
            for id in ids {
                self.entries[id as usize].alive = false;
            }
        }
    }

    /// Entries that can reach `min_score` for the query: every one of them (the filter is
    /// lossless for `min_score` ≥ 50; below that every entry is returned).
    pub(crate) fn candidates(&self, query: &Analyzed, min_score: u32) -> Vec<u32> {
        if min_score < 50 {
            return (0..self.entries.len() as u32).collect();
        }
        let n = query.forms.len();
        if n == 0 {
            return self.wordless.clone();
        }
        let mut qkeys = Self::keys(query);
        // Rarest first; keys unknown to the index have no postings and sort first.
        qkeys.sort_by_key(|&k| (self.postings.get(k as usize).map_or(0, Vec::len), k));
        // The least overlap any candidate needs: over every possible candidate length.
        let needed = self.least_overlap(min_score, n);
        let prefix = n - needed + 1;
        let mut found: Vec<u32> = Vec::new();
        for &k in &qkeys[..prefix.min(n)] {
            if let Some(list) = self.postings.get(k as usize) {
                found.extend_from_slice(list);
            }
        }
        found.sort_unstable();
        found.dedup();
        let mut sorted_q = qkeys.clone();
        sorted_q.sort_unstable();
        found.retain(|&id| {
            let e = &self.entries[id as usize];
            if !e.alive {
                return false;
            }
            let m = e.text.forms.len();
            let shared = shared_count(&sorted_q, &Self::keys(&e.text));
            can_reach(min_score, shared, n, m)
        });
        found
    }

    /// The smallest overlap with a query of `n` words that any candidate length allows.
    fn least_overlap(&self, min_score: u32, n: usize) -> usize {
        let mut least = n;
        // Long candidates need more overlap, so lengths up to n (and the short regime) decide.
        let limit = if n <= SHORT { SHORT } else { n };
        for m in 1..=limit.max(n) {
            for shared in 1..=n.min(m) {
                if can_reach(min_score, shared, n, m) {
                    least = least.min(shared);
                    break;
                }
            }
        }
        least.max(1)
    }
}

/// Size of the multiset intersection of a sorted list with an unsorted one.
fn shared_count(sorted_query: &[u32], keys: &[u32]) -> usize {
    let mut keys = keys.to_vec();
    keys.sort_unstable();
    let (mut i, mut j, mut shared) = (0, 0, 0);
    while i < sorted_query.len() && j < keys.len() {
        match sorted_query[i].cmp(&keys[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                shared += 1;
                i += 1;
                j += 1;
            }
        }
    }
    shared
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_count_is_a_multiset_intersection() {
        assert_eq!(shared_count(&[1, 1, 2, 5], &[5, 1, 3, 1, 1]), 3);
        assert_eq!(shared_count(&[], &[1]), 0);
    }
}
