//! Store regressions found by the reliability work (issue 7), each named after what it pins.

mod hostile_support;

use hostile_support::tmbase;

fn ok(db: &std::path::Path, args: &[&str]) -> String {
    let out = tmbase(db).args(args).output().unwrap();
    assert!(out.status.success(), "tmbase {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Regression: SQLite reuses the highest rowid after a delete, so a concept created after
/// the newest one was deleted got its number — and its history ("created … guarantee",
/// "deleted …") showed up under the new concept. Concept numbers are now never reused.
#[test]
fn deleted_concept_number_is_never_reused_so_histories_never_mix() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    ok(&db, &["terms", "base", "create", "tb"]);
    let first =
        ok(&db, &["terms", "concept", "add", "-t", "tb", "--term", "en=guarantee", "--id", "old"]);
    ok(&db, &["terms", "concept", "delete", "-t", "tb", "old"]);
    let second =
        ok(&db, &["terms", "concept", "add", "-t", "tb", "--term", "en=warranty", "--id", "new"]);
    let number = |s: &str| s.split("(#").nth(1).unwrap().split(')').next().unwrap().to_string();
    assert_ne!(number(&first), number(&second), "{first} / {second}");
    let history = ok(&db, &["terms", "concept", "history", "-t", "tb", "new"]);
    assert!(
        !history.contains("guarantee"),
        "the new concept shows the old one's history:\n{history}"
    );
    // The deleted concept's history is still listable by its number.
    let old_history = ok(&db, &["terms", "concept", "history", "-t", "tb", &number(&first)]);
    assert!(
        old_history.contains("guarantee") && !old_history.contains("warranty"),
        "{old_history}"
    );
}
