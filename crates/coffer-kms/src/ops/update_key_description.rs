//! UpdateKeyDescription.

use crate::authz::Ask;
use crate::caller::Caller;
use crate::err::KmsError;
use crate::key::KeyState;
use crate::{Kms, ops};

impl Kms {
    /// UpdateKeyDescription.
    pub fn update_key_description(
        &self,
        caller: &Caller,
        key_id: &str,
        description: &str,
    ) -> Result<(), KmsError> {
        if description.chars().count() > 8192 {
            return Err(ops::constraint(
                "...",
                "description",
                "Member must have length less than or equal to 8192",
            ));
        }
        let (_, key) = self.resolve_owned(caller, key_id)?;
        self.authorize(caller, Ask::on_key("kms:UpdateKeyDescription", &key))?;
        KeyState::parse(&key.key_state)
            .unwrap_or(KeyState::Unavailable)
            .check_manageable(&key.arn)?;
        let mut updated = key;
        updated.description = description.to_owned();
        self.store.update_key(&updated)?;
        Ok(())
    }
}
