//! Unit tests of SRX rule semantics (order, cascade, exceptions) and of the segment ranges;
//! the accuracy of the built-in rules is measured by tests/segment_accuracy.rs.

use super::*;

/// A rule: break or not, `<beforebreak>`, `<afterbreak>`.
type RuleSpec = (bool, &'static str, &'static str);
/// A `<languagerule>`: its name and rules.
type RuleSetSpec = (&'static str, &'static [RuleSpec]);

/// An SRX document with the given header cascade, rule sets and maps.
fn srx(cascade: bool, rule_sets: &[RuleSetSpec], maps: &[(&str, &str)]) -> String {
    let mut text = format!(
        r#"<srx xmlns="http://www.lisa.org/srx20" version="2.0"><header segmentsubflows="yes" cascade="{}"/><body><languagerules>"#,
        if cascade { "yes" } else { "no" }
    );
    for (name, rules) in rule_sets {
        text.push_str(&format!(r#"<languagerule languagerulename="{name}">"#));
        for (breaks, before, after) in rules.iter() {
            text.push_str(&format!(
                r#"<rule break="{}"><beforebreak>{before}</beforebreak><afterbreak>{after}</afterbreak></rule>"#,
                if *breaks { "yes" } else { "no" }
            ));
        }
        text.push_str("</languagerule>");
    }
    text.push_str("</languagerules><maprules>");
    for (pattern, name) in maps {
        text.push_str(&format!(
            r#"<languagemap languagepattern="{pattern}" languagerulename="{name}"/>"#
        ));
    }
    text.push_str("</maprules></body></srx>");
    text
}

fn segmenter(text: &str) -> Segmenter {
    Segmenter::from_srx_str(text, "test.srx").unwrap_or_else(|e| panic!("{e}"))
}

fn check(segmenter: &Segmenter, lang: &str, text: &str, expected: &[&str]) {
    assert_eq!(segmenter.segment_str(lang, text), expected, "segmenting {text:?} as {lang}");
}

const BREAK_AT_PERIOD: RuleSpec = (true, r"\.", r"\s");

#[test]
fn the_first_matching_rule_decides() {
    let exception_first = segmenter(&srx(
        false,
        &[("default", &[(false, r"([A-Z]\.){2,}", r"\s"), BREAK_AT_PERIOD])],
        &[(".*", "default")],
    ));
    check(
        &exception_first,
        "en",
        "I'm in the U.K. for now. But I plan to move.",
        &["I'm in the U.K. for now.", "But I plan to move."],
    );
    let break_first = segmenter(&srx(
        false,
        &[("default", &[BREAK_AT_PERIOD, (false, r"([A-Z]\.){2,}", r"\s")])],
        &[(".*", "default")],
    ));
    check(
        &break_first,
        "en",
        "I'm in the U.K. for now. But I plan to move.",
        &["I'm in the U.K.", "for now.", "But I plan to move."],
    );
}

#[test]
fn no_matching_rule_means_no_break() {
    let only_exceptions =
        segmenter(&srx(false, &[("default", &[(false, r"\.", r"\s")])], &[(".*", "default")]));
    check(&only_exceptions, "en", "One. Two. Three.", &["One. Two. Three."]);
}

#[test]
fn empty_before_or_after_matches_everywhere() {
    let break_before_capital =
        segmenter(&srx(false, &[("default", &[(true, "", r"\p{Lu}")])], &[(".*", "default")]));
    check(&break_before_capital, "en", "aBcD", &["a", "Bc", "D"]);
    let break_after_comma =
        segmenter(&srx(false, &[("default", &[(true, ",", "")])], &[(".*", "default")]));
    check(&break_after_comma, "en", "a,b,", &["a,", "b,"]);
}

const CASCADE_SETS: &[RuleSetSpec] =
    &[("english", &[(false, r"\bMr\.", r"\s")]), ("default", &[BREAK_AT_PERIOD])];
const CASCADE_MAPS: &[(&str, &str)] = &[("en.*", "english"), (".*", "default")];

#[test]
fn cascade_concatenates_the_rules_of_every_matching_map_in_map_order() {
    let cascading = segmenter(&srx(true, CASCADE_SETS, CASCADE_MAPS));
    assert_eq!(cascading.rule_set_names("en-GB"), ["english", "default"]);
    assert_eq!(cascading.rule_set_names("de"), ["default"]);
    check(&cascading, "en", "Mr. Holmes left. Bye.", &["Mr. Holmes left.", "Bye."]);
    check(&cascading, "de", "Mr. Holmes left. Bye.", &["Mr.", "Holmes left.", "Bye."]);
}

#[test]
fn without_cascade_only_the_first_matching_map_applies() {
    let first_only = segmenter(&srx(false, CASCADE_SETS, CASCADE_MAPS));
    assert_eq!(first_only.rule_set_names("en"), ["english"]);
    // The English set has only an exception, so nothing breaks.
    check(&first_only, "en", "Mr. Holmes left. Bye.", &["Mr. Holmes left. Bye."]);
    check(&first_only, "de", "Mr. Holmes left. Bye.", &["Mr.", "Holmes left.", "Bye."]);
}

#[test]
fn language_codes_are_normalised_and_matched_ignoring_case() {
    let maps = [("RU.*", "english"), (".*", "default")];
    let upper_case_pattern = segmenter(&srx(false, CASCADE_SETS, &maps));
    assert_eq!(upper_case_pattern.rule_set_names("ru_ru"), ["english"]);
    assert_eq!(upper_case_pattern.rule_set_names("uk"), ["default"]);
}

#[test]
fn a_language_no_map_matches_is_cut_at_line_breaks_only() {
    let english_only = segmenter(&srx(false, CASCADE_SETS, &[("en", "default")]));
    assert!(english_only.rule_set_names("fr").is_empty());
    check(&english_only, "fr", "Un. Deux.\nTrois.", &["Un. Deux.", "Trois."]);
}

#[test]
fn line_breaks_always_break_and_segments_are_trimmed() {
    let rules = segmenter(&srx(false, &[("default", &[BREAK_AT_PERIOD])], &[(".*", "default")]));
    let text = "  One. Two \r\n\r\n\u{A0}Three.\u{2029}Four\n";
    check(&rules, "en", text, &["One.", "Two", "Three.", "Four"]);
    let ranges = rules.segment("en", text);
    assert_eq!(&text[ranges[0].clone()], "One.");
    assert_eq!(ranges[0], 2..6);
    assert!(rules.segment("en", " \n\t\n").is_empty());
    assert!(rules.segment("en", "").is_empty());
}

#[test]
fn char_ranges_count_characters() {
    let rules = segmenter(&srx(false, &[("default", &[BREAK_AT_PERIOD])], &[(".*", "default")]));
    let text = "Да. Нет.";
    assert_eq!(rules.segment("ru", text), [0..5, 6..13]);
    assert_eq!(rules.segment_chars("ru", text), [0..3, 4..8]);
    assert_eq!(char_ranges("aé b", &[0..3, 4..5]), [0..2, 3..4]);
}

#[test]
fn the_built_in_rules_compile_and_cover_russian_and_english() {
    let rules = Segmenter::default_rules();
    assert_eq!(rules.rule_set_names("ru"), ["Russian", "Default"]);
    assert_eq!(rules.rule_set_names("ru-RU"), ["Russian", "Default"]);
    assert_eq!(rules.rule_set_names("en-US"), ["English", "Default"]);
    assert_eq!(rules.rule_set_names("de"), ["Default"]);
    assert!(rules.skipped_rules().is_empty());
}

#[test]
fn built_in_rules_keep_abbreviations_and_initials_inside_sentences() {
    let rules = Segmenter::default_rules();
    check(
        &rules,
        "ru",
        "В. В. Путин приехал в г. Москву, т. е. домой. Он остался.",
        &["В. В. Путин приехал в г. Москву, т. е. домой.", "Он остался."],
    );
    check(
        &rules,
        "en",
        "Dr. Watson met J. Biden in the U.S. Senate. They talked.",
        &["Dr. Watson met J. Biden in the U.S. Senate.", "They talked."],
    );
}

#[test]
fn a_bad_regex_names_the_file_rule_set_and_position() {
    let text = srx(false, &[("default", &[(true, r"(?&lt;=x)\.", "")])], &[(".*", "default")]);
    let message = match Segmenter::from_srx_str(&text, "rules.srx") {
        Ok(_) => panic!("look-behind was accepted"),
        Err(e) => e.to_string(),
    };
    assert!(message.starts_with("rules.srx: line 1, column "), "{message}");
    assert!(message.contains(r#"in "default""#) && message.contains("look-behind"), "{message}");
}
