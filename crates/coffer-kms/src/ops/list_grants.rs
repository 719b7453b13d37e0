//! ListGrants: the grants of one key, a page at a time, optionally only one grant or only
//! those of one grantee.

use crate::authz::Ask;
use crate::caller::Caller;
use crate::err::KmsError;
use crate::ops::grant::{GrantEntry, GrantList, invalid_grant_id, is_grant_id};
use crate::ops::marker::Listing;
use crate::{Kms, ops};

/// ListGrants' request.
#[derive(Clone, Debug, Default)]
pub struct ListGrantsRequest {
    /// The key: key id or key ARN.
    pub key_id: String,
    /// Only this grant.
    pub grant_id: Option<String>,
    /// Only the grants of this grantee.
    pub grantee_principal: Option<String>,
    /// Page size, 1..=100 (default 50).
    pub limit: Option<i64>,
    /// Where the page starts.
    pub marker: Option<String>,
}

impl Kms {
    /// ListGrants. Needs kms:ListGrants on the key; works in every key state. A grant id
    /// that names no grant of the key is InvalidGrantIdException; a marker must be one the
    /// same listing (key and grantee) handed out.
    pub fn list_grants(
        &self,
        caller: &Caller,
        req: ListGrantsRequest,
    ) -> Result<GrantList, KmsError> {
        let limit = ops::page_size(req.limit, 50, 100)?;
        let key = self.resolve_for_grant(caller, &req.key_id)?;
        let ask = Ask::on_key("kms:ListGrants", &key).with("kms:GrantIsForAWSResource", "false");
        self.authorize(caller, ask)?;
        let grantee = req.grantee_principal.as_deref().unwrap_or("");
        let listing =
            Listing::new("ListGrants", &[&key.account, &key.region, &key.key_id, grantee]);
        let after = self.open_marker(&listing, req.marker.as_deref())?;
        if let Some(id) = &req.grant_id {
            let on_key = |g: &coffer_store::GrantRecord| {
                g.account == key.account && g.region == key.region && g.key_id == key.key_id
            };
            let grant = is_grant_id(id)
                .then(|| self.store.get_grant(id))
                .transpose()?
                .flatten()
                .filter(on_key)
                .ok_or_else(invalid_grant_id)?;
            let wanted =
                req.grantee_principal.as_ref().is_none_or(|p| *p == grant.grantee_principal);
            let grants = if wanted { vec![GrantEntry::of(grant)] } else { Vec::new() };
            return Ok(GrantList { grants, next_marker: None });
        }
        let page = self.store.list_grants(
            &key.account,
            &key.region,
            &key.key_id,
            req.grantee_principal.as_deref(),
            after.as_deref(),
            limit,
        )?;
        Ok(GrantList {
            grants: page.items.into_iter().map(GrantEntry::of).collect(),
            next_marker: self.issue_marker(&listing, page.next)?,
        })
    }
}
