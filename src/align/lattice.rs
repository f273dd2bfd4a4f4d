//! The bead lattice: the best sequence of beads (1-1, 1-0, 0-1, 2-1, 1-2, 2-2) covering two
//! lists of items in order (Viterbi), and each bead's posterior probability (forward–backward
//! over every sequence of beads, each weighted by `exp(−cost)`).
//!
//! Cells `(i, j)` (the first `i` source and `j` target items are aligned) are kept only in a
//! band around the diagonal, so memory and time grow with the length of the documents times
//! the band width, not with the product of their lengths. Every cell of the band stays
//! reachable because 0-1 beads move along a row.

use std::ops::Range;

/// The bead shapes: (source items, target items).
pub const BEAD_SHAPES: [(usize, usize); 6] = [(1, 1), (1, 0), (0, 1), (2, 1), (1, 2), (2, 2)];

/// Half-width of the band around the diagonal: at least this many cells...
const MIN_BAND_HALF_WIDTH: usize = 25;
/// ...or this fraction of the longer list.
const BAND_FRACTION: usize = 10;

/// One bead of a path: the items it joins and its posterior probability.
#[derive(Debug, Clone, PartialEq)]
pub struct PathBead {
    pub source: Range<usize>,
    pub target: Range<usize>,
    pub posterior: f64,
}

/// The cells `(i, j)`, `0 ≤ i ≤ n`, `0 ≤ j ≤ m`, kept for each row `i`.
struct Band {
    lo: Vec<usize>,
    hi: Vec<usize>,
    offset: Vec<usize>,
    cells: usize,
}

impl Band {
    fn new(n: usize, m: usize) -> Band {
        let half = MIN_BAND_HALF_WIDTH.max(n.max(m) / BAND_FRACTION);
        let diagonal = |i: usize| if n == 0 { 0.0 } else { i as f64 * m as f64 / n as f64 };
        let (mut lo, mut hi, mut offset) = (Vec::new(), Vec::new(), Vec::new());
        let mut cells = 0;
        for i in 0..=n {
            // Row i reaches from the diagonal at i to the diagonal at i + 1, widened, so that
            // consecutive rows overlap whatever the slope.
            let low = (diagonal(i).floor() as usize).saturating_sub(half);
            let high = if i == n { m } else { (diagonal(i + 1).ceil() as usize + half).min(m) };
            let low = if i == 0 { 0 } else { low.min(m) };
            lo.push(low);
            hi.push(high);
            offset.push(cells);
            cells += high - low + 1;
        }
        Band { lo, hi, offset, cells }
    }

    fn index(&self, i: usize, j: usize) -> Option<usize> {
        (i < self.lo.len() && j >= self.lo[i] && j <= self.hi[i])
            .then(|| self.offset[i] + j - self.lo[i])
    }

    fn row(&self, i: usize) -> std::ops::RangeInclusive<usize> {
        self.lo[i]..=self.hi[i]
    }
}

fn log_add(a: f64, b: f64) -> f64 {
    if a == f64::NEG_INFINITY {
        return b;
    }
    if b == f64::NEG_INFINITY {
        return a;
    }
    let (big, small) = if a > b { (a, b) } else { (b, a) };
    big + (small - big).exp().ln_1p()
}

/// The best path through the lattice of `n` source and `m` target items, each bead with its
/// posterior. `cost(source, target)` is the bead's cost in nats (−log of its probability);
/// it is called only for beads whose shape is in [`BEAD_SHAPES`]. With `diagonal`, `n`
/// must equal `m` and the path is 1-1 beads by position, still with their posteriors.
pub fn align_items(
    n: usize,
    m: usize,
    diagonal: bool,
    cost: impl Fn(Range<usize>, Range<usize>) -> f64,
) -> Vec<PathBead> {
    let band = Band::new(n, m);
    let mut best = vec![f64::INFINITY; band.cells];
    let mut came_by = vec![u8::MAX; band.cells];
    let mut forward = vec![f64::NEG_INFINITY; band.cells];
    best[0] = 0.0;
    forward[0] = 0.0;
    for i in 0..=n {
        for j in band.row(i) {
            let here = band.index(i, j).expect("the cell is in its row");
            if here == 0 {
                continue;
            }
            for (shape, &(di, dj)) in BEAD_SHAPES.iter().enumerate() {
                if di > i || dj > j {
                    continue;
                }
                let Some(from) = band.index(i - di, j - dj) else { continue };
                if best[from] == f64::INFINITY {
                    continue;
                }
                let c = cost(i - di..i, j - dj..j);
                if best[from] + c < best[here] {
                    best[here] = best[from] + c;
                    came_by[here] = shape as u8;
                }
                forward[here] = log_add(forward[here], forward[from] - c);
            }
        }
    }
    let mut backward = vec![f64::NEG_INFINITY; band.cells];
    let last = band.index(n, m).expect("the final cell is in the band");
    backward[last] = 0.0;
    for i in (0..=n).rev() {
        for j in band.row(i).rev() {
            let here = band.index(i, j).expect("the cell is in its row");
            if here == last {
                continue;
            }
            for &(di, dj) in &BEAD_SHAPES {
                let Some(to) = band.index(i + di, j + dj) else { continue };
                if backward[to] == f64::NEG_INFINITY {
                    continue;
                }
                let c = cost(i..i + di, j..j + dj);
                backward[here] = log_add(backward[here], backward[to] - c);
            }
        }
    }
    let total = forward[last];
    let posterior = |source: Range<usize>, target: Range<usize>| -> f64 {
        let (Some(from), Some(to)) =
            (band.index(source.start, target.start), band.index(source.end, target.end))
        else {
            return 0.0;
        };
        let log_p = forward[from] - cost(source, target) + backward[to] - total;
        log_p.exp().clamp(0.0, 1.0)
    };
    let mut path = Vec::new();
    if diagonal {
        assert_eq!(n, m, "a diagonal path needs as many source as target items");
        for i in 0..n {
            path.push(PathBead { source: i..i + 1, target: i..i + 1, posterior: 0.0 });
        }
    } else {
        let (mut i, mut j) = (n, m);
        while i > 0 || j > 0 {
            let here = band.index(i, j).expect("the path stays in the band");
            let (di, dj) = BEAD_SHAPES[usize::from(came_by[here])];
            path.push(PathBead { source: i - di..i, target: j - dj..j, posterior: 0.0 });
            i -= di;
            j -= dj;
        }
        path.reverse();
    }
    for bead in &mut path {
        bead.posterior = posterior(bead.source.clone(), bead.target.clone());
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A cost that likes beads whose summed lengths agree.
    fn length_cost<'a>(
        source: &'a [f64],
        target: &'a [f64],
    ) -> impl Fn(Range<usize>, Range<usize>) -> f64 + 'a {
        move |s: Range<usize>, t: Range<usize>| {
            let a: f64 = source[s.clone()].iter().sum();
            let b: f64 = target[t.clone()].iter().sum();
            let shape_cost = match (s.len(), t.len()) {
                (1, 1) => 0.0,
                (0, _) | (_, 0) => 4.5,
                (2, 2) => 4.4,
                _ => 2.3,
            };
            shape_cost + (a - b).powi(2) / (a + b).max(1.0)
        }
    }

    fn shapes(path: &[PathBead]) -> Vec<(Range<usize>, Range<usize>)> {
        path.iter().map(|b| (b.source.clone(), b.target.clone())).collect()
    }

    #[test]
    fn finds_a_one_to_two_bead_where_lengths_say_so() {
        let source = [100.0, 200.0, 50.0];
        let target = [101.0, 98.0, 103.0, 49.0];
        let path = align_items(3, 4, false, length_cost(&source, &target));
        assert_eq!(shapes(&path), vec![(0..1, 0..1), (1..2, 1..3), (2..3, 3..4)]);
        for bead in &path {
            assert!(bead.posterior > 0.5, "{bead:?}");
        }
    }

    #[test]
    fn posteriors_of_a_sure_path_are_near_one_and_of_a_doubtful_one_lower() {
        let same = [100.0, 100.0, 100.0];
        let path = align_items(3, 3, true, length_cost(&same, &same));
        assert!(path.iter().all(|b| b.posterior > 0.9), "{path:?}");
        // The middle target sentence could belong to either neighbour.
        let source = [100.0, 100.0];
        let target = [90.0, 20.0, 90.0];
        let path = align_items(2, 3, false, length_cost(&source, &target));
        assert!(path.iter().any(|b| b.posterior < 0.8), "{path:?}");
    }

    #[test]
    fn empty_sides_give_empty_beads() {
        let path = align_items(2, 0, false, |_, _| 1.0);
        assert_eq!(shapes(&path), vec![(0..1, 0..0), (1..2, 0..0)]);
        assert!(align_items(0, 0, false, |_, _| 1.0).is_empty());
    }

    #[test]
    fn long_lists_stay_in_the_band_and_align_by_position() {
        let lengths: Vec<f64> = (0..400).map(|i| 40.0 + (i * 37 % 90) as f64).collect();
        let path = align_items(400, 400, false, length_cost(&lengths, &lengths));
        assert_eq!(path.len(), 400);
        assert!(path
            .iter()
            .enumerate()
            .all(|(i, b)| b.source == (i..i + 1) && b.target == b.source));
    }

    #[test]
    fn a_very_uneven_pair_is_still_covered() {
        let source = [300.0];
        let target = vec![10.0; 60];
        let path = align_items(1, 60, false, length_cost(&source, &target));
        let covered: usize = path.iter().map(|b| b.target.len()).sum();
        assert_eq!(covered, 60);
    }
}
