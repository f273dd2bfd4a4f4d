-- API keys for the HTTP server. Only a SHA-256 hash of each key is kept; `prefix` (the key's
-- first characters) finds the row, then the hash is compared in constant time.
CREATE TABLE api_key (
    id         INTEGER PRIMARY KEY,
    prefix     TEXT NOT NULL UNIQUE,
    hash       BLOB NOT NULL,
    name       TEXT NOT NULL,
    scope      TEXT NOT NULL CHECK (scope IN ('read', 'write', 'admin')),
    -- When set, the key works for this memory only.
    memory     TEXT,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
