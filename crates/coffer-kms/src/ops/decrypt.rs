//! Decrypt: the key is found from a symmetric ciphertext, and a KeyId in the request must
//! name it; an asymmetric ciphertext needs the KeyId and the EncryptionAlgorithm.
//!
//! A dry run with the `IGNORE_CIPHERTEXT` modifier checks the permission only: the
//! ciphertext is neither needed nor read, so the KeyId must name the key.

use std::collections::BTreeMap;
use std::sync::Arc;

use coffer_crypto::Secret;
use coffer_store::KeyRecord;

use crate::caller::Caller;
use crate::err::KmsError;
use crate::{Kms, ops};

/// Decrypt's request.
#[derive(Debug, Default)]
pub struct DecryptRequest {
    /// The ciphertext blob.
    pub ciphertext: Vec<u8>,
    /// The encryption context it was made with.
    pub encryption_context: BTreeMap<String, String>,
    /// Grant tokens.
    pub grant_tokens: Vec<String>,
    /// The key the caller expects (optional for symmetric keys).
    pub key_id: Option<String>,
    /// SYMMETRIC_DEFAULT (the default).
    pub encryption_algorithm: Option<String>,
    /// Check authorization only.
    pub dry_run: bool,
    /// How a dry run is checked: `IGNORE_CIPHERTEXT` leaves the ciphertext out.
    pub dry_run_modifiers: Vec<String>,
}

/// Decrypt's response.
#[derive(Debug)]
pub struct DecryptResponse {
    /// The key ARN.
    pub key_arn: String,
    /// The plaintext.
    pub plaintext: Secret,
    /// The algorithm used.
    pub encryption_algorithm: String,
    /// The material version that decrypted, for a symmetric key (AWS leaves it out for
    /// asymmetric keys).
    pub key_material_id: Option<String>,
}

impl Kms {
    /// Decrypt.
    pub fn decrypt(
        &self,
        caller: &Caller,
        req: DecryptRequest,
    ) -> Result<DecryptResponse, KmsError> {
        let ignore_ciphertext = ops::ignores_ciphertext(
            req.dry_run,
            &req.dry_run_modifiers,
            req.key_id.as_deref(),
            "KeyId",
        )?;
        ops::check_ciphertext_blob(&req.ciphertext, ignore_ciphertext)?;
        let (key, alias) = match (ignore_ciphertext, req.key_id.as_deref()) {
            (true, Some(named)) => {
                let (r, key) = self.resolve(caller, named)?;
                (key, r.alias_name().map(str::to_owned))
            }
            _ => self.key_of_ciphertext(caller, &req.ciphertext, req.key_id.as_deref())?,
        };
        let algorithm =
            req.encryption_algorithm.clone().unwrap_or_else(|| "SYMMETRIC_DEFAULT".into());
        let ask = self
            .crypto_ask("kms:Decrypt", &key, alias.as_deref(), &req.encryption_context)
            .with_grant_tokens(&req.grant_tokens)
            .with("kms:EncryptionAlgorithm", algorithm.clone());
        self.authorize(caller, ask)?;
        self.check_encrypt_key(&key, "Decrypt", &algorithm)?;
        if req.dry_run {
            return Err(KmsError::DryRunSucceeded);
        }
        let (plaintext, key_material_id) = self.open_any(
            caller,
            "keyMaterialId",
            &key,
            &algorithm,
            &req.ciphertext,
            &req.encryption_context,
        )?;
        Ok(DecryptResponse {
            key_arn: key.arn.clone(),
            plaintext,
            encryption_algorithm: algorithm,
            key_material_id,
        })
    }

    /// The key a ciphertext was made under, checked against the key the request names, or
    /// found in any account of the caller's region when the request names none. Returns the
    /// alias name when the request named the key by alias.
    pub(crate) fn key_of_ciphertext(
        &self,
        caller: &Caller,
        blob: &[u8],
        named: Option<&str>,
    ) -> Result<(Arc<KeyRecord>, Option<String>), KmsError> {
        let header = || coffer_crypto::read_header(blob).map_err(|_| KmsError::InvalidCiphertext);
        match named {
            Some(n) => {
                let (r, key) = self.resolve(caller, n)?;
                // An asymmetric ciphertext is the algorithm's raw output: it names no key.
                if crate::ops::asymmetric::is_asymmetric(&key) {
                    return Ok((key, r.alias_name().map(str::to_owned)));
                }
                if key.key_id != header()?.key_id.to_string() {
                    return Err(KmsError::IncorrectKey);
                }
                Ok((key, r.alias_name().map(str::to_owned)))
            }
            // The blob names the key by id only, and the key may belong to another account
            // (whose key policy then decides); key ids are unique, so the region suffices.
            None => {
                let id = header()?.key_id.to_string();
                let key = self
                    .cached
                    .find_key_shared(&caller.region, &id)?
                    .ok_or(KmsError::InvalidCiphertext)?;
                Ok((key, None))
            }
        }
    }

    /// Decrypts `blob` under `key`: a symmetric blob with the material version it names,
    /// whose id is returned and noted for the audit event as `note`; an asymmetric
    /// ciphertext with `algorithm`.
    pub(crate) fn open_any(
        &self,
        caller: &Caller,
        note: &'static str,
        key: &KeyRecord,
        algorithm: &str,
        blob: &[u8],
        ec: &BTreeMap<String, String>,
    ) -> Result<(Secret, Option<String>), KmsError> {
        if key.key_spec != "SYMMETRIC_DEFAULT" {
            return Ok((self.decrypt_asymmetric(key, algorithm, ec, blob)?, None));
        }
        let (plaintext, version) = self.open_under(key, blob, ec)?;
        let id = ops::key_material_id(&key.key_id, version);
        caller.note(note, id.clone());
        Ok((plaintext, Some(id)))
    }

    /// Decrypts with the material version the blob names, and says which version that was.
    pub(crate) fn open_under(
        &self,
        key: &KeyRecord,
        blob: &[u8],
        ec: &BTreeMap<String, String>,
    ) -> Result<(Secret, u32), KmsError> {
        let header = coffer_crypto::read_header(blob).map_err(|_| KmsError::InvalidCiphertext)?;
        let material = self.material(key, header.version)?;
        let plaintext =
            coffer_crypto::decrypt(&material, blob, ec).map_err(|_| KmsError::InvalidCiphertext)?;
        Ok((plaintext, header.version))
    }
}
