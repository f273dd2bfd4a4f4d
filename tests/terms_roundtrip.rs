//! Round trip of term bases: concepts with every field (statuses including forbidden and
//! do-not-translate, grammar, notes, cross-references, time stamps, match modes, odd ids and
//! characters) are imported, exported as TBX v3 or v2, imported again, and come back equal.
//! The TBX v3 export is also validated with jing against the TBX-Basic RELAX NG schema when
//! jing and ../shared/corpus/standards/tbx are there.

use std::path::Path;

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use tmbase::model::{
    tidy_term, tidy_text, Concept, CrossRefKind, CrossReference, Gender, LangSection, MatchMode,
    Number, PartOfSpeech, Stamp, Term, TermStatus,
};
use tmbase::store::{DuplicatePolicy, Store};
use tmbase::terms::{
    export_terms, import_term_file, TermExportFormat, TermExportOptions, TermFileFormat,
    TermImportOptions,
};

fn text() -> impl Strategy<Value = String> {
    let chars = prop_oneof![
        Just('а'),
        Just('ё'),
        Just('Ж'),
        Just('a'),
        Just('Z'),
        Just('0'),
        Just(' '),
        Just('\n'),
        Just('\t'),
        Just('&'),
        Just('<'),
        Just('>'),
        Just('"'),
        Just('\''),
        Just('%'),
        Just('='),
        Just(':'),
        Just('😀'),
        Just('«'),
        Just('—'),
    ];
    proptest::collection::vec(chars, 1..10).prop_map(|v| v.into_iter().collect())
}

/// A field as the store keeps it (never empty, tidied).
fn field() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(text().prop_map(|t| tidy_text(&t)).prop_filter("empty", |t| !t.is_empty()))
}

fn term_text() -> impl Strategy<Value = String> {
    text().prop_map(|t| tidy_term(&t)).prop_filter("empty", |t| !t.is_empty())
}

fn stamp_value() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(prop_oneof![
        Just("2024-05-01T10:15:00Z".to_string()),
        Just("2010-04-17".to_string()),
        Just("20010507T10:57:25Z".to_string()),
        Just("yesterday".to_string()),
    ])
}

fn stamp() -> impl Strategy<Value = Stamp> {
    (
        stamp_value(),
        proptest::option::of(term_text()),
        stamp_value(),
        proptest::option::of(term_text()),
    )
        .prop_map(|(created_at, created_by, changed_at, changed_by)| Stamp {
            created_at,
            created_by,
            changed_at,
            changed_by,
        })
}

fn term() -> impl Strategy<Value = Term> {
    (
        term_text(),
        proptest::option::of(proptest::sample::select(PartOfSpeech::ALL.to_vec())),
        proptest::option::of(proptest::sample::select(Gender::ALL.to_vec())),
        proptest::option::of(proptest::sample::select(Number::ALL.to_vec())),
        proptest::option::of(proptest::sample::select(TermStatus::ALL.to_vec())),
        proptest::option::of(prop_oneof![
            Just("fullForm".to_string()),
            Just("synonym".to_string())
        ]),
        (field(), field(), field()),
        proptest::sample::select(MatchMode::ALL.to_vec()),
        stamp(),
    )
        .prop_map(
            |(
                text,
                pos,
                gender,
                number,
                status,
                term_type,
                (context, usage_note, source),
                match_mode,
                stamp,
            )| {
                Term {
                    id: None,
                    text,
                    part_of_speech: pos,
                    gender,
                    number,
                    status,
                    term_type,
                    context,
                    usage_note,
                    source,
                    match_mode,
                    stamp,
                }
            },
        )
}

fn section() -> impl Strategy<Value = LangSection> {
    (
        proptest::sample::select(vec!["ru", "en", "de-CH", "zh-Hant-TW", "x-klingon"]),
        field(),
        field(),
        proptest::collection::vec(term(), 0..3),
    )
        .prop_map(|(lang, definition, note, terms)| LangSection {
            lang: lang.to_string(),
            definition,
            note,
            terms,
        })
}

fn xref() -> impl Strategy<Value = CrossReference> {
    (
        proptest::sample::select(vec![
            CrossRefKind::Concept,
            CrossRefKind::External,
            CrossRefKind::Graphic,
        ]),
        proptest::option::of(prop_oneof![
            Just("https://example.org/a?b=c&d".to_string()),
            Just("c1".to_string()),
            Just("image 1.png".to_string()),
            term_text(),
        ]),
        text().prop_map(|t| tidy_text(&t)),
    )
        .prop_map(|(kind, target, text)| CrossReference { kind, target, text })
}

fn concept() -> impl Strategy<Value = Concept> {
    (
        proptest::option::of(prop_oneof![
            Just("c1".to_string()),
            Just("2_76365".to_string()),
            Just("концепт 7".to_string()),
            Just("_x0041_".to_string()),
            term_text(),
        ]),
        (field(), field(), field(), field()),
        proptest::collection::vec(xref(), 0..3),
        stamp(),
        proptest::collection::vec(section(), 1..4),
    )
        .prop_map(
            |(
                external_id,
                (subject_field, definition, note, source),
                cross_references,
                stamp,
                languages,
            )| {
                let mut c = Concept {
                    id: None,
                    external_id,
                    subject_field,
                    definition,
                    note,
                    source,
                    cross_references,
                    stamp,
                    languages: Vec::new(),
                };
                for s in languages {
                    let lang = s.lang.clone();
                    let target = c.section_mut(&lang);
                    target.definition = target.definition.take().or(s.definition);
                    target.note = target.note.take().or(s.note);
                    target.terms.extend(s.terms);
                }
                c
            },
        )
        .prop_filter("a concept needs a term", |c| c.term_count() > 0)
}

/// What must survive: everything but database ids (and the external id tmbase gives to
/// concepts that came without one).
fn comparable(mut c: Concept) -> Concept {
    c.id = None;
    for s in &mut c.languages {
        for t in &mut s.terms {
            t.id = None;
        }
    }
    c.languages.sort_by(|a, b| a.lang.cmp(&b.lang));
    c
}

fn round_trip(
    concepts: &[Concept],
    format: TermExportFormat,
) -> (Vec<Concept>, Vec<Concept>, Vec<u8>) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open_in_memory().unwrap();
    {
        let mut session =
            store.begin_term_import("a", DuplicatePolicy::Keep, None, "generated").unwrap();
        for c in concepts {
            session.add_concept(c).unwrap();
        }
        session.commit().unwrap();
    }
    let mut before = Vec::new();
    store
        .for_each_concept("a", |c| {
            before.push(comparable(c));
            Ok(())
        })
        .unwrap();
    let mut out = Vec::new();
    export_terms(
        &store,
        &TermExportOptions { termbase: "a".into(), format, langs: vec![] },
        &mut out,
    )
    .unwrap();
    let file = dir.path().join("export.tbx");
    std::fs::write(&file, &out).unwrap();
    let mut options = TermImportOptions::new("b");
    options.format = Some(TermFileFormat::Tbx);
    let report = import_term_file(&mut store, &file, &options).unwrap();
    assert_eq!(report.skipped, 0, "{report:?}\n{}", String::from_utf8_lossy(&out));
    let mut after = Vec::new();
    store
        .for_each_concept("b", |c| {
            after.push(comparable(c));
            Ok(())
        })
        .unwrap();
    (before, after, out)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn tbx_v3_round_trip_keeps_every_field(concepts in proptest::collection::vec(concept(), 1..5)) {
        let (before, after, out) = round_trip(&concepts, TermExportFormat::Tbx);
        prop_assert_eq!(before, after, "export:\n{}", String::from_utf8_lossy(&out));
    }

    #[test]
    fn tbx_v2_round_trip_keeps_every_field(concepts in proptest::collection::vec(concept(), 1..5)) {
        let (before, after, out) = round_trip(&concepts, TermExportFormat::Tbx2);
        prop_assert_eq!(before, after, "export:\n{}", String::from_utf8_lossy(&out));
    }
}

/// The TBX v3 export of generated concepts (every field filled) is valid TBX-Basic.
#[test]
fn tbx_v3_export_is_valid_tbx_basic() {
    let schemas = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/standards/tbx");
    let schema = schemas.join("tbx-basic-1.2/DCA/TBXcoreStructV03_TBX-Basic_integrated.rng");
    let core = schemas.join("TBXcoreStructV03.rng");
    if !schema.exists() {
        eprintln!("skipped: {} not found (../shared is not beside this clone)", schema.display());
        return;
    }
    if std::process::Command::new("jing").arg("-h").output().is_err() {
        eprintln!("skipped: jing is not installed (apt-get install jing)");
        return;
    }
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let concepts: Vec<Concept> =
        (0..40).map(|_| concept().new_tree(&mut runner).unwrap().current()).collect();
    let (_, _, out) = round_trip(&concepts, TermExportFormat::Tbx);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("export.tbx");
    std::fs::write(&file, &out).unwrap();
    for s in [&schema, &core] {
        let result = std::process::Command::new("jing").arg(s).arg(&file).output().unwrap();
        assert!(
            result.status.success(),
            "jing {}: {}{}",
            s.display(),
            String::from_utf8_lossy(&result.stdout),
            String::from_utf8_lossy(&result.stderr)
        );
    }
}
