//! How the command line shows reports: text for people, JSON for scripts.

use serde_json::{json, Value};

use crate::import::ImportReport;
use crate::store::MemorySummary;

pub fn import_text(r: &ImportReport) -> String {
    let mut s = format!(
        "{}: {} units read, {} added, {} updated, {} skipped in {:.2} s{}\n",
        r.file,
        r.units_read,
        r.added,
        r.updated,
        r.skipped,
        r.seconds,
        if r.dry_run { " (dry run: nothing written)" } else { "" }
    );
    for w in &r.warnings {
        s.push_str(&format!("  warning: {w}\n"));
    }
    for (reason, count) in &r.skipped_by_reason {
        s.push_str(&format!("  skipped {count} × {reason}\n"));
    }
    for p in &r.problems {
        s.push_str(&format!(
            "  line {}, column {}{}: {}\n",
            p.line,
            p.column,
            p.tuid.as_deref().map(|t| format!(" (tuid {t})")).unwrap_or_default(),
            p.message
        ));
    }
    if r.problems.len() < r.skipped as usize {
        s.push_str(&format!("  … {} more not listed\n", r.skipped as usize - r.problems.len()));
    }
    if !r.languages.is_empty() {
        let langs: Vec<String> = r.languages.iter().map(|(l, n)| format!("{l} ({n})")).collect();
        s.push_str(&format!("  languages: {}\n", langs.join(", ")));
    }
    s
}

fn import_report_json(r: &ImportReport) -> Value {
    json!({
        "file": r.file,
        "memory": r.memory,
        "tmx_version": r.tmx_version,
        "encoding": r.encoding,
        "gzip": r.gzip,
        "units_read": r.units_read,
        "added": r.added,
        "updated": r.updated,
        "skipped": r.skipped,
        "skipped_by_reason": r.skipped_by_reason,
        "problems": r.problems.iter().map(|p| json!({
            "line": p.line, "column": p.column, "tuid": p.tuid, "reason": p.reason, "message": p.message,
        })).collect::<Vec<_>>(),
        "languages": r.languages,
        "warnings": r.warnings,
        "seconds": r.seconds,
        "dry_run": r.dry_run,
    })
}

/// One object: totals over all files, each file's report, and the files that failed.
pub fn import_json(reports: &[ImportReport], failures: &[String]) -> Value {
    let sum = |f: fn(&ImportReport) -> u64| reports.iter().map(f).sum::<u64>();
    json!({
        "units_read": sum(|r| r.units_read),
        "added": sum(|r| r.added),
        "updated": sum(|r| r.updated),
        "skipped": sum(|r| r.skipped),
        "seconds": reports.iter().map(|r| r.seconds).sum::<f64>(),
        "files": reports.iter().map(import_report_json).collect::<Vec<_>>(),
        "failed": failures,
    })
}

pub fn memories_json(memories: &[MemorySummary]) -> Value {
    Value::Array(
        memories
            .iter()
            .map(|m| {
                json!({
                    "name": m.name,
                    "units": m.units,
                    "created_at": m.created_at,
                    "pairs": m.pairs.iter().map(|p| json!({
                        "source": p.source, "target": p.target, "units": p.units,
                    })).collect::<Vec<_>>(),
                    "languages": m.languages.iter().map(|(l, n)| json!({"lang": l, "variants": n})).collect::<Vec<_>>(),
                })
            })
            .collect(),
    )
}

pub fn memories_text(memories: &[MemorySummary]) -> String {
    if memories.is_empty() {
        return "no memories\n".into();
    }
    let mut s = String::new();
    for m in memories {
        let pairs: Vec<String> =
            m.pairs.iter().map(|p| format!("{}→{} ({})", p.source, p.target, p.units)).collect();
        let langs: Vec<&str> = m.languages.iter().map(|(l, _)| l.as_str()).collect();
        s.push_str(&format!(
            "{}\t{} units\t{}\n",
            m.name,
            m.units,
            if pairs.is_empty() { langs.join(", ") } else { pairs.join(", ") }
        ));
    }
    s
}
