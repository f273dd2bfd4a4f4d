//! Term recognition benchmark: builds a term base of N Russian terms (default 50,000: one- to
//! three-word terms taken from the Russian side of the parallel corpus, plus the 60 terms of
//! the security fixture), then recognises terms in M other sentences (default 2,000) and prints
//! the time per sentence (mean, median, 99th percentile, maximum) and the index build time.
//!
//! `cargo bench --bench terms -- [--terms N] [--sentences M] [--corpus PATH]`
//! Without ../shared/corpus the terms and sentences are made from the recognition test set.

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::time::Instant;

use tmbase::model::{MatchMode, TermStatus};
use tmbase::store::RecognitionTerm;
use tmbase::terms::Recognizer;
use tmbase::text::{stem, token_form, tokenize, TokenKind};

fn main() {
    let mut wanted_terms = 50_000usize;
    let mut wanted_sentences = 2_000usize;
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut corpus = root.join("../shared/corpus/parallel/ru-en.combined.dedup.tsv");
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--terms" => {
                wanted_terms = args.next().and_then(|v| v.parse().ok()).expect("--terms N")
            }
            "--sentences" => {
                wanted_sentences = args.next().and_then(|v| v.parse().ok()).expect("--sentences M")
            }
            "--corpus" => corpus = args.next().expect("--corpus PATH").into(),
            _ => {} // cargo passes --bench
        }
    }
    let russian: Vec<String> = match std::fs::File::open(&corpus) {
        Ok(f) => {
            println!("corpus: {}", corpus.display());
            BufReader::new(f)
                .lines()
                .map_while(Result::ok)
                .filter_map(|l| l.split('\t').next().map(str::to_string))
                .filter(|s| s.chars().count() > 20)
                .take(400_000)
                .collect()
        }
        Err(_) => {
            println!("corpus {} not found: using the recognition test set", corpus.display());
            let text =
                std::fs::read_to_string(root.join("tests/fixtures/terms/recognition-ru.txt"))
                    .unwrap();
            text.lines()
                .filter(|l| !l.starts_with('#'))
                .map(|l| l.replace(['{', '}'], "").split('|').next().unwrap_or("").to_string())
                .collect()
        }
    };
    // Sentences to recognise: every 7th line; terms from the others.
    let sentences: Vec<&String> = russian.iter().step_by(7).take(wanted_sentences).collect();
    let mut seen = HashSet::new();
    let mut terms = Vec::with_capacity(wanted_terms);
    let mut id = 0i64;
    let mut push = |text: String, terms: &mut Vec<RecognitionTerm>| {
        id += 1;
        terms.push(RecognitionTerm {
            termbase: "bench".into(),
            concept_id: id,
            concept_external_id: format!("c{id}"),
            term_id: id,
            lang: "ru".into(),
            text,
            status: Some(TermStatus::Preferred),
            match_mode: MatchMode::Stemmed,
        });
    };
    'outer: for (i, line) in russian.iter().enumerate() {
        if i % 7 == 0 {
            continue;
        }
        let words: Vec<&str> = tokenize(line)
            .iter()
            .filter(|t| t.kind == TokenKind::Word)
            .map(|t| t.text(line))
            .filter(|w| {
                w.chars().count() >= 4
                    && w.chars().all(|c| {
                        ('а'..='я').contains(&c.to_lowercase().next().unwrap_or(' ')) || c == 'ё'
                    })
            })
            .collect();
        for n in 1..=3 {
            for window in words.windows(n) {
                let term = window.join(" ");
                if seen.insert(term.to_lowercase()) {
                    push(term, &mut terms);
                    if terms.len() >= wanted_terms {
                        break 'outer;
                    }
                }
            }
        }
    }
    let mut synthetic = 0;
    while terms.len() < wanted_terms {
        synthetic += 1;
        push(format!("термин{synthetic} безопасности"), &mut terms);
    }
    let started = Instant::now();
    let recognizer = Recognizer::new(terms, Vec::new());
    let build = started.elapsed().as_secs_f64();
    println!("term base: {} terms, index built in {build:.2} s", recognizer.len());

    let mut times = Vec::with_capacity(sentences.len());
    let mut hits = 0usize;
    // One warm-up pass, then the measured one.
    for s in &sentences {
        hits += recognizer.find(s).len();
    }
    let mut measured_hits = 0usize;
    let all = Instant::now();
    for s in &sentences {
        let t = Instant::now();
        measured_hits += recognizer.find(s).len();
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let total = all.elapsed().as_secs_f64();
    assert_eq!(hits, measured_hits);
    // The share of tokenising, normalising and stemming, which any recogniser pays.
    let t = Instant::now();
    let mut stems = 0usize;
    for s in &sentences {
        for tok in tokenize(s) {
            stems += stem(&token_form(tok.text(s))).len();
        }
    }
    let text_ms = t.elapsed().as_secs_f64() * 1e3 / sentences.len().max(1) as f64;
    assert!(stems > 0);
    times.sort_by(|a, b| a.total_cmp(b));
    let pct = |p: f64| times[((times.len() as f64 - 1.0) * p).round() as usize];
    let chars: usize = sentences.iter().map(|s| s.chars().count()).sum();
    println!(
        "sentences: {} (mean {} characters), {:.1} terms found per sentence",
        sentences.len(),
        chars / sentences.len().max(1),
        measured_hits as f64 / sentences.len().max(1) as f64
    );
    println!(
        "recognition per sentence: mean {:.3} ms, median {:.3} ms, p99 {:.3} ms, max {:.3} ms ({:.0} sentences/s)",
        times.iter().sum::<f64>() / times.len() as f64,
        pct(0.5),
        pct(0.99),
        times.last().copied().unwrap_or(0.0),
        sentences.len() as f64 / total
    );
    println!("  of which tokenising, normalising and stemming: {text_ms:.3} ms per sentence");
}
