//! The SQLite store: the only module that knows SQL. One database file holds every
//! memory; schema changes are the append-only migrations in `schema/`.
//!
//! Language prefixes are matched as ranges (`lang > 'ru-' AND lang < 'ru.'`), never with a
//! bound LIKE pattern, which would make SQLite re-prepare the statement on every call.

mod backup;
mod editing;
mod keys;
mod matching;
mod memories;
mod migrate;
mod pool;
mod terms;
mod units;
mod wal_flush;

use std::path::Path;

use rusqlite::Connection;

pub use editing::{ConcordanceHit, MemoryChange, StoredUnit, UnitQuery};
pub use keys::{ApiKey, Scope};
pub use matching::{IndexRow, MatchDetails, OtherVariant};
pub use memories::{LanguagePair, MemorySummary};
pub use pool::{PooledStore, StorePool};
pub use terms::{
    ConceptKey, RecognitionTerm, SearchMode, TermImportSession, TermSearch, TermSearchHit,
    TermSelection,
};
pub use units::{AddOutcome, DuplicatePolicy, ImportSession, PreparedUnit, UnitFilter};

/// Everything that can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error(
        "the database has schema version {found}, newer than this tmbase knows ({known}); \
         use a newer tmbase"
    )]
    SchemaTooNew { found: i64, known: i64 },
    #[error("no memory named {0:?}")]
    NoSuchMemory(String),
    #[error("a memory named {0:?} already exists")]
    MemoryExists(String),
    #[error("a memory name must be 1 to 200 characters without control characters, not {0:?}")]
    BadMemoryName(String),
    #[error("{0} exists: a backup never overwrites a file")]
    BackupTargetExists(String),
    #[error("stored data is damaged: {0}")]
    Corrupt(String),
    #[error("no term base named {0:?}")]
    NoSuchTermBase(String),
    #[error("a term base named {0:?} exists already")]
    TermBaseExists(String),
    #[error("a term base name must be 1 to 200 characters without control characters, not {0:?}")]
    BadTermBaseName(String),
    #[error("no concept {concept:?} in the term base {termbase:?}")]
    NoSuchConcept { termbase: String, concept: String },
    #[error("the term base {termbase:?} has a concept {concept:?} already")]
    ConceptExists { termbase: String, concept: String },
    #[error("no term {term} in the term base {termbase:?}")]
    NoSuchTerm { termbase: String, term: i64 },
    #[error("{0}")]
    Invalid(String),
    #[error("cannot write: {0}")]
    Io(std::io::Error),
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// An open database.
pub struct Store {
    conn: Connection,
}

impl Store {
    /// Opens (creating it if needed) and migrates the database at `path`.
    pub fn open(path: &Path) -> Result<Store> {
        let conn = Connection::open(path)?;
        Store::setup(conn)
    }

    /// A private in-memory database, for tests.
    pub fn open_in_memory() -> Result<Store> {
        Store::setup(Connection::open_in_memory()?)
    }

    fn setup(mut conn: Connection) -> Result<Store> {
        conn.busy_timeout(std::time::Duration::from_secs(30))?;
        // A new database gets 16 KiB pages instead of SQLite's 4 KiB: a unit's variants
        // (texts of a few hundred bytes each) fill far fewer pages, which makes an import
        // split and write fewer of them. This does nothing to an existing database.
        conn.pragma_update(None, "page_size", 16384)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.pragma_update(None, "cache_size", -64_000)?;
        // Reads through a memory map avoid a copy per page on large scans (index builds).
        conn.pragma_update(None, "mmap_size", 1_i64 << 30)?;
        // Room for every statement a server connection runs (the default keeps 16), so that
        // none is compiled again on each request.
        conn.set_prepared_statement_cache_capacity(64);
        migrate::migrate(&mut conn)?;
        Ok(Store { conn })
    }

    /// The schema version this build of tmbase writes.
    pub fn schema_version() -> i64 {
        migrate::latest_version()
    }

    /// Runs `read` inside one read transaction, so that its queries see one state of the
    /// database and share the cost of starting a read (a lookup reads several units).
    /// Inside a transaction already, `read` simply runs in it.
    pub fn in_one_read<T, E: From<StoreError>>(
        &self,
        read: impl FnOnce() -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        if !self.conn.is_autocommit() {
            return read();
        }
        let tx = self.conn.unchecked_transaction().map_err(StoreError::from)?;
        let out = read()?;
        // Only reads were made: ending the transaction cannot lose anything.
        tx.commit().map_err(StoreError::from)?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_in_one_read_see_one_state_of_the_database() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let reader = Store::open(&path).unwrap();
        let writer = Store::open(&path).unwrap();
        reader.ensure_memory("first").unwrap();
        let (before, during) = reader
            .in_one_read(|| {
                let before = reader.memory_names()?;
                writer.ensure_memory("second")?;
                Ok::<_, StoreError>((before, reader.memory_names()?))
            })
            .unwrap();
        assert_eq!(before, ["first"]);
        assert_eq!(during, ["first"], "a write from elsewhere showed inside the read");
        assert_eq!(reader.memory_names().unwrap(), ["first", "second"]);
    }

    #[test]
    fn a_new_database_has_16_kib_pages_and_an_existing_one_keeps_its_own() {
        let dir = tempfile::tempdir().unwrap();
        let page_size = |store: &Store| -> i64 {
            store.conn.pragma_query_value(None, "page_size", |r| r.get(0)).unwrap()
        };
        let new = dir.path().join("new.db");
        assert_eq!(page_size(&Store::open(&new).unwrap()), 16384);
        let old = dir.path().join("old.db");
        let conn = Connection::open(&old).unwrap();
        conn.execute_batch("PRAGMA page_size = 4096; CREATE TABLE t (x); DROP TABLE t;").unwrap();
        drop(conn);
        assert_eq!(page_size(&Store::open(&old).unwrap()), 4096);
    }

    #[test]
    fn a_failed_read_ends_its_transaction_and_a_nested_one_runs_in_the_outer() {
        let store = Store::open_in_memory().unwrap();
        let failed: std::result::Result<(), StoreError> =
            store.in_one_read(|| Err(StoreError::NoSuchMemory("gone".into())));
        assert!(matches!(failed, Err(StoreError::NoSuchMemory(_))));
        assert!(store.conn.is_autocommit(), "the failed read left its transaction open");
        let nested = store.in_one_read(|| store.in_one_read(|| store.memory_names())).unwrap();
        assert!(nested.is_empty());
        assert!(store.conn.is_autocommit());
    }
}
