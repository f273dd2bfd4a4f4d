-- Term bases after TBX (ISO 30042): term base → concept → language section → term, and the
-- history of every change. Applied once; never edited after it has landed.

CREATE TABLE termbase (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    description TEXT,
    created_at  TEXT NOT NULL
);

CREATE TABLE concept (
    id            INTEGER PRIMARY KEY,
    termbase_id   INTEGER NOT NULL REFERENCES termbase(id) ON DELETE CASCADE,
    -- The concept id in files (TBX @id), unique in its term base.
    external_id   TEXT NOT NULL,
    subject_field TEXT,
    definition    TEXT,
    note          TEXT,
    source        TEXT,
    created_at    TEXT,
    created_by    TEXT,
    changed_at    TEXT,
    changed_by    TEXT,
    -- Hash of the concept's languages and terms: finds duplicates on import.
    content_hash  INTEGER NOT NULL,
    UNIQUE (termbase_id, external_id)
);
CREATE INDEX concept_by_hash ON concept(termbase_id, content_hash);

CREATE TABLE concept_xref (
    concept_id INTEGER NOT NULL REFERENCES concept(id) ON DELETE CASCADE,
    ord        INTEGER NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('concept', 'external', 'graphic')),
    target     TEXT,
    text       TEXT NOT NULL,
    PRIMARY KEY (concept_id, ord)
) WITHOUT ROWID;

CREATE TABLE lang_section (
    concept_id INTEGER NOT NULL REFERENCES concept(id) ON DELETE CASCADE,
    -- Canonical BCP 47 tag.
    lang       TEXT NOT NULL,
    ord        INTEGER NOT NULL,
    definition TEXT,
    note       TEXT,
    PRIMARY KEY (concept_id, lang)
) WITHOUT ROWID;

CREATE TABLE term (
    id             INTEGER PRIMARY KEY,
    concept_id     INTEGER NOT NULL REFERENCES concept(id) ON DELETE CASCADE,
    -- The concept's term base, repeated so that searches need no join.
    termbase_id    INTEGER NOT NULL REFERENCES termbase(id) ON DELETE CASCADE,
    lang           TEXT NOT NULL,
    ord            INTEGER NOT NULL,
    text           TEXT NOT NULL,
    -- text::normalize_for_matching(text): what searches compare (case- and ё-insensitive).
    norm           TEXT NOT NULL,
    part_of_speech TEXT CHECK (part_of_speech IN ('noun', 'verb', 'adjective', 'adverb', 'other')),
    gender         TEXT CHECK (gender IN ('masculine', 'feminine', 'neuter', 'other')),
    number         TEXT CHECK (number IN ('singular', 'plural', 'dual', 'mass', 'other')),
    status         TEXT CHECK (status IN ('preferred', 'admitted', 'deprecated', 'superseded',
                                          'forbidden', 'do-not-translate')),
    term_type      TEXT,
    context        TEXT,
    usage_note     TEXT,
    source         TEXT,
    match_mode     TEXT NOT NULL DEFAULT 'stemmed'
                   CHECK (match_mode IN ('stemmed', 'exact', 'case-sensitive')),
    created_at     TEXT,
    created_by     TEXT,
    changed_at     TEXT,
    changed_by     TEXT
);
CREATE INDEX term_by_concept ON term(concept_id, lang, ord);
CREATE INDEX term_by_norm ON term(termbase_id, norm);
CREATE INDEX term_by_lang ON term(termbase_id, lang);

-- Every change, field by field. No foreign key to concept: the history of a deleted concept
-- stays listable.
CREATE TABLE concept_change (
    id          INTEGER PRIMARY KEY,
    termbase_id INTEGER NOT NULL REFERENCES termbase(id) ON DELETE CASCADE,
    concept_id  INTEGER NOT NULL,
    at          TEXT NOT NULL,
    by          TEXT,
    action      TEXT NOT NULL CHECK (action IN ('created', 'imported', 'updated', 'deleted')),
    what        TEXT NOT NULL,
    field       TEXT,
    old_value   TEXT,
    new_value   TEXT
);
CREATE INDEX concept_change_by_concept ON concept_change(concept_id, id);
