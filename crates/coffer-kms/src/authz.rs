//! Authorization: every operation asks here before it acts.
//!
//! Owns: building the policy engine's request (the caller's ARN, the action, the resource,
//! the condition keys the service populates) and the policy set (the caller's identity
//! policies and boundary, a role session's session policy, the key policy, the SCPs of
//! the caller's organization path and the RCPs of the key's account),
//! the grants on the key when the policies alone do not allow, turning a denial into
//! AWS's AccessDenied message, and the `Authorized` proof that an operation which changes
//! state must hold. Never: decide itself — `coffer-policy` does — nor choose the keys
//! every request carries besides the operation's own: `condition_keys` does.
//!
//! The policy set is found first, and the request's context holds the keys its policies
//! can read (`condition_keys::Needed`): a decision reads nothing else, and the other keys
//! cost most of an authorization to build. A simulation's context holds every key.

use std::borrow::Borrow;
use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use coffer_policy::decide::{PolicySet, decide};
use coffer_policy::decision::Decision;
use coffer_policy::request::{Grant, GrantRequest, Request};
use coffer_policy::{Context, ContextValue, Dialect, Policy};
use coffer_store::KeyRecord;

use crate::Kms;
use crate::caller::Caller;
use crate::condition_keys::{Needed, add_needed_global_keys, principal_keys};
use crate::err::KmsError;

/// What a cached policy set is built for: the principal's index, the key's ARN and
/// revision when the action is on a key, and the access key id of the caller's session
/// when the session has a policy of its own (a session's credentials never change hands,
/// and its policy never changes).
#[derive(Clone, Debug)]
pub(crate) struct PolicySetKey {
    principal: usize,
    key: Option<(String, u64)>,
    session: Option<String>,
}

/// A [`PolicySetKey`] of borrowed parts: a lookup copies no string.
type SetKeyParts<'a> = (usize, Option<(&'a str, u64)>, Option<&'a str>);

/// A policy set key, owned or borrowed; both hash and compare by their parts.
trait SetKey {
    fn parts(&self) -> SetKeyParts<'_>;
}

impl SetKey for PolicySetKey {
    fn parts(&self) -> SetKeyParts<'_> {
        let key = self.key.as_ref().map(|(arn, revision)| (arn.as_str(), *revision));
        (self.principal, key, self.session.as_deref())
    }
}

impl SetKey for SetKeyParts<'_> {
    fn parts(&self) -> SetKeyParts<'_> {
        *self
    }
}

impl<'a> Borrow<dyn SetKey + 'a> for PolicySetKey {
    fn borrow(&self) -> &(dyn SetKey + 'a) {
        self
    }
}

impl Hash for dyn SetKey + '_ {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.parts().hash(state);
    }
}

impl PartialEq for dyn SetKey + '_ {
    fn eq(&self, other: &Self) -> bool {
        self.parts() == other.parts()
    }
}

impl Eq for dyn SetKey + '_ {}

impl Hash for PolicySetKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.parts().hash(state);
    }
}

impl PartialEq for PolicySetKey {
    fn eq(&self, other: &Self) -> bool {
        self.parts() == other.parts()
    }
}

impl Eq for PolicySetKey {}

/// Proof that the caller may perform an action (only this module can make one).
#[derive(Debug)]
pub struct Authorized(());

/// A decided request: the decision, and the request it was made for (its context holds
/// every condition key the decision could read; a simulation's, every key).
pub(crate) struct Evaluated {
    pub decision: Decision,
    pub request: Request,
}

/// What is being asked for.
pub(crate) struct Ask<'a> {
    /// `kms:Encrypt`.
    pub action: &'a str,
    /// The key the action is on, if any (its policy applies).
    pub key: Option<&'a KeyRecord>,
    /// The resource ARN when it is not the key's (an alias ARN, or `*`).
    pub resource: Option<&'a str>,
    /// Request-specific condition keys.
    pub context: Context,
    /// A key policy to decide with instead of the key's stored one (the lockout safety
    /// check asks whether a new policy would still let the caller change it).
    pub candidate_policy: Option<&'a Policy>,
    /// The request's grant tokens (their form is checked).
    pub grant_tokens: &'a [String],
    /// The request's encryption context, which grant constraints are checked against.
    pub encryption_context: Option<&'a BTreeMap<String, String>>,
    /// CreateGrant: the grant to be created (a grant allows creating only a narrower one).
    pub create_grant: Option<GrantRequest>,
    /// RetireGrant: the grant to be retired, which itself says who may retire it.
    pub retire_grant: Option<Grant>,
}

impl<'a> Ask<'a> {
    /// An action on a key.
    pub fn on_key(action: &'a str, key: &'a KeyRecord) -> Ask<'a> {
        Ask {
            action,
            key: Some(key),
            resource: None,
            context: Context::new(),
            candidate_policy: None,
            grant_tokens: &[],
            encryption_context: None,
            create_grant: None,
            retire_grant: None,
        }
    }

    /// An action without a key (`resource` is `*` or an alias ARN).
    pub fn on(action: &'a str, resource: &'a str) -> Ask<'a> {
        Ask {
            action,
            key: None,
            resource: Some(resource),
            context: Context::new(),
            candidate_policy: None,
            grant_tokens: &[],
            encryption_context: None,
            create_grant: None,
            retire_grant: None,
        }
    }

    /// Passes the request's grant tokens.
    pub fn with_grant_tokens(mut self, tokens: &'a [String]) -> Ask<'a> {
        self.grant_tokens = tokens;
        self
    }

    /// Decides with `policy` as the key policy.
    pub fn with_candidate_policy(mut self, policy: &'a Policy) -> Ask<'a> {
        self.candidate_policy = Some(policy);
        self
    }

    /// Adds a single-valued condition key.
    pub fn with(mut self, key: &str, value: impl Into<String>) -> Ask<'a> {
        self.context.set(key, value);
        self
    }

    /// Adds a multivalued condition key.
    pub fn with_multi(mut self, key: &str, values: Vec<String>) -> Ask<'a> {
        self.context.insert(key, ContextValue::Multi(values));
        self
    }
}

impl Kms {
    /// Decides `ask` for `caller`; a denial becomes AccessDenied with AWS's message.
    pub(crate) fn authorize(&self, caller: &Caller, ask: Ask<'_>) -> Result<Authorized, KmsError> {
        let action = ask.action;
        let evaluated = self.evaluate(caller, ask, None)?;
        let decision = evaluated.decision;
        let resource = evaluated.request.resource.as_str();
        if decision.is_allowed() {
            caller.record(decision, resource);
            return Ok(Authorized(()));
        }
        let message = decision.message(&caller.arn, action, resource);
        caller.record(decision.clone(), resource);
        Err(KmsError::AccessDenied {
            message: message.unwrap_or_else(|| {
                format!(
                    "User: {} is not authorized to perform: {action} on resource: {resource}",
                    caller.arn
                )
            }),
            decision: Box::new(decision),
        })
    }

    /// Builds the request `ask` makes — the operation's condition keys with the caller's,
    /// the request's and the key's ([`crate::condition_keys`]) that the policies can read
    /// — and decides it, with the grants on the key when the policies alone do not allow.
    /// `overrides` replace keys of the finished context (a simulation's "what if"), which
    /// then holds every key.
    pub(crate) fn evaluate(
        &self,
        caller: &Caller,
        ask: Ask<'_>,
        overrides: Option<&Context>,
    ) -> Result<Evaluated, KmsError> {
        let Ask {
            action,
            key,
            resource,
            context,
            candidate_policy,
            grant_tokens,
            encryption_context,
            create_grant,
            retire_grant,
        } = ask;
        crate::ops::grant::check_tokens(grant_tokens)?;
        let resource = match (key, resource) {
            (Some(k), _) => k.arn.as_str(),
            (None, Some(r)) => r,
            (None, None) => "*",
        };
        let (set, needed) = match candidate_policy {
            Some(p) => {
                let account = key.map_or(caller.account.as_str(), |k| k.account.as_str());
                let mut set = self.principal_policies(caller, account);
                set.resource.push(p.clone());
                if let Some(session) = caller.session.as_deref().and_then(|s| s.policy.as_ref()) {
                    set.session.push(session.clone());
                }
                let needed = Needed::of_set(&set);
                (Arc::new(set), needed)
            }
            None => {
                let set = self.policy_set(caller, key)?;
                let needed = self.key_keys.needed(&set);
                (set, needed)
            }
        };
        let needed = if overrides.is_some() { Needed::ALL } else { needed };
        // Test builds decide with every key too, and keep that context for the tests.
        #[cfg(test)]
        let everything = context.clone();
        let mut request = self.request(caller, action, resource, key, context, needed)?;
        override_keys(&mut request, overrides);
        request.grant_tokens = grant_tokens.to_vec();
        request.create_grant = create_grant;
        request.retire_grant_id = retire_grant.as_ref().map(|g| g.grant_id.clone());
        #[cfg(test)]
        let mut full = {
            let mut full = self.request(caller, action, resource, key, everything, Needed::ALL)?;
            override_keys(&mut full, overrides);
            full.grant_tokens.clone_from(&request.grant_tokens);
            full.create_grant.clone_from(&request.create_grant);
            full.retire_grant_id.clone_from(&request.retire_grant_id);
            capture::record(&full, &request.context, candidate_policy.is_some());
            full
        };
        let retiring: Vec<Grant> = retire_grant.into_iter().collect();

        let mut decision = decide(&set, &retiring, &request);
        if let Some(k) = key {
            decision =
                self.decide_with_grants(decision, &set, &mut request, k, encryption_context)?;
        }
        #[cfg(test)]
        {
            let mut decided = decide(&set, &retiring, &full);
            if let Some(k) = key {
                decided =
                    self.decide_with_grants(decided, &set, &mut full, k, encryption_context)?;
            }
            assert_eq!(
                decided, decision,
                "{action} on {resource}: the keys left out of the context ({needed:?} were \
                 built) changed the decision"
            );
        }
        Ok(Evaluated { decision, request })
    }

    /// The request to decide: `action` on `resource` by `caller`, with the operation's
    /// condition keys (`context`) and those of the keys the service adds that `needed`
    /// names.
    fn request(
        &self,
        caller: &Caller,
        action: &str,
        resource: &str,
        key: Option<&KeyRecord>,
        mut context: Context,
        needed: Needed,
    ) -> Result<Request, KmsError> {
        let mut request =
            Request::new(Dialect::Aws, &caller.arn, Some(&caller.account), action, resource);
        // A session's own keys (`SessionKeys`) come with it; a long-term access key has
        // none.
        add_needed_global_keys(
            &mut context,
            needed,
            caller,
            || self.clock.now_millis(),
            caller.session.as_deref().map(|s| &s.keys),
            || match self.principal_keys.get(caller.principal) {
                Some(p) => Arc::clone(p),
                None => {
                    let p = &self.identities.principals[caller.principal];
                    Arc::new(principal_keys(&self.identities, p))
                }
            },
        );
        if let Some(k) = key.filter(|_| needed.has(Needed::KEY)) {
            context.push_layer(self.key_keys.get(self.store.as_ref(), k)?);
        }
        request.context = context;
        // The request has no encryption context yet (grants read it later): only the keys
        // of the caller's ARN are derived here.
        if needed.has(Needed::DERIVED) {
            request.populate_derived_keys_where(|name| needed.has(Needed::of_derived(name)));
        }
        Ok(request)
    }

    /// The policies of the caller: identity policies, boundary and the SCPs of its
    /// account's organization path; and the RCPs of the account that owns the resource.
    fn principal_policies(&self, caller: &Caller, resource_account: &str) -> PolicySet {
        let principal = &self.identities.principals[caller.principal];
        PolicySet {
            identity: principal.policies.clone(),
            boundary: principal.boundary.iter().cloned().collect(),
            scp_levels: self.identities.scp_levels(&caller.account),
            rcp_levels: self.identities.rcp_levels(resource_account),
            ..PolicySet::default()
        }
    }

    /// The caller's policies with the key's policy and the session's, built once per
    /// principal, key revision and session with a policy: identities do not change while
    /// the service runs, every change to a key policy makes a new revision, and a session's
    /// policy is fixed when the session is made.
    fn policy_set(
        &self,
        caller: &Caller,
        key: Option<&KeyRecord>,
    ) -> Result<Arc<PolicySet>, KmsError> {
        let session = caller.session.as_deref().filter(|s| s.policy.is_some());
        let parts: SetKeyParts<'_> = (
            caller.principal,
            key.map(|k| (k.arn.as_str(), k.revision)),
            session.map(|s| s.access_key_id.as_str()),
        );
        if let Ok(cache) = self.policy_sets.lock() {
            if let Some(set) = cache.get(&parts as &dyn SetKey) {
                return Ok(Arc::clone(set));
            }
        }
        let account = key.map_or(caller.account.as_str(), |k| k.account.as_str());
        let mut set = self.principal_policies(caller, account);
        if let Some(k) = key {
            set.resource.push((*self.key_policy(k)?).clone());
        }
        if let Some(p) = session.and_then(|s| s.policy.as_ref()) {
            set.session.push(p.clone());
        }
        let set = Arc::new(set);
        if let Ok(mut cache) = self.policy_sets.lock() {
            if cache.len() > 10_000 {
                cache.clear();
            }
            let cache_key = PolicySetKey {
                principal: caller.principal,
                key: key.map(|k| (k.arn.clone(), k.revision)),
                session: session.map(|s| s.access_key_id.clone()),
            };
            cache.insert(cache_key, Arc::clone(&set));
        }
        Ok(set)
    }

    /// The parsed key policy, cached per key revision.
    fn key_policy(&self, k: &KeyRecord) -> Result<Arc<Policy>, KmsError> {
        let cache_key = (k.arn.clone(), k.revision);
        if let Ok(cache) = self.policy_cache.lock() {
            if let Some(p) = cache.get(&cache_key) {
                return Ok(Arc::clone(p));
            }
        }
        let policy = Arc::new(Policy::parse(Dialect::Aws, &k.policy).map_err(|e| {
            KmsError::internal(format!("stored key policy of {} does not parse: {e}", k.arn))
        })?);
        if let Ok(mut cache) = self.policy_cache.lock() {
            if cache.len() > 10_000 {
                cache.clear();
            }
            cache.insert(cache_key, Arc::clone(&policy));
        }
        Ok(policy)
    }
}

/// Replaces keys of `request`'s context with those of `overrides`.
fn override_keys(request: &mut Request, overrides: Option<&Context>) {
    if let Some(o) = overrides {
        for name in o.keys() {
            if let Some(v) = o.get(name) {
                request.context.insert(name, v.clone());
            }
        }
    }
}

/// `2024-06-01T12:00:00Z` for epoch milliseconds.
pub fn iso8601(millis: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(millis.div_euclid(1000))
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let (h, m, s) = t.to_hms();
    let Ok(year @ 0..=9999) = u16::try_from(t.year()) else {
        return format!(
            "{:04}-{:02}-{:02}T{h:02}:{m:02}:{s:02}Z",
            t.year(),
            u8::from(t.month()),
            t.day()
        );
    };
    // Digit by digit: every call formats it for its audit event, and the general formatter
    // costs several times more.
    let mut text = *b"0000-00-00T00:00:00Z";
    let two = |text: &mut [u8; 20], at: usize, n: u8| {
        text[at] = b'0' + n / 10;
        text[at + 1] = b'0' + n % 10;
    };
    // Both halves of the year are below 100.
    two(&mut text, 0, (year / 100) as u8);
    two(&mut text, 2, (year % 100) as u8);
    two(&mut text, 5, u8::from(t.month()));
    two(&mut text, 8, t.day());
    two(&mut text, 11, h);
    two(&mut text, 14, m);
    two(&mut text, 17, s);
    text.iter().map(|&b| char::from(b)).collect()
}

/// What the authorizer decided on, kept for tests: every request context built on this
/// thread while a capture is on. Only test builds have it; the service keeps nothing.
#[cfg(test)]
pub(crate) mod capture {
    use std::cell::RefCell;

    use coffer_policy::Context;
    use coffer_policy::request::Request;

    /// One authorization: its action, its resource, whether it asked about a hypothetical
    /// key policy (the lockout safety check) rather than the request itself, the context
    /// with every key (as a simulation shows it), and the context it was decided on (the
    /// keys its policies can read).
    #[derive(Clone, Debug)]
    pub(crate) struct Captured {
        pub action: String,
        pub resource: String,
        pub hypothetical: bool,
        pub context: Context,
        pub decided: Context,
    }

    thread_local! {
        static CAPTURED: RefCell<Option<Vec<Captured>>> = const { RefCell::new(None) };
    }

    /// Keeps `full`, the request with every key, and `decided`, the context decided on.
    pub(crate) fn record(full: &Request, decided: &Context, hypothetical: bool) {
        CAPTURED.with(|c| {
            if let Some(v) = c.borrow_mut().as_mut() {
                v.push(Captured {
                    action: full.action.clone(),
                    resource: full.resource.clone(),
                    hypothetical,
                    context: full.context.clone(),
                    decided: decided.clone(),
                });
            }
        });
    }

    /// Runs `f` and returns what it authorized, in order.
    pub(crate) fn during<T>(f: impl FnOnce() -> T) -> (T, Vec<Captured>) {
        CAPTURED.with(|c| *c.borrow_mut() = Some(Vec::new()));
        let out = f();
        let captured = CAPTURED.with(|c| c.borrow_mut().take()).unwrap_or_default();
        (out, captured)
    }
}

#[cfg(test)]
mod tests {
    use super::iso8601;

    #[test]
    fn iso8601_as_aws_writes_it() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso8601(1_795_447_604_900), "2026-11-23T15:26:44Z");
        assert_eq!(iso8601(951_782_400_000), "2000-02-29T00:00:00Z");
        assert_eq!(iso8601(-1), "1969-12-31T23:59:59Z");
        assert_eq!(iso8601(253_402_300_799_000), "9999-12-31T23:59:59Z");
        assert_eq!(iso8601(-62_167_219_200_000), "0000-01-01T00:00:00Z");
        assert_eq!(iso8601(-62_167_219_200_001), "-001-12-31T23:59:59Z");
    }
}
