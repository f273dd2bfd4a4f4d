//! Bilingual alignment: turns a document and its translation (plain text, one paragraph per
//! line) into sentence pairs ("beads") ready to become translation units.
//!
//! Paragraphs are aligned first, then the sentences within each pair of aligned paragraphs,
//! both with the same bead lattice ([`BeadKind`]: 1-1, 1-0, 0-1, 2-1, 1-2, 2-2). A bead's cost
//! is the Gale–Church length cost (characters, normal deviation), minus the log of the
//! bead's prior probability, minus the weight of the anchors it joins (numbers, names
//! matched by transliteration, term-base concepts). The best path is found by dynamic
//! programming; each bead's confidence is its posterior probability over all paths
//! (forward–backward), times that of the paragraph bead it lies in. See docs/alignment.md.
//!
//! ```no_run
//! use tmbase::align::{align_documents, AlignOptions};
//!
//! let russian = vec!["Переговоры прошли в Женеве. Итогов нет.".to_string()];
//! let english = vec!["Talks were held in Geneva.".to_string()];
//! for bead in align_documents(&russian, &english, &AlignOptions::new("ru", "en")) {
//!     println!("{} {:.2} {} | {}", bead.kind, bead.confidence, bead.source_text, bead.target_text);
//! }
//! ```

mod anchors;
mod evaluate;
mod lattice;
mod length;
mod output;
mod translit;

use std::ops::Range;

pub use anchors::{digit_numbers, AnchorKind, MatchedAnchor, TermAnchors};
pub use evaluate::{
    parse_reference, score_alignment, AlignmentScores, PrecisionRecall, ReferenceBead,
};
pub use length::{ln_two_tailed_normal, LengthModel, GALE_CHURCH_VARIANCE};
pub use output::{
    alignment_units, write_tmx, TmxOptions, BEAD_PROP, CONFIDENCE_PROP, PARAGRAPH_PROP,
};
pub use translit::{name_similarity, names_match, transliterate, NAME_SIMILARITY_THRESHOLD};

use anchors::{find_anchors, AnchorWeights, DocumentAnchors, ItemAnchors};
use lattice::{align_items, PathBead};

use crate::store::StoreError;
use crate::text::Segmenter;

/// Why an alignment could not be made, written or measured.
#[derive(Debug, thiserror::Error)]
pub enum AlignError {
    #[error("cannot write the alignment: {0}")]
    Io(#[from] std::io::Error),
    #[error("cannot read the term bases: {0}")]
    Store(#[from] StoreError),
    #[error("reference alignment, line {line}: {message}")]
    Reference { line: usize, message: String },
}

/// How many source and target sentences a bead joins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BeadKind {
    OneToOne,
    OneToZero,
    ZeroToOne,
    TwoToOne,
    OneToTwo,
    TwoToTwo,
}

impl BeadKind {
    /// The kind of a bead of `source` and `target` items, if the lattice has one.
    pub fn from_counts(source: usize, target: usize) -> Option<BeadKind> {
        Some(match (source, target) {
            (1, 1) => BeadKind::OneToOne,
            (1, 0) => BeadKind::OneToZero,
            (0, 1) => BeadKind::ZeroToOne,
            (2, 1) => BeadKind::TwoToOne,
            (1, 2) => BeadKind::OneToTwo,
            (2, 2) => BeadKind::TwoToTwo,
            _ => return None,
        })
    }

    /// `"1-2"`: source count, a hyphen, target count.
    pub fn as_str(self) -> &'static str {
        match self {
            BeadKind::OneToOne => "1-1",
            BeadKind::OneToZero => "1-0",
            BeadKind::ZeroToOne => "0-1",
            BeadKind::TwoToOne => "2-1",
            BeadKind::OneToTwo => "1-2",
            BeadKind::TwoToTwo => "2-2",
        }
    }

    /// A bead with nothing on one side: an omission in the translation, or an error.
    pub fn is_empty_side(self) -> bool {
        matches!(self, BeadKind::OneToZero | BeadKind::ZeroToOne)
    }
}

impl std::fmt::Display for BeadKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Prior probabilities of the bead kinds. The defaults are Gale and Church's, measured on
/// the Hansards; as in their program, 1-0 and 0-1 each get the probability of the pair, as
/// do 2-1 and 1-2.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BeadPriors {
    pub one_to_one: f64,
    /// 1-0 and 0-1.
    pub one_to_zero: f64,
    /// 2-1 and 1-2.
    pub two_to_one: f64,
    pub two_to_two: f64,
}

impl Default for BeadPriors {
    fn default() -> Self {
        BeadPriors { one_to_one: 0.89, one_to_zero: 0.0099, two_to_one: 0.089, two_to_two: 0.011 }
    }
}

impl BeadPriors {
    pub fn probability(&self, kind: BeadKind) -> f64 {
        match kind {
            BeadKind::OneToOne => self.one_to_one,
            BeadKind::OneToZero | BeadKind::ZeroToOne => self.one_to_zero,
            BeadKind::TwoToOne | BeadKind::OneToTwo => self.two_to_one,
            BeadKind::TwoToTwo => self.two_to_two,
        }
    }
}

/// The scoring parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct AlignModel {
    /// Target characters per source character; `None`: measured on the two documents
    /// (their total lengths). On a text of a few sentences the measured ratio absorbs an
    /// omission, so give one there.
    pub ratio: Option<f64>,
    /// Variance per source character of the length model (Gale–Church `s²`).
    pub variance: f64,
    pub priors: BeadPriors,
    /// Multiplies every anchor's weight; 0 turns anchors off (pure Gale–Church).
    pub anchor_weight: f64,
}

impl Default for AlignModel {
    fn default() -> Self {
        AlignModel {
            ratio: None,
            variance: GALE_CHURCH_VARIANCE,
            priors: BeadPriors::default(),
            anchor_weight: 1.0,
        }
    }
}

/// What to align and how.
#[derive(Debug, Clone)]
pub struct AlignOptions {
    /// Languages of the two documents (BCP 47); they choose the segmentation rules and how
    /// numbers are written.
    pub source_lang: String,
    pub target_lang: String,
    pub segmenter: Segmenter,
    /// Term-base concepts as anchors (`--termbase`).
    pub terms: Option<TermAnchors>,
    pub model: AlignModel,
}

impl AlignOptions {
    /// The built-in segmentation rules, no term base, the default model.
    pub fn new(source_lang: impl Into<String>, target_lang: impl Into<String>) -> AlignOptions {
        AlignOptions {
            source_lang: source_lang.into(),
            target_lang: target_lang.into(),
            segmenter: Segmenter::default_rules(),
            terms: None,
            model: AlignModel::default(),
        }
    }
}

/// Beads whose confidence is below this are listed for review: the model gives the other
/// ways of aligning their sentences at least one chance in five. On the Izvestia article
/// nothing falls below it; with a tenth of one side's sentences removed it lists about half
/// of the beads and nine in ten of the wrong ones (docs/alignment.md).
pub const REVIEW_BELOW: f64 = 0.8;

/// Aligned sentences: one bead of the result.
#[derive(Debug, Clone, PartialEq)]
pub struct Bead {
    pub kind: BeadKind,
    /// Sentence numbers in the source document (from 0, in document order, as the
    /// segmenter cuts each paragraph); empty for a 0-1 bead.
    pub source_sentences: Range<usize>,
    pub target_sentences: Range<usize>,
    /// The input paragraphs (line numbers from 0) the bead's paragraph bead joined; empty
    /// when that paragraph bead had nothing on this side.
    pub source_paragraphs: Range<usize>,
    pub target_paragraphs: Range<usize>,
    /// The sentences, joined by a space.
    pub source_text: String,
    pub target_text: String,
    /// Posterior probability of the bead (times that of its paragraph bead), 0 to 1.
    pub confidence: f64,
    /// Anchors found on both sides.
    pub anchors: Vec<MatchedAnchor>,
}

impl Bead {
    /// Whether the bead should be checked by a person: its confidence is below `threshold`,
    /// or one side is empty (an omission in the translation, or an alignment error).
    pub fn needs_review(&self, threshold: f64) -> bool {
        self.confidence < threshold || self.kind.is_empty_side()
    }

    #[cfg(test)]
    pub(crate) fn for_test(source: Range<usize>, target: Range<usize>) -> Bead {
        Bead {
            kind: BeadKind::from_counts(source.len(), target.len()).unwrap_or(BeadKind::OneToOne),
            source_sentences: source,
            target_sentences: target,
            source_paragraphs: 0..1,
            target_paragraphs: 0..1,
            source_text: String::new(),
            target_text: String::new(),
            confidence: 1.0,
            anchors: Vec::new(),
        }
    }
}

/// One side of the alignment: its sentences and paragraphs.
struct Document {
    sentences: Vec<String>,
    lengths: Vec<usize>,
    paragraphs: Vec<Paragraph>,
    /// How many input paragraphs there were, blank ones included.
    input_paragraphs: usize,
}

struct Paragraph {
    /// Index in the input.
    input: usize,
    sentences: Range<usize>,
}

impl Document {
    fn segmented<S: AsRef<str>>(paragraphs: &[S], lang: &str, segmenter: &Segmenter) -> Document {
        let mut document = Document {
            sentences: Vec::new(),
            lengths: Vec::new(),
            paragraphs: Vec::new(),
            input_paragraphs: paragraphs.len(),
        };
        for (input, paragraph) in paragraphs.iter().enumerate() {
            // A paragraph is one line: line breaks inside it would end sentences anyway.
            let start = document.sentences.len();
            for sentence in segmenter.segment_str(lang, paragraph.as_ref()) {
                document.lengths.push(sentence.chars().count());
                document.sentences.push(sentence.to_string());
            }
            if document.sentences.len() > start {
                document
                    .paragraphs
                    .push(Paragraph { input, sentences: start..document.sentences.len() });
            }
        }
        document
    }

    /// Already segmented text: each item is a sentence, all in one paragraph.
    fn presegmented<S: AsRef<str>>(sentences: &[S]) -> Document {
        let sentences: Vec<String> =
            sentences.iter().map(|s| s.as_ref().trim().to_string()).collect();
        Document {
            lengths: sentences.iter().map(|s| s.chars().count()).collect(),
            paragraphs: vec![Paragraph { input: 0, sentences: 0..sentences.len() }],
            sentences,
            input_paragraphs: 1,
        }
    }

    fn chars(&self, sentences: Range<usize>) -> usize {
        self.lengths[sentences].iter().sum()
    }

    /// The sentences of a run of paragraphs.
    fn sentences_of(&self, paragraphs: &Range<usize>) -> Range<usize> {
        let start = match self.paragraphs.get(paragraphs.start) {
            Some(p) => p.sentences.start,
            None => self.sentences.len(),
        };
        let end = match paragraphs.end.checked_sub(1).and_then(|last| self.paragraphs.get(last)) {
            Some(p) if !paragraphs.is_empty() => p.sentences.end,
            _ => start,
        };
        start..end
    }

    /// The input paragraphs of a run of paragraphs (an empty range where it is empty).
    fn input_range(&self, paragraphs: &Range<usize>) -> Range<usize> {
        let at = |k: usize| self.paragraphs.get(k).map_or(self.input_paragraphs, |p| p.input);
        if paragraphs.is_empty() {
            let position = at(paragraphs.start);
            return position..position;
        }
        at(paragraphs.start)..at(paragraphs.end - 1) + 1
    }
}

/// Scores beads of one region: length, prior and anchors.
struct BeadScorer<'a> {
    source_lengths: Vec<usize>,
    target_lengths: Vec<usize>,
    source_anchors: Vec<&'a ItemAnchors>,
    target_anchors: Vec<&'a ItemAnchors>,
    weights: AnchorWeights,
    length: LengthModel,
    model: &'a AlignModel,
}

impl<'a> BeadScorer<'a> {
    fn new(
        source: (Vec<usize>, Vec<&'a ItemAnchors>),
        target: (Vec<usize>, Vec<&'a ItemAnchors>),
        ratio: f64,
        model: &'a AlignModel,
    ) -> BeadScorer<'a> {
        let weights = AnchorWeights::for_region(&source.1, &target.1);
        BeadScorer {
            source_lengths: source.0,
            target_lengths: target.0,
            source_anchors: source.1,
            target_anchors: target.1,
            weights,
            length: LengthModel { ratio, variance: model.variance },
            model,
        }
    }

    /// The cost in nats of a bead joining these source and target items.
    fn cost(&self, source: Range<usize>, target: Range<usize>) -> f64 {
        let kind = BeadKind::from_counts(source.len(), target.len())
            .expect("the lattice only proposes known bead shapes");
        let source_chars: usize = self.source_lengths[source.clone()].iter().sum();
        let target_chars: usize = self.target_lengths[target.clone()].iter().sum();
        let anchors = self.model.anchor_weight
            * self.weights.reward(&self.source_anchors[source], &self.target_anchors[target]);
        // Gale and Church also charge a 1-0 bead the length cost of its sentence against
        // nothing, which makes any omission cheaper to merge into a neighbouring 2-1 bead;
        // charged its prior only, a long omission becomes a 1-0 bead (and is reviewed).
        let length =
            if kind.is_empty_side() { 0.0 } else { self.length.cost(source_chars, target_chars) };
        length - self.model.priors.probability(kind).ln() - anchors
    }

    fn align(&self, diagonal: bool) -> Vec<PathBead> {
        align_items(self.source_lengths.len(), self.target_lengths.len(), diagonal, |s, t| {
            self.cost(s, t)
        })
    }
}

/// Characters of the target per character of the source, over the given totals.
fn length_ratio(source_chars: usize, target_chars: usize) -> Option<f64> {
    (source_chars > 0 && target_chars > 0).then(|| target_chars as f64 / source_chars as f64)
}

/// Aligns a document with its translation, both given as paragraphs (one line each; blank
/// ones are skipped). Paragraphs are aligned first: by position when both documents have as
/// many (each pair still gets its confidence), otherwise with the bead lattice; then the
/// sentences of each pair of aligned paragraphs, cut by `options.segmenter`.
pub fn align_documents<S: AsRef<str>>(
    source_paragraphs: &[S],
    target_paragraphs: &[S],
    options: &AlignOptions,
) -> Vec<Bead> {
    let source = Document::segmented(source_paragraphs, &options.source_lang, &options.segmenter);
    let target = Document::segmented(target_paragraphs, &options.target_lang, &options.segmenter);
    align(&source, &target, options)
}

/// Aligns two lists of sentences that are already segmented, as one region (no paragraphs).
pub fn align_sentences<S: AsRef<str>>(
    source_sentences: &[S],
    target_sentences: &[S],
    options: &AlignOptions,
) -> Vec<Bead> {
    align(
        &Document::presegmented(source_sentences),
        &Document::presegmented(target_sentences),
        options,
    )
}

fn align(source: &Document, target: &Document, options: &AlignOptions) -> Vec<Bead> {
    let model = &options.model;
    let source_refs: Vec<&str> = source.sentences.iter().map(String::as_str).collect();
    let target_refs: Vec<&str> = target.sentences.iter().map(String::as_str).collect();
    let anchors = find_anchors(
        &source_refs,
        &target_refs,
        &options.source_lang,
        &options.target_lang,
        options.terms.as_ref(),
    );
    let document_ratio = model
        .ratio
        .or_else(|| {
            length_ratio(
                source.chars(0..source.sentences.len()),
                target.chars(0..target.sentences.len()),
            )
        })
        .unwrap_or(1.0);

    let paragraph_items =
        |document: &Document, items: &[ItemAnchors]| -> (Vec<usize>, Vec<ItemAnchors>) {
            let lengths =
                document.paragraphs.iter().map(|p| document.chars(p.sentences.clone())).collect();
            let anchors = document
                .paragraphs
                .iter()
                .map(|p| ItemAnchors::union(&items[p.sentences.clone()]))
                .collect();
            (lengths, anchors)
        };
    let (source_paragraph_lengths, source_paragraph_anchors) =
        paragraph_items(source, &anchors.source);
    let (target_paragraph_lengths, target_paragraph_anchors) =
        paragraph_items(target, &anchors.target);
    let paragraph_scorer = BeadScorer::new(
        (source_paragraph_lengths, source_paragraph_anchors.iter().collect()),
        (target_paragraph_lengths, target_paragraph_anchors.iter().collect()),
        document_ratio,
        model,
    );
    let same_count = source.paragraphs.len() == target.paragraphs.len();
    let paragraph_beads = paragraph_scorer.align(same_count);

    let mut beads = Vec::new();
    for paragraph_bead in paragraph_beads {
        let source_range = source.sentences_of(&paragraph_bead.source);
        let target_range = target.sentences_of(&paragraph_bead.target);
        let scorer = BeadScorer::new(
            (
                source.lengths[source_range.clone()].to_vec(),
                anchors.source[source_range.clone()].iter().collect(),
            ),
            (
                target.lengths[target_range.clone()].to_vec(),
                anchors.target[target_range.clone()].iter().collect(),
            ),
            document_ratio,
            model,
        );
        for sentence_bead in scorer.align(false) {
            let source_sentences = shift(&sentence_bead.source, source_range.start);
            let target_sentences = shift(&sentence_bead.target, target_range.start);
            beads.push(make_bead(
                source,
                target,
                &anchors,
                source_sentences,
                target_sentences,
                (
                    source.input_range(&paragraph_bead.source),
                    target.input_range(&paragraph_bead.target),
                ),
                paragraph_bead.posterior * sentence_bead.posterior,
            ));
        }
    }
    beads
}

fn shift(range: &Range<usize>, by: usize) -> Range<usize> {
    range.start + by..range.end + by
}

fn make_bead(
    source: &Document,
    target: &Document,
    anchors: &DocumentAnchors,
    source_sentences: Range<usize>,
    target_sentences: Range<usize>,
    paragraphs: (Range<usize>, Range<usize>),
    confidence: f64,
) -> Bead {
    let source_items: Vec<&ItemAnchors> = anchors.source[source_sentences.clone()].iter().collect();
    let target_items: Vec<&ItemAnchors> = anchors.target[target_sentences.clone()].iter().collect();
    Bead {
        kind: BeadKind::from_counts(source_sentences.len(), target_sentences.len())
            .expect("the lattice only makes known bead shapes"),
        source_text: source.sentences[source_sentences.clone()].join(" "),
        target_text: target.sentences[target_sentences.clone()].join(" "),
        source_sentences,
        target_sentences,
        source_paragraphs: paragraphs.0,
        target_paragraphs: paragraphs.1,
        confidence,
        anchors: anchors.matched(&source_items, &target_items),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(beads: &[Bead]) -> Vec<&'static str> {
        beads.iter().map(|b| b.kind.as_str()).collect()
    }

    #[test]
    fn a_sentence_split_in_two_becomes_a_one_to_two_bead() {
        let russian = ["Переговоры в Женеве с США завершились без прогресса, и Грушко сравнил их с триатлоном. \
                        Москва ждет ответа в письменном виде."];
        let english =
            ["The talks in Geneva ended without progress. Grushko compared them to a triathlon. \
                        Moscow expects a written answer."];
        let beads = align_documents(&russian, &english, &AlignOptions::new("ru", "en"));
        assert_eq!(kinds(&beads), ["1-2", "1-1"], "{beads:#?}");
        assert_eq!(beads[0].target_sentences, 0..2);
        assert!(beads[0].anchors.iter().any(|a| a.target == "Grushko"), "{:?}", beads[0].anchors);
        assert!(beads.iter().all(|b| b.confidence > 0.0 && b.confidence <= 1.0));
    }

    #[test]
    fn paragraphs_with_different_counts_are_aligned_first() {
        let russian = [
            "В 1997 году был подписан Основополагающий акт.",
            "",
            "Шакиров считает, что диалог возможен.",
            "Пока о снижении напряженности говорить преждевременно.",
        ];
        let english = [
            "The Founding Act was signed in 1997.",
            "Shakirov believes that dialogue is possible. It is still premature to speak of reduced tensions.",
        ];
        let beads = align_documents(&russian, &english, &AlignOptions::new("ru", "en"));
        let sides: Vec<(Range<usize>, Range<usize>)> = beads
            .iter()
            .map(|b| (b.source_sentences.clone(), b.target_sentences.clone()))
            .collect();
        assert_eq!(sides, vec![(0..1, 0..1), (1..2, 1..2), (2..3, 2..3)], "{beads:#?}");
        // The blank line is skipped; the last two Russian paragraphs (input lines 2 and 3)
        // go with the second English one.
        assert_eq!(beads[1].source_paragraphs, 2..4);
        assert_eq!(beads[1].target_paragraphs, 1..2);
    }

    #[test]
    fn a_missing_translation_is_a_one_to_zero_bead_and_needs_review() {
        let russian = ["Первое предложение довольно длинное и подробное. Второго предложения, \
                        довольно длинного и подробного, в переводе нет совсем. \
                        Третье предложение тоже длинное."];
        let english =
            ["The first sentence is rather long and detailed. The third sentence is long as well."];
        let mut options = AlignOptions::new("ru", "en");
        options.model.ratio = Some(1.0);
        let beads = align_documents(&russian, &english, &options);
        assert_eq!(kinds(&beads), ["1-1", "1-0", "1-1"], "{beads:#?}");
        assert!(beads[1].needs_review(REVIEW_BELOW));
        assert_eq!(beads[1].target_text, "");
    }

    #[test]
    fn presegmented_sentences_are_aligned_as_one_region() {
        let beads = align_sentences(
            &["Один.", "Два длинных предложения здесь."],
            &["One.", "Two long sentences here."],
            &AlignOptions::new("ru", "en"),
        );
        assert_eq!(kinds(&beads), ["1-1", "1-1"]);
    }

    #[test]
    fn options_can_be_shared_with_the_server_threads() {
        fn shareable<T: Clone + Send + Sync>() {}
        shareable::<AlignOptions>();
        shareable::<Bead>();
    }

    #[test]
    fn empty_documents_give_no_beads() {
        let none: [&str; 0] = [];
        assert!(align_documents(&none, &none, &AlignOptions::new("ru", "en")).is_empty());
        let beads = align_documents(&["Текст."], &none, &AlignOptions::new("ru", "en"));
        assert_eq!(kinds(&beads), ["1-0"]);
    }
}
