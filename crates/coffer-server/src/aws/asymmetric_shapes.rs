//! The wire shapes of the operations on asymmetric keys, HMAC keys and imported key
//! material: Sign, Verify, GenerateMac, VerifyMac, GetPublicKey, DeriveSharedSecret,
//! GenerateDataKeyPair(WithoutPlaintext), GetParametersForImport, ImportKeyMaterial and
//! DeleteImportedKeyMaterial. Read and written as [`shapes`](crate::aws::shapes) says:
//! every member optional on the way in, exactly AWS's members on the way out, blobs as
//! standard base64, timestamps as epoch seconds, every `KeyId` the key ARN.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::aws::shapes::{Blob, SecretBlob};

macro_rules! request {
    ($(#[$doc:meta])* $name:ident { $($(#[$fdoc:meta])* $field:ident : $ty:ty),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Default, Deserialize)]
        #[serde(rename_all = "PascalCase")]
        pub struct $name {
            $($(#[$fdoc])* #[serde(default)] pub $field: Option<$ty>,)*
        }
    };
}

request!(
    /// Sign.
    SignInput {
        /// The key.
        key_id: String,
        /// The message, digest or external mu.
        message: Blob,
        /// RAW, DIGEST or EXTERNAL_MU.
        message_type: String,
        /// Grant tokens.
        grant_tokens: Vec<String>,
        /// The signing algorithm.
        signing_algorithm: String,
        /// Check only.
        dry_run: bool,
    }
);

request!(
    /// Verify.
    VerifyInput {
        /// The key.
        key_id: String,
        /// The message, digest or external mu.
        message: Blob,
        /// RAW, DIGEST or EXTERNAL_MU.
        message_type: String,
        /// The signature.
        signature: Blob,
        /// The signing algorithm.
        signing_algorithm: String,
        /// Grant tokens.
        grant_tokens: Vec<String>,
        /// Check only.
        dry_run: bool,
    }
);

request!(
    /// GenerateMac.
    GenerateMacInput {
        /// The message.
        message: Blob,
        /// The key.
        key_id: String,
        /// The MAC algorithm.
        mac_algorithm: String,
        /// Grant tokens.
        grant_tokens: Vec<String>,
        /// Check only.
        dry_run: bool,
    }
);

request!(
    /// VerifyMac.
    VerifyMacInput {
        /// The message.
        message: Blob,
        /// The key.
        key_id: String,
        /// The MAC algorithm.
        mac_algorithm: String,
        /// The MAC to check.
        mac: Blob,
        /// Grant tokens.
        grant_tokens: Vec<String>,
        /// Check only.
        dry_run: bool,
    }
);

request!(
    /// GetPublicKey.
    GetPublicKeyInput {
        /// The key.
        key_id: String,
        /// Grant tokens.
        grant_tokens: Vec<String>,
    }
);

request!(
    /// DeriveSharedSecret.
    DeriveSharedSecretInput {
        /// The key.
        key_id: String,
        /// ECDH.
        key_agreement_algorithm: String,
        /// The peer's public key.
        public_key: Blob,
        /// Grant tokens.
        grant_tokens: Vec<String>,
        /// Check only.
        dry_run: bool,
        /// An attested enclave to encrypt the secret for.
        recipient: serde_json::Value,
    }
);

request!(
    /// GenerateDataKeyPair and GenerateDataKeyPairWithoutPlaintext.
    GenerateDataKeyPairInput {
        /// The encryption context.
        encryption_context: BTreeMap<String, String>,
        /// The key.
        key_id: String,
        /// The spec of the pair.
        key_pair_spec: String,
        /// Grant tokens.
        grant_tokens: Vec<String>,
        /// An attested enclave to encrypt the private key for.
        recipient: serde_json::Value,
        /// Check only.
        dry_run: bool,
    }
);

request!(
    /// GetParametersForImport.
    GetParametersForImportInput {
        /// The key.
        key_id: String,
        /// How the material will be wrapped.
        wrapping_algorithm: String,
        /// The spec of the wrapping key.
        wrapping_key_spec: String,
    }
);

request!(
    /// ImportKeyMaterial.
    ImportKeyMaterialInput {
        /// The key.
        key_id: String,
        /// The token of GetParametersForImport.
        import_token: Blob,
        /// The wrapped material.
        encrypted_key_material: Blob,
        /// When the material expires, epoch seconds.
        valid_to: f64,
        /// KEY_MATERIAL_EXPIRES or KEY_MATERIAL_DOES_NOT_EXPIRE.
        expiration_model: String,
        /// NEW_KEY_MATERIAL or EXISTING_KEY_MATERIAL.
        import_type: String,
        /// A description of the material.
        key_material_description: String,
        /// The material being reimported.
        key_material_id: String,
    }
);

request!(
    /// DeleteImportedKeyMaterial.
    DeleteImportedKeyMaterialInput {
        /// The key.
        key_id: String,
        /// The material to delete (the current one by default).
        key_material_id: String,
    }
);

/// Sign.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SignOutput {
    /// The key ARN.
    pub key_id: String,
    /// The signature.
    pub signature: Blob,
    /// The algorithm used.
    pub signing_algorithm: String,
}

/// Verify.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct VerifyOutput {
    /// The key ARN.
    pub key_id: String,
    /// Always true (a bad signature is an error).
    pub signature_valid: bool,
    /// The algorithm used.
    pub signing_algorithm: String,
}

/// GenerateMac.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GenerateMacOutput {
    /// The MAC.
    pub mac: Blob,
    /// The algorithm used.
    pub mac_algorithm: String,
    /// The key ARN.
    pub key_id: String,
}

/// VerifyMac.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct VerifyMacOutput {
    /// The key ARN.
    pub key_id: String,
    /// Always true (a bad MAC is an error).
    pub mac_valid: bool,
    /// The algorithm used.
    pub mac_algorithm: String,
}

/// GetPublicKey.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetPublicKeyOutput {
    /// The key ARN.
    pub key_id: String,
    /// DER SubjectPublicKeyInfo.
    pub public_key: Blob,
    /// The deprecated copy of KeySpec.
    pub customer_master_key_spec: String,
    /// RSA_2048, ...
    pub key_spec: String,
    /// ENCRYPT_DECRYPT, SIGN_VERIFY or KEY_AGREEMENT.
    pub key_usage: String,
    /// Only for ENCRYPT_DECRYPT keys.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub encryption_algorithms: Vec<String>,
    /// Only for SIGN_VERIFY keys.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub signing_algorithms: Vec<String>,
    /// Only for KEY_AGREEMENT keys.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub key_agreement_algorithms: Vec<String>,
}

/// DeriveSharedSecret.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeriveSharedSecretOutput {
    /// The key ARN.
    pub key_id: String,
    /// The raw shared secret.
    pub shared_secret: SecretBlob,
    /// ECDH.
    pub key_agreement_algorithm: String,
    /// AWS_KMS or EXTERNAL.
    pub key_origin: String,
}

/// GenerateDataKeyPair.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GenerateDataKeyPairOutput {
    /// The encrypted private key.
    pub private_key_ciphertext_blob: Blob,
    /// The private key, DER PKCS#8.
    pub private_key_plaintext: SecretBlob,
    /// The public key, DER SubjectPublicKeyInfo.
    pub public_key: Blob,
    /// The key ARN.
    pub key_id: String,
    /// The spec of the pair.
    pub key_pair_spec: String,
    /// The key material that encrypted the private key.
    pub key_material_id: String,
}

/// GenerateDataKeyPairWithoutPlaintext.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GenerateDataKeyPairWithoutPlaintextOutput {
    /// The encrypted private key.
    pub private_key_ciphertext_blob: Blob,
    /// The public key, DER SubjectPublicKeyInfo.
    pub public_key: Blob,
    /// The key ARN.
    pub key_id: String,
    /// The spec of the pair.
    pub key_pair_spec: String,
    /// The key material that encrypted the private key.
    pub key_material_id: String,
}

/// GetParametersForImport.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetParametersForImportOutput {
    /// The key ARN.
    pub key_id: String,
    /// The token to send back with the wrapped material.
    pub import_token: Blob,
    /// The wrapping public key, DER SubjectPublicKeyInfo.
    pub public_key: Blob,
    /// When the token and the wrapping key stop being accepted, epoch seconds.
    pub parameters_valid_to: f64,
}

/// ImportKeyMaterial and DeleteImportedKeyMaterial.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct KeyMaterialOutput {
    /// The key ARN.
    pub key_id: String,
    /// The key material imported or deleted.
    pub key_material_id: String,
}
