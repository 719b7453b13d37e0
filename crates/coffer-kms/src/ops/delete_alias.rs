//! DeleteAlias: the alias goes; the key it named is untouched.

use crate::authz::Ask;
use crate::caller::Caller;
use crate::err::KmsError;
use crate::key_ref::alias_arn;
use crate::{Kms, ops};

impl Kms {
    /// DeleteAlias. Needs kms:DeleteAlias on the alias and on the key it names, in any
    /// state.
    pub fn delete_alias(&self, caller: &Caller, alias_name: &str) -> Result<(), KmsError> {
        ops::check_alias_name(alias_name)?;
        let (account, region) = (&caller.account, &caller.region);
        let alias = self
            .store
            .get_alias(account, region, alias_name)?
            .ok_or_else(|| ops::alias_not_found(region, account, alias_name))?;
        let key = self
            .store
            .get_key(account, region, &alias.target_key_id)?
            .ok_or_else(|| ops::alias_not_found(region, account, alias_name))?;
        let arn = alias_arn(region, account, alias_name);
        self.authorize(caller, Ask::on("kms:DeleteAlias", &arn))?;
        self.authorize(caller, Ask::on_key("kms:DeleteAlias", &key))?;
        self.store.delete_alias(account, region, alias_name)?;
        Ok(())
    }
}
