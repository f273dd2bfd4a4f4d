//! Applies the migrations in `schema/` in order; `PRAGMA user_version` records how far a
//! database has come. A database from a newer tmbase is refused, never touched.

use rusqlite::Connection;

use super::{Result, StoreError};

/// Every migration, in order. Append only: a landed file is never edited.
const MIGRATIONS: &[(&str, &str)] = &[
    ("0001_initial", include_str!("../../schema/0001_initial.sql")),
    ("0002_termbase", include_str!("../../schema/0002_termbase.sql")),
    ("0003_api_keys", include_str!("../../schema/0003_api_keys.sql")),
    ("0004_memory_revision", include_str!("../../schema/0004_memory_revision.sql")),
    ("0005_revision_per_import", include_str!("../../schema/0005_revision_per_import.sql")),
];

pub fn latest_version() -> i64 {
    MIGRATIONS.len() as i64
}

pub fn migrate(conn: &mut Connection) -> Result<()> {
    let found: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let known = latest_version();
    if found > known {
        return Err(StoreError::SchemaTooNew { found, known });
    }
    for (index, (name, sql)) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let tx = conn.transaction()?;
        tracing::info!("applying migration {name}");
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", index as i64 + 1)?;
        tx.commit()?;
    }
    Ok(())
}
