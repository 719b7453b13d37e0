//! ListResourceTags: the tags of a key, in any state, ordered by tag key, a page at a time.

use coffer_store::Tag;

use crate::authz::Ask;
use crate::caller::Caller;
use crate::err::KmsError;
use crate::ops::marker::Listing;
use crate::{Kms, ops};

/// A page of ListResourceTags.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TagList {
    /// The tags, ordered by tag key.
    pub tags: Vec<Tag>,
    /// The marker of the next page, when truncated.
    pub next_marker: Option<String>,
}

impl Kms {
    /// ListResourceTags: `limit` 1..=50 (default 50); `marker` must be one a listing of the
    /// same key handed out. Needs kms:ListResourceTags.
    pub fn list_resource_tags(
        &self,
        caller: &Caller,
        key_id: &str,
        limit: Option<i64>,
        marker: Option<&str>,
    ) -> Result<TagList, KmsError> {
        let limit = ops::page_size(limit, 50, 50)?;
        let (_, key) = self.resolve(caller, key_id)?;
        self.authorize(caller, Ask::on_key("kms:ListResourceTags", &key))?;
        let listing = Listing::new("ListResourceTags", &[&key.account, &key.region, &key.key_id]);
        let after = self.open_marker(&listing, marker)?;
        let all = self.store.tags(&key.account, &key.region, &key.key_id)?;
        let mut rest: Vec<Tag> = all
            .into_iter()
            .filter(|t| after.as_deref().is_none_or(|a| t.key.as_str() > a))
            .collect();
        let next = (rest.len() > limit).then(|| rest[limit - 1].key.clone());
        rest.truncate(limit);
        Ok(TagList { tags: rest, next_marker: self.issue_marker(&listing, next)? })
    }
}
