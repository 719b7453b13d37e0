//! RotateKeyOnDemand: new key material now, at most 25 times per key. Ciphertexts made
//! before keep decrypting: each names the material version it was made with.

use crate::authz::Ask;
use crate::caller::Caller;
use crate::err::KmsError;
use crate::{Kms, ops};

/// On-demand rotations a key may have.
pub const MAX_ON_DEMAND_ROTATIONS: u32 = 25;

impl Kms {
    /// RotateKeyOnDemand; returns the key ARN. Needs kms:RotateKeyOnDemand; the key must be
    /// Enabled and a symmetric encryption key. A key with imported material rotates onto the
    /// material imported as new (pending rotation). The automatic rotation schedule does not
    /// move.
    pub fn rotate_key_on_demand(&self, caller: &Caller, key_id: &str) -> Result<String, KmsError> {
        let (_, key) = self.resolve(caller, key_id)?;
        self.authorize(caller, Ask::on_key("kms:RotateKeyOnDemand", &key))?;
        ops::state_of(&key).check_usable(&key.arn)?;
        let imported = key.origin == "EXTERNAL" && key.key_spec == "SYMMETRIC_DEFAULT";
        if !imported {
            ops::check_rotatable(&key)?;
        }
        if key.on_demand_rotations >= MAX_ON_DEMAND_ROTATIONS {
            return Err(KmsError::LimitExceeded {
                message: format!(
                    "The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: {}",
                    key.arn
                ),
            });
        }
        if imported {
            return Ok(self.rotate_onto_imported(&key)?.arn);
        }
        let rotated = self.add_material(&key, "ON_DEMAND", None, true)?;
        Ok(rotated.arn)
    }
}
