//! Accuracy of the built-in segmentation rules on hand-checked Russian and English text
//! (tests/fixtures/segment/), the Izvestia article included.
//!
//! Every candidate boundary is judged: each expected break, each predicted break, and
//! each gap after sentence-final punctuation (. ? ! … and closing quotes or brackets)
//! that should not break ("т. е.", "U.S. Senate", "В. В. Путин"). Accuracy is the share
//! of candidates where the rules decide as the fixture says. Run with `--nocapture` to
//! see the figures and every miss.

use std::collections::BTreeSet;

use tmbase::text::Segmenter;

/// A paragraph as the fixture gives it: its expected segments.
struct Paragraph {
    line: usize,
    segments: Vec<String>,
}

/// Paragraphs of a fixture: segments one per line, a blank line between paragraphs,
/// `#` lines are comments.
fn read_fixture(text: &str) -> Vec<Paragraph> {
    let mut paragraphs = Vec::new();
    let mut current: Option<Paragraph> = None;
    for (number, line) in text.lines().enumerate() {
        if line.starts_with('#') {
            continue;
        }
        if line.trim().is_empty() {
            paragraphs.extend(current.take());
            continue;
        }
        current
            .get_or_insert_with(|| Paragraph { line: number + 1, segments: Vec::new() })
            .segments
            .push(line.trim().to_string());
    }
    paragraphs.extend(current);
    paragraphs
}

/// Byte offsets where each segment after the first starts.
fn break_offsets(segments: &[std::ops::Range<usize>]) -> BTreeSet<usize> {
    segments.iter().skip(1).map(|range| range.start).collect()
}

/// Offsets of the first character after each gap that follows sentence-final punctuation
/// (optionally closed by quotes or brackets): the places where a break is conceivable.
fn candidate_offsets(text: &str) -> BTreeSet<usize> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut candidates = BTreeSet::new();
    for (i, &(_, c)) in chars.iter().enumerate() {
        if !c.is_whitespace() || i == 0 || chars[i - 1].1.is_whitespace() {
            continue;
        }
        let mut before = i;
        while before > 0 && "»”“\"’')]".contains(chars[before - 1].1) {
            before -= 1;
        }
        let ends_sentence = before > 0 && ".?!…".contains(chars[before - 1].1);
        if let Some(&(next, _)) = chars[i..].iter().find(|(_, c)| !c.is_whitespace()) {
            if ends_sentence {
                candidates.insert(next);
            }
        }
    }
    candidates
}

#[derive(Default)]
struct Score {
    candidates: usize,
    correct: usize,
    expected_breaks: usize,
    found_breaks: usize,
    misses: Vec<String>,
}

fn score(lang: &str, fixture: &str, file: &str) -> Score {
    let segmenter = Segmenter::default_rules();
    let mut score = Score::default();
    for paragraph in read_fixture(fixture) {
        let text = paragraph.segments.join(" ");
        let mut expected_ranges = Vec::new();
        let mut offset = 0;
        for segment in &paragraph.segments {
            expected_ranges.push(offset..offset + segment.len());
            offset += segment.len() + 1;
        }
        let expected = break_offsets(&expected_ranges);
        let found = break_offsets(&segmenter.segment(lang, &text));
        let mut candidates = candidate_offsets(&text);
        candidates.extend(expected.iter().copied());
        candidates.extend(found.iter().copied());
        score.expected_breaks += expected.len();
        score.found_breaks += found.intersection(&expected).count();
        for offset in candidates {
            score.candidates += 1;
            let (should, did) = (expected.contains(&offset), found.contains(&offset));
            if should == did {
                score.correct += 1;
                continue;
            }
            let start = text[..offset].char_indices().rev().nth(30).map_or(0, |(i, _)| i);
            let end = text[offset..].char_indices().nth(25).map_or(text.len(), |(i, _)| offset + i);
            score.misses.push(format!(
                "{file}:{}: {} {:?} | {:?}",
                paragraph.line,
                if should { "missed break" } else { "wrong break " },
                &text[start..offset],
                &text[offset..end],
            ));
        }
    }
    score
}

fn report(lang: &str, score: &Score) {
    println!(
        "{lang}: {}/{} boundaries correct ({:.1}%); breaks found {}/{}",
        score.correct,
        score.candidates,
        100.0 * score.correct as f64 / score.candidates as f64,
        score.found_breaks,
        score.expected_breaks,
    );
    for miss in &score.misses {
        println!("  {miss}");
    }
}

#[test]
fn built_in_rules_segment_the_hand_checked_sentences() {
    let russian = score("ru", include_str!("fixtures/segment/ru.txt"), "ru.txt");
    let english = score("en", include_str!("fixtures/segment/en.txt"), "en.txt");
    report("ru", &russian);
    report("en", &english);
    let total = russian.candidates + english.candidates;
    let correct = russian.correct + english.correct;
    println!(
        "total: {correct}/{total} boundaries correct ({:.1}%)",
        100.0 * correct as f64 / total as f64
    );
    assert!(total >= 200, "the test set has only {total} boundaries");
    // The fixtures include a few genuinely ambiguous cases the rules get wrong on purpose
    // (a year abbreviation or "U.S." ending a sentence before a name); anything beyond
    // those is a regression.
    for (lang, score) in [("ru", &russian), ("en", &english)] {
        assert!(
            score.misses.len() <= 2,
            "{lang}: {} misses (run with --nocapture to see them)",
            score.misses.len()
        );
    }
}

#[test]
fn every_article_paragraph_is_in_the_fixtures() {
    // The article paragraphs are copied from ../shared/seed/; when it is present, check that
    // the copies still match it.
    let seed = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/seed");
    for (lang, fixture) in [
        ("ru", include_str!("fixtures/segment/ru.txt")),
        ("en", include_str!("fixtures/segment/en.txt")),
    ] {
        let Ok(article) = std::fs::read_to_string(seed.join(format!("article.{lang}.txt"))) else {
            eprintln!("skipped: {} is not here", seed.display());
            return;
        };
        let paragraphs: Vec<String> =
            read_fixture(fixture).iter().map(|p| p.segments.join(" ")).collect();
        for line in article.lines().filter(|line| !line.trim().is_empty()) {
            assert!(
                paragraphs.iter().any(|p| p == line.trim()),
                "{lang}: the fixture lacks the article paragraph {:?}",
                line.chars().take(60).collect::<String>()
            );
        }
    }
}
