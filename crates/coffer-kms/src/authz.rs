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

use std::collections::BTreeMap;
use std::sync::Arc;

use coffer_policy::decide::{PolicySet, decide};
use coffer_policy::decision::Decision;
use coffer_policy::request::{Grant, GrantRequest, Request};
use coffer_policy::{Context, ContextValue, Dialect, Policy};
use coffer_store::KeyRecord;

use crate::Kms;
use crate::caller::Caller;
use crate::err::KmsError;

/// What a cached policy set is built for: the principal's index, and the key's ARN and
/// revision when the action is on a key.
pub(crate) type PolicySetKey = (usize, Option<(String, u64)>);

/// Proof that the caller may perform an action (only this module can make one).
#[derive(Debug)]
pub struct Authorized(());

/// A decided request: the decision, and the request it was made for (its context holds
/// every condition key the decision saw).
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
    /// the request's and the key's ([`crate::condition_keys`]) — and decides it, with the
    /// grants on the key when the policies alone do not allow. `overrides` replace keys of
    /// the finished context (a simulation's "what if").
    pub(crate) fn evaluate(
        &self,
        caller: &Caller,
        ask: Ask<'_>,
        overrides: Option<&Context>,
    ) -> Result<Evaluated, KmsError> {
        crate::ops::grant::check_tokens(ask.grant_tokens)?;
        let resource = match (ask.key, ask.resource) {
            (Some(k), _) => k.arn.as_str(),
            (None, Some(r)) => r,
            (None, None) => "*",
        };
        let mut request =
            Request::new(Dialect::Aws, &caller.arn, Some(&caller.account), ask.action, resource);
        let mut ctx = ask.context;
        let computed;
        let principal = match self.principal_keys.get(caller.principal) {
            Some(p) => p,
            None => {
                let p = &self.identities.principals[caller.principal];
                computed = Arc::new(crate::condition_keys::principal_keys(&self.identities, p));
                &computed
            }
        };
        // A session's own keys (`SessionKeys`) come with it; a long-term access key has
        // none.
        crate::condition_keys::add_global_keys(
            &mut ctx,
            caller,
            self.clock.now_millis(),
            caller.session.as_deref().map(|s| &s.keys),
            principal,
        );
        if let Some(k) = ask.key {
            ctx.push_layer(self.key_keys.get(self.store.as_ref(), k)?);
        }
        request.context = ctx;
        request.populate_derived_keys();
        if let Some(o) = overrides {
            for name in o.keys() {
                if let Some(v) = o.get(name) {
                    request.context.insert(name, v.clone());
                }
            }
        }
        #[cfg(test)]
        capture::record(&request, ask.candidate_policy.is_some());
        request.grant_tokens = ask.grant_tokens.to_vec();
        request.create_grant = ask.create_grant;
        request.retire_grant_id = ask.retire_grant.as_ref().map(|g| g.grant_id.clone());
        let retiring: Vec<Grant> = ask.retire_grant.into_iter().collect();

        let set = match ask.candidate_policy {
            Some(p) => {
                let account = ask.key.map_or(caller.account.as_str(), |k| k.account.as_str());
                let mut set = self.principal_policies(caller, account);
                set.resource.push(p.clone());
                Arc::new(set)
            }
            None => self.policy_set(caller, ask.key)?,
        };
        // A session's policy is the session's own: it joins the principal's cached set.
        let set = match caller.session.as_deref().and_then(|s| s.policy.as_ref()) {
            Some(p) => {
                let mut with_session = (*set).clone();
                with_session.session.push(p.clone());
                Arc::new(with_session)
            }
            None => set,
        };
        let mut decision = decide(&set, &retiring, &request);
        if let Some(k) = ask.key {
            decision =
                self.decide_with_grants(decision, &set, &mut request, k, ask.encryption_context)?;
        }
        Ok(Evaluated { decision, request })
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

    /// The caller's policies with the key's policy, built once per principal and key
    /// revision: identities do not change while the service runs, and every change to a
    /// key policy makes a new revision.
    fn policy_set(
        &self,
        caller: &Caller,
        key: Option<&KeyRecord>,
    ) -> Result<Arc<PolicySet>, KmsError> {
        let cache_key = (caller.principal, key.map(|k| (k.arn.clone(), k.revision)));
        if let Ok(cache) = self.policy_sets.lock() {
            if let Some(set) = cache.get(&cache_key) {
                return Ok(Arc::clone(set));
            }
        }
        let account = key.map_or(caller.account.as_str(), |k| k.account.as_str());
        let mut set = self.principal_policies(caller, account);
        if let Some(k) = key {
            set.resource.push((*self.key_policy(k)?).clone());
        }
        let set = Arc::new(set);
        if let Ok(mut cache) = self.policy_sets.lock() {
            if cache.len() > 10_000 {
                cache.clear();
            }
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

/// `2024-06-01T12:00:00Z` for epoch milliseconds.
pub fn iso8601(millis: i64) -> String {
    // Written field by field: every call formats it twice (the condition key and the audit
    // event), and the general formatter costs several times more.
    let t = time::OffsetDateTime::from_unix_timestamp(millis.div_euclid(1000))
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let (h, m, s) = t.to_hms();
    format!("{:04}-{:02}-{:02}T{h:02}:{m:02}:{s:02}Z", t.year(), u8::from(t.month()), t.day())
}

/// What the authorizer decided on, kept for tests: every request context built on this
/// thread while a capture is on. Only test builds have it; the service keeps nothing.
#[cfg(test)]
pub(crate) mod capture {
    use std::cell::RefCell;

    use coffer_policy::Context;
    use coffer_policy::request::Request;

    /// One authorization: its action, its resource, whether it asked about a hypothetical
    /// key policy (the lockout safety check) rather than the request itself, and the
    /// context.
    #[derive(Clone, Debug)]
    pub(crate) struct Captured {
        pub action: String,
        pub resource: String,
        pub hypothetical: bool,
        pub context: Context,
    }

    thread_local! {
        static CAPTURED: RefCell<Option<Vec<Captured>>> = const { RefCell::new(None) };
    }

    pub(crate) fn record(request: &Request, hypothetical: bool) {
        CAPTURED.with(|c| {
            if let Some(v) = c.borrow_mut().as_mut() {
                v.push(Captured {
                    action: request.action.clone(),
                    resource: request.resource.clone(),
                    hypothetical,
                    context: request.context.clone(),
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
    }
}
