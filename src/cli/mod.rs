//! The command line: argument definitions and what each command does. Output for people
//! goes to stderr and stdout as text; `--json` output is the machine-readable edge.

/// `println!` for command output. When whoever reads stdout has gone (`tmbase export | head`),
/// the command stops quietly, as Unix tools do, instead of panicking.
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::cli::write_stdout(format_args!("{}\n", format_args!($($arg)*)))
    };
}

mod align;
mod lookup;
mod report;
mod segment;
mod server;
mod terms;

use std::io::{BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand, ValueEnum};

use crate::export::{export_tmx, ExportError, ExportOptions};
use crate::import::{import_tmx_file, ImportOptions, Progress};
use crate::store::{DuplicatePolicy, Store};

#[derive(Debug, Parser)]
#[command(name = "tmbase", version, about = "Translation memory and term base server")]
pub struct Cli {
    /// The database file.
    #[arg(long, global = true, env = "TMBASE_DB", default_value = "tmbase.db")]
    pub db: PathBuf,
    /// Whether `db` is only the default (neither --db nor TMBASE_DB was given).
    #[arg(skip)]
    pub db_is_default: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Import TMX files (plain or .gz) into a memory, one transaction per file.
    Import {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[arg(long, short)]
        memory: String,
        /// What to do with a unit the memory already holds.
        #[arg(long, value_enum, default_value_t = OnDuplicate::Skip)]
        on_duplicate: OnDuplicate,
        /// Check and report, write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Print the report as one JSON object on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Export a memory as TMX 1.4b.
    Export {
        #[arg(long, short)]
        memory: String,
        /// Only units with this source language (and only its variants and the target's).
        #[arg(long)]
        source: Option<String>,
        #[arg(long)]
        target: Option<String>,
        /// Output file; standard output when missing.
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Fuzzy matches from memories for new source text.
    Lookup(lookup::LookupArgs),
    /// Align a document with its translation (plain text, one paragraph per line) into
    /// sentence pairs: a TMX file and/or units of a memory.
    Align(align::AlignArgs),
    /// Cut text into sentences with SRX rules and print one segment per line.
    Segment(segment::SegmentArgs),
    /// Run the HTTP server.
    Serve(server::ServeArgs),
    /// Manage API keys for the HTTP server.
    Keys {
        #[command(subcommand)]
        command: server::KeysCommand,
    },
    /// Print the OpenAPI document of the HTTP API.
    Openapi,
    /// Copy the database to FILE while it is in use (SQLite's online backup).
    Backup { file: PathBuf },
    /// List memories with their unit counts and language pairs.
    Memories {
        #[arg(long)]
        json: bool,
    },
    /// Manage one memory.
    Memory {
        #[command(subcommand)]
        action: MemoryAction,
    },
    /// Term bases: import, export, curation, term recognition and term QA.
    Terms {
        #[command(subcommand)]
        command: terms::TermsCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum MemoryAction {
    /// Delete a memory and all its units.
    Delete {
        name: String,
        /// Do not ask.
        #[arg(long, short)]
        yes: bool,
    },
    /// Set the points taken off every match from a memory.
    Penalty {
        name: String,
        #[arg(value_parser = clap::value_parser!(i64).range(0..=100))]
        points: i64,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum OnDuplicate {
    Skip,
    Overwrite,
    Keep,
}

impl From<OnDuplicate> for DuplicatePolicy {
    fn from(value: OnDuplicate) -> Self {
        match value {
            OnDuplicate::Skip => DuplicatePolicy::Skip,
            OnDuplicate::Overwrite => DuplicatePolicy::Overwrite,
            OnDuplicate::Keep => DuplicatePolicy::Keep,
        }
    }
}

/// Parses the process's command line.
pub fn parse() -> Cli {
    use clap::{CommandFactory, FromArgMatches};
    let matches = Cli::command().get_matches();
    let mut cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    cli.db_is_default = matches.value_source("db") == Some(clap::parser::ValueSource::DefaultValue);
    cli
}

/// Runs a parsed command line; the exit code is 0 on success.
pub fn run(cli: Cli) -> Result<i32> {
    match cli.command {
        Command::Import { files, memory, on_duplicate, dry_run, json } => {
            let mut store = open_store(&cli.db)?;
            let mut options = ImportOptions::new(memory);
            options.on_duplicate = on_duplicate.into();
            options.dry_run = dry_run;
            run_import(&mut store, &files, &options, json)
        }
        Command::Export { memory, source, target, output } => {
            let store = open_store(&cli.db)?;
            let options = ExportOptions { memory, source, target };
            let count = match &output {
                Some(path) => {
                    let file = std::fs::File::create(path)
                        .with_context(|| format!("cannot create {}", path.display()))?;
                    export_tmx(&store, &options, BufWriter::new(file))?
                }
                None => {
                    match export_tmx(&store, &options, BufWriter::new(std::io::stdout().lock())) {
                        // Whoever read the TMX stopped reading (`tmbase export | head`).
                        Err(ExportError::Write(e))
                            if e.kind() == std::io::ErrorKind::BrokenPipe =>
                        {
                            return Ok(0)
                        }
                        other => other?,
                    }
                }
            };
            if let Some(path) = output {
                eprintln!("exported {count} units to {}", path.display());
            }
            Ok(0)
        }
        Command::Serve(args) => server::serve((!cli.db_is_default).then(|| cli.db.clone()), &args),
        Command::Keys { command } => {
            let store = open_store(&cli.db)?;
            server::keys(&store, &command)
        }
        Command::Backup { file } => {
            let store = open_store(&cli.db)?;
            let pages = store.backup_to(&file)?;
            eprintln!("backed up {} ({pages} pages) to {}", cli.db.display(), file.display());
            Ok(0)
        }
        Command::Openapi => {
            outln!("{}", crate::http::openapi_document());
            Ok(0)
        }
        Command::Lookup(args) => {
            let store = open_store(&cli.db)?;
            lookup::run(&store, &args)
        }
        Command::Memory { action: MemoryAction::Penalty { name, points } } => {
            let store = open_store(&cli.db)?;
            store.set_memory_penalty(&name, points)?;
            eprintln!("matches from {name:?} now lose {points} points");
            Ok(0)
        }
        Command::Segment(args) => segment::run(&args),
        Command::Align(args) => align::run(&cli.db, &args),
        Command::Memories { json } => {
            let store = open_store(&cli.db)?;
            let memories = store.memories()?;
            let mut out = std::io::stdout().lock();
            if json {
                writeln!(out, "{}", report::memories_json(&memories))?;
            } else {
                write!(out, "{}", report::memories_text(&memories))?;
            }
            Ok(0)
        }
        Command::Terms { command } => terms::run(&cli.db, command),
        Command::Memory { action: MemoryAction::Delete { name, yes } } => {
            let mut store = open_store(&cli.db)?;
            store.require_memory(&name)?;
            if !yes && !confirm(&format!("Delete the memory {name:?} and all its units?"))? {
                eprintln!("nothing deleted");
                return Ok(1);
            }
            let units = store.delete_memory(&name)?;
            eprintln!("deleted memory {name:?} ({units} units)");
            Ok(0)
        }
    }
}

fn open_store(path: &Path) -> Result<Store> {
    Store::open(path).with_context(|| format!("cannot open the database {}", path.display()))
}

fn confirm(question: &str) -> Result<bool> {
    if !std::io::stdin().is_terminal() {
        bail!("{question} Refusing to ask without a terminal: pass --yes");
    }
    eprint!("{question} [y/N] ");
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer)?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes"))
}

fn run_import(
    store: &mut Store,
    files: &[PathBuf],
    options: &ImportOptions,
    json: bool,
) -> Result<i32> {
    let mut reports = Vec::new();
    let mut failures = Vec::new();
    for path in files {
        let progress = Progress::default();
        let bar = progress_bar(path);
        let done = std::sync::atomic::AtomicBool::new(false);
        let result = std::thread::scope(|scope| {
            if let Some(bar) = &bar {
                let (bytes, units, done) = (&progress.bytes, &progress.units, &done);
                scope.spawn(move || {
                    while !done.load(Ordering::Relaxed) {
                        bar.set_position(bytes.load(Ordering::Relaxed));
                        bar.set_message(format!("{} units", units.load(Ordering::Relaxed)));
                        std::thread::sleep(Duration::from_millis(100));
                    }
                });
            }
            let result = import_tmx_file(store, path, options, &progress);
            done.store(true, Ordering::Relaxed);
            result
        });
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
        match result {
            Ok(report) => {
                if !json {
                    eprint!("{}", report::import_text(&report));
                }
                reports.push(report);
            }
            Err(e) => {
                if !json {
                    eprintln!("error: {e}");
                }
                failures.push(e.to_string());
            }
        }
    }
    if json {
        outln!("{}", report::import_json(&reports, &failures));
    }
    Ok(if failures.is_empty() { 0 } else { 1 })
}

fn progress_bar(path: &Path) -> Option<indicatif::ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let len = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let bar = indicatif::ProgressBar::new(len);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} {prefix} [{bar:30}] {bytes}/{total_bytes} {msg} ({eta})",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    bar.set_prefix(path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default());
    Some(bar)
}

/// Writes command output to stdout (see `outln!`).
fn write_stdout(args: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_fmt(args).and_then(|()| out.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error: cannot write to standard output: {e}");
        std::process::exit(1);
    }
}
