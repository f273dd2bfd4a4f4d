//! The SRX reader and segmenter on real SRX files from other tools (Okapi, neokapi, the
//! `srx` crate), read from ../shared/corpus/standards/srx for study only. Each test returns
//! early when that folder is absent, so a bare clone passes.

use std::path::{Path, PathBuf};

use tmbase::srx::{read_srx_file, SrxError, SrxReadOptions};
use tmbase::text::{SegmentError, Segmenter};

fn corpus() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/standards/srx");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: {} is not here", dir.display());
        None
    }
}

/// The small files (the large rule sets take seconds to compile in a debug build).
const SMALL_FILES: &[&str] = &[
    "neokapi_default.srx",
    "okapi_defaultSegmentation.srx",
    "okapi_test_Test01.srx",
    "okapi_test_TestICU4J.srx",
    "okapi_test_isolated_code.srx",
    "okapi_test_issue277.srx",
    "okapi_test_language_tools_german.srx",
    "okapi_test_tradosSegmentation.srx",
    "okapi_website_sample20.srx",
    "srx-crate_example.srx",
];

fn load(dir: &Path, name: &str) -> Segmenter {
    Segmenter::from_srx_file(&dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn small_real_srx_files_load_without_losing_a_rule() {
    let Some(dir) = corpus() else { return };
    for name in SMALL_FILES {
        let document = read_srx_file(&dir.join(name), SrxReadOptions::default())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!document.language_rules.is_empty(), "{name}: no rule set");
        assert!(!document.language_maps.is_empty(), "{name}: no language map");
        assert!(document.skipped.is_empty(), "{name}");
        load(&dir, name);
    }
}

#[test]
fn okapi_samples_segment_as_their_rules_say() {
    let Some(dir) = corpus() else { return };
    let text =
        "Mr. Holmes is from the U.K. not the U.S. Is Dr. Watson from there too? Yes: both are.";
    // No cascade; the U.K./U.S. exception comes before the break at a period.
    let test01 = load(&dir, "okapi_test_Test01.srx");
    assert_eq!(
        test01.segment_str("en", text),
        [
            "Mr.",
            "Holmes is from the U.K. not the U.S. Is Dr.",
            "Watson from there too? Yes: both are."
        ]
    );
    // Cascade: English exceptions (Mr., Dr.) come before the default rules.
    let sample = load(&dir, "okapi_website_sample20.srx");
    assert_eq!(sample.rule_set_names("en"), ["english", "default"]);
    assert_eq!(sample.segment_str("en", text), [text]);
    assert_eq!(sample.rule_set_names("de"), ["default"]);
    assert_eq!(sample.segment_str("de", text).len(), 3);
    // An exception with no break rule at all: nothing breaks but lines.
    let icu = load(&dir, "okapi_test_TestICU4J.srx");
    assert_eq!(icu.segment_str("en", text), [text]);
    // <afterbreak> holding a single space is kept as written, not trimmed away.
    let isolated = load(&dir, "okapi_test_isolated_code.srx");
    assert_eq!(isolated.segment_str("en", "This text. Has a code."), ["This text.", "Has a code."]);
    assert_eq!(
        isolated.segment_str("en", "This text.\u{A0}Not here."),
        ["This text.\u{A0}Not here."]
    );
}

#[test]
fn a_look_behind_rule_is_refused_by_default_and_skipped_on_request() {
    let Some(dir) = corpus() else { return };
    let path = dir.join("okapi_test_Segmentation.srx");
    let message = match Segmenter::from_srx_file(&path) {
        Ok(_) => panic!("the look-behind rule was accepted"),
        Err(SegmentError::Srx(error @ SrxError::BadPattern(_))) => error.to_string(),
        Err(other) => panic!("unexpected error: {other}"),
    };
    assert!(message.contains("okapi_test_Segmentation.srx: line 163, column 1"), "{message}");
    assert!(message.contains(r#"in "English""#) && message.contains("look-behind"), "{message}");
    let lenient = Segmenter::from_srx_file_with(&path, SrxReadOptions { skip_bad_rules: true })
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(lenient.skipped_rules().len(), 1);
}

#[test]
fn an_empty_file_is_not_srx() {
    let Some(dir) = corpus() else { return };
    let path = dir.join("okapi_test_corrupt_empty.srx");
    match read_srx_file(&path, SrxReadOptions::default()) {
        Err(SrxError::NotSrx { message, .. }) => assert!(message.contains("no element")),
        other => panic!("expected NotSrx, got {other:?}"),
    }
}
