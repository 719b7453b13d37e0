//! Authorization: every operation asks here before it acts.
//!
//! Owns: building the policy engine's request (the caller's ARN, the action, the resource,
//! the condition keys the service populates) and the policy set (the caller's identity
//! policies and boundary, the key policy, the SCPs of the caller's organization path),
//! the grants on the key when the policies alone do not allow, turning a denial into
//! AWS's AccessDenied message, and the `Authorized` proof that an operation which changes
//! state must hold. Never: decide itself — `coffer-policy` does.

use std::collections::BTreeMap;
use std::sync::Arc;

use coffer_policy::decide::{PolicySet, decide};
use coffer_policy::request::{Grant, GrantRequest, Request};
use coffer_policy::{Context, ContextValue, Dialect, Policy};
use coffer_store::{KeyRecord, StoreError};

use crate::Kms;
use crate::caller::Caller;
use crate::err::KmsError;

/// What a cached policy set is built for: the principal's index, and the key's ARN and
/// revision when the action is on a key.
pub(crate) type PolicySetKey = (usize, Option<(String, u64)>);

/// Proof that the caller may perform an action (only this module can make one).
#[derive(Debug)]
pub struct Authorized(());

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
        crate::ops::grant::check_tokens(ask.grant_tokens)?;
        let resource = match (ask.key, ask.resource) {
            (Some(k), _) => k.arn.as_str(),
            (None, Some(r)) => r,
            (None, None) => "*",
        };
        let principal = &self.identities.principals[caller.principal];
        let mut request =
            Request::new(Dialect::Aws, &caller.arn, Some(&caller.account), ask.action, resource);
        let mut ctx = ask.context;
        let now = self.clock.now_millis();
        ctx.set("aws:CurrentTime", iso8601(now));
        ctx.set("aws:EpochTime", (now / 1000).to_string());
        ctx.set("aws:RequestedRegion", caller.region.clone());
        ctx.set("aws:SecureTransport", caller.secure_transport.to_string());
        ctx.set("aws:ViaAWSService", "false");
        ctx.set("aws:PrincipalIsAWSService", "false");
        ctx.set("aws:userid", caller.access_key_id.clone());
        if let Some(ip) = &caller.source_ip {
            ctx.set("aws:SourceIp", ip.clone());
        }
        for (k, v) in &principal.tags {
            ctx.set(&format!("aws:PrincipalTag/{k}"), v.clone());
        }
        if let Some(org) =
            self.identities.accounts.get(&caller.account).filter(|a| !a.org_path.is_empty())
        {
            ctx.set("aws:PrincipalOrgID", org.org_path[0].clone());
            ctx.insert(
                "aws:PrincipalOrgPaths",
                ContextValue::Multi(vec![format!("{}/", org.org_path.join("/"))]),
            );
        }
        if let Some(k) = ask.key {
            ctx.set("kms:KeySpec", k.key_spec.clone());
            ctx.set("kms:KeyUsage", k.key_usage.clone());
            ctx.set("kms:KeyOrigin", k.origin.clone());
            ctx.set("kms:MultiRegion", "false");
            ctx.set("aws:ResourceAccount", k.account.clone());
            // A key being created is not stored yet: it has no tags or aliases.
            let tags = match self.store.tags(&k.account, &k.region, &k.key_id) {
                Err(StoreError::NotFound { .. }) => vec![],
                other => other?,
            };
            for t in tags {
                ctx.set(&format!("aws:ResourceTag/{}", t.key), t.value);
            }
            let aliases =
                self.store.list_aliases(&k.account, &k.region, Some(&k.key_id), None, 51)?;
            ctx.insert(
                "kms:ResourceAliases",
                ContextValue::Multi(aliases.items.into_iter().map(|a| a.name).collect()),
            );
        }
        request.context = ctx;
        request.populate_derived_keys();
        request.grant_tokens = ask.grant_tokens.to_vec();
        request.create_grant = ask.create_grant;
        request.retire_grant_id = ask.retire_grant.as_ref().map(|g| g.grant_id.clone());
        let retiring: Vec<Grant> = ask.retire_grant.into_iter().collect();

        let set = match ask.candidate_policy {
            Some(p) => {
                let mut set = self.principal_policies(caller);
                set.resource.push(p.clone());
                Arc::new(set)
            }
            None => self.policy_set(caller, ask.key)?,
        };
        let mut decision = decide(&set, &retiring, &request);
        if let Some(k) = ask.key {
            decision =
                self.decide_with_grants(decision, &set, &mut request, k, ask.encryption_context)?;
        }
        if decision.is_allowed() {
            caller.record(decision);
            return Ok(Authorized(()));
        }
        let message = decision.message(&caller.arn, ask.action, resource);
        caller.record(decision.clone());
        Err(KmsError::AccessDenied {
            message: message.unwrap_or_else(|| {
                format!(
                    "User: {} is not authorized to perform: {} on resource: {resource}",
                    caller.arn, ask.action
                )
            }),
            decision: Box::new(decision),
        })
    }

    /// The policies of the caller: identity policies, boundary and the SCPs of its
    /// account's organization path.
    fn principal_policies(&self, caller: &Caller) -> PolicySet {
        let principal = &self.identities.principals[caller.principal];
        PolicySet {
            identity: principal.policies.clone(),
            boundary: principal.boundary.iter().cloned().collect(),
            scp_levels: self.identities.scp_levels(&caller.account),
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
        let mut set = self.principal_policies(caller);
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
    let t = time::OffsetDateTime::from_unix_timestamp(millis.div_euclid(1000))
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let f = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    t.format(&f).unwrap_or_default()
}
