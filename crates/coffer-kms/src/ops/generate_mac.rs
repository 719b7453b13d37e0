//! GenerateMac: the HMAC of a message under an HMAC key.

use coffer_crypto::{KeyUsage, MacAlgorithm};

use crate::Kms;
use crate::authz::Ask;
use crate::caller::Caller;
use crate::err::KmsError;
use crate::ops::asymmetric::{self, MAC_ALGORITHMS, check_blob, from_crypto, parse_enum};

/// GenerateMac's request.
#[derive(Clone, Debug, Default)]
pub struct GenerateMacRequest {
    /// The key: id, ARN, alias name or alias ARN.
    pub key_id: String,
    /// The message (1..=4096 bytes).
    pub message: Vec<u8>,
    /// The MAC algorithm: the one of the key's spec.
    pub mac_algorithm: String,
    /// Grant tokens.
    pub grant_tokens: Vec<String>,
    /// Check authorization only.
    pub dry_run: bool,
}

/// GenerateMac's response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenerateMacResponse {
    /// The key ARN.
    pub key_arn: String,
    /// The MAC.
    pub mac: Vec<u8>,
    /// The algorithm used.
    pub mac_algorithm: String,
}

/// The message and the algorithm, checked as GenerateMac and VerifyMac check them.
pub(crate) fn check_members(message: &[u8], algorithm: &str) -> Result<MacAlgorithm, KmsError> {
    check_blob(message, "message", 4096)?;
    parse_enum(algorithm, "macAlgorithm", MAC_ALGORITHMS, MacAlgorithm::parse)
}

/// The key's spec, if it offers `algorithm`.
pub(crate) fn check_algorithm(
    key: &coffer_store::KeyRecord,
    op: &str,
    algorithm: MacAlgorithm,
) -> Result<coffer_crypto::KeySpec, KmsError> {
    let spec = asymmetric::check_key(key, KeyUsage::GenerateVerifyMac, op)?;
    if !spec.mac_algorithms().contains(&algorithm) {
        return Err(asymmetric::incompatible(spec, algorithm));
    }
    Ok(spec)
}

impl Kms {
    /// GenerateMac. Needs kms:GenerateMac (condition key kms:MacAlgorithm); the key must be
    /// an Enabled GENERATE_VERIFY_MAC key of the algorithm's spec.
    pub fn generate_mac(
        &self,
        caller: &Caller,
        req: GenerateMacRequest,
    ) -> Result<GenerateMacResponse, KmsError> {
        let algorithm = check_members(&req.message, &req.mac_algorithm)?;
        let (r, key) = self.resolve(caller, &req.key_id)?;
        let mut ask =
            Ask::on_key("kms:GenerateMac", &key).with("kms:MacAlgorithm", algorithm.as_str());
        if let Some(alias) = r.alias_name() {
            ask = ask.with("kms:RequestAlias", alias);
        }
        let ask = ask.with_grant_tokens(&req.grant_tokens);
        self.authorize(caller, ask)?;
        let spec = check_algorithm(&key, "GenerateMac", algorithm)?;
        if req.dry_run {
            return Err(KmsError::DryRunSucceeded);
        }
        let material = self.current_material(&key)?;
        let mac =
            coffer_crypto::mac(spec, &material, algorithm, &req.message).map_err(from_crypto)?;
        Ok(GenerateMacResponse {
            key_arn: key.arn.clone(),
            mac,
            mac_algorithm: algorithm.as_str().to_owned(),
        })
    }
}
