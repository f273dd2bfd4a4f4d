//! Term recognition on a test set of Russian sentences about security and politics
//! (tests/fixtures/terms/recognition-ru.txt, terms from security-ru-en.tbx): every term
//! occurrence is marked by hand, inflected and multi-word forms included, and words that merely
//! share a beginning with a term are left unmarked. Prints precision and recall and holds them
//! to at least 0.95.

use std::collections::BTreeSet;
use std::path::Path;

use tmbase::store::Store;
use tmbase::terms::{import_term_file, Recognizer, TermImportOptions};

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/terms").join(name)
}

/// A sentence without its marks, and the marked occurrences as (start, end, concept) in
/// characters.
fn parse(line: &str) -> (String, BTreeSet<(usize, usize, String)>) {
    let mut text = String::new();
    let mut gold = BTreeSet::new();
    let mut rest = line;
    while let Some(open) = rest.find('{') {
        text.push_str(&rest[..open]);
        let close = rest[open..].find('}').expect("unclosed {") + open;
        let (surface, concept) = rest[open + 1..close].split_once('|').expect("{text|concept}");
        let start = text.chars().count();
        text.push_str(surface);
        gold.insert((start, text.chars().count(), concept.to_string()));
        rest = &rest[close + 1..];
    }
    text.push_str(rest);
    (text, gold)
}

fn recognizer() -> Recognizer {
    let mut store = Store::open_in_memory().unwrap();
    let report = import_term_file(
        &mut store,
        &fixture("security-ru-en.tbx"),
        &TermImportOptions::new("security"),
    )
    .unwrap();
    assert_eq!(report.added, 60, "{report:?}");
    Recognizer::from_store(&store, &["security".to_string()], "ru", Some("en")).unwrap()
}

#[test]
fn precision_and_recall_on_the_russian_test_set() {
    let recognizer = recognizer();
    let sentences = std::fs::read_to_string(fixture("recognition-ru.txt")).unwrap();
    let (mut expected, mut found, mut correct, mut count) = (0usize, 0usize, 0usize, 0usize);
    let mut errors = Vec::new();
    for line in sentences.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()) {
        count += 1;
        let (text, gold) = parse(line);
        let got: BTreeSet<(usize, usize, String)> = recognizer
            .find(&text)
            .into_iter()
            .map(|h| (h.start, h.end, h.concept_external_id))
            .collect();
        expected += gold.len();
        found += got.len();
        correct += gold.intersection(&got).count();
        let chars: Vec<char> = text.chars().collect();
        let show = |(s, e, c): &(usize, usize, String)| {
            format!("«{}» {c}", chars[*s..*e].iter().collect::<String>())
        };
        for miss in gold.difference(&got) {
            errors.push(format!("missed   {} in: {text}", show(miss)));
        }
        for wrong in got.difference(&gold) {
            errors.push(format!("spurious {} in: {text}", show(wrong)));
        }
    }
    let precision = correct as f64 / found as f64;
    let recall = correct as f64 / expected as f64;
    println!(
        "recognition test set: {count} sentences, {expected} marked term occurrences, {found} found, \
         {correct} correct: precision {precision:.3}, recall {recall:.3}"
    );
    for e in &errors {
        println!("  {e}");
    }
    assert!(count >= 100, "the test set needs at least 100 sentences, has {count}");
    assert!(precision >= 0.95 && recall >= 0.95, "precision {precision:.3}, recall {recall:.3}");
}

#[test]
fn hits_carry_targets_preferred_first() {
    let recognizer = recognizer();
    let hits = recognizer.find("Москва ждет ответа о гарантиях безопасности.");
    assert_eq!(hits.len(), 1);
    let h = &hits[0];
    assert_eq!((h.start, h.end, h.text.as_str()), (21, 43, "гарантиях безопасности"));
    assert_eq!(h.term, "гарантии безопасности");
    let targets: Vec<(&str, Option<&str>)> =
        h.targets.iter().map(|t| (t.text.as_str(), t.status.map(|s| s.as_str()))).collect();
    assert_eq!(
        targets,
        [("security guarantees", Some("preferred")), ("safety guarantees", Some("forbidden"))]
    );
}

#[test]
fn longest_match_wins_and_same_span_concepts_are_all_given() {
    let recognizer = recognizer();
    let concepts: Vec<String> = recognizer
        .find("Расширение НАТО и европейская безопасность")
        .into_iter()
        .map(|h| h.concept_external_id)
        .collect();
    assert_eq!(concepts, ["nato-enlargement", "european-security"]);
}
