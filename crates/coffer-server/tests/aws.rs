//! The AWS KMS front door over a real service: signatures, errors as AWS sends them, and
//! every wired operation once.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use crate::harness::{
    ACCESS_KEY, ACCOUNT, NOW_SECS, REGION, Signer, call, error_of, send, server, sign_request,
    system_clock_server,
};

const MISMATCH: &str = "The request signature we calculated does not match the signature you provided. \
Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

fn b64(b: &[u8]) -> String {
    STANDARD.encode(b)
}

#[expect(clippy::unwrap_used, reason = "a blob that is not base64 fails the test")]
fn unb64(v: &Value) -> Vec<u8> {
    STANDARD.decode(v.as_str().unwrap()).unwrap()
}

fn key_arn(id: &str) -> String {
    format!("arn:aws:kms:{REGION}:{ACCOUNT}:key/{id}")
}

#[expect(clippy::unwrap_used, reason = "a key that cannot be created fails the test")]
async fn create_key(app: &axum::Router) -> (String, String) {
    let r = call(app, "CreateKey", json!({"Description": "test key"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let m = &r.body["KeyMetadata"];
    (m["KeyId"].as_str().unwrap().to_owned(), m["Arn"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn health_is_ok() {
    let s = server();
    let r = send(&s.app, Request::get("/health").body(Body::empty()).unwrap()).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body, json!({"status": "ok"}));
}

#[tokio::test]
async fn create_and_describe_a_key() {
    let s = server();
    let r = call(&s.app, "CreateKey", json!({"Description": "test key 123"})).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers["content-type"], "application/x-amz-json-1.1");
    assert!(r.headers.contains_key("x-amzn-requestid"));
    let m = r.body["KeyMetadata"].clone();
    let id = m["KeyId"].as_str().unwrap().to_owned();
    assert_eq!(id.len(), 36);
    let mut expected = json!({
        "AWSAccountId": ACCOUNT,
        "KeyId": id,
        "Arn": key_arn(&id),
        "CreationDate": NOW_SECS as f64,
        "Enabled": true,
        "Description": "test key 123",
        "KeyUsage": "ENCRYPT_DECRYPT",
        "KeyState": "Enabled",
        "Origin": "AWS_KMS",
        "KeyManager": "CUSTOMER",
        "CustomerMasterKeySpec": "SYMMETRIC_DEFAULT",
        "KeySpec": "SYMMETRIC_DEFAULT",
        "EncryptionAlgorithms": ["SYMMETRIC_DEFAULT"],
        "MultiRegion": false,
        "CurrentKeyMaterialId": format!("{}{}", id.replace('-', ""), "0".repeat(32)),
    });
    assert_eq!(m, expected);
    for by in [id.clone(), key_arn(&id)] {
        let d = call(&s.app, "DescribeKey", json!({"KeyId": by})).await;
        assert_eq!(d.status, StatusCode::OK);
        assert_eq!(d.body["KeyMetadata"], expected);
    }
    // Pending deletion: the two members AWS adds then.
    let del =
        call(&s.app, "ScheduleKeyDeletion", json!({"KeyId": id, "PendingWindowInDays": 7})).await;
    assert_eq!(
        del.body,
        json!({"KeyId": key_arn(&id), "DeletionDate": (NOW_SECS + 7 * 86_400) as f64,
               "KeyState": "PendingDeletion", "PendingWindowInDays": 7})
    );
    let d = call(&s.app, "DescribeKey", json!({"KeyId": id})).await;
    expected["Enabled"] = json!(false);
    expected["KeyState"] = json!("PendingDeletion");
    expected["DeletionDate"] = json!((NOW_SECS + 7 * 86_400) as f64);
    expected["PendingDeletionWindowInDays"] = json!(7);
    assert_eq!(d.body["KeyMetadata"], expected);
    let c = call(&s.app, "CancelKeyDeletion", json!({"KeyId": id})).await;
    assert_eq!(c.body, json!({"KeyId": key_arn(&id)}));
}

#[tokio::test]
async fn encrypt_decrypt_round_trip_with_arns() {
    let s = server();
    let (id, arn) = create_key(&s.app).await;
    let ctx = json!({"purpose": "test"});
    let e = call(
        &s.app,
        "Encrypt",
        json!({"KeyId": id, "Plaintext": b64(b"hello, coffer"), "EncryptionContext": ctx}),
    )
    .await;
    assert_eq!(e.status, StatusCode::OK, "{}", e.body);
    assert_eq!(e.body["KeyId"], arn.as_str());
    assert_eq!(e.body["EncryptionAlgorithm"], "SYMMETRIC_DEFAULT");
    let blob = e.body["CiphertextBlob"].as_str().unwrap().to_owned();

    let d =
        call(&s.app, "Decrypt", json!({"CiphertextBlob": blob, "EncryptionContext": ctx})).await;
    assert_eq!(d.status, StatusCode::OK, "{}", d.body);
    assert_eq!(unb64(&d.body["Plaintext"]), b"hello, coffer");
    assert_eq!(d.body["KeyId"], arn.as_str());
    assert_eq!(d.body["EncryptionAlgorithm"], "SYMMETRIC_DEFAULT");

    // The wrong context: InvalidCiphertextException, with no message at all.
    let bad = call(
        &s.app,
        "Decrypt",
        json!({"CiphertextBlob": blob, "EncryptionContext": {"purpose": "other"}}),
    )
    .await;
    assert_eq!(bad.body, json!({"__type": "InvalidCiphertextException"}));

    // The audit trail has the calls, never the plaintext.
    let events = s.audit.0.lock().unwrap().clone();
    let text = serde_json::to_string(&events).unwrap();
    assert!(!text.contains(&b64(b"hello, coffer")), "{text}");
    let decrypt = events.iter().filter(|e| e["eventName"] == "Decrypt").collect::<Vec<_>>();
    assert_eq!(decrypt.len(), 2);
    assert_eq!(decrypt[0]["sourceIPAddress"], "192.0.2.10");
    assert_eq!(decrypt[0]["awsRegion"], REGION);
    assert_eq!(decrypt[0]["requestParameters"]["encryptionContext"], ctx);
    assert_eq!(decrypt[1]["errorCode"], "InvalidCiphertextException");
    assert_eq!(decrypt[0]["resources"][0]["ARN"], arn.as_str());
}

#[tokio::test]
async fn signed_now_on_the_system_clock() {
    let app = system_clock_server();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap();
    let signer = Signer { at_secs: i64::try_from(now.as_secs()).unwrap(), ..Signer::default() };
    let r = send(&app, sign_request("TrentService.CreateKey", b"{}", Some(&signer))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let stale = Signer { at_secs: signer.at_secs - 3600, ..signer };
    let r = send(&app, sign_request("TrentService.ListKeys", b"{}", Some(&stale))).await;
    assert!(error_of(&r).1.unwrap().starts_with("Signature expired: "));
}

#[tokio::test]
async fn unknown_access_key() {
    let s = server();
    let signer = Signer { access_key: "AKIAUNKNOWNUNKNOWN00".into(), ..Signer::default() };
    let r = send(&s.app, sign_request("TrentService.ListKeys", b"{}", Some(&signer))).await;
    assert_eq!(
        error_of(&r),
        (
            "UnrecognizedClientException".into(),
            Some("The security token included in the request is invalid.".into())
        )
    );
}

#[tokio::test]
async fn wrong_signature() {
    let s = server();
    let signer = Signer { secret: "not-the-secret".into(), ..Signer::default() };
    let r = send(&s.app, sign_request("TrentService.ListKeys", b"{}", Some(&signer))).await;
    assert_eq!(error_of(&r), ("InvalidSignatureException".into(), Some(MISMATCH.into())));

    // A body changed after signing.
    let mut req = sign_request("TrentService.ListKeys", b"{}", Some(&Signer::default()));
    *req.body_mut() = Body::from("{\"Limit\": 5}");
    let r = send(&s.app, req).await;
    assert_eq!(error_of(&r), ("InvalidSignatureException".into(), Some(MISMATCH.into())));
}

#[tokio::test]
async fn missing_and_malformed_authorization() {
    let s = server();
    let r = send(&s.app, sign_request("TrentService.ListKeys", b"{}", None)).await;
    assert_eq!(
        error_of(&r),
        ("MissingAuthenticationTokenException".into(), Some("Missing Authentication Token".into()))
    );

    let mut req = sign_request("TrentService.ListKeys", b"{}", None);
    let value =
        format!("AWS4-HMAC-SHA256 Credential={ACCESS_KEY}/20261123/us-east-1/kms/aws4_request");
    req.headers_mut().insert("authorization", value.parse().unwrap());
    let r = send(&s.app, req).await;
    assert_eq!(
        error_of(&r),
        (
            "IncompleteSignatureException".into(),
            Some(format!(
                "Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization={value}"
            ))
        )
    );

    let signer = Signer { service: "s3".into(), ..Signer::default() };
    let r = send(&s.app, sign_request("TrentService.ListKeys", b"{}", Some(&signer))).await;
    assert_eq!(
        error_of(&r),
        (
            "InvalidSignatureException".into(),
            Some("Credential should be scoped to correct service: 'kms'.".into())
        )
    );
}

#[tokio::test]
async fn clock_skew_beyond_fifteen_minutes() {
    let s = server();
    // 15 minutes either way is accepted.
    for at in [NOW_SECS - 900, NOW_SECS + 900] {
        let signer = Signer { at_secs: at, ..Signer::default() };
        let r = send(&s.app, sign_request("TrentService.ListKeys", b"{}", Some(&signer))).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    let signer = Signer { at_secs: NOW_SECS - 16 * 60, ..Signer::default() };
    let r = send(&s.app, sign_request("TrentService.ListKeys", b"{}", Some(&signer))).await;
    assert_eq!(
        error_of(&r),
        (
            "InvalidSignatureException".into(),
            Some("Signature expired: 20261123T151044Z is now earlier than 20261123T151144Z (20261123T152644Z - 15 min.)".into())
        )
    );
    let signer = Signer { at_secs: NOW_SECS + 16 * 60, ..Signer::default() };
    let r = send(&s.app, sign_request("TrentService.ListKeys", b"{}", Some(&signer))).await;
    assert_eq!(
        error_of(&r),
        (
            "InvalidSignatureException".into(),
            Some("Signature not yet current: 20261123T154244Z is still later than 20261123T154144Z (20261123T152644Z + 15 min.)".into())
        )
    );
    // The server's clock is the service's: moving it makes an old signature good.
    s.clock.advance_millis(-16 * 60 * 1000);
    let signer = Signer { at_secs: NOW_SECS - 16 * 60, ..Signer::default() };
    let r = send(&s.app, sign_request("TrentService.ListKeys", b"{}", Some(&signer))).await;
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test]
async fn unknown_and_unsupported_operations() {
    let s = server();
    let r = call(&s.app, "Frobnicate", json!({})).await;
    assert_eq!(r.body, json!({"__type": "UnknownOperationException"}));
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r =
        send(&s.app, sign_request("DynamoDB_20120810.ListTables", b"{}", Some(&Signer::default())))
            .await;
    assert_eq!(error_of(&r).0, "UnknownOperationException");

    // A real AWS operation this server does not implement.
    let r = call(&s.app, "UpdatePrimaryRegion", json!({"KeyId": "k"})).await;
    assert_eq!(
        error_of(&r),
        (
            "UnsupportedOperationException".into(),
            Some("UpdatePrimaryRegion is not supported by this server.".into())
        )
    );

    let r = send(&s.app, Request::get("/nowhere").body(Body::empty()).unwrap()).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.body, json!({"__type": "UnknownOperationException"}));
    let r = send(&s.app, Request::get("/").body(Body::empty()).unwrap()).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn malformed_bodies() {
    let s = server();
    for body in [&b"{not json"[..], b"[1, 2]", b"\"x\""] {
        let r = send(&s.app, sign_request("TrentService.ListKeys", body, Some(&Signer::default())))
            .await;
        assert_eq!(r.body, json!({"__type": "SerializationException"}), "{body:?}");
    }
    let r = call(&s.app, "ListKeys", json!({"Limit": "ten"})).await;
    assert_eq!(error_of(&r).0, "SerializationException");
    let r =
        call(&s.app, "Encrypt", json!({"KeyId": "alias/x", "Plaintext": "%%% not base64"})).await;
    assert_eq!(error_of(&r).0, "SerializationException");

    // An empty body is an empty input, as for operations without members.
    let r =
        send(&s.app, sign_request("TrentService.ListKeys", b"", Some(&Signer::default()))).await;
    assert_eq!(r.status, StatusCode::OK);

    let big = vec![b' '; coffer_server::MAX_BODY_BYTES + 1];
    let r =
        send(&s.app, sign_request("TrentService.ListKeys", &big, Some(&Signer::default()))).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(r.body["__type"], "RequestEntityTooLargeException");
}

#[tokio::test]
async fn model_constraints_before_the_service() {
    let s = server();
    let r = call(&s.app, "DescribeKey", json!({})).await;
    assert_eq!(
        error_of(&r),
        (
            "ValidationException".into(),
            Some("1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null".into())
        )
    );
    let r = call(&s.app, "Encrypt", json!({})).await;
    assert_eq!(
        error_of(&r).1.unwrap(),
        "2 validation errors detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null; \
Value null at 'plaintext' failed to satisfy constraint: Member must not be null"
    );
    let r = call(&s.app, "DescribeKey", json!({"KeyId": ""})).await;
    assert_eq!(
        error_of(&r).1.unwrap(),
        "1 validation error detected: Value '' at 'keyId' failed to satisfy constraint: Member must have length greater than or equal to 1"
    );
    let r = call(&s.app, "GenerateRandom", json!({"NumberOfBytes": 1025})).await;
    assert_eq!(
        error_of(&r).1.unwrap(),
        "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024"
    );
    let r = call(&s.app, "GenerateRandom", json!({})).await;
    assert_eq!(
        error_of(&r),
        ("ValidationException".into(), Some("NumberOfBytes is required.".into()))
    );
}

#[tokio::test]
async fn not_found_with_aws_message() {
    let s = server();
    let id = uuid::Uuid::new_v4().to_string();
    let r = call(&s.app, "DescribeKey", json!({"KeyId": id})).await;
    assert_eq!(
        error_of(&r),
        ("NotFoundException".into(), Some(format!("Key '{}' does not exist", key_arn(&id))))
    );
    let r = call(&s.app, "DescribeKey", json!({"KeyId": "fake-key-id"})).await;
    assert_eq!(
        error_of(&r),
        ("NotFoundException".into(), Some("Invalid keyId 'fake-key-id'".into()))
    );
    let events = s.audit.0.lock().unwrap().clone();
    assert_eq!(events.last().unwrap()["errorCode"], "NotFoundException");
    assert_eq!(events.last().unwrap()["errorMessage"], "Invalid keyId 'fake-key-id'");
}

#[tokio::test]
async fn key_states_on_the_wire() {
    let s = server();
    let (id, arn) = create_key(&s.app).await;
    assert_eq!(call(&s.app, "DisableKey", json!({"KeyId": id})).await.body, json!({}));
    let r = call(&s.app, "Encrypt", json!({"KeyId": id, "Plaintext": b64(b"x")})).await;
    assert_eq!(error_of(&r), ("DisabledException".into(), Some(format!("{arn} is disabled."))));
    assert_eq!(call(&s.app, "EnableKey", json!({"KeyId": id})).await.status, StatusCode::OK);
    let r = call(&s.app, "UpdateKeyDescription", json!({"KeyId": id, "Description": "new"})).await;
    assert_eq!(r.status, StatusCode::OK);
    let d = call(&s.app, "DescribeKey", json!({"KeyId": arn})).await;
    assert_eq!(d.body["KeyMetadata"]["Description"], "new");
    let r =
        call(&s.app, "Encrypt", json!({"KeyId": id, "Plaintext": b64(b"x"), "DryRun": true})).await;
    assert_eq!(
        error_of(&r),
        (
            "DryRunOperationException".into(),
            Some("The request would have succeeded, but the DryRun option is set.".into())
        )
    );
}

#[tokio::test]
async fn listings_and_aliases() {
    let s = server();
    let (id1, arn1) = create_key(&s.app).await;
    let (id2, _) = create_key(&s.app).await;
    let r = call(&s.app, "ListKeys", json!({"Limit": 1})).await;
    assert_eq!(r.body["Truncated"], true);
    assert_eq!(r.body["Keys"].as_array().unwrap().len(), 1);
    let next = call(&s.app, "ListKeys", json!({"Marker": r.body["NextMarker"]})).await;
    assert_eq!(next.body["Truncated"], false);
    assert!(next.body.get("NextMarker").is_none());
    let all: Vec<Value> = [r.body["Keys"][0].clone(), next.body["Keys"][0].clone()].into();
    for e in &all {
        assert_eq!(e["KeyArn"], key_arn(e["KeyId"].as_str().unwrap()));
    }

    assert_eq!(
        call(&s.app, "CreateAlias", json!({"AliasName": "alias/one", "TargetKeyId": id1}))
            .await
            .body,
        json!({})
    );
    let r = call(&s.app, "CreateAlias", json!({"AliasName": "one", "TargetKeyId": id1})).await;
    assert_eq!(
        error_of(&r).1.unwrap(),
        "Alias must start with the prefix \"alias/\". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html"
    );
    let r =
        call(&s.app, "CreateAlias", json!({"AliasName": "alias/one", "TargetKeyId": id2})).await;
    assert_eq!(error_of(&r).0, "AlreadyExistsException");
    let e = call(&s.app, "Encrypt", json!({"KeyId": "alias/one", "Plaintext": b64(b"x")})).await;
    assert_eq!(e.body["KeyId"], arn1.as_str());
    let l = call(&s.app, "ListAliases", json!({"KeyId": id1})).await;
    assert_eq!(l.body["Truncated"], false);
    let a = &l.body["Aliases"][0];
    assert_eq!(a["AliasName"], "alias/one");
    assert_eq!(a["AliasArn"], format!("arn:aws:kms:{REGION}:{ACCOUNT}:alias/one"));
    assert_eq!(a["TargetKeyId"], id1.as_str());
    assert_eq!(a["CreationDate"], NOW_SECS as f64);
    assert_eq!(
        call(&s.app, "UpdateAlias", json!({"AliasName": "alias/one", "TargetKeyId": id2}))
            .await
            .status,
        StatusCode::OK
    );
    let l = call(&s.app, "ListAliases", json!({})).await;
    assert_eq!(l.body["Aliases"][0]["TargetKeyId"], id2.as_str());
    assert_eq!(
        call(&s.app, "DeleteAlias", json!({"AliasName": "alias/one"})).await.status,
        StatusCode::OK
    );
    let r = call(&s.app, "DeleteAlias", json!({"AliasName": "alias/one"})).await;
    assert_eq!(error_of(&r).0, "NotFoundException");
}

#[tokio::test]
async fn data_keys_random_and_re_encrypt() {
    let s = server();
    let (id1, arn1) = create_key(&s.app).await;
    let (id2, arn2) = create_key(&s.app).await;
    let g = call(&s.app, "GenerateDataKey", json!({"KeyId": id1, "KeySpec": "AES_256"})).await;
    assert_eq!(g.status, StatusCode::OK, "{}", g.body);
    assert_eq!(g.body["KeyId"], arn1.as_str());
    let data_key = unb64(&g.body["Plaintext"]);
    assert_eq!(data_key.len(), 32);
    assert!(g.body["KeyMaterialId"].is_string());
    let d =
        call(&s.app, "Decrypt", json!({"CiphertextBlob": g.body["CiphertextBlob"], "KeyId": arn1}))
            .await;
    assert_eq!(unb64(&d.body["Plaintext"]), data_key);

    let w =
        call(&s.app, "GenerateDataKeyWithoutPlaintext", json!({"KeyId": id1, "NumberOfBytes": 16}))
            .await;
    assert_eq!(w.status, StatusCode::OK, "{}", w.body);
    assert!(w.body.get("Plaintext").is_none());
    assert_eq!(w.body["KeyId"], arn1.as_str());

    let r = call(
        &s.app,
        "ReEncrypt",
        json!({"CiphertextBlob": w.body["CiphertextBlob"], "DestinationKeyId": id2}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["SourceKeyId"], arn1.as_str());
    assert_eq!(r.body["KeyId"], arn2.as_str());
    assert_eq!(r.body["SourceEncryptionAlgorithm"], "SYMMETRIC_DEFAULT");
    assert_eq!(r.body["DestinationEncryptionAlgorithm"], "SYMMETRIC_DEFAULT");
    let d = call(&s.app, "Decrypt", json!({"CiphertextBlob": r.body["CiphertextBlob"]})).await;
    assert_eq!(unb64(&d.body["Plaintext"]).len(), 16);
    assert_eq!(d.body["KeyId"], arn2.as_str());
    let wrong =
        call(&s.app, "Decrypt", json!({"CiphertextBlob": r.body["CiphertextBlob"], "KeyId": id1}))
            .await;
    assert_eq!(
        error_of(&wrong),
        (
            "IncorrectKeyException".into(),
            Some("The key ID in the request does not identify a CMK that can perform this operation.".into())
        )
    );

    let n = call(&s.app, "GenerateRandom", json!({"NumberOfBytes": 44})).await;
    assert_eq!(unb64(&n.body["Plaintext"]).len(), 44);
    let text = serde_json::to_string(&*s.audit.0.lock().unwrap()).unwrap();
    assert!(!text.contains(n.body["Plaintext"].as_str().unwrap()));
    assert!(!text.contains(g.body["Plaintext"].as_str().unwrap()));
}

#[tokio::test]
async fn tags_policies_and_rotation() {
    let s = server();
    let (id, arn) = create_key(&s.app).await;
    let t = call(&s.app, "TagResource", json!({"KeyId": id, "Tags": [{"TagKey": "b", "TagValue": "2"}, {"TagKey": "a", "TagValue": "1"}]})).await;
    assert_eq!(t.status, StatusCode::OK, "{}", t.body);
    let l = call(&s.app, "ListResourceTags", json!({"KeyId": id})).await;
    assert_eq!(
        l.body,
        json!({"Tags": [{"TagKey": "a", "TagValue": "1"}, {"TagKey": "b", "TagValue": "2"}], "Truncated": false})
    );
    let r = call(
        &s.app,
        "TagResource",
        json!({"KeyId": id, "Tags": [{"TagKey": "aws:x", "TagValue": "1"}]}),
    )
    .await;
    assert_eq!(
        error_of(&r),
        ("TagException".into(), Some("Tags beginning with aws: are reserved".into()))
    );
    assert_eq!(
        call(&s.app, "UntagResource", json!({"KeyId": id, "TagKeys": ["a"]})).await.status,
        StatusCode::OK
    );
    let l = call(&s.app, "ListResourceTags", json!({"KeyId": id})).await;
    assert_eq!(l.body["Tags"], json!([{"TagKey": "b", "TagValue": "2"}]));

    let p = call(&s.app, "GetKeyPolicy", json!({"KeyId": id})).await;
    assert_eq!(p.body["PolicyName"], "default");
    let policy: Value = serde_json::from_str(p.body["Policy"].as_str().unwrap()).unwrap();
    assert_eq!(policy["Statement"][0]["Principal"]["AWS"], format!("arn:aws:iam::{ACCOUNT}:root"));
    let lp = call(&s.app, "ListKeyPolicies", json!({"KeyId": id})).await;
    assert_eq!(lp.body, json!({"PolicyNames": ["default"], "Truncated": false}));
    let put = call(
        &s.app,
        "PutKeyPolicy",
        json!({"KeyId": id, "Policy": p.body["Policy"], "PolicyName": "default"}),
    )
    .await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.body);
    let bad = call(&s.app, "PutKeyPolicy", json!({"KeyId": id, "Policy": "{not a policy"})).await;
    assert_eq!(error_of(&bad).0, "MalformedPolicyDocumentException");

    let st = call(&s.app, "GetKeyRotationStatus", json!({"KeyId": id})).await;
    assert_eq!(st.body, json!({"KeyRotationEnabled": false, "KeyId": arn}));
    let en =
        call(&s.app, "EnableKeyRotation", json!({"KeyId": id, "RotationPeriodInDays": 90})).await;
    assert_eq!(en.status, StatusCode::OK, "{}", en.body);
    let st = call(&s.app, "GetKeyRotationStatus", json!({"KeyId": id})).await;
    assert_eq!(st.body["KeyRotationEnabled"], true);
    assert_eq!(st.body["RotationPeriodInDays"], 90);
    assert_eq!(st.body["NextRotationDate"], (NOW_SECS + 90 * 86_400) as f64);
    let ro = call(&s.app, "RotateKeyOnDemand", json!({"KeyId": id})).await;
    assert_eq!(ro.body, json!({"KeyId": arn}));
    let lr = call(&s.app, "ListKeyRotations", json!({"KeyId": id})).await;
    assert_eq!(lr.body["Truncated"], false);
    let rot = &lr.body["Rotations"][0];
    assert_eq!(rot["KeyId"], arn.as_str());
    assert_eq!(rot["RotationType"], "ON_DEMAND");
    assert_eq!(rot["KeyMaterialState"], "CURRENT");
    assert_eq!(
        call(&s.app, "DisableKeyRotation", json!({"KeyId": id})).await.status,
        StatusCode::OK
    );
}

const INVALID_MARKER: &str = "The request was rejected because the marker that specifies where pagination should next begin is not valid.";

#[tokio::test]
async fn listings_refuse_markers_they_did_not_hand_out() {
    let s = server();
    let (id, _) = create_key(&s.app).await;
    create_key(&s.app).await;
    for i in 0..2 {
        let alias = json!({"AliasName": format!("alias/m-{i}"), "TargetKeyId": id});
        assert_eq!(call(&s.app, "CreateAlias", alias).await.status, StatusCode::OK);
        let tag = json!({"KeyId": id, "Tags": [{"TagKey": format!("t{i}"), "TagValue": "v"}]});
        assert_eq!(call(&s.app, "TagResource", tag).await.status, StatusCode::OK);
        let grant = json!({"KeyId": id, "GranteePrincipal": format!("arn:aws:iam::{ACCOUNT}:root"),
                           "RetiringPrincipal": format!("arn:aws:iam::{ACCOUNT}:root"),
                           "Operations": ["Decrypt"]});
        assert_eq!(call(&s.app, "CreateGrant", grant).await.status, StatusCode::OK);
        assert_eq!(
            call(&s.app, "RotateKeyOnDemand", json!({"KeyId": id})).await.status,
            StatusCode::OK
        );
    }
    let retiring = format!("arn:aws:iam::{ACCOUNT}:root");
    let listings = [
        ("ListKeys", json!({})),
        ("ListAliases", json!({"KeyId": id})),
        ("ListResourceTags", json!({"KeyId": id})),
        ("ListGrants", json!({"KeyId": id})),
        ("ListRetirableGrants", json!({"RetiringPrincipal": retiring})),
        ("ListKeyRotations", json!({"KeyId": id})),
    ];
    let with = |body: &Value, extra: Value| {
        let mut b = body.clone();
        for (k, v) in extra.as_object().unwrap() {
            b[k] = v.clone();
        }
        b
    };
    let mut markers = Vec::new();
    for (op, body) in &listings {
        let first = call(&s.app, op, with(body, json!({"Limit": 1}))).await;
        assert_eq!(first.body["Truncated"], true, "{op}: {}", first.body);
        let marker = first.body["NextMarker"].as_str().unwrap().to_owned();
        let next = call(&s.app, op, with(body, json!({"Limit": 1, "Marker": marker}))).await;
        assert_eq!(next.status, StatusCode::OK, "{op}: {}", next.body);
        for bad in ["AAAA", "not a marker", &format!("{marker}A")] {
            let r = call(&s.app, op, with(body, json!({"Marker": bad}))).await;
            assert_eq!(
                error_of(&r),
                ("InvalidMarkerException".into(), Some(INVALID_MARKER.into())),
                "{op} {bad}"
            );
        }
        markers.push((*op, marker));
    }
    // No listing takes another's marker.
    for (op, body) in &listings {
        for (from, marker) in markers.iter().filter(|(from, _)| from != op) {
            let r = call(&s.app, op, with(body, json!({"Marker": marker}))).await;
            assert_eq!(error_of(&r).0, "InvalidMarkerException", "{op} took {from}'s marker");
        }
    }
    // ListKeyPolicies hands out no marker, so it takes none.
    let r = call(&s.app, "ListKeyPolicies", json!({"KeyId": id, "Marker": "default"})).await;
    assert_eq!(error_of(&r), ("InvalidMarkerException".into(), Some(INVALID_MARKER.into())));
    // The model's pattern comes first.
    let r = call(&s.app, "ListKeys", json!({"Marker": "\u{100}"})).await;
    assert_eq!(
        error_of(&r),
        (
            "ValidationException".into(),
            Some(
                "1 validation error detected: Value '\u{100}' at 'marker' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\u0020-\\u00FF]*"
                    .into()
            )
        )
    );
}

#[tokio::test]
async fn dry_runs_that_ignore_the_ciphertext() {
    let s = server();
    let (id, arn) = create_key(&s.app).await;
    let (other, _) = create_key(&s.app).await;
    const DRY: &str = "The request would have succeeded, but the DryRun option is set.";
    let dry = ("DryRunOperationException".to_owned(), Some(DRY.to_owned()));
    let ignore = json!(["IGNORE_CIPHERTEXT"]);
    // No ciphertext, or one that is not a ciphertext at all: only the permission is checked.
    for body in [
        json!({"KeyId": id, "DryRun": true, "DryRunModifiers": ignore}),
        json!({"KeyId": arn, "DryRun": true, "DryRunModifiers": ignore, "CiphertextBlob": b64(b"junk")}),
    ] {
        assert_eq!(error_of(&call(&s.app, "Decrypt", body).await), dry);
    }
    let body = json!({"SourceKeyId": id, "DestinationKeyId": other, "DryRun": true,
                      "DryRunModifiers": ignore});
    assert_eq!(error_of(&call(&s.app, "ReEncrypt", body).await), dry);

    // The key must then be named.
    let r = call(&s.app, "Decrypt", json!({"DryRun": true, "DryRunModifiers": ignore})).await;
    assert_eq!(
        error_of(&r),
        (
            "ValidationException".into(),
            Some("KeyId is required when DryRunModifiers contains IGNORE_CIPHERTEXT.".into())
        )
    );
    let r = call(
        &s.app,
        "ReEncrypt",
        json!({"DestinationKeyId": other, "DryRun": true, "DryRunModifiers": ignore}),
    )
    .await;
    assert_eq!(
        error_of(&r).1.unwrap(),
        "SourceKeyId is required when DryRunModifiers contains IGNORE_CIPHERTEXT."
    );
    // Modifiers are the model's.
    let r = call(
        &s.app,
        "Decrypt",
        json!({"KeyId": id, "DryRun": true, "DryRunModifiers": ["IGNORE_CIPHERTEXT", "NOPE"]}),
    )
    .await;
    assert_eq!(
        error_of(&r),
        (
            "ValidationException".into(),
            Some("1 validation error detected: Value '[IGNORE_CIPHERTEXT, NOPE]' at 'dryRunModifiers' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [IGNORE_CIPHERTEXT]]".into())
        )
    );
    // Without DryRun the modifier changes nothing: the ciphertext is needed and read.
    let r = call(&s.app, "Decrypt", json!({"KeyId": id, "DryRunModifiers": ignore})).await;
    assert_eq!(
        error_of(&r).1.unwrap(),
        "1 validation error detected: Value at 'ciphertextBlob' failed to satisfy constraint: Member must have length greater than or equal to 1"
    );
    let blob = call(&s.app, "Encrypt", json!({"KeyId": id, "Plaintext": b64(b"x")})).await.body
        ["CiphertextBlob"]
        .clone();
    let r =
        call(&s.app, "Decrypt", json!({"CiphertextBlob": blob, "DryRunModifiers": ignore})).await;
    assert_eq!(unb64(&r.body["Plaintext"]), b"x");
    // A dry run without the modifier still reads the ciphertext.
    let r = call(
        &s.app,
        "Decrypt",
        json!({"KeyId": id, "CiphertextBlob": b64(b"junk"), "DryRun": true}),
    )
    .await;
    assert_eq!(error_of(&r).0, "InvalidCiphertextException");
    // The key's state still counts.
    assert_eq!(call(&s.app, "DisableKey", json!({"KeyId": id})).await.status, StatusCode::OK);
    let r =
        call(&s.app, "Decrypt", json!({"KeyId": id, "DryRun": true, "DryRunModifiers": ignore}))
            .await;
    assert_eq!(error_of(&r), ("DisabledException".into(), Some(format!("{arn} is disabled."))));
}

#[tokio::test]
async fn key_rotations_of_imported_material_on_the_wire() {
    use coffer_crypto::{EncryptionAlgorithm, KeySpec, SystemRandom};
    let s = server();
    let r = call(&s.app, "CreateKey", json!({"Origin": "EXTERNAL"})).await;
    let id = r.body["KeyMetadata"]["KeyId"].as_str().unwrap().to_owned();
    let import = |material: [u8; 32], extra: Value| {
        let app = s.app.clone();
        let id = id.clone();
        async move {
            let p = call(
                &app,
                "GetParametersForImport",
                json!({"KeyId": id, "WrappingAlgorithm": "RSAES_OAEP_SHA_256", "WrappingKeySpec": "RSA_2048"}),
            )
            .await;
            let wrapped = coffer_crypto::asymmetric_encrypt(
                KeySpec::Rsa2048,
                &unb64(&p.body["PublicKey"]),
                EncryptionAlgorithm::RsaesOaepSha256,
                &material,
                &SystemRandom,
            )
            .unwrap();
            let mut body = json!({"KeyId": id, "ImportToken": p.body["ImportToken"],
                                  "EncryptedKeyMaterial": b64(&wrapped)});
            for (k, v) in extra.as_object().unwrap() {
                body[k] = v.clone();
            }
            let r = call(&app, "ImportKeyMaterial", body).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            r.body["KeyMaterialId"].as_str().unwrap().to_owned()
        }
    };
    let valid_to = NOW_SECS + 86_400;
    let first = import(
        [1; 32],
        json!({"ExpirationModel": "KEY_MATERIAL_EXPIRES", "ValidTo": valid_to,
               "KeyMaterialDescription": "first"}),
    )
    .await;
    let second = import(
        [2; 32],
        json!({"ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE", "ImportType": "NEW_KEY_MATERIAL"}),
    )
    .await;
    let r = call(&s.app, "ListKeyRotations", json!({"KeyId": id})).await;
    assert_eq!(r.body, json!({"Rotations": [], "Truncated": false}));
    let r = call(
        &s.app,
        "ListKeyRotations",
        json!({"KeyId": id, "IncludeKeyMaterial": "ALL_KEY_MATERIAL"}),
    )
    .await;
    assert_eq!(
        r.body,
        json!({"Rotations": [
            {"KeyId": key_arn(&id), "KeyMaterialId": first, "KeyMaterialDescription": "first",
             "ImportState": "IMPORTED", "KeyMaterialState": "CURRENT",
             "ExpirationModel": "KEY_MATERIAL_EXPIRES", "ValidTo": valid_to as f64},
            {"KeyId": key_arn(&id), "KeyMaterialId": second, "ImportState": "IMPORTED",
             "KeyMaterialState": "PENDING_ROTATION", "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"},
        ], "Truncated": false})
    );
    assert_eq!(
        call(&s.app, "RotateKeyOnDemand", json!({"KeyId": id})).await.status,
        StatusCode::OK
    );
    let r = call(&s.app, "ListKeyRotations", json!({"KeyId": id})).await;
    assert_eq!(
        r.body,
        json!({"Rotations": [
            {"KeyId": key_arn(&id), "KeyMaterialId": second, "ImportState": "IMPORTED",
             "KeyMaterialState": "CURRENT", "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE",
             "RotationDate": NOW_SECS as f64, "RotationType": "ON_DEMAND"},
        ], "Truncated": false})
    );
}
