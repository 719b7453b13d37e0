//! TagResource: adds tags to a key or gives existing tag keys new values.

use std::collections::BTreeSet;

use coffer_store::Tag;

use crate::authz::Ask;
use crate::caller::Caller;
use crate::err::KmsError;
use crate::ops::create_key::check_tags;
use crate::{Kms, ops};

/// Tags a key may carry.
pub const MAX_TAGS_PER_KEY: usize = 50;

impl Kms {
    /// TagResource. Needs kms:TagResource (condition keys `aws:RequestTag/<key>` and
    /// `aws:TagKeys`); a key pending deletion cannot be tagged, and a key carries at most
    /// 50 tags.
    pub fn tag_resource(
        &self,
        caller: &Caller,
        key_id: &str,
        tags: &[Tag],
    ) -> Result<(), KmsError> {
        check_tags(tags)?;
        let (_, key) = self.resolve(caller, key_id)?;
        let mut ask = Ask::on_key("kms:TagResource", &key);
        for t in tags {
            ask.context.set(&format!("aws:RequestTag/{}", t.key), t.value.clone());
        }
        ask = ask.with_multi("aws:TagKeys", tags.iter().map(|t| t.key.clone()).collect());
        self.authorize(caller, ask)?;
        ops::state_of(&key).check_manageable(&key.arn)?;
        let existing = self.store.tags(&key.account, &key.region, &key.key_id)?;
        let keys: BTreeSet<&str> = existing.iter().chain(tags).map(|t| t.key.as_str()).collect();
        if keys.len() > MAX_TAGS_PER_KEY {
            return Err(KmsError::Tag { message: "Too many tags".into() });
        }
        self.store.put_tags(&key.account, &key.region, &key.key_id, tags)?;
        Ok(())
    }
}
