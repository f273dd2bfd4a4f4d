//! The match score: how close a memory's source segment is to the query, from 0 to 100,
//! before penalties. docs/matching.md explains every choice with worked examples.

use super::index::Analyzed;

/// Cost of inserting or deleting a word (tenths of a word).
pub const INDEL: u32 = 10;
/// Cost of replacing a word by another form of the same stem (`переговоров` → `переговорам`).
pub const SAME_STEM: u32 = 3;
/// Cost of replacing a word by a different word.
pub const DIFFERENT: u32 = 10;
/// Segments of at most this many words are scored by characters as well.
pub const SHORT: usize = 3;
/// The highest score a segment with a real word difference can have: 95–99 are kept for
/// differences in case, typography, whitespace and punctuation only, 100 for identical text.
pub const FUZZY_CAP: u32 = 94;

/// What kind of match a base score is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchKind {
    /// Identical text (markup compared separately).
    Exact,
    /// Same words; only whitespace, case, ё/е, quotes, dashes or punctuation differ.
    NearExact,
    /// Same words except numbers: the target can be adjusted.
    NumbersOnly,
    Fuzzy,
}

/// The score of `candidate` for `query`, and its kind.
pub fn base_score(query: &Analyzed<'_>, candidate: &Analyzed<'_>) -> (u32, MatchKind) {
    if query.plain_hash == candidate.plain_hash {
        return (100, MatchKind::Exact);
    }
    if query.norm == candidate.norm {
        let score = if query.ws_hash == candidate.ws_hash { 99 } else { 98 };
        return (score, MatchKind::NearExact);
    }
    if query.forms == candidate.forms {
        return (punctuation_band(query, candidate), MatchKind::NearExact);
    }
    if same_except_numbers(query, candidate) {
        // The store decides later whether the target can take the query's numbers; until
        // then this is the highest score the pair can reach.
        return (100, MatchKind::NumbersOnly);
    }
    (fuzzy_score(query, candidate), MatchKind::Fuzzy)
}

/// 97 for one punctuation edit, 96 for two, 95 for more.
fn punctuation_band(query: &Analyzed<'_>, candidate: &Analyzed<'_>) -> u32 {
    let puncts = |norm: &str| -> Vec<String> {
        crate::text::tokenize(norm)
            .into_iter()
            .filter(|t| t.kind == crate::text::TokenKind::Punct)
            .map(|t| t.text(norm).to_string())
            .collect()
    };
    let edits = levenshtein(&puncts(&query.norm), &puncts(&candidate.norm)).max(1);
    97 - (edits as u32 - 1).min(2)
}

/// True when both have the same words and the same number positions, and only the values
/// of some numbers differ.
pub fn same_except_numbers(query: &Analyzed<'_>, candidate: &Analyzed<'_>) -> bool {
    query.forms.len() == candidate.forms.len()
        && query
            .forms
            .iter()
            .zip(candidate.forms.iter())
            .zip(query.is_number.iter().zip(&candidate.is_number))
            .all(|((qf, cf), (qn, cn))| qf == cf || (*qn && *cn))
        && query.forms != candidate.forms
}

/// The word-level similarity, blended with character similarity for short segments, as an
/// integer 0–94.
pub fn fuzzy_score(query: &Analyzed<'_>, candidate: &Analyzed<'_>) -> u32 {
    let (n, m) = (query.forms.len(), candidate.forms.len());
    let longest = n.max(m);
    let word_sim = if longest == 0 {
        0.0
    } else {
        let d = word_distance(query, candidate);
        1.0 - f64::from(d) / f64::from(INDEL * longest as u32)
    };
    let sim = if n <= SHORT && m <= SHORT {
        let char_sim = match &query.chars {
            Some(pattern) => pattern.normalized_similarity(&candidate.norm),
            None => strsim::normalized_levenshtein(&query.norm, &candidate.norm),
        };
        (word_sim + char_sim) / 2.0
    } else {
        word_sim
    };
    ((100.0 * sim + 1e-9).floor().max(0.0) as u32).min(FUZZY_CAP)
}

/// Weighted Levenshtein distance over words (in tenths of a word).
pub fn word_distance(a: &Analyzed<'_>, b: &Analyzed<'_>) -> u32 {
    let m = b.forms.len();
    let mut prev: Vec<u32> = (0..=m as u32).map(|j| j * INDEL).collect();
    let mut cur = vec![0u32; m + 1];
    for i in 0..a.forms.len() {
        cur[0] = (i as u32 + 1) * INDEL;
        for j in 0..m {
            let sub = if a.forms[i] == b.forms[j] {
                0
            } else if a.stems[i] == b.stems[j] {
                SAME_STEM
            } else {
                DIFFERENT
            };
            cur[j + 1] = (prev[j] + sub).min(prev[j + 1] + INDEL).min(cur[j] + INDEL);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[m]
}

/// Plain Levenshtein distance over any comparable items.
pub fn levenshtein<T: PartialEq>(a: &[T], b: &[T]) -> usize {
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, x) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, y) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(x != y)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The highest base score a candidate sharing `shared` index keys with the query can reach
/// (`n` query words, `m` candidate words). Every alignment column that is not a same-stem
/// pair costs a whole word, so the word distance is at least `max(n, m) - shared` words.
pub fn can_reach(min_score: u32, shared: usize, n: usize, m: usize) -> bool {
    let longest = n.max(m) as u64;
    if longest == 0 {
        return true;
    }
    let (shared, min) = (shared as u64, u64::from(min_score));
    if shared == 0 {
        // No word in common: a short segment can still score by characters, but identical
        // characters would mean identical words, so it stays below 50.
        return min < 50;
    }
    if n <= SHORT && m <= SHORT {
        // (shared/longest + 1) / 2 * 100 >= min
        50 * shared + 50 * longest >= min * longest
    } else {
        100 * shared >= min * longest
    }
}

/// As [`can_reach`], and for short segments (scored by characters as well) also bounded by
/// their lengths in characters: an edit distance is at least the difference of the lengths,
/// so the character similarity is at most `shorter / longer`. Exact, near-exact and
/// numbers-only matches need every key shared; the character bound leaves them alone.
pub fn can_reach_with_chars(
    min_score: u32,
    shared: usize,
    n: usize,
    m: usize,
    query_chars: usize,
    candidate_chars: usize,
) -> bool {
    if !can_reach(min_score, shared, n, m) {
        return false;
    }
    let longest = n.max(m);
    if n > SHORT || m > SHORT || shared == 0 || shared >= longest {
        return true;
    }
    let (lo, hi) =
        (query_chars.min(candidate_chars) as u64, query_chars.max(candidate_chars) as u64);
    if hi == 0 {
        return true;
    }
    let (shared, longest, min) = (shared as u64, longest as u64, u64::from(min_score));
    // (shared / longest + lo / hi) / 2 * 100 >= min
    50 * shared * hi + 50 * lo * longest >= min * longest * hi
}
