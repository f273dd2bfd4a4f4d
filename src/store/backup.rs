//! Online backup: SQLite's backup API copies the database page by page while other
//! connections keep reading and writing, giving a consistent snapshot.

use std::path::Path;
use std::time::Duration;

use rusqlite::backup::{Backup, StepResult};
use rusqlite::Connection;

use super::{Result, Store, StoreError};

impl Store {
    /// Writes a consistent copy of the database to `target` (which must not exist). Returns
    /// the pages copied.
    ///
    /// The copy is made in one step, from one read snapshot: SQLite restarts a backup whenever
    /// another connection writes between two steps, so copying in chunks never finished
    /// under a steady trickle of writes. In WAL mode the snapshot does not block writers.
    pub fn backup_to(&self, target: &Path) -> Result<i32> {
        if target.exists() {
            return Err(StoreError::BackupTargetExists(target.display().to_string()));
        }
        let mut dest = Connection::open(target)?;
        let pages = {
            let backup = Backup::new(&self.conn, &mut dest)?;
            // -1: every page in one step (rusqlite's run_to_completion wants a positive count).
            while backup.step(-1)? != StepResult::Done {
                std::thread::sleep(Duration::from_millis(5)); // busy or locked: try again
            }
            backup.progress().pagecount
        };
        // The copy is a standalone file: no WAL beside it.
        dest.pragma_update(None, "journal_mode", "DELETE")?;
        let check: String = dest.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        if check != "ok" {
            return Err(StoreError::Corrupt(format!(
                "the backup fails its integrity check: {check}"
            )));
        }
        Ok(pages)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backup_is_a_complete_database_and_never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("live.db")).unwrap();
        store.create_memory("m").unwrap();
        let copy = dir.path().join("copy.db");
        assert!(store.backup_to(&copy).unwrap() > 0);
        let restored = Store::open(&copy).unwrap();
        assert!(restored.memory_id("m").unwrap().is_some());
        assert!(matches!(store.backup_to(&copy), Err(StoreError::BackupTargetExists(_))));
    }
}
