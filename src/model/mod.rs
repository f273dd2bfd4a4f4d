//! Plain domain types shared by every layer: translation units, their variants,
//! inline markup, annotations and language tags. No I/O and no wire format here.

mod date;
mod lang;
mod segment;
mod term;

pub use date::{format_tmx_date, tmx_date_seconds, tmx_now};
pub use lang::{canonical_lang_matches, lang_matches, normalize_lang_tag};
pub use segment::{Inline, InlineKind, Segment};
pub use term::{
    is_well_formed_lang_tag, tidy_term, tidy_text, Concept, ConceptChange, CrossRefKind,
    CrossReference, Gender, LangSection, MatchMode, Number, PartOfSpeech, Stamp, Term,
    TermBaseSummary, TermStatus,
};

/// A `<prop>` or `<note>` attached to a header, a unit or a variant, kept in document order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotation {
    pub kind: AnnotationKind,
    /// `type` of a `<prop>`; `None` for notes.
    pub prop_type: Option<String>,
    /// `xml:lang` (or TMX 1.1 `lang`) of the annotation, as written.
    pub lang: Option<String>,
    pub o_encoding: Option<String>,
    pub value: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnnotationKind {
    Prop,
    Note,
}

impl AnnotationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AnnotationKind::Prop => "prop",
            AnnotationKind::Note => "note",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "prop" => Some(AnnotationKind::Prop),
            "note" => Some(AnnotationKind::Note),
            _ => None,
        }
    }
}

/// The TMX attributes that `<header>`, `<tu>` and `<tuv>` share. Every one is optional
/// on units and variants; values are kept exactly as written (dates stay in TMX form).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Metadata {
    pub creationtool: Option<String>,
    pub creationtoolversion: Option<String>,
    pub creationdate: Option<String>,
    pub creationid: Option<String>,
    pub changedate: Option<String>,
    pub changeid: Option<String>,
    pub lastusagedate: Option<String>,
    pub usagecount: Option<i64>,
    pub o_tmf: Option<String>,
    pub datatype: Option<String>,
    pub segtype: Option<String>,
    pub o_encoding: Option<String>,
}

/// The `<header>` of a TMX file: where a memory's global attributes come from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Header {
    pub srclang: Option<String>,
    pub adminlang: Option<String>,
    pub meta: Metadata,
    pub annotations: Vec<Annotation>,
}

/// One language version of a unit (`<tuv>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variant {
    /// BCP 47 tag in canonical case (see [`normalize_lang_tag`]).
    pub lang: String,
    pub meta: Metadata,
    pub annotations: Vec<Annotation>,
    pub segment: Segment,
}

/// A translation unit (`<tu>`): the same content in several languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    pub tuid: Option<String>,
    /// The unit's own `srclang`; the memory's header gives the default.
    pub srclang: Option<String>,
    pub meta: Metadata,
    pub annotations: Vec<Annotation>,
    pub variants: Vec<Variant>,
}

impl Variant {
    /// A variant of plain text (no markup), without metadata or annotations.
    pub fn from_text(lang: impl Into<String>, text: impl Into<String>) -> Variant {
        Variant {
            lang: lang.into(),
            meta: Metadata::default(),
            annotations: vec![],
            segment: Segment::from_text(text),
        }
    }
}

impl Unit {
    /// A unit of these variants, the first one its source, without a tuid, metadata or
    /// annotations.
    pub fn from_variants(variants: Vec<Variant>) -> Unit {
        Unit {
            tuid: None,
            srclang: variants.first().map(|v| v.lang.clone()),
            meta: Metadata::default(),
            annotations: vec![],
            variants,
        }
    }

    /// The first variant whose language matches `lang` (see [`lang_matches`]).
    pub fn variant(&self, lang: &str) -> Option<&Variant> {
        self.variants.iter().find(|v| lang_matches(&v.lang, lang))
    }
}
