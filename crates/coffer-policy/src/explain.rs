//! A decision explained to a person.
//!
//! Owns: turning a simulation case and its decision into a few lines of text — the
//! request, the outcome, the access-denied message a denial carries, and one sentence per
//! reason naming the policy kind, the policy, the statement (its `Sid` quoted) and its
//! effect. This is what `coffer policy explain` prints. Never: decide anything itself; the
//! decision is taken as given.
//!
//! ```
//! use coffer_policy::case::Case;
//! use coffer_policy::explain::explain;
//!
//! let case = Case::from_json(&serde_json::json!({
//!     "dialect": "aws",
//!     "request": {"principal": "arn:aws:iam::111122223333:user/alice", "action": "kms:Decrypt"}
//! }))?;
//! let text = explain(&case, &case.evaluate());
//! assert!(text.contains("because no identity-based policy allows the kms:Decrypt action"));
//! # Ok::<(), coffer_policy::case::CaseError>(())
//! ```

use std::fmt::Write as _;

use crate::case::Case;
use crate::decision::{Decision, Outcome, PolicyKind, Reason};
use crate::{Dialect, Effect};

/// Explains `decision`, taken on `case`, in a few lines of text (each ending in a newline).
pub fn explain(case: &Case, decision: &Decision) -> String {
    let req = &case.request;
    let principal = req.caller.arn.as_str();
    let mut out = String::new();
    if let Some(id) = &case.id {
        // A string id is shown without its quotes; anything else as JSON.
        match id {
            serde_json::Value::String(s) => line(&mut out, format_args!("case:      {s}")),
            other => line(&mut out, format_args!("case:      {other}")),
        }
    }
    line(&mut out, format_args!("dialect:   {}", req.dialect));
    line(&mut out, format_args!("principal: {principal}"));
    line(&mut out, format_args!("action:    {}", req.action));
    line(&mut out, format_args!("resource:  {}", req.resource));
    let summary = match decision.decision {
        Outcome::Allow => "the request is allowed",
        Outcome::ExplicitDeny => "the request is denied by an applicable Deny statement",
        Outcome::ImplicitDeny => {
            "the request is denied because nothing allowed it where an allow is required"
        }
    };
    line(&mut out, format_args!("outcome:   {} ({summary})", decision.decision));
    if let Some(message) = decision.message(principal, &req.action, &req.resource) {
        line(&mut out, format_args!("message:   {message}"));
    }
    if decision.reasons.is_empty() {
        line(&mut out, format_args!("reasons:   none"));
    } else {
        line(&mut out, format_args!("reasons:"));
        for (i, reason) in decision.reasons.iter().enumerate() {
            line(
                &mut out,
                format_args!(
                    "  {}. {}",
                    i + 1,
                    sentence(reason, decision, req.dialect, &req.action)
                ),
            );
        }
    }
    out
}

fn line(out: &mut String, args: std::fmt::Arguments<'_>) {
    // Writing to a String cannot fail.
    let _ = out.write_fmt(args);
    out.push('\n');
}

/// One reason as a sentence.
fn sentence(reason: &Reason, decision: &Decision, dialect: Dialect, action: &str) -> String {
    match reason {
        Reason::Statement { policy_kind, policy_index, policy_name, level, sid, statement_index, effect } => {
            let sid = match sid {
                Some(sid) => format!(" (Sid \"{sid}\")"),
                None => " (no Sid)".to_owned(),
            };
            let name = match policy_name {
                Some(name) => format!(" \"{name}\""),
                None => String::new(),
            };
            let level = match level {
                Some(0) => " at organization level 0 (the root)".to_owned(),
                Some(l) => format!(" at organization level {l}"),
                None => String::new(),
            };
            let verb = match effect {
                Effect::Allow => "allows",
                Effect::Deny => "denies",
            };
            format!(
                "The {effect} statement {statement_index}{sid} of {kind} {policy_index}{name}{level} applies and {verb} the request.",
                kind = kind_name(*policy_kind, dialect),
            )
        }
        Reason::Grant { grant_id } => format!("Grant \"{grant_id}\" allows the request."),
        Reason::AccountRoot => {
            "The caller is the root identity of its account, which holds every identity-based permission of the account."
                .to_owned()
        }
        Reason::NoAllow { policy_kind } => match decision.phrase.as_deref() {
            Some(phrase) => capitalized(phrase.strip_prefix("because ").unwrap_or(phrase)) + ".",
            None => format!("No {} allows the {action} action.", kind_name(*policy_kind, dialect)),
        },
        Reason::CrossAccountNotSupported => {
            format!("The {action} action cannot be performed on a resource in another account.")
        }
    }
}

/// The name of a policy kind in the dialect's own words, as denial phrases use it.
fn kind_name(kind: PolicyKind, dialect: Dialect) -> &'static str {
    kind.phrase(dialect).1
}

fn capitalized(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ALICE: &str = "arn:aws:iam::111122223333:user/alice";
    const KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    fn default_key_policy() -> serde_json::Value {
        json!({"Version": "2012-10-17", "Id": "key-default-1", "Statement": [{
            "Sid": "Enable IAM User Permissions", "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}]})
    }

    fn run(case: serde_json::Value) -> (Decision, String) {
        let case = Case::from_json(&case).unwrap();
        let decision = case.evaluate();
        let text = explain(&case, &decision);
        (decision, text)
    }

    #[test]
    fn implicit_deny_shows_the_request_message_and_phrase() {
        let (d, text) = run(json!({
            "id": "no-iam-allow", "dialect": "aws",
            "policies": {"resource": [default_key_policy()]},
            "request": {"principal": ALICE, "action": "kms:Decrypt", "resource": KEY}
        }));
        assert_eq!(d.decision, Outcome::ImplicitDeny);
        assert!(text.starts_with("case:      no-iam-allow\n"), "{text}");
        assert!(text.contains(&format!("principal: {ALICE}\n")), "{text}");
        assert!(text.contains("action:    kms:Decrypt\n"), "{text}");
        assert!(text.contains(&format!("resource:  {KEY}\n")), "{text}");
        assert!(text.contains("outcome:   ImplicitDeny ("), "{text}");
        let message = format!(
            "message:   User: {ALICE} is not authorized to perform: kms:Decrypt on resource: {KEY} \
             because no identity-based policy allows the kms:Decrypt action\n"
        );
        assert!(text.contains(&message), "{text}");
        assert!(
            text.contains("  1. No identity-based policy allows the kms:Decrypt action.\n"),
            "{text}"
        );
        assert!(text.ends_with('\n'));
    }

    #[test]
    fn allow_names_each_statement_with_its_sid() {
        let (d, text) = run(json!({
            "id": 7, "dialect": "aws",
            "policies": {
                "resource": [default_key_policy()],
                "identity": [{"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*"},
                    {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}]}]
            },
            "request": {"principal": ALICE, "action": "kms:Decrypt", "resource": KEY}
        }));
        assert!(d.is_allowed(), "{d:?}");
        assert!(text.starts_with("case:      7\n"), "{text}");
        assert!(!text.contains("message:"), "{text}");
        assert!(
            text.contains(
                "The Allow statement 0 (Sid \"Enable IAM User Permissions\") of resource-based policy 0 \
                 applies and allows the request."
            ),
            "{text}"
        );
        assert!(
            text.contains("The Allow statement 1 (no Sid) of identity-based policy 0 applies and allows the request."),
            "{text}"
        );
    }

    #[test]
    fn explicit_deny_in_an_scp_names_the_level() {
        let (d, text) = run(json!({
            "dialect": "aws",
            "policies": {
                "resource": [default_key_policy()],
                "identity": [{"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}],
                "scp": [{"Version": "2012-10-17", "Statement": [
                    {"Sid": "FullAccess", "Effect": "Allow", "Action": "*", "Resource": "*"},
                    {"Sid": "NoKeyDeletion", "Effect": "Deny", "Action": "kms:ScheduleKeyDeletion", "Resource": "*"}]}]
            },
            "request": {"principal": ALICE, "action": "kms:ScheduleKeyDeletion", "resource": KEY}
        }));
        assert_eq!(d.decision, Outcome::ExplicitDeny);
        assert!(!text.starts_with("case:"), "{text}");
        assert!(text.contains("with an explicit deny in a service control policy\n"), "{text}");
        assert!(
            text.contains(
                "The Deny statement 1 (Sid \"NoKeyDeletion\") of service control policy 0 at organization \
                 level 0 (the root) applies and denies the request."
            ),
            "{text}"
        );
    }

    #[test]
    fn grants_root_and_named_policies() {
        let case = Case::from_json(&json!({
            "dialect": "aws",
            "policies": {"resource": [default_key_policy()]},
            "request": {"principal": ALICE, "action": "kms:Decrypt", "resource": KEY}
        }))
        .unwrap();
        let decision = Decision {
            decision: Outcome::Allow,
            reasons: vec![
                Reason::Grant { grant_id: "0c237476b39f8bc44e45212e08498fbe".to_owned() },
                Reason::AccountRoot,
                Reason::Statement {
                    policy_kind: PolicyKind::Scp,
                    policy_index: 2,
                    policy_name: Some("FullAWSAccess".to_owned()),
                    level: Some(1),
                    sid: None,
                    statement_index: 0,
                    effect: Effect::Allow,
                },
            ],
            phrase: None,
        };
        let text = explain(&case, &decision);
        assert!(
            text.contains("  1. Grant \"0c237476b39f8bc44e45212e08498fbe\" allows the request.\n"),
            "{text}"
        );
        assert!(text.contains("  2. The caller is the root identity of its account"), "{text}");
        assert!(
            text.contains(
                "  3. The Allow statement 0 (no Sid) of service control policy 2 \"FullAWSAccess\" at \
                 organization level 1 applies and allows the request.\n"
            ),
            "{text}"
        );
    }

    #[test]
    fn alibaba_control_policy_and_cross_account() {
        let (d, text) = run(json!({
            "dialect": "alibaba",
            "policies": {
                "identity": [{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}],
                "scp": [{"Version": "1", "Statement": [
                    {"Sid": "DenyDelete", "Effect": "Deny", "Action": "kms:ScheduleKeyDeletion", "Resource": "*"}]}]
            },
            "request": {"principal": "acs:ram::123456:user/bob", "action": "kms:ScheduleKeyDeletion",
                        "resource": "acs:kms:cn-hangzhou:123456:key/key-hzz1"}
        }));
        assert_eq!(d.decision, Outcome::ExplicitDeny, "{d:?}");
        assert!(text.contains("(Sid \"DenyDelete\") of control policy 0"), "{text}");

        let case = Case::from_json(&json!({
            "dialect": "aws",
            "request": {"principal": ALICE, "action": "kms:ScheduleKeyDeletion",
                        "resource": "arn:aws:kms:us-east-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab"}
        }))
        .unwrap();
        let d = case.evaluate();
        assert_eq!(d.reasons, [Reason::CrossAccountNotSupported]);
        assert!(
            explain(&case, &d)
                .contains("The kms:ScheduleKeyDeletion action cannot be performed on a resource in another account.")
        );
    }
}
