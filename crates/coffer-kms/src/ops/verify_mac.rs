//! VerifyMac: checks an HMAC under an HMAC key. A MAC that does not verify is an error
//! (KMSInvalidMacException), never a `false`.

use crate::Kms;
use crate::authz::Ask;
use crate::caller::Caller;
use crate::err::KmsError;
use crate::ops::asymmetric::{check_blob, from_crypto};
use crate::ops::generate_mac::{check_algorithm, check_members};

/// VerifyMac's request.
#[derive(Clone, Debug, Default)]
pub struct VerifyMacRequest {
    /// The key: id, ARN, alias name or alias ARN.
    pub key_id: String,
    /// The message (1..=4096 bytes).
    pub message: Vec<u8>,
    /// The MAC algorithm: the one of the key's spec.
    pub mac_algorithm: String,
    /// The MAC to check (1..=6144 bytes).
    pub mac: Vec<u8>,
    /// Grant tokens.
    pub grant_tokens: Vec<String>,
    /// Check authorization only.
    pub dry_run: bool,
}

/// VerifyMac's response (only for a valid MAC).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyMacResponse {
    /// The key ARN.
    pub key_arn: String,
    /// Always true: an invalid MAC is [`KmsError::InvalidMac`].
    pub mac_valid: bool,
    /// The algorithm used.
    pub mac_algorithm: String,
}

impl Kms {
    /// VerifyMac. Needs kms:VerifyMac (condition key kms:MacAlgorithm); the key must be an
    /// Enabled GENERATE_VERIFY_MAC key of the algorithm's spec. The MAC is compared in
    /// constant time.
    pub fn verify_mac(
        &self,
        caller: &Caller,
        req: VerifyMacRequest,
    ) -> Result<VerifyMacResponse, KmsError> {
        let algorithm = check_members(&req.message, &req.mac_algorithm)?;
        check_blob(&req.mac, "mac", 6144)?;
        let (r, key) = self.resolve(caller, &req.key_id)?;
        let mut ask =
            Ask::on_key("kms:VerifyMac", &key).with("kms:MacAlgorithm", algorithm.as_str());
        if let Some(alias) = r.alias_name() {
            ask = ask.with("kms:RequestAlias", alias);
        }
        let ask = ask.with_grant_tokens(&req.grant_tokens);
        self.authorize(caller, ask)?;
        let spec = check_algorithm(&key, "VerifyMac", algorithm)?;
        if req.dry_run {
            return Err(KmsError::DryRunSucceeded);
        }
        let material = self.current_material(&key)?;
        let valid = coffer_crypto::verify_mac(spec, &material, algorithm, &req.message, &req.mac)
            .map_err(from_crypto)?;
        if !valid {
            return Err(KmsError::InvalidMac);
        }
        Ok(VerifyMacResponse {
            key_arn: key.arn.clone(),
            mac_valid: true,
            mac_algorithm: algorithm.as_str().to_owned(),
        })
    }
}
