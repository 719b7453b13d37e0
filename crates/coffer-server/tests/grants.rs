//! The grant operations through the AWS front door: wire shapes, the model's constraints,
//! the refusals AWS names, and what the audit trail records.

#![expect(clippy::unwrap_used, reason = "a call that cannot be made fails the test")]

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::harness::{ACCOUNT, REGION, Server, call, error_of, server};

const GRANTEE: &str = "arn:aws:iam::999988887777:user/partner";
const RETIRER: &str = "arn:aws:iam::999988887777:role/retirer";

async fn create_key(s: &Server) -> String {
    let r = call(&s.app, "CreateKey", json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body["KeyMetadata"]["KeyId"].as_str().unwrap().to_owned()
}

async fn ok(s: &Server, operation: &str, body: Value) -> Value {
    let r = call(&s.app, operation, body).await;
    assert_eq!(r.status, StatusCode::OK, "{operation}: {}", r.body);
    r.body
}

#[tokio::test]
async fn create_list_retire_and_revoke_on_the_wire() {
    let s = server();
    let key = create_key(&s).await;
    let arn = format!("arn:aws:kms:{REGION}:{ACCOUNT}:key/{key}");
    let created = ok(
        &s,
        "CreateGrant",
        json!({"KeyId": key, "GranteePrincipal": GRANTEE, "RetiringPrincipal": RETIRER,
               "Operations": ["Decrypt", "Encrypt"], "Name": "app:1/x_y-z",
               "Constraints": {"EncryptionContextSubset": {"app": "x"}}}),
    )
    .await;
    let members: Vec<&String> = created.as_object().unwrap().keys().collect();
    assert_eq!(members, ["GrantToken", "GrantId"]);
    let grant_id = created["GrantId"].as_str().unwrap().to_owned();
    let token = created["GrantToken"].as_str().unwrap().to_owned();

    let listed = ok(&s, "ListGrants", json!({"KeyId": arn})).await;
    assert_eq!(
        listed,
        json!({"Grants": [{
            "KeyId": arn,
            "GrantId": grant_id,
            "Name": "app:1/x_y-z",
            "CreationDate": listed["Grants"][0]["CreationDate"],
            "GranteePrincipal": GRANTEE,
            "RetiringPrincipal": RETIRER,
            "IssuingAccount": format!("arn:aws:iam::{ACCOUNT}:root"),
            "Operations": ["Decrypt", "Encrypt"],
            "Constraints": {"EncryptionContextSubset": {"app": "x"}},
        }], "Truncated": false})
    );
    assert!(listed["Grants"][0]["CreationDate"].is_f64());

    let second = ok(
        &s,
        "CreateGrant",
        json!({"KeyId": key, "GranteePrincipal": GRANTEE, "Operations": ["DescribeKey"]}),
    )
    .await;
    let page = ok(&s, "ListGrants", json!({"KeyId": key, "Limit": 1})).await;
    assert_eq!(page["Truncated"], true);
    assert_eq!(page["Grants"].as_array().unwrap().len(), 1);
    let rest = ok(&s, "ListGrants", json!({"KeyId": key, "Marker": page["NextMarker"]})).await;
    assert_eq!(rest["Truncated"], false);
    assert_eq!(rest["Grants"].as_array().unwrap().len(), 1);
    let one = ok(&s, "ListGrants", json!({"KeyId": key, "GrantId": second["GrantId"]})).await;
    assert_eq!(one["Grants"][0]["Operations"], json!(["DescribeKey"]));
    assert!(one["Grants"][0].get("Constraints").is_none());
    assert!(one["Grants"][0].get("Name").is_none());

    let r = call(&s.app, "ListRetirableGrants", json!({"RetiringPrincipal": RETIRER})).await;
    assert_eq!(
        error_of(&r),
        (
            "AccessDeniedException".into(),
            Some(format!(
                "User: arn:aws:iam::{ACCOUNT}:root is not authorized to perform: kms:ListRetirableGrants on resource: {RETIRER} because the kms:ListRetirableGrants action cannot be performed on a resource in another account"
            ))
        )
    );
    let mine = format!("arn:aws:iam::{ACCOUNT}:root");
    let retirable = ok(&s, "ListRetirableGrants", json!({"RetiringPrincipal": mine})).await;
    assert_eq!(retirable, json!({"Grants": [], "Truncated": false}));

    // Tokens of the right form are accepted with a request; others are refused.
    let r = ok(
        &s,
        "Encrypt",
        json!({"KeyId": key, "Plaintext": "eA==", "GrantTokens": [token.clone()]}),
    )
    .await;
    assert!(r["CiphertextBlob"].is_string());
    let r = call(
        &s.app,
        "Encrypt",
        json!({"KeyId": key, "Plaintext": "eA==", "GrantTokens": ["bogus"]}),
    )
    .await;
    assert_eq!(
        error_of(&r),
        (
            "InvalidGrantTokenException".into(),
            Some("The request was rejected because the specified grant token is not valid.".into())
        )
    );
    let r = call(&s.app, "DescribeKey", json!({"KeyId": key, "GrantTokens": ["bogus"]})).await;
    assert_eq!(error_of(&r).0, "InvalidGrantTokenException");

    assert_eq!(ok(&s, "RetireGrant", json!({"GrantToken": token})).await, json!({}));
    assert_eq!(
        ok(&s, "RevokeGrant", json!({"KeyId": key, "GrantId": second["GrantId"]})).await,
        json!({})
    );
    assert_eq!(
        ok(&s, "ListGrants", json!({"KeyId": key})).await,
        json!({"Grants": [], "Truncated": false})
    );
    let r = call(&s.app, "RevokeGrant", json!({"KeyId": key, "GrantId": second["GrantId"]})).await;
    assert_eq!(
        error_of(&r),
        (
            "InvalidGrantIdException".into(),
            Some("The request was rejected because the specified GrantId is not valid.".into())
        )
    );
    let r =
        call(&s.app, "RevokeGrant", json!({"KeyId": key, "GrantId": "g", "DryRun": true})).await;
    assert_eq!(error_of(&r).0, "InvalidGrantIdException");

    // The trail records the grant's parameters and id, never a token.
    let events = s.audit.0.lock().unwrap().clone();
    let create = events.iter().find(|e| e["eventName"] == "CreateGrant").unwrap();
    assert_eq!(create["responseElements"], json!({"grantId": grant_id, "keyId": arn}));
    assert_eq!(create["requestParameters"]["granteePrincipal"], GRANTEE);
    let text = serde_json::to_string(&events).unwrap();
    assert!(!text.contains(&token), "a grant token is in the audit trail");
}

#[tokio::test]
async fn the_model_constraints_of_the_grant_operations() {
    let s = server();
    let key = create_key(&s).await;
    let refused = |r: &crate::harness::Reply| error_of(r);
    let r = call(&s.app, "CreateGrant", json!({"KeyId": key})).await;
    assert_eq!(
        refused(&r).1.unwrap(),
        "2 validation errors detected: Value null at 'granteePrincipal' failed to satisfy constraint: Member must not be null; \
Value null at 'operations' failed to satisfy constraint: Member must not be null"
    );
    let r = call(
        &s.app,
        "CreateGrant",
        json!({"KeyId": key, "GranteePrincipal": "a b", "Operations": ["Decrypt"], "Name": "n.1"}),
    )
    .await;
    assert_eq!(
        refused(&r).1.unwrap(),
        "2 validation errors detected: Value 'a b' at 'granteePrincipal' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[\\w+=,.@:/-]+$; \
Value 'n.1' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$"
    );
    let r = call(
        &s.app,
        "CreateGrant",
        json!({"KeyId": key, "GranteePrincipal": GRANTEE, "Operations": ["Decrypt", "Nope"]}),
    )
    .await;
    let (code, message) = refused(&r);
    assert_eq!(code, "ValidationException");
    assert!(message.unwrap().contains("Value '[Decrypt, Nope]' at 'operations' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [Decrypt, Encrypt, GenerateDataKey, GenerateDataKeyWithoutPlaintext, ReEncryptFrom, ReEncryptTo, Sign, Verify, GetPublicKey, CreateGrant, RetireGrant, DescribeKey, GenerateDataKeyPair, GenerateDataKeyPairWithoutPlaintext, GenerateMac, VerifyMac, DeriveSharedSecret]]"));
    let r = call(
        &s.app,
        "CreateGrant",
        json!({"KeyId": key, "GranteePrincipal": "arn:aws:iam::999988887777:group/g", "Operations": ["Decrypt"]}),
    )
    .await;
    assert_eq!(
        refused(&r),
        (
            "InvalidArnException".into(),
            Some(
                "ARN does not refer to a valid principal: arn:aws:iam::999988887777:group/g".into()
            )
        )
    );
    let r = call(
        &s.app,
        "CreateGrant",
        json!({"KeyId": key, "GranteePrincipal": GRANTEE, "Operations": ["Decrypt"], "DryRun": true}),
    )
    .await;
    assert_eq!(refused(&r).0, "DryRunOperationException");
    let r = call(&s.app, "RetireGrant", json!({})).await;
    assert_eq!(
        refused(&r),
        (
            "ValidationException".into(),
            Some("Grant token OR (grant ID, key ID) must be specified".into())
        )
    );
    let r = call(&s.app, "RevokeGrant", json!({"KeyId": key})).await;
    assert_eq!(
        refused(&r).1.unwrap(),
        "1 validation error detected: Value null at 'grantId' failed to satisfy constraint: Member must not be null"
    );
    let r = call(&s.app, "ListGrants", json!({"KeyId": key, "Limit": 0})).await;
    assert_eq!(refused(&r).0, "ValidationException");
    let r = call(&s.app, "ListRetirableGrants", json!({})).await;
    assert_eq!(
        refused(&r).1.unwrap(),
        "1 validation error detected: Value null at 'retiringPrincipal' failed to satisfy constraint: Member must not be null"
    );
    let r = call(&s.app, "ListGrants", json!({"KeyId": "alias/nope"})).await;
    assert_eq!(
        refused(&r),
        ("NotFoundException".into(), Some("Invalid keyId 'alias/nope'".into()))
    );
}

#[tokio::test]
async fn get_public_key_checks_its_grant_tokens() {
    let s = server();
    let key = ok(&s, "CreateKey", json!({"KeySpec": "ECC_NIST_P256", "KeyUsage": "SIGN_VERIFY"}))
        .await["KeyMetadata"]["KeyId"]
        .as_str()
        .unwrap()
        .to_owned();
    let grant = ok(
        &s,
        "CreateGrant",
        json!({"KeyId": key, "GranteePrincipal": GRANTEE, "Operations": ["GetPublicKey"]}),
    )
    .await;
    let with_token =
        ok(&s, "GetPublicKey", json!({"KeyId": key, "GrantTokens": [grant["GrantToken"]]})).await;
    assert_eq!(with_token, ok(&s, "GetPublicKey", json!({"KeyId": key})).await);
    let r =
        call(&s.app, "GetPublicKey", json!({"KeyId": key, "GrantTokens": ["not-a-token"]})).await;
    assert_eq!(
        error_of(&r),
        (
            "InvalidGrantTokenException".into(),
            Some("The request was rejected because the specified grant token is not valid.".into())
        )
    );
}
