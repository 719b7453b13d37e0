//! DeriveSharedSecret: the raw ECDH shared secret between a key agreement key and a peer's
//! public key.

use coffer_crypto::{KeyAgreementAlgorithm, KeyUsage, Secret};

use crate::Kms;
use crate::authz::Ask;
use crate::caller::Caller;
use crate::err::KmsError;
use crate::ops::asymmetric::{self, KEY_AGREEMENT_ALGORITHMS, check_blob, from_crypto, parse_enum};

/// DeriveSharedSecret's request.
#[derive(Clone, Debug, Default)]
pub struct DeriveSharedSecretRequest {
    /// The key: id, ARN, alias name or alias ARN.
    pub key_id: String,
    /// ECDH.
    pub key_agreement_algorithm: String,
    /// The peer's public key, DER SubjectPublicKeyInfo on the key's curve (1..=8192 bytes).
    pub public_key: Vec<u8>,
    /// Grant tokens.
    pub grant_tokens: Vec<String>,
    /// Check authorization only.
    pub dry_run: bool,
}

/// DeriveSharedSecret's response.
#[derive(Debug)]
pub struct DeriveSharedSecretResponse {
    /// The key ARN.
    pub key_arn: String,
    /// The raw shared secret: the x-coordinate of the shared point.
    pub shared_secret: Secret,
    /// The algorithm used.
    pub key_agreement_algorithm: String,
    /// AWS_KMS or EXTERNAL.
    pub key_origin: String,
}

impl Kms {
    /// DeriveSharedSecret. Needs kms:DeriveSharedSecret (condition key
    /// kms:KeyAgreementAlgorithm); the key must be an Enabled KEY_AGREEMENT key.
    pub fn derive_shared_secret(
        &self,
        caller: &Caller,
        req: DeriveSharedSecretRequest,
    ) -> Result<DeriveSharedSecretResponse, KmsError> {
        let algorithm = parse_enum(
            &req.key_agreement_algorithm,
            "keyAgreementAlgorithm",
            KEY_AGREEMENT_ALGORITHMS,
            KeyAgreementAlgorithm::parse,
        )?;
        check_blob(&req.public_key, "publicKey", 8192)?;
        let (r, key) = self.resolve(caller, &req.key_id)?;
        let mut ask = Ask::on_key("kms:DeriveSharedSecret", &key)
            .with("kms:KeyAgreementAlgorithm", algorithm.as_str());
        if let Some(alias) = r.alias_name() {
            ask = ask.with("kms:RequestAlias", alias);
        }
        let ask = ask.with_grant_tokens(&req.grant_tokens);
        self.authorize(caller, ask)?;
        let spec = asymmetric::check_key(&key, KeyUsage::KeyAgreement, "DeriveSharedSecret")?;
        if !spec.key_agreement_algorithms().contains(&algorithm) {
            return Err(asymmetric::incompatible(spec, algorithm));
        }
        if req.dry_run {
            return Err(KmsError::DryRunSucceeded);
        }
        let material = self.current_material(&key)?;
        let shared_secret = coffer_crypto::derive_shared_secret(spec, &material, &req.public_key)
            .map_err(from_crypto)?;
        Ok(DeriveSharedSecretResponse {
            key_arn: key.arn.clone(),
            shared_secret,
            key_agreement_algorithm: algorithm.as_str().to_owned(),
            key_origin: key.origin.clone(),
        })
    }
}
