//! The embedded back end: one SQLite database file, one connection behind a mutex.
//!
//! The database runs in WAL mode with `synchronous=FULL`, so a write is on disk before the
//! call that made it returns: it survives the process being killed and the machine losing
//! power. Foreign keys are on; a writer from another process is waited for up to
//! [`BUSY_TIMEOUT`].

mod grants;
mod imports;
mod migrate;
mod row;

use std::path::Path;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use rusqlite::{
    Connection, ErrorCode, OptionalExtension, Transaction, TransactionBehavior, params,
};

use crate::{
    AliasRecord, GrantRecord, ImportParametersRecord, ImportedMaterialRecord, KeyRecord,
    KeyVersion, Page, Store, StoreError, Tag,
};
use row::{ALIAS_COLUMNS, KEY_COLUMNS, VERSION_COLUMNS};

/// `find_key`'s filter: one region, one key id, any account; two rows are enough to tell
/// that an id is held twice.
const FIND_KEY_WHERE: &str = "WHERE region = ?1 AND key_id = ?2 ORDER BY account LIMIT 2";

/// How long a call waits for another process's write lock before it fails.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The SQLite store: the embedded default.
pub struct SqliteStore {
    conn: Mutex<Connection>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore").finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Opens (creating if need be) the database file at `path` and brings its schema up to
    /// date. The parent folder must exist.
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        let conn = Connection::open(path)
            .map_err(|e| StoreError::Backend(format!("cannot open `{}`: {e}", path.display())))?;
        Self::init(conn)
    }

    /// Opens a fresh database that lives in memory and vanishes with the store.
    pub fn open_in_memory() -> Result<SqliteStore, StoreError> {
        Self::init(Connection::open_in_memory().db()?)
    }

    fn init(mut conn: Connection) -> Result<SqliteStore, StoreError> {
        conn.busy_timeout(BUSY_TIMEOUT).db()?;
        // WAL for readers beside a writer; an in-memory database answers `memory`.
        let _mode: String =
            conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0)).db()?;
        conn.pragma_update(None, "synchronous", "FULL").db()?;
        conn.pragma_update(None, "foreign_keys", "ON").db()?;
        let foreign_keys: i64 =
            conn.pragma_query_value(None, "foreign_keys", |row| row.get(0)).db()?;
        if foreign_keys != 1 {
            return Err(StoreError::Backend(
                "this SQLite build cannot enforce foreign keys".into(),
            ));
        }
        migrate::apply(&mut conn)?;
        Ok(SqliteStore { conn: Mutex::new(conn) })
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while the lock was held dropped its transaction, which rolled back: the
        // connection is still sound.
        self.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `f` in a write transaction, committed only if `f` succeeds.
    fn write<T>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).db()?;
        let out = f(&tx)?;
        tx.commit().db()?;
        Ok(out)
    }

    /// Runs `f` in a read transaction, so that its statements see one snapshot.
    fn read<T>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Deferred).db()?;
        let out = f(&tx)?;
        tx.finish().db()?;
        Ok(out)
    }
}

/// A back-end error as a [`StoreError`]: a damaged file is `Corrupt`, the rest `Backend`.
pub(crate) fn db_error(e: rusqlite::Error) -> StoreError {
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => {
            StoreError::Corrupt(e.to_string())
        }
        _ => StoreError::Backend(e.to_string()),
    }
}

/// `.db()?` turns a back-end error into a [`StoreError`].
trait Db<T> {
    fn db(self) -> Result<T, StoreError>;
}

impl<T> Db<T> for rusqlite::Result<T> {
    fn db(self) -> Result<T, StoreError> {
        self.map_err(db_error)
    }
}

fn key_what(account: &str, region: &str, key_id: &str) -> String {
    format!("key `{key_id}` in account `{account}` region `{region}`")
}

fn alias_what(account: &str, region: &str, name: &str) -> String {
    format!("alias `{name}` in account `{account}` region `{region}`")
}

fn key_exists(
    tx: &Transaction<'_>,
    account: &str,
    region: &str,
    key_id: &str,
) -> Result<bool, StoreError> {
    tx.query_row(
        "SELECT 1 FROM keys WHERE account = ?1 AND region = ?2 AND key_id = ?3",
        params![account, region, key_id],
        |_| Ok(()),
    )
    .optional()
    .db()
    .map(|found| found.is_some())
}

fn require_key(
    tx: &Transaction<'_>,
    account: &str,
    region: &str,
    key_id: &str,
) -> Result<(), StoreError> {
    if key_exists(tx, account, region, key_id)? {
        Ok(())
    } else {
        Err(StoreError::NotFound { what: key_what(account, region, key_id) })
    }
}

fn alias_exists(
    tx: &Transaction<'_>,
    account: &str,
    region: &str,
    name: &str,
) -> Result<bool, StoreError> {
    tx.query_row(
        "SELECT 1 FROM aliases WHERE account = ?1 AND region = ?2 AND name = ?3",
        params![account, region, name],
        |_| Ok(()),
    )
    .optional()
    .db()
    .map(|found| found.is_some())
}

/// Runs a query and reads every row with `read`.
fn collect<T>(
    tx: &Transaction<'_>,
    sql: &str,
    params: impl rusqlite::Params,
    read: impl Fn(&rusqlite::Row<'_>) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError> {
    let mut stmt = tx.prepare_cached(sql).db()?;
    let mut rows = stmt.query(params).db()?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().db()? {
        out.push(read(row)?);
    }
    Ok(out)
}

/// How many rows to fetch for a page of `limit`: one more, to learn whether more follow.
fn fetch_count(limit: usize) -> i64 {
    i64::try_from(limit.max(1).saturating_add(1)).unwrap_or(i64::MAX)
}

/// Cuts a fetched run of rows into a page of `limit` items and its marker.
fn page<T>(mut items: Vec<T>, limit: usize, marker: impl Fn(&T) -> &str) -> Page<T> {
    let limit = limit.max(1);
    if items.len() <= limit {
        return Page { items, next: None };
    }
    items.truncate(limit);
    let next = items.last().map(|last| marker(last).to_owned());
    Page { items, next }
}

fn u64_param(value: u64) -> Option<i64> {
    i64::try_from(value).ok()
}

fn insert_key(tx: &Transaction<'_>, key: &KeyRecord, revision: i64) -> Result<(), StoreError> {
    let sql = format!(
        "INSERT INTO keys ({KEY_COLUMNS}) VALUES \
         (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)"
    );
    tx.prepare_cached(&sql)
        .db()?
        .execute(params![
            key.account,
            key.region,
            key.key_id,
            key.arn,
            key.description,
            key.key_usage,
            key.key_spec,
            key.origin,
            key.key_state,
            key.creation_date,
            key.deletion_date,
            key.pending_window_days,
            key.policy,
            key.rotation_enabled,
            key.rotation_period_days,
            key.next_rotation_date,
            key.current_version,
            key.on_demand_rotations,
            revision,
        ])
        .db()?;
    Ok(())
}

/// The revision-checked update shared by `update_key` and `add_key_version`.
fn update_key_in(tx: &Transaction<'_>, key: &KeyRecord) -> Result<KeyRecord, StoreError> {
    let expected = u64_param(key.revision);
    let changed = tx
        .prepare_cached(
            "UPDATE keys SET arn = ?4, description = ?5, key_usage = ?6, key_spec = ?7, \
             origin = ?8, key_state = ?9, creation_date = ?10, deletion_date = ?11, \
             pending_window_days = ?12, policy = ?13, rotation_enabled = ?14, \
             rotation_period_days = ?15, next_rotation_date = ?16, current_version = ?17, \
             on_demand_rotations = ?18, revision = revision + 1 \
             WHERE account = ?1 AND region = ?2 AND key_id = ?3 AND revision = ?19",
        )
        .db()?
        .execute(params![
            key.account,
            key.region,
            key.key_id,
            key.arn,
            key.description,
            key.key_usage,
            key.key_spec,
            key.origin,
            key.key_state,
            key.creation_date,
            key.deletion_date,
            key.pending_window_days,
            key.policy,
            key.rotation_enabled,
            key.rotation_period_days,
            key.next_rotation_date,
            key.current_version,
            key.on_demand_rotations,
            expected,
        ])
        .db()?;
    if changed == 1 {
        let mut updated = key.clone();
        updated.revision = key.revision.saturating_add(1);
        return Ok(updated);
    }

    let stored: Option<i64> = tx
        .query_row(
            "SELECT revision FROM keys WHERE account = ?1 AND region = ?2 AND key_id = ?3",
            params![key.account, key.region, key.key_id],
            |row| row.get(0),
        )
        .optional()
        .db()?;
    let what = key_what(&key.account, &key.region, &key.key_id);
    Err(match stored {
        None => StoreError::NotFound { what },
        Some(stored) => StoreError::Conflict {
            what: format!(
                "{what} is at revision {stored}, the update was based on revision {}",
                key.revision
            ),
        },
    })
}

/// Checks that a version names the key it is added to.
fn version_belongs(key: &KeyRecord, version: &KeyVersion) -> Result<(), StoreError> {
    if version.key_id == key.key_id {
        Ok(())
    } else {
        Err(StoreError::Conflict {
            what: format!(
                "key version {} names key `{}`, but is being added to {}",
                version.version,
                version.key_id,
                key_what(&key.account, &key.region, &key.key_id)
            ),
        })
    }
}

fn insert_version(
    tx: &Transaction<'_>,
    key: &KeyRecord,
    version: &KeyVersion,
) -> Result<(), StoreError> {
    let taken = tx
        .query_row(
            "SELECT 1 FROM key_versions \
             WHERE account = ?1 AND region = ?2 AND key_id = ?3 AND version = ?4",
            params![key.account, key.region, key.key_id, version.version],
            |_| Ok(()),
        )
        .optional()
        .db()?
        .is_some();
    if taken {
        return Err(StoreError::AlreadyExists {
            what: format!(
                "version {} of {}",
                version.version,
                key_what(&key.account, &key.region, &key.key_id)
            ),
        });
    }
    tx.prepare_cached(
        "INSERT INTO key_versions \
         (account, region, key_id, version, sealed_material, created, rotation_type) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )
    .db()?
    .execute(params![
        key.account,
        key.region,
        key.key_id,
        version.version,
        version.sealed_material,
        version.created,
        version.rotation_type,
    ])
    .db()?;
    Ok(())
}

fn upsert_tags(
    tx: &Transaction<'_>,
    account: &str,
    region: &str,
    key_id: &str,
    tags: &[Tag],
) -> Result<(), StoreError> {
    let mut stmt = tx
        .prepare_cached(
            "INSERT INTO tags (account, region, key_id, tag_key, tag_value) \
             VALUES (?1, ?2, ?3, ?4, ?5) \
             ON CONFLICT (account, region, key_id, tag_key) \
             DO UPDATE SET tag_value = excluded.tag_value",
        )
        .db()?;
    for tag in tags {
        stmt.execute(params![account, region, key_id, tag.key, tag.value]).db()?;
    }
    Ok(())
}

impl Store for SqliteStore {
    fn create_key(
        &self,
        key: &KeyRecord,
        first: &KeyVersion,
        tags: &[Tag],
    ) -> Result<KeyRecord, StoreError> {
        version_belongs(key, first)?;
        self.write(|tx| {
            if key_exists(tx, &key.account, &key.region, &key.key_id)? {
                return Err(StoreError::AlreadyExists {
                    what: key_what(&key.account, &key.region, &key.key_id),
                });
            }
            insert_key(tx, key, 1)?;
            insert_version(tx, key, first)?;
            upsert_tags(tx, &key.account, &key.region, &key.key_id, tags)?;
            let mut created = key.clone();
            created.revision = 1;
            Ok(created)
        })
    }

    fn get_key(
        &self,
        account: &str,
        region: &str,
        key_id: &str,
    ) -> Result<Option<KeyRecord>, StoreError> {
        self.read(|tx| {
            let sql = format!(
                "SELECT {KEY_COLUMNS} FROM keys WHERE account = ?1 AND region = ?2 AND key_id = ?3"
            );
            let mut found = collect(tx, &sql, params![account, region, key_id], row::key)?;
            Ok(found.pop())
        })
    }

    fn find_key(&self, region: &str, key_id: &str) -> Result<Option<KeyRecord>, StoreError> {
        self.read(|tx| {
            let sql = format!("SELECT {KEY_COLUMNS} FROM keys {FIND_KEY_WHERE}");
            let mut found = collect(tx, &sql, params![region, key_id], row::key)?;
            if found.len() > 1 {
                let accounts: Vec<&str> = found.iter().map(|k| k.account.as_str()).collect();
                return Err(StoreError::Conflict {
                    what: format!(
                        "key id `{key_id}` in region `{region}` is held by more than one \
                         account (`{}`)",
                        accounts.join("`, `")
                    ),
                });
            }
            Ok(found.pop())
        })
    }

    fn list_keys(
        &self,
        account: &str,
        region: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page<KeyRecord>, StoreError> {
        self.read(|tx| {
            let fetch = fetch_count(limit);
            let items = match after {
                None => collect(
                    tx,
                    &format!(
                        "SELECT {KEY_COLUMNS} FROM keys WHERE account = ?1 AND region = ?2 \
                         ORDER BY key_id LIMIT ?3"
                    ),
                    params![account, region, fetch],
                    row::key,
                )?,
                Some(after) => collect(
                    tx,
                    &format!(
                        "SELECT {KEY_COLUMNS} FROM keys \
                         WHERE account = ?1 AND region = ?2 AND key_id > ?3 \
                         ORDER BY key_id LIMIT ?4"
                    ),
                    params![account, region, after, fetch],
                    row::key,
                )?,
            };
            Ok(page(items, limit, |key| &key.key_id))
        })
    }

    fn update_key(&self, key: &KeyRecord) -> Result<KeyRecord, StoreError> {
        self.write(|tx| update_key_in(tx, key))
    }

    fn add_key_version(
        &self,
        key: &KeyRecord,
        version: &KeyVersion,
    ) -> Result<KeyRecord, StoreError> {
        version_belongs(key, version)?;
        self.write(|tx| {
            let updated = update_key_in(tx, key)?;
            insert_version(tx, key, version)?;
            Ok(updated)
        })
    }

    fn key_versions(
        &self,
        account: &str,
        region: &str,
        key_id: &str,
    ) -> Result<Vec<KeyVersion>, StoreError> {
        self.read(|tx| {
            require_key(tx, account, region, key_id)?;
            collect(
                tx,
                &format!(
                    "SELECT {VERSION_COLUMNS} FROM key_versions \
                     WHERE account = ?1 AND region = ?2 AND key_id = ?3 ORDER BY version"
                ),
                params![account, region, key_id],
                row::version,
            )
        })
    }

    fn delete_key(&self, account: &str, region: &str, key_id: &str) -> Result<(), StoreError> {
        self.write(|tx| {
            require_key(tx, account, region, key_id)?;
            grants::delete_of_key(tx, account, region, key_id)?;
            // The foreign keys cascade too; deleting explicitly keeps the contract visible.
            for sql in [
                "DELETE FROM aliases WHERE account = ?1 AND region = ?2 AND target_key_id = ?3",
                "DELETE FROM tags WHERE account = ?1 AND region = ?2 AND key_id = ?3",
                "DELETE FROM key_versions WHERE account = ?1 AND region = ?2 AND key_id = ?3",
                "DELETE FROM keys WHERE account = ?1 AND region = ?2 AND key_id = ?3",
            ] {
                tx.prepare_cached(sql).db()?.execute(params![account, region, key_id]).db()?;
            }
            Ok(())
        })
    }

    fn keys_pending_deletion(&self, before: i64) -> Result<Vec<KeyRecord>, StoreError> {
        self.read(|tx| {
            collect(
                tx,
                &format!(
                    "SELECT {KEY_COLUMNS} FROM keys \
                     WHERE key_state = 'PendingDeletion' AND deletion_date <= ?1 \
                     ORDER BY deletion_date, account, region, key_id"
                ),
                params![before],
                row::key,
            )
        })
    }

    fn keys_due_rotation(&self, before: i64) -> Result<Vec<KeyRecord>, StoreError> {
        self.read(|tx| {
            collect(
                tx,
                &format!(
                    "SELECT {KEY_COLUMNS} FROM keys \
                     WHERE rotation_enabled = 1 AND next_rotation_date <= ?1 \
                     ORDER BY next_rotation_date, account, region, key_id"
                ),
                params![before],
                row::key,
            )
        })
    }

    fn tags(&self, account: &str, region: &str, key_id: &str) -> Result<Vec<Tag>, StoreError> {
        self.read(|tx| {
            require_key(tx, account, region, key_id)?;
            collect(
                tx,
                "SELECT tag_key, tag_value FROM tags \
                 WHERE account = ?1 AND region = ?2 AND key_id = ?3 ORDER BY tag_key",
                params![account, region, key_id],
                row::tag,
            )
        })
    }

    fn put_tags(
        &self,
        account: &str,
        region: &str,
        key_id: &str,
        tags: &[Tag],
    ) -> Result<(), StoreError> {
        self.write(|tx| {
            require_key(tx, account, region, key_id)?;
            upsert_tags(tx, account, region, key_id, tags)
        })
    }

    fn remove_tags(
        &self,
        account: &str,
        region: &str,
        key_id: &str,
        keys: &[String],
    ) -> Result<(), StoreError> {
        self.write(|tx| {
            require_key(tx, account, region, key_id)?;
            let mut stmt = tx
                .prepare_cached(
                    "DELETE FROM tags \
                     WHERE account = ?1 AND region = ?2 AND key_id = ?3 AND tag_key = ?4",
                )
                .db()?;
            for tag_key in keys {
                stmt.execute(params![account, region, key_id, tag_key]).db()?;
            }
            Ok(())
        })
    }

    fn create_alias(&self, alias: &AliasRecord) -> Result<(), StoreError> {
        self.write(|tx| {
            if alias_exists(tx, &alias.account, &alias.region, &alias.name)? {
                return Err(StoreError::AlreadyExists {
                    what: alias_what(&alias.account, &alias.region, &alias.name),
                });
            }
            require_key(tx, &alias.account, &alias.region, &alias.target_key_id)?;
            tx.prepare_cached(&format!(
                "INSERT INTO aliases ({ALIAS_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
            ))
            .db()?
            .execute(params![
                alias.account,
                alias.region,
                alias.name,
                alias.target_key_id,
                alias.creation_date,
                alias.last_updated_date,
            ])
            .db()?;
            Ok(())
        })
    }

    fn get_alias(
        &self,
        account: &str,
        region: &str,
        name: &str,
    ) -> Result<Option<AliasRecord>, StoreError> {
        self.read(|tx| {
            let mut found = collect(
                tx,
                &format!(
                    "SELECT {ALIAS_COLUMNS} FROM aliases \
                     WHERE account = ?1 AND region = ?2 AND name = ?3"
                ),
                params![account, region, name],
                row::alias,
            )?;
            Ok(found.pop())
        })
    }

    fn update_alias(&self, alias: &AliasRecord) -> Result<(), StoreError> {
        self.write(|tx| {
            if !alias_exists(tx, &alias.account, &alias.region, &alias.name)? {
                return Err(StoreError::NotFound {
                    what: alias_what(&alias.account, &alias.region, &alias.name),
                });
            }
            require_key(tx, &alias.account, &alias.region, &alias.target_key_id)?;
            tx.prepare_cached(
                "UPDATE aliases SET target_key_id = ?4, creation_date = ?5, \
                 last_updated_date = ?6 WHERE account = ?1 AND region = ?2 AND name = ?3",
            )
            .db()?
            .execute(params![
                alias.account,
                alias.region,
                alias.name,
                alias.target_key_id,
                alias.creation_date,
                alias.last_updated_date,
            ])
            .db()?;
            Ok(())
        })
    }

    fn delete_alias(&self, account: &str, region: &str, name: &str) -> Result<(), StoreError> {
        self.write(|tx| {
            let deleted = tx
                .prepare_cached(
                    "DELETE FROM aliases WHERE account = ?1 AND region = ?2 AND name = ?3",
                )
                .db()?
                .execute(params![account, region, name])
                .db()?;
            if deleted == 0 {
                return Err(StoreError::NotFound { what: alias_what(account, region, name) });
            }
            Ok(())
        })
    }

    fn list_aliases(
        &self,
        account: &str,
        region: &str,
        key_id: Option<&str>,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page<AliasRecord>, StoreError> {
        self.read(|tx| {
            let fetch = fetch_count(limit);
            let select = format!("SELECT {ALIAS_COLUMNS} FROM aliases");
            let items = match (key_id, after) {
                (None, None) => collect(
                    tx,
                    &format!("{select} WHERE account = ?1 AND region = ?2 ORDER BY name LIMIT ?3"),
                    params![account, region, fetch],
                    row::alias,
                )?,
                (None, Some(after)) => collect(
                    tx,
                    &format!(
                        "{select} WHERE account = ?1 AND region = ?2 AND name > ?3 \
                         ORDER BY name LIMIT ?4"
                    ),
                    params![account, region, after, fetch],
                    row::alias,
                )?,
                (Some(key_id), None) => collect(
                    tx,
                    &format!(
                        "{select} WHERE account = ?1 AND region = ?2 AND target_key_id = ?3 \
                         ORDER BY name LIMIT ?4"
                    ),
                    params![account, region, key_id, fetch],
                    row::alias,
                )?,
                (Some(key_id), Some(after)) => collect(
                    tx,
                    &format!(
                        "{select} WHERE account = ?1 AND region = ?2 AND target_key_id = ?3 \
                         AND name > ?4 ORDER BY name LIMIT ?5"
                    ),
                    params![account, region, key_id, after, fetch],
                    row::alias,
                )?,
            };
            Ok(page(items, limit, |alias| &alias.name))
        })
    }

    fn get_setting(&self, name: &str) -> Result<Option<String>, StoreError> {
        self.read(|tx| {
            let mut found =
                collect(tx, "SELECT value FROM settings WHERE name = ?1", params![name], |row| {
                    row::Row::new(row, "settings").text("value")
                })?;
            Ok(found.pop())
        })
    }

    fn put_setting(&self, name: &str, value: &str) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.prepare_cached(
                "INSERT INTO settings (name, value) VALUES (?1, ?2) \
                 ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            )
            .db()?
            .execute(params![name, value])
            .db()?;
            Ok(())
        })
    }

    fn create_grant(&self, grant: &GrantRecord) -> Result<(), StoreError> {
        self.write(|tx| grants::insert(tx, grant))
    }

    fn get_grant(&self, grant_id: &str) -> Result<Option<GrantRecord>, StoreError> {
        self.read(|tx| grants::get(tx, grant_id))
    }

    fn grants_named(
        &self,
        account: &str,
        region: &str,
        key_id: &str,
        name: &str,
    ) -> Result<Vec<GrantRecord>, StoreError> {
        self.read(|tx| grants::named(tx, account, region, key_id, name))
    }

    fn list_grants(
        &self,
        account: &str,
        region: &str,
        key_id: &str,
        grantee: Option<&str>,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page<GrantRecord>, StoreError> {
        self.read(|tx| grants::of_key(tx, (account, region, key_id), grantee, after, limit))
    }

    fn list_retirable_grants(
        &self,
        region: &str,
        retiring: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page<GrantRecord>, StoreError> {
        self.read(|tx| grants::retirable(tx, region, retiring, after, limit))
    }

    fn count_grants(
        &self,
        account: &str,
        region: &str,
        key_id: &str,
        grantee: Option<&str>,
    ) -> Result<u64, StoreError> {
        self.read(|tx| grants::count(tx, (account, region, key_id), grantee))
    }

    fn delete_grant(&self, grant_id: &str) -> Result<(), StoreError> {
        self.write(|tx| grants::delete(tx, grant_id))
    }

    fn put_import_parameters(&self, params: &ImportParametersRecord) -> Result<(), StoreError> {
        self.write(|tx| imports::put_parameters(tx, params))
    }

    fn get_import_parameters(
        &self,
        account: &str,
        region: &str,
        key_id: &str,
        token_id: &str,
    ) -> Result<Option<ImportParametersRecord>, StoreError> {
        self.read(|tx| imports::get_parameters(tx, (account, region, key_id), token_id))
    }

    fn imported_materials(
        &self,
        account: &str,
        region: &str,
        key_id: &str,
    ) -> Result<Vec<ImportedMaterialRecord>, StoreError> {
        self.read(|tx| imports::materials(tx, (account, region, key_id)))
    }

    fn put_imported_material(
        &self,
        key: &KeyRecord,
        version: &KeyVersion,
        material: &ImportedMaterialRecord,
    ) -> Result<KeyRecord, StoreError> {
        self.write(|tx| imports::put_material(tx, key, version, material))
    }

    fn imported_materials_expiring(
        &self,
        before: i64,
    ) -> Result<Vec<ImportedMaterialRecord>, StoreError> {
        self.read(|tx| imports::expiring(tx, before))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_key() -> KeyRecord {
        KeyRecord {
            account: "111122223333".into(),
            region: "us-east-1".into(),
            key_id: "k1".into(),
            arn: "arn:aws:kms:us-east-1:111122223333:key/k1".into(),
            description: "d".into(),
            key_usage: "ENCRYPT_DECRYPT".into(),
            key_spec: "SYMMETRIC_DEFAULT".into(),
            origin: "AWS_KMS".into(),
            key_state: "Enabled".into(),
            creation_date: 1,
            deletion_date: None,
            pending_window_days: Some(7),
            policy: "{}".into(),
            rotation_enabled: false,
            rotation_period_days: None,
            next_rotation_date: None,
            current_version: 1,
            on_demand_rotations: 0,
            revision: 0,
        }
    }

    fn store_with_key() -> (SqliteStore, KeyRecord) {
        let store = SqliteStore::open_in_memory().unwrap();
        let key = sample_key();
        let first = KeyVersion {
            key_id: key.key_id.clone(),
            version: 1,
            sealed_material: vec![1, 2, 3],
            created: 1,
            rotation_type: None,
        };
        store.create_key(&key, &first, &[]).unwrap();
        (store, key)
    }

    /// Writes a value the schema's checks would refuse, as a damaged or hand-edited file
    /// might hold.
    fn tamper(store: &SqliteStore, sql: &str) {
        let conn = store.lock();
        conn.pragma_update(None, "ignore_check_constraints", "ON").unwrap();
        conn.execute(sql, []).unwrap();
        conn.pragma_update(None, "ignore_check_constraints", "OFF").unwrap();
    }

    fn corrupt_message(result: Result<impl std::fmt::Debug, StoreError>) -> String {
        match result {
            Err(StoreError::Corrupt(message)) => message,
            other => panic!("expected Corrupt, got {other:?}"),
        }
    }

    #[test]
    fn a_file_store_is_durable_on_commit() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("coffer.db")).unwrap();
        let conn = store.lock();
        let mode: String = conn.pragma_query_value(None, "journal_mode", |r| r.get(0)).unwrap();
        let synchronous: i64 = conn.pragma_query_value(None, "synchronous", |r| r.get(0)).unwrap();
        let foreign_keys: i64 =
            conn.pragma_query_value(None, "foreign_keys", |r| r.get(0)).unwrap();
        let busy: i64 = conn.pragma_query_value(None, "busy_timeout", |r| r.get(0)).unwrap();
        assert_eq!(mode, "wal");
        assert_eq!(synchronous, 2, "synchronous=FULL");
        assert_eq!(foreign_keys, 1);
        assert_eq!(busy, 5000);
    }

    #[test]
    fn opening_a_file_that_is_not_a_database_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("not-a-db");
        std::fs::write(&path, vec![0x42; 4096]).unwrap();
        let err = SqliteStore::open(&path).unwrap_err();
        assert!(matches!(err, StoreError::Corrupt(_)), "{err:?}");
    }

    #[test]
    fn opening_in_a_missing_folder_is_a_backend_error() {
        let dir = tempfile::tempdir().unwrap();
        let err = SqliteStore::open(&dir.path().join("absent/coffer.db")).unwrap_err();
        assert!(matches!(err, StoreError::Backend(_)), "{err:?}");
    }

    #[test]
    fn a_negative_unsigned_field_is_corrupt_and_named() {
        let (store, key) = store_with_key();
        tamper(&store, "UPDATE keys SET pending_window_days = -1");
        let message = corrupt_message(store.get_key(&key.account, &key.region, &key.key_id));
        assert!(message.contains("keys.pending_window_days"), "{message}");
        let message = corrupt_message(store.list_keys(&key.account, &key.region, None, 10));
        assert!(message.contains("keys.pending_window_days"), "{message}");
    }

    #[test]
    fn a_key_field_out_of_its_range_is_corrupt_and_named() {
        for (tampering, field) in [
            ("UPDATE keys SET current_version = 4294967296", "keys.current_version"),
            ("UPDATE keys SET rotation_enabled = 2", "keys.rotation_enabled"),
            ("UPDATE keys SET revision = -5", "keys.revision"),
            ("UPDATE keys SET description = CAST(X'C328' AS TEXT)", "keys.description"),
        ] {
            let (store, key) = store_with_key();
            tamper(&store, tampering);
            let message = corrupt_message(store.get_key(&key.account, &key.region, &key.key_id));
            assert!(message.contains(field), "{tampering}: {message}");
        }
    }

    #[test]
    fn a_bad_version_number_is_corrupt_and_named() {
        let (store, key) = store_with_key();
        tamper(&store, "UPDATE key_versions SET version = -1");
        let message = corrupt_message(store.key_versions(&key.account, &key.region, &key.key_id));
        assert!(message.contains("key_versions.version"), "{message}");
    }

    #[test]
    fn the_schema_refuses_what_the_reader_would_call_corrupt() {
        let (store, _) = store_with_key();
        let conn = store.lock();
        for sql in [
            "UPDATE keys SET rotation_enabled = 2",
            "UPDATE keys SET pending_window_days = -1",
            "UPDATE keys SET current_version = 4294967296",
            "UPDATE keys SET revision = 0",
            "UPDATE keys SET creation_date = 'yesterday'",
            "UPDATE key_versions SET sealed_material = NULL",
        ] {
            assert!(conn.execute(sql, []).is_err(), "`{sql}` must be refused");
        }
    }

    #[test]
    fn deleting_a_key_row_directly_cascades() {
        let (store, key) = store_with_key();
        let alias = AliasRecord {
            account: key.account.clone(),
            region: key.region.clone(),
            name: "alias/a".into(),
            target_key_id: key.key_id.clone(),
            creation_date: 1,
            last_updated_date: 1,
        };
        store.create_alias(&alias).unwrap();
        store
            .put_tags(
                &key.account,
                &key.region,
                &key.key_id,
                &[Tag { key: "t".into(), value: "v".into() }],
            )
            .unwrap();
        let conn = store.lock();
        conn.execute("DELETE FROM keys", []).unwrap();
        for table in ["key_versions", "tags", "aliases"] {
            let count: i64 =
                conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0)).unwrap();
            assert_eq!(count, 0, "{table} rows outlived their key");
        }
    }

    #[test]
    fn finding_a_key_by_id_alone_uses_the_index() {
        let (store, _) = store_with_key();
        let conn = store.lock();
        let plan: Vec<String> = conn
            .prepare(&format!("EXPLAIN QUERY PLAN SELECT {KEY_COLUMNS} FROM keys {FIND_KEY_WHERE}"))
            .unwrap()
            .query_map(params!["us-east-1", "k1"], |row| row.get::<_, String>(3))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(
            plan.iter().any(|step| step.contains("USING INDEX keys_by_region_and_id")),
            "{plan:?}"
        );
    }

    #[test]
    fn a_poisoned_lock_still_serves() {
        let (store, key) = store_with_key();
        let store = std::sync::Arc::new(store);
        let poisoner = std::sync::Arc::clone(&store);
        let _ = std::thread::spawn(move || {
            let _guard = poisoner.lock();
            panic!("poison the lock");
        })
        .join();
        assert!(store.conn.is_poisoned());
        assert!(store.get_key(&key.account, &key.region, &key.key_id).unwrap().is_some());
    }
}
