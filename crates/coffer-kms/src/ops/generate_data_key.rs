//! GenerateDataKey: a fresh data key, returned in plaintext and encrypted under a
//! symmetric key.

use std::collections::BTreeMap;

use coffer_crypto::Secret;

use crate::caller::Caller;
use crate::err::KmsError;
use crate::{Kms, ops};

/// GenerateDataKey's request (and GenerateDataKeyWithoutPlaintext's).
#[derive(Debug, Default)]
pub struct GenerateDataKeyRequest {
    /// The key: id, ARN, alias name or alias ARN.
    pub key_id: String,
    /// The encryption context bound to the encrypted copy.
    pub encryption_context: BTreeMap<String, String>,
    /// The data key's length in bytes (1..=1024); exactly one of this and `key_spec`.
    pub number_of_bytes: Option<i64>,
    /// AES_256 (32 bytes) or AES_128 (16 bytes); exactly one of this and `number_of_bytes`.
    pub key_spec: Option<String>,
    /// Grant tokens.
    pub grant_tokens: Vec<String>,
    /// Check authorization only.
    pub dry_run: bool,
}

/// GenerateDataKey's response.
#[derive(Debug)]
pub struct GenerateDataKeyResponse {
    /// The data key encrypted under the key (a ciphertext blob Decrypt accepts).
    pub ciphertext: Vec<u8>,
    /// The data key.
    pub plaintext: Secret,
    /// The key ARN.
    pub key_arn: String,
    /// The id of the key material that encrypted it.
    pub key_material_id: String,
}

impl Kms {
    /// GenerateDataKey. Needs kms:GenerateDataKey on an Enabled symmetric encryption key.
    pub fn generate_data_key(
        &self,
        caller: &Caller,
        req: GenerateDataKeyRequest,
    ) -> Result<GenerateDataKeyResponse, KmsError> {
        let (plaintext, ciphertext, key) =
            self.new_data_key(caller, "kms:GenerateDataKey", "GenerateDataKey", &req)?;
        Ok(GenerateDataKeyResponse {
            ciphertext,
            plaintext,
            key_material_id: ops::key_material_id(&key.key_id, key.current_version),
            key_arn: key.arn.clone(),
        })
    }
}
