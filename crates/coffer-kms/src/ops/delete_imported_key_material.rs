//! DeleteImportedKeyMaterial: deletes imported key material. When it is the key's current
//! material the key waits for it again (PendingImport), unless it is pending deletion; the
//! same material can be imported again.

use crate::authz::Ask;
use crate::caller::Caller;
use crate::err::KmsError;
use crate::key::KeyState;
use crate::ops::import_key_material::{KeyMaterialResponse, check_external};
use crate::{Kms, ops};

impl Kms {
    /// DeleteImportedKeyMaterial: the material `key_material_id` names, or the current one.
    /// Needs kms:DeleteImportedKeyMaterial; the key's origin must be EXTERNAL.
    pub fn delete_imported_key_material(
        &self,
        caller: &Caller,
        key_id: &str,
        key_material_id: Option<&str>,
    ) -> Result<KeyMaterialResponse, KmsError> {
        let (_, key) = self.resolve(caller, key_id)?;
        self.authorize(caller, Ask::on_key("kms:DeleteImportedKeyMaterial", &key))?;
        check_external(&key)?;
        let state = ops::state_of(&key);
        if matches!(state, KeyState::Creating | KeyState::Unavailable) {
            return Err(state.invalid(&key.arn));
        }
        let records = self.store.imported_materials(&key.account, &key.region, &key.key_id)?;
        let id_of = |version: u32| ops::key_material_id(&key.key_id, version);
        let record = match key_material_id {
            Some(id) => records.iter().find(|r| id_of(r.version) == id).ok_or_else(|| {
                KmsError::NotFound {
                    message: format!(
                        "Key material (id: {id}) does not exist for the key: {}.",
                        key.arn
                    ),
                }
            })?,
            None => records
                .iter()
                .find(|r| r.version == key.current_version)
                .ok_or_else(|| KeyState::PendingImport.invalid(&key.arn))?,
        };
        if record.expiration_model.is_none() {
            // Nothing left to delete.
            return Err(KeyState::PendingImport.invalid(&key.arn));
        }
        self.drop_imported_material(&key, record)?;
        Ok(KeyMaterialResponse { key_material_id: id_of(record.version), key_arn: key.arn.clone() })
    }
}
