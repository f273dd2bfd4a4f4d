//! What the server keeps between requests: the connection pool, the fuzzy indexes (built on
//! first use, kept current on writes), import jobs, term recognisers, metrics and limits.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock, TryLockError};

use super::config::ServeConfig;
use super::jobs::Jobs;
use super::lookup_pool::LookupPool;
use super::metrics::Metrics;
use super::ServeError;
use crate::matching::{MemoryIndex, SaveOutcome};
use crate::model::normalize_lang_tag;
use crate::store::{MemoryChange, Store, StoreError, StorePool};
use crate::terms::Recognizer;
use crate::text::Segmenter;

/// A memory's index, shared by lookups (read lock) and kept current by writes (write lock).
pub type SharedIndex = Arc<RwLock<MemoryIndex>>;

/// A cache slot: empty until the first request that needs the index builds it.
type IndexSlot = Arc<Mutex<Option<SharedIndex>>>;

/// Indexes by (memory id, source language). Each slot is built once, by whichever request
/// needs it first; others wait for that build rather than repeat it.
#[derive(Default)]
pub struct IndexCache {
    slots: Mutex<HashMap<(i64, String), IndexSlot>>,
    /// Edits given while a rebuild of their memory runs, by memory id.
    rebuilds: Mutex<HashMap<i64, RebuildLog>>,
}

/// The edits of one memory given while rebuilds of it run. A rebuilt index may have read its
/// rows before some of them committed, so it replays them all when it is swapped in: an edit
/// given twice changes nothing more than once.
#[derive(Default)]
struct RebuildLog {
    running: usize,
    edits: Vec<(i64, MemoryChange)>,
}

/// Records a memory's edits from its creation until it is dropped (see [`RebuildLog`]).
struct Recording<'c> {
    cache: &'c IndexCache,
    memory_id: i64,
}

impl<'c> Recording<'c> {
    fn start(cache: &'c IndexCache, memory_id: i64) -> Recording<'c> {
        cache.rebuild_logs().entry(memory_id).or_default().running += 1;
        Recording { cache, memory_id }
    }

    /// The edits recorded so far.
    fn edits(&self) -> Vec<(i64, MemoryChange)> {
        self.cache
            .rebuild_logs()
            .get(&self.memory_id)
            .map(|log| log.edits.clone())
            .unwrap_or_default()
    }
}

impl Drop for Recording<'_> {
    fn drop(&mut self) {
        let mut logs = self.cache.rebuild_logs();
        if let Some(log) = logs.get_mut(&self.memory_id) {
            log.running -= 1;
            if log.running == 0 {
                logs.remove(&self.memory_id);
            }
        }
    }
}

impl IndexCache {
    pub fn get(&self, store: &Store, memory: &str, lang: &str) -> Result<SharedIndex, StoreError> {
        let memory_id = store.require_memory(memory)?;
        let key = (memory_id, normalize_lang_tag(lang));
        let slot =
            self.slots.lock().unwrap_or_else(|e| e.into_inner()).entry(key).or_default().clone();
        let mut slot = slot.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(index) = slot.as_ref() {
            return Ok(index.clone());
        }
        let built = Arc::new(RwLock::new(MemoryIndex::open(store, memory, lang)?));
        *slot = Some(built.clone());
        Ok(built)
    }

    /// Which of `memories` have no index for `lang` loaded yet, or one another request is
    /// loading: what a lookup thread must not wait for (see `routes::suggest::run_lookups`).
    pub fn not_ready(
        &self,
        store: &Store,
        memories: &[String],
        lang: &str,
    ) -> Result<Vec<String>, StoreError> {
        let lang = normalize_lang_tag(lang);
        let mut missing = Vec::new();
        for memory in memories {
            let key = (store.require_memory(memory)?, lang.clone());
            let slot = self.slots.lock().unwrap_or_else(|e| e.into_inner()).get(&key).cloned();
            let loaded = slot.is_some_and(|slot| match slot.try_lock() {
                Ok(index) => index.is_some(),
                Err(TryLockError::Poisoned(e)) => e.into_inner().is_some(),
                Err(TryLockError::WouldBlock) => false, // being loaded
            });
            if !loaded {
                missing.push(memory.clone());
            }
        }
        Ok(missing)
    }

    /// The indexes built so far for one memory.
    pub fn of_memory(&self, memory_id: i64) -> Vec<SharedIndex> {
        let slots: Vec<_> = self
            .slots
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .filter(|((id, _), _)| *id == memory_id)
            .map(|(_, slot)| slot.clone())
            .collect();
        slots.iter().filter_map(|s| s.lock().unwrap_or_else(|e| e.into_inner()).clone()).collect()
    }

    /// Brings a unit's entries up to date in every index of its memory after an edit of it
    /// (create, update or delete), and moves each index along the edit's `change`.
    pub fn refresh_unit(
        &self,
        store: &Store,
        unit_id: i64,
        change: &MemoryChange,
    ) -> Result<(), StoreError> {
        if let Some(log) = self.rebuild_logs().get_mut(&change.memory_id) {
            log.edits.push((unit_id, *change));
        }
        for index in self.of_memory(change.memory_id) {
            let lang = index.read().unwrap_or_else(|e| e.into_inner()).source_lang.clone();
            let rows = store.index_rows_for_unit(unit_id, &lang)?;
            index.write().unwrap_or_else(|e| e.into_inner()).apply_edit(unit_id, rows, change);
        }
        Ok(())
    }

    fn rebuild_logs(&self) -> std::sync::MutexGuard<'_, HashMap<i64, RebuildLog>> {
        self.rebuilds.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Saves every loaded index that holds a state its file does not (after edits), so that
    /// the next start reads it instead of rebuilding; at shutdown, when no edit can interleave.
    /// A failure to save is logged: it only costs a rebuild.
    pub fn save_changed(&self, store: &Store) {
        let slots: Vec<_> =
            self.slots.lock().unwrap_or_else(|e| e.into_inner()).values().cloned().collect();
        for slot in slots {
            let Some(index) = slot.lock().unwrap_or_else(|e| e.into_inner()).clone() else {
                continue;
            };
            let mut index = index.write().unwrap_or_else(|e| e.into_inner());
            let what = format!("the index of {} ({})", index.memory, index.source_lang);
            match index.save_if_changed(store) {
                Ok(SaveOutcome::Saved) => eprintln!("saved {what}"),
                Ok(SaveOutcome::StateUnknown) => eprintln!(
                    "not saving {what}: the memory changed in a way this server did not follow \
                     (another process wrote to it, or edits crossed), so the next start rebuilds it"
                ),
                Ok(SaveOutcome::Unchanged | SaveOutcome::NoFile) => {}
                Err(e) => eprintln!("could not save {what}: {e}"),
            }
        }
    }

    /// Rebuilds every index of a memory from the store (after an import) and swaps each in
    /// when ready; lookups use the old one meanwhile, and edits given meanwhile are replayed
    /// into the new one.
    pub fn rebuild_memory(&self, store: &Store, memory: &str) -> Result<(), StoreError> {
        let memory_id = store.require_memory(memory)?;
        let recording = Recording::start(self, memory_id);
        for index in self.of_memory(memory_id) {
            let lang = index.read().unwrap_or_else(|e| e.into_inner()).source_lang.clone();
            let fresh = MemoryIndex::open(store, memory, &lang)?;
            swap_in(store, &index, fresh, &recording)?;
        }
        Ok(())
    }

    /// Forgets a memory's indexes (after it is deleted or renamed).
    pub fn forget_memory(&self, memory_id: i64) {
        self.slots.lock().unwrap_or_else(|e| e.into_inner()).retain(|(id, _), _| *id != memory_id);
    }
}

/// Puts `fresh` in the place of `index`, with the edits recorded so far replayed into it. An
/// edit recorded later waits for this write lock, so it reaches `fresh` too.
fn swap_in(
    store: &Store,
    index: &SharedIndex,
    fresh: MemoryIndex,
    recording: &Recording,
) -> Result<(), StoreError> {
    let mut index = index.write().unwrap_or_else(|e| e.into_inner());
    *index = fresh;
    for (unit_id, change) in recording.edits() {
        let rows = store.index_rows_for_unit(unit_id, &index.source_lang)?;
        index.apply_edit(unit_id, rows, &change);
    }
    Ok(())
}

/// (term bases, source language, target language)
type RecognizerKey = (Vec<String>, String, String);

/// Term recognisers by (term bases, source, target), rebuilt when any term changed.
#[derive(Default)]
pub struct RecognizerCache {
    generation: AtomicU64,
    /// Each recogniser with the generation it was built at.
    cache: Mutex<HashMap<RecognizerKey, (u64, Arc<Recognizer>)>>,
}

impl RecognizerCache {
    pub fn get(
        &self,
        store: &Store,
        termbases: &[String],
        source: &str,
        target: &str,
    ) -> Result<Arc<Recognizer>, StoreError> {
        let generation = self.generation.load(Ordering::Acquire);
        let mut names = termbases.to_vec();
        names.sort();
        let key = (names, normalize_lang_tag(source), normalize_lang_tag(target));
        if let Some((g, r)) = self.cache.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
            if *g == generation {
                return Ok(r.clone());
            }
        }
        let recognizer = Arc::new(Recognizer::from_store(store, &key.0, &key.1, Some(&key.2))?);
        self.cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, (generation, recognizer.clone()));
        Ok(recognizer)
    }

    /// Called after any change to a term base.
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }
}

/// The server's shared state.
pub struct AppState {
    pub config: ServeConfig,
    pub pool: StorePool,
    pub indexes: IndexCache,
    pub recognizers: RecognizerCache,
    pub jobs: Jobs,
    pub metrics: Metrics,
    pub segmenter: Segmenter,
    /// Where fuzzy lookups run.
    pub lookups: LookupPool,
}

impl AppState {
    pub fn new(config: ServeConfig, segmenter: Segmenter) -> Result<AppState, ServeError> {
        let pool = StorePool::open(config.db.clone(), 64)?;
        let lookups = LookupPool::new(config.lookup_threads)?;
        Ok(AppState {
            config,
            pool,
            lookups,
            indexes: IndexCache::default(),
            recognizers: RecognizerCache::default(),
            jobs: Jobs::default(),
            metrics: Metrics::default(),
            segmenter,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::{lookup, IndexOrigin, MatchQuery};
    use crate::model::{Unit, Variant};

    fn pair(ru: &str, en: &str) -> Unit {
        Unit::from_variants(vec![Variant::from_text("ru-RU", ru), Variant::from_text("en-US", en)])
    }

    #[test]
    fn an_edit_given_while_a_rebuild_runs_reaches_the_rebuilt_index() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("tm.db")).unwrap();
        store
            .create_unit("m", pair("Переговоры прошли в Женеве.", "Talks were held in Geneva."))
            .unwrap();
        let cache = IndexCache::default();
        let index = cache.get(&store, "m", "ru").unwrap();
        let memory_id = store.require_memory("m").unwrap();

        // `rebuild_memory` step by step: it starts recording and reads the store, then an edit
        // commits and is given before the new index is swapped in.
        let recording = Recording::start(&cache, memory_id);
        let fresh = MemoryIndex::open(&store, "m", "ru").unwrap();
        let vienna = pair("Встреча прошла в Вене.", "The meeting was held in Vienna.");
        let (added, change) = store.create_unit("m", vienna).unwrap();
        cache.refresh_unit(&store, added, &change).unwrap();
        swap_in(&store, &index, fresh, &recording).unwrap();
        drop(recording);
        assert!(cache.rebuild_logs().is_empty(), "the log ends with the last rebuild");
        let found = |index: &MemoryIndex| {
            let query = MatchQuery::new("Встреча прошла в Вене.", "en");
            lookup(&store, index, &query).unwrap().first().map(|m| (m.unit_id, m.score))
        };
        assert_eq!(found(&index.read().unwrap()), Some((added, 100)));

        // The edit's own request may reach the index only now: given twice, it counts once.
        cache.refresh_unit(&store, added, &change).unwrap();
        let mut index = index.write().unwrap();
        assert_eq!(found(&index), Some((added, 100)));
        // The replayed edit moved the index to the stored state, which it can save.
        assert_eq!(index.save_if_changed(&store).unwrap(), SaveOutcome::Saved);
        assert_eq!(MemoryIndex::open(&store, "m", "ru").unwrap().origin, IndexOrigin::Loaded);
    }

    #[test]
    fn an_index_is_ready_once_loaded_and_not_while_another_request_loads_it() {
        let store = Store::open_in_memory().unwrap();
        store.ensure_memory("a").unwrap();
        store.ensure_memory("b").unwrap();
        let cache = IndexCache::default();
        let both = ["a".to_string(), "b".to_string()];
        assert_eq!(cache.not_ready(&store, &both, "ru").unwrap(), both);
        cache.get(&store, "a", "ru-RU").unwrap();
        assert_eq!(cache.not_ready(&store, &both, "ru_ru").unwrap(), ["b"]);
        assert_eq!(cache.not_ready(&store, &both, "en").unwrap(), both, "another language");

        // A slot whose lock is held is being loaded by another request.
        cache.get(&store, "b", "ru-RU").unwrap();
        assert!(cache.not_ready(&store, &both, "ru-RU").unwrap().is_empty());
        let key = (store.require_memory("b").unwrap(), "ru-RU".to_string());
        let slot = cache.slots.lock().unwrap().get(&key).unwrap().clone();
        let loading = slot.lock().unwrap();
        assert_eq!(cache.not_ready(&store, &both, "ru-RU").unwrap(), ["b"]);
        drop(loading);

        let unknown = cache.not_ready(&store, &["c".to_string()], "ru");
        assert!(matches!(unknown, Err(StoreError::NoSuchMemory(_))));
    }
}
