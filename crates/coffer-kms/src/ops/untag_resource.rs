//! UntagResource: removes tags from a key; tag keys the key lacks are ignored.

use crate::authz::Ask;
use crate::caller::Caller;
use crate::err::KmsError;
use crate::{Kms, ops};

impl Kms {
    /// UntagResource. Needs kms:UntagResource (condition key `aws:TagKeys`); a key pending
    /// deletion cannot be untagged.
    pub fn untag_resource(
        &self,
        caller: &Caller,
        key_id: &str,
        tag_keys: &[String],
    ) -> Result<(), KmsError> {
        for (i, k) in tag_keys.iter().enumerate() {
            let field = format!("tagKeys.{}.member", i + 1);
            if k.is_empty() {
                return Err(ops::constraint(
                    k,
                    &field,
                    "Member must have length greater than or equal to 1",
                ));
            }
            if k.chars().count() > 128 {
                return Err(ops::constraint(
                    k,
                    &field,
                    "Member must have length less than or equal to 128",
                ));
            }
        }
        let (_, key) = self.resolve(caller, key_id)?;
        let ask =
            Ask::on_key("kms:UntagResource", &key).with_multi("aws:TagKeys", tag_keys.to_vec());
        self.authorize(caller, ask)?;
        ops::state_of(&key).check_manageable(&key.arn)?;
        self.store.remove_tags(&key.account, &key.region, &key.key_id, tag_keys)?;
        Ok(())
    }
}
