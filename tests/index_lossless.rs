//! The candidate index never misses a match: for random queries against a generated memory,
//! lookups through the index give exactly what an exhaustive scan with the same scorer gives.
//!
//! Sizes come from the environment so CI can run the full proof in release mode:
//! `TMBASE_LOSSLESS_UNITS=50000 TMBASE_LOSSLESS_QUERIES=5000 cargo test --release --test index_lossless`.
//! Under a plain `cargo test` (debug build) it runs 2,000 units and 300 queries.

mod support;

use support::{add_units, unit, TestUnit};
use tmbase::bench_corpus::{generate, queries, Rng};
use tmbase::matching::{lookup, lookup_exhaustive, MatchQuery, MemoryIndex};
use tmbase::store::Store;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[test]
fn index_lookups_equal_exhaustive_scan() {
    let units = env_usize("TMBASE_LOSSLESS_UNITS", 2_000);
    let query_count = env_usize("TMBASE_LOSSLESS_QUERIES", 300);
    let memory = generate(42, units, &[]);
    let test_units: Vec<TestUnit> = memory.iter().map(|(ru, en)| unit(ru, en)).collect();
    let mut store = Store::open_in_memory().unwrap();
    // Most units are in the store when the index is built; the rest are added afterwards,
    // as an import into a memory already being served adds them (their postings sit in
    // tails, some grouped in as the tails grow).
    let built = units - units / 5;
    add_units(&mut store, "m", &test_units[..built]);
    let mut index = MemoryIndex::build(&store, "m", "ru").unwrap();
    let (_, _, first_added) = store.memory_revision(index.memory_id).unwrap();
    add_units(&mut store, "m", &test_units[built..]);
    let (_, _, last_added) = store.memory_revision(index.memory_id).unwrap();
    for unit_id in first_added + 1..=last_added {
        for row in store.index_rows_for_unit(unit_id, "ru").unwrap() {
            index.index.insert(row);
        }
    }
    assert_eq!(index.index.stats().entries, units);

    let mut rng = Rng::new(99);
    let mut with_matches = 0;
    let mut total_matches = 0;
    for (i, text) in queries(7, query_count, &memory).into_iter().enumerate() {
        let mut q = MatchQuery::new(text.clone(), "en");
        q.min_score = 50 + rng.below(51) as u32;
        q.limit = 1 + rng.below(20);
        // Prefix hits are counted in blocks of entries sized for a large memory; every other
        // query counts them in blocks small enough that this memory spans many.
        index.index.set_hit_block(if i % 2 == 0 { tmbase::matching::HIT_BLOCK } else { 97 });
        let by_index = lookup(&store, &index, &q).unwrap();
        let by_scan = lookup_exhaustive(&store, &index, &q).unwrap();
        let ids = |ms: &[tmbase::matching::Match]| {
            ms.iter().map(|m| (m.unit_id, m.score)).collect::<Vec<_>>()
        };
        assert_eq!(
            ids(&by_index),
            ids(&by_scan),
            "query {i} {text:?} at min_score {}",
            q.min_score
        );
        assert_eq!(by_index, by_scan);
        with_matches += usize::from(!by_index.is_empty());
        total_matches += by_index.len();
    }
    println!(
        "lossless: {query_count} queries against {units} units, identical results; \
         {with_matches} queries had matches, {total_matches} matches in all"
    );
    // The check means something only if many queries do find matches.
    assert!(with_matches * 2 > query_count, "only {with_matches} of {query_count} queries matched");
}
