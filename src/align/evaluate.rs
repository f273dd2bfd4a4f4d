//! Measuring an alignment against a hand-checked reference: precision and recall of beads
//! (a bead is right only when it joins exactly the same sentences) and of sentence links
//! (every source–target sentence pair a bead joins, so a bead that is half right earns
//! partial credit).
//!
//! A reference file has one bead per line: the source sentence numbers, a tab, the target
//! sentence numbers. Numbers count from 0 in document order, several are separated by commas,
//! `-` stands for none (a 1-0 or 0-1 bead). `#` starts a comment; blank lines are ignored.
//!
//! ```text
//! # ¶2 (⇥ is a tab)
//! 1⇥1,2⇥# Завершилась серия… | A series of… + Russian Deputy Minister…
//! 2⇥3,4
//! ```

use std::collections::BTreeSet;

use super::{AlignError, Bead};

/// One bead of a reference alignment: sentence numbers on each side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferenceBead {
    pub source: Vec<usize>,
    pub target: Vec<usize>,
    /// The line of the reference file.
    pub line: usize,
}

/// Reads a reference alignment (see the module documentation for the format).
pub fn parse_reference(text: &str) -> Result<Vec<ReferenceBead>, AlignError> {
    let mut beads = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let content = raw.split('#').next().unwrap_or("").trim_end();
        if content.trim().is_empty() {
            continue;
        }
        let bad = |message: String| AlignError::Reference { line, message };
        let mut columns = content.split('\t');
        let (Some(source), Some(target)) = (columns.next(), columns.next()) else {
            return Err(bad(format!("expected source<TAB>target, found {content:?}")));
        };
        let numbers = |column: &str| -> Result<Vec<usize>, AlignError> {
            let column = column.trim();
            if column == "-" || column.is_empty() {
                return Ok(Vec::new());
            }
            column
                .split(',')
                .map(|n| {
                    n.trim()
                        .parse::<usize>()
                        .map_err(|_| bad(format!("{n:?} is not a sentence number")))
                })
                .collect()
        };
        let bead = ReferenceBead { source: numbers(source)?, target: numbers(target)?, line };
        if bead.source.is_empty() && bead.target.is_empty() {
            return Err(bad("a bead needs a sentence on at least one side".into()));
        }
        beads.push(bead);
    }
    Ok(beads)
}

/// Correct, predicted and expected counts of one kind of item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PrecisionRecall {
    pub correct: usize,
    pub predicted: usize,
    pub expected: usize,
}

impl PrecisionRecall {
    pub fn precision(&self) -> f64 {
        ratio(self.correct, self.predicted)
    }

    pub fn recall(&self) -> f64 {
        ratio(self.correct, self.expected)
    }

    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        1.0
    } else {
        a as f64 / b as f64
    }
}

impl std::fmt::Display for PrecisionRecall {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "precision {}/{} = {:.3}, recall {}/{} = {:.3}, F1 {:.3}",
            self.correct,
            self.predicted,
            self.precision(),
            self.correct,
            self.expected,
            self.recall(),
            self.f1()
        )
    }
}

/// Precision and recall of beads and of sentence links.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AlignmentScores {
    pub beads: PrecisionRecall,
    pub links: PrecisionRecall,
}

type BeadSides = (Vec<usize>, Vec<usize>);

fn compare<T: Ord>(predicted: BTreeSet<T>, expected: BTreeSet<T>) -> PrecisionRecall {
    PrecisionRecall {
        correct: predicted.intersection(&expected).count(),
        predicted: predicted.len(),
        expected: expected.len(),
    }
}

fn links(beads: &[BeadSides]) -> BTreeSet<(usize, usize)> {
    beads
        .iter()
        .flat_map(|(source, target)| {
            source.iter().flat_map(move |&s| target.iter().map(move |&t| (s, t)))
        })
        .collect()
}

/// Scores `predicted` against `reference`.
pub fn score_alignment(predicted: &[Bead], reference: &[ReferenceBead]) -> AlignmentScores {
    let predicted: Vec<BeadSides> = predicted
        .iter()
        .map(|b| (b.source_sentences.clone().collect(), b.target_sentences.clone().collect()))
        .collect();
    let expected: Vec<BeadSides> =
        reference.iter().map(|b| (b.source.clone(), b.target.clone())).collect();
    AlignmentScores {
        links: compare(links(&predicted), links(&expected)),
        beads: compare(predicted.into_iter().collect(), expected.into_iter().collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_reference_format() {
        let text = "# a comment\n0\t0\n1\t1,2\t# note\n\n2\t-\n-\t3\n";
        let beads = parse_reference(text).unwrap();
        let sides: Vec<(Vec<usize>, Vec<usize>)> =
            beads.iter().map(|b| (b.source.clone(), b.target.clone())).collect();
        assert_eq!(
            sides,
            vec![(vec![0], vec![0]), (vec![1], vec![1, 2]), (vec![2], vec![]), (vec![], vec![3])]
        );
        assert_eq!(beads[1].line, 3);
    }

    #[test]
    fn refuses_malformed_lines_with_their_number() {
        let err = parse_reference("0\t0\n1 1\n").unwrap_err();
        assert!(err.to_string().contains("line 2"), "{err}");
        let err = parse_reference("0\tx\n").unwrap_err();
        assert!(err.to_string().contains("\"x\""), "{err}");
        assert!(parse_reference("-\t-\n").is_err());
    }

    #[test]
    fn a_half_right_bead_earns_link_credit_but_not_bead_credit() {
        let reference = parse_reference("0\t0,1\n1\t2\n").unwrap();
        let predicted = vec![Bead::for_test(0..1, 0..1), Bead::for_test(1..2, 1..3)];
        let scores = score_alignment(&predicted, &reference);
        assert_eq!(scores.beads, PrecisionRecall { correct: 0, predicted: 2, expected: 2 });
        // Links: predicted (0,0) (1,1) (1,2); expected (0,0) (0,1) (1,2).
        assert_eq!(scores.links, PrecisionRecall { correct: 2, predicted: 3, expected: 3 });
        assert!((scores.links.f1() - 2.0 / 3.0).abs() < 1e-9);
    }
}
