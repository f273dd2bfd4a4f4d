//! Storage layout floor: what SQLite alone needs to store N units of the Russian–English corpus
//! (default 100,000) in one transaction, for tmbase's layout and for leaner ones it could have
//! had. No XML and no tmbase code is on the clock: the rows are built in memory first, then
//! inserted through held statements into a fresh database with the store's settings (16 KiB
//! pages, WAL, `synchronous=NORMAL`, 64 MB cache) and committed. It answers "how fast could an
//! import be with this store?": an import cannot beat the floor of its own layout.
//!
//! Layouts (each row is one unit of two variants; text is the plain and normalised forms):
//! - `tmbase`: the store's own tables (`unit` with its three indexes, `variant` keyed by
//!   unit and position), created by opening a real `Store`.
//! - `tmbase-noidx`: the same tables without the three indexes on `unit` (no duplicate
//!   detection, no tuid lookup, no paging by memory).
//! - `packed`: one row per unit with both variants' columns in it, and the three indexes.
//! - `packed-noidx`: that row without the indexes.
//! - `text-only`: a rowid table of the four texts and nothing else.
//!
//! `cargo bench --bench store_layouts -- [--units N] [--corpus PATH] [--runs R]`

use std::path::{Path, PathBuf};
use std::time::Instant;

use rusqlite::{params, Connection};
use tmbase::text::normalize_for_matching;

const LAYOUTS: [&str; 5] = ["tmbase", "tmbase-noidx", "packed", "packed-noidx", "text-only"];

/// What one unit puts in the store: its tuid, content hash and both variants' texts.
struct Row {
    tuid: String,
    hash: i64,
    ru: String,
    ru_norm: String,
    en: String,
    en_norm: String,
}

fn main() {
    let mut units = 100_000usize;
    let mut runs = 3usize;
    let mut corpus = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus/parallel/ru-en.combined.dedup.tsv");
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--units" => units = args.next().and_then(|v| v.parse().ok()).expect("--units N"),
            "--runs" => runs = args.next().and_then(|v| v.parse().ok()).expect("--runs R"),
            "--corpus" => corpus = args.next().expect("--corpus PATH").into(),
            _ => {} // cargo passes --bench
        }
    }
    let rows = rows_from_corpus(&corpus, units);
    println!("{units} units from {}; best of {runs} runs, layouts interleaved", corpus.display());
    let dir = tempfile::tempdir().unwrap();
    let mut best = [(f64::INFINITY, 0.0, 0.0, 0u64); LAYOUTS.len()];
    for _ in 0..runs {
        for (layout, best) in LAYOUTS.iter().zip(best.iter_mut()) {
            let db = dir.path().join(format!("{layout}.db"));
            let (insert, commit, close) = store(layout, &db, &rows);
            if insert + commit + close < best.0 {
                *best = (
                    insert + commit + close,
                    insert,
                    commit,
                    std::fs::metadata(&db).unwrap().len(),
                );
            }
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
            }
        }
    }
    for (layout, (total, insert, commit, size)) in LAYOUTS.iter().zip(best) {
        println!(
            "{layout:13} {total:.2} s (inserts {insert:.2} s, commit {commit:.2} s), \
             {:.0} units per second, database {:.1} MB",
            units as f64 / total,
            size as f64 / 1e6
        );
    }
}

/// Unit `i` is corpus pair `i % len`, with distinct tuids and content hashes.
fn rows_from_corpus(path: &Path, units: usize) -> Vec<Row> {
    let tsv = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let pairs: Vec<(&str, &str)> = tsv
        .lines()
        .skip(1)
        .filter_map(|l| {
            let mut cols = l.split('\t');
            Some((cols.next()?, cols.next()?))
        })
        .collect();
    (0..units)
        .map(|i| {
            let (ru, en) = pairs[i % pairs.len()];
            Row {
                tuid: i.to_string(),
                hash: (i as i64).wrapping_mul(0x9E37_79B9_7F4A_7C15_u64 as i64),
                ru: ru.to_string(),
                ru_norm: normalize_for_matching(ru),
                en: en.to_string(),
                en_norm: normalize_for_matching(en),
            }
        })
        .collect()
}

/// Stores `rows` in a fresh database at `db` with `layout`; returns the seconds spent
/// inserting, committing and closing.
fn store(layout: &str, db: &Path, rows: &[Row]) -> (f64, f64, f64) {
    if layout.starts_with("tmbase") {
        // The real schema, migrations and all.
        drop(tmbase::store::Store::open(db).unwrap());
    }
    let conn = Connection::open(db).unwrap();
    conn.pragma_update(None, "page_size", 16384).unwrap();
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    conn.pragma_update(None, "synchronous", "NORMAL").unwrap();
    conn.pragma_update(None, "cache_size", -64_000).unwrap();
    let unit_indexes = "CREATE INDEX IF NOT EXISTS unit_by_memory ON unit(memory_id);
        CREATE INDEX IF NOT EXISTS unit_by_memory_hash ON unit(memory_id, content_hash);
        CREATE INDEX IF NOT EXISTS unit_by_memory_tuid ON unit(memory_id, tuid)
            WHERE tuid IS NOT NULL;";
    match layout {
        "tmbase" => {}
        "tmbase-noidx" => conn
            .execute_batch(
                "DROP INDEX unit_by_memory; DROP INDEX unit_by_memory_hash;
                 DROP INDEX unit_by_memory_tuid;",
            )
            .unwrap(),
        "packed" | "packed-noidx" => {
            conn.execute_batch(
                "CREATE TABLE unit (id INTEGER PRIMARY KEY, memory_id INTEGER NOT NULL, tuid TEXT,
                 creationdate TEXT, creationid TEXT, content_hash INTEGER NOT NULL,
                 lang1 TEXT, plain1 TEXT, norm1 TEXT, lang2 TEXT, plain2 TEXT, norm2 TEXT);",
            )
            .unwrap();
            if layout == "packed" {
                conn.execute_batch(unit_indexes).unwrap();
            }
        }
        "text-only" => conn
            .execute_batch(
                "CREATE TABLE unit (id INTEGER PRIMARY KEY, plain1 TEXT, norm1 TEXT,
                 plain2 TEXT, norm2 TEXT);",
            )
            .unwrap(),
        _ => unreachable!(),
    }
    if layout.starts_with("tmbase") {
        conn.execute("INSERT INTO memory (id, name, created_at) VALUES (1, 'bench', '')", [])
            .unwrap();
    }
    let started = Instant::now();
    conn.execute_batch("BEGIN IMMEDIATE").unwrap();
    match layout {
        "tmbase" | "tmbase-noidx" => insert_tmbase_rows(&conn, rows),
        "packed" | "packed-noidx" => {
            let mut unit = conn
                .prepare(
                    "INSERT INTO unit (memory_id, tuid, creationdate, creationid, content_hash,
                     lang1, plain1, norm1, lang2, plain2, norm2)
                     VALUES (1, ?1, '20220114T101010Z', 'BENCH', ?2, 'ru-RU', ?3, ?4, 'en-US', ?5, ?6)",
                )
                .unwrap();
            for r in rows {
                unit.execute(params![r.tuid, r.hash, r.ru, r.ru_norm, r.en, r.en_norm]).unwrap();
            }
        }
        _ => {
            let mut unit = conn
                .prepare("INSERT INTO unit (plain1, norm1, plain2, norm2) VALUES (?1, ?2, ?3, ?4)")
                .unwrap();
            for r in rows {
                unit.execute(params![r.ru, r.ru_norm, r.en, r.en_norm]).unwrap();
            }
        }
    }
    let inserted = started.elapsed().as_secs_f64();
    conn.execute_batch("COMMIT").unwrap();
    let committed = started.elapsed().as_secs_f64();
    drop(conn);
    let closed = started.elapsed().as_secs_f64();
    (inserted, committed - inserted, closed - committed)
}

/// The rows an import writes into tmbase's tables for a unit of two variants, with every
/// column bound as the store binds it (unset metadata as NULL).
fn insert_tmbase_rows(conn: &Connection, rows: &[Row]) {
    let none: Option<&str> = None;
    let mut unit = conn
        .prepare(
            "INSERT INTO unit (memory_id, tuid, srclang, creationtool, creationtoolversion,
             creationdate, creationid, changedate, changeid, lastusagedate, usagecount, o_tmf,
             datatype, segtype, o_encoding, content_hash, ctx_prev, ctx_next)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
        )
        .unwrap();
    let mut variant = conn
        .prepare(
            "INSERT INTO variant (unit_id, ord, lang, seg, plain, norm, tags, creationtool,
             creationtoolversion, creationdate, creationid, changedate, changeid, lastusagedate,
             usagecount, o_tmf, datatype, o_encoding)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
        )
        .unwrap();
    for r in rows {
        unit.execute(params![
            1,
            r.tuid,
            none,
            none,
            none,
            "20220114T101010Z",
            "BENCH",
            none,
            none,
            none,
            none,
            none,
            none,
            none,
            none,
            r.hash,
            none,
            none
        ])
        .unwrap();
        let id = conn.last_insert_rowid();
        for (ord, lang, plain, norm) in
            [(0, "ru-RU", &r.ru, &r.ru_norm), (1, "en-US", &r.en, &r.en_norm)]
        {
            variant
                .execute(params![
                    id, ord, lang, none, plain, norm, 0, none, none, none, none, none, none, none,
                    none, none, none, none
                ])
                .unwrap();
        }
    }
}
