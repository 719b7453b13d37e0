//! ImportKeyMaterial: key material wrapped with the public key of GetParametersForImport
//! becomes a key's material, and what imported material shares with the other operations.
//!
//! Each imported material is a key version. The first one imported becomes the key's
//! material; the same material may be imported again (to change its expiration, or after it
//! expired or was deleted), never another, except that a symmetric encryption key takes new
//! material (`NEW_KEY_MATERIAL`) which waits, pending rotation, until RotateKeyOnDemand
//! makes it current. The same material is recognised by a fingerprint: an HMAC keyed with
//! the material (the public key, for a key pair) over the key's identity, which tells
//! nothing about the material itself. Material that expires is removed by [`Kms::sweep`]
//! at its `ValidTo`, and the key waits for it again.

use coffer_crypto::{
    CryptoError, KeySpec, MacAlgorithm, Secret, WrappingAlgorithm, check_imported_material, seal,
    unseal, unwrap_key_material,
};
use coffer_store::{ImportedMaterialRecord, KeyRecord, KeyVersion};

use crate::authz::Ask;
use crate::caller::Caller;
use crate::clock::DAY_MILLIS;
use crate::err::KmsError;
use crate::key::{KeyMetadata, KeyState};
use crate::ops::asymmetric::{check_blob, from_crypto, parse_enum, spec_of};
use crate::{Kms, ops};

/// The sealed material of a key version that has no material: imported material not yet
/// imported, deleted or expired.
pub(crate) const NO_MATERIAL: &[u8] = &[];

/// The expiration models, as AWS lists them.
const EXPIRATION_MODELS: &str = "[KEY_MATERIAL_EXPIRES, KEY_MATERIAL_DOES_NOT_EXPIRE]";

/// The import types, as AWS lists them.
const IMPORT_TYPES: &str = "[NEW_KEY_MATERIAL, EXISTING_KEY_MATERIAL]";

/// ImportKeyMaterial's request.
#[derive(Clone, Debug, Default)]
pub struct ImportKeyMaterialRequest {
    /// The key: id or ARN.
    pub key_id: String,
    /// The token of GetParametersForImport.
    pub import_token: Vec<u8>,
    /// The material, wrapped with the public key that came with the token.
    pub encrypted_key_material: Vec<u8>,
    /// When the material expires, epoch milliseconds (with KEY_MATERIAL_EXPIRES).
    pub valid_to: Option<i64>,
    /// KEY_MATERIAL_EXPIRES (the default) or KEY_MATERIAL_DOES_NOT_EXPIRE.
    pub expiration_model: Option<String>,
    /// NEW_KEY_MATERIAL or EXISTING_KEY_MATERIAL (the default once material was imported).
    pub import_type: Option<String>,
    /// A description of the material.
    pub key_material_description: Option<String>,
    /// The material being imported again, if the caller names it.
    pub key_material_id: Option<String>,
}

/// ImportKeyMaterial's and DeleteImportedKeyMaterial's response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyMaterialResponse {
    /// The key ARN.
    pub key_arn: String,
    /// The key material imported or deleted.
    pub key_material_id: String,
}

/// The identity an import token is sealed with: it opens for its key only.
pub(crate) fn token_identity(arn: &str) -> Vec<u8> {
    format!("coffer:import-token:v1:{arn}").into_bytes()
}

/// The identity the private half of a wrapping key is sealed with.
pub(crate) fn wrapping_identity(arn: &str, token_id: &str) -> Vec<u8> {
    format!("coffer:import-wrapping-key:v1:{arn}:{token_id}").into_bytes()
}

/// UnsupportedOperationException for a key whose material is not imported.
pub(crate) fn check_external(key: &KeyRecord) -> Result<(), KmsError> {
    if key.origin == "EXTERNAL" {
        return Ok(());
    }
    Err(KmsError::Unsupported {
        message: format!(
            "{} origin is {} which is not valid for this operation.",
            key.arn, key.origin
        ),
    })
}

/// IncorrectKeyMaterialException, with the words of AWS's model.
fn incorrect_material() -> KmsError {
    KmsError::IncorrectKeyMaterial {
        message: "The key material in the request is, expired, invalid, or is not the same key \
                  material that was previously imported into this KMS key."
            .into(),
    }
}

/// Recognises material of `spec` imported into the key `arn`: an HMAC keyed with the
/// material (the public key of a key pair, which does not depend on how the private key
/// was encoded) over the key's identity.
fn fingerprint(spec: KeySpec, material: &Secret, arn: &str) -> Result<Vec<u8>, KmsError> {
    let keyed = if spec.is_asymmetric() {
        Secret::new(coffer_crypto::public_key_spki(spec, material).map_err(from_crypto)?)
    } else {
        material.duplicate()
    };
    let identity = format!("coffer:imported-material:v1:{arn}");
    coffer_crypto::mac(KeySpec::Hmac256, &keyed, MacAlgorithm::HmacSha256, identity.as_bytes())
        .map_err(KmsError::internal)
}

impl Kms {
    /// ImportKeyMaterial. Needs kms:ImportKeyMaterial (condition keys kms:ExpirationModel,
    /// kms:ValidTo); the key's origin must be EXTERNAL and it must not be pending deletion.
    pub fn import_key_material(
        &self,
        caller: &Caller,
        req: ImportKeyMaterialRequest,
    ) -> Result<KeyMaterialResponse, KmsError> {
        check_blob(&req.import_token, "importToken", 6144)?;
        check_blob(&req.encrypted_key_material, "encryptedKeyMaterial", 6144)?;
        let model = req.expiration_model.as_deref().unwrap_or("KEY_MATERIAL_EXPIRES");
        let expires = parse_enum(model, "expirationModel", EXPIRATION_MODELS, |m| match m {
            "KEY_MATERIAL_EXPIRES" => Some(true),
            "KEY_MATERIAL_DOES_NOT_EXPIRE" => Some(false),
            _ => None,
        })?;
        let new_material = req
            .import_type
            .as_deref()
            .map(|t| {
                parse_enum(t, "importType", IMPORT_TYPES, |t| match t {
                    "NEW_KEY_MATERIAL" => Some(true),
                    "EXISTING_KEY_MATERIAL" => Some(false),
                    _ => None,
                })
            })
            .transpose()?;
        let now = self.now_millis();
        match (expires, req.valid_to) {
            (true, None) => {
                return Err(KmsError::validation(
                    "A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES",
                ));
            }
            (false, Some(_)) => {
                return Err(KmsError::validation(
                    "A validTo date cannot be set if the ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE",
                ));
            }
            (true, Some(to)) if to <= now || to > now + 365 * DAY_MILLIS => {
                return Err(KmsError::validation(
                    "The validTo date must be in the future and at most 365 days from now.",
                ));
            }
            _ => {}
        }
        if req.key_material_description.as_ref().is_some_and(|d| d.chars().count() > 256) {
            return Err(ops::constraint(
                "...",
                "keyMaterialDescription",
                "Member must have length less than or equal to 256",
            ));
        }
        let (_, key) = self.resolve_owned(caller, &req.key_id)?;
        let mut ask = Ask::on_key("kms:ImportKeyMaterial", &key).with("kms:ExpirationModel", model);
        if let Some(to) = req.valid_to {
            ask = ask.with("kms:ValidTo", (to / 1000).to_string());
        }
        self.authorize(caller, ask)?;
        check_external(&key)?;
        let state = ops::state_of(&key);
        if !matches!(state, KeyState::Enabled | KeyState::Disabled | KeyState::PendingImport) {
            return Err(state.invalid(&key.arn));
        }
        let spec = spec_of(&key)?;
        let material = self.open_import(&key, &req.import_token, &req.encrypted_key_material)?;
        check_imported_material(spec, &material).map_err(|e| match e {
            CryptoError::KeyMaterial(_) => incorrect_material(),
            other => from_crypto(other),
        })?;
        let print = fingerprint(spec, &material, &key.arn)?;
        let records = self.store.imported_materials(&key.account, &key.region, &key.key_id)?;
        let id_of = |version: u32| ops::key_material_id(&key.key_id, version);
        let same = records.iter().find(|r| Secret::new(r.fingerprint.clone()).ct_eq(&print));
        let version = match same {
            Some(r) => {
                if new_material == Some(true)
                    || req.key_material_id.as_ref().is_some_and(|id| *id != id_of(r.version))
                {
                    return Err(incorrect_material());
                }
                r.version
            }
            None if records.is_empty() => {
                if new_material == Some(false) || req.key_material_id.is_some() {
                    return Err(incorrect_material());
                }
                key.current_version
            }
            None => {
                // Only a symmetric encryption key takes other material, and only as new
                // material, which waits for RotateKeyOnDemand.
                if spec != KeySpec::SymmetricDefault || new_material != Some(true) {
                    return Err(incorrect_material());
                }
                if req.key_material_id.is_some() {
                    return Err(KmsError::validation(
                        "You cannot specify a key material ID with ImportType set to NEW_KEY_MATERIAL.",
                    ));
                }
                let next =
                    records.iter().map(|r| r.version).max().unwrap_or(0).max(key.current_version)
                        + 1;
                let pending = records
                    .iter()
                    .find(|r| r.version > key.current_version && r.expiration_model.is_some());
                if let Some(p) = pending {
                    return Err(KmsError::InvalidState {
                        message: format!(
                            "New key material (id: {}) cannot be imported into KMS key {}, because another key material (id: {}) is pending rotation.",
                            id_of(next),
                            key.arn,
                            id_of(p.version)
                        ),
                    });
                }
                next
            }
        };
        let sealed =
            seal(&self.root, &Self::seal_identity(&key.arn, version), &material, self.rng.as_ref())
                .map_err(KmsError::internal)?;
        let existing = self.version_of(&key, version)?;
        let mut updated = key.clone();
        if version == key.current_version && state == KeyState::PendingImport {
            updated.key_state = KeyState::Enabled.as_str().into();
        }
        let row = KeyVersion {
            key_id: key.key_id.clone(),
            version,
            sealed_material: sealed,
            created: existing.as_ref().map_or(now, |v| v.created),
            rotation_type: existing.and_then(|v| v.rotation_type),
        };
        let record = ImportedMaterialRecord {
            account: key.account.clone(),
            region: key.region.clone(),
            key_id: key.key_id.clone(),
            version,
            fingerprint: print,
            description: req.key_material_description.clone(),
            expiration_model: Some(model.to_owned()),
            valid_to: req.valid_to,
            imported: now,
        };
        self.store.put_imported_material(&updated, &row, &record)?;
        self.forget(&key.arn);
        Ok(KeyMaterialResponse { key_material_id: id_of(version), key_arn: key.arn })
    }

    /// The material an import carries: the token must be one this key handed out and still
    /// valid, and the material must unwrap with the token's wrapping key.
    fn open_import(
        &self,
        key: &KeyRecord,
        token: &[u8],
        wrapped: &[u8],
    ) -> Result<Secret, KmsError> {
        let invalid = || KmsError::InvalidImportToken {
            message: "The import token is not valid for this KMS key.".into(),
        };
        let token_id =
            unseal(&self.root, &token_identity(&key.arn), token).map_err(|_| invalid())?;
        let token_id = String::from_utf8(token_id.expose().to_vec()).map_err(|_| invalid())?;
        let params = self
            .store
            .get_import_parameters(&key.account, &key.region, &key.key_id, &token_id)?
            .ok_or_else(invalid)?;
        if self.now_millis() > params.valid_to {
            return Err(KmsError::ExpiredImportToken {
                message:
                    "The import token has expired. Use GetParametersForImport to get a new one."
                        .into(),
            });
        }
        let wrapping_key = unseal(
            &self.root,
            &wrapping_identity(&key.arn, &token_id),
            &params.sealed_wrapping_key,
        )
        .map_err(|_| {
            KmsError::internal(format!("the wrapping key of {} does not unseal", key.arn))
        })?;
        let algorithm = WrappingAlgorithm::parse(&params.wrapping_algorithm).ok_or_else(|| {
            KmsError::internal(format!("unknown wrapping algorithm {}", params.wrapping_algorithm))
        })?;
        unwrap_key_material(algorithm, &wrapping_key, wrapped).map_err(from_crypto)
    }

    /// One stored version of a key, if it exists.
    fn version_of(&self, key: &KeyRecord, version: u32) -> Result<Option<KeyVersion>, KmsError> {
        Ok(self
            .store
            .key_versions(&key.account, &key.region, &key.key_id)?
            .into_iter()
            .find(|v| v.version == version))
    }

    /// Removes imported material (deleted, or expired): the version keeps no material and
    /// the record no expiration; when it was the key's current material the key waits for
    /// it again, unless it is pending deletion.
    pub(crate) fn drop_imported_material(
        &self,
        key: &KeyRecord,
        record: &ImportedMaterialRecord,
    ) -> Result<KeyRecord, KmsError> {
        let existing = self.version_of(key, record.version)?;
        let mut updated = key.clone();
        if record.version == key.current_version && ops::state_of(key) != KeyState::PendingDeletion
        {
            updated.key_state = KeyState::PendingImport.as_str().into();
        }
        let row = KeyVersion {
            key_id: key.key_id.clone(),
            version: record.version,
            sealed_material: NO_MATERIAL.to_vec(),
            created: existing.as_ref().map_or(record.imported, |v| v.created),
            rotation_type: existing.and_then(|v| v.rotation_type),
        };
        let gone =
            ImportedMaterialRecord { expiration_model: None, valid_to: None, ..record.clone() };
        let stored = self.store.put_imported_material(&updated, &row, &gone)?;
        self.forget(&key.arn);
        Ok(stored)
    }

    /// Whether a key with imported material has its current material.
    pub(crate) fn has_imported_material(&self, key: &KeyRecord) -> Result<bool, KmsError> {
        let records = self.store.imported_materials(&key.account, &key.region, &key.key_id)?;
        Ok(records.iter().any(|r| r.version == key.current_version && r.expiration_model.is_some()))
    }

    /// What DescribeKey adds for a key with imported material: the current material's
    /// expiration and, for a symmetric encryption key, its id once material was imported.
    pub(crate) fn with_imported_material(
        &self,
        mut m: KeyMetadata,
        key: &KeyRecord,
    ) -> Result<KeyMetadata, KmsError> {
        if key.origin != "EXTERNAL" {
            return Ok(m);
        }
        let records = self.store.imported_materials(&key.account, &key.region, &key.key_id)?;
        if let Some(current) = records.iter().find(|r| r.version == key.current_version) {
            if key.key_spec == "SYMMETRIC_DEFAULT" {
                m.current_key_material_id =
                    Some(ops::key_material_id(&key.key_id, current.version));
            }
            m.expiration_model.clone_from(&current.expiration_model);
            m.valid_to = current.valid_to.filter(|_| current.expiration_model.is_some());
        }
        Ok(m)
    }

    /// RotateKeyOnDemand of a symmetric encryption key with imported material: the material
    /// pending rotation becomes current.
    pub(crate) fn rotate_onto_imported(&self, key: &KeyRecord) -> Result<KeyRecord, KmsError> {
        let records = self.store.imported_materials(&key.account, &key.region, &key.key_id)?;
        let pending = records
            .iter()
            .filter(|r| r.version > key.current_version && r.expiration_model.is_some())
            .min_by_key(|r| r.version)
            .ok_or_else(|| KmsError::InvalidState {
                message: format!(
                    "No available key material pending rotation for the key: {}.",
                    key.arn
                ),
            })?;
        let existing = self.version_of(key, pending.version)?.ok_or_else(|| {
            KmsError::internal(format!("{} lacks version {}", key.arn, pending.version))
        })?;
        let mut updated = key.clone();
        updated.current_version = pending.version;
        updated.on_demand_rotations += 1;
        let row = KeyVersion {
            created: self.now_millis(),
            rotation_type: Some("ON_DEMAND".into()),
            ..existing
        };
        let stored = self.store.put_imported_material(&updated, &row, pending)?;
        self.forget(&key.arn);
        Ok(stored)
    }

    /// Removes the imported material whose validity has ended; returns the ARNs of the keys
    /// that lost material. One that fails does not stop the others.
    pub(crate) fn expire_imported_materials(&self, now: i64) -> Result<Vec<String>, KmsError> {
        let mut expired = Vec::new();
        for record in self.store.imported_materials_expiring(now)? {
            let key = match self.store.get_key(&record.account, &record.region, &record.key_id) {
                Ok(Some(key)) => key,
                Ok(None) => continue,
                Err(e) => {
                    tracing::error!(key = %record.key_id, error = %e, "cannot read a key whose material expired");
                    continue;
                }
            };
            match self.drop_imported_material(&key, &record) {
                Ok(_) => {
                    tracing::info!(key = %key.arn, "imported key material expired");
                    expired.push(key.arn);
                }
                Err(e) => {
                    tracing::error!(key = %key.arn, error = %e, "cannot remove expired key material")
                }
            }
        }
        Ok(expired)
    }
}
