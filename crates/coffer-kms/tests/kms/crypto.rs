//! Encrypt, Decrypt, ReEncrypt, GenerateDataKey, GenerateDataKeyWithoutPlaintext,
//! GenerateRandom.

use std::collections::BTreeMap;

use coffer_crypto::Secret;
use coffer_kms::KmsError;
use coffer_kms::ops::decrypt::DecryptRequest;
use coffer_kms::ops::encrypt::EncryptRequest;
use coffer_kms::ops::generate_data_key::GenerateDataKeyRequest;
use coffer_kms::ops::re_encrypt::ReEncryptRequest;

use crate::support::*;

fn context(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

#[test]
fn encrypt_and_decrypt_with_an_encryption_context() {
    let env = Env::new();
    let admin = env.admin();
    let key = env.key();
    let ec = context(&[("tenant", "t-1")]);
    let ct = env
        .kms
        .encrypt(
            &admin,
            EncryptRequest {
                key_id: key.key_id.clone(),
                plaintext: Secret::new(b"hello".to_vec()),
                encryption_context: ec.clone(),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(
        (ct.key_arn.as_str(), ct.encryption_algorithm.as_str()),
        (key.arn.as_str(), "SYMMETRIC_DEFAULT")
    );
    let decrypt = |ec: BTreeMap<String, String>, key_id: Option<String>| {
        env.kms.decrypt(
            &admin,
            DecryptRequest {
                ciphertext: ct.ciphertext.clone(),
                encryption_context: ec,
                key_id,
                ..Default::default()
            },
        )
    };
    let pt = decrypt(ec.clone(), None).unwrap();
    assert_eq!(
        (pt.plaintext.expose(), pt.key_arn.as_str(), pt.encryption_algorithm.as_str()),
        (&b"hello"[..], key.arn.as_str(), "SYMMETRIC_DEFAULT")
    );
    assert!(matches!(fails(decrypt(BTreeMap::new(), None)), KmsError::InvalidCiphertext));
    assert!(matches!(
        fails(decrypt(context(&[("tenant", "t-2")]), None)),
        KmsError::InvalidCiphertext
    ));
    assert_eq!(decrypt(ec.clone(), Some(key.arn.clone())).unwrap().plaintext.expose(), b"hello");
    let other = env.key();
    let e = fails(decrypt(ec, Some(other.key_id)));
    assert!(matches!(e, KmsError::IncorrectKey));
    assert_eq!(
        e.to_string(),
        "The key ID in the request does not identify a CMK that can perform this operation."
    );
}

#[test]
fn encrypt_and_decrypt_check_their_members() {
    let env = Env::new();
    let admin = env.admin();
    let key = env.key();
    assert_eq!(
        message(env.encrypt(&admin, &key.key_id, b"")),
        "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length greater than or equal to 1"
    );
    assert_eq!(
        message(env.encrypt(&admin, &key.key_id, &[0; 4097])),
        "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096"
    );
    env.encrypt(&admin, &key.key_id, &[0; 4096]).unwrap();
    assert_eq!(
        message(env.decrypt(&admin, b"")),
        "1 validation error detected: Value at 'ciphertextBlob' failed to satisfy constraint: Member must have length greater than or equal to 1"
    );
    assert_eq!(
        message(env.decrypt(&admin, &[1; 6145])),
        "1 validation error detected: Value at 'ciphertextBlob' failed to satisfy constraint: Member must have length less than or equal to 6144"
    );
    assert!(matches!(fails(env.decrypt(&admin, b"garbage")), KmsError::InvalidCiphertext));
    let mut ct = env.encrypt(&admin, &key.key_id, b"x").unwrap();
    let last = ct.len() - 1;
    ct[last] ^= 1;
    assert!(matches!(fails(env.decrypt(&admin, &ct)), KmsError::InvalidCiphertext));
    let e = fails(env.kms.encrypt(
        &admin,
        EncryptRequest {
            key_id: key.key_id.clone(),
            plaintext: Secret::new(b"x".to_vec()),
            encryption_algorithm: Some("RSAES_OAEP_SHA_256".into()),
            ..Default::default()
        },
    ));
    assert!(matches!(&e, KmsError::InvalidKeyUsage { .. }));
    assert_eq!(
        e.to_string(),
        "Algorithm RSAES_OAEP_SHA_256 is incompatible with key spec SYMMETRIC_DEFAULT."
    );
}

#[test]
fn dry_runs_stop_after_authorization() {
    let env = Env::new();
    let admin = env.admin();
    let key = env.key();
    let ct = env.encrypt(&admin, &key.key_id, b"x").unwrap();
    let dry = |r: Result<(), KmsError>| {
        let e = fails(r);
        assert!(matches!(e, KmsError::DryRunSucceeded), "{e:?}");
        assert_eq!(
            e.to_string(),
            "The request would have succeeded, but the DryRun option is set."
        );
    };
    dry(env
        .kms
        .encrypt(
            &admin,
            EncryptRequest {
                key_id: key.key_id.clone(),
                plaintext: Secret::new(b"x".to_vec()),
                dry_run: true,
                ..Default::default()
            },
        )
        .map(|_| ()));
    dry(env
        .kms
        .decrypt(
            &admin,
            DecryptRequest { ciphertext: ct.clone(), dry_run: true, ..Default::default() },
        )
        .map(|_| ()));
    let gdk = || GenerateDataKeyRequest {
        key_id: key.key_id.clone(),
        key_spec: Some("AES_256".into()),
        dry_run: true,
        ..Default::default()
    };
    dry(env.kms.generate_data_key(&admin, gdk()).map(|_| ()));
    dry(env.kms.generate_data_key_without_plaintext(&admin, gdk()).map(|_| ()));
    dry(env
        .kms
        .re_encrypt(
            &admin,
            ReEncryptRequest {
                ciphertext: ct,
                destination_key_id: key.key_id.clone(),
                dry_run: true,
                ..Default::default()
            },
        )
        .map(|_| ()));
    // A dry run is still refused when the caller may not act.
    let e = fails(env.kms.generate_data_key(&env.alice(), gdk()));
    assert!(matches!(e, KmsError::AccessDenied { .. }));
    // And when the key may not be used.
    env.kms.disable_key(&admin, &key.key_id).unwrap();
    assert!(matches!(fails(env.kms.generate_data_key(&admin, gdk())), KmsError::Disabled { .. }));
}

#[test]
fn generate_data_key() {
    let env = Env::new();
    let admin = env.admin();
    let key = env.key();
    env.kms.create_alias(&admin, "alias/data", &key.key_id).unwrap();
    let ec = context(&[("purpose", "files")]);
    for (spec, bytes, len) in [
        (Some("AES_256"), None, 32),
        (Some("AES_128"), None, 16),
        (None, Some(1), 1),
        (None, Some(1024), 1024),
    ] {
        let r = env
            .kms
            .generate_data_key(
                &admin,
                GenerateDataKeyRequest {
                    key_id: "alias/data".into(),
                    key_spec: spec.map(Into::into),
                    number_of_bytes: bytes,
                    encryption_context: ec.clone(),
                    ..Default::default()
                },
            )
            .unwrap();
        assert_eq!(r.plaintext.len(), len);
        assert_eq!(r.key_arn, key.arn);
        assert_eq!(r.key_material_id.len(), 64);
        let back = env
            .kms
            .decrypt(
                &admin,
                DecryptRequest {
                    ciphertext: r.ciphertext.clone(),
                    encryption_context: ec.clone(),
                    ..Default::default()
                },
            )
            .unwrap();
        assert!(back.plaintext.ct_eq(r.plaintext.expose()));
        assert!(matches!(fails(env.decrypt(&admin, &r.ciphertext)), KmsError::InvalidCiphertext));
    }
    // The debug form never shows the data key.
    let r = env
        .kms
        .generate_data_key(
            &admin,
            GenerateDataKeyRequest {
                key_id: key.key_id.clone(),
                number_of_bytes: Some(4),
                ..Default::default()
            },
        )
        .unwrap();
    assert!(format!("{r:?}").contains("REDACTED"));
}

#[test]
fn generate_data_key_checks_its_members_before_the_key() {
    let env = Env::new();
    let admin = env.admin();
    let missing = "1234abcd-12ab-34cd-56ef-1234567890ab";
    let gdk = |spec: Option<&str>, bytes: Option<i64>| {
        env.kms.generate_data_key(
            &admin,
            GenerateDataKeyRequest {
                key_id: missing.into(),
                key_spec: spec.map(Into::into),
                number_of_bytes: bytes,
                ..Default::default()
            },
        )
    };
    let either = "Please specify either number of bytes or key spec.";
    assert_eq!(message(gdk(None, None)), either);
    assert_eq!(message(gdk(Some("AES_256"), Some(32))), either);
    assert_eq!(
        message(gdk(Some("AES_512"), None)),
        "1 validation error detected: Value 'AES_512' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: [AES_256, AES_128]"
    );
    assert_eq!(
        message(gdk(None, Some(0))),
        "1 validation error detected: Value '0' at 'numberOfBytes' failed to satisfy constraint: Member must have value greater than or equal to 1"
    );
    assert_eq!(
        message(gdk(None, Some(1025))),
        "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024"
    );
    assert!(matches!(fails(gdk(Some("AES_256"), None)), KmsError::NotFound { .. }));
}

#[test]
fn generate_data_key_without_plaintext() {
    let env = Env::new();
    let admin = env.admin();
    let key = env.key();
    let r = env
        .kms
        .generate_data_key_without_plaintext(
            &admin,
            GenerateDataKeyRequest {
                key_id: key.arn.clone(),
                key_spec: Some("AES_256".into()),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(r.key_arn, key.arn);
    assert_eq!(env.decrypt(&admin, &r.ciphertext).unwrap().len(), 32);
    // It is its own permission.
    let policy = format!(
        r#"{{"Version": "2012-10-17", "Statement": [
          {{"Effect": "Allow", "Principal": {{"AWS": "arn:aws:iam::{ACCOUNT}:root"}}, "Action": "kms:*", "Resource": "*"}},
          {{"Effect": "Deny", "Principal": {{"AWS": "*"}}, "Action": "kms:GenerateDataKey", "Resource": "*"}}]}}"#
    );
    env.kms.put_key_policy(&admin, &key.key_id, &policy, None, false).unwrap();
    let req = || GenerateDataKeyRequest {
        key_id: key.key_id.clone(),
        number_of_bytes: Some(16),
        ..Default::default()
    };
    assert!(matches!(
        fails(env.kms.generate_data_key(&admin, req())),
        KmsError::AccessDenied { .. }
    ));
    env.kms.generate_data_key_without_plaintext(&admin, req()).unwrap();
}

#[test]
fn data_keys_need_an_enabled_key() {
    let env = Env::new();
    let admin = env.admin();
    let key = env.key();
    let req = || GenerateDataKeyRequest {
        key_id: key.key_id.clone(),
        key_spec: Some("AES_256".into()),
        ..Default::default()
    };
    env.kms.disable_key(&admin, &key.key_id).unwrap();
    assert_eq!(
        message(env.kms.generate_data_key(&admin, req())),
        format!("{} is disabled.", key.arn)
    );
    env.kms.schedule_key_deletion(&admin, &key.key_id, Some(7)).unwrap();
    let e = fails(env.kms.generate_data_key_without_plaintext(&admin, req()));
    assert!(matches!(&e, KmsError::InvalidState { .. }));
    assert_eq!(e.to_string(), format!("{} is pending deletion.", key.arn));
}

#[test]
fn generate_random() {
    let env = Env::new();
    let admin = env.admin();
    for n in [1, 12, 1024] {
        assert_eq!(
            env.kms.generate_random(&admin, Some(n)).unwrap().plaintext.len(),
            usize::try_from(n).unwrap()
        );
    }
    let a = env.kms.generate_random(&admin, Some(32)).unwrap().plaintext;
    let b = env.kms.generate_random(&admin, Some(32)).unwrap().plaintext;
    assert!(!a.ct_eq(b.expose()));
    assert_eq!(message(env.kms.generate_random(&admin, None)), "NumberOfBytes is required.");
    assert_eq!(
        message(env.kms.generate_random(&admin, Some(0))),
        "1 validation error detected: Value '0' at 'numberOfBytes' failed to satisfy constraint: Member must have value greater than or equal to 1"
    );
    assert_eq!(
        message(env.kms.generate_random(&admin, Some(1025))),
        "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024"
    );
    assert_eq!(
        message(env.kms.generate_random(&env.alice(), Some(8))),
        format!(
            "User: {ALICE_ARN} is not authorized to perform: kms:GenerateRandom on resource: * because no identity-based policy allows the kms:GenerateRandom action"
        )
    );
}

#[test]
fn re_encrypt_moves_a_ciphertext_to_another_key() {
    let env = Env::new();
    let admin = env.admin();
    let source = env.key();
    let dest = env.key();
    env.kms.create_alias(&admin, "alias/dest", &dest.key_id).unwrap();
    let src_ec = context(&[("a", "1")]);
    let dst_ec = context(&[("b", "2")]);
    let ct = env
        .kms
        .encrypt(
            &admin,
            EncryptRequest {
                key_id: source.key_id.clone(),
                plaintext: Secret::new(b"moving".to_vec()),
                encryption_context: src_ec.clone(),
                ..Default::default()
            },
        )
        .unwrap()
        .ciphertext;
    let r = env
        .kms
        .re_encrypt(
            &admin,
            ReEncryptRequest {
                ciphertext: ct.clone(),
                source_encryption_context: src_ec.clone(),
                destination_key_id: "alias/dest".into(),
                destination_encryption_context: dst_ec.clone(),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(
        (r.source_key_arn.as_str(), r.key_arn.as_str()),
        (source.arn.as_str(), dest.arn.as_str())
    );
    assert_eq!(
        (r.source_encryption_algorithm.as_str(), r.destination_encryption_algorithm.as_str()),
        ("SYMMETRIC_DEFAULT", "SYMMETRIC_DEFAULT")
    );
    assert_ne!(r.source_key_material_id, r.destination_key_material_id);
    let back = env
        .kms
        .decrypt(
            &admin,
            DecryptRequest {
                ciphertext: r.ciphertext.clone(),
                encryption_context: dst_ec,
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(
        (back.plaintext.expose(), back.key_arn.as_str()),
        (&b"moving"[..], dest.arn.as_str())
    );

    // The same key with a new context; a ciphertext from before a rotation.
    env.kms.rotate_key_on_demand(&admin, &source.key_id).unwrap();
    let same = env
        .kms
        .re_encrypt(
            &admin,
            ReEncryptRequest {
                ciphertext: ct.clone(),
                source_encryption_context: src_ec.clone(),
                destination_key_id: source.arn.clone(),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(same.key_arn, source.arn);
    assert_ne!(same.source_key_material_id, same.destination_key_material_id);
    assert_eq!(env.decrypt(&admin, &same.ciphertext).unwrap(), b"moving");

    // A wrong source context is an invalid ciphertext; a wrong source key is refused.
    let wrong_ec = env.kms.re_encrypt(
        &admin,
        ReEncryptRequest {
            ciphertext: ct.clone(),
            destination_key_id: dest.key_id.clone(),
            ..Default::default()
        },
    );
    assert!(matches!(fails(wrong_ec), KmsError::InvalidCiphertext));
    let wrong_key = env.kms.re_encrypt(
        &admin,
        ReEncryptRequest {
            ciphertext: ct.clone(),
            source_encryption_context: src_ec.clone(),
            source_key_id: Some(dest.key_id.clone()),
            destination_key_id: dest.key_id.clone(),
            ..Default::default()
        },
    );
    assert_eq!(
        message(wrong_key),
        "The key ID in the request does not identify a CMK that can perform this operation."
    );
    let named = env.kms.re_encrypt(
        &admin,
        ReEncryptRequest {
            ciphertext: ct,
            source_encryption_context: src_ec,
            source_key_id: Some(source.arn.clone()),
            destination_key_id: dest.key_id.clone(),
            ..Default::default()
        },
    );
    assert_eq!(named.unwrap().source_key_arn, source.arn);
    assert_eq!(
        message(env.kms.re_encrypt(
            &admin,
            ReEncryptRequest { destination_key_id: dest.key_id.clone(), ..Default::default() }
        )),
        "1 validation error detected: Value at 'ciphertextBlob' failed to satisfy constraint: Member must have length greater than or equal to 1"
    );
}

#[test]
fn re_encrypt_needs_both_keys_usable() {
    let env = Env::new();
    let admin = env.admin();
    let source = env.key();
    let dest = env.key();
    let ct = env.encrypt(&admin, &source.key_id, b"x").unwrap();
    let re = || {
        env.kms.re_encrypt(
            &admin,
            ReEncryptRequest {
                ciphertext: ct.clone(),
                destination_key_id: dest.key_id.clone(),
                ..Default::default()
            },
        )
    };
    env.kms.disable_key(&admin, &dest.key_id).unwrap();
    assert_eq!(message(re()), format!("{} is disabled.", dest.arn));
    env.kms.enable_key(&admin, &dest.key_id).unwrap();
    env.kms.schedule_key_deletion(&admin, &source.key_id, Some(7)).unwrap();
    assert_eq!(message(re()), format!("{} is pending deletion.", source.arn));
}

#[test]
fn re_encrypt_needs_from_and_to() {
    let env = Env::new();
    let admin = env.admin();
    let source = env.key();
    let dest = env.key();
    let ct = env.encrypt(&admin, &source.key_id, b"x").unwrap();
    let deny = |action: &str, condition: &str| {
        format!(
            r#"{{"Version": "2012-10-17", "Statement": [
              {{"Effect": "Allow", "Principal": {{"AWS": "arn:aws:iam::{ACCOUNT}:root"}}, "Action": "kms:*", "Resource": "*"}},
              {{"Effect": "Deny", "Principal": {{"AWS": "*"}}, "Action": "{action}", "Resource": "*"{condition}}}]}}"#
        )
    };
    let re = |to: &str| {
        env.kms.re_encrypt(
            &admin,
            ReEncryptRequest {
                ciphertext: ct.clone(),
                destination_key_id: to.into(),
                ..Default::default()
            },
        )
    };
    env.kms
        .put_key_policy(&admin, &source.key_id, &deny("kms:ReEncryptFrom", ""), None, false)
        .unwrap();
    assert_eq!(
        message(re(&dest.key_id)),
        format!(
            "User: {ADMIN_ARN} is not authorized to perform: kms:ReEncryptFrom on resource: {} with an explicit deny in a resource-based policy",
            source.arn
        )
    );
    env.kms
        .put_key_policy(
            &admin,
            &source.key_id,
            &coffer_kms::ops::create_key::default_key_policy(ACCOUNT),
            None,
            false,
        )
        .unwrap();
    env.kms
        .put_key_policy(&admin, &dest.key_id, &deny("kms:ReEncryptTo", ""), None, false)
        .unwrap();
    assert_eq!(
        message(re(&dest.key_id)),
        format!(
            "User: {ADMIN_ARN} is not authorized to perform: kms:ReEncryptTo on resource: {} with an explicit deny in a resource-based policy",
            dest.arn
        )
    );
    // kms:ReEncryptOnSameKey tells the two apart.
    let same_only =
        deny("kms:ReEncrypt*", r#", "Condition": {"Bool": {"kms:ReEncryptOnSameKey": "false"}}"#);
    env.kms.put_key_policy(&admin, &source.key_id, &same_only, None, false).unwrap();
    env.kms
        .put_key_policy(
            &admin,
            &dest.key_id,
            &coffer_kms::ops::create_key::default_key_policy(ACCOUNT),
            None,
            false,
        )
        .unwrap();
    assert!(matches!(fails(re(&dest.key_id)), KmsError::AccessDenied { .. }));
    re(&source.key_id).unwrap();
}
