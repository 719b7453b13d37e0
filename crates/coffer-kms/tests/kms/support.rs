//! A service to test against, its callers, and small helpers.

#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a helper that cannot set up or whose call should have failed fails the test"
)]

use std::sync::Arc;

use coffer_crypto::{RootKey, Secret, SystemRandom};
use coffer_kms::audit::MemoryAudit;
use coffer_kms::clock::{DAY_MILLIS, ManualClock};
use coffer_kms::iam::Identities;
use coffer_kms::key::KeyMetadata;
use coffer_kms::ops::create_key::CreateKeyRequest;
use coffer_kms::ops::decrypt::DecryptRequest;
use coffer_kms::ops::encrypt::EncryptRequest;
use coffer_kms::{Caller, Kms, KmsError};
use coffer_store::SqliteStore;

pub const ACCOUNT: &str = "111122223333";
pub const OTHER_ACCOUNT: &str = "444455556666";
pub const REGION: &str = "us-east-1";
pub const START: i64 = 1_700_000_000_000;

pub const ROOT_KEY: &str = "AKIAROOTROOTROOT0001";
pub const ADMIN_KEY: &str = "AKIAADMINADMIN000001";
pub const ALICE_KEY: &str = "AKIAALICEALICE000001";
pub const BOB_KEY: &str = "AKIABOBBOBBOBB000001";

pub const ALICE_ARN: &str = "arn:aws:iam::111122223333:user/alice";
pub const ADMIN_ARN: &str = "arn:aws:iam::111122223333:user/admin";

/// The account's root; `admin` with kms:* on everything; `alice`, who may only encrypt,
/// describe keys and list aliases; and `bob`, an administrator of another account.
const IDENTITIES: &str = r#"{
  "accounts": [{"id": "111122223333"}, {"id": "444455556666"}],
  "principals": [
    {"account": "111122223333", "type": "root",
     "access_keys": [{"id": "AKIAROOTROOTROOT0001", "secret": "root-secret-0123456789"}]},
    {"account": "111122223333", "type": "user", "name": "admin",
     "access_keys": [{"id": "AKIAADMINADMIN000001", "secret": "admin-secret-0123456789"}],
     "policies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}]},
    {"account": "111122223333", "type": "user", "name": "alice",
     "access_keys": [{"id": "AKIAALICEALICE000001", "secret": "alice-secret-0123456789"}],
     "policies": [{"Version": "2012-10-17", "Statement": [
       {"Effect": "Allow", "Action": ["kms:Encrypt", "kms:DescribeKey", "kms:ListAliases"], "Resource": "*"}]}]},
    {"account": "444455556666", "type": "user", "name": "bob",
     "access_keys": [{"id": "AKIABOBBOBBOBB000001", "secret": "bob-secret-0123456789"}],
     "policies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}]}
  ]
}"#;

/// A service over an in-memory store, with a manual clock.
pub struct Env {
    pub kms: Kms,
    pub clock: Arc<ManualClock>,
}

impl Env {
    pub fn new() -> Env {
        let clock = Arc::new(ManualClock::new(START));
        let root = RootKey::from_secret(Secret::new(vec![7; 32])).unwrap();
        let kms = Kms::new(
            Arc::new(SqliteStore::open_in_memory().unwrap()),
            root,
            Arc::new(SystemRandom),
            clock.clone(),
            Identities::parse(IDENTITIES, false).unwrap(),
            Arc::new(MemoryAudit::default()),
        );
        Env { kms, clock }
    }

    fn caller(&self, access_key: &str) -> Caller {
        self.kms.caller(access_key, REGION, Some("192.0.2.10".into()), true, None).unwrap()
    }

    pub fn root(&self) -> Caller {
        self.caller(ROOT_KEY)
    }

    pub fn admin(&self) -> Caller {
        self.caller(ADMIN_KEY)
    }

    pub fn alice(&self) -> Caller {
        self.caller(ALICE_KEY)
    }

    pub fn bob(&self) -> Caller {
        self.caller(BOB_KEY)
    }

    /// A symmetric key with the default key policy, made by the administrator.
    pub fn key(&self) -> KeyMetadata {
        self.kms.create_key(&self.admin(), CreateKeyRequest::default()).unwrap()
    }

    pub fn encrypt(
        &self,
        caller: &Caller,
        key_id: &str,
        plaintext: &[u8],
    ) -> Result<Vec<u8>, KmsError> {
        let req = EncryptRequest {
            key_id: key_id.into(),
            plaintext: Secret::new(plaintext.to_vec()),
            ..Default::default()
        };
        self.kms.encrypt(caller, req).map(|r| r.ciphertext)
    }

    pub fn decrypt(&self, caller: &Caller, ciphertext: &[u8]) -> Result<Vec<u8>, KmsError> {
        let req = DecryptRequest { ciphertext: ciphertext.to_vec(), ..Default::default() };
        self.kms.decrypt(caller, req).map(|r| r.plaintext.expose().to_vec())
    }

    pub fn advance_days(&self, days: i64) {
        self.clock.advance_millis(days * DAY_MILLIS);
    }
}

/// The error of a call that must fail.
pub fn fails<T: std::fmt::Debug>(r: Result<T, KmsError>) -> KmsError {
    r.expect_err("the call should have failed")
}

/// `<arn> is disabled.`, `<arn> is pending deletion.`: the caller-facing message.
pub fn message<T: std::fmt::Debug>(r: Result<T, KmsError>) -> String {
    fails(r).to_string()
}

/// The alias ARN of `name` in the test account.
pub fn alias_arn(name: &str) -> String {
    format!("arn:aws:kms:{REGION}:{ACCOUNT}:{name}")
}
