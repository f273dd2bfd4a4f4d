//! Importing TMX files into a memory: the TMX reader feeds the store, one transaction per
//! file, and a report says what was read, added, updated and skipped, and where.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use std::sync::mpsc;

use crate::model::Header;
use crate::store::{AddOutcome, DuplicatePolicy, ImportSession, PreparedUnit, Store, StoreError};
use crate::tmx::{Position, ReadLimits, SkippedUnit, TmxError, TmxReader, UnitRead};

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
        *self.skipped_by_reason.entry(problem.reason.clone()).or_default() += 1;
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
    Open { file: String, source: std::io::Error },
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
    let file =
        File::open(path).map_err(|source| ImportError::Open { file: file_name.clone(), source })?;
    import_tmx(store, Box::new(file), &file_name, options, progress)
}

/// What the reading thread hands to the writing thread.
enum Parsed {
    Unit(Box<PreparedUnit>, Position),
    Skipped(SkippedUnit),
}

/// Units travel between the threads in batches, to keep channel traffic low.
const BATCH: usize = 256;

/// Batches in flight each way: full ones to the writer, spent ones back to the reader.
const BATCHES_IN_FLIGHT: usize = 16;

/// Imports TMX from any byte stream (a file, a request body). `name` appears in messages.
///
/// Two threads: one reads the XML and prepares each unit (segment XML, plain and normalised
/// text, hash), the calling thread writes to the store. A bounded channel between them keeps
/// memory flat. The writer hands each spent batch back, and the reader frees its units and
/// refills it: memory is freed by the thread that allocated it, and not on the writer's time.
pub fn import_tmx(
    store: &mut Store,
    input: Box<dyn Read + Send>,
    name: &str,
    options: &ImportOptions,
    progress: &Progress,
) -> Result<ImportReport, ImportError> {
    let started = Instant::now();
    let tmx_error = |source| ImportError::Tmx { file: name.to_string(), source };
    let counted = CountingReader { inner: input, count: progress.bytes.clone() };
    let limits = options.limits;
    let (head_tx, head_rx) = mpsc::sync_channel::<Result<(ImportReport, Header), TmxError>>(1);
    let (batch_tx, batch_rx) =
        mpsc::sync_channel::<Result<Vec<Parsed>, TmxError>>(BATCHES_IN_FLIGHT);
    let (spent_tx, spent_rx) = mpsc::sync_channel::<Vec<Parsed>>(BATCHES_IN_FLIGHT);

    std::thread::scope(|scope| {
        scope.spawn(move || {
            let mut reader = match TmxReader::new(Box::new(counted), limits) {
                Ok(r) => r,
                Err(e) => {
                    let _ = head_tx.send(Err(e));
                    return;
                }
            };
            let report = ImportReport {
                tmx_version: reader.version().map(str::to_string),
                encoding: reader.input_info().encoding.clone(),
                gzip: reader.input_info().gzip,
                warnings: reader.input_info().warnings.clone(),
                ..ImportReport::default()
            };
            if head_tx.send(Ok((report, reader.header().clone()))).is_err() {
                return;
            }
            let next_batch = || match spent_rx.try_recv() {
                Ok(mut spent) => {
                    spent.clear();
                    spent
                }
                Err(_) => Vec::with_capacity(BATCH),
            };
            let mut batch = next_batch();
            while let Some(next) = reader.next_unit() {
                let parsed = match next {
                    Ok(UnitRead::Unit { unit, at }) => {
                        Parsed::Unit(Box::new(PreparedUnit::new(*unit)), at)
                    }
                    Ok(UnitRead::Skipped(s)) => Parsed::Skipped(s),
                    Err(e) => {
                        let _ = batch_tx.send(Err(e));
                        return;
                    }
                };
                batch.push(parsed);
                if batch.len() == BATCH {
                    let full = std::mem::replace(&mut batch, next_batch());
                    if batch_tx.send(Ok(full)).is_err() {
                        return; // the writer stopped
                    }
                }
            }
            let _ = batch_tx.send(Ok(batch));
        });

        let (mut report, header) = match head_rx.recv() {
            Ok(Ok(head)) => head,
            Ok(Err(e)) => return Err(tmx_error(e)),
            Err(_) => return Err(tmx_error(TmxError::NotTmx("the reader stopped".into()))),
        };
        report.file = name.to_string();
        report.memory = options.memory.clone();
        report.dry_run = options.dry_run;
        let mut session = store.begin_import(&options.memory, &header, options.on_duplicate)?;
        for batch in batch_rx {
            // An error drops the session, which rolls the whole file back.
            let batch = batch.map_err(tmx_error)?;
            for parsed in &batch {
                report.units_read += 1;
                progress.units.fetch_add(1, Ordering::Relaxed);
                record(&mut session, parsed, &mut report, options)?;
            }
            // Full or gone (the reader has finished): then this thread frees it.
            let _ = spent_tx.try_send(batch);
        }
        if options.dry_run {
            session.rollback()?;
        } else {
            session.commit()?;
        }
        report.seconds = started.elapsed().as_secs_f64();
        Ok(report)
    })
}

fn record(
    session: &mut ImportSession<'_>,
    parsed: &Parsed,
    report: &mut ImportReport,
    options: &ImportOptions,
) -> Result<(), ImportError> {
    match parsed {
        Parsed::Skipped(s) => report.note_problem(
            Problem {
                line: s.at.line,
                column: s.at.column,
                tuid: s.tuid.clone(),
                reason: s.reason.code().to_string(),
                message: s.reason.to_string(),
            },
            options.max_listed_problems,
        ),
        Parsed::Unit(prepared, at) => {
            for v in &prepared.unit().variants {
                match report.languages.get_mut(&v.lang) {
                    Some(count) => *count += 1,
                    None => drop(report.languages.insert(v.lang.clone(), 1)),
                }
            }
            match session.add_unit(prepared)? {
                AddOutcome::Added(_) => report.added += 1,
                AddOutcome::Updated(_) => report.updated += 1,
                AddOutcome::Duplicate(existing) => report.note_problem(
                    Problem {
                        line: at.line,
                        column: at.column,
                        tuid: prepared.unit().tuid.clone(),
                        reason: "duplicate".into(),
                        message: format!("the memory already holds this unit (unit {existing})"),
                    },
                    options.max_listed_problems,
                ),
            }
        }
    }
    Ok(())
}
