//! Any sequence of `put_tags` and `remove_tags` leaves the same tags as a sorted map.

use std::collections::BTreeMap;

use coffer_store::{KeyRecord, KeyVersion, SqliteStore, Store, Tag};
use proptest::collection::vec;
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    Put(Vec<(String, String)>),
    Remove(Vec<String>),
}

/// Few distinct tag keys, so that puts overwrite and removes hit; non-ASCII to check the
/// order is the same byte order a map uses.
fn tag_key() -> impl Strategy<Value = String> {
    "[abZé]{0,2}"
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        vec((tag_key(), "[a-z0-9]{0,3}"), 0..4).prop_map(Op::Put),
        vec(tag_key(), 0..4).prop_map(Op::Remove),
    ]
}

fn key() -> KeyRecord {
    KeyRecord {
        account: "111122223333".into(),
        region: "us-east-1".into(),
        key_id: "0b8e1f5e-7c1a-4c55-9a0e-2d8b3c4f6a71".into(),
        arn: "arn:aws:kms:us-east-1:111122223333:key/0b8e1f5e-7c1a-4c55-9a0e-2d8b3c4f6a71".into(),
        description: String::new(),
        key_usage: "ENCRYPT_DECRYPT".into(),
        key_spec: "SYMMETRIC_DEFAULT".into(),
        origin: "AWS_KMS".into(),
        key_state: "Enabled".into(),
        creation_date: 0,
        deletion_date: None,
        pending_window_days: None,
        policy: "{}".into(),
        rotation_enabled: false,
        rotation_period_days: None,
        next_rotation_date: None,
        current_version: 1,
        on_demand_rotations: 0,
        revision: 0,
    }
}

proptest! {
    #[test]
    fn tag_operations_agree_with_a_map(ops in vec(op(), 0..24)) {
        let store = SqliteStore::open_in_memory().unwrap();
        let key = key();
        let first = KeyVersion {
            key_id: key.key_id.clone(),
            version: 1,
            sealed_material: vec![0; 8],
            created: 0,
            rotation_type: None,
        };
        store.create_key(&key, &first, &[]).unwrap();
        let (account, region, id) = (&key.account, &key.region, &key.key_id);

        let mut model = BTreeMap::new();
        for op in ops {
            match op {
                Op::Put(pairs) => {
                    let tags: Vec<Tag> = pairs
                        .iter()
                        .map(|(k, v)| Tag { key: k.clone(), value: v.clone() })
                        .collect();
                    store.put_tags(account, region, id, &tags).unwrap();
                    model.extend(pairs);
                }
                Op::Remove(keys) => {
                    store.remove_tags(account, region, id, &keys).unwrap();
                    for k in &keys {
                        model.remove(k);
                    }
                }
            }
            let expected: Vec<Tag> = model
                .iter()
                .map(|(k, v)| Tag { key: k.clone(), value: v.clone() })
                .collect();
            prop_assert_eq!(store.tags(account, region, id).unwrap(), expected);
        }
    }
}
