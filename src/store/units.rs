//! Units and their variants: the import session that adds them (with duplicate detection)
//! and the streaming walk over a memory that exports them.

use std::collections::HashSet;

use rusqlite::{
    params, Connection, OptionalExtension, Row, Statement, Transaction, TransactionBehavior,
};

use super::memories::merge_header;
use super::wal_flush::WalFlusher;
use super::{Result, Store, StoreError};
use crate::model::{
    lang_matches, normalize_lang_tag, Annotation, AnnotationKind, Header, Metadata, Segment, Unit,
    Variant,
};
use crate::text::normalize_for_matching;
use crate::tmx::{segment_from_xml, segment_to_xml};

/// What to do with a unit that is already in the memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DuplicatePolicy {
    /// A unit whose variants (language and segment, markup included) all exist already as one
    /// unit is not added again.
    #[default]
    Skip,
    /// As `Skip`, but a unit whose tuid exists replaces that unit, and an identical unit
    /// refreshes the stored one's attributes and annotations.
    Overwrite,
    /// Every unit is added, duplicates included.
    Keep,
}

/// What happened to one unit given to [`ImportSession::add_unit`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddOutcome {
    Added(i64),
    Updated(i64),
    Duplicate(i64),
}

/// Adds units to one memory inside one transaction: nothing is visible to others until
/// [`ImportSession::commit`], and dropping the session rolls everything back.
pub struct ImportSession<'a> {
    /// The two inserts every unit runs, compiled once for the session: a cached statement
    /// is looked up, and its SQL text read back and checked, on every use.
    insert_unit: Statement<'a>,
    insert_variant: Statement<'a>,
    /// Started once the session is a long one (see [`LONG_SESSION_UNITS`]), stopped before
    /// the commit.
    wal_flusher: Option<WalFlusher>,
    units_written: u64,
    tx: Transaction<'a>,
    /// Declared after `tx`, so dropped after it: the checks come back on once the
    /// transaction has ended (the pragma does nothing inside one).
    _foreign_keys_off: ForeignKeysOff<'a>,
    memory_id: i64,
    policy: DuplicatePolicy,
    /// Content hashes of the memory's units, so that most units need no duplicate query.
    known_hashes: HashSet<i64>,
    /// Whether this transaction has changed the memory's revision yet (done once, on the
    /// first insert: see `schema/0005_revision_per_import.sql`).
    revision_changed: bool,
}

/// After this many units a session flushes the log to disk as it goes ([`WalFlusher`]);
/// a short one (an edit, a small file) does not start a thread for it.
const LONG_SESSION_UNITS: u64 = 1000;

/// Foreign-key checks are off while an import session runs and back on when it ends.
///
/// A session writes child rows only under the unit it has just inserted or replaced, in the
/// memory it found or created, and deletes a replaced unit's children itself rather than by
/// cascade, so no check could fail; yet each variant and annotation row cost a lookup of its
/// parent, a tenth of the writer's time. The setting belongs to the connection alone.
struct ForeignKeysOff<'c>(&'c Connection);

impl<'c> ForeignKeysOff<'c> {
    fn new(conn: &'c Connection) -> Result<ForeignKeysOff<'c>> {
        conn.pragma_update(None, "foreign_keys", "OFF")?;
        Ok(ForeignKeysOff(conn))
    }
}

impl Drop for ForeignKeysOff<'_> {
    fn drop(&mut self) {
        if let Err(e) = self.0.pragma_update(None, "foreign_keys", "ON") {
            tracing::error!("could not turn foreign-key checks back on after an import: {e}");
        }
    }
}

/// A unit with everything the store derives from it (segment XML, plain and normalised
/// text, content hash) computed. Pure CPU work: an importer prepares units on one thread
/// while the store writes on another.
pub struct PreparedUnit {
    unit: Unit,
    derived: Vec<DerivedTexts>,
    hash: i64,
    /// Normalised previous and next source segments, from the unit's context props.
    ctx_prev: Option<String>,
    ctx_next: Option<String>,
}

struct DerivedTexts {
    seg: Option<String>,
    plain: String,
    norm: String,
    tags: i64,
}

/// Which side of the context a `<prop type>` gives, if any. Trados' `x-Context` holds hashes
/// of the neighbouring segments, not their text, so it cannot be compared and is not used.
fn context_side(prop_type: &str) -> Option<bool> {
    let t = prop_type.to_ascii_lowercase();
    let is_prev = matches!(t.as_str(), "x-context-pre" | "x-context-prev" | "x-prev" | "prev")
        || t.starts_with("prev-");
    let is_next = matches!(t.as_str(), "x-context-post" | "x-context-next" | "x-next" | "next")
        || t.starts_with("next-");
    match (is_prev, is_next) {
        (true, _) => Some(true),
        (_, true) => Some(false),
        _ => None,
    }
}

impl PreparedUnit {
    pub fn new(unit: Unit) -> PreparedUnit {
        let derived: Vec<DerivedTexts> = unit
            .variants
            .iter()
            .map(|v| {
                let plain = v.segment.plain_text();
                DerivedTexts {
                    seg: v.segment.has_markup().then(|| segment_to_xml(&v.segment)),
                    norm: normalize_for_matching(&plain),
                    plain,
                    tags: v.segment.tag_count() as i64,
                }
            })
            .collect();
        let (mut ctx_prev, mut ctx_next) = (None, None);
        for a in &unit.annotations {
            match a.prop_type.as_deref().and_then(context_side) {
                Some(true) if ctx_prev.is_none() => {
                    ctx_prev = Some(normalize_for_matching(&a.value))
                }
                Some(false) if ctx_next.is_none() => {
                    ctx_next = Some(normalize_for_matching(&a.value))
                }
                _ => {}
            }
        }
        let mut prepared = PreparedUnit { unit, derived, hash: 0, ctx_prev, ctx_next };
        prepared.hash = content_hash(&prepared.variants());
        prepared
    }

    pub fn unit(&self) -> &Unit {
        &self.unit
    }

    fn variants(&self) -> Vec<PreparedVariant<'_>> {
        self.unit
            .variants
            .iter()
            .zip(&self.derived)
            .map(|(variant, d)| PreparedVariant {
                variant,
                seg: d.seg.as_deref(),
                plain: &d.plain,
                norm: &d.norm,
                tags: d.tags,
            })
            .collect()
    }
}

/// A view of one prepared variant.
struct PreparedVariant<'u> {
    variant: &'u Variant,
    seg: Option<&'u str>,
    plain: &'u str,
    norm: &'u str,
    tags: i64,
}

impl PreparedVariant<'_> {
    /// What identifies the variant's content: language, markup and text.
    fn content_key(&self) -> (&str, Option<&str>, &str) {
        (self.variant.lang.as_str(), self.seg, self.plain)
    }
}

impl Store {
    /// Starts adding units to the memory called `memory` (created when missing), recording
    /// the file's header on it.
    pub fn begin_import(
        &mut self,
        memory: &str,
        header: &Header,
        policy: DuplicatePolicy,
    ) -> Result<ImportSession<'_>> {
        super::memories::check_memory_name(memory)?;
        let conn = &self.conn;
        let foreign_keys_off = ForeignKeysOff::new(conn)?;
        // IMMEDIATE: take the write lock now, so that a concurrent writer waits (busy
        // timeout) instead of failing when this transaction upgrades from read to write.
        let tx = Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
        let memory_id =
            match tx.query_row("SELECT id FROM memory WHERE name = ?1", [memory], |r| r.get(0)) {
                Ok(id) => id,
                Err(rusqlite::Error::QueryReturnedNoRows) => {
                    tx.execute(
                        "INSERT INTO memory (name, created_at)
                     VALUES (?1, strftime('%Y%m%dT%H%M%SZ', 'now'))",
                        [memory],
                    )?;
                    tx.last_insert_rowid()
                }
                Err(e) => return Err(e.into()),
            };
        merge_header(&tx, memory_id, header)?;
        let known_hashes = if policy == DuplicatePolicy::Keep {
            HashSet::new()
        } else {
            let mut stmt = tx.prepare("SELECT content_hash FROM unit WHERE memory_id = ?1")?;
            let hashes = stmt.query_map([memory_id], |r| r.get(0))?;
            hashes.collect::<rusqlite::Result<HashSet<i64>>>()?
        };
        Ok(ImportSession {
            insert_unit: conn.prepare(
                "INSERT INTO unit (memory_id, tuid, srclang, creationtool,
            creationtoolversion, creationdate, creationid, changedate, changeid, lastusagedate,
            usagecount, o_tmf, datatype, segtype, o_encoding, content_hash, ctx_prev, ctx_next)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
            )?,
            insert_variant: conn.prepare(
                "INSERT INTO variant (unit_id, ord, lang, seg, plain, norm, tags,
            creationtool, creationtoolversion, creationdate, creationid, changedate, changeid,
            lastusagedate, usagecount, o_tmf, datatype, o_encoding)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
            )?,
            wal_flusher: None,
            units_written: 0,
            tx,
            _foreign_keys_off: foreign_keys_off,
            memory_id,
            policy,
            known_hashes,
            revision_changed: false,
        })
    }

    /// Calls `each` with every unit of a memory in the order they were added. With a
    /// filter, only units holding all the filter's languages are given, with only those variants.
    /// The first error, the store's or `each`'s, stops the walk.
    pub fn for_each_unit<E: From<StoreError>>(
        &self,
        memory_id: i64,
        filter: &UnitFilter,
        mut each: impl FnMut(Unit) -> std::result::Result<(), E>,
    ) -> std::result::Result<u64, E> {
        let mut units = self.conn.prepare(
            "SELECT id, tuid, srclang, creationtool, creationtoolversion, creationdate, creationid,
                    changedate, changeid, lastusagedate, usagecount, o_tmf, datatype, segtype, o_encoding
             FROM unit WHERE memory_id = ?1 ORDER BY id",
            )
            .map_err(StoreError::from)?;
        let mut rows = units.query([memory_id]).map_err(StoreError::from)?;
        let mut written = 0;
        while let Some(row) = rows.next().map_err(StoreError::from)? {
            let (unit_id, mut unit) = self.unit_from_row(row)?;
            if !filter.langs.is_empty() {
                unit.variants
                    .retain(|v| filter.langs.iter().any(|wanted| lang_matches(&v.lang, wanted)));
                let complete = filter
                    .langs
                    .iter()
                    .all(|wanted| unit.variants.iter().any(|v| lang_matches(&v.lang, wanted)));
                if !complete {
                    continue;
                }
            }
            unit.annotations = self.load_annotations(AnnotationOwner::Unit(unit_id))?;
            each(unit)?;
            written += 1;
        }
        Ok(written)
    }

    /// A unit from a row of `id, tuid, srclang, creationtool, creationtoolversion,
    /// creationdate, creationid, changedate, changeid, lastusagedate, usagecount, o_tmf,
    /// datatype, segtype, o_encoding`, with its variants (unit annotations are loaded apart).
    pub(super) fn unit_from_row(&self, row: &Row<'_>) -> Result<(i64, Unit)> {
        let unit_id: i64 = row.get(0)?;
        let unit = Unit {
            tuid: row.get(1)?,
            srclang: row.get(2)?,
            meta: Metadata {
                creationtool: row.get(3)?,
                creationtoolversion: row.get(4)?,
                creationdate: row.get(5)?,
                creationid: row.get(6)?,
                changedate: row.get(7)?,
                changeid: row.get(8)?,
                lastusagedate: row.get(9)?,
                usagecount: row.get(10)?,
                o_tmf: row.get(11)?,
                datatype: row.get(12)?,
                segtype: row.get(13)?,
                o_encoding: row.get(14)?,
            },
            annotations: Vec::new(),
            variants: self.load_variants(unit_id)?,
        };
        Ok((unit_id, unit))
    }

    pub(super) fn unit_annotations(&self, unit_id: i64) -> Result<Vec<Annotation>> {
        self.load_annotations(AnnotationOwner::Unit(unit_id))
    }

    fn load_variants(&self, unit_id: i64) -> Result<Vec<Variant>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT ord, lang, seg, creationtool, creationtoolversion, creationdate, creationid,
                    changedate, changeid, lastusagedate, usagecount, o_tmf, datatype, o_encoding, plain
             FROM variant WHERE unit_id = ?1 ORDER BY ord",
        )?;
        let rows = stmt.query_map([unit_id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                (r.get::<_, Option<String>>(2)?, r.get::<_, String>(14)?),
                Metadata {
                    creationtool: r.get(3)?,
                    creationtoolversion: r.get(4)?,
                    creationdate: r.get(5)?,
                    creationid: r.get(6)?,
                    changedate: r.get(7)?,
                    changeid: r.get(8)?,
                    lastusagedate: r.get(9)?,
                    usagecount: r.get(10)?,
                    o_tmf: r.get(11)?,
                    datatype: r.get(12)?,
                    segtype: None,
                    o_encoding: r.get(13)?,
                },
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (ord, lang, (seg, plain), meta) = row?;
            let segment = match seg {
                None => Segment::from_text(plain),
                Some(xml) => segment_from_xml(&xml).map_err(|e| {
                    StoreError::Corrupt(format!("unit {unit_id}, variant {ord}: {e}"))
                })?,
            };
            let annotations = self.load_annotations(AnnotationOwner::Variant(unit_id, ord))?;
            out.push(Variant { lang, meta, annotations, segment });
        }
        Ok(out)
    }

    fn load_annotations(&self, owner: AnnotationOwner) -> Result<Vec<Annotation>> {
        let mut stmt = self.conn.prepare_cached(owner.select_sql())?;
        let rows = match owner {
            AnnotationOwner::Unit(id) => stmt.query_map([id], annotation_from_row)?,
            AnnotationOwner::Variant(id, ord) => stmt.query_map([id, ord], annotation_from_row)?,
        };
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// Which units an export takes.
#[derive(Debug, Clone, Default)]
pub struct UnitFilter {
    /// Languages every exported unit must hold; other variants are left out. Empty: all.
    pub langs: Vec<String>,
}

pub(crate) fn annotation_from_row(r: &Row<'_>) -> rusqlite::Result<Annotation> {
    let kind: String = r.get(0)?;
    Ok(Annotation {
        kind: AnnotationKind::parse(&kind).unwrap_or(AnnotationKind::Note),
        prop_type: r.get(1)?,
        lang: r.get(2)?,
        o_encoding: r.get(3)?,
        value: r.get(4)?,
    })
}

/// FNV-1a over the variants' languages, markup and text, order-insensitive. Used to find
/// candidate duplicates quickly; candidates are then compared in full.
fn content_hash(variants: &[PreparedVariant<'_>]) -> i64 {
    let mut parts: Vec<_> = variants.iter().map(PreparedVariant::content_key).collect();
    parts.sort_unstable();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8], end: u8| {
        for &b in bytes.iter().chain([end].iter()) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    };
    for (lang, seg, plain) in parts {
        eat(lang.as_bytes(), 0);
        eat(seg.map(str::as_bytes).unwrap_or(b"\x01"), 0);
        eat(plain.as_bytes(), 0xff);
    }
    h as i64
}

impl ImportSession<'_> {
    pub fn memory_id(&self) -> i64 {
        self.memory_id
    }

    /// Adds one unit under the session's duplicate policy.
    pub fn add_unit(&mut self, prepared: &PreparedUnit) -> Result<AddOutcome> {
        self.units_written += 1;
        if self.units_written == LONG_SESSION_UNITS {
            self.wal_flusher = self.tx.path().and_then(WalFlusher::start);
        }
        let hash = prepared.hash;
        if self.policy == DuplicatePolicy::Overwrite {
            if let Some(tuid) = &prepared.unit.tuid {
                if let Some(id) = self.unit_by_tuid(tuid)? {
                    self.replace_unit(id, prepared)?;
                    self.known_hashes.insert(hash);
                    return Ok(AddOutcome::Updated(id));
                }
            }
        }
        if self.policy != DuplicatePolicy::Keep && self.known_hashes.contains(&hash) {
            if let Some(id) = self.identical_unit(prepared)? {
                if self.policy == DuplicatePolicy::Overwrite {
                    self.replace_unit(id, prepared)?;
                    return Ok(AddOutcome::Updated(id));
                }
                return Ok(AddOutcome::Duplicate(id));
            }
        }
        let id = self.insert_unit(prepared)?;
        if self.policy != DuplicatePolicy::Keep {
            self.known_hashes.insert(hash);
        }
        Ok(AddOutcome::Added(id))
    }

    pub fn commit(self) -> Result<()> {
        // The log written so far is on disk or on its way: the commit's checkpoint syncs it
        // without a flush of ours competing.
        drop(self.wal_flusher);
        Ok(self.tx.commit()?)
    }

    pub fn rollback(self) -> Result<()> {
        Ok(self.tx.rollback()?)
    }

    fn unit_by_tuid(&self, tuid: &str) -> Result<Option<i64>> {
        let mut stmt = self.tx.prepare_cached(
            "SELECT id FROM unit WHERE memory_id = ?1 AND tuid = ?2 ORDER BY id LIMIT 1",
        )?;
        let mut rows = stmt.query(params![self.memory_id, tuid])?;
        Ok(match rows.next()? {
            Some(r) => Some(r.get(0)?),
            None => None,
        })
    }

    fn identical_unit(&self, unit: &PreparedUnit) -> Result<Option<i64>> {
        let hash = unit.hash;
        let mut candidates = self
            .tx
            .prepare_cached("SELECT id FROM unit WHERE memory_id = ?1 AND content_hash = ?2")?;
        let ids = candidates
            .query_map(params![self.memory_id, hash], |r| r.get::<_, i64>(0))?
            .collect::<rusqlite::Result<Vec<i64>>>()?;
        if ids.is_empty() {
            return Ok(None);
        }
        let variants = unit.variants();
        let mut wanted: Vec<_> = variants.iter().map(PreparedVariant::content_key).collect();
        wanted.sort_unstable();
        let mut stmt =
            self.tx.prepare_cached("SELECT lang, seg, plain FROM variant WHERE unit_id = ?1")?;
        for id in ids {
            let mut stored = stmt
                .query_map([id], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, Option<String>>(1)?,
                        r.get::<_, String>(2)?,
                    ))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            stored.sort_unstable();
            let same = stored.len() == wanted.len()
                && stored
                    .iter()
                    .zip(&wanted)
                    .all(|((l, s, p), (wl, ws, wp))| l == wl && s.as_deref() == *ws && p == wp);
            if same {
                return Ok(Some(id));
            }
        }
        Ok(None)
    }

    /// The memory's revision as this session sees it: before its first write, the revision
    /// it started from.
    pub(super) fn revision(&self) -> Result<i64> {
        super::editing::revision(&self.tx, self.memory_id)
    }

    /// The change from `revision_before` to the state this session's commit will leave.
    pub(super) fn change_since(
        &self,
        revision_before: i64,
        units_added: i64,
    ) -> Result<super::MemoryChange> {
        super::editing::change_since(&self.tx, self.memory_id, revision_before, units_added)
    }

    /// Replaces the stored unit `id` of this session's memory; false when there is none.
    pub fn replace_unit_by_id(&mut self, id: i64, prepared: &PreparedUnit) -> Result<bool> {
        let found: Option<i64> = self
            .tx
            .query_row(
                "SELECT id FROM unit WHERE id = ?1 AND memory_id = ?2",
                params![id, self.memory_id],
                |r| r.get(0),
            )
            .optional()?;
        if found.is_none() {
            return Ok(false);
        }
        self.replace_unit(id, prepared)?;
        Ok(true)
    }

    fn replace_unit(&mut self, id: i64, prepared: &PreparedUnit) -> Result<()> {
        // Children first, each explicitly: foreign keys (and so cascades) are off.
        self.tx.execute("DELETE FROM variant_annotation WHERE unit_id = ?1", [id])?;
        self.tx.execute("DELETE FROM variant WHERE unit_id = ?1", [id])?;
        self.tx.execute("DELETE FROM unit_annotation WHERE unit_id = ?1", [id])?;
        let (unit, m) = (&prepared.unit, &prepared.unit.meta);
        self.tx.execute(
            "UPDATE unit SET tuid = ?2, srclang = ?3, creationtool = ?4, creationtoolversion = ?5,
                creationdate = ?6, creationid = ?7, changedate = ?8, changeid = ?9,
                lastusagedate = ?10, usagecount = ?11, o_tmf = ?12, datatype = ?13, segtype = ?14,
                o_encoding = ?15, content_hash = ?16, ctx_prev = ?17, ctx_next = ?18
             WHERE id = ?1",
            params![
                id,
                unit.tuid,
                canonical_srclang(unit),
                m.creationtool,
                m.creationtoolversion,
                m.creationdate,
                m.creationid,
                m.changedate,
                m.changeid,
                m.lastusagedate,
                m.usagecount,
                m.o_tmf,
                m.datatype,
                m.segtype,
                m.o_encoding,
                prepared.hash,
                prepared.ctx_prev,
                prepared.ctx_next
            ],
        )?;
        self.insert_children(id, prepared)
    }

    /// The only insert into `unit`: it also changes the memory's revision, once per session.
    fn insert_unit(&mut self, prepared: &PreparedUnit) -> Result<i64> {
        if !self.revision_changed {
            self.tx
                .execute("UPDATE memory SET revision = random() WHERE id = ?1", [self.memory_id])?;
            self.revision_changed = true;
        }
        let (unit, m) = (&prepared.unit, &prepared.unit.meta);
        self.insert_unit.execute(params![
            self.memory_id,
            unit.tuid,
            canonical_srclang(unit),
            m.creationtool,
            m.creationtoolversion,
            m.creationdate,
            m.creationid,
            m.changedate,
            m.changeid,
            m.lastusagedate,
            m.usagecount,
            m.o_tmf,
            m.datatype,
            m.segtype,
            m.o_encoding,
            prepared.hash,
            prepared.ctx_prev,
            prepared.ctx_next
        ])?;
        let id = self.tx.last_insert_rowid();
        self.insert_children(id, prepared)?;
        Ok(id)
    }

    fn insert_children(&mut self, unit_id: i64, unit: &PreparedUnit) -> Result<()> {
        let prepared = unit.variants();
        let unit = &unit.unit;
        insert_annotations(&self.tx, AnnotationOwner::Unit(unit_id), &unit.annotations)?;
        for (ord, p) in prepared.iter().enumerate() {
            let m = &p.variant.meta;
            self.insert_variant.execute(params![
                unit_id,
                ord as i64,
                p.variant.lang,
                p.seg,
                p.plain,
                p.norm,
                p.tags,
                m.creationtool,
                m.creationtoolversion,
                m.creationdate,
                m.creationid,
                m.changedate,
                m.changeid,
                m.lastusagedate,
                m.usagecount,
                m.o_tmf,
                m.datatype,
                m.o_encoding
            ])?;
            insert_annotations(
                &self.tx,
                AnnotationOwner::Variant(unit_id, ord as i64),
                &p.variant.annotations,
            )?;
        }
        Ok(())
    }
}

/// Which table an annotation lives in, and the key of its owner. Each owner has its own
/// fixed SQL: no SQL is ever assembled from strings.
#[derive(Debug, Clone, Copy)]
enum AnnotationOwner {
    /// A unit id.
    Unit(i64),
    /// A unit id and the variant's position in it.
    Variant(i64, i64),
}

impl AnnotationOwner {
    fn select_sql(self) -> &'static str {
        match self {
            AnnotationOwner::Unit(_) => {
                "SELECT kind, prop_type, lang, o_encoding, value FROM unit_annotation
                 WHERE unit_id = ?1 ORDER BY ord"
            }
            AnnotationOwner::Variant(..) => {
                "SELECT kind, prop_type, lang, o_encoding, value FROM variant_annotation
                 WHERE unit_id = ?1 AND variant_ord = ?2 ORDER BY ord"
            }
        }
    }
}

fn insert_annotations(
    tx: &Transaction<'_>,
    owner: AnnotationOwner,
    annotations: &[Annotation],
) -> Result<()> {
    if annotations.is_empty() {
        return Ok(());
    }
    for (ord, a) in annotations.iter().enumerate() {
        let ord = ord as i64;
        let kind = a.kind.as_str();
        match owner {
            AnnotationOwner::Unit(id) => tx
                .prepare_cached(
                    "INSERT INTO unit_annotation (unit_id, ord, kind, prop_type, lang, o_encoding, value)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )?
                .execute(params![id, ord, kind, a.prop_type, a.lang, a.o_encoding, a.value])?,
            AnnotationOwner::Variant(id, variant_ord) => tx
                .prepare_cached(
                    "INSERT INTO variant_annotation
                        (unit_id, variant_ord, ord, kind, prop_type, lang, o_encoding, value)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                )?
                .execute(params![id, variant_ord, ord, kind, a.prop_type, a.lang, a.o_encoding, a.value])?,
        };
    }
    Ok(())
}

/// The unit's `srclang` in canonical case (`*all*` stays as it is).
fn canonical_srclang(unit: &Unit) -> Option<String> {
    unit.srclang
        .as_deref()
        .map(|l| if l == "*all*" { l.to_string() } else { normalize_lang_tag(l) })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn note(value: &str) -> Annotation {
        Annotation {
            kind: AnnotationKind::Note,
            prop_type: None,
            lang: None,
            o_encoding: None,
            value: value.into(),
        }
    }

    /// A unit with tuid `t1` whose variants carry `notes` notes each.
    fn unit_with_notes(text: &str, notes: usize) -> PreparedUnit {
        let variant = |lang: &str| Variant {
            lang: lang.into(),
            meta: Metadata::default(),
            annotations: (0..notes).map(|n| note(&format!("{lang} note {n}"))).collect(),
            segment: Segment::from_text(format!("{text} ({lang})")),
        };
        PreparedUnit::new(Unit {
            tuid: Some("t1".into()),
            srclang: None,
            meta: Metadata::default(),
            annotations: vec![note("unit note")],
            variants: vec![variant("ru-RU"), variant("en-US")],
        })
    }

    fn foreign_keys_on(conn: &Connection) -> bool {
        conn.pragma_query_value(None, "foreign_keys", |r| r.get::<_, i64>(0)).unwrap() == 1
    }

    /// Rows of variant, variant_annotation and unit_annotation, and foreign-key violations.
    fn counts(store: &Store) -> [i64; 4] {
        let one = |r: &Row<'_>| r.get(0);
        [
            store.conn.query_row("SELECT count(*) FROM variant", [], one).unwrap(),
            store.conn.query_row("SELECT count(*) FROM variant_annotation", [], one).unwrap(),
            store.conn.query_row("SELECT count(*) FROM unit_annotation", [], one).unwrap(),
            store.conn.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], one).unwrap(),
        ]
    }

    #[test]
    fn foreign_key_checks_are_back_on_however_an_import_session_ends() {
        let mut store = Store::open_in_memory().unwrap();
        let header = Header::default();
        let session = store.begin_import("m", &header, DuplicatePolicy::Skip).unwrap();
        assert!(!foreign_keys_on(&session.tx), "off during the session");
        session.commit().unwrap();
        assert!(foreign_keys_on(&store.conn), "on after a commit");
        store.begin_import("m", &header, DuplicatePolicy::Skip).unwrap().rollback().unwrap();
        assert!(foreign_keys_on(&store.conn), "on after a rollback");
        drop(store.begin_import("m", &header, DuplicatePolicy::Skip).unwrap());
        assert!(foreign_keys_on(&store.conn), "on after a session dropped unfinished");
    }

    #[test]
    fn overwriting_a_unit_leaves_no_orphan_annotations_and_passes_the_foreign_key_check() {
        let mut store = Store::open_in_memory().unwrap();
        let header = Header::default();
        let mut session = store.begin_import("m", &header, DuplicatePolicy::Keep).unwrap();
        session.add_unit(&unit_with_notes("first", 3)).unwrap();
        session.commit().unwrap();
        let mut session = store.begin_import("m", &header, DuplicatePolicy::Overwrite).unwrap();
        let outcome = session.add_unit(&unit_with_notes("second", 1)).unwrap();
        assert!(matches!(outcome, AddOutcome::Updated(_)), "{outcome:?}");
        session.commit().unwrap();
        let [variants, variant_notes, unit_notes, violations] = counts(&store);
        assert_eq!(variants, 2);
        assert_eq!(variant_notes, 2, "the first version's notes remain");
        assert_eq!(unit_notes, 1);
        assert_eq!(violations, 0);
    }
}
