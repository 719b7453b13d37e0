//! Alibaba Cloud RAM grammar (`"Version": "1"`): identity policies, control policies,
//! session policies and KMS key/secret policies.
//!
//! Owns: what RAM accepts as an action (`kms:<ApiName>`), a resource
//! (`acs:<service>:<region>:<account>:<relative-id>`), a principal and a condition key.
//! Never: evaluate.

use super::parse::{Grammar, non_empty_principal, prefixed_condition_key};
use crate::Dialect;
use crate::matching::fields;
use crate::model::PrincipalKind;

pub(crate) static GRAMMAR: Grammar = Grammar {
    dialect: Dialect::Alibaba,
    versions: &["1"],
    version_required: true,
    top_level_extra: &[],
    // The classic grammar has no NotResource and no NotPrincipal; KMS key policies add Sid.
    statement_keys: &["Sid", "Effect", "Action", "NotAction", "Resource", "Condition", "Principal"],
    statement_may_be_object: false,
    resource_required: true,
    action_required: true,
    unique_sids: true,
    principal_kinds: &[
        ("RAM", PrincipalKind::Ram),
        ("Service", PrincipalKind::Service),
        ("Federated", PrincipalKind::Federated),
    ],
    check_action,
    check_resource,
    check_principal: non_empty_principal,
    check_condition_key,
};

fn check_action(a: &str) -> Result<(), String> {
    if a == "*" {
        return Ok(());
    }
    match a.split_once(':') {
        Some((code, name)) if !code.is_empty() && !name.is_empty() && !name.contains(':') => Ok(()),
        _ => Err(format!(
            "action `{a}` must be in the form `<ram-code>:<action-name>` (e.g. `kms:Decrypt`)"
        )),
    }
}

fn check_resource(r: &str) -> Result<(), String> {
    if r == "*" {
        return Ok(());
    }
    if !fields::<5>(r).is_some_and(|parts| parts[0] == "acs" && !parts[1].is_empty()) {
        return Err(format!(
            "resource `{r}` must be `acs:<service>:<region>:<account-id>:<relative-id>` or `*`"
        ));
    }
    Ok(())
}

fn check_condition_key(k: &str) -> Result<(), String> {
    prefixed_condition_key(k, "acs:")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_and_resources() {
        assert!(check_action("kms:Decrypt").is_ok());
        assert!(check_action("kms:List*").is_ok());
        assert!(check_action("kms:cmk:create").is_err());
        assert!(check_resource("acs:kms:*:*:key/*").is_ok());
        assert!(check_resource("acs:kms:cn-hangzhou:123456:key").is_ok());
        assert!(check_resource("arn:aws:kms:a:b:c").is_err());
    }
}
