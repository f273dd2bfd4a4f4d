//! Starts the disk writes of a long transaction's log early. While an import session runs,
//! a thread of its own flushes the database's write-ahead log to disk every 100 ms.
//!
//! Linux holds written pages in memory until about 10% of it is dirty or 30 s have passed.
//! Without this, the whole log of an import (tens of MB) reaches the disk only at the
//! checkpoint after the commit, and the import waits for it there. Flushing from another
//! file handle only writes pages out: SQLite's own writes, locks and syncs are untouched.

use std::fs::File;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

const EVERY: Duration = Duration::from_millis(100);

/// Flushes a WAL file until dropped.
pub(super) struct WalFlusher {
    /// Dropping it wakes the thread and stops it.
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
    flushes: Arc<AtomicU64>,
}

impl WalFlusher {
    /// Starts flushing `<database>-wal`. `database` empty (an in-memory or temporary
    /// database): nothing to flush, and `None`.
    pub(super) fn start(database: &str) -> Option<WalFlusher> {
        if database.is_empty() {
            return None;
        }
        let wal = PathBuf::from(format!("{database}-wal"));
        let (stop, stopped) = mpsc::channel();
        let flushes = Arc::new(AtomicU64::new(0));
        let thread = {
            let flushes = flushes.clone();
            std::thread::Builder::new()
                .name("wal-flush".into())
                .spawn(move || flush_until_stopped(&wal, &stopped, &flushes))
                .ok()?
        };
        Some(WalFlusher { stop: Some(stop), thread: Some(thread), flushes })
    }

    #[cfg(test)]
    fn flushes(&self) -> u64 {
        self.flushes.load(Ordering::Relaxed)
    }
}

fn flush_until_stopped(wal: &PathBuf, stopped: &mpsc::Receiver<()>, flushes: &AtomicU64) {
    let mut log: Option<File> = None;
    while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(EVERY) {
        // The log may not exist yet (nothing written so far): try again next time. A failed
        // flush loses nothing; SQLite's own sync at the checkpoint still decides durability.
        if log.is_none() {
            log = File::open(wal).ok();
        }
        if log.as_ref().is_some_and(|file| file.sync_data().is_ok()) {
            flushes.fetch_add(1, Ordering::Relaxed);
        }
    }
}

impl Drop for WalFlusher {
    fn drop(&mut self) {
        tracing::debug!("flushed the log {} times", self.flushes.load(Ordering::Relaxed));
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    #[test]
    fn flushes_the_log_while_it_runs_and_stops_when_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let database = dir.path().join("t.db");
        std::fs::write(dir.path().join("t.db-wal"), b"log").unwrap();
        let flusher = WalFlusher::start(database.to_str().unwrap()).unwrap();
        let started = Instant::now();
        while flusher.flushes() == 0 && started.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(EVERY);
        }
        assert!(flusher.flushes() >= 1, "no flush in 10 s");
        drop(flusher); // joins the thread: a hang here is a failure to stop
    }

    #[test]
    fn an_in_memory_database_has_nothing_to_flush() {
        assert!(WalFlusher::start("").is_none());
    }
}
