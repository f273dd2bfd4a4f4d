-- Translation memories: named memories of multilingual units with every TMX attribute,
-- annotation and inline code kept. Applied once; never edited after it has landed.

CREATE TABLE memory (
    id                  INTEGER PRIMARY KEY,
    name                TEXT NOT NULL UNIQUE,
    created_at          TEXT NOT NULL,
    -- The TMX header this memory was first filled from.
    srclang             TEXT,
    adminlang           TEXT,
    creationtool        TEXT,
    creationtoolversion TEXT,
    creationdate        TEXT,
    creationid          TEXT,
    changedate          TEXT,
    changeid            TEXT,
    o_tmf               TEXT,
    datatype            TEXT,
    segtype             TEXT,
    o_encoding          TEXT,
    -- Points taken off every match from this memory (set by the user).
    penalty             INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE memory_annotation (
    memory_id  INTEGER NOT NULL REFERENCES memory(id) ON DELETE CASCADE,
    ord        INTEGER NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('prop', 'note')),
    prop_type  TEXT,
    lang       TEXT,
    o_encoding TEXT,
    value      TEXT NOT NULL,
    PRIMARY KEY (memory_id, ord)
) WITHOUT ROWID;

CREATE TABLE unit (
    id                  INTEGER PRIMARY KEY,
    memory_id           INTEGER NOT NULL REFERENCES memory(id) ON DELETE CASCADE,
    tuid                TEXT,
    srclang             TEXT,
    creationtool        TEXT,
    creationtoolversion TEXT,
    creationdate        TEXT,
    creationid          TEXT,
    changedate          TEXT,
    changeid            TEXT,
    lastusagedate       TEXT,
    usagecount          INTEGER,
    o_tmf               TEXT,
    datatype            TEXT,
    segtype             TEXT,
    o_encoding          TEXT,
    -- Hash of the variants' languages and segment XML: finds duplicates on import.
    content_hash        INTEGER NOT NULL,
    -- The previous and next source segments (normalised), where the TMX carried them:
    -- x-context-pre/x-context-post, OmegaT prev/next, Swordfish prev-*/next-* props.
    ctx_prev            TEXT,
    ctx_next            TEXT
);
CREATE INDEX unit_by_memory ON unit(memory_id);
CREATE INDEX unit_by_memory_hash ON unit(memory_id, content_hash);
CREATE INDEX unit_by_memory_tuid ON unit(memory_id, tuid) WHERE tuid IS NOT NULL;

CREATE TABLE unit_annotation (
    unit_id    INTEGER NOT NULL REFERENCES unit(id) ON DELETE CASCADE,
    ord        INTEGER NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('prop', 'note')),
    prop_type  TEXT,
    lang       TEXT,
    o_encoding TEXT,
    value      TEXT NOT NULL,
    PRIMARY KEY (unit_id, ord)
) WITHOUT ROWID;

-- Keyed by (unit, position in the unit): a unit's variants are stored together, in order.
CREATE TABLE variant (
    unit_id             INTEGER NOT NULL REFERENCES unit(id) ON DELETE CASCADE,
    ord                 INTEGER NOT NULL,
    -- Canonical BCP 47 tag (ru-RU, en-GB).
    lang                TEXT NOT NULL,
    -- The <seg> content as XML (text and inline codes exactly as they came in); NULL when
    -- the segment has no markup, and then `plain` is the whole segment.
    seg                 TEXT,
    -- The text without markup, and its normalised form for matching.
    plain               TEXT NOT NULL,
    norm                TEXT NOT NULL,
    -- How many inline elements the segment holds (for the markup penalty).
    tags                INTEGER NOT NULL DEFAULT 0,
    creationtool        TEXT,
    creationtoolversion TEXT,
    creationdate        TEXT,
    creationid          TEXT,
    changedate          TEXT,
    changeid            TEXT,
    lastusagedate       TEXT,
    usagecount          INTEGER,
    o_tmf               TEXT,
    datatype            TEXT,
    o_encoding          TEXT,
    PRIMARY KEY (unit_id, ord)
) WITHOUT ROWID;

CREATE TABLE variant_annotation (
    unit_id     INTEGER NOT NULL,
    variant_ord INTEGER NOT NULL,
    ord         INTEGER NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('prop', 'note')),
    prop_type  TEXT,
    lang       TEXT,
    o_encoding TEXT,
    value      TEXT NOT NULL,
    PRIMARY KEY (unit_id, variant_ord, ord),
    FOREIGN KEY (unit_id, variant_ord) REFERENCES variant(unit_id, ord) ON DELETE CASCADE
) WITHOUT ROWID;
