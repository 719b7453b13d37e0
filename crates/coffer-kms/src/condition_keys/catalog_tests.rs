//! Every condition key the AWS catalog lists for an action is in the request context the
//! service builds for it: each action is driven through the real operation, with every
//! optional member given, and the context the authorizer builds with every key (the one a
//! simulation shows) is checked against the catalog's type and shape. A key that an
//! operation stops populating fails here. The context a decision is made on holds the keys
//! its policies can read: with a policy that reads every key of the catalog, each of them
//! is there, with the same value.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::Arc;

use coffer_crypto::{RootKey, Secret, SystemRandom};
use coffer_policy::catalog::{Catalog, ConditionKeyDef, KeyType};
use coffer_policy::request::GrantConstraints;
use coffer_policy::{Context, ContextValue, Dialect};
use coffer_store::{SqliteStore, Tag};

use crate::Kms;
use crate::audit::MemoryAudit;
use crate::authz::capture::{Captured, during};
use crate::caller::Caller;
use crate::clock::ManualClock;
use crate::iam::Identities;
use crate::ops::create_grant::CreateGrantRequest;
use crate::ops::create_key::{CreateKeyRequest, default_key_policy};
use crate::ops::decrypt::DecryptRequest;
use crate::ops::derive_shared_secret::DeriveSharedSecretRequest;
use crate::ops::encrypt::EncryptRequest;
use crate::ops::generate_data_key::GenerateDataKeyRequest;
use crate::ops::generate_data_key_pair::GenerateDataKeyPairRequest;
use crate::ops::generate_mac::GenerateMacRequest;
use crate::ops::get_parameters_for_import::GetParametersForImportRequest;
use crate::ops::import_key_material::ImportKeyMaterialRequest;
use crate::ops::list_grants::ListGrantsRequest;
use crate::ops::re_encrypt::ReEncryptRequest;
use crate::ops::retire_grant::RetireGrantRequest;
use crate::ops::sign::SignRequest;
use crate::ops::verify::VerifyRequest;
use crate::ops::verify_mac::VerifyMacRequest;

const ACCOUNT: &str = "111122223333";
const REGION: &str = "us-east-1";
const NOW: i64 = 1_700_000_000_000;
const TESTER: &str = "AKIATESTERTESTER0001";
const ROOT: &str = "AKIAROOTROOTROOT0001";
const TESTER_ARN: &str = "arn:aws:iam::111122223333:user/tester";
const GRANTEE_ARN: &str = "arn:aws:iam::111122223333:user/grantee";

/// An account in an organization; `tester`, tagged, may do anything with keys.
const IDENTITIES: &str = r#"{
  "accounts": [{"id": "111122223333", "org_path": ["o-a1b2c3d4e5", "r-ab12", "ou-ab12-11111111"]}],
  "principals": [
    {"account": "111122223333", "type": "root",
     "access_keys": [{"id": "AKIAROOTROOTROOT0001", "secret": "root-secret-0123456789"}]},
    {"account": "111122223333", "type": "user", "name": "tester", "tags": {"team": "blue"},
     "access_keys": [{"id": "AKIATESTERTESTER0001", "secret": "tester-secret-0123456789"}],
     "policies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}]},
    {"account": "111122223333", "type": "user", "name": "grantee"}
  ]
}"#;

/// Actions of the catalog that this service does not serve (custom key stores,
/// multi-Region keys, key usage records): nothing can drive them.
const NOT_SERVED: &[&str] = &[
    "kms:ConnectCustomKeyStore",
    "kms:CreateCustomKeyStore",
    "kms:DeleteCustomKeyStore",
    "kms:DescribeCustomKeyStores",
    "kms:DisconnectCustomKeyStore",
    "kms:UpdateCustomKeyStore",
    "kms:ReplicateKey",
    "kms:SynchronizeMultiRegionKey",
    "kms:UpdatePrimaryRegion",
    "kms:GetKeyLastUsage",
];

/// Listed keys that AWS itself leaves out of every request this service can receive, and
/// why: (action or `*`, key).
const ABSENT_BY_RULE: &[(&str, &str)] = &[
    // Only when an integrated AWS service forwards the request; none forwards to Coffer.
    ("*", "kms:ViaService"),
    // Only with a `Recipient` attestation document from a Nitro enclave, which no request
    // here carries.
    ("*", "kms:RecipientAttestation:ImageSha384"),
    // Only for multi-Region keys; every key here is single-Region.
    ("*", "kms:MultiRegionKeyType"),
    // Resource conditions need an existing resource, and CreateKey has none yet.
    ("kms:CreateKey", "aws:ResourceTag/${TagKey}"),
];

/// Global keys every request of a long-term IAM user in an organization carries.
const GLOBAL_PRESENT: &[&str] = &[
    "aws:PrincipalArn",
    "aws:PrincipalAccount",
    "aws:PrincipalType",
    "aws:PrincipalTag/${TagKey}",
    "aws:PrincipalOrgID",
    "aws:PrincipalOrgPaths",
    "aws:PrincipalIsAWSService",
    "aws:userid",
    "aws:username",
    "aws:SourceIp",
    "aws:SecureTransport",
    "aws:CurrentTime",
    "aws:EpochTime",
    "aws:RequestedRegion",
    "aws:ViaAWSService",
];

/// Global keys such a request never carries: session-only keys (long-term credentials),
/// keys of forwarded requests and of VPC endpoints.
const GLOBAL_ABSENT: &[&str] = &[
    "aws:TokenIssueTime",
    "aws:MultiFactorAuthPresent",
    "aws:MultiFactorAuthAge",
    "aws:SourceIdentity",
    "aws:CalledVia",
    "aws:CalledViaFirst",
    "aws:CalledViaLast",
    "aws:SourceVpc",
    "aws:SourceVpce",
    "kms:ViaService",
];

fn service() -> Kms {
    service_of(Identities::parse(IDENTITIES, false).unwrap())
}

fn service_of(identities: Identities) -> Kms {
    Kms::new(
        Arc::new(SqliteStore::open_in_memory().unwrap()),
        RootKey::from_secret(Secret::new(vec![7; 32])).unwrap(),
        Arc::new(SystemRandom),
        Arc::new(ManualClock::new(NOW)),
        identities,
        Arc::new(MemoryAudit::default()),
    )
}

/// The names of every condition key of the catalog, a template's with each tag and
/// encryption context key the operations here use.
fn every_catalog_key(catalog: &Catalog) -> Vec<String> {
    let mut names = Vec::new();
    for def in catalog.condition_keys.iter().chain(&catalog.global_condition_keys) {
        match def.template_prefix() {
            Some(prefix) => {
                names.extend(["team", "Project", "Stage", "Dept"].map(|k| format!("{prefix}{k}")));
            }
            None => names.push(def.name.clone()),
        }
    }
    names
}

/// [`IDENTITIES`], with `tester`'s policy reading every key of the catalog in a condition
/// that always holds (`*` matches any value, and `ForAllValues` holds for no value).
fn identities_reading(names: &[String]) -> Identities {
    let mut file: serde_json::Value = serde_json::from_str(IDENTITIES).unwrap();
    let every: serde_json::Map<String, serde_json::Value> =
        names.iter().map(|n| (n.clone(), serde_json::json!("*"))).collect();
    file["principals"][1]["policies"][0]["Statement"][0]["Condition"] =
        serde_json::json!({"ForAllValues:StringLike": every});
    Identities::parse(&file.to_string(), false).unwrap()
}

fn caller(kms: &Kms, access_key: &str) -> Caller {
    kms.caller(access_key, REGION, Some("192.0.2.10".into()), true, None).unwrap()
}

fn ec() -> BTreeMap<String, String> {
    BTreeMap::from([("Dept".to_owned(), "IT".to_owned())])
}

fn tags() -> Vec<Tag> {
    vec![Tag { key: "Project".into(), value: "Apollo".into() }]
}

/// Runs every served operation once, each with all its optional members, and returns
/// what was authorized.
fn drive_everything(kms: &Kms, c: &Caller) -> Vec<Captured> {
    let mut all = Vec::new();
    let make = |spec: &str, usage: &str, origin: &str, alias: &str| {
        let key = kms
            .create_key(
                c,
                CreateKeyRequest {
                    policy: Some(default_key_policy(ACCOUNT)),
                    description: Some("catalog".into()),
                    key_usage: Some(usage.into()),
                    key_spec: Some(spec.into()),
                    origin: Some(origin.into()),
                    bypass_policy_lockout_safety_check: false,
                    tags: tags(),
                    multi_region: false,
                },
            )
            .unwrap();
        kms.create_alias(c, alias, &key.key_id).unwrap();
        key
    };
    // CreateKey and CreateAlias are checked on the first key made.
    let mut first = Vec::new();
    let (sym, captured) =
        during(|| make("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT", "AWS_KMS", "alias/test"));
    first.extend(captured);
    let other = make("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT", "AWS_KMS", "alias/other");
    make("HMAC_256", "GENERATE_VERIFY_MAC", "AWS_KMS", "alias/hmac");
    make("ECC_NIST_P256", "SIGN_VERIFY", "AWS_KMS", "alias/sign");
    make("ECC_NIST_P256", "KEY_AGREEMENT", "AWS_KMS", "alias/agree");
    make("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT", "EXTERNAL", "alias/external");
    all.extend(first);
    let mut run = |f: &mut dyn FnMut()| all.extend(during(f).1);

    let mut ciphertext = Vec::new();
    run(&mut || {
        ciphertext = kms
            .encrypt(
                c,
                EncryptRequest {
                    key_id: "alias/test".into(),
                    plaintext: Secret::new(b"hello".to_vec()),
                    encryption_context: ec(),
                    encryption_algorithm: Some("SYMMETRIC_DEFAULT".into()),
                    ..Default::default()
                },
            )
            .unwrap()
            .ciphertext;
    });
    run(&mut || {
        kms.decrypt(
            c,
            DecryptRequest {
                ciphertext: ciphertext.clone(),
                encryption_context: ec(),
                key_id: Some("alias/test".into()),
                encryption_algorithm: Some("SYMMETRIC_DEFAULT".into()),
                ..Default::default()
            },
        )
        .unwrap();
    });
    run(&mut || {
        kms.re_encrypt(
            c,
            ReEncryptRequest {
                ciphertext: ciphertext.clone(),
                source_encryption_context: ec(),
                source_key_id: Some("alias/test".into()),
                destination_key_id: "alias/other".into(),
                destination_encryption_context: ec(),
                source_encryption_algorithm: Some("SYMMETRIC_DEFAULT".into()),
                destination_encryption_algorithm: Some("SYMMETRIC_DEFAULT".into()),
                ..Default::default()
            },
        )
        .unwrap();
    });
    let data_key = || GenerateDataKeyRequest {
        key_id: "alias/test".into(),
        encryption_context: ec(),
        key_spec: Some("AES_256".into()),
        ..Default::default()
    };
    run(&mut || {
        kms.generate_data_key(c, data_key()).unwrap();
    });
    run(&mut || {
        kms.generate_data_key_without_plaintext(c, data_key()).unwrap();
    });
    let pair = || GenerateDataKeyPairRequest {
        key_id: "alias/test".into(),
        key_pair_spec: "ECC_NIST_P256".into(),
        encryption_context: ec(),
        ..Default::default()
    };
    run(&mut || {
        kms.generate_data_key_pair(c, pair()).unwrap();
    });
    run(&mut || {
        kms.generate_data_key_pair_without_plaintext(c, pair()).unwrap();
    });
    let mut mac = Vec::new();
    run(&mut || {
        mac = kms
            .generate_mac(
                c,
                GenerateMacRequest {
                    key_id: "alias/hmac".into(),
                    message: b"m".to_vec(),
                    mac_algorithm: "HMAC_SHA_256".into(),
                    ..Default::default()
                },
            )
            .unwrap()
            .mac;
    });
    run(&mut || {
        kms.verify_mac(
            c,
            VerifyMacRequest {
                key_id: "alias/hmac".into(),
                message: b"m".to_vec(),
                mac_algorithm: "HMAC_SHA_256".into(),
                mac: mac.clone(),
                ..Default::default()
            },
        )
        .unwrap();
    });
    let mut signature = Vec::new();
    run(&mut || {
        signature = kms
            .sign(
                c,
                SignRequest {
                    key_id: "alias/sign".into(),
                    message: b"m".to_vec(),
                    message_type: Some("RAW".into()),
                    signing_algorithm: "ECDSA_SHA_256".into(),
                    ..Default::default()
                },
            )
            .unwrap()
            .signature;
    });
    run(&mut || {
        kms.verify(
            c,
            VerifyRequest {
                key_id: "alias/sign".into(),
                message: b"m".to_vec(),
                message_type: Some("RAW".into()),
                signature: signature.clone(),
                signing_algorithm: "ECDSA_SHA_256".into(),
                ..Default::default()
            },
        )
        .unwrap();
    });
    let mut public_key = Vec::new();
    run(&mut || {
        public_key = kms.get_public_key(c, "alias/sign").unwrap().public_key;
    });
    run(&mut || {
        // The public key is of the right curve; whether the secret can be derived does not
        // matter here, only what was authorized.
        let _ = kms.derive_shared_secret(
            c,
            DeriveSharedSecretRequest {
                key_id: "alias/agree".into(),
                key_agreement_algorithm: "ECDH".into(),
                public_key: public_key.clone(),
                ..Default::default()
            },
        );
    });
    run(&mut || {
        kms.describe_key(c, "alias/test").unwrap();
    });

    let grant = |retiring: &str| CreateGrantRequest {
        key_id: sym.arn.clone(),
        grantee_principal: GRANTEE_ARN.into(),
        retiring_principal: Some(retiring.into()),
        operations: vec!["Encrypt".into(), "Decrypt".into(), "RetireGrant".into()],
        constraints: Some(GrantConstraints { equals: None, subset: Some(ec()) }),
        name: Some("catalog".into()),
        ..Default::default()
    };
    let mut grant_ids = Vec::new();
    run(&mut || {
        grant_ids.push(kms.create_grant(c, grant(TESTER_ARN)).unwrap().grant_id);
        grant_ids.push(kms.create_grant(c, grant(GRANTEE_ARN)).unwrap().grant_id);
    });
    run(&mut || {
        kms.list_grants(
            c,
            ListGrantsRequest {
                key_id: sym.arn.clone(),
                grant_id: Some(grant_ids[0].clone()),
                grantee_principal: Some(GRANTEE_ARN.into()),
                limit: Some(10),
                marker: None,
            },
        )
        .unwrap();
    });
    run(&mut || {
        kms.list_retirable_grants(c, TESTER_ARN, Some(10), None).unwrap();
    });
    run(&mut || {
        kms.retire_grant(
            c,
            RetireGrantRequest {
                key_id: Some(sym.arn.clone()),
                grant_id: Some(grant_ids[0].clone()),
                ..Default::default()
            },
        )
        .unwrap();
    });
    run(&mut || {
        kms.revoke_grant(c, &sym.arn, &grant_ids[1], false).unwrap();
    });

    run(&mut || {
        kms.get_key_policy(c, "alias/test", Some("default")).unwrap();
    });
    run(&mut || {
        kms.put_key_policy(c, "alias/test", &default_key_policy(ACCOUNT), Some("default"), true)
            .unwrap();
    });
    run(&mut || {
        kms.list_key_policies(c, "alias/test", Some(10), None).unwrap();
    });
    run(&mut || {
        kms.list_resource_tags(c, "alias/test", Some(10), None).unwrap();
    });
    run(&mut || {
        kms.tag_resource(c, "alias/test", &[Tag { key: "Stage".into(), value: "prod".into() }])
            .unwrap();
    });
    run(&mut || {
        kms.untag_resource(c, "alias/test", &["Stage".to_owned()]).unwrap();
    });
    run(&mut || {
        kms.update_key_description(c, "alias/test", "new").unwrap();
    });
    run(&mut || {
        kms.enable_key_rotation(c, "alias/test", Some(180)).unwrap();
    });
    run(&mut || {
        kms.get_key_rotation_status(c, "alias/test").unwrap();
    });
    run(&mut || {
        kms.rotate_key_on_demand(c, "alias/test").unwrap();
    });
    run(&mut || {
        kms.list_key_rotations(c, "alias/test", Some("ALL_KEY_MATERIAL"), Some(10), None).unwrap();
    });
    run(&mut || {
        kms.disable_key_rotation(c, "alias/test").unwrap();
    });
    run(&mut || {
        kms.disable_key(c, "alias/other").unwrap();
    });
    run(&mut || {
        kms.enable_key(c, "alias/other").unwrap();
    });
    let mut token = Vec::new();
    run(&mut || {
        token = kms
            .get_parameters_for_import(
                c,
                GetParametersForImportRequest {
                    key_id: "alias/external".into(),
                    wrapping_algorithm: "RSAES_OAEP_SHA_256".into(),
                    wrapping_key_spec: "RSA_2048".into(),
                },
            )
            .unwrap()
            .import_token;
    });
    run(&mut || {
        // The material is not wrapped: the call fails after it was authorized.
        let _ = kms.import_key_material(
            c,
            ImportKeyMaterialRequest {
                key_id: "alias/external".into(),
                import_token: token.clone(),
                encrypted_key_material: vec![1; 256],
                valid_to: Some(NOW + 86_400_000),
                expiration_model: Some("KEY_MATERIAL_EXPIRES".into()),
                ..Default::default()
            },
        );
    });
    run(&mut || {
        let _ = kms.delete_imported_key_material(c, "alias/external", None);
    });
    run(&mut || {
        kms.update_alias(c, "alias/other", &sym.key_id).unwrap();
    });
    run(&mut || {
        kms.delete_alias(c, "alias/other").unwrap();
    });
    run(&mut || {
        kms.schedule_key_deletion(c, &other.arn, Some(7)).unwrap();
    });
    run(&mut || {
        kms.cancel_key_deletion(c, &other.arn).unwrap();
    });
    run(&mut || {
        kms.list_aliases(c, None, Some(10), None).unwrap();
    });
    run(&mut || {
        kms.list_keys(c, Some(10), None).unwrap();
    });
    run(&mut || {
        kms.generate_random(c, Some(16)).unwrap();
    });
    all
}

/// The value of `def` in `ctx`: the key itself, or for a template any key it matches.
fn lookup<'a>(ctx: &'a Context, def: &ConditionKeyDef) -> Option<(&'a str, &'a ContextValue)> {
    let found = match def.template_prefix() {
        Some(prefix) => {
            let prefix = prefix.to_ascii_lowercase();
            ctx.keys().find(|k| k.starts_with(&prefix) && k.len() > prefix.len())
        }
        None => ctx.keys().find(|k| *k == def.name.to_ascii_lowercase()),
    }?;
    Some((found, ctx.get(found)?))
}

/// Whether `value` is a value of `key_type`.
fn has_type(value: &str, key_type: KeyType) -> bool {
    match key_type {
        KeyType::String => true,
        KeyType::Arn => value.starts_with("arn:") && value.splitn(6, ':').count() == 6,
        KeyType::Bool => value == "true" || value == "false",
        KeyType::Numeric => value.parse::<f64>().is_ok(),
        // ISO 8601 in UTC as the service writes it, or epoch seconds.
        KeyType::Date => {
            value.parse::<i64>().is_ok()
                || (value.len() == 20 && value.as_bytes()[10] == b'T' && value.ends_with('Z'))
        }
        KeyType::IpAddress => value.parse::<IpAddr>().is_ok(),
        KeyType::Binary => true,
    }
}

/// Fails unless `name` is in `captured` with the catalog's type and shape.
fn assert_present(catalog: &Catalog, captured: &Captured, name: &str) {
    let def = catalog.condition_key(name).unwrap_or_else(|| panic!("{name} is not in the catalog"));
    let Some((key, value)) = lookup(&captured.context, def) else {
        panic!(
            "{} on {}: `{name}` is missing from {:?}",
            captured.action, captured.resource, captured.context
        )
    };
    match (def.multi_valued, value) {
        (true, ContextValue::Multi(_)) | (false, ContextValue::Single(_)) => {}
        _ => panic!(
            "{}: `{key}` is {value:?}, but the catalog says multi_valued = {}",
            captured.action, def.multi_valued
        ),
    }
    for v in value.values() {
        assert!(
            has_type(v, def.key_type),
            "{}: `{key}` = `{v}` is not of type {}",
            captured.action,
            def.key_type
        );
    }
}

fn absent_by_rule(action: &str, key: &str) -> bool {
    ABSENT_BY_RULE.iter().any(|(a, k)| (*a == "*" || *a == action) && *k == key)
}

fn is_key_arn(resource: &str) -> bool {
    resource.starts_with("arn:aws:kms:") && resource.contains(":key/")
}

#[test]
fn every_listed_condition_key_is_in_the_context_with_its_type_and_shape() {
    let kms = service();
    let tester = caller(&kms, TESTER);
    let captured = drive_everything(&kms, &tester);
    let catalog = Catalog::for_dialect(Dialect::Aws);
    for action in &catalog.actions {
        let name = action.name.as_str();
        let of_action: Vec<&Captured> =
            captured.iter().filter(|c| c.action == name && !c.hypothetical).collect();
        if NOT_SERVED.contains(&name) {
            assert!(of_action.is_empty(), "{name} is served: drive it here");
            continue;
        }
        assert!(!of_action.is_empty(), "{name} was not driven");
        for cap in &of_action {
            for key in &action.condition_keys {
                if !absent_by_rule(name, key) {
                    assert_present(catalog, cap, key);
                }
            }
            // The key resource type's keys, on the authorizations of a key.
            if is_key_arn(&cap.resource) {
                for key in catalog.resource_type("key").unwrap().condition_keys.iter() {
                    if !absent_by_rule(name, key) {
                        assert_present(catalog, cap, key);
                    }
                }
            }
            for key in GLOBAL_PRESENT {
                assert_present(catalog, cap, key);
            }
            for key in GLOBAL_ABSENT {
                let def = catalog.condition_key(key).unwrap();
                assert!(lookup(&cap.context, def).is_none(), "{name}: `{key}` must be absent");
            }
        }
    }
}

#[test]
fn values_are_the_callers_and_the_requests() {
    let kms = service();
    let tester = caller(&kms, TESTER);
    let captured = drive_everything(&kms, &tester);
    let encrypt = captured.iter().find(|c| c.action == "kms:Encrypt").unwrap();
    let get = |k: &str| encrypt.context.get(k).map(|v| v.values().join(","));
    assert_eq!(get("kms:calleraccount").as_deref(), Some(ACCOUNT));
    assert_eq!(get("kms:requestalias").as_deref(), Some("alias/test"));
    assert_eq!(get("kms:encryptioncontext:dept").as_deref(), Some("IT"));
    assert_eq!(get("kms:encryptioncontextkeys").as_deref(), Some("Dept"));
    assert_eq!(get("kms:resourcealiases").as_deref(), Some("alias/test"));
    assert_eq!(get("aws:resourcetag/project").as_deref(), Some("Apollo"));
    assert_eq!(get("aws:principaltype").as_deref(), Some("User"));
    assert_eq!(get("aws:username").as_deref(), Some("tester"));
    assert_eq!(get("aws:principaltag/team").as_deref(), Some("blue"));
    assert_eq!(get("aws:principalorgid").as_deref(), Some("o-a1b2c3d4e5"));
    assert_eq!(
        get("aws:principalorgpaths").as_deref(),
        Some("o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/")
    );
    assert_eq!(get("aws:requestedregion").as_deref(), Some(REGION));
    assert_eq!(get("aws:securetransport").as_deref(), Some("true"));
    assert_eq!(get("aws:epochtime").as_deref(), Some("1700000000"));
    assert_eq!(get("aws:currenttime").as_deref(), Some("2023-11-14T22:13:20Z"));
    assert!(get("aws:userid").unwrap().starts_with("AIDA"));
    let grant = captured.iter().find(|c| c.action == "kms:CreateGrant").unwrap();
    assert_eq!(
        grant.context.get("kms:grantconstrainttype"),
        Some(&ContextValue::Single("EncryptionContextSubset".into()))
    );
    let rotation = captured.iter().find(|c| c.action == "kms:EnableKeyRotation").unwrap();
    assert_eq!(rotation.context.get("kms:rotationperiodindays").unwrap().values(), ["180"]);
}

#[test]
fn keys_of_absent_members_are_absent_and_defaults_are_present() {
    let kms = service();
    let root = caller(&kms, ROOT);
    let (key, create) = during(|| kms.create_key(&root, CreateKeyRequest::default()).unwrap());
    let create = &create[0].context;
    // Defaults of the request are keys; the key to be does not have tags yet.
    assert_eq!(create.get("kms:keyspec").unwrap().values(), ["SYMMETRIC_DEFAULT"]);
    assert_eq!(create.get("kms:bypasspolicylockoutsafetycheck").unwrap().values(), ["false"]);
    assert_eq!(create.get("aws:tagkeys"), Some(&ContextValue::Multi(vec![])));
    assert!(create.keys().all(|k| !k.starts_with("aws:resourcetag/")));
    assert!(!create.contains("kms:resourcealiases"));
    // The root user: its account id, no user name.
    assert_eq!(create.get("aws:userid").unwrap().values(), [ACCOUNT]);
    assert_eq!(create.get("aws:principaltype").unwrap().values(), ["Account"]);
    assert!(!create.contains("aws:username"));

    let (_, encrypt) = during(|| {
        kms.encrypt(
            &root,
            EncryptRequest {
                key_id: key.key_id.clone(),
                plaintext: Secret::new(b"x".to_vec()),
                ..Default::default()
            },
        )
        .unwrap()
    });
    let encrypt = &encrypt[0].context;
    assert!(!encrypt.contains("kms:requestalias"), "named by id, not by alias");
    assert!(!encrypt.contains("kms:encryptioncontextkeys"));
    assert_eq!(encrypt.get("kms:encryptionalgorithm").unwrap().values(), ["SYMMETRIC_DEFAULT"]);
    assert_eq!(encrypt.get("kms:resourcealiases"), Some(&ContextValue::Multi(vec![])));

    let (_, grant) = during(|| {
        kms.create_grant(
            &root,
            CreateGrantRequest {
                key_id: key.key_id.clone(),
                grantee_principal: GRANTEE_ARN.into(),
                operations: vec!["Decrypt".into()],
                ..Default::default()
            },
        )
        .unwrap()
    });
    let grant = &grant[0].context;
    assert!(!grant.contains("kms:grantconstrainttype"));
    assert!(!grant.contains("kms:retiringprincipal"));
    assert_eq!(grant.get("kms:grantisforawsresource").unwrap().values(), ["false"]);

    let (_, rotation) = during(|| kms.enable_key_rotation(&root, &key.key_id, None).unwrap());
    assert_eq!(rotation[0].context.get("kms:rotationperiodindays").unwrap().values(), ["365"]);
    let (_, deletion) = during(|| kms.schedule_key_deletion(&root, &key.key_id, None).unwrap());
    assert_eq!(
        deletion[0].context.get("kms:schedulekeydeletionpendingwindowindays").unwrap().values(),
        ["30"]
    );
}

#[test]
fn without_a_client_address_there_is_no_source_ip() {
    let kms = service();
    let tester = kms.caller(TESTER, REGION, None, false, None).unwrap();
    let (listed, captured) = during(|| kms.list_keys(&tester, None, None));
    assert!(listed.is_ok());
    assert!(!captured[0].context.contains("aws:sourceip"));
    assert_eq!(captured[0].context.get("aws:securetransport").unwrap().values(), ["false"]);
}

#[test]
fn every_key_a_policy_reads_is_in_the_context_decided_on() {
    let catalog = Catalog::for_dialect(Dialect::Aws);
    let names = every_catalog_key(catalog);
    let kms = service_of(identities_reading(&names));
    let tester = caller(&kms, TESTER);
    let captured = drive_everything(&kms, &tester);
    assert!(captured.len() > 50);
    for cap in &captured {
        let mut built = 0;
        for key in cap.context.keys() {
            assert_eq!(cap.decided.get(key), cap.context.get(key), "{}: `{key}`", cap.action);
            built += 1;
        }
        assert!(built > 10, "{}: {:?}", cap.action, cap.context);
    }
}

#[test]
fn keys_no_policy_reads_are_not_built() {
    let kms = service();
    let tester = caller(&kms, TESTER);
    let captured = drive_everything(&kms, &tester);
    for cap in &captured {
        for key in cap.decided.keys() {
            assert_eq!(cap.decided.get(key), cap.context.get(key), "{}: `{key}`", cap.action);
        }
        // Neither the tester's policy nor the keys' policies have a condition: only the
        // operation's own keys are there.
        for key in ["aws:currenttime", "aws:principalarn", "aws:principaltag/team", "aws:userid"] {
            assert!(cap.context.contains(key), "{}: `{key}`", cap.action);
            assert!(!cap.decided.contains(key), "{}: `{key}`", cap.action);
        }
    }
}
