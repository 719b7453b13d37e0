//! What the grant operations share: the operations a grant may allow, grant tokens, the
//! listing entry, and the grants that authorization consults.
//!
//! A grant token names its grant and proves it was handed out by this service:
//!
//! ```text
//! offset  length  field
//!      0       1  format version, 0x01
//!      1      32  the grant id (its 64 hexadecimal digits as bytes)
//!     33      16  a nonce, random per token
//!     49      32  HMAC-SHA-256 under the grant's token secret of a label, the grant id
//!                 bytes and the nonce
//! ```
//!
//! sent as standard base64. The token secret is random per grant and stored sealed under the
//! root key, bound to the grant id, so the store alone can neither make nor check a token.
//! Every CreateGrant call hands out a new token, and every token of a grant works. A token
//! is checked in constant time.
//!
//! Grants take effect when they are created (the service has no propagation delay), so a
//! token adds nothing to what its grant allows: a request's tokens are checked for form,
//! and the grant a token names is what RetireGrant retires.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use coffer_crypto::{KeySpec, MacAlgorithm, Secret};
use coffer_policy::decide::{PolicySet, decide};
use coffer_policy::decision::{Decision, Outcome};
pub use coffer_policy::request::GrantConstraints;
use coffer_policy::request::{Grant, Request};
use coffer_store::{GrantRecord, KeyRecord};

use crate::Kms;
use crate::err::KmsError;
use crate::key_ref::key_arn;

/// Every operation a grant may allow, in the order of the AWS model.
pub const GRANT_OPERATIONS: &[&str] = &[
    "Decrypt",
    "Encrypt",
    "GenerateDataKey",
    "GenerateDataKeyWithoutPlaintext",
    "ReEncryptFrom",
    "ReEncryptTo",
    "Sign",
    "Verify",
    "GetPublicKey",
    "CreateGrant",
    "RetireGrant",
    "DescribeKey",
    "GenerateDataKeyPair",
    "GenerateDataKeyPairWithoutPlaintext",
    "GenerateMac",
    "VerifyMac",
    "DeriveSharedSecret",
];

/// The most grants one key may have.
pub const MAX_GRANTS_PER_KEY: u64 = 50_000;

/// The most grants one key may have for one grantee principal.
pub const MAX_GRANTS_PER_GRANTEE: u64 = 500;

/// A grant as ListGrants and ListRetirableGrants return it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GrantEntry {
    /// The key's ARN.
    pub key_arn: String,
    /// The grant's id.
    pub grant_id: String,
    /// Its name, when it was given one.
    pub name: Option<String>,
    /// When it was created, epoch milliseconds.
    pub creation_date: i64,
    /// Who it is for.
    pub grantee_principal: String,
    /// Who may retire it.
    pub retiring_principal: Option<String>,
    /// The account that issued it (its root ARN).
    pub issuing_account: String,
    /// The operations it allows.
    pub operations: Vec<String>,
    /// Its encryption-context constraints.
    pub constraints: Option<GrantConstraints>,
}

impl GrantEntry {
    /// The entry of a stored grant.
    pub(crate) fn of(g: GrantRecord) -> GrantEntry {
        let constraints = constraints_of(&g);
        GrantEntry {
            key_arn: key_arn(&g.region, &g.account, &g.key_id),
            grant_id: g.grant_id,
            name: g.name,
            creation_date: g.creation_date,
            grantee_principal: g.grantee_principal,
            retiring_principal: g.retiring_principal,
            issuing_account: g.issuing_account,
            operations: g.operations,
            constraints,
        }
    }
}

/// A page of grants.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GrantList {
    /// The grants, ordered by grant id.
    pub grants: Vec<GrantEntry>,
    /// The marker of the next page, when truncated.
    pub next_marker: Option<String>,
}

/// The constraints of a stored grant, if it has any.
pub(crate) fn constraints_of(g: &GrantRecord) -> Option<GrantConstraints> {
    let c = GrantConstraints {
        equals: g.encryption_context_equals.clone(),
        subset: g.encryption_context_subset.clone(),
    };
    (!c.is_empty()).then_some(c)
}

/// A stored grant as the policy engine reads it. Grants are consistent as soon as they
/// exist, so none is pending and none needs its token.
pub(crate) fn policy_grant(g: &GrantRecord) -> Grant {
    Grant {
        grant_id: g.grant_id.clone(),
        key_id: key_arn(&g.region, &g.account, &g.key_id),
        grantee: g.grantee_principal.clone(),
        retiring: g.retiring_principal.clone(),
        operations: g.operations.clone(),
        constraints: constraints_of(g),
        issuing_account: Some(g.issuing_account.clone()),
        token: None,
        pending: false,
    }
}

/// True for a grant id as the service makes them: 64 lowercase hexadecimal digits.
pub(crate) fn is_grant_id(id: &str) -> bool {
    id.len() == 64 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// InvalidGrantIdException, in the words of the AWS model.
pub(crate) fn invalid_grant_id() -> KmsError {
    KmsError::InvalidGrantId {
        message: "The request was rejected because the specified GrantId is not valid.".into(),
    }
}

/// InvalidGrantTokenException, in the words of the AWS model.
pub(crate) fn invalid_grant_token() -> KmsError {
    KmsError::InvalidGrantToken {
        message: "The request was rejected because the specified grant token is not valid.".into(),
    }
}

const TOKEN_VERSION: u8 = 0x01;
const NONCE_LEN: usize = 16;
const TAG_LEN: usize = 32;
const TOKEN_LEN: usize = 1 + 32 + NONCE_LEN + TAG_LEN;
const TOKEN_LABEL: &[u8] = b"coffer grant token v1";

/// A token that is well formed: the grant it names, its nonce and its tag.
pub(crate) struct ParsedToken {
    grant_id: String,
    nonce: [u8; NONCE_LEN],
    tag: [u8; TAG_LEN],
}

/// Reads a token's form; anything else is InvalidGrantTokenException.
pub(crate) fn parse_token(token: &str) -> Result<ParsedToken, KmsError> {
    let bytes = STANDARD.decode(token).map_err(|_| invalid_grant_token())?;
    if bytes.len() != TOKEN_LEN || bytes[0] != TOKEN_VERSION {
        return Err(invalid_grant_token());
    }
    let grant_id: String = bytes[1..33].iter().map(|b| format!("{b:02x}")).collect();
    let mut nonce = [0u8; NONCE_LEN];
    nonce.copy_from_slice(&bytes[33..33 + NONCE_LEN]);
    let mut tag = [0u8; TAG_LEN];
    tag.copy_from_slice(&bytes[33 + NONCE_LEN..]);
    Ok(ParsedToken { grant_id, nonce, tag })
}

/// Checks the form of every grant token of a request.
pub(crate) fn check_tokens(tokens: &[String]) -> Result<(), KmsError> {
    for t in tokens {
        parse_token(t)?;
    }
    Ok(())
}

/// The grant id's 32 bytes.
fn grant_id_bytes(grant_id: &str) -> Result<Vec<u8>, KmsError> {
    if !is_grant_id(grant_id) {
        return Err(KmsError::internal(format!("`{grant_id}` is not a grant id")));
    }
    (0..32)
        .map(|i| u8::from_str_radix(&grant_id[2 * i..2 * i + 2], 16).map_err(KmsError::internal))
        .collect()
}

fn tag_message(id_bytes: &[u8], nonce: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(TOKEN_LABEL.len() + id_bytes.len() + nonce.len());
    m.extend_from_slice(TOKEN_LABEL);
    m.extend_from_slice(id_bytes);
    m.extend_from_slice(nonce);
    m
}

/// What the token secret of a grant is sealed to.
fn secret_identity(grant_id: &str) -> Vec<u8> {
    format!("coffer:grant-token-secret:v1:{grant_id}").into_bytes()
}

impl Kms {
    /// A fresh grant id: 64 hexadecimal digits of randomness.
    pub(crate) fn new_grant_id(&self) -> Result<String, KmsError> {
        let bytes = self.random_secret(32)?;
        Ok(bytes.expose().iter().map(|b| format!("{b:02x}")).collect())
    }

    /// A fresh token secret for a grant, sealed under the root key.
    pub(crate) fn new_token_secret(&self, grant_id: &str) -> Result<Vec<u8>, KmsError> {
        let secret = self.random_secret(32)?;
        coffer_crypto::seal(&self.root, &secret_identity(grant_id), &secret, self.rng.as_ref())
            .map_err(KmsError::internal)
    }

    fn token_secret(&self, g: &GrantRecord) -> Result<Secret, KmsError> {
        coffer_crypto::unseal(&self.root, &secret_identity(&g.grant_id), &g.sealed_token_secret)
            .map_err(|_| {
                KmsError::internal(format!(
                    "the token secret of grant {} does not unseal",
                    g.grant_id
                ))
            })
    }

    /// A new token for a grant.
    pub(crate) fn mint_token(&self, g: &GrantRecord) -> Result<String, KmsError> {
        let secret = self.token_secret(g)?;
        let id_bytes = grant_id_bytes(&g.grant_id)?;
        let nonce = self.random_secret(NONCE_LEN)?;
        let tag = coffer_crypto::mac(
            KeySpec::Hmac256,
            &secret,
            MacAlgorithm::HmacSha256,
            &tag_message(&id_bytes, nonce.expose()),
        )
        .map_err(KmsError::internal)?;
        let mut bytes = Vec::with_capacity(TOKEN_LEN);
        bytes.push(TOKEN_VERSION);
        bytes.extend_from_slice(&id_bytes);
        bytes.extend_from_slice(nonce.expose());
        bytes.extend_from_slice(&tag);
        Ok(STANDARD.encode(bytes))
    }

    /// The grant a token names, if the token is one this service handed out for a grant
    /// that still exists; InvalidGrantTokenException otherwise, whichever the reason.
    pub(crate) fn grant_of_token(&self, token: &str) -> Result<GrantRecord, KmsError> {
        let parsed = parse_token(token)?;
        let g = self.store.get_grant(&parsed.grant_id)?.ok_or_else(invalid_grant_token)?;
        let secret = self.token_secret(&g)?;
        let id_bytes = grant_id_bytes(&g.grant_id)?;
        let genuine = coffer_crypto::verify_mac(
            KeySpec::Hmac256,
            &secret,
            MacAlgorithm::HmacSha256,
            &tag_message(&id_bytes, &parsed.nonce),
            &parsed.tag,
        )
        .map_err(KmsError::internal)?;
        if !genuine {
            return Err(invalid_grant_token());
        }
        Ok(g)
    }

    /// Decides again with the grants on `key` that could be the caller's, when the
    /// policies alone did not allow and did not explicitly deny: grants only ever allow, so
    /// a request the policies allow, or deny outright, never needs them read.
    pub(crate) fn decide_with_grants(
        &self,
        decision: Decision,
        set: &PolicySet,
        request: &mut Request,
        key: &KeyRecord,
        encryption_context: Option<&std::collections::BTreeMap<String, String>>,
    ) -> Result<Decision, KmsError> {
        if decision.is_allowed()
            || decision.decision == Outcome::ExplicitDeny
            || request.retire_grant_id.is_some()
        {
            return Ok(decision);
        }
        let grants = self.grants_for(request, key)?;
        if grants.is_empty() {
            return Ok(decision);
        }
        if let Some(ec) = encryption_context {
            request.encryption_context.clone_from(ec);
        }
        Ok(decide(set, &grants, request))
    }

    /// The grants on `key` whose grantee is the caller, the role behind its session, or
    /// its account.
    fn grants_for(&self, request: &Request, key: &KeyRecord) -> Result<Vec<Grant>, KmsError> {
        let c = &request.caller;
        let account_root = format!("arn:aws:iam::{}:root", c.account);
        let mut grantees = vec![c.arn.as_str()];
        if let Some(role) = c.role_arn.as_deref() {
            grantees.push(role);
        }
        if !c.account.is_empty() && c.arn != account_root {
            grantees.push(&account_root);
        }
        let mut out = Vec::new();
        for grantee in grantees {
            let mut after: Option<String> = None;
            loop {
                let page = self.store.list_grants(
                    &key.account,
                    &key.region,
                    &key.key_id,
                    Some(grantee),
                    after.as_deref(),
                    1000,
                )?;
                out.extend(page.items.iter().map(policy_grant));
                match page.next {
                    Some(next) => after = Some(next),
                    None => break,
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_tokens_are_refused() {
        for bad in ["", "not base64!", "AAAA", &STANDARD.encode([1u8; TOKEN_LEN - 1])] {
            assert!(matches!(parse_token(bad), Err(KmsError::InvalidGrantToken { .. })), "{bad}");
        }
        let mut wrong_version = vec![2u8; TOKEN_LEN];
        assert!(parse_token(&STANDARD.encode(&wrong_version)).is_err());
        wrong_version[0] = TOKEN_VERSION;
        let parsed = parse_token(&STANDARD.encode(&wrong_version)).unwrap();
        assert_eq!(parsed.grant_id, "02".repeat(32));
    }

    #[test]
    fn grant_ids() {
        assert!(is_grant_id(&"0a".repeat(32)));
        assert!(!is_grant_id(&"0A".repeat(32)));
        assert!(!is_grant_id("abc"));
        assert_eq!(grant_id_bytes(&"ff".repeat(32)).unwrap(), vec![0xff; 32]);
    }
}
