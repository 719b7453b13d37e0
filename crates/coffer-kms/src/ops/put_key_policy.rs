//! PutKeyPolicy: replaces the key policy of a key, in any state.

use crate::Kms;
use crate::authz::Ask;
use crate::caller::Caller;
use crate::err::KmsError;
use crate::ops::create_key::check_policy_text;
use crate::ops::get_key_policy::check_policy_name;

impl Kms {
    /// PutKeyPolicy. Needs kms:PutKeyPolicy (condition key
    /// `kms:BypassPolicyLockoutSafetyCheck`). Unless the check is bypassed, the new policy
    /// must itself allow the caller kms:PutKeyPolicy, as CreateKey requires.
    pub fn put_key_policy(
        &self,
        caller: &Caller,
        key_id: &str,
        policy: &str,
        policy_name: Option<&str>,
        bypass_policy_lockout_safety_check: bool,
    ) -> Result<(), KmsError> {
        check_policy_name(policy_name)?;
        let candidate = check_policy_text(policy)?;
        let (_, key) = self.resolve_owned(caller, key_id)?;
        // Present with its default, `false`; the lockout check below asks about a future
        // request, which has no such key.
        let ask = Ask::on_key("kms:PutKeyPolicy", &key).with(
            "kms:BypassPolicyLockoutSafetyCheck",
            if bypass_policy_lockout_safety_check { "true" } else { "false" },
        );
        self.authorize(caller, ask)?;
        if !bypass_policy_lockout_safety_check {
            self.check_lockout(caller, &key, &candidate)?;
        }
        let mut updated = key;
        updated.policy = policy.to_owned();
        self.store.update_key(&updated)?;
        Ok(())
    }
}
