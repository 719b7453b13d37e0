//! Pagination markers: any text taken back as a `Marker` never panics, and is accepted
//! only when it is exactly the marker the service hands out for its position and listing.
//!
//! The first byte picks a listing and a mode; in the first mode the rest is the marker, in
//! the second it is a position whose genuine marker is opened, then changed at one place.

#![no_main]

use std::sync::{Arc, OnceLock};

use coffer_crypto::{RootKey, Secret, SystemRandom};
use coffer_kms::audit::MemoryAudit;
use coffer_kms::clock::ManualClock;
use coffer_kms::iam::Identities;
use coffer_kms::ops::marker::{issue, open};
use coffer_kms::{Kms, KmsError};
use coffer_store::SqliteStore;
use libfuzzer_sys::fuzz_target;

/// Listings as the operations scope them (account, region, key, filters).
const LISTINGS: [(&str, &[&str]); 4] = [
    ("ListKeys", &["111122223333", "us-east-1"]),
    ("ListAliases", &["111122223333", "us-east-1", ""]),
    ("ListGrants", &["111122223333", "us-east-1", "1234abcd-12ab-34cd-56ef-1234567890ab", "", ""]),
    ("ListResourceTags", &["111122223333", "us-east-1", "1234abcd-12ab-34cd-56ef-1234567890ab"]),
];

/// One service for the whole run, its marker key made before the first input.
fn kms() -> &'static Kms {
    static KMS: OnceLock<Kms> = OnceLock::new();
    KMS.get_or_init(|| {
        let ids = Identities::single_root(
            "111122223333",
            "AKIAEXAMPLEEXAMPLE01",
            Secret::new(b"example-secret-0123456789".to_vec()),
        );
        let store = SqliteStore::open_in_memory().expect("an in-memory store opens");
        let root = RootKey::from_secret(Secret::new(vec![7; 32])).expect("a 32-byte root key");
        let kms = Kms::new(
            Arc::new(store),
            root,
            Arc::new(SystemRandom),
            Arc::new(ManualClock::new(1_700_000_000_000)),
            ids,
            Arc::new(MemoryAudit::default()),
        );
        let (operation, scope) = LISTINGS[0];
        issue(&kms, operation, scope, "first").expect("a marker is issued");
        kms
    })
}

/// Opens a marker that must be refused.
fn refused(operation: &'static str, scope: &[&str], marker: &str) {
    match open(kms(), operation, scope, marker) {
        Err(KmsError::InvalidMarker) => {}
        other => panic!("marker `{marker}` for {operation} {scope:?}: {other:?}"),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    let kms = kms();
    let (operation, scope) = LISTINGS[usize::from(selector) % LISTINGS.len()];
    if selector & 0x80 == 0 {
        let marker = String::from_utf8_lossy(rest);
        match open(kms, operation, scope, &marker) {
            Ok(Some(position)) => {
                let genuine = issue(kms, operation, scope, &position);
                assert_eq!(genuine.ok().flatten().as_deref(), Some(marker.as_ref()));
            }
            Err(KmsError::InvalidMarker) => {}
            other => panic!("marker `{marker}`: {other:?}"),
        }
        return;
    }

    // The last two bytes say where to change the genuine marker, and to what.
    let (position, change) = match rest {
        [position @ .., at, to] => (String::from_utf8_lossy(position), Some((*at, *to))),
        _ => (String::from_utf8_lossy(rest), None),
    };
    let marker = issue(kms, operation, scope, &position)
        .expect("a marker is issued")
        .expect("a position has a marker");
    let opened = open(kms, operation, scope, &marker).expect("a genuine marker opens");
    assert_eq!(opened.as_deref(), Some(position.as_ref()));
    for (other, other_scope) in LISTINGS {
        if other != operation {
            refused(other, other_scope, &marker);
        }
    }
    let Some((at, to)) = change else { return };
    let mut chars: Vec<char> = marker.chars().collect();
    let at = usize::from(at) % (chars.len() + 1);
    let to = char::from(to);
    if at == chars.len() {
        chars.push(to);
    } else {
        chars[at] = to;
    }
    let changed: String = chars.into_iter().collect();
    if changed != marker {
        refused(operation, scope, &changed);
    }
});
