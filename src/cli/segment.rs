//! `tmbase segment`: cuts a text file (or standard input) into sentences with the built-in
//! SRX rules or a user's SRX file, and prints one segment per line.

use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::srx::SrxReadOptions;
use crate::text::Segmenter;

/// The segment command's arguments.
#[derive(Debug, clap::Args)]
pub struct SegmentArgs {
    /// Language of the text (BCP 47: ru, en-GB, ...); chooses the SRX language rules.
    #[arg(long)]
    pub lang: String,
    /// SRX 2.0 file whose rules replace the built-in ones.
    #[arg(long)]
    pub srx: Option<PathBuf>,
    /// Leave out (with a warning) the rules of --srx whose regex tmbase cannot run,
    /// such as look-around, instead of refusing the file.
    #[arg(long, requires = "srx")]
    pub skip_bad_rules: bool,
    /// The text file; standard input when missing or `-`. Every line break ends a segment.
    pub input: Option<PathBuf>,
}

/// Prints the segments of the input, one per line; the exit code is 0.
pub fn run(args: &SegmentArgs) -> Result<i32> {
    let segmenter = match &args.srx {
        Some(path) => {
            let options = SrxReadOptions { skip_bad_rules: args.skip_bad_rules };
            Segmenter::from_srx_file_with(path, options)?
        }
        None => Segmenter::default_rules(),
    };
    for skipped in segmenter.skipped_rules() {
        eprintln!("warning: {}: skipped a rule: {skipped}", segmenter.source());
    }
    if segmenter.rule_set_names(&args.lang).is_empty() {
        eprintln!(
            "warning: no language map of {} matches {:?}; only line breaks will break",
            segmenter.source(),
            args.lang
        );
    }
    let text = read_input(args.input.as_deref())?;
    let mut out = BufWriter::new(std::io::stdout().lock());
    for range in segmenter.segment(&args.lang, &text) {
        writeln!(out, "{}", &text[range])?;
    }
    out.flush()?;
    Ok(0)
}

/// The whole input as UTF-8 text (a byte-order mark is dropped).
fn read_input(input: Option<&Path>) -> Result<String> {
    let mut bytes = Vec::new();
    let name = match input {
        Some(path) if path != Path::new("-") => {
            bytes =
                std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
            path.display().to_string()
        }
        _ => {
            std::io::stdin()
                .lock()
                .read_to_end(&mut bytes)
                .context("cannot read standard input")?;
            String::from("standard input")
        }
    };
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text.to_string()),
        Err(e) => anyhow::bail!("{name} is not UTF-8 text (byte {} is not)", e.valid_up_to()),
    }
}
