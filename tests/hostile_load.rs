//! Concurrency and backup under load, against a real `tmbase serve`: writers (HTTP unit
//! edits, HTTP term edits, HTTP uploads, CLI imports and CLI term imports as other
//! processes) and readers (suggest, concordance, export) at once for a bounded time. No
//! client sees a 5xx or `database is locked`; every acknowledged write is found afterwards;
//! an export never holds part of an upload. Meanwhile `tmbase backup` runs; the backup
//! passes integrity_check, and the documented restore (stop, move the backup in place,
//! remove -wal/-shm, start) brings back every write acknowledged before the backup began.
//!
//! Ignored by default; run by tests/reliability/load.sh and .ci/run:
//!   TMBASE_LOAD_SECS=30 cargo test --release --test hostile_load -- --ignored --nocapture

mod hostile_support;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hostile_support::{create_key, integrity_check, tmbase, Body, Server};
use serde_json::{json, Value};

fn load_secs() -> u64 {
    std::env::var("TMBASE_LOAD_SECS").ok().and_then(|v| v.parse().ok()).unwrap_or(30)
}

/// One unit as its writer knows it.
#[derive(Debug, Clone)]
struct Known {
    /// The writer that created it: SQLite reuses the id of a deleted unit when it was the
    /// highest, so an answer about an older unit of the same id must not be applied.
    owner: u64,
    /// The text of the last acknowledged write; None once a delete was acknowledged.
    acked: Option<String>,
    acked_at: Instant,
    /// When a write to it was last sent (acknowledged or not).
    attempted_at: Instant,
}

#[derive(Default)]
struct Tally {
    requests: AtomicU64,
    writes: AtomicU64,
    reads: AtomicU64,
    /// Every answer that is not the expected success, with what it said.
    errors: Mutex<Vec<String>>,
    /// Requests and seconds spent, per kind of read.
    latency: Mutex<HashMap<&'static str, (u64, f64)>>,
}

impl Tally {
    fn time(&self, kind: &'static str, started: Instant) {
        let mut l = self.latency.lock().unwrap();
        let e = l.entry(kind).or_default();
        e.0 += 1;
        e.1 += started.elapsed().as_secs_f64();
    }

    fn latencies(&self) -> String {
        let mut l: Vec<_> = self.latency.lock().unwrap().clone().into_iter().collect();
        l.sort_by_key(|(k, _)| *k);
        l.iter()
            .map(|(k, (n, secs))| format!("{k} {n} × {:.0} ms", secs * 1000.0 / *n as f64))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn check(&self, what: &str, res: &hostile_support::Response, expected: &[u16]) -> bool {
        self.requests.fetch_add(1, Ordering::Relaxed);
        let text = res.text();
        if !expected.contains(&res.status) || text.contains("database is locked") {
            let mut e = self.errors.lock().unwrap();
            if e.len() < 50 {
                e.push(format!(
                    "{what}: {} {}",
                    res.status,
                    text.chars().take(300).collect::<String>()
                ));
            }
            return false;
        }
        true
    }
}

fn unit_body(en: &str) -> Value {
    json!({"variants": [{"lang": "en", "text": en}, {"lang": "ru", "text": format!("{en} (ru)")}]})
}

fn seed_units(n: u64) -> Vec<(String, String)> {
    (0..n)
        .map(|i| {
            (
                format!("The delegations met in Geneva for round {i} of the strategic talks."),
                format!(
                    "Делегации встретились в Женеве на {i}-м раунде стратегических переговоров."
                ),
            )
        })
        .collect()
}

/// A TMX whose units carry the tuid prefix `prefix`, so an export can be checked for
/// holding all of them or none.
fn tagged_tmx(prefix: &str, n: u64) -> String {
    let body = hostile_support::tmx_with(
        &(0..n)
            .map(|i| {
                (
                    format!("{prefix} sentence {i} of the upload."),
                    format!("{prefix} предложение {i}."),
                )
            })
            .collect::<Vec<_>>(),
    );
    let mut i = 0;
    let mut out = String::new();
    for piece in body.split("<tu>") {
        if !out.is_empty() || body.starts_with("<tu>") {
            out.push_str(&format!("<tu tuid=\"{prefix}-{i}\">"));
            i += 1;
        }
        out.push_str(piece);
    }
    out
}

fn tbx(prefix: &str, n: u64) -> String {
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<tbx type=\"TBX-Basic\" style=\"dca\" \
         xml:lang=\"en\" xmlns=\"urn:iso:std:iso:30042:ed-2\"><tbxHeader><fileDesc><sourceDesc>\
         <p>load</p></sourceDesc></fileDesc></tbxHeader><text><body>\n",
    );
    for i in 0..n {
        s.push_str(&format!(
            "<conceptEntry id=\"{prefix}-{i}\"><langSec xml:lang=\"en\"><termSec><term>{prefix} \
             talks {i}</term></termSec></langSec><langSec xml:lang=\"ru\"><termSec><term>{prefix} \
             переговоры {i}</term></termSec></langSec></conceptEntry>\n"
        ));
    }
    s.push_str("</body></text></tbx>\n");
    s
}

#[test]
#[ignore]
fn concurrent_writers_and_readers_lose_nothing_and_backup_restores_under_load() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("load.db");
    let seed = dir.path().join("seed.tmx");
    let seeded = 2000;
    std::fs::write(&seed, hostile_support::tmx_with(&seed_units(seeded))).unwrap();
    let out = tmbase(&db).args(["import", "--memory", "load"]).arg(&seed).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    std::fs::write(dir.path().join("seed.tbx"), tbx("seed", 50)).unwrap();
    let out = tmbase(&db)
        .args(["terms", "import", "--termbase", "tb"])
        .arg(dir.path().join("seed.tbx"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let key = create_key(&db, "write");
    let log = dir.path().join("server.log");
    let server = Server::start(&db, &log, &[("TMBASE_WORKERS", "4")]);
    let addr = server.addr;
    let tally = Arc::new(Tally::default());
    let stop = Arc::new(AtomicBool::new(false));
    let known: Arc<Mutex<HashMap<i64, Known>>> = Arc::default();
    let concepts: Arc<Mutex<Vec<(i64, String)>>> = Arc::default();
    let uploads_done: Arc<Mutex<Vec<String>>> = Arc::default();
    let per_upload = 300;
    let mut threads = Vec::new();
    let req = move |method: &str, path: &str, key: Option<&str>, body: Option<&Value>| {
        let bytes = body.map(|b| serde_json::to_vec(b).unwrap());
        hostile_support::request(
            addr,
            method,
            path,
            key,
            body.map(|_| "application/json"),
            match &bytes {
                Some(b) => Body::Bytes(b),
                None => Body::None,
            },
        )
    };

    // Unit editors: create, update and delete units of their own.
    for w in 0..2u64 {
        let (tally, stop, known, key) = (tally.clone(), stop.clone(), known.clone(), key.clone());
        threads.push(std::thread::spawn(move || {
            let mut mine: Vec<i64> = Vec::new();
            let mut n = 0u64;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let text = format!("Editor {w} wrote line {n} about the negotiations.");
                let target = mine.get((n as usize * 7) % mine.len().max(1)).copied();
                let (method, id) = match (n % 6, target) {
                    (4, Some(id)) => ("PUT", Some(id)),
                    (5, Some(id)) => ("DELETE", Some(id)),
                    _ => ("POST", None),
                };
                if let Some(id) = id {
                    let mut k = known.lock().unwrap();
                    let e = k.get_mut(&id).unwrap();
                    if e.owner == w {
                        e.attempted_at = Instant::now();
                    }
                }
                let path = match id {
                    Some(id) => format!("/api/v1/memories/load/units/{id}"),
                    None => "/api/v1/memories/load/units".to_string(),
                };
                let body = unit_body(&text);
                let res = req(method, &path, Some(&key), (method != "DELETE").then_some(&body));
                let expected: &[u16] = match method {
                    "POST" => &[201],
                    "PUT" => &[200],
                    _ => &[204],
                };
                if !tally.check(&format!("{method} {path}"), &res, expected) {
                    continue;
                }
                tally.writes.fetch_add(1, Ordering::Relaxed);
                let now = Instant::now();
                let mut k = known.lock().unwrap();
                match method {
                    "POST" => {
                        let id = res.json()["id"].as_i64().unwrap();
                        k.insert(
                            id,
                            Known { owner: w, acked: Some(text), acked_at: now, attempted_at: now },
                        );
                        mine.push(id);
                    }
                    "PUT" => {
                        let e = k.get_mut(&id.unwrap()).unwrap();
                        if e.owner == w {
                            (e.acked, e.acked_at) = (Some(text), now);
                        }
                    }
                    _ => {
                        let e = k.get_mut(&id.unwrap()).unwrap();
                        if e.owner == w {
                            (e.acked, e.acked_at) = (None, now);
                        }
                        mine.retain(|m| Some(*m) != id);
                    }
                }
            }
        }));
    }
    // Term editor: creates concepts over HTTP and reads each one back.
    {
        let (tally, stop, concepts, key) =
            (tally.clone(), stop.clone(), concepts.clone(), key.clone());
        threads.push(std::thread::spawn(move || {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let term = format!("load term {n}");
                let body = json!({"languages": [
                    {"lang": "en", "terms": [{"text": term}]},
                    {"lang": "ru", "terms": [{"text": format!("нагрузочный термин {n}")}]}
                ]});
                let res = req("POST", "/api/v1/termbases/tb/concepts", Some(&key), Some(&body));
                if tally.check("POST concept", &res, &[201]) {
                    tally.writes.fetch_add(1, Ordering::Relaxed);
                    concepts.lock().unwrap().push((res.json()["id"].as_i64().unwrap(), term));
                }
                std::thread::sleep(Duration::from_millis(5));
            }
        }));
    }
    // Uploader: TMX imports over HTTP, one after the other.
    {
        let (tally, stop, uploads_done, key) =
            (tally.clone(), stop.clone(), uploads_done.clone(), key.clone());
        let dir = dir.path().to_path_buf();
        threads.push(std::thread::spawn(move || {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let prefix = format!("up{n}");
                let file = dir.join(format!("{prefix}.tmx"));
                std::fs::write(&file, tagged_tmx(&prefix, per_upload)).unwrap();
                let res = hostile_support::request(
                    addr,
                    "POST",
                    "/api/v1/memories/load/import",
                    Some(&key),
                    Some("application/xml"),
                    Body::File(&file),
                );
                if !tally.check("upload", &res, &[202]) {
                    continue;
                }
                let url = res.json()["status_url"].as_str().unwrap().to_string();
                loop {
                    let job = req("GET", &url, Some(&key), None);
                    tally.check("job", &job, &[200]);
                    match job.json()["state"].as_str().unwrap() {
                        "running" => std::thread::sleep(Duration::from_millis(20)),
                        "done" => {
                            tally.writes.fetch_add(1, Ordering::Relaxed);
                            uploads_done.lock().unwrap().push(prefix);
                            break;
                        }
                        _ => {
                            tally
                                .errors
                                .lock()
                                .unwrap()
                                .push(format!("upload job: {}", job.text()));
                            break;
                        }
                    }
                }
            }
        }));
    }
    // CLI imports and term imports: other processes writing the same database.
    let cli_imports = Arc::new(AtomicU64::new(0));
    {
        let (tally, stop, db, cli_imports) =
            (tally.clone(), stop.clone(), db.clone(), cli_imports.clone());
        let dir = dir.path().to_path_buf();
        threads.push(std::thread::spawn(move || {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let (args, file, content): (Vec<&str>, _, _) = if n % 2 == 0 {
                    (
                        vec!["import", "--memory", "cli"],
                        dir.join(format!("cli{n}.tmx")),
                        tagged_tmx(&format!("cli{n}"), 200),
                    )
                } else {
                    (
                        vec!["terms", "import", "--termbase", "tb"],
                        dir.join(format!("cli{n}.tbx")),
                        tbx(&format!("cli{n}"), 100),
                    )
                };
                std::fs::write(&file, content).unwrap();
                let out = tmbase(&db).args(&args).arg(&file).output().unwrap();
                let err = String::from_utf8_lossy(&out.stderr);
                if !out.status.success() || err.contains("locked") {
                    tally.errors.lock().unwrap().push(format!("CLI {args:?}: {err}"));
                } else {
                    tally.writes.fetch_add(1, Ordering::Relaxed);
                    cli_imports.fetch_add(1, Ordering::Relaxed);
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        }));
    }
    // Readers: suggest, concordance, export (checked for whole uploads only).
    let exports_checked = Arc::new(AtomicU64::new(0));
    for r in 0..6u64 {
        let (tally, stop, exports_checked) = (tally.clone(), stop.clone(), exports_checked.clone());
        threads.push(std::thread::spawn(move || {
            let mut n = 0u64;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                match (r + n) % 8 {
                    0 => {
                        let t = Instant::now();
                        let res = req("GET", "/api/v1/memories/load/export?source=en&target=ru", None, None);
                        tally.time("export", t);
                        if tally.check("export", &res, &[200]) {
                            let text = res.text();
                            assert!(text.trim_end().ends_with("</tmx>"), "an export was cut short");
                            let mut per_upload_count: HashMap<&str, u64> = HashMap::new();
                            for part in text.split("tuid=\"up").skip(1) {
                                let prefix = part.split('-').next().unwrap();
                                *per_upload_count.entry(prefix).or_default() += 1;
                            }
                            for (prefix, count) in per_upload_count {
                                assert_eq!(count, per_upload, "an export holds part of upload up{prefix}");
                            }
                            exports_checked.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    1 | 2 => {
                        let t = Instant::now();
                        let res = req("GET", "/api/v1/memories/load/concordance?q=Geneva&limit=20", None, None);
                        tally.time("concordance", t);
                        tally.check("concordance", &res, &[200]);
                    }
                    _ => {
                        let body = json!({
                            "text": format!("The delegations met in Geneva for round {} of the talks.", n % 3000),
                            "source_lang": "en", "target_lang": "ru", "termbases": ["tb"]
                        });
                        let t = Instant::now();
                        let res = req("POST", "/api/v1/suggest", None, Some(&body));
                        tally.time("suggest", t);
                        if tally.check("suggest", &res, &[200]) {
                            let v = res.json();
                            let best = v["segments"][0]["matches"][0]["score"].as_f64();
                            assert!(best.is_some_and(|s| s >= 50.0), "suggest found nothing: {v}");
                        }
                    }
                }
                tally.reads.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }

    // Backups while it runs.
    let started = Instant::now();
    let secs = load_secs();
    std::thread::sleep(Duration::from_secs(secs / 2));
    let backup = dir.path().join("backup.db");
    // What was acknowledged before the backup began must be in it.
    let concepts_at_backup = concepts.lock().unwrap().len();
    let uploads_at_backup = uploads_done.lock().unwrap().clone();
    let backup_started = Instant::now();
    let out = tmbase(&db).arg("backup").arg(&backup).output().unwrap();
    assert!(out.status.success(), "backup under load: {}", String::from_utf8_lossy(&out.stderr));
    let backup_took = backup_started.elapsed();
    let at_backup: HashMap<i64, Known> = known.lock().unwrap().clone();
    assert_eq!(integrity_check(&backup), "ok");
    let out = tmbase(&backup).args(["memories", "--json"]).output().unwrap();
    assert!(
        out.status.success(),
        "the backup does not open: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::thread::sleep(Duration::from_secs(secs - secs / 2).saturating_sub(backup_took));
    stop.store(true, Ordering::Relaxed);
    for t in threads {
        t.join().unwrap();
    }
    let elapsed = started.elapsed().as_secs_f64();
    let errors = tally.errors.lock().unwrap().clone();
    assert!(errors.is_empty(), "errors reached clients:\n{}", errors.join("\n"));

    // Nothing acknowledged is lost.
    let known = known.lock().unwrap().clone();
    for (id, k) in &known {
        let res = server.get(&format!("/api/v1/memories/load/units/{id}"), None);
        let stored = match res.status {
            200 => Some(res.json()["variants"][0]["text"].as_str().unwrap().to_string()),
            404 => None,
            s => panic!("GET unit {id}: {s}"),
        };
        assert_eq!(stored, k.acked, "unit {id}");
    }
    let concepts = concepts.lock().unwrap().clone();
    for (id, term) in &concepts {
        let res = server.get(&format!("/api/v1/termbases/tb/concepts/{id}"), None);
        assert_eq!(res.status, 200, "concept {id}: {}", res.text());
        assert!(res.text().contains(term.as_str()), "concept {id} lost {term}");
    }
    let uploads = uploads_done.lock().unwrap().clone();
    let export = server.get("/api/v1/memories/load/export?source=en&target=ru", None).text();
    for prefix in &uploads {
        assert_eq!(
            export.matches(&format!("tuid=\"{prefix}-")).count() as u64,
            per_upload,
            "upload {prefix} acknowledged as done is not whole"
        );
    }
    let live_edits = known.values().filter(|k| k.acked.is_some()).count() as u64;
    let units = server.get("/api/v1/memories/load", None).json()["units"].as_u64().unwrap();
    assert_eq!(units, seeded + live_edits + uploads.len() as u64 * per_upload);

    // Restore: stop the server, put the backup in place of the database, remove the old
    // -wal and -shm, start; every write acknowledged before the backup began is there.
    let mut server = server;
    server.kill();
    std::fs::rename(&backup, &db).unwrap();
    for ext in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{ext}", db.display()));
    }
    let restored = Server::start(&db, &dir.path().join("restored.log"), &[]);
    assert_eq!(restored.get("/health", None).status, 200);
    let mut verified = 0;
    for (id, k) in &at_backup {
        if k.acked_at >= backup_started || k.attempted_at >= backup_started {
            continue; // written around the backup: either state is right
        }
        let res = restored.get(&format!("/api/v1/memories/load/units/{id}"), None);
        let stored = (res.status == 200)
            .then(|| res.json()["variants"][0]["text"].as_str().unwrap().to_string());
        assert_eq!(stored, k.acked, "restored unit {id}");
        verified += 1;
    }
    for (id, term) in &concepts[..concepts_at_backup] {
        let res = restored.get(&format!("/api/v1/termbases/tb/concepts/{id}"), None);
        assert!(res.status == 200 && res.text().contains(term.as_str()), "restored concept {id}");
    }
    let restored_export =
        restored.get("/api/v1/memories/load/export?source=en&target=ru", None).text();
    for prefix in &uploads_at_backup {
        assert_eq!(
            restored_export.matches(&format!("tuid=\"{prefix}-")).count() as u64,
            per_upload,
            "restored upload {prefix}"
        );
    }
    assert_eq!(integrity_check(&db), "ok");

    let requests = tally.requests.load(Ordering::Relaxed);
    let writes = tally.writes.load(Ordering::Relaxed);
    let reads = tally.reads.load(Ordering::Relaxed);
    eprintln!(
        "load held for {elapsed:.1} s: {requests} HTTP requests ({:.0}/s), {reads} reads \
         ({:.0}/s: suggest, concordance, {} exports checked whole), {writes} acknowledged \
         writes ({:.1}/s: {} unit edits, {} concepts, {} uploads of {per_upload} units, {} CLI \
         imports); 0 errors; every acknowledged write found. Backup under load took {:.2} s; \
         restored from it: {verified} units and {concepts_at_backup} concepts written before \
         it checked, {} uploads whole",
        requests as f64 / elapsed,
        reads as f64 / elapsed,
        exports_checked.load(Ordering::Relaxed),
        writes as f64 / elapsed,
        writes - concepts.len() as u64 - uploads.len() as u64 - cli_imports.load(Ordering::Relaxed),
        concepts.len(),
        uploads.len(),
        cli_imports.load(Ordering::Relaxed),
        backup_took.as_secs_f64(),
        uploads_at_backup.len(),
    );
    eprintln!("mean read latency: {}", tally.latencies());
}

/// Keys never reach the log, even at debug level, whether they are right, wrong, or sent
/// as MyMemory's `key=` parameter.
#[test]
fn api_keys_never_appear_in_the_server_log_at_debug_level() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("keys.db");
    let write = create_key(&db, "write");
    let admin = create_key(&db, "admin");
    let wrong = "tmb_0123456789abcdef0123456789abcdef0123456789abcdef";
    let log = dir.path().join("server.log");
    let server = Server::start(&db, &log, &[("TMBASE_LOG", "debug"), ("RUST_LOG", "trace")]);
    for key in [write.as_str(), admin.as_str(), wrong] {
        let created = server.json("POST", "/api/v1/memories", Some(key), &json!({"name": "k"}));
        assert!([201, 401, 409].contains(&created.status), "{}", created.text());
        let unit =
            server.json("POST", "/api/v1/memories/k/units", Some(key), &unit_body("Key test."));
        assert!([201, 401, 404].contains(&unit.status), "{}", unit.text());
        server.get("/api/v1/memories/k/units", Some(key));
        server.get(&format!("/set?seg=a&tr=b&langpair=en|ru&key={key}"), None);
        server.get(&format!("/get?q=Key&langpair=en|ru&key={key}"), None);
        server.get("/api/v1/memories/k/export", Some(key));
    }
    let mut server = server;
    server.kill();
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.lines().count() > 1, "the debug log is empty: {text}");
    for key in [write.as_str(), admin.as_str(), wrong] {
        assert!(!text.contains(key), "a key is in the log");
        // Not even a good part of one.
        assert!(!text.contains(&key[4..24]), "part of a key is in the log");
    }
}

/// Regression: the term store began its write transactions DEFERRED, so a `terms import`
/// (or a concept edit) that had read while the server committed a unit failed at once with
/// "database is locked" instead of waiting. They begin IMMEDIATE now, like unit writes.
#[test]
fn term_import_waits_for_concurrent_writes_instead_of_failing_with_database_is_locked() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("locked.db");
    let key = create_key(&db, "write");
    let server = Server::start(&db, &dir.path().join("server.log"), &[]);
    assert_eq!(
        server.json("POST", "/api/v1/memories", Some(&key), &json!({"name": "m"})).status,
        201
    );
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..2)
        .map(|w| {
            let (stop, key, addr) = (stop.clone(), key.clone(), server.addr);
            std::thread::spawn(move || {
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) {
                    n += 1;
                    let body =
                        serde_json::to_vec(&unit_body(&format!("Writer {w} unit {n}."))).unwrap();
                    let res = hostile_support::request(
                        addr,
                        "POST",
                        "/api/v1/memories/m/units",
                        Some(&key),
                        Some("application/json"),
                        Body::Bytes(&body),
                    );
                    assert_eq!(res.status, 201, "{}", res.text());
                }
                n
            })
        })
        .collect();
    let mut failures = Vec::new();
    for i in 0..4 {
        let file = dir.path().join(format!("t{i}.tbx"));
        std::fs::write(&file, tbx(&format!("t{i}"), 300)).unwrap();
        let out =
            tmbase(&db).args(["terms", "import", "--termbase", "tb"]).arg(&file).output().unwrap();
        if !out.status.success() {
            failures.push(String::from_utf8_lossy(&out.stderr).into_owned());
        }
    }
    stop.store(true, Ordering::Relaxed);
    let written: u64 = writers.into_iter().map(|w| w.join().unwrap()).sum();
    assert!(
        failures.is_empty(),
        "term imports failed while {written} units were written: {failures:?}"
    );
    assert!(written > 0);
}

/// Regression: `tmbase backup` copied 1,000 pages per step, and SQLite restarts an online
/// backup whenever another connection writes to the source between two steps; under a
/// steady trickle of writes a database of more than a few thousand pages was never backed
/// up (the command spun forever). The copy is now one step: one read snapshot, which in WAL
/// mode does not block writers.
#[test]
fn backup_of_a_large_database_finishes_while_another_connection_keeps_writing() {
    use tmbase::model::{Metadata, Segment, Unit, Variant};
    use tmbase::store::Store;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("big.db");
    // About 12 MB: 3,000 pages and more.
    let filler = "The parties agreed to continue the consultations next week. ".repeat(30);
    let units: Vec<(String, String)> =
        (0..3000).map(|i| (format!("{i} {filler}"), format!("{i} {filler} (ru)"))).collect();
    std::fs::write(dir.path().join("big.tmx"), hostile_support::tmx_with(&units)).unwrap();
    let out = tmbase(&db)
        .args(["import", "--memory", "m"])
        .arg(dir.path().join("big.tmx"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (stop, db) = (stop.clone(), db.clone());
        std::thread::spawn(move || {
            let mut store = Store::open(&db).unwrap();
            let mut n = 0u64;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let v = |lang: &str, text: String| Variant {
                    lang: lang.into(),
                    meta: Metadata::default(),
                    annotations: vec![],
                    segment: Segment::from_text(text),
                };
                let unit = Unit {
                    tuid: None,
                    srclang: None,
                    meta: Metadata::default(),
                    annotations: vec![],
                    variants: vec![v("en", format!("Write {n}.")), v("ru", format!("Запись {n}."))],
                };
                store.create_unit("m", unit).unwrap();
                std::thread::sleep(Duration::from_millis(2));
            }
            n
        })
    };
    std::thread::sleep(Duration::from_millis(200));
    let backup = dir.path().join("copy.db");
    let mut child =
        tmbase(&db).arg("backup").arg(&backup).stdout(std::process::Stdio::null()).spawn().unwrap();
    let started = Instant::now();
    let finished = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if started.elapsed() > Duration::from_secs(60) {
            child.kill().unwrap();
            child.wait().unwrap();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    stop.store(true, Ordering::Relaxed);
    let writes = writer.join().unwrap();
    let status = finished.unwrap_or_else(|| {
        panic!("the backup did not finish in 60 s while {writes} units were written")
    });
    assert!(status.success());
    assert_eq!(integrity_check(&backup), "ok");
    let out = tmbase(&backup).args(["memories", "--json"]).output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v[0]["units"].as_u64().unwrap() >= 3000, "{v}");
}
