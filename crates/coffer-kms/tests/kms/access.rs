//! Access denied: the narrow user, another account, and the account root.

use coffer_kms::KmsError;

use crate::support::*;

#[test]
fn a_user_without_an_allow_is_told_which_action_on_which_key() {
    let env = Env::new();
    let admin = env.admin();
    let alice = env.alice();
    let key = env.key();
    // Alice may encrypt and describe ...
    let ct = env.encrypt(&alice, &key.key_id, b"from alice").unwrap();
    env.kms.describe_key(&alice, &key.key_id).unwrap();
    // ... but not decrypt.
    let e = fails(env.decrypt(&alice, &ct));
    assert!(matches!(&e, KmsError::AccessDenied { .. }));
    assert_eq!(
        e.to_string(),
        format!(
            "User: {ALICE_ARN} is not authorized to perform: kms:Decrypt on resource: {} because no identity-based policy allows the kms:Decrypt action",
            key.arn
        )
    );
    assert_eq!(env.decrypt(&admin, &ct).unwrap(), b"from alice");
    // The denial is recorded on the caller, for the audit trail.
    let decisions = alice.take_decisions();
    assert!(decisions.iter().any(|d| !d.is_allowed()));
}

#[test]
fn the_account_root_holds_every_permission_of_its_account() {
    let env = Env::new();
    let root = env.root();
    let key = env.key();
    let ct = env.encrypt(&root, &key.key_id, b"root").unwrap();
    assert_eq!(env.decrypt(&root, &ct).unwrap(), b"root");
    env.kms
        .tag_resource(
            &root,
            &key.key_id,
            &[coffer_store::Tag { key: "k".into(), value: "v".into() }],
        )
        .unwrap();
    env.kms.rotate_key_on_demand(&root, &key.key_id).unwrap();
}

#[test]
fn another_account_needs_the_key_policy_and_may_never_manage() {
    let env = Env::new();
    let admin = env.admin();
    let bob = env.bob();
    let bob_arn = format!("arn:aws:iam::{OTHER_ACCOUNT}:user/bob");
    let key = env.key();
    // Bob has kms:* at home, but the key policy does not name his account.
    assert_eq!(
        message(env.encrypt(&bob, &key.arn, b"x")),
        format!(
            "User: {bob_arn} is not authorized to perform: kms:Encrypt on resource: {} because no resource-based policy allows the kms:Encrypt action",
            key.arn
        )
    );
    let policy = format!(
        r#"{{"Version": "2012-10-17", "Statement": [
          {{"Effect": "Allow", "Principal": {{"AWS": "arn:aws:iam::{ACCOUNT}:root"}}, "Action": "kms:*", "Resource": "*"}},
          {{"Effect": "Allow", "Principal": {{"AWS": "arn:aws:iam::{OTHER_ACCOUNT}:root"}}, "Action": "kms:*", "Resource": "*"}}]}}"#
    );
    env.kms.put_key_policy(&admin, &key.key_id, &policy, None, false).unwrap();
    // Now Bob may use the key by its ARN ...
    let ct = env.encrypt(&bob, &key.arn, b"cross-account").unwrap();
    assert_eq!(
        env.kms
            .decrypt(
                &bob,
                coffer_kms::ops::decrypt::DecryptRequest {
                    ciphertext: ct,
                    key_id: Some(key.arn.clone()),
                    ..Default::default()
                }
            )
            .unwrap()
            .plaintext
            .expose(),
        b"cross-account"
    );
    // ... but never manage it.
    for (action, r) in [
        ("kms:DisableKey", env.kms.disable_key(&bob, &key.arn)),
        ("kms:TagResource", env.kms.tag_resource(&bob, &key.arn, &[])),
        ("kms:PutKeyPolicy", env.kms.put_key_policy(&bob, &key.arn, &policy, None, true)),
        ("kms:RotateKeyOnDemand", env.kms.rotate_key_on_demand(&bob, &key.arn).map(|_| ())),
        (
            "kms:ScheduleKeyDeletion",
            env.kms.schedule_key_deletion(&bob, &key.arn, None).map(|_| ()),
        ),
    ] {
        assert_eq!(
            message(r),
            format!(
                "User: {bob_arn} is not authorized to perform: {action} on resource: {} because the {action} action cannot be performed on a resource in another account",
                key.arn
            )
        );
    }
}

#[test]
fn an_explicit_deny_in_the_key_policy_wins() {
    let env = Env::new();
    let admin = env.admin();
    let key = env.key();
    let policy = format!(
        r#"{{"Version": "2012-10-17", "Statement": [
          {{"Effect": "Allow", "Principal": {{"AWS": "arn:aws:iam::{ACCOUNT}:root"}}, "Action": "kms:*", "Resource": "*"}},
          {{"Effect": "Deny", "Principal": {{"AWS": "{ADMIN_ARN}"}}, "Action": "kms:Encrypt", "Resource": "*",
            "Condition": {{"StringEquals": {{"kms:EncryptionContext:tenant": "forbidden"}}}}}}]}}"#
    );
    env.kms.put_key_policy(&admin, &key.key_id, &policy, None, false).unwrap();
    env.encrypt(&admin, &key.key_id, b"x").unwrap();
    let req = coffer_kms::ops::encrypt::EncryptRequest {
        key_id: key.key_id.clone(),
        plaintext: coffer_crypto::Secret::new(b"x".to_vec()),
        encryption_context: [("tenant".to_owned(), "forbidden".to_owned())].into(),
        ..Default::default()
    };
    assert_eq!(
        message(env.kms.encrypt(&admin, req)),
        format!(
            "User: {ADMIN_ARN} is not authorized to perform: kms:Encrypt on resource: {} with an explicit deny in a resource-based policy",
            key.arn
        )
    );
}

#[test]
fn the_request_alias_reaches_the_policy() {
    let env = Env::new();
    let admin = env.admin();
    let key = env.key();
    env.kms.create_alias(&admin, "alias/public", &key.key_id).unwrap();
    env.kms.create_alias(&admin, "alias/secret", &key.key_id).unwrap();
    let policy = format!(
        r#"{{"Version": "2012-10-17", "Statement": [
          {{"Effect": "Allow", "Principal": {{"AWS": "arn:aws:iam::{ACCOUNT}:root"}}, "Action": "kms:*", "Resource": "*"}},
          {{"Effect": "Deny", "Principal": {{"AWS": "*"}}, "Action": "kms:Encrypt", "Resource": "*",
            "Condition": {{"StringEquals": {{"kms:RequestAlias": "alias/secret"}}}}}}]}}"#
    );
    env.kms.put_key_policy(&admin, &key.key_id, &policy, None, false).unwrap();
    env.encrypt(&admin, "alias/public", b"x").unwrap();
    assert!(matches!(
        fails(env.encrypt(&admin, "alias/secret", b"x")),
        KmsError::AccessDenied { .. }
    ));
}
