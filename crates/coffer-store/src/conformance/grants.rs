//! Conformance checks for grants.

use std::collections::BTreeMap;

use super::{A, B, R1, R2, create, expect_already_exists, expect_not_found, ok, walk};
use crate::{GrantRecord, KeyRecord, Store};

/// A grant id that sorts by `n`: 64 hexadecimal digits, as the service makes them.
fn grant_id(n: u32) -> String {
    format!("{n:08x}{}", "0".repeat(56))
}

fn pairs(list: &[(&str, &str)]) -> BTreeMap<String, String> {
    list.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

fn sample_grant(key: &KeyRecord, n: u32, grantee: &str) -> GrantRecord {
    GrantRecord {
        grant_id: grant_id(n),
        account: key.account.clone(),
        region: key.region.clone(),
        key_id: key.key_id.clone(),
        name: None,
        creation_date: 1_700_000_200_000 + i64::from(n),
        grantee_principal: grantee.to_owned(),
        retiring_principal: None,
        issuing_account: format!("arn:aws:iam::{}:root", key.account),
        operations: vec!["Decrypt".to_owned()],
        encryption_context_equals: None,
        encryption_context_subset: None,
        sealed_token_secret: format!("sealed secret {n}").into_bytes(),
    }
}

const ALICE: &str = "arn:aws:iam::111122223333:user/alice";
const BOB: &str = "arn:aws:iam::444455556666:user/bob";
const RETIRER: &str = "arn:aws:iam::111122223333:role/retirer";

/// A grant reads back by its id alone with every field as given; its id is unique
/// everywhere, and it needs its key.
pub fn grant_reads_back_by_id(store: &dyn Store) {
    let key = create(store, A, R1, 1);
    let other = create(store, B, R2, 1);
    let full = GrantRecord {
        name: Some("app-grant:1/x_y-z".to_owned()),
        retiring_principal: Some(RETIRER.to_owned()),
        operations: vec!["GenerateDataKey".to_owned(), "Decrypt".to_owned(), "Encrypt".to_owned()],
        encryption_context_equals: Some(pairs(&[("Dept", "IT"), ("stage", "prod")])),
        encryption_context_subset: Some(pairs(&[("k", "v \"quoted\" ü")])),
        ..sample_grant(&key, 1, ALICE)
    };
    ok(store.create_grant(&full), "create a grant with every field");
    let bare = sample_grant(&other, 2, BOB);
    ok(store.create_grant(&bare), "create a grant without optional fields");
    assert_eq!(ok(store.get_grant(&full.grant_id), "get"), Some(full.clone()), "every field");
    assert_eq!(ok(store.get_grant(&bare.grant_id), "get"), Some(bare.clone()), "absent fields");
    assert_eq!(ok(store.get_grant(&grant_id(99)), "get unknown"), None, "an unknown grant");

    expect_already_exists(
        store.create_grant(&sample_grant(&other, 1, BOB)),
        "a grant id taken on another key of another scope",
    );
    let mut orphan = sample_grant(&key, 3, ALICE);
    orphan.key_id = super::key_id(42);
    expect_not_found(store.create_grant(&orphan), "a grant on a key that does not exist");
    let mut elsewhere = sample_grant(&key, 4, ALICE);
    elsewhere.region = R2.to_owned();
    expect_not_found(store.create_grant(&elsewhere), "a grant on the key id in another region");
    assert_eq!(ok(store.get_grant(&grant_id(3)), "get"), None, "a refused grant is not kept");
}

/// The grants of a key list in grant id order, page by page, optionally only those of one
/// grantee, and count the same; other keys' and other scopes' grants never show.
pub fn grants_list_and_count_by_key_and_grantee(store: &dyn Store) {
    let key = create(store, A, R1, 1);
    let sibling = create(store, A, R1, 2);
    let elsewhere = create(store, A, R2, 1);
    let order = [7, 3, 9, 1, 5, 8, 2];
    for n in order {
        let grantee = if n % 2 == 0 { BOB } else { ALICE };
        ok(store.create_grant(&sample_grant(&key, n, grantee)), "create grant");
    }
    ok(store.create_grant(&sample_grant(&sibling, 20, ALICE)), "a sibling key's grant");
    ok(store.create_grant(&sample_grant(&elsewhere, 21, ALICE)), "another region's grant");

    let ids = |filter: fn(u32) -> bool| -> Vec<String> {
        let mut ns: Vec<u32> = order.iter().copied().filter(|n| filter(*n)).collect();
        ns.sort_unstable();
        ns.into_iter().map(grant_id).collect()
    };
    for limit in 1..=order.len() + 1 {
        let all = walk(
            "list_grants",
            limit,
            |g: &GrantRecord| g.grant_id.clone(),
            |after| store.list_grants(A, R1, &key.key_id, None, after, limit),
        );
        assert_eq!(all, ids(|_| true), "every grant of the key once, by id, limit {limit}");
        let of_bob = walk(
            "list_grants of one grantee",
            limit,
            |g: &GrantRecord| g.grant_id.clone(),
            |after| store.list_grants(A, R1, &key.key_id, Some(BOB), after, limit),
        );
        assert_eq!(of_bob, ids(|n| n % 2 == 0), "the grantee's grants, limit {limit}");
    }
    let first = ok(store.list_grants(A, R1, &key.key_id, None, None, 1), "first page");
    assert_eq!(first.items, vec![sample_grant(&key, 1, ALICE)], "whole records are listed");
    let none = ok(store.list_grants(A, R1, &super::key_id(42), None, None, 5), "unknown key");
    assert!(none.items.is_empty() && none.next.is_none(), "a key that does not exist lists none");

    let count = |grantee| ok(store.count_grants(A, R1, &key.key_id, grantee), "count grants");
    assert_eq!(count(None), 7, "every grant of the key");
    assert_eq!(count(Some(ALICE)), 5, "the grants of one grantee");
    assert_eq!(count(Some(BOB)), 2, "the grants of another grantee");
    assert_eq!(count(Some(RETIRER)), 0, "a principal without grants");
    assert_eq!(ok(store.count_grants(A, R1, &sibling.key_id, None), "count"), 1);
}

/// Every grant of a key with a name is found by that name, and only those.
pub fn grants_are_found_by_name(store: &dyn Store) {
    let key = create(store, A, R1, 1);
    let sibling = create(store, A, R1, 2);
    let named = |k: &KeyRecord, n: u32, name: Option<&str>| {
        let g = GrantRecord { name: name.map(str::to_owned), ..sample_grant(k, n, ALICE) };
        ok(store.create_grant(&g), "create grant");
        g
    };
    let second = named(&key, 2, Some("app"));
    let first = named(&key, 1, Some("app"));
    named(&key, 3, Some("other"));
    named(&key, 4, None);
    named(&sibling, 5, Some("app"));
    assert_eq!(
        ok(store.grants_named(A, R1, &key.key_id, "app"), "grants named app"),
        vec![first, second],
        "both grants of the name on the key, by id"
    );
    assert_eq!(ok(store.grants_named(A, R1, &key.key_id, "none"), "unused name"), vec![]);
    assert_eq!(ok(store.grants_named(A, R2, &key.key_id, "app"), "another region"), vec![]);
}

/// Retirable grants are those naming the principal as retiring principal, on keys of every
/// account of the region, in grant id order.
pub fn retirable_grants_span_the_accounts_of_a_region(store: &dyn Store) {
    let mine = create(store, A, R1, 1);
    let theirs = create(store, B, R1, 1);
    let far = create(store, A, R2, 1);
    let retirable = |k: &KeyRecord, n: u32, retiring: &str| {
        let g = GrantRecord {
            retiring_principal: Some(retiring.to_owned()),
            ..sample_grant(k, n, ALICE)
        };
        ok(store.create_grant(&g), "create grant");
    };
    retirable(&mine, 4, RETIRER);
    retirable(&theirs, 2, RETIRER);
    retirable(&mine, 6, RETIRER);
    retirable(&mine, 1, BOB);
    retirable(&far, 3, RETIRER);
    ok(store.create_grant(&sample_grant(&mine, 5, RETIRER)), "a grant without retiring principal");
    for limit in 1..=4 {
        let ids = walk(
            "list_retirable_grants",
            limit,
            |g: &GrantRecord| g.grant_id.clone(),
            |after| store.list_retirable_grants(R1, RETIRER, after, limit),
        );
        assert_eq!(ids, vec![grant_id(2), grant_id(4), grant_id(6)], "limit {limit}");
    }
    let none = ok(store.list_retirable_grants(R2, BOB, None, 5), "nothing to retire");
    assert!(none.items.is_empty() && none.next.is_none());
}

/// A deleted grant is gone; deleting it again is NotFound; deleting a key takes its grants.
pub fn grants_are_deleted_alone_and_with_their_key(store: &dyn Store) {
    let key = create(store, A, R1, 1);
    let keep = create(store, A, R1, 2);
    for n in 1..=3 {
        ok(store.create_grant(&sample_grant(&key, n, ALICE)), "create grant");
    }
    ok(store.create_grant(&sample_grant(&keep, 4, ALICE)), "create grant on another key");
    ok(store.delete_grant(&grant_id(2)), "delete grant");
    assert_eq!(ok(store.get_grant(&grant_id(2)), "get"), None, "the grant is gone");
    expect_not_found(store.delete_grant(&grant_id(2)), "delete the grant again");
    assert_eq!(ok(store.count_grants(A, R1, &key.key_id, None), "count"), 2);

    ok(store.delete_key(A, R1, &key.key_id), "delete the key");
    assert_eq!(ok(store.get_grant(&grant_id(1)), "get"), None, "the key's grants went with it");
    assert_eq!(ok(store.count_grants(A, R1, &key.key_id, None), "count"), 0);
    assert!(ok(store.get_grant(&grant_id(4)), "get").is_some(), "other keys keep theirs");
    ok(store.create_grant(&sample_grant(&keep, 1, ALICE)), "a deleted grant's id is free again");
}
