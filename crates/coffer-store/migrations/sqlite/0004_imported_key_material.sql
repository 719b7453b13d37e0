-- Coffer store, SQLite schema version 4: importing key material.
--
-- Once landed this file is never edited: change the schema with the next numbered file.
-- A key whose material is imported asks for import parameters first: a wrapping key pair,
-- whose private half is sealed by the service before it arrives here, named by the id its
-- import token carries, and valid until `valid_to`. Each imported material is a key
-- version (its sealed bytes live in key_versions, empty while the material is absent);
-- beside it, the fingerprint that recognises the same material when it is imported again,
-- and its expiration. A material that expired or was deleted keeps its row, without an
-- expiration model, so that the same material can come back. Rows go with their key.

CREATE TABLE import_parameters (
    account             TEXT    NOT NULL,
    region              TEXT    NOT NULL,
    key_id              TEXT    NOT NULL,
    token_id            TEXT    NOT NULL,
    wrapping_algorithm  TEXT    NOT NULL,
    wrapping_key_spec   TEXT    NOT NULL,
    sealed_wrapping_key BLOB    NOT NULL,
    created             INTEGER NOT NULL,
    valid_to            INTEGER NOT NULL,
    PRIMARY KEY (account, region, key_id, token_id),
    FOREIGN KEY (account, region, key_id)
        REFERENCES keys (account, region, key_id) ON DELETE CASCADE
) STRICT;

CREATE TABLE imported_materials (
    account          TEXT    NOT NULL,
    region           TEXT    NOT NULL,
    key_id           TEXT    NOT NULL,
    version          INTEGER NOT NULL CHECK (version BETWEEN 0 AND 4294967295),
    fingerprint      BLOB    NOT NULL,
    description      TEXT,
    expiration_model TEXT,
    valid_to         INTEGER,
    imported         INTEGER NOT NULL,
    PRIMARY KEY (account, region, key_id, version),
    FOREIGN KEY (account, region, key_id, version)
        REFERENCES key_versions (account, region, key_id, version) ON DELETE CASCADE
) STRICT;

-- The expiry sweep looks across every account and region.
CREATE INDEX imported_materials_expiring ON imported_materials (valid_to)
    WHERE expiration_model = 'KEY_MATERIAL_EXPIRES';
