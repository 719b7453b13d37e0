//! The STS front door over a real service: the Query protocol in, XML out, and the
//! temporary credentials it issues checked on KMS calls until they expire.

use std::sync::Arc;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode};
use coffer_crypto::{RootKey, Secret, SystemRandom};
use coffer_kms::Kms;
use coffer_kms::audit::{AuditSink, MemoryAudit};
use coffer_kms::clock::ManualClock;
use coffer_kms::iam::Identities;
use coffer_server::aws::sigv4;
use coffer_server::{AppState, router};
use coffer_store::SqliteStore;
use tower::ServiceExt;

use crate::harness::{NOW_SECS, REGION};

const ALICE: (&str, &str) = ("AKIAALICEALICE000001", "alice-secret-0123456789");
const ROLE: &str = "arn:aws:iam::111122223333:role/app";

const IDENTITIES: &str = r#"{
  "accounts": [{"id": "111122223333"}],
  "principals": [
    {"account": "111122223333", "type": "user", "name": "alice",
     "access_keys": [{"id": "AKIAALICEALICE000001", "secret": "alice-secret-0123456789"}],
     "policies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}]},
    {"account": "111122223333", "type": "role", "name": "app",
     "trust_policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "sts:AssumeRole"}]},
     "policies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}]}
  ]
}"#;

fn app() -> (Router, Arc<ManualClock>) {
    let (app, clock, _) = audited_app();
    (app, clock)
}

/// The server, its clock and its audit trail.
fn audited_app() -> (Router, Arc<ManualClock>, Arc<MemoryAudit>) {
    let audit = Arc::new(MemoryAudit::default());
    let (app, clock) = app_with_sink(audit.clone());
    (app, clock, audit)
}

/// The server, with its events going to `audit`, and its clock.
#[expect(clippy::unwrap_used, reason = "a server that cannot be built fails the test")]
fn app_with_sink(audit: Arc<dyn AuditSink>) -> (Router, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(NOW_SECS * 1000));
    let kms = Kms::new(
        Arc::new(SqliteStore::open_in_memory().unwrap()),
        RootKey::from_secret(Secret::new(vec![7; 32])).unwrap(),
        Arc::new(SystemRandom),
        clock.clone(),
        Identities::parse(IDENTITIES, false).unwrap(),
        audit,
    );
    (router(Arc::new(AppState { kms: Arc::new(kms), max_skew_secs: 15 * 60 })), clock)
}

struct Creds {
    key: String,
    secret: String,
    token: Option<String>,
}

/// A signed request as botocore sends it: STS as a form (`target` `None`), KMS as JSON.
#[expect(clippy::unwrap_used, reason = "a request that cannot be built fails the test")]
fn request(creds: &Creds, at_secs: i64, target: Option<&str>, body: &str) -> Request<Body> {
    let amz_date = sigv4::format_amz_date(at_secs);
    let (service, content_type) = match target {
        None => ("sts", "application/x-www-form-urlencoded; charset=utf-8"),
        Some(_) => ("kms", "application/x-amz-json-1.1"),
    };
    let mut headers: Vec<(String, String)> = vec![
        ("host".into(), "127.0.0.1:8080".into()),
        ("content-type".into(), content_type.into()),
        ("x-amz-date".into(), amz_date.clone()),
    ];
    let mut signed = vec!["content-type", "host", "x-amz-date"];
    if let Some(t) = &creds.token {
        headers.push(("x-amz-security-token".into(), t.clone()));
        signed.push("x-amz-security-token");
    }
    if let Some(t) = target {
        headers.push(("x-amz-target".into(), format!("TrentService.{t}")));
        signed.push("x-amz-target");
    }
    let req = sigv4::Request {
        method: "POST",
        path: "/",
        query: "",
        headers: &headers,
        body: body.as_bytes(),
    };
    let authorization =
        sigv4::sign(&req, &signed, &creds.key, creds.secret.as_bytes(), REGION, service, &amz_date);
    let mut builder = Request::builder().method("POST").uri("/");
    for (k, v) in &headers {
        builder = builder.header(k, v);
    }
    builder.header("authorization", authorization).body(Body::from(body.to_owned())).unwrap()
}

#[expect(clippy::unwrap_used, reason = "a reply that cannot be read fails the test")]
async fn send(app: &Router, request: Request<Body>) -> (StatusCode, String, String) {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let content_type = response.headers()["content-type"].to_str().unwrap().to_owned();
    let bytes = to_bytes(response.into_body(), usize::MAX).await.unwrap();
    (status, content_type, String::from_utf8(bytes.to_vec()).unwrap())
}

/// The text of the first `<name>` element.
fn element<'x>(xml: &'x str, name: &str) -> Option<&'x str> {
    let open = format!("<{name}>");
    let start = xml.find(&open)? + open.len();
    let end = xml[start..].find(&format!("</{name}>"))? + start;
    Some(&xml[start..end])
}

fn alice() -> Creds {
    Creds { key: ALICE.0.into(), secret: ALICE.1.into(), token: None }
}

#[tokio::test]
async fn assumed_credentials_work_until_they_expire() {
    let (app, clock) = app();
    let body = format!(
        "Action=AssumeRole&Version=2011-06-15&RoleArn={}&RoleSessionName=s1&DurationSeconds=900",
        ROLE.replace(':', "%3A").replace('/', "%2F")
    );
    let (status, content_type, xml) = send(&app, request(&alice(), NOW_SECS, None, &body)).await;
    assert_eq!(status, StatusCode::OK, "{xml}");
    assert_eq!(content_type, "text/xml");
    assert!(
        xml.contains("<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">")
    );
    assert_eq!(element(&xml, "Arn"), Some("arn:aws:sts::111122223333:assumed-role/app/s1"));
    assert_eq!(element(&xml, "Expiration"), Some("2026-11-23T15:41:44Z"));
    let session = Creds {
        key: element(&xml, "AccessKeyId").unwrap_or_default().to_owned(),
        secret: element(&xml, "SecretAccessKey").unwrap_or_default().to_owned(),
        token: element(&xml, "SessionToken").map(str::to_owned),
    };
    assert!(session.key.starts_with("ASIA"));

    let (status, _, xml) = send(
        &app,
        request(&session, NOW_SECS, None, "Action=GetCallerIdentity&Version=2011-06-15"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{xml}");
    assert_eq!(element(&xml, "Arn"), Some("arn:aws:sts::111122223333:assumed-role/app/s1"));
    let (status, _, body) = send(&app, request(&session, NOW_SECS, Some("CreateKey"), "{}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // 900 seconds later the credentials are expired, for KMS and for STS alike.
    clock.advance_millis(900_000);
    let later = NOW_SECS + 900;
    let (status, _, body) = send(&app, request(&session, later, Some("ListKeys"), "{}")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&body).ok(),
        Some(serde_json::json!({"__type": "ExpiredTokenException",
                                "message": "The security token included in the request is expired"}))
    );
    let (status, _, xml) =
        send(&app, request(&session, later, None, "Action=GetCallerIdentity&Version=2011-06-15"))
            .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(element(&xml, "Code"), Some("ExpiredToken"));
    assert_eq!(element(&xml, "Type"), Some("Sender"));
    // The long-term key still works.
    let (status, _, _) =
        send(&app, request(&alice(), later, None, "Action=GetCallerIdentity&Version=2011-06-15"))
            .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn refusals_are_sts_xml_errors() {
    let (app, _) = app();
    let (status, _, xml) = send(
        &app,
        request(&alice(), NOW_SECS, None, "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fnone&RoleSessionName=s1"),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(element(&xml, "Code"), Some("AccessDenied"));
    assert_eq!(
        element(&xml, "Message"),
        Some(
            "User: arn:aws:iam::111122223333:user/alice is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::111122223333:role/none"
        )
    );
    assert!(element(&xml, "RequestId").is_some());
    let (status, _, xml) =
        send(&app, request(&alice(), NOW_SECS, None, "Action=GetSessionToken&Version=2011-06-15"))
            .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(element(&xml, "Code"), Some("InvalidAction"));
    let wrong = Creds { key: ALICE.0.into(), secret: "not-the-secret-at-all".into(), token: None };
    let (status, _, xml) =
        send(&app, request(&wrong, NOW_SECS, None, "Action=GetCallerIdentity&Version=2011-06-15"))
            .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(element(&xml, "Code"), Some("SignatureDoesNotMatch"));
    let unknown = Creds {
        key: "ASIAUNKNOWNUNKNOWN01".into(),
        secret: "x".repeat(40),
        token: Some("t".into()),
    };
    let (status, _, xml) = send(
        &app,
        request(&unknown, NOW_SECS, None, "Action=GetCallerIdentity&Version=2011-06-15"),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(element(&xml, "Code"), Some("InvalidClientTokenId"));
}

#[tokio::test]
async fn assume_role_is_audited_with_the_role_and_without_the_credentials() {
    let (app, _, audit) = audited_app();
    let body = format!(
        "Action=AssumeRole&Version=2011-06-15&RoleArn={}&RoleSessionName=audited&DurationSeconds=900",
        ROLE.replace(':', "%3A").replace('/', "%2F")
    );
    let (status, _, xml) = send(&app, request(&alice(), NOW_SECS, None, &body)).await;
    assert_eq!(status, StatusCode::OK, "{xml}");
    let key = element(&xml, "AccessKeyId").unwrap();
    let secret = element(&xml, "SecretAccessKey").unwrap();
    let token = element(&xml, "SessionToken").unwrap();
    let (status, _, _) = send(
        &app,
        request(&alice(), NOW_SECS, None, "Action=GetCallerIdentity&Version=2011-06-15"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    let events = audit.0.lock().unwrap().clone();
    let lines: Vec<String> = events.iter().map(serde_json::Value::to_string).collect();
    for line in &lines {
        assert!(!line.contains(secret), "the secret access key is in the trail: {line}");
        assert!(!line.contains(token), "the session token is in the trail: {line}");
    }
    let [assumed, identity] = events.as_slice() else { panic!("two events: {lines:?}") };
    assert_eq!(assumed["eventSource"], "sts.amazonaws.com");
    assert_eq!(assumed["eventName"], "AssumeRole");
    assert_eq!(assumed["readOnly"], true);
    assert_eq!(assumed["userIdentity"]["arn"], "arn:aws:iam::111122223333:user/alice");
    assert_eq!(
        assumed["requestParameters"],
        serde_json::json!({"roleArn": ROLE, "roleSessionName": "audited", "durationSeconds": 900})
    );
    assert_eq!(
        assumed["responseElements"],
        serde_json::json!({
            "credentials": {"accessKeyId": key, "expiration": "Nov 23, 2026, 3:41:44 PM"},
            "assumedRoleUser": {"assumedRoleId": element(&xml, "AssumedRoleId").unwrap(),
                                "arn": "arn:aws:sts::111122223333:assumed-role/app/audited"}})
    );
    assert_eq!(
        assumed["resources"],
        serde_json::json!([{"accountId": "111122223333", "type": "AWS::IAM::Role", "ARN": ROLE}])
    );
    // The decision that allowed it.
    let decisions = assumed["additionalEventData"]["authorization"].as_array().unwrap();
    assert_eq!(decisions.len(), 1);
    assert_eq!(decisions[0]["decision"], "Allow");

    assert_eq!(identity["eventSource"], "sts.amazonaws.com");
    assert_eq!(identity["eventName"], "GetCallerIdentity");
    assert_eq!(identity["requestParameters"], serde_json::Value::Null);
    assert_eq!(identity["responseElements"], serde_json::Value::Null);
}

#[tokio::test]
async fn a_refused_assume_role_is_audited_with_its_error() {
    let (app, _, audit) = audited_app();
    let (status, _, xml) = send(
        &app,
        request(&alice(), NOW_SECS, None, "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fnone&RoleSessionName=s1"),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Unknown actions and unsigned requests name no operation: they are not recorded.
    send(&app, request(&alice(), NOW_SECS, None, "Action=GetSessionToken&Version=2011-06-15"))
        .await;
    let events = audit.0.lock().unwrap().clone();
    let [refused] = events.as_slice() else { panic!("one event: {events:?}") };
    assert_eq!(refused["eventName"], "AssumeRole");
    assert_eq!(refused["errorCode"], "AccessDenied");
    assert_eq!(refused["errorMessage"], element(&xml, "Message").unwrap());
    assert_eq!(refused["responseElements"], serde_json::Value::Null);
    assert!(refused.get("resources").is_none());
}

/// An audit log that refuses every event (a full disk).
struct RefusingLog;

impl AuditSink for RefusingLog {
    fn append(&self, _: &[u8]) -> std::io::Result<()> {
        Err(std::io::Error::other("no space left on device"))
    }
}

#[tokio::test]
async fn no_answer_leaves_without_its_event() {
    let (app, _) = app_with_sink(Arc::new(RefusingLog));
    for body in [
        "Action=GetCallerIdentity&Version=2011-06-15",
        "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fapp&RoleSessionName=s",
    ] {
        let (status, _, xml) = send(&app, request(&alice(), NOW_SECS, None, body)).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{body}: {xml}");
        assert_eq!(element(&xml, "Code"), Some("InternalFailure"), "{xml}");
        assert!(!xml.contains("SecretAccessKey") && !xml.contains("no space"), "{xml}");
    }
}
