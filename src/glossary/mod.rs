//! Text glossaries: OmegaT's tab-separated and comma-separated files (no languages named:
//! the caller gives them), CSV whose header row names the languages (MateCat), and CSV with
//! per-row languages (TICO-19: `sourceLang,targetLang,sourceString,targetString`). Read as a
//! stream, one row at a time; written as MateCat-style CSV or OmegaT TSV.

mod input;
mod writer;

pub use writer::{CsvWriter, TsvWriter};

use std::io::Read;

use crate::model::{
    is_well_formed_lang_tag, normalize_lang_tag, Concept, PartOfSpeech, Term, TermStatus,
};
use crate::tbx::Position;
use input::Lines;

/// Why a glossary could not be read (as opposed to one row of it, see [`SkippedRow`]).
#[derive(Debug, thiserror::Error)]
pub enum GlossaryError {
    #[error("cannot read the file: {0}")]
    Io(#[from] std::io::Error),
    #[error("line {line}: {message}")]
    Decode { line: u64, message: String },
    #[error("the encoding {0:?} is not one tmbase knows")]
    UnsupportedEncoding(String),
    #[error("{0}")]
    NeedsLanguages(String),
    #[error("line {line}, column {column}: {message}")]
    BadHeader { line: u64, column: usize, message: String },
    #[error("not a glossary: {0}")]
    NotGlossary(String),
    #[error("line {line}: {message}")]
    Malformed { line: u64, message: String },
}

/// Tab- or comma-separated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GlossaryFormat {
    Tsv,
    Csv,
}

/// How to read a glossary.
#[derive(Debug, Clone)]
pub struct GlossaryOptions {
    pub format: GlossaryFormat,
    /// Languages of the first and second column of an OmegaT glossary.
    pub source_lang: Option<String>,
    pub target_lang: Option<String>,
    /// The encoding when the file has no BOM and no magic comment (default UTF-8).
    pub encoding: Option<String>,
}

/// Why a row was not taken.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RowSkip {
    NoSource,
    NoTarget,
    NoTerms,
    BadLanguage(String),
}

impl RowSkip {
    pub fn code(&self) -> &'static str {
        match self {
            RowSkip::NoSource => "no_source",
            RowSkip::NoTarget => "no_target",
            RowSkip::NoTerms => "no_terms",
            RowSkip::BadLanguage(_) => "bad_language",
        }
    }
}

impl std::fmt::Display for RowSkip {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RowSkip::NoSource => write!(f, "the row has no source term"),
            RowSkip::NoTarget => write!(f, "the row has no target term (no second column)"),
            RowSkip::NoTerms => write!(f, "the row has no term in any language column"),
            RowSkip::BadLanguage(l) => write!(f, "{l:?} is not a language tag"),
        }
    }
}

/// A row that was not taken, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedRow {
    pub at: Position,
    pub reason: RowSkip,
}

/// What [`GlossaryReader::next_entry`] yields.
#[derive(Debug, Clone)]
pub enum RowRead {
    Concept { concept: Box<Concept>, at: Position },
    Skipped(SkippedRow),
}

/// What a column of a header row holds.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Column {
    Forbidden,
    Domain,
    Subdomain,
    Definition,
    Lang(String),
    /// Notes of the term to the left.
    Notes,
    /// "Example of use" of the term to the left: its context.
    Example,
    Ignored,
}

enum Layout {
    /// Source, target, comment.
    OmegaT { source: String, target: String },
    /// A header row naming languages and fields.
    Header(Vec<Column>),
    /// TICO-19: column indexes of the named fields.
    PerRow {
        source_lang: usize,
        target_lang: usize,
        source: usize,
        target: usize,
        pos: Option<usize>,
        description: Option<usize>,
    },
}

/// Reads a glossary one row at a time.
pub struct GlossaryReader {
    lines: Lines,
    format: GlossaryFormat,
    layout: Layout,
    /// A data row read while looking for the header.
    pending: Option<(Vec<String>, u64)>,
    done: bool,
    lines_with_separator: u64,
    lines_without: u64,
    entries: u64,
    pub warnings: Vec<String>,
}

impl GlossaryReader {
    pub fn new(
        raw: Box<dyn Read>,
        options: &GlossaryOptions,
    ) -> Result<GlossaryReader, GlossaryError> {
        let lines = Lines::new(raw, options.encoding.as_deref())?;
        let mut reader = GlossaryReader {
            lines,
            format: options.format,
            layout: Layout::Header(Vec::new()),
            pending: None,
            done: false,
            lines_with_separator: 0,
            lines_without: 0,
            entries: 0,
            warnings: Vec::new(),
        };
        let first = reader.next_record()?;
        let omegat = |what: &str| -> Result<Layout, GlossaryError> {
            match (&options.source_lang, &options.target_lang) {
                (Some(s), Some(t)) => {
                    for tag in [s, t] {
                        if !is_well_formed_lang_tag(&normalize_lang_tag(tag)) {
                            return Err(GlossaryError::NeedsLanguages(format!(
                                "{tag:?} is not a language tag (en, en-GB, ru-RU, zh-Hant)"
                            )));
                        }
                    }
                    Ok(Layout::OmegaT {
                        source: normalize_lang_tag(s),
                        target: normalize_lang_tag(t),
                    })
                }
                _ => Err(GlossaryError::NeedsLanguages(format!(
                    "{what} names no languages: pass --source-lang and --target-lang"
                ))),
            }
        };
        reader.layout = match (options.format, first) {
            (GlossaryFormat::Tsv, first) => {
                reader.pending = first;
                omegat("an OmegaT tab-separated glossary")?
            }
            (GlossaryFormat::Csv, None) => omegat("an empty CSV glossary")?,
            (GlossaryFormat::Csv, Some((cells, line))) => match classify_header(&cells, line)? {
                Some(layout) => layout,
                None => {
                    reader.pending = Some((cells, line));
                    omegat(
                        "this CSV file has no header row naming languages (MateCat style), so it \
                         is read as an OmegaT CSV glossary, which",
                    )?
                }
            },
        };
        Ok(reader)
    }

    /// What kind of glossary the reader found, for reports.
    pub fn layout(&self) -> String {
        match &self.layout {
            Layout::OmegaT { source, target } => format!(
                "OmegaT {} glossary ({source} → {target})",
                if self.format == GlossaryFormat::Tsv { "tab-separated" } else { "CSV" }
            ),
            Layout::Header(cols) => {
                let langs: Vec<&str> = cols
                    .iter()
                    .filter_map(|c| if let Column::Lang(l) = c { Some(l.as_str()) } else { None })
                    .collect();
                format!("CSV with a header row naming languages ({})", langs.join(", "))
            }
            Layout::PerRow { .. } => "CSV with languages in each row (TICO-19)".into(),
        }
    }

    pub fn encoding(&self) -> &str {
        &self.lines.encoding
    }

    /// The next data record: its cells and first line. Comment lines (`#`) and blank lines
    /// are passed over (comments only in OmegaT files).
    fn next_record(&mut self) -> Result<Option<(Vec<String>, u64)>, GlossaryError> {
        loop {
            let Some(line) = self.lines.next_line()? else { return Ok(None) };
            let at = self.lines.line();
            if line.starts_with('#')
                && !matches!(self.layout, Layout::Header(ref c) if !c.is_empty())
            {
                continue;
            }
            if line.trim().is_empty() {
                continue;
            }
            let cells = match self.format {
                GlossaryFormat::Tsv => {
                    if line.contains('\t') {
                        self.lines_with_separator += 1;
                    } else {
                        self.lines_without += 1;
                    }
                    line.split('\t').map(str::to_string).collect()
                }
                GlossaryFormat::Csv => self.csv_record(line)?,
            };
            return Ok(Some((cells, at)));
        }
    }

    /// One CSV record starting with `line` (RFC 4180: quoted fields may hold commas, doubled
    /// quotes and line breaks).
    fn csv_record(&mut self, first: String) -> Result<Vec<String>, GlossaryError> {
        let start = self.lines.line();
        let mut cells = Vec::new();
        let mut cell = String::new();
        let mut quoted = false;
        // The current cell has had its quotes (a quote after them is kept as text).
        let mut was_quoted = false;
        let mut line = first;
        loop {
            let mut chars = line.chars().peekable();
            while let Some(c) = chars.next() {
                match c {
                    '"' if quoted => {
                        if chars.peek() == Some(&'"') {
                            chars.next();
                            cell.push('"');
                        } else {
                            quoted = false;
                        }
                    }
                    '"' if !was_quoted && cell.trim().is_empty() => {
                        cell.clear();
                        quoted = true;
                        was_quoted = true;
                    }
                    ',' if !quoted => {
                        cells.push(std::mem::take(&mut cell));
                        was_quoted = false;
                    }
                    c => cell.push(c),
                }
            }
            if !quoted {
                break;
            }
            match self.lines.next_line()? {
                Some(next) => {
                    cell.push('\n');
                    line = next;
                }
                None => {
                    return Err(GlossaryError::Malformed {
                        line: start,
                        message: "a quoted field is not closed before the end of the file".into(),
                    })
                }
            }
        }
        cells.push(cell);
        Ok(cells)
    }

    /// The next row, `None` at the end of the file.
    pub fn next_entry(&mut self) -> Option<Result<RowRead, GlossaryError>> {
        if self.done {
            return None;
        }
        let result = self.advance();
        match &result {
            Some(Ok(RowRead::Concept { .. })) => self.entries += 1,
            Some(Ok(RowRead::Skipped(_))) => {}
            _ => self.done = true,
        }
        result
    }

    fn advance(&mut self) -> Option<Result<RowRead, GlossaryError>> {
        let record = match self.pending.take() {
            Some(r) => Some(r),
            None => match self.next_record() {
                Ok(r) => r,
                Err(e) => return Some(Err(e)),
            },
        };
        let Some((cells, line)) = record else {
            if self.format == GlossaryFormat::Tsv
                && self.entries == 0
                && self.lines_with_separator == 0
                && self.lines_without > 0
            {
                return Some(Err(GlossaryError::NotGlossary(
                    "no line holds a tab: OmegaT glossaries separate the source term, the target \
                     term and a comment with tabs"
                        .into(),
                )));
            }
            return None;
        };
        let at = Position { line, column: 1 };
        let row = match &self.layout {
            Layout::OmegaT { source, target } => omegat_row(&cells, source, target),
            Layout::Header(columns) => header_row(&cells, columns),
            Layout::PerRow { source_lang, target_lang, source, target, pos, description } => {
                let cell = |i: usize| cells.get(i).map(|c| c.trim()).unwrap_or("");
                per_row(
                    cell(*source_lang),
                    cell(*target_lang),
                    cell(*source),
                    cell(*target),
                    pos.map(cell),
                    description.map(cell),
                )
            }
        };
        Some(Ok(match row {
            Ok(concept) => RowRead::Concept { concept: Box::new(concept), at },
            Err(reason) => RowRead::Skipped(SkippedRow { at, reason }),
        }))
    }
}

/// OmegaT's rule: cells split on tabs (or commas) and trimmed, trailing empty cells dropped;
/// a row needs a source and a second cell.
fn omegat_row(cells: &[String], source: &str, target: &str) -> Result<Concept, RowSkip> {
    let mut tokens: Vec<&str> = cells.iter().map(|c| c.trim()).collect();
    while tokens.last() == Some(&"") {
        tokens.pop();
    }
    if tokens.is_empty() || tokens[0].is_empty() {
        return Err(RowSkip::NoSource);
    }
    if tokens.len() < 2 {
        return Err(RowSkip::NoTarget);
    }
    let mut concept = Concept::default();
    concept.section_mut(source).terms.push(Term::new(tokens[0]));
    if !tokens[1].is_empty() {
        concept.section_mut(target).terms.push(Term::new(tokens[1]));
    }
    if let Some(comment) = tokens.get(2).filter(|c| !c.is_empty()) {
        concept.note = Some(comment.to_string());
    }
    concept.tidy();
    Ok(concept)
}

fn header_row(cells: &[String], columns: &[Column]) -> Result<Concept, RowSkip> {
    let mut concept = Concept::default();
    let mut forbidden = false;
    let mut domain = None;
    let mut subdomain = None;
    // Which (section lang, term index) the notes and examples to the right belong to.
    let mut last_term: Option<(String, usize)> = None;
    for (i, column) in columns.iter().enumerate() {
        let value = cells.get(i).map(|c| c.trim()).unwrap_or("");
        match column {
            Column::Forbidden => {
                forbidden =
                    matches!(value.to_ascii_lowercase().as_str(), "true" | "yes" | "1" | "x" | "y")
            }
            Column::Domain => domain = Some(value.to_string()),
            Column::Subdomain => subdomain = Some(value.to_string()),
            Column::Definition => concept.definition = Some(value.to_string()),
            Column::Lang(lang) => {
                last_term = None;
                if !value.is_empty() {
                    let section = concept.section_mut(lang);
                    section.terms.push(Term::new(value));
                    last_term = Some((lang.clone(), section.terms.len() - 1));
                }
            }
            Column::Notes | Column::Example => {
                if let (Some((lang, index)), false) = (&last_term, value.is_empty()) {
                    let term = &mut concept.section_mut(lang).terms[*index];
                    if *column == Column::Notes {
                        term.usage_note = Some(value.to_string());
                    } else {
                        term.context = Some(value.to_string());
                    }
                }
            }
            Column::Ignored => {}
        }
    }
    concept.subject_field =
        match (domain.filter(|d| !d.is_empty()), subdomain.filter(|d| !d.is_empty())) {
            (Some(d), Some(s)) => Some(format!("{d} / {s}")),
            (Some(d), None) => Some(d),
            (None, Some(s)) => Some(s),
            (None, None) => None,
        };
    if forbidden {
        for s in &mut concept.languages {
            for t in &mut s.terms {
                t.status = Some(TermStatus::Forbidden);
            }
        }
    }
    concept.tidy();
    if concept.term_count() == 0 {
        return Err(RowSkip::NoTerms);
    }
    Ok(concept)
}

fn per_row(
    source_lang: &str,
    target_lang: &str,
    source: &str,
    target: &str,
    pos: Option<&str>,
    description: Option<&str>,
) -> Result<Concept, RowSkip> {
    for l in [source_lang, target_lang] {
        if !is_language_tag(l) {
            return Err(RowSkip::BadLanguage(l.to_string()));
        }
    }
    if source.is_empty() {
        return Err(RowSkip::NoSource);
    }
    let mut concept = Concept::default();
    let mut term = Term::new(source);
    term.part_of_speech = pos.filter(|p| !p.is_empty()).map(PartOfSpeech::parse);
    concept.section_mut(&normalize_lang_tag(source_lang)).terms.push(term);
    if !target.is_empty() {
        concept.section_mut(&normalize_lang_tag(target_lang)).terms.push(Term::new(target));
    }
    concept.definition = description.filter(|d| !d.is_empty()).map(str::to_string);
    concept.tidy();
    Ok(concept)
}

/// A header row (MateCat: optional concept columns, then each language followed by its
/// optional Notes and Example of use; TICO-19: named columns) or `None` when the first row
/// is data. A row that names languages but also holds unknown or misplaced columns is an error.
fn classify_header(cells: &[String], line: u64) -> Result<Option<Layout>, GlossaryError> {
    let names: Vec<String> = cells.iter().map(|c| c.trim().to_lowercase()).collect();
    let find = |n: &str| names.iter().position(|c| c == n);
    if let (Some(sl), Some(tl), Some(s), Some(t)) =
        (find("sourcelang"), find("targetlang"), find("sourcestring"), find("targetstring"))
    {
        return Ok(Some(Layout::PerRow {
            source_lang: sl,
            target_lang: tl,
            source: s,
            target: t,
            pos: find("pos"),
            description: find("description"),
        }));
    }
    let original: Vec<&str> = cells.iter().map(|c| c.trim()).collect();
    let columns: Vec<Option<Column>> = names
        .iter()
        .zip(&original)
        .map(|(n, o)| match n.as_str() {
            "forbidden" => Some(Column::Forbidden),
            "domain" => Some(Column::Domain),
            "subdomain" => Some(Column::Subdomain),
            "definition" => Some(Column::Definition),
            "notes" | "note" => Some(Column::Notes),
            "example of use" | "example" => Some(Column::Example),
            "" => Some(Column::Ignored),
            _ if is_language_tag(o) => Some(Column::Lang(normalize_lang_tag(o))),
            _ => None,
        })
        .collect();
    let languages = columns.iter().filter(|c| matches!(c, Some(Column::Lang(_)))).count();
    if languages == 0 {
        return Ok(None);
    }
    let last_named = names.iter().rposition(|n| !n.is_empty()).unwrap_or(0);
    let mut seen_language = false;
    let mut out = Vec::with_capacity(columns.len());
    for (i, column) in columns.into_iter().enumerate() {
        let column_no = i + 1;
        let bad = |message: String| GlossaryError::BadHeader { line, column: column_no, message };
        let column = column.ok_or_else(|| {
            bad(format!(
                "{:?} is neither a language tag (en-GB, it-IT) nor one of the columns Forbidden, \
                 Domain, Subdomain, Definition, Notes, Example of use",
                original[i]
            ))
        })?;
        match &column {
            Column::Ignored if i < last_named => {
                return Err(bad("the header of this column is empty".into()))
            }
            Column::Forbidden | Column::Domain | Column::Subdomain | Column::Definition
                if seen_language =>
            {
                return Err(bad(format!(
                    "{:?} describes the concept and must come before the first language column",
                    original[i]
                )))
            }
            Column::Notes | Column::Example if !seen_language => {
                return Err(bad(format!(
                    "{:?} describes a term and must follow a language column",
                    original[i]
                )))
            }
            Column::Lang(_) => seen_language = true,
            _ => {}
        }
        out.push(column);
    }
    Ok(Some(Layout::Header(out)))
}

/// ISO 639-1 codes: a header cell is a language column when its first subtag is one of
/// these (or a three-letter code below) and its other subtags are a script or a region.
const ISO_639_1: &str = "aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce \
ch co cr cs cu cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha \
he hi ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku \
kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv \
ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st \
su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu";

/// Three-letter codes that localisation files use where there is no two-letter one.
const ISO_639_3: &str = "ast bal bem ceb chr ckb fil gsw haw hmn kab kok lij mai mni nqo nso \
pap prs quc sat scn sco shn syr szl tet tzm yue zgh";

/// Whether a header cell is a language tag: `en`, `en-GB`, `es-419`, `zh-Hant-TW`, `ru_RU`.
pub fn is_language_tag(cell: &str) -> bool {
    let mut parts = cell.split(['-', '_']);
    let Some(lang) = parts.next() else { return false };
    let lang = lang.to_ascii_lowercase();
    let known = match lang.len() {
        2 => ISO_639_1.split_ascii_whitespace().any(|c| c == lang),
        3 => ISO_639_3.split_ascii_whitespace().any(|c| c == lang),
        _ => false,
    };
    known
        && parts.all(|p| {
            (p.len() == 2 && p.bytes().all(|b| b.is_ascii_alphabetic()))
                || (p.len() == 3 && p.bytes().all(|b| b.is_ascii_digit()))
                || (p.len() == 4 && p.bytes().all(|b| b.is_ascii_alphabetic()))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each row: its concept, or (line, reason) when skipped.
    type Rows = Vec<Result<Concept, (u64, String)>>;

    fn read(
        text: &str,
        format: GlossaryFormat,
        langs: Option<(&str, &str)>,
    ) -> Result<Rows, GlossaryError> {
        let options = GlossaryOptions {
            format,
            source_lang: langs.map(|l| l.0.to_string()),
            target_lang: langs.map(|l| l.1.to_string()),
            encoding: None,
        };
        let mut r = GlossaryReader::new(
            Box::new(std::io::Cursor::new(text.as_bytes().to_vec())),
            &options,
        )?;
        let mut out = Vec::new();
        while let Some(row) = r.next_entry() {
            out.push(match row? {
                RowRead::Concept { concept, .. } => Ok(*concept),
                RowRead::Skipped(s) => Err((s.at.line, s.reason.code().to_string())),
            });
        }
        Ok(out)
    }

    #[test]
    fn language_tags() {
        for good in ["en", "en-GB", "es-419", "zh-Hant-TW", "ru_RU", "it-IT", "fil"] {
            assert!(is_language_tag(good), "{good}");
        }
        for bad in
            ["not", "valid", "foo", "bar", "Notes", "INVALID_TARGET_LANG", "", "e", "english"]
        {
            assert!(!is_language_tag(bad), "{bad}");
        }
    }

    #[test]
    fn omegat_tsv_follows_omegat_rules() {
        let rows = read(
            "# comment\nkde\tkoo moo\n\n\t\t\nentry with one tab no target\t\n\tno source\nsource 3\ttarget 3\tnote\n",
            GlossaryFormat::Tsv,
            Some(("en", "fr")),
        )
        .unwrap();
        let codes: Vec<String> = rows
            .iter()
            .map(|r| match r {
                Ok(c) => c.languages[0].terms[0].text.clone(),
                Err((line, code)) => format!("{line}:{code}"),
            })
            .collect();
        assert_eq!(codes, ["kde", "5:no_target", "6:no_source", "source 3"]);
        let last = rows[3].as_ref().unwrap();
        assert_eq!(last.note.as_deref(), Some("note"));
        assert_eq!(last.section("fr").unwrap().terms[0].text, "target 3");
    }

    #[test]
    fn tsv_without_languages_asks_for_them() {
        let err = read("a\tb\n", GlossaryFormat::Tsv, None).unwrap_err().to_string();
        assert!(err.contains("--source-lang"), "{err}");
    }

    #[test]
    fn matecat_header_maps_columns() {
        let rows = read(
            "Forbidden,Domain,Subdomain,Definition,en-GB,Notes,Example of use,it-IT,Notes\n\
             ,Uber,Partner,\"A button, to call\",Contact,n1,,Contatta,\n\
             TRUE,,,,House,,,,\n",
            GlossaryFormat::Csv,
            None,
        )
        .unwrap();
        let c = rows[0].as_ref().unwrap();
        assert_eq!(c.subject_field.as_deref(), Some("Uber / Partner"));
        assert_eq!(c.definition.as_deref(), Some("A button, to call"));
        assert_eq!(c.section("en-GB").unwrap().terms[0].usage_note.as_deref(), Some("n1"));
        assert_eq!(c.section("it-IT").unwrap().terms[0].text, "Contatta");
        let f = rows[1].as_ref().unwrap();
        assert_eq!(f.languages[0].terms[0].status, Some(TermStatus::Forbidden));
    }

    #[test]
    fn matecat_header_errors_say_where() {
        let err = read("en-GB,es-ES,,it-IT\na,b,,c\n", GlossaryFormat::Csv, None).unwrap_err();
        assert!(err.to_string().contains("column 3"), "{err}");
        let err = read("en-ZZZZZ,foo\n", GlossaryFormat::Csv, None).unwrap_err();
        assert!(matches!(err, GlossaryError::NeedsLanguages(_)), "{err}");
        let err = read("Notes,en-GB\n", GlossaryFormat::Csv, None).unwrap_err();
        assert!(err.to_string().contains("must follow a language"), "{err}");
    }

    #[test]
    fn csv_quotes_follow_rfc_4180() {
        let rows = read(
            "\"\"\"kde\"\",\"\"q\"\"\",cdk\n\"zz\"\"zz\",zz\n\"multi\nline\",x\n",
            GlossaryFormat::Csv,
            Some(("en", "de")),
        )
        .unwrap();
        let sources: Vec<&str> =
            rows.iter().map(|r| r.as_ref().unwrap().languages[0].terms[0].text.as_str()).collect();
        assert_eq!(sources, ["\"kde\",\"q\"", "zz\"zz", "multi line"]);
    }
}
