//! The match score and ranking, case by case: each test names what it pins. The scores are
//! those docs/matching.md explains.

mod support;

use support::{store_with, unit, TestUnit};
use tmbase::matching::{lookup, lookup_exhaustive, Match, MatchQuery, MemoryIndex};
use tmbase::store::Store;

const MEMORY_SOURCE: &str = "Переговоры России и США прошли в Женеве.";

fn find(store: &Store, query: &MatchQuery) -> Vec<Match> {
    let index = MemoryIndex::build(store, "m", "ru").unwrap();
    let found = lookup(store, &index, query).unwrap();
    assert_eq!(found, lookup_exhaustive(store, &index, query).unwrap(), "index and scan disagree");
    found
}

/// The score of the best match of `query` against a memory of one unit `source`.
fn score_of(source: &str, query: &str) -> Option<u32> {
    let store = store_with("m", &[unit(source, "Russia and the US held talks in Geneva.")]);
    let mut q = MatchQuery::new(query, "en");
    q.min_score = 0;
    find(&store, &q).first().map(|m| m.score)
}

fn check(source: &str, query: &str, expected: u32) {
    assert_eq!(score_of(source, query), Some(expected), "{query:?} against {source:?}");
}

#[test]
fn identical_text_scores_100() {
    check(MEMORY_SOURCE, MEMORY_SOURCE, 100);
}

#[test]
fn typography_only_differences_score_95_to_99() {
    check(MEMORY_SOURCE, "Переговоры  России и США   прошли в Женеве.", 99);
    check(MEMORY_SOURCE, "переговоры россии и сша прошли в женеве.", 98);
    check("Ёлка стоит в «центре».", "Елка стоит в \"центре\".", 98);
    check(MEMORY_SOURCE, "Переговоры России и США прошли в Женеве", 97);
    check(MEMORY_SOURCE, "Переговоры России, и США прошли в Женеве!", 96);
    check(MEMORY_SOURCE, "Переговоры, России, и США, прошли в Женеве!", 95);
}

#[test]
fn inflection_costs_less_than_another_word() {
    let base = "Итоги переговоров России и США в Женеве";
    let inflected = score_of(base, "Итоги переговорам России и США в Женеве").unwrap();
    let other_word = score_of(base, "Итоги консультаций России и США в Женеве").unwrap();
    assert!(inflected > other_word, "{inflected} vs {other_word}");
    assert_eq!(inflected, 94, "7 words, one inflection (0.3 word): 95.7%, capped at 94");
    assert_eq!(other_word, 85, "7 words, one word replaced: 1 - 1/7");
}

#[test]
fn fuzzy_scores_follow_the_word_edit_distance() {
    check(MEMORY_SOURCE, "Переговоры России и США прошли в Вене.", 85);
    check(MEMORY_SOURCE, "Переговоры России и США прошли вчера в Женеве.", 87);
    check(MEMORY_SOURCE, "Переговоры России прошли в Женеве.", 71);
}

#[test]
fn short_segments_are_scored_by_characters_as_well() {
    let near = score_of("Встреча НАТО", "Встреча НАТО-России").unwrap();
    assert!((50..94).contains(&near), "{near}");
    let one_word = score_of("переговоры", "переговорщики").unwrap_or(0);
    assert!(one_word > 0 && one_word < 50, "{one_word}");
    check("Встреча НАТО", "Встреча ЕС", 58);
}

#[test]
fn markup_difference_is_a_named_penalty() {
    let store = store_with(
        "m",
        &[TestUnit {
            ru_xml: Some(
                r#"Нажмите <bpt i="1">&lt;b&gt;</bpt>ОК<ept i="1">&lt;/b&gt;</ept>."#.into(),
            ),
            en: "Press OK.".into(),
            ..TestUnit::default()
        }],
    );
    let m = &find(&store, &MatchQuery::new("Нажмите ОК.", "en"))[0];
    assert_eq!((m.score, m.base_score), (98, 100));
    assert_eq!(m.penalties[0].name, "markup");
    assert_eq!(
        m.source_markup.as_deref(),
        Some(r#"Нажмите <bpt i="1">&lt;b&gt;</bpt>ОК<ept i="1">&lt;/b&gt;</ept>."#)
    );
}

#[test]
fn several_translations_of_one_source_are_penalised() {
    let store = store_with(
        "m",
        &[
            unit("Соглашение подписано.", "The agreement is signed."),
            unit("Соглашение подписано.", "The deal has been signed."),
        ],
    );
    let found = find(&store, &MatchQuery::new("Соглашение подписано.", "en"));
    assert_eq!(found.len(), 2);
    for m in &found {
        assert_eq!(m.score, 99);
        assert_eq!(m.penalties[0].name, "multiple_translations");
    }
    // The same translation twice is no ambiguity.
    let store = store_with("m", &[unit("Да.", "Yes."), unit("Да.", "Yes.")]);
    assert!(find(&store, &MatchQuery::new("Да.", "en")).iter().all(|m| m.penalties.is_empty()));
}

#[test]
fn memory_penalty_applies_to_every_match() {
    let store = store_with("m", &[unit(MEMORY_SOURCE, "x")]);
    store.set_memory_penalty("m", 7).unwrap();
    let m = &find(&store, &MatchQuery::new(MEMORY_SOURCE, "en"))[0];
    assert_eq!(m.score, 93);
    assert_eq!(m.penalties, [tmbase::matching::Penalty { name: "memory", points: 7 }]);
}

#[test]
fn context_match_scores_101() {
    let store = store_with(
        "m",
        &[TestUnit {
            ru: "Да.".into(),
            en: "Yes.".into(),
            prev: Some("Вы согласны?".into()),
            next: Some("Тогда начнём.".into()),
            ..TestUnit::default()
        }],
    );
    let mut q = MatchQuery::new("Да.", "en");
    q.prev = Some("Вы согласны?".into());
    q.next = Some("Тогда начнём.".into());
    let m = &find(&store, &q)[0];
    assert_eq!((m.score, m.context_match), (101, true));
    q.next = Some("Другое.".into());
    assert_eq!(find(&store, &q)[0].score, 100);
}

#[test]
fn numbers_are_adjusted_in_the_target() {
    let store =
        store_with("m", &[unit("Рост составил 3,5% в 1997 году.", "Growth was 3.5% in 1997.")]);
    let m = &find(&store, &MatchQuery::new("Рост составил 4,2% в 2022 году.", "en"))[0];
    assert!(m.numbers_adjusted);
    assert_eq!(m.target, "Growth was 4.2% in 2022.");
    assert_eq!((m.base_score, m.score), (100, 99));
    assert_eq!(m.penalties[0].name, "numbers_adjusted");
}

#[test]
fn numbers_missing_from_the_target_are_not_adjusted() {
    let store =
        store_with("m", &[unit("Рост составил 3,5% в 1997 году.", "Growth was modest that year.")]);
    let mut q = MatchQuery::new("Рост составил 4,2% в 2022 году.", "en");
    q.min_score = 50;
    let m = &find(&store, &q)[0];
    assert!(!m.numbers_adjusted);
    assert_eq!(m.target, "Growth was modest that year.");
    assert_eq!(m.score, 66, "two of six words replaced");
}

#[test]
fn equal_scores_rank_newer_then_more_used_first() {
    let store = store_with(
        "m",
        &[
            TestUnit {
                changed: Some("20200101T000000Z".into()),
                usage: Some(9),
                ..unit("Да.", "Yes (old).")
            },
            TestUnit {
                changed: Some("20220101T000000Z".into()),
                usage: Some(1),
                ..unit("Да!", "Yes (new, rare).")
            },
            TestUnit {
                changed: Some("20220101T000000Z".into()),
                usage: Some(5),
                ..unit("Да?", "Yes (new, used).")
            },
        ],
    );
    let mut q = MatchQuery::new("Да", "en");
    q.min_score = 90;
    let targets: Vec<String> = find(&store, &q).into_iter().map(|m| m.target).collect();
    assert_eq!(targets, ["Yes (new, used).", "Yes (new, rare).", "Yes (old)."]);
}

#[test]
fn matches_carry_metadata_and_diff() {
    let store = store_with(
        "m",
        &[TestUnit {
            changed: Some("20220114T101010Z".into()),
            usage: Some(3),
            ..unit(MEMORY_SOURCE, "x")
        }],
    );
    let m = &find(&store, &MatchQuery::new("Переговоры России и США прошли в Вене.", "en"))[0];
    assert_eq!(m.changed_at.as_deref(), Some("20220114T101010Z"));
    assert_eq!(m.usage_count, Some(3));
    assert_eq!(m.memory, "m");
    assert_eq!(m.diff.len(), 1);
    let d = &m.diff[0];
    let span: String = m.source.chars().skip(d.start).take(d.end - d.start).collect();
    assert_eq!((span.as_str(), d.query_text.as_str()), ("Женеве", "Вене"));
}

#[test]
fn target_language_and_threshold_filter() {
    let store = store_with("m", &[unit(MEMORY_SOURCE, "x")]);
    assert!(find(&store, &MatchQuery::new(MEMORY_SOURCE, "de")).is_empty());
    let mut q = MatchQuery::new("Совсем другое предложение про погоду.", "en");
    q.min_score = 50;
    assert!(find(&store, &q).is_empty());
}

/// The index bounds short segments by their length in characters; segments that differ
/// only in punctuation or in numbers can be much longer or shorter and must still be found.
#[test]
fn short_segments_of_other_lengths_are_found_when_only_punctuation_or_numbers_differ() {
    let store = store_with("m", &[unit("Москва!!! (?)", "Moscow!!! (?)"), unit("1 год", "1 year")]);
    let mut q = MatchQuery::new("Москва", "en");
    q.min_score = 95;
    let found = find(&store, &q);
    assert!(matches!(found.first().map(|m| m.score), Some(95..=97)), "{found:?}");
    let mut q = MatchQuery::new("1997 год", "en");
    q.min_score = 95;
    let found = find(&store, &q);
    assert_eq!(found.first().map(|m| m.target.as_str()), Some("1997 year"), "{found:?}");
}

/// Numbers are adjusted only for matches that can make the answer; one whose target cannot
/// take the query's numbers falls to its word score, and those ranked below it move up.
#[test]
fn failed_number_adjustments_make_room_for_ones_that_succeed() {
    let newer =
        |ru: &str, en: &str| TestUnit { changed: Some("20240101T000000Z".into()), ..unit(ru, en) };
    let store = store_with(
        "m",
        &[
            newer("Рост составил 3,5% в 1997 году.", "Growth was modest that year."),
            newer("Рост составил 2,5% в 1998 году.", "Growth was low then."),
            unit("Рост составил 1,5% в 1999 году.", "Growth was 1.5% in 1999."),
        ],
    );
    let mut q = MatchQuery::new("Рост составил 4,2% в 2022 году.", "en");
    q.min_score = 50;
    q.limit = 1;
    let found = find(&store, &q);
    assert_eq!(found.len(), 1);
    assert!(found[0].numbers_adjusted, "{found:?}");
    assert_eq!(found[0].target, "Growth was 4.2% in 2022.");
    q.limit = 3;
    let scores: Vec<(u32, bool)> =
        find(&store, &q).iter().map(|m| (m.score, m.numbers_adjusted)).collect();
    assert_eq!(scores, [(99, true), (66, false), (66, false)]);
}

/// A lookup names words by the index's vocabulary to highlight differences; that must give
/// the same spans as comparing the texts alone.
#[test]
fn lookup_diffs_equal_diffs_of_the_texts_alone() {
    let pairs = tmbase::bench_corpus::generate(21, 1500, &[]);
    let units: Vec<TestUnit> = pairs.iter().map(|(ru, en)| unit(ru, en)).collect();
    let store = store_with("m", &units);
    let index = MemoryIndex::build(&store, "m", "ru").unwrap();
    let mut compared = 0;
    for text in tmbase::bench_corpus::queries(4, 300, &pairs) {
        let mut q = MatchQuery::new(text.clone(), "en");
        q.min_score = 50;
        for m in lookup(&store, &index, &q).unwrap() {
            assert_eq!(m.diff, tmbase::matching::diff_spans(&text, &m.source), "{text:?}");
            compared += usize::from(!m.diff.is_empty());
        }
    }
    assert!(compared > 100, "only {compared} matches with differences");
}

/// A unit holds any number of languages: a match's target is the unit's first variant in the
/// asked language (a bare language takes its regional variants), never its source variant,
/// and a unit without that language gives no match.
#[test]
fn the_target_is_the_units_first_variant_in_the_asked_language() {
    let tmx = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4"><header creationtool="t" creationtoolversion="1" segtype="sentence"
 o-tmf="t" adminlang="en" srclang="ru-RU" datatype="plaintext"/><body>
<tu><tuv xml:lang="en-GB"><seg>Talks in Geneva (GB).</seg></tuv>
<tuv xml:lang="ru-RU"><seg>{MEMORY_SOURCE}</seg></tuv>
<tuv xml:lang="en-US"><seg>Talks in Geneva (US).</seg></tuv>
<tuv xml:lang="de-DE"><seg>Gespräche in Genf.</seg></tuv></tu>
</body></tmx>"#
    );
    let mut store = Store::open_in_memory().unwrap();
    let options = tmbase::import::ImportOptions::new("m");
    let input = Box::new(std::io::Cursor::new(tmx.into_bytes()));
    let progress = tmbase::import::Progress::default();
    tmbase::import::import_tmx(&mut store, input, "t.tmx", &options, &progress).unwrap();
    let target = |lang: &str| {
        let found = find(&store, &MatchQuery::new(MEMORY_SOURCE, lang));
        found.first().map(|m| (m.source.clone(), m.target_lang.clone(), m.target.clone()))
    };
    let source = MEMORY_SOURCE.to_string();
    let expect = |lang: &str, text: &str| Some((source.clone(), lang.into(), text.into()));
    assert_eq!(target("en"), expect("en-GB", "Talks in Geneva (GB)."));
    assert_eq!(target("en-US"), expect("en-US", "Talks in Geneva (US)."));
    assert_eq!(target("de"), expect("de-DE", "Gespräche in Genf."));
    assert_eq!(target("fr"), None);
    assert_eq!(target("en-AU"), None);
}
