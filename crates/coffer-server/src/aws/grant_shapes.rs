//! The wire shapes of the grant operations: CreateGrant, ListGrants, ListRetirableGrants,
//! RetireGrant and RevokeGrant. Read and written as [`shapes`](crate::aws::shapes) says:
//! every member optional on the way in, exactly AWS's members on the way out, timestamps
//! as epoch seconds, every `KeyId` the key ARN.

use std::collections::BTreeMap;

use coffer_kms::ops::grant::{GrantConstraints, GrantEntry};
use serde::{Deserialize, Serialize};

use crate::aws::shapes::epoch_seconds;

macro_rules! request {
    ($(#[$doc:meta])* $name:ident { $($(#[$fdoc:meta])* $field:ident : $ty:ty),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Default, Deserialize)]
        #[serde(rename_all = "PascalCase")]
        pub struct $name {
            $($(#[$fdoc])* #[serde(default)] pub $field: Option<$ty>,)*
        }
    };
}

/// `Constraints`, on the way in and out.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct Constraints {
    /// Pairs the request's encryption context must include.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption_context_subset: Option<BTreeMap<String, String>>,
    /// The encryption context the request's must equal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption_context_equals: Option<BTreeMap<String, String>>,
}

impl From<Constraints> for GrantConstraints {
    fn from(c: Constraints) -> GrantConstraints {
        GrantConstraints {
            equals: c.encryption_context_equals,
            subset: c.encryption_context_subset,
        }
    }
}

impl From<GrantConstraints> for Constraints {
    fn from(c: GrantConstraints) -> Constraints {
        Constraints { encryption_context_subset: c.subset, encryption_context_equals: c.equals }
    }
}

request!(
    /// CreateGrant.
    CreateGrantInput {
        /// The key.
        key_id: String,
        /// Who the grant is for.
        grantee_principal: String,
        /// Who may retire it.
        retiring_principal: String,
        /// The operations it allows.
        operations: Vec<String>,
        /// Encryption-context constraints.
        constraints: Constraints,
        /// Grant tokens.
        grant_tokens: Vec<String>,
        /// A name that makes retries idempotent.
        name: String,
        /// Check only.
        dry_run: bool,
    }
);

request!(
    /// ListGrants.
    ListGrantsInput {
        /// Page size.
        limit: i64,
        /// Where the page starts.
        marker: String,
        /// The key.
        key_id: String,
        /// Only this grant.
        grant_id: String,
        /// Only this grantee's grants.
        grantee_principal: String,
    }
);

request!(
    /// ListRetirableGrants.
    ListRetirableGrantsInput {
        /// Page size.
        limit: i64,
        /// Where the page starts.
        marker: String,
        /// The retiring principal.
        retiring_principal: String,
    }
);

request!(
    /// RetireGrant.
    RetireGrantInput {
        /// The grant's token.
        grant_token: String,
        /// The key.
        key_id: String,
        /// The grant's id.
        grant_id: String,
        /// Check only.
        dry_run: bool,
    }
);

request!(
    /// RevokeGrant.
    RevokeGrantInput {
        /// The key.
        key_id: String,
        /// The grant's id.
        grant_id: String,
        /// Check only.
        dry_run: bool,
    }
);

/// CreateGrant's response.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateGrantOutput {
    /// A token for the grant.
    pub grant_token: String,
    /// The grant's id.
    pub grant_id: String,
}

/// An entry of ListGrants and ListRetirableGrants.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GrantListEntry {
    /// The key ARN.
    pub key_id: String,
    /// The grant's id.
    pub grant_id: String,
    /// Its name, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Epoch seconds.
    pub creation_date: f64,
    /// Who it is for.
    pub grantee_principal: String,
    /// Who may retire it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retiring_principal: Option<String>,
    /// The account that issued it.
    pub issuing_account: String,
    /// The operations it allows.
    pub operations: Vec<String>,
    /// Its constraints.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub constraints: Option<Constraints>,
}

impl From<GrantEntry> for GrantListEntry {
    fn from(g: GrantEntry) -> GrantListEntry {
        GrantListEntry {
            key_id: g.key_arn,
            grant_id: g.grant_id,
            name: g.name,
            creation_date: epoch_seconds(g.creation_date),
            grantee_principal: g.grantee_principal,
            retiring_principal: g.retiring_principal,
            issuing_account: g.issuing_account,
            operations: g.operations,
            constraints: g.constraints.map(Constraints::from),
        }
    }
}

/// The entries of ListGrants and ListRetirableGrants.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Grants {
    /// The grants.
    pub grants: Vec<GrantListEntry>,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn entries_have_exactly_the_members_aws_returns() {
        let entry = GrantEntry {
            key_arn: "arn:aws:kms:us-east-1:111122223333:key/k".into(),
            grant_id: "ab".repeat(32),
            name: None,
            creation_date: 1_700_000_000_500,
            grantee_principal: "arn:aws:iam::111122223333:user/u".into(),
            retiring_principal: None,
            issuing_account: "arn:aws:iam::111122223333:root".into(),
            operations: vec!["Decrypt".into()],
            constraints: Some(GrantConstraints {
                equals: None,
                subset: Some([("a".to_owned(), "b".to_owned())].into()),
            }),
        };
        assert_eq!(
            serde_json::to_value(GrantListEntry::from(entry)).unwrap(),
            json!({
                "KeyId": "arn:aws:kms:us-east-1:111122223333:key/k",
                "GrantId": "ab".repeat(32),
                "CreationDate": 1_700_000_000.5,
                "GranteePrincipal": "arn:aws:iam::111122223333:user/u",
                "IssuingAccount": "arn:aws:iam::111122223333:root",
                "Operations": ["Decrypt"],
                "Constraints": {"EncryptionContextSubset": {"a": "b"}},
            })
        );
        let c: CreateGrantInput = serde_json::from_value(json!({
            "KeyId": "k", "GranteePrincipal": "p", "Operations": ["Decrypt"],
            "Constraints": {"EncryptionContextEquals": {"x": "y"}}, "Unknown": 1}))
        .unwrap();
        assert_eq!(
            GrantConstraints::from(c.constraints.unwrap()),
            GrantConstraints {
                equals: Some([("x".to_owned(), "y".to_owned())].into()),
                subset: None
            }
        );
    }
}
