//! What one authorization costs, and what parsing a policy costs, against a JSON baseline.
//!
//! - `decide/aws_key_policy_and_3_identity_policies`: one AWS decision for `kms:Decrypt`
//!   with the default key policy and three identity policies of five statements each,
//!   every statement carrying conditions; the policies are parsed once, outside the loop.
//! - `parse/aws_policy_6kib`: `Policy::parse` of a 6 KiB AWS key policy.
//! - `baseline/serde_json_value_6kib`: `serde_json::from_str::<serde_json::Value>` of the
//!   same text, so the figures above can be read as ratios on any machine.

#![expect(
    clippy::expect_used,
    reason = "a benchmark whose fixtures do not parse cannot measure anything"
)]

use std::collections::BTreeMap;
use std::hint::black_box;

use coffer_policy::decide::{PolicySet, decide};
use coffer_policy::request::Request;
use coffer_policy::{Dialect, Policy};
use criterion::{Criterion, criterion_main};

const ACCOUNT: &str = "111122223333";
const KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

/// The default key policy, as `GetKeyPolicy` returns it.
const DEFAULT_KEY_POLICY: &str = r#"{
  "Version" : "2012-10-17",
  "Id" : "key-default-1",
  "Statement" : [ {
    "Sid" : "Enable IAM User Permissions",
    "Effect" : "Allow",
    "Principal" : { "AWS" : "arn:aws:iam::111122223333:root" },
    "Action" : "kms:*",
    "Resource" : "*"
  } ]
}"#;

/// Three identity policies of five statements each; every statement has conditions, and
/// most name the requested action, so their conditions are evaluated.
const IDENTITY_POLICIES: [&str; 3] = [
    r#"{"Version": "2012-10-17", "Statement": [
      {"Sid": "EncryptFinance", "Effect": "Allow", "Action": ["kms:Encrypt", "kms:GenerateDataKey*"],
       "Resource": "arn:aws:kms:us-east-1:111122223333:key/*",
       "Condition": {"StringEquals": {"kms:EncryptionContext:Department": "Finance"}}},
      {"Sid": "DecryptFromOffice", "Effect": "Allow", "Action": "kms:Decrypt",
       "Resource": "arn:aws:kms:*:111122223333:key/*",
       "Condition": {"IpAddress": {"aws:SourceIp": ["192.0.2.0/24", "203.0.113.0/24"]}}},
      {"Sid": "DenyPlainHttp", "Effect": "Deny", "Action": "kms:*", "Resource": "*",
       "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
      {"Sid": "DescribeInRegion", "Effect": "Allow", "Action": ["kms:Describe*", "kms:List*"], "Resource": "*",
       "Condition": {"StringEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}}},
      {"Sid": "DecryptProjects", "Effect": "Allow", "Action": ["kms:Decrypt", "kms:ReEncrypt*"],
       "Resource": "arn:aws:kms:us-east-1:111122223333:key/*",
       "Condition": {"ForAnyValue:StringEquals": {"kms:EncryptionContextKeys": ["Project", "CostCenter"]},
                     "StringLike": {"kms:EncryptionContext:Project": "Zeus*"}}}
    ]}"#,
    r#"{"Version": "2012-10-17", "Statement": [
      {"Sid": "RolesOnly", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*",
       "Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/app-*"}}},
      {"Sid": "UntilYearEnd", "Effect": "Allow", "Action": ["kms:Decrypt", "kms:Encrypt"], "Resource": "*",
       "Condition": {"DateLessThan": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}}},
      {"Sid": "DenyOutsideNetwork", "Effect": "Deny", "Action": ["kms:Decrypt", "kms:Encrypt"], "Resource": "*",
       "Condition": {"NotIpAddress": {"aws:SourceIp": ["10.0.0.0/8", "172.16.0.0/12"]},
                     "Bool": {"aws:ViaAWSService": "false"}}},
      {"Sid": "TaggedTeams", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*",
       "Condition": {"StringEquals": {"aws:PrincipalTag/team": ["platform", "security"]}}},
      {"Sid": "SignWithMfa", "Effect": "Allow", "Action": ["kms:Sign", "kms:Verify"], "Resource": "*",
       "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}, "NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}}
    ]}"#,
    r#"{"Version": "2012-10-17", "Statement": [
      {"Sid": "NoForeignContext", "Effect": "Deny", "Action": "kms:Decrypt", "Resource": "*",
       "Condition": {"ForAnyValue:StringEquals": {"kms:EncryptionContextKeys": ["Internal", "Secret"]}}},
      {"Sid": "GrantsForServices", "Effect": "Allow", "Action": "kms:CreateGrant", "Resource": "*",
       "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}}},
      {"Sid": "ViaS3", "Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": "*",
       "Condition": {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}},
      {"Sid": "SameAccount", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*",
       "Condition": {"StringEquals": {"kms:CallerAccount": "444455556666"}}},
      {"Sid": "DecryptFinance", "Effect": "Allow", "Action": "kms:Decrypt",
       "Resource": "arn:aws:kms:us-east-1:111122223333:key/*",
       "Condition": {"StringEquals": {"kms:EncryptionContext:Department": "Finance"},
                     "IpAddress": {"aws:SourceIp": "10.0.0.0/8"},
                     "Bool": {"aws:SecureTransport": "true"},
                     "ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111122223333:user/*"},
                     "DateLessThan": {"aws:CurrentTime": "2027-01-01T00:00:00Z"}}}
    ]}"#,
];

fn parse(text: &str) -> Policy {
    Policy::parse(Dialect::Aws, text).expect("the fixture parses")
}

/// The default key policy, the three identity policies, and alice's Decrypt request.
fn decision_fixture() -> (PolicySet, Request) {
    let set = PolicySet {
        identity: IDENTITY_POLICIES.iter().map(|t| parse(t)).collect(),
        resource: vec![parse(DEFAULT_KEY_POLICY)],
        ..PolicySet::default()
    };
    let mut request = Request::new(
        Dialect::Aws,
        "arn:aws:iam::111122223333:user/alice",
        Some(ACCOUNT),
        "kms:Decrypt",
        KEY,
    );
    request.context.set("aws:SourceIp", "10.1.2.3");
    request.context.set("aws:SecureTransport", "true");
    request.context.set("aws:CurrentTime", "2026-06-01T12:00:00Z");
    request.context.set("aws:RequestedRegion", "us-east-1");
    request.context.set("aws:ViaAWSService", "false");
    request.context.set("aws:PrincipalTag/team", "payments");
    request.encryption_context = BTreeMap::from([
        ("Department".to_owned(), "Finance".to_owned()),
        ("Project".to_owned(), "Apollo".to_owned()),
    ]);
    request.populate_derived_keys();
    (set, request)
}

/// A key policy of about 6 KiB, in the console's layout: administrators, users, grants for
/// AWS resources, then conditioned statements for more roles until the size is reached.
fn policy_6kib() -> String {
    let mut statements = vec![
        r#"{"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}"#.to_owned(),
        r#"{"Sid": "Allow access for Key Administrators", "Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::111122223333:role/KeyAdmin", "arn:aws:iam::111122223333:user/security"]}, "Action": ["kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*", "kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*", "kms:TagResource", "kms:UntagResource", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion"], "Resource": "*"}"#.to_owned(),
        r#"{"Sid": "Allow use of the key", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/KeyUser"}, "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"], "Resource": "*"}"#.to_owned(),
        r#"{"Sid": "Allow attachment of persistent resources", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/KeyUser"}, "Action": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"], "Resource": "*", "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}}}"#.to_owned(),
    ];
    let mut n = 0;
    let size = |statements: &[String]| statements.iter().map(|s| s.len() + 2).sum::<usize>() + 60;
    while size(&statements) < 6 * 1024 - 300 {
        statements.push(format!(
            r#"{{"Sid": "AppRole{n}", "Effect": "Allow", "Principal": {{"AWS": "arn:aws:iam::111122223333:role/app-{n}"}}, "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": "*", "Condition": {{"StringEquals": {{"kms:EncryptionContext:Application": "app-{n}", "kms:ViaService": ["s3.us-east-1.amazonaws.com", "sqs.us-east-1.amazonaws.com"]}}, "IpAddress": {{"aws:SourceIp": "10.{n}.0.0/16"}}}}}}"#
        ));
        n += 1;
    }
    format!(
        "{{\n  \"Version\": \"2012-10-17\",\n  \"Id\": \"key-consolepolicy-3\",\n  \"Statement\": [\n    {}\n  ]\n}}\n",
        statements.join(",\n    ")
    )
}

fn benches(c: &mut Criterion) {
    let (set, request) = decision_fixture();
    let decision = decide(&set, &[], &request);
    assert!(decision.is_allowed(), "the fixture request must be allowed: {decision:?}");
    c.bench_function("decide/aws_key_policy_and_3_identity_policies", |b| {
        b.iter(|| decide(black_box(&set), black_box(&[]), black_box(&request)))
    });

    let text = policy_6kib();
    assert!((5 * 1024..=7 * 1024).contains(&text.len()), "the policy is {} bytes", text.len());
    parse(&text);
    let label = format!("{} bytes", text.len());
    c.bench_function("parse/aws_policy_6kib", |b| {
        b.iter(|| Policy::parse(Dialect::Aws, black_box(&text)))
    });
    c.bench_function("baseline/serde_json_value_6kib", |b| {
        b.iter(|| serde_json::from_str::<serde_json::Value>(black_box(&text)))
    });
    eprintln!("policy text: {label}");
}

mod group {
    //! The benchmark group, in a module of its own: the function the macro writes is public.
    use criterion::criterion_group;
    criterion_group!(decide_benches, super::benches);
}
criterion_main!(group::decide_benches);
