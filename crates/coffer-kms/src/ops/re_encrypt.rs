//! ReEncrypt: decrypts a ciphertext and encrypts its plaintext under another key (or the
//! same key with another encryption context), without the plaintext leaving the service.
//!
//! A dry run with the `IGNORE_CIPHERTEXT` modifier checks the permissions only: the
//! ciphertext is neither needed nor read, so the SourceKeyId must name the source key.

use std::collections::BTreeMap;

use crate::caller::Caller;
use crate::err::KmsError;
use crate::{Kms, ops};

/// ReEncrypt's request.
#[derive(Debug, Default)]
pub struct ReEncryptRequest {
    /// The ciphertext blob.
    pub ciphertext: Vec<u8>,
    /// The encryption context it was made with.
    pub source_encryption_context: BTreeMap<String, String>,
    /// The key it was made under, if the caller names it (optional for symmetric keys).
    pub source_key_id: Option<String>,
    /// The key to encrypt under: id, ARN, alias name or alias ARN.
    pub destination_key_id: String,
    /// The encryption context of the new ciphertext.
    pub destination_encryption_context: BTreeMap<String, String>,
    /// SYMMETRIC_DEFAULT (the default).
    pub source_encryption_algorithm: Option<String>,
    /// SYMMETRIC_DEFAULT (the default).
    pub destination_encryption_algorithm: Option<String>,
    /// Grant tokens.
    pub grant_tokens: Vec<String>,
    /// Check authorization only.
    pub dry_run: bool,
    /// How a dry run is checked: `IGNORE_CIPHERTEXT` leaves the ciphertext out.
    pub dry_run_modifiers: Vec<String>,
}

/// ReEncrypt's response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReEncryptResponse {
    /// The new ciphertext blob.
    pub ciphertext: Vec<u8>,
    /// The ARN of the key the ciphertext was made under.
    pub source_key_arn: String,
    /// The ARN of the key it is now encrypted under.
    pub key_arn: String,
    /// The algorithm it was decrypted with.
    pub source_encryption_algorithm: String,
    /// The algorithm it was encrypted with.
    pub destination_encryption_algorithm: String,
    /// The id of the key material that made the old ciphertext (symmetric keys only).
    pub source_key_material_id: Option<String>,
    /// The id of the key material that made the new one (symmetric keys only).
    pub destination_key_material_id: Option<String>,
}

impl Kms {
    /// ReEncrypt. Needs kms:ReEncryptFrom on the source key and kms:ReEncryptTo on the
    /// destination key (condition key `kms:ReEncryptOnSameKey`); both must be Enabled.
    pub fn re_encrypt(
        &self,
        caller: &Caller,
        req: ReEncryptRequest,
    ) -> Result<ReEncryptResponse, KmsError> {
        let ignore_ciphertext = ops::ignores_ciphertext(
            req.dry_run,
            &req.dry_run_modifiers,
            req.source_key_id.as_deref(),
            "SourceKeyId",
        )?;
        ops::check_ciphertext_blob(&req.ciphertext, ignore_ciphertext)?;
        let (source, source_alias) = match (ignore_ciphertext, req.source_key_id.as_deref()) {
            (true, Some(named)) => {
                let (r, key) = self.resolve(caller, named)?;
                (key, r.alias_name().map(str::to_owned))
            }
            _ => self.key_of_ciphertext(caller, &req.ciphertext, req.source_key_id.as_deref())?,
        };
        let (dest_ref, dest) = self.resolve(caller, &req.destination_key_id)?;
        let same_key = (source.arn == dest.arn).to_string();
        let source_algorithm =
            req.source_encryption_algorithm.clone().unwrap_or_else(|| "SYMMETRIC_DEFAULT".into());
        let dest_algorithm = req
            .destination_encryption_algorithm
            .clone()
            .unwrap_or_else(|| "SYMMETRIC_DEFAULT".into());
        let from = self
            .crypto_ask(
                "kms:ReEncryptFrom",
                &source,
                source_alias.as_deref(),
                &req.source_encryption_context,
            )
            .with_grant_tokens(&req.grant_tokens)
            .with("kms:EncryptionAlgorithm", source_algorithm.clone())
            .with("kms:ReEncryptOnSameKey", same_key.clone());
        self.authorize(caller, from)?;
        let to = self
            .crypto_ask(
                "kms:ReEncryptTo",
                &dest,
                dest_ref.alias_name(),
                &req.destination_encryption_context,
            )
            .with_grant_tokens(&req.grant_tokens)
            .with("kms:EncryptionAlgorithm", dest_algorithm.clone())
            .with("kms:ReEncryptOnSameKey", same_key);
        self.authorize(caller, to)?;
        self.check_encrypt_key(&source, "ReEncrypt", &source_algorithm)?;
        self.check_encrypt_key(&dest, "ReEncrypt", &dest_algorithm)?;
        if req.dry_run {
            return Err(KmsError::DryRunSucceeded);
        }
        let (plaintext, source_key_material_id) = self.open_any(
            caller,
            "sourceKeyMaterialId",
            &source,
            &source_algorithm,
            &req.ciphertext,
            &req.source_encryption_context,
        )?;
        let (ciphertext, destination_key_material_id) = if dest.key_spec == "SYMMETRIC_DEFAULT" {
            let ciphertext =
                self.seal_under(&dest, &req.destination_encryption_context, plaintext.expose())?;
            let id = ops::key_material_id(&dest.key_id, dest.current_version);
            caller.note("destinationKeyMaterialId", id.clone());
            (ciphertext, Some(id))
        } else {
            let (pt, ec) = (plaintext.expose(), &req.destination_encryption_context);
            (self.encrypt_asymmetric(&dest, &dest_algorithm, ec, pt)?, None)
        };
        Ok(ReEncryptResponse {
            ciphertext,
            source_key_material_id,
            destination_key_material_id,
            source_key_arn: source.arn.clone(),
            key_arn: dest.arn.clone(),
            source_encryption_algorithm: source_algorithm,
            destination_encryption_algorithm: dest_algorithm,
        })
    }
}
