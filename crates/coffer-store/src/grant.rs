//! Grants: permissions on one key, given to one principal, kept beside the key they are on.

use std::collections::BTreeMap;

/// A grant on a key, scoped to the key's (account, region).
///
/// `grant_id` is unique across every account and region: the service makes it from
/// random bytes, and a grant is found by its id alone (a grant token names only the grant).
/// The service owns the vocabulary of the text fields (operation names, principal ARNs).
/// `sealed_token_secret` is opaque: the service seals it before it arrives here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantRecord {
    /// The grant's id.
    pub grant_id: String,
    /// The account of the key.
    pub account: String,
    /// The region of the key.
    pub region: String,
    /// The key the grant is on.
    pub key_id: String,
    /// The name given at creation, if any (names are not unique).
    pub name: Option<String>,
    /// Creation time, epoch milliseconds.
    pub creation_date: i64,
    /// Who the grant is for.
    pub grantee_principal: String,
    /// Who may retire it, if anyone besides the grantee and the issuing account.
    pub retiring_principal: Option<String>,
    /// The account that issued it.
    pub issuing_account: String,
    /// The operations it allows, in the order given.
    pub operations: Vec<String>,
    /// The encryption context a request must equal, if constrained so.
    pub encryption_context_equals: Option<BTreeMap<String, String>>,
    /// The pairs a request's encryption context must include, if constrained so.
    pub encryption_context_subset: Option<BTreeMap<String, String>>,
    /// The secret its tokens are made with, sealed by the service.
    pub sealed_token_secret: Vec<u8>,
}
