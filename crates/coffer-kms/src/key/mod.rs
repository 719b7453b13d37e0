//! Keys: their states and the transitions between them, and the shape the service returns.

pub mod state;

pub use state::KeyState;

use coffer_store::KeyRecord;

/// What DescribeKey and CreateKey return about a key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyMetadata {
    /// The owning account.
    pub account: String,
    /// The key id (UUID).
    pub key_id: String,
    /// The key ARN.
    pub arn: String,
    /// Creation time, epoch milliseconds.
    pub creation_date: i64,
    /// Whether the key is Enabled.
    pub enabled: bool,
    /// The description.
    pub description: String,
    /// ENCRYPT_DECRYPT, ...
    pub key_usage: String,
    /// The state.
    pub key_state: KeyState,
    /// When the key will be deleted (PendingDeletion only), epoch milliseconds.
    pub deletion_date: Option<i64>,
    /// The waiting period (PendingDeletion only).
    pub pending_window_days: Option<u32>,
    /// SYMMETRIC_DEFAULT, ...
    pub key_spec: String,
    /// AWS_KMS or EXTERNAL.
    pub origin: String,
    /// The encryption algorithms the key supports (ENCRYPT_DECRYPT keys only).
    pub encryption_algorithms: Vec<String>,
    /// Multi-Region (always false today).
    pub multi_region: bool,
    /// The identifier of the material new ciphertexts are made with.
    pub current_key_material_id: Option<String>,
}

impl KeyMetadata {
    /// The metadata of a stored key.
    pub fn of(k: &KeyRecord) -> KeyMetadata {
        let state = KeyState::parse(&k.key_state).unwrap_or(KeyState::Unavailable);
        let encryption_algorithms = if k.key_usage == "ENCRYPT_DECRYPT" {
            coffer_crypto::KeySpec::parse(&k.key_spec)
                .map(|s| s.encryption_algorithms().iter().map(|a| a.to_string()).collect())
                .unwrap_or_default()
        } else {
            vec![]
        };
        KeyMetadata {
            account: k.account.clone(),
            key_id: k.key_id.clone(),
            arn: k.arn.clone(),
            creation_date: k.creation_date,
            enabled: state == KeyState::Enabled,
            description: k.description.clone(),
            key_usage: k.key_usage.clone(),
            key_state: state,
            deletion_date: if state == KeyState::PendingDeletion { k.deletion_date } else { None },
            pending_window_days: if state == KeyState::PendingDeletion {
                k.pending_window_days
            } else {
                None
            },
            key_spec: k.key_spec.clone(),
            origin: k.origin.clone(),
            encryption_algorithms,
            multi_region: false,
            current_key_material_id: Some(crate::ops::key_material_id(
                &k.key_id,
                k.current_version,
            )),
        }
    }
}
