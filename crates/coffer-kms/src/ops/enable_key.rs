//! EnableKey: a Disabled key becomes Enabled.

use crate::Kms;
use crate::authz::Ask;
use crate::caller::Caller;
use crate::err::KmsError;
use crate::key::KeyState;

impl Kms {
    /// EnableKey.
    pub fn enable_key(&self, caller: &Caller, key_id: &str) -> Result<(), KmsError> {
        self.set_enabled(caller, key_id, "kms:EnableKey", KeyState::Enabled)
    }

    /// The shared body of EnableKey and DisableKey.
    pub(crate) fn set_enabled(
        &self,
        caller: &Caller,
        key_id: &str,
        action: &str,
        to: KeyState,
    ) -> Result<(), KmsError> {
        let (_, key) = self.resolve_owned(caller, key_id)?;
        self.authorize(caller, Ask::on_key(action, &key))?;
        let state = KeyState::parse(&key.key_state).unwrap_or(KeyState::Unavailable);
        match state {
            KeyState::Enabled | KeyState::Disabled => {}
            other => return Err(other.invalid(&key.arn)),
        }
        if state != to {
            let mut updated = key;
            updated.key_state = to.as_str().into();
            self.store.update_key(&updated)?;
        }
        Ok(())
    }
}
