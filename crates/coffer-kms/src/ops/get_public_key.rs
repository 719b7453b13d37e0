//! GetPublicKey: the public half of an asymmetric key, as a DER SubjectPublicKeyInfo, with
//! what the key may be used for.

use crate::authz::Ask;
use crate::caller::Caller;
use crate::err::KmsError;
use crate::key::KeyMetadata;
use crate::ops::asymmetric;
use crate::{Kms, ops};

/// GetPublicKey's response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GetPublicKeyResponse {
    /// The key ARN.
    pub key_arn: String,
    /// The public key, DER SubjectPublicKeyInfo.
    pub public_key: Vec<u8>,
    /// RSA_2048, ECC_NIST_P256, ...
    pub key_spec: String,
    /// ENCRYPT_DECRYPT, SIGN_VERIFY or KEY_AGREEMENT.
    pub key_usage: String,
    /// The encryption algorithms (ENCRYPT_DECRYPT keys only).
    pub encryption_algorithms: Vec<String>,
    /// The signing algorithms (SIGN_VERIFY keys only).
    pub signing_algorithms: Vec<String>,
    /// The key agreement algorithms (KEY_AGREEMENT keys only).
    pub key_agreement_algorithms: Vec<String>,
}

impl Kms {
    /// GetPublicKey. Needs kms:GetPublicKey; the key must be an Enabled asymmetric key.
    pub fn get_public_key(
        &self,
        caller: &Caller,
        key_id: &str,
    ) -> Result<GetPublicKeyResponse, KmsError> {
        self.get_public_key_with_grant_tokens(caller, key_id, &[])
    }

    /// GetPublicKey with the request's grant tokens.
    pub fn get_public_key_with_grant_tokens(
        &self,
        caller: &Caller,
        key_id: &str,
        grant_tokens: &[String],
    ) -> Result<GetPublicKeyResponse, KmsError> {
        let (r, key) = self.resolve(caller, key_id)?;
        let mut ask = Ask::on_key("kms:GetPublicKey", &key).with_grant_tokens(grant_tokens);
        if let Some(alias) = r.alias_name() {
            ask = ask.with("kms:RequestAlias", alias);
        }
        self.authorize(caller, ask)?;
        ops::state_of(&key).check_usable(&key.arn)?;
        if !asymmetric::is_asymmetric(&key) {
            return Err(KmsError::Unsupported {
                message: format!(
                    "{} key spec is {} which is not valid for GetPublicKey.",
                    key.arn, key.key_spec
                ),
            });
        }
        let public_key = self.public_key_of(&key)?;
        let m = KeyMetadata::of(&key);
        Ok(GetPublicKeyResponse {
            key_arn: key.arn.clone(),
            public_key,
            key_spec: key.key_spec.clone(),
            key_usage: key.key_usage.clone(),
            encryption_algorithms: m.encryption_algorithms,
            signing_algorithms: m.signing_algorithms,
            key_agreement_algorithms: m.key_agreement_algorithms,
        })
    }
}
