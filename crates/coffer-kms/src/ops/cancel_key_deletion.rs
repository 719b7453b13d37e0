//! CancelKeyDeletion: a key pending deletion becomes Disabled again.

use crate::Kms;
use crate::authz::Ask;
use crate::caller::Caller;
use crate::err::KmsError;
use crate::key::KeyState;

impl Kms {
    /// CancelKeyDeletion; returns the key ARN.
    pub fn cancel_key_deletion(&self, caller: &Caller, key_id: &str) -> Result<String, KmsError> {
        let (_, key) = self.resolve_owned(caller, key_id)?;
        self.authorize(caller, Ask::on_key("kms:CancelKeyDeletion", &key))?;
        if key.key_state != KeyState::PendingDeletion.as_str() {
            return Err(KmsError::InvalidState {
                message: format!("{} is not pending deletion.", key.arn),
            });
        }
        // A key whose imported material is gone waits for it again rather than being
        // Disabled.
        let waits = key.origin == "EXTERNAL" && !self.has_imported_material(&key)?;
        let mut updated = key;
        updated.key_state =
            if waits { KeyState::PendingImport } else { KeyState::Disabled }.as_str().into();
        updated.deletion_date = None;
        updated.pending_window_days = None;
        let stored = self.store.update_key(&updated)?;
        Ok(stored.arn)
    }
}
