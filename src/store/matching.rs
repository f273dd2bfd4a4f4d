//! What the matching engine reads from the store: the source variants its index is built
//! from, and the full details of the few units a lookup returns.

use std::path::PathBuf;

use rusqlite::params;

use super::{Result, Store};
use crate::model::canonical_lang_matches;

/// One variant in the source language, with what the fuzzy index keeps of it.
#[derive(Debug, Clone)]
pub struct IndexRow {
    pub unit_id: i64,
    /// Position of the variant in its unit.
    pub ord: i64,
    pub lang: String,
    pub plain: String,
    pub norm: String,
    pub tags: i64,
    pub ctx_prev: Option<String>,
    pub ctx_next: Option<String>,
    /// The unit's change date, or its creation date (TMX form).
    pub changed: Option<String>,
    pub usagecount: Option<i64>,
    /// The unit's other variants, in order.
    pub others: Vec<OtherVariant>,
}

/// Another variant of an indexed segment's unit: a possible target.
#[derive(Debug, Clone)]
pub struct OtherVariant {
    pub lang: String,
    /// Normalised text (tells different translations apart).
    pub norm: String,
}

/// A unit as a match shows it.
#[derive(Debug, Clone, Default)]
pub struct MatchDetails {
    pub tuid: Option<String>,
    pub creationdate: Option<String>,
    pub creationid: Option<String>,
    pub changedate: Option<String>,
    pub changeid: Option<String>,
    pub usagecount: Option<i64>,
    pub source_lang: String,
    pub source_plain: String,
    pub source_seg: Option<String>,
    pub target_lang: String,
    pub target_plain: String,
    pub target_seg: Option<String>,
}

impl Store {
    /// Calls `each` with every variant of the memory in language `lang` (a bare language
    /// takes its regional variants), in unit order.
    pub fn for_each_index_row(
        &self,
        memory_id: i64,
        lang: &str,
        each: impl FnMut(IndexRow),
    ) -> Result<u64> {
        self.for_each_index_row_of(memory_id, lang, None, each)
    }

    /// As [`Store::for_each_index_row`], for one unit only when `unit_id` is given.
    /// One pass over the memory's variants in unit order; each unit's languages are
    /// collected in Rust rather than by a subquery per row.
    pub(super) fn for_each_index_row_of(
        &self,
        memory_id: i64,
        lang: &str,
        unit_id: Option<i64>,
        mut each: impl FnMut(IndexRow),
    ) -> Result<u64> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT v.unit_id, v.ord, v.lang, v.plain, v.norm, v.tags, u.ctx_prev, u.ctx_next,
                    COALESCE(u.changedate, u.creationdate, v.changedate, v.creationdate),
                    u.usagecount
             FROM unit u JOIN variant v ON v.unit_id = u.id
             WHERE u.memory_id = ?1 AND (?2 IS NULL OR u.id = ?2)
             ORDER BY u.id, v.ord",
        )?;
        let mut rows = stmt.query(params![memory_id, unit_id])?;
        let mut count = 0;
        // The current unit's variants: (row, wanted?)
        let mut unit: Vec<(IndexRow, bool)> = Vec::new();
        let mut flush = |unit: &mut Vec<(IndexRow, bool)>, count: &mut u64| {
            if unit.iter().any(|(_, wanted)| *wanted) {
                let variants: Vec<OtherVariant> = unit
                    .iter()
                    .map(|(r, _)| OtherVariant { lang: r.lang.clone(), norm: r.norm.clone() })
                    .collect();
                for (i, (mut row, wanted)) in unit.drain(..).enumerate() {
                    if wanted {
                        row.others = variants
                            .iter()
                            .enumerate()
                            .filter(|(j, _)| *j != i)
                            .map(|(_, v)| v.clone())
                            .collect();
                        each(row);
                        *count += 1;
                    }
                }
            }
            unit.clear();
        };
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            if unit.first().is_some_and(|(u, _)| u.unit_id != id) {
                flush(&mut unit, &mut count);
            }
            let row_lang: String = r.get(2)?;
            let wanted = crate::model::lang_matches(&row_lang, lang);
            unit.push((
                IndexRow {
                    unit_id: id,
                    ord: r.get(1)?,
                    lang: row_lang,
                    // Only the wanted variants' plain texts are needed.
                    plain: if wanted { r.get(3)? } else { String::new() },
                    norm: r.get(4)?,
                    tags: r.get(5)?,
                    ctx_prev: r.get(6)?,
                    ctx_next: r.get(7)?,
                    changed: r.get(8)?,
                    usagecount: r.get(9)?,
                    others: Vec::new(),
                },
                wanted,
            ));
        }
        flush(&mut unit, &mut count);
        Ok(count)
    }

    /// The unit's metadata, its variant at `source_ord`, and its first other variant in
    /// `target_lang` (canonical; a bare language takes its regional variants). `None` when
    /// the unit, that variant or such a target is missing.
    ///
    /// One pass over the unit's variants (they are stored together, in order) rather than a
    /// search for each of the two: a lookup fetches this for every match it returns.
    pub fn match_details(
        &self,
        unit_id: i64,
        source_ord: i64,
        target_lang: &str,
    ) -> Result<Option<MatchDetails>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT u.tuid, u.creationdate, u.creationid, u.changedate, u.changeid, u.usagecount,
                    v.ord, v.lang, v.plain, v.seg
             FROM unit u JOIN variant v ON v.unit_id = u.id
             WHERE u.id = ?1
             ORDER BY v.ord",
        )?;
        let mut rows = stmt.query(params![unit_id])?;
        let mut details: Option<MatchDetails> = None;
        let (mut found_source, mut found_target) = (false, false);
        while let Some(r) = rows.next()? {
            let d = match &mut details {
                Some(d) => d,
                None => details.insert(MatchDetails {
                    tuid: r.get(0)?,
                    creationdate: r.get(1)?,
                    creationid: r.get(2)?,
                    changedate: r.get(3)?,
                    changeid: r.get(4)?,
                    usagecount: r.get(5)?,
                    ..MatchDetails::default()
                }),
            };
            let ord: i64 = r.get(6)?;
            let lang: String = r.get(7)?;
            if ord == source_ord {
                d.source_lang = lang;
                d.source_plain = r.get(8)?;
                d.source_seg = r.get(9)?;
                found_source = true;
            } else if !found_target && canonical_lang_matches(&lang, target_lang) {
                d.target_lang = lang;
                d.target_plain = r.get(8)?;
                d.target_seg = r.get(9)?;
                found_target = true;
            }
            if found_source && found_target {
                break;
            }
        }
        Ok(details.filter(|_| found_source && found_target))
    }

    /// A value that changes whenever the memory's units change (see
    /// `schema/0004_memory_revision.sql`), and the number of its units and highest unit id:
    /// what a saved index is checked against.
    pub fn memory_revision(&self, memory_id: i64) -> Result<(i64, i64, i64)> {
        Ok(self.conn.query_row(
            "SELECT m.revision, (SELECT COUNT(*) FROM unit WHERE memory_id = m.id),
                    (SELECT COALESCE(MAX(id), 0) FROM unit WHERE memory_id = m.id)
             FROM memory m WHERE m.id = ?1",
            [memory_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?)
    }

    /// Where saved fuzzy indexes of this database live: a directory beside the database
    /// file (`None` for an in-memory database).
    fn index_dir(&self) -> Option<PathBuf> {
        let path = self.conn.path().filter(|p| !p.is_empty())?;
        Some(PathBuf::from(format!("{path}.index")))
    }

    /// The file a memory's fuzzy index for one source language is saved in.
    pub fn index_file(&self, memory_id: i64, lang: &str) -> Option<PathBuf> {
        Some(self.index_dir()?.join(format!("{memory_id}-{lang}.idx")))
    }

    /// Removes the saved indexes of a memory (after it is deleted).
    pub(super) fn remove_index_files(&self, memory_id: i64) {
        let Some(dir) = self.index_dir() else { return };
        let Ok(files) = std::fs::read_dir(&dir) else { return };
        let prefix = format!("{memory_id}-");
        for file in files.flatten() {
            if file.file_name().to_str().is_some_and(|n| n.starts_with(&prefix)) {
                if let Err(e) = std::fs::remove_file(file.path()) {
                    tracing::warn!("could not remove {}: {e}", file.path().display());
                }
            }
        }
    }

    /// Points taken off every match from this memory.
    pub fn memory_penalty(&self, memory_id: i64) -> Result<i64> {
        Ok(self
            .conn
            .query_row("SELECT penalty FROM memory WHERE id = ?1", [memory_id], |r| r.get(0))?)
    }

    /// Sets the points taken off every match from the memory called `name`.
    pub fn set_memory_penalty(&self, name: &str, points: i64) -> Result<()> {
        let id = self.require_memory(name)?;
        self.conn.execute("UPDATE memory SET penalty = ?2 WHERE id = ?1", params![id, points])?;
        Ok(())
    }
}
