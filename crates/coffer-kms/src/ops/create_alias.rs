//! CreateAlias: a friendly name for a key in the caller's account and region.

use coffer_store::{AliasRecord, StoreError};

use crate::authz::Ask;
use crate::caller::Caller;
use crate::err::KmsError;
use crate::key_ref::alias_arn;
use crate::{Kms, ops};

impl Kms {
    /// CreateAlias: `alias_name` (`alias/...`) names the key `target_key_id` (a key id or
    /// key ARN). Needs kms:CreateAlias on the alias and on the key.
    pub fn create_alias(
        &self,
        caller: &Caller,
        alias_name: &str,
        target_key_id: &str,
    ) -> Result<(), KmsError> {
        ops::check_alias_name(alias_name)?;
        ops::check_alias_target(target_key_id)?;
        let (_, key) = self.resolve(caller, target_key_id)?;
        let arn = alias_arn(&caller.region, &caller.account, alias_name);
        self.authorize(caller, Ask::on("kms:CreateAlias", &arn))?;
        self.authorize(caller, Ask::on_key("kms:CreateAlias", &key))?;
        ops::state_of(&key).check_manageable(&key.arn)?;
        let exists = || KmsError::AlreadyExists {
            message: format!("An alias with the name {arn} already exists"),
        };
        if self.store.get_alias(&caller.account, &caller.region, alias_name)?.is_some() {
            return Err(exists());
        }
        let now = self.now_millis();
        let alias = AliasRecord {
            account: caller.account.clone(),
            region: caller.region.clone(),
            name: alias_name.to_owned(),
            target_key_id: key.key_id.clone(),
            creation_date: now,
            last_updated_date: now,
        };
        match self.store.create_alias(&alias) {
            Err(StoreError::AlreadyExists { .. }) => Err(exists()),
            other => Ok(other?),
        }
    }
}
