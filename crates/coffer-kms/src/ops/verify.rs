//! Verify: checks a signature with the public key of an asymmetric signing key. A
//! signature that does not verify is an error (KMSInvalidSignatureException), never a
//! `false`.

use coffer_crypto::KeyUsage;

use crate::Kms;
use crate::authz::Ask;
use crate::caller::Caller;
use crate::err::KmsError;
use crate::ops::asymmetric::{self, check_blob, from_crypto};
use crate::ops::sign::check_members;

/// Verify's request.
#[derive(Clone, Debug, Default)]
pub struct VerifyRequest {
    /// The key: id, ARN, alias name or alias ARN.
    pub key_id: String,
    /// The message, digest or external mu (1..=4096 bytes).
    pub message: Vec<u8>,
    /// RAW (the default), DIGEST or EXTERNAL_MU: how `message` is to be read, whatever
    /// type the signature was made with.
    pub message_type: Option<String>,
    /// The signature (1..=6144 bytes).
    pub signature: Vec<u8>,
    /// The signing algorithm.
    pub signing_algorithm: String,
    /// Grant tokens.
    pub grant_tokens: Vec<String>,
    /// Check authorization only.
    pub dry_run: bool,
}

/// Verify's response (only for a valid signature).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyResponse {
    /// The key ARN.
    pub key_arn: String,
    /// Always true: an invalid signature is [`KmsError::InvalidSignature`].
    pub signature_valid: bool,
    /// The algorithm used.
    pub signing_algorithm: String,
}

impl Kms {
    /// Verify. Needs kms:Verify (condition keys kms:SigningAlgorithm, kms:MessageType); the
    /// key must be an Enabled SIGN_VERIFY key whose spec offers the algorithm.
    pub fn verify(&self, caller: &Caller, req: VerifyRequest) -> Result<VerifyResponse, KmsError> {
        let (algorithm, message_type) =
            check_members(&req.message, &req.signing_algorithm, req.message_type.as_deref())?;
        check_blob(&req.signature, "signature", 6144)?;
        let (r, key) = self.resolve(caller, &req.key_id)?;
        let mut ask = Ask::on_key("kms:Verify", &key)
            .with("kms:SigningAlgorithm", algorithm.as_str())
            .with("kms:MessageType", message_type.as_str());
        if let Some(alias) = r.alias_name() {
            ask = ask.with("kms:RequestAlias", alias);
        }
        let ask = ask.with_grant_tokens(&req.grant_tokens);
        self.authorize(caller, ask)?;
        let spec = asymmetric::check_key(&key, KeyUsage::SignVerify, "Verify")?;
        asymmetric::check_signing(spec, algorithm, message_type, &req.message)?;
        if req.dry_run {
            return Err(KmsError::DryRunSucceeded);
        }
        let public_key = self.public_key_of(&key)?;
        let valid = coffer_crypto::verify(
            spec,
            &public_key,
            algorithm,
            message_type,
            &req.message,
            &req.signature,
        )
        .map_err(from_crypto)?;
        if !valid {
            return Err(KmsError::InvalidSignature);
        }
        Ok(VerifyResponse {
            key_arn: key.arn.clone(),
            signature_valid: true,
            signing_algorithm: algorithm.as_str().to_owned(),
        })
    }
}
