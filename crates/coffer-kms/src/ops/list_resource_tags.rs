//! ListResourceTags: the tags of a key, in any state, ordered by tag key, a page at a time.

use coffer_store::Tag;

use crate::authz::Ask;
use crate::caller::Caller;
use crate::err::KmsError;
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
    /// ListResourceTags: `limit` 1..=50 (default 50). Needs kms:ListResourceTags.
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
        let all = self.store.tags(&key.account, &key.region, &key.key_id)?;
        let mut rest: Vec<Tag> =
            all.into_iter().filter(|t| marker.is_none_or(|m| t.key.as_str() > m)).collect();
        let next_marker = (rest.len() > limit).then(|| rest[limit - 1].key.clone());
        rest.truncate(limit);
        Ok(TagList { tags: rest, next_marker })
    }
}
