//! ListAliases: the aliases of the caller's account in the request's region, or only those
//! of one key, a page at a time.

use crate::authz::Ask;
use crate::caller::Caller;
use crate::err::KmsError;
use crate::key_ref::alias_arn;
use crate::ops::marker::Listing;
use crate::{Kms, ops};

/// One entry of ListAliases.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AliasListEntry {
    /// `alias/...`.
    pub alias_name: String,
    /// The alias ARN.
    pub alias_arn: String,
    /// The id of the key it names.
    pub target_key_id: String,
    /// When it was created, epoch milliseconds.
    pub creation_date: i64,
    /// When it was last pointed at a key, epoch milliseconds.
    pub last_updated_date: i64,
}

/// A page of ListAliases.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AliasList {
    /// The aliases, ordered by name.
    pub aliases: Vec<AliasListEntry>,
    /// The marker of the next page, when truncated.
    pub next_marker: Option<String>,
}

impl Kms {
    /// ListAliases: `limit` 1..=100 (default 50); with `key_id`, only the aliases of that
    /// key, which must exist; `marker` must be one the same listing handed out. Needs
    /// kms:ListAliases (an IAM permission, on `*`).
    pub fn list_aliases(
        &self,
        caller: &Caller,
        key_id: Option<&str>,
        limit: Option<i64>,
        marker: Option<&str>,
    ) -> Result<AliasList, KmsError> {
        let limit = ops::page_size(limit, 50, 100)?;
        let key = key_id.map(|k| self.resolve(caller, k)).transpose()?.map(|(_, key)| key);
        self.authorize(caller, Ask::on("kms:ListAliases", "*"))?;
        let of_key = key.as_ref().map(|k| k.key_id.as_str());
        let listing =
            Listing::new("ListAliases", &[&caller.account, &caller.region, of_key.unwrap_or("")]);
        let after = self.open_marker(&listing, marker)?;
        let page = self.store.list_aliases(
            &caller.account,
            &caller.region,
            of_key,
            after.as_deref(),
            limit,
        )?;
        Ok(AliasList {
            aliases: page
                .items
                .into_iter()
                .map(|a| AliasListEntry {
                    alias_arn: alias_arn(&a.region, &a.account, &a.name),
                    alias_name: a.name,
                    target_key_id: a.target_key_id,
                    creation_date: a.creation_date,
                    last_updated_date: a.last_updated_date,
                })
                .collect(),
            next_marker: self.issue_marker(&listing, page.next)?,
        })
    }
}
