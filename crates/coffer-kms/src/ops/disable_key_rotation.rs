//! DisableKeyRotation: no more automatic rotation; existing material stays.

use crate::authz::Ask;
use crate::caller::Caller;
use crate::err::KmsError;
use crate::{Kms, ops};

impl Kms {
    /// DisableKeyRotation. Needs kms:DisableKeyRotation; the key must be Enabled. Keys of
    /// a spec that never rotates are accepted (there is nothing to disable).
    pub fn disable_key_rotation(&self, caller: &Caller, key_id: &str) -> Result<(), KmsError> {
        let (_, key) = self.resolve_owned(caller, key_id)?;
        self.authorize(caller, Ask::on_key("kms:DisableKeyRotation", &key))?;
        ops::state_of(&key).check_usable(&key.arn)?;
        if key.origin != "AWS_KMS" {
            return Err(KmsError::Unsupported {
                message: format!(
                    "{} origin is {} which is not valid for this operation.",
                    key.arn, key.origin
                ),
            });
        }
        if !key.rotation_enabled && key.next_rotation_date.is_none() {
            return Ok(());
        }
        let mut updated = key;
        updated.rotation_enabled = false;
        updated.rotation_period_days = None;
        updated.next_rotation_date = None;
        self.store.update_key(&updated)?;
        Ok(())
    }
}
