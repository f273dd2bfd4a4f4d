//! Term-base files in and out: import of TBX and glossaries into a term base (one
//! transaction per file, with a report of what was read, added and skipped, and where), and
//! export as TBX v3, TBX v2, CSV or TSV, streamed.

use std::collections::{BTreeMap, HashSet};
use std::fs::File;
use std::io::{Read, Write};
use std::path::Path;
use std::time::Instant;

use super::TermsError;
use crate::glossary::{
    CsvWriter, GlossaryFormat, GlossaryOptions, GlossaryReader, RowRead, TsvWriter,
};
use crate::model::{lang_matches, Concept};
use crate::store::{AddOutcome, DuplicatePolicy, Store};
use crate::tbx::{EntryRead, ReadLimits, TbxFormat, TbxReader, TbxWriter, TbxWriterOptions};

/// What kind of file to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TermFileFormat {
    Tbx,
    Csv,
    Tsv,
}

impl TermFileFormat {
    /// By extension: `.tbx`, `.xml` (also gzipped); `.csv`; `.tsv`, `.tab`, `.txt`, `.utf8`.
    pub fn from_path(path: &Path) -> Option<TermFileFormat> {
        let name = path.file_name()?.to_string_lossy().to_lowercase();
        let name = name.strip_suffix(".gz").unwrap_or(&name);
        let ext = name.rsplit_once('.')?.1;
        Some(match ext {
            "tbx" | "xml" | "tbxm" => TermFileFormat::Tbx,
            "csv" => TermFileFormat::Csv,
            "tsv" | "tab" | "txt" | "utf8" => TermFileFormat::Tsv,
            _ => return None,
        })
    }
}

/// How an import runs.
#[derive(Debug, Clone)]
pub struct TermImportOptions {
    pub termbase: String,
    pub on_duplicate: DuplicatePolicy,
    pub dry_run: bool,
    /// The format; found from the file name (then the content) when `None`.
    pub format: Option<TermFileFormat>,
    /// Languages of OmegaT glossaries, which do not name them.
    pub source_lang: Option<String>,
    pub target_lang: Option<String>,
    /// Encoding of text glossaries without BOM or magic comment.
    pub encoding: Option<String>,
    /// Who imports (recorded in the history).
    pub user: Option<String>,
    pub limits: ReadLimits,
    /// How many problems are listed with their positions (all are counted).
    pub max_listed_problems: usize,
}

impl TermImportOptions {
    pub fn new(termbase: impl Into<String>) -> Self {
        TermImportOptions {
            termbase: termbase.into(),
            on_duplicate: DuplicatePolicy::Skip,
            dry_run: false,
            format: None,
            source_lang: None,
            target_lang: None,
            encoding: None,
            user: None,
            limits: ReadLimits::default(),
            max_listed_problems: 1000,
        }
    }
}

/// One entry that was not added, and where it is in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermProblem {
    pub line: u64,
    pub column: u64,
    /// The entry's id, when it has one.
    pub id: Option<String>,
    /// Stable name of the reason (`no_terms`, `duplicate`, …).
    pub reason: String,
    pub message: String,
}

/// What an import did.
#[derive(Debug, Clone, Default)]
pub struct TermImportReport {
    pub file: String,
    pub termbase: String,
    /// `TBX v3 (TBX-Basic)`, `OmegaT tab-separated glossary (en → fr)`, …
    pub format: String,
    pub encoding: String,
    pub entries_read: u64,
    pub added: u64,
    pub updated: u64,
    /// Entries not added, duplicates included.
    pub skipped: u64,
    pub skipped_by_reason: BTreeMap<String, u64>,
    pub problems: Vec<TermProblem>,
    /// Terms read per language.
    pub languages: BTreeMap<String, u64>,
    pub warnings: Vec<String>,
    pub seconds: f64,
    pub dry_run: bool,
}

impl TermImportReport {
    fn note(&mut self, problem: TermProblem, max_listed: usize) {
        self.skipped += 1;
        *self.skipped_by_reason.entry(problem.reason.clone()).or_default() += 1;
        if self.problems.len() < max_listed {
            self.problems.push(problem);
        }
    }

    fn count_terms(&mut self, concept: &Concept) {
        for s in &concept.languages {
            *self.languages.entry(s.lang.clone()).or_default() += s.terms.len() as u64;
        }
    }
}

/// The format of a file whose name does not tell: XML if it starts with `<` (after a BOM
/// or white space, in UTF-8 or UTF-16).
fn sniff_format(path: &Path) -> Result<Option<TermFileFormat>, TermsError> {
    let mut head = [0u8; 512];
    let n = File::open(path)?.read(&mut head)?;
    let significant: Vec<u8> = head[..n]
        .iter()
        .copied()
        .filter(|b| !matches!(b, 0 | 0xEF | 0xBB | 0xBF | 0xFF | 0xFE) && !b.is_ascii_whitespace())
        .take(1)
        .collect();
    Ok(match significant.first() {
        Some(b'<') => Some(TermFileFormat::Tbx),
        _ => None,
    })
}

/// Imports one file into a term base in one transaction: the file lands whole (minus the
/// reported skipped entries) or not at all.
pub fn import_term_file(
    store: &mut Store,
    path: &Path,
    options: &TermImportOptions,
) -> Result<TermImportReport, TermsError> {
    let format = match options.format.or_else(|| TermFileFormat::from_path(path)) {
        Some(f) => f,
        None => sniff_format(path)?.ok_or_else(|| {
            TermsError::UnknownFormat(
                "cannot tell the format of the file: name it .tbx, .csv, .tsv, .tab, .txt or \
                 .utf8, or pass --format"
                    .into(),
            )
        })?,
    };
    let file = File::open(path)?;
    let started = Instant::now();
    let origin = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut report = TermImportReport {
        file: path.display().to_string(),
        termbase: options.termbase.clone(),
        dry_run: options.dry_run,
        ..TermImportReport::default()
    };
    let mut session = store.begin_term_import(
        &options.termbase,
        options.on_duplicate,
        options.user.as_deref(),
        &origin,
    )?;
    let max = options.max_listed_problems;
    let add = |report: &mut TermImportReport,
               session: &mut crate::store::TermImportSession<'_>,
               concept: &Concept,
               line: u64,
               column: u64|
     -> Result<(), TermsError> {
        report.entries_read += 1;
        report.count_terms(concept);
        match session.add_concept(concept)? {
            AddOutcome::Added(_) => report.added += 1,
            AddOutcome::Updated(_) => report.updated += 1,
            AddOutcome::Duplicate(id) => report.note(
                TermProblem {
                    line,
                    column,
                    id: concept.external_id.clone(),
                    reason: "duplicate".into(),
                    message: format!("the term base holds this concept already (#{id})"),
                },
                max,
            ),
        }
        Ok(())
    };
    match format {
        TermFileFormat::Tbx => {
            let mut reader = TbxReader::new(Box::new(file), options.limits)?;
            report.format = match reader.dialect() {
                Some(d) => format!("{} ({d})", reader.version().as_str()),
                None => reader.version().as_str().to_string(),
            };
            report.encoding = reader.input_info().encoding.clone();
            report.warnings.extend(reader.input_info().warnings.iter().cloned());
            while let Some(entry) = reader.next_entry() {
                match entry? {
                    EntryRead::Concept { concept, at } => {
                        add(&mut report, &mut session, &concept, at.line, at.column)?
                    }
                    EntryRead::Skipped(s) => {
                        report.entries_read += 1;
                        report.note(
                            TermProblem {
                                line: s.at.line,
                                column: s.at.column,
                                id: s.id,
                                reason: s.reason.code().into(),
                                message: s.reason.to_string(),
                            },
                            max,
                        );
                    }
                }
            }
            for (what, n) in reader.notes() {
                report.warnings.push(format!("{what} ({n}×)"));
            }
        }
        TermFileFormat::Csv | TermFileFormat::Tsv => {
            let glossary_options = GlossaryOptions {
                format: if format == TermFileFormat::Csv {
                    GlossaryFormat::Csv
                } else {
                    GlossaryFormat::Tsv
                },
                source_lang: options.source_lang.clone(),
                target_lang: options.target_lang.clone(),
                encoding: options.encoding.clone(),
            };
            let mut reader = GlossaryReader::new(Box::new(file), &glossary_options)?;
            report.format = reader.layout();
            report.encoding = reader.encoding().to_string();
            while let Some(row) = reader.next_entry() {
                match row? {
                    RowRead::Concept { concept, at } => {
                        add(&mut report, &mut session, &concept, at.line, at.column)?
                    }
                    RowRead::Skipped(s) => {
                        report.entries_read += 1;
                        report.note(
                            TermProblem {
                                line: s.at.line,
                                column: s.at.column,
                                id: None,
                                reason: s.reason.code().into(),
                                message: s.reason.to_string(),
                            },
                            max,
                        );
                    }
                }
            }
            report.warnings.extend(reader.warnings.iter().cloned());
        }
    }
    if session.renamed() > 0 {
        report.warnings.push(format!(
            "{} concepts had an id the term base holds already and were stored as ID-dupN",
            session.renamed()
        ));
    }
    if options.dry_run {
        session.rollback()?;
    } else {
        session.commit()?;
    }
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

/// The formats of [`export_terms`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TermExportFormat {
    /// TBX v3, dialect TBX-Basic.
    Tbx,
    /// TBX v2 (`martif`).
    Tbx2,
    /// CSV with a header row naming the languages.
    Csv,
    /// OmegaT tab-separated, one language pair.
    Tsv,
}

/// What to export.
#[derive(Debug, Clone)]
pub struct TermExportOptions {
    pub termbase: String,
    pub format: TermExportFormat,
    /// Only these languages (`ru` takes `ru-RU`); every language when empty. TSV needs
    /// exactly two: source and target.
    pub langs: Vec<String>,
}

/// What an export wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TermExportSummary {
    pub concepts: u64,
    /// Lines of a TSV export.
    pub lines: u64,
    /// Terms a one-term-per-language format (CSV) could not hold.
    pub omitted_terms: u64,
}

fn keep_languages(mut c: Concept, langs: &[String]) -> Option<Concept> {
    if !langs.is_empty() {
        c.languages.retain(|s| langs.iter().any(|l| lang_matches(&s.lang, l)));
    }
    (c.term_count() > 0).then_some(c)
}

/// Writes a term base (or the given languages of it) to `out`, one concept at a time.
pub fn export_terms(
    store: &Store,
    options: &TermExportOptions,
    out: impl Write,
) -> Result<TermExportSummary, TermsError> {
    let tb = &options.termbase;
    store.require_termbase(tb)?;
    let mut summary = TermExportSummary::default();
    match options.format {
        TermExportFormat::Tbx | TermExportFormat::Tbx2 => {
            let any = store.termbases()?.into_iter().filter(|s| s.name == *tb).any(|s| {
                s.languages.iter().any(|(l, n)| {
                    *n > 0
                        && (options.langs.is_empty()
                            || options.langs.iter().any(|w| lang_matches(l, w)))
                })
            });
            if !any {
                return Err(TermsError::NothingToExport(format!(
                    "the term base {tb:?} has no concept{}: TBX requires at least one entry",
                    if options.langs.is_empty() {
                        String::new()
                    } else {
                        " in these languages".into()
                    }
                )));
            }
            let writer_options = TbxWriterOptions {
                format: if options.format == TermExportFormat::Tbx {
                    TbxFormat::V3Basic
                } else {
                    TbxFormat::V2
                },
                title: tb.clone(),
                lang: "en".into(),
                concept_ids: store.concept_external_ids(tb)?.into_iter().collect::<HashSet<_>>(),
            };
            let mut writer = TbxWriter::start(out, &writer_options)?;
            store.for_each_concept(tb, |c| {
                if let Some(c) = keep_languages(c, &options.langs) {
                    writer.write_concept(&c)?;
                    summary.concepts += 1;
                }
                Ok(())
            })?;
            writer.finish()?;
        }
        TermExportFormat::Csv => {
            let langs: Vec<String> = store
                .termbases()?
                .into_iter()
                .find(|s| s.name == *tb)
                .map(|s| s.languages.into_iter().map(|(l, _)| l).collect::<Vec<_>>())
                .unwrap_or_default()
                .into_iter()
                .filter(|l| {
                    options.langs.is_empty() || options.langs.iter().any(|w| lang_matches(l, w))
                })
                .collect();
            let mut writer = CsvWriter::start(out, &langs)?;
            store.for_each_concept(tb, |c| {
                if let Some(c) = keep_languages(c, &options.langs) {
                    writer.write_concept(&c)?;
                    summary.concepts += 1;
                }
                Ok(())
            })?;
            summary.omitted_terms = writer.omitted();
            writer.finish()?;
        }
        TermExportFormat::Tsv => {
            let [source, target] = options.langs.as_slice() else {
                return Err(TermsError::NothingToExport(
                    "a tab-separated (OmegaT) export is for one language pair: pass --source and --target"
                        .into(),
                ));
            };
            let mut writer = TsvWriter::start(out, source, target)?;
            store.for_each_concept(tb, |c| {
                let lines = writer.write_concept(&c)?;
                summary.lines += lines;
                summary.concepts += u64::from(lines > 0);
                Ok(())
            })?;
            writer.finish()?;
        }
    }
    Ok(summary)
}
