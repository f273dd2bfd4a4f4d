//! The real `tmbase` binary, run as a terminologist would: `tmbase terms …` for import,
//! export, curation, history, search, bulk status, recognition and term QA.

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

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_tmbase"))
            .arg("--db")
            .arg(self.path("t.db"))
            .args(args)
            .env_remove("TMBASE_DB")
            .env("TMBASE_USER", "anna")
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

    /// The security fixture imported as the term base `sec`.
    fn with_fixture() -> Env {
        let env = Env::new();
        env.ok(&["terms", "import", &fixture("security-ru-en.tbx"), "--termbase", "sec"]);
        env
    }
}

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/terms")
        .join(name)
        .to_str()
        .unwrap()
        .to_string()
}

#[test]
fn find_gives_offsets_terms_and_targets_as_json() {
    let env = Env::with_fixture();
    let v = env.json(&[
        "terms",
        "find",
        "--termbase",
        "sec",
        "--from",
        "ru",
        "--to",
        "en",
        "--json",
        "Расширение Североатлантического альянса и гарантии безопасности",
    ]);
    let terms = v["terms"].as_array().unwrap();
    let got: Vec<(u64, u64, &str, &str)> = terms
        .iter()
        .map(|t| {
            (
                t["start"].as_u64().unwrap(),
                t["end"].as_u64().unwrap(),
                t["text"].as_str().unwrap(),
                t["term"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (11, 39, "Североатлантического альянса", "Североатлантический альянс"),
            (42, 63, "гарантии безопасности", "гарантии безопасности"),
        ]
    );
    assert_eq!(terms[1]["targets"][0]["term"], "security guarantees");
    assert_eq!(terms[1]["targets"][0]["status"], "preferred");
    assert_eq!(terms[1]["concept"], "security-guarantees");
}

#[test]
fn check_reports_missing_forbidden_and_changed_do_not_translate_terms() {
    let env = Env::with_fixture();
    let good = env.run(&[
        "terms",
        "check",
        "--termbase",
        "sec",
        "--from",
        "ru",
        "--to",
        "en",
        "В Женеве обсудили гарантии безопасности.",
        "In Женеве they discussed the security guarantees.",
    ]);
    assert!(good.status.success(), "{}", String::from_utf8_lossy(&good.stdout));
    let out = env.run(&[
        "terms",
        "check",
        "--termbase",
        "sec",
        "--from",
        "ru",
        "--to",
        "en",
        "--json",
        "В Женеве обсудили гарантии безопасности и санкции.",
        "In Geneva they discussed safety guarantees and sanctions.",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut kinds: Vec<&str> =
        v["issues"].as_array().unwrap().iter().map(|i| i["kind"].as_str().unwrap()).collect();
    kinds.sort_unstable();
    assert_eq!(
        kinds,
        ["deprecated_target_term", "do_not_translate_changed", "missing_target_term"]
    );
}

#[test]
fn inflected_target_terms_count_as_present() {
    let env = Env::with_fixture();
    let out = env.run(&[
        "terms",
        "check",
        "--termbase",
        "sec",
        "--from",
        "ru",
        "--to",
        "en",
        "Санкции и ракета.",
        "The sanction and the missiles.",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
}

#[test]
fn concepts_are_created_changed_listed_and_deleted_with_history() {
    let env = Env::new();
    env.ok(&["terms", "base", "create", "tb", "--description", "test"]);
    let c = env.json(&[
        "terms",
        "concept",
        "add",
        "--termbase",
        "tb",
        "--term",
        "ru=карта",
        "--term",
        "en=map",
        "--definition",
        "изображение местности",
        "--id",
        "c-map",
        "--json",
    ]);
    assert_eq!(c["id"], "c-map");
    assert_eq!(c["created_by"], "anna");
    let ru_term = c["languages"][0]["terms"][0]["id"].as_i64().unwrap().to_string();
    env.ok(&[
        "terms",
        "term",
        "update",
        "--termbase",
        "tb",
        &ru_term,
        "--status",
        "preferred",
        "--pos",
        "noun",
        "--gender",
        "feminine",
        "--user",
        "boris",
    ]);
    env.ok(&[
        "terms",
        "term",
        "add",
        "--termbase",
        "tb",
        "--concept",
        "c-map",
        "--lang",
        "en",
        "chart",
        "--status",
        "admitted",
    ]);
    env.ok(&[
        "terms",
        "concept",
        "update",
        "--termbase",
        "tb",
        "c-map",
        "--subject-field",
        "geography",
        "--lang-note",
        "en=UK usage",
    ]);
    let shown = env.json(&["terms", "concept", "show", "--termbase", "tb", "c-map", "--json"]);
    assert_eq!(shown["subject_field"], "geography");
    let ru = &shown["languages"][0];
    assert_eq!(ru["terms"][0]["status"], "preferred");
    assert_eq!(ru["terms"][0]["gender"], "feminine");
    assert_eq!(ru["terms"][0]["changed_by"], "boris");
    assert_eq!(shown["languages"][1]["note"], "UK usage");
    assert_eq!(shown["languages"][1]["terms"].as_array().unwrap().len(), 2);

    let history = env.json(&["terms", "concept", "history", "--termbase", "tb", "c-map", "--json"]);
    let entries: Vec<(String, String, String)> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["by"].as_str().unwrap_or("").to_string(),
                h["action"].as_str().unwrap().to_string(),
                h["field"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let want = [
        ("anna", "created", ""),
        ("boris", "updated", "part_of_speech"),
        ("boris", "updated", "gender"),
        ("boris", "updated", "status"),
        ("anna", "updated", ""),
        ("anna", "updated", "subject_field"),
        ("anna", "updated", "note"),
    ];
    let want: Vec<(String, String, String)> =
        want.iter().map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string())).collect();
    assert_eq!(entries, want);

    let number = shown["number"].as_i64().unwrap().to_string();
    env.ok(&["terms", "concept", "delete", "--termbase", "tb", "c-map"]);
    assert!(!env.run(&["terms", "concept", "show", "--termbase", "tb", "c-map"]).status.success());
    let history = env.json(&["terms", "concept", "history", "--termbase", "tb", &number, "--json"]);
    assert_eq!(history.as_array().unwrap().last().unwrap()["action"], "deleted");
}

#[test]
fn search_by_prefix_and_substring_ignores_case_and_yo() {
    let env = Env::with_fixture();
    let v = env.json(&["terms", "search", "--termbase", "sec", "ПАРТНЕР", "--json"]);
    let terms: Vec<&str> =
        v["terms"].as_array().unwrap().iter().map(|t| t["term"].as_str().unwrap()).collect();
    assert_eq!(terms, ["партнёр"]);
    let v = env.json(&[
        "terms",
        "search",
        "--termbase",
        "sec",
        "безопасност",
        "--contains",
        "--lang",
        "ru",
        "--json",
    ]);
    let mut terms: Vec<&str> =
        v["terms"].as_array().unwrap().iter().map(|t| t["term"].as_str().unwrap()).collect();
    terms.sort_unstable();
    assert_eq!(
        terms,
        ["безопасность", "гарантии безопасности", "европейская безопасность", "кибербезопасность"]
    );
}

#[test]
fn bulk_status_change_touches_only_the_selection() {
    let env = Env::with_fixture();
    let out = env.run(&[
        "terms",
        "status",
        "--termbase",
        "sec",
        "--set",
        "admitted",
        "--lang",
        "en",
        "--from",
        "preferred",
        "--contains",
        "missile",
    ]);
    assert!(out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("3 terms"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = env.json(&["terms", "search", "--termbase", "sec", "missile", "--contains", "--json"]);
    for t in v["terms"].as_array().unwrap() {
        assert_eq!(t["status"], "admitted", "{t}");
    }
    let v = env.json(&["terms", "search", "--termbase", "sec", "ракет", "--json"]);
    for t in v["terms"].as_array().unwrap() {
        assert_eq!(t["status"], "preferred", "{t}");
    }
    let history =
        env.json(&["terms", "concept", "history", "--termbase", "sec", "missile", "--json"]);
    let last = history.as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (last["field"].as_str(), last["old"].as_str(), last["new"].as_str()),
        (Some("status"), Some("preferred"), Some("admitted"))
    );
}

#[test]
fn export_formats_reimport() {
    let env = Env::with_fixture();
    for (format, name, extra) in [
        ("tbx", "out.tbx", vec![]),
        ("tbx2", "out2.tbx", vec![]),
        ("csv", "out.csv", vec![]),
        ("tsv", "out.tsv", vec!["--source-lang", "ru", "--target-lang", "en"]),
    ] {
        let path = env.path(name);
        let mut args = vec![
            "terms",
            "export",
            "--termbase",
            "sec",
            "--format",
            format,
            "-o",
            path.to_str().unwrap(),
        ];
        if format == "tsv" {
            args.extend(["--source", "ru", "--target", "en"]);
        }
        env.ok(&args);
        let mut import =
            vec!["terms", "import", path.to_str().unwrap(), "--termbase", name, "--json"];
        import.extend(extra);
        let report = env.json(&import);
        assert_eq!(report["failed"].as_array().unwrap().len(), 0, "{format}: {report}");
        let added = report["added"].as_u64().unwrap();
        // TSV has a line per usable source term: Евросоюз and ЕС, Министерство обороны and
        // Минобороны give two.
        let want = if format == "tsv" { 62 } else { 60 };
        assert_eq!(added, want, "{format}: {report}");
    }
    let csv = std::fs::read_to_string(env.path("out.csv")).unwrap();
    assert!(
        csv.starts_with(
            "Forbidden,Domain,Definition,en,Notes,Example of use,ru,Notes,Example of use\r\n"
        ),
        "{csv}"
    );
}

#[test]
fn a_file_that_is_not_well_formed_leaves_nothing_behind() {
    let env = Env::new();
    let bad = env.write(
        "bad.tbx",
        "<?xml version=\"1.0\"?>\n<martif type=\"TBX\" xml:lang=\"en\"><text><body>\n\
         <termEntry id=\"a\"><langSet xml:lang=\"en\"><tig><term>one</term></tig></langSet></termEntry>\n\
         <termEntry id=\"b\"><langSet xml:lang=\"en\"><tig><term>two</tig></langSet></termEntry>\n\
         </body></text></martif>\n"
            .as_bytes(),
    );
    let out = env.run(&["terms", "import", &bad, "--termbase", "tb"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 4, column"), "{err}");
    let bases = env.json(&["terms", "bases", "--json"]);
    let concepts =
        bases.as_array().unwrap().iter().map(|b| b["concepts"].as_u64().unwrap()).sum::<u64>();
    assert_eq!(concepts, 0, "{bases}");
}

#[test]
fn a_bad_entry_is_skipped_and_reported_with_its_position() {
    let env = Env::new();
    let file = env.write(
        "some.tbx",
        "<?xml version=\"1.0\"?>\n<tbx type=\"TBX-Basic\" style=\"dca\" xml:lang=\"en\" xmlns=\"urn:iso:std:iso:30042:ed-2\">\n\
         <tbxHeader><fileDesc><sourceDesc><p>x</p></sourceDesc></fileDesc></tbxHeader><text><body>\n\
         <conceptEntry id=\"a\"><langSec xml:lang=\"en\"><termSec><term>one</term></termSec></langSec></conceptEntry>\n\
         <conceptEntry id=\"b\"><langSec><termSec><term>two</term></termSec></langSec></conceptEntry>\n\
         <conceptEntry id=\"c\"><langSec xml:lang=\"de\"><termSec><term>drei</term></termSec></langSec></conceptEntry>\n\
         </body></text></tbx>\n"
            .as_bytes(),
    );
    let report = env.json(&["terms", "import", &file, "--termbase", "tb", "--json"]);
    assert_eq!(report["added"], 2);
    let problem = &report["files"][0]["problems"][0];
    assert_eq!((problem["line"].as_u64(), problem["column"].as_u64()), (Some(5), Some(1)));
    assert_eq!(problem["id"], "b");
    assert_eq!(problem["reason"], "no_language");
}

#[test]
fn omegat_glossary_needs_languages_and_reimport_adds_nothing() {
    let env = Env::new();
    let file = env.write(
        "g.txt",
        "# -*- coding: utf-8 -*-\nкарта\tmap\tкомментарий\nмир\tpeace\n".as_bytes(),
    );
    let out = env.run(&["terms", "import", &file, "--termbase", "g"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--source-lang"));
    let args = [
        "terms",
        "import",
        &file,
        "--termbase",
        "g",
        "--source-lang",
        "ru",
        "--target-lang",
        "en",
        "--json",
    ];
    assert_eq!(env.json(&args)["added"], 2);
    let again = env.json(&args);
    assert_eq!((again["added"].as_u64(), again["skipped"].as_u64()), (Some(0), Some(2)));
}
