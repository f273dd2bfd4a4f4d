//! Fuzzy matching: given new source text, find the memory's segments that are like it,
//! score them the way a translator would rank them, and say how they differ.
//!
//! `index` finds candidates (never missing one that can reach the minimum score), `score`
//! gives each a base score, `lookup` applies penalties and context, ranks, and fetches the
//! texts; `numbers` adjusts targets whose source differs only in numbers; `diff` finds the
//! spans to highlight. docs/matching.md describes the scoring with worked examples.

mod diff;
mod index;
mod lookup;
mod numbers;
mod score;

pub use diff::{diff_spans, DiffKind, DiffQuery, DiffSpan};
pub use index::{Analyzed, FuzzyIndex, IndexStats, SnapshotStamp, HIT_BLOCK};
pub use lookup::{
    candidate_count, lookup, lookup_exhaustive, rank_across_memories, IndexOrigin, Match,
    MatchQuery, MemoryIndex, Penalty, SaveOutcome,
};
pub use numbers::adjust_numbers;
pub use score::{base_score, MatchKind};
