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
    /// The signing algorithms the key supports (SIGN_VERIFY keys only).
    pub signing_algorithms: Vec<String>,
    /// The MAC algorithms the key supports (GENERATE_VERIFY_MAC keys only).
    pub mac_algorithms: Vec<String>,
    /// The key agreement algorithms the key supports (KEY_AGREEMENT keys only).
    pub key_agreement_algorithms: Vec<String>,
    /// Whether imported key material expires (keys with imported material only).
    pub expiration_model: Option<String>,
    /// When imported key material expires, epoch milliseconds.
    pub valid_to: Option<i64>,
    /// Multi-Region (always false today).
    pub multi_region: bool,
    /// The identifier of the material new ciphertexts are made with.
    pub current_key_material_id: Option<String>,
}

impl KeyMetadata {
    /// The metadata of a stored key.
    pub fn of(k: &KeyRecord) -> KeyMetadata {
        let state = KeyState::parse(&k.key_state).unwrap_or(KeyState::Unavailable);
        // Only the list of the key's usage, in the order AWS reports it.
        let algorithms = coffer_crypto::KeySpec::parse(&k.key_spec)
            .zip(coffer_crypto::KeyUsage::parse(&k.key_usage))
            .and_then(|(spec, usage)| spec.algorithms(usage));
        let names = |list: Option<Vec<String>>| list.unwrap_or_default();
        let encryption_algorithms =
            names(algorithms.map(|a| a.encryption.iter().map(|x| x.as_str().to_owned()).collect()));
        let signing_algorithms =
            names(algorithms.map(|a| a.signing.iter().map(|x| x.as_str().to_owned()).collect()));
        let mac_algorithms =
            names(algorithms.map(|a| a.mac.iter().map(|x| x.as_str().to_owned()).collect()));
        let key_agreement_algorithms = names(
            algorithms.map(|a| a.key_agreement.iter().map(|x| x.as_str().to_owned()).collect()),
        );
        // AWS names the current material of symmetric encryption keys only; a key whose
        // material is imported has none until the first import (see DescribeKey).
        let current_key_material_id = (k.key_spec == "SYMMETRIC_DEFAULT" && k.origin == "AWS_KMS")
            .then(|| crate::ops::key_material_id(&k.key_id, k.current_version));
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
            signing_algorithms,
            mac_algorithms,
            key_agreement_algorithms,
            expiration_model: None,
            valid_to: None,
            multi_region: false,
            current_key_material_id,
        }
    }
}
