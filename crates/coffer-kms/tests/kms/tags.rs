//! TagResource, UntagResource, ListResourceTags.

use coffer_kms::KmsError;
use coffer_store::Tag;

use crate::support::*;

fn tag(k: &str, v: &str) -> Tag {
    Tag { key: k.into(), value: v.into() }
}

#[test]
fn tag_update_untag_list() {
    let env = Env::new();
    let admin = env.admin();
    let key = env.key();
    env.kms
        .tag_resource(
            &admin,
            &key.key_id,
            &[tag("tag1", "value1"), tag("tag2", "value2"), tag("tag3", "value3")],
        )
        .unwrap();
    env.kms
        .tag_resource(
            &admin,
            &key.arn,
            &[tag("tag2", "updated_value2"), tag("tag4", "value4"), tag("tag5", "value5")],
        )
        .unwrap();
    let listed = env.kms.list_resource_tags(&admin, &key.key_id, None, None).unwrap();
    assert_eq!(
        listed.tags,
        [
            tag("tag1", "value1"),
            tag("tag2", "updated_value2"),
            tag("tag3", "value3"),
            tag("tag4", "value4"),
            tag("tag5", "value5")
        ]
    );
    assert_eq!(listed.next_marker, None);
    env.kms
        .untag_resource(&admin, &key.key_id, &["tag2".into(), "tag4".into(), "absent".into()])
        .unwrap();
    let listed = env.kms.list_resource_tags(&admin, &key.key_id, None, None).unwrap();
    assert_eq!(listed.tags, [tag("tag1", "value1"), tag("tag3", "value3"), tag("tag5", "value5")]);
    env.kms
        .untag_resource(&admin, &key.key_id, &["tag1".into(), "tag3".into(), "tag5".into()])
        .unwrap();
    assert!(env.kms.list_resource_tags(&admin, &key.key_id, None, None).unwrap().tags.is_empty());
}

#[test]
fn list_resource_tags_pages() {
    let env = Env::new();
    let admin = env.admin();
    let key = env.key();
    let tags: Vec<Tag> = (0..5).map(|i| tag(&format!("k{i}"), "v")).collect();
    env.kms.tag_resource(&admin, &key.key_id, &tags).unwrap();
    let first = env.kms.list_resource_tags(&admin, &key.key_id, Some(2), None).unwrap();
    assert_eq!(first.tags, tags[..2]);
    let second = env
        .kms
        .list_resource_tags(&admin, &key.key_id, Some(2), first.next_marker.as_deref())
        .unwrap();
    assert_eq!(second.tags, tags[2..4]);
    let third = env
        .kms
        .list_resource_tags(&admin, &key.key_id, Some(2), second.next_marker.as_deref())
        .unwrap();
    assert_eq!((third.tags.as_slice(), third.next_marker), (&tags[4..], None));
    assert_eq!(
        message(env.kms.list_resource_tags(&admin, &key.key_id, Some(1001), None)),
        "1 validation error detected: Value '1001' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 1000"
    );
}

#[test]
fn at_most_fifty_tags_per_key() {
    let env = Env::new();
    let admin = env.admin();
    let key = env.key();
    let forty: Vec<Tag> = (0..40).map(|i| tag(&format!("a{i:02}"), "v")).collect();
    env.kms.tag_resource(&admin, &key.key_id, &forty).unwrap();
    // Updating existing keys does not count twice.
    env.kms.tag_resource(&admin, &key.key_id, &forty).unwrap();
    let ten: Vec<Tag> = (0..10).map(|i| tag(&format!("b{i:02}"), "v")).collect();
    env.kms.tag_resource(&admin, &key.key_id, &ten).unwrap();
    let e = fails(env.kms.tag_resource(&admin, &key.key_id, &[tag("one-more", "v")]));
    assert!(matches!(&e, KmsError::Tag { .. }));
    assert_eq!(e.to_string(), "Too many tags");
    assert_eq!(env.kms.list_resource_tags(&admin, &key.key_id, None, None).unwrap().tags.len(), 50);
}

#[test]
fn tags_are_checked() {
    let env = Env::new();
    let admin = env.admin();
    let key = env.key();
    let put = |tags: &[Tag]| env.kms.tag_resource(&admin, &key.key_id, tags);
    assert_eq!(message(put(&[tag("a", "1"), tag("a", "2")])), "Duplicate tag keys");
    assert_eq!(message(put(&[tag("aws:team", "x")])), "Tags beginning with aws: are reserved");
    let many: Vec<Tag> = (0..51).map(|i| tag(&format!("k{i}"), "v")).collect();
    assert_eq!(message(put(&many)), "Too many tags");
    let long = "v".repeat(257);
    assert_eq!(
        message(put(&[tag("k", "v"), tag("k2", &long)])),
        format!(
            "1 validation error detected: Value '{long}' at 'tags.2.member.tagValue' failed to satisfy constraint: Member must have length less than or equal to 256"
        )
    );
    let long_key = "k".repeat(129);
    assert_eq!(
        message(env.kms.untag_resource(&admin, &key.key_id, std::slice::from_ref(&long_key))),
        format!(
            "1 validation error detected: Value '{long_key}' at 'tagKeys.1.member' failed to satisfy constraint: Member must have length less than or equal to 128"
        )
    );
}

#[test]
fn key_states() {
    let env = Env::new();
    let admin = env.admin();
    let key = env.key();
    env.kms.tag_resource(&admin, &key.key_id, &[tag("a", "1")]).unwrap();
    env.kms.disable_key(&admin, &key.key_id).unwrap();
    env.kms.tag_resource(&admin, &key.key_id, &[tag("b", "2")]).unwrap();
    env.kms.schedule_key_deletion(&admin, &key.key_id, Some(7)).unwrap();
    let pending = format!("{} is pending deletion.", key.arn);
    let e = fails(env.kms.tag_resource(&admin, &key.key_id, &[tag("c", "3")]));
    assert!(matches!(&e, KmsError::InvalidState { .. }));
    assert_eq!(e.to_string(), pending);
    assert_eq!(message(env.kms.untag_resource(&admin, &key.key_id, &["a".into()])), pending);
    // Reading the tags works in any state.
    assert_eq!(
        env.kms.list_resource_tags(&admin, &key.key_id, None, None).unwrap().tags,
        [tag("a", "1"), tag("b", "2")]
    );
}

#[test]
fn tag_conditions_reach_the_policy() {
    let env = Env::new();
    let admin = env.admin();
    let key = env.key();
    // The account may tag this key only with `team`, and never remove `owner`.
    let policy = format!(
        r#"{{"Version": "2012-10-17", "Statement": [
          {{"Effect": "Allow", "Principal": {{"AWS": "arn:aws:iam::{ACCOUNT}:root"}}, "Action": "kms:*", "Resource": "*"}},
          {{"Effect": "Deny", "Principal": {{"AWS": "*"}}, "Action": "kms:TagResource", "Resource": "*",
            "Condition": {{"ForAnyValue:StringNotEquals": {{"aws:TagKeys": ["team"]}}}}}},
          {{"Effect": "Deny", "Principal": {{"AWS": "*"}}, "Action": "kms:TagResource", "Resource": "*",
            "Condition": {{"StringEquals": {{"aws:RequestTag/team": "intruders"}}}}}},
          {{"Effect": "Deny", "Principal": {{"AWS": "*"}}, "Action": "kms:UntagResource", "Resource": "*",
            "Condition": {{"ForAnyValue:StringEquals": {{"aws:TagKeys": ["owner"]}}}}}}]}}"#
    );
    env.kms.put_key_policy(&admin, &key.key_id, &policy, None, false).unwrap();
    env.kms.tag_resource(&admin, &key.key_id, &[tag("team", "payments")]).unwrap();
    let denied = |r: Result<(), KmsError>| matches!(r, Err(KmsError::AccessDenied { .. }));
    assert!(denied(env.kms.tag_resource(&admin, &key.key_id, &[tag("owner", "me")])));
    assert!(denied(env.kms.tag_resource(&admin, &key.key_id, &[tag("team", "intruders")])));
    assert!(denied(env.kms.untag_resource(&admin, &key.key_id, &["owner".into()])));
    env.kms.untag_resource(&admin, &key.key_id, &["team".into()]).unwrap();
}

#[test]
fn tagging_needs_permission() {
    let env = Env::new();
    let key = env.key();
    let alice = env.alice();
    assert_eq!(
        message(env.kms.tag_resource(&alice, &key.key_id, &[tag("a", "1")])),
        format!(
            "User: {ALICE_ARN} is not authorized to perform: kms:TagResource on resource: {} because no identity-based policy allows the kms:TagResource action",
            key.arn
        )
    );
    assert_eq!(
        message(env.kms.list_resource_tags(&alice, &key.key_id, None, None)),
        format!(
            "User: {ALICE_ARN} is not authorized to perform: kms:ListResourceTags on resource: {} because no identity-based policy allows the kms:ListResourceTags action",
            key.arn
        )
    );
}

#[test]
fn resource_tags_reach_the_policy() {
    let env = Env::new();
    let admin = env.admin();
    let key = env.key();
    let policy = format!(
        r#"{{"Version": "2012-10-17", "Statement": [
          {{"Effect": "Allow", "Principal": {{"AWS": "arn:aws:iam::{ACCOUNT}:root"}}, "Action": "kms:*", "Resource": "*"}},
          {{"Effect": "Deny", "Principal": {{"AWS": "*"}}, "Action": "kms:Encrypt", "Resource": "*",
            "Condition": {{"StringEquals": {{"aws:ResourceTag/frozen": "yes"}}}}}}]}}"#
    );
    env.kms.put_key_policy(&admin, &key.key_id, &policy, None, false).unwrap();
    env.encrypt(&admin, &key.key_id, b"x").unwrap();
    env.kms.tag_resource(&admin, &key.key_id, &[tag("frozen", "yes")]).unwrap();
    assert!(matches!(fails(env.encrypt(&admin, &key.key_id, b"x")), KmsError::AccessDenied { .. }));
    env.kms.untag_resource(&admin, &key.key_id, &["frozen".into()]).unwrap();
    env.encrypt(&admin, &key.key_id, b"x").unwrap();
}
