//! Access: no SQL statement in src/store is assembled at run time. Every statement given
//! to SQLite is a string literal (or a migration file included at build time), so no
//! caller-supplied text can become SQL. Values always travel as bound parameters.

use std::path::Path;

/// Calls that take SQL text as their first argument.
const SQL_CALLS: &[&str] =
    &["prepare(", "prepare_cached(", "execute_batch(", "query_row(", "execute(", "query("];

/// Non-literal SQL arguments that are known to be static: migrations (`include_str!` of
/// schema/*.sql) and a match over two literals.
const ALLOWED: &[&str] = &["execute_batch(sql)", "prepare_cached(owner.select_sql())"];

#[test]
fn store_sql_is_never_assembled_from_strings() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/store");
    let mut offenders = Vec::new();
    let mut statements = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        // No SQL keyword inside a format! anywhere in the store.
        for (i, line) in text.lines().enumerate() {
            if let Some(at) = line.find("format!(") {
                let rest = line[at..].to_ascii_uppercase();
                for keyword in ["SELECT ", "INSERT ", "UPDATE ", "DELETE ", " WHERE ", "PRAGMA "] {
                    assert!(
                        !rest.contains(keyword),
                        "{}:{}: SQL built with format!: {line}",
                        path.display(),
                        i + 1
                    );
                }
            }
        }
        for call in SQL_CALLS {
            let mut from = 0;
            while let Some(at) = text[from..].find(call) {
                let start = from + at;
                from = start + call.len();
                if !text[..start].ends_with('.') {
                    continue;
                }
                let arg = text[from..].trim_start();
                // A literal, or bound parameters given to an already prepared statement.
                let literal =
                    arg.starts_with('"') || arg.starts_with("r\"") || arg.starts_with("r#\"");
                let params = arg.starts_with("params!")
                    || arg.starts_with('[')
                    || arg.starts_with("rusqlite::params")
                    || arg.starts_with(')');
                if literal {
                    statements += 1;
                    continue;
                }
                let head: String = format!("{call}{}", arg.split(['\n']).next().unwrap())
                    .chars()
                    .take(60)
                    .collect();
                if params || ALLOWED.iter().any(|a| head.starts_with(a)) {
                    continue;
                }
                let line = text[..start].lines().count();
                offenders.push(format!("{}:{line}: {head}", path.display()));
            }
        }
    }
    assert!(offenders.is_empty(), "SQL that is not a literal:\n{}", offenders.join("\n"));
    assert!(statements > 50, "only {statements} literal statements found: the scan is broken");
}
