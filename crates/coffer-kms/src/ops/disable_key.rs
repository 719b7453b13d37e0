//! DisableKey: an Enabled key stops serving cryptographic operations.

use crate::Kms;
use crate::caller::Caller;
use crate::err::KmsError;
use crate::key::KeyState;

impl Kms {
    /// DisableKey.
    pub fn disable_key(&self, caller: &Caller, key_id: &str) -> Result<(), KmsError> {
        self.set_enabled(caller, key_id, "kms:DisableKey", KeyState::Disabled)
    }
}
