//! GenerateDataKeyPair: a fresh asymmetric key pair for use outside the service: the
//! private key in plaintext and encrypted under a symmetric key, and the public key.

use std::collections::BTreeMap;

use coffer_crypto::{KeySpec, Secret};
use coffer_store::KeyRecord;

use crate::caller::Caller;
use crate::err::KmsError;
use crate::ops::asymmetric::{from_crypto, parse_listed};
use crate::{Kms, ops};

/// GenerateDataKeyPair's request (and GenerateDataKeyPairWithoutPlaintext's).
#[derive(Clone, Debug, Default)]
pub struct GenerateDataKeyPairRequest {
    /// The symmetric key that encrypts the private key: id, ARN, alias name or alias ARN.
    pub key_id: String,
    /// The spec of the pair: RSA_2048, ECC_NIST_P256, SM2, ...
    pub key_pair_spec: String,
    /// The encryption context bound to the encrypted private key.
    pub encryption_context: BTreeMap<String, String>,
    /// Grant tokens.
    pub grant_tokens: Vec<String>,
    /// Check authorization only.
    pub dry_run: bool,
}

/// GenerateDataKeyPair's response.
#[derive(Debug)]
pub struct GenerateDataKeyPairResponse {
    /// The private key (DER PKCS#8) encrypted under the key: a ciphertext blob Decrypt
    /// accepts.
    pub private_key_ciphertext: Vec<u8>,
    /// The private key, DER PKCS#8.
    pub private_key_plaintext: Secret,
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
    /// GenerateDataKeyPair. Needs kms:GenerateDataKeyPair (condition keys
    /// kms:DataKeyPairSpec, kms:EncryptionAlgorithm, the encryption context); the key must be
    /// an Enabled symmetric encryption key.
    pub fn generate_data_key_pair(
        &self,
        caller: &Caller,
        req: GenerateDataKeyPairRequest,
    ) -> Result<GenerateDataKeyPairResponse, KmsError> {
        self.new_data_key_pair(caller, "kms:GenerateDataKeyPair", "GenerateDataKeyPair", &req)
    }

    /// The shared body of GenerateDataKeyPair and GenerateDataKeyPairWithoutPlaintext.
    pub(crate) fn new_data_key_pair(
        &self,
        caller: &Caller,
        action: &str,
        op: &str,
        req: &GenerateDataKeyPairRequest,
    ) -> Result<GenerateDataKeyPairResponse, KmsError> {
        let spec = parse_listed(
            &req.key_pair_spec,
            "keyPairSpec",
            KeySpec::DATA_KEY_PAIR,
            KeySpec::as_str,
            |name| KeySpec::parse(name).filter(|s| s.is_data_key_pair_spec()),
        )?;
        let (r, key) = self.resolve(caller, &req.key_id)?;
        let ask = self
            .crypto_ask(action, &key, r.alias_name(), &req.encryption_context)
            .with("kms:DataKeyPairSpec", spec.as_str())
            .with("kms:EncryptionAlgorithm", "SYMMETRIC_DEFAULT");
        let ask = ask.with_grant_tokens(&req.grant_tokens);
        self.authorize(caller, ask)?;
        self.check_encrypt_key(&key, op, "SYMMETRIC_DEFAULT")?;
        if req.dry_run {
            return Err(KmsError::DryRunSucceeded);
        }
        let (private, public_key) =
            coffer_crypto::generate_data_key_pair(spec, self.rng.as_ref()).map_err(from_crypto)?;
        let private_key_ciphertext =
            self.seal_under(&key, &req.encryption_context, private.expose())?;
        caller.note("keyMaterialId", ops::key_material_id(&key.key_id, key.current_version));
        Ok(pair_response(&key, spec, private, private_key_ciphertext, public_key))
    }
}

fn pair_response(
    key: &KeyRecord,
    spec: KeySpec,
    private_key_plaintext: Secret,
    private_key_ciphertext: Vec<u8>,
    public_key: Vec<u8>,
) -> GenerateDataKeyPairResponse {
    GenerateDataKeyPairResponse {
        private_key_ciphertext,
        private_key_plaintext,
        public_key,
        key_material_id: ops::key_material_id(&key.key_id, key.current_version),
        key_arn: key.arn.clone(),
        key_pair_spec: spec.as_str().to_owned(),
    }
}
