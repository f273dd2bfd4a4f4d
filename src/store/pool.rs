//! A small pool of open connections to one database file, for the server: each blocking
//! task takes a connection and gives it back when done.

use std::ops::{Deref, DerefMut};
use std::path::PathBuf;
use std::sync::Mutex;

use super::{Result, Store};

/// Connections to one database, opened on demand and reused.
#[derive(Debug)]
pub struct StorePool {
    path: PathBuf,
    idle: Mutex<Vec<Store>>,
    max_idle: usize,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Store")
    }
}

/// A connection taken from the pool; it goes back when dropped.
pub struct PooledStore<'p> {
    pool: &'p StorePool,
    store: Option<Store>,
}

impl StorePool {
    /// Opens (creating and migrating) the database once to check it, and keeps that
    /// connection as the first idle one.
    pub fn open(path: PathBuf, max_idle: usize) -> Result<StorePool> {
        let first = Store::open(&path)?;
        Ok(StorePool { path, idle: Mutex::new(vec![first]), max_idle: max_idle.max(1) })
    }

    pub fn get(&self) -> Result<PooledStore<'_>> {
        let idle = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let store = match idle {
            Some(s) => s,
            None => Store::open(&self.path)?,
        };
        Ok(PooledStore { pool: self, store: Some(store) })
    }
}

impl Deref for PooledStore<'_> {
    type Target = Store;
    fn deref(&self) -> &Store {
        self.store.as_ref().expect("a pooled store is present until dropped")
    }
}

impl DerefMut for PooledStore<'_> {
    fn deref_mut(&mut self) -> &mut Store {
        self.store.as_mut().expect("a pooled store is present until dropped")
    }
}

impl Drop for PooledStore<'_> {
    fn drop(&mut self) {
        if let Some(store) = self.store.take() {
            let mut idle = self.pool.idle.lock().unwrap_or_else(|e| e.into_inner());
            if idle.len() < self.pool.max_idle {
                idle.push(store);
            }
        }
    }
}
