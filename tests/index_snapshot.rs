//! The fuzzy index saved beside the database: read back only while it still describes the
//! memory, and then giving exactly the lookups a freshly built index gives; any change to
//! the memory, a damaged file or a reused memory id makes it rebuild.

mod support;

use support::{add_units, unit, TestUnit};
use tmbase::bench_corpus::{generate, queries};
use tmbase::matching::{lookup, IndexOrigin, MatchQuery, MemoryIndex, SaveOutcome};
use tmbase::model::{Unit, Variant};
use tmbase::store::{MemoryChange, Store};

fn memory_units(seed: u64, count: usize) -> Vec<TestUnit> {
    generate(seed, count, &[]).iter().map(|(ru, en)| unit(ru, en)).collect()
}

fn answers(store: &Store, index: &MemoryIndex, texts: &[String]) -> Vec<Vec<(i64, u32, String)>> {
    texts
        .iter()
        .map(|t| {
            let mut q = MatchQuery::new(t.clone(), "en");
            q.min_score = 60;
            lookup(store, index, &q)
                .unwrap()
                .into_iter()
                .map(|m| (m.unit_id, m.score, m.target))
                .collect()
        })
        .collect()
}

fn saved_file(dir: &std::path::Path) -> std::path::PathBuf {
    let files: Vec<_> = std::fs::read_dir(dir.join("tm.db.index"))
        .unwrap()
        .map(|f| f.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "idx"))
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    files[0].clone()
}

#[test]
fn a_saved_index_gives_the_same_lookups_as_a_built_one() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("tm.db")).unwrap();
    add_units(&mut store, "m", &memory_units(5, 3000));
    let first = MemoryIndex::open(&store, "m", "ru").unwrap();
    assert_eq!(first.origin, IndexOrigin::Built);
    let again = MemoryIndex::open(&store, "m", "RU").unwrap();
    assert_eq!(again.origin, IndexOrigin::Loaded);
    assert_eq!(again.index.stats().entries, 3000);
    let pairs = generate(5, 3000, &[]);
    let texts = queries(11, 400, &pairs);
    let expected = answers(&store, &first, &texts);
    assert!(expected.iter().filter(|a| !a.is_empty()).count() > 200, "too few queries match");
    assert_eq!(answers(&store, &again, &texts), expected);
}

#[test]
fn any_change_to_the_memory_makes_the_saved_index_stale() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("tm.db")).unwrap();
    add_units(
        &mut store,
        "m",
        &[unit("Переговоры прошли в Женеве.", "Talks were held in Geneva.")],
    );
    let open = |store: &Store| MemoryIndex::open(store, "m", "ru").unwrap();
    assert_eq!(open(&store).origin, IndexOrigin::Built);
    assert_eq!(open(&store).origin, IndexOrigin::Loaded);

    // An import.
    add_units(
        &mut store,
        "m",
        &[unit("Встреча прошла в Вене.", "The meeting was held in Vienna.")],
    );
    let after_import = open(&store);
    assert_eq!(after_import.origin, IndexOrigin::Built);
    assert_eq!(after_import.index.stats().entries, 2);

    // An edit of one unit's text, and a deletion.
    let memory_id = store.memory_id("m").unwrap().unwrap();
    let unit_id = after_import.index.stats().entries as i64; // ids start at 1
    let mut edited = store.unit(memory_id, unit_id).unwrap().unwrap().unit;
    edited.variants[0].segment = tmbase::model::Segment::from_text("Встреча прошла в Берне.");
    assert!(store.update_unit("m", unit_id, edited).unwrap().is_some());
    let after_edit = open(&store);
    assert_eq!(after_edit.origin, IndexOrigin::Built);
    let found =
        lookup(&store, &after_edit, &MatchQuery::new("Встреча прошла в Берне.", "en")).unwrap();
    assert_eq!(found.first().map(|m| m.score), Some(100));
    assert!(store.delete_unit(memory_id, unit_id).unwrap().is_some());
    let after_delete = open(&store);
    assert_eq!(after_delete.origin, IndexOrigin::Built);
    assert_eq!(after_delete.index.stats().entries, 1);
}

#[test]
fn a_new_memory_reusing_a_deleted_ones_id_does_not_get_its_index() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("tm.db")).unwrap();
    add_units(&mut store, "old", &[unit("Старый текст.", "Old text.")]);
    let old_id = store.memory_id("old").unwrap().unwrap();
    MemoryIndex::open(&store, "old", "ru").unwrap();
    store.delete_memory("old").unwrap();
    assert!(
        !dir.path().join("tm.db.index").read_dir().unwrap().any(|_| true),
        "the deleted memory's saved index is removed"
    );
    add_units(&mut store, "new", &[unit("Новый текст.", "New text.")]);
    assert_eq!(store.memory_id("new").unwrap(), Some(old_id), "the id is reused");
    let index = MemoryIndex::open(&store, "new", "ru").unwrap();
    assert_eq!(index.origin, IndexOrigin::Built);
    let found = lookup(&store, &index, &MatchQuery::new("Новый текст.", "en")).unwrap();
    assert_eq!(found[0].target, "New text.");
}

#[test]
fn a_damaged_or_cut_short_file_is_rebuilt_not_trusted() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("tm.db")).unwrap();
    add_units(&mut store, "m", &memory_units(8, 500));
    let built = MemoryIndex::open(&store, "m", "ru").unwrap();
    let texts = queries(3, 50, &generate(8, 500, &[]));
    let expected = answers(&store, &built, &texts);
    let file = saved_file(dir.path());
    let good = std::fs::read(&file).unwrap();

    let mut flipped = good.clone();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 0x40;
    let cut = good[..good.len() - 100].to_vec();
    for (what, bytes) in [("one byte changed", flipped), ("cut short", cut), ("empty", Vec::new())]
    {
        std::fs::write(&file, bytes).unwrap();
        let index = MemoryIndex::open(&store, "m", "ru").unwrap();
        assert_eq!(index.origin, IndexOrigin::Built, "{what}");
        assert_eq!(answers(&store, &index, &texts), expected, "{what}");
        // The rebuild saved a good file again.
        assert_eq!(MemoryIndex::open(&store, "m", "ru").unwrap().origin, IndexOrigin::Loaded);
    }
}

/// Gives an edit to the index as the server does after committing it.
fn apply(store: &Store, index: &mut MemoryIndex, unit_id: i64, change: &MemoryChange) {
    let rows = store.index_rows_for_unit(unit_id, &index.source_lang).unwrap();
    index.apply_edit(unit_id, rows, change);
}

fn replace_russian(store: &Store, memory_id: i64, unit_id: i64, text: &str) -> Unit {
    let mut unit = store.unit(memory_id, unit_id).unwrap().unwrap().unit;
    unit.variants[0].segment = tmbase::model::Segment::from_text(text);
    unit
}

fn new_unit(ru: &str, en: &str) -> Unit {
    Unit::from_variants(vec![Variant::from_text("ru-RU", ru), Variant::from_text("en-US", en)])
}

#[test]
fn edits_given_to_an_index_are_saved_and_read_back_at_the_next_start() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("tm.db")).unwrap();
    add_units(&mut store, "m", &memory_units(21, 600));
    let memory_id = store.memory_id("m").unwrap().unwrap();
    let mut index = MemoryIndex::open(&store, "m", "ru").unwrap();
    assert_eq!(index.origin, IndexOrigin::Built);
    assert_eq!(index.save_if_changed(&store).unwrap(), SaveOutcome::Unchanged);

    // Three creates, an update and two deletes (one of them of the newest unit, which moves
    // the highest unit id back), each given to the index once committed.
    let (riga, change) = store
        .create_unit("m", new_unit("Переговоры прошли в Риге.", "Talks were held in Riga."))
        .unwrap();
    apply(&store, &mut index, riga, &change);
    let (created, change) = store
        .create_unit("m", new_unit("Совещание министров прошло в Осло.", "Ministers met in Oslo."))
        .unwrap();
    apply(&store, &mut index, created, &change);
    let edited =
        replace_russian(&store, memory_id, 7, "Переговоры о поставках газа прошли в Минске.");
    let change = store.update_unit("m", 7, edited).unwrap().unwrap();
    apply(&store, &mut index, 7, &change);
    let change = store.delete_unit(memory_id, 3).unwrap().unwrap();
    apply(&store, &mut index, 3, &change);
    let (newest, change) =
        store.create_unit("m", new_unit("Временная запись.", "A temporary entry.")).unwrap();
    apply(&store, &mut index, newest, &change);
    let change = store.delete_unit(memory_id, newest).unwrap().unwrap();
    assert!(change.max_unit_id < newest);
    apply(&store, &mut index, newest, &change);

    assert_eq!(index.save_if_changed(&store).unwrap(), SaveOutcome::Saved);
    assert_eq!(index.save_if_changed(&store).unwrap(), SaveOutcome::Unchanged);
    let loaded = MemoryIndex::open(&store, "m", "ru").unwrap();
    assert_eq!(loaded.origin, IndexOrigin::Loaded, "the saved state is the stored one");

    let built = MemoryIndex::build(&store, "m", "ru").unwrap();
    let mut texts = queries(4, 200, &generate(21, 600, &[]));
    texts.push("Совещание министров прошло в Осло.".into());
    texts.push("Переговоры о поставках газа прошли в Минске.".into());
    let expected = answers(&store, &built, &texts);
    assert_eq!(answers(&store, &loaded, &texts), expected);
    let oslo = &expected[expected.len() - 2];
    assert_eq!(oslo.first().map(|m| (m.0, m.1)), Some((created, 100)));
}

#[test]
fn an_index_that_missed_a_change_is_never_saved_as_the_stored_state() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("tm.db")).unwrap();
    add_units(&mut store, "m", &memory_units(22, 300));
    let memory_id = store.memory_id("m").unwrap().unwrap();
    let file_bytes = || std::fs::read(saved_file(dir.path())).unwrap();

    // A change the index is not given (another process, say), then one it is given.
    let mut index = MemoryIndex::open(&store, "m", "ru").unwrap();
    let saved_before = file_bytes();
    store.delete_unit(memory_id, 10).unwrap().unwrap();
    let (id, change) = store.create_unit("m", new_unit("Новая запись.", "A new entry.")).unwrap();
    apply(&store, &mut index, id, &change);
    assert_eq!(index.save_if_changed(&store).unwrap(), SaveOutcome::StateUnknown);
    assert_eq!(file_bytes(), saved_before, "nothing was written");

    // A change it is given, then one it is not: the file it saves names the state it holds,
    // which is no longer the stored one, so the next start rebuilds.
    let mut index = MemoryIndex::open(&store, "m", "ru").unwrap();
    assert_eq!(index.origin, IndexOrigin::Built);
    let edited = replace_russian(&store, memory_id, 20, "Правка, которую индекс видел.");
    let change = store.update_unit("m", 20, edited).unwrap().unwrap();
    apply(&store, &mut index, 20, &change);
    store.delete_unit(memory_id, 30).unwrap().unwrap();
    assert_eq!(index.save_if_changed(&store).unwrap(), SaveOutcome::Saved);
    let reopened = MemoryIndex::open(&store, "m", "ru").unwrap();
    assert_eq!(reopened.origin, IndexOrigin::Built);
    assert_eq!(reopened.index.stats().entries, 299); // 300 - 1 + 1 - 1
}

#[test]
fn edits_given_out_of_order_leave_the_state_unknown() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("tm.db")).unwrap();
    add_units(&mut store, "m", &memory_units(23, 100));
    let memory_id = store.memory_id("m").unwrap().unwrap();
    let mut index = MemoryIndex::open(&store, "m", "ru").unwrap();
    let first = store.delete_unit(memory_id, 5).unwrap().unwrap();
    let second = store.delete_unit(memory_id, 6).unwrap().unwrap();
    apply(&store, &mut index, 6, &second);
    apply(&store, &mut index, 5, &first);
    assert_eq!(index.index.stats().entries, 98, "the content is current");
    assert_eq!(index.save_if_changed(&store).unwrap(), SaveOutcome::StateUnknown);
}
