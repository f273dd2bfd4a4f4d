//! Term bases: concepts, language sections and terms, their history, searches, bulk status
//! changes, the import session that adds concepts from files and the walks that export them
//! or feed term recognition. All term SQL lives here.

use std::collections::HashMap;

use rusqlite::{params, OptionalExtension, Row, Transaction, TransactionBehavior};

use super::{AddOutcome, DuplicatePolicy, Result, Store, StoreError};
use crate::model::{
    is_well_formed_lang_tag, lang_matches, normalize_lang_tag, Concept, ConceptChange,
    CrossRefKind, CrossReference, Gender, LangSection, MatchMode, Number, PartOfSpeech, Stamp,
    Term, TermBaseSummary, TermStatus,
};
use crate::text::normalize_for_matching;

/// How a concept is named on the command line or in a URL: its id in files (`c12`,
/// `eid-Oracle-67`) or, failing that, its database id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConceptKey(pub String);

impl From<&str> for ConceptKey {
    fn from(s: &str) -> Self {
        ConceptKey(s.to_string())
    }
}

impl From<i64> for ConceptKey {
    fn from(id: i64) -> Self {
        ConceptKey(id.to_string())
    }
}

/// How [`Store::search_terms`] compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchMode {
    /// The term starts with the query.
    Prefix,
    /// The term contains the query.
    Substring,
}

/// A term search: case- and ё-insensitive (both sides go through `normalize_for_matching`).
#[derive(Debug, Clone)]
pub struct TermSearch {
    pub query: String,
    pub mode: SearchMode,
    /// Only terms of this language (`ru` takes `ru-RU` too).
    pub lang: Option<String>,
    pub limit: usize,
}

/// One term found by a search, with its concept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermSearchHit {
    pub concept_id: i64,
    pub concept_external_id: String,
    pub lang: String,
    pub term: Term,
}

/// Which terms a bulk status change touches. Every given condition must hold.
#[derive(Debug, Clone, Default)]
pub struct TermSelection {
    /// Only these term ids (empty: no restriction).
    pub term_ids: Vec<i64>,
    pub lang: Option<String>,
    /// Only terms whose status is this (`Some(None)`: terms without a status).
    pub status: Option<Option<TermStatus>>,
    pub search: Option<TermSearch>,
}

/// A term as term recognition needs it.
#[derive(Debug, Clone)]
pub struct RecognitionTerm {
    pub termbase: String,
    pub concept_id: i64,
    pub concept_external_id: String,
    pub term_id: i64,
    pub lang: String,
    pub text: String,
    pub status: Option<TermStatus>,
    pub match_mode: MatchMode,
}

/// Adds concepts to one term base inside one transaction: nothing is visible to others until
/// [`TermImportSession::commit`], and dropping the session rolls everything back.
pub struct TermImportSession<'a> {
    tx: Transaction<'a>,
    termbase_id: i64,
    policy: DuplicatePolicy,
    at: String,
    by: Option<String>,
    origin: String,
    /// Content hashes of the term base's concepts.
    known_hashes: HashMap<i64, Vec<i64>>,
    renamed: u64,
}

pub(crate) fn check_termbase_name(name: &str) -> Result<()> {
    if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
        return Err(StoreError::BadTermBaseName(name.to_string()));
    }
    Ok(())
}

fn now(conn: &rusqlite::Connection) -> Result<String> {
    Ok(conn.query_row("SELECT strftime('%Y-%m-%dT%H:%M:%SZ', 'now')", [], |r| r.get(0))?)
}

impl Store {
    /// The id of the term base called `name`, if there is one.
    pub fn termbase_id(&self, name: &str) -> Result<Option<i64>> {
        Ok(self
            .conn
            .query_row("SELECT id FROM termbase WHERE name = ?1", [name], |r| r.get(0))
            .optional()?)
    }

    /// The id of the term base called `name`, or an error naming it.
    pub fn require_termbase(&self, name: &str) -> Result<i64> {
        self.termbase_id(name)?.ok_or_else(|| StoreError::NoSuchTermBase(name.to_string()))
    }

    /// Creates a term base; an error if one of that name exists.
    pub fn create_termbase(&self, name: &str, description: Option<&str>) -> Result<i64> {
        check_termbase_name(name)?;
        if self.termbase_id(name)?.is_some() {
            return Err(StoreError::TermBaseExists(name.to_string()));
        }
        self.conn.execute(
            "INSERT INTO termbase (name, description, created_at)
             VALUES (?1, ?2, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
            params![name, description],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Creates the term base unless it exists; returns its id.
    pub fn ensure_termbase(&self, name: &str) -> Result<i64> {
        match self.termbase_id(name)? {
            Some(id) => Ok(id),
            None => self.create_termbase(name, None),
        }
    }

    /// Deletes a term base with all its concepts and history. Returns how many concepts went.
    pub fn delete_termbase(&mut self, name: &str) -> Result<u64> {
        let id = self.require_termbase(name)?;
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let concepts: u64 =
            tx.query_row("SELECT COUNT(*) FROM concept WHERE termbase_id = ?1", [id], |r| {
                r.get(0)
            })?;
        tx.execute("DELETE FROM termbase WHERE id = ?1", [id])?;
        tx.commit()?;
        Ok(concepts)
    }

    /// Every term base with its number of concepts and of terms per language.
    pub fn termbases(&self) -> Result<Vec<TermBaseSummary>> {
        let mut stmt = self.conn.prepare(
            "SELECT b.id, b.name, b.description, b.created_at,
                    (SELECT COUNT(*) FROM concept c WHERE c.termbase_id = b.id)
             FROM termbase b ORDER BY b.name",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok((r.get::<_, i64>(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })?
            .collect::<rusqlite::Result<Vec<(i64, String, Option<String>, String, u64)>>>()?;
        let mut langs = self.conn.prepare_cached(
            "SELECT lang, COUNT(*) FROM term WHERE termbase_id = ?1 GROUP BY lang ORDER BY lang",
        )?;
        let mut out = Vec::with_capacity(rows.len());
        for (id, name, description, created_at, concepts) in rows {
            let languages = langs
                .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?;
            out.push(TermBaseSummary { name, description, created_at, concepts, languages });
        }
        Ok(out)
    }

    /// The database id of a concept named by its external id or database id.
    pub fn resolve_concept(&self, termbase: &str, key: &ConceptKey) -> Result<i64> {
        let tb = self.require_termbase(termbase)?;
        let by_external: Option<i64> = self
            .conn
            .query_row(
                "SELECT id FROM concept WHERE termbase_id = ?1 AND external_id = ?2",
                params![tb, key.0],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(id) = by_external {
            return Ok(id);
        }
        if let Ok(n) = key.0.trim_start_matches('#').parse::<i64>() {
            let by_id: Option<i64> = self
                .conn
                .query_row(
                    "SELECT id FROM concept WHERE termbase_id = ?1 AND id = ?2",
                    params![tb, n],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(id) = by_id {
                return Ok(id);
            }
        }
        Err(StoreError::NoSuchConcept { termbase: termbase.to_string(), concept: key.0.clone() })
    }

    /// A concept with its sections and terms.
    pub fn concept(&self, termbase: &str, key: &ConceptKey) -> Result<Concept> {
        let id = self.resolve_concept(termbase, key)?;
        load_concept(&self.conn, id)
    }

    /// Stores a new concept; returns it as stored (ids and stamps filled in). Without an
    /// external id the concept gets `tmbase-<id>`.
    pub fn create_concept(
        &mut self,
        termbase: &str,
        concept: &Concept,
        by: Option<&str>,
    ) -> Result<Concept> {
        let tb = self.require_termbase(termbase)?;
        let mut concept = concept.clone();
        concept.tidy();
        check_concept(&concept)?;
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let at = now(&tx)?;
        stamp_new(&mut concept, &at, by);
        if let Some(ext) = &concept.external_id {
            if external_id_taken(&tx, tb, ext, None)? {
                return Err(StoreError::ConceptExists {
                    termbase: termbase.to_string(),
                    concept: ext.clone(),
                });
            }
        }
        let id = insert_concept(&tx, tb, &concept)?;
        record(&tx, tb, id, &at, by, "created", "concept", None, None, Some(&summary(&concept)))?;
        tx.commit()?;
        load_concept(&self.conn, id)
    }

    /// Replaces a stored concept by `concept` (which must carry the database id): fields,
    /// sections, cross-references and terms. Terms with an id are updated, terms without
    /// one are added, stored terms that are missing are deleted. Every difference is recorded
    /// in the history. Returns the concept as stored.
    pub fn update_concept(
        &mut self,
        termbase: &str,
        concept: &Concept,
        by: Option<&str>,
    ) -> Result<Concept> {
        let tb = self.require_termbase(termbase)?;
        let id = concept.id.ok_or_else(|| StoreError::Invalid("the concept has no id".into()))?;
        let old = self.concept(termbase, &ConceptKey::from(id))?;
        let mut new = concept.clone();
        new.tidy();
        check_concept(&new)?;
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let at = now(&tx)?;
        if let Some(ext) = &new.external_id {
            if external_id_taken(&tx, tb, ext, Some(id))? {
                return Err(StoreError::ConceptExists {
                    termbase: termbase.to_string(),
                    concept: ext.clone(),
                });
            }
        }
        let changes = diff_concept(&old, &new);
        if changes.is_empty() {
            return Ok(old);
        }
        new.stamp.changed_at = Some(at.clone());
        new.stamp.changed_by = by.map(str::to_string);
        for section in &mut new.languages {
            let lang = section.lang.clone();
            for term in &mut section.terms {
                let touched = match term.id {
                    None => true,
                    Some(tid) => old
                        .languages
                        .iter()
                        .flat_map(|s| s.terms.iter().map(move |t| (s.lang.as_str(), t)))
                        .find(|(_, t)| t.id == Some(tid))
                        .is_none_or(|(l, t)| l != lang || !same_term_content(t, term)),
                };
                if touched {
                    if term.id.is_none() {
                        term.stamp.created_at.get_or_insert_with(|| at.clone());
                        if term.stamp.created_by.is_none() {
                            term.stamp.created_by = by.map(str::to_string);
                        }
                    } else {
                        term.stamp.changed_at = Some(at.clone());
                        term.stamp.changed_by = by.map(str::to_string);
                    }
                }
            }
        }
        replace_concept(&tx, tb, id, &new, &old)?;
        for c in &changes {
            record(
                &tx,
                tb,
                id,
                &at,
                by,
                "updated",
                &c.what,
                c.field.as_deref(),
                c.old.as_deref(),
                c.new.as_deref(),
            )?;
        }
        tx.commit()?;
        load_concept(&self.conn, id)
    }

    /// Deletes a concept; its history stays and records the deletion.
    pub fn delete_concept(
        &mut self,
        termbase: &str,
        key: &ConceptKey,
        by: Option<&str>,
    ) -> Result<()> {
        let tb = self.require_termbase(termbase)?;
        let id = self.resolve_concept(termbase, key)?;
        let old = load_concept(&self.conn, id)?;
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let at = now(&tx)?;
        tx.execute("DELETE FROM concept WHERE id = ?1", [id])?;
        record(&tx, tb, id, &at, by, "deleted", "concept", None, Some(&summary(&old)), None)?;
        tx.commit()?;
        Ok(())
    }

    /// The concept that holds a term, by term id.
    pub fn concept_of_term(&self, termbase: &str, term_id: i64) -> Result<Concept> {
        let tb = self.require_termbase(termbase)?;
        let id: Option<i64> = self
            .conn
            .query_row(
                "SELECT concept_id FROM term WHERE id = ?1 AND termbase_id = ?2",
                params![term_id, tb],
                |r| r.get(0),
            )
            .optional()?;
        match id {
            Some(id) => load_concept(&self.conn, id),
            None => Err(StoreError::NoSuchTerm { termbase: termbase.to_string(), term: term_id }),
        }
    }

    /// The recorded changes of a concept, oldest first (also after it was deleted).
    pub fn concept_history(&self, termbase: &str, key: &ConceptKey) -> Result<Vec<ConceptChange>> {
        let tb = self.require_termbase(termbase)?;
        let id = match self.resolve_concept(termbase, key) {
            Ok(id) => id,
            Err(StoreError::NoSuchConcept { .. }) => {
                // A deleted concept: its database id still names its history.
                key.0.trim_start_matches('#').parse::<i64>().map_err(|_| {
                    StoreError::NoSuchConcept { termbase: termbase.into(), concept: key.0.clone() }
                })?
            }
            Err(e) => return Err(e),
        };
        let mut stmt = self.conn.prepare_cached(
            "SELECT at, by, action, what, field, old_value, new_value FROM concept_change
             WHERE termbase_id = ?1 AND concept_id = ?2 ORDER BY id",
        )?;
        let rows = stmt.query_map(params![tb, id], |r| {
            Ok(ConceptChange {
                at: r.get(0)?,
                by: r.get(1)?,
                action: r.get(2)?,
                what: r.get(3)?,
                field: r.get(4)?,
                old_value: r.get(5)?,
                new_value: r.get(6)?,
            })
        })?;
        let changes: Vec<ConceptChange> = rows.collect::<rusqlite::Result<_>>()?;
        if changes.is_empty() {
            return Err(StoreError::NoSuchConcept {
                termbase: termbase.to_string(),
                concept: key.0.clone(),
            });
        }
        Ok(changes)
    }

    /// Terms whose text starts with or contains the query, case- and ё-insensitively,
    /// ordered by text.
    pub fn search_terms(&self, termbase: &str, search: &TermSearch) -> Result<Vec<TermSearchHit>> {
        let tb = self.require_termbase(termbase)?;
        let query = normalize_for_matching(&search.query);
        let lang = search.lang.as_deref().map(normalize_lang_tag);
        let limit = i64::try_from(search.limit).unwrap_or(i64::MAX);
        let map = |r: &Row<'_>| -> rusqlite::Result<(i64, String, String, Term)> {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, term_from_row(r, 3)?))
        };
        let rows: Vec<(i64, String, String, Term)> = match search.mode {
            SearchMode::Prefix => {
                let mut upper = query.clone();
                upper.push(char::MAX);
                let mut stmt = self.conn.prepare_cached(
                    "SELECT t.concept_id, c.external_id, t.lang, t.id, t.text, t.part_of_speech,
                            t.gender, t.number, t.status, t.term_type, t.context, t.usage_note,
                            t.source, t.match_mode, t.created_at, t.created_by, t.changed_at,
                            t.changed_by
                     FROM term t JOIN concept c ON c.id = t.concept_id
                     WHERE t.termbase_id = ?1 AND t.norm >= ?2 AND t.norm < ?3
                       AND (?4 IS NULL OR t.lang = ?4 OR (t.lang > ?4 || '-' AND t.lang < ?4 || '.'))
                     ORDER BY t.norm, t.id LIMIT ?5",
                )?;
                let rows = stmt.query_map(params![tb, query, upper, lang, limit], map)?;
                rows.collect::<rusqlite::Result<_>>()?
            }
            SearchMode::Substring => {
                let mut stmt = self.conn.prepare_cached(
                    "SELECT t.concept_id, c.external_id, t.lang, t.id, t.text, t.part_of_speech,
                            t.gender, t.number, t.status, t.term_type, t.context, t.usage_note,
                            t.source, t.match_mode, t.created_at, t.created_by, t.changed_at,
                            t.changed_by
                     FROM term t JOIN concept c ON c.id = t.concept_id
                     WHERE t.termbase_id = ?1 AND instr(t.norm, ?2) > 0
                       AND (?3 IS NULL OR t.lang = ?3 OR (t.lang > ?3 || '-' AND t.lang < ?3 || '.'))
                     ORDER BY t.norm, t.id LIMIT ?4",
                )?;
                let rows = stmt.query_map(params![tb, query, lang, limit], map)?;
                rows.collect::<rusqlite::Result<_>>()?
            }
        };
        Ok(rows
            .into_iter()
            .map(|(concept_id, concept_external_id, lang, term)| TermSearchHit {
                concept_id,
                concept_external_id,
                lang,
                term,
            })
            .collect())
    }

    /// Sets the status of every selected term (`None` clears it), recording each change.
    /// Returns how many terms changed.
    pub fn set_term_status(
        &mut self,
        termbase: &str,
        selection: &TermSelection,
        status: Option<TermStatus>,
        by: Option<&str>,
    ) -> Result<u64> {
        let tb = self.require_termbase(termbase)?;
        let candidates: Vec<(i64, i64, String, String, Option<TermStatus>)> = match &selection
            .search
        {
            Some(search) => {
                let mut s = search.clone();
                s.limit = usize::MAX >> 1;
                self.search_terms(termbase, &s)?
                    .into_iter()
                    .map(|h| {
                        (h.term.id.unwrap_or(0), h.concept_id, h.lang, h.term.text, h.term.status)
                    })
                    .collect()
            }
            None => {
                let mut stmt = self.conn.prepare_cached(
                    "SELECT id, concept_id, lang, text, status FROM term WHERE termbase_id = ?1
                     ORDER BY id",
                )?;
                let rows = stmt.query_map([tb], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, status_from_sql(r.get(4)?)?))
                })?;
                rows.collect::<rusqlite::Result<_>>()?
            }
        };
        let lang = selection.lang.as_deref().map(normalize_lang_tag);
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let at = now(&tx)?;
        let mut changed = 0;
        for (term_id, concept_id, term_lang, text, current) in candidates {
            if !selection.term_ids.is_empty() && !selection.term_ids.contains(&term_id) {
                continue;
            }
            if let Some(l) = &lang {
                if !lang_matches(&term_lang, l) {
                    continue;
                }
            }
            if let Some(wanted) = selection.status {
                if current != wanted {
                    continue;
                }
            }
            if current == status {
                continue;
            }
            tx.execute(
                "UPDATE term SET status = ?2, changed_at = ?3, changed_by = ?4 WHERE id = ?1",
                params![term_id, status.map(TermStatus::as_str), at, by],
            )?;
            record(
                &tx,
                tb,
                concept_id,
                &at,
                by,
                "updated",
                &term_label(term_id, &term_lang, &text),
                Some("status"),
                current.map(TermStatus::as_str),
                status.map(TermStatus::as_str),
            )?;
            changed += 1;
        }
        tx.commit()?;
        Ok(changed)
    }

    /// Starts adding concepts to the term base `termbase` (created when missing). `origin`
    /// (a file name) goes into each imported concept's history.
    pub fn begin_term_import(
        &mut self,
        termbase: &str,
        policy: DuplicatePolicy,
        by: Option<&str>,
        origin: &str,
    ) -> Result<TermImportSession<'_>> {
        check_termbase_name(termbase)?;
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let termbase_id =
            match tx.query_row("SELECT id FROM termbase WHERE name = ?1", [termbase], |r| r.get(0))
            {
                Ok(id) => id,
                Err(rusqlite::Error::QueryReturnedNoRows) => {
                    tx.execute(
                        "INSERT INTO termbase (name, created_at)
                         VALUES (?1, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
                        [termbase],
                    )?;
                    tx.last_insert_rowid()
                }
                Err(e) => return Err(e.into()),
            };
        let mut known_hashes: HashMap<i64, Vec<i64>> = HashMap::new();
        if policy != DuplicatePolicy::Keep {
            let mut stmt =
                tx.prepare("SELECT content_hash, id FROM concept WHERE termbase_id = ?1")?;
            let rows = stmt.query_map([termbase_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
            for row in rows {
                let (hash, id): (i64, i64) = row?;
                known_hashes.entry(hash).or_default().push(id);
            }
        }
        let at = now(&tx)?;
        Ok(TermImportSession {
            tx,
            termbase_id,
            policy,
            at,
            by: by.map(str::to_string),
            origin: origin.to_string(),
            known_hashes,
            renamed: 0,
        })
    }

    /// Calls `each` with every concept of a term base in the order they were added.
    pub fn for_each_concept(
        &self,
        termbase: &str,
        mut each: impl FnMut(Concept) -> std::io::Result<()>,
    ) -> Result<u64> {
        let tb = self.require_termbase(termbase)?;
        let mut stmt =
            self.conn.prepare("SELECT id FROM concept WHERE termbase_id = ?1 ORDER BY id")?;
        let mut rows = stmt.query([tb])?;
        let mut n = 0;
        while let Some(row) = rows.next()? {
            let concept = load_concept(&self.conn, row.get(0)?)?;
            each(concept).map_err(StoreError::Io)?;
            n += 1;
        }
        Ok(n)
    }

    /// The external ids of a term base's concepts (an export checks cross-references with them).
    pub fn concept_external_ids(&self, termbase: &str) -> Result<Vec<String>> {
        let tb = self.require_termbase(termbase)?;
        let mut stmt = self
            .conn
            .prepare_cached("SELECT external_id FROM concept WHERE termbase_id = ?1 ORDER BY id")?;
        let rows = stmt.query_map([tb], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every term of the given language (`ru` takes `ru-RU`) in a term base.
    pub fn recognition_terms(&self, termbase: &str, lang: &str) -> Result<Vec<RecognitionTerm>> {
        let tb = self.require_termbase(termbase)?;
        let lang = normalize_lang_tag(lang);
        let mut stmt = self.conn.prepare_cached(
            "SELECT t.concept_id, c.external_id, t.id, t.lang, t.text, t.status, t.match_mode
             FROM term t JOIN concept c ON c.id = t.concept_id
             WHERE t.termbase_id = ?1 AND (t.lang = ?2 OR (t.lang > ?2 || '-' AND t.lang < ?2 || '.'))
             ORDER BY t.concept_id, t.ord",
        )?;
        let rows = stmt.query_map(params![tb, lang], |r| {
            Ok(RecognitionTerm {
                termbase: termbase.to_string(),
                concept_id: r.get(0)?,
                concept_external_id: r.get(1)?,
                term_id: r.get(2)?,
                lang: r.get(3)?,
                text: r.get(4)?,
                status: status_from_sql(r.get(5)?)?,
                match_mode: mode_from_sql(r.get(6)?)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

impl TermImportSession<'_> {
    pub fn termbase_id(&self) -> i64 {
        self.termbase_id
    }

    /// Concepts whose id was already taken and that were stored under a new one
    /// (`--on-duplicate keep`).
    pub fn renamed(&self) -> u64 {
        self.renamed
    }

    /// Adds one concept under the session's duplicate policy. A concept is a duplicate when
    /// the term base holds one with the same id, or (without an id) the same content: terms,
    /// fields and notes alike.
    pub fn add_concept(&mut self, concept: &Concept) -> Result<AddOutcome> {
        let mut concept = concept.clone();
        concept.tidy();
        check_concept(&concept)?;
        let hash = content_hash(&concept);
        let tx = &self.tx;
        let tb = self.termbase_id;
        if let Some(ext) = concept.external_id.clone() {
            let existing: Option<i64> = tx
                .prepare_cached(
                    "SELECT id FROM concept WHERE termbase_id = ?1 AND external_id = ?2",
                )?
                .query_row(params![tb, ext], |r| r.get(0))
                .optional()?;
            if let Some(id) = existing {
                match self.policy {
                    DuplicatePolicy::Skip => return Ok(AddOutcome::Duplicate(id)),
                    DuplicatePolicy::Overwrite => {
                        let old = load_concept(tx, id)?;
                        concept.id = Some(id);
                        replace_concept(tx, tb, id, &concept, &old)?;
                        tx.execute(
                            "UPDATE concept SET content_hash = ?2 WHERE id = ?1",
                            params![id, hash],
                        )?;
                        for c in diff_concept(&old, &concept) {
                            record(
                                tx,
                                tb,
                                id,
                                &self.at,
                                self.by.as_deref(),
                                "imported",
                                &c.what,
                                c.field.as_deref(),
                                c.old.as_deref(),
                                c.new.as_deref(),
                            )?;
                        }
                        return Ok(AddOutcome::Updated(id));
                    }
                    DuplicatePolicy::Keep => {
                        let mut n = 2;
                        let fresh = loop {
                            let candidate = format!("{ext}-dup{n}");
                            if !external_id_taken(tx, tb, &candidate, None)? {
                                break candidate;
                            }
                            n += 1;
                        };
                        concept.external_id = Some(fresh);
                        self.renamed += 1;
                    }
                }
            }
        } else if self.policy != DuplicatePolicy::Keep {
            if let Some(ids) = self.known_hashes.get(&hash) {
                for &id in ids {
                    let stored = load_concept(tx, id)?;
                    if same_content(&stored, &concept) {
                        return Ok(AddOutcome::Duplicate(id));
                    }
                }
            }
        }
        let id = insert_concept(tx, tb, &concept)?;
        record(
            tx,
            tb,
            id,
            &self.at,
            self.by.as_deref(),
            "imported",
            "concept",
            None,
            None,
            Some(&format!("from {}", self.origin)),
        )?;
        if self.policy != DuplicatePolicy::Keep {
            self.known_hashes.entry(hash).or_default().push(id);
        }
        Ok(AddOutcome::Added(id))
    }

    pub fn commit(self) -> Result<()> {
        Ok(self.tx.commit()?)
    }

    pub fn rollback(self) -> Result<()> {
        Ok(self.tx.rollback()?)
    }
}

fn check_concept(concept: &Concept) -> Result<()> {
    for s in &concept.languages {
        if !is_well_formed_lang_tag(&s.lang) {
            return Err(StoreError::Invalid(format!("{:?} is not a language tag", s.lang)));
        }
    }
    if concept.term_count() == 0 {
        return Err(StoreError::Invalid("a concept needs at least one term".into()));
    }
    if let Some(ext) = &concept.external_id {
        if ext.chars().any(char::is_control) {
            return Err(StoreError::Invalid(format!("bad concept id {ext:?}")));
        }
    }
    Ok(())
}

fn stamp_new(concept: &mut Concept, at: &str, by: Option<&str>) {
    if concept.stamp.created_at.is_none() {
        concept.stamp.created_at = Some(at.to_string());
        concept.stamp.created_by = by.map(str::to_string);
    }
    for section in &mut concept.languages {
        for term in &mut section.terms {
            if term.stamp.created_at.is_none() {
                term.stamp.created_at = Some(at.to_string());
                term.stamp.created_by = by.map(str::to_string);
            }
        }
    }
}

fn external_id_taken(
    tx: &rusqlite::Connection,
    tb: i64,
    ext: &str,
    except: Option<i64>,
) -> Result<bool> {
    let found: Option<i64> = tx
        .prepare_cached("SELECT id FROM concept WHERE termbase_id = ?1 AND external_id = ?2")?
        .query_row(params![tb, ext], |r| r.get(0))
        .optional()?;
    Ok(matches!(found, Some(id) if Some(id) != except))
}

/// FNV-1a over the sorted (language, term) pairs: the same terms give the same hash.
fn content_hash(concept: &Concept) -> i64 {
    let mut parts: Vec<(&str, &str)> = concept
        .languages
        .iter()
        .flat_map(|s| s.terms.iter().map(move |t| (s.lang.as_str(), t.text.as_str())))
        .collect();
    parts.sort_unstable();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8], end: u8| {
        for &b in bytes.iter().chain([end].iter()) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    };
    for (lang, text) in parts {
        eat(lang.as_bytes(), 0);
        eat(text.as_bytes(), 0xff);
    }
    h as i64
}

/// Whether two concepts say the same thing: everything but ids and time stamps equal.
fn same_content(a: &Concept, b: &Concept) -> bool {
    fn bare(c: &Concept) -> Concept {
        let mut c = c.clone();
        c.id = None;
        c.external_id = None;
        c.stamp = Stamp::default();
        for s in &mut c.languages {
            for t in &mut s.terms {
                t.id = None;
                t.stamp = Stamp::default();
            }
        }
        c
    }
    bare(a) == bare(b)
}

fn insert_concept(tx: &rusqlite::Connection, tb: i64, concept: &Concept) -> Result<i64> {
    let s = &concept.stamp;
    // The id is past every id ever used, deleted concepts' included: SQLite would reuse the
    // highest id after a delete, and the new concept would inherit the old one's history.
    tx.prepare_cached(
        "INSERT INTO concept (id, termbase_id, external_id, subject_field, definition, note,
                              source, created_at, created_by, changed_at, changed_by, content_hash)
         VALUES (1 + max(COALESCE((SELECT MAX(id) FROM concept), 0),
                         COALESCE((SELECT MAX(concept_id) FROM concept_change), 0)),
                 ?1, COALESCE(?2, '\u{1}pending'), ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(params![
        tb,
        concept.external_id,
        concept.subject_field,
        concept.definition,
        concept.note,
        concept.source,
        s.created_at,
        s.created_by,
        s.changed_at,
        s.changed_by,
        content_hash(concept)
    ])?;
    let id = tx.last_insert_rowid();
    if concept.external_id.is_none() {
        let mut ext = format!("tmbase-{id}");
        let mut n = 1;
        while external_id_taken(tx, tb, &ext, Some(id))? {
            n += 1;
            ext = format!("tmbase-{id}-{n}");
        }
        tx.execute("UPDATE concept SET external_id = ?2 WHERE id = ?1", params![id, ext])?;
    }
    insert_children(tx, tb, id, concept, &[])?;
    Ok(id)
}

/// Writes the cross-references, sections and terms of a concept. `kept` lists the ids of
/// stored terms that may be updated in place.
fn insert_children(
    tx: &rusqlite::Connection,
    tb: i64,
    id: i64,
    concept: &Concept,
    kept: &[i64],
) -> Result<()> {
    let mut xref = tx.prepare_cached(
        "INSERT INTO concept_xref (concept_id, ord, kind, target, text) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for (ord, x) in concept.cross_references.iter().enumerate() {
        xref.execute(params![id, ord as i64, x.kind.as_str(), x.target, x.text])?;
    }
    let mut section = tx.prepare_cached(
        "INSERT INTO lang_section (concept_id, lang, ord, definition, note) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO term (concept_id, termbase_id, lang, ord, text, norm, part_of_speech, gender,
                           number, status, term_type, context, usage_note, source, match_mode,
                           created_at, created_by, changed_at, changed_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
    )?;
    let mut update = tx.prepare_cached(
        "UPDATE term SET lang = ?3, ord = ?4, text = ?5, norm = ?6, part_of_speech = ?7,
                         gender = ?8, number = ?9, status = ?10, term_type = ?11, context = ?12,
                         usage_note = ?13, source = ?14, match_mode = ?15, created_at = ?16,
                         created_by = ?17, changed_at = ?18, changed_by = ?19
         WHERE id = ?1 AND concept_id = ?2",
    )?;
    for (sord, s) in concept.languages.iter().enumerate() {
        section.execute(params![id, s.lang, sord as i64, s.definition, s.note])?;
        for (ord, t) in s.terms.iter().enumerate() {
            let st = &t.stamp;
            let norm = normalize_for_matching(&t.text);
            match t.id {
                Some(tid) if kept.contains(&tid) => {
                    update.execute(params![
                        tid,
                        id,
                        s.lang,
                        ord as i64,
                        t.text,
                        norm,
                        t.part_of_speech.map(PartOfSpeech::as_str),
                        t.gender.map(Gender::as_str),
                        t.number.map(Number::as_str),
                        t.status.map(TermStatus::as_str),
                        t.term_type,
                        t.context,
                        t.usage_note,
                        t.source,
                        t.match_mode.as_str(),
                        st.created_at,
                        st.created_by,
                        st.changed_at,
                        st.changed_by
                    ])?;
                }
                _ => {
                    insert.execute(params![
                        id,
                        tb,
                        s.lang,
                        ord as i64,
                        t.text,
                        norm,
                        t.part_of_speech.map(PartOfSpeech::as_str),
                        t.gender.map(Gender::as_str),
                        t.number.map(Number::as_str),
                        t.status.map(TermStatus::as_str),
                        t.term_type,
                        t.context,
                        t.usage_note,
                        t.source,
                        t.match_mode.as_str(),
                        st.created_at,
                        st.created_by,
                        st.changed_at,
                        st.changed_by
                    ])?;
                }
            }
        }
    }
    Ok(())
}

/// Overwrites a stored concept's fields and children with `new`, keeping the ids of the
/// terms that `new` still holds.
fn replace_concept(
    tx: &rusqlite::Connection,
    tb: i64,
    id: i64,
    new: &Concept,
    old: &Concept,
) -> Result<()> {
    let s = &new.stamp;
    let ext = new.external_id.clone().or_else(|| old.external_id.clone());
    tx.prepare_cached(
        "UPDATE concept SET external_id = ?2, subject_field = ?3, definition = ?4, note = ?5,
                source = ?6, created_at = ?7, created_by = ?8, changed_at = ?9, changed_by = ?10,
                content_hash = ?11
         WHERE id = ?1",
    )?
    .execute(params![
        id,
        ext,
        new.subject_field,
        new.definition,
        new.note,
        new.source,
        s.created_at,
        s.created_by,
        s.changed_at,
        s.changed_by,
        content_hash(new)
    ])?;
    let new_ids: Vec<i64> =
        new.languages.iter().flat_map(|s| s.terms.iter().filter_map(|t| t.id)).collect();
    let old_ids: Vec<i64> =
        old.languages.iter().flat_map(|s| s.terms.iter().filter_map(|t| t.id)).collect();
    for tid in &new_ids {
        if !old_ids.contains(tid) {
            return Err(StoreError::NoSuchTerm { termbase: format!("#{tb}"), term: *tid });
        }
    }
    for tid in &old_ids {
        if !new_ids.contains(tid) {
            tx.execute("DELETE FROM term WHERE id = ?1", [tid])?;
        }
    }
    tx.execute("DELETE FROM concept_xref WHERE concept_id = ?1", [id])?;
    tx.execute("DELETE FROM lang_section WHERE concept_id = ?1", [id])?;
    insert_children(tx, tb, id, new, &new_ids)
}

pub(crate) fn load_concept(conn: &rusqlite::Connection, id: i64) -> Result<Concept> {
    let mut concept = conn
        .prepare_cached(
            "SELECT external_id, subject_field, definition, note, source, created_at, created_by,
                    changed_at, changed_by
             FROM concept WHERE id = ?1",
        )?
        .query_row([id], |r| {
            Ok(Concept {
                id: Some(id),
                external_id: r.get(0)?,
                subject_field: r.get(1)?,
                definition: r.get(2)?,
                note: r.get(3)?,
                source: r.get(4)?,
                cross_references: Vec::new(),
                stamp: Stamp {
                    created_at: r.get(5)?,
                    created_by: r.get(6)?,
                    changed_at: r.get(7)?,
                    changed_by: r.get(8)?,
                },
                languages: Vec::new(),
            })
        })
        .optional()?
        .ok_or_else(|| StoreError::NoSuchConcept {
            termbase: String::new(),
            concept: id.to_string(),
        })?;
    let mut xrefs = conn.prepare_cached(
        "SELECT kind, target, text FROM concept_xref WHERE concept_id = ?1 ORDER BY ord",
    )?;
    concept.cross_references = xrefs
        .query_map([id], |r| {
            let kind: String = r.get(0)?;
            Ok(CrossReference {
                kind: CrossRefKind::parse(&kind).ok_or_else(|| bad_value("kind", &kind))?,
                target: r.get(1)?,
                text: r.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut sections = conn.prepare_cached(
        "SELECT lang, definition, note FROM lang_section WHERE concept_id = ?1 ORDER BY ord",
    )?;
    concept.languages = sections
        .query_map([id], |r| {
            Ok(LangSection {
                lang: r.get(0)?,
                definition: r.get(1)?,
                note: r.get(2)?,
                terms: Vec::new(),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut terms = conn.prepare_cached(
        "SELECT lang, id, text, part_of_speech, gender, number, status, term_type, context,
                usage_note, source, match_mode, created_at, created_by, changed_at, changed_by
         FROM term WHERE concept_id = ?1 ORDER BY lang, ord",
    )?;
    let rows = terms.query_map([id], |r| Ok((r.get::<_, String>(0)?, term_from_row(r, 1)?)))?;
    for row in rows {
        let (lang, term) = row?;
        concept.section_mut(&lang).terms.push(term);
    }
    Ok(concept)
}

fn bad_value(column: &str, value: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        0,
        rusqlite::types::Type::Text,
        format!("unknown {column} {value:?}").into(),
    )
}

fn status_from_sql(v: Option<String>) -> rusqlite::Result<Option<TermStatus>> {
    v.map(|s| TermStatus::parse(&s).ok_or_else(|| bad_value("status", &s))).transpose()
}

fn mode_from_sql(v: String) -> rusqlite::Result<MatchMode> {
    MatchMode::parse(&v).ok_or_else(|| bad_value("match mode", &v))
}

/// A term from the columns `id, text, part_of_speech, gender, number, status, term_type,
/// context, usage_note, source, match_mode, created_at, created_by, changed_at, changed_by`
/// starting at `at`.
fn term_from_row(r: &Row<'_>, at: usize) -> rusqlite::Result<Term> {
    Ok(Term {
        id: Some(r.get(at)?),
        text: r.get(at + 1)?,
        part_of_speech: r.get::<_, Option<String>>(at + 2)?.map(|v| PartOfSpeech::parse(&v)),
        gender: r.get::<_, Option<String>>(at + 3)?.map(|v| Gender::parse(&v)),
        number: r.get::<_, Option<String>>(at + 4)?.map(|v| Number::parse(&v)),
        status: status_from_sql(r.get(at + 5)?)?,
        term_type: r.get(at + 6)?,
        context: r.get(at + 7)?,
        usage_note: r.get(at + 8)?,
        source: r.get(at + 9)?,
        match_mode: mode_from_sql(r.get(at + 10)?)?,
        stamp: Stamp {
            created_at: r.get(at + 11)?,
            created_by: r.get(at + 12)?,
            changed_at: r.get(at + 13)?,
            changed_by: r.get(at + 14)?,
        },
    })
}

/// One difference between two versions of a concept.
struct FieldChange {
    what: String,
    field: Option<String>,
    old: Option<String>,
    new: Option<String>,
}

fn term_label(id: i64, lang: &str, text: &str) -> String {
    format!("term {id} ({lang}) «{text}»")
}

fn same_term_content(a: &Term, b: &Term) -> bool {
    term_fields(a) == term_fields(b)
}

fn term_fields(t: &Term) -> [(&'static str, Option<String>); 10] {
    [
        ("text", Some(t.text.clone())),
        ("part_of_speech", t.part_of_speech.map(|v| v.as_str().to_string())),
        ("gender", t.gender.map(|v| v.as_str().to_string())),
        ("number", t.number.map(|v| v.as_str().to_string())),
        ("status", t.status.map(|v| v.as_str().to_string())),
        ("term_type", t.term_type.clone()),
        ("context", t.context.clone()),
        ("usage_note", t.usage_note.clone()),
        ("source", t.source.clone()),
        ("match_mode", Some(t.match_mode.as_str().to_string())),
    ]
}

fn xrefs_text(c: &Concept) -> Option<String> {
    if c.cross_references.is_empty() {
        return None;
    }
    Some(
        c.cross_references
            .iter()
            .map(|x| match &x.target {
                Some(t) => format!("{}: {} → {}", x.kind.as_str(), x.text, t),
                None => format!("{}: {}", x.kind.as_str(), x.text),
            })
            .collect::<Vec<_>>()
            .join("; "),
    )
}

fn diff_concept(old: &Concept, new: &Concept) -> Vec<FieldChange> {
    let mut out = Vec::new();
    let mut field = |what: &str, name: &str, a: Option<String>, b: Option<String>| {
        if a != b {
            out.push(FieldChange { what: what.into(), field: Some(name.into()), old: a, new: b });
        }
    };
    if new.external_id.is_some() {
        field("concept", "id", old.external_id.clone(), new.external_id.clone());
    }
    field("concept", "subject_field", old.subject_field.clone(), new.subject_field.clone());
    field("concept", "definition", old.definition.clone(), new.definition.clone());
    field("concept", "note", old.note.clone(), new.note.clone());
    field("concept", "source", old.source.clone(), new.source.clone());
    field("concept", "cross_references", xrefs_text(old), xrefs_text(new));
    for s in &new.languages {
        let before = old.section(&s.lang);
        field(
            &s.lang,
            "definition",
            before.and_then(|b| b.definition.clone()),
            s.definition.clone(),
        );
        field(&s.lang, "note", before.and_then(|b| b.note.clone()), s.note.clone());
    }
    for s in &old.languages {
        if new.section(&s.lang).is_none() {
            field(&s.lang, "definition", s.definition.clone(), None);
            field(&s.lang, "note", s.note.clone(), None);
        }
    }
    let old_terms: Vec<(&str, &Term)> = old
        .languages
        .iter()
        .flat_map(|s| s.terms.iter().map(move |t| (s.lang.as_str(), t)))
        .collect();
    for s in &new.languages {
        for t in &s.terms {
            let before = t.id.and_then(|id| old_terms.iter().find(|(_, o)| o.id == Some(id)));
            match before {
                None => out.push(FieldChange {
                    what: format!("term ({})", s.lang),
                    field: None,
                    old: None,
                    new: Some(t.text.clone()),
                }),
                Some((old_lang, o)) => {
                    let label = term_label(o.id.unwrap_or(0), old_lang, &o.text);
                    if *old_lang != s.lang {
                        out.push(FieldChange {
                            what: label.clone(),
                            field: Some("lang".into()),
                            old: Some(old_lang.to_string()),
                            new: Some(s.lang.clone()),
                        });
                    }
                    for ((name, a), (_, b)) in term_fields(o).into_iter().zip(term_fields(t)) {
                        if a != b {
                            out.push(FieldChange {
                                what: label.clone(),
                                field: Some(name.into()),
                                old: a,
                                new: b,
                            });
                        }
                    }
                }
            }
        }
    }
    for (lang, o) in &old_terms {
        let kept =
            new.languages.iter().any(|s| s.terms.iter().any(|t| t.id.is_some() && t.id == o.id));
        if !kept {
            out.push(FieldChange {
                what: term_label(o.id.unwrap_or(0), lang, &o.text),
                field: None,
                old: Some(o.text.clone()),
                new: None,
            });
        }
    }
    out
}

/// A one-line description of a concept for the history: its terms by language.
fn summary(c: &Concept) -> String {
    c.languages
        .iter()
        .filter(|s| !s.terms.is_empty())
        .map(|s| {
            let terms: Vec<&str> = s.terms.iter().map(|t| t.text.as_str()).collect();
            format!("{}: {}", s.lang, terms.join(", "))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[allow(clippy::too_many_arguments)]
fn record(
    tx: &rusqlite::Connection,
    tb: i64,
    concept_id: i64,
    at: &str,
    by: Option<&str>,
    action: &str,
    what: &str,
    field: Option<&str>,
    old: Option<&str>,
    new: Option<&str>,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO concept_change (termbase_id, concept_id, at, by, action, what, field,
                                     old_value, new_value)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![tb, concept_id, at, by, action, what, field, old, new])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn concept(terms: &[(&str, &str)]) -> Concept {
        let mut c = Concept::default();
        for (lang, text) in terms {
            c.section_mut(lang).terms.push(Term::new(*text));
        }
        c
    }

    #[test]
    fn create_read_update_delete_with_history() {
        let mut store = Store::open_in_memory().unwrap();
        store.create_termbase("tb", None).unwrap();
        let c = store
            .create_concept("tb", &concept(&[("ru", "гарантия"), ("en", "guarantee")]), Some("ann"))
            .unwrap();
        let ext = c.external_id.clone().unwrap();
        assert!(ext.starts_with("tmbase-"), "{ext}");
        let mut edited = store.concept("tb", &ConceptKey(ext.clone())).unwrap();
        assert_eq!(edited, c);
        edited.definition = Some("обязательство".into());
        edited.section_mut("ru").terms[0].status = Some(TermStatus::Preferred);
        edited.section_mut("en").terms.push(Term::new("warranty"));
        let updated = store.update_concept("tb", &edited, Some("bob")).unwrap();
        assert_eq!(updated.section("en").unwrap().terms.len(), 2);
        assert_eq!(updated.stamp.changed_by.as_deref(), Some("bob"));
        let history = store.concept_history("tb", &ConceptKey(ext.clone())).unwrap();
        let actions: Vec<(&str, Option<&str>)> =
            history.iter().map(|h| (h.action.as_str(), h.field.as_deref())).collect();
        assert_eq!(
            actions,
            [
                ("created", None),
                ("updated", Some("definition")),
                ("updated", Some("status")),
                ("updated", None)
            ]
        );
        store.delete_concept("tb", &ConceptKey(ext.clone()), Some("ann")).unwrap();
        assert!(store.concept("tb", &ConceptKey(ext)).is_err());
        let history = store.concept_history("tb", &ConceptKey::from(c.id.unwrap())).unwrap();
        assert_eq!(history.last().unwrap().action, "deleted");
    }

    #[test]
    fn search_is_case_and_yo_insensitive() {
        let mut store = Store::open_in_memory().unwrap();
        store.create_termbase("tb", None).unwrap();
        store.create_concept("tb", &concept(&[("ru", "Ёмкость хранилища")]), None).unwrap();
        store.create_concept("tb", &concept(&[("ru", "емкостный датчик")]), None).unwrap();
        let search = |q: &str, mode| {
            store
                .search_terms("tb", &TermSearch { query: q.into(), mode, lang: None, limit: 10 })
                .unwrap()
                .into_iter()
                .map(|h| h.term.text)
                .collect::<Vec<_>>()
        };
        assert_eq!(search("ЕМКОСТ", SearchMode::Prefix).len(), 2);
        assert_eq!(search("хранилищ", SearchMode::Substring), ["Ёмкость хранилища"]);
        assert!(search("хранилищ", SearchMode::Prefix).is_empty());
    }
}
