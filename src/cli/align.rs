//! `tmbase align`: aligns a plain-text document (one paragraph per line) with its
//! translation, writes the sentence pairs as TMX and/or adds them to a memory, and lists the
//! beads a person should check.

use std::io::{BufWriter, Cursor, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use super::{open_store, report};
use crate::align::{
    align_documents, write_tmx, AlignOptions, Bead, BeadKind, TermAnchors, TmxOptions, REVIEW_BELOW,
};
use crate::import::{import_tmx, ImportOptions, Progress};
use crate::model::tmx_now;
use crate::text::Segmenter;

/// The align command's arguments.
#[derive(Debug, clap::Args)]
pub struct AlignArgs {
    /// Language of SOURCE (BCP 47: ru, en-GB, ...).
    #[arg(long)]
    pub source_lang: String,
    /// Language of TARGET.
    #[arg(long)]
    pub target_lang: String,
    /// The original document: UTF-8 plain text, one paragraph per line.
    pub source: PathBuf,
    /// Its translation, in the same form.
    pub target: PathBuf,
    /// Write the aligned units to this TMX file (standard output when neither --output nor
    /// --memory is given).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Add the aligned units to this memory (created if needed).
    #[arg(long, short)]
    pub memory: Option<String>,
    /// Use the concepts of this term base as anchors (repeat for several).
    #[arg(long = "termbase", short = 't')]
    pub termbases: Vec<String>,
    /// SRX 2.0 file whose rules replace the built-in segmentation rules.
    #[arg(long)]
    pub srx: Option<PathBuf>,
    /// List for review the beads whose confidence is below this (and every 1-0 or 0-1 bead).
    #[arg(long, default_value_t = REVIEW_BELOW)]
    pub review_below: f64,
    /// Give units the tuids PREFIX-0001, PREFIX-0002, … (numbered by bead); by default
    /// the source file's name without its extensions.
    #[arg(long)]
    pub tuid_prefix: Option<String>,
}

/// Reads a document: UTF-8 (a byte-order mark is dropped), one paragraph per line.
fn read_paragraphs(path: &Path) -> Result<Vec<String>> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => bail!("{} is not UTF-8 text (byte {} is not)", path.display(), e.valid_up_to()),
    };
    Ok(text.lines().map(str::to_string).collect())
}

fn default_tuid_prefix(source: &Path) -> String {
    let name = source.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    match name.split('.').next() {
        Some(stem) if !stem.is_empty() => stem.to_string(),
        _ => "align".to_string(),
    }
}

/// Aligns the two documents; the exit code is 0.
pub fn run(db: &Path, args: &AlignArgs) -> Result<i32> {
    if !(0.0..=1.0).contains(&args.review_below) {
        bail!("--review-below must be between 0 and 1, not {}", args.review_below);
    }
    let source = read_paragraphs(&args.source)?;
    let target = read_paragraphs(&args.target)?;
    let mut options = AlignOptions::new(&args.source_lang, &args.target_lang);
    if let Some(srx) = &args.srx {
        options.segmenter = Segmenter::from_srx_file(srx)?;
    }
    let mut store = match (&args.memory, args.termbases.is_empty()) {
        (None, true) => None,
        _ => Some(open_store(db)?),
    };
    if let Some(store) = &store {
        if !args.termbases.is_empty() {
            for termbase in &args.termbases {
                store.require_termbase(termbase)?;
            }
            options.terms = Some(TermAnchors::from_store(
                store,
                &args.termbases,
                &args.source_lang,
                &args.target_lang,
            )?);
        }
    }

    let beads = align_documents(&source, &target, &options);
    eprint!("{}", summary(&beads));

    let mut tmx_options = TmxOptions::new(&args.source_lang, &args.target_lang);
    tmx_options.tuid_prefix =
        Some(args.tuid_prefix.clone().unwrap_or_else(|| default_tuid_prefix(&args.source)));
    tmx_options.creation_date = Some(tmx_now());
    tmx_options.note = Some(format!(
        "Aligned by tmbase align from {} ({}) and {} ({}).",
        file_name(&args.source),
        args.source_lang,
        file_name(&args.target),
        args.target_lang
    ));
    match (&args.output, &args.memory) {
        (Some(path), _) => {
            let file = std::fs::File::create(path)
                .with_context(|| format!("cannot create {}", path.display()))?;
            let units = write_tmx(&beads, BufWriter::new(file), &tmx_options)?;
            eprintln!("wrote {units} units to {}", path.display());
        }
        (None, None) => {
            write_tmx(&beads, BufWriter::new(std::io::stdout().lock()), &tmx_options)?;
        }
        (None, Some(_)) => {}
    }
    if let (Some(memory), Some(store)) = (&args.memory, store.as_mut()) {
        let mut tmx = Vec::new();
        write_tmx(&beads, &mut tmx, &tmx_options)?;
        let name = format!("alignment of {}", file_name(&args.source));
        let report = import_tmx(
            store,
            Box::new(Cursor::new(tmx)),
            &name,
            &ImportOptions::new(memory.clone()),
            &Progress::default(),
        )?;
        eprint!("{}", report::import_text(&report));
    }
    let mut err = std::io::stderr().lock();
    write!(err, "{}", review_list(&beads, args.review_below))?;
    Ok(0)
}

fn file_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// One line: sentence and bead counts by kind.
fn summary(beads: &[Bead]) -> String {
    let sentences = |side: fn(&Bead) -> usize| -> usize { beads.iter().map(side).sum() };
    let source = sentences(|b| b.source_sentences.len());
    let target = sentences(|b| b.target_sentences.len());
    let mut by_kind = Vec::new();
    for kind in [
        BeadKind::OneToOne,
        BeadKind::OneToTwo,
        BeadKind::TwoToOne,
        BeadKind::TwoToTwo,
        BeadKind::OneToZero,
        BeadKind::ZeroToOne,
    ] {
        let count = beads.iter().filter(|b| b.kind == kind).count();
        if count > 0 {
            by_kind.push(format!("{count} × {kind}"));
        }
    }
    let kinds =
        if by_kind.is_empty() { String::new() } else { format!(" ({})", by_kind.join(", ")) };
    format!(
        "aligned {source} source and {target} target sentences in {} beads{kinds}\n",
        beads.len()
    )
}

/// The beads a person should check, with their texts and anchors.
fn review_list(beads: &[Bead], threshold: f64) -> String {
    let to_review: Vec<(usize, &Bead)> =
        beads.iter().enumerate().filter(|(_, b)| b.needs_review(threshold)).collect();
    if to_review.is_empty() {
        return format!("no bead to review (every confidence is at least {threshold:.2})\n");
    }
    let mut out = format!(
        "{} beads to review (confidence below {threshold:.2}, or nothing on one side):\n",
        to_review.len()
    );
    let numbers = |range: &std::ops::Range<usize>| match range.len() {
        0 => "-".to_string(),
        1 => range.start.to_string(),
        _ => format!("{}-{}", range.start, range.end - 1),
    };
    for (index, bead) in to_review {
        out.push_str(&format!(
            "  bead {} ({}, confidence {:.2}, paragraph {}):\n",
            index + 1,
            bead.kind,
            bead.confidence,
            bead.source_paragraphs.start + 1
        ));
        out.push_str(&format!(
            "    source {}: {}\n",
            numbers(&bead.source_sentences),
            bead.source_text
        ));
        out.push_str(&format!(
            "    target {}: {}\n",
            numbers(&bead.target_sentences),
            bead.target_text
        ));
        if !bead.anchors.is_empty() {
            let anchors: Vec<String> =
                bead.anchors.iter().map(|a| format!("{} = {}", a.source, a.target)).collect();
            out.push_str(&format!("    anchors: {}\n", anchors.join(", ")));
        }
    }
    out
}
