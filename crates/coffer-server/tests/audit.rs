//! The audit trail of calls through the front door: each event's `requestParameters` and
//! `responseElements` hold what CloudTrail records for AWS KMS, and never a plaintext or a
//! blob in any form.

#![expect(clippy::unwrap_used, reason = "a call that cannot be made fails the test")]

use axum::http::StatusCode;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use serde_json::{Value, json};

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use coffer_kms::audit::{AuditSink, MemoryAudit};

use crate::harness::{ACCOUNT, Server, call, server, server_with_sink};

/// The events recorded so far.
fn events(s: &Server) -> Vec<Value> {
    s.audit.0.lock().unwrap().clone()
}

/// The last event of an operation.
fn last(s: &Server, operation: &str) -> Value {
    events(s).into_iter().rev().find(|e| e["eventName"] == operation).unwrap()
}

/// Fails if `bytes` appear in the trail raw, as hex or in any base64 alphabet.
fn assert_nowhere(s: &Server, bytes: &[u8], what: &str) {
    let text = serde_json::to_string(&events(s)).unwrap();
    let mut forms = vec![
        hex::encode(bytes),
        STANDARD.encode(bytes),
        STANDARD_NO_PAD.encode(bytes),
        URL_SAFE.encode(bytes),
        URL_SAFE_NO_PAD.encode(bytes),
    ];
    if let Ok(raw) = std::str::from_utf8(bytes) {
        forms.push(raw.to_owned());
    }
    for form in forms {
        assert!(!text.contains(&form), "{what} is in the audit trail as `{form}`: {text}");
    }
}

async fn create_key(s: &Server) -> (String, String) {
    let r = call(
        &s.app,
        "CreateKey",
        json!({"Description": "audited key", "KeyUsage": "ENCRYPT_DECRYPT",
               "Tags": [{"TagKey": "team", "TagValue": "payments"}]}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let m = &r.body["KeyMetadata"];
    (m["KeyId"].as_str().unwrap().to_owned(), m["Arn"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn an_encrypt_event_has_its_key_and_context_and_no_plaintext_in_any_form() {
    let s = server();
    let (id, arn) = create_key(&s).await;
    let plaintext = b"the launch codes are 0000";
    let context = json!({"Department": "Finance", "purpose": "audit-test"});
    let grant = json!({"KeyId": id, "GranteePrincipal": "arn:aws:iam::999988887777:root",
                       "Operations": ["Encrypt"]});
    let token = call(&s.app, "CreateGrant", grant).await.body["GrantToken"].clone();
    let r = call(
        &s.app,
        "Encrypt",
        json!({"KeyId": id, "Plaintext": STANDARD.encode(plaintext),
               "EncryptionContext": context, "GrantTokens": [token]}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let blob = STANDARD.decode(r.body["CiphertextBlob"].as_str().unwrap()).unwrap();

    let e = last(&s, "Encrypt");
    assert_eq!(e["requestParameters"], json!({"keyId": id, "encryptionContext": context}));
    assert_eq!(e["responseElements"], Value::Null, "CloudTrail records no Encrypt response");
    assert_eq!(e["resources"][0]["ARN"], arn.as_str());
    assert_nowhere(&s, plaintext, "the plaintext");
    assert_nowhere(&s, &blob, "the ciphertext");
    assert_nowhere(&s, token.as_str().unwrap().as_bytes(), "the grant token");

    // Decrypt: the context, the algorithm given, no KeyId as none was given; no plaintext.
    let r = call(
        &s.app,
        "Decrypt",
        json!({"CiphertextBlob": STANDARD.encode(&blob), "EncryptionContext": context,
               "EncryptionAlgorithm": "SYMMETRIC_DEFAULT"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let e = last(&s, "Decrypt");
    assert_eq!(
        e["requestParameters"],
        json!({"encryptionContext": context, "encryptionAlgorithm": "SYMMETRIC_DEFAULT"})
    );
    assert_eq!(e["responseElements"], Value::Null);
    assert_eq!(e["resources"][0]["ARN"], arn.as_str());
    assert_nowhere(&s, plaintext, "the plaintext");
    assert_nowhere(&s, &blob, "the ciphertext");
}

#[tokio::test]
async fn a_failed_call_keeps_its_parameters_and_no_plaintext() {
    let s = server();
    let (id, _) = create_key(&s).await;
    call(&s.app, "DisableKey", json!({"KeyId": id})).await;
    let plaintext = b"refused but still secret";
    let r = call(&s.app, "Encrypt", json!({"KeyId": id, "Plaintext": STANDARD.encode(plaintext)}))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let e = last(&s, "Encrypt");
    assert_eq!(e["errorCode"], "DisabledException");
    assert_eq!(e["requestParameters"], json!({"keyId": id}));
    assert_eq!(e["responseElements"], Value::Null);
    assert_nowhere(&s, plaintext, "the plaintext");
}

#[tokio::test]
async fn a_data_key_never_reaches_the_trail() {
    let s = server();
    let (id, _) = create_key(&s).await;
    let r = call(
        &s.app,
        "GenerateDataKey",
        json!({"KeyId": id, "KeySpec": "AES_256", "EncryptionContext": {"k": "v"}}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let e = last(&s, "GenerateDataKey");
    assert_eq!(
        e["requestParameters"],
        json!({"keyId": id, "encryptionContext": {"k": "v"}, "keySpec": "AES_256"})
    );
    assert_eq!(e["responseElements"], Value::Null);
    for member in ["Plaintext", "CiphertextBlob"] {
        let bytes = STANDARD.decode(r.body[member].as_str().unwrap()).unwrap();
        assert_nowhere(&s, &bytes, member);
    }
    let r = call(&s.app, "GenerateRandom", json!({"NumberOfBytes": 32})).await;
    assert_eq!(last(&s, "GenerateRandom")["requestParameters"], json!({"numberOfBytes": 32}));
    assert_nowhere(&s, &STANDARD.decode(r.body["Plaintext"].as_str().unwrap()).unwrap(), "random");
}

#[tokio::test]
async fn create_key_records_its_parameters_and_key_metadata() {
    let s = server();
    let (id, arn) = create_key(&s).await;
    let e = last(&s, "CreateKey");
    assert_eq!(
        e["requestParameters"],
        json!({"description": "audited key", "keyUsage": "ENCRYPT_DECRYPT",
               "tags": [{"tagKey": "team", "tagValue": "payments"}]})
    );
    let m = &e["responseElements"]["keyMetadata"];
    assert_eq!(m["aWSAccountId"], ACCOUNT);
    assert_eq!(m["keyId"], id.as_str());
    assert_eq!(m["arn"], arn.as_str());
    assert_eq!(m["keyState"], "Enabled");
    assert_eq!(m["description"], "audited key");
    // 2026-11-23T15:26:44Z, the harness's clock.
    assert_eq!(m["creationDate"], "Nov 23, 2026, 3:26:44 PM");

    // A read records its parameters and no response.
    call(&s.app, "DescribeKey", json!({"KeyId": arn})).await;
    let e = last(&s, "DescribeKey");
    assert_eq!(e["requestParameters"], json!({"keyId": arn}));
    assert_eq!(e["responseElements"], Value::Null);
    assert_eq!(e["readOnly"], true);

    // A change that returns something records it.
    call(&s.app, "ScheduleKeyDeletion", json!({"KeyId": id, "PendingWindowInDays": 7})).await;
    let e = last(&s, "ScheduleKeyDeletion");
    assert_eq!(e["requestParameters"], json!({"keyId": id, "pendingWindowInDays": 7}));
    assert_eq!(
        e["responseElements"],
        json!({"keyId": arn, "deletionDate": "Nov 30, 2026, 3:26:44 PM",
               "keyState": "PendingDeletion", "pendingWindowInDays": 7})
    );
}

/// A `POST /coffer/simulate` signed with the harness's root key.
fn simulate_request(body: &Value) -> axum::http::Request<axum::body::Body> {
    use coffer_server::aws::sigv4;

    use crate::harness::{ACCESS_KEY, NOW_SECS, REGION, SECRET};

    let bytes = serde_json::to_vec(body).unwrap();
    let amz_date = sigv4::format_amz_date(NOW_SECS);
    let headers: Vec<(String, String)> = vec![
        ("host".into(), "127.0.0.1:8080".into()),
        ("content-type".into(), "application/json".into()),
        ("x-amz-date".into(), amz_date.clone()),
    ];
    let path = coffer_server::admin::SIMULATE_PATH;
    let req = sigv4::Request { method: "POST", path, query: "", headers: &headers, body: &bytes };
    let authorization = sigv4::sign(
        &req,
        &["content-type", "host", "x-amz-date"],
        ACCESS_KEY,
        SECRET.as_bytes(),
        REGION,
        "kms",
        &amz_date,
    );
    let mut builder = axum::http::Request::builder().method("POST").uri(path);
    for (k, v) in &headers {
        builder = builder.header(k, v);
    }
    builder.header("authorization", authorization).body(axum::body::Body::from(bytes)).unwrap()
}

#[tokio::test]
async fn a_simulation_is_audited_as_coffers_own_event() {
    let s = server();
    let (id, arn) = create_key(&s).await;
    let ask = json!({"PrincipalArn": format!("arn:aws:iam::{ACCOUNT}:root"), "Action": "kms:Decrypt",
                     "KeyId": id, "EncryptionContext": {"dept": "it"}});
    let r = crate::harness::send(&s.app, simulate_request(&ask)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let e = last(&s, coffer_server::admin::SIMULATE_EVENT);
    assert_eq!(e["eventSource"], "coffer");
    assert_eq!(e["eventName"], "SimulatePrincipalPolicy");
    assert_eq!(e["readOnly"], true);
    assert_eq!(
        e["requestParameters"],
        json!({"principalArn": format!("arn:aws:iam::{ACCOUNT}:root"), "action": "kms:Decrypt",
               "keyId": id, "encryptionContext": {"dept": "it"}})
    );
    assert_eq!(e["responseElements"], json!({"decision": r.body["decision"]}));
    assert_eq!(
        e["resources"],
        json!([{"accountId": ACCOUNT, "type": "AWS::KMS::Key", "ARN": arn}])
    );
    // The asker's own authorization, not the simulated one.
    let asked = e["additionalEventData"]["authorization"].as_array().unwrap();
    assert_eq!(asked.len(), 1);
    assert_eq!(asked[0]["decision"], "Allow");

    // A refused simulation is recorded with its error.
    let r = crate::harness::send(
        &s.app,
        simulate_request(
            &json!({"PrincipalArn": "arn:aws:iam::111122223333:root", "Action": "kms:Nope"}),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let e = last(&s, coffer_server::admin::SIMULATE_EVENT);
    assert_eq!(e["errorCode"], r.body["__type"]);
    assert_eq!(e["requestParameters"]["action"], "kms:Nope");
    assert_eq!(e["responseElements"], Value::Null);
    assert!(e.get("resources").is_none());
}

#[tokio::test]
async fn resources_are_the_keys_the_authorization_decided_on() {
    let s = server();
    let (source, source_arn) = create_key(&s).await;
    let (destination, destination_arn) = create_key(&s).await;
    let r =
        call(&s.app, "Encrypt", json!({"KeyId": source, "Plaintext": STANDARD.encode(b"x")})).await;
    let blob = r.body["CiphertextBlob"].clone();

    // A ReEncrypt is about both of its keys.
    let r =
        call(&s.app, "ReEncrypt", json!({"CiphertextBlob": blob, "DestinationKeyId": destination}))
            .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let event = last(&s, "ReEncrypt");
    let arns: Vec<&str> =
        event["resources"].as_array().unwrap().iter().map(|r| r["ARN"].as_str().unwrap()).collect();
    assert_eq!(arns, [source_arn.as_str(), destination_arn.as_str()]);

    // A refused call still names the key it was refused on.
    let deny = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")},
         "Action": "kms:*", "Resource": "*"},
        {"Effect": "Deny", "Principal": "*", "Action": "kms:Encrypt", "Resource": "*"}]});
    let r = call(
        &s.app,
        "PutKeyPolicy",
        json!({"KeyId": destination, "PolicyName": "default", "Policy": deny.to_string()}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = call(&s.app, "Encrypt", json!({"KeyId": destination, "Plaintext": "eA=="})).await;
    assert_eq!(r.body["__type"], "AccessDeniedException");
    let e = last(&s, "Encrypt");
    assert_eq!(e["errorCode"], "AccessDeniedException");
    assert_eq!(
        e["resources"],
        json!([{"accountId": ACCOUNT, "type": "AWS::KMS::Key", "ARN": destination_arn}])
    );

    // A call about no key has none.
    let r = call(&s.app, "ListKeys", json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(last(&s, "ListKeys").get("resources").is_none());
}

/// An audit log that takes events until it is told to refuse them (a full disk).
#[derive(Default)]
struct FailingLog {
    refusing: AtomicBool,
    kept: MemoryAudit,
}

impl AuditSink for FailingLog {
    fn append(&self, event: &[u8]) -> std::io::Result<()> {
        if self.refusing.load(Ordering::SeqCst) {
            return Err(std::io::Error::other("no space left on device"));
        }
        self.kept.append(event)
    }
}

#[tokio::test]
async fn no_read_answers_without_its_event_and_no_change_is_denied_after_it_happened() {
    let log = Arc::new(FailingLog::default());
    let app = server_with_sink(log.clone());
    let key = call(&app, "CreateKey", json!({})).await;
    assert_eq!(key.status, StatusCode::OK);
    let key_id = key.body["KeyMetadata"]["KeyId"].as_str().unwrap().to_owned();
    log.refusing.store(true, Ordering::SeqCst);

    // Calls that change nothing fail closed: no ciphertext, data key, plaintext or
    // description leaves without its event.
    for (operation, body) in [
        ("Encrypt", json!({"KeyId": key_id, "Plaintext": "c2VjcmV0"})),
        ("GenerateDataKey", json!({"KeyId": key_id, "KeySpec": "AES_256"})),
        ("GenerateRandom", json!({"NumberOfBytes": 16})),
        ("DescribeKey", json!({"KeyId": key_id})),
        ("ListKeys", json!({})),
    ] {
        let reply = call(&app, operation, body).await;
        assert_eq!(
            reply.status,
            StatusCode::INTERNAL_SERVER_ERROR,
            "{operation}: {:?}",
            reply.body
        );
        assert_eq!(reply.body["__type"], "KMSInternalException", "{operation}");
        assert_eq!(reply.body.as_object().unwrap().len(), 2, "{operation}: {:?}", reply.body);
    }

    // A change that was made is answered as made: a retry would make a second key.
    let made = call(&app, "CreateKey", json!({"Description": "second"})).await;
    assert_eq!(made.status, StatusCode::OK, "{:?}", made.body);
    let disabled = call(&app, "DisableKey", json!({"KeyId": key_id})).await;
    assert_eq!(disabled.status, StatusCode::OK, "{:?}", disabled.body);

    log.refusing.store(false, Ordering::SeqCst);
    let described = call(&app, "DescribeKey", json!({"KeyId": key_id})).await;
    assert_eq!(described.body["KeyMetadata"]["KeyState"], "Disabled");
    let names: Vec<Value> =
        log.kept.0.lock().unwrap().iter().map(|e| e["eventName"].clone()).collect();
    assert_eq!(names, [json!("CreateKey"), json!("DescribeKey")]);
}
