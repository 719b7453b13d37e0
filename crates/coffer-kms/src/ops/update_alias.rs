//! UpdateAlias: an existing alias names another key of the same account and region.

use crate::authz::Ask;
use crate::caller::Caller;
use crate::err::KmsError;
use crate::key_ref::alias_arn;
use crate::{Kms, ops};

impl Kms {
    /// UpdateAlias: `alias_name` now names `target_key_id` (a key id or key ARN). Needs
    /// kms:UpdateAlias on the alias, on the key it named and on the new key. The key it
    /// named may be in any state; the new key may not be pending deletion.
    pub fn update_alias(
        &self,
        caller: &Caller,
        alias_name: &str,
        target_key_id: &str,
    ) -> Result<(), KmsError> {
        ops::check_alias_name(alias_name)?;
        ops::check_alias_target(target_key_id)?;
        let (account, region) = (&caller.account, &caller.region);
        let alias = self
            .store
            .get_alias(account, region, alias_name)?
            .ok_or_else(|| ops::alias_not_found(region, account, alias_name))?;
        let old = self
            .store
            .get_key(account, region, &alias.target_key_id)?
            .ok_or_else(|| ops::alias_not_found(region, account, alias_name))?;
        let (_, new) = self.resolve(caller, target_key_id)?;
        let arn = alias_arn(region, account, alias_name);
        self.authorize(caller, Ask::on("kms:UpdateAlias", &arn))?;
        self.authorize(caller, Ask::on_key("kms:UpdateAlias", &old))?;
        self.authorize(caller, Ask::on_key("kms:UpdateAlias", &new))?;
        ops::state_of(&new).check_manageable(&new.arn)?;
        let mut updated = alias;
        updated.target_key_id = new.key_id.clone();
        updated.last_updated_date = self.now_millis();
        self.store.update_alias(&updated)?;
        Ok(())
    }
}
