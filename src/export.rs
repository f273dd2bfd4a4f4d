//! Exporting a memory as TMX 1.4b, streamed unit by unit.

use std::io::Write;

use crate::model::normalize_lang_tag;
use crate::store::{Store, StoreError, UnitFilter};
use crate::tmx::{TmxWriter, WriterOptions};

/// Which part of a memory to export.
#[derive(Debug, Clone, Default)]
pub struct ExportOptions {
    pub memory: String,
    pub source: Option<String>,
    pub target: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The I/O error is in the message and deliberately not a `source`, so that printing
    /// the error chain does not say it twice.
    #[error("cannot write the TMX: {0}")]
    Write(std::io::Error),
}

impl From<std::io::Error> for ExportError {
    fn from(e: std::io::Error) -> ExportError {
        ExportError::Write(e)
    }
}

/// Writes the memory as TMX to `out`; returns how many units were written.
pub fn export_tmx<W: Write>(
    store: &Store,
    options: &ExportOptions,
    out: W,
) -> Result<u64, ExportError> {
    let memory_id = store.require_memory(&options.memory)?;
    let header = store.memory_header(memory_id)?;
    let srclang = match (&options.source, &header.srclang) {
        (Some(s), _) => normalize_lang_tag(s),
        (None, Some(s)) => s.clone(),
        (None, None) => "*all*".to_string(),
    };
    let filter =
        UnitFilter { langs: options.source.iter().chain(options.target.iter()).cloned().collect() };
    let mut writer = TmxWriter::start(out, &header, &WriterOptions { srclang })?;
    let count = store.for_each_unit(memory_id, &filter, |unit| {
        writer.write_unit(&unit).map_err(ExportError::Write)
    })?;
    writer.finish()?;
    Ok(count)
}
