-- Coffer store, SQLite schema version 2: finding a key by its id alone.
--
-- Once landed this file is never edited: change the schema with the next numbered file.
-- A ciphertext names its key by id only; decrypting it without naming the key looks the key
-- up in every account of the region, which the primary key (account first) cannot serve.

CREATE INDEX keys_by_region_and_id ON keys (region, key_id);
