//! Grants: CreateGrant, ListGrants, ListRetirableGrants, RetireGrant and RevokeGrant, and
//! grants allowing what no policy allows, as AWS decides them.

#![expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "a test that cannot set itself up, or gets another error, should fail loudly"
)]

use std::collections::BTreeMap;
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use coffer_crypto::{RootKey, Secret, SystemRandom};
use coffer_kms::audit::MemoryAudit;
use coffer_kms::clock::ManualClock;
use coffer_kms::iam::Identities;
use coffer_kms::key::KeyMetadata;
use coffer_kms::ops::create_grant::{CreateGrantRequest, CreateGrantResponse};
use coffer_kms::ops::create_key::CreateKeyRequest;
use coffer_kms::ops::decrypt::DecryptRequest;
use coffer_kms::ops::encrypt::EncryptRequest;
use coffer_kms::ops::generate_data_key::GenerateDataKeyRequest;
use coffer_kms::ops::grant::GrantConstraints;
use coffer_kms::ops::list_grants::ListGrantsRequest;
use coffer_kms::ops::retire_grant::RetireGrantRequest;
use coffer_kms::{Caller, Kms, KmsError};
use coffer_store::{GrantRecord, KeyRecord, KeyVersion, SqliteStore, Store};

use crate::support::{ACCOUNT, OTHER_ACCOUNT, REGION, START, fails};

const ADMIN_KEY: &str = "AKIAADMINADMIN000001";
const ALICE_KEY: &str = "AKIAALICEALICE000001";
const NOBODY_KEY: &str = "AKIANOBODYNOBO000001";
const DENIED_KEY: &str = "AKIADENIEDDENI000001";
const WORKER_KEY: &str = "AKIAWORKERWORK000001";
const BOB_KEY: &str = "AKIABOBBOBBOBB000001";
const DANA_KEY: &str = "AKIADANADANADA000001";

const ADMIN: &str = "arn:aws:iam::111122223333:user/admin";
const ALICE: &str = "arn:aws:iam::111122223333:user/alice";
const NOBODY: &str = "arn:aws:iam::111122223333:user/nobody";
const DENIED: &str = "arn:aws:iam::111122223333:user/denied";
const WORKER_ROLE: &str = "arn:aws:iam::111122223333:role/worker";
const BOB: &str = "arn:aws:iam::444455556666:user/bob";
const DANA: &str = "arn:aws:iam::444455556666:user/dana";

/// `admin` may do anything; `alice` may only encrypt and describe; `nobody` has no policy;
/// `denied` may do anything but decrypt, which an explicit deny forbids; `worker` is a
/// role without policies. In the other account, `bob` may do anything and `dana` nothing.
const IDENTITIES: &str = r#"{
  "accounts": [{"id": "111122223333"}, {"id": "444455556666"}],
  "principals": [
    {"account": "111122223333", "type": "user", "name": "admin",
     "access_keys": [{"id": "AKIAADMINADMIN000001", "secret": "admin-secret-0123456789"}],
     "policies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}]},
    {"account": "111122223333", "type": "user", "name": "alice",
     "access_keys": [{"id": "AKIAALICEALICE000001", "secret": "alice-secret-0123456789"}],
     "policies": [{"Version": "2012-10-17", "Statement": [
       {"Effect": "Allow", "Action": ["kms:Encrypt", "kms:DescribeKey"], "Resource": "*"}]}]},
    {"account": "111122223333", "type": "user", "name": "nobody",
     "access_keys": [{"id": "AKIANOBODYNOBO000001", "secret": "nobody-secret-0123456789"}]},
    {"account": "111122223333", "type": "user", "name": "denied",
     "access_keys": [{"id": "AKIADENIEDDENI000001", "secret": "denied-secret-0123456789"}],
     "policies": [{"Version": "2012-10-17", "Statement": [
       {"Effect": "Allow", "Action": "kms:*", "Resource": "*"},
       {"Effect": "Deny", "Action": "kms:Decrypt", "Resource": "*"}]}]},
    {"account": "111122223333", "type": "role", "name": "worker",
     "access_keys": [{"id": "AKIAWORKERWORK000001", "secret": "worker-secret-0123456789"}]},
    {"account": "444455556666", "type": "user", "name": "bob",
     "access_keys": [{"id": "AKIABOBBOBBOBB000001", "secret": "bob-secret-0123456789"}],
     "policies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}]},
    {"account": "444455556666", "type": "user", "name": "dana",
     "access_keys": [{"id": "AKIADANADANADA000001", "secret": "dana-secret-0123456789"}]}
  ]
}"#;

struct Env {
    kms: Kms,
    store: Arc<SqliteStore>,
}

impl Env {
    fn new() -> Env {
        let store = Arc::new(SqliteStore::open_in_memory().unwrap());
        let kms = Kms::new(
            store.clone(),
            RootKey::from_secret(Secret::new(vec![7; 32])).unwrap(),
            Arc::new(SystemRandom),
            Arc::new(ManualClock::new(START)),
            Identities::parse(IDENTITIES, false).unwrap(),
            Arc::new(MemoryAudit::default()),
        );
        Env { kms, store }
    }

    fn caller(&self, access_key: &str) -> Caller {
        self.kms.caller(access_key, REGION, Some("192.0.2.10".into()), true, None).unwrap()
    }

    fn admin(&self) -> Caller {
        self.caller(ADMIN_KEY)
    }

    fn key(&self) -> KeyMetadata {
        self.kms.create_key(&self.admin(), CreateKeyRequest::default()).unwrap()
    }

    fn grant(&self, by: &Caller, req: CreateGrantRequest) -> Result<CreateGrantResponse, KmsError> {
        self.kms.create_grant(by, req)
    }

    fn encrypt(&self, key: &str, ec: &BTreeMap<String, String>) -> Vec<u8> {
        let req = EncryptRequest {
            key_id: key.into(),
            plaintext: Secret::new(b"secret".to_vec()),
            encryption_context: ec.clone(),
            ..Default::default()
        };
        self.kms.encrypt(&self.admin(), req).unwrap().ciphertext
    }

    fn decrypt(
        &self,
        who: &Caller,
        blob: &[u8],
        ec: &BTreeMap<String, String>,
        tokens: &[String],
    ) -> Result<Vec<u8>, KmsError> {
        let req = DecryptRequest {
            ciphertext: blob.to_vec(),
            encryption_context: ec.clone(),
            grant_tokens: tokens.to_vec(),
            ..Default::default()
        };
        self.kms.decrypt(who, req).map(|r| r.plaintext.expose().to_vec())
    }

    fn grants(&self, key: &str) -> Vec<String> {
        let req = ListGrantsRequest { key_id: key.into(), ..Default::default() };
        let list = self.kms.list_grants(&self.admin(), req).unwrap();
        list.grants.into_iter().map(|g| g.grant_id).collect()
    }

    fn retire(&self, who: &Caller, req: RetireGrantRequest) -> Result<(), KmsError> {
        self.kms.retire_grant(who, req)
    }
}

fn grant_to(key: &KeyMetadata, grantee: &str, ops: &[&str]) -> CreateGrantRequest {
    CreateGrantRequest {
        key_id: key.key_id.clone(),
        grantee_principal: grantee.into(),
        operations: ops.iter().map(|o| (*o).to_owned()).collect(),
        ..Default::default()
    }
}

fn ec(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

fn none() -> BTreeMap<String, String> {
    BTreeMap::new()
}

fn denied(e: KmsError) -> String {
    match e {
        KmsError::AccessDenied { message, .. } => message,
        other => panic!("expected AccessDenied, got {other:?}"),
    }
}

fn no_identity_allow(who: &str, action: &str, resource: &str) -> String {
    format!(
        "User: {who} is not authorized to perform: {action} on resource: {resource} because no identity-based policy allows the {action} action"
    )
}

fn by_id(key: &KeyMetadata, grant_id: &str) -> RetireGrantRequest {
    RetireGrantRequest {
        key_id: Some(key.arn.clone()),
        grant_id: Some(grant_id.into()),
        ..Default::default()
    }
}

#[test]
fn a_grant_allows_its_operations_at_once_and_nothing_else() {
    let env = Env::new();
    let key = env.key();
    let nobody = env.caller(NOBODY_KEY);
    let blob = env.encrypt(&key.key_id, &none());
    assert_eq!(
        denied(fails(env.decrypt(&nobody, &blob, &none(), &[]))),
        no_identity_allow(NOBODY, "kms:Decrypt", &key.arn)
    );

    let g = env.grant(&env.admin(), grant_to(&key, NOBODY, &["Decrypt", "DescribeKey"])).unwrap();
    assert_eq!(g.grant_id.len(), 64);
    assert!(g.grant_id.bytes().all(|b| b.is_ascii_hexdigit()));
    assert!(!g.grant_token.is_empty() && g.grant_token.len() <= 8192);

    assert_eq!(env.decrypt(&nobody, &blob, &none(), &[]).unwrap(), b"secret");
    assert_eq!(env.kms.describe_key(&nobody, &key.arn).unwrap().arn, key.arn);
    let req = EncryptRequest {
        key_id: key.key_id.clone(),
        plaintext: Secret::new(b"x".to_vec()),
        ..Default::default()
    };
    assert_eq!(
        denied(fails(env.kms.encrypt(&nobody, req))),
        no_identity_allow(NOBODY, "kms:Encrypt", &key.arn)
    );
    // A grant is for its key only.
    let other = env.key();
    let elsewhere = env.encrypt(&other.key_id, &none());
    assert!(matches!(
        fails(env.decrypt(&nobody, &elsewhere, &none(), &[])),
        KmsError::AccessDenied { .. }
    ));
}

#[test]
fn encryption_context_equals_must_match_exactly() {
    let env = Env::new();
    let key = env.key();
    let nobody = env.caller(NOBODY_KEY);
    let mut req = grant_to(&key, NOBODY, &["Decrypt"]);
    req.constraints = Some(GrantConstraints { equals: Some(ec(&[("Dept", "IT")])), subset: None });
    env.grant(&env.admin(), req).unwrap();

    let exact = ec(&[("Dept", "IT")]);
    assert_eq!(
        env.decrypt(&nobody, &env.encrypt(&key.key_id, &exact), &exact, &[]).unwrap(),
        b"secret"
    );
    // Keys compare without regard to case, values with it.
    let key_case = ec(&[("dept", "IT")]);
    assert!(env.decrypt(&nobody, &env.encrypt(&key.key_id, &key_case), &key_case, &[]).is_ok());
    for refused in [ec(&[("Dept", "it")]), ec(&[("Dept", "IT"), ("x", "y")]), none()] {
        let blob = env.encrypt(&key.key_id, &refused);
        assert_eq!(
            denied(fails(env.decrypt(&nobody, &blob, &refused, &[]))),
            no_identity_allow(NOBODY, "kms:Decrypt", &key.arn),
            "{refused:?}"
        );
    }
}

#[test]
fn encryption_context_subset_allows_more_pairs() {
    let env = Env::new();
    let key = env.key();
    let nobody = env.caller(NOBODY_KEY);
    let mut req = grant_to(&key, NOBODY, &["Decrypt", "GenerateDataKey"]);
    req.constraints = Some(GrantConstraints { equals: None, subset: Some(ec(&[("Dept", "IT")])) });
    env.grant(&env.admin(), req).unwrap();

    for allowed in [ec(&[("Dept", "IT")]), ec(&[("Dept", "IT"), ("project", "x")])] {
        let blob = env.encrypt(&key.key_id, &allowed);
        assert!(env.decrypt(&nobody, &blob, &allowed, &[]).is_ok(), "{allowed:?}");
    }
    for refused in [none(), ec(&[("Dept", "HR")]), ec(&[("project", "x")])] {
        let blob = env.encrypt(&key.key_id, &refused);
        assert!(
            matches!(
                fails(env.decrypt(&nobody, &blob, &refused, &[])),
                KmsError::AccessDenied { .. }
            ),
            "{refused:?}"
        );
    }
    let gdk = |context| GenerateDataKeyRequest {
        key_id: key.arn.clone(),
        encryption_context: context,
        number_of_bytes: Some(32),
        ..Default::default()
    };
    assert!(env.kms.generate_data_key(&nobody, gdk(ec(&[("Dept", "IT")]))).is_ok());
    assert_eq!(
        denied(fails(env.kms.generate_data_key(&nobody, gdk(none())))),
        no_identity_allow(NOBODY, "kms:GenerateDataKey", &key.arn)
    );
}

#[test]
fn grant_tokens_are_accepted_in_the_same_request_and_malformed_ones_refused() {
    let env = Env::new();
    let key = env.key();
    let nobody = env.caller(NOBODY_KEY);
    let blob = env.encrypt(&key.key_id, &none());
    let g = env.grant(&env.admin(), grant_to(&key, NOBODY, &["Decrypt"])).unwrap();
    let tokens = vec![g.grant_token.clone()];
    assert_eq!(env.decrypt(&nobody, &blob, &none(), &tokens).unwrap(), b"secret");

    for bad in ["not a token", "AAAA", ""] {
        let e = fails(env.decrypt(&env.admin(), &blob, &none(), &[bad.to_owned()]));
        assert!(matches!(e, KmsError::InvalidGrantToken { .. }), "{bad}: {e:?}");
        assert_eq!(
            e.to_string(),
            "The request was rejected because the specified grant token is not valid."
        );
    }
    // A token of the right form that this service never handed out adds nothing.
    let mut forged = STANDARD.decode(&g.grant_token).unwrap();
    let last = forged.len() - 1;
    forged[last] ^= 1;
    let forged = STANDARD.encode(forged);
    assert!(env.decrypt(&env.admin(), &blob, &none(), std::slice::from_ref(&forged)).is_ok());
    let e = fails(env.retire(
        &env.admin(),
        RetireGrantRequest { grant_token: Some(forged), ..Default::default() },
    ));
    assert!(matches!(e, KmsError::InvalidGrantToken { .. }), "{e:?}");
    // CreateGrant checks the tokens it is given too.
    let mut req = grant_to(&key, ALICE, &["Decrypt"]);
    req.grant_tokens = vec!["%%%".into()];
    assert!(matches!(fails(env.grant(&env.admin(), req)), KmsError::InvalidGrantToken { .. }));
}

#[test]
fn list_grants_shows_every_field_and_filters_and_pages() {
    let env = Env::new();
    let key = env.key();
    let admin = env.admin();
    let mut full = grant_to(&key, NOBODY, &["Encrypt", "Decrypt"]);
    full.retiring_principal = Some(ALICE.into());
    full.name = Some("app-1".into());
    full.constraints =
        Some(GrantConstraints { equals: None, subset: Some(ec(&[("stage", "prod")])) });
    let first = env.grant(&admin, full).unwrap();
    let mut ids = vec![first.grant_id.clone()];
    for _ in 0..4 {
        ids.push(env.grant(&admin, grant_to(&key, ALICE, &["DescribeKey"])).unwrap().grant_id);
    }
    ids.sort();

    let list = |req: ListGrantsRequest| env.kms.list_grants(&admin, req).unwrap();
    let all = list(ListGrantsRequest { key_id: key.arn.clone(), ..Default::default() });
    assert_eq!(all.grants.iter().map(|g| g.grant_id.clone()).collect::<Vec<_>>(), ids);
    let entry = all.grants.iter().find(|g| g.grant_id == first.grant_id).unwrap();
    assert_eq!(entry.key_arn, key.arn);
    assert_eq!(entry.name.as_deref(), Some("app-1"));
    assert_eq!(entry.creation_date, START);
    assert_eq!(entry.grantee_principal, NOBODY);
    assert_eq!(entry.retiring_principal.as_deref(), Some(ALICE));
    assert_eq!(entry.issuing_account, format!("arn:aws:iam::{ACCOUNT}:root"));
    assert_eq!(entry.operations, vec!["Encrypt".to_owned(), "Decrypt".to_owned()]);
    assert_eq!(
        entry.constraints,
        Some(GrantConstraints { equals: None, subset: Some(ec(&[("stage", "prod")])) })
    );

    let of_alice = list(ListGrantsRequest {
        key_id: key.key_id.clone(),
        grantee_principal: Some(ALICE.into()),
        ..Default::default()
    });
    assert_eq!(of_alice.grants.len(), 4);
    let one = list(ListGrantsRequest {
        key_id: key.key_id.clone(),
        grant_id: Some(first.grant_id.clone()),
        ..Default::default()
    });
    assert_eq!(one.grants.len(), 1);

    let mut seen = Vec::new();
    let mut marker = None;
    loop {
        let page = list(ListGrantsRequest {
            key_id: key.key_id.clone(),
            limit: Some(2),
            marker: marker.clone(),
            ..Default::default()
        });
        assert!(page.grants.len() <= 2);
        seen.extend(page.grants.into_iter().map(|g| g.grant_id));
        match page.next_marker {
            Some(m) => marker = Some(m),
            None => break,
        }
    }
    assert_eq!(seen, ids);

    let unknown = ListGrantsRequest {
        key_id: key.key_id.clone(),
        grant_id: Some("0".repeat(64)),
        ..Default::default()
    };
    assert!(matches!(fails(env.kms.list_grants(&admin, unknown)), KmsError::InvalidGrantId { .. }));
    let bad_limit =
        ListGrantsRequest { key_id: key.key_id.clone(), limit: Some(0), ..Default::default() };
    assert!(matches!(fails(env.kms.list_grants(&admin, bad_limit)), KmsError::Validation { .. }));
    let by_nobody = ListGrantsRequest { key_id: key.key_id.clone(), ..Default::default() };
    assert_eq!(
        denied(fails(env.kms.list_grants(&env.caller(NOBODY_KEY), by_nobody))),
        no_identity_allow(NOBODY, "kms:ListGrants", &key.arn)
    );
}

#[test]
fn a_name_makes_a_retried_create_grant_return_the_same_grant() {
    let env = Env::new();
    let key = env.key();
    let admin = env.admin();
    let named = |ops: &[&str]| {
        let mut req = grant_to(&key, NOBODY, ops);
        req.name = Some("retry-me".into());
        req
    };
    let first = env.grant(&admin, named(&["Decrypt", "Encrypt"])).unwrap();
    let again = env.grant(&admin, named(&["Encrypt", "Decrypt"])).unwrap();
    assert_eq!(again.grant_id, first.grant_id, "the same name and parameters");
    assert_ne!(again.grant_token, first.grant_token, "every call hands out a new token");
    let other = env.grant(&admin, named(&["Decrypt"])).unwrap();
    assert_ne!(other.grant_id, first.grant_id, "the same name with other operations");
    let unnamed = env.grant(&admin, grant_to(&key, NOBODY, &["Decrypt"])).unwrap();
    let unnamed_again = env.grant(&admin, grant_to(&key, NOBODY, &["Decrypt"])).unwrap();
    assert_ne!(unnamed.grant_id, unnamed_again.grant_id, "without a name every call is a grant");
    assert_eq!(env.grants(&key.key_id).len(), 4);
    // Every token of a grant works: retire with the first.
    let token = RetireGrantRequest { grant_token: Some(first.grant_token), ..Default::default() };
    env.retire(&admin, token).unwrap();
    assert_eq!(env.grants(&key.key_id).len(), 3);
    let late = RetireGrantRequest { grant_token: Some(again.grant_token), ..Default::default() };
    assert!(matches!(fails(env.retire(&admin, late)), KmsError::InvalidGrantToken { .. }));
}

#[test]
fn the_retiring_principal_the_grantee_and_the_issuing_account_may_retire() {
    let env = Env::new();
    let key = env.key();
    let admin = env.admin();
    let alice = env.caller(ALICE_KEY);
    let nobody = env.caller(NOBODY_KEY);

    // The retiring principal, whose policies do not mention RetireGrant.
    let mut req = grant_to(&key, NOBODY, &["Decrypt"]);
    req.retiring_principal = Some(ALICE.into());
    let g = env.grant(&admin, req).unwrap();
    assert_eq!(
        denied(fails(env.retire(&nobody, by_id(&key, &g.grant_id)))),
        no_identity_allow(NOBODY, "kms:RetireGrant", &key.arn),
        "a grantee whose grant does not allow RetireGrant"
    );
    env.retire(&alice, by_id(&key, &g.grant_id)).unwrap();
    assert!(env.grants(&key.key_id).is_empty());
    assert!(matches!(
        fails(env.retire(&alice, by_id(&key, &g.grant_id))),
        KmsError::InvalidGrantId { .. }
    ));

    // The grantee, when the grant allows RetireGrant; by token.
    let g = env.grant(&admin, grant_to(&key, NOBODY, &["Decrypt", "RetireGrant"])).unwrap();
    let blob = env.encrypt(&key.key_id, &none());
    assert!(env.decrypt(&nobody, &blob, &none(), &[]).is_ok());
    env.retire(
        &nobody,
        RetireGrantRequest { grant_token: Some(g.grant_token), ..Default::default() },
    )
    .unwrap();
    assert_eq!(
        denied(fails(env.decrypt(&nobody, &blob, &none(), &[]))),
        no_identity_allow(NOBODY, "kms:Decrypt", &key.arn),
        "a retired grant allows nothing"
    );

    // The issuing account: a principal whose IAM policy allows kms:RetireGrant.
    let g = env.grant(&admin, grant_to(&key, NOBODY, &["Decrypt"])).unwrap();
    assert_eq!(
        denied(fails(env.retire(&alice, by_id(&key, &g.grant_id)))),
        no_identity_allow(ALICE, "kms:RetireGrant", &key.arn),
        "an unrelated principal of the issuing account without the permission"
    );
    assert!(
        matches!(
            fails(env.retire(&env.caller(BOB_KEY), by_id(&key, &g.grant_id))),
            KmsError::AccessDenied { .. }
        ),
        "a principal of another account"
    );
    let dry = RetireGrantRequest { dry_run: true, ..by_id(&key, &g.grant_id) };
    assert!(matches!(fails(env.retire(&admin, dry)), KmsError::DryRunSucceeded));
    assert_eq!(env.grants(&key.key_id).len(), 1, "a dry run retires nothing");
    env.retire(&admin, by_id(&key, &g.grant_id)).unwrap();
    assert!(env.grants(&key.key_id).is_empty());

    // Neither a token nor a key and a grant id.
    let e = fails(env.retire(&admin, RetireGrantRequest::default()));
    assert!(matches!(e, KmsError::Validation { .. }), "{e:?}");
    let g = env.grant(&admin, grant_to(&key, NOBODY, &["Decrypt"])).unwrap();
    let other = env.key();
    assert!(
        matches!(
            fails(env.retire(&admin, by_id(&other, &g.grant_id))),
            KmsError::InvalidGrantId { .. }
        ),
        "a grant id with another key"
    );
}

#[test]
fn an_explicit_deny_in_the_key_policy_blocks_retiring() {
    let env = Env::new();
    let policy = format!(
        r#"{{"Version": "2012-10-17", "Statement": [
          {{"Effect": "Allow", "Principal": {{"AWS": "arn:aws:iam::{ACCOUNT}:root"}}, "Action": "kms:*", "Resource": "*"}},
          {{"Effect": "Deny", "Principal": {{"AWS": "{ALICE}"}}, "Action": "kms:RetireGrant", "Resource": "*"}}]}}"#
    );
    let key = env
        .kms
        .create_key(&env.admin(), CreateKeyRequest { policy: Some(policy), ..Default::default() })
        .unwrap();
    let mut req = grant_to(&key, NOBODY, &["Decrypt"]);
    req.retiring_principal = Some(ALICE.into());
    let g = env.grant(&env.admin(), req).unwrap();
    let message = denied(fails(env.retire(&env.caller(ALICE_KEY), by_id(&key, &g.grant_id))));
    assert!(message.ends_with("with an explicit deny in a resource-based policy"), "{message}");
}

#[test]
fn revoke_deletes_a_grant_by_the_keys_authority() {
    let env = Env::new();
    let key = env.key();
    let nobody = env.caller(NOBODY_KEY);
    let g = env.grant(&env.admin(), grant_to(&key, NOBODY, &["Decrypt", "RetireGrant"])).unwrap();
    assert_eq!(
        denied(fails(env.kms.revoke_grant(&nobody, &key.key_id, &g.grant_id, false))),
        no_identity_allow(NOBODY, "kms:RevokeGrant", &key.arn),
        "retiring rights are not revoking rights"
    );
    assert!(matches!(
        fails(env.kms.revoke_grant(&env.admin(), &key.key_id, &g.grant_id, true)),
        KmsError::DryRunSucceeded
    ));
    env.kms.revoke_grant(&env.admin(), &key.arn, &g.grant_id, false).unwrap();
    assert!(env.grants(&key.key_id).is_empty());
    let blob = env.encrypt(&key.key_id, &none());
    assert!(matches!(
        fails(env.decrypt(&nobody, &blob, &none(), &[])),
        KmsError::AccessDenied { .. }
    ));
    for id in [g.grant_id.as_str(), "not-a-grant-id"] {
        let e = fails(env.kms.revoke_grant(&env.admin(), &key.key_id, id, false));
        assert!(matches!(e, KmsError::InvalidGrantId { .. }), "{id}: {e:?}");
        assert_eq!(
            e.to_string(),
            "The request was rejected because the specified GrantId is not valid."
        );
    }
}

#[test]
fn a_grant_that_allows_create_grant_allows_only_narrower_grants() {
    let env = Env::new();
    let key = env.key();
    let nobody = env.caller(NOBODY_KEY);
    let mut parent = grant_to(&key, NOBODY, &["Decrypt", "Encrypt", "CreateGrant"]);
    parent.constraints =
        Some(GrantConstraints { equals: None, subset: Some(ec(&[("dept", "it")])) });
    env.grant(&env.admin(), parent).unwrap();

    let child = |ops: &[&str], c: Option<GrantConstraints>| {
        let mut req = grant_to(&key, DANA, ops);
        req.constraints = c;
        env.grant(&nobody, req)
    };
    let subset =
        |pairs: &[(&str, &str)]| Some(GrantConstraints { equals: None, subset: Some(ec(pairs)) });
    let equals =
        |pairs: &[(&str, &str)]| Some(GrantConstraints { equals: Some(ec(pairs)), subset: None });
    assert!(child(&["Decrypt"], subset(&[("dept", "it")])).is_ok(), "the same constraints");
    assert!(
        child(&["Decrypt", "Encrypt"], subset(&[("dept", "it"), ("team", "x")])).is_ok(),
        "more pairs"
    );
    assert!(
        child(&["Decrypt"], equals(&[("dept", "it"), ("team", "x")])).is_ok(),
        "subset to equals"
    );
    let refused = no_identity_allow(NOBODY, "kms:CreateGrant", &key.arn);
    assert_eq!(
        denied(fails(child(&["Decrypt", "GenerateDataKey"], subset(&[("dept", "it")])))),
        refused,
        "an operation the parent lacks"
    );
    assert_eq!(denied(fails(child(&["Decrypt"], None))), refused, "dropping the constraint");
    assert_eq!(
        denied(fails(child(&["Decrypt"], subset(&[("team", "x")])))),
        refused,
        "another constraint"
    );
    // The child grant works for its grantee within its constraints.
    let dana = env.caller(DANA_KEY);
    let context = ec(&[("dept", "it"), ("team", "x")]);
    let blob = env.encrypt(&key.key_id, &context);
    assert!(env.decrypt(&dana, &blob, &context, &[]).is_ok());
}

#[test]
fn a_grant_to_another_account_or_a_role_is_enough_on_its_own() {
    let env = Env::new();
    let key = env.key();
    let blob = env.encrypt(&key.key_id, &none());
    let dana = env.caller(DANA_KEY);
    let bob = env.caller(BOB_KEY);
    assert!(matches!(fails(env.decrypt(&bob, &blob, &none(), &[])), KmsError::AccessDenied { .. }));
    assert!(matches!(
        fails(env.decrypt(&dana, &blob, &none(), &[])),
        KmsError::AccessDenied { .. }
    ));
    env.grant(&env.admin(), grant_to(&key, BOB, &["Decrypt"])).unwrap();
    env.grant(&env.admin(), grant_to(&key, DANA, &["Decrypt"])).unwrap();
    assert_eq!(env.decrypt(&bob, &blob, &none(), &[]).unwrap(), b"secret");
    assert_eq!(env.decrypt(&dana, &blob, &none(), &[]).unwrap(), b"secret", "no IAM policy at all");
    // A grant for Decrypt is not one for ListGrants, and the key policy does not name Bob.
    let list = ListGrantsRequest { key_id: key.arn.clone(), ..Default::default() };
    assert!(matches!(fails(env.kms.list_grants(&bob, list)), KmsError::AccessDenied { .. }));

    let worker = env.caller(WORKER_KEY);
    assert!(matches!(
        fails(env.decrypt(&worker, &blob, &none(), &[])),
        KmsError::AccessDenied { .. }
    ));
    env.grant(&env.admin(), grant_to(&key, WORKER_ROLE, &["Decrypt"])).unwrap();
    assert!(
        env.decrypt(&worker, &blob, &none(), &[]).is_ok(),
        "a grant to the role serves its sessions"
    );
}

#[test]
fn an_explicit_deny_beats_a_grant() {
    let env = Env::new();
    let key = env.key();
    env.grant(&env.admin(), grant_to(&key, DENIED, &["Decrypt"])).unwrap();
    let blob = env.encrypt(&key.key_id, &none());
    let message = denied(fails(env.decrypt(&env.caller(DENIED_KEY), &blob, &none(), &[])));
    assert_eq!(
        message,
        format!(
            "User: {DENIED} is not authorized to perform: kms:Decrypt on resource: {} with an explicit deny in an identity-based policy",
            key.arn
        )
    );
}

#[test]
fn create_grant_checks_its_parameters_and_the_key() {
    let env = Env::new();
    let key = env.key();
    let admin = env.admin();
    let e = fails(env.grant(&admin, grant_to(&key, NOBODY, &["Decrypt", "Frobnicate"])));
    assert!(e.to_string().starts_with("1 validation error detected: Value '[Decrypt, Frobnicate]' at 'operations' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [Decrypt, Encrypt, GenerateDataKey,"), "{e}");
    assert!(matches!(
        fails(env.grant(&admin, grant_to(&key, NOBODY, &[]))),
        KmsError::Validation { .. }
    ));
    let e = fails(env.grant(&admin, grant_to(&key, NOBODY, &["Sign"])));
    assert_eq!(
        e.to_string(),
        "Grant operations [Sign] are not valid for a KMS key with KeyUsage ENCRYPT_DECRYPT and KeySpec SYMMETRIC_DEFAULT."
    );
    for bad in ["nobody", "arn:aws:iam::111122223333:group/g"] {
        let e = fails(env.grant(&admin, grant_to(&key, bad, &["Decrypt"])));
        assert_eq!(e.to_string(), format!("ARN does not refer to a valid principal: {bad}"));
    }
    let e = fails(
        env.grant(&admin, grant_to(&key, "arn:aws:iam::111122223333:user/ghost", &["Decrypt"])),
    );
    assert!(matches!(e, KmsError::InvalidArn { .. }), "a user the account does not have: {e:?}");
    assert!(
        env.grant(&admin, grant_to(&key, "arn:aws:iam::999988887777:user/anyone", &["Decrypt"]))
            .is_ok()
    );
    let mut bad_retiring = grant_to(&key, NOBODY, &["Decrypt"]);
    bad_retiring.retiring_principal = Some("x".into());
    assert!(matches!(fails(env.grant(&admin, bad_retiring)), KmsError::InvalidArn { .. }));

    let mut by_alias = grant_to(&key, NOBODY, &["Decrypt"]);
    env.kms.create_alias(&admin, "alias/grants", &key.key_id).unwrap();
    by_alias.key_id = "alias/grants".into();
    assert_eq!(fails(env.grant(&admin, by_alias)).to_string(), "Invalid keyId 'alias/grants'");
    let mut missing = grant_to(&key, NOBODY, &["Decrypt"]);
    missing.key_id = "1234abcd-12ab-34cd-56ef-1234567890ab".into();
    assert!(matches!(fails(env.grant(&admin, missing)), KmsError::NotFound { .. }));

    let mut dry = grant_to(&key, NOBODY, &["Decrypt"]);
    dry.dry_run = true;
    assert!(matches!(fails(env.grant(&admin, dry)), KmsError::DryRunSucceeded));
    assert_eq!(env.grants(&key.key_id).len(), 1, "only the grant to the other account");
    assert_eq!(
        denied(fails(env.grant(&env.caller(NOBODY_KEY), grant_to(&key, NOBODY, &["Decrypt"])))),
        no_identity_allow(NOBODY, "kms:CreateGrant", &key.arn)
    );

    env.kms.schedule_key_deletion(&admin, &key.key_id, Some(7)).unwrap();
    assert_eq!(
        fails(env.grant(&admin, grant_to(&key, NOBODY, &["Decrypt"]))).to_string(),
        format!("{} is pending deletion.", key.arn)
    );
    // Listing, retiring and revoking still work on a key pending deletion.
    let id = env.grants(&key.key_id).pop().unwrap();
    env.kms.revoke_grant(&admin, &key.key_id, &id, false).unwrap();
}

/// Puts a key of another usage straight into the store (its material is never used).
fn stored_key(env: &Env, n: u8, usage: &str, spec: &str) -> KeyRecord {
    let key_id = format!("{n:08x}-0000-4000-8000-000000000000");
    let key = KeyRecord {
        account: ACCOUNT.into(),
        region: REGION.into(),
        arn: format!("arn:aws:kms:{REGION}:{ACCOUNT}:key/{key_id}"),
        key_id: key_id.clone(),
        description: String::new(),
        key_usage: usage.into(),
        key_spec: spec.into(),
        origin: "AWS_KMS".into(),
        key_state: "Enabled".into(),
        creation_date: START,
        deletion_date: None,
        pending_window_days: None,
        policy: coffer_kms::ops::create_key::default_key_policy(ACCOUNT),
        rotation_enabled: false,
        rotation_period_days: None,
        next_rotation_date: None,
        current_version: 1,
        on_demand_rotations: 0,
        revision: 0,
    };
    let version = KeyVersion {
        key_id,
        version: 1,
        sealed_material: vec![0; 60],
        created: START,
        rotation_type: None,
    };
    env.store.create_key(&key, &version, &[]).unwrap()
}

#[test]
fn grant_operations_must_suit_the_key() {
    let env = Env::new();
    let admin = env.admin();
    let hmac = stored_key(&env, 1, "GENERATE_VERIFY_MAC", "HMAC_256");
    let signing = stored_key(&env, 2, "SIGN_VERIFY", "ECC_NIST_P256");
    let grant = |key: &KeyRecord, ops: &[&str], constrained: bool| {
        let req = CreateGrantRequest {
            key_id: key.arn.clone(),
            grantee_principal: NOBODY.into(),
            operations: ops.iter().map(|o| (*o).to_owned()).collect(),
            constraints: constrained
                .then(|| GrantConstraints { equals: Some(ec(&[("a", "b")])), subset: None }),
            ..Default::default()
        };
        env.grant(&admin, req)
    };
    assert!(grant(&hmac, &["GenerateMac", "VerifyMac", "DescribeKey"], false).is_ok());
    assert!(grant(&signing, &["Sign", "Verify", "GetPublicKey", "RetireGrant"], false).is_ok());
    assert_eq!(
        fails(grant(&hmac, &["GenerateMac", "Decrypt"], false)).to_string(),
        "Grant operations [Decrypt] are not valid for a KMS key with KeyUsage GENERATE_VERIFY_MAC and KeySpec HMAC_256."
    );
    assert_eq!(
        fails(grant(&signing, &["Sign"], true)).to_string(),
        "Grant constraints are supported only on symmetric encryption KMS keys."
    );
}

fn stored_grant(key: &KeyMetadata, n: u32, grantee: &str) -> GrantRecord {
    GrantRecord {
        grant_id: format!("{n:064x}"),
        account: ACCOUNT.into(),
        region: REGION.into(),
        key_id: key.key_id.clone(),
        name: None,
        creation_date: START,
        grantee_principal: grantee.into(),
        retiring_principal: None,
        issuing_account: format!("arn:aws:iam::{ACCOUNT}:root"),
        operations: vec!["DescribeKey".into()],
        encryption_context_equals: None,
        encryption_context_subset: None,
        sealed_token_secret: vec![0; 61],
    }
}

#[test]
fn grants_per_grantee_and_per_key_are_limited() {
    let env = Env::new();
    let key = env.key();
    let admin = env.admin();
    for n in 0..499 {
        env.store.create_grant(&stored_grant(&key, n, ALICE)).unwrap();
    }
    assert!(env.grant(&admin, grant_to(&key, ALICE, &["Decrypt"])).is_ok(), "the 500th");
    let e = fails(env.grant(&admin, grant_to(&key, ALICE, &["Decrypt"])));
    assert!(matches!(e, KmsError::LimitExceeded { .. }), "{e:?}");
    assert_eq!(
        e.to_string(),
        format!(
            "The number of grants on key {} for grantee principal {ALICE} has reached the limit of 500.",
            key.arn
        )
    );
    assert!(env.grant(&admin, grant_to(&key, NOBODY, &["Decrypt"])).is_ok(), "another grantee");

    let other = env.key();
    for n in 0..50_000u32 {
        let grantee = format!("arn:aws:iam::{OTHER_ACCOUNT}:user/u{}", n / 400);
        env.store.create_grant(&stored_grant(&other, 1_000 + n, &grantee)).unwrap();
    }
    let e = fails(env.grant(&admin, grant_to(&other, NOBODY, &["Decrypt"])));
    assert_eq!(
        e.to_string(),
        format!("The number of grants on key {} has reached the limit of 50000.", other.arn)
    );
}

#[test]
fn list_retirable_grants_spans_keys_and_stays_in_the_callers_account() {
    let env = Env::new();
    let admin = env.admin();
    let k1 = env.key();
    let k2 = env.key();
    let bobs = env.kms.create_key(&env.caller(BOB_KEY), CreateKeyRequest::default()).unwrap();
    let retirable_by_alice = |by: &Caller, key: &KeyMetadata| {
        let mut req = grant_to(key, NOBODY, &["Decrypt"]);
        req.key_id = key.arn.clone();
        req.retiring_principal = Some(ALICE.into());
        env.grant(by, req).unwrap().grant_id
    };
    let mut expected = vec![
        retirable_by_alice(&admin, &k1),
        retirable_by_alice(&admin, &k2),
        retirable_by_alice(&env.caller(BOB_KEY), &bobs),
    ];
    env.grant(&admin, grant_to(&k1, ALICE, &["Decrypt"])).unwrap();
    expected.sort();
    let all = env.kms.list_retirable_grants(&admin, ALICE, None, None).unwrap();
    assert_eq!(all.grants.iter().map(|g| g.grant_id.clone()).collect::<Vec<_>>(), expected);
    let theirs = all.grants.iter().find(|g| g.key_arn == bobs.arn).unwrap();
    assert_eq!(theirs.issuing_account, format!("arn:aws:iam::{OTHER_ACCOUNT}:root"));
    let first = env.kms.list_retirable_grants(&admin, ALICE, Some(2), None).unwrap();
    assert_eq!(first.grants.len(), 2);
    let rest = env
        .kms
        .list_retirable_grants(&admin, ALICE, Some(2), first.next_marker.as_deref())
        .unwrap();
    assert_eq!(rest.grants.len(), 1);
    assert!(rest.next_marker.is_none());

    assert_eq!(
        denied(fails(env.kms.list_retirable_grants(&env.caller(NOBODY_KEY), ALICE, None, None))),
        no_identity_allow(NOBODY, "kms:ListRetirableGrants", ALICE)
    );
    assert_eq!(
        denied(fails(env.kms.list_retirable_grants(&admin, BOB, None, None))),
        format!(
            "User: {ADMIN} is not authorized to perform: kms:ListRetirableGrants on resource: {BOB} because the kms:ListRetirableGrants action cannot be performed on a resource in another account"
        )
    );
    // The retiring principal of another account's key retires it by its ARN.
    let theirs_id = theirs.grant_id.clone();
    let req = RetireGrantRequest {
        key_id: Some(bobs.arn.clone()),
        grant_id: Some(theirs_id),
        ..Default::default()
    };
    env.retire(&env.caller(ALICE_KEY), req).unwrap();
}

#[test]
fn get_public_key_takes_grant_tokens() {
    let env = Env::new();
    let key = env
        .kms
        .create_key(
            &env.admin(),
            CreateKeyRequest {
                key_spec: Some("ECC_NIST_P256".into()),
                key_usage: Some("SIGN_VERIFY".into()),
                ..Default::default()
            },
        )
        .unwrap();
    let nobody = env.caller(NOBODY_KEY);
    let get = |who: &Caller, tokens: &[String]| {
        env.kms.get_public_key_with_grant_tokens(who, &key.key_id, tokens)
    };
    assert_eq!(
        denied(fails(get(&nobody, &[]))),
        no_identity_allow(NOBODY, "kms:GetPublicKey", &key.arn)
    );
    let g = env.grant(&env.admin(), grant_to(&key, NOBODY, &["GetPublicKey"])).unwrap();
    let public = get(&nobody, std::slice::from_ref(&g.grant_token)).unwrap();
    assert_eq!(
        public.public_key,
        env.kms.get_public_key(&env.admin(), &key.key_id).unwrap().public_key
    );
    let e = fails(get(&env.admin(), &["not a token".to_owned()]));
    assert!(matches!(e, KmsError::InvalidGrantToken { .. }), "{e:?}");
    // The grant allows nothing else.
    let e = fails(env.kms.describe_key_with_grant_tokens(&nobody, &key.key_id, &[g.grant_token]));
    assert!(matches!(e, KmsError::AccessDenied { .. }), "{e:?}");
}
