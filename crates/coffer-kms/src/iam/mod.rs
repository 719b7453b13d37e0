//! Identities: accounts, principals, their access keys, attached policies and boundaries,
//! groups, roles with their trust policies, and the organization's SCPs and RCPs.
//!
//! Owns: reading the identities file (JSON, or TOML by extension) into validated records,
//! looking up a principal by access key id or a role by ARN, the ARN of each principal, and the SCP and RCP levels that apply to an account. A user's identity
//! policies are its own followed by those of its groups. Never: verify signatures (the
//! front door does, with the secret this module hands it) or print a secret.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use coffer_crypto::Secret;
use coffer_policy::{Dialect, Policy};
use serde::Deserialize;

/// A cloud whose API an account speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Cloud {
    /// AWS: 12-digit account ids.
    Aws,
    /// Huawei Cloud: 32-hex-digit domain ids.
    Huawei,
    /// Alibaba Cloud: 16-digit account ids.
    #[serde(alias = "aliyun")]
    Alibaba,
}

impl Cloud {
    /// The policy dialect of the cloud.
    pub fn dialect(self) -> Dialect {
        match self {
            Cloud::Aws => Dialect::Aws,
            Cloud::Huawei => Dialect::Huawei,
            Cloud::Alibaba => Dialect::Alibaba,
        }
    }
}

/// What kind of principal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PrincipalType {
    /// The account's root identity.
    Root,
    /// A long-term user.
    User,
    /// A role: assumed through STS when it has a trust policy; access keys given in the
    /// file are those of a standing session of the role.
    Role,
}

/// A role's session lasts one hour unless the request asks otherwise.
pub const DEFAULT_SESSION_SECS: i64 = 3600;

/// The longest session a role allows when the file does not say (AWS's default).
pub const DEFAULT_MAX_SESSION_SECS: i64 = 3600;

/// An account.
#[derive(Clone, Debug)]
pub struct Account {
    /// The account id.
    pub id: String,
    /// The cloud it belongs to.
    pub cloud: Cloud,
    /// The organization path from the root to the account's OU (`["r-root", "ou-prod"]`);
    /// empty when the account is not in an organization.
    pub org_path: Vec<String>,
}

/// A principal with its credentials and policies.
pub struct Principal {
    /// The account it belongs to.
    pub account: String,
    /// Root, user or role.
    pub kind: PrincipalType,
    /// Its name (empty for root).
    pub name: String,
    /// The ARN the caller is known by (a role's session ARN for a role).
    pub arn: String,
    /// For a role, the role's own ARN (`arn:aws:iam::A:role/R`).
    pub role_arn: Option<String>,
    /// Identity policies: attached to the principal, then those of its groups.
    pub policies: Vec<Policy>,
    /// The groups of a user, by name.
    pub groups: Vec<String>,
    /// Who may assume a role (read with [`Policy::for_role_trust`]).
    pub trust_policy: Option<Policy>,
    /// The longest session of a role, in seconds.
    pub max_session_secs: i64,
    /// Its permissions boundary.
    pub boundary: Option<Policy>,
    /// Its tags (`aws:PrincipalTag/<k>`).
    pub tags: BTreeMap<String, String>,
    /// Its unique id (`aws:userid`, CloudTrail's `principalId`), worked out once here
    /// rather than on every request ([`crate::condition_keys::user_id`]).
    pub user_id: String,
}

impl fmt::Debug for Principal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Principal").field("arn", &self.arn).finish_non_exhaustive()
    }
}

/// One access key: its secret and whose it is.
pub struct AccessKey {
    /// The secret access key.
    pub secret: Secret,
    /// Index of the principal in [`Identities::principals`].
    pub principal: usize,
}

/// A group of users of one account; its policies apply to every member.
#[derive(Clone, Debug)]
pub struct Group {
    /// The account.
    pub account: String,
    /// The group's name.
    pub name: String,
    /// Its identity policies.
    pub policies: Vec<Policy>,
}

/// An SCP or RCP attached to an organization level (root, OU or account).
#[derive(Clone, Debug)]
pub struct ScpAttachment {
    /// The root, OU or account id it is attached to.
    pub target: String,
    /// The document.
    pub policy: Policy,
}

/// Every identity the server knows.
#[derive(Default)]
pub struct Identities {
    /// Accounts by id.
    pub accounts: HashMap<String, Account>,
    /// Principals.
    pub principals: Vec<Principal>,
    access_keys: HashMap<String, AccessKey>,
    /// Groups.
    pub groups: Vec<Group>,
    /// SCP attachments.
    pub scps: Vec<ScpAttachment>,
    /// RCP attachments.
    pub rcps: Vec<ScpAttachment>,
}

impl fmt::Debug for Identities {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Identities")
            .field("accounts", &self.accounts.len())
            .field("principals", &self.principals)
            .field("access_keys", &self.access_keys.len())
            .finish_non_exhaustive()
    }
}

/// What is wrong with an identities file: the field, and the problem.
#[derive(Debug, thiserror::Error)]
#[error("identities: `{field}`: {problem}")]
pub struct IdentitiesError {
    /// Where (`principals[1].access_keys[0].id`).
    pub field: String,
    /// What is wrong.
    pub problem: String,
}

fn bad(field: impl Into<String>, problem: impl Into<String>) -> IdentitiesError {
    IdentitiesError { field: field.into(), problem: problem.into() }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    accounts: Vec<RawAccount>,
    #[serde(default)]
    principals: Vec<RawPrincipal>,
    #[serde(default)]
    groups: Vec<RawGroup>,
    #[serde(default)]
    scps: Vec<RawScp>,
    #[serde(default)]
    rcps: Vec<RawScp>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGroup {
    account: String,
    name: String,
    #[serde(default)]
    policies: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAccount {
    id: String,
    #[serde(default = "aws")]
    cloud: Cloud,
    #[serde(default)]
    org_path: Vec<String>,
}

fn aws() -> Cloud {
    Cloud::Aws
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPrincipal {
    account: String,
    #[serde(rename = "type")]
    kind: PrincipalType,
    #[serde(default)]
    name: String,
    #[serde(default)]
    access_keys: Vec<RawAccessKey>,
    #[serde(default)]
    policies: Vec<serde_json::Value>,
    #[serde(default)]
    boundary: Option<serde_json::Value>,
    #[serde(default)]
    tags: BTreeMap<String, String>,
    #[serde(default)]
    groups: Vec<String>,
    #[serde(default)]
    trust_policy: Option<serde_json::Value>,
    #[serde(default)]
    max_session_duration: Option<i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAccessKey {
    id: String,
    secret: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScp {
    target: String,
    document: serde_json::Value,
}

impl Identities {
    /// Reads an identities file's text; `toml` selects TOML instead of JSON.
    pub fn parse(text: &str, toml_format: bool) -> Result<Identities, IdentitiesError> {
        let raw: RawFile = if toml_format {
            toml::from_str(text).map_err(|e| bad("(file)", e.to_string()))?
        } else {
            serde_json::from_str(text).map_err(|e| bad("(file)", e.to_string()))?
        };
        let mut ids = Identities::default();
        for (i, a) in raw.accounts.into_iter().enumerate() {
            let field = format!("accounts[{i}].id");
            check_account_id(a.cloud, &a.id).map_err(|p| bad(&field, p))?;
            if ids.accounts.contains_key(&a.id) {
                return Err(bad(field, format!("account `{}` is declared twice", a.id)));
            }
            ids.accounts
                .insert(a.id.clone(), Account { id: a.id, cloud: a.cloud, org_path: a.org_path });
        }
        for (i, g) in raw.groups.into_iter().enumerate() {
            let at = |f: &str| format!("groups[{i}].{f}");
            let account = ids.accounts.get(&g.account).ok_or_else(|| {
                bad(at("account"), format!("account `{}` is not declared in `accounts`", g.account))
            })?;
            if g.name.is_empty() {
                return Err(bad(at("name"), "a group needs a name"));
            }
            if ids.groups.iter().any(|h| h.account == g.account && h.name == g.name) {
                return Err(bad(at("name"), format!("group `{}` is declared twice", g.name)));
            }
            let dialect = account.cloud.dialect();
            let policies = g
                .policies
                .iter()
                .enumerate()
                .map(|(j, v)| {
                    Policy::from_value(dialect, v)
                        .map(|p| p.named(format!("group/{}", g.name)))
                        .map_err(|e| bad(at(&format!("policies[{j}]")), e.to_string()))
                })
                .collect::<Result<Vec<_>, _>>()?;
            ids.groups.push(Group { account: g.account, name: g.name, policies });
        }
        for (i, p) in raw.principals.into_iter().enumerate() {
            let at = |f: &str| format!("principals[{i}].{f}");
            let account = ids.accounts.get(&p.account).ok_or_else(|| {
                bad(at("account"), format!("account `{}` is not declared in `accounts`", p.account))
            })?;
            let dialect = account.cloud.dialect();
            if p.kind != PrincipalType::Root && p.name.is_empty() {
                return Err(bad(at("name"), "a user or role needs a name"));
            }
            let arn = principal_arn(account.cloud, &p.account, p.kind, &p.name);
            // A second principal of the same ARN could never be found: its keys would sign
            // as the first one, its trust policy would never be read.
            if ids.principals.iter().any(|q| q.arn == arn) {
                let kind = match p.kind {
                    PrincipalType::Root => "the root principal",
                    PrincipalType::User => "user",
                    PrincipalType::Role => "role",
                };
                let who = if p.name.is_empty() { String::new() } else { format!(" `{}`", p.name) };
                return Err(bad(
                    at("name"),
                    format!("{kind}{who} of account {} is declared twice", p.account),
                ));
            }
            let parse = |v: &serde_json::Value, field: String| {
                Policy::from_value(dialect, v).map_err(|e| bad(field, e.to_string()))
            };
            let policies = p
                .policies
                .iter()
                .enumerate()
                .map(|(j, v)| parse(v, at(&format!("policies[{j}]"))))
                .collect::<Result<Vec<_>, _>>()?;
            let mut policies = policies;
            let boundary = p.boundary.as_ref().map(|v| parse(v, at("boundary"))).transpose()?;
            if !p.groups.is_empty() && p.kind != PrincipalType::User {
                return Err(bad(at("groups"), "only a user belongs to groups"));
            }
            for (j, name) in p.groups.iter().enumerate() {
                let group = ids
                    .groups
                    .iter()
                    .find(|g| g.account == p.account && &g.name == name)
                    .ok_or_else(|| {
                    bad(
                        at(&format!("groups[{j}]")),
                        format!(
                            "group `{name}` is not declared in `groups` for account `{}`",
                            p.account
                        ),
                    )
                })?;
                policies.extend(group.policies.iter().cloned());
            }
            let trust_policy = match &p.trust_policy {
                None => None,
                Some(_) if p.kind != PrincipalType::Role => {
                    return Err(bad(at("trust_policy"), "only a role has a trust policy"));
                }
                Some(v) => {
                    check_trust_policy(v).map_err(|e| bad(at("trust_policy"), e))?;
                    Some(parse(v, at("trust_policy"))?.for_role_trust())
                }
            };
            let max_session_secs = match p.max_session_duration {
                None => DEFAULT_MAX_SESSION_SECS,
                Some(_) if p.kind != PrincipalType::Role => {
                    return Err(bad(
                        at("max_session_duration"),
                        "only a role has a session duration",
                    ));
                }
                Some(n) if (3600..=43_200).contains(&n) => n,
                Some(n) => {
                    return Err(bad(
                        at("max_session_duration"),
                        format!("`{n}` is not between 3600 and 43200 seconds"),
                    ));
                }
            };
            let index = ids.principals.len();
            for (j, k) in p.access_keys.into_iter().enumerate() {
                let field = at(&format!("access_keys[{j}].id"));
                if k.id.len() < 16 || !k.id.bytes().all(|b| b.is_ascii_alphanumeric()) {
                    return Err(bad(field, "an access key id is at least 16 letters and digits"));
                }
                if k.secret.len() < 16 {
                    return Err(bad(
                        at(&format!("access_keys[{j}].secret")),
                        "a secret is at least 16 characters",
                    ));
                }
                if ids.access_keys.contains_key(&k.id) {
                    return Err(bad(field, format!("access key `{}` is declared twice", k.id)));
                }
                ids.access_keys.insert(
                    k.id,
                    AccessKey { secret: Secret::new(k.secret.into_bytes()), principal: index },
                );
            }
            let role_arn = (p.kind == PrincipalType::Role)
                .then(|| role_arn(account.cloud, &p.account, &p.name));
            ids.push_principal(Principal {
                account: p.account,
                kind: p.kind,
                name: p.name,
                arn,
                role_arn,
                policies,
                groups: p.groups,
                trust_policy,
                max_session_secs,
                boundary,
                tags: p.tags,
                user_id: String::new(),
            });
        }
        ids.scps = ids.attachments(raw.scps, "scps")?;
        ids.rcps = ids.attachments(raw.rcps, "rcps")?;
        Ok(ids)
    }

    /// Reads SCP or RCP attachments (`list` names the field in errors).
    fn attachments(
        &self,
        raw: Vec<RawScp>,
        list: &str,
    ) -> Result<Vec<ScpAttachment>, IdentitiesError> {
        let ids = self;
        let mut out = Vec::new();
        for (i, s) in raw.into_iter().enumerate() {
            let field = format!("{list}[{i}].document");
            let targeted_account = ids.accounts.get(&s.target);
            let in_some_path = ids.accounts.values().any(|a| a.org_path.contains(&s.target));
            if targeted_account.is_none() && !in_some_path {
                return Err(bad(
                    format!("{list}[{i}].target"),
                    format!("`{}` is neither an account nor on any account's `org_path`", s.target),
                ));
            }
            let dialect = targeted_account
                .map(|a| a.cloud.dialect())
                .or_else(|| {
                    ids.accounts
                        .values()
                        .find(|a| a.org_path.contains(&s.target))
                        .map(|a| a.cloud.dialect())
                })
                .unwrap_or(Dialect::Aws);
            let policy =
                Policy::from_value(dialect, &s.document).map_err(|e| bad(field, e.to_string()))?;
            out.push(ScpAttachment { target: s.target, policy });
        }
        Ok(out)
    }

    /// The single-account identities of a fresh server: one AWS account with its root
    /// user holding one access key.
    pub fn single_root(account: &str, access_key_id: &str, secret: Secret) -> Identities {
        let mut ids = Identities::default();
        ids.accounts.insert(
            account.to_owned(),
            Account { id: account.to_owned(), cloud: Cloud::Aws, org_path: vec![] },
        );
        ids.push_principal(Principal {
            account: account.to_owned(),
            kind: PrincipalType::Root,
            name: String::new(),
            arn: principal_arn(Cloud::Aws, account, PrincipalType::Root, ""),
            role_arn: None,
            policies: vec![],
            groups: vec![],
            trust_policy: None,
            max_session_secs: DEFAULT_MAX_SESSION_SECS,
            boundary: None,
            tags: BTreeMap::new(),
            user_id: String::new(),
        });
        ids.access_keys.insert(access_key_id.to_owned(), AccessKey { secret, principal: 0 });
        ids
    }

    /// Adds a principal, with its unique id worked out.
    fn push_principal(&mut self, mut principal: Principal) {
        principal.user_id = crate::condition_keys::user_id(&principal);
        self.principals.push(principal);
    }

    /// The access key with this id, if any.
    pub fn access_key(&self, id: &str) -> Option<&AccessKey> {
        self.access_keys.get(id)
    }

    /// The access key with this id, with the id as stored.
    pub fn access_key_entry(&self, id: &str) -> Option<(&str, &AccessKey)> {
        self.access_keys.get_key_value(id).map(|(k, v)| (k.as_str(), v))
    }

    /// The role with this ARN and the index of its principal, if any.
    pub fn role(&self, arn: &str) -> Option<(usize, &Principal)> {
        self.principals.iter().enumerate().find(|(_, p)| p.role_arn.as_deref() == Some(arn))
    }

    /// The SCP levels for an account: each element of its organization path, then the
    /// account itself; a level with nothing attached is empty (no restriction). Accounts
    /// outside an organization have no levels.
    pub fn scp_levels(&self, account: &str) -> Vec<Vec<Policy>> {
        self.levels(&self.scps, account)
    }

    /// The RCP levels for the account that owns a resource, read like the SCP levels.
    pub fn rcp_levels(&self, account: &str) -> Vec<Vec<Policy>> {
        self.levels(&self.rcps, account)
    }

    fn levels(&self, attached: &[ScpAttachment], account: &str) -> Vec<Vec<Policy>> {
        let Some(a) = self.accounts.get(account) else { return vec![] };
        if a.org_path.is_empty() {
            return vec![];
        }
        a.org_path
            .iter()
            .chain(std::iter::once(&a.id))
            .map(|level| {
                attached.iter().filter(|s| &s.target == level).map(|s| s.policy.clone()).collect()
            })
            .collect()
    }
}

/// The ARN (AWS, Alibaba) or URN (Huawei) of a role itself, as trust policies and
/// `aws:PrincipalArn` name it.
pub fn role_arn(cloud: Cloud, account: &str, name: &str) -> String {
    match cloud {
        Cloud::Aws => format!("arn:aws:iam::{account}:role/{name}"),
        Cloud::Huawei => format!("iam::{account}:agency:{name}"),
        Cloud::Alibaba => format!("acs:ram::{account}:role/{name}"),
    }
}

/// A trust policy says who may assume the role: every statement names a principal, and
/// none names a resource (the role is the resource). The messages are IAM's.
fn check_trust_policy(doc: &serde_json::Value) -> Result<(), String> {
    let statements = match doc.get("Statement") {
        Some(serde_json::Value::Array(a)) => a.iter().collect::<Vec<_>>(),
        Some(v) => vec![v],
        None => return Ok(()),
    };
    for s in statements {
        if s.get("Resource").is_some() || s.get("NotResource").is_some() {
            return Err("Has prohibited field Resource.".into());
        }
        if s.get("Principal").is_none() && s.get("NotPrincipal").is_none() {
            return Err("Missing required field Principal.".into());
        }
    }
    Ok(())
}

/// The ARN (AWS, Alibaba) or URN (Huawei) of a principal.
pub fn principal_arn(cloud: Cloud, account: &str, kind: PrincipalType, name: &str) -> String {
    match (cloud, kind) {
        (Cloud::Aws, PrincipalType::Root) => format!("arn:aws:iam::{account}:root"),
        (Cloud::Aws, PrincipalType::User) => format!("arn:aws:iam::{account}:user/{name}"),
        (Cloud::Aws, PrincipalType::Role) => {
            format!("arn:aws:sts::{account}:assumed-role/{name}/coffer-session")
        }
        (Cloud::Huawei, PrincipalType::Root) => format!("iam::{account}:root"),
        (Cloud::Huawei, PrincipalType::User) => format!("iam::{account}:user:{name}"),
        (Cloud::Huawei, PrincipalType::Role) => {
            format!("sts::{account}:assumed-agency:{name}/coffer-session")
        }
        (Cloud::Alibaba, PrincipalType::Root) => format!("acs:ram::{account}:root"),
        (Cloud::Alibaba, PrincipalType::User) => format!("acs:ram::{account}:user/{name}"),
        (Cloud::Alibaba, PrincipalType::Role) => {
            format!("acs:sts::{account}:assumed-role/{name}/coffer-session")
        }
    }
}

fn check_account_id(cloud: Cloud, id: &str) -> Result<(), String> {
    let ok = match cloud {
        Cloud::Aws => id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()),
        Cloud::Huawei => id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()),
        Cloud::Alibaba => (10..=20).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_digit()),
    };
    if ok {
        Ok(())
    } else {
        Err(match cloud {
            Cloud::Aws => format!("`{id}` is not an AWS account id (12 digits)"),
            Cloud::Huawei => format!("`{id}` is not a Huawei Cloud domain id (32 hex digits)"),
            Cloud::Alibaba => format!("`{id}` is not an Alibaba Cloud account id (digits)"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"{
      "accounts": [{"id": "111122223333", "cloud": "aws", "org_path": ["r-root", "ou-prod"]},
                   {"id": "0123456789abcdef0123456789abcdef", "cloud": "huawei"}],
      "principals": [
        {"account": "111122223333", "type": "root", "access_keys": [{"id": "AKIAROOTROOTROOT0001", "secret": "root-secret-0123456789"}]},
        {"account": "111122223333", "type": "user", "name": "alice", "tags": {"team": "apollo"},
         "access_keys": [{"id": "AKIAALICEALICE000001", "secret": "alice-secret-0123456789"}],
         "policies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}]}
      ],
      "scps": [{"target": "ou-prod", "document": {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "kms:ScheduleKeyDeletion", "Resource": "*"}]}}]
    }"#;

    #[test]
    fn reads_accounts_principals_and_scps() {
        let ids = Identities::parse(FILE, false).unwrap();
        let key = ids.access_key("AKIAALICEALICE000001").unwrap();
        let alice = &ids.principals[key.principal];
        assert_eq!(alice.arn, "arn:aws:iam::111122223333:user/alice");
        assert_eq!(alice.policies.len(), 1);
        assert!(key.secret.ct_eq(b"alice-secret-0123456789"));
        let levels = ids.scp_levels("111122223333");
        assert_eq!(levels.len(), 3);
        assert_eq!((levels[0].len(), levels[1].len(), levels[2].len()), (0, 1, 0));
        assert!(ids.scp_levels("0123456789abcdef0123456789abcdef").is_empty());
        // Debug never shows a secret.
        assert!(!format!("{ids:?}").contains("secret-0123"));
    }

    #[test]
    fn errors_name_the_field() {
        let e = Identities::parse(r#"{"accounts": [{"id": "123"}]}"#, false).unwrap_err();
        assert_eq!(e.field, "accounts[0].id");
        let e = Identities::parse(r#"{"accounts": [{"id": "111122223333"}], "principals": [{"account": "999999999999", "type": "root"}]}"#, false).unwrap_err();
        assert_eq!(e.field, "principals[0].account");
        let e = Identities::parse(r#"{"accounts": [{"id": "111122223333"}], "principals": [{"account": "111122223333", "type": "user", "name": "a", "policies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "Decrypt", "Resource": "*"}]}]}]}"#, false).unwrap_err();
        assert_eq!(e.field, "principals[0].policies[0]");
        assert!(e.problem.contains("vendor"), "{e}");
        let e = Identities::parse(r#"{"accounts": [], "extra": 1}"#, false).unwrap_err();
        assert!(e.problem.contains("extra"), "{e}");
    }

    #[test]
    fn groups_roles_and_rcps() {
        let file = r#"{
          "accounts": [{"id": "111122223333", "org_path": ["r-root", "ou-prod"]}],
          "groups": [{"account": "111122223333", "name": "devs", "policies": [
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*"}]}]}],
          "principals": [
            {"account": "111122223333", "type": "user", "name": "alice", "groups": ["devs"],
             "policies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}]}]},
            {"account": "111122223333", "type": "role", "name": "app", "max_session_duration": 7200,
             "boundary": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]},
             "trust_policy": {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "sts:AssumeRole"}}}
          ],
          "rcps": [{"target": "r-root", "document": {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"}]}}]
        }"#;
        let ids = Identities::parse(file, false).unwrap();
        let alice = &ids.principals[0];
        // Her own policy, then her group's.
        assert_eq!(alice.policies.len(), 2);
        assert_eq!(alice.policies[1].name.as_deref(), Some("group/devs"));
        let (index, app) = ids.role("arn:aws:iam::111122223333:role/app").unwrap();
        assert_eq!(index, 1);
        assert_eq!(app.max_session_secs, 7200);
        assert!(app.boundary.is_some());
        // The trust policy's statement is about the role: it has a resource now.
        assert!(app.trust_policy.as_ref().unwrap().statements[0].resource.is_some());
        assert!(ids.role("arn:aws:iam::111122223333:role/none").is_none());
        let levels = ids.rcp_levels("111122223333");
        assert_eq!((levels[0].len(), levels[1].len(), levels[2].len()), (1, 0, 0));
        assert_eq!(ids.scp_levels("111122223333").iter().map(Vec::len).sum::<usize>(), 0);
    }

    #[test]
    fn group_role_and_rcp_errors_name_the_field() {
        let base = r#"{"accounts": [{"id": "111122223333"}], "#;
        let err = |rest: &str| Identities::parse(&format!("{base}{rest}}}"), false).unwrap_err();
        let e = err(
            r#""principals": [{"account": "111122223333", "type": "user", "name": "a", "groups": ["nope"]}]"#,
        );
        assert_eq!(e.field, "principals[0].groups[0]");
        assert!(e.problem.contains("`nope`"), "{e}");
        let e = err(r#""groups": [{"account": "999999999999", "name": "g"}]"#);
        assert_eq!(e.field, "groups[0].account");
        let e = err(
            r#""principals": [{"account": "111122223333", "type": "role", "name": "app"}, {"account": "111122223333", "type": "user", "name": "app"}, {"account": "111122223333", "type": "role", "name": "app"}]"#,
        );
        assert_eq!(e.field, "principals[2].name", "a user and a role may share a name");
        assert_eq!(e.problem, "role `app` of account 111122223333 is declared twice");
        let e = err(
            r#""groups": [{"account": "111122223333", "name": "g"}, {"account": "111122223333", "name": "g"}]"#,
        );
        assert_eq!(e.field, "groups[1].name");
        let e = err(
            r#""groups": [{"account": "111122223333", "name": "g", "policies": [{"Statement": []}]}]"#,
        );
        assert_eq!(e.field, "groups[0].policies[0]");
        let e = err(
            r#""principals": [{"account": "111122223333", "type": "role", "name": "r", "groups": ["g"]}]"#,
        );
        assert_eq!(e.field, "principals[0].groups");
        let e = err(
            r#""principals": [{"account": "111122223333", "type": "user", "name": "u", "trust_policy": {}}]"#,
        );
        assert_eq!(e.field, "principals[0].trust_policy");
        let e = err(
            r#""principals": [{"account": "111122223333", "type": "role", "name": "r", "trust_policy":
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole", "Resource": "*"}]}}]"#,
        );
        assert_eq!(
            (e.field.as_str(), e.problem.as_str()),
            ("principals[0].trust_policy", "Has prohibited field Resource.")
        );
        let e = err(
            r#""principals": [{"account": "111122223333", "type": "role", "name": "r", "trust_policy":
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}]}}]"#,
        );
        assert_eq!(e.problem, "Missing required field Principal.");
        let e = err(
            r#""principals": [{"account": "111122223333", "type": "role", "name": "r", "max_session_duration": 60}]"#,
        );
        assert_eq!(e.field, "principals[0].max_session_duration");
        let e = err(
            r#""principals": [{"account": "111122223333", "type": "role", "name": "r", "trust_policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "AssumeRole"}]}}]"#,
        );
        assert_eq!(e.field, "principals[0].trust_policy");
        let e = err(r#""rcps": [{"target": "ou-x", "document": {}}]"#);
        assert_eq!(e.field, "rcps[0].target");
        let e = err(r#""rcps": [{"target": "111122223333", "document": {"Statement": 1}}]"#);
        assert_eq!(e.field, "rcps[0].document");
    }

    #[test]
    fn toml_form() {
        let ids = Identities::parse("[[accounts]]\nid = \"111122223333\"\n[[principals]]\naccount = \"111122223333\"\ntype = \"root\"\naccess_keys = [{ id = \"AKIAROOTROOTROOT0001\", secret = \"root-secret-0123456789\" }]\n", true).unwrap();
        assert!(ids.access_key("AKIAROOTROOTROOT0001").is_some());
    }
}
