//! CreateAlias, UpdateAlias, DeleteAlias, ListAliases.

use coffer_kms::KmsError;

use crate::support::*;

#[test]
fn create_list_update_delete() {
    let env = Env::new();
    let admin = env.admin();
    let a = env.key();
    let b = env.key();
    env.kms.create_alias(&admin, "alias/one", &a.key_id).unwrap();
    env.clock.advance_millis(1000);
    env.kms.create_alias(&admin, "alias/two", &a.arn).unwrap();
    let listed = env.kms.list_aliases(&admin, None, None, None).unwrap();
    assert_eq!(listed.next_marker, None);
    let names: Vec<&str> = listed.aliases.iter().map(|e| e.alias_name.as_str()).collect();
    assert_eq!(names, ["alias/one", "alias/two"]);
    let one = &listed.aliases[0];
    assert_eq!(one.alias_arn, alias_arn("alias/one"));
    assert_eq!(one.target_key_id, a.key_id);
    assert_eq!((one.creation_date, one.last_updated_date), (START, START));

    env.clock.advance_millis(1000);
    env.kms.update_alias(&admin, "alias/one", &b.key_id).unwrap();
    let of_b = env.kms.list_aliases(&admin, Some(&b.arn), None, None).unwrap();
    assert_eq!(of_b.aliases.len(), 1);
    assert_eq!(of_b.aliases[0].alias_name, "alias/one");
    assert_eq!(
        (of_b.aliases[0].creation_date, of_b.aliases[0].last_updated_date),
        (START, START + 2000)
    );
    assert_eq!(env.kms.describe_key(&admin, "alias/one").unwrap().arn, b.arn);

    env.kms.delete_alias(&admin, "alias/one").unwrap();
    let left = env.kms.list_aliases(&admin, None, None, None).unwrap();
    assert_eq!(
        left.aliases.iter().map(|e| e.alias_name.as_str()).collect::<Vec<_>>(),
        ["alias/two"]
    );
    // The key is untouched.
    env.encrypt(&admin, &b.key_id, b"x").unwrap();
}

#[test]
fn list_aliases_pages_and_filters() {
    let env = Env::new();
    let admin = env.admin();
    let a = env.key();
    let b = env.key();
    for name in ["alias/a1", "alias/a2", "alias/a3"] {
        env.kms.create_alias(&admin, name, &a.key_id).unwrap();
    }
    env.kms.create_alias(&admin, "alias/b1", &b.key_id).unwrap();
    let first = env.kms.list_aliases(&admin, None, Some(3), None).unwrap();
    assert_eq!(first.aliases.len(), 3);
    let second = env.kms.list_aliases(&admin, None, Some(3), first.next_marker.as_deref()).unwrap();
    assert_eq!(
        second.aliases.iter().map(|e| e.alias_name.as_str()).collect::<Vec<_>>(),
        ["alias/b1"]
    );
    assert_eq!(second.next_marker, None);
    let of_a = env.kms.list_aliases(&admin, Some(&a.key_id), None, None).unwrap();
    assert_eq!(of_a.aliases.len(), 3);
    assert_eq!(
        message(env.kms.list_aliases(&admin, None, Some(0), None)),
        "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"
    );
    let missing = "1234abcd-12ab-34cd-56ef-1234567890ab";
    assert_eq!(
        message(env.kms.list_aliases(&admin, Some(missing), None, None)),
        format!("Key 'arn:aws:kms:{REGION}:{ACCOUNT}:key/{missing}' does not exist")
    );
    // Alice may list aliases; another account sees none of these.
    assert_eq!(env.kms.list_aliases(&env.alice(), None, None, None).unwrap().aliases.len(), 4);
    assert!(env.kms.list_aliases(&env.bob(), None, None, None).unwrap().aliases.is_empty());
}

#[test]
fn alias_names_are_checked() {
    let env = Env::new();
    let admin = env.admin();
    let key = env.key();
    let create = |name: &str| env.kms.create_alias(&admin, name, &key.key_id);
    assert_eq!(
        message(create("my-alias")),
        "Alias must start with the prefix \"alias/\". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html"
    );
    assert_eq!(
        message(create("alias/my-alias!")),
        "1 validation error detected: Value 'alias/my-alias!' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$"
    );
    let long = format!("alias/{}", "a".repeat(251));
    assert_eq!(
        message(create(&long)),
        format!(
            "1 validation error detected: Value '{long}' at 'aliasName' failed to satisfy constraint: Member must have length less than or equal to 256"
        )
    );
    assert_eq!(
        message(create("alias/my:alias")),
        "alias/my:alias contains invalid characters for an alias"
    );
    assert!(matches!(fails(create("alias/aws/s3")), KmsError::Validation { .. }));
    for ok in ["alias/my-alias_/", "alias/my_alias-/", &format!("alias/{}", "a".repeat(250))] {
        create(ok).unwrap();
    }
    assert_eq!(
        message(env.kms.delete_alias(&admin, "my-alias")),
        "Alias must start with the prefix \"alias/\". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html"
    );
}

#[test]
fn an_alias_names_a_key_not_an_alias() {
    let env = Env::new();
    let admin = env.admin();
    let key = env.key();
    env.kms.create_alias(&admin, "alias/first", &key.key_id).unwrap();
    for target in ["alias/first".to_owned(), alias_arn("alias/first")] {
        assert_eq!(
            message(env.kms.create_alias(&admin, "alias/second", &target)),
            "Aliases must refer to keys. Not aliases"
        );
        assert_eq!(
            message(env.kms.update_alias(&admin, "alias/first", &target)),
            "Aliases must refer to keys. Not aliases"
        );
    }
}

#[test]
fn an_alias_name_is_taken_once() {
    let env = Env::new();
    let admin = env.admin();
    let a = env.key();
    let b = env.key();
    env.kms.create_alias(&admin, "alias/x", &a.key_id).unwrap();
    let e = fails(env.kms.create_alias(&admin, "alias/x", &b.key_id));
    assert!(matches!(&e, KmsError::AlreadyExists { .. }));
    assert_eq!(
        e.to_string(),
        format!("An alias with the name {} already exists", alias_arn("alias/x"))
    );
}

#[test]
fn missing_aliases_and_keys() {
    let env = Env::new();
    let admin = env.admin();
    let key = env.key();
    let not_found = format!("Alias {} is not found.", alias_arn("alias/none"));
    assert!(matches!(fails(env.kms.delete_alias(&admin, "alias/none")), KmsError::NotFound { .. }));
    assert_eq!(message(env.kms.delete_alias(&admin, "alias/none")), not_found);
    assert_eq!(message(env.kms.update_alias(&admin, "alias/none", &key.key_id)), not_found);
    let missing = "1234abcd-12ab-34cd-56ef-1234567890ab";
    assert_eq!(
        message(env.kms.create_alias(&admin, "alias/x", missing)),
        format!("Key 'arn:aws:kms:{REGION}:{ACCOUNT}:key/{missing}' does not exist")
    );
}

#[test]
fn key_states() {
    let env = Env::new();
    let admin = env.admin();
    let live = env.key();
    let disabled = env.key();
    let doomed = env.key();
    env.kms.disable_key(&admin, &disabled.key_id).unwrap();
    env.kms.create_alias(&admin, "alias/on-doomed", &doomed.key_id).unwrap();
    env.kms.schedule_key_deletion(&admin, &doomed.key_id, Some(7)).unwrap();
    let pending = format!("{} is pending deletion.", doomed.arn);

    // A disabled key may be named.
    env.kms.create_alias(&admin, "alias/on-disabled", &disabled.key_id).unwrap();
    // A key pending deletion may not be named by a new or updated alias ...
    let e = fails(env.kms.create_alias(&admin, "alias/new", &doomed.key_id));
    assert!(matches!(&e, KmsError::InvalidState { .. }));
    assert_eq!(e.to_string(), pending);
    assert_eq!(message(env.kms.update_alias(&admin, "alias/on-disabled", &doomed.key_id)), pending);
    // ... but its aliases may be moved away or deleted.
    env.kms.update_alias(&admin, "alias/on-doomed", &live.key_id).unwrap();
    env.kms.update_alias(&admin, "alias/on-doomed", &doomed.key_id).unwrap_err();
    env.kms.delete_alias(&admin, "alias/on-doomed").unwrap();
}

#[test]
fn alias_operations_need_permission_on_the_alias_and_the_keys() {
    let env = Env::new();
    let admin = env.admin();
    let alice = env.alice();
    let a = env.key();
    let b = env.key();
    assert_eq!(
        message(env.kms.create_alias(&alice, "alias/x", &a.key_id)),
        format!(
            "User: {ALICE_ARN} is not authorized to perform: kms:CreateAlias on resource: {} because no identity-based policy allows the kms:CreateAlias action",
            alias_arn("alias/x")
        )
    );
    env.kms.create_alias(&admin, "alias/x", &a.key_id).unwrap();
    assert_eq!(
        message(env.kms.update_alias(&alice, "alias/x", &b.key_id)),
        format!(
            "User: {ALICE_ARN} is not authorized to perform: kms:UpdateAlias on resource: {} because no identity-based policy allows the kms:UpdateAlias action",
            alias_arn("alias/x")
        )
    );
    assert_eq!(
        message(env.kms.delete_alias(&alice, "alias/x")),
        format!(
            "User: {ALICE_ARN} is not authorized to perform: kms:DeleteAlias on resource: {} because no identity-based policy allows the kms:DeleteAlias action",
            alias_arn("alias/x")
        )
    );
    // Another account lists its own aliases only, even when it names this account's key.
    assert!(env.kms.list_aliases(&env.bob(), Some(&a.arn), None, None).unwrap().aliases.is_empty());
}

#[test]
fn permission_on_the_alias_alone_is_not_enough() {
    let env = Env::new();
    let admin = env.admin();
    let key = env.key();
    // A key policy that lets the account do everything but create aliases for this key.
    let policy = format!(
        r#"{{"Version": "2012-10-17", "Statement": [
          {{"Effect": "Allow", "Principal": {{"AWS": "arn:aws:iam::{ACCOUNT}:root"}}, "Action": "kms:*", "Resource": "*"}},
          {{"Effect": "Deny", "Principal": {{"AWS": "*"}}, "Action": "kms:CreateAlias", "Resource": "*"}}]}}"#
    );
    env.kms.put_key_policy(&admin, &key.key_id, &policy, None, false).unwrap();
    assert_eq!(
        message(env.kms.create_alias(&admin, "alias/x", &key.key_id)),
        format!(
            "User: {ADMIN_ARN} is not authorized to perform: kms:CreateAlias on resource: {} with an explicit deny in a resource-based policy",
            key.arn
        )
    );
}
