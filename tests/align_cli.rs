//! `tmbase align` run as a user would: TMX out, units into a memory, term-base anchors, the
//! review list, and the errors a user can make.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tmbase::model::Unit;
use tmbase::tmx::{ReadLimits, TmxReader, UnitRead};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/align");

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
            .output()
            .unwrap()
    }

    /// Runs a command that must succeed; returns (stdout, stderr).
    fn ok(&self, args: &[&str]) -> (String, String) {
        let out = self.run(args);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "tmbase {args:?} failed: {stderr}");
        (String::from_utf8(out.stdout).unwrap(), stderr)
    }
}

fn fixture(name: &str) -> String {
    Path::new(FIXTURES).join(name).display().to_string()
}

fn read_units(tmx: &[u8]) -> Vec<Unit> {
    let mut reader =
        TmxReader::new(Box::new(std::io::Cursor::new(tmx.to_vec())), ReadLimits::default())
            .unwrap();
    let mut units = Vec::new();
    while let Some(read) = reader.next_unit() {
        match read.unwrap() {
            UnitRead::Unit { unit, .. } => units.push(*unit),
            UnitRead::Skipped(skipped) => panic!("skipped unit: {skipped:?}"),
        }
    }
    units
}

fn prop<'a>(unit: &'a Unit, kind: &str) -> Option<&'a str> {
    unit.annotations.iter().find(|a| a.prop_type.as_deref() == Some(kind)).map(|a| a.value.as_str())
}

const ALIGN_ARTICLE: [&str; 5] = ["align", "--source-lang", "ru", "--target-lang", "en"];

fn align_args<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    ALIGN_ARTICLE.iter().copied().chain(extra.iter().copied()).collect()
}

#[test]
fn writes_the_article_as_tmx_with_bead_and_confidence_props() {
    let env = Env::new();
    let (ru, en) = (fixture("article.ru.txt"), fixture("article.en.txt"));
    let out = env.path("out.tmx");
    let out_arg = out.display().to_string();
    let (stdout, stderr) = env.ok(&align_args(&[&ru, &en, "-o", &out_arg, "--tuid-prefix", "izv"]));
    assert!(stdout.is_empty(), "{stdout}");
    assert!(
        stderr
            .contains("aligned 44 source and 51 target sentences in 44 beads (37 × 1-1, 7 × 1-2)"),
        "{stderr}"
    );
    assert!(stderr.contains("wrote 44 units to"), "{stderr}");
    assert!(stderr.contains("no bead to review"), "{stderr}");

    let tmx = std::fs::read(&out).unwrap();
    let text = String::from_utf8(tmx.clone()).unwrap();
    assert!(text.contains("srclang=\"ru\""), "{text}");
    let units = read_units(&tmx);
    assert_eq!(units.len(), 44);
    assert_eq!(units[1].tuid.as_deref(), Some("izv-0002"));
    assert_eq!(prop(&units[1], "x-alignment-bead"), Some("1-2"));
    assert_eq!(prop(&units[1], "x-paragraph"), Some("2"));
    let confidence: f64 = prop(&units[1], "x-alignment-confidence").unwrap().parse().unwrap();
    assert!((0.0..=1.0).contains(&confidence));
    let english = units[1].variant("en").unwrap().segment.plain_text();
    assert!(english.starts_with("A series of international talks"), "{english}");
    assert!(english.ends_with("compared these talks to a triathlon."), "{english}");
    assert_eq!(units.iter().filter(|u| prop(u, "x-alignment-bead") == Some("1-2")).count(), 7);
}

#[test]
fn writes_tmx_to_standard_output_without_output_or_memory() {
    let env = Env::new();
    let (stdout, _) =
        env.ok(&align_args(&[&fixture("article.ru.txt"), &fixture("article.en.txt")]));
    let units = read_units(stdout.as_bytes());
    assert_eq!(units.len(), 44);
    // Without --tuid-prefix the source file's name numbers the units.
    assert_eq!(units[0].tuid.as_deref(), Some("article-0001"));
}

#[test]
fn adds_the_units_to_a_memory_and_uses_term_base_anchors() {
    let env = Env::new();
    let tbx = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/security-terms.tbx");
    env.ok(&["terms", "import", &tbx.display().to_string(), "--termbase", "security"]);
    let (ru, en) = (fixture("article.ru.txt"), fixture("article.en.txt"));
    let (stdout, stderr) =
        env.ok(&align_args(&[&ru, &en, "--memory", "izvestia", "--termbase", "security"]));
    assert!(stdout.is_empty(), "only --memory: no TMX on standard output");
    assert!(stderr.contains("44 units read, 44 added"), "{stderr}");
    let (memories, _) = env.ok(&["memories", "--json"]);
    assert!(memories.contains("\"izvestia\""), "{memories}");
    // The same alignment again adds nothing (duplicates are skipped).
    let (_, again) =
        env.ok(&align_args(&[&ru, &en, "--memory", "izvestia", "--termbase", "security"]));
    assert!(again.contains("0 added"), "{again}");
}

#[test]
fn lists_beads_to_review_when_a_translation_leaves_sentences_out() {
    let env = Env::new();
    // The English without "The U.S. responded to these Russian initiatives promptly." and
    // without the whole answer of Lavrov's paragraph after its first sentence.
    let english = std::fs::read_to_string(fixture("article.en.txt")).unwrap();
    let english = english
        .replace(" The U.S. responded to these Russian initiatives promptly.", "")
        .replace(
            " The U.S. immediately demanded that Russia withdraw its troops from the Ukrainian border so that its soldiers could return to their quarters. In response, Lavrov said that such demands would not even be considered.",
            "",
        );
    let en = env.path("shortened.en.txt");
    std::fs::write(&en, english).unwrap();
    let (_, stderr) = env.ok(&align_args(&[
        &fixture("article.ru.txt"),
        &en.display().to_string(),
        "-o",
        &env.path("out.tmx").display().to_string(),
    ]));
    assert!(stderr.contains("beads to review (confidence below 0.80"), "{stderr}");
    // Lavrov's sentence has no translation left: a 1-0 bead or a low-confidence one.
    let listed = stderr.split("beads to review").nth(1).unwrap();
    assert!(listed.contains("Сергей Лавров в ответ на американские призывы"), "{stderr}");
    assert!(listed.contains("    source ") && listed.contains("    target "), "{stderr}");
}

#[test]
fn refuses_an_unknown_term_base_and_text_that_is_not_utf8() {
    let env = Env::new();
    let (ru, en) = (fixture("article.ru.txt"), fixture("article.en.txt"));
    let out = env.run(&align_args(&[&ru, &en, "--termbase", "nonesuch"]));
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("nonesuch"), "{stderr}");

    let latin1 = env.path("latin1.txt");
    std::fs::write(&latin1, b"caf\xe9\n").unwrap();
    let out = env.run(&align_args(&[&ru, &latin1.display().to_string()]));
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("is not UTF-8 text (byte 3 is not)"), "{stderr}");

    let out = env.run(&align_args(&[&ru, &en, "--review-below", "2"]));
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--review-below"));
}
