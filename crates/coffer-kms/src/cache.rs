//! The records every cryptographic call reads, kept in memory in front of the store.
//!
//! Encrypt, Decrypt and GenerateDataKey read the key, its tags and its aliases on every
//! call, and those change rarely. [`CachedStore`] wraps the service's [`Store`]: reads of
//! keys, tags and aliases are answered from memory when a fresh copy is there; every write
//! that goes through it empties the cache once the store has answered, so this process
//! never reads its own writes stale. A read that raced a write is not kept: each write
//! bumps a generation, and a loaded record is cached only if no write happened while it
//! was loaded.
//!
//! Writes made by another process sharing the database are seen after at most
//! [`MAX_STALENESS_MILLIS`] on the service's clock: the bounded staleness the clouds
//! document for key changes. Every other call goes straight to the store.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use coffer_store::{
    AliasRecord, GrantRecord, ImportParametersRecord, ImportedMaterialRecord, KeyRecord,
    KeyVersion, Page, Store, StoreError, Tag,
};

use crate::clock::Clock;

/// How long a cached record may be served, in milliseconds of the service's clock.
pub const MAX_STALENESS_MILLIS: i64 = 1_000;

/// Entries kept per kind of record before the cache starts over.
const MAX_ENTRIES: usize = 10_000;

/// A store whose key, tag and alias reads are cached (see the module documentation).
pub(crate) struct CachedStore {
    inner: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    state: Mutex<State>,
}

struct Entry<T> {
    value: T,
    /// When it was loaded, epoch milliseconds.
    at: i64,
}

#[derive(Default)]
struct State {
    /// Bumped by every write.
    generation: u64,
    keys: HashMap<String, Entry<Arc<KeyRecord>>>,
    /// Keys found by region and id alone.
    found: HashMap<String, Entry<Arc<KeyRecord>>>,
    tags: HashMap<String, Entry<Vec<Tag>>>,
    aliases: HashMap<String, Entry<AliasRecord>>,
    /// First pages of the aliases of one key, by limit.
    aliases_of: HashMap<String, Entry<Page<AliasRecord>>>,
}

impl State {
    fn clear(&mut self) {
        self.generation = self.generation.wrapping_add(1);
        self.keys.clear();
        self.found.clear();
        self.tags.clear();
        self.aliases.clear();
        self.aliases_of.clear();
    }
}

/// An unambiguous map key of several strings.
fn id(parts: &[&str]) -> String {
    let mut s = String::with_capacity(parts.iter().map(|p| p.len() + 4).sum());
    for p in parts {
        // Writing to a String cannot fail.
        let _ = write!(s, "{}:", p.len());
        s.push_str(p);
    }
    s
}

impl CachedStore {
    pub(crate) fn new(inner: Arc<dyn Store>, clock: Arc<dyn Clock>) -> CachedStore {
        CachedStore { inner, clock, state: Mutex::new(State::default()) }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Every change to the state is a single insert or clear: a panic cannot leave it
        // half-done.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The cached record named `key` in the map `pick` selects, or `load`'s answer, kept
    /// when it is a record and no write happened while it was loaded.
    fn read<T: Clone>(
        &self,
        pick: fn(&mut State) -> &mut HashMap<String, Entry<T>>,
        key: String,
        load: impl FnOnce() -> Result<Option<T>, StoreError>,
    ) -> Result<Option<T>, StoreError> {
        let now = self.clock.now_millis();
        let generation = {
            let mut state = self.lock();
            if let Some(e) = pick(&mut state).get(&key) {
                if now >= e.at && now - e.at < MAX_STALENESS_MILLIS {
                    return Ok(Some(e.value.clone()));
                }
            }
            state.generation
        };
        let value = load()?;
        if let Some(v) = &value {
            let mut state = self.lock();
            if state.generation == generation {
                let map = pick(&mut state);
                if map.len() >= MAX_ENTRIES {
                    map.clear();
                }
                map.insert(key, Entry { value: v.clone(), at: now });
            }
        }
        Ok(value)
    }

    /// A key, shared with the cache: the calls that only read a key (every cryptographic
    /// call) take it without copying its strings and policy.
    pub(crate) fn get_key_shared(
        &self,
        account: &str,
        region: &str,
        key_id: &str,
    ) -> Result<Option<Arc<KeyRecord>>, StoreError> {
        self.read(
            |s| &mut s.keys,
            id(&[account, region, key_id]),
            || Ok(self.inner.get_key(account, region, key_id)?.map(Arc::new)),
        )
    }

    /// [`Self::get_key_shared`] for a key found by region and id alone.
    pub(crate) fn find_key_shared(
        &self,
        region: &str,
        key_id: &str,
    ) -> Result<Option<Arc<KeyRecord>>, StoreError> {
        self.read(
            |s| &mut s.found,
            id(&[region, key_id]),
            || Ok(self.inner.find_key(region, key_id)?.map(Arc::new)),
        )
    }

    /// Passes a write's answer on, after emptying the cache.
    fn wrote<T>(&self, result: Result<T, StoreError>) -> Result<T, StoreError> {
        self.lock().clear();
        result
    }
}

impl Store for CachedStore {
    fn create_key(
        &self,
        key: &KeyRecord,
        first: &KeyVersion,
        tags: &[Tag],
    ) -> Result<KeyRecord, StoreError> {
        self.wrote(self.inner.create_key(key, first, tags))
    }

    fn get_key(
        &self,
        account: &str,
        region: &str,
        key_id: &str,
    ) -> Result<Option<KeyRecord>, StoreError> {
        Ok(self.get_key_shared(account, region, key_id)?.map(|k| (*k).clone()))
    }

    fn find_key(&self, region: &str, key_id: &str) -> Result<Option<KeyRecord>, StoreError> {
        Ok(self.find_key_shared(region, key_id)?.map(|k| (*k).clone()))
    }

    fn list_keys(
        &self,
        account: &str,
        region: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page<KeyRecord>, StoreError> {
        self.inner.list_keys(account, region, after, limit)
    }

    fn update_key(&self, key: &KeyRecord) -> Result<KeyRecord, StoreError> {
        self.wrote(self.inner.update_key(key))
    }

    fn add_key_version(
        &self,
        key: &KeyRecord,
        version: &KeyVersion,
    ) -> Result<KeyRecord, StoreError> {
        self.wrote(self.inner.add_key_version(key, version))
    }

    fn key_versions(
        &self,
        account: &str,
        region: &str,
        key_id: &str,
    ) -> Result<Vec<KeyVersion>, StoreError> {
        self.inner.key_versions(account, region, key_id)
    }

    fn delete_key(&self, account: &str, region: &str, key_id: &str) -> Result<(), StoreError> {
        self.wrote(self.inner.delete_key(account, region, key_id))
    }

    fn keys_pending_deletion(&self, before: i64) -> Result<Vec<KeyRecord>, StoreError> {
        self.inner.keys_pending_deletion(before)
    }

    fn keys_due_rotation(&self, before: i64) -> Result<Vec<KeyRecord>, StoreError> {
        self.inner.keys_due_rotation(before)
    }

    fn tags(&self, account: &str, region: &str, key_id: &str) -> Result<Vec<Tag>, StoreError> {
        let tags = self.read(
            |s| &mut s.tags,
            id(&[account, region, key_id]),
            || self.inner.tags(account, region, key_id).map(Some),
        )?;
        Ok(tags.unwrap_or_default())
    }

    fn put_tags(
        &self,
        account: &str,
        region: &str,
        key_id: &str,
        tags: &[Tag],
    ) -> Result<(), StoreError> {
        self.wrote(self.inner.put_tags(account, region, key_id, tags))
    }

    fn remove_tags(
        &self,
        account: &str,
        region: &str,
        key_id: &str,
        keys: &[String],
    ) -> Result<(), StoreError> {
        self.wrote(self.inner.remove_tags(account, region, key_id, keys))
    }

    fn create_alias(&self, alias: &AliasRecord) -> Result<(), StoreError> {
        self.wrote(self.inner.create_alias(alias))
    }

    fn get_alias(
        &self,
        account: &str,
        region: &str,
        name: &str,
    ) -> Result<Option<AliasRecord>, StoreError> {
        self.read(
            |s| &mut s.aliases,
            id(&[account, region, name]),
            || self.inner.get_alias(account, region, name),
        )
    }

    fn update_alias(&self, alias: &AliasRecord) -> Result<(), StoreError> {
        self.wrote(self.inner.update_alias(alias))
    }

    fn delete_alias(&self, account: &str, region: &str, name: &str) -> Result<(), StoreError> {
        self.wrote(self.inner.delete_alias(account, region, name))
    }

    fn list_aliases(
        &self,
        account: &str,
        region: &str,
        key_id: Option<&str>,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page<AliasRecord>, StoreError> {
        let (Some(key_id), None) = (key_id, after) else {
            return self.inner.list_aliases(account, region, key_id, after, limit);
        };
        let page = self.read(
            |s| &mut s.aliases_of,
            id(&[account, region, key_id, &limit.to_string()]),
            || self.inner.list_aliases(account, region, Some(key_id), None, limit).map(Some),
        )?;
        Ok(page.unwrap_or(Page { items: Vec::new(), next: None }))
    }

    fn get_setting(&self, name: &str) -> Result<Option<String>, StoreError> {
        self.inner.get_setting(name)
    }

    fn put_setting(&self, name: &str, value: &str) -> Result<(), StoreError> {
        self.inner.put_setting(name, value)
    }

    // Grants are not cached: they are read when policies alone do not allow a request.

    fn create_grant(&self, grant: &GrantRecord) -> Result<(), StoreError> {
        self.inner.create_grant(grant)
    }

    fn get_grant(&self, grant_id: &str) -> Result<Option<GrantRecord>, StoreError> {
        self.inner.get_grant(grant_id)
    }

    fn grants_named(
        &self,
        account: &str,
        region: &str,
        key_id: &str,
        name: &str,
    ) -> Result<Vec<GrantRecord>, StoreError> {
        self.inner.grants_named(account, region, key_id, name)
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
        self.inner.list_grants(account, region, key_id, grantee, after, limit)
    }

    fn list_retirable_grants(
        &self,
        region: &str,
        retiring: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page<GrantRecord>, StoreError> {
        self.inner.list_retirable_grants(region, retiring, after, limit)
    }

    fn count_grants(
        &self,
        account: &str,
        region: &str,
        key_id: &str,
        grantee: Option<&str>,
    ) -> Result<u64, StoreError> {
        self.inner.count_grants(account, region, key_id, grantee)
    }

    fn delete_grant(&self, grant_id: &str) -> Result<(), StoreError> {
        self.inner.delete_grant(grant_id)
    }

    fn put_import_parameters(&self, params: &ImportParametersRecord) -> Result<(), StoreError> {
        self.inner.put_import_parameters(params)
    }

    fn get_import_parameters(
        &self,
        account: &str,
        region: &str,
        key_id: &str,
        token_id: &str,
    ) -> Result<Option<ImportParametersRecord>, StoreError> {
        self.inner.get_import_parameters(account, region, key_id, token_id)
    }

    fn imported_materials(
        &self,
        account: &str,
        region: &str,
        key_id: &str,
    ) -> Result<Vec<ImportedMaterialRecord>, StoreError> {
        self.inner.imported_materials(account, region, key_id)
    }

    fn put_imported_material(
        &self,
        key: &KeyRecord,
        version: &KeyVersion,
        material: &ImportedMaterialRecord,
    ) -> Result<KeyRecord, StoreError> {
        self.wrote(self.inner.put_imported_material(key, version, material))
    }

    fn imported_materials_expiring(
        &self,
        before: i64,
    ) -> Result<Vec<ImportedMaterialRecord>, StoreError> {
        self.inner.imported_materials_expiring(before)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use coffer_store::SqliteStore;

    use super::*;
    use crate::clock::ManualClock;

    /// Counts the reads that reach the store.
    struct Counting {
        inner: SqliteStore,
        reads: AtomicUsize,
    }

    impl Counting {
        fn read(&self) {
            self.reads.fetch_add(1, Ordering::SeqCst);
        }
    }

    macro_rules! forward {
        ($($name:ident($($arg:ident: $ty:ty),*) -> $out:ty;)*) => {
            $(fn $name(&self, $($arg: $ty),*) -> Result<$out, StoreError> {
                self.read();
                self.inner.$name($($arg),*)
            })*
        };
    }

    impl Store for Counting {
        forward! {
            create_key(key: &KeyRecord, first: &KeyVersion, tags: &[Tag]) -> KeyRecord;
            get_key(account: &str, region: &str, key_id: &str) -> Option<KeyRecord>;
            find_key(region: &str, key_id: &str) -> Option<KeyRecord>;
            list_keys(account: &str, region: &str, after: Option<&str>, limit: usize) -> Page<KeyRecord>;
            update_key(key: &KeyRecord) -> KeyRecord;
            add_key_version(key: &KeyRecord, version: &KeyVersion) -> KeyRecord;
            key_versions(account: &str, region: &str, key_id: &str) -> Vec<KeyVersion>;
            delete_key(account: &str, region: &str, key_id: &str) -> ();
            keys_pending_deletion(before: i64) -> Vec<KeyRecord>;
            keys_due_rotation(before: i64) -> Vec<KeyRecord>;
            tags(account: &str, region: &str, key_id: &str) -> Vec<Tag>;
            put_tags(account: &str, region: &str, key_id: &str, tags: &[Tag]) -> ();
            remove_tags(account: &str, region: &str, key_id: &str, keys: &[String]) -> ();
            create_alias(alias: &AliasRecord) -> ();
            get_alias(account: &str, region: &str, name: &str) -> Option<AliasRecord>;
            update_alias(alias: &AliasRecord) -> ();
            delete_alias(account: &str, region: &str, name: &str) -> ();
            list_aliases(account: &str, region: &str, key_id: Option<&str>, after: Option<&str>, limit: usize) -> Page<AliasRecord>;
            get_setting(name: &str) -> Option<String>;
            put_setting(name: &str, value: &str) -> ();
            create_grant(grant: &GrantRecord) -> ();
            get_grant(grant_id: &str) -> Option<GrantRecord>;
            grants_named(account: &str, region: &str, key_id: &str, name: &str) -> Vec<GrantRecord>;
            list_grants(account: &str, region: &str, key_id: &str, grantee: Option<&str>, after: Option<&str>, limit: usize) -> Page<GrantRecord>;
            list_retirable_grants(region: &str, retiring: &str, after: Option<&str>, limit: usize) -> Page<GrantRecord>;
            count_grants(account: &str, region: &str, key_id: &str, grantee: Option<&str>) -> u64;
            delete_grant(grant_id: &str) -> ();
            put_import_parameters(params: &ImportParametersRecord) -> ();
            get_import_parameters(account: &str, region: &str, key_id: &str, token_id: &str) -> Option<ImportParametersRecord>;
            imported_materials(account: &str, region: &str, key_id: &str) -> Vec<ImportedMaterialRecord>;
            put_imported_material(key: &KeyRecord, version: &KeyVersion, material: &ImportedMaterialRecord) -> KeyRecord;
            imported_materials_expiring(before: i64) -> Vec<ImportedMaterialRecord>;
        }
    }

    const A: &str = "111122223333";
    const R: &str = "us-east-1";
    const K: &str = "1234abcd-12ab-34cd-56ef-1234567890ab";

    fn key() -> KeyRecord {
        KeyRecord {
            account: A.into(),
            region: R.into(),
            key_id: K.into(),
            arn: format!("arn:aws:kms:{R}:{A}:key/{K}"),
            description: String::new(),
            key_usage: "ENCRYPT_DECRYPT".into(),
            key_spec: "SYMMETRIC_DEFAULT".into(),
            origin: "AWS_KMS".into(),
            key_state: "Enabled".into(),
            creation_date: 1,
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

    fn setup() -> (Arc<Counting>, Arc<ManualClock>, CachedStore) {
        let counting = Arc::new(Counting {
            inner: SqliteStore::open_in_memory().unwrap(),
            reads: AtomicUsize::new(0),
        });
        let clock = Arc::new(ManualClock::new(1_000_000));
        let cached = CachedStore::new(counting.clone(), clock.clone());
        let first = KeyVersion {
            key_id: K.into(),
            version: 1,
            sealed_material: vec![1; 60],
            created: 1,
            rotation_type: None,
        };
        cached.create_key(&key(), &first, &[Tag { key: "a".into(), value: "1".into() }]).unwrap();
        (counting, clock, cached)
    }

    fn reads(c: &Counting) -> usize {
        c.reads.load(Ordering::SeqCst)
    }

    #[test]
    fn repeated_reads_are_served_from_memory() {
        let (counting, _, cached) = setup();
        let before = reads(&counting);
        for _ in 0..3 {
            assert_eq!(cached.get_key(A, R, K).unwrap().unwrap().key_state, "Enabled");
            assert_eq!(cached.tags(A, R, K).unwrap().len(), 1);
            assert!(cached.list_aliases(A, R, Some(K), None, 51).unwrap().items.is_empty());
        }
        assert_eq!(reads(&counting), before + 3);
    }

    #[test]
    fn every_write_is_seen_at_once() {
        let (_, _, cached) = setup();
        let k = cached.get_key(A, R, K).unwrap().unwrap();
        let mut disabled = k.clone();
        disabled.key_state = "Disabled".into();
        cached.update_key(&disabled).unwrap();
        assert_eq!(cached.get_key(A, R, K).unwrap().unwrap().key_state, "Disabled");

        assert_eq!(cached.tags(A, R, K).unwrap().len(), 1);
        cached.put_tags(A, R, K, &[Tag { key: "b".into(), value: "2".into() }]).unwrap();
        assert_eq!(cached.tags(A, R, K).unwrap().len(), 2);
        cached.remove_tags(A, R, K, &["a".into()]).unwrap();
        assert_eq!(cached.tags(A, R, K).unwrap().len(), 1);

        assert!(cached.list_aliases(A, R, Some(K), None, 51).unwrap().items.is_empty());
        assert_eq!(cached.get_alias(A, R, "alias/x").unwrap(), None);
        let alias = AliasRecord {
            account: A.into(),
            region: R.into(),
            name: "alias/x".into(),
            target_key_id: K.into(),
            creation_date: 1,
            last_updated_date: 1,
        };
        cached.create_alias(&alias).unwrap();
        assert_eq!(cached.list_aliases(A, R, Some(K), None, 51).unwrap().items.len(), 1);
        assert!(cached.get_alias(A, R, "alias/x").unwrap().is_some());
        cached.delete_alias(A, R, "alias/x").unwrap();
        assert!(cached.list_aliases(A, R, Some(K), None, 51).unwrap().items.is_empty());
        assert_eq!(cached.get_alias(A, R, "alias/x").unwrap(), None);

        cached.delete_key(A, R, K).unwrap();
        assert_eq!(cached.get_key(A, R, K).unwrap(), None);
        assert_eq!(cached.find_key(R, K).unwrap(), None);
    }

    #[test]
    fn another_writer_is_seen_within_the_staleness_bound() {
        let (counting, clock, cached) = setup();
        assert_eq!(cached.get_key(A, R, K).unwrap().unwrap().key_state, "Enabled");
        let mut disabled = key();
        disabled.revision = 1;
        disabled.key_state = "Disabled".into();
        counting.inner.update_key(&disabled).unwrap();
        assert_eq!(cached.get_key(A, R, K).unwrap().unwrap().key_state, "Enabled");
        clock.advance_millis(MAX_STALENESS_MILLIS);
        assert_eq!(cached.get_key(A, R, K).unwrap().unwrap().key_state, "Disabled");
    }

    #[test]
    fn a_failed_lookup_is_not_cached() {
        let (counting, _, cached) = setup();
        assert!(matches!(cached.tags(A, R, "nope"), Err(StoreError::NotFound { .. })));
        let before = reads(&counting);
        assert_eq!(cached.get_key(A, R, "nope").unwrap(), None);
        assert_eq!(cached.get_key(A, R, "nope").unwrap(), None);
        assert_eq!(reads(&counting), before + 2);
    }

    #[test]
    fn map_keys_are_unambiguous() {
        assert_ne!(id(&["a:b", "c"]), id(&["a", "b:c"]));
        assert_ne!(id(&["ab", "c"]), id(&["a", "bc"]));
    }
}
