-- Coffer store, SQLite schema version 1: keys, key versions, tags, aliases, settings.
--
-- Once landed this file is never edited: change the schema with the next numbered file.
-- Times are epoch milliseconds. Booleans are 0 or 1. Unsigned 32-bit fields are checked
-- to be in range. Every key is scoped to (account, region); so is everything hanging off it.

CREATE TABLE keys (
    account              TEXT    NOT NULL,
    region               TEXT    NOT NULL,
    key_id               TEXT    NOT NULL,
    arn                  TEXT    NOT NULL,
    description          TEXT    NOT NULL,
    key_usage            TEXT    NOT NULL,
    key_spec             TEXT    NOT NULL,
    origin               TEXT    NOT NULL,
    key_state            TEXT    NOT NULL,
    creation_date        INTEGER NOT NULL,
    deletion_date        INTEGER,
    pending_window_days  INTEGER CHECK (pending_window_days BETWEEN 0 AND 4294967295),
    policy               TEXT    NOT NULL,
    rotation_enabled     INTEGER NOT NULL CHECK (rotation_enabled IN (0, 1)),
    rotation_period_days INTEGER CHECK (rotation_period_days BETWEEN 0 AND 4294967295),
    next_rotation_date   INTEGER,
    current_version      INTEGER NOT NULL CHECK (current_version BETWEEN 0 AND 4294967295),
    on_demand_rotations  INTEGER NOT NULL CHECK (on_demand_rotations BETWEEN 0 AND 4294967295),
    revision             INTEGER NOT NULL CHECK (revision >= 1),
    PRIMARY KEY (account, region, key_id)
) STRICT;

-- The deletion sweep and the rotation sweep look across every account and region.
CREATE INDEX keys_pending_deletion ON keys (deletion_date)
    WHERE key_state = 'PendingDeletion';
CREATE INDEX keys_due_rotation ON keys (next_rotation_date)
    WHERE rotation_enabled = 1;

CREATE TABLE key_versions (
    account         TEXT    NOT NULL,
    region          TEXT    NOT NULL,
    key_id          TEXT    NOT NULL,
    version         INTEGER NOT NULL CHECK (version BETWEEN 0 AND 4294967295),
    sealed_material BLOB    NOT NULL,
    created         INTEGER NOT NULL,
    rotation_type   TEXT,
    PRIMARY KEY (account, region, key_id, version),
    FOREIGN KEY (account, region, key_id)
        REFERENCES keys (account, region, key_id) ON DELETE CASCADE
) STRICT;

CREATE TABLE tags (
    account   TEXT NOT NULL,
    region    TEXT NOT NULL,
    key_id    TEXT NOT NULL,
    tag_key   TEXT NOT NULL,
    tag_value TEXT NOT NULL,
    PRIMARY KEY (account, region, key_id, tag_key),
    FOREIGN KEY (account, region, key_id)
        REFERENCES keys (account, region, key_id) ON DELETE CASCADE
) STRICT;

CREATE TABLE aliases (
    account           TEXT    NOT NULL,
    region            TEXT    NOT NULL,
    name              TEXT    NOT NULL,
    target_key_id     TEXT    NOT NULL,
    creation_date     INTEGER NOT NULL,
    last_updated_date INTEGER NOT NULL,
    PRIMARY KEY (account, region, name),
    FOREIGN KEY (account, region, target_key_id)
        REFERENCES keys (account, region, key_id) ON DELETE CASCADE
) STRICT;

-- Listing the aliases of one key, and the cascade when that key is deleted.
CREATE INDEX aliases_by_target ON aliases (account, region, target_key_id, name);

CREATE TABLE settings (
    name  TEXT NOT NULL PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;
