//! ListKeys: the keys of the caller's account in the request's region, a page at a time.

use crate::authz::Ask;
use crate::caller::Caller;
use crate::err::KmsError;
use crate::ops::marker::Listing;
use crate::{Kms, ops};

/// One entry of ListKeys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyListEntry {
    /// The key id.
    pub key_id: String,
    /// The key ARN.
    pub key_arn: String,
}

/// A page of ListKeys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyList {
    /// The keys.
    pub keys: Vec<KeyListEntry>,
    /// The marker of the next page, when truncated.
    pub next_marker: Option<String>,
}

impl Kms {
    /// ListKeys: `limit` 1..=1000 (default 100); `marker` must be one a ListKeys of the same
    /// account and region handed out. Needs kms:ListKeys (an IAM permission, on `*`).
    pub fn list_keys(
        &self,
        caller: &Caller,
        limit: Option<i64>,
        marker: Option<&str>,
    ) -> Result<KeyList, KmsError> {
        let limit = ops::page_limit(limit)?;
        self.authorize(caller, Ask::on("kms:ListKeys", "*"))?;
        let listing = Listing::new("ListKeys", &[&caller.account, &caller.region]);
        let after = self.open_marker(&listing, marker)?;
        let page =
            self.store.list_keys(&caller.account, &caller.region, after.as_deref(), limit)?;
        Ok(KeyList {
            keys: page
                .items
                .into_iter()
                .map(|k| KeyListEntry { key_id: k.key_id, key_arn: k.arn })
                .collect(),
            next_marker: self.issue_marker(&listing, page.next)?,
        })
    }
}
