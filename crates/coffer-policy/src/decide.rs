//! The decision flow of each cloud, as its documentation states it.
//!
//! Owns: which statements apply to a request (action, resource, principal, conditions),
//! and how the clouds combine policy kinds: explicit deny anywhere wins; every RCP and
//! SCP level must allow; the KMS key policy and a role's trust policy with their
//! delegation rule; identity policies, permission boundaries and session policies; grants;
//! cross-account rules. Never: I/O,
//! clocks or allocation it can avoid — the policies arrive compiled, and the scan keeps
//! only statement indices until the reasons are built.
//!
//! Decisions the documentation leaves open, and what this module does:
//! - An organization level with no policy attached behaves as if the full-access policy
//!   were attached (clouds forbid detaching the last one, so an empty level means "no
//!   restriction here").
//! - A deny in the key policy still blocks `RetireGrant`; only its allows are ignored.
//! - A role's trust policy is, like a KMS key policy, a resource policy that must allow:
//!   an identity policy alone never lets a caller assume a role (`sts:*` on an IAM role
//!   ARN). Give it as the resource policy after [`Policy::for_role_trust`].
//! - A grant to a caller of another account allows without that account's IAM allow
//!   (KMS: "if a grant or IAM policy in your account allows you").
//! - Huawei and Alibaba have no documented permissions boundary; when a case gives one it
//!   bounds the identity path as on AWS.
//! - Alibaba's gates are sequential (control policy, then session policy, then identity
//!   and resource policies), so an implicit deny by a control policy is final even when
//!   an identity policy would explicitly deny.

use crate::Dialect;
use crate::decision::{Decision, PolicyKind, Reason};
use crate::matching::{Case, fields, find, nth_field};
use crate::model::{Effect, Policy, PrincipalKind, PrincipalSpec, Statement};
use crate::request::{Caller, CallerKind, Grant, Request};

/// The policies that apply to one request.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PolicySet {
    /// Identity-based policies of the caller (user, groups, role).
    pub identity: Vec<Policy>,
    /// Resource-based policies of the resource (the KMS key policy).
    pub resource: Vec<Policy>,
    /// Service control policies, one list per organization level, root first.
    pub scp_levels: Vec<Vec<Policy>>,
    /// Resource control policies of the resource's account, one list per organization
    /// level, root first.
    pub rcp_levels: Vec<Vec<Policy>>,
    /// The caller's permissions boundary.
    pub boundary: Vec<Policy>,
    /// Session policies passed when the session was created.
    pub session: Vec<Policy>,
}

/// AWS KMS actions that may be used on a key of another account.
const CROSS_ACCOUNT_OPS: &[&str] = &[
    "Encrypt",
    "Decrypt",
    "ReEncryptFrom",
    "ReEncryptTo",
    "ReEncrypt*",
    "GenerateDataKey",
    "GenerateDataKeyWithoutPlaintext",
    "GenerateDataKeyPair",
    "GenerateDataKeyPairWithoutPlaintext",
    "GenerateMac",
    "VerifyMac",
    "Sign",
    "Verify",
    "GetPublicKey",
    "DeriveSharedSecret",
    "DescribeKey",
    "CreateGrant",
    "ListGrants",
    "RetireGrant",
    "RevokeGrant",
    "GetKeyRotationStatus",
];

/// AWS operations whose grant constraints are checked (they take an encryption context).
const EC_OPS: &[&str] = &[
    "Encrypt",
    "Decrypt",
    "ReEncryptFrom",
    "ReEncryptTo",
    "GenerateDataKey",
    "GenerateDataKeyWithoutPlaintext",
    "GenerateDataKeyPair",
    "GenerateDataKeyPairWithoutPlaintext",
    "CreateGrant",
];

/// Huawei grant operations and the identity-policy actions they stand for.
const HUAWEI_GRANT_OPS: &[(&str, &str)] = &[
    ("create-datakey", "kms:cmk:createDataKey"),
    ("create-datakey-without-plaintext", "kms:cmk:createDataKeyWithoutPlaintext"),
    ("encrypt-datakey", "kms:cmk:encryptDataKey"),
    ("decrypt-datakey", "kms:cmk:decryptDataKey"),
    ("describe-key", "kms:cmk:get"),
    ("create-grant", "kms:cmk:createGrant"),
    ("retire-grant", "kms:cmk:retireGrant"),
    ("encrypt-data", "kms:cmk:encryptData"),
    ("decrypt-data", "kms:cmk:decryptData"),
];

/// Decides a request. Pure: the same inputs always give the same decision.
pub fn decide(set: &PolicySet, grants: &[Grant], req: &Request) -> Decision {
    match req.dialect {
        Dialect::Aws => decide_aws(set, grants, req),
        Dialect::Huawei => decide_huawei(set, grants, req),
        Dialect::Alibaba => decide_alibaba(set, grants, req),
    }
}

/// How a resource-policy statement names the caller; the AWS flow treats them differently.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Named {
    /// The caller's account (delegates to the account's identity policies).
    Account,
    /// The role behind the caller's session (subject to boundary and session policy).
    Role,
    /// `*`, the caller itself, its session, or its service: allows on its own.
    Direct,
}

/// Statement indices that applied, per policy.
#[derive(Default)]
struct Hits {
    /// (policy index, statement index)
    allow: Few<(usize, usize)>,
    deny: Few<(usize, usize)>,
    /// For resource policies: the ways Allows named the caller, one bit per [`Named`].
    named: u8,
}

impl Hits {
    fn allows(&self) -> bool {
        !self.allow.is_empty()
    }
    fn denies(&self) -> bool {
        !self.deny.is_empty()
    }
    fn named(&self, n: Named) -> bool {
        self.named & (1 << n as u8) != 0
    }
}

/// A list kept inline up to `N` items and on the heap beyond: a request meets only a few
/// applicable statements per policy kind, and a few organization levels, and these lists
/// are built on every request.
#[derive(Clone, Debug)]
struct Few<T, const N: usize = 4> {
    len: usize,
    inline: [T; N],
    heap: Vec<T>,
}

impl<T: Default, const N: usize> Default for Few<T, N> {
    fn default() -> Few<T, N> {
        Few { len: 0, inline: std::array::from_fn(|_| T::default()), heap: Vec::new() }
    }
}

impl<T: Default, const N: usize> Few<T, N> {
    fn push(&mut self, item: T) {
        if self.len < N {
            self.inline[self.len] = item;
        } else {
            if self.heap.is_empty() {
                self.heap.extend(self.inline.iter_mut().map(std::mem::take));
            }
            self.heap.push(item);
        }
        self.len += 1;
    }
}

impl<T, const N: usize> std::ops::Deref for Few<T, N> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        if self.len <= N { &self.inline[..self.len] } else { &self.heap }
    }
}

struct Ctx<'a> {
    req: &'a Request,
    /// Whether a permissions boundary is attached (NotPrincipal + Deny always applies then).
    has_boundary: bool,
}

fn scan(policies: &[Policy], cx: &Ctx<'_>, resource_policy: bool) -> Hits {
    let mut hits = Hits::default();
    for (pi, p) in policies.iter().enumerate() {
        for s in &p.statements {
            let named = if resource_policy {
                match principal_match(s.principal.as_ref(), cx, p.dialect) {
                    Some(n) => Some(n),
                    None => continue,
                }
            } else {
                None
            };
            if !statement_applies(s, p, cx.req) {
                continue;
            }
            match s.effect {
                Effect::Allow => {
                    hits.allow.push((pi, s.index));
                    if let Some(n) = named {
                        hits.named |= 1 << n as u8;
                    }
                }
                Effect::Deny => hits.deny.push((pi, s.index)),
            }
        }
    }
    hits
}

/// Action, resource and conditions (the principal is checked by the caller of this).
fn statement_applies(s: &Statement, p: &Policy, req: &Request) -> bool {
    let Some(action) = &s.action else { return false };
    let hit = action.patterns.iter().any(|pat| pat.matches_plain(&req.action, Case::Insensitive));
    if hit == action.negated {
        return false;
    }
    match &s.resource {
        // Huawei: a statement without Resource covers every resource. AWS: no effect.
        None => {
            if p.dialect != Dialect::Huawei {
                return false;
            }
        }
        Some(r) => {
            // A policy variable without a value matches no resource.
            let hit = r
                .patterns
                .iter()
                .any(|pat| pat.matches(&req.resource, Case::Sensitive, &req.context) == Some(true));
            if hit == r.negated {
                return false;
            }
        }
    }
    s.conditions.iter().all(|c| c.evaluate(&req.context))
}

/// How the statement's `Principal`/`NotPrincipal` names the caller, if it does.
fn principal_match(spec: Option<&PrincipalSpec>, cx: &Ctx<'_>, dialect: Dialect) -> Option<Named> {
    let spec = spec?;
    let caller = &cx.req.caller;
    if spec.negated {
        // NotPrincipal walks the caller's chain (account, role, session or user): the
        // statement applies when any link is not listed. With a boundary attached, AWS
        // documents that a NotPrincipal Deny always applies.
        if cx.has_boundary {
            return Some(Named::Direct);
        }
        let listed = |want: &str| spec.entries.iter().any(|(_, v)| v == want);
        let account_listed =
            spec.entries.iter().any(|(_, v)| names_account(v, &caller.account, dialect));
        let mut chain_all_listed = account_listed;
        if let Some(role) = &caller.role_arn {
            chain_all_listed &= listed(role);
        }
        if caller.kind != CallerKind::Root {
            chain_all_listed &= listed(&caller.arn);
        }
        return (!chain_all_listed).then_some(Named::Direct);
    }
    let mut best: Option<Named> = None;
    for (kind, value) in &spec.entries {
        let n = match kind {
            _ if value == "*" => Some(Named::Direct),
            PrincipalKind::Service => (caller.kind == CallerKind::Service && *value == caller.arn)
                .then_some(Named::Direct),
            PrincipalKind::Aws | PrincipalKind::Ram | PrincipalKind::Iam => {
                if *value == caller.arn && caller.kind != CallerKind::Root {
                    Some(Named::Direct)
                } else if caller.role_arn.as_deref() == Some(value.as_str()) {
                    Some(Named::Role)
                } else if names_account(value, &caller.account, dialect) {
                    Some(Named::Account)
                } else {
                    None
                }
            }
            PrincipalKind::Federated | PrincipalKind::CanonicalUser => {
                (*value == caller.arn).then_some(Named::Direct)
            }
        };
        best = best.max(n);
    }
    best
}

/// True when a principal value names the account (`"A"`, `arn:aws:iam::A:root`,
/// `acs:ram::A:root`, `iam::A:root`).
fn names_account(value: &str, account: &str, dialect: Dialect) -> bool {
    if account.is_empty() {
        return false;
    }
    if value == account {
        return true;
    }
    match dialect {
        Dialect::Aws => value
            .strip_suffix(":root")
            .and_then(|v| v.strip_prefix("arn:"))
            .and_then(|v| find(v, 0, ":iam::").map(|at| &v[at + ":iam::".len()..]))
            .is_some_and(|a| a == account),
        Dialect::Alibaba => {
            value.strip_prefix("acs:ram::").and_then(|v| v.strip_suffix(":root")) == Some(account)
        }
        Dialect::Huawei => {
            value.strip_prefix("iam::").and_then(|v| v.strip_suffix(":root")) == Some(account)
        }
    }
}

/// Builds reasons from hits.
fn reasons(
    out: &mut Vec<Reason>,
    policies: &[Policy],
    kind: PolicyKind,
    level: Option<usize>,
    idx: &[(usize, usize)],
    effect: Effect,
) {
    for &(pi, si) in idx {
        let p = &policies[pi];
        let sid = p.statements.iter().find(|s| s.index == si).and_then(|s| s.sid.clone());
        out.push(Reason::Statement {
            policy_kind: kind,
            policy_index: pi,
            policy_name: p.name.clone(),
            level,
            sid,
            statement_index: si,
            effect,
        });
    }
}

/// The organization levels of one guardrail kind that apply (an empty level allows
/// everything).
struct Levels<'s> {
    levels: &'s [Vec<Policy>],
    kind: PolicyKind,
    hits: Few<Hits, 8>,
}

impl<'s> Levels<'s> {
    /// The SCP levels of the caller's account.
    fn scan(set: &'s PolicySet, cx: &Ctx<'_>) -> Levels<'s> {
        Levels::scan_kind(&set.scp_levels, PolicyKind::Scp, cx)
    }
    fn scan_kind(levels: &'s [Vec<Policy>], kind: PolicyKind, cx: &Ctx<'_>) -> Levels<'s> {
        let mut hits = Few::default();
        for level in levels {
            hits.push(scan(level, cx, false));
        }
        Levels { levels, kind, hits }
    }
    /// No level at all (what a request that guardrails do not bind sees).
    fn none(kind: PolicyKind) -> Levels<'s> {
        Levels { levels: &[], kind, hits: Few::default() }
    }
    fn denies(&self) -> bool {
        self.hits.iter().any(Hits::denies)
    }
    fn all_allow(&self) -> bool {
        self.hits.iter().zip(self.levels).all(|(h, l)| l.is_empty() || h.allows())
    }
    fn push(&self, out: &mut Vec<Reason>, effect: Effect) {
        for (i, (h, l)) in self.hits.iter().zip(self.levels).enumerate() {
            let idx = if effect == Effect::Allow { &h.allow } else { &h.deny };
            reasons(out, l, self.kind, Some(i), idx, effect);
        }
    }
}

/// Splits `kms:Decrypt` into its service and name (`kms:cmk:get` -> `kms`, `cmk:get`).
fn split_action(action: &str) -> (&str, &str) {
    action.split_once(':').unwrap_or(("", action))
}

/// The account field of a resource name, per dialect, if it has one.
fn resource_account(dialect: Dialect, resource: &str) -> Option<&str> {
    let field = match dialect {
        // arn:partition:service:region:account:resource
        Dialect::Aws => nth_field(resource, 4),
        // service:region:account:type:path
        Dialect::Huawei => nth_field(resource, 2),
        // acs:service:region:account:relative-id
        Dialect::Alibaba => nth_field(resource, 3),
    };
    field.filter(|a| !a.is_empty() && !a.contains(['*', '?']))
}

/// True when the resource is a KMS key of the dialect's naming.
fn is_key(dialect: Dialect, resource: &str) -> bool {
    match dialect {
        Dialect::Aws => fields::<6>(resource)
            .is_some_and(|p| p[0] == "arn" && p[2] == "kms" && p[5].starts_with("key/")),
        Dialect::Huawei => fields::<5>(resource)
            .is_some_and(|p| p[0] == "kms" && p[3].eq_ignore_ascii_case("KeyId")),
        Dialect::Alibaba => fields::<5>(resource)
            .is_some_and(|p| p[0] == "acs" && p[1] == "kms" && p[4].starts_with("key/")),
    }
}

/// True when the resource is an AWS IAM role (`arn:aws:iam::A:role/path/name`).
fn is_role(resource: &str) -> bool {
    fields::<6>(resource)
        .is_some_and(|p| p[0] == "arn" && p[2] == "iam" && p[5].starts_with("role/"))
}

/// The grant that allows the request, if any.
fn grant_allowing<'g>(
    grants: &'g [Grant],
    req: &Request,
    op: &str,
    identity_path: bool,
) -> Option<&'g Grant> {
    let caller = &req.caller;
    grants.iter().find(|g| {
        let key_ok = g.key_id == req.resource
            || req.resource.rsplit_once(['/', ':']).is_some_and(|(_, id)| id == g.key_id);
        if !key_ok {
            return false;
        }
        let grantee_ok =
            if g.grantee == caller.arn || caller.role_arn.as_deref() == Some(g.grantee.as_str()) {
                true
            } else {
                // A grant to an account delegates to that account's identity policies.
                names_account(&g.grantee, &caller.account, req.dialect) && identity_path
            };
        if !grantee_ok {
            return false;
        }
        let op_ok = g.operations.iter().any(|o| match req.dialect {
            Dialect::Huawei => {
                o.eq_ignore_ascii_case(op)
                    || HUAWEI_GRANT_OPS.iter().any(|(name, action)| {
                        o.eq_ignore_ascii_case(name) && action.eq_ignore_ascii_case(&req.action)
                    })
            }
            _ => o == op,
        });
        if !op_ok {
            return false;
        }
        if g.pending && !g.token.as_ref().is_some_and(|t| req.grant_tokens.contains(t)) {
            return false;
        }
        let constraints_ok = match &g.constraints {
            Some(c)
                if req.dialect == Dialect::Aws && EC_OPS.contains(&op) && op != "CreateGrant" =>
            {
                c.allow(&req.encryption_context)
            }
            _ => true,
        };
        if !constraints_ok {
            return false;
        }
        let is_create_grant =
            op == "CreateGrant" || req.action.eq_ignore_ascii_case("kms:cmk:createGrant");
        match (&req.create_grant, is_create_grant) {
            (Some(child), true) => {
                let ops_ok = child.operations.iter().all(|o| g.operations.contains(o));
                let parent = g.constraints.clone().unwrap_or_default();
                let child_c = child.constraints.clone().unwrap_or_default();
                ops_ok && parent.narrowed_by(&child_c)
            }
            _ => true,
        }
    })
}

/// The identity path: identity allow (or root), boundary, session policy.
struct IdentityPath {
    identity: Hits,
    boundary: Hits,
    session: Hits,
    root: bool,
    boundary_ok: bool,
    session_ok: bool,
}

impl IdentityPath {
    fn scan(set: &PolicySet, cx: &Ctx<'_>) -> IdentityPath {
        let caller = &cx.req.caller;
        let identity = scan(&set.identity, cx, false);
        let boundary = scan(&set.boundary, cx, false);
        let session = scan(&set.session, cx, false);
        let root = caller.kind == CallerKind::Root;
        let boundary_ok = set.boundary.is_empty() || boundary.allows();
        // A session policy must allow; without one, a role session is not limited and a
        // federated-user session has nothing.
        let session_ok = if set.session.is_empty() {
            caller.kind != CallerKind::FederatedUser
        } else {
            session.allows()
        };
        IdentityPath { identity, boundary, session, root, boundary_ok, session_ok }
    }
    fn identity_allows(&self) -> bool {
        self.root || self.identity.allows()
    }
    fn ok(&self) -> bool {
        self.identity_allows() && self.boundary_ok && self.session_ok
    }
    fn denies(&self) -> bool {
        self.identity.denies() || self.boundary.denies() || self.session.denies()
    }
    /// The implicit deny of the first gate that failed.
    fn failure(&self, dialect: Dialect, action: &str) -> Decision {
        let kind = if !self.identity_allows() {
            PolicyKind::Identity
        } else if !self.boundary_ok {
            PolicyKind::Boundary
        } else {
            PolicyKind::Session
        };
        Decision::no_allow(dialect, kind, action)
    }
    fn push_allows(&self, out: &mut Vec<Reason>, set: &PolicySet, with_identity: bool) {
        if with_identity {
            if self.root && !self.identity.allows() {
                out.push(Reason::AccountRoot);
            }
            reasons(
                out,
                &set.identity,
                PolicyKind::Identity,
                None,
                &self.identity.allow,
                Effect::Allow,
            );
        }
        reasons(
            out,
            &set.boundary,
            PolicyKind::Boundary,
            None,
            &self.boundary.allow,
            Effect::Allow,
        );
        reasons(out, &set.session, PolicyKind::Session, None, &self.session.allow, Effect::Allow);
    }
}

/// Every applicable Deny, in the order the phrase names the first: SCP levels, RCPs,
/// identity policies, the resource policy, the boundary, session policies.
fn deny_reasons(
    set: &PolicySet,
    levels: &Levels<'_>,
    rcp: &Levels<'_>,
    id: &IdentityPath,
    res: &Hits,
) -> Vec<Reason> {
    let mut out = Vec::new();
    levels.push(&mut out, Effect::Deny);
    rcp.push(&mut out, Effect::Deny);
    for (policies, kind, hits) in [
        (&set.identity, PolicyKind::Identity, &id.identity),
        (&set.resource, PolicyKind::Resource, res),
        (&set.boundary, PolicyKind::Boundary, &id.boundary),
        (&set.session, PolicyKind::Session, &id.session),
    ] {
        reasons(&mut out, policies, kind, None, &hits.deny, Effect::Deny);
    }
    out
}

fn decide_aws(set: &PolicySet, grants: &[Grant], req: &Request) -> Decision {
    let cx = Ctx { req, has_boundary: !set.boundary.is_empty() };
    let (service, op) = split_action(&req.action);
    let is_kms = service.eq_ignore_ascii_case("kms");
    let key_op = is_kms && is_key(Dialect::Aws, &req.resource);
    let caller = &req.caller;
    let cross = resource_account(Dialect::Aws, &req.resource).is_some_and(|a| a != caller.account);
    let retire = is_kms && op.eq_ignore_ascii_case("RetireGrant") && req.retire_grant_id.is_some();
    if key_op && cross && !CROSS_ACCOUNT_OPS.iter().any(|o| o.eq_ignore_ascii_case(op)) {
        return Decision::not_cross_account(&req.action);
    }
    // Resource policies count for key operations and for other services' resources;
    // KMS actions on aliases or `*` are decided by IAM alone.
    let resource_applies = key_op || !is_kms;
    // A KMS key policy and a role's trust policy must allow: identity policies alone never
    // suffice, they only use what the resource policy delegates to the account.
    let mandatory = is_kms || (service.eq_ignore_ascii_case("sts") && is_role(&req.resource));

    // 1. An applicable Deny anywhere.
    let levels = Levels::scan(set, &cx);
    let rcp = if retire {
        Levels::none(PolicyKind::Rcp)
    } else {
        Levels::scan_kind(&set.rcp_levels, PolicyKind::Rcp, &cx)
    };
    let id = IdentityPath::scan(set, &cx);
    let res = if resource_applies { scan(&set.resource, &cx, true) } else { Hits::default() };
    if levels.denies() || rcp.denies() || id.denies() || res.denies() {
        return Decision::explicit(Dialect::Aws, deny_reasons(set, &levels, &rcp, &id, &res));
    }
    // 2. RCPs of the resource's account: every level of its organization path.
    if !rcp.all_allow() {
        return Decision::no_allow(Dialect::Aws, PolicyKind::Rcp, &req.action);
    }
    // 3. SCPs: every level of the caller's organization path (not service principals).
    let scps_apply = caller.kind != CallerKind::Service;
    if scps_apply && !levels.all_allow() {
        return Decision::no_allow(Dialect::Aws, PolicyKind::Scp, &req.action);
    }
    let mut out = Vec::new();
    if scps_apply {
        levels.push(&mut out, Effect::Allow);
    }
    rcp.push(&mut out, Effect::Allow);

    // RetireGrant is authorized by the grant itself.
    if retire {
        let grant = req
            .retire_grant_id
            .as_deref()
            .and_then(|gid| grants.iter().find(|g| g.grant_id == gid));
        if let Some(g) = grant {
            let me = |p: &str| p == caller.arn || caller.role_arn.as_deref() == Some(p);
            let retiring = g.retiring.as_deref().is_some_and(me);
            let grantee = me(&g.grantee) && g.operations.iter().any(|o| o == "RetireGrant");
            if retiring || grantee {
                out.push(Reason::Grant { grant_id: g.grant_id.clone() });
                return Decision::allow(out);
            }
            let issuing = g.issuing_account.as_deref().map_or_else(
                || {
                    resource_account(Dialect::Aws, &req.resource)
                        .is_some_and(|a| a == caller.account)
                },
                |a| names_account(a, &caller.account, Dialect::Aws),
            );
            if issuing && id.ok() {
                id.push_allows(&mut out, set, true);
                return Decision::allow(out);
            }
        }
        return if id.ok() {
            Decision::no_allow(Dialect::Aws, PolicyKind::Identity, &req.action)
        } else {
            id.failure(Dialect::Aws, &req.action)
        };
    }

    if !resource_applies || (!mandatory && set.resource.is_empty()) {
        if id.ok() {
            id.push_allows(&mut out, set, true);
            return Decision::allow(out);
        }
        return id.failure(Dialect::Aws, &req.action);
    }

    let grant = if key_op { grant_allowing(grants, req, op, id.ok()) } else { None };
    let named = |n: Named| res.named(n);
    let push_res = |out: &mut Vec<Reason>| {
        reasons(out, &set.resource, PolicyKind::Resource, None, &res.allow, Effect::Allow);
    };
    if !cross {
        // KMS and role trust: identity policies alone never suffice; other services: they do.
        let via_identity = id.ok() && (named(Named::Account) || !mandatory);
        let via_resource =
            named(Named::Direct) || (named(Named::Role) && id.boundary_ok && id.session_ok);
        if via_identity || via_resource {
            push_res(&mut out);
            id.push_allows(&mut out, set, via_identity);
            return Decision::allow(out);
        }
        if let Some(g) = grant {
            out.push(Reason::Grant { grant_id: g.grant_id.clone() });
            return Decision::allow(out);
        }
        if !res.allows() {
            return if !mandatory && !id.ok() {
                id.failure(Dialect::Aws, &req.action)
            } else {
                Decision::no_allow(Dialect::Aws, PolicyKind::Resource, &req.action)
            };
        }
        return if named(Named::Account) {
            id.failure(Dialect::Aws, &req.action)
        } else if !id.boundary_ok {
            Decision::no_allow(Dialect::Aws, PolicyKind::Boundary, &req.action)
        } else {
            Decision::no_allow(Dialect::Aws, PolicyKind::Session, &req.action)
        };
    }
    // Cross-account: the resource's side (key policy or grant) and the caller's side
    // (identity path or grant) must both allow.
    let resource_side = res.allows() || grant.is_some();
    let identity_side = id.ok() || grant.is_some();
    if resource_side && identity_side {
        push_res(&mut out);
        if id.ok() {
            id.push_allows(&mut out, set, true);
        }
        if let Some(g) = grant {
            out.push(Reason::Grant { grant_id: g.grant_id.clone() });
        }
        return Decision::allow(out);
    }
    if !resource_side {
        return Decision::no_allow(Dialect::Aws, PolicyKind::Resource, &req.action);
    }
    id.failure(Dialect::Aws, &req.action)
}

fn decide_huawei(set: &PolicySet, grants: &[Grant], req: &Request) -> Decision {
    let d = Dialect::Huawei;
    let cx = Ctx { req, has_boundary: !set.boundary.is_empty() };
    let caller = &req.caller;
    let cross = resource_account(d, &req.resource).is_some_and(|a| a != caller.account);
    let levels = Levels::scan(set, &cx);
    let id = IdentityPath::scan(set, &cx);
    let res = scan(&set.resource, &cx, true);
    // Deny takes precedence over Allow in every policy type.
    if levels.denies() || id.denies() || res.denies() {
        let rcp = Levels::none(PolicyKind::Rcp);
        return Decision::explicit(d, deny_reasons(set, &levels, &rcp, &id, &res));
    }
    // SCPs only bound: every level must allow.
    if !levels.all_allow() {
        return Decision::no_allow(d, PolicyKind::Scp, &req.action);
    }
    let mut out = Vec::new();
    levels.push(&mut out, Effect::Allow);
    let (_, op) = split_action(&req.action);
    let grant =
        if is_key(d, &req.resource) { grant_allowing(grants, req, op, id.ok()) } else { None };
    let identity_side = id.ok();
    let resource_side = res.allows();
    let allowed = if cross {
        (resource_side || grant.is_some()) && (identity_side || grant.is_some())
    } else {
        identity_side || resource_side || grant.is_some()
    };
    if allowed {
        reasons(&mut out, &set.resource, PolicyKind::Resource, None, &res.allow, Effect::Allow);
        if identity_side {
            id.push_allows(&mut out, set, true);
        }
        if let Some(g) = grant {
            out.push(Reason::Grant { grant_id: g.grant_id.clone() });
        }
        return Decision::allow(out);
    }
    if cross && !resource_side && grant.is_none() && identity_side {
        return Decision::no_allow(d, PolicyKind::Resource, &req.action);
    }
    id.failure(d, &req.action)
}

fn decide_alibaba(set: &PolicySet, _grants: &[Grant], req: &Request) -> Decision {
    let d = Dialect::Alibaba;
    let cx = Ctx { req, has_boundary: !set.boundary.is_empty() };
    let caller: &Caller = &req.caller;
    let mut out = Vec::new();
    // 1. Control policies bind RAM identities, not the account owner.
    if caller.kind != CallerKind::Root {
        let levels = Levels::scan(set, &cx);
        if levels.denies() {
            levels.push(&mut out, Effect::Deny);
            return Decision::explicit(d, out);
        }
        if !levels.all_allow() {
            return Decision::no_allow(d, PolicyKind::Scp, &req.action);
        }
        levels.push(&mut out, Effect::Allow);
    }
    // 2. The session policy, when the session was given one.
    let id = IdentityPath::scan(set, &cx);
    if !set.session.is_empty() {
        if id.session.denies() {
            let mut deny = Vec::new();
            reasons(
                &mut deny,
                &set.session,
                PolicyKind::Session,
                None,
                &id.session.deny,
                Effect::Deny,
            );
            return Decision::explicit(d, deny);
        }
        if !id.session.allows() {
            return Decision::no_allow(d, PolicyKind::Session, &req.action);
        }
    }
    // 3. Identity-based and resource-based policies together.
    let res = scan(&set.resource, &cx, true);
    if id.identity.denies() || id.boundary.denies() || res.denies() {
        let mut deny = Vec::new();
        reasons(
            &mut deny,
            &set.identity,
            PolicyKind::Identity,
            None,
            &id.identity.deny,
            Effect::Deny,
        );
        reasons(&mut deny, &set.resource, PolicyKind::Resource, None, &res.deny, Effect::Deny);
        reasons(
            &mut deny,
            &set.boundary,
            PolicyKind::Boundary,
            None,
            &id.boundary.deny,
            Effect::Deny,
        );
        return Decision::explicit(d, deny);
    }
    let identity_side = id.identity_allows() && id.boundary_ok;
    let cross = resource_account(d, &req.resource).is_some_and(|a| a != caller.account);
    let allowed = if cross { identity_side && res.allows() } else { identity_side || res.allows() };
    if allowed {
        reasons(&mut out, &set.resource, PolicyKind::Resource, None, &res.allow, Effect::Allow);
        if identity_side {
            id.push_allows(&mut out, set, true);
        }
        return Decision::allow(out);
    }
    if cross && identity_side {
        return Decision::no_allow(d, PolicyKind::Resource, &req.action);
    }
    if id.identity_allows() {
        return Decision::no_allow(d, PolicyKind::Boundary, &req.action);
    }
    Decision::no_allow(d, PolicyKind::Identity, &req.action)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decision::Outcome;
    use proptest::prelude::*;
    use serde_json::{Value, json};

    #[test]
    fn short_lists_spill_to_the_heap_in_order() {
        let mut few: Few<usize, 2> = Few::default();
        assert!(few.is_empty());
        for i in 0..5 {
            few.push(i);
            assert_eq!(&*few, (0..=i).collect::<Vec<_>>().as_slice());
        }
    }

    const KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/k1";
    const FOREIGN_KEY: &str = "arn:aws:kms:us-east-1:444455556666:key/k2";

    fn statement() -> impl Strategy<Value = Value> {
        let action = prop::sample::select(vec![
            "kms:Decrypt",
            "kms:Encrypt",
            "kms:*",
            "kms:De*",
            "*",
            "kms:CreateKey",
        ]);
        let resource = prop::sample::select(vec![
            "*",
            KEY,
            "arn:aws:kms:*:111122223333:key/*",
            "arn:aws:kms:us-east-1:444455556666:key/*",
        ]);
        let principal = prop::sample::select(vec![
            "*",
            "arn:aws:iam::111122223333:root",
            "111122223333",
            "arn:aws:iam::111122223333:user/alice",
            "arn:aws:iam::111122223333:role/R",
            "arn:aws:iam::444455556666:root",
        ]);
        let condition = prop::sample::select(vec![
            json!(null),
            json!({"StringEquals": {"aws:username": "alice"}}),
            json!({"StringNotEquals": {"kms:EncryptionContext:dept": "it"}}),
            json!({"Bool": {"aws:SecureTransport": "true"}}),
            json!({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}),
            json!({"ForAllValues:StringEquals": {"kms:EncryptionContextKeys": ["dept"]}}),
        ]);
        (
            any::<bool>(),
            action,
            any::<bool>(),
            resource,
            any::<bool>(),
            principal,
            any::<bool>(),
            condition,
        )
            .prop_map(|(allow, a, not_a, r, not_r, p, not_p, c)| {
                let mut s = json!({"Effect": if allow { "Allow" } else { "Deny" }});
                s[if not_a { "NotAction" } else { "Action" }] = json!(a);
                s[if not_r { "NotResource" } else { "Resource" }] = json!(r);
                // Principal is only read from resource policies; NotPrincipal only with Deny.
                s[if not_p && !allow { "NotPrincipal" } else { "Principal" }] = json!({"AWS": p});
                if !c.is_null() {
                    s["Condition"] = c;
                }
                s
            })
    }

    fn policy_json() -> impl Strategy<Value = Value> {
        prop::collection::vec(statement(), 1..4)
            .prop_map(|stmts| json!({"Version": "2012-10-17", "Statement": stmts}))
    }

    fn parse_all(docs: &[Value]) -> Vec<Policy> {
        docs.iter().map(|d| Policy::from_value(Dialect::Aws, d).unwrap()).collect()
    }

    #[derive(Clone, Debug)]
    struct Docs {
        identity: Vec<Value>,
        resource: Vec<Value>,
        scp_levels: Vec<Vec<Value>>,
        rcp: Vec<Value>,
        boundary: Vec<Value>,
        session: Vec<Value>,
    }

    impl Docs {
        fn lists(&mut self) -> Vec<&mut Vec<Value>> {
            let mut out = vec![
                &mut self.identity,
                &mut self.resource,
                &mut self.rcp,
                &mut self.boundary,
                &mut self.session,
            ];
            out.extend(self.scp_levels.iter_mut());
            out
        }
        fn set(&self) -> PolicySet {
            PolicySet {
                identity: parse_all(&self.identity),
                resource: parse_all(&self.resource),
                scp_levels: self.scp_levels.iter().map(|l| parse_all(l)).collect(),
                rcp_levels: if self.rcp.is_empty() { vec![] } else { vec![parse_all(&self.rcp)] },
                boundary: parse_all(&self.boundary),
                session: parse_all(&self.session),
            }
        }
    }

    fn docs() -> impl Strategy<Value = Docs> {
        let list = |max| prop::collection::vec(policy_json(), 0..max);
        (
            list(3),
            list(3),
            prop::collection::vec(prop::collection::vec(policy_json(), 1..3), 0..3),
            list(2),
            list(2),
            list(2),
        )
            .prop_map(|(identity, resource, scp_levels, rcp, boundary, session)| Docs {
                identity,
                resource,
                scp_levels,
                rcp,
                boundary,
                session,
            })
    }

    fn request() -> impl Strategy<Value = Request> {
        let principal = prop::sample::select(vec![
            "arn:aws:iam::111122223333:user/alice",
            "arn:aws:iam::111122223333:root",
            "arn:aws:sts::111122223333:assumed-role/R/s",
            "arn:aws:sts::111122223333:federated-user/f",
            "arn:aws:iam::444455556666:user/bob",
        ]);
        let action = prop::sample::select(vec![
            "kms:Decrypt",
            "kms:Encrypt",
            "kms:CreateKey",
            "kms:ScheduleKeyDeletion",
        ]);
        let resource = prop::sample::select(vec![KEY, FOREIGN_KEY, "*"]);
        (principal, action, resource, any::<bool>(), any::<bool>(), any::<bool>()).prop_map(
            |(p, a, r, tls, ip, ec)| {
                let mut req = Request::new(Dialect::Aws, p, None, a, r);
                req.context.set("aws:SecureTransport", tls.to_string());
                if ip {
                    req.context.set("aws:SourceIp", "10.1.2.3");
                }
                if ec {
                    req.encryption_context.insert("dept".into(), "it".into());
                }
                req.populate_derived_keys();
                req
            },
        )
    }

    fn grants() -> impl Strategy<Value = Vec<Grant>> {
        let grantee = prop::sample::select(vec![
            "arn:aws:iam::111122223333:user/alice",
            "arn:aws:iam::111122223333:role/R",
            "arn:aws:iam::444455556666:user/bob",
        ]);
        let op = prop::sample::select(vec!["Decrypt", "Encrypt", "CreateGrant"]);
        prop::collection::vec((grantee, op, any::<bool>()), 0..3).prop_map(|gs| {
            gs.into_iter()
                .enumerate()
                .map(|(i, (g, op, constrained))| Grant {
                    grant_id: format!("g{i}"),
                    key_id: KEY.into(),
                    grantee: g.into(),
                    operations: vec![op.into()],
                    constraints: constrained.then(|| crate::request::GrantConstraints {
                        equals: None,
                        subset: Some([("dept".to_string(), "it".to_string())].into()),
                    }),
                    ..Grant::default()
                })
                .collect()
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn adding_a_deny_never_allows(d in docs(), req in request(), g in grants(), extra in statement(), pick in any::<prop::sample::Index>()) {
            let before = decide(&d.set(), &g, &req);
            let mut d2 = d.clone();
            let mut deny = extra;
            deny["Effect"] = json!("Deny");
            let mut lists = d2.lists();
            let n = lists.len();
            let list = &mut lists[pick.index(n)];
            if list.is_empty() {
                list.push(json!({"Version": "2012-10-17", "Statement": [deny]}));
            } else {
                let i = pick.index(list.len());
                list[i]["Statement"].as_array_mut().unwrap().push(deny);
            }
            let after = decide(&d2.set(), &g, &req);
            if before.decision != Outcome::Allow {
                prop_assert_ne!(after.decision, Outcome::Allow, "before {:?}\nafter {:?}", before, after);
            }
        }

        #[test]
        fn removing_an_allow_never_allows(d in docs(), req in request(), g in grants(), pick in any::<prop::sample::Index>()) {
            let before = decide(&d.set(), &g, &req);
            let mut d2 = d.clone();
            // Remove one Allow statement from a policy that keeps at least one statement.
            let mut removed = false;
            for list in d2.lists() {
                for doc in list.iter_mut() {
                    let stmts = doc["Statement"].as_array_mut().unwrap();
                    if stmts.len() > 1 {
                        if let Some(i) = stmts.iter().position(|s| s["Effect"] == "Allow") {
                            if !removed && pick.index(2) == 0 {
                                stmts.remove(i);
                                removed = true;
                            }
                        }
                    }
                }
            }
            let after = decide(&d2.set(), &g, &req);
            if before.decision != Outcome::Allow {
                prop_assert_ne!(after.decision, Outcome::Allow, "before {:?}\nafter {:?}", before, after);
            }
        }

        #[test]
        fn explicit_deny_has_deny_reasons(d in docs(), req in request(), g in grants()) {
            let dec = decide(&d.set(), &g, &req);
            if dec.decision == Outcome::ExplicitDeny {
                let all_deny = dec.reasons.iter().all(|r| matches!(r, Reason::Statement { effect: Effect::Deny, .. }));
                prop_assert!(all_deny, "{:?}", dec);
                prop_assert!(dec.phrase.as_deref().is_some_and(|p| p.starts_with("with an explicit deny in ")));
            }
        }
    }

    fn case(policies: Value, principal: &str, action: &str, resource: &str) -> Decision {
        let v = json!({"dialect": "aws", "policies": policies,
            "request": {"principal": principal, "action": action, "resource": resource}});
        crate::case::Case::from_json(&v).unwrap().evaluate()
    }

    fn allow_all_key_policy(principal: &str) -> Value {
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "kms:*", "Resource": "*"}]})
    }

    #[test]
    fn cross_account_needs_both_sides_and_a_supported_action() {
        let bob = "arn:aws:iam::444455556666:user/bob";
        let iam = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]});
        let kp = allow_all_key_policy("arn:aws:iam::444455556666:root");
        let both = case(
            json!({"resource": [kp.clone()], "identity": [iam.clone()]}),
            bob,
            "kms:Decrypt",
            KEY,
        );
        assert_eq!(both.decision, Outcome::Allow);
        let key_only = case(json!({"resource": [kp.clone()]}), bob, "kms:Decrypt", KEY);
        assert_eq!(
            key_only.phrase.as_deref(),
            Some("because no identity-based policy allows the kms:Decrypt action")
        );
        let iam_only = case(json!({"identity": [iam.clone()]}), bob, "kms:Decrypt", KEY);
        assert_eq!(
            iam_only.phrase.as_deref(),
            Some("because no resource-based policy allows the kms:Decrypt action")
        );
        let unsupported =
            case(json!({"resource": [kp], "identity": [iam]}), bob, "kms:ScheduleKeyDeletion", KEY);
        assert_eq!(unsupported.decision, Outcome::ImplicitDeny);
        assert!(matches!(unsupported.reasons[..], [Reason::CrossAccountNotSupported]));
    }

    #[test]
    fn role_named_in_key_policy_is_bounded_by_session_policy() {
        let session = "arn:aws:sts::111122223333:assumed-role/R/s";
        let kp = allow_all_key_policy("arn:aws:iam::111122223333:role/R");
        assert!(case(json!({"resource": [kp.clone()]}), session, "kms:Decrypt", KEY).is_allowed());
        let sp = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*"}]});
        let d = case(json!({"resource": [kp], "session": [sp]}), session, "kms:Decrypt", KEY);
        assert_eq!(
            d.phrase.as_deref(),
            Some("because no session policy allows the kms:Decrypt action")
        );
    }

    #[test]
    fn every_rcp_level_must_allow() {
        let full = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]});
        let deny = json!({"Version": "2012-10-17", "Statement": [{"Sid": "NoDecrypt", "Effect": "Deny", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"}]});
        let kp = allow_all_key_policy("arn:aws:iam::111122223333:user/alice");
        let alice = "arn:aws:iam::111122223333:user/alice";
        let levels = |l: Value| json!({"resource": [kp.clone()], "rcp_levels": l});
        // An empty level does not restrict; a full-access level allows.
        assert!(case(levels(json!([[], [full.clone()]])), alice, "kms:Decrypt", KEY).is_allowed());
        // A deny at the second level denies, and the reason names that level.
        let d =
            case(levels(json!([[full.clone()], [full.clone(), deny]])), alice, "kms:Decrypt", KEY);
        assert_eq!(d.phrase.as_deref(), Some("with an explicit deny in a resource control policy"));
        assert!(
            matches!(&d.reasons[0], Reason::Statement { level: Some(1), sid: Some(s), .. } if s == "NoDecrypt")
        );
        // A level whose policies allow nothing denies implicitly.
        let narrow = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "kms:Encrypt", "Resource": "*"}]});
        let d = case(levels(json!([[full], [narrow]])), alice, "kms:Decrypt", KEY);
        assert_eq!(
            d.phrase.as_deref(),
            Some("because no resource control policy allows the kms:Decrypt action")
        );
    }

    #[test]
    fn a_trust_policy_must_allow_assuming_a_role() {
        const ROLE: &str = "arn:aws:iam::111122223333:role/R";
        let alice = "arn:aws:iam::111122223333:user/alice";
        let trust = |principal: &str| json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}]});
        let iam = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": ROLE}]});
        // Naming the user: no identity policy needed (same account).
        assert!(case(json!({"trust": [trust(alice)]}), alice, "sts:AssumeRole", ROLE).is_allowed());
        // Naming the account: delegation, the identity policy must allow.
        let d = case(json!({"trust": [trust("111122223333")]}), alice, "sts:AssumeRole", ROLE);
        assert_eq!(
            d.phrase.as_deref(),
            Some("because no identity-based policy allows the sts:AssumeRole action")
        );
        assert!(
            case(
                json!({"trust": [trust("111122223333")], "identity": [iam.clone()]}),
                alice,
                "sts:AssumeRole",
                ROLE
            )
            .is_allowed()
        );
        // An identity policy alone never suffices.
        let d = case(
            json!({"trust": [trust("arn:aws:iam::111122223333:user/bob")], "identity": [iam.clone()]}),
            alice,
            "sts:AssumeRole",
            ROLE,
        );
        assert_eq!(
            d.phrase.as_deref(),
            Some("because no resource-based policy allows the sts:AssumeRole action")
        );
        let d = case(json!({"identity": [iam.clone()]}), alice, "sts:AssumeRole", ROLE);
        assert_eq!(d.decision, Outcome::ImplicitDeny);
        // Another account's caller needs both sides.
        let dave = "arn:aws:iam::444455556666:user/dave";
        let d = case(json!({"trust": [trust(dave)]}), dave, "sts:AssumeRole", ROLE);
        assert_eq!(d.decision, Outcome::ImplicitDeny);
        assert!(
            case(json!({"trust": [trust(dave)], "identity": [iam]}), dave, "sts:AssumeRole", ROLE)
                .is_allowed()
        );
        // Any other service keeps its rule: an identity policy alone suffices.
        let s3 = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]});
        assert!(
            case(json!({"identity": [s3]}), alice, "s3:GetObject", "arn:aws:s3:::b/k").is_allowed()
        );
    }

    #[test]
    fn explicit_deny_phrase_names_the_scp() {
        let scp = json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Sid": "NoDelete", "Effect": "Deny", "Action": "kms:ScheduleKeyDeletion", "Resource": "*"}]});
        let d = case(
            json!({"resource": [allow_all_key_policy("111122223333")], "scp": [scp]}),
            "arn:aws:iam::111122223333:root",
            "kms:ScheduleKeyDeletion",
            KEY,
        );
        assert_eq!(d.decision, Outcome::ExplicitDeny);
        assert_eq!(d.phrase.as_deref(), Some("with an explicit deny in a service control policy"));
        assert!(
            matches!(&d.reasons[0], Reason::Statement { sid: Some(s), level: Some(0), .. } if s == "NoDelete")
        );
    }
}
