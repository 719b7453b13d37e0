//! Huawei Cloud IAM grammar: 5.0 identity policies and Organizations SCPs, and the legacy
//! 1.1 policies.
//!
//! Owns: what Huawei accepts as an action (`service:resourceType:operation`), a resource
//! (URN `service:region:account:type:path`), a principal and a condition key. Never:
//! evaluate.

use super::parse::{Grammar, non_empty_principal, prefixed_condition_key};
use crate::Dialect;
use crate::matching::fields;
use crate::model::PrincipalKind;

pub(crate) static GRAMMAR: Grammar = Grammar {
    dialect: Dialect::Huawei,
    versions: &["5.0", "1.1"],
    version_required: true,
    top_level_extra: &[],
    statement_keys: &[
        "Sid",
        "Effect",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Condition",
        "Principal",
        // Legacy 1.1 system policies list the policies they depend on.
        "Depends",
    ],
    statement_may_be_object: false,
    // "If Resource is not specified, it defaults to '*'."
    resource_required: false,
    action_required: true,
    unique_sids: true,
    principal_kinds: &[("IAM", PrincipalKind::Iam), ("Service", PrincipalKind::Service)],
    check_action,
    check_resource,
    check_principal: non_empty_principal,
    check_condition_key,
};

fn check_action(a: &str) -> Result<(), String> {
    if a == "*" {
        return Ok(());
    }
    let parts: Vec<&str> = a.split(':').collect();
    let ok = match parts.as_slice() {
        // `kms:*` is accepted as "every action of the service".
        [service, rest] => !service.is_empty() && *rest == "*",
        [service, _resource_type, op] => !service.is_empty() && !op.is_empty(),
        _ => false,
    };
    if !ok {
        return Err(format!(
            "action `{a}` must be in the form `service:resourceType:operation` (e.g. `kms:cmk:create`, `kms::generateRandom`)"
        ));
    }
    if !parts[0].bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'*' || b == b'?') {
        return Err(format!("action `{a}`: service `{}` is not valid", parts[0]));
    }
    Ok(())
}

fn check_resource(r: &str) -> Result<(), String> {
    if r == "*" {
        return Ok(());
    }
    if fields::<5>(r).is_none_or(|parts| parts[0].is_empty()) {
        return Err(format!(
            "resource `{r}` must be a URN `service:region:account-id:type:path` or `*`"
        ));
    }
    Ok(())
}

fn check_condition_key(k: &str) -> Result<(), String> {
    prefixed_condition_key(k, "g:")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_and_resources() {
        assert!(check_action("kms:cmk:encryptData").is_ok());
        assert!(check_action("kms::generateRandom").is_ok());
        assert!(check_action("kms:*:*").is_ok());
        assert!(check_action("kms:*").is_ok());
        assert!(check_action("kms:Decrypt").is_err());
        assert!(check_action("kms").is_err());
        assert!(check_resource("kms:cn-north-4:0970dd7a1300f5672ff2c003c60ae115:KeyId:*").is_ok());
        assert!(check_resource("kms:*:*:KeyId:*").is_ok());
        assert!(check_resource("arn:aws:kms").is_err());
    }
}
