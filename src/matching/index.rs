//! The candidate index: an in-memory inverted index from stems to the source segments that
//! hold them, with prefix filtering so that a lookup reads only the postings of the query's
//! rarest words and still finds every segment that can reach the minimum score.

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};

use super::score::{can_reach, SHORT};
use crate::model::{lang_matches, tmx_date_seconds};
use crate::store::IndexRow;
use crate::text::{normalize_for_matching, stem, tokenize, TokenKind};

/// The index key all numbers share: a number can be adjusted to any other number.
const NUMBER_KEY: u32 = 0;

type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// A text broken down the way the scorer compares it (a query, or a stored segment seen
/// through the index's vocabulary).
#[derive(Debug, Clone, Default)]
pub struct Analyzed<'a> {
    pub norm: Cow<'a, str>,
    /// Hash of the exact text: equal hashes mean an exact match.
    pub plain_hash: u64,
    /// Hash of the text with whitespace collapsed: tells whitespace-only differences apart.
    pub ws_hash: u64,
    /// Word and number tokens in order, as form ids, stem ids and number flags.
    pub forms: Cow<'a, [u32]>,
    pub stems: Vec<u32>,
    pub is_number: Vec<bool>,
    pub tags: u32,
}

/// A fixed, good-quality 64-bit hash (the same in every run of one build).
pub(crate) fn hash_str(s: &str) -> u64 {
    let mut h = foldhash::quality::FixedState::with_seed(0x746d_6261_7365).build_hasher();
    h.write(s.as_bytes());
    h.finish()
}

/// Hash of the text with runs of whitespace as one space and the ends trimmed.
fn hash_collapsed_ws(s: &str) -> u64 {
    let mut h = foldhash::quality::FixedState::with_seed(0x7773).build_hasher();
    for (i, word) in s.split_whitespace().enumerate() {
        if i > 0 {
            h.write_u8(b' ');
        }
        h.write(word.as_bytes());
    }
    h.finish()
}

/// Word forms and stems, each with a numeric id.
#[derive(Debug, Default)]
struct Vocabulary {
    forms: FastMap<Box<str>, u32>,
    stems: FastMap<Box<str>, u32>,
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
    pub norm: Box<str>,
    pub plain_hash: u64,
    pub ws_hash: u64,
    pub norm_hash: u64,
    /// Word and number form ids, in order.
    pub forms: Box<[u32]>,
    /// Index keys (stems, the number key), sorted: what the overlap bound counts.
    pub keys: Box<[u32]>,
    pub tags: u32,
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
    /// Word count of each entry (a compact copy for the length filter).
    lengths: Vec<u16>,
    /// For each index key (stem id, or the number key): the entries holding it, ascending.
    postings: Vec<Vec<u32>>,
    /// Entries with no word at all (only punctuation or markup).
    wordless: Vec<u32>,
    langs: Vec<String>,
    /// Entries are appended in unit order while building; this many are sorted by unit id,
    /// the rest (added by later edits) are searched linearly.
    sorted_by_unit: usize,
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
            lengths: Vec::new(),
            postings: vec![Vec::new()],
            wordless: Vec::new(),
            langs: Vec::new(),
            sorted_by_unit: 0,
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

    /// A stored segment as the scorer sees it.
    pub(crate) fn entry_text<'e>(&self, e: &'e Entry) -> Analyzed<'e> {
        let info: Vec<(u32, bool)> =
            e.forms.iter().map(|&f| self.vocab.form_info[f as usize]).collect();
        Analyzed {
            norm: Cow::Borrowed(&e.norm),
            plain_hash: e.plain_hash,
            ws_hash: e.ws_hash,
            forms: Cow::Borrowed(&e.forms),
            stems: info.iter().map(|i| i.0).collect(),
            is_number: info.iter().map(|i| i.1).collect(),
            tags: e.tags,
        }
    }

    /// Breaks a query down without changing the index.
    pub fn analyze_query(&self, plain: &str, tags: u32) -> Analyzed<'static> {
        let norm = normalize_for_matching(plain);
        let mut fresh = HashMap::new();
        let (mut forms, mut stems, mut is_number) = (Vec::new(), Vec::new(), Vec::new());
        for t in tokenize(&norm) {
            if t.kind == TokenKind::Punct {
                continue;
            }
            let number = t.kind == TokenKind::Number;
            let (form, stem) = self.vocab.lookup(t.text(&norm), number, &mut fresh);
            forms.push(form);
            stems.push(stem);
            is_number.push(number);
        }
        Analyzed {
            norm: Cow::Owned(norm),
            plain_hash: hash_str(plain),
            ws_hash: hash_collapsed_ws(plain),
            forms: Cow::Owned(forms),
            stems,
            is_number,
            tags,
        }
    }

    /// The index keys of a text: its stems, with one shared key for all numbers.
    fn keys(text: &Analyzed<'_>) -> Vec<u32> {
        text.stems
            .iter()
            .zip(&text.is_number)
            .map(|(&s, &n)| if n { NUMBER_KEY } else { s })
            .collect()
    }

    /// Adds a stored segment.
    pub fn insert(&mut self, row: &IndexRow) {
        let mut forms = Vec::new();
        let mut keys = Vec::new();
        for t in tokenize(&row.norm) {
            if t.kind == TokenKind::Punct {
                continue;
            }
            let number = t.kind == TokenKind::Number;
            let (form, stem) = self.vocab.intern(t.text(&row.norm), number);
            forms.push(form);
            keys.push(if number { NUMBER_KEY } else { stem });
        }
        keys.sort_unstable();
        let targets: Box<[u16]> =
            row.other_langs.split(',').filter(|l| !l.is_empty()).map(|l| self.lang_id(l)).collect();
        let id = self.entries.len() as u32;
        if keys.is_empty() {
            self.wordless.push(id);
        }
        let mut last = None;
        for &k in &keys {
            if last == Some(k) {
                continue;
            }
            last = Some(k);
            let k = k as usize;
            if k >= self.postings.len() {
                self.postings.resize_with(k + 1, Vec::new);
            }
            self.postings[k].push(id);
        }
        if self.sorted_by_unit == self.entries.len()
            && self.entries.last().is_none_or(|e| e.unit_id <= row.unit_id)
        {
            self.sorted_by_unit += 1;
        }
        let ctx =
            |c: &Option<String>| c.as_deref().filter(|s| !s.is_empty()).map(hash_str).unwrap_or(0);
        self.lengths.push(forms.len().min(u16::MAX as usize) as u16);
        self.entries.push(Entry {
            unit_id: row.unit_id,
            ord: row.ord,
            targets,
            norm: row.norm.as_str().into(),
            plain_hash: hash_str(&row.plain),
            ws_hash: hash_collapsed_ws(&row.plain),
            norm_hash: hash_str(&row.norm),
            forms: forms.into(),
            keys: keys.into(),
            tags: row.tags.max(0) as u32,
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
        let sorted = &self.entries[..self.sorted_by_unit];
        let start = sorted.partition_point(|e| e.unit_id < unit_id);
        let end = start + sorted[start..].partition_point(|e| e.unit_id == unit_id);
        for e in &mut self.entries[start..end] {
            e.alive = false;
        }
        for e in &mut self.entries[self.sorted_by_unit..] {
            if e.unit_id == unit_id {
                e.alive = false;
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
        // The overlap is at most the shorter length: lengths alone rule out most entries of
        // a long posting list before any entry is touched.
        let mut found: Vec<u32> = Vec::new();
        for &k in &qkeys[..prefix.min(n)] {
            if let Some(list) = self.postings.get(k as usize) {
                found.extend(list.iter().copied().filter(|&id| {
                    let m = usize::from(self.lengths[id as usize]);
                    can_reach(min_score, n.min(m), n, m)
                }));
            }
        }
        found.sort_unstable();
        // An entry found through `j` prefix keys shares at most `j` of them plus every key
        // outside the prefix: entries that cannot reach the score even so are dropped without
        // reading their keys.
        let outside = n - prefix.min(n);
        let mut bounded: Vec<u32> = Vec::with_capacity(found.len());
        let mut i = 0;
        while i < found.len() {
            let id = found[i];
            let mut j = i;
            while j < found.len() && found[j] == id {
                j += 1;
            }
            let m = usize::from(self.lengths[id as usize]);
            if can_reach(min_score, (j - i + outside).min(n).min(m), n, m) {
                bounded.push(id);
            }
            i = j;
        }
        let mut sorted_q = qkeys.clone();
        sorted_q.sort_unstable();
        bounded.retain(|&id| {
            let e = &self.entries[id as usize];
            e.alive && can_reach(min_score, shared_count(&sorted_q, &e.keys), n, e.forms.len())
        });
        bounded
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

/// Size of the multiset intersection of two sorted lists.
fn shared_count(sorted_query: &[u32], keys: &[u32]) -> usize {
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
        assert_eq!(shared_count(&[1, 1, 2, 5], &[1, 1, 1, 3, 5]), 3);
        assert_eq!(shared_count(&[], &[1]), 0);
    }
}
