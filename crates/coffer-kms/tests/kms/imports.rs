//! Imported key material: CreateKey with Origin EXTERNAL, GetParametersForImport,
//! ImportKeyMaterial, DeleteImportedKeyMaterial, expiry driven by the sweep and the clock,
//! and RotateKeyOnDemand onto new imported material.

#![expect(clippy::unwrap_used, reason = "a helper whose call fails fails the test")]

use coffer_crypto::{EncryptionAlgorithm, KeySpec, MessageType, SigningAlgorithm, SystemRandom};
use coffer_kms::KmsError;
use coffer_kms::key::{KeyMetadata, KeyState};
use coffer_kms::ops::create_key::CreateKeyRequest;
use coffer_kms::ops::get_parameters_for_import::GetParametersForImportRequest;
use coffer_kms::ops::import_key_material::{ImportKeyMaterialRequest, KeyMaterialResponse};
use coffer_kms::ops::sign::SignRequest;

use crate::support::*;

fn external(env: &Env, spec: &str, usage: &str) -> KeyMetadata {
    env.kms
        .create_key(
            &env.admin(),
            CreateKeyRequest {
                key_spec: Some(spec.into()),
                key_usage: Some(usage.into()),
                origin: Some("EXTERNAL".into()),
                ..Default::default()
            },
        )
        .unwrap()
}

/// An import request with a fresh token, `material` wrapped with RSAES_OAEP_SHA_256.
fn wrapped(env: &Env, key: &str, material: &[u8]) -> ImportKeyMaterialRequest {
    let params = env
        .kms
        .get_parameters_for_import(
            &env.admin(),
            GetParametersForImportRequest {
                key_id: key.into(),
                wrapping_algorithm: "RSAES_OAEP_SHA_256".into(),
                wrapping_key_spec: "RSA_2048".into(),
            },
        )
        .unwrap();
    let encrypted_key_material = coffer_crypto::asymmetric_encrypt(
        KeySpec::Rsa2048,
        &params.public_key,
        EncryptionAlgorithm::RsaesOaepSha256,
        material,
        &SystemRandom,
    )
    .unwrap();
    ImportKeyMaterialRequest {
        key_id: key.into(),
        import_token: params.import_token,
        encrypted_key_material,
        expiration_model: Some("KEY_MATERIAL_DOES_NOT_EXPIRE".into()),
        ..Default::default()
    }
}

fn import(env: &Env, req: ImportKeyMaterialRequest) -> Result<KeyMaterialResponse, KmsError> {
    env.kms.import_key_material(&env.admin(), req)
}

fn state(env: &Env, key: &KeyMetadata) -> KeyState {
    env.kms.describe_key(&env.admin(), &key.key_id).unwrap().key_state
}

#[test]
fn imported_symmetric_material_serves_until_deleted_and_comes_back_the_same() {
    let env = Env::new();
    let key = external(&env, "SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT");
    assert_eq!((key.key_state, key.origin.as_str()), (KeyState::PendingImport, "EXTERNAL"));
    assert!(key.current_key_material_id.is_none() && key.expiration_model.is_none());
    assert_eq!(
        message(env.encrypt(&env.admin(), &key.key_id, b"x")),
        format!("{} is pending import.", key.arn)
    );

    let material = [5u8; 32];
    let missing_valid_to = ImportKeyMaterialRequest {
        expiration_model: None,
        ..wrapped(&env, &key.key_id, &material)
    };
    assert_eq!(
        message(import(&env, missing_valid_to)),
        "A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES"
    );
    let done = import(&env, wrapped(&env, &key.key_id, &material)).unwrap();
    assert_eq!(done.key_arn, key.arn);
    let described = env.kms.describe_key(&env.admin(), &key.key_id).unwrap();
    assert_eq!(described.key_state, KeyState::Enabled);
    assert_eq!(described.current_key_material_id.as_deref(), Some(done.key_material_id.as_str()));
    assert_eq!(described.expiration_model.as_deref(), Some("KEY_MATERIAL_DOES_NOT_EXPIRE"));
    let blob = env.encrypt(&env.admin(), &key.key_id, b"kept").unwrap();
    assert_eq!(env.decrypt(&env.admin(), &blob).unwrap(), b"kept");

    let deleted = env.kms.delete_imported_key_material(&env.admin(), &key.key_id, None).unwrap();
    assert_eq!(deleted, done);
    let described = env.kms.describe_key(&env.admin(), &key.key_id).unwrap();
    assert_eq!(described.key_state, KeyState::PendingImport);
    assert!(described.expiration_model.is_none() && described.current_key_material_id.is_some());
    assert_eq!(
        message(env.decrypt(&env.admin(), &blob)),
        format!("{} is pending import.", key.arn)
    );
    assert_eq!(
        message(env.kms.delete_imported_key_material(&env.admin(), &key.key_id, None)),
        format!("{} is pending import.", key.arn)
    );

    let other = import(&env, wrapped(&env, &key.key_id, &[6u8; 32]));
    assert!(matches!(fails(other), KmsError::IncorrectKeyMaterial { .. }));
    let short = import(&env, wrapped(&env, &key.key_id, &[6u8; 16]));
    assert!(matches!(fails(short), KmsError::IncorrectKeyMaterial { .. }));
    assert_eq!(import(&env, wrapped(&env, &key.key_id, &material)).unwrap(), done);
    assert_eq!(env.decrypt(&env.admin(), &blob).unwrap(), b"kept");
}

#[test]
fn import_tokens_belong_to_their_key_and_expire() {
    let env = Env::new();
    let key = external(&env, "HMAC_256", "GENERATE_VERIFY_MAC");
    let other = external(&env, "HMAC_256", "GENERATE_VERIFY_MAC");
    let material = [1u8; 32];
    let foreign = ImportKeyMaterialRequest {
        key_id: key.key_id.clone(),
        ..wrapped(&env, &other.key_id, &material)
    };
    assert!(matches!(fails(import(&env, foreign)), KmsError::InvalidImportToken { .. }));
    let mut tampered = wrapped(&env, &key.key_id, &material);
    tampered.import_token[5] ^= 1;
    assert!(matches!(fails(import(&env, tampered)), KmsError::InvalidImportToken { .. }));
    let mut garbled = wrapped(&env, &key.key_id, &material);
    garbled.encrypted_key_material[0] ^= 1;
    assert!(matches!(fails(import(&env, garbled)), KmsError::InvalidCiphertext));
    let late = wrapped(&env, &key.key_id, &material);
    env.clock.advance_millis(24 * 3_600_000 + 1);
    assert!(matches!(fails(import(&env, late)), KmsError::ExpiredImportToken { .. }));
    assert!(import(&env, wrapped(&env, &key.key_id, &material)).is_ok());

    let native = env.key();
    let refused = env.kms.get_parameters_for_import(
        &env.admin(),
        GetParametersForImportRequest {
            key_id: native.key_id.clone(),
            wrapping_algorithm: "RSAES_OAEP_SHA_256".into(),
            wrapping_key_spec: "RSA_2048".into(),
        },
    );
    assert_eq!(
        message(refused),
        format!("{} origin is AWS_KMS which is not valid for this operation.", native.arn)
    );
    let unfit = env.kms.get_parameters_for_import(
        &env.admin(),
        GetParametersForImportRequest {
            key_id: key.key_id.clone(),
            wrapping_algorithm: "SM2PKE".into(),
            wrapping_key_spec: "RSA_2048".into(),
        },
    );
    assert!(matches!(fails(unfit), KmsError::Validation { .. }));
    let alice = env.kms.get_parameters_for_import(
        &env.alice(),
        GetParametersForImportRequest {
            key_id: key.key_id.clone(),
            wrapping_algorithm: "RSAES_OAEP_SHA_256".into(),
            wrapping_key_spec: "RSA_2048".into(),
        },
    );
    assert!(matches!(fails(alice), KmsError::AccessDenied { .. }));
}

#[test]
fn material_that_expires_is_removed_by_the_sweep() {
    let env = Env::new();
    let key = external(&env, "SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT");
    let valid_to = env.kms.now_millis() + 2 * 86_400_000;
    let req = ImportKeyMaterialRequest {
        expiration_model: Some("KEY_MATERIAL_EXPIRES".into()),
        valid_to: Some(valid_to),
        ..wrapped(&env, &key.key_id, &[3u8; 32])
    };
    import(&env, req).unwrap();
    let described = env.kms.describe_key(&env.admin(), &key.key_id).unwrap();
    assert_eq!(
        (described.expiration_model.as_deref(), described.valid_to),
        (Some("KEY_MATERIAL_EXPIRES"), Some(valid_to))
    );
    env.advance_days(1);
    assert!(env.kms.sweep().unwrap().expired.is_empty());
    assert_eq!(state(&env, &key), KeyState::Enabled);
    env.advance_days(1);
    assert_eq!(env.kms.sweep().unwrap().expired, std::slice::from_ref(&key.arn));
    assert_eq!(state(&env, &key), KeyState::PendingImport);
    assert!(env.kms.sweep().unwrap().expired.is_empty());
    assert_eq!(
        message(env.encrypt(&env.admin(), &key.key_id, b"x")),
        format!("{} is pending import.", key.arn)
    );
    let past = ImportKeyMaterialRequest {
        expiration_model: Some("KEY_MATERIAL_EXPIRES".into()),
        valid_to: Some(env.kms.now_millis() - 1),
        ..wrapped(&env, &key.key_id, &[3u8; 32])
    };
    assert!(matches!(fails(import(&env, past)), KmsError::Validation { .. }));
    import(&env, wrapped(&env, &key.key_id, &[3u8; 32])).unwrap();
    assert_eq!(state(&env, &key), KeyState::Enabled);
}

#[test]
fn new_material_waits_for_rotation_on_demand() {
    let env = Env::new();
    let key = external(&env, "SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT");
    let first = import(&env, wrapped(&env, &key.key_id, &[1u8; 32])).unwrap();
    assert_eq!(
        message(env.kms.rotate_key_on_demand(&env.admin(), &key.key_id)),
        format!("No available key material pending rotation for the key: {}.", key.arn)
    );
    let old = env.encrypt(&env.admin(), &key.key_id, b"old").unwrap();
    // Other material is refused unless it is declared new.
    assert!(matches!(
        fails(import(&env, wrapped(&env, &key.key_id, &[2u8; 32]))),
        KmsError::IncorrectKeyMaterial { .. }
    ));
    let new_req = |byte: u8| ImportKeyMaterialRequest {
        import_type: Some("NEW_KEY_MATERIAL".into()),
        ..wrapped(&env, &key.key_id, &[byte; 32])
    };
    let second = import(&env, new_req(2)).unwrap();
    assert_ne!(second.key_material_id, first.key_material_id);
    let described = env.kms.describe_key(&env.admin(), &key.key_id).unwrap();
    assert_eq!(described.current_key_material_id.as_deref(), Some(first.key_material_id.as_str()));
    let third = fails(import(&env, new_req(3)));
    assert!(matches!(third, KmsError::InvalidState { .. }));
    assert!(third.to_string().ends_with(&format!(
        "cannot be imported into KMS key {}, because another key material (id: {}) is pending rotation.",
        key.arn, second.key_material_id
    )));
    assert_eq!(env.kms.rotate_key_on_demand(&env.admin(), &key.key_id).unwrap(), key.arn);
    let described = env.kms.describe_key(&env.admin(), &key.key_id).unwrap();
    assert_eq!(described.current_key_material_id.as_deref(), Some(second.key_material_id.as_str()));
    assert_eq!(env.decrypt(&env.admin(), &old).unwrap(), b"old");
    let new = env.encrypt(&env.admin(), &key.key_id, b"new").unwrap();
    assert_eq!(env.decrypt(&env.admin(), &new).unwrap(), b"new");
    // Deleting the old, non-current material leaves the key usable.
    env.kms
        .delete_imported_key_material(&env.admin(), &key.key_id, Some(&first.key_material_id))
        .unwrap();
    assert_eq!(state(&env, &key), KeyState::Enabled);
    assert!(matches!(fails(env.decrypt(&env.admin(), &old)), KmsError::InvalidState { .. }));
}

#[test]
fn an_imported_key_pair_signs_as_its_owner_would() {
    let env = Env::new();
    let key = external(&env, "ECC_NIST_P256", "SIGN_VERIFY");
    let private = coffer_crypto::generate_material(KeySpec::EccNistP256, &SystemRandom).unwrap();
    let public = coffer_crypto::public_key_spki(KeySpec::EccNistP256, &private).unwrap();
    import(&env, wrapped(&env, &key.key_id, private.expose())).unwrap();
    assert_eq!(env.kms.get_public_key(&env.admin(), &key.key_id).unwrap().public_key, public);
    let signature = env
        .kms
        .sign(
            &env.admin(),
            SignRequest {
                key_id: key.key_id.clone(),
                message: b"owned".to_vec(),
                signing_algorithm: "ECDSA_SHA_256".into(),
                ..Default::default()
            },
        )
        .unwrap()
        .signature;
    let algorithm = SigningAlgorithm::EcdsaSha256;
    assert!(
        coffer_crypto::verify(
            KeySpec::EccNistP256,
            &public,
            algorithm,
            MessageType::Raw,
            b"owned",
            &signature
        )
        .unwrap()
    );
    // Another curve's key, or another key of the curve after the first, is refused.
    let p384 = coffer_crypto::generate_material(KeySpec::EccNistP384, &SystemRandom).unwrap();
    let other = external(&env, "ECC_NIST_P256", "SIGN_VERIFY");
    assert!(matches!(
        fails(import(&env, wrapped(&env, &other.key_id, p384.expose()))),
        KmsError::IncorrectKeyMaterial { .. }
    ));
    let second = coffer_crypto::generate_material(KeySpec::EccNistP256, &SystemRandom).unwrap();
    assert!(matches!(
        fails(import(&env, wrapped(&env, &key.key_id, second.expose()))),
        KmsError::IncorrectKeyMaterial { .. }
    ));
    env.kms.delete_imported_key_material(&env.admin(), &key.key_id, None).unwrap();
    assert_eq!(state(&env, &key), KeyState::PendingImport);
    import(&env, wrapped(&env, &key.key_id, private.expose())).unwrap();
    assert_eq!(state(&env, &key), KeyState::Enabled);
}

#[test]
fn a_key_without_its_material_waits_for_it_after_cancelled_deletion() {
    let env = Env::new();
    let empty = external(&env, "SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT");
    let full = external(&env, "SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT");
    import(&env, wrapped(&env, &full.key_id, &[4u8; 32])).unwrap();
    for key in [&empty, &full] {
        env.kms.schedule_key_deletion(&env.admin(), &key.key_id, Some(7)).unwrap();
        env.kms.cancel_key_deletion(&env.admin(), &key.key_id).unwrap();
    }
    assert_eq!(state(&env, &empty), KeyState::PendingImport);
    assert_eq!(state(&env, &full), KeyState::Disabled);
}

#[test]
fn list_key_rotations_reports_imported_material() {
    let env = Env::new();
    let admin = env.admin();
    let key = external(&env, "SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT");
    let list = |include: Option<&str>| {
        env.kms.list_key_rotations(&admin, &key.key_id, include, None, None).unwrap().rotations
    };
    // No material was imported: there is nothing to list, not even a first material.
    assert!(list(Some("ALL_KEY_MATERIAL")).is_empty());

    let valid_to = START + 30 * coffer_kms::clock::DAY_MILLIS;
    let first = import(
        &env,
        ImportKeyMaterialRequest {
            expiration_model: Some("KEY_MATERIAL_EXPIRES".into()),
            valid_to: Some(valid_to),
            key_material_description: Some("first batch".into()),
            ..wrapped(&env, &key.key_id, &[1u8; 32])
        },
    )
    .unwrap();
    assert!(list(None).is_empty());
    let [only] = list(Some("ALL_KEY_MATERIAL")).try_into().unwrap();
    assert_eq!(
        (only.key_material_id.as_str(), only.key_material_state.as_str(), only.key_arn.as_str()),
        (first.key_material_id.as_str(), "CURRENT", key.arn.as_str())
    );
    assert_eq!((only.rotation_date, only.rotation_type.as_deref()), (None, None));
    assert_eq!(only.key_material_description.as_deref(), Some("first batch"));
    assert_eq!(only.import_state.as_deref(), Some("IMPORTED"));
    assert_eq!(only.expiration_model.as_deref(), Some("KEY_MATERIAL_EXPIRES"));
    assert_eq!(only.valid_to, Some(valid_to));

    // New material waits for rotation: listed with ALL_KEY_MATERIAL only, without a date.
    let second = import(
        &env,
        ImportKeyMaterialRequest {
            import_type: Some("NEW_KEY_MATERIAL".into()),
            ..wrapped(&env, &key.key_id, &[2u8; 32])
        },
    )
    .unwrap();
    assert!(list(None).is_empty());
    let all = list(Some("ALL_KEY_MATERIAL"));
    let states: Vec<_> =
        all.iter().map(|r| (r.key_material_id.as_str(), r.key_material_state.as_str())).collect();
    assert_eq!(
        states,
        [
            (first.key_material_id.as_str(), "CURRENT"),
            (second.key_material_id.as_str(), "PENDING_ROTATION")
        ]
    );
    assert_eq!((all[1].rotation_date, all[1].rotation_type.as_deref()), (None, None));
    assert_eq!(all[1].expiration_model.as_deref(), Some("KEY_MATERIAL_DOES_NOT_EXPIRE"));
    assert_eq!((all[1].valid_to, all[1].key_material_description.as_deref()), (None, None));

    // The rotation makes it current, with its date and type.
    env.clock.advance_millis(1000);
    env.kms.rotate_key_on_demand(&admin, &key.key_id).unwrap();
    let [rotation] = list(None).try_into().unwrap();
    assert_eq!(rotation.key_material_id, second.key_material_id);
    assert_eq!(rotation.key_material_state, "CURRENT");
    assert_eq!(
        (rotation.rotation_type.as_deref(), rotation.rotation_date),
        (Some("ON_DEMAND"), Some(START + 1000))
    );
    assert_eq!(rotation.import_state.as_deref(), Some("IMPORTED"));

    // Deleted material stays listed, waiting to be imported again, without its expiration.
    env.kms
        .delete_imported_key_material(&admin, &key.key_id, Some(&first.key_material_id))
        .unwrap();
    let all = list(Some("ALL_KEY_MATERIAL"));
    assert_eq!(all[0].key_material_state, "NON_CURRENT");
    assert_eq!(all[0].import_state.as_deref(), Some("PENDING_IMPORT"));
    assert_eq!((all[0].expiration_model.as_deref(), all[0].valid_to), (None, None));
    assert_eq!(all[0].key_material_description.as_deref(), Some("first batch"));

    // Material pending rotation that is deleted no longer belongs to the key.
    let third = import(
        &env,
        ImportKeyMaterialRequest {
            import_type: Some("NEW_KEY_MATERIAL".into()),
            ..wrapped(&env, &key.key_id, &[3u8; 32])
        },
    )
    .unwrap();
    assert_eq!(list(Some("ALL_KEY_MATERIAL")).len(), 3);
    env.kms
        .delete_imported_key_material(&admin, &key.key_id, Some(&third.key_material_id))
        .unwrap();
    assert_eq!(list(Some("ALL_KEY_MATERIAL")).len(), 2);

    // A key generated by the service lists none of the imported members.
    let own = env.key();
    env.kms.rotate_key_on_demand(&admin, &own.key_id).unwrap();
    let rotations = env
        .kms
        .list_key_rotations(&admin, &own.key_id, Some("ALL_KEY_MATERIAL"), None, None)
        .unwrap()
        .rotations;
    assert!(rotations.iter().all(|r| r.import_state.is_none()
        && r.expiration_model.is_none()
        && r.key_material_description.is_none()
        && r.valid_to.is_none()));
}
