//! The term base at work: recognising terms in Russian (and other) segments, inflection
//! included; checking translations against the term base; importing and exporting term files.

mod check;
mod exchange;
mod morph;
mod recognize;

pub use check::{check_translation, IssueKind, TermChecker, TermIssue};
pub use exchange::{
    export_terms, import_term_file, TermExportFormat, TermExportOptions, TermExportSummary,
    TermFileFormat, TermImportOptions, TermImportReport, TermProblem,
};
pub use recognize::{Recognizer, TargetTerm, TermHit};

/// Why a term-base file could not be imported or exported.
#[derive(Debug, thiserror::Error)]
pub enum TermsError {
    #[error(transparent)]
    Tbx(#[from] crate::tbx::TbxError),
    #[error(transparent)]
    Glossary(#[from] crate::glossary::GlossaryError),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error("cannot read or write: {0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    UnknownFormat(String),
    #[error("{0}")]
    NothingToExport(String),
}
