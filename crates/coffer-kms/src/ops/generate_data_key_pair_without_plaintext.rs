//! GenerateDataKeyPairWithoutPlaintext: as GenerateDataKeyPair, without the private key in
//! plaintext.

use crate::Kms;
use crate::caller::Caller;
use crate::err::KmsError;
use crate::ops::generate_data_key_pair::GenerateDataKeyPairRequest;

/// GenerateDataKeyPairWithoutPlaintext's response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenerateDataKeyPairWithoutPlaintextResponse {
    /// The private key (DER PKCS#8) encrypted under the key.
    pub private_key_ciphertext: Vec<u8>,
    /// The public key, DER SubjectPublicKeyInfo.
    pub public_key: Vec<u8>,
    /// The key ARN.
    pub key_arn: String,
    /// The spec of the pair.
    pub key_pair_spec: String,
    /// The id of the key material that encrypted the private key.
    pub key_material_id: String,
}

impl Kms {
    /// GenerateDataKeyPairWithoutPlaintext. Needs kms:GenerateDataKeyPairWithoutPlaintext;
    /// otherwise as [`Kms::generate_data_key_pair`]. The plaintext private key is wiped
    /// before the call returns.
    pub fn generate_data_key_pair_without_plaintext(
        &self,
        caller: &Caller,
        req: GenerateDataKeyPairRequest,
    ) -> Result<GenerateDataKeyPairWithoutPlaintextResponse, KmsError> {
        let pair = self.new_data_key_pair(
            caller,
            "kms:GenerateDataKeyPairWithoutPlaintext",
            "GenerateDataKeyPairWithoutPlaintext",
            &req,
        )?;
        Ok(GenerateDataKeyPairWithoutPlaintextResponse {
            private_key_ciphertext: pair.private_key_ciphertext,
            public_key: pair.public_key,
            key_arn: pair.key_arn,
            key_pair_spec: pair.key_pair_spec,
            key_material_id: pair.key_material_id,
        })
    }
}
