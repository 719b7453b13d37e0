//! ListRetirableGrants: the grants, on keys of any account in the caller's region, that name
//! a principal of the caller's account as their retiring principal.
//!
//! The permission is kms:ListRetirableGrants in the caller's identity policies, and the
//! resource it is authorized on is the retiring principal, as the API reference says. A
//! principal of another account is refused as a resource of another account would be.

use coffer_policy::decision::{Decision, Outcome, Reason};

use crate::authz::Ask;
use crate::caller::Caller;
use crate::err::KmsError;
use crate::ops::create_grant::principal_account;
use crate::ops::grant::{GrantEntry, GrantList};
use crate::ops::marker::Listing;
use crate::{Kms, ops};

impl Kms {
    /// ListRetirableGrants: `limit` 1..=100 (default 50); `marker` must be one the same
    /// listing (region and retiring principal) handed out.
    pub fn list_retirable_grants(
        &self,
        caller: &Caller,
        retiring_principal: &str,
        limit: Option<i64>,
        marker: Option<&str>,
    ) -> Result<GrantList, KmsError> {
        let limit = ops::page_size(limit, 50, 100)?;
        let action = "kms:ListRetirableGrants";
        self.authorize(caller, Ask::on(action, retiring_principal))?;
        let own = principal_account(retiring_principal).unwrap_or(caller.account.as_str());
        if own != caller.account {
            let phrase = format!(
                "because the {action} action cannot be performed on a resource in another account"
            );
            let decision = Decision {
                decision: Outcome::ImplicitDeny,
                reasons: vec![Reason::CrossAccountNotSupported],
                phrase: Some(phrase),
            };
            let message =
                decision.message(&caller.arn, action, retiring_principal).unwrap_or_default();
            return Err(KmsError::AccessDenied { message, decision: Box::new(decision) });
        }
        let listing = Listing::new("ListRetirableGrants", &[&caller.region, retiring_principal]);
        let after = self.open_marker(&listing, marker)?;
        let page = self.store.list_retirable_grants(
            &caller.region,
            retiring_principal,
            after.as_deref(),
            limit,
        )?;
        Ok(GrantList {
            grants: page.items.into_iter().map(GrantEntry::of).collect(),
            next_marker: self.issue_marker(&listing, page.next)?,
        })
    }
}
