//! Schema migrations: numbered SQL files, embedded, applied in order in one transaction and
//! recorded in `schema_migrations`. A landed migration is never edited; the list only grows
//! (a test holds it to the committed checksums).

use rusqlite::{Connection, TransactionBehavior, params};

use super::row::Row;
use super::{Db, db_error};
use crate::StoreError;

/// One migration: `version` is its number, `name` its file name without `.sql`.
pub(super) struct Migration {
    pub(super) version: i64,
    pub(super) name: &'static str,
    pub(super) sql: &'static str,
}

/// Every migration, in order. Append only.
pub(super) const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "0001_initial",
        sql: include_str!("../../migrations/sqlite/0001_initial.sql"),
    },
    Migration {
        version: 2,
        name: "0002_keys_by_region_and_id",
        sql: include_str!("../../migrations/sqlite/0002_keys_by_region_and_id.sql"),
    },
    Migration {
        version: 3,
        name: "0003_grants",
        sql: include_str!("../../migrations/sqlite/0003_grants.sql"),
    },
    Migration {
        version: 4,
        name: "0004_imported_key_material",
        sql: include_str!("../../migrations/sqlite/0004_imported_key_material.sql"),
    },
];

const CREATE_SCHEMA_MIGRATIONS: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER NOT NULL PRIMARY KEY,
    name       TEXT    NOT NULL,
    applied_at INTEGER NOT NULL
) STRICT";

/// Brings the schema up to date. A database whose recorded history disagrees with this
/// build, or that is ahead of it, is refused untouched.
pub(super) fn apply(conn: &mut Connection) -> Result<(), StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).db()?;
    tx.execute(CREATE_SCHEMA_MIGRATIONS, []).db()?;

    let mut applied = Vec::new();
    {
        let mut stmt =
            tx.prepare("SELECT version, name FROM schema_migrations ORDER BY version").db()?;
        let mut rows = stmt.query([]).db()?;
        while let Some(row) = rows.next().db()? {
            let row = Row::new(row, "schema_migrations");
            applied.push((row.i64("version")?, row.text("name")?));
        }
    }

    for (index, (version, name)) in applied.iter().enumerate() {
        match MIGRATIONS.get(index) {
            Some(known) if known.version == *version && known.name == name => {}
            Some(known) => {
                return Err(StoreError::Corrupt(format!(
                    "schema_migrations: migration {version} is recorded as `{name}`, \
                     this build has {} `{}` in its place",
                    known.version, known.name
                )));
            }
            None => {
                return Err(StoreError::Backend(format!(
                    "the database is at schema migration {version} (`{name}`), newer than \
                     this build, which knows {}",
                    MIGRATIONS.len()
                )));
            }
        }
    }

    for migration in MIGRATIONS.iter().skip(applied.len()) {
        tx.execute_batch(migration.sql).map_err(|e| {
            StoreError::Backend(format!("migration `{}` failed: {e}", migration.name))
        })?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name, applied_at) \
             VALUES (?1, ?2, CAST(strftime('%s', 'now') AS INTEGER) * 1000)",
            params![migration.version, migration.name],
        )
        .db()?;
    }
    tx.commit().map_err(db_error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};

    /// The committed checksum of every landed migration, one `<file> sha256:<hex>` a line.
    const CHECKSUMS: &str = include_str!("../../migrations/sqlite/checksums.txt");

    fn sha256_hex(text: &str) -> String {
        Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn landed_migrations_are_never_edited_and_the_list_only_grows() {
        let committed: Vec<(&str, &str)> = CHECKSUMS
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .map(|line| {
                let (file, sum) = line.split_once(' ').unwrap_or_else(|| {
                    panic!("checksum line `{line}` is not `<file> sha256:<hex>`")
                });
                let sum = sum
                    .trim()
                    .strip_prefix("sha256:")
                    .unwrap_or_else(|| panic!("checksum line `{line}` lacks `sha256:`"));
                (file, sum)
            })
            .collect();

        for (index, (file, sum)) in committed.iter().enumerate() {
            let migration = MIGRATIONS.get(index).unwrap_or_else(|| {
                panic!("migration `{file}` landed but is gone from the list; never remove one")
            });
            assert_eq!(
                format!("{}.sql", migration.name),
                *file,
                "migration {} is not the landed `{file}`: the list is append-only",
                index + 1
            );
            assert_eq!(
                sha256_hex(migration.sql),
                *sum,
                "migration `{file}` was edited after it landed; add a new numbered migration instead"
            );
        }
        if let Some(migration) = MIGRATIONS.get(committed.len()) {
            panic!(
                "migration `{0}.sql` has no committed checksum; append `{0}.sql sha256:{1}` \
                 to checksums.txt",
                migration.name,
                sha256_hex(migration.sql)
            );
        }
    }

    #[test]
    fn migrations_are_numbered_from_one_without_gaps() {
        for (index, migration) in MIGRATIONS.iter().enumerate() {
            let expected = i64::try_from(index).unwrap() + 1;
            assert_eq!(migration.version, expected, "`{}`", migration.name);
            assert!(
                migration.name.starts_with(&format!("{:04}_", migration.version)),
                "`{}` must start with its zero-padded number",
                migration.name
            );
        }
    }

    #[test]
    fn every_migration_file_is_embedded() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/sqlite");
        let mut files: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.ends_with(".sql"))
            .collect();
        files.sort();
        let embedded: Vec<String> = MIGRATIONS.iter().map(|m| format!("{}.sql", m.name)).collect();
        assert_eq!(files, embedded);
    }

    fn recorded(conn: &Connection) -> Vec<(i64, String)> {
        let mut stmt =
            conn.prepare("SELECT version, name FROM schema_migrations ORDER BY version").unwrap();
        stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    #[test]
    fn applying_twice_changes_nothing() {
        let mut conn = Connection::open_in_memory().unwrap();
        apply(&mut conn).unwrap();
        let first = recorded(&conn);
        assert_eq!(first.len(), MIGRATIONS.len());
        apply(&mut conn).unwrap();
        assert_eq!(recorded(&conn), first);
    }

    #[test]
    fn a_database_ahead_of_this_build_is_refused() {
        let mut conn = Connection::open_in_memory().unwrap();
        apply(&mut conn).unwrap();
        conn.execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, 'future', 0)",
            [i64::try_from(MIGRATIONS.len()).unwrap() + 1],
        )
        .unwrap();
        let err = apply(&mut conn).unwrap_err();
        assert!(
            matches!(&err, StoreError::Backend(m) if m.contains("newer than this build")),
            "{err}"
        );
    }

    #[test]
    fn a_history_that_disagrees_is_refused() {
        let mut conn = Connection::open_in_memory().unwrap();
        apply(&mut conn).unwrap();
        conn.execute("UPDATE schema_migrations SET name = 'something_else' WHERE version = 1", [])
            .unwrap();
        let err = apply(&mut conn).unwrap_err();
        assert!(matches!(&err, StoreError::Corrupt(m) if m.contains("schema_migrations")), "{err}");
    }
}
