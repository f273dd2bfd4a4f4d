//! `tmbase segment` run as a user would: built-in rules, a user's SRX file, standard
//! input, and the messages for SRX files tmbase cannot use.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/segment").join(name)
}

fn segment(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tmbase"))
        .arg("segment")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("tmbase runs");
    child.stdin.take().expect("stdin").write_all(stdin.as_bytes()).expect("stdin written");
    child.wait_with_output().expect("tmbase ends")
}

fn lines(output: &Output) -> Vec<String> {
    assert!(
        output.status.success(),
        "tmbase segment failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).lines().map(str::to_string).collect()
}

#[test]
fn prints_one_segment_per_line_from_standard_input() {
    let text =
        "Встреча прошла в г. Женеве, т. е. на нейтральной территории. Итоги подвели позже.\n\
                Новый абзац";
    let printed = lines(&segment(&["--lang", "ru"], text));
    assert_eq!(
        printed,
        [
            "Встреча прошла в г. Женеве, т. е. на нейтральной территории.",
            "Итоги подвели позже.",
            "Новый абзац",
        ]
    );
    let dash = lines(&segment(&["--lang", "ru", "-"], "Да. Нет."));
    assert_eq!(dash, ["Да.", "Нет."]);
}

#[test]
fn reads_a_file_and_strips_a_byte_order_mark() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("in.txt");
    std::fs::write(&path, "\u{FEFF}Dr. Watson came. He left.\r\n").expect("written");
    let printed = lines(&segment(&["--lang", "en-US", path.to_str().expect("utf-8 path")], ""));
    assert_eq!(printed, ["Dr. Watson came.", "He left."]);
}

#[test]
fn a_user_srx_file_replaces_the_built_in_rules() {
    let srx = fixture("two-languages.srx");
    let srx = srx.to_str().expect("utf-8 path");
    let text = "Dr. Watson met J. Biden. He left.";
    let english = lines(&segment(&["--lang", "en", "--srx", srx], text));
    assert_eq!(english, ["Dr. Watson met J.", "Biden.", "He left."]);
    let other = lines(&segment(&["--lang", "de", "--srx", srx], text));
    assert_eq!(other, ["Dr.", "Watson met J.", "Biden.", "He left."]);
}

#[test]
fn a_bad_regex_is_refused_with_file_line_and_column() {
    let srx = fixture("look-behind.srx");
    let srx = srx.to_str().expect("utf-8 path");
    let output = segment(&["--lang", "en", "--srx", srx], "Dr. Who.");
    assert_eq!(output.status.code(), Some(1));
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(message.contains("look-behind.srx: line 9, column 9"), "{message}");
    assert!(message.contains(r#"in "English""#), "{message}");
    assert!(message.contains("look-behind is not supported"), "{message}");
}

#[test]
fn bad_rules_can_be_skipped_with_a_warning() {
    let srx = fixture("look-behind.srx");
    let srx = srx.to_str().expect("utf-8 path");
    let output = segment(&["--lang", "en", "--srx", srx, "--skip-bad-rules"], "Dr. Who. Yes.");
    let message = String::from_utf8_lossy(&output.stderr).to_string();
    assert_eq!(lines(&output), ["Dr.", "Who.", "Yes."]);
    assert!(message.contains("warning:") && message.contains("line 9, column 9"), "{message}");
}

#[test]
fn a_missing_or_broken_srx_file_is_an_error() {
    let missing = segment(&["--lang", "en", "--srx", "/nonexistent/rules.srx"], "x");
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("cannot read /nonexistent/rules.srx"));

    let dir = tempfile::tempdir().expect("temp dir");
    let broken = dir.path().join("broken.srx");
    std::fs::write(&broken, "<srx version=\"2.0\">\n  <body>\n</srx>").expect("written");
    let output = segment(&["--lang", "en", "--srx", broken.to_str().expect("utf-8 path")], "x");
    assert_eq!(output.status.code(), Some(1));
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(message.contains("broken.srx: line 3"), "{message}");
    assert!(message.contains("not well-formed XML"), "{message}");
}

#[test]
fn text_that_is_not_utf8_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("latin1.txt");
    std::fs::write(&path, b"Caf\xE9. Ok.").expect("written");
    let output = segment(&["--lang", "fr", path.to_str().expect("utf-8 path")], "");
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("is not UTF-8 text (byte 3"));
}
