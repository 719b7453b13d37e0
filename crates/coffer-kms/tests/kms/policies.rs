//! GetKeyPolicy, PutKeyPolicy (with the lockout safety check), ListKeyPolicies.

use coffer_kms::KmsError;
use coffer_kms::ops::create_key::{CreateKeyRequest, default_key_policy};

use crate::support::*;

/// A key policy that allows the account's IAM policies and, directly, `extra` to `actions`.
fn policy_with(principal: &str, actions: &str) -> String {
    format!(
        r#"{{"Version": "2012-10-17", "Statement": [
          {{"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {{"AWS": "arn:aws:iam::{ACCOUNT}:root"}}, "Action": "kms:*", "Resource": "*"}},
          {{"Sid": "Extra", "Effect": "Allow", "Principal": {{"AWS": "{principal}"}}, "Action": {actions}, "Resource": "*"}}]}}"#
    )
}

#[test]
fn get_the_default_policy() {
    let env = Env::new();
    let admin = env.admin();
    let key = env.key();
    let got = env.kms.get_key_policy(&admin, &key.key_id, None).unwrap();
    assert_eq!(got.policy, default_key_policy(ACCOUNT));
    assert_eq!(got.policy_name, "default");
    assert_eq!(
        env.kms.get_key_policy(&admin, &key.arn, Some("default")).unwrap().policy,
        got.policy
    );
    let e = fails(env.kms.get_key_policy(&admin, &key.key_id, Some("other")));
    assert!(matches!(&e, KmsError::NotFound { .. }));
    assert_eq!(e.to_string(), "No such policy exists");
    assert_eq!(
        message(env.kms.get_key_policy(&admin, &key.key_id, Some("no-dashes"))),
        "1 validation error detected: Value 'no-dashes' at 'policyName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w]+"
    );
}

#[test]
fn list_key_policies_names_the_default() {
    let env = Env::new();
    let key = env.key();
    let listed = env.kms.list_key_policies(&env.admin(), &key.key_id, None, None).unwrap();
    assert_eq!(listed.policy_names, ["default"]);
    assert_eq!(listed.next_marker, None);
}

#[test]
fn put_replaces_the_policy_and_takes_effect_at_once() {
    let env = Env::new();
    let admin = env.admin();
    let alice = env.alice();
    let key = env.key();
    let ct = env.encrypt(&admin, &key.key_id, b"for alice").unwrap();
    assert!(matches!(fails(env.decrypt(&alice, &ct)), KmsError::AccessDenied { .. }));
    let policy = policy_with(ALICE_ARN, r#""kms:Decrypt""#);
    env.kms.put_key_policy(&admin, &key.key_id, &policy, Some("default"), false).unwrap();
    assert_eq!(env.kms.get_key_policy(&admin, &key.key_id, None).unwrap().policy, policy);
    assert_eq!(env.decrypt(&alice, &ct).unwrap(), b"for alice");
    // And back: the old policy applies again.
    env.kms.put_key_policy(&admin, &key.key_id, &default_key_policy(ACCOUNT), None, false).unwrap();
    assert!(matches!(fails(env.decrypt(&alice, &ct)), KmsError::AccessDenied { .. }));
}

#[test]
fn put_refuses_a_policy_that_would_lock_the_caller_out() {
    let env = Env::new();
    let admin = env.admin();
    let key = env.key();
    // Only Alice is named, and only to encrypt: the account's IAM policies stop counting.
    let lockout = format!(
        r#"{{"Version": "2012-10-17", "Statement": [
          {{"Effect": "Allow", "Principal": {{"AWS": "{ALICE_ARN}"}}, "Action": "kms:Encrypt", "Resource": "*"}}]}}"#
    );
    let e = fails(env.kms.put_key_policy(&admin, &key.key_id, &lockout, None, false));
    assert!(matches!(&e, KmsError::MalformedPolicy { .. }));
    assert_eq!(
        e.to_string(),
        "The new key policy will not allow you to update the key policy in the future."
    );
    // Nothing changed, and a refused candidate never stands in for the stored policy.
    assert_eq!(
        env.kms.get_key_policy(&admin, &key.key_id, None).unwrap().policy,
        default_key_policy(ACCOUNT)
    );
    env.kms.update_key_description(&admin, &key.key_id, "bumps the revision").unwrap();
    env.kms.get_key_policy(&admin, &key.key_id, None).unwrap();

    // Bypassing the check is allowed, and locks the administrator out.
    env.kms.put_key_policy(&admin, &key.key_id, &lockout, None, true).unwrap();
    assert_eq!(
        message(env.kms.get_key_policy(&admin, &key.key_id, None)),
        format!(
            "User: {ADMIN_ARN} is not authorized to perform: kms:GetKeyPolicy on resource: {} because no resource-based policy allows the kms:GetKeyPolicy action",
            key.arn
        )
    );
    env.encrypt(&env.alice(), &key.key_id, b"still works for alice").unwrap();
}

#[test]
fn the_bypass_is_a_condition_key() {
    let env = Env::new();
    let admin = env.admin();
    let guarded = format!(
        r#"{{"Version": "2012-10-17", "Statement": [
          {{"Effect": "Allow", "Principal": {{"AWS": "arn:aws:iam::{ACCOUNT}:root"}}, "Action": "kms:*", "Resource": "*"}},
          {{"Effect": "Deny", "Principal": {{"AWS": "*"}}, "Action": "kms:PutKeyPolicy", "Resource": "*",
            "Condition": {{"Bool": {{"kms:BypassPolicyLockoutSafetyCheck": "true"}}}}}}]}}"#
    );
    let key = env
        .kms
        .create_key(
            &admin,
            CreateKeyRequest { policy: Some(guarded.clone()), ..Default::default() },
        )
        .unwrap();
    assert!(matches!(
        fails(env.kms.put_key_policy(&admin, &key.key_id, &guarded, None, true)),
        KmsError::AccessDenied { .. }
    ));
    env.kms.put_key_policy(&admin, &key.key_id, &guarded, None, false).unwrap();
}

#[test]
fn create_key_runs_the_same_lockout_check() {
    let env = Env::new();
    let admin = env.admin();
    let lockout = format!(
        r#"{{"Version": "2012-10-17", "Statement": [
          {{"Effect": "Allow", "Principal": {{"AWS": "{ALICE_ARN}"}}, "Action": "kms:Encrypt", "Resource": "*"}}]}}"#
    );
    let req = |bypass| CreateKeyRequest {
        policy: Some(lockout.clone()),
        bypass_policy_lockout_safety_check: bypass,
        ..Default::default()
    };
    assert_eq!(
        message(env.kms.create_key(&admin, req(false))),
        "The new key policy will not allow you to update the key policy in the future."
    );
    // The refused key is not left behind.
    assert!(env.kms.list_keys(&admin, None, None).unwrap().keys.is_empty());
    env.kms.create_key(&admin, req(true)).unwrap();
    assert_eq!(env.kms.list_keys(&admin, None, None).unwrap().keys.len(), 1);
}

#[test]
fn create_key_accepts_a_policy_that_keeps_the_caller_in() {
    let env = Env::new();
    let admin = env.admin();
    let policy = policy_with(ALICE_ARN, r#""kms:Decrypt""#);
    let key = env
        .kms
        .create_key(&admin, CreateKeyRequest { policy: Some(policy.clone()), ..Default::default() })
        .unwrap();
    assert_eq!(env.kms.get_key_policy(&admin, &key.key_id, None).unwrap().policy, policy);
    let ct = env.encrypt(&admin, &key.key_id, b"x").unwrap();
    assert_eq!(env.decrypt(&env.alice(), &ct).unwrap(), b"x");
}

#[test]
fn malformed_policies_are_refused() {
    let env = Env::new();
    let admin = env.admin();
    let key = env.key();
    assert!(matches!(
        fails(env.kms.put_key_policy(&admin, &key.key_id, "not json", None, false)),
        KmsError::MalformedPolicy { .. }
    ));
    let huge = format!(
        "{{\"Version\": \"2012-10-17\", \"Id\": \"{}\", \"Statement\": []}}",
        "x".repeat(33_000)
    );
    assert_eq!(
        message(env.kms.put_key_policy(&admin, &key.key_id, &huge, None, false)),
        "The key policy exceeds the maximum allowed size of 32768 bytes."
    );
    assert_eq!(
        message(env.kms.put_key_policy(
            &admin,
            &key.key_id,
            &default_key_policy(ACCOUNT),
            Some("other"),
            false
        )),
        "No such policy exists"
    );
}

#[test]
fn policies_can_be_read_and_replaced_in_any_state() {
    let env = Env::new();
    let admin = env.admin();
    let key = env.key();
    env.kms.schedule_key_deletion(&admin, &key.key_id, Some(7)).unwrap();
    let policy = policy_with(ALICE_ARN, r#"["kms:Decrypt"]"#);
    env.kms.put_key_policy(&admin, &key.key_id, &policy, None, false).unwrap();
    assert_eq!(env.kms.get_key_policy(&admin, &key.key_id, None).unwrap().policy, policy);
    assert_eq!(
        env.kms.list_key_policies(&admin, &key.key_id, None, None).unwrap().policy_names,
        ["default"]
    );
}

#[test]
fn key_policies_need_permission() {
    let env = Env::new();
    let key = env.key();
    let alice = env.alice();
    assert_eq!(
        message(env.kms.get_key_policy(&alice, &key.key_id, None)),
        format!(
            "User: {ALICE_ARN} is not authorized to perform: kms:GetKeyPolicy on resource: {} because no identity-based policy allows the kms:GetKeyPolicy action",
            key.arn
        )
    );
    assert_eq!(
        message(env.kms.put_key_policy(
            &alice,
            &key.key_id,
            &default_key_policy(ACCOUNT),
            None,
            false
        )),
        format!(
            "User: {ALICE_ARN} is not authorized to perform: kms:PutKeyPolicy on resource: {} because no identity-based policy allows the kms:PutKeyPolicy action",
            key.arn
        )
    );
}
