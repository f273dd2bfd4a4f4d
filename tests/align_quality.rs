//! How well `tmbase align` aligns the Izvestia article (14 January 2022) with its published
//! English translation, measured against a hand-checked alignment
//! (tests/fixtures/align/article.gold.tsv). Prints bead and sentence-link precision and
//! recall for the aligner as shipped and for variants with parts of it switched off:
//!
//! ```sh
//! cargo test --test align_quality -- --nocapture
//! ```

use std::path::Path;

use tmbase::align::{
    align_documents, align_sentences, parse_reference, score_alignment, AlignOptions,
    AlignmentScores, Bead, ReferenceBead, TermAnchors, REVIEW_BELOW,
};
use tmbase::store::Store;
use tmbase::terms::{import_term_file, TermImportOptions};
use tmbase::text::Segmenter;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/align");

fn read(name: &str) -> String {
    std::fs::read_to_string(Path::new(FIXTURES).join(name)).unwrap()
}

fn paragraphs(name: &str) -> Vec<String> {
    read(name).lines().map(str::to_string).collect()
}

fn reference() -> Vec<ReferenceBead> {
    parse_reference(&read("article.gold.tsv")).unwrap()
}

fn report(label: &str, beads: &[Bead], scores: &AlignmentScores) {
    let kinds = |kind: &str| beads.iter().filter(|b| b.kind.as_str() == kind).count();
    println!(
        "{label}\n  beads: {}\n  links: {}\n  {} beads: {} × 1-1, {} × 1-2, {} × 2-1, {} × 2-2, {} × 1-0, {} × 0-1",
        scores.beads,
        scores.links,
        beads.len(),
        kinds("1-1"),
        kinds("1-2"),
        kinds("2-1"),
        kinds("2-2"),
        kinds("1-0"),
        kinds("0-1"),
    );
}

/// Prints the beads that are not in `reference`, and how many of them the review list holds.
fn report_errors(beads: &[Bead], reference: &[ReferenceBead]) {
    let (mut wrong, mut wrong_listed, mut listed) = (0, 0, 0);
    let mut by_threshold = [(0.5, 0, 0), (0.7, 0, 0), (0.8, 0, 0), (0.9, 0, 0)];
    for bead in beads {
        let sides = (
            bead.source_sentences.clone().collect::<Vec<_>>(),
            bead.target_sentences.clone().collect::<Vec<_>>(),
        );
        let right = reference.iter().any(|r| (r.source.clone(), r.target.clone()) == sides);
        let review = bead.needs_review(REVIEW_BELOW);
        for (threshold, listed, wrong_listed) in &mut by_threshold {
            if bead.needs_review(*threshold) {
                *listed += 1;
                *wrong_listed += usize::from(!right);
            }
        }
        listed += usize::from(review);
        if !right {
            wrong += 1;
            wrong_listed += usize::from(review);
            println!(
                "    wrong: {} ru {:?} en {:?} (confidence {:.2}{})",
                bead.kind,
                sides.0,
                sides.1,
                bead.confidence,
                if review { ", listed for review" } else { "" }
            );
        }
    }
    println!("  review list: {listed} beads; {wrong_listed} of the {wrong} wrong beads are in it");
    let other: Vec<String> = by_threshold
        .iter()
        .map(|(t, listed, wrong_listed)| {
            format!("below {t}: {listed} listed, {wrong_listed} wrong")
        })
        .collect();
    println!("  review list by threshold: {}", other.join("; "));
}

/// The gold numbers sentences as the built-in rules cut the article; if they cut it
/// differently, the reference must be checked again by hand.
#[test]
fn the_reference_matches_the_segmentation() {
    let segmenter = Segmenter::default_rules();
    let count = |name: &str, lang: &str| -> usize {
        paragraphs(name).iter().map(|p| segmenter.segment(lang, p).len()).sum()
    };
    let (ru, en) = (count("article.ru.txt", "ru"), count("article.en.txt", "en"));
    assert_eq!((ru, en), (44, 51), "the segmentation changed: check article.gold.tsv again");
    let reference = reference();
    let source: Vec<usize> = reference.iter().flat_map(|b| b.source.clone()).collect();
    let target: Vec<usize> = reference.iter().flat_map(|b| b.target.clone()).collect();
    assert_eq!(source, (0..ru).collect::<Vec<_>>(), "each Russian sentence once, in order");
    assert_eq!(target, (0..en).collect::<Vec<_>>(), "each English sentence once, in order");
}

/// The aligner as shipped (paragraphs first, numbers and names as anchors, no term base).
///
/// The floor: the hard part of this article is its seven Russian sentences that the
/// translation splits in two; misplacing one of them costs two or three beads, so 0.93
/// allows one such error and fails on two. Links get the same floor.
#[test]
fn aligns_the_article_with_high_precision_and_recall() {
    let beads = align_documents(
        &paragraphs("article.ru.txt"),
        &paragraphs("article.en.txt"),
        &AlignOptions::new("ru", "en"),
    );
    let scores = score_alignment(&beads, &reference());
    report(
        "tmbase align (paragraphs, then sentences; numbers and names as anchors)",
        &beads,
        &scores,
    );
    report_errors(&beads, &reference());
    assert!(scores.beads.precision() >= 0.93, "{}", scores.beads);
    assert!(scores.beads.recall() >= 0.93, "{}", scores.beads);
    assert!(scores.links.precision() >= 0.93, "{}", scores.links);
    assert!(scores.links.recall() >= 0.93, "{}", scores.links);
    // Every unit records a confidence; the 1-2 beads are found as such.
    assert_eq!(beads.iter().filter(|b| b.kind.as_str() == "1-2").count(), 7);
    assert!(beads.iter().all(|b| (0.0..=1.0).contains(&b.confidence)));
}

/// With the sample term base (samples/security-terms.tbx) as a third kind of anchor.
#[test]
fn aligns_the_article_with_the_sample_term_base() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("terms.db")).unwrap();
    let tbx = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/security-terms.tbx");
    let imported = import_term_file(&mut store, &tbx, &TermImportOptions::new("security")).unwrap();
    assert!(imported.added >= 30, "{imported:?}");
    let mut options = AlignOptions::new("ru", "en");
    options.terms =
        Some(TermAnchors::from_store(&store, &["security".to_string()], "ru", "en").unwrap());
    let beads =
        align_documents(&paragraphs("article.ru.txt"), &paragraphs("article.en.txt"), &options);
    let scores = score_alignment(&beads, &reference());
    report("tmbase align --termbase security (terms as anchors too)", &beads, &scores);
    report_errors(&beads, &reference());
    let term_anchors =
        beads.iter().flat_map(|b| &b.anchors).filter(|a| a.kind.as_str() == "term").count();
    assert!(term_anchors >= 20, "only {term_anchors} term anchors");
    assert!(scores.beads.precision() >= 0.93 && scores.beads.recall() >= 0.93, "{}", scores.beads);
}

/// The article as published is easy: its paragraphs correspond one to one and its lengths
/// agree, so even Gale–Church alone on the 44 × 51 sentences without paragraphs finds every
/// bead. Printed for docs/alignment.md.
#[test]
fn the_article_is_easy_even_without_anchors_or_paragraphs() {
    let (ru, en) = (paragraphs("article.ru.txt"), paragraphs("article.en.txt"));
    let (ru_sentences, en_sentences) = (sentences(&ru, "ru"), sentences(&en, "en"));
    let reference = reference();
    let mut no_anchors = AlignOptions::new("ru", "en");
    no_anchors.model.anchor_weight = 0.0;
    for (label, beads) in [
        ("paragraphs, then sentences; no anchors", align_documents(&ru, &en, &no_anchors)),
        (
            "all sentences as one region; anchors",
            align_sentences(&ru_sentences, &en_sentences, &AlignOptions::new("ru", "en")),
        ),
        (
            "all sentences as one region; no anchors",
            align_sentences(&ru_sentences, &en_sentences, &no_anchors),
        ),
    ] {
        let scores = score_alignment(&beads, &reference);
        report(label, &beads, &scores);
        report_errors(&beads, &reference);
        assert!(scores.beads.f1() >= 0.93, "{label}: {}", scores.beads);
    }
}

fn sentences(paragraphs: &[String], lang: &str) -> Vec<String> {
    let segmenter = Segmenter::default_rules();
    paragraphs.iter().flat_map(|p| segmenter.segment_str(lang, p)).map(str::to_string).collect()
}

/// The article with every tenth sentence of one side left out (sentences 0, 10, 20, …), as
/// if the translator had skipped them: paragraphs are rebuilt from the remaining sentences
/// (a paragraph left empty disappears, so the paragraph counts differ), and the reference is
/// the hand-checked one with those sentences removed (a 1-1 bead losing its target becomes
/// 1-0, a 1-2 bead losing one becomes 1-1).
fn with_omissions(omit_from_source: bool) -> (Vec<String>, Vec<String>, Vec<ReferenceBead>) {
    let (ru, en) = (paragraphs("article.ru.txt"), paragraphs("article.en.txt"));
    let (lang, side) = if omit_from_source { ("ru", &ru) } else { ("en", &en) };
    let segmenter = Segmenter::default_rules();
    let mut number = 0;
    let mut kept_paragraphs = Vec::new();
    for paragraph in side {
        let mut kept = Vec::new();
        for sentence in segmenter.segment_str(lang, paragraph) {
            if number % 10 != 0 {
                kept.push(sentence);
            }
            number += 1;
        }
        kept_paragraphs.push(kept.join(" "));
    }
    let renumber = |numbers: &[usize]| -> Vec<usize> {
        numbers.iter().filter(|&&n| n % 10 != 0).map(|&n| n - n / 10 - 1).collect()
    };
    let reference = reference()
        .into_iter()
        .map(|mut bead| {
            if omit_from_source {
                bead.source = renumber(&bead.source);
            } else {
                bead.target = renumber(&bead.target);
            }
            bead
        })
        .filter(|bead| !bead.source.is_empty() || !bead.target.is_empty())
        .collect();
    if omit_from_source {
        (kept_paragraphs, en, reference)
    } else {
        (ru, kept_paragraphs, reference)
    }
}

/// Omissions are where anchors matter: lengths alone cannot tell which sentence has no
/// translation. Both omission tasks are printed with and without anchors; the assertion is
/// the point of having anchors (more sentence links right, summed over both tasks).
#[test]
fn anchors_help_when_sentences_are_missing() {
    let mut no_anchors = AlignOptions::new("ru", "en");
    no_anchors.model.anchor_weight = 0.0;
    let (mut with, mut without) = (0, 0);
    for omit_from_source in [false, true] {
        let (ru, en, reference) = with_omissions(omit_from_source);
        let which = if omit_from_source { "Russian" } else { "English" };
        for (anchors, options) in
            [(true, AlignOptions::new("ru", "en")), (false, no_anchors.clone())]
        {
            let beads = align_documents(&ru, &en, &options);
            let scores = score_alignment(&beads, &reference);
            let label = format!(
                "every tenth {which} sentence left out; {}",
                if anchors { "anchors" } else { "no anchors" }
            );
            report(&label, &beads, &scores);
            report_errors(&beads, &reference);
            if anchors {
                with += scores.links.correct;
            } else {
                without += scores.links.correct;
            }
        }
    }
    assert!(with > without, "anchors: {with} links right, without: {without}");

    // How much the anchors' weight matters (1 is the default): beads right, both tasks.
    let mut sweep = Vec::new();
    for weight in [0.0, 0.5, 1.0, 2.0, 4.0] {
        let mut options = AlignOptions::new("ru", "en");
        options.model.anchor_weight = weight;
        let mut right = 0;
        for omit_from_source in [false, true] {
            let (ru, en, reference) = with_omissions(omit_from_source);
            right +=
                score_alignment(&align_documents(&ru, &en, &options), &reference).beads.correct;
        }
        sweep.push(format!("{weight}: {right}/88"));
    }
    println!("beads right with both omission tasks, by anchor weight: {}", sweep.join(", "));
}
