//! Character edit distance against one fixed text, bit-parallel (Myers 1999, in Hyyrö's
//! formulation for the global distance): a short query is compared with many short
//! candidates, so its character table is built once and each comparison costs one pass of
//! word-wide operations over the candidate instead of a full dynamic-programming table.

/// A text of at most 64 characters, prepared for edit distances against other texts.
#[derive(Debug, Clone, Default)]
pub struct CharPattern {
    /// For each distinct character: the bit set of its positions, sorted by character.
    positions: Vec<(char, u64)>,
    len: usize,
}

impl CharPattern {
    /// Longest pattern, in characters.
    pub const MAX_CHARS: usize = 64;

    /// `None` when the text is longer than [`CharPattern::MAX_CHARS`].
    pub fn new(text: &str) -> Option<CharPattern> {
        let mut positions: Vec<(char, u64)> = Vec::new();
        let mut len = 0;
        for (i, c) in text.chars().enumerate() {
            if i >= Self::MAX_CHARS {
                return None;
            }
            match positions.iter_mut().find(|(p, _)| *p == c) {
                Some((_, bits)) => *bits |= 1 << i,
                None => positions.push((c, 1 << i)),
            }
            len = i + 1;
        }
        positions.sort_unstable_by_key(|&(c, _)| c);
        Some(CharPattern { positions, len })
    }

    fn bits_of(&self, c: char) -> u64 {
        self.positions.binary_search_by_key(&c, |&(p, _)| p).map_or(0, |i| self.positions[i].1)
    }

    /// The Levenshtein distance, in characters, between the pattern and `text`.
    pub fn distance(&self, text: &str) -> usize {
        let m = self.len;
        if m == 0 {
            return text.chars().count();
        }
        let mask = if m == 64 { u64::MAX } else { (1u64 << m) - 1 };
        let last = 1u64 << (m - 1);
        let (mut pv, mut mv) = (mask, 0u64);
        let mut score = m;
        for c in text.chars() {
            let eq = self.bits_of(c);
            let xv = eq | mv;
            let xh = (((eq & pv).wrapping_add(pv)) ^ pv) | eq;
            let mut ph = mv | !(xh | pv);
            let mut mh = pv & xh;
            if ph & last != 0 {
                score += 1;
            } else if mh & last != 0 {
                score -= 1;
            }
            // Row 0 of the table grows by one per column: a horizontal +1 enters at the top.
            ph = (ph << 1) | 1;
            mh <<= 1;
            pv = (mh | !(xv | ph)) & mask;
            mv = ph & xv & mask;
        }
        score
    }

    /// `1 - distance / longer length`, exactly as `strsim::normalized_levenshtein` computes
    /// it (1 for two empty texts).
    pub fn normalized_similarity(&self, text: &str) -> f64 {
        let other = text.chars().count();
        if self.len == 0 && other == 0 {
            return 1.0;
        }
        1.0 - (self.distance(text) as f64) / (self.len.max(other) as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn distance_table() {
        for (a, b, d) in [
            ("", "", 0),
            ("", "abc", 3),
            ("abc", "", 3),
            ("kitten", "sitting", 3),
            ("переговоры", "переговорам", 2),
            ("ёлка", "елка", 1),
        ] {
            assert_eq!(CharPattern::new(a).unwrap().distance(b), d, "{a:?} {b:?}");
        }
    }

    #[test]
    fn longer_than_64_characters_is_refused() {
        assert!(CharPattern::new(&"я".repeat(64)).is_some());
        assert!(CharPattern::new(&"я".repeat(65)).is_none());
    }

    proptest! {
        #[test]
        fn equals_strsim(a in "[абвгде abc1.]{0,64}", b in "[абвгдеж abc2.]{0,80}") {
            let p = CharPattern::new(&a).unwrap();
            prop_assert_eq!(p.distance(&b), strsim::levenshtein(&a, &b));
            prop_assert_eq!(
                p.normalized_similarity(&b).to_bits(),
                strsim::normalized_levenshtein(&a, &b).to_bits()
            );
        }
    }
}
