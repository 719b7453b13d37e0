//! Pagination markers: what a listing hands out as `NextMarker` and takes back as `Marker`.
//!
//! A marker names the last item of the page it ends (a key id, an alias name, a grant id, a
//! tag key, a material version) and is bound to the listing that handed it out: the
//! operation and its scope (account, region, key, filters). It carries an HMAC under a key
//! of the service, so a marker the service did not hand out for this listing — made up,
//! altered, or taken from another listing — is InvalidMarkerException, instead of a page
//! that starts at whatever point the caller chose.
//!
//! The HMAC key is random, made on first use, sealed under the root key and kept as a
//! server setting: markers stay valid across restarts, and a marker remains a position
//! ("after this item"), so it still works when its item is gone.
//!
//! # Format, version 1
//!
//! ```text
//! base64url, unpadded, of:
//!   1 byte    version, 0x01
//!   n bytes   the position, UTF-8
//!   32 bytes  HMAC-SHA-256 over the label "coffer pagination marker v1" followed by the
//!             operation, each scope part and the position, each prefixed by its length
//!             (4 bytes, big-endian)
//! ```

use std::sync::{Mutex, PoisonError};

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use coffer_crypto::{KeySpec, MacAlgorithm, Secret};

use crate::Kms;
use crate::err::KmsError;

const VERSION: u8 = 0x01;
const TAG_LEN: usize = 32;
const LABEL: &[u8] = b"coffer pagination marker v1";

/// The server setting that keeps the sealed marker key.
const KEY_SETTING: &str = "pagination-marker-key";

/// What the marker key is sealed to.
const KEY_IDENTITY: &[u8] = b"coffer:pagination-marker-key:v1";

/// Two first listings at once would each make a key and the later write would void the
/// markers made with the earlier one: the key is made under this lock.
static KEY_CREATION: Mutex<()> = Mutex::new(());

/// One listing: the operation and what scopes it (account, region, key, filters). A marker
/// is accepted only by the listing that handed it out.
#[derive(Debug)]
pub(crate) struct Listing<'a> {
    operation: &'static str,
    scope: Vec<&'a str>,
}

impl<'a> Listing<'a> {
    /// The listing of `operation` over `scope`; an absent filter is best given as `""`.
    pub(crate) fn new(operation: &'static str, scope: &[&'a str]) -> Listing<'a> {
        Listing { operation, scope: scope.to_vec() }
    }

    fn tagged(&self, position: &[u8]) -> Vec<u8> {
        let mut m = LABEL.to_vec();
        let parts = std::iter::once(self.operation.as_bytes())
            .chain(self.scope.iter().map(|s| s.as_bytes()))
            .chain(std::iter::once(position));
        for part in parts {
            // A part longer than 4 GiB cannot reach here (requests are far smaller); the
            // saturated length still keeps the encoding unambiguous for every real input.
            let len = u32::try_from(part.len()).unwrap_or(u32::MAX);
            m.extend_from_slice(&len.to_be_bytes());
            m.extend_from_slice(part);
        }
        m
    }
}

impl Kms {
    /// The position a request's marker names, once checked: `None` without a marker,
    /// InvalidMarkerException for a marker this listing did not hand out.
    pub(crate) fn open_marker(
        &self,
        listing: &Listing<'_>,
        marker: Option<&str>,
    ) -> Result<Option<String>, KmsError> {
        let Some(marker) = marker else {
            return Ok(None);
        };
        let bytes = URL_SAFE_NO_PAD.decode(marker).map_err(|_| KmsError::InvalidMarker)?;
        if bytes.len() < 1 + TAG_LEN || bytes[0] != VERSION {
            return Err(KmsError::InvalidMarker);
        }
        let (position, tag) = bytes[1..].split_at(bytes.len() - 1 - TAG_LEN);
        // Without a key no marker was ever handed out; a refused marker then writes nothing.
        let key = self.stored_marker_key()?.ok_or(KmsError::InvalidMarker)?;
        let genuine = coffer_crypto::verify_mac(
            KeySpec::Hmac256,
            &key,
            MacAlgorithm::HmacSha256,
            &listing.tagged(position),
            tag,
        )
        .map_err(KmsError::internal)?;
        if !genuine {
            return Err(KmsError::InvalidMarker);
        }
        String::from_utf8(position.to_vec()).map(Some).map_err(|_| KmsError::InvalidMarker)
    }

    /// The marker of the next page, which starts after `position`; `None` when there is no
    /// next page.
    pub(crate) fn issue_marker(
        &self,
        listing: &Listing<'_>,
        position: Option<String>,
    ) -> Result<Option<String>, KmsError> {
        let Some(position) = position else {
            return Ok(None);
        };
        let tag = coffer_crypto::mac(
            KeySpec::Hmac256,
            &self.marker_key()?,
            MacAlgorithm::HmacSha256,
            &listing.tagged(position.as_bytes()),
        )
        .map_err(KmsError::internal)?;
        let mut bytes = Vec::with_capacity(1 + position.len() + TAG_LEN);
        bytes.push(VERSION);
        bytes.extend_from_slice(position.as_bytes());
        bytes.extend_from_slice(&tag);
        Ok(Some(URL_SAFE_NO_PAD.encode(bytes)))
    }

    /// The marker key: read from the store, or made and stored on first use.
    fn marker_key(&self) -> Result<Secret, KmsError> {
        if let Some(key) = self.stored_marker_key()? {
            return Ok(key);
        }
        let _creating = KEY_CREATION.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(key) = self.stored_marker_key()? {
            return Ok(key);
        }
        let key = self.random_secret(32)?;
        let sealed = coffer_crypto::seal(&self.root, KEY_IDENTITY, &key, self.rng.as_ref())
            .map_err(KmsError::internal)?;
        self.store.put_setting(KEY_SETTING, &STANDARD.encode(sealed))?;
        Ok(key)
    }

    fn stored_marker_key(&self) -> Result<Option<Secret>, KmsError> {
        let Some(stored) = self.store.get_setting(KEY_SETTING)? else {
            return Ok(None);
        };
        let unreadable = || KmsError::internal("the pagination marker key does not unseal");
        let sealed = STANDARD.decode(stored).map_err(|_| unreadable())?;
        coffer_crypto::unseal(&self.root, KEY_IDENTITY, &sealed).map(Some).map_err(|_| unreadable())
    }
}

/// Opens `marker` as the listing of `operation` over `scope` would: the position it names,
/// or InvalidMarkerException.
///
/// This and [`issue`] are public, and hidden from the documentation, only so that the fuzz
/// target of the marker decoder can reach it without a listing's store and authorization:
/// a narrow entry point keeps [`Listing`] and the methods private, where a cargo feature
/// would add a build to keep compiling.
#[doc(hidden)]
pub fn open(
    kms: &Kms,
    operation: &'static str,
    scope: &[&str],
    marker: &str,
) -> Result<Option<String>, KmsError> {
    kms.open_marker(&Listing::new(operation, scope), Some(marker))
}

/// The marker the listing of `operation` over `scope` hands out for a page that ends at
/// `position`; see [`open`].
#[doc(hidden)]
pub fn issue(
    kms: &Kms,
    operation: &'static str,
    scope: &[&str],
    position: &str,
) -> Result<Option<String>, KmsError> {
    kms.issue_marker(&Listing::new(operation, scope), Some(position.to_owned()))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use coffer_crypto::{RootKey, SystemRandom};
    use coffer_store::{SqliteStore, Store};

    use super::*;
    use crate::audit::MemoryAudit;
    use crate::clock::ManualClock;
    use crate::iam::Identities;

    fn kms_over(store: Arc<dyn Store>) -> Kms {
        let ids = Identities::single_root(
            "111122223333",
            "AKIAEXAMPLEEXAMPLE01",
            Secret::new(b"example-secret-0123456789".to_vec()),
        );
        let root = RootKey::from_secret(Secret::new(vec![7; 32])).unwrap();
        Kms::new(
            store,
            root,
            Arc::new(SystemRandom),
            Arc::new(ManualClock::new(1_700_000_000_000)),
            ids,
            Arc::new(MemoryAudit::default()),
        )
    }

    fn kms() -> Kms {
        kms_over(Arc::new(SqliteStore::open_in_memory().unwrap()))
    }

    fn keys() -> Listing<'static> {
        Listing::new("ListKeys", &["111122223333", "us-east-1"])
    }

    #[test]
    fn a_marker_names_its_position_to_its_own_listing_only() {
        let kms = kms();
        let m = kms.issue_marker(&keys(), Some("key-7".into())).unwrap().unwrap();
        assert_eq!(kms.open_marker(&keys(), Some(&m)).unwrap().as_deref(), Some("key-7"));
        assert_eq!(kms.open_marker(&keys(), None).unwrap(), None);
        assert_eq!(kms.issue_marker(&keys(), None).unwrap(), None);
        for other in [
            Listing::new("ListAliases", &["111122223333", "us-east-1"]),
            Listing::new("ListKeys", &["111122223333", "eu-west-1"]),
            Listing::new("ListKeys", &["444455556666", "us-east-1"]),
            Listing::new("ListKeys", &["111122223333", "us-east-1", ""]),
            Listing::new("ListKeys", &[]),
        ] {
            assert!(matches!(kms.open_marker(&other, Some(&m)), Err(KmsError::InvalidMarker)));
        }
        // Scope parts do not run into each other.
        let a = Listing::new("ListGrants", &["ab", "c"]);
        let b = Listing::new("ListGrants", &["a", "bc"]);
        let m = kms.issue_marker(&a, Some("g".into())).unwrap().unwrap();
        assert!(matches!(kms.open_marker(&b, Some(&m)), Err(KmsError::InvalidMarker)));
    }

    #[test]
    fn made_up_and_altered_markers_are_refused() {
        let kms = kms();
        let m = kms.issue_marker(&keys(), Some("key-7".into())).unwrap().unwrap();
        let mut bytes = URL_SAFE_NO_PAD.decode(&m).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        let flipped_tag = URL_SAFE_NO_PAD.encode(&bytes);
        bytes[last] ^= 1;
        bytes[1] = b'l';
        let moved = URL_SAFE_NO_PAD.encode(&bytes);
        bytes[1] = b'k';
        bytes[0] = 2;
        let other_version = URL_SAFE_NO_PAD.encode(&bytes);
        for bad in [
            "key-7",
            "",
            "not base64!",
            "AQ",
            &URL_SAFE_NO_PAD.encode([VERSION; 1 + TAG_LEN]),
            &flipped_tag,
            &moved,
            &other_version,
            &STANDARD.encode(URL_SAFE_NO_PAD.decode(&m).unwrap()),
        ] {
            assert!(
                matches!(kms.open_marker(&keys(), Some(bad)), Err(KmsError::InvalidMarker)),
                "{bad}"
            );
        }
        assert_eq!(
            KmsError::InvalidMarker.to_string(),
            "The request was rejected because the marker that specifies where pagination should next begin is not valid."
        );
    }

    #[test]
    fn markers_outlive_the_service_that_made_them_but_not_another_store() {
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open_in_memory().unwrap());
        let m = kms_over(Arc::clone(&store))
            .issue_marker(&keys(), Some("key-7".into()))
            .unwrap()
            .unwrap();
        let again = kms_over(store);
        assert_eq!(again.open_marker(&keys(), Some(&m)).unwrap().as_deref(), Some("key-7"));
        assert!(matches!(kms().open_marker(&keys(), Some(&m)), Err(KmsError::InvalidMarker)));
    }

    #[test]
    fn a_refused_marker_makes_no_key() {
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open_in_memory().unwrap());
        let kms = kms_over(Arc::clone(&store));
        let looks_right = URL_SAFE_NO_PAD.encode([VERSION; 40]);
        assert!(matches!(
            kms.open_marker(&keys(), Some(&looks_right)),
            Err(KmsError::InvalidMarker)
        ));
        assert_eq!(store.get_setting(KEY_SETTING).unwrap(), None);
        kms.issue_marker(&keys(), Some("k".into())).unwrap();
        assert!(store.get_setting(KEY_SETTING).unwrap().is_some());
    }

    #[test]
    fn markers_fit_the_model_length_for_the_longest_positions() {
        let kms = kms();
        // A tag key of 128 four-byte characters is the longest position a listing names.
        let m = kms.issue_marker(&keys(), Some("\u{1F511}".repeat(128))).unwrap().unwrap();
        assert!(m.len() <= 1024, "{}", m.len());
        assert!(m.bytes().all(|b| (0x20..=0x7e).contains(&b)));
    }
}
