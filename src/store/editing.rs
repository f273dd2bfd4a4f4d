//! Units one at a time, as the HTTP API edits them: get, list with cursor paging and
//! filters, create, update, delete, concordance search, and renaming memories.

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use super::matching::IndexRow;
use super::{DuplicatePolicy, PreparedUnit, Result, Store, StoreError};
use crate::model::{Header, Unit};

/// Which units a listing returns.
#[derive(Debug, Clone, Default)]
pub struct UnitQuery {
    /// Only units with an id greater than this (the cursor).
    pub after: Option<i64>,
    pub limit: usize,
    /// Only units with a variant in this language (a bare language takes its regions).
    pub lang: Option<String>,
    /// Only units changed (or created) at or after this TMX date.
    pub changed_since: Option<String>,
    /// Only units whose last change (or creation) is by this author.
    pub author: Option<String>,
}

/// How one edit moved a memory from one stored state to the next: the revision it found and
/// the one it left, the units it added (-1, 0 or 1) and the memory's highest unit id after
/// it. An index kept current edit by edit follows these links to know which stored state it
/// describes (`matching::MemoryIndex::apply_edit`); a link that does not start where the index
/// stands means a change it has not seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryChange {
    pub memory_id: i64,
    pub revision_before: i64,
    pub revision_after: i64,
    pub units_added: i64,
    pub max_unit_id: i64,
}

/// A unit with its id.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredUnit {
    pub id: i64,
    pub unit: Unit,
}

/// One concordance hit: a variant holding the searched text.
#[derive(Debug, Clone)]
pub struct ConcordanceHit {
    pub unit_id: i64,
    pub ord: i64,
    pub lang: String,
    pub plain: String,
}

impl Store {
    /// One unit of a memory.
    pub fn unit(&self, memory_id: i64, unit_id: i64) -> Result<Option<StoredUnit>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, tuid, srclang, creationtool, creationtoolversion, creationdate, creationid,
                    changedate, changeid, lastusagedate, usagecount, o_tmf, datatype, segtype, o_encoding
             FROM unit WHERE id = ?1 AND memory_id = ?2",
        )?;
        let mut rows = stmt.query(params![unit_id, memory_id])?;
        let Some(row) = rows.next()? else { return Ok(None) };
        let (id, mut unit) = self.unit_from_row(row)?;
        unit.annotations = self.unit_annotations(id)?;
        Ok(Some(StoredUnit { id, unit }))
    }

    /// Units of a memory in id order, after the cursor, filtered.
    pub fn list_units(&self, memory_id: i64, query: &UnitQuery) -> Result<Vec<StoredUnit>> {
        let lang = query.lang.as_deref().map(crate::model::normalize_lang_tag);
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, tuid, srclang, creationtool, creationtoolversion, creationdate, creationid,
                    changedate, changeid, lastusagedate, usagecount, o_tmf, datatype, segtype, o_encoding
             FROM unit u
             WHERE memory_id = ?1 AND id > ?2
               AND (?3 IS NULL OR EXISTS (SELECT 1 FROM variant v WHERE v.unit_id = u.id
                                           AND (v.lang = ?3 OR (v.lang > ?3 || '-' AND v.lang < ?3 || '.'))))
               AND (?4 IS NULL OR COALESCE(changedate, creationdate) >= ?4)
               AND (?5 IS NULL OR COALESCE(changeid, creationid) = ?5)
             ORDER BY id LIMIT ?6",
        )?;
        let mut rows = stmt.query(params![
            memory_id,
            query.after.unwrap_or(0),
            lang,
            query.changed_since,
            query.author,
            query.limit as i64
        ])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            let (id, mut unit) = self.unit_from_row(row)?;
            unit.annotations = self.unit_annotations(id)?;
            out.push(StoredUnit { id, unit });
        }
        Ok(out)
    }

    /// Adds one unit (duplicates included); returns its id and the change.
    pub fn create_unit(&mut self, memory: &str, unit: Unit) -> Result<(i64, MemoryChange)> {
        let prepared = PreparedUnit::new(unit);
        let mut session = self.begin_import(memory, &Header::default(), DuplicatePolicy::Keep)?;
        let revision_before = session.revision()?;
        let (id, units_added) = match session.add_unit(&prepared)? {
            super::AddOutcome::Added(id) => (id, 1),
            super::AddOutcome::Updated(id) | super::AddOutcome::Duplicate(id) => (id, 0),
        };
        let change = session.change_since(revision_before, units_added)?;
        session.commit()?;
        Ok((id, change))
    }

    /// Replaces a unit's content; `None` when the memory has no such unit.
    pub fn update_unit(
        &mut self,
        memory: &str,
        unit_id: i64,
        unit: Unit,
    ) -> Result<Option<MemoryChange>> {
        let prepared = PreparedUnit::new(unit);
        let mut session = self.begin_import(memory, &Header::default(), DuplicatePolicy::Keep)?;
        let revision_before = session.revision()?;
        if !session.replace_unit_by_id(unit_id, &prepared)? {
            return Ok(None); // dropping the session rolls back
        }
        let change = session.change_since(revision_before, 0)?;
        session.commit()?;
        Ok(Some(change))
    }

    /// Deletes a unit; `None` when the memory has no such unit.
    pub fn delete_unit(&mut self, memory_id: i64, unit_id: i64) -> Result<Option<MemoryChange>> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let revision_before = revision(&tx, memory_id)?;
        let n = tx.execute(
            "DELETE FROM unit WHERE id = ?1 AND memory_id = ?2",
            params![unit_id, memory_id],
        )?;
        if n == 0 {
            return Ok(None);
        }
        let change = change_since(&tx, memory_id, revision_before, -1)?;
        tx.commit()?;
        Ok(Some(change))
    }

    /// Renames a memory; its units stay.
    pub fn rename_memory(&mut self, old: &str, new: &str) -> Result<()> {
        super::memories::check_memory_name(new)?;
        let id = self.require_memory(old)?;
        if self.memory_id(new)?.is_some() {
            return Err(StoreError::MemoryExists(new.to_string()));
        }
        self.conn.execute("UPDATE memory SET name = ?2 WHERE id = ?1", params![id, new])?;
        Ok(())
    }

    /// Creates an empty memory; an error if it exists.
    pub fn create_memory(&self, name: &str) -> Result<i64> {
        super::memories::check_memory_name(name)?;
        if self.memory_id(name)?.is_some() {
            return Err(StoreError::MemoryExists(name.to_string()));
        }
        self.ensure_memory(name)
    }

    /// Variants whose normalised text contains `needle_norm` (already normalised), in unit
    /// order after the cursor. `lang` restricts the language (a bare language takes regions).
    pub fn concordance(
        &self,
        memory_id: i64,
        needle_norm: &str,
        lang: Option<&str>,
        after: Option<i64>,
        limit: usize,
    ) -> Result<Vec<ConcordanceHit>> {
        let lang = lang.map(crate::model::normalize_lang_tag);
        let mut stmt = self.conn.prepare_cached(
            "SELECT v.unit_id, v.ord, v.lang, v.plain
             FROM unit u JOIN variant v ON v.unit_id = u.id
             WHERE u.memory_id = ?1 AND u.id > ?2
               AND instr(v.norm, ?3) > 0
               AND (?4 IS NULL OR v.lang = ?4 OR (v.lang > ?4 || '-' AND v.lang < ?4 || '.'))
             ORDER BY u.id, v.ord LIMIT ?5",
        )?;
        let rows = stmt.query_map(
            params![memory_id, after.unwrap_or(0), needle_norm, lang, limit as i64],
            |r| {
                Ok(ConcordanceHit {
                    unit_id: r.get(0)?,
                    ord: r.get(1)?,
                    lang: r.get(2)?,
                    plain: r.get(3)?,
                })
            },
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// What the fuzzy index needs of one unit's variants in `lang`.
    pub fn index_rows_for_unit(&self, unit_id: i64, lang: &str) -> Result<Vec<IndexRow>> {
        let memory_id: Option<i64> = self
            .conn
            .query_row("SELECT memory_id FROM unit WHERE id = ?1", [unit_id], |r| r.get(0))
            .optional()?;
        let Some(memory_id) = memory_id else { return Ok(Vec::new()) };
        let mut rows = Vec::new();
        self.for_each_index_row_of(memory_id, lang, Some(unit_id), |row| rows.push(row))?;
        Ok(rows)
    }
}

impl Store {
    /// Every memory's name and unit count (cheap: no language statistics).
    pub fn memory_sizes(&self) -> Result<Vec<(String, u64)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT m.name, (SELECT COUNT(*) FROM unit u WHERE u.memory_id = m.id) FROM memory m ORDER BY m.name",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every memory's name (cheap: no counting), for requests that search all memories.
    pub fn memory_names(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare_cached("SELECT name FROM memory ORDER BY name")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// A memory's latest change or creation date, and its penalty.
    pub fn memory_extra(&self, memory_id: i64) -> Result<(Option<String>, i64)> {
        Ok(self.conn.query_row(
            "SELECT (SELECT MAX(COALESCE(changedate, creationdate)) FROM unit WHERE memory_id = ?1),
                    penalty FROM memory WHERE id = ?1",
            [memory_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?)
    }

    /// Every language that has variants, in any memory.
    pub fn all_languages(&self) -> Result<Vec<String>> {
        let mut stmt =
            self.conn.prepare_cached("SELECT DISTINCT lang FROM variant ORDER BY lang")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The memory a unit belongs to.
    pub fn unit_memory(&self, unit_id: i64) -> Result<Option<(i64, String)>> {
        Ok(self
            .conn
            .query_row(
                "SELECT m.id, m.name FROM unit u JOIN memory m ON m.id = u.memory_id WHERE u.id = ?1",
                [unit_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }
}

/// A memory's revision, as `conn` (in a transaction or not) sees it.
pub(super) fn revision(conn: &Connection, memory_id: i64) -> Result<i64> {
    Ok(conn.query_row("SELECT revision FROM memory WHERE id = ?1", [memory_id], |r| r.get(0))?)
}

/// The change from `revision_before` to the state `conn` sees now, inside the edit's
/// transaction.
pub(super) fn change_since(
    conn: &Connection,
    memory_id: i64,
    revision_before: i64,
    units_added: i64,
) -> Result<MemoryChange> {
    let (revision_after, max_unit_id) = conn.query_row(
        "SELECT m.revision, (SELECT COALESCE(MAX(id), 0) FROM unit WHERE memory_id = m.id)
         FROM memory m WHERE m.id = ?1",
        [memory_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok(MemoryChange { memory_id, revision_before, revision_after, units_added, max_unit_id })
}
