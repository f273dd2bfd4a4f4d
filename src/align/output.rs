//! Beads as translation units: one unit per bead with sentences on both sides, carrying its
//! bead kind, confidence and paragraph as properties, written as TMX 1.4b by
//! [`crate::tmx::TmxWriter`] (this module builds units; it writes no XML itself).

use std::io::Write;

use super::{AlignError, Bead};
use crate::model::{
    normalize_lang_tag, Annotation, AnnotationKind, Header, Metadata, Segment, Unit, Variant,
};
use crate::tmx::{TmxWriter, WriterOptions};

/// `<prop type>` of a unit's bead kind (`1-2`).
pub const BEAD_PROP: &str = "x-alignment-bead";
/// `<prop type>` of a unit's confidence (`0.87`).
pub const CONFIDENCE_PROP: &str = "x-alignment-confidence";
/// `<prop type>` of the source paragraph numbers, from 1 (`3`, or `3-4`).
pub const PARAGRAPH_PROP: &str = "x-paragraph";

/// How beads become units.
#[derive(Debug, Clone)]
pub struct TmxOptions {
    pub source_lang: String,
    pub target_lang: String,
    /// Units get the tuid `PREFIX-NNNN`, NNNN being the bead number from 1; none without.
    pub tuid_prefix: Option<String>,
    /// `creationdate` of the header and the units (TMX form, `20220114T000000Z`).
    pub creation_date: Option<String>,
    /// Give each unit the source sentences before and after it (`x-context-pre`,
    /// `x-context-post`), so that the memory can offer context matches.
    pub context: bool,
    /// A `<note>` for the header (where the documents came from).
    pub note: Option<String>,
}

impl TmxOptions {
    pub fn new(source_lang: &str, target_lang: &str) -> TmxOptions {
        TmxOptions {
            source_lang: normalize_lang_tag(source_lang),
            target_lang: normalize_lang_tag(target_lang),
            tuid_prefix: None,
            creation_date: None,
            context: true,
            note: None,
        }
    }
}

fn prop(kind: &str, value: impl Into<String>) -> Annotation {
    Annotation {
        kind: AnnotationKind::Prop,
        prop_type: Some(kind.to_string()),
        lang: None,
        o_encoding: None,
        value: value.into(),
    }
}

fn variant(lang: &str, text: &str) -> Variant {
    Variant {
        lang: lang.to_string(),
        meta: Metadata::default(),
        annotations: Vec::new(),
        segment: Segment::from_text(text),
    }
}

/// Paragraph numbers from 1: `3`, or `3-4` for a bead made of two paragraphs.
fn paragraph_numbers(paragraphs: &std::ops::Range<usize>) -> String {
    match paragraphs.len() {
        0 => String::new(),
        1 => (paragraphs.start + 1).to_string(),
        _ => format!("{}-{}", paragraphs.start + 1, paragraphs.end),
    }
}

/// The units of an alignment: one per bead with sentences on both sides (1-0 and 0-1 beads
/// have no translation to remember and are left out).
pub fn alignment_units(beads: &[Bead], options: &TmxOptions) -> Vec<Unit> {
    let source_of = |k: usize| beads.get(k).filter(|b| !b.source_text.is_empty());
    let mut units = Vec::new();
    for (index, bead) in beads.iter().enumerate() {
        if bead.kind.is_empty_side() {
            continue;
        }
        let mut annotations = vec![
            prop(BEAD_PROP, bead.kind.as_str()),
            prop(CONFIDENCE_PROP, format!("{:.2}", bead.confidence)),
            prop(PARAGRAPH_PROP, paragraph_numbers(&bead.source_paragraphs)),
        ];
        if options.context {
            if let Some(before) = (0..index).rev().find_map(source_of) {
                annotations.push(prop("x-context-pre", before.source_text.clone()));
            }
            if let Some(after) = (index + 1..beads.len()).find_map(source_of) {
                annotations.push(prop("x-context-post", after.source_text.clone()));
            }
        }
        units.push(Unit {
            tuid: options.tuid_prefix.as_ref().map(|prefix| format!("{prefix}-{:04}", index + 1)),
            srclang: None,
            meta: Metadata { creationdate: options.creation_date.clone(), ..Metadata::default() },
            annotations,
            variants: vec![
                variant(&options.source_lang, &bead.source_text),
                variant(&options.target_lang, &bead.target_text),
            ],
        });
    }
    units
}

/// Writes the alignment as a TMX 1.4b document; returns the number of units written.
pub fn write_tmx<W: Write>(
    beads: &[Bead],
    out: W,
    options: &TmxOptions,
) -> Result<usize, AlignError> {
    let header = Header {
        srclang: Some(options.source_lang.clone()),
        adminlang: Some("en".to_string()),
        meta: Metadata {
            segtype: Some("sentence".to_string()),
            creationdate: options.creation_date.clone(),
            ..Metadata::default()
        },
        annotations: options
            .note
            .iter()
            .map(|note| Annotation {
                kind: AnnotationKind::Note,
                prop_type: None,
                lang: None,
                o_encoding: None,
                value: note.clone(),
            })
            .collect(),
    };
    let writer_options = WriterOptions { srclang: options.source_lang.clone() };
    let mut writer = TmxWriter::start(out, &header, &writer_options)?;
    let units = alignment_units(beads, options);
    for unit in &units {
        writer.write_unit(unit)?;
    }
    writer.finish()?.flush()?;
    Ok(units.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::align::BeadKind;

    fn bead(kind: BeadKind, source: &str, target: &str, confidence: f64) -> Bead {
        let (s, t) = match kind {
            BeadKind::OneToTwo => (0..1, 0..2),
            BeadKind::OneToZero => (0..1, 0..0),
            _ => (0..1, 0..1),
        };
        let mut bead = Bead::for_test(s, t);
        bead.kind = kind;
        bead.source_text = source.into();
        bead.target_text = target.into();
        bead.confidence = confidence;
        bead.source_paragraphs = 1..2;
        bead
    }

    #[test]
    fn units_carry_bead_confidence_paragraph_and_context() {
        let beads = vec![
            bead(BeadKind::OneToOne, "Раз.", "One.", 0.994),
            bead(BeadKind::OneToZero, "Пропуск.", "", 0.3),
            bead(BeadKind::OneToTwo, "Два и три.", "Two. Three.", 0.871),
        ];
        let mut options = TmxOptions::new("ru-RU", "en");
        options.tuid_prefix = Some("izv".into());
        let units = alignment_units(&beads, &options);
        assert_eq!(units.len(), 2, "the 1-0 bead has no unit");
        let last = &units[1];
        assert_eq!(last.tuid.as_deref(), Some("izv-0003"));
        let props: Vec<(&str, &str)> = last
            .annotations
            .iter()
            .map(|a| (a.prop_type.as_deref().unwrap_or(""), a.value.as_str()))
            .collect();
        assert_eq!(
            props,
            [
                ("x-alignment-bead", "1-2"),
                ("x-alignment-confidence", "0.87"),
                ("x-paragraph", "2"),
                ("x-context-pre", "Пропуск."),
            ]
        );
        assert_eq!(last.variants[0].lang, "ru-RU");
        assert_eq!(last.variants[1].segment.plain_text(), "Two. Three.");
    }

    #[test]
    fn writes_tmx_that_the_reader_reads_back() {
        let beads = vec![bead(BeadKind::OneToOne, "Раз & два.", "One & two.", 0.9)];
        let mut out = Vec::new();
        let written = write_tmx(&beads, &mut out, &TmxOptions::new("ru", "en")).unwrap();
        assert_eq!(written, 1);
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("srclang=\"ru\""), "{text}");
        assert!(text.contains("<prop type=\"x-alignment-bead\">1-1</prop>"), "{text}");
        assert!(text.contains("Раз &amp; два."), "{text}");
    }
}
