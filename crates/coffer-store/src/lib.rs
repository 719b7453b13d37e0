//! Durable records of the key management service, behind one trait.
//!
//! Owns: the records the service keeps (keys, key versions with their sealed material,
//! tags, aliases, grants and a few server settings), the [`Store`] trait every back end
//! implements, the embedded SQLite back end ([`SqliteStore`]), its numbered schema
//! migrations, and optimistic concurrency on keys (every update names the revision it
//! read; a stale one is a [`StoreError::Conflict`]).
//!
//! Never: cryptography, policy or HTTP. The store keeps opaque bytes and strings; the
//! service gives them meaning. Sealed material is sealed before it arrives here.
//!
//! Flow: the service reads a record, decides, and writes it back with the revision it
//! read. Writes that belong together (a key with its first version and tags, a rotation
//! with its new version, a deletion with everything hanging off the key) are one
//! transaction. Every key is scoped to (account, region): the same key id in two regions
//! is two keys. Listings are ordered and paged with an opaque marker. The trait is
//! synchronous; async callers run it on a blocking thread.
//!
//! Every back end passes the same [`conformance`] suite.
//!
//! ```
//! use coffer_store::{KeyRecord, KeyVersion, SqliteStore, Store, StoreError, Tag};
//!
//! # fn main() -> Result<(), StoreError> {
//! let store = SqliteStore::open_in_memory()?;
//! let key = KeyRecord {
//!     account: "111122223333".into(),
//!     region: "us-east-1".into(),
//!     key_id: "1234abcd-12ab-34cd-56ef-1234567890ab".into(),
//!     arn: "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab".into(),
//!     description: String::new(),
//!     key_usage: "ENCRYPT_DECRYPT".into(),
//!     key_spec: "SYMMETRIC_DEFAULT".into(),
//!     origin: "AWS_KMS".into(),
//!     key_state: "Enabled".into(),
//!     creation_date: 1_700_000_000_000,
//!     deletion_date: None,
//!     pending_window_days: None,
//!     policy: r#"{"Version":"2012-10-17","Statement":[]}"#.into(),
//!     rotation_enabled: false,
//!     rotation_period_days: None,
//!     next_rotation_date: None,
//!     current_version: 1,
//!     on_demand_rotations: 0,
//!     revision: 0,
//! };
//! let first = KeyVersion {
//!     key_id: key.key_id.clone(),
//!     version: 1,
//!     sealed_material: vec![0xA5; 60],
//!     created: key.creation_date,
//!     rotation_type: None,
//! };
//! let tags = [Tag { key: "team".into(), value: "payments".into() }];
//! let created = store.create_key(&key, &first, &tags)?;
//!
//! // Disable it, naming the revision we read.
//! let mut disabled = created.clone();
//! disabled.key_state = "Disabled".into();
//! let disabled = store.update_key(&disabled)?;
//! assert_eq!(disabled.revision, created.revision + 1);
//!
//! // A writer still holding the old revision loses.
//! assert!(matches!(store.update_key(&created), Err(StoreError::Conflict { .. })));
//! # Ok(())
//! # }
//! ```

#[doc(hidden)]
pub mod conformance;
mod grant;
mod import;
mod record;
mod sqlite;

pub use grant::GrantRecord;
pub use import::{ImportParametersRecord, ImportedMaterialRecord};
pub use record::{AliasRecord, KeyRecord, KeyVersion, Page, Tag};
pub use sqlite::SqliteStore;

/// Why a store call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// The record the call needs does not exist.
    #[error("{what} not found")]
    NotFound {
        /// The missing record.
        what: String,
    },
    /// The record the call would create exists already.
    #[error("{what} already exists")]
    AlreadyExists {
        /// The existing record.
        what: String,
    },
    /// The call was based on a stale revision, or its records do not agree with each other.
    #[error("conflict: {what}")]
    Conflict {
        /// What disagreed.
        what: String,
    },
    /// A stored row cannot be read back; names the table and column.
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// The back end failed (I/O, locking, a full disk, ...).
    #[error("storage back end failed: {0}")]
    Backend(String),
}

/// Durable records behind one trait. Every back end passes [`conformance::run_all`].
///
/// Keys and everything hanging off them are scoped to (account, region). Calls that name
/// a key which does not exist fail with [`StoreError::NotFound`], except the lookups that
/// return an `Option`. Listings take `after` (the `next` of the previous page, or `None`
/// to start) and `limit` (at most that many items; 0 is taken as 1).
pub trait Store: Send + Sync {
    /// Creates a key with its first version and tags, in one transaction.
    ///
    /// Returns the stored record, at revision 1 (the given `revision` is ignored).
    /// [`StoreError::AlreadyExists`] if the key id is taken in its (account, region);
    /// [`StoreError::Conflict`] if `first` names another key id.
    fn create_key(
        &self,
        key: &KeyRecord,
        first: &KeyVersion,
        tags: &[Tag],
    ) -> Result<KeyRecord, StoreError>;

    /// Reads a key, or `None` if there is none.
    fn get_key(
        &self,
        account: &str,
        region: &str,
        key_id: &str,
    ) -> Result<Option<KeyRecord>, StoreError>;

    /// Finds a key by its id alone, in whichever account of `region` holds it, or `None`.
    ///
    /// A ciphertext names its key by id only, so decrypting one without naming the key looks
    /// here. The service makes key ids as random UUIDs, so one id names at most one key in a
    /// region; should several accounts hold the same id there, the call fails with
    /// [`StoreError::Conflict`] rather than pick one. A key of another region is not found.
    fn find_key(&self, region: &str, key_id: &str) -> Result<Option<KeyRecord>, StoreError>;

    /// Lists the keys of one (account, region), ordered by key id.
    fn list_keys(
        &self,
        account: &str,
        region: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page<KeyRecord>, StoreError>;

    /// Replaces every field of a stored key except its identity (account, region, key id).
    ///
    /// [`StoreError::Conflict`] unless `key.revision` is the stored revision; returns the
    /// record at its new revision.
    fn update_key(&self, key: &KeyRecord) -> Result<KeyRecord, StoreError>;

    /// Updates a key (revision-checked, as [`Store::update_key`]) and adds a version, in one
    /// transaction. [`StoreError::AlreadyExists`] if the version number is taken.
    fn add_key_version(
        &self,
        key: &KeyRecord,
        version: &KeyVersion,
    ) -> Result<KeyRecord, StoreError>;

    /// The versions of a key, ascending by version number.
    fn key_versions(
        &self,
        account: &str,
        region: &str,
        key_id: &str,
    ) -> Result<Vec<KeyVersion>, StoreError>;

    /// Deletes a key with its versions, its tags, its grants and the aliases pointing at
    /// it, in one transaction.
    fn delete_key(&self, account: &str, region: &str, key_id: &str) -> Result<(), StoreError>;

    /// Keys of every account and region in state `PendingDeletion` whose deletion date is
    /// at or before `before`, ordered by (deletion date, account, region, key id).
    fn keys_pending_deletion(&self, before: i64) -> Result<Vec<KeyRecord>, StoreError>;

    /// Keys of every account and region with rotation enabled whose next rotation date is
    /// at or before `before`, ordered by (next rotation date, account, region, key id).
    fn keys_due_rotation(&self, before: i64) -> Result<Vec<KeyRecord>, StoreError>;

    /// The tags of a key, ordered by tag key.
    fn tags(&self, account: &str, region: &str, key_id: &str) -> Result<Vec<Tag>, StoreError>;

    /// Sets tags on a key: new tag keys are added, existing ones get the new value. Within
    /// one call a repeated tag key takes its last value.
    fn put_tags(
        &self,
        account: &str,
        region: &str,
        key_id: &str,
        tags: &[Tag],
    ) -> Result<(), StoreError>;

    /// Removes the tags with these keys from a key; tag keys the key lacks are ignored.
    fn remove_tags(
        &self,
        account: &str,
        region: &str,
        key_id: &str,
        keys: &[String],
    ) -> Result<(), StoreError>;

    /// Creates an alias. [`StoreError::AlreadyExists`] if (account, region, name) exists;
    /// [`StoreError::NotFound`] if the target key does not exist in that scope.
    fn create_alias(&self, alias: &AliasRecord) -> Result<(), StoreError>;

    /// Reads an alias, or `None` if there is none.
    fn get_alias(
        &self,
        account: &str,
        region: &str,
        name: &str,
    ) -> Result<Option<AliasRecord>, StoreError>;

    /// Replaces an alias's target and dates. [`StoreError::NotFound`] if the alias, or the
    /// new target key, does not exist.
    fn update_alias(&self, alias: &AliasRecord) -> Result<(), StoreError>;

    /// Deletes an alias. [`StoreError::NotFound`] if there is none.
    fn delete_alias(&self, account: &str, region: &str, name: &str) -> Result<(), StoreError>;

    /// Lists the aliases of one (account, region), optionally only those pointing at
    /// `key_id`, ordered by name.
    fn list_aliases(
        &self,
        account: &str,
        region: &str,
        key_id: Option<&str>,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page<AliasRecord>, StoreError>;

    /// Reads a server setting, or `None` if it was never set.
    fn get_setting(&self, name: &str) -> Result<Option<String>, StoreError>;

    /// Sets a server setting, replacing any earlier value.
    fn put_setting(&self, name: &str, value: &str) -> Result<(), StoreError>;

    /// Creates a grant on a key of its (account, region). [`StoreError::AlreadyExists`] if
    /// the grant id is taken anywhere; [`StoreError::NotFound`] if the key does not exist.
    fn create_grant(&self, grant: &GrantRecord) -> Result<(), StoreError>;

    /// Reads a grant by its id alone, or `None` if there is none.
    fn get_grant(&self, grant_id: &str) -> Result<Option<GrantRecord>, StoreError>;

    /// The grants of a key that carry `name`, ordered by grant id (a name may be reused
    /// with other parameters, so there may be several).
    fn grants_named(
        &self,
        account: &str,
        region: &str,
        key_id: &str,
        name: &str,
    ) -> Result<Vec<GrantRecord>, StoreError>;

    /// Lists the grants of a key, optionally only those for `grantee`, ordered by grant id.
    /// A key without grants, or one that does not exist, lists none.
    fn list_grants(
        &self,
        account: &str,
        region: &str,
        key_id: &str,
        grantee: Option<&str>,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page<GrantRecord>, StoreError>;

    /// Lists the grants on keys of every account of `region` that name `retiring` as their
    /// retiring principal, ordered by grant id.
    fn list_retirable_grants(
        &self,
        region: &str,
        retiring: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page<GrantRecord>, StoreError>;

    /// How many grants a key has, or how many for `grantee` when given.
    fn count_grants(
        &self,
        account: &str,
        region: &str,
        key_id: &str,
        grantee: Option<&str>,
    ) -> Result<u64, StoreError>;

    /// Deletes a grant. [`StoreError::NotFound`] if there is none.
    fn delete_grant(&self, grant_id: &str) -> Result<(), StoreError>;

    /// Keeps the parameters of an import into a key, and drops that key's parameters whose
    /// validity ended before `params.created`. [`StoreError::NotFound`] if the key does not
    /// exist; [`StoreError::AlreadyExists`] if the token id is taken for the key.
    fn put_import_parameters(&self, params: &ImportParametersRecord) -> Result<(), StoreError>;

    /// Reads the import parameters of a key that a token id names, or `None`.
    fn get_import_parameters(
        &self,
        account: &str,
        region: &str,
        key_id: &str,
        token_id: &str,
    ) -> Result<Option<ImportParametersRecord>, StoreError>;

    /// The imported materials of a key, ascending by version.
    fn imported_materials(
        &self,
        account: &str,
        region: &str,
        key_id: &str,
    ) -> Result<Vec<ImportedMaterialRecord>, StoreError>;

    /// Updates a key (revision-checked, as [`Store::update_key`]) and writes one of its
    /// versions with its imported material's record, in one transaction: either is created
    /// when new and replaced when it exists. An empty `sealed_material` means the version
    /// has no material. [`StoreError::Conflict`] if the version or the record names
    /// another key or version.
    fn put_imported_material(
        &self,
        key: &KeyRecord,
        version: &KeyVersion,
        material: &ImportedMaterialRecord,
    ) -> Result<KeyRecord, StoreError>;

    /// Imported materials of every account and region that expire at or before `before`
    /// and are still there, ordered by (expiry, account, region, key id, version).
    fn imported_materials_expiring(
        &self,
        before: i64,
    ) -> Result<Vec<ImportedMaterialRecord>, StoreError>;
}
