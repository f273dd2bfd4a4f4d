//! Named memories: create, find, list with their sizes and language pairs, delete.

use rusqlite::{params, OptionalExtension, TransactionBehavior};

use super::{Result, Store, StoreError};
use crate::model::{Annotation, Header, Metadata};

/// One line of `tmbase memories`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemorySummary {
    pub name: String,
    pub units: u64,
    pub created_at: String,
    pub pairs: Vec<LanguagePair>,
    /// Every language in the memory with its number of variants.
    pub languages: Vec<(String, u64)>,
}

/// A source → target direction and how many units hold it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LanguagePair {
    pub source: String,
    pub target: String,
    pub units: u64,
}

pub(crate) fn check_memory_name(name: &str) -> Result<()> {
    if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
        return Err(StoreError::BadMemoryName(name.to_string()));
    }
    Ok(())
}

impl Store {
    /// The id of the memory called `name`, if there is one.
    pub fn memory_id(&self, name: &str) -> Result<Option<i64>> {
        // Cached: every lookup over HTTP asks for its memories by name.
        let mut stmt = self.conn.prepare_cached("SELECT id FROM memory WHERE name = ?1")?;
        Ok(stmt.query_row([name], |r| r.get(0)).optional()?)
    }

    /// The id of the memory called `name`, or an error naming it.
    pub fn require_memory(&self, name: &str) -> Result<i64> {
        self.memory_id(name)?.ok_or_else(|| StoreError::NoSuchMemory(name.to_string()))
    }

    /// Creates the memory unless it exists; returns its id.
    pub fn ensure_memory(&self, name: &str) -> Result<i64> {
        check_memory_name(name)?;
        if let Some(id) = self.memory_id(name)? {
            return Ok(id);
        }
        self.conn.execute(
            "INSERT INTO memory (name, created_at) VALUES (?1, strftime('%Y%m%dT%H%M%SZ', 'now'))",
            [name],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Deletes a memory and everything in it. Returns how many units went with it.
    pub fn delete_memory(&mut self, name: &str) -> Result<u64> {
        let id = self.require_memory(name)?;
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let units: u64 =
            tx.query_row("SELECT COUNT(*) FROM unit WHERE memory_id = ?1", [id], |r| r.get(0))?;
        tx.execute("DELETE FROM memory WHERE id = ?1", [id])?;
        tx.commit()?;
        self.remove_index_files(id);
        Ok(units)
    }

    pub fn memories(&self) -> Result<Vec<MemorySummary>> {
        let mut stmt = self.conn.prepare(
            "SELECT m.id, m.name, m.created_at, (SELECT COUNT(*) FROM unit u WHERE u.memory_id = m.id)
             FROM memory m ORDER BY m.name",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get(2)?, r.get(3)?))
            })?
            .collect::<rusqlite::Result<Vec<(i64, String, String, u64)>>>()?;
        let mut out = Vec::with_capacity(rows.len());
        for (id, name, created_at, units) in rows {
            out.push(MemorySummary {
                name,
                units,
                created_at,
                pairs: self.language_pairs(id)?,
                languages: self.languages(id)?,
            });
        }
        Ok(out)
    }

    fn languages(&self, memory_id: i64) -> Result<Vec<(String, u64)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT v.lang, COUNT(*) FROM variant v JOIN unit u ON u.id = v.unit_id
             WHERE u.memory_id = ?1 GROUP BY v.lang ORDER BY v.lang",
        )?;
        let rows = stmt.query_map([memory_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Source → target pairs, the source being the unit's `srclang` or the memory's.
    fn language_pairs(&self, memory_id: i64) -> Result<Vec<LanguagePair>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT s.lang, v.lang, COUNT(DISTINCT u.id)
             FROM unit u
             JOIN memory m ON m.id = u.memory_id
             JOIN variant s ON s.unit_id = u.id
                 AND (s.lang = COALESCE(u.srclang, m.srclang)
                      OR s.lang LIKE COALESCE(u.srclang, m.srclang) || '-%')
             JOIN variant v ON v.unit_id = u.id AND v.lang <> s.lang
             WHERE u.memory_id = ?1
             GROUP BY s.lang, v.lang ORDER BY s.lang, v.lang",
        )?;
        let rows = stmt.query_map([memory_id], |r| {
            Ok(LanguagePair { source: r.get(0)?, target: r.get(1)?, units: r.get(2)? })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The header a memory was filled from, for export.
    pub fn memory_header(&self, memory_id: i64) -> Result<Header> {
        let mut header = self.conn.query_row(
            "SELECT srclang, adminlang, creationtool, creationtoolversion, creationdate, creationid,
                    changedate, changeid, o_tmf, datatype, segtype, o_encoding
             FROM memory WHERE id = ?1",
            [memory_id],
            |r| {
                Ok(Header {
                    srclang: r.get(0)?,
                    adminlang: r.get(1)?,
                    meta: Metadata {
                        creationtool: r.get(2)?,
                        creationtoolversion: r.get(3)?,
                        creationdate: r.get(4)?,
                        creationid: r.get(5)?,
                        changedate: r.get(6)?,
                        changeid: r.get(7)?,
                        o_tmf: r.get(8)?,
                        datatype: r.get(9)?,
                        segtype: r.get(10)?,
                        o_encoding: r.get(11)?,
                        ..Metadata::default()
                    },
                    annotations: Vec::new(),
                })
            },
        )?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT kind, prop_type, lang, o_encoding, value FROM memory_annotation
             WHERE memory_id = ?1 ORDER BY ord",
        )?;
        header.annotations = stmt
            .query_map([memory_id], super::units::annotation_from_row)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(header)
    }
}

/// Records a file's header on its memory: attributes the memory does not have yet, and
/// header annotations it does not already hold.
pub(crate) fn merge_header(
    tx: &rusqlite::Transaction<'_>,
    memory_id: i64,
    header: &Header,
) -> Result<()> {
    let m = &header.meta;
    tx.execute(
        "UPDATE memory SET
            srclang = COALESCE(srclang, ?2), adminlang = COALESCE(adminlang, ?3),
            creationtool = COALESCE(creationtool, ?4), creationtoolversion = COALESCE(creationtoolversion, ?5),
            creationdate = COALESCE(creationdate, ?6), creationid = COALESCE(creationid, ?7),
            changedate = COALESCE(changedate, ?8), changeid = COALESCE(changeid, ?9),
            o_tmf = COALESCE(o_tmf, ?10), datatype = COALESCE(datatype, ?11),
            segtype = COALESCE(segtype, ?12), o_encoding = COALESCE(o_encoding, ?13)
         WHERE id = ?1",
        params![
            memory_id,
            header.srclang,
            header.adminlang,
            m.creationtool,
            m.creationtoolversion,
            m.creationdate,
            m.creationid,
            m.changedate,
            m.changeid,
            m.o_tmf,
            m.datatype,
            m.segtype,
            m.o_encoding
        ],
    )?;
    let existing: Vec<Annotation> = {
        let mut stmt = tx.prepare_cached(
            "SELECT kind, prop_type, lang, o_encoding, value FROM memory_annotation
             WHERE memory_id = ?1 ORDER BY ord",
        )?;
        let rows = stmt.query_map([memory_id], super::units::annotation_from_row)?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let mut next_ord = existing.len() as i64;
    for a in &header.annotations {
        if existing.contains(a) {
            continue;
        }
        tx.execute(
            "INSERT INTO memory_annotation (memory_id, ord, kind, prop_type, lang, o_encoding, value)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![memory_id, next_ord, a.kind.as_str(), a.prop_type, a.lang, a.o_encoding, a.value],
        )?;
        next_ord += 1;
    }
    Ok(())
}
