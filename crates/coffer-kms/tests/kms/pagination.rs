//! Pagination: every listing walks its pages with the markers it hands out, and refuses a
//! marker it did not hand out — made up, altered, or taken from another listing — with
//! InvalidMarkerException.

#![expect(clippy::unwrap_used, reason = "a listing that cannot set itself up fails the test")]

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use coffer_kms::ops::create_grant::CreateGrantRequest;
use coffer_kms::ops::list_grants::ListGrantsRequest;
use coffer_kms::{Caller, KmsError, Tag};

use crate::support::*;

/// A listing under test: a page of at most `limit` items starting after `marker`, as the
/// items' names and the next marker.
type Lister<'a> =
    Box<dyn Fn(i64, Option<&str>) -> Result<(Vec<String>, Option<String>), KmsError> + 'a>;

/// Walks every page of `list`, one item at a time, and returns the items and the markers.
fn walk(list: &Lister<'_>) -> (Vec<String>, Vec<String>) {
    let (mut items, mut markers) = (Vec::new(), Vec::new());
    let mut marker: Option<String> = None;
    loop {
        let (page, next) = list(1, marker.as_deref()).unwrap();
        assert!(page.len() <= 1);
        items.extend(page);
        match next {
            Some(m) => {
                markers.push(m.clone());
                marker = Some(m);
            }
            None => return (items, markers),
        }
    }
}

fn is_invalid_marker<T: std::fmt::Debug>(r: Result<T, KmsError>) -> bool {
    let e = fails(r);
    assert_eq!(
        e.to_string(),
        "The request was rejected because the marker that specifies where pagination should next begin is not valid."
    );
    matches!(e, KmsError::InvalidMarker)
}

/// The same marker with one bit of its position flipped.
fn altered(marker: &str) -> String {
    let mut bytes = URL_SAFE_NO_PAD.decode(marker).unwrap();
    bytes[1] ^= 1;
    URL_SAFE_NO_PAD.encode(bytes)
}

struct Listings<'a> {
    env: &'a Env,
    admin: Caller,
    key: String,
    other_key: String,
}

impl<'a> Listings<'a> {
    /// Three of everything: keys, aliases of `key`, grants on `key` retired by the
    /// administrator, tags on `key`, rotations of `key`; and two aliases, grants, tags and
    /// rotations of `other_key`.
    fn new(env: &'a Env) -> Listings<'a> {
        let admin = env.admin();
        let key = env.key().key_id;
        let other_key = env.key().key_id;
        for i in 0..3 {
            env.kms.create_alias(&admin, &format!("alias/page-{i}"), &key).unwrap();
            env.kms
                .create_grant(
                    &admin,
                    CreateGrantRequest {
                        key_id: key.clone(),
                        grantee_principal: ALICE_ARN.into(),
                        retiring_principal: Some(ADMIN_ARN.into()),
                        operations: vec!["Decrypt".into()],
                        ..Default::default()
                    },
                )
                .unwrap();
            let tag = Tag { key: format!("tag-{i}"), value: "v".into() };
            env.kms.tag_resource(&admin, &key, &[tag]).unwrap();
            env.kms.rotate_key_on_demand(&admin, &key).unwrap();
        }
        for i in 0..2 {
            env.kms.create_alias(&admin, &format!("alias/other-{i}"), &other_key).unwrap();
            env.kms
                .create_grant(
                    &admin,
                    CreateGrantRequest {
                        key_id: other_key.clone(),
                        grantee_principal: ALICE_ARN.into(),
                        operations: vec!["Decrypt".into()],
                        ..Default::default()
                    },
                )
                .unwrap();
            let tag = Tag { key: format!("tag-{i}"), value: "v".into() };
            env.kms.tag_resource(&admin, &other_key, &[tag]).unwrap();
            env.kms.rotate_key_on_demand(&admin, &other_key).unwrap();
        }
        Listings { env, admin, key, other_key }
    }

    /// Every listing that pages, by name, over `key`.
    fn of(&self, key: &str) -> Vec<(&'static str, Lister<'_>)> {
        let (kms, admin, key) = (&self.env.kms, &self.admin, key.to_owned());
        let k = key.clone();
        let keys: Lister<'_> = Box::new(move |limit, marker| {
            let p = kms.list_keys(admin, Some(limit), marker)?;
            Ok((p.keys.into_iter().map(|e| e.key_id).collect(), p.next_marker))
        });
        let aliases: Lister<'_> = Box::new(move |limit, marker| {
            let p = kms.list_aliases(admin, Some(&k), Some(limit), marker)?;
            Ok((p.aliases.into_iter().map(|a| a.alias_name).collect(), p.next_marker))
        });
        let k = key.clone();
        let grants: Lister<'_> = Box::new(move |limit, marker| {
            let req = ListGrantsRequest {
                key_id: k.clone(),
                limit: Some(limit),
                marker: marker.map(Into::into),
                ..Default::default()
            };
            let p = kms.list_grants(admin, req)?;
            Ok((p.grants.into_iter().map(|g| g.grant_id).collect(), p.next_marker))
        });
        let retirable: Lister<'_> = Box::new(move |limit, marker| {
            let p = kms.list_retirable_grants(admin, ADMIN_ARN, Some(limit), marker)?;
            Ok((p.grants.into_iter().map(|g| g.grant_id).collect(), p.next_marker))
        });
        let k = key.clone();
        let tags: Lister<'_> = Box::new(move |limit, marker| {
            let p = kms.list_resource_tags(admin, &k, Some(limit), marker)?;
            Ok((p.tags.into_iter().map(|t| t.key).collect(), p.next_marker))
        });
        let rotations: Lister<'_> = Box::new(move |limit, marker| {
            let p = kms.list_key_rotations(admin, &key, None, Some(limit), marker)?;
            Ok((p.rotations.into_iter().map(|r| r.key_material_id).collect(), p.next_marker))
        });
        vec![
            ("ListKeys", keys),
            ("ListAliases", aliases),
            ("ListGrants", grants),
            ("ListRetirableGrants", retirable),
            ("ListResourceTags", tags),
            ("ListKeyRotations", rotations),
        ]
    }
}

#[test]
fn every_listing_pages_with_its_own_markers() {
    let env = Env::new();
    let l = Listings::new(&env);
    for (name, list) in l.of(&l.key) {
        let (items, markers) = walk(&list);
        let (all, none) = list(1000, None).unwrap();
        assert_eq!((items.len(), none), (all.len(), None), "{name}");
        assert_eq!(items, all, "{name}");
        assert!(items.len() >= 2 && markers.len() == items.len() - 1, "{name}: {items:?}");
        // A marker names a position, not a page: it can be used again.
        let again = list(1, Some(&markers[0])).unwrap();
        assert_eq!(again.0, [items[1].clone()], "{name}");
    }
}

#[test]
fn every_listing_refuses_a_marker_it_did_not_hand_out() {
    let env = Env::new();
    let l = Listings::new(&env);
    let ours = l.of(&l.key);
    let theirs = l.of(&l.other_key);
    let mut handed_out = Vec::new();
    for ((name, list), (_, other)) in ours.iter().zip(&theirs) {
        let (items, markers) = walk(list);
        // What the service used to take as a marker: an item's own name.
        assert!(is_invalid_marker(list(1, Some(&items[0]))), "{name}");
        assert!(is_invalid_marker(list(1, Some("x"))), "{name}");
        assert!(is_invalid_marker(list(1, Some(&altered(&markers[0])))), "{name}");
        // A marker of the same listing over another key.
        if !matches!(*name, "ListKeys" | "ListRetirableGrants") {
            let m = other(1, None).unwrap().1.unwrap();
            assert!(is_invalid_marker(list(1, Some(&m))), "{name}");
        }
        handed_out.push((*name, markers[0].clone()));
    }
    // Nor does any listing take another listing's marker.
    for (name, list) in &ours {
        for (from, marker) in &handed_out {
            if from != name {
                assert!(is_invalid_marker(list(1, Some(marker))), "{name} took {from}'s marker");
            }
        }
    }
}

#[test]
fn markers_are_bound_to_the_filters_of_their_listing() {
    let env = Env::new();
    let l = Listings::new(&env);
    let (kms, admin) = (&env.kms, &l.admin);
    let by_grantee = |grantee: Option<&str>, marker: Option<String>| {
        kms.list_grants(
            admin,
            ListGrantsRequest {
                key_id: l.key.clone(),
                grantee_principal: grantee.map(Into::into),
                limit: Some(1),
                marker,
                ..Default::default()
            },
        )
    };
    let m = by_grantee(Some(ALICE_ARN), None).unwrap().next_marker.unwrap();
    assert_eq!(by_grantee(Some(ALICE_ARN), Some(m.clone())).unwrap().grants.len(), 1);
    assert!(is_invalid_marker(by_grantee(None, Some(m))));

    let rotations = |include: &str, marker: Option<&str>| {
        kms.list_key_rotations(admin, &l.key, Some(include), Some(1), marker)
    };
    let m = rotations("ROTATIONS_ONLY", None).unwrap().next_marker.unwrap();
    assert!(is_invalid_marker(rotations("ALL_KEY_MATERIAL", Some(&m))));
    // The key may be named in any form: the marker is bound to the key, not to the words.
    let arn = kms.describe_key(admin, &l.key).unwrap().arn;
    let m = kms.list_aliases(admin, Some(&l.key), Some(1), None).unwrap().next_marker.unwrap();
    assert_eq!(kms.list_aliases(admin, Some(&arn), Some(1), Some(&m)).unwrap().aliases.len(), 1);
    assert!(is_invalid_marker(kms.list_aliases(admin, None, Some(1), Some(&m))));
}

#[test]
fn list_key_policies_hands_out_no_marker_and_takes_none() {
    let env = Env::new();
    let admin = env.admin();
    let key = env.key();
    let page = env.kms.list_key_policies(&admin, &key.key_id, Some(1), None).unwrap();
    assert_eq!((page.policy_names, page.next_marker), (vec!["default".to_owned()], None));
    assert!(is_invalid_marker(env.kms.list_key_policies(
        &admin,
        &key.key_id,
        None,
        Some("default")
    )));
    // Authorization comes first: a caller who may not list learns nothing of the marker.
    let e = fails(env.kms.list_key_policies(&env.alice(), &key.key_id, None, Some("x")));
    assert!(matches!(e, KmsError::AccessDenied { .. }), "{e:?}");
    let e = fails(env.kms.list_keys(&env.alice(), None, Some("x")));
    assert!(matches!(e, KmsError::AccessDenied { .. }), "{e:?}");
}
