//! CreateGrant: lets a principal use a key for some operations, optionally only with some
//! encryption context, until the grant is retired or revoked.
//!
//! Decisions the documentation leaves open, and what this does:
//! - The key is named by key id or key ARN, as the API reference says; an alias is refused
//!   as an invalid key id.
//! - A name makes a retried request idempotent: the same name with the same grantee,
//!   retiring principal, operations (in any order) and constraints returns the grant made
//!   first, with a new token. The same name with other parameters makes another grant.
//! - The issuing account is the caller's account.
//! - A principal must be an IAM or STS principal ARN (or a service principal); one of an
//!   account this service knows must exist there.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use coffer_policy::request::{GrantConstraints, GrantRequest};
use coffer_store::{GrantRecord, KeyRecord, StoreError};

use crate::authz::Ask;
use crate::caller::Caller;
use crate::err::KmsError;
use crate::iam::PrincipalType;
use crate::key_ref::KeyRef;
use crate::ops::grant::{
    GRANT_OPERATIONS, MAX_GRANTS_PER_GRANTEE, MAX_GRANTS_PER_KEY, constraints_of,
};
use crate::{Kms, ops};

/// CreateGrant's request.
#[derive(Clone, Debug, Default)]
pub struct CreateGrantRequest {
    /// The key: key id or key ARN.
    pub key_id: String,
    /// Who the grant is for.
    pub grantee_principal: String,
    /// Who may retire it besides the grantee (with `RetireGrant`) and the issuing account.
    pub retiring_principal: Option<String>,
    /// The operations it allows.
    pub operations: Vec<String>,
    /// Encryption-context constraints.
    pub constraints: Option<GrantConstraints>,
    /// Grant tokens.
    pub grant_tokens: Vec<String>,
    /// A name that makes retries idempotent.
    pub name: Option<String>,
    /// Check only.
    pub dry_run: bool,
}

/// CreateGrant's response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreateGrantResponse {
    /// The grant's id.
    pub grant_id: String,
    /// A token for the grant (a new one on every call).
    pub grant_token: String,
}

impl Kms {
    /// CreateGrant. Needs kms:CreateGrant on the key (condition keys
    /// `kms:GrantOperations`, `kms:GranteePrincipal`, `kms:RetiringPrincipal`,
    /// `kms:GrantConstraintType`, `kms:GrantIsForAWSResource` and the constraints'
    /// encryption context); a grant that allows CreateGrant allows only narrower grants.
    pub fn create_grant(
        &self,
        caller: &Caller,
        req: CreateGrantRequest,
    ) -> Result<CreateGrantResponse, KmsError> {
        let operations = check_operations(&req.operations)?;
        let constraints = req.constraints.clone().filter(|c| !c.is_empty());
        check_principal_form(&req.grantee_principal)?;
        if let Some(r) = &req.retiring_principal {
            check_principal_form(r)?;
        }
        let key = self.resolve_for_grant(caller, &req.key_id)?;

        let mut context_ec = BTreeMap::new();
        if let Some(c) = &constraints {
            for map in [&c.subset, &c.equals].into_iter().flatten() {
                context_ec.extend(map.iter().map(|(k, v)| (k.clone(), v.clone())));
            }
        }
        let mut ask =
            ops::with_encryption_context(Ask::on_key("kms:CreateGrant", &key), &context_ec)
                .with_grant_tokens(&req.grant_tokens)
                .with_multi("kms:GrantOperations", operations.clone())
                .with("kms:GranteePrincipal", req.grantee_principal.clone())
                .with("kms:GrantIsForAWSResource", "false");
        // The constraints are checked against the grant to be made, not against a request's
        // encryption context.
        ask.encryption_context = None;
        if let Some(r) = &req.retiring_principal {
            ask = ask.with("kms:RetiringPrincipal", r.clone());
        }
        // Single-valued, absent without constraints. A request may give both kinds; the
        // grant then allows only the exact context Equals names, so it counts as Equals.
        if let Some(c) = &constraints {
            let kind = if c.equals.is_some() {
                "EncryptionContextEquals"
            } else {
                "EncryptionContextSubset"
            };
            ask = ask.with("kms:GrantConstraintType", kind);
        }
        ask.create_grant = Some(GrantRequest {
            grantee: req.grantee_principal.clone(),
            operations: operations.clone(),
            constraints: constraints.clone(),
        });
        self.authorize(caller, ask)?;
        ops::state_of(&key).check_manageable(&key.arn)?;
        check_fits_key(&key, &operations, constraints.as_ref())?;
        self.check_principal_exists(&req.grantee_principal)?;
        if let Some(r) = &req.retiring_principal {
            self.check_principal_exists(r)?;
        }
        if req.dry_run {
            return Err(KmsError::DryRunSucceeded);
        }

        if let Some(name) = &req.name {
            let same = self
                .store
                .grants_named(&key.account, &key.region, &key.key_id, name)?
                .into_iter()
                .find(|g| {
                    g.grantee_principal == req.grantee_principal
                        && g.retiring_principal == req.retiring_principal
                        && g.operations.iter().collect::<BTreeSet<_>>()
                            == operations.iter().collect::<BTreeSet<_>>()
                        && constraints_of(g) == constraints
                });
            if let Some(g) = same {
                let grant_token = self.mint_token(&g)?;
                return Ok(CreateGrantResponse { grant_id: g.grant_id, grant_token });
            }
        }

        let limit = |what: String| KmsError::LimitExceeded { message: what };
        if self.store.count_grants(&key.account, &key.region, &key.key_id, None)?
            >= MAX_GRANTS_PER_KEY
        {
            return Err(limit(format!(
                "The number of grants on key {} has reached the limit of {MAX_GRANTS_PER_KEY}.",
                key.arn
            )));
        }
        if self.store.count_grants(
            &key.account,
            &key.region,
            &key.key_id,
            Some(&req.grantee_principal),
        )? >= MAX_GRANTS_PER_GRANTEE
        {
            return Err(limit(format!(
                "The number of grants on key {} for grantee principal {} has reached the limit of {MAX_GRANTS_PER_GRANTEE}.",
                key.arn, req.grantee_principal
            )));
        }

        let grant_id = self.new_grant_id()?;
        let record = GrantRecord {
            sealed_token_secret: self.new_token_secret(&grant_id)?,
            grant_id,
            account: key.account.clone(),
            region: key.region.clone(),
            key_id: key.key_id.clone(),
            name: req.name.clone(),
            creation_date: self.now_millis(),
            grantee_principal: req.grantee_principal.clone(),
            retiring_principal: req.retiring_principal.clone(),
            issuing_account: format!("arn:aws:iam::{}:root", caller.account),
            operations,
            encryption_context_equals: constraints.as_ref().and_then(|c| c.equals.clone()),
            encryption_context_subset: constraints.as_ref().and_then(|c| c.subset.clone()),
        };
        match self.store.create_grant(&record) {
            Err(StoreError::NotFound { .. }) => {
                return Err(KmsError::NotFound {
                    message: format!("Key '{}' does not exist", key.arn),
                });
            }
            other => other?,
        }
        let grant_token = self.mint_token(&record)?;
        Ok(CreateGrantResponse { grant_id: record.grant_id, grant_token })
    }

    /// The key of a grant operation: named by key id or key ARN only.
    pub(crate) fn resolve_for_grant(
        &self,
        caller: &Caller,
        key_id: &str,
    ) -> Result<KeyRecord, KmsError> {
        let r = KeyRef::parse(key_id, &caller.account, &caller.region)?;
        if matches!(r, KeyRef::Alias { .. }) {
            return Err(KmsError::NotFound { message: format!("Invalid keyId '{key_id}'") });
        }
        Ok(Arc::unwrap_or_clone(self.resolve(caller, key_id)?.1))
    }

    /// A principal of an account this service knows must exist there.
    fn check_principal_exists(&self, principal: &str) -> Result<(), KmsError> {
        let Some(p) = PrincipalArn::parse(principal) else { return Ok(()) };
        if !self.identities.accounts.contains_key(p.account) {
            return Ok(());
        }
        let exists = |kind: PrincipalType, name: &str| {
            self.identities
                .principals
                .iter()
                .any(|q| q.account == p.account && q.kind == kind && q.name == name)
        };
        let found = match p.kind {
            PrincipalKind::Root | PrincipalKind::FederatedUser => true,
            PrincipalKind::User(name) => exists(PrincipalType::User, name),
            PrincipalKind::Role(name) => exists(PrincipalType::Role, name),
        };
        if found { Ok(()) } else { Err(invalid_principal(principal)) }
    }
}

/// InvalidArnException for a principal that is none.
fn invalid_principal(principal: &str) -> KmsError {
    KmsError::InvalidArn {
        message: format!("ARN does not refer to a valid principal: {principal}"),
    }
}

/// The operations, each one a grant operation, without repeats, in the order given.
fn check_operations(operations: &[String]) -> Result<Vec<String>, KmsError> {
    let listed = || format!("[{}]", operations.join(", "));
    if operations.is_empty() {
        return Err(ops::constraint(
            listed(),
            "operations",
            "Member must have length greater than or equal to 1",
        ));
    }
    if operations.iter().any(|o| !GRANT_OPERATIONS.contains(&o.as_str())) {
        return Err(ops::constraint(
            listed(),
            "operations",
            &format!(
                "Member must satisfy constraint: [Member must satisfy enum value set: [{}]]",
                GRANT_OPERATIONS.join(", ")
            ),
        ));
    }
    let mut out: Vec<String> = Vec::with_capacity(operations.len());
    for o in operations {
        if !out.contains(o) {
            out.push(o.clone());
        }
    }
    Ok(out)
}

/// The operations a key of this usage and spec supports.
fn operations_for(key: &KeyRecord) -> &'static [&'static str] {
    const COMMON: [&str; 3] = ["DescribeKey", "CreateGrant", "RetireGrant"];
    match (key.key_usage.as_str(), key.key_spec.as_str()) {
        ("ENCRYPT_DECRYPT", "SYMMETRIC_DEFAULT") => &[
            "Decrypt",
            "Encrypt",
            "GenerateDataKey",
            "GenerateDataKeyWithoutPlaintext",
            "GenerateDataKeyPair",
            "GenerateDataKeyPairWithoutPlaintext",
            "ReEncryptFrom",
            "ReEncryptTo",
            COMMON[0],
            COMMON[1],
            COMMON[2],
        ],
        ("ENCRYPT_DECRYPT", _) => &[
            "Decrypt",
            "Encrypt",
            "ReEncryptFrom",
            "ReEncryptTo",
            "GetPublicKey",
            COMMON[0],
            COMMON[1],
            COMMON[2],
        ],
        ("SIGN_VERIFY", _) => &["Sign", "Verify", "GetPublicKey", COMMON[0], COMMON[1], COMMON[2]],
        ("GENERATE_VERIFY_MAC", _) => {
            &["GenerateMac", "VerifyMac", COMMON[0], COMMON[1], COMMON[2]]
        }
        ("KEY_AGREEMENT", _) => {
            &["DeriveSharedSecret", "GetPublicKey", COMMON[0], COMMON[1], COMMON[2]]
        }
        _ => &COMMON,
    }
}

/// The operations must be ones the key supports; constraints need a symmetric encryption
/// key.
fn check_fits_key(
    key: &KeyRecord,
    operations: &[String],
    constraints: Option<&GrantConstraints>,
) -> Result<(), KmsError> {
    let supported = operations_for(key);
    let unsupported: Vec<&str> =
        operations.iter().map(String::as_str).filter(|o| !supported.contains(o)).collect();
    if !unsupported.is_empty() {
        return Err(KmsError::validation(format!(
            "Grant operations [{}] are not valid for a KMS key with KeyUsage {} and KeySpec {}.",
            unsupported.join(", "),
            key.key_usage,
            key.key_spec
        )));
    }
    let symmetric = key.key_usage == "ENCRYPT_DECRYPT" && key.key_spec == "SYMMETRIC_DEFAULT";
    if constraints.is_some() && !symmetric {
        return Err(KmsError::validation(
            "Grant constraints are supported only on symmetric encryption KMS keys.",
        ));
    }
    Ok(())
}

/// What kind of principal an ARN names.
enum PrincipalKind<'a> {
    Root,
    User(&'a str),
    Role(&'a str),
    FederatedUser,
}

/// A principal ARN, read.
struct PrincipalArn<'a> {
    account: &'a str,
    kind: PrincipalKind<'a>,
}

impl<'a> PrincipalArn<'a> {
    fn parse(arn: &'a str) -> Option<PrincipalArn<'a>> {
        let parts: Vec<&str> = arn.splitn(6, ':').collect();
        let [prefix, partition, service, region, account, resource] = parts[..] else {
            return None;
        };
        if prefix != "arn"
            || !partition.starts_with("aws")
            || !region.is_empty()
            || account.len() != 12
            || !account.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let last = |path: &'a str| path.rsplit('/').next().filter(|n| !n.is_empty());
        let kind = match (service, resource.split_once('/')) {
            ("iam", None) if resource == "root" => PrincipalKind::Root,
            ("iam", Some(("user", path))) => PrincipalKind::User(last(path)?),
            ("iam", Some(("role", path))) => PrincipalKind::Role(last(path)?),
            ("sts", Some(("assumed-role", rest))) => {
                let (role, session) = rest.split_once('/')?;
                if role.is_empty() || session.is_empty() {
                    return None;
                }
                PrincipalKind::Role(role)
            }
            ("sts", Some(("federated-user", name))) if !name.is_empty() => {
                PrincipalKind::FederatedUser
            }
            _ => return None,
        };
        Some(PrincipalArn { account, kind })
    }
}

/// A grantee or retiring principal must be a principal ARN or a service principal.
pub(crate) fn check_principal_form(principal: &str) -> Result<(), KmsError> {
    let service = principal.ends_with(".amazonaws.com")
        && !principal.contains(':')
        && principal.len() > ".amazonaws.com".len();
    if service || PrincipalArn::parse(principal).is_some() {
        Ok(())
    } else {
        Err(invalid_principal(principal))
    }
}

/// The account of a principal ARN, if it is one.
pub(crate) fn principal_account(principal: &str) -> Option<&str> {
    PrincipalArn::parse(principal).map(|p| p.account)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn principal_forms() {
        for ok in [
            "arn:aws:iam::111122223333:root",
            "arn:aws:iam::111122223333:user/alice",
            "arn:aws:iam::111122223333:user/dev/alice",
            "arn:aws:iam::111122223333:role/R",
            "arn:aws:sts::111122223333:assumed-role/R/session",
            "arn:aws:sts::111122223333:federated-user/f",
            "ec2.amazonaws.com",
        ] {
            assert!(check_principal_form(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "alice",
            "111122223333",
            "arn:aws:iam::111122223333:group/g",
            "arn:aws:iam::1111:user/alice",
            "arn:aws:kms:us-east-1:111122223333:key/k",
            "arn:aws:iam::111122223333:user/",
            "arn:aws:sts::111122223333:assumed-role/R",
        ] {
            assert!(matches!(check_principal_form(bad), Err(KmsError::InvalidArn { .. })), "{bad}");
        }
        assert_eq!(principal_account("arn:aws:iam::444455556666:role/x"), Some("444455556666"));
    }

    #[test]
    fn operations_are_checked_and_kept_once() {
        let ops = |l: &[&str]| l.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            check_operations(&ops(&["Decrypt", "Encrypt", "Decrypt"])).unwrap(),
            ops(&["Decrypt", "Encrypt"])
        );
        let e = check_operations(&ops(&["Decrypt", "Frobnicate"])).unwrap_err().to_string();
        assert!(e.starts_with(
            "1 validation error detected: Value '[Decrypt, Frobnicate]' at 'operations' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [Decrypt, Encrypt,"
        ), "{e}");
        assert!(check_operations(&[]).is_err());
    }
}
