//! The condition keys every request context carries besides the operation's own: who
//! calls, from where and when, and what the key is.
//!
//! Owns: the global keys of a principal, computed once per principal when the service
//! starts ([`principal_keys`]); the keys that only a temporary-credential session carries
//! ([`SessionKeys`]); the environment keys of one request ([`add_request_keys`]); the keys
//! that describe a key, computed once per key revision, tag set and alias set
//! (`KeyKeysCache`); the order they join a request's context in
//! ([`add_global_keys`]); and which of them the policies deciding a request can read
//! (`Needed`), so that only those are built. Never: the keys of a request's parameters
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
use std::sync::{Arc, Mutex, Weak};

use coffer_policy::condition::Values;
use coffer_policy::decide::PolicySet;
use coffer_policy::matching::Pattern;
use coffer_policy::request::{Caller as ArnCaller, CallerKind};
use coffer_policy::{Context, ContextValue, Dialect, Policy};
use coffer_store::{KeyRecord, Store, StoreError, Tag};

use crate::caller::Caller;
use crate::err::KmsError;
use crate::iam::{Identities, Principal, PrincipalType};

/// The keys of one principal, the same on each of its requests: `aws:userid`,
/// `aws:PrincipalTag/<k>`, `aws:PrincipalOrgID`, `aws:PrincipalOrgPaths`,
/// `aws:ViaAWSService` and `aws:PrincipalIsAWSService`.
pub fn principal_keys(identities: &Identities, principal: &Principal) -> Context {
    let mut ctx = Context::new();
    ctx.set("aws:userid", principal.user_id.clone());
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
    add_needed_request_keys(ctx, Needed::ALL, caller, || now_millis);
}

/// The keys of the request that `needed` names; the clock is read only for a time.
fn add_needed_request_keys(
    ctx: &mut Context,
    needed: Needed,
    caller: &Caller,
    now_millis: impl FnOnce() -> i64,
) {
    if needed.has(Needed::CURRENT_TIME) || needed.has(Needed::EPOCH_TIME) {
        let now_millis = now_millis();
        if needed.has(Needed::CURRENT_TIME) {
            ctx.set("aws:CurrentTime", crate::authz::iso8601(now_millis));
        }
        if needed.has(Needed::EPOCH_TIME) {
            ctx.set("aws:EpochTime", now_millis.div_euclid(1000).to_string());
        }
    }
    if needed.has(Needed::REQUESTED_REGION) {
        ctx.set("aws:RequestedRegion", caller.region.clone());
    }
    if needed.has(Needed::SECURE_TRANSPORT) {
        ctx.set("aws:SecureTransport", if caller.secure_transport { "true" } else { "false" });
    }
    if needed.has(Needed::SOURCE_IP) {
        if let Some(ip) = &caller.source_ip {
            ctx.set("aws:SourceIp", ip.clone());
        }
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
    add_needed_global_keys(
        ctx,
        Needed::ALL,
        caller,
        || now_millis,
        session,
        || Arc::clone(principal),
    );
}

/// [`add_global_keys`], of the keys `needed` names only: the clock is read, and the
/// principal's keys found, only when a key needs them.
pub(crate) fn add_needed_global_keys(
    ctx: &mut Context,
    needed: Needed,
    caller: &Caller,
    now_millis: impl FnOnce() -> i64,
    session: Option<&Arc<Context>>,
    principal: impl FnOnce() -> Arc<Context>,
) {
    add_needed_request_keys(ctx, needed, caller, now_millis);
    if needed.has(Needed::CALLER) {
        if let Some(s) = session {
            ctx.push_layer(Arc::clone(s));
        }
        ctx.push_layer(principal());
    }
}

/// Which of the keys the service adds (the keys of the request, of the caller and of the
/// key, and those that follow from the caller's ARN) a decision can read: one flag per
/// source, set when a policy names one of the keys the source can add. A decision reads
/// the context only through its policies' condition keys and the policy variables of their
/// values and resources, so a key no policy of the set names cannot change it; the keys a
/// source costs to build (a time to format, the key's tags and aliases to read) are built
/// only when they can. The keys of an operation's parameters are always there: the
/// operation adds them before the policies are known.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Needed(u32);

/// One name, or every name that begins so, of the keys a source adds (lowercase).
#[derive(Clone, Copy, Debug)]
enum Names {
    Exact(&'static str),
    Prefix(&'static str),
}

impl Names {
    fn covers(self, name: &str) -> bool {
        match self {
            Names::Exact(n) => name == n,
            Names::Prefix(p) => name.starts_with(p),
        }
    }
}

impl Needed {
    /// None of the keys.
    pub(crate) const NONE: Needed = Needed(0);
    /// Every key: a simulation shows them all.
    pub(crate) const ALL: Needed = Needed(u32::MAX);
    /// `aws:CurrentTime`.
    pub(crate) const CURRENT_TIME: Needed = Needed(1);
    /// `aws:EpochTime`.
    pub(crate) const EPOCH_TIME: Needed = Needed(1 << 1);
    /// `aws:RequestedRegion`.
    pub(crate) const REQUESTED_REGION: Needed = Needed(1 << 2);
    /// `aws:SecureTransport`.
    pub(crate) const SECURE_TRANSPORT: Needed = Needed(1 << 3);
    /// `aws:SourceIp`.
    pub(crate) const SOURCE_IP: Needed = Needed(1 << 4);
    /// The keys of the principal ([`principal_keys`]) and of its session
    /// ([`SessionKeys::context`]).
    pub(crate) const CALLER: Needed = Needed(1 << 5);
    /// The keys of the key (`KeyKeysCache`).
    pub(crate) const KEY: Needed = Needed(1 << 6);
    /// `aws:PrincipalArn`, from the caller's ARN.
    pub(crate) const PRINCIPAL_ARN: Needed = Needed(1 << 7);
    /// `aws:PrincipalAccount`, from the caller's ARN.
    pub(crate) const PRINCIPAL_ACCOUNT: Needed = Needed(1 << 8);
    /// `kms:CallerAccount`, from the caller's ARN.
    pub(crate) const CALLER_ACCOUNT: Needed = Needed(1 << 9);
    /// `aws:PrincipalType`, from the caller's ARN.
    pub(crate) const PRINCIPAL_TYPE: Needed = Needed(1 << 10);
    /// `aws:username`, from the caller's ARN.
    pub(crate) const USERNAME: Needed = Needed(1 << 11);
    /// `g:PrincipalUrn` and `g:PrincipalAccount`, the keys Huawei's dialect derives.
    pub(crate) const HUAWEI_PRINCIPAL: Needed = Needed(1 << 12);
    /// The keys `Request::populate_derived_keys` adds for a request without an encryption
    /// context (the operation adds the keys of its encryption context itself).
    pub(crate) const DERIVED: Needed = Needed(
        Needed::PRINCIPAL_ARN.0
            | Needed::PRINCIPAL_ACCOUNT.0
            | Needed::CALLER_ACCOUNT.0
            | Needed::PRINCIPAL_TYPE.0
            | Needed::USERNAME.0
            | Needed::HUAWEI_PRINCIPAL.0,
    );

    /// The keys each source can add. A test builds every source with all it can hold and
    /// checks that each key it adds is listed here: a key missing here would be left out
    /// of a decision that reads it.
    const SOURCES: &[(Needed, &[Names])] = &[
        (Needed::CURRENT_TIME, &[Names::Exact("aws:currenttime")]),
        (Needed::EPOCH_TIME, &[Names::Exact("aws:epochtime")]),
        (Needed::REQUESTED_REGION, &[Names::Exact("aws:requestedregion")]),
        (Needed::SECURE_TRANSPORT, &[Names::Exact("aws:securetransport")]),
        (Needed::SOURCE_IP, &[Names::Exact("aws:sourceip")]),
        (
            Needed::CALLER,
            &[
                Names::Exact("aws:userid"),
                Names::Prefix("aws:principaltag/"),
                Names::Exact("aws:principalorgid"),
                Names::Exact("aws:principalorgpaths"),
                Names::Exact("aws:viaawsservice"),
                Names::Exact("aws:principalisawsservice"),
                Names::Exact("aws:tokenissuetime"),
                Names::Exact("aws:multifactorauthpresent"),
                Names::Exact("aws:sourceidentity"),
            ],
        ),
        (
            Needed::KEY,
            &[
                Names::Exact("kms:keyspec"),
                Names::Exact("kms:keyusage"),
                Names::Exact("kms:keyorigin"),
                Names::Exact("kms:multiregion"),
                Names::Exact("aws:resourceaccount"),
                Names::Prefix("aws:resourcetag/"),
                Names::Exact("kms:resourcealiases"),
            ],
        ),
        (Needed::PRINCIPAL_ARN, &[Names::Exact("aws:principalarn")]),
        (Needed::PRINCIPAL_ACCOUNT, &[Names::Exact("aws:principalaccount")]),
        (Needed::CALLER_ACCOUNT, &[Names::Exact("kms:calleraccount")]),
        (Needed::PRINCIPAL_TYPE, &[Names::Exact("aws:principaltype")]),
        (Needed::USERNAME, &[Names::Exact("aws:username")]),
        (
            Needed::HUAWEI_PRINCIPAL,
            &[Names::Exact("g:principalurn"), Names::Exact("g:principalaccount")],
        ),
    ];

    /// True when a key of `other` is needed.
    pub(crate) fn has(self, other: Needed) -> bool {
        self.0 & other.0 != 0
    }

    /// The flag of a key `Request::populate_derived_keys_where` offers, by the name it
    /// writes; every flag for a name not known here, so that a key added there is built.
    pub(crate) fn of_derived(name: &str) -> Needed {
        match name {
            "aws:PrincipalArn" => Needed::PRINCIPAL_ARN,
            "aws:PrincipalAccount" => Needed::PRINCIPAL_ACCOUNT,
            "kms:CallerAccount" => Needed::CALLER_ACCOUNT,
            "aws:PrincipalType" => Needed::PRINCIPAL_TYPE,
            "aws:username" => Needed::USERNAME,
            "g:PrincipalUrn" | "g:PrincipalAccount" => Needed::HUAWEI_PRINCIPAL,
            _ => Needed::ALL,
        }
    }

    /// What a read of the condition key `name` (lowercase) needs: the sources that can add
    /// it. A name with a wildcard or a variable in it is read as it is written, but it
    /// needs every key: nothing about such a name is left to reasoning.
    pub(crate) fn of_key(name: &str) -> Needed {
        if name.contains(['*', '?', '$', '{', '}']) {
            return Needed::ALL;
        }
        let mut needed = Needed::NONE;
        for (source, names) in Needed::SOURCES {
            if names.iter().any(|n| n.covers(name)) {
                needed |= *source;
            }
        }
        needed
    }

    /// What the policy variables in `text` need, `text` read as an ARN too (`ArnLike`
    /// matches an ARN field by field, and a field may hold a variable the whole text does
    /// not). Variables are looked for whether or not the policy enables them.
    fn of_text(text: &str) -> Needed {
        let mut needed = Needed::NONE;
        if !text.contains("${") {
            return needed;
        }
        let fields = std::iter::once(text).chain(text.splitn(6, ':'));
        for field in fields {
            for v in Pattern::compile(field, false, true).variables() {
                needed |= Needed::of_key(&v.key);
            }
        }
        needed
    }

    /// What the decisions of `policy` can read: every condition's key, and every policy
    /// variable of its conditions' values and of its resources.
    pub(crate) fn of_policy(policy: &Policy) -> Needed {
        let mut needed = Needed::NONE;
        for s in &policy.statements {
            if let Some(r) = &s.resource {
                for p in &r.patterns {
                    needed |= Needed::of_text(p.as_str());
                }
            }
            for c in &s.conditions {
                needed |= Needed::of_key(&c.key_lower);
                for v in &c.raw_values {
                    needed |= Needed::of_text(v);
                }
                if let Values::String(patterns) = &c.values {
                    for v in patterns.iter().flat_map(Pattern::variables) {
                        needed |= Needed::of_key(&v.key);
                    }
                }
            }
        }
        needed
    }

    /// What the decisions of `set` can read.
    pub(crate) fn of_set(set: &PolicySet) -> Needed {
        let levels = set.scp_levels.iter().chain(&set.rcp_levels).flatten();
        let kinds = [&set.identity, &set.resource, &set.boundary, &set.session];
        kinds
            .into_iter()
            .flatten()
            .chain(levels)
            .fold(Needed::NONE, |needed, p| needed | Needed::of_policy(p))
    }
}

impl std::ops::BitOr for Needed {
    type Output = Needed;
    fn bitor(self, other: Needed) -> Needed {
        Needed(self.0 | other.0)
    }
}

impl std::ops::BitOrAssign for Needed {
    fn bitor_assign(&mut self, other: Needed) {
        self.0 |= other.0;
    }
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
///
/// It also keeps what each policy set in use needs ([`Needed`]), by the address of the set:
/// each entry holds a weak reference to its set, which keeps that address from being
/// reused while the entry lives.
#[derive(Default)]
pub(crate) struct KeyKeysCache {
    entries: Mutex<HashMap<String, Arc<KeyKeys>>>,
    needed: Mutex<BTreeMap<usize, (Weak<PolicySet>, Needed)>>,
}

impl KeyKeysCache {
    /// What the decisions of `set` can read, worked out once per set.
    pub(crate) fn needed(&self, set: &Arc<PolicySet>) -> Needed {
        let at = Arc::as_ptr(set).addr();
        if let Ok(cache) = self.needed.lock() {
            // The entry's weak reference keeps its set's memory, so a set found at this
            // address is that set (and a set behind a weak reference cannot be changed).
            if let Some((_, needed)) = cache.get(&at) {
                return *needed;
            }
        }
        let needed = Needed::of_set(set);
        if let Ok(mut cache) = self.needed.lock() {
            if cache.len() > 10_000 {
                cache.clear();
            }
            cache.insert(at, (Arc::downgrade(set), needed));
        }
        needed
    }

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
mod needed_tests;

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
