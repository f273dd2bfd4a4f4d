//! SRX 2.0 (Segmentation Rules eXchange) files: the reader that turns one into an
//! [`SrxDocument`], and the translation of its ICU/Java regexes into Rust regex syntax.
//!
//! This is the only module that parses SRX XML. It checks every regex while reading (so
//! a bad rule is reported with its file, line and column) but runs none: the engine that
//! applies the rules is `text::segment`.

mod pattern;
mod reader;

use std::fmt;
use std::path::PathBuf;

pub use reader::{read_srx_file, read_srx_str, SrxReadOptions, MAX_SRX_FILE_BYTES};

/// The SRX 2.0 namespace; elements in other namespaces (tool extensions) are skipped.
pub const SRX20_NAMESPACE: &str = "http://www.lisa.org/srx20";

/// A line and column in an SRX file, both from 1; columns count characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Position {
    pub line: u64,
    pub column: u64,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)
    }
}

/// A whole SRX file: header, named rule sets and the map from language codes to them.
#[derive(Debug, Clone)]
pub struct SrxDocument {
    /// Where the rules came from (a path, or a name for built-in rules); used in messages.
    pub source: String,
    /// The `version` attribute of `<srx>` ("2.0"; "1.0" files are read too).
    pub version: String,
    pub header: SrxHeader,
    /// The `<languagerule>` elements in document order.
    pub language_rules: Vec<LanguageRule>,
    /// The `<languagemap>` elements in document order.
    pub language_maps: Vec<LanguageMap>,
    /// Rules and maps left out because their regex could not be used
    /// (only with [`SrxReadOptions::skip_bad_rules`]).
    pub skipped: Vec<SkippedRule>,
}

impl SrxDocument {
    /// The rule set with this `languagerulename`.
    pub fn language_rule(&self, name: &str) -> Option<&LanguageRule> {
        self.language_rules.iter().find(|rule| rule.name == name)
    }
}

/// The `<header>` attributes and format handles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SrxHeader {
    /// `segmentsubflows`: whether text subflows are segmented (plain text has none).
    pub segment_subflows: bool,
    /// `cascade`: apply the rules of every matching language map (in map order) rather
    /// than of the first one only.
    pub cascade: bool,
    pub format_handles: Vec<FormatHandle>,
}

impl Default for SrxHeader {
    fn default() -> Self {
        SrxHeader { segment_subflows: true, cascade: false, format_handles: Vec::new() }
    }
}

/// `<formathandle type include>`: on which side of a break a formatting code goes.
/// Kept for completeness; plain-text segmentation has no codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FormatHandle {
    pub kind: FormatHandleKind,
    pub include: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormatHandleKind {
    Start,
    End,
    Isolated,
}

/// One `<languagerule>`: an ordered list of break and no-break rules.
#[derive(Debug, Clone)]
pub struct LanguageRule {
    pub name: String,
    pub rules: Vec<SrxRule>,
    pub at: Position,
}

/// One `<rule>`: break (or not, for an exception) where `before` matches the text ending
/// at a position and `after` matches the text starting there.
#[derive(Debug, Clone)]
pub struct SrxRule {
    /// `break="yes"` (the default) or `break="no"`.
    pub breaks: bool,
    /// `<beforebreak>`; empty when missing (an empty regex matches everywhere).
    pub before: SrxPattern,
    /// `<afterbreak>`; empty when missing.
    pub after: SrxPattern,
    pub at: Position,
}

/// One `<languagemap>`: language codes matching `pattern` use the rule set `rule_name`.
#[derive(Debug, Clone)]
pub struct LanguageMap {
    /// `languagepattern`, matched against the whole language code, ignoring case.
    pub pattern: SrxPattern,
    pub rule_name: String,
    pub at: Position,
}

/// A regex as written in the SRX file and as translated for the Rust regex engine.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SrxPattern {
    /// The text of the element or attribute (ICU/Java syntax).
    pub written: String,
    /// The same regex in the syntax of the `regex-syntax` crate; checked to parse.
    pub translated: String,
}

/// A rule or language map left out of a document read with `skip_bad_rules`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedRule {
    pub at: Position,
    /// The `languagerulename` of the rule set, or of the map's target.
    pub rule_set: String,
    pub reason: String,
}

impl fmt::Display for SkippedRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: in {:?}: {}", self.at, self.rule_set, self.reason)
    }
}

/// Why an SRX file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SrxError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: the file is larger than {limit} bytes; SRX rule files are far smaller")]
    TooLarge { path: PathBuf, limit: u64 },
    #[error("{source_name}: {message}")]
    Encoding { source_name: String, message: String },
    #[error("{source_name}: {at}: not well-formed XML: {message}")]
    Xml { source_name: String, at: Position, message: String },
    #[error("{source_name}: not an SRX file: {message}")]
    NotSrx { source_name: String, message: String },
    #[error("{source_name}: {at}: {message}")]
    Invalid { source_name: String, at: Position, message: String },
    /// A regex tmbase cannot run: unsupported syntax, a syntax error, or too large.
    #[error("{0}")]
    BadPattern(Box<BadPattern>),
}

/// Where a regex tmbase cannot run is, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadPattern {
    pub source_name: String,
    /// The `<rule>` or `<languagemap>` element.
    pub at: Position,
    /// The `languagerulename` of the rule set (or of a language map's target).
    pub rule_set: String,
    /// `beforebreak`, `afterbreak` or `languagemap languagepattern`.
    pub part: &'static str,
    /// The regex as written in the file.
    pub pattern: String,
    pub reason: String,
}

impl fmt::Display for BadPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}: in {:?}: bad <{}> regex {:?}: {}",
            self.source_name, self.at, self.rule_set, self.part, self.pattern, self.reason
        )
    }
}
