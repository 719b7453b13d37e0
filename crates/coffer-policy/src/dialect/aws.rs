//! AWS IAM policy grammar (`2012-10-17`, `2008-10-17`): identity policies, key policies,
//! SCPs, RCPs, boundaries and session policies.
//!
//! Owns: what AWS accepts as an action, a resource, a principal and a condition key, with
//! the validation messages IAM uses. Never: evaluate.

use super::parse::{Grammar, prefixed_condition_key};
use crate::Dialect;
use crate::matching::fields;
use crate::model::PrincipalKind;

pub(crate) static GRAMMAR: Grammar = Grammar {
    dialect: Dialect::Aws,
    versions: &["2012-10-17", "2008-10-17"],
    // A document without `Version` is read with 2008-10-17 rules (no variables).
    version_required: false,
    top_level_extra: &["Id"],
    statement_keys: &[
        "Sid",
        "Effect",
        "Principal",
        "NotPrincipal",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Condition",
    ],
    statement_may_be_object: true,
    // Key policies accept statements without Action or Resource; they have no effect.
    // Identity policies refuse them: `validate` reports that per policy kind.
    resource_required: false,
    action_required: false,
    unique_sids: true,
    principal_kinds: &[
        ("AWS", PrincipalKind::Aws),
        ("Service", PrincipalKind::Service),
        ("Federated", PrincipalKind::Federated),
        ("CanonicalUser", PrincipalKind::CanonicalUser),
    ],
    check_action,
    check_resource,
    check_principal,
    check_condition_key,
};

fn check_action(a: &str) -> Result<(), String> {
    if a == "*" {
        return Ok(());
    }
    let Some((vendor, _)) = a.split_once(':') else {
        return Err(format!(
            "action `{a}`: actions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
        ));
    };
    if a.bytes().filter(|&b| b == b':').count() > 1 {
        return Err(format!("action `{a}`: actions can contain only one colon"));
    }
    if vendor.is_empty()
        || !vendor.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
    {
        return Err(format!("action `{a}`: vendor `{vendor}` is not valid"));
    }
    Ok(())
}

const PARTITIONS: &[&str] =
    &["aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"];

fn check_resource(r: &str) -> Result<(), String> {
    if r == "*" {
        return Ok(());
    }
    let Some(parts) = fields::<6>(r).filter(|p| p[0] == "arn") else {
        return Err(format!("resource `{r}` must be in ARN format or `*`"));
    };
    let partition = parts[1];
    if !(PARTITIONS.contains(&partition) || partition == "*" || partition.starts_with("${")) {
        return Err(format!("partition `{partition}` is not valid for resource `{r}`"));
    }
    if parts[2].contains(['*', '?']) {
        return Err(format!(
            "resource `{r}`: the resource vendor must be fully qualified and cannot contain wildcards"
        ));
    }
    Ok(())
}

fn check_principal(kind: PrincipalKind, p: &str) -> Result<(), String> {
    match kind {
        PrincipalKind::Aws => {
            if p == "*" || (p.len() == 12 && p.bytes().all(|b| b.is_ascii_digit())) {
                return Ok(());
            }
            let arn_ok = fields::<6>(p).is_some_and(|parts| {
                parts[0] == "arn"
                    && matches!(parts[2], "iam" | "sts")
                    && parts[4].len() == 12
                    && parts[4].bytes().all(|b| b.is_ascii_digit())
            });
            if !arn_ok {
                return Err(format!(
                    "invalid principal `{p}`: expected `*`, a 12-digit account ID or an IAM/STS ARN"
                ));
            }
            if p.contains(['*', '?']) {
                return Err(format!(
                    "invalid principal `{p}`: wildcards are not allowed in a principal, only `*` alone"
                ));
            }
            Ok(())
        }
        PrincipalKind::Service => {
            if p.is_empty() || p.contains(['*', '?']) {
                return Err(format!("invalid service principal `{p}`"));
            }
            Ok(())
        }
        _ => {
            if p.is_empty() {
                return Err("a principal must not be empty".to_owned());
            }
            Ok(())
        }
    }
}

fn check_condition_key(k: &str) -> Result<(), String> {
    prefixed_condition_key(k, "aws:")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions() {
        assert!(check_action("kms:Decrypt").is_ok());
        assert!(check_action("*").is_ok());
        assert!(check_action("kms:*").is_ok());
        assert!(check_action("Decrypt").unwrap_err().contains("prefaced by a vendor"));
        assert!(check_action("kms:a:b").unwrap_err().contains("only one colon"));
        assert!(check_action("k$s:Decrypt").unwrap_err().contains("vendor `k$s` is not valid"));
    }

    #[test]
    fn resources() {
        assert!(check_resource("arn:aws:kms:us-east-1:111122223333:key/*").is_ok());
        assert!(check_resource("arn:aws:kms:*:111122223333:alias/x").is_ok());
        assert!(check_resource("key/abc").unwrap_err().contains("ARN format"));
        assert!(check_resource("arn:foo:kms:r:1:key/a").unwrap_err().contains("partition `foo`"));
        assert!(check_resource("arn:aws:km*:r:1:key/a").unwrap_err().contains("vendor"));
    }

    #[test]
    fn principals() {
        assert!(check_principal(PrincipalKind::Aws, "111122223333").is_ok());
        assert!(check_principal(PrincipalKind::Aws, "arn:aws:iam::111122223333:root").is_ok());
        assert!(
            check_principal(PrincipalKind::Aws, "arn:aws:sts::111122223333:assumed-role/R/s")
                .is_ok()
        );
        assert!(check_principal(PrincipalKind::Aws, "arn:aws:iam::111122223333:user/*").is_err());
        assert!(check_principal(PrincipalKind::Aws, "alice").is_err());
    }
}
