//! ListKeyRotations: the key materials of a key that came from rotations (and, on
//! request, its first material and any imported material pending rotation), oldest first,
//! a page at a time.
//!
//! A symmetric key with imported material (origin EXTERNAL) lists each material that was
//! imported into it, with its import state, description and expiration; one that never
//! had material imported lists none.

use std::cmp::Ordering;

use coffer_store::{ImportedMaterialRecord, KeyRecord, KeyVersion};

use crate::authz::Ask;
use crate::caller::Caller;
use crate::err::KmsError;
use crate::ops::marker::Listing;
use crate::{Kms, ops};

/// One entry of ListKeyRotations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RotationEntry {
    /// The key ARN.
    pub key_arn: String,
    /// The key material's id.
    pub key_material_id: String,
    /// CURRENT for the material new ciphertexts use, NON_CURRENT for older material,
    /// PENDING_ROTATION for imported material that waits for RotateKeyOnDemand.
    pub key_material_state: String,
    /// When the rotation happened, epoch milliseconds (absent for the first material and
    /// for material pending rotation).
    pub rotation_date: Option<i64>,
    /// AUTOMATIC or ON_DEMAND (absent for the first material and for material pending
    /// rotation).
    pub rotation_type: Option<String>,
    /// The description given when the material was imported (imported material only).
    pub key_material_description: Option<String>,
    /// IMPORTED, or PENDING_IMPORT once the material expired or was deleted (imported
    /// material only).
    pub import_state: Option<String>,
    /// KEY_MATERIAL_EXPIRES or KEY_MATERIAL_DOES_NOT_EXPIRE (imported material that is
    /// there only).
    pub expiration_model: Option<String>,
    /// When the material expires, epoch milliseconds (KEY_MATERIAL_EXPIRES only).
    pub valid_to: Option<i64>,
}

/// A page of ListKeyRotations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RotationList {
    /// The rotations, oldest first.
    pub rotations: Vec<RotationEntry>,
    /// The marker of the next page, when truncated.
    pub next_marker: Option<String>,
}

const INCLUDE_KEY_MATERIAL: &str = "[ALL_KEY_MATERIAL, ROTATIONS_ONLY]";

impl Kms {
    /// ListKeyRotations: `include_key_material` ROTATIONS_ONLY (the default) or
    /// ALL_KEY_MATERIAL (adds the first material and imported material pending rotation);
    /// `limit` 1..=1000 (default 100); `marker` must be one the same listing handed out; a
    /// symmetric key in any state. Needs kms:ListKeyRotations.
    pub fn list_key_rotations(
        &self,
        caller: &Caller,
        key_id: &str,
        include_key_material: Option<&str>,
        limit: Option<i64>,
        marker: Option<&str>,
    ) -> Result<RotationList, KmsError> {
        let include = include_key_material.unwrap_or("ROTATIONS_ONLY");
        let all = match include {
            "ROTATIONS_ONLY" => false,
            "ALL_KEY_MATERIAL" => true,
            other => {
                return Err(ops::constraint(
                    other,
                    "includeKeyMaterial",
                    &format!("Member must satisfy enum value set: {INCLUDE_KEY_MATERIAL}"),
                ));
            }
        };
        let limit = ops::page_size(limit, 100, 1000)?;
        let (_, key) = self.resolve(caller, key_id)?;
        self.authorize(caller, Ask::on_key("kms:ListKeyRotations", &key))?;
        if key.key_spec != "SYMMETRIC_DEFAULT" || key.key_usage != "ENCRYPT_DECRYPT" {
            return Err(KmsError::Unsupported { message: String::new() });
        }
        let listing =
            Listing::new("ListKeyRotations", &[&key.account, &key.region, &key.key_id, include]);
        let after = self
            .open_marker(&listing, marker)?
            .map(|p| p.parse::<u32>().map_err(|_| KmsError::InvalidMarker))
            .transpose()?;
        let imported = if key.origin == "EXTERNAL" {
            Some(self.store.imported_materials(&key.account, &key.region, &key.key_id)?)
        } else {
            None
        };
        let mut rest: Vec<(u32, RotationEntry)> = self
            .store
            .key_versions(&key.account, &key.region, &key.key_id)?
            .into_iter()
            .filter(|v| after.is_none_or(|a| v.version > a))
            .filter_map(|v| {
                let record = match &imported {
                    None => None,
                    Some(records) => Some(records.iter().find(|r| r.version == v.version)?),
                };
                Some((v.version, entry(&key, v, record)?))
            })
            .filter(|(_, e)| all || e.rotation_type.is_some())
            .collect();
        let next = (rest.len() > limit).then(|| rest[limit - 1].0.to_string());
        rest.truncate(limit);
        Ok(RotationList {
            rotations: rest.into_iter().map(|(_, e)| e).collect(),
            next_marker: self.issue_marker(&listing, next)?,
        })
    }
}

/// The entry of one version, or `None` for a version that lists nothing: imported material
/// that was never imported, or that was pending rotation and then deleted (it no longer
/// belongs to the key).
fn entry(
    key: &KeyRecord,
    v: KeyVersion,
    imported: Option<&ImportedMaterialRecord>,
) -> Option<RotationEntry> {
    let state = match v.version.cmp(&key.current_version) {
        Ordering::Less => "NON_CURRENT",
        Ordering::Equal => "CURRENT",
        Ordering::Greater => "PENDING_ROTATION",
    };
    let present = imported.map(|r| r.expiration_model.is_some());
    if key.origin == "EXTERNAL" && present.is_none_or(|p| !p && state == "PENDING_ROTATION") {
        return None;
    }
    let expiration_model = imported.and_then(|r| r.expiration_model.clone());
    let expires = expiration_model.as_deref() == Some("KEY_MATERIAL_EXPIRES");
    Some(RotationEntry {
        key_arn: key.arn.clone(),
        key_material_id: ops::key_material_id(&key.key_id, v.version),
        key_material_state: state.into(),
        rotation_date: v.rotation_type.as_ref().map(|_| v.created),
        rotation_type: v.rotation_type,
        key_material_description: imported.and_then(|r| r.description.clone()),
        import_state: present.map(|p| if p { "IMPORTED" } else { "PENDING_IMPORT" }.into()),
        valid_to: imported.and_then(|r| r.valid_to).filter(|_| expires),
        expiration_model,
    })
}
