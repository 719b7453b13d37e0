//! ListKeyPolicies: the names of a key's policies, which is always `default`.

use crate::authz::Ask;
use crate::caller::Caller;
use crate::err::KmsError;
use crate::ops::get_key_policy::DEFAULT_POLICY_NAME;
use crate::{Kms, ops};

/// ListKeyPolicies' response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyNameList {
    /// `["default"]`.
    pub policy_names: Vec<String>,
    /// Never set: there is one page.
    pub next_marker: Option<String>,
}

impl Kms {
    /// ListKeyPolicies: `limit` 1..=1000; a key in any state. Needs kms:ListKeyPolicies.
    /// The one page never hands out a marker, so any marker is InvalidMarkerException.
    pub fn list_key_policies(
        &self,
        caller: &Caller,
        key_id: &str,
        limit: Option<i64>,
        marker: Option<&str>,
    ) -> Result<PolicyNameList, KmsError> {
        ops::page_size(limit, 100, 1000)?;
        let (_, key) = self.resolve(caller, key_id)?;
        self.authorize(caller, Ask::on_key("kms:ListKeyPolicies", &key))?;
        if marker.is_some() {
            return Err(KmsError::InvalidMarker);
        }
        Ok(PolicyNameList { policy_names: vec![DEFAULT_POLICY_NAME.into()], next_marker: None })
    }
}
