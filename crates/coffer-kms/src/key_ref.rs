//! Naming a key: key id, key ARN, alias name or alias ARN, as AWS accepts them.

use crate::err::KmsError;

/// A key reference from a request, parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyRef {
    /// A key id or key ARN: (account, region, key id).
    Key {
        /// The account (the caller's for a bare id).
        account: String,
        /// The region.
        region: String,
        /// The key id.
        key_id: String,
    },
    /// An alias name or alias ARN: (account, region, `alias/name`).
    Alias {
        /// The account.
        account: String,
        /// The region.
        region: String,
        /// The alias name, `alias/...`.
        name: String,
    },
}

/// True for a key id: a UUID, or `mrk-` and 32 hex digits.
pub fn is_key_id(s: &str) -> bool {
    let uuid_like = |t: &str| {
        t.len() == 36
            && t.char_indices().all(|(i, c)| {
                if matches!(i, 8 | 13 | 18 | 23) { c == '-' } else { c.is_ascii_hexdigit() }
            })
    };
    uuid_like(s)
        || s.strip_prefix("mrk-")
            .is_some_and(|h| h.len() == 32 && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

impl KeyRef {
    /// Parses `input` in the caller's account and region.
    pub fn parse(input: &str, account: &str, region: &str) -> Result<KeyRef, KmsError> {
        let invalid = || KmsError::NotFound { message: format!("Invalid keyId '{input}'") };
        if let Some(name) = input.strip_prefix("alias/") {
            if name.is_empty() {
                return Err(invalid());
            }
            return Ok(KeyRef::Alias {
                account: account.into(),
                region: region.into(),
                name: input.into(),
            });
        }
        if let Some(rest) = input.strip_prefix("arn:") {
            let mut parts = rest.splitn(5, ':');
            let (
                Some(_partition),
                Some(service),
                Some(arn_region),
                Some(arn_account),
                Some(resource),
            ) = (parts.next(), parts.next(), parts.next(), parts.next(), parts.next())
            else {
                return Err(invalid());
            };
            if service != "kms"
                || arn_account.len() != 12
                || !arn_account.bytes().all(|b| b.is_ascii_digit())
            {
                return Err(invalid());
            }
            if arn_region != region {
                return Err(KmsError::NotFound { message: format!("Invalid arn {arn_region}") });
            }
            if let Some(id) = resource.strip_prefix("key/") {
                if !is_key_id(id) {
                    return Err(invalid());
                }
                return Ok(KeyRef::Key {
                    account: arn_account.into(),
                    region: arn_region.into(),
                    key_id: id.into(),
                });
            }
            if resource.starts_with("alias/") && resource.len() > "alias/".len() {
                return Ok(KeyRef::Alias {
                    account: arn_account.into(),
                    region: arn_region.into(),
                    name: resource.into(),
                });
            }
            return Err(invalid());
        }
        if is_key_id(input) {
            return Ok(KeyRef::Key {
                account: account.into(),
                region: region.into(),
                key_id: input.into(),
            });
        }
        Err(invalid())
    }

    /// The alias name, for `kms:RequestAlias`.
    pub fn alias_name(&self) -> Option<&str> {
        match self {
            KeyRef::Alias { name, .. } => Some(name),
            KeyRef::Key { .. } => None,
        }
    }
}

/// The ARN of a key.
pub fn key_arn(region: &str, account: &str, key_id: &str) -> String {
    format!("arn:aws:kms:{region}:{account}:key/{key_id}")
}

/// The ARN of an alias.
pub fn alias_arn(region: &str, account: &str, name: &str) -> String {
    format!("arn:aws:kms:{region}:{account}:{name}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "1234abcd-12ab-34cd-56ef-1234567890ab";

    #[test]
    fn every_form() {
        let a = "111122223333";
        let r = "us-east-1";
        assert_eq!(
            KeyRef::parse(ID, a, r).unwrap(),
            KeyRef::Key { account: a.into(), region: r.into(), key_id: ID.into() }
        );
        let arn = format!("arn:aws:kms:us-east-1:444455556666:key/{ID}");
        assert!(
            matches!(KeyRef::parse(&arn, a, r).unwrap(), KeyRef::Key { account, .. } if account == "444455556666")
        );
        assert!(
            matches!(KeyRef::parse("alias/my", a, r).unwrap(), KeyRef::Alias { name, .. } if name == "alias/my")
        );
        assert!(matches!(
            KeyRef::parse("arn:aws:kms:us-east-1:111122223333:alias/my", a, r).unwrap(),
            KeyRef::Alias { .. }
        ));
        assert_eq!(
            KeyRef::parse("fake-key-id", a, r).unwrap_err().to_string(),
            "Invalid keyId 'fake-key-id'"
        );
        assert_eq!(
            KeyRef::parse(&format!("arn:aws:kms:eu-west-1:111122223333:key/{ID}"), a, r)
                .unwrap_err()
                .to_string(),
            "Invalid arn eu-west-1"
        );
        assert!(KeyRef::parse("alias/", a, r).is_err());
        assert!(is_key_id("mrk-1234abcd12ab34cd56ef1234567890ab"));
    }
}
