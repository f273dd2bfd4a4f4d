//! Matching benchmark: builds a memory of N units (default 100,000; `--units 1000000` for the
//! issue's figures) from the Russian–English corpus scaled with near-duplicates, then prints,
//! per query-length bucket, p50/p95/p99 lookup latency and candidates scored per lookup at
//! min_score 70 and 50, the index build time (what start-up costs), resident memory, and
//! recall against an exhaustive scan on a sample of queries.
//!
//! `cargo bench --bench matching -- [--units N] [--queries N] [--recall-sample N] [--corpus PATH]
//! [--db PATH] [--start-up-only]` (`--db` keeps the generated memory there and reuses it on
//! later runs with the same `--units`; `--start-up-only` then skips the index builds and starts
//! from the saved index, as a fresh server does). With `TMBASE_BENCH_SLOW=1` set, lookups
//! slower than 2 ms are printed.

use std::path::PathBuf;
use std::time::Instant;

use tmbase::bench_corpus::{generate, queries, read_pairs, Rng};
use tmbase::import::{import_tmx, ImportOptions, Progress};
use tmbase::matching::{
    candidate_count, lookup, lookup_exhaustive, IndexOrigin, MatchQuery, MemoryIndex,
};
use tmbase::model::{Header, Metadata, Segment, Unit, Variant};
use tmbase::store::{DuplicatePolicy, Store};
use tmbase::tmx::{TmxWriter, WriterOptions};

/// The allocator the `tmbase` binary runs with (src/main.rs), so that the figures are those
/// of the server and the command line.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

struct Args {
    units: usize,
    queries: usize,
    recall_sample: usize,
    corpus: PathBuf,
    /// Keep the generated memory in this database and reuse it on the next run.
    db: Option<PathBuf>,
    /// With a reused memory, skip the timed builds: start up from the saved index at once, as
    /// a fresh server process does (a process that built indexes keeps some of their memory).
    start_up_only: bool,
}

fn args() -> Args {
    let mut a = Args {
        units: 100_000,
        queries: 3_000,
        recall_sample: 100,
        corpus: PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/corpus/parallel/ru-en.combined.dedup.tsv"),
        db: None,
        start_up_only: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().expect("a value after the flag");
        match arg.as_str() {
            "--units" => a.units = value().parse().expect("--units N"),
            "--queries" => a.queries = value().parse().expect("--queries N"),
            "--recall-sample" => a.recall_sample = value().parse().expect("--recall-sample N"),
            "--corpus" => a.corpus = value().into(),
            "--db" => a.db = Some(value().into()),
            "--start-up-only" => a.start_up_only = true,
            _ => {}
        }
    }
    a
}

/// Resident memory of the process's own allocations (not the database pages SQLite maps).
fn rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb: f64 = status
        .lines()
        .find(|l| l.starts_with("RssAnon:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    kb / 1024.0
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn bucket(words: usize) -> usize {
    match words {
        0..=3 => 0,
        4..=10 => 1,
        11..=30 => 2,
        31..=99 => 3,
        _ => 4,
    }
}
const BUCKETS: [&str; 5] = ["1-3 words", "4-10", "11-30", "31-99", "100+"];

fn fill_store(store: &mut Store, pairs: &[(String, String)]) {
    // Import through TMX in chunks, as a user would, without holding the whole file.
    for chunk in pairs.chunks(50_000) {
        let header = Header { srclang: Some("ru-RU".into()), ..Header::default() };
        let mut w =
            TmxWriter::start(Vec::new(), &header, &WriterOptions { srclang: "ru-RU".into() })
                .unwrap();
        for (ru, en) in chunk {
            let v = |lang: &str, text: &str| Variant {
                lang: lang.into(),
                meta: Metadata::default(),
                annotations: vec![],
                segment: Segment::from_text(text.to_string()),
            };
            let unit = Unit {
                tuid: None,
                srclang: None,
                meta: Metadata::default(),
                annotations: vec![],
                variants: vec![v("ru-RU", ru), v("en-US", en)],
            };
            w.write_unit(&unit).unwrap();
        }
        let bytes = w.finish().unwrap();
        let mut options = ImportOptions::new("bench");
        options.on_duplicate = DuplicatePolicy::Keep;
        import_tmx(
            store,
            Box::new(std::io::Cursor::new(bytes)),
            "bench",
            &options,
            &Progress::default(),
        )
        .unwrap();
    }
}

fn main() {
    let a = args();
    let base = read_pairs(&a.corpus).unwrap_or_default();
    println!(
        "corpus: {} real pairs{}",
        base.len(),
        if base.is_empty() { " (not found: synthetic vocabulary)" } else { "" }
    );
    let pairs = generate(1, a.units, &base);
    let dir = tempfile::tempdir().unwrap();
    let path = a.db.clone().unwrap_or_else(|| dir.path().join("bench.db"));
    let mut store = Store::open(&path).unwrap();
    let kept = store.memory_names().unwrap().iter().any(|m| m == "bench");
    if kept {
        println!("memory: reusing the memory in {}", path.display());
    } else {
        let t = Instant::now();
        fill_store(&mut store, &pairs);
        println!("memory: {} units imported in {:.1} s", a.units, t.elapsed().as_secs_f64());
    }

    // Queries: near-duplicates, copies, unrelated and short ones, plus long ones made of
    // several stored sentences.
    let mut texts = queries(2, a.queries, &pairs);
    let mut rng = Rng::new(3);
    for _ in 0..a.queries / 20 {
        let mut long = String::new();
        while long.split_whitespace().count() < 100 {
            long.push_str(&pairs[rng.below(pairs.len())].0);
            long.push(' ');
        }
        texts.push(long.trim().to_string());
    }
    // The memory is in the store now: its generated texts need not stay in memory.
    drop(pairs);

    if a.start_up_only && kept {
        println!("index builds: skipped (--start-up-only)");
    } else {
        build_twice(&store);
    }
    let t = Instant::now();
    let index = MemoryIndex::open(&store, "bench", "ru").unwrap();
    // The allocator keeps some of what the indexes built before freed, so the loaded index's
    // own size cannot be told from the difference; the whole process's is an upper bound.
    println!(
        "start-up from the saved index ({:?}): {:.2} s; resident memory of the process then {:.0} MB",
        index.origin,
        t.elapsed().as_secs_f64(),
        rss_mb()
    );

    for min_score in [70u32, 50] {
        let mut lat: Vec<Vec<f64>> = vec![Vec::new(); 5];
        let mut cands: Vec<Vec<f64>> = vec![Vec::new(); 5];
        for text in &texts {
            let mut q = MatchQuery::new(text.clone(), "en");
            q.min_score = min_score;
            let words = text.split_whitespace().count();
            let t = Instant::now();
            let found = lookup(&store, &index, &q).unwrap();
            let ms = t.elapsed().as_secs_f64() * 1000.0;
            if ms > 2.0 && std::env::var_os("TMBASE_BENCH_SLOW").is_some() {
                eprintln!("SLOW {ms:.2} min={min_score} n={} {:?}", found.len(), text);
            }
            std::hint::black_box(found);
            lat[bucket(words)].push(ms);
            cands[bucket(words)].push(candidate_count(&index, &q) as f64);
        }
        println!("\nmin_score {min_score}: latency per lookup (ms, one thread, top 5 fetched from SQLite)");
        println!(
            "  {:<10} {:>7} {:>8} {:>8} {:>8} {:>12}",
            "bucket", "queries", "p50", "p95", "p99", "candidates"
        );
        let mut all: Vec<f64> = lat.iter().flatten().copied().collect();
        for (i, name) in BUCKETS.iter().enumerate() {
            let l = &mut lat[i];
            l.sort_by(|x, y| x.total_cmp(y));
            let c = &cands[i];
            let mean_c = if c.is_empty() { 0.0 } else { c.iter().sum::<f64>() / c.len() as f64 };
            println!(
                "  {:<10} {:>7} {:>8.3} {:>8.3} {:>8.3} {:>12.0}",
                name,
                l.len(),
                percentile(l, 0.5),
                percentile(l, 0.95),
                percentile(l, 0.99),
                mean_c
            );
        }
        all.sort_by(|x, y| x.total_cmp(y));
        println!(
            "  {:<10} {:>7} {:>8.3} {:>8.3} {:>8.3}",
            "all",
            all.len(),
            percentile(&all, 0.5),
            percentile(&all, 0.95),
            percentile(&all, 0.99)
        );
    }

    // Recall against the exhaustive scan on a sample.
    let mut same = 0;
    let mut matches = 0;
    let sample = a.recall_sample.min(texts.len());
    let t = Instant::now();
    for text in texts.iter().take(sample) {
        for min_score in [50u32, 70] {
            let mut q = MatchQuery::new(text.clone(), "en");
            q.min_score = min_score;
            q.limit = 50;
            let by_index = lookup(&store, &index, &q).unwrap();
            let by_scan = lookup_exhaustive(&store, &index, &q).unwrap();
            matches += by_scan.len();
            same += usize::from(by_index == by_scan);
        }
    }
    println!(
        "\nrecall: {same} of {} lookups identical to the exhaustive scan ({matches} matches; scan took {:.1} s)",
        sample * 2,
        t.elapsed().as_secs_f64()
    );
}

/// Builds the index from the store (timed, with its size), then opens it as start-up does:
/// built again and saved beside the database when no saved index describes the memory.
fn build_twice(store: &Store) {
    let rss_before = rss_mb();
    let t = Instant::now();
    let built = MemoryIndex::build(store, "bench", "ru").unwrap();
    let build = t.elapsed().as_secs_f64();
    let stats = built.index.stats();
    println!(
        "index build from the store: {build:.2} s; {} entries, {} forms, {} stems, {} postings; \
         resident memory {:.0} MB without mapped database pages (index ≈ {:.0} MB)",
        stats.entries,
        stats.forms,
        stats.stems,
        stats.postings,
        rss_mb(),
        rss_mb() - rss_before
    );
    drop(built);
    let t = Instant::now();
    let first = MemoryIndex::open(store, "bench", "ru").unwrap();
    if first.origin == IndexOrigin::Built {
        println!("index built again and saved: {:.2} s", t.elapsed().as_secs_f64());
    }
}
