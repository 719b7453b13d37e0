//! GetParametersForImport: a wrapping key pair and an import token for importing key
//! material into a key whose material is external. Both are valid for 24 hours; the
//! private half of the wrapping key is kept sealed, named by the id the token carries.

use coffer_crypto::{KeySpec, Secret, WrappingAlgorithm, seal, wrapping_algorithm_fits};
use coffer_store::ImportParametersRecord;

use crate::authz::Ask;
use crate::caller::Caller;
use crate::clock::DAY_MILLIS;
use crate::err::KmsError;
use crate::key::KeyState;
use crate::ops::asymmetric::{from_crypto, parse_listed};
use crate::ops::import_key_material::{check_external, token_identity, wrapping_identity};
use crate::{Kms, ops};

/// GetParametersForImport's request.
#[derive(Clone, Debug, Default)]
pub struct GetParametersForImportRequest {
    /// The key: id or ARN.
    pub key_id: String,
    /// How the material will be wrapped: RSAES_OAEP_SHA_256, RSA_AES_KEY_WRAP_SHA_256, ...
    pub wrapping_algorithm: String,
    /// The wrapping key's spec: RSA_2048, RSA_3072, RSA_4096 or SM2.
    pub wrapping_key_spec: String,
}

/// GetParametersForImport's response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GetParametersForImportResponse {
    /// The key ARN.
    pub key_arn: String,
    /// The token to send back with the wrapped material.
    pub import_token: Vec<u8>,
    /// The wrapping public key, DER SubjectPublicKeyInfo.
    pub public_key: Vec<u8>,
    /// When the token and the wrapping key stop being accepted, epoch milliseconds.
    pub parameters_valid_to: i64,
}

/// How long import parameters are accepted.
pub const PARAMETERS_VALID_MILLIS: i64 = DAY_MILLIS;

impl Kms {
    /// GetParametersForImport. Needs kms:GetParametersForImport (condition keys
    /// kms:WrappingAlgorithm, kms:WrappingKeySpec); the key's origin must be EXTERNAL and it
    /// must not be pending deletion.
    pub fn get_parameters_for_import(
        &self,
        caller: &Caller,
        req: GetParametersForImportRequest,
    ) -> Result<GetParametersForImportResponse, KmsError> {
        let algorithm = parse_listed(
            &req.wrapping_algorithm,
            "wrappingAlgorithm",
            WrappingAlgorithm::ALL,
            WrappingAlgorithm::as_str,
            WrappingAlgorithm::parse,
        )?;
        let spec = parse_listed(
            &req.wrapping_key_spec,
            "wrappingKeySpec",
            KeySpec::WRAPPING,
            KeySpec::as_str,
            |name| KeySpec::parse(name).filter(|s| s.is_wrapping_spec()),
        )?;
        let (_, key) = self.resolve(caller, &req.key_id)?;
        let ask = Ask::on_key("kms:GetParametersForImport", &key)
            .with("kms:WrappingAlgorithm", algorithm.as_str())
            .with("kms:WrappingKeySpec", spec.as_str());
        self.authorize(caller, ask)?;
        check_external(&key)?;
        let state = ops::state_of(&key);
        if !matches!(state, KeyState::Enabled | KeyState::Disabled | KeyState::PendingImport) {
            return Err(state.invalid(&key.arn));
        }
        if !wrapping_algorithm_fits(algorithm, spec) {
            return Err(KmsError::validation(format!(
                "WrappingAlgorithm {algorithm} is not compatible with WrappingKeySpec {spec}."
            )));
        }
        let (private, public_key) =
            coffer_crypto::wrapping_key_pair(spec, self.rng.as_ref()).map_err(from_crypto)?;
        let token_id: String = self.random_array()?.iter().map(|b| format!("{b:02x}")).collect();
        let rng = self.rng.as_ref();
        let sealed_wrapping_key =
            seal(&self.root, &wrapping_identity(&key.arn, &token_id), &private, rng)
                .map_err(KmsError::internal)?;
        let token = Secret::new(token_id.as_bytes().to_vec());
        let import_token =
            seal(&self.root, &token_identity(&key.arn), &token, rng).map_err(KmsError::internal)?;
        let created = self.now_millis();
        let parameters_valid_to = created + PARAMETERS_VALID_MILLIS;
        self.store.put_import_parameters(&ImportParametersRecord {
            account: key.account.clone(),
            region: key.region.clone(),
            key_id: key.key_id.clone(),
            token_id,
            wrapping_algorithm: algorithm.as_str().to_owned(),
            wrapping_key_spec: spec.as_str().to_owned(),
            sealed_wrapping_key,
            created,
            valid_to: parameters_valid_to,
        })?;
        Ok(GetParametersForImportResponse {
            key_arn: key.arn.clone(),
            import_token,
            public_key,
            parameters_valid_to,
        })
    }
}
