//! Encrypt: up to 4 KiB of plaintext under a symmetric key's current material, or less
//! with an asymmetric key's public key.

use std::collections::BTreeMap;

use coffer_crypto::{BlobHeader, Secret};

use crate::authz::Ask;
use crate::caller::Caller;
use crate::err::KmsError;
use crate::key::KeyState;
use crate::{Kms, ops};

/// Encrypt's request.
#[derive(Debug, Default)]
pub struct EncryptRequest {
    /// The key: id, ARN, alias name or alias ARN.
    pub key_id: String,
    /// The plaintext (1..=4096 bytes).
    pub plaintext: Secret,
    /// The encryption context bound to the ciphertext.
    pub encryption_context: BTreeMap<String, String>,
    /// Grant tokens.
    pub grant_tokens: Vec<String>,
    /// SYMMETRIC_DEFAULT (the default).
    pub encryption_algorithm: Option<String>,
    /// Check authorization only.
    pub dry_run: bool,
}

/// Encrypt's response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncryptResponse {
    /// The ciphertext blob.
    pub ciphertext: Vec<u8>,
    /// The key ARN.
    pub key_arn: String,
    /// The algorithm used.
    pub encryption_algorithm: String,
}

impl Kms {
    /// Encrypt.
    pub fn encrypt(
        &self,
        caller: &Caller,
        req: EncryptRequest,
    ) -> Result<EncryptResponse, KmsError> {
        if req.plaintext.is_empty() {
            return Err(ops::blob_constraint(
                "plaintext",
                "Member must have length greater than or equal to 1",
            ));
        }
        if req.plaintext.len() > 4096 {
            return Err(ops::blob_constraint(
                "plaintext",
                "Member must have length less than or equal to 4096",
            ));
        }
        let (r, key) = self.resolve(caller, &req.key_id)?;
        let algorithm =
            req.encryption_algorithm.clone().unwrap_or_else(|| "SYMMETRIC_DEFAULT".into());
        let ask = self
            .crypto_ask("kms:Encrypt", &key, r.alias_name(), &req.encryption_context)
            .with_grant_tokens(&req.grant_tokens)
            .with("kms:EncryptionAlgorithm", algorithm.clone());
        self.authorize(caller, ask)?;
        self.check_encrypt_key(&key, "Encrypt", &algorithm)?;
        if req.dry_run {
            return Err(KmsError::DryRunSucceeded);
        }
        let ciphertext = if key.key_spec == "SYMMETRIC_DEFAULT" {
            let sealed = self.seal_under(&key, &req.encryption_context, req.plaintext.expose())?;
            caller.note("keyMaterialId", ops::key_material_id(&key.key_id, key.current_version));
            sealed
        } else {
            let pt = req.plaintext.expose();
            self.encrypt_asymmetric(&key, &algorithm, &req.encryption_context, pt)?
        };
        Ok(EncryptResponse {
            ciphertext,
            key_arn: key.arn.clone(),
            encryption_algorithm: algorithm,
        })
    }

    /// The ask of a cryptographic operation: the encryption context keys and the alias.
    pub(crate) fn crypto_ask<'a>(
        &self,
        action: &'a str,
        key: &'a coffer_store::KeyRecord,
        alias: Option<&str>,
        ec: &'a BTreeMap<String, String>,
    ) -> Ask<'a> {
        let mut ask = ops::with_encryption_context(Ask::on_key(action, key), ec);
        if let Some(a) = alias {
            ask = ask.with("kms:RequestAlias", a);
        }
        ask
    }

    /// Usage, state and algorithm checks of a key used to encrypt, in AWS's order.
    pub(crate) fn check_encrypt_key(
        &self,
        key: &coffer_store::KeyRecord,
        op: &str,
        algorithm: &str,
    ) -> Result<(), KmsError> {
        if key.key_usage != "ENCRYPT_DECRYPT" {
            return Err(KmsError::InvalidKeyUsage {
                message: format!(
                    "{} key usage is {} which is not valid for {op}.",
                    key.arn, key.key_usage
                ),
            });
        }
        KeyState::parse(&key.key_state).unwrap_or(KeyState::Unavailable).check_usable(&key.arn)?;
        if algorithm != "SYMMETRIC_DEFAULT" || key.key_spec != "SYMMETRIC_DEFAULT" {
            ops::asymmetric::check_encryption_algorithm(key, algorithm)?;
        }
        Ok(())
    }

    /// Encrypts under the key's current material.
    pub(crate) fn seal_under(
        &self,
        key: &coffer_store::KeyRecord,
        ec: &BTreeMap<String, String>,
        plaintext: &[u8],
    ) -> Result<Vec<u8>, KmsError> {
        let material = self.material(key, key.current_version)?;
        let key_uuid = uuid::Uuid::parse_str(&key.key_id).map_err(KmsError::internal)?;
        let header = BlobHeader { key_id: key_uuid, version: key.current_version };
        coffer_crypto::encrypt(&material, &header, ec, plaintext, self.rng.as_ref())
            .map_err(KmsError::internal)
    }
}
