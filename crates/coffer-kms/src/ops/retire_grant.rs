//! RetireGrant: deletes a grant by the grant's own authority. The grant is named by a grant
//! token, or by its key and grant id; its retiring principal, its grantee when it allows
//! RetireGrant, and principals of its issuing account whose IAM policies allow
//! kms:RetireGrant may retire it. The key policy's allows do not count; denies do.

use coffer_store::{GrantRecord, StoreError};

use crate::Kms;
use crate::authz::Ask;
use crate::caller::Caller;
use crate::err::KmsError;
use crate::ops::grant::{invalid_grant_id, invalid_grant_token, is_grant_id, policy_grant};

/// RetireGrant's request: a token, or a key and a grant id.
#[derive(Clone, Debug, Default)]
pub struct RetireGrantRequest {
    /// The grant's token.
    pub grant_token: Option<String>,
    /// The key (key id or key ARN), with `grant_id`.
    pub key_id: Option<String>,
    /// The grant's id, with `key_id`.
    pub grant_id: Option<String>,
    /// Check only.
    pub dry_run: bool,
}

impl Kms {
    /// RetireGrant; works in every key state.
    pub fn retire_grant(&self, caller: &Caller, req: RetireGrantRequest) -> Result<(), KmsError> {
        let named_key =
            req.key_id.as_deref().map(|k| self.resolve_for_grant(caller, k)).transpose()?;
        let grant: GrantRecord = match (&req.grant_token, &named_key, &req.grant_id) {
            (Some(token), _, _) => {
                let g = self.grant_of_token(token)?;
                if g.region != caller.region {
                    return Err(invalid_grant_token());
                }
                if req.grant_id.as_ref().is_some_and(|id| *id != g.grant_id) {
                    return Err(invalid_grant_id());
                }
                g
            }
            (None, Some(_), Some(id)) => is_grant_id(id)
                .then(|| self.store.get_grant(id))
                .transpose()?
                .flatten()
                .ok_or_else(invalid_grant_id)?,
            _ => {
                return Err(KmsError::validation(
                    "Grant token OR (grant ID, key ID) must be specified",
                ));
            }
        };
        if let Some(k) = &named_key {
            let on_key =
                grant.account == k.account && grant.region == k.region && grant.key_id == k.key_id;
            if !on_key {
                return Err(invalid_grant_id());
            }
        }
        let key = match named_key {
            Some(k) => k,
            None => self
                .store
                .get_key(&grant.account, &grant.region, &grant.key_id)?
                .ok_or_else(invalid_grant_token)?,
        };
        let mut ask = Ask::on_key("kms:RetireGrant", &key);
        ask.retire_grant = Some(policy_grant(&grant));
        self.authorize(caller, ask)?;
        if req.dry_run {
            return Err(KmsError::DryRunSucceeded);
        }
        match self.store.delete_grant(&grant.grant_id) {
            Err(StoreError::NotFound { .. }) => Err(invalid_grant_id()),
            other => {
                other?;
                // CloudTrail names the retired grant, which a token alone does not show.
                caller.note("grantId", grant.grant_id);
                Ok(())
            }
        }
    }
}
