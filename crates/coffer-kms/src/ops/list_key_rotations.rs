//! ListKeyRotations: the key materials of a key that came from rotations (and, on
//! request, its first material), oldest first, a page at a time.

use crate::authz::Ask;
use crate::caller::Caller;
use crate::err::KmsError;
use crate::{Kms, ops};

/// One entry of ListKeyRotations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RotationEntry {
    /// The key ARN.
    pub key_arn: String,
    /// The key material's id.
    pub key_material_id: String,
    /// CURRENT for the material new ciphertexts use, NON_CURRENT for older material.
    pub key_material_state: String,
    /// When the rotation happened, epoch milliseconds (absent for the first material).
    pub rotation_date: Option<i64>,
    /// AUTOMATIC or ON_DEMAND (absent for the first material).
    pub rotation_type: Option<String>,
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
    /// ALL_KEY_MATERIAL (adds the first material); `limit` 1..=1000 (default 100); a
    /// symmetric key in any state. Needs kms:ListKeyRotations.
    pub fn list_key_rotations(
        &self,
        caller: &Caller,
        key_id: &str,
        include_key_material: Option<&str>,
        limit: Option<i64>,
        marker: Option<&str>,
    ) -> Result<RotationList, KmsError> {
        let all = match include_key_material.unwrap_or("ROTATIONS_ONLY") {
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
        let mut rest: Vec<_> = self
            .store
            .key_versions(&key.account, &key.region, &key.key_id)?
            .into_iter()
            .filter(|v| all || v.rotation_type.is_some())
            .filter(|v| marker.is_none_or(|m| page_marker(v.version).as_str() > m))
            .collect();
        let next_marker = (rest.len() > limit).then(|| page_marker(rest[limit - 1].version));
        rest.truncate(limit);
        let rotations = rest
            .into_iter()
            .map(|v| RotationEntry {
                key_arn: key.arn.clone(),
                key_material_id: ops::key_material_id(&key.key_id, v.version),
                key_material_state: if v.version == key.current_version {
                    "CURRENT"
                } else {
                    "NON_CURRENT"
                }
                .into(),
                rotation_date: v.rotation_type.as_ref().map(|_| v.created),
                rotation_type: v.rotation_type,
            })
            .collect();
        Ok(RotationList { rotations, next_marker })
    }
}

/// The marker after a version: its number, zero-padded so markers order as versions do.
fn page_marker(version: u32) -> String {
    format!("{version:010}")
}
