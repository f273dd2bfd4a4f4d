//! Round trip: units written as TMX, imported, exported and read again are the units we
//! started with — metadata, annotations, inline markup, Cyrillic, astral characters,
//! `&<>"'` and significant whitespace included.

use std::io::Cursor;

use proptest::prelude::*;
use tmbase::export::{export_tmx, ExportOptions};
use tmbase::import::{import_tmx, ImportOptions, Progress};
use tmbase::model::{
    Annotation, AnnotationKind, Header, Inline, InlineKind, Metadata, Segment, Unit, Variant,
};
use tmbase::store::{DuplicatePolicy, Store};
use tmbase::tmx::{ReadLimits, TmxReader, TmxWriter, UnitRead, WriterOptions};

fn text() -> impl Strategy<Value = String> {
    let chars = prop_oneof![
        Just('а'),
        Just('ё'),
        Just('Ж'),
        Just('я'),
        Just('a'),
        Just('Z'),
        Just('0'),
        Just(' '),
        Just('\t'),
        Just('\n'),
        Just('\r'),
        Just('&'),
        Just('<'),
        Just('>'),
        Just('"'),
        Just('\''),
        Just(';'),
        Just('#'),
        Just('😀'),
        Just('𝔸'),
        Just('\u{00A0}'),
        Just('«'),
        Just('»'),
        Just('—'),
        Just('\u{FFFD}'),
    ];
    proptest::collection::vec(chars, 0..12).prop_map(|v| v.into_iter().collect())
}

fn opt_text() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(text())
}

/// Attributes the TMX 1.4b DTD declares on each inline element.
fn declared(kind: InlineKind) -> &'static [&'static str] {
    match kind {
        InlineKind::Bpt => &["i", "x", "type"],
        InlineKind::Ept => &["i"],
        InlineKind::It => &["pos", "x", "type"],
        InlineKind::Ph => &["x", "assoc", "type"],
        InlineKind::Hi => &["x", "type"],
        InlineKind::Ut => &["x"],
        InlineKind::Sub => &["datatype", "type"],
    }
}

fn attrs() -> impl Strategy<Value = Vec<(String, String)>> {
    let names = prop_oneof![
        Just("i"),
        Just("x"),
        Just("type"),
        Just("pos"),
        Just("assoc"),
        Just("datatype")
    ];
    proptest::collection::btree_map(names, text(), 0..3)
        .prop_map(|m| m.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

fn inline(depth: u32) -> BoxedStrategy<Inline> {
    let leaf = text().prop_map(Inline::Text).boxed();
    if depth == 0 {
        return leaf;
    }
    let kind = prop_oneof![
        Just(InlineKind::Bpt),
        Just(InlineKind::Ept),
        Just(InlineKind::It),
        Just(InlineKind::Ph),
        Just(InlineKind::Hi),
        Just(InlineKind::Ut),
        Just(InlineKind::Sub),
    ];
    // Only the attributes TMX declares on each element survive an export.
    let tag = (kind, attrs(), proptest::collection::vec(inline(depth - 1), 0..3)).prop_map(
        |(kind, attrs, content)| {
            let attrs =
                attrs.into_iter().filter(|(k, _)| declared(kind).contains(&k.as_str())).collect();
            Inline::Tag { kind, attrs, content }
        },
    );
    prop_oneof![leaf, tag].boxed()
}

fn metadata() -> impl Strategy<Value = Metadata> {
    (
        (opt_text(), opt_text(), opt_text(), opt_text(), opt_text(), opt_text()),
        (opt_text(), proptest::option::of(0i64..1_000_000), opt_text(), opt_text(), opt_text()),
    )
        .prop_map(|((tool, toolv, cdate, cid, chdate, chid), (lud, count, otmf, dt, enc))| {
            Metadata {
                creationtool: tool,
                creationtoolversion: toolv,
                creationdate: cdate,
                creationid: cid,
                changedate: chdate,
                changeid: chid,
                lastusagedate: lud,
                usagecount: count,
                o_tmf: otmf,
                datatype: dt,
                segtype: None,
                o_encoding: enc,
            }
        })
}

fn annotations() -> impl Strategy<Value = Vec<Annotation>> {
    let one = (any::<bool>(), text(), opt_text(), text()).prop_map(|(is_prop, t, lang, value)| {
        Annotation {
            kind: if is_prop { AnnotationKind::Prop } else { AnnotationKind::Note },
            prop_type: is_prop.then_some(t),
            lang,
            o_encoding: None,
            value,
        }
    });
    proptest::collection::vec(one, 0..3)
}

fn variant(lang: &'static str) -> impl Strategy<Value = Variant> {
    (metadata(), annotations(), proptest::collection::vec(inline(2), 0..4)).prop_map(
        move |(meta, annotations, content)| Variant {
            lang: lang.to_string(),
            meta,
            annotations,
            segment: Segment { content },
        },
    )
}

fn unit() -> impl Strategy<Value = Unit> {
    (
        opt_text(),
        metadata(),
        annotations(),
        variant("ru-RU"),
        variant("en"),
        proptest::option::of(variant("de-DE")),
    )
        .prop_map(|(tuid, mut meta, annotations, ru, en, de)| {
            meta.segtype = Some("sentence".into());
            let mut variants = vec![ru, en];
            variants.extend(de);
            Unit { tuid, srclang: Some("ru-RU".into()), meta, annotations, variants }
        })
}

/// Adjacent texts merged, empty texts dropped: what any XML reader gives back.
fn canonical(items: &[Inline]) -> Vec<Inline> {
    let mut out: Vec<Inline> = Vec::new();
    for item in items {
        match item {
            Inline::Text(t) if t.is_empty() => {}
            Inline::Text(t) => match out.last_mut() {
                Some(Inline::Text(prev)) => prev.push_str(t),
                _ => out.push(Inline::Text(t.clone())),
            },
            Inline::Tag { kind, attrs, content } => out.push(Inline::Tag {
                kind: *kind,
                attrs: attrs.clone(),
                content: canonical(content),
            }),
        }
    }
    out
}

fn canonical_unit(mut u: Unit) -> Unit {
    for v in &mut u.variants {
        v.segment.content = canonical(&v.segment.content);
    }
    u
}

fn write_tmx(units: &[Unit]) -> Vec<u8> {
    let header = Header { srclang: Some("ru-RU".into()), ..Header::default() };
    let mut w =
        TmxWriter::start(Vec::new(), &header, &WriterOptions { srclang: "ru-RU".into() }).unwrap();
    for u in units {
        w.write_unit(u).unwrap();
    }
    w.finish().unwrap()
}

fn read_tmx(bytes: &[u8]) -> Vec<Unit> {
    let mut r =
        TmxReader::new(Box::new(Cursor::new(bytes.to_vec())), ReadLimits::default()).unwrap();
    let mut out = Vec::new();
    while let Some(next) = r.next_unit() {
        match next.unwrap() {
            UnitRead::Unit { unit, .. } => out.push(*unit),
            UnitRead::Skipped(s) => panic!("skipped {s:?}"),
        }
    }
    out
}

fn import_bytes(
    store: &mut Store,
    bytes: Vec<u8>,
    policy: DuplicatePolicy,
) -> tmbase::import::ImportReport {
    let mut options = ImportOptions::new("rt");
    options.on_duplicate = policy;
    import_tmx(store, Box::new(Cursor::new(bytes)), "generated.tmx", &options, &Progress::default())
        .unwrap()
}

fn export_bytes(store: &Store) -> Vec<u8> {
    let mut out = Vec::new();
    export_tmx(store, &ExportOptions { memory: "rt".into(), ..ExportOptions::default() }, &mut out)
        .unwrap();
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn write_then_read_gives_the_same_units(units in proptest::collection::vec(unit(), 1..5)) {
        let expected: Vec<Unit> = units.iter().cloned().map(canonical_unit).collect();
        prop_assert_eq!(read_tmx(&write_tmx(&units)), expected);
    }

    #[test]
    fn import_export_import_keeps_units_metadata_and_markup(units in proptest::collection::vec(unit(), 1..5)) {
        let expected: Vec<Unit> = units.iter().cloned().map(canonical_unit).collect();
        let mut store = Store::open_in_memory().unwrap();
        let report = import_bytes(&mut store, write_tmx(&units), DuplicatePolicy::Keep);
        prop_assert_eq!(report.added as usize, units.len());
        let exported = export_bytes(&store);
        prop_assert_eq!(read_tmx(&exported), expected.clone());

        // Importing the export again into a fresh store and exporting gives the same document.
        let mut second = Store::open_in_memory().unwrap();
        import_bytes(&mut second, exported.clone(), DuplicatePolicy::Keep);
        prop_assert_eq!(read_tmx(&export_bytes(&second)), expected);

        // Re-importing one's own export into the same memory adds nothing.
        let again = import_bytes(&mut store, exported, DuplicatePolicy::Skip);
        prop_assert_eq!(again.added, 0);
    }
}
