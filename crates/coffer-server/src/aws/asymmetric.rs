//! The operations on asymmetric keys, HMAC keys and imported key material, end to end:
//! decode the wire request, check the model's constraints, call the service, encode the
//! wire response. As in [`map`](crate::aws::map), no rule of the service lives here.

use coffer_kms::ops::derive_shared_secret::DeriveSharedSecretRequest;
use coffer_kms::ops::generate_data_key_pair::GenerateDataKeyPairRequest;
use coffer_kms::ops::generate_mac::GenerateMacRequest;
use coffer_kms::ops::get_parameters_for_import::GetParametersForImportRequest;
use coffer_kms::ops::import_key_material::ImportKeyMaterialRequest;
use coffer_kms::ops::sign::SignRequest;
use coffer_kms::ops::verify::VerifyRequest;
use coffer_kms::ops::verify_mac::VerifyMacRequest;
use coffer_kms::{Caller, Kms, KmsError};
use serde::Serialize;

use crate::aws::asymmetric_shapes as wire;
use crate::aws::error::{AwsError, from_kms};
use crate::aws::map::{decode, no_recipient};
use crate::aws::shapes::{Blob, Constraints, SecretBlob, epoch_seconds, present};

/// Encodes a response.
fn out(value: impl Serialize, request_id: &str) -> Result<Vec<u8>, AwsError> {
    crate::aws::shapes::to_json(&value).map_err(|e| AwsError::internal(request_id, &e))
}

/// Sign.
pub fn sign(kms: &Kms, caller: &Caller, input: &[u8], rid: &str) -> Result<Vec<u8>, AwsError> {
    let i: wire::SignInput = decode(input)?;
    Constraints::default()
        .required(&i.key_id, "keyId")
        .key_id(i.key_id.as_deref(), "keyId")
        .required(&i.message, "message")
        .grant_tokens(i.grant_tokens.as_deref())
        .required(&i.signing_algorithm, "signingAlgorithm")
        .check()?;
    let req = SignRequest {
        key_id: present(i.key_id, "keyId")?,
        message: present(i.message, "message")?.0,
        message_type: i.message_type,
        signing_algorithm: present(i.signing_algorithm, "signingAlgorithm")?,
        grant_tokens: i.grant_tokens.unwrap_or_default(),
        dry_run: i.dry_run.unwrap_or(false),
    };
    let r = kms.sign(caller, req).map_err(|e| from_kms(&e, rid))?;
    out(
        wire::SignOutput {
            key_id: r.key_arn,
            signature: Blob(r.signature),
            signing_algorithm: r.signing_algorithm,
        },
        rid,
    )
}

/// Verify.
pub fn verify(kms: &Kms, caller: &Caller, input: &[u8], rid: &str) -> Result<Vec<u8>, AwsError> {
    let i: wire::VerifyInput = decode(input)?;
    Constraints::default()
        .required(&i.key_id, "keyId")
        .key_id(i.key_id.as_deref(), "keyId")
        .required(&i.message, "message")
        .required(&i.signature, "signature")
        .required(&i.signing_algorithm, "signingAlgorithm")
        .grant_tokens(i.grant_tokens.as_deref())
        .check()?;
    let req = VerifyRequest {
        key_id: present(i.key_id, "keyId")?,
        message: present(i.message, "message")?.0,
        message_type: i.message_type,
        signature: present(i.signature, "signature")?.0,
        signing_algorithm: present(i.signing_algorithm, "signingAlgorithm")?,
        grant_tokens: i.grant_tokens.unwrap_or_default(),
        dry_run: i.dry_run.unwrap_or(false),
    };
    let r = kms.verify(caller, req).map_err(|e| from_kms(&e, rid))?;
    out(
        wire::VerifyOutput {
            key_id: r.key_arn,
            signature_valid: r.signature_valid,
            signing_algorithm: r.signing_algorithm,
        },
        rid,
    )
}

/// GenerateMac.
pub fn generate_mac(
    kms: &Kms,
    caller: &Caller,
    input: &[u8],
    rid: &str,
) -> Result<Vec<u8>, AwsError> {
    let i: wire::GenerateMacInput = decode(input)?;
    Constraints::default()
        .required(&i.message, "message")
        .required(&i.key_id, "keyId")
        .key_id(i.key_id.as_deref(), "keyId")
        .required(&i.mac_algorithm, "macAlgorithm")
        .grant_tokens(i.grant_tokens.as_deref())
        .check()?;
    let req = GenerateMacRequest {
        key_id: present(i.key_id, "keyId")?,
        message: present(i.message, "message")?.0,
        mac_algorithm: present(i.mac_algorithm, "macAlgorithm")?,
        grant_tokens: i.grant_tokens.unwrap_or_default(),
        dry_run: i.dry_run.unwrap_or(false),
    };
    let r = kms.generate_mac(caller, req).map_err(|e| from_kms(&e, rid))?;
    out(
        wire::GenerateMacOutput {
            mac: Blob(r.mac),
            mac_algorithm: r.mac_algorithm,
            key_id: r.key_arn,
        },
        rid,
    )
}

/// VerifyMac.
pub fn verify_mac(
    kms: &Kms,
    caller: &Caller,
    input: &[u8],
    rid: &str,
) -> Result<Vec<u8>, AwsError> {
    let i: wire::VerifyMacInput = decode(input)?;
    Constraints::default()
        .required(&i.message, "message")
        .required(&i.key_id, "keyId")
        .key_id(i.key_id.as_deref(), "keyId")
        .required(&i.mac_algorithm, "macAlgorithm")
        .required(&i.mac, "mac")
        .grant_tokens(i.grant_tokens.as_deref())
        .check()?;
    let req = VerifyMacRequest {
        key_id: present(i.key_id, "keyId")?,
        message: present(i.message, "message")?.0,
        mac_algorithm: present(i.mac_algorithm, "macAlgorithm")?,
        mac: present(i.mac, "mac")?.0,
        grant_tokens: i.grant_tokens.unwrap_or_default(),
        dry_run: i.dry_run.unwrap_or(false),
    };
    let r = kms.verify_mac(caller, req).map_err(|e| from_kms(&e, rid))?;
    out(
        wire::VerifyMacOutput {
            key_id: r.key_arn,
            mac_valid: r.mac_valid,
            mac_algorithm: r.mac_algorithm,
        },
        rid,
    )
}

/// GetPublicKey.
pub fn get_public_key(
    kms: &Kms,
    caller: &Caller,
    input: &[u8],
    rid: &str,
) -> Result<Vec<u8>, AwsError> {
    let i: wire::GetPublicKeyInput = decode(input)?;
    Constraints::default()
        .required(&i.key_id, "keyId")
        .key_id(i.key_id.as_deref(), "keyId")
        .grant_tokens(i.grant_tokens.as_deref())
        .check()?;
    let key_id = present(i.key_id, "keyId")?;
    let tokens = i.grant_tokens.unwrap_or_default();
    let r = kms
        .get_public_key_with_grant_tokens(caller, &key_id, &tokens)
        .map_err(|e| from_kms(&e, rid))?;
    out(
        wire::GetPublicKeyOutput {
            key_id: r.key_arn,
            public_key: Blob(r.public_key),
            customer_master_key_spec: r.key_spec.clone(),
            key_spec: r.key_spec,
            key_usage: r.key_usage,
            encryption_algorithms: r.encryption_algorithms,
            signing_algorithms: r.signing_algorithms,
            key_agreement_algorithms: r.key_agreement_algorithms,
        },
        rid,
    )
}

/// DeriveSharedSecret.
pub fn derive_shared_secret(
    kms: &Kms,
    caller: &Caller,
    input: &[u8],
    rid: &str,
) -> Result<Vec<u8>, AwsError> {
    let i: wire::DeriveSharedSecretInput = decode(input)?;
    Constraints::default()
        .required(&i.key_id, "keyId")
        .key_id(i.key_id.as_deref(), "keyId")
        .required(&i.key_agreement_algorithm, "keyAgreementAlgorithm")
        .required(&i.public_key, "publicKey")
        .grant_tokens(i.grant_tokens.as_deref())
        .check()?;
    no_recipient(i.recipient.as_ref())?;
    let req = DeriveSharedSecretRequest {
        key_id: present(i.key_id, "keyId")?,
        key_agreement_algorithm: present(i.key_agreement_algorithm, "keyAgreementAlgorithm")?,
        public_key: present(i.public_key, "publicKey")?.0,
        grant_tokens: i.grant_tokens.unwrap_or_default(),
        dry_run: i.dry_run.unwrap_or(false),
    };
    let r = kms.derive_shared_secret(caller, req).map_err(|e| from_kms(&e, rid))?;
    out(
        wire::DeriveSharedSecretOutput {
            key_id: r.key_arn,
            shared_secret: SecretBlob(r.shared_secret),
            key_agreement_algorithm: r.key_agreement_algorithm,
            key_origin: r.key_origin,
        },
        rid,
    )
}

/// The request of GenerateDataKeyPair and GenerateDataKeyPairWithoutPlaintext.
fn data_key_pair_request(
    input: &[u8],
    recipient_allowed: bool,
) -> Result<GenerateDataKeyPairRequest, AwsError> {
    let i: wire::GenerateDataKeyPairInput = decode(input)?;
    Constraints::default()
        .required(&i.key_id, "keyId")
        .key_id(i.key_id.as_deref(), "keyId")
        .required(&i.key_pair_spec, "keyPairSpec")
        .grant_tokens(i.grant_tokens.as_deref())
        .check()?;
    if recipient_allowed {
        no_recipient(i.recipient.as_ref())?;
    }
    Ok(GenerateDataKeyPairRequest {
        key_id: present(i.key_id, "keyId")?,
        key_pair_spec: present(i.key_pair_spec, "keyPairSpec")?,
        encryption_context: i.encryption_context.unwrap_or_default(),
        grant_tokens: i.grant_tokens.unwrap_or_default(),
        dry_run: i.dry_run.unwrap_or(false),
    })
}

/// GenerateDataKeyPair.
pub fn generate_data_key_pair(
    kms: &Kms,
    caller: &Caller,
    input: &[u8],
    rid: &str,
) -> Result<Vec<u8>, AwsError> {
    let req = data_key_pair_request(input, true)?;
    let r = kms.generate_data_key_pair(caller, req).map_err(|e| from_kms(&e, rid))?;
    out(
        wire::GenerateDataKeyPairOutput {
            private_key_ciphertext_blob: Blob(r.private_key_ciphertext),
            private_key_plaintext: SecretBlob(r.private_key_plaintext),
            public_key: Blob(r.public_key),
            key_id: r.key_arn,
            key_pair_spec: r.key_pair_spec,
            key_material_id: r.key_material_id,
        },
        rid,
    )
}

/// GenerateDataKeyPairWithoutPlaintext.
pub fn generate_data_key_pair_without_plaintext(
    kms: &Kms,
    caller: &Caller,
    input: &[u8],
    rid: &str,
) -> Result<Vec<u8>, AwsError> {
    let req = data_key_pair_request(input, false)?;
    let r = kms
        .generate_data_key_pair_without_plaintext(caller, req)
        .map_err(|e: KmsError| from_kms(&e, rid))?;
    out(
        wire::GenerateDataKeyPairWithoutPlaintextOutput {
            private_key_ciphertext_blob: Blob(r.private_key_ciphertext),
            public_key: Blob(r.public_key),
            key_id: r.key_arn,
            key_pair_spec: r.key_pair_spec,
            key_material_id: r.key_material_id,
        },
        rid,
    )
}

/// GetParametersForImport.
pub fn get_parameters_for_import(
    kms: &Kms,
    caller: &Caller,
    input: &[u8],
    rid: &str,
) -> Result<Vec<u8>, AwsError> {
    let i: wire::GetParametersForImportInput = decode(input)?;
    Constraints::default()
        .required(&i.key_id, "keyId")
        .key_id(i.key_id.as_deref(), "keyId")
        .required(&i.wrapping_algorithm, "wrappingAlgorithm")
        .required(&i.wrapping_key_spec, "wrappingKeySpec")
        .check()?;
    let req = GetParametersForImportRequest {
        key_id: present(i.key_id, "keyId")?,
        wrapping_algorithm: present(i.wrapping_algorithm, "wrappingAlgorithm")?,
        wrapping_key_spec: present(i.wrapping_key_spec, "wrappingKeySpec")?,
    };
    let r = kms.get_parameters_for_import(caller, req).map_err(|e| from_kms(&e, rid))?;
    out(
        wire::GetParametersForImportOutput {
            key_id: r.key_arn,
            import_token: Blob(r.import_token),
            public_key: Blob(r.public_key),
            parameters_valid_to: epoch_seconds(r.parameters_valid_to),
        },
        rid,
    )
}

/// ImportKeyMaterial.
pub fn import_key_material(
    kms: &Kms,
    caller: &Caller,
    input: &[u8],
    rid: &str,
) -> Result<Vec<u8>, AwsError> {
    let i: wire::ImportKeyMaterialInput = decode(input)?;
    Constraints::default()
        .required(&i.key_id, "keyId")
        .key_id(i.key_id.as_deref(), "keyId")
        .required(&i.import_token, "importToken")
        .required(&i.encrypted_key_material, "encryptedKeyMaterial")
        .check()?;
    // Epoch seconds on the wire, milliseconds in the service.
    #[expect(clippy::cast_possible_truncation, reason = "dates are far inside i64 milliseconds")]
    let valid_to = i.valid_to.map(|secs| (secs * 1000.0).round() as i64);
    let req = ImportKeyMaterialRequest {
        key_id: present(i.key_id, "keyId")?,
        import_token: present(i.import_token, "importToken")?.0,
        encrypted_key_material: present(i.encrypted_key_material, "encryptedKeyMaterial")?.0,
        valid_to,
        expiration_model: i.expiration_model,
        import_type: i.import_type,
        key_material_description: i.key_material_description,
        key_material_id: i.key_material_id,
    };
    let r = kms.import_key_material(caller, req).map_err(|e| from_kms(&e, rid))?;
    out(wire::KeyMaterialOutput { key_id: r.key_arn, key_material_id: r.key_material_id }, rid)
}

/// DeleteImportedKeyMaterial.
pub fn delete_imported_key_material(
    kms: &Kms,
    caller: &Caller,
    input: &[u8],
    rid: &str,
) -> Result<Vec<u8>, AwsError> {
    let i: wire::DeleteImportedKeyMaterialInput = decode(input)?;
    Constraints::default()
        .required(&i.key_id, "keyId")
        .key_id(i.key_id.as_deref(), "keyId")
        .check()?;
    let key_id = present(i.key_id, "keyId")?;
    let r = kms
        .delete_imported_key_material(caller, &key_id, i.key_material_id.as_deref())
        .map_err(|e| from_kms(&e, rid))?;
    out(wire::KeyMaterialOutput { key_id: r.key_arn, key_material_id: r.key_material_id }, rid)
}
