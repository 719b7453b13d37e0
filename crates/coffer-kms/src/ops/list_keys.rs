//! ListKeys: the keys of the caller's account in the request's region, a page at a time.

use crate::authz::Ask;
use crate::caller::Caller;
use crate::err::KmsError;
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
    /// ListKeys.
    pub fn list_keys(
        &self,
        caller: &Caller,
        limit: Option<i64>,
        marker: Option<&str>,
    ) -> Result<KeyList, KmsError> {
        let limit = ops::page_limit(limit)?;
        self.authorize(caller, Ask::on("kms:ListKeys", "*"))?;
        let page = self.store.list_keys(&caller.account, &caller.region, marker, limit)?;
        Ok(KeyList {
            keys: page
                .items
                .into_iter()
                .map(|k| KeyListEntry { key_id: k.key_id, key_arn: k.arn })
                .collect(),
            next_marker: page.next,
        })
    }
}
