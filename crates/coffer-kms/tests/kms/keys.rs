//! CreateKey, DescribeKey, EnableKey, DisableKey, ScheduleKeyDeletion, CancelKeyDeletion,
//! the deletion window, and every way of naming a key.

use coffer_kms::KmsError;
use coffer_kms::key::KeyState;
use coffer_kms::ops::create_key::CreateKeyRequest;
use coffer_store::Tag;

use crate::support::*;

#[test]
fn create_key_defaults_to_an_enabled_symmetric_key() {
    let env = Env::new();
    let key = env.key();
    assert_eq!(key.account, ACCOUNT);
    assert_eq!(key.arn, format!("arn:aws:kms:{REGION}:{ACCOUNT}:key/{}", key.key_id));
    assert_eq!(key.key_state, KeyState::Enabled);
    assert!(key.enabled);
    assert_eq!(
        (key.key_spec.as_str(), key.key_usage.as_str(), key.origin.as_str()),
        ("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT", "AWS_KMS")
    );
    assert_eq!(key.encryption_algorithms, ["SYMMETRIC_DEFAULT"]);
    assert_eq!(key.creation_date, START);
    assert_eq!(key.description, "");
    assert_eq!((key.deletion_date, key.pending_window_days), (None, None));
    let described = env.kms.describe_key(&env.admin(), &key.key_id).unwrap();
    assert_eq!(described, key);
}

#[test]
fn create_key_refuses_what_the_model_refuses() {
    let env = Env::new();
    let admin = env.admin();
    let with = |spec: Option<&str>, usage: Option<&str>| {
        env.kms.create_key(
            &admin,
            CreateKeyRequest {
                key_spec: spec.map(Into::into),
                key_usage: usage.map(Into::into),
                ..Default::default()
            },
        )
    };
    assert_eq!(
        message(with(Some("HMAC_random"), None)),
        "1 validation error detected: Value 'HMAC_random' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: [RSA_2048, ECC_NIST_P384, ECC_NIST_P256, ECC_NIST_P521, HMAC_384, RSA_3072, ECC_SECG_P256K1, RSA_4096, SYMMETRIC_DEFAULT, HMAC_256, HMAC_224, HMAC_512, ML_DSA_44, ML_DSA_65, ML_DSA_87, ECC_NIST_EDWARDS25519, SM2]"
    );
    assert_eq!(
        message(with(None, Some("RANDOM"))),
        "1 validation error detected: Value 'RANDOM' at 'keyUsage' failed to satisfy constraint: Member must satisfy enum value set: [ENCRYPT_DECRYPT, SIGN_VERIFY, GENERATE_VERIFY_MAC, KEY_AGREEMENT]"
    );
    assert_eq!(
        message(with(None, Some("KEY_AGREEMENT"))),
        "KeyUsage KEY_AGREEMENT is not compatible with KeySpec SYMMETRIC_DEFAULT"
    );
    // Recorded from AWS.
    assert_eq!(
        message(with(Some("RSA_2048"), None)),
        "You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys."
    );
    assert_eq!(
        message(with(Some("RSA_2048"), Some("KEY_AGREEMENT"))),
        "KeyUsage KEY_AGREEMENT is not compatible with KeySpec RSA_2048"
    );
    // A valid asymmetric key is made, with the algorithms of its usage only.
    let rsa = with(Some("RSA_2048"), Some("SIGN_VERIFY")).unwrap();
    assert_eq!(rsa.signing_algorithms.len(), 6);
    assert!(rsa.encryption_algorithms.is_empty() && rsa.current_key_material_id.is_none());
}

#[test]
fn create_key_checks_tags() {
    let env = Env::new();
    let admin = env.admin();
    let tags = |tags: Vec<Tag>| {
        env.kms.create_key(&admin, CreateKeyRequest { tags, ..Default::default() })
    };
    let tag = |k: &str, v: &str| Tag { key: k.into(), value: v.into() };
    let many: Vec<Tag> = (0..51).map(|i| tag(&format!("k{i}"), "v")).collect();
    assert!(matches!(fails(tags(many)), KmsError::Tag { message } if message == "Too many tags"));
    assert_eq!(message(tags(vec![tag("aws:x", "v")])), "Tags beginning with aws: are reserved");
    assert_eq!(message(tags(vec![tag("AWS:x", "v")])), "Tags beginning with aws: are reserved");
    assert_eq!(message(tags(vec![tag("a", "1"), tag("a", "2")])), "Duplicate tag keys");
    let long_key = "a".repeat(129);
    assert_eq!(
        message(tags(vec![tag(&long_key, "v")])),
        format!(
            "1 validation error detected: Value '{long_key}' at 'tags.1.member.tagKey' failed to satisfy constraint: Member must have length less than or equal to 128"
        )
    );
    let long_value = "v".repeat(257);
    assert_eq!(
        message(tags(vec![tag("k", &long_value)])),
        format!(
            "1 validation error detected: Value '{long_value}' at 'tags.1.member.tagValue' failed to satisfy constraint: Member must have length less than or equal to 256"
        )
    );
    let key = tags(vec![tag("team", "payments")]).unwrap();
    let listed = env.kms.list_resource_tags(&admin, &key.key_id, None, None).unwrap();
    assert_eq!(listed.tags, [tag("team", "payments")]);
}

#[test]
fn create_key_needs_permission() {
    let env = Env::new();
    assert_eq!(
        message(env.kms.create_key(&env.alice(), CreateKeyRequest::default())),
        format!(
            "User: {ALICE_ARN} is not authorized to perform: kms:CreateKey on resource: * because no identity-based policy allows the kms:CreateKey action"
        )
    );
}

#[test]
fn every_form_of_key_reference_names_the_key() {
    let env = Env::new();
    let admin = env.admin();
    let key = env.key();
    env.kms.create_alias(&admin, "alias/app", &key.key_id).unwrap();
    for name in [key.key_id.clone(), key.arn.clone(), "alias/app".into(), alias_arn("alias/app")] {
        assert_eq!(env.kms.describe_key(&admin, &name).unwrap().arn, key.arn, "{name}");
        let ct = env.encrypt(&admin, &name, b"by any name").unwrap();
        assert_eq!(env.decrypt(&admin, &ct).unwrap(), b"by any name", "{name}");
    }
}

#[test]
fn unknown_keys_are_named_as_aws_names_them() {
    let env = Env::new();
    let admin = env.admin();
    let missing = "1234abcd-12ab-34cd-56ef-1234567890ab";
    let arn = format!("arn:aws:kms:{REGION}:{ACCOUNT}:key/{missing}");
    let not_found = |r: &str| match fails(env.kms.describe_key(&admin, r)) {
        KmsError::NotFound { message } => message,
        other => panic!("{other:?}"),
    };
    assert_eq!(not_found(missing), format!("Key '{arn}' does not exist"));
    assert_eq!(not_found(&arn), format!("Key '{arn}' does not exist"));
    assert_eq!(not_found("fake-key-id"), "Invalid keyId 'fake-key-id'");
    assert_eq!(
        not_found(&format!("arn:aws:kms:eu-west-1:{ACCOUNT}:key/{missing}")),
        "Invalid arn eu-west-1"
    );
    assert!(not_found("alias/nothing").contains(&alias_arn("alias/nothing")));
}

#[test]
fn an_unknown_alias_is_named_without_quotes() {
    let env = Env::new();
    assert_eq!(
        message(env.kms.describe_key(&env.admin(), "alias/nothing")),
        format!("Alias {} is not found.", alias_arn("alias/nothing"))
    );
}

#[test]
fn disable_and_enable() {
    let env = Env::new();
    let admin = env.admin();
    let key = env.key();
    let ct = env.encrypt(&admin, &key.key_id, b"x").unwrap();
    env.kms.disable_key(&admin, &key.key_id).unwrap();
    env.kms.disable_key(&admin, &key.key_id).unwrap();
    let described = env.kms.describe_key(&admin, &key.key_id).unwrap();
    assert_eq!((described.key_state, described.enabled), (KeyState::Disabled, false));
    let disabled = format!("{} is disabled.", key.arn);
    assert!(matches!(fails(env.encrypt(&admin, &key.key_id, b"x")), KmsError::Disabled { .. }));
    assert_eq!(message(env.encrypt(&admin, &key.key_id, b"x")), disabled);
    assert_eq!(message(env.decrypt(&admin, &ct)), disabled);
    env.kms.enable_key(&admin, &key.key_id).unwrap();
    assert_eq!(env.decrypt(&admin, &ct).unwrap(), b"x");
    assert_eq!(env.kms.describe_key(&admin, &key.key_id).unwrap().key_state, KeyState::Enabled);
}

#[test]
fn enable_and_disable_need_their_permission() {
    let env = Env::new();
    let key = env.key();
    assert_eq!(
        message(env.kms.disable_key(&env.alice(), &key.key_id)),
        format!(
            "User: {ALICE_ARN} is not authorized to perform: kms:DisableKey on resource: {} because no identity-based policy allows the kms:DisableKey action",
            key.arn
        )
    );
}

#[test]
fn schedule_key_deletion_checks_the_window() {
    let env = Env::new();
    let admin = env.admin();
    let key = env.key();
    assert_eq!(
        message(env.kms.schedule_key_deletion(&admin, &key.key_id, Some(6))),
        "1 validation error detected: Value '6' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value greater than or equal to 7"
    );
    assert_eq!(
        message(env.kms.schedule_key_deletion(&admin, &key.key_id, Some(31))),
        "1 validation error detected: Value '31' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value less than or equal to 30"
    );
    let scheduled = env.kms.schedule_key_deletion(&admin, &key.key_id, None).unwrap();
    assert_eq!(scheduled.pending_window_days, 30);
    assert_eq!(scheduled.deletion_date, START + 30 * coffer_kms::clock::DAY_MILLIS);
    assert_eq!(scheduled.key_state, KeyState::PendingDeletion);
    assert_eq!(scheduled.key_arn, key.arn);
    // Scheduling again is refused.
    let again = fails(env.kms.schedule_key_deletion(&admin, &key.key_id, Some(7)));
    assert!(matches!(&again, KmsError::InvalidState { .. }));
    assert_eq!(again.to_string(), format!("{} is pending deletion.", key.arn));
}

#[test]
fn a_key_pending_deletion_refuses_use_and_management() {
    let env = Env::new();
    let admin = env.admin();
    let key = env.key();
    let ct = env.encrypt(&admin, &key.key_id, b"x").unwrap();
    env.kms.schedule_key_deletion(&admin, &key.key_id, Some(7)).unwrap();
    let pending = format!("{} is pending deletion.", key.arn);
    let described = env.kms.describe_key(&admin, &key.key_id).unwrap();
    assert_eq!(described.key_state, KeyState::PendingDeletion);
    assert_eq!(described.deletion_date, Some(START + 7 * coffer_kms::clock::DAY_MILLIS));
    assert_eq!(described.pending_window_days, Some(7));
    for r in
        [env.encrypt(&admin, &key.key_id, b"x").map(|_| ()), env.decrypt(&admin, &ct).map(|_| ())]
    {
        let e = fails(r);
        assert!(matches!(e, KmsError::InvalidState { .. }), "{e:?}");
        assert_eq!(e.to_string(), pending);
    }
    assert_eq!(message(env.kms.enable_key(&admin, &key.key_id)), pending);
    assert_eq!(message(env.kms.disable_key(&admin, &key.key_id)), pending);
    assert_eq!(message(env.kms.update_key_description(&admin, &key.key_id, "d")), pending);
}

#[test]
fn cancel_key_deletion_leaves_the_key_disabled() {
    let env = Env::new();
    let admin = env.admin();
    let key = env.key();
    assert_eq!(
        message(env.kms.cancel_key_deletion(&admin, &key.key_id)),
        format!("{} is not pending deletion.", key.arn)
    );
    env.kms.schedule_key_deletion(&admin, &key.key_id, Some(7)).unwrap();
    assert_eq!(env.kms.cancel_key_deletion(&admin, &key.key_id).unwrap(), key.arn);
    let described = env.kms.describe_key(&admin, &key.key_id).unwrap();
    assert_eq!(described.key_state, KeyState::Disabled);
    assert_eq!((described.deletion_date, described.pending_window_days), (None, None));
    // The window no longer applies.
    env.advance_days(8);
    assert!(env.kms.sweep().unwrap().deleted.is_empty());
    env.kms.enable_key(&admin, &key.key_id).unwrap();
    env.encrypt(&admin, &key.key_id, b"x").unwrap();
}

#[test]
fn the_key_is_deleted_when_its_window_ends() {
    let env = Env::new();
    let admin = env.admin();
    let key = env.key();
    let kept = env.key();
    env.kms.create_alias(&admin, "alias/doomed", &key.key_id).unwrap();
    env.kms.schedule_key_deletion(&admin, &key.key_id, Some(7)).unwrap();
    env.clock.advance_millis(7 * coffer_kms::clock::DAY_MILLIS - 1);
    assert!(env.kms.sweep().unwrap().deleted.is_empty());
    assert_eq!(
        env.kms.describe_key(&admin, &key.key_id).unwrap().key_state,
        KeyState::PendingDeletion
    );
    env.clock.advance_millis(1);
    assert_eq!(env.kms.sweep().unwrap().deleted, std::slice::from_ref(&key.arn));
    let gone = fails(env.kms.describe_key(&admin, &key.key_id));
    assert!(matches!(&gone, KmsError::NotFound { .. }));
    assert_eq!(gone.to_string(), format!("Key '{}' does not exist", key.arn));
    // Its aliases went with it; the other key stayed.
    assert!(env.kms.list_aliases(&admin, None, None, None).unwrap().aliases.is_empty());
    assert_eq!(env.kms.describe_key(&admin, &kept.key_id).unwrap().key_state, KeyState::Enabled);
    assert!(env.kms.sweep().unwrap().deleted.is_empty());
}

#[test]
fn update_key_description() {
    let env = Env::new();
    let admin = env.admin();
    let key = env.key();
    env.kms.update_key_description(&admin, &key.key_id, "payments").unwrap();
    assert_eq!(env.kms.describe_key(&admin, &key.key_id).unwrap().description, "payments");
}

#[test]
fn list_keys_pages() {
    let env = Env::new();
    let admin = env.admin();
    let mut ids: Vec<String> = (0..3).map(|_| env.key().key_id).collect();
    ids.sort();
    let first = env.kms.list_keys(&admin, Some(2), None).unwrap();
    assert_eq!(first.keys.iter().map(|k| k.key_id.clone()).collect::<Vec<_>>(), ids[..2]);
    let second = env.kms.list_keys(&admin, Some(2), first.next_marker.as_deref()).unwrap();
    assert_eq!(second.keys.iter().map(|k| k.key_id.clone()).collect::<Vec<_>>(), ids[2..]);
    assert_eq!(second.next_marker, None);
    // Another account sees none of them.
    assert!(env.kms.list_keys(&env.bob(), None, None).unwrap().keys.is_empty());
}
