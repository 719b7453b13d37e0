//! GetKeyPolicy: the key policy of a key, in any state.

use crate::authz::Ask;
use crate::caller::Caller;
use crate::err::KmsError;
use crate::{Kms, ops};

/// The only key policy name.
pub const DEFAULT_POLICY_NAME: &str = "default";

/// GetKeyPolicy's response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyPolicy {
    /// The policy document, exactly as it was given.
    pub policy: String,
    /// Always `default`.
    pub policy_name: String,
}

/// Checks `PolicyName` (the model's length and pattern; `default` when absent) and
/// refuses any name but `default`.
pub(crate) fn check_policy_name(name: Option<&str>) -> Result<(), KmsError> {
    let Some(name) = name else { return Ok(()) };
    if name.is_empty() {
        return Err(ops::constraint(
            name,
            "policyName",
            "Member must have length greater than or equal to 1",
        ));
    }
    if name.chars().count() > 128 {
        return Err(ops::constraint(
            name,
            "policyName",
            "Member must have length less than or equal to 128",
        ));
    }
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(ops::constraint(
            name,
            "policyName",
            "Member must satisfy regular expression pattern: [\\w]+",
        ));
    }
    if name != DEFAULT_POLICY_NAME {
        return Err(KmsError::NotFound { message: "No such policy exists".into() });
    }
    Ok(())
}

impl Kms {
    /// GetKeyPolicy. Needs kms:GetKeyPolicy.
    pub fn get_key_policy(
        &self,
        caller: &Caller,
        key_id: &str,
        policy_name: Option<&str>,
    ) -> Result<KeyPolicy, KmsError> {
        check_policy_name(policy_name)?;
        let (_, key) = self.resolve(caller, key_id)?;
        self.authorize(caller, Ask::on_key("kms:GetKeyPolicy", &key))?;
        Ok(KeyPolicy { policy: key.policy.clone(), policy_name: DEFAULT_POLICY_NAME.into() })
    }
}
