//! Asymmetric and HMAC keys: CreateKey for every spec and usage, DescribeKey, GetPublicKey,
//! Sign, Verify, GenerateMac, VerifyMac, Encrypt, Decrypt and ReEncrypt with RSA and SM2,
//! DeriveSharedSecret, GenerateDataKeyPair(WithoutPlaintext). Every result is checked with
//! the public key alone, through the cryptography crate's own verification.

#![expect(clippy::unwrap_used, reason = "a helper whose call fails fails the test")]

use std::collections::BTreeMap;

use coffer_crypto::{
    EncryptionAlgorithm, KeySpec, KeyUsage, MessageType, Secret, SigningAlgorithm, SystemRandom,
};
use coffer_kms::KmsError;
use coffer_kms::key::{KeyMetadata, KeyState};
use coffer_kms::ops::create_key::CreateKeyRequest;
use coffer_kms::ops::decrypt::DecryptRequest;
use coffer_kms::ops::derive_shared_secret::DeriveSharedSecretRequest;
use coffer_kms::ops::encrypt::EncryptRequest;
use coffer_kms::ops::generate_data_key_pair::GenerateDataKeyPairRequest;
use coffer_kms::ops::generate_mac::GenerateMacRequest;
use coffer_kms::ops::re_encrypt::ReEncryptRequest;
use coffer_kms::ops::sign::SignRequest;
use coffer_kms::ops::verify::VerifyRequest;
use coffer_kms::ops::verify_mac::VerifyMacRequest;

use crate::support::*;

fn create(env: &Env, spec: KeySpec, usage: KeyUsage) -> KeyMetadata {
    env.kms
        .create_key(
            &env.admin(),
            CreateKeyRequest {
                key_spec: Some(spec.as_str().into()),
                key_usage: Some(usage.as_str().into()),
                ..Default::default()
            },
        )
        .unwrap()
}

fn sign(
    env: &Env,
    key: &str,
    algorithm: SigningAlgorithm,
    kind: MessageType,
    message: &[u8],
) -> Result<Vec<u8>, KmsError> {
    let req = SignRequest {
        key_id: key.into(),
        message: message.to_vec(),
        message_type: Some(kind.as_str().into()),
        signing_algorithm: algorithm.as_str().into(),
        ..Default::default()
    };
    env.kms.sign(&env.admin(), req).map(|r| r.signature)
}

fn verify(
    env: &Env,
    key: &str,
    algorithm: SigningAlgorithm,
    message: &[u8],
    signature: &[u8],
) -> Result<bool, KmsError> {
    let req = VerifyRequest {
        key_id: key.into(),
        message: message.to_vec(),
        signature: signature.to_vec(),
        signing_algorithm: algorithm.as_str().into(),
        ..Default::default()
    };
    env.kms.verify(&env.admin(), req).map(|r| r.signature_valid)
}

#[test]
fn every_spec_and_usage_makes_a_key_with_the_algorithms_of_its_usage() {
    let env = Env::new();
    for &spec in KeySpec::ALL {
        for &usage in spec.key_usages() {
            let key = create(&env, spec, usage);
            assert_eq!(
                (key.key_spec.as_str(), key.key_usage.as_str()),
                (spec.as_str(), usage.as_str())
            );
            assert_eq!(key.key_state, KeyState::Enabled);
            let lists = [
                !key.encryption_algorithms.is_empty(),
                !key.signing_algorithms.is_empty(),
                !key.mac_algorithms.is_empty(),
                !key.key_agreement_algorithms.is_empty(),
            ];
            let expected = KeyUsage::ALL.iter().map(|u| *u == usage).collect::<Vec<_>>();
            assert_eq!(lists.to_vec(), expected, "{spec} {usage}");
            assert_eq!(key.current_key_material_id.is_some(), spec == KeySpec::SymmetricDefault);
            let described = env.kms.describe_key(&env.admin(), &key.key_id).unwrap();
            assert_eq!(described, key);
            let public = env.kms.get_public_key(&env.admin(), &key.key_id);
            if spec.is_asymmetric() {
                let public = public.unwrap();
                assert_eq!(public.key_arn, key.arn);
                assert_eq!(public.signing_algorithms, key.signing_algorithms);
                assert_eq!(public.encryption_algorithms, key.encryption_algorithms);
                assert_eq!(public.key_agreement_algorithms, key.key_agreement_algorithms);
            } else {
                assert_eq!(
                    message(public),
                    format!("{} key spec is {spec} which is not valid for GetPublicKey.", key.arn)
                );
            }
        }
    }
}

#[test]
fn every_signing_algorithm_signs_and_verifies_with_the_public_key_alone() {
    let env = Env::new();
    for spec in [
        KeySpec::Rsa2048,
        KeySpec::EccNistP256,
        KeySpec::EccNistP384,
        KeySpec::EccNistP521,
        KeySpec::EccSecgP256k1,
        KeySpec::EccNistEdwards25519,
        KeySpec::MlDsa44,
        KeySpec::Sm2,
    ] {
        let key = create(&env, spec, KeyUsage::SignVerify);
        let public = env.kms.get_public_key(&env.admin(), &key.key_id).unwrap().public_key;
        for &algorithm in spec.signing_algorithms() {
            let (kind, message) = match algorithm.message_types()[0] {
                MessageType::Raw => (MessageType::Raw, b"hello".to_vec()),
                other => (other, vec![7; algorithm.digest_len()]),
            };
            let signature = sign(&env, &key.arn, algorithm, kind, &message).unwrap();
            assert!(
                coffer_crypto::verify(spec, &public, algorithm, kind, &message, &signature)
                    .unwrap(),
                "{spec} {algorithm}"
            );
            let req = VerifyRequest {
                key_id: key.key_id.clone(),
                message: message.clone(),
                message_type: Some(kind.as_str().into()),
                signature: signature.clone(),
                signing_algorithm: algorithm.as_str().into(),
                ..Default::default()
            };
            assert!(env.kms.verify(&env.admin(), req.clone()).unwrap().signature_valid);
            let mut other = req;
            other.message[0] ^= 1;
            assert!(matches!(
                fails(env.kms.verify(&env.admin(), other)),
                KmsError::InvalidSignature
            ));
        }
    }
}

#[test]
fn signing_refusals_use_awss_words() {
    let env = Env::new();
    let key = create(&env, KeySpec::EccNistP256, KeyUsage::SignVerify);
    let ecdsa = SigningAlgorithm::EcdsaSha256;
    assert_eq!(
        message(sign(&env, &key.key_id, ecdsa, MessageType::Digest, b"short")),
        "Digest is invalid length for algorithm ECDSA_SHA_256."
    );
    let pss = SigningAlgorithm::RsassaPssSha256;
    let refused = fails(sign(&env, &key.key_id, pss, MessageType::Raw, b"m"));
    assert!(matches!(refused, KmsError::InvalidKeyUsage { .. }));
    assert_eq!(
        refused.to_string(),
        "Algorithm RSASSA_PSS_SHA_256 is incompatible with key spec ECC_NIST_P256."
    );
    assert_eq!(
        message(verify(&env, &key.key_id, ecdsa, b"m", b"junk")),
        "the signature is not valid"
    );
    let req = |algorithm: &str, kind: &str| SignRequest {
        key_id: key.key_id.clone(),
        message: b"m".to_vec(),
        message_type: Some(kind.into()),
        signing_algorithm: algorithm.into(),
        ..Default::default()
    };
    assert!(message(env.kms.sign(&env.admin(), req("NOPE", "RAW"))).starts_with(
        "1 validation error detected: Value 'NOPE' at 'signingAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [RSASSA_PSS_SHA_256,"
    ));
    assert_eq!(
        message(env.kms.sign(&env.admin(), req("ECDSA_SHA_256", "RAWISH"))),
        "1 validation error detected: Value 'RAWISH' at 'messageType' failed to satisfy constraint: Member must satisfy enum value set: [RAW, DIGEST, EXTERNAL_MU]"
    );
    let dry = SignRequest { dry_run: true, ..req("ECDSA_SHA_256", "RAW") };
    assert!(matches!(fails(env.kms.sign(&env.admin(), dry)), KmsError::DryRunSucceeded));
    // Another usage, another key state, another caller.
    let mac_key = create(&env, KeySpec::Hmac256, KeyUsage::GenerateVerifyMac);
    assert_eq!(
        message(sign(&env, &mac_key.key_id, ecdsa, MessageType::Raw, b"m")),
        format!("{} key usage is GENERATE_VERIFY_MAC which is not valid for Sign.", mac_key.arn)
    );
    let alice = fails(env.kms.sign(&env.alice(), req("ECDSA_SHA_256", "RAW")));
    assert!(matches!(alice, KmsError::AccessDenied { .. }), "{alice}");
    env.kms.disable_key(&env.admin(), &key.key_id).unwrap();
    assert_eq!(
        message(sign(&env, &key.key_id, ecdsa, MessageType::Raw, b"m")),
        format!("{} is disabled.", key.arn)
    );
}

#[test]
fn the_signing_algorithm_is_a_condition_key() {
    let env = Env::new();
    let policy = format!(
        r#"{{"Version": "2012-10-17", "Statement": [
            {{"Effect": "Allow", "Principal": {{"AWS": "arn:aws:iam::{ACCOUNT}:root"}}, "Action": "kms:*", "Resource": "*"}},
            {{"Effect": "Deny", "Principal": "*", "Action": "kms:Sign", "Resource": "*",
              "Condition": {{"StringNotEquals": {{"kms:SigningAlgorithm": "RSASSA_PSS_SHA_256"}}}}}},
            {{"Effect": "Deny", "Principal": "*", "Action": "kms:Sign", "Resource": "*",
              "Condition": {{"StringNotEquals": {{"kms:MessageType": "RAW"}}}}}}]}}"#
    );
    let key = env
        .kms
        .create_key(
            &env.admin(),
            CreateKeyRequest {
                key_spec: Some("RSA_2048".into()),
                key_usage: Some("SIGN_VERIFY".into()),
                policy: Some(policy),
                ..Default::default()
            },
        )
        .unwrap();
    let pss = SigningAlgorithm::RsassaPssSha256;
    assert!(sign(&env, &key.key_id, pss, MessageType::Raw, b"m").is_ok());
    let pkcs = SigningAlgorithm::RsassaPkcs1V15Sha256;
    assert!(matches!(
        fails(sign(&env, &key.key_id, pkcs, MessageType::Raw, b"m")),
        KmsError::AccessDenied { .. }
    ));
    let digest = [1u8; 32];
    assert!(matches!(
        fails(sign(&env, &key.key_id, pss, MessageType::Digest, &digest)),
        KmsError::AccessDenied { .. }
    ));
}

#[test]
fn macs_are_hmacs_of_the_keys_spec() {
    let env = Env::new();
    for (spec, algorithm, len) in [
        (KeySpec::Hmac224, "HMAC_SHA_224", 28),
        (KeySpec::Hmac256, "HMAC_SHA_256", 32),
        (KeySpec::Hmac384, "HMAC_SHA_384", 48),
        (KeySpec::Hmac512, "HMAC_SHA_512", 64),
    ] {
        let key = create(&env, spec, KeyUsage::GenerateVerifyMac);
        let made = env
            .kms
            .generate_mac(
                &env.admin(),
                GenerateMacRequest {
                    key_id: key.key_id.clone(),
                    message: b"message".to_vec(),
                    mac_algorithm: algorithm.into(),
                    ..Default::default()
                },
            )
            .unwrap();
        assert_eq!((made.mac.len(), made.key_arn.as_str()), (len, key.arn.as_str()));
        let check = |message: &[u8], mac: &[u8], algorithm: &str| {
            env.kms.verify_mac(
                &env.admin(),
                VerifyMacRequest {
                    key_id: key.key_id.clone(),
                    message: message.to_vec(),
                    mac_algorithm: algorithm.into(),
                    mac: mac.to_vec(),
                    ..Default::default()
                },
            )
        };
        assert!(check(b"message", &made.mac, algorithm).unwrap().mac_valid);
        assert!(matches!(fails(check(b"massage", &made.mac, algorithm)), KmsError::InvalidMac));
        assert!(matches!(
            fails(check(b"message", &made.mac[1..], algorithm)),
            KmsError::InvalidMac
        ));
        let other = if spec == KeySpec::Hmac512 { "HMAC_SHA_256" } else { "HMAC_SHA_512" };
        assert_eq!(
            message(check(b"message", &made.mac, other)),
            format!("Algorithm {other} is incompatible with key spec {spec}.")
        );
        assert_eq!(
            message(check(b"message", &made.mac, "INVALID")),
            "1 validation error detected: Value 'INVALID' at 'macAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [HMAC_SHA_384, HMAC_SHA_256, HMAC_SHA_224, HMAC_SHA_512]"
        );
    }
    let symmetric = env.key();
    let refused = env.kms.generate_mac(
        &env.admin(),
        GenerateMacRequest {
            key_id: symmetric.key_id.clone(),
            message: b"m".to_vec(),
            mac_algorithm: "HMAC_SHA_256".into(),
            ..Default::default()
        },
    );
    assert_eq!(
        message(refused),
        format!(
            "{} key usage is ENCRYPT_DECRYPT which is not valid for GenerateMac.",
            symmetric.arn
        )
    );
}

fn encrypt_with(
    env: &Env,
    key: &str,
    algorithm: &str,
    plaintext: &[u8],
) -> Result<Vec<u8>, KmsError> {
    let req = EncryptRequest {
        key_id: key.into(),
        plaintext: Secret::new(plaintext.to_vec()),
        encryption_algorithm: Some(algorithm.into()),
        ..Default::default()
    };
    env.kms.encrypt(&env.admin(), req).map(|r| r.ciphertext)
}

fn decrypt_with(
    env: &Env,
    key: Option<&str>,
    algorithm: Option<&str>,
    ciphertext: &[u8],
) -> Result<Vec<u8>, KmsError> {
    let req = DecryptRequest {
        ciphertext: ciphertext.to_vec(),
        key_id: key.map(Into::into),
        encryption_algorithm: algorithm.map(Into::into),
        ..Default::default()
    };
    env.kms.decrypt(&env.admin(), req).map(|r| r.plaintext.expose().to_vec())
}

#[test]
fn rsa_and_sm2_keys_encrypt_with_their_public_key() {
    let env = Env::new();
    let rsa = create(&env, KeySpec::Rsa2048, KeyUsage::EncryptDecrypt);
    let public = env.kms.get_public_key(&env.admin(), &rsa.key_id).unwrap().public_key;
    for (algorithm, limit) in [("RSAES_OAEP_SHA_1", 214), ("RSAES_OAEP_SHA_256", 190)] {
        let parsed = EncryptionAlgorithm::parse(algorithm).unwrap();
        // Encrypted with the public key alone, decrypted by the service, and back.
        let outside = coffer_crypto::asymmetric_encrypt(
            KeySpec::Rsa2048,
            &public,
            parsed,
            b"hi",
            &SystemRandom,
        )
        .unwrap();
        assert_eq!(decrypt_with(&env, Some(&rsa.arn), Some(algorithm), &outside).unwrap(), b"hi");
        let inside = encrypt_with(&env, &rsa.key_id, algorithm, &vec![9; limit]).unwrap();
        assert_eq!(inside.len(), 256);
        assert_eq!(
            decrypt_with(&env, Some(&rsa.key_id), Some(algorithm), &inside).unwrap(),
            vec![9; limit]
        );
        assert_eq!(
            message(encrypt_with(&env, &rsa.key_id, algorithm, &vec![9; limit + 1])),
            format!(
                "Algorithm {algorithm} and key spec RSA_2048 cannot encrypt data larger than {limit} bytes."
            )
        );
    }
    let ciphertext = encrypt_with(&env, &rsa.key_id, "RSAES_OAEP_SHA_256", b"x").unwrap();
    assert!(matches!(
        fails(decrypt_with(&env, None, None, &ciphertext)),
        KmsError::InvalidCiphertext
    ));
    assert_eq!(
        message(decrypt_with(&env, Some(&rsa.key_id), None, &ciphertext)),
        "Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_2048."
    );
    assert!(matches!(
        fails(decrypt_with(&env, Some(&rsa.key_id), Some("RSAES_OAEP_SHA_1"), &ciphertext)),
        KmsError::InvalidCiphertext
    ));
    assert_eq!(
        message(encrypt_with(&env, &rsa.key_id, "SM2PKE", b"x")),
        "Algorithm SM2PKE is incompatible with key spec RSA_2048."
    );
    let with_context = EncryptRequest {
        key_id: rsa.key_id.clone(),
        plaintext: Secret::new(b"x".to_vec()),
        encryption_algorithm: Some("RSAES_OAEP_SHA_256".into()),
        encryption_context: BTreeMap::from([("a".into(), "b".into())]),
        ..Default::default()
    };
    assert!(matches!(
        fails(env.kms.encrypt(&env.admin(), with_context)),
        KmsError::Validation { .. }
    ));

    let sm2 = create(&env, KeySpec::Sm2, KeyUsage::EncryptDecrypt);
    let ciphertext = encrypt_with(&env, &sm2.key_id, "SM2PKE", b"sm2 text").unwrap();
    assert_eq!(
        decrypt_with(&env, Some(&sm2.key_id), Some("SM2PKE"), &ciphertext).unwrap(),
        b"sm2 text"
    );
}

#[test]
fn re_encrypt_moves_between_symmetric_and_asymmetric_keys() {
    let env = Env::new();
    let symmetric = env.key();
    let rsa = create(&env, KeySpec::Rsa3072, KeyUsage::EncryptDecrypt);
    let blob = env.encrypt(&env.admin(), &symmetric.key_id, b"move me").unwrap();
    let to_rsa = env
        .kms
        .re_encrypt(
            &env.admin(),
            ReEncryptRequest {
                ciphertext: blob,
                destination_key_id: rsa.key_id.clone(),
                destination_encryption_algorithm: Some("RSAES_OAEP_SHA_256".into()),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(
        (to_rsa.key_arn.as_str(), to_rsa.source_key_arn.as_str()),
        (rsa.arn.as_str(), symmetric.arn.as_str())
    );
    assert!(
        to_rsa.source_key_material_id.is_some() && to_rsa.destination_key_material_id.is_none()
    );
    let back = env
        .kms
        .re_encrypt(
            &env.admin(),
            ReEncryptRequest {
                ciphertext: to_rsa.ciphertext,
                source_key_id: Some(rsa.key_id.clone()),
                source_encryption_algorithm: Some("RSAES_OAEP_SHA_256".into()),
                destination_key_id: symmetric.key_id.clone(),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(env.decrypt(&env.admin(), &back.ciphertext).unwrap(), b"move me");
}

#[test]
fn key_agreement_keys_derive_the_same_secret() {
    let env = Env::new();
    for spec in [KeySpec::EccNistP256, KeySpec::EccNistP384, KeySpec::EccNistP521, KeySpec::Sm2] {
        let a = create(&env, spec, KeyUsage::KeyAgreement);
        let b = create(&env, spec, KeyUsage::KeyAgreement);
        let public =
            |k: &KeyMetadata| env.kms.get_public_key(&env.admin(), &k.key_id).unwrap().public_key;
        let derive = |k: &KeyMetadata, peer: Vec<u8>| {
            env.kms.derive_shared_secret(
                &env.admin(),
                DeriveSharedSecretRequest {
                    key_id: k.key_id.clone(),
                    key_agreement_algorithm: "ECDH".into(),
                    public_key: peer,
                    ..Default::default()
                },
            )
        };
        let ab = derive(&a, public(&b)).unwrap();
        let ba = derive(&b, public(&a)).unwrap();
        assert_eq!(ab.shared_secret.expose(), ba.shared_secret.expose(), "{spec}");
        assert_eq!((ab.key_arn.as_str(), ab.key_origin.as_str()), (a.arn.as_str(), "AWS_KMS"));
        assert!(matches!(
            fails(derive(&a, b"not a key".to_vec())),
            KmsError::Validation { message } if message.is_empty()
        ));
    }
    let signing = create(&env, KeySpec::EccNistP256, KeyUsage::SignVerify);
    let refused = env.kms.derive_shared_secret(
        &env.admin(),
        DeriveSharedSecretRequest {
            key_id: signing.key_id.clone(),
            key_agreement_algorithm: "ECDH".into(),
            public_key: vec![1],
            ..Default::default()
        },
    );
    assert_eq!(
        message(refused),
        format!(
            "{} key usage is SIGN_VERIFY which is not valid for DeriveSharedSecret.",
            signing.arn
        )
    );
}

#[test]
fn data_key_pairs_are_pkcs8_and_spki_with_an_encrypted_copy() {
    let env = Env::new();
    let key = env.key();
    let context = BTreeMap::from([("purpose".to_owned(), "pairs".to_owned())]);
    for &spec in KeySpec::DATA_KEY_PAIR {
        let req = GenerateDataKeyPairRequest {
            key_id: key.key_id.clone(),
            key_pair_spec: spec.as_str().into(),
            encryption_context: context.clone(),
            ..Default::default()
        };
        let pair = env.kms.generate_data_key_pair(&env.admin(), req.clone()).unwrap();
        assert_eq!(
            (pair.key_arn.as_str(), pair.key_pair_spec.as_str()),
            (key.arn.as_str(), spec.as_str())
        );
        assert_eq!(
            coffer_crypto::public_key_spki(spec, &pair.private_key_plaintext).unwrap(),
            pair.public_key
        );
        let decrypted = env
            .kms
            .decrypt(
                &env.admin(),
                DecryptRequest {
                    ciphertext: pair.private_key_ciphertext.clone(),
                    encryption_context: context.clone(),
                    ..Default::default()
                },
            )
            .unwrap();
        assert_eq!(decrypted.plaintext.expose(), pair.private_key_plaintext.expose());
        let without = env.kms.generate_data_key_pair_without_plaintext(&env.admin(), req).unwrap();
        let private = env
            .kms
            .decrypt(
                &env.admin(),
                DecryptRequest {
                    ciphertext: without.private_key_ciphertext,
                    encryption_context: context.clone(),
                    ..Default::default()
                },
            )
            .unwrap()
            .plaintext;
        assert_eq!(coffer_crypto::public_key_spki(spec, &private).unwrap(), without.public_key);
    }
    let req = |spec: &str, dry_run: bool| GenerateDataKeyPairRequest {
        key_id: key.key_id.clone(),
        key_pair_spec: spec.into(),
        dry_run,
        ..Default::default()
    };
    assert!(matches!(
        fails(env.kms.generate_data_key_pair(&env.admin(), req("RSA_2048", true))),
        KmsError::DryRunSucceeded
    ));
    assert!(
        message(env.kms.generate_data_key_pair(&env.admin(), req("ML_DSA_44", false)))
            .contains("at 'keyPairSpec' failed to satisfy constraint")
    );
    let rsa = create(&env, KeySpec::Rsa2048, KeyUsage::EncryptDecrypt);
    let refused = env.kms.generate_data_key_pair(
        &env.admin(),
        GenerateDataKeyPairRequest {
            key_id: rsa.key_id,
            key_pair_spec: "ECC_NIST_P256".into(),
            ..Default::default()
        },
    );
    assert_eq!(
        message(refused),
        "Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_2048."
    );
}

#[test]
fn a_key_looked_up_before_the_call_serves_that_call_only() {
    let env = Env::new();
    let first = create(&env, KeySpec::EccNistP256, KeyUsage::SignVerify);
    let second = create(&env, KeySpec::EccNistP256, KeyUsage::SignVerify);
    let request = |key: &str| SignRequest {
        key_id: key.into(),
        message: b"message".to_vec(),
        signing_algorithm: "ECDSA_SHA_256".into(),
        ..Default::default()
    };

    // The key kept for one name is not used for another.
    let caller = env.admin();
    assert!(env.kms.is_quick_key(&caller, &first.key_id, true));
    assert_eq!(env.kms.sign(&caller, request(&second.key_id)).unwrap().key_arn, second.arn);
    assert_eq!(env.kms.sign(&caller, request(&first.key_id)).unwrap().key_arn, first.arn);

    // The call takes it once: the next resolution reads the key as it is now.
    let caller = env.admin();
    assert!(env.kms.is_quick_key(&caller, &first.key_id, true));
    assert_eq!(env.kms.sign(&caller, request(&first.key_id)).unwrap().key_arn, first.arn);
    env.kms.disable_key(&env.admin(), &first.key_id).unwrap();
    let refused = fails(env.kms.sign(&caller, request(&first.key_id)));
    assert!(matches!(refused, KmsError::Disabled { .. }), "{refused:?}");

    // An alias is kept under the alias's name.
    let caller = env.admin();
    env.kms.create_alias(&caller, "alias/signer", &second.key_id).unwrap();
    assert!(env.kms.is_quick_key(&caller, "alias/signer", true));
    assert_eq!(env.kms.sign(&caller, request("alias/signer")).unwrap().key_arn, second.arn);
}
