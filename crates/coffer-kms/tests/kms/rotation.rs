//! EnableKeyRotation, DisableKeyRotation, GetKeyRotationStatus, RotateKeyOnDemand,
//! ListKeyRotations, and the sweep that rotates keys when they are due.

use coffer_kms::KmsError;
use coffer_kms::clock::DAY_MILLIS;

use crate::support::*;

#[test]
fn rotation_is_off_until_enabled() {
    let env = Env::new();
    let admin = env.admin();
    let key = env.key();
    let status = env.kms.get_key_rotation_status(&admin, &key.key_id).unwrap();
    assert_eq!(status.key_arn, key.arn);
    assert!(!status.key_rotation_enabled);
    assert_eq!(
        (
            status.rotation_period_days,
            status.next_rotation_date,
            status.on_demand_rotation_start_date
        ),
        (None, None, None)
    );
}

#[test]
fn enable_sets_the_period_and_the_next_date() {
    let env = Env::new();
    let admin = env.admin();
    let key = env.key();
    env.kms.enable_key_rotation(&admin, &key.key_id, None).unwrap();
    let status = env.kms.get_key_rotation_status(&admin, &key.key_id).unwrap();
    assert!(status.key_rotation_enabled);
    assert_eq!(status.rotation_period_days, Some(365));
    assert_eq!(status.next_rotation_date, Some(START + 365 * DAY_MILLIS));
    // Enabling again with the same period keeps the schedule; a new period restarts it.
    env.advance_days(10);
    env.kms.enable_key_rotation(&admin, &key.key_id, Some(365)).unwrap();
    assert_eq!(
        env.kms.get_key_rotation_status(&admin, &key.key_id).unwrap().next_rotation_date,
        Some(START + 365 * DAY_MILLIS)
    );
    env.kms.enable_key_rotation(&admin, &key.key_id, Some(180)).unwrap();
    let status = env.kms.get_key_rotation_status(&admin, &key.key_id).unwrap();
    assert_eq!(status.rotation_period_days, Some(180));
    assert_eq!(status.next_rotation_date, Some(START + 190 * DAY_MILLIS));

    env.kms.disable_key_rotation(&admin, &key.key_id).unwrap();
    let status = env.kms.get_key_rotation_status(&admin, &key.key_id).unwrap();
    assert!(!status.key_rotation_enabled);
    assert_eq!((status.rotation_period_days, status.next_rotation_date), (None, None));
    env.kms.disable_key_rotation(&admin, &key.key_id).unwrap();
}

#[test]
fn the_period_is_checked() {
    let env = Env::new();
    let admin = env.admin();
    let missing = "1234abcd-12ab-34cd-56ef-1234567890ab";
    assert_eq!(
        message(env.kms.enable_key_rotation(&admin, missing, Some(89))),
        "1 validation error detected: Value '89' at 'rotationPeriodInDays' failed to satisfy constraint: Member must have value greater than or equal to 90"
    );
    assert_eq!(
        message(env.kms.enable_key_rotation(&admin, missing, Some(2561))),
        "1 validation error detected: Value '2561' at 'rotationPeriodInDays' failed to satisfy constraint: Member must have value less than or equal to 2560"
    );
    let key = env.key();
    env.kms.enable_key_rotation(&admin, &key.key_id, Some(90)).unwrap();
    env.kms.enable_key_rotation(&admin, &key.key_id, Some(2560)).unwrap();
}

#[test]
fn the_sweep_rotates_due_keys_and_old_ciphertexts_still_decrypt() {
    let env = Env::new();
    let admin = env.admin();
    let key = env.key();
    let idle = env.key();
    let before = env.encrypt(&admin, &key.key_id, b"before any rotation").unwrap();
    env.kms.enable_key_rotation(&admin, &key.key_id, Some(90)).unwrap();
    env.advance_days(89);
    assert!(env.kms.sweep().unwrap().rotated.is_empty());
    env.advance_days(1);
    assert_eq!(env.kms.sweep().unwrap().rotated, std::slice::from_ref(&key.arn));
    let status = env.kms.get_key_rotation_status(&admin, &key.key_id).unwrap();
    assert_eq!(status.next_rotation_date, Some(START + 180 * DAY_MILLIS));
    assert!(env.kms.sweep().unwrap().rotated.is_empty());

    let after_automatic =
        env.encrypt(&admin, &key.key_id, b"after the automatic rotation").unwrap();
    assert_eq!(env.kms.rotate_key_on_demand(&admin, &key.key_id).unwrap(), key.arn);
    let after_on_demand =
        env.encrypt(&admin, &key.key_id, b"after the on-demand rotation").unwrap();
    // On-demand rotation leaves the automatic schedule alone.
    assert_eq!(
        env.kms.get_key_rotation_status(&admin, &key.key_id).unwrap().next_rotation_date,
        Some(START + 180 * DAY_MILLIS)
    );

    assert_eq!(env.decrypt(&admin, &before).unwrap(), b"before any rotation");
    assert_eq!(env.decrypt(&admin, &after_automatic).unwrap(), b"after the automatic rotation");
    assert_eq!(env.decrypt(&admin, &after_on_demand).unwrap(), b"after the on-demand rotation");

    let rotations = env.kms.list_key_rotations(&admin, &key.key_id, None, None, None).unwrap();
    let kinds: Vec<_> = rotations
        .rotations
        .iter()
        .map(|r| (r.rotation_type.as_deref(), r.key_material_state.as_str()))
        .collect();
    assert_eq!(kinds, [(Some("AUTOMATIC"), "NON_CURRENT"), (Some("ON_DEMAND"), "CURRENT")]);
    assert_eq!(rotations.rotations[0].rotation_date, Some(START + 90 * DAY_MILLIS));
    assert!(
        rotations.rotations.iter().all(|r| r.key_arn == key.arn && r.key_material_id.len() == 64)
    );
    let all = env
        .kms
        .list_key_rotations(&admin, &key.key_id, Some("ALL_KEY_MATERIAL"), None, None)
        .unwrap();
    assert_eq!(all.rotations.len(), 3);
    assert_eq!(
        (all.rotations[0].rotation_type.as_deref(), all.rotations[0].rotation_date),
        (None, None)
    );
    let ids: std::collections::BTreeSet<_> =
        all.rotations.iter().map(|r| r.key_material_id.clone()).collect();
    assert_eq!(ids.len(), 3);
    // The key without rotation was left alone.
    assert!(
        env.kms
            .list_key_rotations(&admin, &idle.key_id, None, None, None)
            .unwrap()
            .rotations
            .is_empty()
    );
}

#[test]
fn list_key_rotations_pages_and_checks_its_members() {
    let env = Env::new();
    let admin = env.admin();
    let key = env.key();
    for _ in 0..3 {
        env.kms.rotate_key_on_demand(&admin, &key.key_id).unwrap();
    }
    let first = env.kms.list_key_rotations(&admin, &key.key_id, None, Some(2), None).unwrap();
    assert_eq!(first.rotations.len(), 2);
    let second = env
        .kms
        .list_key_rotations(&admin, &key.key_id, None, Some(2), first.next_marker.as_deref())
        .unwrap();
    assert_eq!(second.rotations.len(), 1);
    assert_eq!(second.next_marker, None);
    assert_eq!(second.rotations[0].key_material_state, "CURRENT");
    assert_eq!(
        message(env.kms.list_key_rotations(&admin, &key.key_id, Some("SOME"), None, None)),
        "1 validation error detected: Value 'SOME' at 'includeKeyMaterial' failed to satisfy constraint: Member must satisfy enum value set: [ALL_KEY_MATERIAL, ROTATIONS_ONLY]"
    );
}

#[test]
fn on_demand_rotation_is_limited_to_25() {
    let env = Env::new();
    let admin = env.admin();
    let key = env.key();
    let first = env.encrypt(&admin, &key.key_id, b"first").unwrap();
    for _ in 0..25 {
        env.kms.rotate_key_on_demand(&admin, &key.arn).unwrap();
    }
    let e = fails(env.kms.rotate_key_on_demand(&admin, &key.key_id));
    assert!(matches!(&e, KmsError::LimitExceeded { .. }));
    assert_eq!(
        e.to_string(),
        format!(
            "The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: {}",
            key.arn
        )
    );
    assert_eq!(env.decrypt(&admin, &first).unwrap(), b"first");
    assert_eq!(
        env.kms.list_key_rotations(&admin, &key.key_id, None, None, None).unwrap().rotations.len(),
        25
    );
    // Automatic rotation is not limited.
    env.kms.enable_key_rotation(&admin, &key.key_id, Some(90)).unwrap();
    env.advance_days(90);
    assert_eq!(env.kms.sweep().unwrap().rotated, std::slice::from_ref(&key.arn));
}

#[test]
fn key_states() {
    let env = Env::new();
    let admin = env.admin();
    let key = env.key();
    env.kms.disable_key(&admin, &key.key_id).unwrap();
    let disabled = format!("{} is disabled.", key.arn);
    for e in [
        fails(env.kms.enable_key_rotation(&admin, &key.key_id, None)),
        fails(env.kms.disable_key_rotation(&admin, &key.key_id)),
        fails(env.kms.rotate_key_on_demand(&admin, &key.key_id).map(|_| ())),
    ] {
        assert!(matches!(&e, KmsError::Disabled { .. }), "{e:?}");
        assert_eq!(e.to_string(), disabled);
    }
    // The status and the rotations can be read.
    env.kms.get_key_rotation_status(&admin, &key.key_id).unwrap();
    env.kms.list_key_rotations(&admin, &key.key_id, None, None, None).unwrap();

    env.kms.schedule_key_deletion(&admin, &key.key_id, Some(7)).unwrap();
    let pending = format!("{} is pending deletion.", key.arn);
    for e in [
        fails(env.kms.enable_key_rotation(&admin, &key.key_id, None)),
        fails(env.kms.disable_key_rotation(&admin, &key.key_id)),
        fails(env.kms.rotate_key_on_demand(&admin, &key.key_id).map(|_| ())),
    ] {
        assert!(matches!(&e, KmsError::InvalidState { .. }), "{e:?}");
        assert_eq!(e.to_string(), pending);
    }
    env.kms.get_key_rotation_status(&admin, &key.key_id).unwrap();
}

#[test]
fn a_key_pending_deletion_is_not_rotated_by_the_sweep() {
    let env = Env::new();
    let admin = env.admin();
    let key = env.key();
    env.kms.enable_key_rotation(&admin, &key.key_id, Some(90)).unwrap();
    env.advance_days(85);
    env.kms.schedule_key_deletion(&admin, &key.key_id, Some(30)).unwrap();
    env.advance_days(10);
    let swept = env.kms.sweep().unwrap();
    assert!(swept.rotated.is_empty() && swept.deleted.is_empty());
    assert!(
        env.kms
            .list_key_rotations(&admin, &key.key_id, None, None, None)
            .unwrap()
            .rotations
            .is_empty()
    );
}

#[test]
fn a_disabled_key_is_rotated_when_enabled_again() {
    let env = Env::new();
    let admin = env.admin();
    let key = env.key();
    env.kms.enable_key_rotation(&admin, &key.key_id, Some(90)).unwrap();
    env.kms.disable_key(&admin, &key.key_id).unwrap();
    env.advance_days(91);
    assert!(env.kms.sweep().unwrap().rotated.is_empty());
    env.kms.enable_key(&admin, &key.key_id).unwrap();
    assert_eq!(env.kms.sweep().unwrap().rotated, std::slice::from_ref(&key.arn));
}

#[test]
fn rotation_needs_permission() {
    let env = Env::new();
    let key = env.key();
    let alice = env.alice();
    for (action, r) in [
        ("kms:EnableKeyRotation", env.kms.enable_key_rotation(&alice, &key.key_id, None)),
        ("kms:DisableKeyRotation", env.kms.disable_key_rotation(&alice, &key.key_id)),
        ("kms:RotateKeyOnDemand", env.kms.rotate_key_on_demand(&alice, &key.key_id).map(|_| ())),
        (
            "kms:GetKeyRotationStatus",
            env.kms.get_key_rotation_status(&alice, &key.key_id).map(|_| ()),
        ),
        (
            "kms:ListKeyRotations",
            env.kms.list_key_rotations(&alice, &key.key_id, None, None, None).map(|_| ()),
        ),
    ] {
        assert_eq!(
            message(r),
            format!(
                "User: {ALICE_ARN} is not authorized to perform: {action} on resource: {} because no identity-based policy allows the {action} action",
                key.arn
            )
        );
    }
}

#[test]
fn the_rotation_period_is_a_condition_key() {
    let env = Env::new();
    let admin = env.admin();
    let policy = format!(
        r#"{{"Version": "2012-10-17", "Statement": [
          {{"Effect": "Allow", "Principal": {{"AWS": "arn:aws:iam::{ACCOUNT}:root"}}, "Action": "kms:*", "Resource": "*"}},
          {{"Effect": "Deny", "Principal": {{"AWS": "*"}}, "Action": "kms:EnableKeyRotation", "Resource": "*",
            "Condition": {{"NumericLessThan": {{"kms:RotationPeriodInDays": "180"}}}}}}]}}"#
    );
    let key = env
        .kms
        .create_key(
            &admin,
            coffer_kms::ops::create_key::CreateKeyRequest {
                policy: Some(policy),
                ..Default::default()
            },
        )
        .unwrap();
    assert!(matches!(
        fails(env.kms.enable_key_rotation(&admin, &key.key_id, Some(90))),
        KmsError::AccessDenied { .. }
    ));
    env.kms.enable_key_rotation(&admin, &key.key_id, Some(180)).unwrap();
}
