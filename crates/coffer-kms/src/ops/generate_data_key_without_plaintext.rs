//! GenerateDataKeyWithoutPlaintext: a fresh data key, returned only encrypted.

use crate::caller::Caller;
use crate::err::KmsError;
use crate::ops::generate_data_key::GenerateDataKeyRequest;
use crate::{Kms, ops};

/// GenerateDataKeyWithoutPlaintext's response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenerateDataKeyWithoutPlaintextResponse {
    /// The data key encrypted under the key (a ciphertext blob Decrypt accepts).
    pub ciphertext: Vec<u8>,
    /// The key ARN.
    pub key_arn: String,
    /// The id of the key material that encrypted it.
    pub key_material_id: String,
}

impl Kms {
    /// GenerateDataKeyWithoutPlaintext. Needs kms:GenerateDataKeyWithoutPlaintext on an
    /// Enabled symmetric encryption key. The plaintext data key never leaves the service.
    pub fn generate_data_key_without_plaintext(
        &self,
        caller: &Caller,
        req: GenerateDataKeyRequest,
    ) -> Result<GenerateDataKeyWithoutPlaintextResponse, KmsError> {
        let (_, ciphertext, key) = self.new_data_key(
            caller,
            "kms:GenerateDataKeyWithoutPlaintext",
            "GenerateDataKeyWithoutPlaintext",
            &req,
        )?;
        Ok(GenerateDataKeyWithoutPlaintextResponse {
            ciphertext,
            key_material_id: ops::key_material_id(&key.key_id, key.current_version),
            key_arn: key.arn.clone(),
        })
    }
}
