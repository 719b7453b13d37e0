//! The condition keys every request context carries besides the operation's own: who
//! calls, from where and when, and what the key is.
//!
//! Owns: the global keys of a principal, computed once per principal when the service
//! starts ([`principal_keys`]); the keys that only a temporary-credential session carries
//! ([`SessionKeys`]); the environment keys of one request ([`add_request_keys`]); the keys
//! that describe a key, computed once per key revision, tag set and alias set
//! (`KeyKeysCache`); and the order they join a request's context in
//! ([`add_global_keys`]). Never: the keys of a request's parameters
//! (`kms:EncryptionAlgorithm`, `kms:GrantOperations`, ...), which each operation adds, nor
//! deciding anything.
//!
//! `aws:PrincipalArn` (the role for a role session), `aws:PrincipalAccount`,
//! `aws:PrincipalType`, `aws:username` and `kms:CallerAccount` follow from the caller's ARN
//! alone: the policy engine adds them (`Request::populate_derived_keys`), so that a case
//! decided outside the service gets them too.
//!
//! Keys AWS leaves out of some requests are left out the same way:
//! - `aws:username`: IAM users only (not the root user, not a role session).
//! - `aws:PrincipalTag/<k>`: only the tags the principal (or its session) has;
//!   `aws:PrincipalOrgID`, `aws:PrincipalOrgPaths`: only for an account in an organization.
//! - `aws:SourceIp`: only when the front door knows the client's address.
//! - `aws:MultiFactorAuthPresent`, `aws:TokenIssueTime`, `aws:SourceIdentity`: temporary
//!   credentials only ([`SessionKeys`]); a long-term access key carries none of them.
//! - `aws:CalledVia`, `aws:CalledViaFirst`, `aws:CalledViaLast`, `kms:ViaService`: only when
//!   an integrated service forwards the principal's request, and no service forwards to
//!   this one. `aws:ViaAWSService` and `aws:PrincipalIsAWSService` are always present and
//!   `false`.
//! - `aws:ResourceTag/<k>`, `kms:ResourceAliases`, `kms:KeySpec`, `kms:KeyUsage`,
//!   `kms:KeyOrigin`, `kms:MultiRegion`: only for an action on an existing key — never
//!   CreateKey, ListKeys or the alias half of an alias operation (the KMS guide: "resource
//!   conditions apply only to operations that use an existing resource").
//! - `kms:MultiRegionKeyType`: multi-Region keys only, and every key here is single-Region.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use coffer_policy::request::{Caller as ArnCaller, CallerKind};
use coffer_policy::{Context, ContextValue, Dialect};
use coffer_store::{KeyRecord, Store, StoreError, Tag};

use crate::caller::Caller;
use crate::err::KmsError;
use crate::iam::{Identities, Principal, PrincipalType};

/// The keys of one principal, the same on each of its requests: `aws:userid`,
/// `aws:PrincipalTag/<k>`, `aws:PrincipalOrgID`, `aws:PrincipalOrgPaths`,
/// `aws:ViaAWSService` and `aws:PrincipalIsAWSService`.
pub fn principal_keys(identities: &Identities, principal: &Principal) -> Context {
    let mut ctx = Context::new();
    ctx.set("aws:userid", user_id(principal));
    for (k, v) in &principal.tags {
        ctx.set(&format!("aws:PrincipalTag/{k}"), v.clone());
    }
    if let Some(org) =
        identities.accounts.get(&principal.account).filter(|a| !a.org_path.is_empty())
    {
        ctx.set("aws:PrincipalOrgID", org.org_path[0].clone());
        ctx.insert(
            "aws:PrincipalOrgPaths",
            ContextValue::Multi(vec![format!("{}/", org.org_path.join("/"))]),
        );
    }
    // Nothing forwards a principal's request to this service, and no service principal
    // calls it.
    ctx.set("aws:ViaAWSService", "false");
    ctx.set("aws:PrincipalIsAWSService", "false");
    ctx
}

/// `aws:userid`: the account id for the root user, the user's unique id (`AIDA…`) for an
/// IAM user, and `AROA…:<session name>` for a session of a role. The identities name no
/// unique ids, so each is derived from the principal's ARN: stable across restarts and
/// nodes, and different for different principals, as AWS's are.
pub fn user_id(principal: &Principal) -> String {
    match principal.kind {
        PrincipalType::Root => principal.account.clone(),
        PrincipalType::User => unique_id("AIDA", &principal.arn),
        PrincipalType::Role => {
            let parsed = ArnCaller::parse(Dialect::Aws, &principal.arn, Some(&principal.account));
            let role = parsed.role_arn.as_deref().unwrap_or(&principal.arn);
            let session = principal.arn.rsplit('/').next().unwrap_or_default();
            if parsed.kind == CallerKind::AssumedRole {
                format!("{}:{session}", unique_id("AROA", role))
            } else {
                unique_id("AROA", role)
            }
        }
    }
}

/// A unique id in AWS's form: a four-letter prefix and 17 letters and digits of base32,
/// from two FNV-1a hashes of `arn` (a name, not a secret: it only has to be stable).
pub fn unique_id(prefix: &str, arn: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let fnv = |offset: u64| {
        arn.bytes().fold(offset, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
    };
    let bits =
        (u128::from(fnv(0xcbf2_9ce4_8422_2325)) << 64) | u128::from(fnv(0x6c62_272e_07bb_0142));
    let mut id = String::with_capacity(prefix.len() + 17);
    id.push_str(prefix);
    for i in 0..17 {
        id.push(char::from(ALPHABET[((bits >> (i * 5)) & 31) as usize]));
    }
    id
}

/// The keys of a temporary-credential session (a role assumed through STS), which a
/// long-term access key does not have. Built once when the session is made; its
/// [`SessionKeys::context`] goes to [`add_global_keys`] on each of the session's requests.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SessionKeys {
    /// When the session's credentials were issued, epoch milliseconds
    /// (`aws:TokenIssueTime`).
    pub token_issue_time_millis: i64,
    /// Whether the credentials were obtained with MFA (`aws:MultiFactorAuthPresent`).
    pub multi_factor_auth_present: bool,
    /// The source identity set when the role was assumed (`aws:SourceIdentity`).
    pub source_identity: Option<String>,
    /// The session's tags (`aws:PrincipalTag/<k>`); they win over the role's tags of the
    /// same key.
    pub tags: BTreeMap<String, String>,
    /// `aws:userid` of the session (`AROA…:<session name>`), when it is not the principal's.
    pub user_id: Option<String>,
}

impl SessionKeys {
    /// The session's keys as a context.
    pub fn context(&self) -> Context {
        let mut ctx = Context::new();
        ctx.set("aws:TokenIssueTime", crate::authz::iso8601(self.token_issue_time_millis));
        ctx.set("aws:MultiFactorAuthPresent", self.multi_factor_auth_present.to_string());
        if let Some(s) = &self.source_identity {
            ctx.set("aws:SourceIdentity", s.clone());
        }
        for (k, v) in &self.tags {
            ctx.set(&format!("aws:PrincipalTag/{k}"), v.clone());
        }
        if let Some(id) = &self.user_id {
            ctx.set("aws:userid", id.clone());
        }
        ctx
    }
}

/// The keys of the request itself: `aws:CurrentTime`, `aws:EpochTime`,
/// `aws:RequestedRegion`, `aws:SecureTransport` and, when known, `aws:SourceIp`.
pub fn add_request_keys(ctx: &mut Context, caller: &Caller, now_millis: i64) {
    ctx.set("aws:CurrentTime", crate::authz::iso8601(now_millis));
    ctx.set("aws:EpochTime", now_millis.div_euclid(1000).to_string());
    ctx.set("aws:RequestedRegion", caller.region.clone());
    ctx.set("aws:SecureTransport", if caller.secure_transport { "true" } else { "false" });
    if let Some(ip) = &caller.source_ip {
        ctx.set("aws:SourceIp", ip.clone());
    }
}

/// Adds the caller's global keys to a request's context: the request's own, then the
/// session's (a session tag wins over the principal's tag of the same key), then the
/// principal's. Keys already there stay: an operation's keys are never overwritten. The
/// session's and the principal's keys are read as layers, not copied.
pub fn add_global_keys(
    ctx: &mut Context,
    caller: &Caller,
    now_millis: i64,
    session: Option<&Arc<Context>>,
    principal: &Arc<Context>,
) {
    add_request_keys(ctx, caller, now_millis);
    if let Some(s) = session {
        ctx.push_layer(Arc::clone(s));
    }
    ctx.push_layer(Arc::clone(principal));
}

/// What the keys of a key were computed from, and the keys.
struct KeyKeys {
    revision: u64,
    spec: String,
    usage: String,
    origin: String,
    tags: Vec<Tag>,
    aliases: Vec<String>,
    context: Arc<Context>,
}

/// The keys that describe each key — `kms:KeySpec`, `kms:KeyUsage`, `kms:KeyOrigin`,
/// `kms:MultiRegion`, `aws:ResourceAccount`, `aws:ResourceTag/<k>` and
/// `kms:ResourceAliases` — computed again only when the key, its tags or its aliases
/// changed. Tags and aliases are read on every call (from the store's cache), so a change
/// is seen as soon as the store shows it.
#[derive(Default)]
pub(crate) struct KeyKeysCache {
    entries: Mutex<HashMap<String, Arc<KeyKeys>>>,
}

impl KeyKeysCache {
    /// The keys of `key`.
    pub(crate) fn get(&self, store: &dyn Store, key: &KeyRecord) -> Result<Arc<Context>, KmsError> {
        // A key being created is not stored yet: it has no tags or aliases.
        let tags = match store.tags(&key.account, &key.region, &key.key_id) {
            Err(StoreError::NotFound { .. }) => vec![],
            other => other?,
        };
        // More than 50 aliases make `kms:ResourceAliases` ineffective at AWS; 51 are read so
        // that the key still holds the first of them.
        let aliases: Vec<String> = store
            .list_aliases(&key.account, &key.region, Some(&key.key_id), None, 51)?
            .items
            .into_iter()
            .map(|a| a.name)
            .collect();
        if let Ok(entries) = self.entries.lock() {
            if let Some(k) = entries.get(&key.arn) {
                let same = k.revision == key.revision
                    && k.spec == key.key_spec
                    && k.usage == key.key_usage
                    && k.origin == key.origin
                    && k.tags == tags
                    && k.aliases == aliases;
                if same {
                    return Ok(Arc::clone(&k.context));
                }
            }
        }
        let mut ctx = Context::new();
        ctx.set("kms:KeySpec", key.key_spec.clone());
        ctx.set("kms:KeyUsage", key.key_usage.clone());
        ctx.set("kms:KeyOrigin", key.origin.clone());
        ctx.set("kms:MultiRegion", "false");
        ctx.set("aws:ResourceAccount", key.account.clone());
        for t in &tags {
            ctx.set(&format!("aws:ResourceTag/{}", t.key), t.value.clone());
        }
        ctx.insert("kms:ResourceAliases", ContextValue::Multi(aliases.clone()));
        let context = Arc::new(ctx);
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() > 10_000 {
                entries.clear();
            }
            entries.insert(
                key.arn.clone(),
                Arc::new(KeyKeys {
                    revision: key.revision,
                    spec: key.key_spec.clone(),
                    usage: key.key_usage.clone(),
                    origin: key.origin.clone(),
                    tags,
                    aliases,
                    context: Arc::clone(&context),
                }),
            );
        }
        Ok(context)
    }
}

#[cfg(test)]
mod catalog_tests;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_ids_are_stable_and_distinct() {
        let a = unique_id("AIDA", "arn:aws:iam::111122223333:user/alice");
        assert_eq!(a, unique_id("AIDA", "arn:aws:iam::111122223333:user/alice"));
        assert_ne!(a, unique_id("AIDA", "arn:aws:iam::111122223333:user/alicf"));
        assert_eq!(a.len(), 21);
        assert!(a.starts_with("AIDA"));
        assert!(a.bytes().all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b)));
    }

    #[test]
    fn session_keys_are_the_session_only_keys() {
        let s = SessionKeys {
            token_issue_time_millis: 1_700_000_000_000,
            multi_factor_auth_present: true,
            source_identity: Some("jane".into()),
            tags: BTreeMap::from([("team".into(), "red".into())]),
            user_id: None,
        };
        let ctx = s.context();
        assert_eq!(
            ctx.to_json(),
            serde_json::json!({"aws:multifactorauthpresent": "true",
                               "aws:principaltag/team": "red",
                               "aws:sourceidentity": "jane",
                               "aws:tokenissuetime": "2023-11-14T22:13:20Z"})
        );
    }
}
