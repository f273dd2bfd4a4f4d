//! Import jobs: an upload is saved to a temporary file, then imported in the background
//! while `GET /api/v1/jobs/{id}` reports its progress and, at the end, its report.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use crate::import::{ImportReport, Progress};

/// Where a job is.
#[derive(Debug, Clone)]
pub enum JobState {
    Running,
    Done(Box<ImportReport>),
    Failed(String),
}

/// One import.
#[derive(Debug)]
pub struct Job {
    pub id: u64,
    pub memory: String,
    pub file_bytes: u64,
    pub progress: Progress,
    pub state: Mutex<JobState>,
}

impl Job {
    pub fn state(&self) -> JobState {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn finish(&self, state: JobState) {
        *self.state.lock().unwrap_or_else(|e| e.into_inner()) = state;
    }
}

/// Every job since the server started.
#[derive(Debug, Default)]
pub struct Jobs {
    next: AtomicU64,
    jobs: Mutex<HashMap<u64, Arc<Job>>>,
}

impl Jobs {
    pub fn start(&self, memory: &str, file_bytes: u64) -> Arc<Job> {
        let id = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        let job = Arc::new(Job {
            id,
            memory: memory.to_string(),
            file_bytes,
            progress: Progress::default(),
            state: Mutex::new(JobState::Running),
        });
        self.jobs.lock().unwrap_or_else(|e| e.into_inner()).insert(id, job.clone());
        job
    }

    pub fn get(&self, id: u64) -> Option<Arc<Job>> {
        self.jobs.lock().unwrap_or_else(|e| e.into_inner()).get(&id).cloned()
    }

    /// (running, done, failed)
    pub fn counts(&self) -> (u64, u64, u64) {
        let jobs = self.jobs.lock().unwrap_or_else(|e| e.into_inner());
        let mut c = (0, 0, 0);
        for job in jobs.values() {
            match job.state() {
                JobState::Running => c.0 += 1,
                JobState::Done(_) => c.1 += 1,
                JobState::Failed(_) => c.2 += 1,
            }
        }
        c
    }
}
