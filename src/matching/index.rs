//! The candidate index: an in-memory inverted index from stems to the source segments that
//! hold them, with prefix filtering so that a lookup reads only the postings of the query's
//! rarest words and still finds every segment that can reach the minimum score.

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};

mod snapshot;

pub use snapshot::SnapshotStamp;

use super::score::{can_reach, can_reach_with_chars, SHORT};
use crate::model::{canonical_lang_matches, tmx_date_seconds};
use crate::store::IndexRow;
use crate::text::{normalize_for_matching, stem, tokenize, CharPattern, TokenKind};

/// At most this many keys beyond the shortest prefix are read (see `prefix_length`). Two
/// beat three and one at 1M units (`cargo bench --bench matching`, candidates timed alone):
/// a third extra list costs more to read than its stronger count filter saves.
const EXTRA_PREFIX_KEYS: usize = 2;
/// Posting lists this short are always worth reading in full.
const MIN_POSTINGS_READ: usize = 2048;
/// Prefix hits are counted one block of this many entries at a time, so that the counters
/// being updated (one byte per entry) stay in a core's L2 cache instead of missing it on
/// almost every posting once a memory has millions of entries.
pub const HIT_BLOCK: u32 = 1 << 18;

/// How many postings ahead of its use a prefix-hit counter is asked for.
const PREFETCH_AHEAD: usize = 8;

/// The hash map of the matching engine's hot paths: keys are its own ids and texts, never
/// chosen by an attacker in bulk, so a fast hash serves better than a DoS-resistant one.
pub(crate) type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

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
    /// The normalised text prepared for character edit distances (queries short enough to
    /// be scored by characters as well).
    pub chars: Option<CharPattern>,
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
    fn lookup(&self, form: &str, is_number: bool, fresh: &mut FreshIds) -> (u32, u32) {
        if let Some(&id) = self.forms.get(form) {
            return (id, self.form_info[id as usize].0);
        }
        if let Some(&ids) = fresh.forms.get(form) {
            return ids;
        }
        let stem_text = if is_number { form.to_string() } else { stem(form) };
        let stem_id = match self.stems.get(stem_text.as_str()) {
            Some(&id) => id,
            None => match fresh.stems.get(&stem_text) {
                Some(&id) => id,
                None => {
                    let id = fresh.next_id();
                    fresh.stems.insert(stem_text, id);
                    id
                }
            },
        };
        let ids = (fresh.next_id(), stem_id);
        fresh.forms.insert(form.to_string(), ids);
        ids
    }
}

/// Ids for the forms and stems of one query (and its diffs) that the index does not know:
/// counted down from `u32::MAX`, so they never equal an id of the index.
#[derive(Debug, Default)]
pub(crate) struct FreshIds {
    forms: FastMap<String, (u32, u32)>,
    stems: FastMap<String, u32>,
    given: u32,
}

impl FreshIds {
    fn next_id(&mut self) -> u32 {
        self.given += 1;
        u32::MAX - (self.given - 1)
    }
}

/// One source segment in the index: its fixed-size part. Its texts and word lists live in
/// the index's arenas under the same id.
#[derive(Debug)]
pub(crate) struct Entry {
    pub unit_id: i64,
    pub ord: i64,
    pub plain_hash: u64,
    pub ws_hash: u64,
    pub norm_hash: u64,
    /// Hashes of the normalised previous and next segments (0: none).
    pub ctx_prev: u64,
    pub ctx_next: u64,
    /// Change (or creation) date as seconds since 1970, for ordering equal scores.
    pub changed: i64,
    pub usage: i64,
    pub tags: u32,
    pub alive: bool,
}

/// A possible target of an entry: another variant of its unit.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Target {
    /// Index into the index's language list.
    pub lang: u16,
    /// Hash of the variant's normalised text: tells different translations apart.
    pub norm_hash: u64,
}

/// Variable-length lists of every entry, stored end to end (one allocation for all, and a
/// lookup's reads of neighbouring entries stay close together).
#[derive(Debug)]
struct Arena<T> {
    items: Vec<T>,
    ends: Vec<usize>,
}

impl<T: Copy> Arena<T> {
    fn new() -> Self {
        Arena { items: Vec::new(), ends: Vec::new() }
    }

    fn push(&mut self, items: &[T]) {
        self.items.extend_from_slice(items);
        self.ends.push(self.items.len());
    }

    fn get(&self, i: usize) -> &[T] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.items[start..self.ends[i]]
    }
}

/// The normalised texts of every entry, end to end.
#[derive(Debug, Default)]
struct TextArena {
    text: String,
    ends: Vec<usize>,
}

impl TextArena {
    fn push(&mut self, text: &str) {
        self.text.push_str(text);
        self.ends.push(self.text.len());
    }

    fn get(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[start..self.ends[i]]
    }
}

/// A stored segment broken down as far as it can be without the index: its word tokens,
/// hashes and dates.
pub struct PreparedRow {
    entry: Entry,
    norm: String,
    /// Byte ranges of the word and number tokens in `norm`, and whether each is a number.
    words: Vec<(usize, usize, bool)>,
    chars: usize,
    /// The other variants' languages and normalised-text hashes.
    targets: Vec<(String, u64)>,
}

impl PreparedRow {
    pub fn new(row: IndexRow) -> PreparedRow {
        let words = tokenize(&row.norm)
            .into_iter()
            .filter(|t| t.kind != TokenKind::Punct)
            .map(|t| (t.start, t.end, t.kind == TokenKind::Number))
            .collect();
        let ctx =
            |c: &Option<String>| c.as_deref().filter(|s| !s.is_empty()).map(hash_str).unwrap_or(0);
        PreparedRow {
            entry: Entry {
                unit_id: row.unit_id,
                ord: row.ord,
                plain_hash: hash_str(&row.plain),
                ws_hash: hash_collapsed_ws(&row.plain),
                norm_hash: hash_str(&row.norm),
                tags: row.tags.max(0) as u32,
                ctx_prev: ctx(&row.ctx_prev),
                ctx_next: ctx(&row.ctx_next),
                changed: tmx_date_seconds(row.changed.as_deref()),
                usage: row.usagecount.unwrap_or(0),
                alive: true,
            },
            chars: row.norm.chars().count(),
            targets: row.others.into_iter().map(|o| (o.lang, hash_str(&o.norm))).collect(),
            norm: row.norm,
            words,
        }
    }
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
    /// Each entry's normalised text.
    norms: TextArena,
    /// Each entry's word and number form ids, in order.
    forms: Arena<u32>,
    /// Each entry's index keys (stems, the number key), sorted: what the overlap bound counts.
    keys: Arena<u32>,
    /// Each entry's possible targets, in variant order.
    targets: Arena<Target>,
    /// Each entry's key signature: one bit per key hash, so that most entries sharing too
    /// few keys are ruled out by reading 16 bytes instead of their key list.
    signatures: Vec<Signature>,
    /// Length in characters of each entry's normalised text, for the character bound of
    /// short segments (saturating, which only loosens the bound).
    char_lengths: Vec<u16>,
    /// For each index key (stem id, or the number key): the entries holding it.
    postings: Vec<Postings>,
    /// Entries with no word at all (only punctuation or markup).
    wordless: Vec<u32>,
    /// Entries with numbers, by skeleton (see [`FuzzyIndex::skeleton`]).
    skeletons: FastMap<u64, Vec<u32>>,
    langs: Vec<String>,
    /// Entries are appended in unit order while building; this many are sorted by unit id,
    /// the rest (added by later edits) are searched linearly.
    sorted_by_unit: usize,
    /// Entries per block of prefix-hit counting ([`HIT_BLOCK`] unless a test changes it).
    hit_block: u32,
}

impl Default for FuzzyIndex {
    fn default() -> Self {
        Self::new()
    }
}

impl FuzzyIndex {
    pub fn new() -> Self {
        FuzzyIndex {
            vocab: Vocabulary::default(),
            entries: Vec::new(),
            norms: TextArena::default(),
            forms: Arena::new(),
            keys: Arena::new(),
            targets: Arena::new(),
            signatures: Vec::new(),
            char_lengths: Vec::new(),
            postings: vec![Postings::default()],
            wordless: Vec::new(),
            skeletons: FastMap::default(),
            langs: Vec::new(),
            sorted_by_unit: 0,
            hit_block: HIT_BLOCK,
        }
    }

    /// Sets how many entries' prefix hits are counted at a time. Results never depend on
    /// it; tests set it small so that small memories cross block boundaries too.
    pub fn set_hit_block(&mut self, entries: u32) {
        self.hit_block = entries.max(1);
    }

    pub fn stats(&self) -> IndexStats {
        IndexStats {
            entries: self.entries.iter().filter(|e| e.alive).count(),
            forms: self.vocab.forms.len(),
            stems: self.vocab.stems.len(),
            postings: self.postings.iter().map(|p| p.ids.len()).sum(),
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

    /// For each of the index's languages: does it match `wanted` (a bare language takes
    /// its regional variants)?
    pub(crate) fn target_languages(&self, wanted: &str) -> Vec<bool> {
        let wanted = crate::model::normalize_lang_tag(wanted);
        self.langs.iter().map(|l| canonical_lang_matches(l, &wanted)).collect()
    }

    /// The entry's first possible target in one of the `wanted` languages (from
    /// [`FuzzyIndex::target_languages`]).
    pub(crate) fn first_target(&self, id: u32, wanted: &[bool]) -> Option<Target> {
        self.targets.get(id as usize).iter().find(|t| wanted[usize::from(t.lang)]).copied()
    }

    /// Asks for what scoring reads of each of `ids` (entry, words, text, targets) before it
    /// is read (see [`prefetch`]): a few dozen ids at a time are worth it.
    pub(crate) fn prefetch_for_scoring(&self, ids: &[u32]) {
        for &id in ids {
            let at = id as usize;
            prefetch(&self.entries[at]);
            prefetch(&self.forms.ends[at]);
            prefetch(&self.norms.ends[at]);
            prefetch(&self.targets.ends[at]);
        }
        for &id in ids {
            let at = id as usize;
            prefetch(self.forms.get(at).as_ptr());
            prefetch(self.norms.get(at).as_ptr());
            prefetch(self.targets.get(at).as_ptr());
        }
    }

    /// A stored segment as the scorer sees it.
    pub(crate) fn entry_text(&self, id: u32) -> Analyzed<'_> {
        let (id, e) = (id as usize, &self.entries[id as usize]);
        let forms = self.forms.get(id);
        let info: Vec<(u32, bool)> =
            forms.iter().map(|&f| self.vocab.form_info[f as usize]).collect();
        Analyzed {
            norm: Cow::Borrowed(self.norms.get(id)),
            plain_hash: e.plain_hash,
            ws_hash: e.ws_hash,
            forms: Cow::Borrowed(forms),
            stems: info.iter().map(|i| i.0).collect(),
            is_number: info.iter().map(|i| i.1).collect(),
            tags: e.tags,
            chars: None,
        }
    }

    /// The form and stem ids of a normalised token, without changing the index: a form the
    /// index does not know gets ids from `unknown` (shared by one lookup's calls).
    pub(crate) fn word_ids(
        &self,
        form: &str,
        is_number: bool,
        unknown: &mut FreshIds,
    ) -> (u32, u32) {
        self.vocab.lookup(form, is_number, unknown)
    }

    /// Breaks a query down without changing the index.
    pub fn analyze_query(&self, plain: &str, tags: u32) -> Analyzed<'static> {
        let norm = normalize_for_matching(plain);
        let mut fresh = FreshIds::default();
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
        let chars = if forms.len() <= SHORT { CharPattern::new(&norm) } else { None };
        Analyzed {
            norm: Cow::Owned(norm),
            plain_hash: hash_str(plain),
            ws_hash: hash_collapsed_ws(plain),
            forms: Cow::Owned(forms),
            stems,
            is_number,
            tags,
            chars,
        }
    }

    /// Hash of the form sequence with every number blanked out, for texts with numbers:
    /// texts that differ only in numbers share it.
    fn skeleton(forms: &[u32], is_number: impl Iterator<Item = bool>) -> Option<u64> {
        let mut h = foldhash::quality::FixedState::with_seed(0x736b).build_hasher();
        let mut numbers = false;
        for (&f, number) in forms.iter().zip(is_number) {
            numbers |= number;
            h.write_u32(if number { u32::MAX } else { f });
        }
        numbers.then(|| h.finish())
    }

    /// Adds a stored segment (after an import or an edit).
    pub fn insert(&mut self, row: IndexRow) {
        self.insert_prepared(PreparedRow::new(row));
        let id = self.entries.len() - 1;
        for &k in self.keys.get(id) {
            let list = &mut self.postings[k as usize];
            if list.tail_is_long() {
                list.group();
            }
        }
    }

    /// Groups every posting list by word count: done once a build has inserted everything
    /// (grouping as it goes would sort each list many times over).
    pub fn finish_build(&mut self) {
        for list in &mut self.postings {
            list.group();
        }
    }

    /// Adds a stored segment already broken down by [`PreparedRow::new`] (which needs no
    /// access to the index, so that a build can do it on another thread).
    pub fn insert_prepared(&mut self, row: PreparedRow) {
        let mut forms = Vec::with_capacity(row.words.len());
        let mut keys = Vec::with_capacity(row.words.len());
        for &(start, end, number) in &row.words {
            let (form, stem) = self.vocab.intern(&row.norm[start..end], number);
            forms.push(form);
            keys.push(stem);
        }
        keys.sort_unstable();
        let targets: Vec<Target> = row
            .targets
            .iter()
            .map(|(lang, norm_hash)| Target { lang: self.lang_id(lang), norm_hash: *norm_hash })
            .collect();
        let id = self.entries.len() as u32;
        if keys.is_empty() {
            self.wordless.push(id);
        }
        if let Some(skeleton) = Self::skeleton(&forms, row.words.iter().map(|w| w.2)) {
            self.skeletons.entry(skeleton).or_default().push(id);
        }
        let mut last = None;
        for &k in &keys {
            if last == Some(k) {
                continue;
            }
            last = Some(k);
            let k = k as usize;
            if k >= self.postings.len() {
                self.postings.resize_with(k + 1, Postings::default);
            }
            self.postings[k].push(id, saturate_u16(forms.len()));
        }
        if self.sorted_by_unit == self.entries.len()
            && self.entries.last().is_none_or(|e| e.unit_id <= row.entry.unit_id)
        {
            self.sorted_by_unit += 1;
        }
        self.signatures.push(Signature::of(&keys));
        self.char_lengths.push(saturate_u16(row.chars));
        self.norms.push(&row.norm);
        self.forms.push(&forms);
        self.keys.push(&keys);
        self.targets.push(&targets);
        self.entries.push(row.entry);
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
        // The index keys are the stems (a number is its own stem): numbers compare as words
        // in the fuzzy score; a match that differs only in numbers is found by its skeleton.
        // The overlap is at most the shorter length: lengths alone rule out most entries of a
        // long posting list, and the lists are grouped by length so that those are not read.
        // The overlap an entry of each length needs (`None`: that length cannot reach the
        // score at all; no entry is longer than twice the query, or the short regime, allows).
        let needed: Vec<Option<usize>> = (0..2 * n.max(SHORT) + 2)
            .map(|m| (1..=n.min(m)).find(|&shared| can_reach(min_score, shared, n, m)))
            .collect();
        // Every reachable length lies in this range (lengths inside it that cannot reach the
        // score are ruled out below, with the rest).
        let lo = needed.iter().position(Option::is_some).unwrap_or(0);
        let hi = needed.iter().rposition(Option::is_some).unwrap_or(0);
        let lengths = saturate_u16(lo)..=saturate_u16(hi);
        // Cheapest first (any keys will do as the prefix; the cheapest to read are best);
        // keys unknown to the index have no postings and sort first.
        // Each key's list and its runs are two dependent misses of the caches: asking for
        // all of them first lets the misses overlap.
        for &k in &query.stems {
            if let Some(list) = self.postings.get(k as usize) {
                prefetch(list);
            }
        }
        for &k in &query.stems {
            if let Some(list) = self.postings.get(k as usize) {
                prefetch(list.runs.as_ptr());
            }
        }
        let mut costed: Vec<(usize, u32)> = query
            .stems
            .iter()
            .map(|&k| (self.postings.get(k as usize).map_or(0, |p| p.reachable_len(&lengths)), k))
            .collect();
        costed.sort_unstable();
        let (costs, qkeys): (Vec<usize>, Vec<u32>) = costed.into_iter().unzip();
        // The length that needs the least overlap decides how many keys are read at most;
        // lengths that need more are read for fewer keys, with the same number of extra keys
        // (docs/matching.md §8).
        let least = needed.iter().flatten().min().copied().unwrap_or(n);
        let shortest = (n - least + 1).min(n);
        let prefix = prefix_length(&costs, shortest);
        let extra = prefix - shortest;
        let keys_read: Vec<usize> = needed
            .iter()
            .map(|need| need.map_or(0, |need| (n - need + 1 + extra).min(prefix)))
            .collect();
        let query_chars = query.norm.chars().count();
        let weights = SignatureWeights::of(&qkeys);
        let mut sorted_q = qkeys.clone();
        sorted_q.sort_unstable();
        let mut out: Vec<u32> = Vec::new();
        // What to read of the prefix keys' lists: the runs of lengths read for the key and
        // the tail, each once with how often its key is in the query (equal keys are
        // adjacent).
        let mut cursors: Vec<Cursor<'_>> = Vec::new();
        let mut p = 0;
        while p < prefix {
            let key = qkeys[p];
            let times = qkeys[p..prefix].iter().take_while(|&&k| k == key).count();
            let keys = KeyRange { first: p, times };
            p += times;
            let Some(list) = self.postings.get(key as usize) else { continue };
            let (runs, tail_ids, tail_lengths) = list.reachable(&lengths);
            for (ids, words) in runs {
                let times = keys.read_for(&keys_read, words);
                if times > 0 {
                    cursors.push(Cursor { ids, lengths: Lengths::All(words, times), at: 0 });
                }
            }
            if !tail_ids.is_empty() {
                let lengths = Lengths::Each(tail_lengths, keys);
                cursors.push(Cursor { ids: tail_ids, lengths, at: 0 });
            }
        }
        PREFIX_HITS.with_borrow_mut(|hits| {
            if hits.len() < self.entries.len() {
                hits.resize(self.entries.len(), 0);
            }
            let mut touched: Vec<(u32, u16)> = Vec::new();
            let mut survivors: Vec<(u32, usize)> = Vec::new();
            // Each run is in entry order: each block reads the next stretch of each.
            while let Some(first) = cursors.iter().filter_map(|c| c.ids.get(c.at)).min() {
                let block_end = (first / self.hit_block + 1).saturating_mul(self.hit_block);
                touched.clear();
                for c in &mut cursors {
                    // Read on while in the block (a scan: a run spans many blocks, and a
                    // search for its end in each would cost more than the compare).
                    let ids = c.ids[c.at..].iter().take_while(|&&id| id < block_end);
                    let mut count = 0;
                    // A run's counters are asked for a few postings ahead of their use.
                    let ahead = &c.ids[c.at..];
                    let counters = hits.as_ptr();
                    for &id in ahead.iter().take(PREFETCH_AHEAD) {
                        prefetch(counters.wrapping_add(id as usize));
                    }
                    let mut count_hit = |id: u32, m: u16, times: u8| {
                        let hit = &mut hits[id as usize];
                        if *hit == 0 {
                            touched.push((id, m));
                        }
                        *hit = hit.saturating_add(times);
                    };
                    match c.lengths {
                        Lengths::All(m, times) => ids.for_each(|&id| {
                            if let Some(&later) = ahead.get(count + PREFETCH_AHEAD) {
                                prefetch(counters.wrapping_add(later as usize));
                            }
                            count += 1;
                            count_hit(id, m, times);
                        }),
                        Lengths::Each(lengths, keys) => {
                            for (&id, &m) in ids.zip(&lengths[c.at..]) {
                                count += 1;
                                let times = keys.read_for(&keys_read, m);
                                if times > 0 {
                                    count_hit(id, m, times);
                                }
                            }
                        }
                    }
                    c.at += count;
                }
                // Three passes, each asking for what the next reads, so that the misses of
                // the caches for different entries overlap instead of following each other.
                // An entry found through `j` of the keys read for its length shares at most
                // those and every key not read for it: entries that cannot reach the score
                // even so are dropped without being read.
                survivors.clear();
                for &(id, m) in &touched {
                    let at = id as usize;
                    let j = match std::mem::take(&mut hits[at]) {
                        // Saturated: the true count is unknown, so it cannot rule anything out.
                        u8::MAX => n,
                        j => usize::from(j),
                    };
                    let m = usize::from(m);
                    let outside = n - keys_read[m];
                    if can_reach(min_score, (j + outside).min(n).min(m), n, m) {
                        prefetch(&self.signatures[at]);
                        survivors.push((id, m));
                    }
                }
                // The rest are ruled out by their key signature...
                survivors.retain(|&(id, m)| {
                    let at = id as usize;
                    let kept =
                        can_reach(min_score, weights.bound(self.signatures[at]).min(m), n, m);
                    if kept {
                        prefetch(self.keys.get(at).as_ptr());
                        prefetch(&self.char_lengths[at]);
                        prefetch(&self.entries[at]);
                    }
                    kept
                });
                // ...or counted exactly.
                for &(id, m) in &survivors {
                    let at = id as usize;
                    let shared = shared_count(&sorted_q, self.keys.get(at));
                    let chars = usize::from(self.char_lengths[at]);
                    if can_reach_with_chars(min_score, shared, n, m, query_chars, chars)
                        && self.entries[at].alive
                    {
                        out.push(id);
                    }
                }
            }
        });
        // Matches that differ only in numbers, whatever the numbers.
        if let Some(skeleton) = Self::skeleton(&query.forms, query.is_number.iter().copied()) {
            let same = self.skeletons.get(&skeleton).map_or(&[][..], Vec::as_slice);
            out.extend(same.iter().filter(|&&id| self.entries[id as usize].alive));
        }
        // In entry order, as a scan of every entry would see them.
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// The entries holding one key, grouped by word count so that a lookup reads only the
/// entries whose length can reach its score. `ids[..grouped]` holds one run per word count
/// (`runs`, ascending by count, ids ascending within a run). Entries added after the index
/// was built or loaded follow in entry order, with their word counts in `tail_lengths`,
/// until the tail is long enough to be worth grouping in.
#[derive(Debug, Default)]
struct Postings {
    ids: Vec<u32>,
    runs: Vec<Run>,
    tail_lengths: Vec<u16>,
}

/// The entries of a posting list with one word count: `ids[start..end]` where `start` is the
/// previous run's end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Run {
    words: u16,
    end: u32,
}

/// A tail this long (or an eighth of the grouped part, if longer) is grouped in.
const POSTINGS_TAIL: usize = 64;

impl Postings {
    fn grouped(&self) -> usize {
        self.runs.last().map_or(0, |r| r.end as usize)
    }

    /// Adds an entry after every entry already in the list.
    fn push(&mut self, id: u32, words: u16) {
        self.ids.push(id);
        self.tail_lengths.push(words);
    }

    fn tail_is_long(&self) -> bool {
        self.tail_lengths.len() > POSTINGS_TAIL.max(self.grouped() / 8)
    }

    /// Groups the tail in with the runs.
    fn group(&mut self) {
        if self.tail_lengths.is_empty() {
            return;
        }
        let mut all: Vec<(u16, u32)> = Vec::with_capacity(self.ids.len());
        let mut start = 0;
        for run in &self.runs {
            let end = run.end as usize;
            all.extend(self.ids[start..end].iter().map(|&id| (run.words, id)));
            start = end;
        }
        all.extend(self.tail_lengths.iter().copied().zip(self.ids[start..].iter().copied()));
        all.sort_unstable();
        self.runs.clear();
        self.tail_lengths.clear();
        for (i, &(words, id)) in all.iter().enumerate() {
            self.ids[i] = id;
            match self.runs.last_mut() {
                Some(run) if run.words == words => run.end += 1,
                _ => self.runs.push(Run { words, end: i as u32 + 1 }),
            }
        }
    }

    /// The grouped runs whose word count is in `lengths`, and where the first of them
    /// starts in `ids`.
    fn runs_within(&self, lengths: &std::ops::RangeInclusive<u16>) -> (&[Run], usize) {
        let first = self.runs.partition_point(|r| r.words < *lengths.start());
        let last = self.runs.partition_point(|r| r.words <= *lengths.end()).max(first);
        let start = if first == 0 { 0 } else { self.runs[first - 1].end as usize };
        (&self.runs[first..last], start)
    }

    /// The grouped runs whose word count is in `lengths` (each as its ids and count), and
    /// the tail with its word counts.
    fn reachable(
        &self,
        lengths: &std::ops::RangeInclusive<u16>,
    ) -> (impl Iterator<Item = (&[u32], u16)>, &[u32], &[u16]) {
        let (runs, mut start) = self.runs_within(lengths);
        let runs = runs.iter().map(move |r| {
            let ids = &self.ids[start..r.end as usize];
            start = r.end as usize;
            (ids, r.words)
        });
        (runs, &self.ids[self.grouped()..], &self.tail_lengths)
    }

    /// How many entries [`Postings::reachable`] gives for `lengths` (tail included).
    fn reachable_len(&self, lengths: &std::ops::RangeInclusive<u16>) -> usize {
        let (runs, start) = self.runs_within(lengths);
        runs.last().map_or(0, |r| r.end as usize - start) + self.tail_lengths.len()
    }
}

thread_local! {
    /// For each entry, how many prefix keys of the current lookup it holds: all zero between
    /// lookups (each lookup resets what it touched).
    static PREFIX_HITS: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Asks the processor to bring the memory at `at` into its caches. A lookup's time goes
/// mostly to misses of the caches at scattered entries; asked for early, several are
/// fetched at once. Only a hint: any address will do, nothing is read.
#[inline(always)]
fn prefetch<T>(at: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch never faults and changes nothing a program can observe, whatever
    // the address; the intrinsic is `unsafe` only because it is a target-feature function
    // (SSE, which every x86-64 processor has).
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(at.cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = at;
}

/// How many of the cheapest query keys to read postings for, given what each costs to read
/// (cheapest first). Any `shortest` of them find every candidate; each key more is one more
/// posting list to merge, but raises the number of those keys a candidate must hold by one,
/// so far fewer entries are touched. Keys are added while their lists are no longer than
/// those already read.
fn prefix_length(costs: &[usize], shortest: usize) -> usize {
    let mut read: usize = costs[..shortest].iter().sum();
    let mut prefix = shortest;
    while prefix < costs.len()
        && prefix - shortest < EXTRA_PREFIX_KEYS
        && costs[prefix] <= read.max(MIN_POSTINGS_READ)
    {
        read += costs[prefix];
        prefix += 1;
    }
    prefix
}

/// Where a lookup is in one stretch of a posting list.
struct Cursor<'a> {
    ids: &'a [u32],
    lengths: Lengths<'a>,
    at: usize,
}

/// The word counts of a cursor's entries.
enum Lengths<'a> {
    /// A run: all have this many, and each counts for this many of the keys read.
    All(u16, u8),
    /// A tail: each has its own, and counts for the keys read for its length.
    Each(&'a [u16], KeyRange),
}

/// The positions of one key in the query's keys, cheapest first: `times` equal keys from
/// `first` on.
#[derive(Clone, Copy)]
struct KeyRange {
    first: usize,
    times: usize,
}

impl KeyRange {
    /// How many of these keys an entry of `words` words is counted for, when entries of `m`
    /// words are read for the first `keys_read[m]` keys.
    fn read_for(self, keys_read: &[usize], words: u16) -> u8 {
        let read = keys_read.get(usize::from(words)).copied().unwrap_or(0);
        read.min(self.first + self.times).saturating_sub(self.first).min(255) as u8
    }
}

fn saturate_u16(n: usize) -> u16 {
    n.min(usize::from(u16::MAX)) as u16
}

/// A 128-bit set of key hashes.
#[derive(Debug, Clone, Copy, Default)]
struct Signature([u64; 2]);

impl Signature {
    fn bit(key: u32) -> usize {
        // Fibonacci hashing: key ids are dense, so spread them before taking the top bits.
        (u64::from(key).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 57) as usize
    }

    fn of(keys: &[u32]) -> Signature {
        let mut s = Signature::default();
        for &k in keys {
            let b = Self::bit(k);
            s.0[b / 64] |= 1 << (b % 64);
        }
        s
    }
}

/// For each signature bit, how many of the query's keys (with repeats) hash to it.
struct SignatureWeights {
    bits: Signature,
    weight: [u16; 128],
}

impl SignatureWeights {
    fn of(query_keys: &[u32]) -> Self {
        let mut w = SignatureWeights { bits: Signature::of(query_keys), weight: [0; 128] };
        for &k in query_keys {
            w.weight[Signature::bit(k)] += 1;
        }
        w
    }

    /// At least the number of query keys (with repeats) an entry with signature `s` holds:
    /// a key the entry holds has its bit set.
    fn bound(&self, s: Signature) -> usize {
        let mut total = 0;
        for (half, (&q, &e)) in self.bits.0.iter().zip(&s.0).enumerate() {
            let mut common = q & e;
            while common != 0 {
                let b = common.trailing_zeros() as usize;
                total += usize::from(self.weight[half * 64 + b]);
                common &= common - 1;
            }
        }
        total
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
    fn signature_bound_is_never_below_the_shared_count() {
        let mut seed = 7u64;
        let mut next = |below: u32| {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((seed >> 33) % u64::from(below)) as u32
        };
        for _ in 0..2000 {
            let mut query: Vec<u32> = (0..1 + next(40)).map(|_| next(300)).collect();
            let mut entry: Vec<u32> = (0..1 + next(40)).map(|_| next(300)).collect();
            query.sort_unstable();
            entry.sort_unstable();
            let bound = SignatureWeights::of(&query).bound(Signature::of(&entry));
            assert!(bound >= shared_count(&query, &entry), "{query:?} {entry:?}");
        }
    }

    #[test]
    fn grouped_postings_give_exactly_the_entries_of_reachable_lengths() {
        let mut seed = 11u64;
        let mut next = |below: u64| {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (seed >> 33) % below
        };
        let mut list = Postings::default();
        let mut all: Vec<(u32, u16)> = Vec::new();
        for id in 0..3000u32 {
            if next(3) == 0 {
                continue;
            }
            let words = 1 + next(40) as u16;
            list.push(id, words);
            all.push((id, words));
            if next(500) == 0 || list.tail_is_long() {
                list.group();
            }
            if id % 97 == 0 {
                let (lo, hi) = (next(45) as u16, next(45) as u16);
                let (runs, tail_ids, tail_lengths) = list.reachable(&(lo..=hi));
                let mut got: Vec<(u32, u16)> =
                    runs.flat_map(|(ids, w)| ids.iter().map(move |&id| (id, w))).collect();
                for run in list.runs.windows(2) {
                    assert!(run[0].words < run[1].words && run[0].end < run[1].end);
                }
                let tail_len = tail_ids.len();
                got.extend(tail_ids.iter().copied().zip(tail_lengths.iter().copied()));
                got.retain(|&(_, w)| (lo..=hi).contains(&w));
                got.sort_unstable();
                let want: Vec<_> =
                    all.iter().copied().filter(|&(_, w)| (lo..=hi).contains(&w)).collect();
                assert_eq!(got, want, "lengths {lo}..={hi}");
                assert!(list.reachable_len(&(lo..=hi)) >= want.len() - tail_len.min(want.len()));
            }
        }
    }

    #[test]
    fn shared_count_is_a_multiset_intersection() {
        assert_eq!(shared_count(&[1, 1, 2, 5], &[1, 1, 1, 3, 5]), 3);
        assert_eq!(shared_count(&[], &[1]), 0);
    }
}
