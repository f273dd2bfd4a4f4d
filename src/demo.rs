//! The demo data `tmbase serve --demo` loads into an empty database: the Izvestia article
//! aligned with its English translation (samples/).

use std::io::Cursor;

use crate::import::{import_tmx, ImportOptions, Progress};
use crate::store::Store;

/// The demo memory's name.
pub const DEMO_MEMORY: &str = "izvestia";

const DEMO_TMX: &str = include_str!("../samples/izvestia-2022-ru-en.tmx");

/// Imports the samples when the database holds no memory yet; does nothing otherwise.
pub fn load_demo(store: &mut Store) -> Result<(), String> {
    if !store.memory_sizes().map_err(|e| e.to_string())?.is_empty() {
        tracing::info!("the database is not empty: demo samples not loaded");
        return Ok(());
    }
    let report = import_tmx(
        store,
        Box::new(Cursor::new(DEMO_TMX.as_bytes().to_vec())),
        "samples/izvestia-2022-ru-en.tmx",
        &ImportOptions::new(DEMO_MEMORY),
        &Progress::default(),
    )
    .map_err(|e| e.to_string())?;
    eprintln!("demo: {} units imported into the memory {DEMO_MEMORY:?}", report.added);
    Ok(())
}
