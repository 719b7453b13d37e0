//! DryRun: every operation that has it answers DryRunOperationException when the request
//! would succeed and the refusal it would get otherwise; Decrypt and ReEncrypt with the
//! `IGNORE_CIPHERTEXT` modifier check permissions without a ciphertext.

#![expect(clippy::unwrap_used, reason = "a key that cannot be made fails the test")]

use coffer_crypto::Secret;
use coffer_kms::key::KeyMetadata;
use coffer_kms::ops::create_grant::CreateGrantRequest;
use coffer_kms::ops::create_key::CreateKeyRequest;
use coffer_kms::ops::decrypt::DecryptRequest;
use coffer_kms::ops::derive_shared_secret::DeriveSharedSecretRequest;
use coffer_kms::ops::encrypt::EncryptRequest;
use coffer_kms::ops::generate_data_key::GenerateDataKeyRequest;
use coffer_kms::ops::generate_data_key_pair::GenerateDataKeyPairRequest;
use coffer_kms::ops::generate_mac::GenerateMacRequest;
use coffer_kms::ops::re_encrypt::ReEncryptRequest;
use coffer_kms::ops::retire_grant::RetireGrantRequest;
use coffer_kms::ops::sign::SignRequest;
use coffer_kms::ops::verify::VerifyRequest;
use coffer_kms::ops::verify_mac::VerifyMacRequest;
use coffer_kms::{Caller, KmsError};

use crate::support::*;

const IGNORE: &str = "IGNORE_CIPHERTEXT";

fn key_of(env: &Env, spec: &str, usage: &str) -> KeyMetadata {
    let req = CreateKeyRequest {
        key_spec: Some(spec.into()),
        key_usage: Some(usage.into()),
        ..Default::default()
    };
    env.kms.create_key(&env.admin(), req).unwrap()
}

/// Every operation with DryRun, as a dry run by `who` on keys named by ARN.
fn dry_runs(env: &Env, who: &Caller) -> Vec<(&'static str, Result<(), KmsError>)> {
    let (kms, admin) = (&env.kms, env.admin());
    let sym = env.key().arn;
    let sign = key_of(env, "ECC_NIST_P256", "SIGN_VERIFY").arn;
    let mac = key_of(env, "HMAC_256", "GENERATE_VERIFY_MAC").arn;
    let agree = key_of(env, "ECC_NIST_P256", "KEY_AGREEMENT").arn;
    let peer = kms.get_public_key(&admin, &key_of(env, "ECC_NIST_P256", "KEY_AGREEMENT").arn);
    let peer = peer.unwrap().public_key;
    let blob = env.encrypt(&admin, &sym, b"x").unwrap();
    let grant = |key: &str| CreateGrantRequest {
        key_id: key.into(),
        grantee_principal: ALICE_ARN.into(),
        operations: vec!["Decrypt".into()],
        ..Default::default()
    };
    let granted = kms.create_grant(&admin, grant(&sym)).unwrap().grant_id;
    let gdk = || GenerateDataKeyRequest {
        key_id: sym.clone(),
        key_spec: Some("AES_256".into()),
        dry_run: true,
        ..Default::default()
    };
    let pair = || GenerateDataKeyPairRequest {
        key_id: sym.clone(),
        key_pair_spec: "ECC_NIST_P256".into(),
        dry_run: true,
        ..Default::default()
    };
    let decrypt = |ciphertext: Vec<u8>, modifiers: &[&str]| DecryptRequest {
        ciphertext,
        key_id: Some(sym.clone()),
        dry_run: true,
        dry_run_modifiers: modifiers.iter().map(|m| (*m).to_owned()).collect(),
        ..Default::default()
    };
    let re_encrypt = |ciphertext: Vec<u8>, modifiers: &[&str]| ReEncryptRequest {
        ciphertext,
        source_key_id: Some(sym.clone()),
        destination_key_id: sym.clone(),
        dry_run: true,
        dry_run_modifiers: modifiers.iter().map(|m| (*m).to_owned()).collect(),
        ..Default::default()
    };
    let message = b"message".to_vec();
    vec![
        (
            "Encrypt",
            kms.encrypt(
                who,
                EncryptRequest {
                    key_id: sym.clone(),
                    plaintext: Secret::new(b"x".to_vec()),
                    dry_run: true,
                    ..Default::default()
                },
            )
            .map(drop),
        ),
        ("Decrypt", kms.decrypt(who, decrypt(blob.clone(), &[])).map(drop)),
        ("Decrypt IGNORE_CIPHERTEXT", kms.decrypt(who, decrypt(Vec::new(), &[IGNORE])).map(drop)),
        ("ReEncrypt", kms.re_encrypt(who, re_encrypt(blob, &[])).map(drop)),
        (
            "ReEncrypt IGNORE_CIPHERTEXT",
            kms.re_encrypt(who, re_encrypt(b"junk".to_vec(), &[IGNORE])).map(drop),
        ),
        ("GenerateDataKey", kms.generate_data_key(who, gdk()).map(drop)),
        (
            "GenerateDataKeyWithoutPlaintext",
            kms.generate_data_key_without_plaintext(who, gdk()).map(drop),
        ),
        ("GenerateDataKeyPair", kms.generate_data_key_pair(who, pair()).map(drop)),
        (
            "GenerateDataKeyPairWithoutPlaintext",
            kms.generate_data_key_pair_without_plaintext(who, pair()).map(drop),
        ),
        (
            "Sign",
            kms.sign(
                who,
                SignRequest {
                    key_id: sign.clone(),
                    message: message.clone(),
                    signing_algorithm: "ECDSA_SHA_256".into(),
                    dry_run: true,
                    ..Default::default()
                },
            )
            .map(drop),
        ),
        (
            "Verify",
            kms.verify(
                who,
                VerifyRequest {
                    key_id: sign,
                    message: message.clone(),
                    signature: vec![1; 64],
                    signing_algorithm: "ECDSA_SHA_256".into(),
                    dry_run: true,
                    ..Default::default()
                },
            )
            .map(drop),
        ),
        (
            "GenerateMac",
            kms.generate_mac(
                who,
                GenerateMacRequest {
                    key_id: mac.clone(),
                    message: message.clone(),
                    mac_algorithm: "HMAC_SHA_256".into(),
                    dry_run: true,
                    ..Default::default()
                },
            )
            .map(drop),
        ),
        (
            "VerifyMac",
            kms.verify_mac(
                who,
                VerifyMacRequest {
                    key_id: mac,
                    message,
                    mac_algorithm: "HMAC_SHA_256".into(),
                    mac: vec![1; 32],
                    dry_run: true,
                    ..Default::default()
                },
            )
            .map(drop),
        ),
        (
            "DeriveSharedSecret",
            kms.derive_shared_secret(
                who,
                DeriveSharedSecretRequest {
                    key_id: agree,
                    key_agreement_algorithm: "ECDH".into(),
                    public_key: peer,
                    dry_run: true,
                    ..Default::default()
                },
            )
            .map(drop),
        ),
        (
            "CreateGrant",
            kms.create_grant(who, CreateGrantRequest { dry_run: true, ..grant(&sym) }).map(drop),
        ),
        (
            "RetireGrant",
            kms.retire_grant(
                who,
                RetireGrantRequest {
                    key_id: Some(sym.clone()),
                    grant_id: Some(granted.clone()),
                    dry_run: true,
                    ..Default::default()
                },
            ),
        ),
        ("RevokeGrant", kms.revoke_grant(who, &sym, &granted, true)),
    ]
}

#[test]
fn every_dry_run_succeeds_only_where_the_request_would() {
    let env = Env::new();
    let allowed = dry_runs(&env, &env.admin());
    assert_eq!(allowed.len(), 17);
    for (op, r) in allowed {
        let e = fails(r);
        assert!(matches!(e, KmsError::DryRunSucceeded), "{op}: {e:?}");
        assert_eq!(
            e.to_string(),
            "The request would have succeeded, but the DryRun option is set."
        );
    }
    // A principal of another account, whom the keys' default policies do not name.
    for (op, r) in dry_runs(&env, &env.bob()) {
        let e = fails(r);
        assert!(matches!(e, KmsError::AccessDenied { .. }), "{op}: {e:?}");
    }
}

#[test]
fn ignoring_the_ciphertext_needs_the_key_and_only_known_modifiers() {
    let env = Env::new();
    let admin = env.admin();
    let key = env.key();
    let blob = env.encrypt(&admin, &key.key_id, b"x").unwrap();
    let decrypt = |key_id: Option<&str>, ciphertext: &[u8], dry_run: bool, modifiers: &[&str]| {
        env.kms.decrypt(
            &admin,
            DecryptRequest {
                ciphertext: ciphertext.to_vec(),
                key_id: key_id.map(Into::into),
                dry_run,
                dry_run_modifiers: modifiers.iter().map(|m| (*m).to_owned()).collect(),
                ..Default::default()
            },
        )
    };
    assert_eq!(
        message(decrypt(None, &blob, true, &[IGNORE])),
        "KeyId is required when DryRunModifiers contains IGNORE_CIPHERTEXT."
    );
    let by_alias = env.kms.create_alias(&admin, "alias/dry", &key.key_id);
    by_alias.unwrap();
    for named in [key.key_id.as_str(), key.arn.as_str(), "alias/dry"] {
        let e = fails(decrypt(Some(named), b"", true, &[IGNORE]));
        assert!(matches!(e, KmsError::DryRunSucceeded), "{named}: {e:?}");
    }
    // The ciphertext of another key is not looked at either.
    let other = env.key();
    let theirs = env.encrypt(&admin, &other.key_id, b"x").unwrap();
    let e = fails(decrypt(Some(&key.key_id), &theirs, true, &[IGNORE]));
    assert!(matches!(e, KmsError::DryRunSucceeded), "{e:?}");
    assert!(matches!(
        fails(decrypt(Some(&key.key_id), &theirs, true, &[])),
        KmsError::IncorrectKey
    ));
    assert_eq!(
        message(decrypt(Some(&key.key_id), &blob, true, &["IGNORE_CIPHERTEXT", "ALL"])),
        "1 validation error detected: Value '[IGNORE_CIPHERTEXT, ALL]' at 'dryRunModifiers' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [IGNORE_CIPHERTEXT]]"
    );
    // Unknown modifiers are refused even without DryRun; known ones change nothing then.
    assert!(matches!(fails(decrypt(None, &blob, false, &["ALL"])), KmsError::Validation { .. }));
    assert_eq!(decrypt(None, &blob, false, &[IGNORE]).unwrap().plaintext.expose(), b"x");
    assert_eq!(
        message(decrypt(Some(&key.key_id), b"", false, &[IGNORE])),
        "1 validation error detected: Value at 'ciphertextBlob' failed to satisfy constraint: Member must have length greater than or equal to 1"
    );
    // The model's upper bound still holds for a ciphertext that is ignored.
    assert!(matches!(
        fails(decrypt(Some(&key.key_id), &[0; 6145], true, &[IGNORE])),
        KmsError::Validation { .. }
    ));
    // The key's state and usage still count.
    let signing = key_of(&env, "ECC_NIST_P256", "SIGN_VERIFY");
    assert!(matches!(
        fails(decrypt(Some(&signing.key_id), b"", true, &[IGNORE])),
        KmsError::InvalidKeyUsage { .. }
    ));
    env.kms.disable_key(&admin, &key.key_id).unwrap();
    assert_eq!(
        message(decrypt(Some(&key.key_id), b"", true, &[IGNORE])),
        format!("{} is disabled.", key.arn)
    );

    let re_encrypt = |source: Option<&str>| {
        env.kms.re_encrypt(
            &admin,
            ReEncryptRequest {
                source_key_id: source.map(Into::into),
                destination_key_id: other.key_id.clone(),
                dry_run: true,
                dry_run_modifiers: vec![IGNORE.into()],
                ..Default::default()
            },
        )
    };
    assert_eq!(
        message(re_encrypt(None)),
        "SourceKeyId is required when DryRunModifiers contains IGNORE_CIPHERTEXT."
    );
    assert!(matches!(fails(re_encrypt(Some(&other.arn))), KmsError::DryRunSucceeded));
    // Both keys are authorized: alice may use neither.
    let e = fails(env.kms.re_encrypt(
        &env.alice(),
        ReEncryptRequest {
            source_key_id: Some(other.key_id.clone()),
            destination_key_id: other.key_id.clone(),
            dry_run: true,
            dry_run_modifiers: vec![IGNORE.into()],
            ..Default::default()
        },
    ));
    assert!(e.to_string().contains("kms:ReEncryptFrom"), "{e}");
}
