//! What is being decided: the caller, the action, the resource, the condition keys, and
//! the grants and grant-specific parameters of the request.
//!
//! Owns: `Request` and `Grant`, and reading a caller's identity out of its ARN/URN (the
//! account, the kind of principal, the role behind a session). Never: evaluate policies.

use std::collections::BTreeMap;

use crate::Dialect;
use crate::context::Context;
use crate::matching::fields;

/// The kind of identity making the request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallerKind {
    /// The account's root identity (AWS root user, Huawei account, Alibaba account owner).
    Root,
    /// A long-term user.
    User,
    /// A role (agency) itself.
    Role,
    /// A session of a role (`assumed-role`, `assumed-agency`).
    AssumedRole,
    /// An STS federated-user session.
    FederatedUser,
    /// A cloud service principal (`ec2.amazonaws.com`).
    Service,
    /// Unauthenticated.
    Anonymous,
}

/// The caller, read from its ARN/URN.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    /// The ARN/URN as given.
    pub arn: String,
    /// The account the caller belongs to.
    pub account: String,
    /// The kind of identity.
    pub kind: CallerKind,
    /// For a role session, the role's ARN/URN (AWS `aws:PrincipalArn`).
    pub role_arn: Option<String>,
    /// The user or role name, for `aws:username`-like keys.
    pub name: Option<String>,
}

impl Caller {
    /// Reads a caller from its ARN (AWS), URN (Huawei) or ARN (Alibaba).
    /// `account` is used when the name carries none (service principals).
    pub fn parse(dialect: Dialect, arn: &str, account: Option<&str>) -> Caller {
        // Parsed on every request: each string is copied once, when it is known.
        let fallback = account.unwrap_or_default();
        let account_of = |named: &str| if named.is_empty() { fallback } else { named }.to_owned();
        let mut caller = Caller {
            arn: arn.to_owned(),
            account: String::new(),
            kind: CallerKind::Anonymous,
            role_arn: None,
            name: None,
        };
        if arn.is_empty() || arn == "*" || arn.eq_ignore_ascii_case("anonymous") {
            caller.account = fallback.to_owned();
            return caller;
        }
        match dialect {
            Dialect::Aws => {
                // arn:partition:service::account:resource
                let Some(["arn", partition, service, _, acct, res]) = fields::<6>(arn) else {
                    caller.account = fallback.to_owned();
                    caller.kind = CallerKind::Service;
                    return caller;
                };
                caller.account = account_of(acct);
                match (service, res.split_once('/')) {
                    ("iam", None) if res == "root" => caller.kind = CallerKind::Root,
                    ("iam", Some(("user", rest))) => {
                        caller.kind = CallerKind::User;
                        caller.name = rest.rsplit('/').next().map(str::to_owned);
                    }
                    ("iam", Some(("role", rest))) => {
                        caller.kind = CallerKind::Role;
                        caller.name = rest.rsplit('/').next().map(str::to_owned);
                        caller.role_arn = Some(arn.to_owned());
                    }
                    ("sts", Some(("assumed-role", rest))) => {
                        caller.kind = CallerKind::AssumedRole;
                        if let Some((role, _session)) = rest.rsplit_once('/') {
                            caller.role_arn = Some(format!(
                                "arn:{partition}:iam::{}:role/{role}",
                                caller.account
                            ));
                            caller.name = Some(role.to_owned());
                        }
                    }
                    ("sts", Some(("federated-user", rest))) => {
                        caller.kind = CallerKind::FederatedUser;
                        caller.name = Some(rest.to_owned());
                    }
                    _ => caller.kind = CallerKind::User,
                }
            }
            Dialect::Huawei => {
                // iam::<account>:user:<name>, iam::<account>:root,
                // iam::<account>:agency:<name>, sts::<account>:assumed-agency:<agency>/<session>
                let parts: Vec<&str> = arn.splitn(5, ':').collect();
                if parts.len() < 4 {
                    caller.account = fallback.to_owned();
                    caller.kind = CallerKind::Service;
                    return caller;
                }
                let (service, acct) = (parts[0], parts[2]);
                caller.account = account_of(acct);
                let kind = parts[3];
                let rest = parts.get(4).copied().unwrap_or_default();
                match (service, kind) {
                    ("iam", "root") => caller.kind = CallerKind::Root,
                    ("iam", "user") => {
                        caller.kind = CallerKind::User;
                        caller.name = Some(rest.to_owned());
                    }
                    ("iam", "agency") => {
                        caller.kind = CallerKind::Role;
                        caller.role_arn = Some(arn.to_owned());
                        caller.name = Some(rest.to_owned());
                    }
                    ("sts", "assumed-agency") => {
                        caller.kind = CallerKind::AssumedRole;
                        if let Some((agency, _)) = rest.rsplit_once('/') {
                            caller.role_arn =
                                Some(format!("iam::{}:agency:{agency}", caller.account));
                            caller.name = Some(agency.to_owned());
                        }
                    }
                    _ => caller.kind = CallerKind::User,
                }
            }
            Dialect::Alibaba => {
                // acs:ram::<account>:user/<name>, acs:ram::<account>:root,
                // acs:ram::<account>:role/<name>, acs:sts::<account>:assumed-role/<role>/<session>
                let parts: Vec<&str> = arn.splitn(5, ':').collect();
                if parts.len() != 5 || parts[0] != "acs" {
                    caller.account = fallback.to_owned();
                    caller.kind = CallerKind::Service;
                    return caller;
                }
                let (service, acct, res) = (parts[1], parts[3], parts[4]);
                caller.account = account_of(acct);
                match (service, res.split_once('/')) {
                    ("ram", None) if res == "root" => caller.kind = CallerKind::Root,
                    ("ram", Some(("user", name))) => {
                        caller.kind = CallerKind::User;
                        caller.name = Some(name.to_owned());
                    }
                    ("ram", Some(("role", name))) => {
                        caller.kind = CallerKind::Role;
                        caller.role_arn = Some(arn.to_owned());
                        caller.name = Some(name.to_owned());
                    }
                    ("sts", Some(("assumed-role", rest))) => {
                        caller.kind = CallerKind::AssumedRole;
                        if let Some((role, _)) = rest.rsplit_once('/') {
                            caller.role_arn =
                                Some(format!("acs:ram::{}:role/{role}", caller.account));
                            caller.name = Some(role.to_owned());
                        }
                    }
                    _ => caller.kind = CallerKind::User,
                }
            }
        }
        caller
    }

    /// True for a role or federated session (session policies apply).
    pub fn is_session(&self) -> bool {
        matches!(self.kind, CallerKind::AssumedRole | CallerKind::FederatedUser)
    }
}

/// Grant constraints on the encryption context.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(expecting = "an object of grant constraints")]
pub struct GrantConstraints {
    /// The request's encryption context must equal this map.
    #[serde(rename = "EncryptionContextEquals", default, skip_serializing_if = "Option::is_none")]
    pub equals: Option<BTreeMap<String, String>>,
    /// Every pair of this map must be in the request's encryption context.
    #[serde(rename = "EncryptionContextSubset", default, skip_serializing_if = "Option::is_none")]
    pub subset: Option<BTreeMap<String, String>>,
}

impl GrantConstraints {
    /// True when the constraints hold for an encryption context. Keys compare without
    /// regard to case and values with it, as the current KMS API reference states.
    pub fn allow(&self, ec: &BTreeMap<String, String>) -> bool {
        let has =
            |k: &str, v: &str| ec.iter().any(|(ek, ev)| ek.eq_ignore_ascii_case(k) && ev == v);
        if let Some(eq) = &self.equals {
            if eq.len() != ec.len() || !eq.iter().all(|(k, v)| has(k, v)) {
                return false;
            }
        }
        if let Some(sub) = &self.subset {
            if !sub.iter().all(|(k, v)| has(k, v)) {
                return false;
            }
        }
        true
    }

    /// True when there is no constraint at all.
    pub fn is_empty(&self) -> bool {
        self.equals.is_none() && self.subset.is_none()
    }

    /// True when `child` is at least as strict as `self` (a grant created through a grant
    /// may only narrow its parent).
    pub fn narrowed_by(&self, child: &GrantConstraints) -> bool {
        let contains = |outer: &BTreeMap<String, String>, inner: &BTreeMap<String, String>| {
            inner
                .iter()
                .all(|(k, v)| outer.iter().any(|(ok, ov)| ok.eq_ignore_ascii_case(k) && ov == v))
        };
        if let Some(eq) = &self.equals {
            // The child must carry the identical Equals map.
            return child.equals.as_ref().is_some_and(|c| c.len() == eq.len() && contains(c, eq));
        }
        if let Some(sub) = &self.subset {
            return match (&child.equals, &child.subset) {
                (Some(c), _) => contains(c, sub),
                (None, Some(c)) => contains(c, sub),
                (None, None) => false,
            };
        }
        true
    }
}

/// A grant on a key.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(expecting = "a grant object")]
pub struct Grant {
    /// The grant's id.
    #[serde(rename = "GrantId", default)]
    pub grant_id: String,
    /// The key it is on (ARN, URN or id).
    #[serde(rename = "KeyId", default)]
    pub key_id: String,
    /// Who it allows.
    #[serde(rename = "GranteePrincipal", default)]
    pub grantee: String,
    /// Who may retire it.
    #[serde(rename = "RetiringPrincipal", default, skip_serializing_if = "Option::is_none")]
    pub retiring: Option<String>,
    /// The operations it allows (`Decrypt`, `GenerateDataKey`, ...).
    #[serde(rename = "Operations", default)]
    pub operations: Vec<String>,
    /// Encryption-context constraints.
    #[serde(rename = "Constraints", default, skip_serializing_if = "Option::is_none")]
    pub constraints: Option<GrantConstraints>,
    /// The account that created it (ARN of its root, or the account id).
    #[serde(rename = "IssuingAccount", default, skip_serializing_if = "Option::is_none")]
    pub issuing_account: Option<String>,
    /// Its grant token.
    #[serde(rename = "GrantToken", default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// Not yet consistent: usable only when its token is passed with the request.
    #[serde(rename = "Pending", default)]
    pub pending: bool,
}

/// The grant a CreateGrant request would create.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(expecting = "a grant request object")]
pub struct GrantRequest {
    /// The grantee.
    #[serde(rename = "GranteePrincipal", default)]
    pub grantee: String,
    /// The operations asked for.
    #[serde(rename = "Operations", default)]
    pub operations: Vec<String>,
    /// The constraints asked for.
    #[serde(rename = "Constraints", default)]
    pub constraints: Option<GrantConstraints>,
}

/// One request to decide.
#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    /// The dialect of the action and resource names.
    pub dialect: Dialect,
    /// Who calls.
    pub caller: Caller,
    /// The action (`kms:Decrypt`, `kms:cmk:decryptData`).
    pub action: String,
    /// The resource ARN/URN, or `*` for actions without resource-level permissions.
    pub resource: String,
    /// The condition keys.
    pub context: Context,
    /// The encryption context (for grant constraints).
    pub encryption_context: BTreeMap<String, String>,
    /// Grant tokens passed with the request.
    pub grant_tokens: Vec<String>,
    /// CreateGrant: the grant to be created.
    pub create_grant: Option<GrantRequest>,
    /// RetireGrant: the grant to be retired.
    pub retire_grant_id: Option<String>,
}

impl Request {
    /// A request with an empty context.
    pub fn new(
        dialect: Dialect,
        principal: &str,
        account: Option<&str>,
        action: &str,
        resource: &str,
    ) -> Request {
        Request {
            dialect,
            caller: Caller::parse(dialect, principal, account),
            action: action.to_owned(),
            resource: resource.to_owned(),
            context: Context::new(),
            encryption_context: BTreeMap::new(),
            grant_tokens: Vec::new(),
            create_grant: None,
            retire_grant_id: None,
        }
    }

    /// Adds the keys every request of this dialect carries and that follow from the
    /// caller and the encryption context, where the context does not already hold them:
    /// AWS `aws:PrincipalArn` (the role for a role session), `aws:PrincipalAccount`,
    /// `aws:PrincipalType`, `aws:username` (IAM users), `kms:CallerAccount`; Huawei
    /// `g:PrincipalUrn`, `g:PrincipalAccount`; every dialect
    /// `kms:EncryptionContext:<k>` and `kms:EncryptionContextKeys`.
    pub fn populate_derived_keys(&mut self) {
        self.populate_derived_keys_where(|_| true);
    }

    /// [`Request::populate_derived_keys`], of the keys of the caller that `wanted` accepts
    /// (given each name as written above, `aws:PrincipalArn`): a caller that knows which
    /// keys its policies can read builds only those. The keys of the encryption context
    /// are all added.
    pub fn populate_derived_keys_where(&mut self, wanted: impl Fn(&str) -> bool) {
        let c = &self.caller;
        let ctx = &mut self.context;
        let anonymous = c.kind == CallerKind::Anonymous;
        match self.dialect {
            Dialect::Aws if !anonymous => {
                if wanted("aws:PrincipalArn") {
                    ctx.set_default(
                        "aws:PrincipalArn",
                        c.role_arn.clone().unwrap_or_else(|| c.arn.clone()),
                    );
                }
                if !c.account.is_empty() {
                    if wanted("aws:PrincipalAccount") {
                        ctx.set_default("aws:PrincipalAccount", c.account.clone());
                    }
                    if self.action.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("kms:"))
                        && wanted("kms:CallerAccount")
                    {
                        ctx.set_default("kms:CallerAccount", c.account.clone());
                    }
                }
                let kind = match c.kind {
                    CallerKind::Root => Some("Account"),
                    CallerKind::User => Some("User"),
                    CallerKind::AssumedRole | CallerKind::Role => Some("AssumedRole"),
                    CallerKind::FederatedUser => Some("FederatedUser"),
                    CallerKind::Service => Some("Service"),
                    CallerKind::Anonymous => None,
                };
                if let Some(kind) = kind.filter(|_| wanted("aws:PrincipalType")) {
                    ctx.set_default("aws:PrincipalType", kind);
                }
                if c.kind == CallerKind::User && wanted("aws:username") {
                    if let Some(name) = &c.name {
                        ctx.set_default("aws:username", name.clone());
                    }
                }
            }
            Dialect::Huawei if !anonymous => {
                if wanted("g:PrincipalUrn") {
                    ctx.set_default("g:PrincipalUrn", c.arn.clone());
                }
                if !c.account.is_empty() && wanted("g:PrincipalAccount") {
                    ctx.set_default("g:PrincipalAccount", c.account.clone());
                }
            }
            _ => {}
        }
        if !self.encryption_context.is_empty() {
            for (k, v) in &self.encryption_context {
                ctx.set_default(&format!("kms:EncryptionContext:{k}"), v.clone());
            }
            let keys: Vec<String> = self.encryption_context.keys().cloned().collect();
            ctx.set_default_multi("kms:EncryptionContextKeys", keys);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aws_callers() {
        let c =
            Caller::parse(Dialect::Aws, "arn:aws:sts::111122223333:assumed-role/Admin/s1", None);
        assert_eq!(c.kind, CallerKind::AssumedRole);
        assert_eq!(c.account, "111122223333");
        assert_eq!(c.role_arn.as_deref(), Some("arn:aws:iam::111122223333:role/Admin"));
        let c = Caller::parse(Dialect::Aws, "arn:aws:iam::111122223333:user/dev/alice", None);
        assert_eq!((c.kind, c.name.as_deref()), (CallerKind::User, Some("alice")));
        assert_eq!(
            Caller::parse(Dialect::Aws, "arn:aws:iam::111122223333:root", None).kind,
            CallerKind::Root
        );
        let s = Caller::parse(Dialect::Aws, "ec2.amazonaws.com", Some("111122223333"));
        assert_eq!((s.kind, s.account.as_str()), (CallerKind::Service, "111122223333"));
        // Five fields are not an ARN; an ARN without an account takes the one given.
        let s = Caller::parse(Dialect::Aws, "arn:aws:iam::111122223333", Some("444455556666"));
        assert_eq!((s.kind, s.account.as_str()), (CallerKind::Service, "444455556666"));
        let c = Caller::parse(Dialect::Aws, "arn:aws:iam:::user/a:b/bob", Some("444455556666"));
        assert_eq!(c.account, "444455556666");
        assert_eq!((c.kind, c.name.as_deref()), (CallerKind::User, Some("bob")));
        let c = Caller::parse(Dialect::Aws, "arn:aws:iam::111122223333:role/ops/Admin", None);
        assert_eq!((c.kind, c.name.as_deref()), (CallerKind::Role, Some("Admin")));
        assert_eq!(c.role_arn.as_deref(), Some("arn:aws:iam::111122223333:role/ops/Admin"));
        let c = Caller::parse(Dialect::Aws, "Anonymous", Some("111122223333"));
        assert_eq!((c.kind, c.account.as_str()), (CallerKind::Anonymous, "111122223333"));
    }

    #[test]
    fn derived_keys_are_built_as_wanted() {
        let alice = || {
            let arn = "arn:aws:iam::111122223333:user/alice";
            Request::new(Dialect::Aws, arn, None, "kms:Encrypt", "*")
        };
        let mut all = alice();
        all.populate_derived_keys();
        assert_eq!(all.context.keys().count(), 5);
        let mut some = alice();
        some.populate_derived_keys_where(|k| k == "aws:PrincipalArn" || k == "aws:username");
        let mut keys: Vec<&str> = some.context.keys().collect();
        keys.sort_unstable();
        assert_eq!(keys, ["aws:principalarn", "aws:username"]);
        assert_eq!(some.context.get("aws:principalarn"), all.context.get("aws:principalarn"));
        assert_eq!(some.context.get("aws:username"), all.context.get("aws:username"));
        let mut none = alice();
        none.encryption_context.insert("dept".into(), "it".into());
        none.populate_derived_keys_where(|_| false);
        let mut keys: Vec<&str> = none.context.keys().collect();
        keys.sort_unstable();
        assert_eq!(keys, ["kms:encryptioncontext:dept", "kms:encryptioncontextkeys"]);
    }

    #[test]
    fn huawei_and_alibaba_callers() {
        let c = Caller::parse(Dialect::Huawei, "sts::0970dd7a:assumed-agency:ops/s", None);
        assert_eq!(c.kind, CallerKind::AssumedRole);
        assert_eq!(c.role_arn.as_deref(), Some("iam::0970dd7a:agency:ops"));
        let c = Caller::parse(Dialect::Alibaba, "acs:ram::123456:user/bob", None);
        assert_eq!((c.kind, c.account.as_str()), (CallerKind::User, "123456"));
        assert_eq!(
            Caller::parse(Dialect::Alibaba, "acs:ram::123456:root", None).kind,
            CallerKind::Root
        );
    }

    #[test]
    fn constraints() {
        let ec = |pairs: &[(&str, &str)]| {
            pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<BTreeMap<_, _>>()
        };
        let eq = GrantConstraints { equals: Some(ec(&[("Dept", "IT")])), subset: None };
        assert!(eq.allow(&ec(&[("dept", "IT")])));
        assert!(!eq.allow(&ec(&[("Dept", "it")])));
        assert!(!eq.allow(&ec(&[("Dept", "IT"), ("x", "y")])));
        let sub = GrantConstraints { equals: None, subset: Some(ec(&[("Dept", "IT")])) };
        assert!(sub.allow(&ec(&[("Dept", "IT"), ("x", "y")])));
        assert!(!sub.allow(&ec(&[])));
        // Narrowing.
        assert!(sub.narrowed_by(&GrantConstraints {
            equals: Some(ec(&[("Dept", "IT"), ("a", "b")])),
            subset: None
        }));
        assert!(!sub.narrowed_by(&GrantConstraints::default()));
        assert!(!eq.narrowed_by(&sub));
        assert!(eq.narrowed_by(&eq));
        assert!(GrantConstraints::default().narrowed_by(&GrantConstraints::default()));
    }
}
