//! Sign: a signature over a message, its digest or an ML-DSA external mu, with the
//! private key of an asymmetric signing key.

use coffer_crypto::{KeyUsage, MessageType, SigningAlgorithm};

use crate::Kms;
use crate::authz::Ask;
use crate::caller::Caller;
use crate::err::KmsError;
use crate::ops::asymmetric::{self, check_blob, from_crypto, parse_listed};

/// Sign's request (and, with the signature, Verify's).
#[derive(Clone, Debug, Default)]
pub struct SignRequest {
    /// The key: id, ARN, alias name or alias ARN.
    pub key_id: String,
    /// The message, digest or external mu (1..=4096 bytes).
    pub message: Vec<u8>,
    /// RAW (the default), DIGEST or EXTERNAL_MU.
    pub message_type: Option<String>,
    /// The signing algorithm.
    pub signing_algorithm: String,
    /// Grant tokens.
    pub grant_tokens: Vec<String>,
    /// Check authorization only.
    pub dry_run: bool,
}

/// Sign's response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignResponse {
    /// The key ARN.
    pub key_arn: String,
    /// The signature (DER for ECDSA and SM2, the raw octets otherwise).
    pub signature: Vec<u8>,
    /// The algorithm used.
    pub signing_algorithm: String,
}

/// The request members every signing operation checks first: the message's length, the
/// algorithm and the message type.
pub(crate) fn check_members(
    message: &[u8],
    algorithm: &str,
    message_type: Option<&str>,
) -> Result<(SigningAlgorithm, MessageType), KmsError> {
    check_blob(message, "message", 4096)?;
    let algorithm = parse_listed(
        algorithm,
        "signingAlgorithm",
        SigningAlgorithm::ALL,
        SigningAlgorithm::as_str,
        SigningAlgorithm::parse,
    )?;
    let message_type = parse_listed(
        message_type.unwrap_or("RAW"),
        "messageType",
        MessageType::ALL,
        MessageType::as_str,
        MessageType::parse,
    )?;
    Ok((algorithm, message_type))
}

impl Kms {
    /// Sign. Needs kms:Sign (condition keys kms:SigningAlgorithm, kms:MessageType); the key
    /// must be an Enabled SIGN_VERIFY key whose spec offers the algorithm.
    pub fn sign(&self, caller: &Caller, req: SignRequest) -> Result<SignResponse, KmsError> {
        let (algorithm, message_type) =
            check_members(&req.message, &req.signing_algorithm, req.message_type.as_deref())?;
        let (r, key) = self.resolve(caller, &req.key_id)?;
        let mut ask = Ask::on_key("kms:Sign", &key)
            .with("kms:SigningAlgorithm", algorithm.as_str())
            .with("kms:MessageType", message_type.as_str());
        if let Some(alias) = r.alias_name() {
            ask = ask.with("kms:RequestAlias", alias);
        }
        let ask = ask.with_grant_tokens(&req.grant_tokens);
        self.authorize(caller, ask)?;
        let spec = asymmetric::check_key(&key, KeyUsage::SignVerify, "Sign")?;
        asymmetric::check_signing(spec, algorithm, message_type, &req.message)?;
        if req.dry_run {
            return Err(KmsError::DryRunSucceeded);
        }
        let signature = self
            .signer(&key, key.current_version, spec)?
            .sign(algorithm, message_type, &req.message)
            .map_err(from_crypto)?;
        Ok(SignResponse {
            key_arn: key.arn.clone(),
            signature,
            signing_algorithm: algorithm.as_str().to_owned(),
        })
    }
}
