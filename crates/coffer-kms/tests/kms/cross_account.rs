//! Decrypting another account's ciphertext without naming the key: the ciphertext names its
//! key by id, the key is found in whichever account of the region holds it, and the key
//! policy and the caller's identity policies must both allow, as AWS decides.

#![expect(clippy::unwrap_used, reason = "a test that cannot set itself up should fail loudly")]

use std::sync::Arc;

use coffer_crypto::{RootKey, Secret, SystemRandom};
use coffer_kms::audit::MemoryAudit;
use coffer_kms::clock::ManualClock;
use coffer_kms::iam::Identities;
use coffer_kms::key::KeyMetadata;
use coffer_kms::ops::create_key::CreateKeyRequest;
use coffer_kms::ops::decrypt::DecryptRequest;
use coffer_kms::ops::re_encrypt::ReEncryptRequest;
use coffer_kms::{Caller, Kms, KmsError};
use coffer_store::SqliteStore;

use crate::support::{ACCOUNT, OTHER_ACCOUNT, REGION, START, fails};

const ADMIN_KEY: &str = "AKIAADMINADMIN000001";
const CAROL_KEY: &str = "AKIACAROLCAROL000001";
const DAVE_KEY: &str = "AKIADAVEDAVEDA000001";
const CAROL_ARN: &str = "arn:aws:iam::444455556666:user/carol";
const DAVE_ARN: &str = "arn:aws:iam::444455556666:user/dave";

/// `admin` owns the keys; in the other account, `carol` may decrypt with and re-encrypt
/// from the first account's keys and use her own account's keys, and `dave` may only
/// encrypt.
const IDENTITIES: &str = r#"{
  "accounts": [{"id": "111122223333"}, {"id": "444455556666"}],
  "principals": [
    {"account": "111122223333", "type": "user", "name": "admin",
     "access_keys": [{"id": "AKIAADMINADMIN000001", "secret": "admin-secret-0123456789"}],
     "policies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}]},
    {"account": "444455556666", "type": "user", "name": "carol",
     "access_keys": [{"id": "AKIACAROLCAROL000001", "secret": "carol-secret-0123456789"}],
     "policies": [{"Version": "2012-10-17", "Statement": [
       {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:ReEncryptFrom"],
        "Resource": "arn:aws:kms:*:111122223333:key/*"},
       {"Effect": "Allow", "Action": "kms:*", "Resource": "*",
        "Condition": {"StringEquals": {"aws:ResourceAccount": "444455556666"}}},
       {"Effect": "Allow", "Action": "kms:CreateKey", "Resource": "*"}]}]},
    {"account": "444455556666", "type": "user", "name": "dave",
     "access_keys": [{"id": "AKIADAVEDAVEDA000001", "secret": "dave-secret-0123456789"}],
     "policies": [{"Version": "2012-10-17", "Statement": [
       {"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*"}]}]}
  ]
}"#;

struct Env {
    kms: Kms,
}

impl Env {
    fn new() -> Env {
        let kms = Kms::new(
            Arc::new(SqliteStore::open_in_memory().unwrap()),
            RootKey::from_secret(Secret::new(vec![7; 32])).unwrap(),
            Arc::new(SystemRandom),
            Arc::new(ManualClock::new(START)),
            Identities::parse(IDENTITIES, false).unwrap(),
            Arc::new(MemoryAudit::default()),
        );
        Env { kms }
    }

    fn caller(&self, access_key: &str, region: &str) -> Caller {
        self.kms.caller(access_key, region, Some("192.0.2.10".into()), true, None).unwrap()
    }

    fn admin(&self) -> Caller {
        self.caller(ADMIN_KEY, REGION)
    }

    fn carol(&self) -> Caller {
        self.caller(CAROL_KEY, REGION)
    }

    fn dave(&self) -> Caller {
        self.caller(DAVE_KEY, REGION)
    }

    /// A key of the first account whose policy gives its own account everything and lets
    /// the other account (as a whole, so its identity policies decide who) use it for
    /// `actions`.
    fn shared_key(&self, actions: &[&str]) -> KeyMetadata {
        let actions = serde_json::to_string(actions).unwrap();
        let policy = format!(
            r#"{{"Version": "2012-10-17", "Statement": [
              {{"Effect": "Allow", "Principal": {{"AWS": "arn:aws:iam::{ACCOUNT}:root"}}, "Action": "kms:*", "Resource": "*"}},
              {{"Effect": "Allow", "Principal": {{"AWS": "arn:aws:iam::{OTHER_ACCOUNT}:root"}}, "Action": {actions}, "Resource": "*"}}]}}"#
        );
        let req = CreateKeyRequest { policy: Some(policy), ..Default::default() };
        self.kms.create_key(&self.admin(), req).unwrap()
    }

    fn encrypt(&self, key: &KeyMetadata, plaintext: &[u8]) -> Vec<u8> {
        let req = coffer_kms::ops::encrypt::EncryptRequest {
            key_id: key.arn.clone(),
            plaintext: Secret::new(plaintext.to_vec()),
            encryption_context: [("purpose".to_owned(), "shared".to_owned())].into(),
            ..Default::default()
        };
        self.kms.encrypt(&self.admin(), req).unwrap().ciphertext
    }

    /// Decrypt without a KeyId, with the context the ciphertext was made with.
    fn decrypt(&self, caller: &Caller, ciphertext: &[u8]) -> Result<(String, Vec<u8>), KmsError> {
        let req = DecryptRequest {
            ciphertext: ciphertext.to_vec(),
            encryption_context: [("purpose".to_owned(), "shared".to_owned())].into(),
            ..Default::default()
        };
        self.kms.decrypt(caller, req).map(|r| (r.key_arn, r.plaintext.expose().to_vec()))
    }
}

#[test]
fn another_account_allowed_by_both_policies_decrypts_without_naming_the_key() {
    let env = Env::new();
    let key = env.shared_key(&["kms:Decrypt", "kms:ReEncryptFrom"]);
    let ct = env.encrypt(&key, b"for the other account");

    let (arn, plaintext) = env.decrypt(&env.carol(), &ct).unwrap();
    assert_eq!(plaintext, b"for the other account");
    assert_eq!(arn, key.arn, "the response names the key of the first account");

    // ReEncrypt finds its source key the same way.
    let own = env.kms.create_key(&env.carol(), CreateKeyRequest::default()).unwrap();
    let moved = env
        .kms
        .re_encrypt(
            &env.carol(),
            ReEncryptRequest {
                ciphertext: ct,
                source_encryption_context: [("purpose".to_owned(), "shared".to_owned())].into(),
                destination_key_id: own.key_id.clone(),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(moved.source_key_arn, key.arn);
    assert_eq!(moved.key_arn, own.arn);
    let back = env
        .kms
        .decrypt(
            &env.carol(),
            DecryptRequest { ciphertext: moved.ciphertext, ..Default::default() },
        )
        .unwrap();
    assert_eq!(back.plaintext.expose(), b"for the other account");
}

#[test]
fn another_account_without_an_identity_policy_allow_is_denied_with_aws_message() {
    let env = Env::new();
    let key = env.shared_key(&["kms:Decrypt"]);
    let ct = env.encrypt(&key, b"x");
    // The key policy lets the other account in, but Dave's own policies do not allow it.
    let e = fails(env.decrypt(&env.dave(), &ct));
    assert!(matches!(e, KmsError::AccessDenied { .. }), "{e:?}");
    assert_eq!(
        e.to_string(),
        format!(
            "User: {DAVE_ARN} is not authorized to perform: kms:Decrypt on resource: {} because no identity-based policy allows the kms:Decrypt action",
            key.arn
        )
    );
}

#[test]
fn another_account_the_key_policy_does_not_name_is_denied_with_aws_message() {
    let env = Env::new();
    let key = env.kms.create_key(&env.admin(), CreateKeyRequest::default()).unwrap();
    let ct = env.encrypt(&key, b"x");
    // Carol's own policies allow kms:Decrypt on the first account's keys; its key policy
    // (the default: its own account only) does not.
    let e = fails(env.decrypt(&env.carol(), &ct));
    assert!(matches!(e, KmsError::AccessDenied { .. }), "{e:?}");
    assert_eq!(
        e.to_string(),
        format!(
            "User: {CAROL_ARN} is not authorized to perform: kms:Decrypt on resource: {} because no resource-based policy allows the kms:Decrypt action",
            key.arn
        )
    );
}

#[test]
fn a_ciphertext_of_another_region_is_invalid_there() {
    let env = Env::new();
    let key = env.shared_key(&["kms:Decrypt"]);
    let ct = env.encrypt(&key, b"x");
    let elsewhere = env.caller(CAROL_KEY, "eu-west-1");
    assert!(matches!(fails(env.decrypt(&elsewhere, &ct)), KmsError::InvalidCiphertext));
    let admin_elsewhere = env.caller(ADMIN_KEY, "eu-west-1");
    assert!(matches!(fails(env.decrypt(&admin_elsewhere, &ct)), KmsError::InvalidCiphertext));
}
