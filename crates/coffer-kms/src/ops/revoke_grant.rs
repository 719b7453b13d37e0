//! RevokeGrant: deletes a grant of a key, by the key's authority (kms:RevokeGrant on the key).

use coffer_store::StoreError;

use crate::Kms;
use crate::authz::Ask;
use crate::caller::Caller;
use crate::err::KmsError;
use crate::ops::grant::{invalid_grant_id, is_grant_id};

impl Kms {
    /// RevokeGrant: `key_id` is a key id or key ARN; works in every key state. A grant id
    /// that names no grant of the key is InvalidGrantIdException.
    pub fn revoke_grant(
        &self,
        caller: &Caller,
        key_id: &str,
        grant_id: &str,
        dry_run: bool,
    ) -> Result<(), KmsError> {
        let key = self.resolve_for_grant(caller, key_id)?;
        let ask = Ask::on_key("kms:RevokeGrant", &key).with("kms:GrantIsForAWSResource", "false");
        self.authorize(caller, ask)?;
        let grant = is_grant_id(grant_id)
            .then(|| self.store.get_grant(grant_id))
            .transpose()?
            .flatten()
            .filter(|g| {
                g.account == key.account && g.region == key.region && g.key_id == key.key_id
            })
            .ok_or_else(invalid_grant_id)?;
        if dry_run {
            return Err(KmsError::DryRunSucceeded);
        }
        match self.store.delete_grant(&grant.grant_id) {
            Err(StoreError::NotFound { .. }) => Err(invalid_grant_id()),
            other => Ok(other?),
        }
    }
}
