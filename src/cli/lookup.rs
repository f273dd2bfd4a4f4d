//! `tmbase lookup`: fuzzy matches for one query, or one per line of a file.

use std::io::{BufRead, Write};
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};

use crate::matching::{lookup, rank_across_memories, Match, MatchQuery, MemoryIndex};
use crate::store::Store;

/// The lookup command's arguments.
#[derive(Debug, clap::Args)]
pub struct LookupArgs {
    /// Memories to search (repeat for several).
    #[arg(long, short, required = true)]
    pub memory: Vec<String>,
    /// Source language of the query.
    #[arg(long)]
    pub from: String,
    /// Language of the translations wanted.
    #[arg(long)]
    pub to: String,
    #[arg(long, default_value_t = 70, value_parser = clap::value_parser!(u32).range(0..=101))]
    pub min_score: u32,
    #[arg(long, default_value_t = 5)]
    pub limit: usize,
    /// The previous source segment (for context matches).
    #[arg(long)]
    pub prev: Option<String>,
    /// The next source segment (for context matches).
    #[arg(long)]
    pub next: Option<String>,
    /// One JSON object per query, one per line.
    #[arg(long)]
    pub json: bool,
    /// Read queries from a file, one per line (`-` for standard input).
    #[arg(long, conflicts_with = "text")]
    pub file: Option<PathBuf>,
    /// The text to look up.
    #[arg(required_unless_present = "file")]
    pub text: Option<String>,
}

pub fn run(store: &Store, args: &LookupArgs) -> Result<i32> {
    let indexes = args
        .memory
        .iter()
        .map(|m| MemoryIndex::open(store, m, &args.from).with_context(|| format!("memory {m:?}")))
        .collect::<Result<Vec<_>>>()?;
    let queries: Vec<String> = match (&args.file, &args.text) {
        (Some(path), _) => read_queries(path)?,
        (None, Some(text)) => vec![text.clone()],
        (None, None) => bail!("give a TEXT or --file"),
    };
    let mut out = std::io::stdout().lock();
    for text in queries {
        let mut query = MatchQuery::new(text.clone(), args.to.clone());
        query.min_score = args.min_score;
        query.limit = args.limit;
        query.prev = args.prev.clone();
        query.next = args.next.clone();
        let mut matches = Vec::new();
        for index in &indexes {
            matches.extend(lookup(store, index, &query)?);
        }
        rank_across_memories(&mut matches);
        matches.truncate(args.limit);
        if args.json {
            writeln!(
                out,
                "{}",
                json!({ "query": text, "matches": matches.iter().map(match_json).collect::<Vec<_>>() })
            )?;
        } else {
            write!(out, "{}", match_text(&text, &matches))?;
        }
    }
    Ok(0)
}

fn read_queries(path: &PathBuf) -> Result<Vec<String>> {
    let reader: Box<dyn BufRead> = if path.as_os_str() == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(std::io::BufReader::new(
            std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?,
        ))
    };
    let mut queries = Vec::new();
    for (n, line) in reader.lines().enumerate() {
        let line = line.with_context(|| format!("{}: line {}", path.display(), n + 1))?;
        if !line.trim().is_empty() {
            queries.push(line);
        }
    }
    Ok(queries)
}

pub fn match_json(m: &Match) -> Value {
    json!({
        "score": m.score,
        "base_score": m.base_score,
        "penalties": m.penalties.iter().map(|p| json!({"name": p.name, "points": p.points})).collect::<Vec<_>>(),
        "context_match": m.context_match,
        "numbers_adjusted": m.numbers_adjusted,
        "memory": m.memory,
        "unit_id": m.unit_id,
        "tuid": m.tuid,
        "source_lang": m.source_lang,
        "source": m.source,
        "source_markup": m.source_markup,
        "target_lang": m.target_lang,
        "target": m.target,
        "target_markup": m.target_markup,
        "created_at": m.created_at,
        "created_by": m.created_by,
        "changed_at": m.changed_at,
        "changed_by": m.changed_by,
        "usage_count": m.usage_count,
        "diff": m.diff.iter().map(|d| json!({
            "kind": d.kind.as_str(), "start": d.start, "end": d.end,
            "query_text": d.query_text, "same_stem": d.same_stem,
        })).collect::<Vec<_>>(),
    })
}

fn match_text(query: &str, matches: &[Match]) -> String {
    let mut s = format!("{query}\n");
    if matches.is_empty() {
        s.push_str("  no match\n");
    }
    for m in matches {
        let penalties: Vec<String> =
            m.penalties.iter().map(|p| format!("{} -{}", p.name, p.points)).collect();
        s.push_str(&format!(
            "  {:>3}%{} [{}] {}\n       → {}\n",
            m.score,
            if penalties.is_empty() {
                String::new()
            } else {
                format!(" ({})", penalties.join(", "))
            },
            m.memory,
            m.source,
            m.target
        ));
    }
    s
}
