use std::sync::Arc;

use coffer_crypto::{RootKey, Secret, SystemRandom};
use coffer_store::SqliteStore;

use super::assume_role::{AssumeRoleRequest, AssumeRoleResponse};
use super::*;
use crate::audit::MemoryAudit;
use crate::clock::ManualClock;
use crate::iam::Identities;
use crate::ops::create_key::CreateKeyRequest;
use crate::ops::encrypt::EncryptRequest;
use crate::{Kms, KmsError};

const START: i64 = 1_800_000_000_000;
const ROLE: &str = "arn:aws:iam::111122223333:role/app";
const ALICE: &str = "AKIAALICEALICE000001";
const BOB: &str = "AKIABOBBOBBOBB000001";
const CAROL: &str = "AKIACAROLCAROL000001";
const ROOT: &str = "AKIAROOTROOTROOT0001";

/// `alice` may assume `app` through her group (the trust policy names the account);
/// `bob` has no policy but the trust policy of `named` names him; `carol` has neither.
const IDENTITIES: &str = r#"{
  "accounts": [{"id": "111122223333"}],
  "groups": [{"account": "111122223333", "name": "devs", "policies": [
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"], "Resource": "arn:aws:iam::111122223333:role/*"}]}]}],
  "principals": [
    {"account": "111122223333", "type": "root", "access_keys": [{"id": "AKIAROOTROOTROOT0001", "secret": "root-secret-0123456789"}]},
    {"account": "111122223333", "type": "user", "name": "alice", "groups": ["devs"],
     "access_keys": [{"id": "AKIAALICEALICE000001", "secret": "alice-secret-0123456789"}]},
    {"account": "111122223333", "type": "user", "name": "bob",
     "access_keys": [{"id": "AKIABOBBOBBOBB000001", "secret": "bob-secret-0123456789"}]},
    {"account": "111122223333", "type": "user", "name": "carol",
     "access_keys": [{"id": "AKIACAROLCAROL000001", "secret": "carol-secret-0123456789"}]},
    {"account": "111122223333", "type": "role", "name": "app", "max_session_duration": 7200,
     "tags": {"dept": "eng"},
     "trust_policy": {"Version": "2012-10-17", "Statement": [
       {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"]}]},
     "policies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["kms:*", "sts:AssumeRole"], "Resource": "*"}]}]},
    {"account": "111122223333", "type": "role", "name": "bounded",
     "boundary": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:DescribeKey", "Resource": "*"}]},
     "trust_policy": {"Version": "2012-10-17", "Statement": [
       {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "sts:AssumeRole"}]},
     "policies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}]},
    {"account": "111122223333", "type": "role", "name": "named",
     "trust_policy": {"Version": "2012-10-17", "Statement": [
       {"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::111122223333:user/bob", "arn:aws:iam::111122223333:role/app"]}, "Action": "sts:AssumeRole",
        "Condition": {"StringEqualsIfExists": {"sts:ExternalId": "ext-12345"}}}]}}
  ]
}"#;

struct Env {
    kms: Kms,
    clock: Arc<ManualClock>,
}

fn env() -> Env {
    let clock = Arc::new(ManualClock::new(START));
    let kms = Kms::new(
        Arc::new(SqliteStore::open_in_memory().unwrap()),
        RootKey::from_secret(Secret::new(vec![7; 32])).unwrap(),
        Arc::new(SystemRandom),
        clock.clone(),
        Identities::parse(IDENTITIES, false).unwrap(),
        Arc::new(MemoryAudit::default()),
    );
    Env { kms, clock }
}

impl Env {
    fn caller(&self, access_key: &str) -> Caller {
        let c = self.kms.credential(access_key).unwrap();
        self.kms.authenticate(&c, None, "us-east-1", None, true, None).unwrap()
    }

    fn session(&self, r: &AssumeRoleResponse) -> Caller {
        let c = self.kms.credential(&r.access_key_id).unwrap();
        let token = String::from_utf8(r.session_token.expose().to_vec()).unwrap();
        self.kms.authenticate(&c, Some(&token), "us-east-1", None, true, None).unwrap()
    }

    fn assume(&self, who: &Caller, req: AssumeRoleRequest) -> Result<AssumeRoleResponse, StsError> {
        self.kms.assume_role(who, req)
    }
}

fn req(role: &str, name: &str) -> AssumeRoleRequest {
    AssumeRoleRequest {
        role_arn: role.into(),
        role_session_name: name.into(),
        ..AssumeRoleRequest::default()
    }
}

fn denied_message(e: StsError) -> String {
    match e {
        StsError::AccessDenied { message, .. } => message,
        other => panic!("not AccessDenied: {other:?}"),
    }
}

fn validation_message(e: StsError) -> String {
    match e {
        StsError::Validation { message } => message,
        other => panic!("not ValidationError: {other:?}"),
    }
}

#[test]
fn a_group_policy_and_a_trust_policy_naming_the_account_allow() {
    let e = env();
    let r = e.assume(&e.caller(ALICE), req(ROLE, "s1")).unwrap();
    assert!(r.access_key_id.starts_with("ASIA") && r.access_key_id.len() == 20);
    assert!(r.access_key_id[4..].bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()));
    assert_eq!(r.arn, "arn:aws:sts::111122223333:assumed-role/app/s1");
    assert!(r.assumed_role_id.starts_with("AROA") && r.assumed_role_id.ends_with(":s1"));
    assert_eq!(r.expiration_millis, START + 3_600_000);
    assert_eq!(r.packed_policy_size, None);
    // The debug form never shows the secrets.
    let shown = format!("{r:?}");
    assert!(!shown.contains(std::str::from_utf8(r.session_token.expose()).unwrap()));
}

#[test]
fn the_identity_policy_must_allow_when_the_trust_policy_names_the_account() {
    let e = env();
    let m = denied_message(e.assume(&e.caller(CAROL), req(ROLE, "s1")).unwrap_err());
    assert_eq!(
        m,
        "User: arn:aws:iam::111122223333:user/carol is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::111122223333:role/app"
    );
}

#[test]
fn a_trust_policy_naming_the_user_needs_no_identity_policy() {
    let e = env();
    let named = "arn:aws:iam::111122223333:role/named";
    assert!(e.assume(&e.caller(BOB), req(named, "s1")).is_ok());
    // Alice's group allows, but the trust policy does not name her.
    let m = denied_message(e.assume(&e.caller(ALICE), req(named, "s1")).unwrap_err());
    assert!(m.starts_with("User: arn:aws:iam::111122223333:user/alice is not authorized"), "{m}");
    // An external id the trust policy does not expect.
    let wrong = AssumeRoleRequest { external_id: Some("other-id".into()), ..req(named, "s1") };
    assert!(matches!(e.assume(&e.caller(BOB), wrong), Err(StsError::AccessDenied { .. })));
    let right = AssumeRoleRequest { external_id: Some("ext-12345".into()), ..req(named, "s1") };
    assert!(e.assume(&e.caller(BOB), right).is_ok());
    // An unknown role is denied the same way, never reported missing.
    let m = denied_message(
        e.assume(&e.caller(BOB), req("arn:aws:iam::111122223333:role/nope", "s1")).unwrap_err(),
    );
    assert!(m.ends_with("on resource: arn:aws:iam::111122223333:role/nope"), "{m}");
}

#[test]
fn parameters_are_checked_with_sts_messages() {
    let e = env();
    let alice = e.caller(ALICE);
    let m = validation_message(e.assume(&alice, req(ROLE, "a")).unwrap_err());
    assert_eq!(
        m,
        "1 validation error detected: Value 'a' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2"
    );
    let m = validation_message(e.assume(&alice, req(ROLE, "bad name")).unwrap_err());
    assert!(m.ends_with(r"Member must satisfy regular expression pattern: [\w+=,.@-]*"), "{m}");
    let short = AssumeRoleRequest { duration_seconds: Some(899), ..req(ROLE, "s1") };
    let m = validation_message(e.assume(&alice, short).unwrap_err());
    assert!(m.ends_with("Member must have value greater than or equal to 900"), "{m}");
    let long = AssumeRoleRequest { duration_seconds: Some(7201), ..req(ROLE, "s1") };
    assert_eq!(
        validation_message(e.assume(&alice, long).unwrap_err()),
        "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
    );
    let max = AssumeRoleRequest { duration_seconds: Some(7200), ..req(ROLE, "s1") };
    assert_eq!(e.assume(&alice, max).unwrap().expiration_millis, START + 7_200_000);
    let arns = AssumeRoleRequest {
        policy_arns: vec!["arn:aws:iam::aws:policy/ReadOnlyAccess".into()],
        ..req(ROLE, "s1")
    };
    assert!(validation_message(e.assume(&alice, arns).unwrap_err()).contains("PolicyArns"));
    let bad_policy = AssumeRoleRequest { policy: Some("{nope".into()), ..req(ROLE, "s1") };
    assert!(matches!(e.assume(&alice, bad_policy), Err(StsError::MalformedPolicy { .. })));
    let dup = AssumeRoleRequest {
        tags: vec![("Team".into(), "a".into()), ("team".into(), "b".into())],
        ..req(ROLE, "s1")
    };
    assert!(
        validation_message(e.assume(&alice, dup).unwrap_err()).starts_with("Duplicate tag keys")
    );
}

#[test]
fn role_chaining_is_limited_to_an_hour() {
    let e = env();
    let r = e.assume(&e.caller(ALICE), req(ROLE, "s1")).unwrap();
    let session = e.session(&r);
    let named = "arn:aws:iam::111122223333:role/named";
    let long = AssumeRoleRequest { duration_seconds: Some(3601), ..req(named, "s2") };
    assert_eq!(
        validation_message(e.assume(&session, long).unwrap_err()),
        "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."
    );
    let chained = e.assume(&session, req(named, "s2")).unwrap();
    assert_eq!(chained.arn, "arn:aws:sts::111122223333:assumed-role/named/s2");
}

#[test]
fn tokens_are_checked_and_expire() {
    let e = env();
    let r = e.assume(&e.caller(ALICE), req(ROLE, "s1")).unwrap();
    let c = e.kms.credential(&r.access_key_id).unwrap();
    assert_eq!(c.secret().expose(), r.secret_access_key.expose());
    let auth = |token: Option<&str>| e.kms.authenticate(&c, token, "us-east-1", None, false, None);
    assert_eq!(auth(None).unwrap_err(), CredentialError::InvalidToken);
    assert_eq!(auth(Some("wrong")).unwrap_err(), CredentialError::InvalidToken);
    let token = String::from_utf8(r.session_token.expose().to_vec()).unwrap();
    let caller = auth(Some(&token)).unwrap();
    assert_eq!(caller.arn, "arn:aws:sts::111122223333:assumed-role/app/s1");
    assert_eq!(caller.account, "111122223333");
    e.clock.advance_millis(3_600_000 - 1);
    assert!(auth(Some(&token)).is_ok());
    e.clock.advance_millis(1);
    assert_eq!(auth(Some(&token)).unwrap_err(), CredentialError::ExpiredToken);
    assert_eq!(auth(Some("wrong")).unwrap_err(), CredentialError::InvalidToken);
    // A long-term key takes no session token.
    let long_term = e.kms.credential(ALICE).unwrap();
    assert_eq!(
        e.kms.authenticate(&long_term, Some(&token), "us-east-1", None, false, None).unwrap_err(),
        CredentialError::InvalidToken
    );
    assert!(e.kms.credential("ASIAUNKNOWNUNKNOWN00").is_none());
}

#[test]
fn caller_identities() {
    let e = env();
    let root = e.kms.get_caller_identity(&e.caller(ROOT));
    assert_eq!(
        (root.arn.as_str(), root.user_id.as_str()),
        ("arn:aws:iam::111122223333:root", "111122223333")
    );
    let alice = e.kms.get_caller_identity(&e.caller(ALICE));
    assert_eq!(alice.arn, "arn:aws:iam::111122223333:user/alice");
    assert!(alice.user_id.starts_with("AIDA") && alice.user_id.len() == 21);
    let r = e.assume(&e.caller(ALICE), req(ROLE, "s1")).unwrap();
    let s = e.kms.get_caller_identity(&e.session(&r));
    assert_eq!(s.arn, r.arn);
    assert_eq!(s.user_id, r.assumed_role_id);
    assert_eq!(s.account, "111122223333");
}

fn key_for_role(e: &Env, condition: serde_json::Value) -> String {
    let policy = serde_json::json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": ["kms:PutKeyPolicy", "kms:DescribeKey"], "Resource": "*"},
        {"Effect": "Allow", "Principal": {"AWS": ROLE}, "Action": "kms:Encrypt", "Resource": "*", "Condition": condition}]});
    let root = e.caller(ROOT);
    let req = CreateKeyRequest { policy: Some(policy.to_string()), ..CreateKeyRequest::default() };
    e.kms.create_key(&root, req).unwrap().arn
}

fn encrypt(e: &Env, who: &Caller, key: &str) -> Result<(), KmsError> {
    let req = EncryptRequest {
        key_id: key.into(),
        plaintext: Secret::new(b"x".to_vec()),
        ..EncryptRequest::default()
    };
    e.kms.encrypt(who, req).map(|_| ())
}

#[test]
fn session_keys_reach_key_policy_conditions() {
    let e = env();
    let key = key_for_role(
        &e,
        serde_json::json!({"StringEquals": {"aws:PrincipalTag/project": "apollo", "aws:PrincipalTag/dept": "eng",
                                           "aws:SourceIdentity": "jane", "aws:PrincipalType": "AssumedRole",
                                           "aws:PrincipalArn": ROLE},
                           "Bool": {"aws:MultiFactorAuthPresent": "false"},
                           "StringLike": {"aws:userid": "AROA*:tagged"}}),
    );
    let tagged = AssumeRoleRequest {
        tags: vec![("project".into(), "apollo".into())],
        source_identity: Some("jane".into()),
        ..req(ROLE, "tagged")
    };
    let r = e.assume(&e.caller(ALICE), tagged).unwrap();
    assert!(r.packed_policy_size.is_some());
    encrypt(&e, &e.session(&r), &key).unwrap();
    let plain = e.assume(&e.caller(ALICE), req(ROLE, "tagged")).unwrap();
    match encrypt(&e, &e.session(&plain), &key) {
        Err(KmsError::AccessDenied { message, .. }) => assert!(
            message.starts_with("User: arn:aws:sts::111122223333:assumed-role/app/tagged is not authorized to perform: kms:Encrypt"),
            "{message}"
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_session_policy_narrows_the_session() {
    let e = env();
    let key = key_for_role(&e, serde_json::json!({}));
    let narrow = AssumeRoleRequest {
        policy: Some(r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:DescribeKey", "Resource": "*"}]}"#.into()),
        ..req(ROLE, "narrow")
    };
    let r = e.assume(&e.caller(ALICE), narrow).unwrap();
    match encrypt(&e, &e.session(&r), &key) {
        Err(KmsError::AccessDenied { message, .. }) => assert_eq!(
            message,
            format!(
                "User: arn:aws:sts::111122223333:assumed-role/app/narrow is not authorized to perform: kms:Encrypt on resource: {key} because no session policy allows the kms:Encrypt action"
            )
        ),
        other => panic!("{other:?}"),
    }
    let wide = e.assume(&e.caller(ALICE), req(ROLE, "wide")).unwrap();
    encrypt(&e, &e.session(&wide), &key).unwrap();
}

#[test]
fn transitive_tags_pass_to_chained_sessions() {
    let e = env();
    let first = AssumeRoleRequest {
        tags: vec![("project".into(), "apollo".into()), ("cost".into(), "1".into())],
        transitive_tag_keys: vec!["project".into()],
        ..req(ROLE, "first")
    };
    let r = e.assume(&e.caller(ALICE), first).unwrap();
    let s1 = e.session(&r);
    let r2 = e.assume(&s1, req(ROLE, "second")).unwrap();
    let s2 = e.session(&r2);
    let tags = &s2.session().unwrap().tags;
    assert_eq!(tags.get("project").map(String::as_str), Some("apollo"));
    assert!(!tags.contains_key("cost"));
    // An inherited transitive tag cannot be replaced.
    let replace =
        AssumeRoleRequest { tags: vec![("Project".into(), "x".into())], ..req(ROLE, "third") };
    assert!(matches!(e.assume(&s1, replace), Err(StsError::Validation { .. })));
    let stray = AssumeRoleRequest { transitive_tag_keys: vec!["nope".into()], ..req(ROLE, "s") };
    assert!(matches!(e.assume(&e.caller(ALICE), stray), Err(StsError::Validation { .. })));
}

#[test]
fn a_roles_boundary_bounds_its_sessions() {
    let e = env();
    let root = e.caller(ROOT);
    let key = e.kms.create_key(&root, CreateKeyRequest::default()).unwrap().arn;
    let r =
        e.assume(&e.caller(ALICE), req("arn:aws:iam::111122223333:role/bounded", "bs")).unwrap();
    match encrypt(&e, &e.session(&r), &key) {
        Err(KmsError::AccessDenied { message, .. }) => assert!(
            message.ends_with("because no permissions boundary allows the kms:Encrypt action"),
            "{message}"
        ),
        other => panic!("{other:?}"),
    }
}
