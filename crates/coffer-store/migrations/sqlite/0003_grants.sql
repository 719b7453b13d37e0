-- Coffer store, SQLite schema version 3: grants.
--
-- Once landed this file is never edited: change the schema with the next numbered file.
-- A grant lives beside its key, in the key's (account, region), and goes with it. Its id is
-- unique everywhere, as a grant token names the grant alone. Operations are a JSON array of
-- names; the encryption-context constraints are JSON objects. The token secret is sealed
-- by the service before it arrives here.

CREATE TABLE grants (
    grant_id            TEXT    NOT NULL PRIMARY KEY,
    account             TEXT    NOT NULL,
    region              TEXT    NOT NULL,
    key_id              TEXT    NOT NULL,
    name                TEXT,
    creation_date       INTEGER NOT NULL,
    grantee_principal   TEXT    NOT NULL,
    retiring_principal  TEXT,
    issuing_account     TEXT    NOT NULL,
    operations          TEXT    NOT NULL,
    ec_equals           TEXT,
    ec_subset           TEXT,
    sealed_token_secret BLOB    NOT NULL,
    FOREIGN KEY (account, region, key_id)
        REFERENCES keys (account, region, key_id) ON DELETE CASCADE
) STRICT;

-- Listing the grants of one key, of one grantee on a key (authorization reads these), the
-- grants of one name, and the cascade when the key is deleted.
CREATE INDEX grants_by_key ON grants (account, region, key_id, grant_id);
CREATE INDEX grants_by_grantee ON grants (account, region, key_id, grantee_principal, grant_id);
CREATE INDEX grants_by_name ON grants (account, region, key_id, name) WHERE name IS NOT NULL;

-- Listing the grants a principal may retire, across the accounts of a region.
CREATE INDEX grants_by_retiring ON grants (region, retiring_principal, grant_id)
    WHERE retiring_principal IS NOT NULL;
