//! A lookup: score the candidates of one memory for a query, apply penalties, rank, and
//! fetch what a translator sees (texts, metadata, differences) for the best few.

use std::path::Path;

use super::diff::{DiffQuery, DiffSpan};

use super::index::{Analyzed, FastMap, FreshIds, FuzzyIndex, PreparedRow, SnapshotStamp};
use super::numbers::adjust_numbers;
use super::score::{base_score, fuzzy_score, MatchKind};
use crate::model::{normalize_lang_tag, tmx_date_seconds};
use crate::store::{IndexRow, MatchDetails, MemoryChange, Store, StoreError};
use crate::text::{normalize_for_matching, tokenize, TokenKind};

/// Rows handed from the store reader to the index builder at a time.
const BUILD_BATCH: usize = 1024;

/// Points for each penalty.
pub const MARKUP_PENALTY_MAX: u32 = 5;
pub const AMBIGUITY_PENALTY: u32 = 1;
pub const NUMBERS_ADJUSTED_PENALTY: u32 = 1;

/// One memory's index for one source language, with the memory's own penalty.
#[derive(Debug)]
pub struct MemoryIndex {
    pub memory: String,
    pub memory_id: i64,
    pub source_lang: String,
    pub penalty: u32,
    pub index: FuzzyIndex,
    /// Whether the index was built from the store or read from the file it was saved in.
    pub origin: IndexOrigin,
    /// The stored state the index describes: read when it was built or loaded, then moved
    /// along by each edit it is given (`apply_edit`). `None` once the memory has changed in a
    /// way the index was not told of, and then it is never saved.
    stamp: Option<SnapshotStamp>,
    /// Whether the saved file holds the state in `stamp`.
    saved: bool,
}

/// What `MemoryIndex::save_if_changed` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveOutcome {
    /// The file now holds the index's state.
    Saved,
    /// The file already held it.
    Unchanged,
    /// The memory changed in a way the index was not told of: nothing was written, and the
    /// next start rebuilds.
    StateUnknown,
    /// The database is in memory: there is no file.
    NoFile,
}

/// Where an index came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexOrigin {
    Built,
    Loaded,
}

impl MemoryIndex {
    /// Reads every segment of `memory` in `source_lang` from the store into a new index.
    pub fn build(
        store: &Store,
        memory: &str,
        source_lang: &str,
    ) -> Result<MemoryIndex, StoreError> {
        let memory_id = store.require_memory(memory)?;
        let lang = normalize_lang_tag(source_lang);
        let stamp = current_stamp(store, memory_id, &lang)?;
        MemoryIndex::build_at(store, memory, stamp)
    }

    /// Builds the index of the memory and language in `stamp`, which was read before the rows:
    /// an index saved under it is never newer than the state it names, so a write during the
    /// build only makes the file stale.
    fn build_at(
        store: &Store,
        memory: &str,
        stamp: SnapshotStamp,
    ) -> Result<MemoryIndex, StoreError> {
        let (memory_id, source_lang) = (stamp.memory_id, stamp.lang.clone());
        // Reading the store and breaking rows down (this thread) and adding them to the
        // index (another) take about as long as each other: they run side by side.
        let index = std::thread::scope(|scope| -> Result<FuzzyIndex, StoreError> {
            let (batches, received) = std::sync::mpsc::sync_channel::<Vec<PreparedRow>>(16);
            let builder = scope.spawn(move || {
                let mut index = FuzzyIndex::new();
                for batch in received {
                    for row in batch {
                        index.insert_prepared(row);
                    }
                }
                index.finish_build();
                index
            });
            let mut batch = Vec::with_capacity(BUILD_BATCH);
            let read = store.for_each_index_row(memory_id, &source_lang, |row| {
                batch.push(PreparedRow::new(row));
                if batch.len() == BUILD_BATCH {
                    // Fails only if the builder panicked, which `join` reports below.
                    let _ = batches.send(std::mem::take(&mut batch));
                }
            });
            let _ = batches.send(batch);
            drop(batches);
            let index = builder.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            read.map(|_| index)
        })?;
        Ok(MemoryIndex {
            memory: memory.to_string(),
            memory_id,
            penalty: store.memory_penalty(memory_id)?.max(0) as u32,
            source_lang,
            index,
            origin: IndexOrigin::Built,
            stamp: Some(stamp),
            saved: false,
        })
    }

    /// The index of `memory` in `source_lang`: read from the file it was saved in when that
    /// still describes the memory (same revision, unit count and highest unit id), otherwise
    /// built from the store and saved for the next start. A file that cannot be read or
    /// written only costs a rebuild, with a warning.
    pub fn open(store: &Store, memory: &str, source_lang: &str) -> Result<MemoryIndex, StoreError> {
        let memory_id = store.require_memory(memory)?;
        let lang = normalize_lang_tag(source_lang);
        let stamp = current_stamp(store, memory_id, &lang)?;
        let file = store.index_file(memory_id, &lang);
        if let Some(file) = &file {
            match load_saved(file, &stamp) {
                Ok(Some(index)) => {
                    return Ok(MemoryIndex {
                        memory: memory.to_string(),
                        memory_id,
                        penalty: store.memory_penalty(memory_id)?.max(0) as u32,
                        source_lang: lang,
                        index,
                        origin: IndexOrigin::Loaded,
                        stamp: Some(stamp),
                        saved: true,
                    })
                }
                Ok(None) => {}
                Err(e) => {
                    tracing::warn!("rebuilding the index: cannot use {}: {e}", file.display())
                }
            }
        }
        let mut built = MemoryIndex::build_at(store, memory, stamp)?;
        if let Err(e) = built.save_if_changed(store) {
            tracing::warn!("could not save the index of {memory} ({lang}): {e}");
        }
        Ok(built)
    }

    /// Brings one unit's entries up to date after an edit of it (create, update or delete):
    /// `rows` are the unit's index rows as the edit left them (none after a delete), and
    /// `change` the edit's link from one stored state to the next.
    pub fn apply_edit(&mut self, unit_id: i64, rows: Vec<IndexRow>, change: &MemoryChange) {
        self.index.remove_unit(unit_id);
        for row in rows {
            self.index.insert(row);
        }
        self.stamp = match self.stamp.take() {
            // The state already includes the edit: given twice, or read by a rebuild.
            Some(stamp) if stamp.revision == change.revision_after => Some(stamp),
            Some(mut stamp) if stamp.revision == change.revision_before => {
                stamp.revision = change.revision_after;
                stamp.units += change.units_added;
                stamp.max_unit_id = change.max_unit_id;
                self.saved = false;
                Some(stamp)
            }
            // An edit this index was not given came in between (or the edits arrive out of
            // order): which state it holds is no longer known.
            _ => None,
        };
    }

    /// Saves the index for the next start when it holds a state its file does not, and knows
    /// which state that is.
    pub fn save_if_changed(&mut self, store: &Store) -> std::io::Result<SaveOutcome> {
        let Some(stamp) = &self.stamp else { return Ok(SaveOutcome::StateUnknown) };
        if self.saved {
            return Ok(SaveOutcome::Unchanged);
        }
        let Some(file) = store.index_file(self.memory_id, &self.source_lang) else {
            return Ok(SaveOutcome::NoFile);
        };
        save(&self.index, stamp, &file)?;
        self.saved = true;
        Ok(SaveOutcome::Saved)
    }
}

/// The memory's stored state now, as a saved index must match it.
fn current_stamp(store: &Store, memory_id: i64, lang: &str) -> Result<SnapshotStamp, StoreError> {
    let (revision, units, max_unit_id) = store.memory_revision(memory_id)?;
    Ok(SnapshotStamp { memory_id, lang: lang.to_string(), revision, units, max_unit_id })
}

fn load_saved(file: &Path, stamp: &SnapshotStamp) -> std::io::Result<Option<FuzzyIndex>> {
    let f = match std::fs::File::open(file) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let len = f.metadata()?.len();
    FuzzyIndex::load(stamp, std::io::BufReader::with_capacity(1 << 20, f), len)
}

/// Writes the index beside its final name and renames it into place, so that a crash never
/// leaves half a file under the name.
fn save(index: &FuzzyIndex, stamp: &SnapshotStamp, file: &Path) -> std::io::Result<()> {
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let partial = file.with_extension(format!("partial-{}", std::process::id()));
    let result = (|| {
        let f = std::fs::File::create(&partial)?;
        index.save(stamp, std::io::BufWriter::with_capacity(1 << 20, &f))?;
        f.sync_all()?;
        std::fs::rename(&partial, file)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    result
}

/// What a translator asks.
#[derive(Debug, Clone)]
pub struct MatchQuery {
    pub text: String,
    /// Inline elements in the query (0 for plain text).
    pub tags: u32,
    pub target_lang: String,
    pub min_score: u32,
    pub limit: usize,
    /// The previous and next source segments, for context matches.
    pub prev: Option<String>,
    pub next: Option<String>,
}

impl MatchQuery {
    pub fn new(text: impl Into<String>, target_lang: impl Into<String>) -> Self {
        MatchQuery {
            text: text.into(),
            tags: 0,
            target_lang: target_lang.into(),
            min_score: 70,
            limit: 5,
            prev: None,
            next: None,
        }
    }
}

/// A named deduction from the base score.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Penalty {
    pub name: &'static str,
    pub points: u32,
}

/// One suggestion.
#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    /// Final score: base score minus penalties (101 for a context match).
    pub score: u32,
    pub base_score: u32,
    pub penalties: Vec<Penalty>,
    pub context_match: bool,
    pub numbers_adjusted: bool,
    pub memory: String,
    pub unit_id: i64,
    pub tuid: Option<String>,
    pub source_lang: String,
    pub source: String,
    /// The source with its inline markup, as stored (TMX XML), when it has any.
    pub source_markup: Option<String>,
    pub target_lang: String,
    /// The target, with the query's numbers when they were adjusted.
    pub target: String,
    pub target_markup: Option<String>,
    pub created_at: Option<String>,
    pub created_by: Option<String>,
    pub changed_at: Option<String>,
    pub changed_by: Option<String>,
    pub usage_count: Option<i64>,
    /// Spans of the source that differ from the query.
    pub diff: Vec<DiffSpan>,
}

/// A candidate that passed the base-score threshold.
struct Scored {
    entry: u32,
    /// The base score; for a pending numbers-only match, the most it can be (100).
    base: u32,
    context: bool,
    numbers: Numbers,
    details: Option<MatchDetails>,
    penalties: Vec<Penalty>,
    score: u32,
}

/// Number adjustment needs the stored texts, so it is done only for the matches that can
/// still make the answer.
enum Numbers {
    NotAdjusted,
    /// Same words, other numbers: not yet read from the store. `fallback` is the score if
    /// the target cannot take the query's numbers.
    Pending {
        fallback: u32,
    },
    /// The target with the query's numbers.
    Adjusted(String),
}

impl Scored {
    /// Reads the stored texts of a pending numbers-only match and adjusts its target.
    fn resolve(
        &mut self,
        store: &Store,
        index: &FuzzyIndex,
        query: &MatchQuery,
    ) -> Result<(), StoreError> {
        let Numbers::Pending { fallback } = self.numbers else { return Ok(()) };
        let e = &index.entries[self.entry as usize];
        let details = store.match_details(e.unit_id, e.ord, &query.target_lang)?;
        let adjusted = details.as_ref().and_then(|d| {
            Some((d, adjust_numbers(&query.text, &d.source_plain, &d.target_plain)?))
        });
        (self.base, self.numbers) = match adjusted {
            Some((d, target)) => {
                (adjusted_base(&query.text, &d.source_plain), Numbers::Adjusted(target))
            }
            None => (fallback, Numbers::NotAdjusted),
        };
        self.details = details;
        Ok(())
    }

    fn is_pending(&self) -> bool {
        matches!(self.numbers, Numbers::Pending { .. })
    }
}

/// Matches from several memories in one ranking: score, then newer change (or creation),
/// then more use.
pub fn rank_across_memories(matches: &mut [Match]) {
    matches.sort_by(|a, b| {
        let changed =
            |m: &Match| tmx_date_seconds(m.changed_at.as_deref().or(m.created_at.as_deref()));
        b.score
            .cmp(&a.score)
            .then(changed(b).cmp(&changed(a)))
            .then(b.usage_count.cmp(&a.usage_count))
    });
}

/// The best matches of one memory for the query, through the candidate index.
pub fn lookup(
    store: &Store,
    mem: &MemoryIndex,
    query: &MatchQuery,
) -> Result<Vec<Match>, StoreError> {
    let analyzed = mem.index.analyze_query(&query.text, query.tags);
    let candidates = mem.index.candidates(&analyzed, query.min_score);
    store.in_one_read(|| rank(store, mem, query, &analyzed, candidates))
}

/// The same answer as [`lookup`], found by scoring every segment of the memory. For tests
/// and for checking the index.
pub fn lookup_exhaustive(
    store: &Store,
    mem: &MemoryIndex,
    query: &MatchQuery,
) -> Result<Vec<Match>, StoreError> {
    let analyzed = mem.index.analyze_query(&query.text, query.tags);
    let all = (0..mem.index.entries.len() as u32).collect();
    rank(store, mem, query, &analyzed, all)
}

/// How many candidates a lookup scores (for benchmarks).
pub fn candidate_count(mem: &MemoryIndex, query: &MatchQuery) -> usize {
    let analyzed = mem.index.analyze_query(&query.text, query.tags);
    mem.index.candidates(&analyzed, query.min_score).len()
}

fn context_matches(query: &MatchQuery, prev: u64, next: u64) -> bool {
    let side = |given: &Option<String>, stored: u64| {
        let given = given.as_deref().map(normalize_for_matching).filter(|s| !s.is_empty());
        match given {
            None => stored == 0,
            Some(text) => super::index::hash_str(&text) == stored,
        }
    };
    (query.prev.is_some() || query.next.is_some())
        && side(&query.prev, prev)
        && side(&query.next, next)
}

/// The base score of a pair that differs only in numbers, once the target took the
/// query's numbers: what it would be had the numbers been equal.
fn adjusted_base(query: &str, source: &str) -> u32 {
    let mask = |t: &str| {
        let mut out = String::new();
        let mut last = 0;
        for tok in tokenize(t).into_iter().filter(|k| k.kind == TokenKind::Number) {
            out.push_str(&t[last..tok.start]);
            out.push('#');
            last = tok.end;
        }
        out.push_str(&t[last..]);
        out
    };
    let (q, s) = (mask(query), mask(source));
    let collapse = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
    if q == s {
        100
    } else if collapse(&q) == collapse(&s) {
        99
    } else if normalize_for_matching(&q) == normalize_for_matching(&s) {
        98
    } else {
        96
    }
}

fn rank(
    store: &Store,
    mem: &MemoryIndex,
    query: &MatchQuery,
    analyzed: &Analyzed<'_>,
    candidates: Vec<u32>,
) -> Result<Vec<Match>, StoreError> {
    let index = &mem.index;
    let wanted = index.target_languages(&query.target_lang);
    let mut scored: Vec<Scored> = Vec::new();
    // Candidates lie scattered over the index: each batch's data is asked for at once.
    for batch in candidates.chunks(32) {
        index.prefetch_for_scoring(batch);
        for &id in batch {
            let e = &index.entries[id as usize];
            if !e.alive || index.first_target(id, &wanted).is_none() {
                continue;
            }
            let text = index.entry_text(id);
            let (base, kind) = base_score(analyzed, &text);
            if base < query.min_score {
                continue;
            }
            let numbers = match kind {
                MatchKind::NumbersOnly => {
                    Numbers::Pending { fallback: fuzzy_score(analyzed, &text) }
                }
                _ => Numbers::NotAdjusted,
            };
            let context =
                kind == MatchKind::Exact && context_matches(query, e.ctx_prev, e.ctx_next);
            scored.push(Scored {
                entry: id,
                base,
                context,
                numbers,
                details: None,
                penalties: Vec::new(),
                score: 0,
            });
        }
    }

    // Several translations of one source: entries with the same normalised source have the
    // same words, so they are all among the scored entries.
    let mut translations: FastMap<u64, (u64, bool)> = FastMap::default();
    for s in &scored {
        let source = index.entries[s.entry as usize].norm_hash;
        let Some(target) = index.first_target(s.entry, &wanted) else { continue };
        translations
            .entry(source)
            .and_modify(|(first, several)| *several |= *first != target.norm_hash)
            .or_insert((target.norm_hash, false));
    }
    let ambiguous = |source: u64| translations.get(&source).is_some_and(|&(_, several)| several);

    // The best segment of each unit only: where a unit has several, their scores must be
    // known exactly.
    let mut per_unit: FastMap<i64, usize> = FastMap::default();
    for s in &scored {
        *per_unit.entry(index.entries[s.entry as usize].unit_id).or_default() += 1;
    }
    for s in &mut scored {
        if per_unit[&index.entries[s.entry as usize].unit_id] > 1 {
            s.resolve(store, index, query)?;
        }
    }
    scored.retain(|s| s.base >= query.min_score);
    let mut best: FastMap<i64, usize> = FastMap::default();
    for (i, s) in scored.iter().enumerate() {
        let unit = index.entries[s.entry as usize].unit_id;
        match best.get(&unit) {
            Some(&j) if scored[j].base >= s.base => {}
            _ => {
                best.insert(unit, i);
            }
        }
    }
    let mut keep: Vec<bool> = vec![false; scored.len()];
    for &i in best.values() {
        keep[i] = true;
    }
    let mut scored: Vec<Scored> =
        scored.into_iter().zip(keep).filter(|(_, k)| *k).map(|(s, _)| s).collect();

    // Rank with the most a pending match can score, then adjust the pending matches among
    // the best and rank again, until the best are all known: a pending match ranked below
    // them can only fall further.
    loop {
        for s in &mut scored {
            let e = &index.entries[s.entry as usize];
            s.penalties.clear();
            let diff = analyzed.tags.abs_diff(e.tags);
            if diff > 0 {
                s.penalties.push(Penalty { name: "markup", points: diff.min(MARKUP_PENALTY_MAX) });
            }
            if !matches!(s.numbers, Numbers::NotAdjusted) {
                s.penalties
                    .push(Penalty { name: "numbers_adjusted", points: NUMBERS_ADJUSTED_PENALTY });
            }
            if ambiguous(e.norm_hash) {
                s.penalties
                    .push(Penalty { name: "multiple_translations", points: AMBIGUITY_PENALTY });
            }
            if mem.penalty > 0 {
                s.penalties.push(Penalty { name: "memory", points: mem.penalty });
            }
            let total: u32 = s.penalties.iter().map(|p| p.points).sum();
            let top = if s.context { 101 } else { s.base };
            s.score = top.saturating_sub(total);
        }
        scored.retain(|s| s.score >= query.min_score);
        scored.sort_by(|a, b| {
            let (ea, eb) = (&index.entries[a.entry as usize], &index.entries[b.entry as usize]);
            b.score
                .cmp(&a.score)
                .then(eb.changed.cmp(&ea.changed))
                .then(eb.usage.cmp(&ea.usage))
                .then(eb.unit_id.cmp(&ea.unit_id))
        });
        let limit = query.limit.min(scored.len());
        if !scored[..limit].iter().any(Scored::is_pending) {
            break;
        }
        for s in scored[..limit].iter_mut().filter(|s| s.is_pending()) {
            s.resolve(store, index, query)?;
        }
    }
    scored.truncate(query.limit);

    let mut unknown_words = FreshIds::default();
    let mut diff_query = (!scored.is_empty()).then(|| {
        DiffQuery::new(&query.text, |form: &str, kind| {
            index.word_ids(form, kind == TokenKind::Number, &mut unknown_words)
        })
    });
    let mut out = Vec::with_capacity(scored.len());
    for s in scored {
        let e = &index.entries[s.entry as usize];
        let details = match s.details {
            Some(d) => d,
            None => match store.match_details(e.unit_id, e.ord, &query.target_lang)? {
                Some(d) => d,
                None => continue, // deleted since the index was built
            },
        };
        let (target, target_markup, numbers_adjusted) = match s.numbers {
            Numbers::Adjusted(t) => (t, None, true),
            _ => (details.target_plain.clone(), details.target_seg.clone(), false),
        };
        out.push(Match {
            score: s.score,
            base_score: s.base,
            penalties: s.penalties,
            context_match: s.context,
            numbers_adjusted,
            memory: mem.memory.clone(),
            unit_id: e.unit_id,
            tuid: details.tuid.clone(),
            source_lang: details.source_lang.clone(),
            diff: diff_query.as_mut().map(|d| d.spans(&details.source_plain)).unwrap_or_default(),
            source: details.source_plain,
            source_markup: details.source_seg,
            target_lang: details.target_lang,
            target,
            target_markup,
            created_at: details.creationdate,
            created_by: details.creationid,
            changed_at: details.changedate,
            changed_by: details.changeid,
            usage_count: details.usagecount,
        });
    }
    Ok(out)
}
