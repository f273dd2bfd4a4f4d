//! The JSON shapes of the native API, with their OpenAPI schemas. Domain types never
//! derive serde for the wire; these types convert from them here, at the edge.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::import::ImportReport;
use crate::matching::Match;
use crate::model::{Annotation, AnnotationKind, Metadata, Segment, Unit, Variant};
use crate::store::{MemorySummary, StoredUnit};
use crate::terms::TermHit;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SuggestRequest {
    /// The source text: one sentence or several (it is segmented).
    pub text: Option<String>,
    /// Several texts at once (a batch); answered in `results`, in order.
    pub texts: Option<Vec<String>>,
    pub source_lang: String,
    pub target_lang: String,
    /// Memories to search; all memories when missing.
    pub memories: Option<Vec<String>>,
    /// Term bases whose terms are recognised in each segment.
    pub termbases: Option<Vec<String>>,
    pub min_score: Option<u32>,
    pub max_results: Option<usize>,
    /// The previous and next source segments, for context (101) matches.
    pub prev: Option<String>,
    pub next: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PenaltyDto {
    pub name: String,
    pub points: u32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DiffSpanDto {
    /// `inserted`, `deleted` or `replaced`.
    pub kind: String,
    /// Character offsets into `source` (end exclusive).
    pub start: usize,
    pub end: usize,
    pub query_text: String,
    /// A replacement by another form of the same word.
    pub same_stem: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MatchDto {
    pub score: u32,
    pub base_score: u32,
    pub penalties: Vec<PenaltyDto>,
    pub context_match: bool,
    pub numbers_adjusted: bool,
    pub memory: String,
    pub unit_id: i64,
    pub tuid: Option<String>,
    pub source_lang: String,
    pub source: String,
    pub source_markup: Option<String>,
    pub target_lang: String,
    pub target: String,
    pub target_markup: Option<String>,
    pub created_at: Option<String>,
    pub created_by: Option<String>,
    pub changed_at: Option<String>,
    pub changed_by: Option<String>,
    pub usage_count: Option<i64>,
    pub diff: Vec<DiffSpanDto>,
}

impl From<Match> for MatchDto {
    fn from(m: Match) -> Self {
        MatchDto {
            score: m.score,
            base_score: m.base_score,
            penalties: m
                .penalties
                .iter()
                .map(|p| PenaltyDto { name: p.name.into(), points: p.points })
                .collect(),
            context_match: m.context_match,
            numbers_adjusted: m.numbers_adjusted,
            memory: m.memory,
            unit_id: m.unit_id,
            tuid: m.tuid,
            source_lang: m.source_lang,
            source: m.source,
            source_markup: m.source_markup,
            target_lang: m.target_lang,
            target: m.target,
            target_markup: m.target_markup,
            created_at: m.created_at,
            created_by: m.created_by,
            changed_at: m.changed_at,
            changed_by: m.changed_by,
            usage_count: m.usage_count,
            diff: m
                .diff
                .into_iter()
                .map(|d| DiffSpanDto {
                    kind: d.kind.as_str().into(),
                    start: d.start,
                    end: d.end,
                    query_text: d.query_text,
                    same_stem: d.same_stem,
                })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TargetTermDto {
    pub term: String,
    pub lang: String,
    pub status: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TermHitDto {
    /// Character offsets into the segment (end exclusive).
    pub start: usize,
    pub end: usize,
    pub text: String,
    pub termbase: String,
    pub concept_id: i64,
    pub term: String,
    pub status: Option<String>,
    /// Target-language terms, preferred first.
    pub targets: Vec<TargetTermDto>,
}

impl From<TermHit> for TermHitDto {
    fn from(h: TermHit) -> Self {
        TermHitDto {
            start: h.start,
            end: h.end,
            text: h.text,
            termbase: h.termbase,
            concept_id: h.concept_id,
            term: h.term,
            status: h.status.map(|s| s.as_str().to_string()),
            targets: h
                .targets
                .into_iter()
                .map(|t| TargetTermDto {
                    term: t.text,
                    lang: t.lang,
                    status: t.status.map(|s| s.as_str().to_string()),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SegmentResult {
    /// Character offsets of the segment in the request's text (end exclusive).
    pub start: usize,
    pub end: usize,
    pub text: String,
    pub matches: Vec<MatchDto>,
    pub terms: Vec<TermHitDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TextResult {
    pub segments: Vec<SegmentResult>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SuggestResponse {
    /// For `text`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub segments: Option<Vec<SegmentResult>>,
    /// For `texts`, in order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub results: Option<Vec<TextResult>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LanguagePairDto {
    pub source: String,
    pub target: String,
    pub units: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MemoryDto {
    pub name: String,
    pub units: u64,
    pub created_at: String,
    pub languages: Vec<String>,
    pub pairs: Vec<LanguagePairDto>,
    pub last_change: Option<String>,
    pub penalty: i64,
}

impl MemoryDto {
    pub fn from_summary(m: MemorySummary, last_change: Option<String>, penalty: i64) -> Self {
        MemoryDto {
            name: m.name,
            units: m.units,
            created_at: m.created_at,
            languages: m.languages.into_iter().map(|(l, _)| l).collect(),
            pairs: m
                .pairs
                .into_iter()
                .map(|p| LanguagePairDto { source: p.source, target: p.target, units: p.units })
                .collect(),
            last_change,
            penalty,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateMemory {
    pub name: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMemory {
    /// A new name.
    pub name: Option<String>,
    /// Points taken off every match from this memory.
    pub penalty: Option<i64>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AnnotationDto {
    /// `prop` or `note`.
    pub kind: String,
    /// The `type` of a prop.
    #[serde(rename = "type")]
    pub prop_type: Option<String>,
    pub lang: Option<String>,
    pub value: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct VariantDto {
    pub lang: String,
    /// The text without markup.
    pub text: String,
    /// The segment with its TMX inline markup (`<bpt>`, `<ph>`, …), when it has any. On
    /// input, when given, it is the segment and `text` is ignored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub markup: Option<String>,
    #[serde(default)]
    pub annotations: Vec<AnnotationDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnitDto {
    pub id: i64,
    pub tuid: Option<String>,
    pub srclang: Option<String>,
    pub created_at: Option<String>,
    pub created_by: Option<String>,
    pub changed_at: Option<String>,
    pub changed_by: Option<String>,
    pub usage_count: Option<i64>,
    pub annotations: Vec<AnnotationDto>,
    pub variants: Vec<VariantDto>,
}

fn annotation_dto(a: &Annotation) -> AnnotationDto {
    AnnotationDto {
        kind: a.kind.as_str().into(),
        prop_type: a.prop_type.clone(),
        lang: a.lang.clone(),
        value: a.value.clone(),
    }
}

impl From<StoredUnit> for UnitDto {
    fn from(s: StoredUnit) -> Self {
        let u = s.unit;
        UnitDto {
            id: s.id,
            tuid: u.tuid,
            srclang: u.srclang,
            created_at: u.meta.creationdate,
            created_by: u.meta.creationid,
            changed_at: u.meta.changedate,
            changed_by: u.meta.changeid,
            usage_count: u.meta.usagecount,
            annotations: u.annotations.iter().map(annotation_dto).collect(),
            variants: u
                .variants
                .iter()
                .map(|v| VariantDto {
                    lang: v.lang.clone(),
                    text: v.segment.plain_text(),
                    markup: v.segment.has_markup().then(|| crate::tmx::segment_to_xml(&v.segment)),
                    annotations: v.annotations.iter().map(annotation_dto).collect(),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnitBody {
    pub tuid: Option<String>,
    pub srclang: Option<String>,
    pub usage_count: Option<i64>,
    #[serde(default)]
    pub annotations: Vec<AnnotationDto>,
    /// At least two variants.
    pub variants: Vec<VariantDto>,
}

impl UnitBody {
    /// The unit this body describes; `Err` says what is wrong.
    pub fn into_unit(self) -> Result<Unit, String> {
        if self.variants.len() < 2 {
            return Err("a unit needs at least two variants".into());
        }
        let annotation = |a: AnnotationDto| -> Result<Annotation, String> {
            Ok(Annotation {
                kind: AnnotationKind::parse(&a.kind)
                    .ok_or_else(|| format!("annotation kind {:?} is not prop or note", a.kind))?,
                prop_type: a.prop_type,
                lang: a.lang,
                o_encoding: None,
                value: a.value,
            })
        };
        let mut variants = Vec::new();
        for v in self.variants {
            if v.lang.trim().is_empty() {
                return Err("a variant has no lang".into());
            }
            let segment = match v.markup {
                Some(xml) => crate::tmx::segment_from_xml(&xml)
                    .map_err(|e| format!("markup of {}: {e}", v.lang))?,
                None => Segment::from_text(v.text),
            };
            variants.push(Variant {
                lang: crate::model::normalize_lang_tag(&v.lang),
                meta: Metadata::default(),
                annotations: v.annotations.into_iter().map(annotation).collect::<Result<_, _>>()?,
                segment,
            });
        }
        Ok(Unit {
            tuid: self.tuid,
            srclang: self.srclang.map(|l| crate::model::normalize_lang_tag(&l)),
            meta: Metadata { usagecount: self.usage_count, ..Metadata::default() },
            annotations: self.annotations.into_iter().map(annotation).collect::<Result<_, _>>()?,
            variants,
        })
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnitPage {
    pub units: Vec<UnitDto>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct UnitListParams {
    pub cursor: Option<String>,
    pub limit: Option<usize>,
    pub lang: Option<String>,
    /// TMX date or ISO date: only units changed (or created) since.
    pub changed_since: Option<String>,
    /// Only units last changed (or created) by this author.
    pub author: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ConcordanceParams {
    /// The word or phrase to find (case- and ё-insensitive).
    pub q: String,
    pub lang: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<usize>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SpanDto {
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConcordanceHitDto {
    pub unit_id: i64,
    pub lang: String,
    pub text: String,
    /// Where the searched text is, in characters of `text`.
    pub highlights: Vec<SpanDto>,
    /// The unit's other variants (the translations).
    pub other_variants: Vec<VariantDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConcordancePage {
    pub hits: Vec<ConcordanceHitDto>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ExportParams {
    pub source: Option<String>,
    pub target: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ImportParams {
    /// `skip` (default), `overwrite` or `keep`.
    pub on_duplicate: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct JobAccepted {
    pub job_id: u64,
    pub status_url: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemUnitDto {
    pub line: u64,
    pub column: u64,
    pub tuid: Option<String>,
    pub reason: String,
    pub message: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportReportDto {
    pub units_read: u64,
    pub added: u64,
    pub updated: u64,
    pub skipped: u64,
    pub skipped_by_reason: std::collections::BTreeMap<String, u64>,
    pub problems: Vec<ProblemUnitDto>,
    pub languages: std::collections::BTreeMap<String, u64>,
    pub warnings: Vec<String>,
    pub seconds: f64,
}

impl From<&ImportReport> for ImportReportDto {
    fn from(r: &ImportReport) -> Self {
        ImportReportDto {
            units_read: r.units_read,
            added: r.added,
            updated: r.updated,
            skipped: r.skipped,
            skipped_by_reason: r.skipped_by_reason.clone(),
            problems: r
                .problems
                .iter()
                .map(|p| ProblemUnitDto {
                    line: p.line,
                    column: p.column,
                    tuid: p.tuid.clone(),
                    reason: p.reason.clone(),
                    message: p.message.clone(),
                })
                .collect(),
            languages: r.languages.clone(),
            warnings: r.warnings.clone(),
            seconds: r.seconds,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct JobDto {
    pub id: u64,
    pub memory: String,
    /// `running`, `done` or `failed`.
    pub state: String,
    pub bytes_total: u64,
    pub bytes_read: u64,
    pub units_read: u64,
    pub report: Option<ImportReportDto>,
    pub error: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    pub status: String,
    pub version: String,
    pub schema_version: i64,
}
