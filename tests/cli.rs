//! The real `tmbase` binary, run as a user would: import, export, list and delete.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        Env { dir: tempfile::tempdir().unwrap() }
    }

    fn db(&self) -> PathBuf {
        self.dir.path().join("t.db")
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_tmbase"))
            .arg("--db")
            .arg(self.db())
            .args(args)
            .env_remove("TMBASE_DB")
            .output()
            .unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "tmbase {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    fn json(&self, args: &[&str]) -> Value {
        serde_json::from_str(&self.ok(args)).unwrap()
    }

    fn write(&self, name: &str, content: &[u8]) -> String {
        let p = self.path(name);
        std::fs::write(&p, content).unwrap();
        p.to_str().unwrap().to_string()
    }
}

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
        .to_str()
        .unwrap()
        .to_string()
}

#[test]
fn import_reports_counts_and_skips_as_json() {
    let env = Env::new();
    let r = env.json(&["import", &fixture("ru-en-small.tmx"), "--memory", "news", "--json"]);
    assert_eq!(r["units_read"], 5);
    assert_eq!(r["added"], 4);
    assert_eq!(r["updated"], 0);
    assert_eq!(r["skipped"], 1);
    let file = &r["files"][0];
    assert_eq!(file["skipped_by_reason"]["fewer_than_two_variants"], 1);
    assert_eq!(file["problems"][0]["tuid"], "5");
    assert_eq!(file["problems"][0]["line"], 27);
    assert_eq!(file["problems"][0]["column"], 5);
    assert_eq!(file["languages"]["ru-RU"], 3);
}

#[test]
fn reimporting_own_export_adds_nothing() {
    let env = Env::new();
    env.ok(&["import", &fixture("ru-en-small.tmx"), "--memory", "news"]);
    let out = env.path("out.tmx");
    env.ok(&["export", "--memory", "news", "-o", out.to_str().unwrap()]);
    let r = env.json(&["import", out.to_str().unwrap(), "--memory", "news", "--json"]);
    assert_eq!(r["added"], 0);
    assert_eq!(r["skipped"], 4);
    assert_eq!(r["files"][0]["skipped_by_reason"]["duplicate"], 4);
}

#[test]
fn keep_policy_adds_duplicates_and_overwrite_updates_by_tuid() {
    let env = Env::new();
    env.ok(&["import", &fixture("ru-en-small.tmx"), "--memory", "m"]);
    let r = env.json(&[
        "import",
        &fixture("ru-en-small.tmx"),
        "--memory",
        "m",
        "--on-duplicate",
        "keep",
        "--json",
    ]);
    assert_eq!(r["added"], 4);

    let env = Env::new();
    env.ok(&["import", &fixture("ru-en-small.tmx"), "--memory", "m"]);
    let changed = std::fs::read_to_string(fixture("ru-en-small.tmx"))
        .unwrap()
        .replace("Kyiv", "Kiev (old spelling)");
    let changed = env.write("changed.tmx", changed.as_bytes());
    let r =
        env.json(&["import", &changed, "--memory", "m", "--on-duplicate", "overwrite", "--json"]);
    assert_eq!(r["added"], 0);
    assert_eq!(r["updated"], 4);
    let exported = env.ok(&["export", "--memory", "m"]);
    assert!(exported.contains("Kiev (old spelling)"));
    assert!(!exported.contains(">Kyiv<"));
    assert_eq!(exported.matches("<tu ").count(), 4);
}

#[test]
fn dry_run_writes_nothing() {
    let env = Env::new();
    let r =
        env.json(&["import", &fixture("ru-en-small.tmx"), "--memory", "m", "--dry-run", "--json"]);
    assert_eq!(r["added"], 4);
    let list = env.json(&["memories", "--json"]);
    assert_eq!(list.as_array().unwrap().len(), 0, "{list}");
}

#[test]
fn broken_file_fails_with_position_and_leaves_nothing_behind() {
    let env = Env::new();
    env.ok(&["import", &fixture("ru-en-small.tmx"), "--memory", "m"]);
    let good = std::fs::read_to_string(fixture("ru-en-small.tmx")).unwrap();
    let other = good.replace("Kyiv", "Kyiv city").replace("NATO meeting", "NATO summit");
    let cut =
        env.write("cut.tmx", &other.as_bytes()[..other.find("<tu tuid=\"5\">").unwrap() + 20]);
    let out = env.run(&["import", &cut, "--memory", "m", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let failure = r["failed"][0].as_str().unwrap();
    assert!(failure.contains("cut.tmx") && failure.contains("line 2"), "{failure}");
    let list = env.json(&["memories", "--json"]);
    assert_eq!(list[0]["units"], 4, "the two changed units of the broken file must not be stored");
}

#[test]
fn one_bad_file_does_not_stop_the_others() {
    let env = Env::new();
    let bad = env.write("bad.tmx", b"<tmx><header/><body><tu>");
    let out = env.run(&["import", &bad, &fixture("ru-en-small.tmx"), "--memory", "m", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["added"], 4);
    assert_eq!(r["failed"].as_array().unwrap().len(), 1);
}

#[test]
fn export_filters_languages_bare_language_takes_regions() {
    let env = Env::new();
    env.ok(&["import", &fixture("ru-en-small.tmx"), "--memory", "m"]);
    let all_ru = env.ok(&["export", "--memory", "m", "--source", "ru", "--target", "en"]);
    assert_eq!(all_ru.matches("<tu ").count(), 4, "ru finds ru-RU and ru-UA");
    assert!(!all_ru.contains("de-DE"), "other languages are left out");
    assert!(all_ru.contains("srclang=\"ru\""));
    let ru_ru = env.ok(&["export", "--memory", "m", "--source", "ru_RU", "--target", "en-us"]);
    assert_eq!(ru_ru.matches("<tu ").count(), 3, "ru-RU does not take ru-UA");
    assert!(!ru_ru.contains("Kyiv"));
}

#[test]
fn export_keeps_markup_metadata_and_names_tmbase() {
    let env = Env::new();
    env.ok(&["import", &fixture("ru-en-small.tmx"), "--memory", "m"]);
    let x = env.ok(&["export", "--memory", "m"]);
    assert!(x.contains("creationtool=\"tmbase\""));
    assert!(x.contains(&format!("creationtoolversion=\"{}\"", env!("CARGO_PKG_VERSION"))));
    assert!(x.contains("<bpt i=\"1\" type=\"bold\">&lt;b&gt;</bpt>ОК<ept i=\"1\">&lt;/b&gt;</ept>"));
    assert!(x.contains("<prop type=\"x-domain\">politics</prop>"));
    assert!(x.contains("<prop type=\"x-context-pre\">—</prop>"));
    assert!(x.contains("creationid=\"ANNA\""));
}

#[test]
fn memories_lists_counts_and_pairs_and_delete_needs_yes_without_terminal() {
    let env = Env::new();
    env.ok(&["import", &fixture("ru-en-small.tmx"), "--memory", "news"]);
    let list = env.json(&["memories", "--json"]);
    assert_eq!(list[0]["name"], "news");
    assert_eq!(list[0]["units"], 4);
    let pairs: Vec<String> = list[0]["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            format!(
                "{}>{}:{}",
                p["source"].as_str().unwrap(),
                p["target"].as_str().unwrap(),
                p["units"]
            )
        })
        .collect();
    assert_eq!(pairs, ["ru-RU>de-DE:1", "ru-RU>en-US:3"]);
    let text = env.ok(&["memories"]);
    assert!(text.starts_with("news\t4 units"), "{text}");

    let out = env.run(&["memory", "delete", "news"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--yes"));
    env.ok(&["memory", "delete", "news", "--yes"]);
    assert_eq!(env.json(&["memories", "--json"]).as_array().unwrap().len(), 0);
    let out = env.run(&["memory", "delete", "news", "--yes"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("no memory named \"news\""));
}

#[test]
fn db_comes_from_flag_or_environment() {
    let env = Env::new();
    let via_env = env.path("env.db");
    let out = Command::new(env!("CARGO_BIN_EXE_tmbase"))
        .args(["import", &fixture("ru-en-small.tmx"), "--memory", "m"])
        .env("TMBASE_DB", &via_env)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(via_env.exists());
    assert!(!env.db().exists());
}

#[test]
fn database_from_a_newer_tmbase_is_refused_untouched() {
    let env = Env::new();
    env.ok(&["memories"]);
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    conn.pragma_update(None, "user_version", 999).unwrap();
    drop(conn);
    let out = env.run(&["memories"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("schema version 999"), "{err}");
}

#[test]
fn missing_file_and_not_tmx_fail_clearly() {
    let env = Env::new();
    let out = env.run(&["import", "/nonexistent/x.tmx", "--memory", "m"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/x.tmx"));
    let map = env.write("map.tmx", b"<?xml version=\"1.0\"?><map version=\"1.0\"></map>");
    let out = env.run(&["import", &map, "--memory", "m"]);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("not a TMX file: the root element is <map>")
    );
}

#[test]
fn undeclared_inline_attributes_are_stored_but_left_out_of_exports() {
    let env = Env::new();
    let doc = r#"<tmx version="1.4"><header srclang="en"/><body>
<tu><tuv xml:lang="en"><seg>a<ph id="1" x="2">&lt;br&gt;</ph></seg></tuv><tuv xml:lang="ru"><seg>б</seg></tuv></tu>
</body></tmx>"#;
    let file = env.write("heartsome.tmx", doc.as_bytes());
    env.ok(&["import", &file, "--memory", "m"]);
    let exported = env.ok(&["export", "--memory", "m"]);
    assert!(exported.contains(r#"<ph x="2">&lt;br&gt;</ph>"#), "{exported}");
    // The stored segment still has the attribute, so the unit counts as a duplicate of the
    // original file and not of the export.
    let again = env.json(&["import", &file, "--memory", "m", "--json"]);
    assert_eq!(again["files"][0]["skipped_by_reason"]["duplicate"], 1);
}

/// A TMX of `units` distinct Russian–English units.
fn many_units_tmx(units: usize) -> Vec<u8> {
    let mut tmx = String::from(
        "<?xml version=\"1.0\"?>\n<tmx version=\"1.4\"><header srclang=\"ru\"/><body>\n",
    );
    for i in 0..units {
        tmx.push_str(&format!(
            "<tu><tuv xml:lang=\"ru\"><seg>Строка номер {i}</seg></tuv>\
             <tuv xml:lang=\"en\"><seg>Line number {i}</seg></tuv></tu>\n"
        ));
    }
    tmx.push_str("</body></tmx>\n");
    tmx.into_bytes()
}

#[test]
fn export_to_a_reader_that_stops_early_ends_quietly() {
    use std::io::Read;
    let env = Env::new();
    let tmx = env.write("many.tmx", &many_units_tmx(5000));
    env.ok(&["import", &tmx, "--memory", "m"]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_tmbase"))
        .arg("--db")
        .arg(env.db())
        .args(["export", "--memory", "m"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut head = [0u8; 100];
    child.stdout.take().unwrap().read_exact(&mut head).unwrap(); // then the pipe closes
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "status {:?}, stderr: {stderr}", out.status);
    assert!(stderr.is_empty(), "nothing to say when the reader goes: {stderr}");
}

#[test]
fn export_to_a_full_disk_says_it_cannot_write_not_that_the_store_is_damaged() {
    let full = Path::new("/dev/full");
    if !full.exists() {
        eprintln!("skipped: no /dev/full on this system");
        return;
    }
    let env = Env::new();
    let tmx = env.write("many.tmx", &many_units_tmx(2000));
    env.ok(&["import", &tmx, "--memory", "m"]);
    let out = Command::new(env!("CARGO_BIN_EXE_tmbase"))
        .arg("--db")
        .arg(env.db())
        .args(["export", "--memory", "m"])
        .stdout(std::fs::File::create(full).unwrap())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("cannot write the TMX: No space left"), "{stderr}");
    assert!(!stderr.contains("damaged"), "{stderr}");
    assert_eq!(stderr.matches("No space left").count(), 1, "said once: {stderr}");
}
