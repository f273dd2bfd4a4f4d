//! Reading term-base files: TBX v2 and v3 (DCA and DCT style), the EuroTermBank flavour,
//! and what the readers do with bad entries and broken files. One `check` helper per format.

use std::io::Cursor;

use tmbase::glossary::{GlossaryFormat, GlossaryOptions, GlossaryReader, RowRead};
use tmbase::model::{Concept, CrossRefKind, Gender, MatchMode, Number, PartOfSpeech, TermStatus};
use tmbase::tbx::{EntryRead, ReadLimits, TbxError, TbxReader, TbxVersion};

/// Reads a TBX document: the concepts, and the skipped entries as (line, reason code).
/// The version, the concepts and the skipped entries as (line, reason code).
type Read = (TbxVersion, Vec<Concept>, Vec<(u64, String)>);

fn read_tbx(xml: &str) -> Result<Read, TbxError> {
    let mut r =
        TbxReader::new(Box::new(Cursor::new(xml.as_bytes().to_vec())), ReadLimits::default())?;
    let (mut concepts, mut skipped) = (Vec::new(), Vec::new());
    while let Some(entry) = r.next_entry() {
        match entry? {
            EntryRead::Concept { concept, .. } => concepts.push(*concept),
            EntryRead::Skipped(s) => skipped.push((s.at.line, s.reason.code().to_string())),
        }
    }
    Ok((r.version(), concepts, skipped))
}

const V2: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE martif SYSTEM "TBXcoreStructV02.dtd">
<martif type="TBX" xml:lang="en">
  <martifHeader><fileDesc><sourceDesc><p>test</p></sourceDesc></fileDesc></martifHeader>
  <text><body>
    <termEntry id="c1">
      <descrip type="subjectField">security</descrip>
      <descripGrp><descrip type="definition">A promise of
          protection.</descrip><admin type="source">ISO</admin></descripGrp>
      <note>concept note</note>
      <ref type="crossReference" target="c2">see also</ref>
      <xref type="xGraphic" target="https://example.org/a.png">picture</xref>
      <descrip type="Txt::Text Field">custom</descrip>
      <transacGrp><transac type="transactionType">origination</transac><date>2005-03-10T14:45:27</date><transacNote type="responsibility">UM</transacNote></transacGrp>
      <langSet xml:lang="RU_ru">
        <descripGrp><descrip type="definition">обещание защиты</descrip></descripGrp>
        <ntig>
          <termGrp>
            <term>гарантии <hi type="em">безопасности</hi></term>
            <termNote type="partOfSpeech">Noun</termNote>
            <termNote type="grammaticalGender">feminine</termNote>
            <termNote type="grammaticalNumber">plural</termNote>
          </termGrp>
          <termNote type="normativeAuthorization">admittedTerm</termNote>
          <termNote type="administrativeStatus">preferredTerm-admn-sts</termNote>
          <descrip type="context">Москва ждет гарантий безопасности.</descrip>
          <admin type="source">Известия</admin>
          <note>только во мн. ч.</note>
          <note>tmbase:matchMode=exact</note>
          <transacGrp><transac type="transactionType">modification</transac><date>20010507T10:57:25Z</date><transacNote type="responsibility">CD</transacNote></transacGrp>
        </ntig>
      </langSet>
      <langSet xml:lang="en">
        <tig><term>security guarantees</term><termNote type="administrativeStatus">deprecated</termNote><note>tmbase:status=forbidden</note></tig>
      </langSet>
    </termEntry>
    <termEntry id="c2"><langSet xml:lang="en"><tig><term>  </term></tig></langSet></termEntry>
    <termEntry id="c3"><langSet><tig><term>no language</term></tig></langSet></termEntry>
  </body></text>
</martif>
"#;

#[test]
fn tbx_v2_fields_map_onto_the_model() {
    let (version, concepts, skipped) = read_tbx(V2).unwrap();
    assert_eq!(version, TbxVersion::V2);
    assert_eq!(skipped, [(37, "no_terms".to_string()), (38, "no_language".to_string())]);
    let c = &concepts[0];
    assert_eq!(c.external_id.as_deref(), Some("c1"));
    assert_eq!(c.subject_field.as_deref(), Some("security"));
    assert_eq!(c.definition.as_deref(), Some("A promise of\nprotection."));
    assert_eq!(c.source.as_deref(), Some("ISO"));
    assert_eq!(c.note.as_deref(), Some("concept note\nTxt::Text Field: custom"));
    assert_eq!(c.cross_references.len(), 2);
    assert_eq!(c.cross_references[0].kind, CrossRefKind::Concept);
    assert_eq!(c.cross_references[0].target.as_deref(), Some("c2"));
    assert_eq!(c.cross_references[1].kind, CrossRefKind::Graphic);
    assert_eq!(c.stamp.created_by.as_deref(), Some("UM"));
    let ru = c.section("ru-RU").expect("RU_ru is normalised");
    assert_eq!(ru.definition.as_deref(), Some("обещание защиты"));
    let t = &ru.terms[0];
    assert_eq!(t.text, "гарантии безопасности");
    assert_eq!(t.part_of_speech, Some(PartOfSpeech::Noun));
    assert_eq!(t.gender, Some(Gender::Feminine));
    assert_eq!(t.number, Some(Number::Plural));
    assert_eq!(
        t.status,
        Some(TermStatus::Preferred),
        "administrativeStatus wins over normativeAuthorization"
    );
    assert_eq!(t.context.as_deref(), Some("Москва ждет гарантий безопасности."));
    assert_eq!(t.source.as_deref(), Some("Известия"));
    assert_eq!(t.usage_note.as_deref(), Some("только во мн. ч."));
    assert_eq!(t.match_mode, MatchMode::Exact);
    assert_eq!(t.stamp.changed_at.as_deref(), Some("20010507T10:57:25Z"));
    assert_eq!(c.section("en").unwrap().terms[0].status, Some(TermStatus::Forbidden));
}

#[test]
fn tbx_v3_dct_style_data_categories_are_read() {
    let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<tbx type="TBX-Basic" style="dct" xml:lang="en" xmlns="urn:iso:std:iso:30042:ed-2"
     xmlns:min="http://www.tbxinfo.net/ns/min" xmlns:basic="http://www.tbxinfo.net/ns/basic">
  <tbxHeader><fileDesc><sourceDesc><p>x</p></sourceDesc></fileDesc></tbxHeader>
  <text><body>
    <conceptEntry id="a1">
      <min:subjectField>Astronomy</min:subjectField>
      <langSec xml:lang="en">
        <basic:definition>A star group.</basic:definition>
        <termSec>
          <term>open cluster</term>
          <min:partOfSpeech>noun</min:partOfSpeech>
          <min:administrativeStatus>admittedTerm-admn-sts</min:administrativeStatus>
          <basic:context>An open cluster is young.</basic:context>
        </termSec>
      </langSec>
    </conceptEntry>
  </body></text>
</tbx>"#;
    let (version, concepts, _) = read_tbx(xml).unwrap();
    assert_eq!(version, TbxVersion::V3);
    let c = &concepts[0];
    assert_eq!(c.subject_field.as_deref(), Some("Astronomy"));
    let en = c.section("en").unwrap();
    assert_eq!(en.definition.as_deref(), Some("A star group."));
    assert_eq!(en.terms[0].status, Some(TermStatus::Admitted));
    assert_eq!(en.terms[0].context.as_deref(), Some("An open cluster is young."));
}

#[test]
fn eurotermbank_files_have_no_martif_root() {
    let xml = "<?xml version=\"1.0\" ?>\n<martifHeader><fileDesc><sourceDesc><p>TNC</p></sourceDesc></fileDesc>\n\
               <text><body><termEntry id=\"x\"><langSet xml:lang=\"sv\"><ntig><termGrp><term>raket</term></termGrp>\
               <termNote type=\"administrativeStatus\">preferredTerm-admn-sts</termNote></ntig></langSet></termEntry></body></text>\n\
               </martifHeader>\n";
    let (version, concepts, _) = read_tbx(xml).unwrap();
    assert_eq!(version, TbxVersion::EuroTermBank);
    assert_eq!(concepts[0].section("sv").unwrap().terms[0].text, "raket");
}

#[test]
fn several_terms_in_one_term_section_skip_the_entry() {
    let xml = "<tbx xmlns=\"urn:iso:std:iso:30042:ed-2\"><text><body>\n<conceptEntry id=\"a\"><langSec xml:lang=\"en\">\
               <termSec><term>one</term><term>two</term></termSec></langSec></conceptEntry>\n</body></text></tbx>";
    let (_, concepts, skipped) = read_tbx(xml).unwrap();
    assert!(concepts.is_empty());
    assert_eq!(skipped, [(2, "several_terms_in_one_term_section".to_string())]);
}

#[test]
fn broken_files_fail_with_a_position() {
    let cut = "<martif><text><body><termEntry id=\"a\"><langSet xml:lang=\"en\"><tig><term>x</term></tig>";
    let err = read_tbx(cut).unwrap_err().to_string();
    assert!(err.contains("cut short"), "{err}");
    let err = read_tbx("<martif>\n<text>\n<body></text></martif>").unwrap_err().to_string();
    assert!(err.starts_with("line 3, column"), "{err}");
    let err = read_tbx("<?xml version=\"1.0\"?><!DOCTYPE martif [<!ENTITY a \"b\">]><martif/>")
        .unwrap_err()
        .to_string();
    assert!(err.contains("entities"), "{err}");
    let err = read_tbx("<tmx version=\"1.4\"/>").unwrap_err().to_string();
    assert!(err.contains("not a TBX file"), "{err}");
}

fn read_glossary(
    bytes: &[u8],
    format: GlossaryFormat,
    langs: Option<(&str, &str)>,
) -> Vec<Concept> {
    let options = GlossaryOptions {
        format,
        source_lang: langs.map(|l| l.0.into()),
        target_lang: langs.map(|l| l.1.into()),
        encoding: None,
    };
    let mut r = GlossaryReader::new(Box::new(Cursor::new(bytes.to_vec())), &options).unwrap();
    let mut out = Vec::new();
    while let Some(row) = r.next_entry() {
        if let RowRead::Concept { concept, .. } = row.unwrap() {
            out.push(*concept);
        }
    }
    out
}

#[test]
fn utf16_omegat_glossary_with_bom() {
    let mut bytes = vec![0xFF, 0xFE];
    for u in "# comment\r\nмир\tpeace\tcomment\r\n".encode_utf16() {
        bytes.extend(u.to_le_bytes());
    }
    let concepts = read_glossary(&bytes, GlossaryFormat::Tsv, Some(("ru", "en")));
    assert_eq!(concepts.len(), 1);
    assert_eq!(concepts[0].section("ru").unwrap().terms[0].text, "мир");
    assert_eq!(concepts[0].section("en").unwrap().terms[0].text, "peace");
    assert_eq!(concepts[0].note.as_deref(), Some("comment"));
}

#[test]
fn tico_csv_names_languages_in_each_row() {
    let csv = "stringID,sourceLang,targetLang,pos,description,sourceString,targetString\n\
               1,en,ru,noun,\"a disease, contagious\",flu,грипп\n";
    let concepts = read_glossary(csv.as_bytes(), GlossaryFormat::Csv, None);
    let c = &concepts[0];
    assert_eq!(c.definition.as_deref(), Some("a disease, contagious"));
    assert_eq!(c.section("en").unwrap().terms[0].part_of_speech, Some(PartOfSpeech::Noun));
    assert_eq!(c.section("ru").unwrap().terms[0].text, "грипп");
}
