//! `tmbase terms …`: term bases from the command line — import and export, curation of
//! concepts and terms, search, history, bulk status changes, recognition and term QA.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand, ValueEnum};
use serde_json::{json, Value};

use super::{confirm, open_store, OnDuplicate};
use crate::model::{
    normalize_lang_tag, Concept, ConceptChange, Gender, MatchMode, Number, PartOfSpeech, Term,
    TermStatus,
};
use crate::store::{ConceptKey, SearchMode, TermSearch, TermSelection};
use crate::terms::{
    export_terms, import_term_file, Recognizer, TermChecker, TermExportFormat, TermExportOptions,
    TermFileFormat, TermHit, TermImportOptions, TermImportReport, TermIssue,
};

#[derive(Debug, Subcommand)]
pub enum TermsCommand {
    /// List term bases with their concept and term counts.
    Bases {
        #[arg(long)]
        json: bool,
    },
    /// Create or delete a term base.
    Base {
        #[command(subcommand)]
        action: BaseAction,
    },
    /// Import TBX (v2, v3), OmegaT glossaries (TSV, CSV) and CSV with a language header,
    /// one transaction per file.
    Import(ImportArgs),
    /// Export a term base as TBX v3 (TBX-Basic), TBX v2, CSV or OmegaT TSV.
    Export(ExportArgs),
    /// Create, show, change or delete concepts, and list their history.
    Concept {
        #[command(subcommand)]
        action: ConceptAction,
    },
    /// Add, change or delete one term of a concept.
    Term {
        #[command(subcommand)]
        action: TermAction,
    },
    /// Find terms by prefix or substring (case- and ё-insensitive).
    Search(SearchArgs),
    /// Set the status of many terms at once.
    Status(StatusArgs),
    /// Recognise the terms of a segment (inflected and multi-word forms included).
    Find(FindArgs),
    /// Check a translation against the term base.
    Check(CheckArgs),
}

#[derive(Debug, Subcommand)]
pub enum BaseAction {
    Create {
        name: String,
        #[arg(long)]
        description: Option<String>,
    },
    /// Delete a term base with all its concepts and their history.
    Delete {
        name: String,
        #[arg(long, short)]
        yes: bool,
    },
}

/// Who makes a change (recorded in the history).
#[derive(Debug, Args)]
pub struct Who {
    /// Name recorded in the history; default: $TMBASE_USER, then $USER.
    #[arg(long, env = "TMBASE_USER")]
    user: Option<String>,
}

impl Who {
    fn name(&self) -> Option<String> {
        self.user.clone().or_else(|| std::env::var("USER").ok()).filter(|u| !u.is_empty())
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum InputFormat {
    Tbx,
    Csv,
    Tsv,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    #[arg(required = true)]
    files: Vec<PathBuf>,
    #[arg(long, short)]
    termbase: String,
    /// The format; by default from the file name (.tbx, .csv, .tsv/.tab/.txt/.utf8).
    #[arg(long, value_enum)]
    format: Option<InputFormat>,
    /// Language of the first column of an OmegaT glossary.
    #[arg(long)]
    source_lang: Option<String>,
    /// Language of the second column of an OmegaT glossary.
    #[arg(long)]
    target_lang: Option<String>,
    /// Encoding of a text glossary without BOM or magic comment (default UTF-8).
    #[arg(long)]
    encoding: Option<String>,
    /// What to do with a concept the term base holds already (same id, or same terms).
    #[arg(long, value_enum, default_value_t = OnDuplicate::Skip)]
    on_duplicate: OnDuplicate,
    /// Check and report, write nothing.
    #[arg(long)]
    dry_run: bool,
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    who: Who,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum OutputFormat {
    /// TBX v3, TBX-Basic.
    Tbx,
    /// TBX v2 (martif), for OmegaT and older tools.
    Tbx2,
    /// CSV with a header row naming the languages (MateCat).
    Csv,
    /// OmegaT tab-separated glossary (needs --source and --target).
    Tsv,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[arg(long, short)]
    termbase: String,
    #[arg(long, value_enum, default_value_t = OutputFormat::Tbx)]
    format: OutputFormat,
    /// Only this source language (with --target: only this pair).
    #[arg(long)]
    source: Option<String>,
    #[arg(long)]
    target: Option<String>,
    /// Output file; standard output when missing.
    #[arg(short, long)]
    output: Option<PathBuf>,
}

/// The fields of a term, for `term add` and `term update`. An empty value clears a field.
#[derive(Debug, Args, Default)]
pub struct TermFields {
    /// preferred, admitted, deprecated, superseded, forbidden, do-not-translate (or none).
    #[arg(long)]
    status: Option<String>,
    /// noun, verb, adjective, adverb, other.
    #[arg(long)]
    pos: Option<String>,
    /// masculine, feminine, neuter, other.
    #[arg(long)]
    gender: Option<String>,
    /// singular, plural, dual, mass, other.
    #[arg(long)]
    number: Option<String>,
    /// fullForm, acronym, abbreviation, shortForm, variant, phrase, …
    #[arg(long)]
    term_type: Option<String>,
    /// A sentence showing the term in use.
    #[arg(long)]
    context: Option<String>,
    #[arg(long)]
    usage_note: Option<String>,
    #[arg(long)]
    source: Option<String>,
    /// stemmed (default: inflected forms), exact, case-sensitive.
    #[arg(long)]
    match_mode: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ConceptAction {
    /// Create a concept: `--term ru=гарантия --term en=guarantee`.
    Add {
        #[arg(long, short)]
        termbase: String,
        /// LANG=TERM, once per term.
        #[arg(long = "term", required = true)]
        terms: Vec<String>,
        /// The concept id (default: tmbase-N).
        #[arg(long)]
        id: Option<String>,
        #[arg(long)]
        subject_field: Option<String>,
        #[arg(long)]
        definition: Option<String>,
        #[arg(long)]
        note: Option<String>,
        #[arg(long)]
        source: Option<String>,
        /// Status of every term given (preferred, admitted, …); `term update` sets more.
        #[arg(long)]
        status: Option<String>,
        /// Match mode of every term given (stemmed, exact, case-sensitive).
        #[arg(long)]
        match_mode: Option<String>,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        who: Who,
    },
    /// Show a concept with its terms.
    Show {
        #[arg(long, short)]
        termbase: String,
        /// Concept id (as in files) or database number.
        concept: String,
        #[arg(long)]
        json: bool,
    },
    /// Change concept fields; an empty value clears a field.
    Update {
        #[arg(long, short)]
        termbase: String,
        concept: String,
        /// A new concept id.
        #[arg(long)]
        id: Option<String>,
        #[arg(long)]
        subject_field: Option<String>,
        #[arg(long)]
        definition: Option<String>,
        #[arg(long)]
        note: Option<String>,
        #[arg(long)]
        source: Option<String>,
        /// LANG=TEXT: the definition in one language.
        #[arg(long)]
        lang_definition: Vec<String>,
        /// LANG=TEXT: a note for one language.
        #[arg(long)]
        lang_note: Vec<String>,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        who: Who,
    },
    Delete {
        #[arg(long, short)]
        termbase: String,
        concept: String,
        #[command(flatten)]
        who: Who,
    },
    /// Every recorded change of a concept (also of a deleted one, by its number).
    History {
        #[arg(long, short)]
        termbase: String,
        concept: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum TermAction {
    /// Add a term to a concept.
    Add {
        #[arg(long, short)]
        termbase: String,
        #[arg(long)]
        concept: String,
        #[arg(long)]
        lang: String,
        text: String,
        #[command(flatten)]
        fields: TermFields,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        who: Who,
    },
    /// Change a term (by its number, as `concept show` and `search` list it).
    Update {
        #[arg(long, short)]
        termbase: String,
        term: i64,
        /// New text of the term.
        #[arg(long)]
        text: Option<String>,
        #[command(flatten)]
        fields: TermFields,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        who: Who,
    },
    Delete {
        #[arg(long, short)]
        termbase: String,
        term: i64,
        #[command(flatten)]
        who: Who,
    },
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    #[arg(long, short)]
    termbase: String,
    query: String,
    /// Terms containing the query anywhere (default: terms starting with it).
    #[arg(long)]
    contains: bool,
    #[arg(long)]
    lang: Option<String>,
    #[arg(long, default_value_t = 100)]
    limit: usize,
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    #[arg(long, short)]
    termbase: String,
    /// The new status (or none).
    #[arg(long = "set")]
    set: String,
    /// Only terms of this language.
    #[arg(long)]
    lang: Option<String>,
    /// Only terms that have this status now (or none).
    #[arg(long = "from")]
    from: Option<String>,
    /// Only terms starting with this text.
    #[arg(long, conflicts_with = "contains")]
    prefix: Option<String>,
    /// Only terms containing this text.
    #[arg(long)]
    contains: Option<String>,
    /// Only these terms (numbers).
    terms: Vec<i64>,
    #[command(flatten)]
    who: Who,
}

#[derive(Debug, Args)]
pub struct FindArgs {
    /// Term base (repeat for several).
    #[arg(long, short, required = true)]
    termbase: Vec<String>,
    #[arg(long)]
    from: String,
    #[arg(long)]
    to: Option<String>,
    #[arg(long)]
    json: bool,
    /// The segment; `-` reads segments from standard input, one per line.
    text: String,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[arg(long, short, required = true)]
    termbase: Vec<String>,
    #[arg(long)]
    from: String,
    #[arg(long)]
    to: String,
    #[arg(long)]
    json: bool,
    /// The source segment.
    source: String,
    /// Its translation.
    translation: String,
}

/// Runs one `tmbase terms` command; the exit code is 0 on success (1 when `check` finds
/// problems or an import fails).
pub fn run(db: &Path, command: TermsCommand) -> Result<i32> {
    match command {
        TermsCommand::Bases { json } => {
            let store = open_store(db)?;
            let bases = store.termbases()?;
            if json {
                let list: Vec<Value> = bases
                    .iter()
                    .map(|b| {
                        json!({
                            "name": b.name, "description": b.description, "created_at": b.created_at,
                            "concepts": b.concepts,
                            "languages": b.languages.iter().map(|(l, n)| json!({"lang": l, "terms": n})).collect::<Vec<_>>(),
                        })
                    })
                    .collect();
                outln!("{}", Value::Array(list));
            } else if bases.is_empty() {
                outln!("no term bases");
            } else {
                for b in bases {
                    let langs: Vec<String> =
                        b.languages.iter().map(|(l, n)| format!("{l} ({n})")).collect();
                    outln!("{}\t{} concepts\t{}", b.name, b.concepts, langs.join(", "));
                }
            }
            Ok(0)
        }
        TermsCommand::Base { action: BaseAction::Create { name, description } } => {
            let store = open_store(db)?;
            store.create_termbase(&name, description.as_deref())?;
            eprintln!("created term base {name:?}");
            Ok(0)
        }
        TermsCommand::Base { action: BaseAction::Delete { name, yes } } => {
            let mut store = open_store(db)?;
            store.require_termbase(&name)?;
            if !yes && !confirm(&format!("Delete the term base {name:?} and all its concepts?"))? {
                eprintln!("nothing deleted");
                return Ok(1);
            }
            let n = store.delete_termbase(&name)?;
            eprintln!("deleted term base {name:?} ({n} concepts)");
            Ok(0)
        }
        TermsCommand::Import(args) => run_import(db, args),
        TermsCommand::Export(args) => run_export(db, args),
        TermsCommand::Concept { action } => run_concept(db, action),
        TermsCommand::Term { action } => run_term(db, action),
        TermsCommand::Search(args) => {
            let store = open_store(db)?;
            let hits = store.search_terms(
                &args.termbase,
                &TermSearch {
                    query: args.query,
                    mode: if args.contains { SearchMode::Substring } else { SearchMode::Prefix },
                    lang: args.lang,
                    limit: args.limit,
                },
            )?;
            if args.json {
                let list: Vec<Value> = hits
                    .iter()
                    .map(|h| {
                        let mut v = term_json(&h.lang, &h.term);
                        v["concept"] = json!(h.concept_external_id);
                        v["concept_id"] = json!(h.concept_id);
                        v
                    })
                    .collect();
                outln!("{}", json!({ "terms": list }));
            } else {
                for h in &hits {
                    outln!(
                        "#{}\t{}\t{}\t{}\tconcept {}",
                        h.term.id.unwrap_or(0),
                        h.lang,
                        h.term.text,
                        h.term.status.map_or("-", TermStatus::as_str),
                        h.concept_external_id
                    );
                }
                if hits.is_empty() {
                    eprintln!("no terms found");
                }
            }
            Ok(0)
        }
        TermsCommand::Status(args) => {
            let mut store = open_store(db)?;
            let status = parse_status_or_none(&args.set)?;
            let from = args.from.as_deref().map(parse_status_or_none).transpose()?;
            let search = match (&args.prefix, &args.contains) {
                (Some(q), _) => Some((q, SearchMode::Prefix)),
                (None, Some(q)) => Some((q, SearchMode::Substring)),
                _ => None,
            }
            .map(|(q, mode)| TermSearch {
                query: q.clone(),
                mode,
                lang: None,
                limit: usize::MAX,
            });
            let selection =
                TermSelection { term_ids: args.terms, lang: args.lang, status: from, search };
            let n = store.set_term_status(
                &args.termbase,
                &selection,
                status,
                args.who.name().as_deref(),
            )?;
            eprintln!(
                "{n} terms now have the status {}",
                status.map_or("none", TermStatus::as_str)
            );
            Ok(0)
        }
        TermsCommand::Find(args) => {
            let store = open_store(db)?;
            let recognizer =
                Recognizer::from_store(&store, &args.termbase, &args.from, args.to.as_deref())?;
            let mut out = BufWriter::new(std::io::stdout().lock());
            let segments: Vec<String> = if args.text == "-" {
                std::io::stdin().lines().collect::<std::io::Result<_>>()?
            } else {
                vec![args.text]
            };
            for segment in &segments {
                let hits = recognizer.find(segment);
                if args.json {
                    writeln!(
                        out,
                        "{}",
                        json!({ "terms": hits.iter().map(hit_json).collect::<Vec<_>>() })
                    )?;
                } else {
                    write!(out, "{}", hits_text(&hits))?;
                }
            }
            out.flush()?;
            Ok(0)
        }
        TermsCommand::Check(args) => {
            let store = open_store(db)?;
            let checker = TermChecker::from_store(&store, &args.termbase, &args.from, &args.to)?;
            let (hits, issues) = checker.check(&args.source, &args.translation);
            if args.json {
                outln!(
                    "{}",
                    json!({
                        "terms": hits.iter().map(hit_json).collect::<Vec<_>>(),
                        "issues": issues.iter().map(issue_json).collect::<Vec<_>>(),
                    })
                );
            } else {
                for i in &issues {
                    outln!("{}: {}", i.kind.code(), i.message);
                }
                if issues.is_empty() {
                    outln!("no term problems ({} terms checked)", hits.len());
                }
            }
            Ok(if issues.is_empty() { 0 } else { 1 })
        }
    }
}

fn run_import(db: &Path, args: ImportArgs) -> Result<i32> {
    let mut store = open_store(db)?;
    let mut options = TermImportOptions::new(args.termbase);
    options.on_duplicate = args.on_duplicate.into();
    options.dry_run = args.dry_run;
    options.format = args.format.map(|f| match f {
        InputFormat::Tbx => TermFileFormat::Tbx,
        InputFormat::Csv => TermFileFormat::Csv,
        InputFormat::Tsv => TermFileFormat::Tsv,
    });
    options.source_lang = args.source_lang;
    options.target_lang = args.target_lang;
    options.encoding = args.encoding;
    options.user = args.who.name();
    let mut reports = Vec::new();
    let mut failures = Vec::new();
    for path in &args.files {
        match import_term_file(&mut store, path, &options) {
            Ok(report) => {
                if !args.json {
                    eprint!("{}", import_text(&report));
                }
                reports.push(report);
            }
            Err(e) => {
                let message = format!("{}: {e}", path.display());
                if !args.json {
                    eprintln!("error: {message}");
                }
                failures.push(message);
            }
        }
    }
    if args.json {
        let sum = |f: fn(&TermImportReport) -> u64| reports.iter().map(f).sum::<u64>();
        outln!(
            "{}",
            json!({
                "entries_read": sum(|r| r.entries_read),
                "added": sum(|r| r.added),
                "updated": sum(|r| r.updated),
                "skipped": sum(|r| r.skipped),
                "seconds": reports.iter().map(|r| r.seconds).sum::<f64>(),
                "files": reports.iter().map(import_json).collect::<Vec<_>>(),
                "failed": failures,
            })
        );
    }
    Ok(if failures.is_empty() { 0 } else { 1 })
}

fn import_text(r: &TermImportReport) -> String {
    let mut s = format!(
        "{}: {}, {} entries read, {} added, {} updated, {} skipped in {:.2} s{}\n",
        r.file,
        r.format,
        r.entries_read,
        r.added,
        r.updated,
        r.skipped,
        r.seconds,
        if r.dry_run { " (dry run: nothing written)" } else { "" }
    );
    for w in &r.warnings {
        s.push_str(&format!("  note: {w}\n"));
    }
    for (reason, count) in &r.skipped_by_reason {
        s.push_str(&format!("  skipped {count} × {reason}\n"));
    }
    for p in &r.problems {
        s.push_str(&format!(
            "  line {}, column {}{}: {}\n",
            p.line,
            p.column,
            p.id.as_deref().map(|t| format!(" (id {t})")).unwrap_or_default(),
            p.message
        ));
    }
    if !r.languages.is_empty() {
        let langs: Vec<String> = r.languages.iter().map(|(l, n)| format!("{l} ({n})")).collect();
        s.push_str(&format!("  terms: {}\n", langs.join(", ")));
    }
    s
}

fn import_json(r: &TermImportReport) -> Value {
    json!({
        "file": r.file,
        "termbase": r.termbase,
        "format": r.format,
        "encoding": r.encoding,
        "entries_read": r.entries_read,
        "added": r.added,
        "updated": r.updated,
        "skipped": r.skipped,
        "skipped_by_reason": r.skipped_by_reason,
        "problems": r.problems.iter().map(|p| json!({
            "line": p.line, "column": p.column, "id": p.id, "reason": p.reason, "message": p.message,
        })).collect::<Vec<_>>(),
        "languages": r.languages,
        "warnings": r.warnings,
        "seconds": r.seconds,
        "dry_run": r.dry_run,
    })
}

fn run_export(db: &Path, args: ExportArgs) -> Result<i32> {
    let store = open_store(db)?;
    let format = match args.format {
        OutputFormat::Tbx => TermExportFormat::Tbx,
        OutputFormat::Tbx2 => TermExportFormat::Tbx2,
        OutputFormat::Csv => TermExportFormat::Csv,
        OutputFormat::Tsv => TermExportFormat::Tsv,
    };
    let langs: Vec<String> = args.source.iter().chain(args.target.iter()).cloned().collect();
    let options = TermExportOptions { termbase: args.termbase, format, langs };
    let summary = match &args.output {
        Some(path) => {
            let file = std::fs::File::create(path)
                .with_context(|| format!("cannot create {}", path.display()))?;
            let result = export_terms(&store, &options, BufWriter::new(file));
            if result.is_err() {
                let _ = std::fs::remove_file(path);
            }
            result?
        }
        None => export_terms(&store, &options, BufWriter::new(std::io::stdout().lock()))?,
    };
    let target =
        args.output.as_ref().map_or("standard output".to_string(), |p| p.display().to_string());
    eprintln!("exported {} concepts to {target}", summary.concepts);
    if summary.omitted_terms > 0 {
        eprintln!(
            "  note: {} synonyms left out (CSV holds one term per language and concept; use TBX to keep them)",
            summary.omitted_terms
        );
    }
    Ok(0)
}

fn split_lang_value(arg: &str) -> Result<(String, String)> {
    let Some((lang, value)) = arg.split_once(['=', ':']) else {
        bail!("{arg:?}: expected LANG=TEXT, e.g. ru=гарантия");
    };
    if lang.trim().is_empty() {
        bail!("{arg:?}: the language is missing (LANG=TEXT)");
    }
    Ok((normalize_lang_tag(lang.trim()), value.to_string()))
}

fn opt(value: &str) -> Option<String> {
    let v = value.trim();
    (!v.is_empty()).then(|| v.to_string())
}

fn parse_status_or_none(value: &str) -> Result<Option<TermStatus>> {
    if matches!(value.trim(), "" | "none") {
        return Ok(None);
    }
    match TermStatus::parse(value) {
        Some(s) => Ok(Some(s)),
        None => bail!(
            "unknown status {value:?}: use one of {}, or none",
            TermStatus::ALL.map(TermStatus::as_str).join(", ")
        ),
    }
}

fn pick<T: Copy>(
    value: &str,
    all: &[T],
    name: fn(T) -> &'static str,
    what: &str,
) -> Result<Option<T>> {
    if value.trim().is_empty() || value == "none" {
        return Ok(None);
    }
    match all.iter().find(|v| name(**v).eq_ignore_ascii_case(value.trim())) {
        Some(v) => Ok(Some(*v)),
        None => bail!(
            "unknown {what} {value:?}: use one of {}",
            all.iter().map(|v| name(*v)).collect::<Vec<_>>().join(", ")
        ),
    }
}

impl TermFields {
    fn apply(&self, t: &mut Term) -> Result<()> {
        if let Some(v) = &self.status {
            t.status = parse_status_or_none(v)?;
        }
        if let Some(v) = &self.pos {
            t.part_of_speech = pick(v, &PartOfSpeech::ALL, PartOfSpeech::as_str, "part of speech")?;
        }
        if let Some(v) = &self.gender {
            t.gender = pick(v, &Gender::ALL, Gender::as_str, "gender")?;
        }
        if let Some(v) = &self.number {
            t.number = pick(v, &Number::ALL, Number::as_str, "number")?;
        }
        if let Some(v) = &self.match_mode {
            t.match_mode = match MatchMode::parse(v) {
                Some(m) => m,
                None => bail!("unknown match mode {v:?}: use stemmed, exact or case-sensitive"),
            };
        }
        for (field, value) in [
            (&mut t.term_type, &self.term_type),
            (&mut t.context, &self.context),
            (&mut t.usage_note, &self.usage_note),
            (&mut t.source, &self.source),
        ] {
            if let Some(v) = value {
                *field = opt(v);
            }
        }
        Ok(())
    }
}

fn run_concept(db: &Path, action: ConceptAction) -> Result<i32> {
    let mut store = open_store(db)?;
    match action {
        ConceptAction::Add {
            termbase,
            terms,
            id,
            subject_field,
            definition,
            note,
            source,
            status,
            match_mode,
            json,
            who,
        } => {
            let fields = TermFields { status, match_mode, ..TermFields::default() };
            let mut concept = Concept {
                external_id: id.as_deref().and_then(opt),
                subject_field: subject_field.as_deref().and_then(opt),
                definition: definition.as_deref().and_then(opt),
                note: note.as_deref().and_then(opt),
                source: source.as_deref().and_then(opt),
                ..Concept::default()
            };
            for arg in &terms {
                let (lang, text) = split_lang_value(arg)?;
                let mut term = Term::new(text);
                if term.text.is_empty() {
                    bail!("{arg:?}: the term is empty");
                }
                fields.apply(&mut term)?;
                concept.section_mut(&lang).terms.push(term);
            }
            let stored = store.create_concept(&termbase, &concept, who.name().as_deref())?;
            print_concept(&stored, json);
            Ok(0)
        }
        ConceptAction::Show { termbase, concept, json } => {
            let c = store.concept(&termbase, &ConceptKey(concept))?;
            print_concept(&c, json);
            Ok(0)
        }
        ConceptAction::Update {
            termbase,
            concept,
            id,
            subject_field,
            definition,
            note,
            source,
            lang_definition,
            lang_note,
            json,
            who,
        } => {
            let mut c = store.concept(&termbase, &ConceptKey(concept))?;
            if let Some(v) = id {
                match opt(&v) {
                    Some(v) => c.external_id = Some(v),
                    None => bail!("a concept id cannot be empty"),
                }
            }
            for (field, value) in [
                (&mut c.subject_field, subject_field),
                (&mut c.definition, definition),
                (&mut c.note, note),
                (&mut c.source, source),
            ] {
                if let Some(v) = value {
                    *field = opt(&v);
                }
            }
            for arg in &lang_definition {
                let (lang, text) = split_lang_value(arg)?;
                c.section_mut(&lang).definition = opt(&text);
            }
            for arg in &lang_note {
                let (lang, text) = split_lang_value(arg)?;
                c.section_mut(&lang).note = opt(&text);
            }
            let stored = store.update_concept(&termbase, &c, who.name().as_deref())?;
            print_concept(&stored, json);
            Ok(0)
        }
        ConceptAction::Delete { termbase, concept, who } => {
            store.delete_concept(&termbase, &ConceptKey(concept.clone()), who.name().as_deref())?;
            eprintln!("deleted concept {concept}");
            Ok(0)
        }
        ConceptAction::History { termbase, concept, json } => {
            let changes = store.concept_history(&termbase, &ConceptKey(concept))?;
            if json {
                outln!("{}", Value::Array(changes.iter().map(change_json).collect()));
            } else {
                for c in &changes {
                    outln!("{}", change_text(c));
                }
            }
            Ok(0)
        }
    }
}

fn run_term(db: &Path, action: TermAction) -> Result<i32> {
    let mut store = open_store(db)?;
    match action {
        TermAction::Add { termbase, concept, lang, text, fields, json, who } => {
            let mut c = store.concept(&termbase, &ConceptKey(concept))?;
            let mut term = Term::new(text);
            if term.text.is_empty() {
                bail!("the term is empty");
            }
            fields.apply(&mut term)?;
            c.section_mut(&normalize_lang_tag(&lang)).terms.push(term);
            let stored = store.update_concept(&termbase, &c, who.name().as_deref())?;
            print_concept(&stored, json);
            Ok(0)
        }
        TermAction::Update { termbase, term, text, fields, json, who } => {
            let mut c = store.concept_of_term(&termbase, term)?;
            let t = c
                .languages
                .iter_mut()
                .flat_map(|s| s.terms.iter_mut())
                .find(|t| t.id == Some(term))
                .context("the term is not in its concept")?;
            if let Some(text) = text {
                let text = crate::model::tidy_term(&text);
                if text.is_empty() {
                    bail!("the term is empty");
                }
                t.text = text;
            }
            fields.apply(t)?;
            let stored = store.update_concept(&termbase, &c, who.name().as_deref())?;
            print_concept(&stored, json);
            Ok(0)
        }
        TermAction::Delete { termbase, term, who } => {
            let mut c = store.concept_of_term(&termbase, term)?;
            for s in &mut c.languages {
                s.terms.retain(|t| t.id != Some(term));
            }
            if c.term_count() == 0 {
                bail!(
                    "term {term} is the last term of concept {}: delete the concept instead",
                    c.external_id.unwrap_or_default()
                );
            }
            store.update_concept(&termbase, &c, who.name().as_deref())?;
            eprintln!("deleted term {term}");
            Ok(0)
        }
    }
}

fn term_json(lang: &str, t: &Term) -> Value {
    json!({
        "id": t.id,
        "lang": lang,
        "term": t.text,
        "status": t.status.map(TermStatus::as_str),
        "part_of_speech": t.part_of_speech.map(PartOfSpeech::as_str),
        "gender": t.gender.map(Gender::as_str),
        "number": t.number.map(Number::as_str),
        "term_type": t.term_type,
        "context": t.context,
        "usage_note": t.usage_note,
        "source": t.source,
        "match_mode": t.match_mode.as_str(),
        "created_at": t.stamp.created_at, "created_by": t.stamp.created_by,
        "changed_at": t.stamp.changed_at, "changed_by": t.stamp.changed_by,
    })
}

fn concept_json(c: &Concept) -> Value {
    json!({
        "id": c.external_id,
        "number": c.id,
        "subject_field": c.subject_field,
        "definition": c.definition,
        "note": c.note,
        "source": c.source,
        "cross_references": c.cross_references.iter().map(|x| json!({
            "kind": x.kind.as_str(), "target": x.target, "text": x.text,
        })).collect::<Vec<_>>(),
        "created_at": c.stamp.created_at, "created_by": c.stamp.created_by,
        "changed_at": c.stamp.changed_at, "changed_by": c.stamp.changed_by,
        "languages": c.languages.iter().map(|s| json!({
            "lang": s.lang, "definition": s.definition, "note": s.note,
            "terms": s.terms.iter().map(|t| term_json(&s.lang, t)).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

fn print_concept(c: &Concept, json: bool) {
    if json {
        outln!("{}", concept_json(c));
        return;
    }
    let mut s =
        format!("concept {} (#{})\n", c.external_id.as_deref().unwrap_or("?"), c.id.unwrap_or(0));
    for (name, value) in [
        ("subject field", &c.subject_field),
        ("definition", &c.definition),
        ("note", &c.note),
        ("source", &c.source),
    ] {
        if let Some(v) = value {
            s.push_str(&format!("  {name}: {v}\n"));
        }
    }
    for x in &c.cross_references {
        s.push_str(&format!(
            "  see ({}): {}{}\n",
            x.kind.as_str(),
            x.text,
            x.target.as_deref().map(|t| format!(" → {t}")).unwrap_or_default()
        ));
    }
    for sec in &c.languages {
        s.push_str(&format!("  [{}]\n", sec.lang));
        if let Some(d) = &sec.definition {
            s.push_str(&format!("    definition: {d}\n"));
        }
        if let Some(n) = &sec.note {
            s.push_str(&format!("    note: {n}\n"));
        }
        for t in &sec.terms {
            let mut attrs = Vec::new();
            if let Some(st) = t.status {
                attrs.push(st.as_str().to_string());
            }
            if let Some(p) = t.part_of_speech {
                attrs.push(p.as_str().to_string());
            }
            if let Some(g) = t.gender {
                attrs.push(g.as_str().to_string());
            }
            if let Some(n) = t.number {
                attrs.push(n.as_str().to_string());
            }
            if t.match_mode != MatchMode::Stemmed {
                attrs.push(t.match_mode.as_str().to_string());
            }
            s.push_str(&format!("    #{} {}", t.id.unwrap_or(0), t.text));
            if !attrs.is_empty() {
                s.push_str(&format!(" ({})", attrs.join(", ")));
            }
            s.push('\n');
            for (name, value) in [
                ("type", &t.term_type),
                ("context", &t.context),
                ("usage", &t.usage_note),
                ("source", &t.source),
            ] {
                if let Some(v) = value {
                    s.push_str(&format!("      {name}: {v}\n"));
                }
            }
        }
    }
    crate::cli::write_stdout(format_args!("{s}"));
}

fn change_json(c: &ConceptChange) -> Value {
    json!({
        "at": c.at, "by": c.by, "action": c.action, "what": c.what, "field": c.field,
        "old": c.old_value, "new": c.new_value,
    })
}

fn change_text(c: &ConceptChange) -> String {
    let who = c.by.as_deref().unwrap_or("-");
    let detail = match (&c.field, &c.old_value, &c.new_value) {
        (Some(f), old, new) => format!(
            "{f}: {} → {}",
            old.as_deref().unwrap_or("(none)"),
            new.as_deref().unwrap_or("(none)")
        ),
        (None, None, Some(new)) => format!("added {new}"),
        (None, Some(old), None) => format!("removed {old}"),
        _ => String::new(),
    };
    format!("{}\t{who}\t{} {}\t{detail}", c.at, c.action, c.what)
}

fn hit_json(h: &TermHit) -> Value {
    json!({
        "start": h.start,
        "end": h.end,
        "text": h.text,
        "term": h.term,
        "status": h.status.map(TermStatus::as_str),
        "match_mode": h.match_mode.as_str(),
        "termbase": h.termbase,
        "concept": h.concept_external_id,
        "concept_id": h.concept_id,
        "term_id": h.term_id,
        "targets": h.targets.iter().map(|t| json!({
            "term": t.text, "lang": t.lang, "status": t.status.map(TermStatus::as_str), "term_id": t.term_id,
        })).collect::<Vec<_>>(),
    })
}

fn hits_text(hits: &[TermHit]) -> String {
    let mut s = String::new();
    for h in hits {
        let targets: Vec<String> = h
            .targets
            .iter()
            .map(|t| match t.status {
                Some(st) => format!("{} ({st})", t.text),
                None => t.text.clone(),
            })
            .collect();
        s.push_str(&format!(
            "{}-{}\t{}\t{}{}\t→ {}\n",
            h.start,
            h.end,
            h.text,
            h.term,
            h.status.map(|st| format!(" ({st})")).unwrap_or_default(),
            if targets.is_empty() { "-".into() } else { targets.join("; ") }
        ));
    }
    s
}

fn issue_json(i: &TermIssue) -> Value {
    json!({
        "kind": i.kind.code(),
        "message": i.message,
        "source": i.source.as_ref().map(hit_json),
        "target": i.target.as_ref().map(hit_json),
        "expected": i.expected,
    })
}
