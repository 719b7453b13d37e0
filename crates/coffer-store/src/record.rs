//! The records the store keeps. Plain data: the service gives every field its meaning.

/// A key, scoped to (account, region) exactly as the clouds scope it.
///
/// Text fields such as `key_state`, `key_usage` or `origin` are stored as given; the
/// service owns their vocabulary. `revision` belongs to the store: it is 1 after
/// [`create_key`](crate::Store::create_key) and bumped by every update, which must name the
/// revision it read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRecord {
    /// The owning account.
    pub account: String,
    /// The region the key lives in.
    pub region: String,
    /// The key id (UUID text), unique within (account, region).
    pub key_id: String,
    /// The key's resource name.
    pub arn: String,
    /// Free-form description.
    pub description: String,
    /// What the key is for (`ENCRYPT_DECRYPT`, `SIGN_VERIFY`, ...).
    pub key_usage: String,
    /// The key spec (`SYMMETRIC_DEFAULT`, `RSA_2048`, ...).
    pub key_spec: String,
    /// Where the material came from (`AWS_KMS`, `EXTERNAL`, ...).
    pub origin: String,
    /// `Enabled`, `Disabled`, `PendingDeletion`, `PendingImport`, ...
    pub key_state: String,
    /// Creation time, epoch milliseconds.
    pub creation_date: i64,
    /// When a key pending deletion is due to be deleted, epoch milliseconds.
    pub deletion_date: Option<i64>,
    /// The waiting period chosen when deletion was scheduled.
    pub pending_window_days: Option<u32>,
    /// The key policy document, exactly as given.
    pub policy: String,
    /// Whether automatic rotation is on.
    pub rotation_enabled: bool,
    /// The automatic rotation period.
    pub rotation_period_days: Option<u32>,
    /// When the next automatic rotation is due, epoch milliseconds.
    pub next_rotation_date: Option<i64>,
    /// The key version new ciphertexts use.
    pub current_version: u32,
    /// How many on-demand rotations the key has had.
    pub on_demand_rotations: u32,
    /// Optimistic concurrency: the stored revision this record was read at.
    pub revision: u64,
}

/// One version of a key's material, sealed by the caller; the store sees opaque bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyVersion {
    /// The key this version belongs to.
    pub key_id: String,
    /// The version number, unique per key.
    pub version: u32,
    /// The sealed key material.
    pub sealed_material: Vec<u8>,
    /// Creation time, epoch milliseconds.
    pub created: i64,
    /// `None` for the first version, then `AUTOMATIC` or `ON_DEMAND`.
    pub rotation_type: Option<String>,
}

/// A tag on a key. Tag keys are unique per key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Tag {
    /// The tag key.
    pub key: String,
    /// The tag value.
    pub value: String,
}

/// An alias: a name, unique per (account, region), pointing at a key of the same scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AliasRecord {
    /// The owning account.
    pub account: String,
    /// The region of the alias and of its target key.
    pub region: String,
    /// The alias name, `alias/...`.
    pub name: String,
    /// The key id the alias points at.
    pub target_key_id: String,
    /// Creation time, epoch milliseconds.
    pub creation_date: i64,
    /// Last time the alias was pointed at a key, epoch milliseconds.
    pub last_updated_date: i64,
}

/// One page of a listing.
///
/// `next` is `Some` when more items follow; pass it back as `after` to continue. It is
/// opaque to callers (today it is the last item's sort key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    /// The items of this page, in listing order.
    pub items: Vec<T>,
    /// The marker to continue from, or `None` on the last page.
    pub next: Option<String>,
}

impl<T> Default for Page<T> {
    fn default() -> Self {
        Page { items: Vec::new(), next: None }
    }
}
