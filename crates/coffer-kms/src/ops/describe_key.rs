//! DescribeKey: a key's metadata, in any state.

use crate::Kms;
use crate::authz::Ask;
use crate::caller::Caller;
use crate::err::KmsError;
use crate::key::KeyMetadata;

impl Kms {
    /// DescribeKey.
    pub fn describe_key(&self, caller: &Caller, key_id: &str) -> Result<KeyMetadata, KmsError> {
        self.describe_key_with_grant_tokens(caller, key_id, &[])
    }

    /// DescribeKey with the request's grant tokens.
    pub fn describe_key_with_grant_tokens(
        &self,
        caller: &Caller,
        key_id: &str,
        grant_tokens: &[String],
    ) -> Result<KeyMetadata, KmsError> {
        let (r, key) = self.resolve(caller, key_id)?;
        let mut ask = Ask::on_key("kms:DescribeKey", &key).with_grant_tokens(grant_tokens);
        if let Some(alias) = r.alias_name() {
            ask = ask.with("kms:RequestAlias", alias);
        }
        self.authorize(caller, ask)?;
        self.with_imported_material(KeyMetadata::of(&key), &key)
    }
}
