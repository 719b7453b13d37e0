//! Conformance checks for imported key material.

use super::{
    A, B, R1, R2, create, expect_already_exists, expect_conflict, expect_not_found, ok, stored,
    versions_of,
};
use crate::{ImportParametersRecord, ImportedMaterialRecord, KeyRecord, KeyVersion, Store};

fn parameters(key: &KeyRecord, token: &str, created: i64) -> ImportParametersRecord {
    ImportParametersRecord {
        account: key.account.clone(),
        region: key.region.clone(),
        key_id: key.key_id.clone(),
        token_id: token.to_owned(),
        wrapping_algorithm: "RSAES_OAEP_SHA_256".to_owned(),
        wrapping_key_spec: "RSA_2048".to_owned(),
        sealed_wrapping_key: format!("sealed wrapping key {token}").into_bytes(),
        created,
        valid_to: created + 86_400_000,
    }
}

fn material(key: &KeyRecord, version: u32, valid_to: Option<i64>) -> ImportedMaterialRecord {
    ImportedMaterialRecord {
        account: key.account.clone(),
        region: key.region.clone(),
        key_id: key.key_id.clone(),
        version,
        fingerprint: format!("fingerprint {} v{version}", key.key_id).into_bytes(),
        description: None,
        expiration_model: Some(
            if valid_to.is_some() {
                "KEY_MATERIAL_EXPIRES"
            } else {
                "KEY_MATERIAL_DOES_NOT_EXPIRE"
            }
            .to_owned(),
        ),
        valid_to,
        imported: 1_700_000_300_000,
    }
}

fn version(key: &KeyRecord, version: u32, sealed: &[u8]) -> KeyVersion {
    KeyVersion {
        key_id: key.key_id.clone(),
        version,
        sealed_material: sealed.to_vec(),
        created: 1_700_000_300_000,
        rotation_type: None,
    }
}

/// Import parameters read back by their token; a key's expired parameters go when new
/// ones are kept; a token id is unique per key; they need their key and go with it.
pub fn import_parameters_read_back_and_expire(store: &dyn Store) {
    let key = create(store, A, R1, 1);
    let first = parameters(&key, "t1", 1_700_000_000_000);
    ok(store.put_import_parameters(&first), "keep parameters");
    let get = |token: &str| {
        ok(store.get_import_parameters(&key.account, &key.region, &key.key_id, token), "get")
    };
    assert_eq!(get("t1"), Some(first.clone()), "every field reads back");
    assert_eq!(get("t2"), None, "an unknown token");
    expect_already_exists(store.put_import_parameters(&first), "the same token again");

    // Once the first have expired, keeping new ones drops them.
    let later = parameters(&key, "t2", first.valid_to + 1);
    ok(store.put_import_parameters(&later), "keep later parameters");
    assert_eq!(get("t1"), None, "expired parameters are dropped");
    assert_eq!(get("t2"), Some(later), "the new parameters are kept");

    let other = create(store, B, R2, 1);
    assert_eq!(
        ok(store.get_import_parameters(&other.account, &other.region, &other.key_id, "t2"), "get"),
        None,
        "a token of another key"
    );
    let mut missing = parameters(&key, "t3", 1);
    missing.key_id = "no-such-key".to_owned();
    expect_not_found(store.put_import_parameters(&missing), "parameters of a missing key");
    ok(store.delete_key(&key.account, &key.region, &key.key_id), "delete the key");
    assert_eq!(
        ok(store.get_import_parameters(&key.account, &key.region, &key.key_id, "t2"), "get"),
        None,
        "parameters go with their key"
    );
}

/// Writing an imported material updates the key, writes the version and the record in one
/// transaction, creating or replacing each; a stale key revision writes nothing.
pub fn imported_material_is_written_with_its_key(store: &dyn Store) {
    let key = create(store, A, R1, 1);
    let mut updated = key.clone();
    updated.key_state = "PendingImport".to_owned();
    let first = material(&key, 1, None);
    let written = ok(
        store.put_imported_material(&updated, &version(&key, 1, b"sealed one"), &first),
        "replace the first version's material",
    );
    assert_eq!(written.revision, key.revision + 1, "the key's revision moves");
    assert_eq!(stored(store, &key).key_state, "PendingImport", "the key is updated");
    let versions = ok(store.key_versions(&key.account, &key.region, &key.key_id), "versions");
    assert_eq!(versions[0].sealed_material, b"sealed one", "the version is replaced");

    let pending = material(&key, 2, Some(1_700_000_900_000));
    let written = ok(
        store.put_imported_material(&written, &version(&key, 2, b"sealed two"), &pending),
        "add a second version with its material",
    );
    assert_eq!(versions_of(store, &key), [1, 2], "the version is added");
    let read = ok(store.imported_materials(&key.account, &key.region, &key.key_id), "read");
    assert_eq!(read, [first.clone(), pending.clone()], "records read back in version order");

    // Absent material: an empty version and a record without expiration.
    let gone = ImportedMaterialRecord { expiration_model: None, valid_to: None, ..pending };
    let written =
        ok(store.put_imported_material(&written, &version(&key, 2, b""), &gone), "delete");
    let read = ok(store.imported_materials(&key.account, &key.region, &key.key_id), "read");
    assert_eq!(read[1], gone, "the record is replaced");

    // A stale revision, or a record of another version, writes nothing.
    expect_conflict(
        store.put_imported_material(&key, &version(&key, 2, b"x"), &material(&key, 2, None)),
        "a stale revision",
    );
    expect_conflict(
        store.put_imported_material(&written, &version(&key, 2, b"x"), &material(&key, 1, None)),
        "a record of another version",
    );
    let read = ok(store.imported_materials(&key.account, &key.region, &key.key_id), "read");
    assert_eq!(read[1], gone, "nothing changed");

    ok(store.delete_key(&key.account, &key.region, &key.key_id), "delete the key");
    assert!(
        ok(store.imported_materials(&key.account, &key.region, &key.key_id), "read").is_empty(),
        "records go with their key"
    );
}

/// Expiring materials are found across accounts and regions, in expiry order, and only
/// while they are there and expire.
pub fn expiring_materials_span_accounts_and_regions(store: &dyn Store) {
    let a = create(store, A, R1, 1);
    let b = create(store, B, R2, 2);
    let c = create(store, A, R2, 3);
    ok(store.put_imported_material(&a, &version(&a, 1, b"a"), &material(&a, 1, Some(300))), "a");
    ok(store.put_imported_material(&b, &version(&b, 1, b"b"), &material(&b, 1, Some(200))), "b");
    ok(store.put_imported_material(&c, &version(&c, 1, b"c"), &material(&c, 1, None)), "c");
    let due = |before: i64| -> Vec<String> {
        ok(store.imported_materials_expiring(before), "expiring")
            .into_iter()
            .map(|m| m.key_id)
            .collect()
    };
    assert_eq!(due(100), Vec::<String>::new(), "none yet");
    assert_eq!(due(200), std::slice::from_ref(&b.key_id), "at its expiry");
    assert_eq!(due(1_000), [b.key_id.clone(), a.key_id.clone()], "in expiry order");
    let b_now = stored(store, &b);
    let gone = ImportedMaterialRecord {
        expiration_model: None,
        valid_to: None,
        ..material(&b, 1, Some(200))
    };
    ok(store.put_imported_material(&b_now, &version(&b, 1, b""), &gone), "b expires");
    assert_eq!(due(1_000), [a.key_id], "absent material does not expire again");
}
