//! Identities: accounts, principals, their access keys, attached policies and boundaries,
//! and the organization's SCPs.
//!
//! Owns: reading the identities file (JSON, or TOML by extension) into validated records,
//! looking up a principal by access key id, the ARN of each principal, and the SCP levels
//! that apply to an account. Never: verify signatures (the front door does, with the
//! secret this module hands it) or print a secret.

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
    /// A role; its access keys are those of a session of the role.
    Role,
}

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
    /// Attached identity policies.
    pub policies: Vec<Policy>,
    /// Its permissions boundary.
    pub boundary: Option<Policy>,
    /// Its tags (`aws:PrincipalTag/<k>`).
    pub tags: BTreeMap<String, String>,
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

/// An SCP attached to an organization level (root, OU or account).
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
    /// SCP attachments.
    pub scps: Vec<ScpAttachment>,
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
    scps: Vec<RawScp>,
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
            let parse = |v: &serde_json::Value, field: String| {
                Policy::from_value(dialect, v).map_err(|e| bad(field, e.to_string()))
            };
            let policies = p
                .policies
                .iter()
                .enumerate()
                .map(|(j, v)| parse(v, at(&format!("policies[{j}]"))))
                .collect::<Result<Vec<_>, _>>()?;
            let boundary = p.boundary.as_ref().map(|v| parse(v, at("boundary"))).transpose()?;
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
            ids.principals.push(Principal {
                account: p.account,
                kind: p.kind,
                name: p.name,
                arn,
                policies,
                boundary,
                tags: p.tags,
            });
        }
        for (i, s) in raw.scps.into_iter().enumerate() {
            let field = format!("scps[{i}].document");
            let targeted_account = ids.accounts.get(&s.target);
            let in_some_path = ids.accounts.values().any(|a| a.org_path.contains(&s.target));
            if targeted_account.is_none() && !in_some_path {
                return Err(bad(
                    format!("scps[{i}].target"),
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
            ids.scps.push(ScpAttachment { target: s.target, policy });
        }
        Ok(ids)
    }

    /// The single-account identities of a fresh server: one AWS account with its root
    /// user holding one access key.
    pub fn single_root(account: &str, access_key_id: &str, secret: Secret) -> Identities {
        let mut ids = Identities::default();
        ids.accounts.insert(
            account.to_owned(),
            Account { id: account.to_owned(), cloud: Cloud::Aws, org_path: vec![] },
        );
        ids.principals.push(Principal {
            account: account.to_owned(),
            kind: PrincipalType::Root,
            name: String::new(),
            arn: principal_arn(Cloud::Aws, account, PrincipalType::Root, ""),
            policies: vec![],
            boundary: None,
            tags: BTreeMap::new(),
        });
        ids.access_keys.insert(access_key_id.to_owned(), AccessKey { secret, principal: 0 });
        ids
    }

    /// The access key with this id, if any.
    pub fn access_key(&self, id: &str) -> Option<&AccessKey> {
        self.access_keys.get(id)
    }

    /// The SCP levels for an account: each element of its organization path, then the
    /// account itself; a level with nothing attached is empty (no restriction). Accounts
    /// outside an organization have no levels.
    pub fn scp_levels(&self, account: &str) -> Vec<Vec<Policy>> {
        let Some(a) = self.accounts.get(account) else { return vec![] };
        if a.org_path.is_empty() {
            return vec![];
        }
        a.org_path
            .iter()
            .chain(std::iter::once(&a.id))
            .map(|level| {
                self.scps.iter().filter(|s| &s.target == level).map(|s| s.policy.clone()).collect()
            })
            .collect()
    }
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
    fn toml_form() {
        let ids = Identities::parse("[[accounts]]\nid = \"111122223333\"\n[[principals]]\naccount = \"111122223333\"\ntype = \"root\"\naccess_keys = [{ id = \"AKIAROOTROOTROOT0001\", secret = \"root-secret-0123456789\" }]\n", true).unwrap();
        assert!(ids.access_key("AKIAROOTROOTROOT0001").is_some());
    }
}
