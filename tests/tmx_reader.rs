//! The TMX reader on small hand-written files: each case names what it pins.

use std::io::Cursor;

use tmbase::model::{Inline, InlineKind};
use tmbase::tmx::{ReadLimits, TmxError, TmxReader, UnitRead};

/// Reads a whole document; returns the units read and a line per skipped unit, or the error.
fn read_all(xml: &[u8]) -> Result<(Vec<tmbase::model::Unit>, Vec<String>), TmxError> {
    let mut reader = TmxReader::new(Box::new(Cursor::new(xml.to_vec())), ReadLimits::default())?;
    let mut units = Vec::new();
    let mut skipped = Vec::new();
    while let Some(next) = reader.next_unit() {
        match next? {
            UnitRead::Unit { unit, .. } => units.push(*unit),
            UnitRead::Skipped(s) => skipped.push(format!(
                "{}:{} {} {}",
                s.at.line,
                s.at.column,
                s.tuid.as_deref().unwrap_or("-"),
                s.reason.code()
            )),
        }
    }
    Ok((units, skipped))
}

fn tmx(body: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<tmx version=\"1.4\">\n<header creationtool=\"t\" \
         creationtoolversion=\"1\" segtype=\"sentence\" o-tmf=\"t\" adminlang=\"en\" srclang=\"ru\" \
         datatype=\"plaintext\"/>\n<body>\n{body}\n</body>\n</tmx>\n"
    )
}

fn pair(tuid: &str, ru: &str, en: &str) -> String {
    format!(
        "<tu tuid=\"{tuid}\"><tuv xml:lang=\"ru\"><seg>{ru}</seg></tuv><tuv xml:lang=\"en\"><seg>{en}</seg></tuv></tu>"
    )
}

fn error_of(xml: &[u8]) -> String {
    match read_all(xml) {
        Ok(r) => panic!("expected an error, read {r:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn reads_units_with_metadata_and_annotations_in_order() {
    let doc = tmx(
        r#"<tu tuid="7" creationdate="20220114T101010Z" creationid="ANNA" usagecount="3" changedate="20230101T000000Z">
  <note>first</note><prop type="x-context-pre">до</prop><note xml:lang="ru">second</note>
  <tuv xml:lang="ru_RU" creationid="BORIS"><prop type="x-origin">tm</prop><seg>Привет</seg></tuv>
  <tuv lang="EN-gb"><seg>Hello</seg></tuv>
</tu>"#,
    );
    let (units, skipped) = read_all(doc.as_bytes()).unwrap();
    assert!(skipped.is_empty(), "{skipped:?}");
    let u = &units[0];
    assert_eq!(u.tuid.as_deref(), Some("7"));
    assert_eq!(u.meta.usagecount, Some(3));
    assert_eq!(u.meta.creationid.as_deref(), Some("ANNA"));
    let kinds: Vec<String> =
        u.annotations.iter().map(|a| format!("{}:{}", a.kind.as_str(), a.value)).collect();
    assert_eq!(kinds, ["note:first", "prop:до", "note:second"]);
    assert_eq!(u.annotations[1].prop_type.as_deref(), Some("x-context-pre"));
    assert_eq!(u.variants[0].lang, "ru-RU");
    assert_eq!(u.variants[1].lang, "en-GB");
    assert_eq!(u.variants[0].meta.creationid.as_deref(), Some("BORIS"));
    assert_eq!(u.variants[0].annotations[0].value, "tm");
    assert_eq!(u.variants[0].segment.plain_text(), "Привет");
}

#[test]
fn inline_markup_is_kept_with_attributes_and_nesting() {
    let doc = tmx(
        r#"<tu><tuv xml:lang="en"><seg>Click <bpt i="1" type="bold" x="1">&lt;b&gt;</bpt>OK<ept i="1">&lt;/b&gt;</ept><ph x="2" assoc="p">&lt;img alt="<sub type="alt">Logo</sub>"&gt;</ph> <hi type="em">now</hi><it pos="begin">&lt;i&gt;</it><ut>{\b}</ut></seg></tuv><tuv xml:lang="ru"><seg>Нажмите</seg></tuv></tu>"#,
    );
    let (units, _) = read_all(doc.as_bytes()).unwrap();
    let seg = &units[0].variants[0].segment;
    assert_eq!(seg.plain_text(), "Click OK now");
    assert_eq!(seg.tag_count(), 7);
    match &seg.content[1] {
        Inline::Tag { kind, attrs, content } => {
            assert_eq!(*kind, InlineKind::Bpt);
            assert_eq!(
                attrs,
                &[
                    ("i".into(), "1".into()),
                    ("type".into(), "bold".into()),
                    ("x".into(), "1".into())
                ]
            );
            assert_eq!(content, &[Inline::Text("<b>".into())]);
        }
        other => panic!("expected bpt, got {other:?}"),
    }
}

#[test]
fn character_references_entities_cdata_and_crlf_are_decoded() {
    let doc = tmx(&pair("1", "a&amp;b&lt;&#x451;&#1105;<![CDATA[<x>]]>", "line1\r\nline2&#13;"));
    let (units, _) = read_all(doc.as_bytes()).unwrap();
    assert_eq!(units[0].variants[0].segment.plain_text(), "a&b<ёё<x>");
    // A literal CRLF is normalised to LF as XML requires; an escaped CR is kept.
    assert_eq!(units[0].variants[1].segment.plain_text(), "line1\nline2\r");
}

#[test]
fn whitespace_in_segments_is_significant() {
    let doc = tmx(&pair("1", "  два  пробела ", "\ttab"));
    let (units, _) = read_all(doc.as_bytes()).unwrap();
    assert_eq!(units[0].variants[0].segment.plain_text(), "  два  пробела ");
    assert_eq!(units[0].variants[1].segment.plain_text(), "\ttab");
}

#[test]
fn tmx11_lang_attribute_and_multilingual_units() {
    let doc = tmx(
        r#"<tu><tuv lang="EN-GB"><seg>a</seg></tuv><tuv lang="DA-01"><seg>b</seg></tuv><tuv lang="pl_01"><seg>c</seg></tuv></tu>"#,
    );
    let (units, _) = read_all(doc.as_bytes()).unwrap();
    let langs: Vec<&str> = units[0].variants.iter().map(|v| v.lang.as_str()).collect();
    assert_eq!(langs, ["en-GB", "da-01", "pl-01"]);
}

#[test]
fn bad_units_are_skipped_with_position_and_reason_and_the_rest_is_read() {
    let body = [
        pair("ok1", "один", "one"),
        r#"<tu tuid="noseg"><tuv xml:lang="ru"><seg>x</seg></tuv><tuv xml:lang="en"></tuv></tu>"#
            .into(),
        r#"<tu tuid="nolang"><tuv><seg>x</seg></tuv><tuv xml:lang="en"><seg>y</seg></tuv></tu>"#
            .into(),
        r#"<tu tuid="single"><tuv xml:lang="ru"><seg>x</seg></tuv></tu>"#.into(),
        pair("ctrl", "bad&#1;char", "x"),
        pair("rawctrl", "bad\u{0B}char", "x"),
        pair("entity", "&nbsp;", "x"),
        pair("ok2", "два", "two"),
    ]
    .join("\n");
    let (units, skipped) = read_all(tmx(&body).as_bytes()).unwrap();
    let tuids: Vec<&str> = units.iter().map(|u| u.tuid.as_deref().unwrap()).collect();
    assert_eq!(tuids, ["ok1", "ok2"]);
    assert_eq!(
        skipped,
        [
            "6:1 noseg no_segment",
            "7:1 nolang no_language",
            "8:1 single fewer_than_two_variants",
            "9:1 ctrl illegal_character",
            "10:1 rawctrl illegal_character",
            "11:1 entity undefined_entity",
        ]
    );
}

#[test]
fn columns_count_characters() {
    let doc = tmx(&format!(
        "{}   <tu tuid=\"x\"><tuv xml:lang=\"ru\"><seg>a</seg></tuv></tu>",
        pair("ж", "ж", "ж")
    ));
    let (_, skipped) = read_all(doc.as_bytes()).unwrap();
    let first_len = pair("ж", "ж", "ж").chars().count() as u64;
    assert_eq!(skipped, [format!("5:{} x fewer_than_two_variants", first_len + 4)]);
}

#[test]
fn file_cut_short_fails_with_position() {
    let doc = tmx(&pair("1", "a", "b"));
    let cut = &doc.as_bytes()[..doc.len() - 20];
    let msg = error_of(cut);
    assert!(msg.contains("line"), "{msg}");
    assert!(msg.contains("cut short") || msg.contains("not well-formed"), "{msg}");
}

#[test]
fn mismatched_end_tag_fails_with_line_and_column() {
    let doc = tmx("<tu><tuv xml:lang=\"ru\"><seg>a</tuv></seg></tu>");
    let msg = error_of(doc.as_bytes());
    assert!(msg.starts_with("line 5, column"), "{msg}");
    assert!(msg.contains("not well-formed"), "{msg}");
}

#[test]
fn billion_laughs_is_refused_without_expanding() {
    let mut doc = String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE tmx [\n<!ENTITY lol \"lol\">\n");
    for i in 1..10 {
        let prev = if i == 1 { "lol".to_string() } else { format!("lol{}", i - 1) };
        doc.push_str(&format!("<!ENTITY lol{i} \"{}\">\n", format!("&{prev};").repeat(10)));
    }
    doc.push_str("]>\n<tmx version=\"1.4\"><header/><body><tu><tuv xml:lang=\"en\"><seg>&lol9;</seg></tuv></tu></body></tmx>");
    let msg = error_of(doc.as_bytes());
    assert!(msg.contains("declares entities"), "{msg}");
}

#[test]
fn external_entity_is_never_fetched() {
    let doc = "<?xml version=\"1.0\"?>\n<!DOCTYPE tmx [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n<tmx version=\"1.4\"><header/><body></body></tmx>";
    assert!(error_of(doc.as_bytes()).contains("declares entities"));
}

#[test]
fn doctype_without_entities_is_accepted_and_dtd_not_loaded() {
    let doc = "<?xml version=\"1.0\"?>\n<!DOCTYPE tmx SYSTEM \"http://example.invalid/tmx14.dtd\">\n<tmx version=\"1.4\"><header/><body>\n"
        .to_string()
        + &pair("1", "a", "b")
        + "</body></tmx>";
    assert_eq!(read_all(doc.as_bytes()).unwrap().0.len(), 1);
}

#[test]
fn other_xml_is_not_tmx() {
    assert!(error_of(b"<?xml version=\"1.0\"?><map orientation=\"x\"/>").contains("<map>"));
    assert!(error_of(b"").contains("empty"));
    assert!(error_of(b"PK\x03\x04 zip bytes").contains("not"));
}

#[test]
fn utf16le_file_with_bom_reads() {
    let doc = tmx(&pair("1", "Привет", "Hi"));
    let mut bytes = vec![0xFF, 0xFE];
    for unit in doc.replace("UTF-8", "UTF-16").encode_utf16() {
        bytes.extend(unit.to_le_bytes());
    }
    let (units, _) = read_all(&bytes).unwrap();
    assert_eq!(units[0].variants[0].segment.plain_text(), "Привет");
}

#[test]
fn windows_1251_declared_file_reads() {
    let doc = tmx(&pair("1", "PRIVET", "Hi")).replace("UTF-8", "windows-1251");
    let mut bytes = doc.into_bytes();
    let at = bytes.windows(6).position(|w| w == b"PRIVET").unwrap();
    bytes.splice(at..at + 6, [0xCF, 0xF0, 0xE8, 0xE2, 0xE5, 0xF2]);
    let (units, _) = read_all(&bytes).unwrap();
    assert_eq!(units[0].variants[0].segment.plain_text(), "Привет");
}

#[test]
fn gzip_is_read_directly() {
    use std::io::Write;
    let doc = tmx(&pair("1", "a", "b"));
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(doc.as_bytes()).unwrap();
    let (units, _) = read_all(&gz.finish().unwrap()).unwrap();
    assert_eq!(units.len(), 1);
}

#[test]
fn deeply_nested_sub_is_skipped_not_a_stack_overflow() {
    let deep = "<ph><sub>".repeat(10_000) + &"</sub></ph>".repeat(10_000);
    let doc = tmx(&format!(
        "<tu tuid=\"deep\"><tuv xml:lang=\"ru\"><seg>{deep}</seg></tuv><tuv xml:lang=\"en\"><seg>b</seg></tuv></tu>{}",
        pair("after", "a", "b")
    ));
    let (units, skipped) = read_all(doc.as_bytes()).unwrap();
    assert_eq!(units.len(), 1);
    assert_eq!(skipped, ["5:1 deep too_deeply_nested"]);
}

#[test]
fn oversized_segment_is_skipped() {
    let big = "я".repeat(600_000);
    let doc = tmx(&format!("{}{}", pair("big", &big, "b"), pair("small", "a", "b")));
    let (units, skipped) = read_all(doc.as_bytes()).unwrap();
    assert_eq!(units.len(), 1);
    assert_eq!(skipped, ["5:1 big segment_too_long"]);
}

#[test]
fn header_props_notes_and_srclang_are_read() {
    let doc = r#"<tmx version="1.1"><header srclang="EN-US" adminlang="en" o-tmf="X" datatype="rtf" segtype="sentence" creationtool="T" creationtoolversion="1"><prop type="x-a">1</prop><note>n</note></header><body></body></tmx>"#;
    let reader =
        TmxReader::new(Box::new(Cursor::new(doc.as_bytes().to_vec())), ReadLimits::default())
            .unwrap();
    assert_eq!(reader.version(), Some("1.1"));
    let h = reader.header();
    assert_eq!(h.srclang.as_deref(), Some("en-US"));
    assert_eq!(h.meta.datatype.as_deref(), Some("rtf"));
    assert_eq!(h.annotations.len(), 2);
}
