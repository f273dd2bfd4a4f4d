//! Importing TMX files into a memory: the TMX reader feeds the store, one transaction per
//! file, and a report says what was read, added, updated and skipped, and where.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use crate::store::{AddOutcome, DuplicatePolicy, Store, StoreError};
use crate::tmx::{ReadLimits, TmxError, TmxReader, UnitRead};

/// How an import runs.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub memory: String,
    pub on_duplicate: DuplicatePolicy,
    /// Read and check everything, write nothing.
    pub dry_run: bool,
    pub limits: ReadLimits,
    /// How many problems are listed with their positions (all are counted).
    pub max_listed_problems: usize,
}

impl ImportOptions {
    pub fn new(memory: impl Into<String>) -> Self {
        ImportOptions {
            memory: memory.into(),
            on_duplicate: DuplicatePolicy::Skip,
            dry_run: false,
            limits: ReadLimits::default(),
            max_listed_problems: 1000,
        }
    }
}

/// One unit that was not added, and where it is in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: u64,
    pub column: u64,
    pub tuid: Option<String>,
    /// Stable name of the reason (`no_segment`, `duplicate`, …).
    pub reason: String,
    pub message: String,
}

/// What an import did.
#[derive(Debug, Clone, Default)]
pub struct ImportReport {
    pub file: String,
    pub memory: String,
    pub tmx_version: Option<String>,
    pub encoding: String,
    pub gzip: bool,
    pub units_read: u64,
    pub added: u64,
    pub updated: u64,
    /// Units not added, duplicates included.
    pub skipped: u64,
    pub skipped_by_reason: BTreeMap<String, u64>,
    /// The first problems with their positions.
    pub problems: Vec<Problem>,
    /// Variants read per language.
    pub languages: BTreeMap<String, u64>,
    pub warnings: Vec<String>,
    pub seconds: f64,
    pub dry_run: bool,
}

impl ImportReport {
    fn note_problem(&mut self, problem: Problem, max_listed: usize) {
        self.skipped += 1;
        *self
            .skipped_by_reason
            .entry(problem.reason.clone())
            .or_default() += 1;
        if self.problems.len() < max_listed {
            self.problems.push(problem);
        }
    }
}

/// A file that could not be imported. Nothing of it was stored.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{file}: {source}")]
    Tmx { file: String, source: TmxError },
    #[error("{file}: {source}")]
    Open {
        file: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Progress of a running import, for a progress bar or a job status.
#[derive(Debug, Clone, Default)]
pub struct Progress {
    /// Bytes of the file as stored on disk (compressed, if it is).
    pub bytes: Arc<AtomicU64>,
    pub units: Arc<AtomicU64>,
}

/// Counts the bytes read from the underlying file.
struct CountingReader<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Imports one TMX file.
pub fn import_tmx_file(
    store: &mut Store,
    path: &Path,
    options: &ImportOptions,
    progress: &Progress,
) -> Result<ImportReport, ImportError> {
    let file_name = path.display().to_string();
    let file = File::open(path).map_err(|source| ImportError::Open {
        file: file_name.clone(),
        source,
    })?;
    import_tmx(store, Box::new(file), &file_name, options, progress)
}

/// Imports TMX from any byte stream (a file, a request body). `name` appears in messages.
pub fn import_tmx(
    store: &mut Store,
    input: Box<dyn Read>,
    name: &str,
    options: &ImportOptions,
    progress: &Progress,
) -> Result<ImportReport, ImportError> {
    let started = Instant::now();
    let tmx_error = |source| ImportError::Tmx {
        file: name.to_string(),
        source,
    };
    let counted = CountingReader {
        inner: input,
        count: progress.bytes.clone(),
    };
    let mut reader = TmxReader::new(Box::new(counted), options.limits).map_err(tmx_error)?;
    let mut report = ImportReport {
        file: name.to_string(),
        memory: options.memory.clone(),
        tmx_version: reader.version().map(str::to_string),
        encoding: reader.input_info().encoding.clone(),
        gzip: reader.input_info().gzip,
        warnings: reader.input_info().warnings.clone(),
        dry_run: options.dry_run,
        ..ImportReport::default()
    };
    let header = reader.header().clone();
    let mut session = store.begin_import(&options.memory, &header, options.on_duplicate)?;
    while let Some(next) = reader.next_unit() {
        let read = match next {
            Ok(read) => read,
            // Dropping the session rolls the whole file back.
            Err(e) => return Err(tmx_error(e)),
        };
        report.units_read += 1;
        progress.units.fetch_add(1, Ordering::Relaxed);
        match read {
            UnitRead::Skipped(s) => report.note_problem(
                Problem {
                    line: s.at.line,
                    column: s.at.column,
                    tuid: s.tuid,
                    reason: s.reason.code().to_string(),
                    message: s.reason.to_string(),
                },
                options.max_listed_problems,
            ),
            UnitRead::Unit { unit, at } => {
                for v in &unit.variants {
                    *report.languages.entry(v.lang.clone()).or_default() += 1;
                }
                match session.add_unit(&unit)? {
                    AddOutcome::Added(_) => report.added += 1,
                    AddOutcome::Updated(_) => report.updated += 1,
                    AddOutcome::Duplicate(existing) => report.note_problem(
                        Problem {
                            line: at.line,
                            column: at.column,
                            tuid: unit.tuid.clone(),
                            reason: "duplicate".into(),
                            message: format!(
                                "the memory already holds this unit (unit {existing})"
                            ),
                        },
                        options.max_listed_problems,
                    ),
                }
            }
        }
    }
    if options.dry_run {
        session.rollback()?;
    } else {
        session.commit()?;
    }
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}
