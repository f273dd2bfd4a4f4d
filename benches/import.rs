//! Import benchmark: builds an N-unit TMX (default 100,000) from the Russian–English corpus,
//! imports it with the release `tmbase` binary into a fresh database, and prints units per
//! second and the peak resident memory of the importing process. Then it times the reading
//! side alone in this process (XML reading and unit preparation, no store), best of three:
//! an import runs it on one thread beside the store's writer, so it bounds the import's speed.
//! Last it times the store side alone: the same units, read and prepared beforehand, written
//! by an `ImportSession` into a fresh database and committed, best of three. That is the
//! writer thread's work, and it bounds the import's speed from the other side.
//!
//! `cargo bench --bench import -- [--units N] [--corpus PATH] [--tmx PATH] [--reading-side-only]`
//! (`--tmx` keeps the generated file there, for profiling the import on its own;
//! `--reading-side-only` skips the import and the store side, for profiling the reading side).

use std::io::{BufRead, BufReader, BufWriter};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use tmbase::model::{Header, Metadata, Unit, Variant};
use tmbase::store::{DuplicatePolicy, PreparedUnit, Store};

// The allocator the `tmbase` binary runs on, for the reading side timed in this process.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use tmbase::tmx::{ReadLimits, TmxReader, TmxWriter, UnitRead, WriterOptions};

fn main() {
    let mut units = 100_000usize;
    let mut corpus = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus/parallel/ru-en.combined.dedup.tsv");
    let mut kept_tmx = None;
    let mut reading_side_only = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--units" => units = args.next().and_then(|v| v.parse().ok()).expect("--units N"),
            "--corpus" => corpus = args.next().expect("--corpus PATH").into(),
            "--tmx" => kept_tmx = Some(PathBuf::from(args.next().expect("--tmx PATH"))),
            "--reading-side-only" => reading_side_only = true,
            _ => {} // cargo passes --bench
        }
    }
    let pairs = read_pairs(&corpus);
    let dir = tempfile::tempdir().unwrap();
    let tmx = kept_tmx.unwrap_or_else(|| dir.path().join("bench.tmx"));
    write_tmx(&tmx, &pairs, units);
    let size = std::fs::metadata(&tmx).unwrap().len();
    println!("corpus: {} pairs from {}", pairs.len(), corpus.display());
    println!("tmx: {units} units, {:.1} MB", size as f64 / 1e6);

    if !reading_side_only {
        import_with_the_binary(&tmx, size, units, &dir.path().join("bench.db"));
    }
    let best = (0..3).map(|_| read_and_prepare(&tmx, units)).fold(f64::INFINITY, f64::min);
    println!(
        "reading side alone (read and prepare, no store), best of 3: {best:.2} s, {:.0} units per second",
        units as f64 / best
    );
    if !reading_side_only {
        store_side_alone(&tmx, units, dir.path());
    }
}

/// Times `ImportSession` writing units prepared beforehand (no XML on the clock) into a fresh
/// database, three times, and prints the best run with its insert and commit parts.
fn store_side_alone(tmx: &Path, units: usize, dir: &Path) {
    let file = std::fs::File::open(tmx).unwrap();
    let mut reader = TmxReader::new(Box::new(file), ReadLimits::default()).unwrap();
    let mut prepared = Vec::with_capacity(units);
    while let Some(next) = reader.next_unit() {
        if let UnitRead::Unit { unit, .. } = next.unwrap() {
            prepared.push(PreparedUnit::new(*unit));
        }
    }
    let header = Header::default();
    let mut best: Option<(f64, f64, f64)> = None;
    for run in 0..3 {
        let db = dir.join(format!("store-side-{run}.db"));
        let mut store = Store::open(&db).unwrap();
        let started = Instant::now();
        let mut session = store.begin_import("bench", &header, DuplicatePolicy::Skip).unwrap();
        for unit in &prepared {
            session.add_unit(unit).unwrap();
        }
        let inserted = started.elapsed().as_secs_f64();
        session.commit().unwrap();
        let committed = started.elapsed().as_secs_f64();
        drop(store);
        let closed = started.elapsed().as_secs_f64();
        let run = (inserted, committed - inserted, closed);
        if best.is_none_or(|b| run.2 < b.2) {
            best = Some(run);
        }
    }
    let (insert, commit, total) = best.unwrap();
    println!(
        "store side alone (prepared units written and committed, no XML), best of 3: {total:.2} s \
         (inserts {insert:.2} s, commit {commit:.2} s, close {:.2} s), {:.0} units per second",
        total - insert - commit,
        units as f64 / total
    );
}

/// Imports `tmx` with the release binary into a new database at `db` and prints the figures.
fn import_with_the_binary(tmx: &Path, size: u64, units: usize, db: &Path) {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_tmbase"))
        .arg("--db")
        .arg(db)
        .args(["import", tmx.to_str().unwrap(), "--memory", "bench", "--json"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut peak_kb = 0u64;
    loop {
        if let Some(kb) = high_water_mark_kb(pid) {
            peak_kb = peak_kb.max(kb);
        }
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let elapsed = started.elapsed().as_secs_f64();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "import failed");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let added = report["added"].as_u64().unwrap();
    println!(
        "import: {added} units added, {} skipped, in {elapsed:.2} s (process wall time)",
        report["skipped"]
    );
    println!("units per second: {:.0}", units as f64 / elapsed);
    println!("MB per second: {:.1}", size as f64 / 1e6 / elapsed);
    println!("peak resident memory: {:.1} MB", peak_kb as f64 / 1024.0);
    println!("database size: {:.1} MB", std::fs::metadata(db).unwrap().len() as f64 / 1e6);
}

/// Seconds to read every unit of `tmx` and prepare it for the store, as an import's reading
/// thread does.
fn read_and_prepare(tmx: &Path, units: usize) -> f64 {
    let started = Instant::now();
    let file = std::fs::File::open(tmx).unwrap();
    let mut reader = TmxReader::new(Box::new(file), ReadLimits::default()).unwrap();
    let mut prepared = 0;
    while let Some(next) = reader.next_unit() {
        if let UnitRead::Unit { unit, .. } = next.unwrap() {
            std::hint::black_box(PreparedUnit::new(*unit));
            prepared += 1;
        }
    }
    assert_eq!(prepared, units);
    started.elapsed().as_secs_f64()
}

fn read_pairs(path: &PathBuf) -> Vec<(String, String)> {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    BufReader::new(file)
        .lines()
        .skip(1)
        .filter_map(|l| {
            let l = l.ok()?;
            let mut cols = l.split('\t');
            Some((cols.next()?.to_string(), cols.next()?.to_string()))
        })
        .collect()
}

/// Unit `i` is corpus pair `i % len`; past the first pass a number is appended so units stay distinct.
fn write_tmx(path: &PathBuf, pairs: &[(String, String)], units: usize) {
    let out = BufWriter::new(std::fs::File::create(path).unwrap());
    let header = Header { srclang: Some("ru".into()), ..Header::default() };
    let mut w = TmxWriter::start(out, &header, &WriterOptions { srclang: "ru".into() }).unwrap();
    for i in 0..units {
        let (ru, en) = &pairs[i % pairs.len()];
        let round = i / pairs.len();
        let (ru, en) = if round == 0 {
            (ru.clone(), en.clone())
        } else {
            (format!("{ru} ({round})"), format!("{en} ({round})"))
        };
        let meta = Metadata {
            creationdate: Some("20220114T101010Z".into()),
            creationid: Some("BENCH".into()),
            ..Metadata::default()
        };
        let unit = Unit {
            tuid: Some(i.to_string()),
            srclang: None,
            meta,
            annotations: vec![],
            variants: vec![Variant::from_text("ru-RU", ru), Variant::from_text("en-US", en)],
        };
        w.write_unit(&unit).unwrap();
    }
    w.finish().unwrap();
}

fn high_water_mark_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
