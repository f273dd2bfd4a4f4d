//! The demo data `tmbase serve --demo` loads into an empty database: the Izvestia article
//! aligned with its English translation, and its security terms (samples/).

use std::io::Cursor;

use crate::import::{import_tmx, ImportOptions, Progress};
use crate::store::Store;
use crate::terms::{import_term_file, TermImportOptions};

/// The demo memory's name.
pub const DEMO_MEMORY: &str = "izvestia";

/// The demo term base's name.
pub const DEMO_TERMBASE: &str = "security";

const DEMO_TMX: &str = include_str!("../samples/izvestia-2022-ru-en.tmx");
const DEMO_TBX: &str = include_str!("../samples/security-terms.tbx");

/// Imports the samples when the database holds no memory and no term base yet; does
/// nothing otherwise.
pub fn load_demo(store: &mut Store) -> Result<(), String> {
    let has_memories = !store.memory_sizes().map_err(|e| e.to_string())?.is_empty();
    let has_termbases = !store.termbases().map_err(|e| e.to_string())?.is_empty();
    if has_memories || has_termbases {
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
    load_demo_terms(store)
}

/// Imports samples/security-terms.tbx into the term base `security`. The term-base importer
/// reads files (it tells formats by name), so the embedded file goes through a temporary one.
fn load_demo_terms(store: &mut Store) -> Result<(), String> {
    let path =
        std::env::temp_dir().join(format!("tmbase-demo-{}-security-terms.tbx", std::process::id()));
    std::fs::write(&path, DEMO_TBX).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    let imported = import_term_file(store, &path, &TermImportOptions::new(DEMO_TERMBASE));
    let _ = std::fs::remove_file(&path);
    let report = imported.map_err(|e| e.to_string())?;
    eprintln!("demo: {} concepts imported into the term base {DEMO_TERMBASE:?}", report.added);
    Ok(())
}
