//! What a store acknowledged is there after the store is dropped and reopened, and after
//! the writing process is killed without warning.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use coffer_store::{AliasRecord, KeyRecord, KeyVersion, SqliteStore, Store, Tag};

fn key(account: &str, region: &str, n: u32) -> KeyRecord {
    let key_id = format!("{n:08x}-1111-4222-8333-444455556666");
    KeyRecord {
        account: account.into(),
        region: region.into(),
        arn: format!("arn:aws:kms:{region}:{account}:key/{key_id}"),
        key_id,
        description: format!("key {n}"),
        key_usage: "ENCRYPT_DECRYPT".into(),
        key_spec: "SYMMETRIC_DEFAULT".into(),
        origin: "AWS_KMS".into(),
        key_state: "Enabled".into(),
        creation_date: 1_700_000_000_000,
        deletion_date: None,
        pending_window_days: None,
        policy: r#"{"Version":"2012-10-17","Statement":[]}"#.into(),
        rotation_enabled: false,
        rotation_period_days: None,
        next_rotation_date: None,
        current_version: 1,
        on_demand_rotations: 0,
        revision: 0,
    }
}

fn version(key: &KeyRecord, version: u32) -> KeyVersion {
    KeyVersion {
        key_id: key.key_id.clone(),
        version,
        sealed_material: (0..=255u8).rev().chain([version as u8]).collect(),
        created: key.creation_date + i64::from(version),
        rotation_type: (version > 1).then(|| "AUTOMATIC".to_owned()),
    }
}

fn tag(key: &str, value: &str) -> Tag {
    Tag { key: key.into(), value: value.into() }
}

#[test]
fn everything_written_is_read_back_after_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("coffer.db");

    let k1 = key("111122223333", "us-east-1", 1);
    let k2 = key("444455556666", "eu-west-1", 2);
    let alias = AliasRecord {
        account: k1.account.clone(),
        region: k1.region.clone(),
        name: "alias/app".into(),
        target_key_id: k1.key_id.clone(),
        creation_date: 5,
        last_updated_date: 6,
    };
    let (k1_written, k2_written) = {
        let store = SqliteStore::open(&path).unwrap();
        let k1 = store
            .create_key(&k1, &version(&k1, 1), &[tag("team", "payments"), tag("env", "prod")])
            .unwrap();
        let mut rotating = k1.clone();
        rotating.rotation_enabled = true;
        rotating.rotation_period_days = Some(365);
        rotating.next_rotation_date = Some(1_731_536_000_000);
        rotating.current_version = 2;
        let k1 = store.add_key_version(&rotating, &version(&k1, 2)).unwrap();
        store.remove_tags(&k1.account, &k1.region, &k1.key_id, &["env".into()]).unwrap();

        let k2 = store.create_key(&k2, &version(&k2, 1), &[]).unwrap();
        let mut doomed = k2.clone();
        doomed.key_state = "PendingDeletion".into();
        doomed.deletion_date = Some(1_700_600_000_000);
        doomed.pending_window_days = Some(7);
        let k2 = store.update_key(&doomed).unwrap();

        store.create_alias(&alias).unwrap();
        store.put_setting("node.id", "n-1").unwrap();
        (k1, k2)
    };

    for _ in 0..2 {
        let store = SqliteStore::open(&path).unwrap();
        assert_eq!(
            store.get_key(&k1.account, &k1.region, &k1.key_id).unwrap(),
            Some(k1_written.clone())
        );
        assert_eq!(
            store.get_key(&k2.account, &k2.region, &k2.key_id).unwrap(),
            Some(k2_written.clone())
        );
        assert_eq!(
            store.key_versions(&k1.account, &k1.region, &k1.key_id).unwrap(),
            vec![version(&k1, 1), version(&k1, 2)]
        );
        assert_eq!(
            store.tags(&k1.account, &k1.region, &k1.key_id).unwrap(),
            vec![tag("team", "payments")]
        );
        assert_eq!(
            store.get_alias(&alias.account, &alias.region, &alias.name).unwrap(),
            Some(alias.clone())
        );
        assert_eq!(store.get_setting("node.id").unwrap(), Some("n-1".into()));
        assert_eq!(store.keys_pending_deletion(i64::MAX).unwrap(), vec![k2_written.clone()]);
        assert_eq!(store.keys_due_rotation(i64::MAX).unwrap(), vec![k1_written.clone()]);
    }

    let conn = rusqlite::Connection::open(&path).unwrap();
    let migrations: i64 =
        conn.query_row("SELECT count(*) FROM schema_migrations", [], |r| r.get(0)).unwrap();
    assert_eq!(migrations, migration_files(), "reopening applies no migration twice");
}

/// How many numbered migrations this build has.
#[expect(clippy::unwrap_used, reason = "an unreadable migrations folder fails the test")]
fn migration_files() -> i64 {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/sqlite");
    let count = std::fs::read_dir(dir)
        .unwrap()
        .filter(|entry| entry.as_ref().unwrap().path().extension().is_some_and(|e| e == "sql"))
        .count();
    i64::try_from(count).unwrap()
}

/// A database written at schema version 1, before keys could be found by id alone, is
/// brought up to date when opened: its keys read back as they were, and are found by id.
#[test]
fn a_database_at_schema_version_1_is_upgraded_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("coffer.db");
    let k = key("444455556666", "us-east-1", 7);
    {
        // The schema as the first release wrote it, with one key and its version.
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(include_str!("../migrations/sqlite/0001_initial.sql")).unwrap();
        conn.execute_batch(
            "CREATE TABLE schema_migrations (
                 version    INTEGER NOT NULL PRIMARY KEY,
                 name       TEXT    NOT NULL,
                 applied_at INTEGER NOT NULL
             ) STRICT;
             INSERT INTO schema_migrations VALUES (1, '0001_initial', 1700000000000);",
        )
        .unwrap();
        conn.execute(
            "INSERT INTO keys VALUES (?1, ?2, ?3, ?4, ?5, 'ENCRYPT_DECRYPT', 'SYMMETRIC_DEFAULT', \
             'AWS_KMS', 'Enabled', ?6, NULL, NULL, ?7, 0, NULL, NULL, 1, 0, 1)",
            rusqlite::params![
                k.account,
                k.region,
                k.key_id,
                k.arn,
                k.description,
                k.creation_date,
                k.policy
            ],
        )
        .unwrap();
        let v = version(&k, 1);
        conn.execute(
            "INSERT INTO key_versions VALUES (?1, ?2, ?3, 1, ?4, ?5, NULL)",
            rusqlite::params![k.account, k.region, k.key_id, v.sealed_material, v.created],
        )
        .unwrap();
    }

    let store = SqliteStore::open(&path).unwrap();
    let mut expected = k.clone();
    expected.revision = 1;
    assert_eq!(store.get_key(&k.account, &k.region, &k.key_id).unwrap(), Some(expected.clone()));
    assert_eq!(store.find_key(&k.region, &k.key_id).unwrap(), Some(expected));
    assert_eq!(store.find_key("eu-west-1", &k.key_id).unwrap(), None);
    assert_eq!(store.key_versions(&k.account, &k.region, &k.key_id).unwrap(), vec![version(&k, 1)]);
    drop(store);

    let conn = rusqlite::Connection::open(&path).unwrap();
    let migrations: i64 =
        conn.query_row("SELECT count(*) FROM schema_migrations", [], |r| r.get(0)).unwrap();
    assert_eq!(migrations, migration_files());
    let index: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'index' \
             AND name = 'keys_by_region_and_id'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(index, 1, "the upgrade adds the index on (region, key_id)");
}

const CHILD_DB: &str = "COFFER_STORE_TEST_WRITER_DB";
const ACCOUNT: &str = "111122223333";
const REGION: &str = "us-east-1";
/// The writer stops by itself after this many keys.
const MAX_WRITES: u32 = 20_000;
/// The parent kills the writer once it has seen this many acknowledgements.
const KILL_AFTER: u32 = 40;

/// The writer half of `acknowledged_writes_survive_a_killed_writer`: does nothing unless
/// that test started this binary to run it.
#[test]
fn writer_process() {
    let Some(path) = std::env::var_os(CHILD_DB) else {
        return;
    };
    let store = SqliteStore::open(Path::new(&path)).unwrap();
    let mut out = std::io::stdout().lock();
    for n in 0..MAX_WRITES {
        let key = key(ACCOUNT, REGION, n);
        store.create_key(&key, &version(&key, 1), &[tag("n", &n.to_string())]).unwrap();
        writeln!(out, "acked {n}").unwrap();
        out.flush().unwrap();
    }
}

/// Kills the writer however the test ends.
struct Reaper(Child);

impl Drop for Reaper {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn acknowledged_writes_survive_a_killed_writer() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("coffer.db");
    let mut writer = Reaper(
        Command::new(std::env::current_exe().unwrap())
            .args(["durability::writer_process", "--exact", "--nocapture", "--test-threads=1"])
            .env(CHILD_DB, &path)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let stdout = writer.0.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if let Some(n) = line.strip_prefix("acked ").and_then(|n| n.parse::<u32>().ok()) {
                if tx.send(n).is_err() {
                    break;
                }
            }
        }
    });

    let deadline = Instant::now() + Duration::from_secs(120);
    let mut acked = None;
    while acked.is_none_or(|n| n + 1 < KILL_AFTER) {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(n) => acked = Some(n),
            Err(e) => panic!("the writer stopped acknowledging after {acked:?}: {e}"),
        }
    }
    // SIGKILL: no destructor, no checkpoint, no clean close.
    writer.0.kill().unwrap();
    writer.0.wait().unwrap();
    // Acknowledgements already in the pipe count too.
    while let Ok(n) = rx.recv_timeout(Duration::from_millis(200)) {
        acked = Some(n);
    }
    let acked = acked.unwrap();

    let store = SqliteStore::open(&path).unwrap();
    let listed = store.list_keys(ACCOUNT, REGION, None, usize::MAX).unwrap();
    assert!(listed.next.is_none());
    let count = listed.items.len() as u32;
    assert!(count > acked, "{} keys survived, but {} were acknowledged", count, acked + 1);
    for (n, stored) in (0..).zip(&listed.items) {
        assert_eq!(stored, &{
            let mut k = key(ACCOUNT, REGION, n);
            k.revision = 1;
            k
        });
        assert_eq!(
            store.tags(ACCOUNT, REGION, &stored.key_id).unwrap(),
            vec![tag("n", &n.to_string())]
        );
        assert_eq!(
            store.key_versions(ACCOUNT, REGION, &stored.key_id).unwrap(),
            vec![version(stored, 1)]
        );
    }
}
