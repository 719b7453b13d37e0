//! The keys a request's context leaves out are keys no policy of its set can read: each
//! source's keys are listed under it, a policy needs what its conditions and policy
//! variables name, and a decision on a key present or absent is the one made with every
//! key (the simulation's). Test builds of the authorizer also decide every request again
//! with every key and fail on a difference, so every test of this crate checks it too.

use std::sync::Arc;

use coffer_crypto::{RootKey, Secret, SystemRandom};
use coffer_policy::request::Request;
use coffer_policy::{Context, Dialect, Policy};
use coffer_store::{SqliteStore, Tag};
use serde_json::json;

use super::*;
use crate::audit::MemoryAudit;
use crate::authz::capture::during;
use crate::caller::Caller;
use crate::clock::ManualClock;
use crate::iam::Identities;
use crate::ops::create_key::CreateKeyRequest;
use crate::ops::encrypt::EncryptRequest;
use crate::simulate::SimulateRequest;
use crate::sts::assume_role::AssumeRoleRequest;
use crate::{Kms, KmsError};

const ACCOUNT: &str = "111122223333";
const REGION: &str = "us-east-1";
/// 2023-11-14T22:13:20Z.
const NOW: i64 = 1_700_000_000_000;
const ROOT: &str = "AKIAROOTROOTROOT0001";
const TESTER: &str = "AKIATESTERTESTER0001";
const TESTER_ARN: &str = "arn:aws:iam::111122223333:user/tester";
const ROLE_ARN: &str = "arn:aws:iam::111122223333:role/app";

/// An account in an organization: its root, `tester` (tagged `team=blue`) whose identity
/// policy has `statements`, and a role `app` the account may assume, allowed `kms:*`.
fn identities(statements: &serde_json::Value) -> Identities {
    let file = json!({
        "accounts": [{"id": ACCOUNT, "org_path": ["o-a1b2c3d4e5", "r-ab12"]}],
        "principals": [
            {"account": ACCOUNT, "type": "root",
             "access_keys": [{"id": ROOT, "secret": "root-secret-0123456789"}]},
            {"account": ACCOUNT, "type": "user", "name": "tester", "tags": {"team": "blue"},
             "access_keys": [{"id": TESTER, "secret": "tester-secret-0123456789"}],
             "policies": [{"Version": "2012-10-17", "Statement": statements}]},
            {"account": ACCOUNT, "type": "role", "name": "app", "tags": {"team": "red"},
             "trust_policy": {"Version": "2012-10-17", "Statement": [
                 {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                  "Action": ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"]}]},
             "policies": [{"Version": "2012-10-17", "Statement": [
                 {"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}]}
        ]
    });
    Identities::parse(&file.to_string(), false).unwrap()
}

fn service(statements: &serde_json::Value) -> Kms {
    Kms::new(
        Arc::new(SqliteStore::open_in_memory().unwrap()),
        RootKey::from_secret(Secret::new(vec![7; 32])).unwrap(),
        Arc::new(SystemRandom),
        Arc::new(ManualClock::new(NOW)),
        identities(statements),
        Arc::new(MemoryAudit::default()),
    )
}

fn caller(kms: &Kms, access_key: &str, ip: Option<&str>, secure: bool) -> Caller {
    kms.caller(access_key, REGION, ip.map(str::to_owned), secure, None).unwrap()
}

/// A key made by the root user with the default key policy (which leaves the decision to
/// the account's identity policies), `tags` and `alias`; its id.
fn key(kms: &Kms, tags: &[(&str, &str)], alias: Option<&str>) -> String {
    let root = caller(kms, ROOT, None, true);
    let tags = tags.iter().map(|(k, v)| Tag { key: (*k).into(), value: (*v).into() }).collect();
    let key = kms.create_key(&root, CreateKeyRequest { tags, ..CreateKeyRequest::default() });
    let key_id = key.unwrap().key_id;
    if let Some(alias) = alias {
        kms.create_alias(&root, alias, &key_id).unwrap();
    }
    key_id
}

/// Whether `c` may encrypt under `key_id`.
fn encrypts(kms: &Kms, c: &Caller, key_id: &str) -> bool {
    let req = EncryptRequest {
        key_id: key_id.into(),
        plaintext: Secret::new(b"x".to_vec()),
        ..EncryptRequest::default()
    };
    match kms.encrypt(c, req) {
        Ok(_) => true,
        Err(KmsError::AccessDenied { .. }) => false,
        Err(other) => panic!("{other:?}"),
    }
}

/// One request of a case: where it comes from, the key's tags and alias, and whether
/// `tester` may encrypt.
struct Check {
    ip: Option<&'static str>,
    secure: bool,
    tags: &'static [(&'static str, &'static str)],
    alias: Option<&'static str>,
    allowed: bool,
}

const PLAIN: Check = Check { ip: None, secure: true, tags: &[], alias: None, allowed: true };

/// Decides each check of `statements` as the service does and as a simulation does (with
/// every key), and both as expected.
fn decide_both_ways(name: &str, statements: &serde_json::Value, checks: &[Check]) {
    for (i, check) in checks.iter().enumerate() {
        let kms = service(statements);
        let key_id = key(&kms, check.tags, check.alias);
        let tester = caller(&kms, TESTER, check.ip, check.secure);
        let (allowed, captured) = during(|| encrypts(&kms, &tester, &key_id));
        assert_eq!(allowed, check.allowed, "{name}, check {i}: the service decided");
        let encrypt = captured.iter().find(|c| c.action == "kms:Encrypt").unwrap();
        // What was decided on is what a simulation sees, less keys no policy reads.
        for key in encrypt.decided.keys() {
            assert_eq!(encrypt.decided.get(key), encrypt.context.get(key), "{name}: `{key}`");
        }
        let asker = caller(&kms, ROOT, check.ip, check.secure);
        let simulated = kms
            .simulate(
                &asker,
                SimulateRequest {
                    principal_arn: TESTER_ARN.into(),
                    action: "kms:Encrypt".into(),
                    key_id: Some(key_id.clone()),
                    ..SimulateRequest::default()
                },
            )
            .unwrap();
        assert_eq!(simulated.decision.is_allowed(), check.allowed, "{name}, check {i}: simulated");
        assert!(simulated.context.contains("aws:currenttime"), "a simulation sees every key");
        assert!(simulated.context.contains("kms:resourcealiases"), "a simulation sees every key");
    }
}

fn allow_all() -> serde_json::Value {
    json!([{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}])
}

fn allow_if(condition: serde_json::Value) -> serde_json::Value {
    json!([{"Effect": "Allow", "Action": "kms:*", "Resource": "*", "Condition": condition}])
}

#[test]
fn decisions_on_request_keys_present_and_absent_are_unchanged() {
    decide_both_ways(
        "Bool",
        &allow_if(json!({"Bool": {"aws:SecureTransport": "true"}})),
        &[PLAIN, Check { secure: false, allowed: false, ..PLAIN }],
    );
    decide_both_ways(
        "IfExists",
        &allow_if(json!({"IpAddressIfExists": {"aws:SourceIp": "192.0.2.0/24"}})),
        &[
            PLAIN,
            Check { ip: Some("192.0.2.10"), ..PLAIN },
            Check { ip: Some("198.51.100.1"), allowed: false, ..PLAIN },
        ],
    );
    decide_both_ways(
        "Null",
        &allow_if(json!({"Null": {"aws:SourceIp": "true"}})),
        &[PLAIN, Check { ip: Some("192.0.2.10"), allowed: false, ..PLAIN }],
    );
    decide_both_ways(
        "a negated operator on a missing key",
        &allow_if(json!({"NotIpAddress": {"aws:SourceIp": "192.0.2.0/24"}})),
        &[
            PLAIN,
            Check { ip: Some("192.0.2.10"), allowed: false, ..PLAIN },
            Check { ip: Some("198.51.100.1"), ..PLAIN },
        ],
    );
    decide_both_ways(
        "dates and numbers",
        &allow_if(json!({
            "DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"},
            "NumericGreaterThan": {"aws:EpochTime": "1600000000"}})),
        &[PLAIN],
    );
    decide_both_ways(
        "a date in the past",
        &allow_if(json!({"DateLessThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}})),
        &[Check { allowed: false, ..PLAIN }],
    );
}

#[test]
fn decisions_on_the_keys_of_the_key_are_unchanged() {
    decide_both_ways(
        "ForAllValues",
        &allow_if(json!({"ForAllValues:StringEquals": {"kms:ResourceAliases": ["alias/ok"]}})),
        &[
            Check { alias: Some("alias/ok"), ..PLAIN },
            Check { alias: Some("alias/other"), allowed: false, ..PLAIN },
            // No alias: no value, and every one of none is listed.
            PLAIN,
        ],
    );
    decide_both_ways(
        "ForAnyValue",
        &allow_if(json!({"ForAnyValue:StringEquals": {"kms:ResourceAliases": "alias/ok"}})),
        &[Check { alias: Some("alias/ok"), ..PLAIN }, Check { allowed: false, ..PLAIN }],
    );
    decide_both_ways(
        "a deny on a missing tag",
        &json!([
            allow_all()[0],
            {"Effect": "Deny", "Action": "kms:Encrypt", "Resource": "*",
             "Condition": {"Null": {"aws:ResourceTag/Project": "true"}}}]),
        &[Check { tags: &[("Project", "x")], ..PLAIN }, Check { allowed: false, ..PLAIN }],
    );
}

#[test]
fn decisions_on_the_keys_of_the_caller_are_unchanged() {
    decide_both_ways(
        "derived and organization keys",
        &allow_if(json!({"StringEquals": {
            "aws:username": "tester",
            "aws:PrincipalArn": TESTER_ARN,
            "aws:PrincipalAccount": ACCOUNT,
            "aws:PrincipalType": "User",
            "kms:CallerAccount": ACCOUNT,
            "aws:PrincipalOrgID": "o-a1b2c3d4e5",
            "aws:ResourceAccount": ACCOUNT,
            "aws:RequestedRegion": REGION}})),
        &[PLAIN],
    );
    decide_both_ways(
        "ForAllValues on the organization's paths",
        &allow_if(json!({"ForAllValues:StringLike": {"aws:PrincipalOrgPaths": "o-a1b2c3d4e5/*"}})),
        &[PLAIN],
    );
    decide_both_ways(
        "IfExists on a present key",
        &allow_if(json!({"StringEqualsIfExists": {"aws:username": "nobody"}})),
        &[Check { allowed: false, ..PLAIN }],
    );
    decide_both_ways(
        "a deny naming someone else",
        &json!([
            allow_all()[0],
            {"Effect": "Deny", "Action": "kms:*", "Resource": "*",
             "Condition": {"StringNotEquals": {"aws:username": "someone"}}}]),
        &[Check { allowed: false, ..PLAIN }],
    );
}

#[test]
fn decisions_on_policy_variables_are_unchanged() {
    decide_both_ways(
        "a variable in a condition's value",
        &allow_if(json!({"StringEquals": {"aws:ResourceTag/Project": "${aws:PrincipalTag/team}"}})),
        &[
            Check { tags: &[("Project", "blue")], ..PLAIN },
            Check { tags: &[("Project", "red")], allowed: false, ..PLAIN },
            Check { allowed: false, ..PLAIN },
        ],
    );
    decide_both_ways(
        "a variable with a default",
        &allow_if(
            json!({"StringEquals": {"aws:ResourceTag/Project": "${aws:PrincipalTag/x, 'green'}"}}),
        ),
        &[
            Check { tags: &[("Project", "green")], ..PLAIN },
            Check { tags: &[("Project", "blue")], allowed: false, ..PLAIN },
        ],
    );
    decide_both_ways(
        "a variable in a resource",
        &json!([{"Effect": "Allow", "Action": "kms:*",
                 "Resource": "arn:aws:kms:${aws:RequestedRegion}:111122223333:key/*"}]),
        &[PLAIN],
    );
    decide_both_ways(
        "a variable in an ARN",
        &allow_if(
            json!({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111122223333:user/${aws:username}"}}),
        ),
        &[PLAIN],
    );
}

#[test]
fn decisions_on_keys_with_wildcards_or_variables_in_their_names_are_unchanged() {
    decide_both_ways(
        "a wildcard in a key",
        &allow_if(json!({"StringLike": {"kms:EncryptionContext:*": "*"}})),
        &[Check { allowed: false, ..PLAIN }],
    );
    decide_both_ways(
        "a variable in a key",
        &allow_if(json!({"StringEquals": {"aws:ResourceTag/${aws:PrincipalTag/team}": "x"}})),
        &[Check { tags: &[("blue", "x")], allowed: false, ..PLAIN }],
    );
    assert_eq!(Needed::of_key("kms:encryptioncontext:*"), Needed::ALL);
    assert_eq!(Needed::of_key("aws:resourcetag/${aws:principaltag/team}"), Needed::ALL);
}

#[test]
fn without_conditions_the_context_holds_only_the_operations_keys() {
    let kms = service(&allow_all());
    let key_id = key(&kms, &[("Project", "x")], Some("alias/a"));
    let tester = caller(&kms, TESTER, Some("192.0.2.10"), true);
    let (allowed, captured) = during(|| encrypts(&kms, &tester, &key_id));
    assert!(allowed);
    let encrypt = captured.iter().find(|c| c.action == "kms:Encrypt").unwrap();
    assert_eq!(encrypt.decided.keys().collect::<Vec<_>>(), ["kms:encryptionalgorithm"]);
    for key in ["aws:currenttime", "aws:principalarn", "aws:principaltag/team", "kms:keyspec"] {
        assert!(encrypt.context.contains(key), "`{key}` is built for a simulation");
    }
}

#[test]
fn sessions_with_policies_of_their_own_have_sets_of_their_own() {
    let kms = service(&allow_all());
    let key_id = key(&kms, &[], None);
    let root = caller(&kms, ROOT, None, true);
    let session = |name: &str, action: &str| {
        let policy = json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": action, "Resource": "*",
             "Condition": {"StringEquals": {"aws:PrincipalTag/team": "red"}}}]});
        let req = AssumeRoleRequest {
            role_arn: ROLE_ARN.into(),
            role_session_name: name.into(),
            policy: Some(policy.to_string()),
            ..AssumeRoleRequest::default()
        };
        let r = kms.assume_role(&root, req).unwrap();
        let credential = kms.credential(&r.access_key_id).unwrap();
        let token = String::from_utf8(r.session_token.expose().to_vec()).unwrap();
        kms.authenticate(&credential, Some(&token), REGION, None, true, None).unwrap()
    };
    let narrow = session("narrow", "kms:DescribeKey");
    let wide = session("wide", "kms:Encrypt");
    for _ in 0..2 {
        assert!(!encrypts(&kms, &narrow, &key_id));
        assert!(encrypts(&kms, &wide, &key_id));
    }
}

#[test]
fn every_key_a_source_adds_is_listed_under_it() {
    let listed = |ctx: &Context, source: Needed| {
        assert!(ctx.keys().count() > 0);
        for k in ctx.keys() {
            assert!(Needed::of_key(k).has(source), "`{k}` is not listed under {source:?}");
        }
    };
    // The request's keys, each under its own flag.
    let kms = service(&allow_all());
    let tester = caller(&kms, TESTER, Some("192.0.2.10"), true);
    for source in [
        Needed::CURRENT_TIME,
        Needed::EPOCH_TIME,
        Needed::REQUESTED_REGION,
        Needed::SECURE_TRANSPORT,
        Needed::SOURCE_IP,
    ] {
        let mut ctx = Context::new();
        add_needed_request_keys(&mut ctx, source, &tester, || NOW);
        assert_eq!(ctx.keys().count(), 1);
        listed(&ctx, source);
        assert_eq!(Needed::of_key(ctx.keys().next().unwrap()), source);
    }
    let mut all = Context::new();
    add_request_keys(&mut all, &tester, NOW);
    assert_eq!(all.keys().count(), 5);
    // The principal's and the session's.
    for p in &kms.identities.principals {
        listed(&principal_keys(&kms.identities, p), Needed::CALLER);
    }
    let session = SessionKeys {
        token_issue_time_millis: NOW,
        multi_factor_auth_present: true,
        source_identity: Some("jane".into()),
        tags: BTreeMap::from([("team".into(), "red".into())]),
        user_id: Some("AROAEXAMPLE:s".into()),
    };
    listed(&session.context(), Needed::CALLER);
    // The key's.
    let key_id = key(&kms, &[("Project", "x")], Some("alias/a"));
    let record = kms.store.get_key(ACCOUNT, REGION, &key_id).unwrap().unwrap();
    listed(&kms.key_keys.get(kms.store.as_ref(), &record).unwrap(), Needed::KEY);
    // Those of each kind of caller's ARN, each under its own flag.
    let arns = [
        (Dialect::Aws, "arn:aws:iam::111122223333:root"),
        (Dialect::Aws, TESTER_ARN),
        (Dialect::Aws, ROLE_ARN),
        (Dialect::Aws, "arn:aws:sts::111122223333:assumed-role/app/s"),
        (Dialect::Aws, "arn:aws:sts::111122223333:federated-user/bob"),
        (Dialect::Aws, "ec2.amazonaws.com"),
        (Dialect::Huawei, "iam::0970dd7a:user:alice"),
    ];
    for (dialect, arn) in arns {
        let request = || Request::new(dialect, arn, Some(ACCOUNT), "kms:Encrypt", "*");
        let mut all = request();
        all.populate_derived_keys();
        listed(&all.context, Needed::DERIVED);
        let mut each = 0;
        for flag in [
            Needed::PRINCIPAL_ARN,
            Needed::PRINCIPAL_ACCOUNT,
            Needed::CALLER_ACCOUNT,
            Needed::PRINCIPAL_TYPE,
            Needed::USERNAME,
            Needed::HUAWEI_PRINCIPAL,
        ] {
            let mut one = request();
            one.populate_derived_keys_where(|name| Needed::of_derived(name).has(flag));
            for k in one.context.keys() {
                assert_eq!(Needed::of_key(k), flag, "{arn}: `{k}`");
                assert_eq!(one.context.get(k), all.context.get(k));
            }
            each += one.context.keys().count();
        }
        assert_eq!(each, all.context.keys().count(), "{arn}: every key is under one flag");
    }
}

#[test]
fn names_are_placed_by_the_sources_that_add_them() {
    let cases = [
        ("aws:currenttime", Needed::CURRENT_TIME),
        ("aws:sourceip", Needed::SOURCE_IP),
        ("aws:principaltag/team", Needed::CALLER),
        ("aws:userid", Needed::CALLER),
        ("aws:tokenissuetime", Needed::CALLER),
        ("aws:resourcetag/project", Needed::KEY),
        ("kms:resourcealiases", Needed::KEY),
        ("aws:principalarn", Needed::PRINCIPAL_ARN),
        ("kms:calleraccount", Needed::CALLER_ACCOUNT),
        ("aws:username", Needed::USERNAME),
        // The operations' keys are always there; a key nothing adds is never there.
        ("kms:encryptioncontext:dept", Needed::NONE),
        ("kms:encryptionalgorithm", Needed::NONE),
        ("aws:calledvia", Needed::NONE),
        // A name that is not plain needs everything.
        ("aws:resourcetag/*", Needed::ALL),
        ("aws:principaltag/${aws:username}", Needed::ALL),
    ];
    for (name, needed) in cases {
        assert_eq!(Needed::of_key(name), needed, "{name}");
    }
    assert!(Needed::ALL.has(Needed::KEY) && !Needed::NONE.has(Needed::KEY));
    assert!(Needed::DERIVED.has(Needed::USERNAME) && !Needed::DERIVED.has(Needed::KEY));
    assert_eq!(Needed::of_derived("aws:SomethingNew"), Needed::ALL);
}

#[test]
fn a_policy_needs_what_its_conditions_and_variables_name() {
    let needs = |statement: serde_json::Value| {
        let doc = json!({"Version": "2012-10-17", "Statement": [statement]});
        Needed::of_policy(&Policy::parse(Dialect::Aws, &doc.to_string()).unwrap())
    };
    let allow = |condition: serde_json::Value| json!({"Effect": "Allow", "Action": "kms:*", "Resource": "*", "Condition": condition});
    assert_eq!(needs(json!({"Effect": "Allow", "Action": "kms:*", "Resource": "*"})), Needed::NONE);
    assert_eq!(
        needs(allow(json!({"StringEquals": {"kms:EncryptionContext:Dept": "IT"}}))),
        Needed::NONE
    );
    assert_eq!(
        needs(allow(json!({"IpAddressIfExists": {"aws:SourceIp": "10.0.0.0/8"}}))),
        Needed::SOURCE_IP
    );
    assert_eq!(needs(allow(json!({"Null": {"aws:username": "true"}}))), Needed::USERNAME);
    assert_eq!(
        needs(allow(json!({"ForAnyValue:StringLike": {"kms:ResourceAliases": "alias/*"}}))),
        Needed::KEY
    );
    assert_eq!(
        needs(allow(json!({"StringEquals": {"aws:ResourceTag/p": "${aws:PrincipalTag/team}"}}))),
        Needed::KEY | Needed::CALLER
    );
    assert_eq!(
        needs(allow(json!({"StringLike": {"kms:EncryptionContext:u": "${aws:username, 'x'}"}}))),
        Needed::USERNAME
    );
    assert_eq!(
        needs(allow(json!({"ArnLike": {"aws:SourceArn": "arn:aws:iam::1:user/${aws:username}"}}))),
        Needed::USERNAME
    );
    // Variables where the policy does not substitute them are counted all the same.
    assert_eq!(
        needs(allow(json!({"NumericEquals": {"kms:EncryptionContext:n": "${aws:EpochTime}"}}))),
        Needed::EPOCH_TIME
    );
    assert_eq!(
        needs(json!({"Effect": "Deny", "Action": "kms:*",
                     "NotResource": "arn:aws:kms:${aws:RequestedRegion}:1:key/*"})),
        Needed::REQUESTED_REGION
    );
    // `ArnLike` matches field by field: a variable whole in one field counts even when the
    // whole text does not read as one.
    assert_eq!(
        needs(allow(json!({"ArnLike": {"aws:SourceArn": "arn:${a:b:c:${x*}:rest"}}))),
        Needed::ALL
    );
    let mut set = PolicySet::default();
    let parse = |doc: serde_json::Value| Policy::parse(Dialect::Aws, &doc.to_string()).unwrap();
    set.scp_levels.push(vec![parse(json!({"Version": "2012-10-17", "Statement": [
        allow(json!({"Bool": {"aws:SecureTransport": "true"}}))]}))]);
    set.session.push(parse(json!({"Version": "2012-10-17", "Statement": [
        allow(json!({"StringEquals": {"aws:PrincipalType": "User"}}))]})));
    assert_eq!(Needed::of_set(&set), Needed::SECURE_TRANSPORT | Needed::PRINCIPAL_TYPE);
}

#[test]
fn what_a_set_needs_is_worked_out_once_per_set() {
    let cache = KeyKeysCache::default();
    let mut set = PolicySet::default();
    let doc = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Action": "kms:*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "true"}}}]});
    set.identity.push(Policy::parse(Dialect::Aws, &doc.to_string()).unwrap());
    let set = Arc::new(set);
    assert_eq!(cache.needed(&set), Needed::SECURE_TRANSPORT);
    assert_eq!(cache.needed(&Arc::clone(&set)), Needed::SECURE_TRANSPORT);
    assert_eq!(cache.needed(&Arc::new(PolicySet::default())), Needed::NONE);
    assert_eq!(cache.needed.lock().unwrap().len(), 2);
    // A set no longer in use keeps its address while its entry lives, so no set made
    // since is taken for it.
    drop(set);
    let others: Vec<Arc<PolicySet>> = (0..64).map(|_| Arc::new(PolicySet::default())).collect();
    for other in &others {
        assert_eq!(cache.needed(other), Needed::NONE);
    }
}
