//! The conformance suite: what every [`Store`] back end must do, as named checks.
//!
//! A back end's tests call [`run_all`] with a function that makes a fresh, empty store;
//! each check gets its own. A failed check panics with the check's name and what went
//! wrong. The checks are backend-neutral: they use the trait and nothing else.
#![expect(clippy::panic, reason = "a failed conformance check panics, as a failed test does")]

use std::collections::BTreeSet;
use std::fmt::Debug;
use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::{AliasRecord, KeyRecord, KeyVersion, Page, Store, StoreError, Tag};

mod grants;
mod imports;

/// One conformance check, run against a fresh, empty store.
pub type Check = fn(&dyn Store);

/// Every check, by name, in the order [`run_all`] runs them.
pub const CHECKS: &[(&str, Check)] = &[
    ("created_key_reads_back", created_key_reads_back),
    ("every_field_round_trips", every_field_round_trips),
    ("duplicate_key_is_refused", duplicate_key_is_refused),
    ("key_version_must_name_its_key", key_version_must_name_its_key),
    ("same_key_id_in_other_scopes_is_another_key", same_key_id_in_other_scopes_is_another_key),
    (
        "find_key_looks_in_every_account_of_the_region",
        find_key_looks_in_every_account_of_the_region,
    ),
    (
        "find_key_refuses_an_id_held_twice_in_a_region",
        find_key_refuses_an_id_held_twice_in_a_region,
    ),
    ("list_keys_pages_in_key_id_order", list_keys_pages_in_key_id_order),
    ("update_key_bumps_the_revision", update_key_bumps_the_revision),
    ("stale_revision_is_a_conflict", stale_revision_is_a_conflict),
    ("add_key_version_updates_and_inserts_together", add_key_version_updates_and_inserts_together),
    ("delete_key_takes_everything_with_it", delete_key_takes_everything_with_it),
    ("tags_upsert_and_remove", tags_upsert_and_remove),
    ("aliases_are_unique_per_scope", aliases_are_unique_per_scope),
    ("alias_update_and_delete", alias_update_and_delete),
    ("list_aliases_pages_in_name_order", list_aliases_pages_in_name_order),
    ("pending_deletion_spans_accounts_and_regions", pending_deletion_spans_accounts_and_regions),
    ("due_rotation_spans_accounts_and_regions", due_rotation_spans_accounts_and_regions),
    ("settings_round_trip", settings_round_trip),
    ("grant_reads_back_by_id", grants::grant_reads_back_by_id),
    ("grants_list_and_count_by_key_and_grantee", grants::grants_list_and_count_by_key_and_grantee),
    ("grants_are_found_by_name", grants::grants_are_found_by_name),
    (
        "retirable_grants_span_the_accounts_of_a_region",
        grants::retirable_grants_span_the_accounts_of_a_region,
    ),
    (
        "grants_are_deleted_alone_and_with_their_key",
        grants::grants_are_deleted_alone_and_with_their_key,
    ),
    ("import_parameters_read_back_and_expire", imports::import_parameters_read_back_and_expire),
    (
        "imported_material_is_written_with_its_key",
        imports::imported_material_is_written_with_its_key,
    ),
    (
        "expiring_materials_span_accounts_and_regions",
        imports::expiring_materials_span_accounts_and_regions,
    ),
];

/// Runs every check, each on a fresh store from `make`. Panics on the first failure,
/// naming the check.
pub fn run_all(make: &dyn Fn() -> Box<dyn Store>) {
    for (name, check) in CHECKS {
        let store = make();
        let outcome = catch_unwind(AssertUnwindSafe(|| check(store.as_ref())));
        if let Err(payload) = outcome {
            let message = payload
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| payload.downcast_ref::<&str>().copied())
                .unwrap_or("(no message)");
            panic!("conformance check `{name}` failed: {message}");
        }
    }
}

// ---------------------------------------------------------------------------------------
// Fixtures and helpers.

const A: &str = "111122223333";
const B: &str = "444455556666";
const C: &str = "777788889999";
const R1: &str = "us-east-1";
const R2: &str = "eu-west-1";

const POLICY: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [{"Sid": "Enable IAM policies", "Effect": "Allow",
    "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}]
}"#;

/// A key id that sorts by `n`.
fn key_id(n: u32) -> String {
    format!("{n:08x}-0000-4000-8000-{:012x}", u64::from(n) * 7919)
}

fn sample_key(account: &str, region: &str, n: u32) -> KeyRecord {
    let key_id = key_id(n);
    KeyRecord {
        account: account.to_owned(),
        region: region.to_owned(),
        arn: format!("arn:aws:kms:{region}:{account}:key/{key_id}"),
        key_id,
        description: format!("key {n} of {account} in {region}"),
        key_usage: "ENCRYPT_DECRYPT".to_owned(),
        key_spec: "SYMMETRIC_DEFAULT".to_owned(),
        origin: "AWS_KMS".to_owned(),
        key_state: "Enabled".to_owned(),
        creation_date: 1_700_000_000_000 + i64::from(n),
        deletion_date: None,
        pending_window_days: None,
        policy: POLICY.to_owned(),
        rotation_enabled: false,
        rotation_period_days: None,
        next_rotation_date: None,
        current_version: 1,
        on_demand_rotations: 0,
        revision: 0,
    }
}

fn sample_version(key: &KeyRecord, version: u32) -> KeyVersion {
    KeyVersion {
        key_id: key.key_id.clone(),
        version,
        sealed_material: format!("sealed {} v{version}", key.key_id).into_bytes(),
        created: key.creation_date + i64::from(version),
        rotation_type: (version > 1).then(|| "ON_DEMAND".to_owned()),
    }
}

fn tag(key: &str, value: &str) -> Tag {
    Tag { key: key.to_owned(), value: value.to_owned() }
}

fn sample_alias(key: &KeyRecord, name: &str) -> AliasRecord {
    AliasRecord {
        account: key.account.clone(),
        region: key.region.clone(),
        name: name.to_owned(),
        target_key_id: key.key_id.clone(),
        creation_date: 1_700_000_100_000,
        last_updated_date: 1_700_000_100_000,
    }
}

fn ok<T>(result: Result<T, StoreError>, doing: &str) -> T {
    match result {
        Ok(value) => value,
        Err(e) => panic!("{doing}: unexpected error: {e}"),
    }
}

fn fails<T: Debug>(result: Result<T, StoreError>, doing: &str) -> StoreError {
    match result {
        Ok(value) => panic!("{doing}: succeeded with {value:?}, but must fail"),
        Err(e) => e,
    }
}

fn expect_not_found<T: Debug>(result: Result<T, StoreError>, doing: &str) {
    let e = fails(result, doing);
    assert!(matches!(e, StoreError::NotFound { .. }), "{doing}: expected NotFound, got {e:?}");
}

fn expect_already_exists<T: Debug>(result: Result<T, StoreError>, doing: &str) {
    let e = fails(result, doing);
    assert!(
        matches!(e, StoreError::AlreadyExists { .. }),
        "{doing}: expected AlreadyExists, got {e:?}"
    );
}

fn expect_conflict<T: Debug>(result: Result<T, StoreError>, doing: &str) {
    let e = fails(result, doing);
    assert!(matches!(e, StoreError::Conflict { .. }), "{doing}: expected Conflict, got {e:?}");
}

/// Creates `sample_key(account, region, n)` with its first version and no tags.
fn create(store: &dyn Store, account: &str, region: &str, n: u32) -> KeyRecord {
    let key = sample_key(account, region, n);
    ok(
        store.create_key(&key, &sample_version(&key, 1), &[]),
        &format!("create key {n} in {account}/{region}"),
    )
}

fn stored(store: &dyn Store, key: &KeyRecord) -> KeyRecord {
    let doing = format!("get key `{}` in {}/{}", key.key_id, key.account, key.region);
    match ok(store.get_key(&key.account, &key.region, &key.key_id), &doing) {
        Some(found) => found,
        None => panic!("{doing}: the key is missing"),
    }
}

fn versions_of(store: &dyn Store, key: &KeyRecord) -> Vec<u32> {
    ok(store.key_versions(&key.account, &key.region, &key.key_id), "read key versions")
        .into_iter()
        .map(|v| v.version)
        .collect()
}

fn tags_of(store: &dyn Store, key: &KeyRecord) -> Vec<Tag> {
    ok(store.tags(&key.account, &key.region, &key.key_id), "read tags")
}

/// Walks a listing page by page with `limit`, checking the page contract, and returns
/// every item's sort key in listing order.
fn walk<T>(
    what: &str,
    limit: usize,
    sort_key: impl Fn(&T) -> String,
    mut fetch: impl FnMut(Option<&str>) -> Result<Page<T>, StoreError>,
) -> Vec<String> {
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    let mut pages = 0usize;
    loop {
        pages += 1;
        assert!(pages <= 1000, "{what} with limit {limit}: the listing never ends");
        let page = ok(fetch(after.as_deref()), &format!("{what} with limit {limit}, page {pages}"));
        assert!(
            page.items.len() <= limit.max(1),
            "{what} with limit {limit}: page {pages} has {} items",
            page.items.len()
        );
        seen.extend(page.items.iter().map(&sort_key));
        match page.next {
            None => break,
            Some(next) => {
                assert_eq!(
                    page.items.len(),
                    limit.max(1),
                    "{what} with limit {limit}: page {pages} is short but says more follow"
                );
                after = Some(next);
            }
        }
    }
    let expected_pages = seen.len().div_ceil(limit.max(1)).max(1);
    assert_eq!(
        pages,
        expected_pages,
        "{what} with limit {limit}: {} items came in {pages} pages, not {expected_pages}",
        seen.len()
    );
    seen
}

// ---------------------------------------------------------------------------------------
// Keys.

/// A created key, its first version and its tags read back as given, at revision 1.
pub fn created_key_reads_back(store: &dyn Store) {
    let mut key = sample_key(A, R1, 1);
    key.revision = 99;
    let first = sample_version(&key, 1);
    let created = ok(store.create_key(&key, &first, &[tag("b", "2"), tag("a", "1")]), "create key");
    assert_eq!(created.revision, 1, "a created key is at revision 1");
    let mut expected = key.clone();
    expected.revision = 1;
    assert_eq!(created, expected, "create_key returns the stored record");
    assert_eq!(stored(store, &key), expected, "get_key returns the stored record");
    assert_eq!(
        ok(store.key_versions(A, R1, &key.key_id), "read versions"),
        vec![first],
        "the first version reads back"
    );
    assert_eq!(
        tags_of(store, &key),
        vec![tag("a", "1"), tag("b", "2")],
        "tags read back ordered by tag key"
    );
    assert_eq!(
        ok(store.get_key(A, R1, &key_id(2)), "get an absent key"),
        None,
        "an absent key is None"
    );
    expect_not_found(store.key_versions(A, R1, &key_id(2)), "versions of an absent key");
    expect_not_found(store.tags(A, R1, &key_id(2)), "tags of an absent key");
}

/// Every field survives the round trip: optional values both ways, extremes of every
/// integer, text of any shape, sealed material of any bytes.
pub fn every_field_round_trips(store: &dyn Store) {
    let mut full = sample_key(A, R1, 1);
    full.arn = "arn:aws-cn:kms:cn-north-1:111122223333:key/x".to_owned();
    full.description = "naïve café \u{1F511} \"quoted\" 'single' \\ back\nslash\ttab".to_owned();
    full.key_usage = "SIGN_VERIFY".to_owned();
    full.key_spec = "ECC_NIST_P256".to_owned();
    full.origin = "EXTERNAL".to_owned();
    full.key_state = "PendingDeletion".to_owned();
    full.creation_date = i64::MIN;
    full.deletion_date = Some(i64::MAX);
    full.pending_window_days = Some(u32::MAX);
    full.policy = POLICY.repeat(200);
    full.rotation_enabled = true;
    full.rotation_period_days = Some(u32::MAX);
    full.next_rotation_date = Some(-1);
    full.current_version = u32::MAX;
    full.on_demand_rotations = u32::MAX;
    let all_bytes = KeyVersion {
        key_id: full.key_id.clone(),
        version: 0,
        sealed_material: (0..=255u8).cycle().take(4096).collect(),
        created: i64::MIN,
        rotation_type: None,
    };
    let created = ok(store.create_key(&full, &all_bytes, &[]), "create full key");
    assert_eq!(stored(store, &full), created, "every field set reads back");

    let empty_material = KeyVersion {
        key_id: full.key_id.clone(),
        version: u32::MAX,
        sealed_material: Vec::new(),
        created: i64::MAX,
        rotation_type: Some("AUTOMATIC".to_owned()),
    };
    let after =
        ok(store.add_key_version(&created, &empty_material), "add version with empty material");
    assert_eq!(
        ok(store.key_versions(A, R1, &full.key_id), "read versions"),
        vec![all_bytes, empty_material],
        "versions read back byte for byte"
    );
    assert_eq!(stored(store, &full), after);

    let mut bare = sample_key(A, R1, 2);
    bare.description = String::new();
    bare.policy = String::new();
    bare.current_version = 0;
    let created = ok(
        store.create_key(&bare, &sample_version(&bare, 0), &[tag("", ""), tag("k", "")]),
        "create bare key",
    );
    assert_eq!(stored(store, &bare), created, "every option unset reads back");
    assert_eq!(
        tags_of(store, &bare),
        vec![tag("", ""), tag("k", "")],
        "empty tag keys and values read back"
    );
}

/// Creating a key whose id is taken in its scope fails and changes nothing.
pub fn duplicate_key_is_refused(store: &dyn Store) {
    let key = sample_key(A, R1, 1);
    let first = sample_version(&key, 1);
    let created = ok(store.create_key(&key, &first, &[tag("t", "original")]), "create key");
    let mut again = key.clone();
    again.description = "impostor".to_owned();
    let mut other_first = first.clone();
    other_first.sealed_material = b"other".to_vec();
    expect_already_exists(
        store.create_key(&again, &other_first, &[tag("t", "impostor"), tag("u", "1")]),
        "create the same key id again",
    );
    assert_eq!(stored(store, &key), created, "the key is unchanged");
    assert_eq!(
        ok(store.key_versions(A, R1, &key.key_id), "read versions"),
        vec![first],
        "the versions are unchanged"
    );
    assert_eq!(tags_of(store, &key), vec![tag("t", "original")], "the tags are unchanged");
}

/// A version naming another key is refused, by `create_key` and `add_key_version` alike,
/// and nothing is written.
pub fn key_version_must_name_its_key(store: &dyn Store) {
    let key = sample_key(A, R1, 1);
    let mut stray = sample_version(&key, 1);
    stray.key_id = key_id(2);
    expect_conflict(
        store.create_key(&key, &stray, &[]),
        "create a key whose first version names another key",
    );
    assert_eq!(ok(store.get_key(A, R1, &key.key_id), "get key"), None, "nothing was created");

    let created = create(store, A, R1, 1);
    let mut stray = sample_version(&created, 2);
    stray.key_id = key_id(2);
    let mut next = created.clone();
    next.current_version = 2;
    expect_conflict(store.add_key_version(&next, &stray), "add a version naming another key");
    assert_eq!(stored(store, &created), created, "the key is unchanged");
    assert_eq!(versions_of(store, &created), vec![1], "no version was added");
}

/// The same key id in another region or another account is another key, with its own
/// versions, tags and aliases.
pub fn same_key_id_in_other_scopes_is_another_key(store: &dyn Store) {
    let scopes = [(A, R1), (A, R2), (B, R1)];
    let mut keys = Vec::new();
    for (account, region) in scopes {
        let key = sample_key(account, region, 7);
        let created = ok(
            store.create_key(
                &key,
                &sample_version(&key, 1),
                &[tag("scope", &format!("{account}/{region}"))],
            ),
            &format!("create key 7 in {account}/{region}"),
        );
        ok(
            store.create_alias(&sample_alias(&created, "alias/shared")),
            &format!("create alias/shared in {account}/{region}"),
        );
        keys.push(created);
    }
    for key in &keys {
        assert_eq!(&stored(store, key), key, "each scope reads its own key");
        assert_eq!(
            tags_of(store, key),
            vec![tag("scope", &format!("{}/{}", key.account, key.region))],
            "each scope reads its own tags"
        );
        let listed = ok(store.list_keys(&key.account, &key.region, None, 10), "list keys");
        assert_eq!(listed.items, vec![key.clone()], "each scope lists only its key");
    }
    assert_eq!(
        ok(store.get_key(B, R2, &key_id(7)), "get key in an empty scope"),
        None,
        "a scope without the key does not see it"
    );

    let mut changed = keys[0].clone();
    changed.key_state = "Disabled".to_owned();
    let changed = ok(store.update_key(&changed), "update the key in A/R1");
    assert_eq!(stored(store, &keys[0]), changed, "A/R1 has the update");
    assert_eq!(stored(store, &keys[1]), keys[1], "A/R2 is untouched by the update");
    assert_eq!(stored(store, &keys[2]), keys[2], "B/R1 is untouched by the update");

    ok(store.put_tags(A, R2, &key_id(7), &[tag("extra", "x")]), "tag the key in A/R2");
    assert_eq!(tags_of(store, &keys[0]).len(), 1, "A/R1 tags untouched");

    ok(store.delete_key(A, R1, &key_id(7)), "delete the key in A/R1");
    assert_eq!(
        ok(store.get_key(A, R1, &key_id(7)), "get deleted key"),
        None,
        "the deleted key is gone"
    );
    for key in &keys[1..] {
        assert_eq!(&stored(store, key), key, "other scopes keep their key");
        assert_eq!(versions_of(store, key), vec![1], "other scopes keep versions");
        assert!(
            ok(store.get_alias(&key.account, &key.region, "alias/shared"), "get alias").is_some(),
            "other scopes keep their alias"
        );
    }
}

/// `find_key` finds a key by its id in whichever account of the region holds it, reads it
/// as `get_key` does, and finds nothing in another region or once the key is deleted.
pub fn find_key_looks_in_every_account_of_the_region(store: &dyn Store) {
    let b_r1 = create(store, B, R1, 1);
    let a_r1 = create(store, A, R1, 2);
    let a_r2 = create(store, A, R2, 3);
    assert_eq!(
        ok(store.find_key(R1, &key_id(1)), "find key 1 in R1"),
        Some(b_r1.clone()),
        "a key of account B is found without naming its account"
    );
    assert_eq!(
        ok(store.find_key(R1, &key_id(2)), "find key 2 in R1"),
        Some(a_r1),
        "a key of account A is found without naming its account"
    );
    assert_eq!(
        ok(store.find_key(R2, &key_id(3)), "find key 3 in R2"),
        Some(a_r2),
        "a key of the second region is found there"
    );
    assert_eq!(
        ok(store.find_key(R2, &key_id(1)), "find key 1 in R2"),
        None,
        "a key is not found from another region"
    );
    assert_eq!(
        ok(store.find_key(R1, &key_id(3)), "find key 3 in R1"),
        None,
        "a key is not found from another region"
    );
    assert_eq!(
        ok(store.find_key(R1, &key_id(9)), "find an absent key"),
        None,
        "an absent key is None"
    );

    let mut disabled = b_r1.clone();
    disabled.key_state = "Disabled".to_owned();
    let disabled = ok(store.update_key(&disabled), "disable key 1 of B/R1");
    assert_eq!(
        ok(store.find_key(R1, &key_id(1)), "find key 1 after the update"),
        Some(disabled),
        "find_key reads the current revision"
    );
    ok(store.delete_key(B, R1, &key_id(1)), "delete key 1 of B/R1");
    assert_eq!(
        ok(store.find_key(R1, &key_id(1)), "find the deleted key"),
        None,
        "a deleted key is not found"
    );
}

/// A key id held by two accounts of one region is refused as a conflict rather than
/// answered with either key; the same id in another region does not count.
pub fn find_key_refuses_an_id_held_twice_in_a_region(store: &dyn Store) {
    create(store, A, R1, 4);
    let in_r2 = create(store, C, R2, 4);
    assert_eq!(
        ok(store.find_key(R2, &key_id(4)), "find key 4 in R2"),
        Some(in_r2),
        "the same id in another region does not make it ambiguous"
    );
    create(store, B, R1, 4);
    expect_conflict(store.find_key(R1, &key_id(4)), "find an id held by A and B in R1");
}

/// Keys list in key id order, page by page, whatever the limit: no duplicates, no gaps,
/// no other scope's keys, no empty trailing page.
pub fn list_keys_pages_in_key_id_order(store: &dyn Store) {
    let empty = ok(store.list_keys(A, R1, None, 5), "list an empty scope");
    assert_eq!(empty, Page::default(), "an empty scope lists nothing");

    let mine = [5u32, 2, 7, 1, 6, 3, 4];
    for n in mine {
        create(store, A, R1, n);
    }
    // Neighbours in other scopes, with interleaving ids.
    for n in [0u32, 3, 8] {
        create(store, A, R2, n);
        create(store, B, R1, n);
    }
    let mut expected: Vec<String> = mine.iter().map(|n| key_id(*n)).collect();
    expected.sort();

    for limit in 1..=mine.len() + 2 {
        let seen = walk(
            "list_keys",
            limit,
            |key: &KeyRecord| key.key_id.clone(),
            |after| store.list_keys(A, R1, after, limit),
        );
        assert_eq!(seen, expected, "list_keys with limit {limit} lists every key once, in order");
    }

    let page = ok(store.list_keys(A, R1, None, 3), "first page of 3");
    assert_eq!(
        page.next.as_deref(),
        Some(key_id(3).as_str()),
        "the marker is the last item's key id"
    );
    let zero = ok(store.list_keys(A, R1, None, 0), "list with limit 0");
    assert_eq!(zero.items.len(), 1, "a limit of 0 is taken as 1");
}

/// An update replaces every field but the identity and bumps the revision by one.
pub fn update_key_bumps_the_revision(store: &dyn Store) {
    let created = create(store, A, R1, 1);
    let mut changed = created.clone();
    changed.arn = "arn:changed".to_owned();
    changed.description = "changed".to_owned();
    changed.key_usage = "GENERATE_VERIFY_MAC".to_owned();
    changed.key_spec = "HMAC_256".to_owned();
    changed.origin = "EXTERNAL".to_owned();
    changed.key_state = "PendingDeletion".to_owned();
    changed.creation_date += 1;
    changed.deletion_date = Some(1_800_000_000_000);
    changed.pending_window_days = Some(7);
    changed.policy = "{}".to_owned();
    changed.rotation_enabled = true;
    changed.rotation_period_days = Some(90);
    changed.next_rotation_date = Some(1_710_000_000_000);
    changed.current_version = 3;
    changed.on_demand_rotations = 2;
    let updated = ok(store.update_key(&changed), "update every field");
    let mut expected = changed.clone();
    expected.revision = 2;
    assert_eq!(updated, expected, "update_key returns the record at revision 2");
    assert_eq!(stored(store, &created), expected, "the update is stored");

    let mut back = updated.clone();
    back.deletion_date = None;
    back.pending_window_days = None;
    back.rotation_period_days = None;
    back.next_rotation_date = None;
    back.rotation_enabled = false;
    let again = ok(store.update_key(&back), "clear the optional fields");
    assert_eq!(again.revision, 3, "each update bumps the revision");
    let mut expected = back.clone();
    expected.revision = 3;
    assert_eq!(stored(store, &created), expected, "options can be cleared");
}

/// An update based on any revision but the stored one fails and changes nothing.
pub fn stale_revision_is_a_conflict(store: &dyn Store) {
    let created = create(store, A, R1, 1);
    let mut first = created.clone();
    first.key_state = "Disabled".to_owned();
    let current = ok(store.update_key(&first), "first update");

    let mut stale = created.clone();
    stale.key_state = "PendingDeletion".to_owned();
    expect_conflict(store.update_key(&stale), "update from revision 1 after 2");
    let mut ahead = current.clone();
    ahead.revision = 7;
    expect_conflict(store.update_key(&ahead), "update from a revision never stored");
    let mut huge = current.clone();
    huge.revision = u64::MAX;
    expect_conflict(store.update_key(&huge), "update from revision u64::MAX");
    assert_eq!(stored(store, &created), current, "the losers changed nothing");

    let missing = sample_key(A, R1, 2);
    expect_not_found(store.update_key(&missing), "update an absent key");
    let mut elsewhere = current.clone();
    elsewhere.region = R2.to_owned();
    expect_not_found(store.update_key(&elsewhere), "update the key in another region");
}

/// `add_key_version` updates the key and adds the version together, or does neither.
pub fn add_key_version_updates_and_inserts_together(store: &dyn Store) {
    let created = create(store, A, R1, 1);
    let mut rotated = created.clone();
    rotated.current_version = 2;
    rotated.on_demand_rotations = 1;
    let v2 = sample_version(&created, 2);
    let after = ok(store.add_key_version(&rotated, &v2), "add version 2");
    assert_eq!(after.revision, 2, "adding a version bumps the revision");
    assert_eq!(stored(store, &created), after, "the key update is stored");
    assert_eq!(versions_of(store, &created), vec![1, 2]);

    let mut stale = created.clone();
    stale.current_version = 3;
    expect_conflict(
        store.add_key_version(&stale, &sample_version(&created, 3)),
        "add a version from a stale revision",
    );
    assert_eq!(versions_of(store, &created), vec![1, 2], "a stale add inserts no version");

    let mut dup = after.clone();
    dup.current_version = 99;
    expect_already_exists(
        store.add_key_version(&dup, &sample_version(&created, 2)),
        "add version 2 again",
    );
    assert_eq!(stored(store, &created), after, "a refused version leaves the key update undone");

    // Version 5 first and 4 later: neither insertion order nor creation time is the order.
    let mut current = after;
    for (version, created_at) in [(5u32, 100i64), (4, 200)] {
        current.current_version = version;
        let mut added = sample_version(&created, version);
        added.created = created.creation_date + created_at;
        current = ok(store.add_key_version(&current, &added), &format!("add version {version}"));
    }
    assert_eq!(
        versions_of(store, &created),
        vec![1, 2, 4, 5],
        "versions list ascending whatever the order they came in"
    );
    let full = ok(store.key_versions(A, R1, &created.key_id), "read versions");
    assert_eq!(full[1], v2, "an added version reads back whole");

    let missing = sample_key(A, R1, 2);
    expect_not_found(
        store.add_key_version(&missing, &sample_version(&missing, 2)),
        "add a version to an absent key",
    );
}

/// Deleting a key deletes its versions, its tags and the aliases pointing at it, and
/// nothing else; a key id deleted and created again starts clean.
pub fn delete_key_takes_everything_with_it(store: &dyn Store) {
    let doomed = create(store, A, R1, 1);
    let kept = create(store, A, R1, 2);
    let mut rotated = doomed.clone();
    rotated.current_version = 2;
    ok(store.add_key_version(&rotated, &sample_version(&doomed, 2)), "add version");
    ok(store.put_tags(A, R1, &doomed.key_id, &[tag("a", "1"), tag("b", "2")]), "tag doomed");
    ok(store.put_tags(A, R1, &kept.key_id, &[tag("a", "1")]), "tag kept");
    for name in ["alias/doomed-1", "alias/doomed-2"] {
        ok(store.create_alias(&sample_alias(&doomed, name)), "alias doomed");
    }
    ok(store.create_alias(&sample_alias(&kept, "alias/kept")), "alias kept");

    ok(store.delete_key(A, R1, &doomed.key_id), "delete key");
    assert_eq!(
        ok(store.get_key(A, R1, &doomed.key_id), "get deleted key"),
        None,
        "the key is gone"
    );
    expect_not_found(store.key_versions(A, R1, &doomed.key_id), "versions of a deleted key");
    expect_not_found(store.tags(A, R1, &doomed.key_id), "tags of a deleted key");
    for name in ["alias/doomed-1", "alias/doomed-2"] {
        assert_eq!(
            ok(store.get_alias(A, R1, name), "get alias"),
            None,
            "`{name}` went with its key"
        );
    }
    let aliases = ok(store.list_aliases(A, R1, None, None, 10), "list aliases");
    assert_eq!(
        aliases.items,
        vec![sample_alias(&kept, "alias/kept")],
        "only the other key's alias is left"
    );
    assert_eq!(stored(store, &kept), kept, "the other key is untouched");
    assert_eq!(tags_of(store, &kept), vec![tag("a", "1")]);
    assert_eq!(versions_of(store, &kept), vec![1]);

    let reborn = create(store, A, R1, 1);
    assert_eq!(reborn.revision, 1, "a recreated key starts at revision 1");
    assert_eq!(versions_of(store, &reborn), vec![1], "no old versions linger");
    assert_eq!(tags_of(store, &reborn), Vec::new(), "no old tags linger");
    let aliases = ok(
        store.list_aliases(A, R1, Some(&reborn.key_id), None, 10),
        "list aliases of the recreated key",
    );
    assert_eq!(aliases.items, Vec::new(), "no old aliases linger");

    expect_not_found(store.delete_key(A, R1, &key_id(3)), "delete an absent key");
    expect_not_found(store.delete_key(A, R2, &kept.key_id), "delete the key in another region");
}

// ---------------------------------------------------------------------------------------
// Tags.

/// `put_tags` adds and overwrites, `remove_tags` removes and ignores what is absent, and
/// `tags` lists by tag key.
pub fn tags_upsert_and_remove(store: &dyn Store) {
    let key = sample_key(A, R1, 1);
    ok(
        store.create_key(&key, &sample_version(&key, 1), &[tag("m", "1"), tag("c", "1")]),
        "create key with tags",
    );
    ok(
        store.put_tags(A, R1, &key.key_id, &[tag("m", "2"), tag("a", "1"), tag("z", "1")]),
        "put tags",
    );
    assert_eq!(
        tags_of(store, &key),
        vec![tag("a", "1"), tag("c", "1"), tag("m", "2"), tag("z", "1")],
        "new tags are added, existing ones overwritten, listed by tag key"
    );
    ok(
        store.put_tags(A, R1, &key.key_id, &[tag("dup", "first"), tag("dup", "last")]),
        "put a tag key twice in one call",
    );
    ok(store.put_tags(A, R1, &key.key_id, &[]), "put no tags");
    assert!(
        tags_of(store, &key).contains(&tag("dup", "last")),
        "a repeated tag key takes its last value"
    );
    ok(
        store.remove_tags(
            A,
            R1,
            &key.key_id,
            &["c".to_owned(), "absent".to_owned(), "dup".to_owned()],
        ),
        "remove tags",
    );
    assert_eq!(
        tags_of(store, &key),
        vec![tag("a", "1"), tag("m", "2"), tag("z", "1")],
        "removed tags are gone and absent ones ignored"
    );
    ok(
        store.remove_tags(A, R1, &key.key_id, &["a".into(), "m".into(), "z".into()]),
        "remove every tag",
    );
    assert_eq!(tags_of(store, &key), Vec::new(), "no tags left");
    ok(store.remove_tags(A, R1, &key.key_id, &[]), "remove no tags");

    let absent = key_id(2);
    expect_not_found(store.put_tags(A, R1, &absent, &[tag("a", "1")]), "tag an absent key");
    expect_not_found(store.remove_tags(A, R1, &absent, &["a".to_owned()]), "untag an absent key");
    expect_not_found(
        store.put_tags(B, R1, &key.key_id, &[tag("a", "1")]),
        "tag the key id in another account",
    );
}

// ---------------------------------------------------------------------------------------
// Aliases.

/// An alias name is unique within (account, region) and free in every other scope; its
/// target must be a key of the same scope.
pub fn aliases_are_unique_per_scope(store: &dyn Store) {
    let k1 = create(store, A, R1, 1);
    let k2 = create(store, A, R1, 2);
    let other_region = create(store, A, R2, 1);
    let other_account = create(store, B, R1, 1);

    let alias = sample_alias(&k1, "alias/app");
    ok(store.create_alias(&alias), "create alias");
    assert_eq!(
        ok(store.get_alias(A, R1, "alias/app"), "get alias"),
        Some(alias.clone()),
        "the alias reads back"
    );
    expect_already_exists(
        store.create_alias(&sample_alias(&k2, "alias/app")),
        "create the same alias name in the same scope",
    );
    assert_eq!(
        ok(store.get_alias(A, R1, "alias/app"), "get alias"),
        Some(alias.clone()),
        "the refused alias changed nothing"
    );

    let mut in_r2 = sample_alias(&other_region, "alias/app");
    in_r2.creation_date += 1;
    let mut in_b = sample_alias(&other_account, "alias/app");
    in_b.creation_date += 2;
    ok(store.create_alias(&in_r2), "same alias name in another region");
    ok(store.create_alias(&in_b), "same alias name in another account");
    assert_eq!(
        ok(store.get_alias(A, R2, "alias/app"), "get"),
        Some(in_r2),
        "each scope reads its own alias"
    );
    assert_eq!(
        ok(store.get_alias(B, R1, "alias/app"), "get"),
        Some(in_b),
        "each scope reads its own alias"
    );
    assert_eq!(
        ok(store.get_alias(B, R2, "alias/app"), "get"),
        None,
        "a scope without the alias does not see it"
    );

    let mut dangling = sample_alias(&k1, "alias/dangling");
    dangling.target_key_id = key_id(9);
    expect_not_found(store.create_alias(&dangling), "alias an absent key");
    let mut cross = sample_alias(&k2, "alias/cross");
    cross.region = R2.to_owned();
    expect_not_found(store.create_alias(&cross), "alias a key that exists only in another region");
    assert_eq!(
        ok(store.get_alias(A, R1, "alias/dangling"), "get"),
        None,
        "a refused alias is not created"
    );

    ok(store.delete_alias(A, R1, "alias/app"), "delete the alias in A/R1");
    for (account, region) in [(A, R2), (B, R1)] {
        assert!(
            ok(store.get_alias(account, region, "alias/app"), "get").is_some(),
            "deleting in A/R1 leaves the alias in {account}/{region}"
        );
    }
    let mut moved = sample_alias(&other_account, "alias/app");
    moved.last_updated_date += 1;
    ok(store.update_alias(&moved), "update the alias in B/R1");
    assert_eq!(
        ok(store.get_alias(A, R2, "alias/app"), "get").map(|alias| alias.last_updated_date),
        Some(sample_alias(&other_region, "alias/app").last_updated_date),
        "updating in B/R1 leaves the alias in A/R2"
    );
}

/// `update_alias` repoints an existing alias; `delete_alias` removes one; both refuse an
/// absent alias.
pub fn alias_update_and_delete(store: &dyn Store) {
    let k1 = create(store, A, R1, 1);
    let k2 = create(store, A, R1, 2);
    let alias = sample_alias(&k1, "alias/app");
    ok(store.create_alias(&alias), "create alias");

    let mut moved = alias.clone();
    moved.target_key_id = k2.key_id.clone();
    moved.last_updated_date += 60_000;
    ok(store.update_alias(&moved), "repoint alias");
    assert_eq!(
        ok(store.get_alias(A, R1, "alias/app"), "get"),
        Some(moved.clone()),
        "the update is stored"
    );

    let mut dangling = moved.clone();
    dangling.target_key_id = key_id(9);
    expect_not_found(store.update_alias(&dangling), "repoint to an absent key");
    assert_eq!(
        ok(store.get_alias(A, R1, "alias/app"), "get"),
        Some(moved.clone()),
        "a refused update changed nothing"
    );
    expect_not_found(
        store.update_alias(&sample_alias(&k1, "alias/absent")),
        "update an absent alias",
    );
    let mut elsewhere = moved.clone();
    elsewhere.account = B.to_owned();
    expect_not_found(store.update_alias(&elsewhere), "update the alias in another account");
    expect_not_found(store.delete_alias(A, R2, "alias/app"), "delete the alias in another region");

    ok(store.delete_alias(A, R1, "alias/app"), "delete alias");
    assert_eq!(ok(store.get_alias(A, R1, "alias/app"), "get"), None, "the alias is gone");
    expect_not_found(store.delete_alias(A, R1, "alias/app"), "delete the alias again");
    assert_eq!(stored(store, &k2), k2, "deleting an alias leaves its key");
    ok(store.create_alias(&sample_alias(&k1, "alias/app")), "a deleted alias name is free again");
}

/// Aliases list in name order, page by page, optionally only those of one key.
pub fn list_aliases_pages_in_name_order(store: &dyn Store) {
    let k1 = create(store, A, R1, 1);
    let k2 = create(store, A, R1, 2);
    let k3 = create(store, A, R1, 3);
    let empty = ok(store.list_aliases(A, R1, None, None, 5), "list aliases of an empty scope");
    assert_eq!(empty, Page::default(), "no aliases yet");

    let names = [
        ("alias/m", &k1),
        ("alias/b", &k2),
        ("alias/z", &k1),
        ("alias/a", &k1),
        ("alias/q", &k2),
        ("alias/c", &k1),
        ("alias/y", &k2),
    ];
    for (name, key) in names {
        ok(store.create_alias(&sample_alias(key, name)), "create alias");
    }
    for (account, region) in [(A, R2), (B, R1)] {
        let neighbour = create(store, account, region, 1);
        for name in ["alias/a", "alias/n", "alias/zz"] {
            ok(store.create_alias(&sample_alias(&neighbour, name)), "create a neighbour's alias");
        }
    }

    let sorted = |filter: Option<&KeyRecord>| -> Vec<String> {
        let set: BTreeSet<String> = names
            .iter()
            .filter(|(_, key)| filter.is_none_or(|f| f.key_id == key.key_id))
            .map(|(name, _)| (*name).to_owned())
            .collect();
        set.into_iter().collect()
    };
    for limit in 1..=names.len() + 2 {
        let all = walk(
            "list_aliases",
            limit,
            |alias: &AliasRecord| alias.name.clone(),
            |after| store.list_aliases(A, R1, None, after, limit),
        );
        assert_eq!(all, sorted(None), "every alias once, by name, limit {limit}");
        for key in [&k1, &k2] {
            let of_key = walk(
                "list_aliases of one key",
                limit,
                |alias: &AliasRecord| alias.name.clone(),
                |after| store.list_aliases(A, R1, Some(&key.key_id), after, limit),
            );
            assert_eq!(
                of_key,
                sorted(Some(key)),
                "the aliases of `{}` once, by name, limit {limit}",
                key.key_id
            );
        }
    }
    let none = ok(
        store.list_aliases(A, R1, Some(&k3.key_id), None, 5),
        "list aliases of a key without any",
    );
    assert_eq!(none, Page::default(), "a key without aliases lists none");
    let first = ok(store.list_aliases(A, R1, None, None, 2), "first page");
    assert_eq!(
        first.items,
        vec![sample_alias(&k1, "alias/a"), sample_alias(&k2, "alias/b")],
        "whole records are listed"
    );
}

// ---------------------------------------------------------------------------------------
// Sweeps.

/// `keys_pending_deletion` finds keys of every account and region in `PendingDeletion`
/// whose date has come, the boundary included, in date order.
pub fn pending_deletion_spans_accounts_and_regions(store: &dyn Store) {
    let schedule = |account: &str, region: &str, n: u32, state: &str, date: Option<i64>| {
        let mut key = sample_key(account, region, n);
        key.key_state = state.to_owned();
        key.deletion_date = date;
        key.pending_window_days = date.map(|_| 7);
        ok(store.create_key(&key, &sample_version(&key, 1), &[]), "create key")
    };
    let a_r1 = schedule(A, R1, 1, "PendingDeletion", Some(100));
    let b_r2 = schedule(B, R2, 1, "PendingDeletion", Some(50));
    let a_r2 = schedule(A, R2, 1, "PendingDeletion", Some(200));
    let c_r1 = schedule(C, R1, 1, "PendingDeletion", Some(100));
    schedule(B, R1, 1, "PendingDeletion", None);
    schedule(A, R1, 2, "Enabled", Some(10));
    schedule(A, R1, 3, "Disabled", Some(10));

    let due = |before: i64| ok(store.keys_pending_deletion(before), "keys pending deletion");
    assert_eq!(due(i64::MIN), Vec::new(), "nothing is due before every date");
    assert_eq!(due(49), Vec::new(), "nothing is due before the first date");
    assert_eq!(due(50), vec![b_r2.clone()], "the boundary is included");
    assert_eq!(
        due(100),
        vec![b_r2.clone(), a_r1.clone(), c_r1.clone()],
        "ordered by date, then account, region and key id"
    );
    assert_eq!(
        due(i64::MAX),
        vec![b_r2, a_r1.clone(), c_r1, a_r2],
        "every scheduled key, and only those pending deletion with a date"
    );

    let mut cancelled = a_r1;
    cancelled.key_state = "Disabled".to_owned();
    cancelled.deletion_date = None;
    cancelled.pending_window_days = None;
    ok(store.update_key(&cancelled), "cancel deletion");
    assert_eq!(due(100).len(), 2, "a cancelled deletion is no longer due");
}

/// `keys_due_rotation` finds keys of every account and region with rotation on whose next
/// rotation date has come, the boundary included, in date order.
pub fn due_rotation_spans_accounts_and_regions(store: &dyn Store) {
    let plan = |account: &str, region: &str, n: u32, enabled: bool, date: Option<i64>| {
        let mut key = sample_key(account, region, n);
        key.rotation_enabled = enabled;
        key.rotation_period_days = enabled.then_some(365);
        key.next_rotation_date = date;
        ok(store.create_key(&key, &sample_version(&key, 1), &[]), "create key")
    };
    let b_r1 = plan(B, R1, 4, true, Some(1_000));
    let a_r2 = plan(A, R2, 4, true, Some(1_000));
    let c_r2 = plan(C, R2, 1, true, Some(500));
    let a_r1 = plan(A, R1, 1, true, Some(5_000));
    plan(A, R1, 2, false, Some(10));
    plan(A, R1, 3, true, None);

    let due = |before: i64| ok(store.keys_due_rotation(before), "keys due rotation");
    assert_eq!(due(499), Vec::new(), "nothing is due before the first date");
    assert_eq!(due(500), vec![c_r2.clone()], "the boundary is included");
    assert_eq!(
        due(1_000),
        vec![c_r2.clone(), a_r2.clone(), b_r1.clone()],
        "ordered by date, then account, region and key id"
    );
    assert_eq!(
        due(i64::MAX),
        vec![c_r2.clone(), a_r2, b_r1, a_r1],
        "every enabled key with a date, and only those"
    );

    let mut rotated = c_r2;
    rotated.current_version = 2;
    rotated.next_rotation_date = Some(2_000);
    let mut version = sample_version(&rotated, 2);
    version.rotation_type = Some("AUTOMATIC".to_owned());
    ok(store.add_key_version(&rotated, &version), "rotate");
    assert_eq!(due(1_000).len(), 2, "a rotated key is due again only at its next date");
}

// ---------------------------------------------------------------------------------------
// Settings.

/// Settings read back what was last put, and nothing for a name never set.
pub fn settings_round_trip(store: &dyn Store) {
    assert_eq!(
        ok(store.get_setting("node.id"), "get unset setting"),
        None,
        "an unset setting is None"
    );
    ok(store.put_setting("node.id", "first"), "put setting");
    ok(store.put_setting("other", ""), "put empty setting");
    assert_eq!(ok(store.get_setting("node.id"), "get"), Some("first".to_owned()));
    ok(store.put_setting("node.id", "second"), "overwrite setting");
    assert_eq!(
        ok(store.get_setting("node.id"), "get"),
        Some("second".to_owned()),
        "the last put wins"
    );
    assert_eq!(
        ok(store.get_setting("other"), "get"),
        Some(String::new()),
        "settings are independent and may be empty"
    );
}
