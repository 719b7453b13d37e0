//! A server over a real service (in-memory SQLite, a manual clock, one root access key),
//! and requests signed with the front door's own SigV4 signer.

#![expect(clippy::unwrap_used, reason = "a helper that cannot set up or send fails the test")]

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Request, StatusCode};
use coffer_crypto::{RootKey, Secret, SystemRandom};
use coffer_kms::Kms;
use coffer_kms::audit::{AuditSink, MemoryAudit};
use coffer_kms::clock::{Clock, ManualClock, SystemClock};
use coffer_kms::iam::Identities;
use coffer_server::aws::sigv4;
use coffer_server::{AppState, router};
use coffer_store::SqliteStore;
use serde_json::Value;
use tower::ServiceExt;

pub const ACCOUNT: &str = "111122223333";
pub const ACCESS_KEY: &str = "AKIAIOSFODNN7EXAMPLE";
pub const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
pub const REGION: &str = "us-east-1";
/// 2026-11-23T15:26:44Z.
pub const NOW_SECS: i64 = 1_795_447_604;

pub struct Server {
    pub app: Router,
    pub clock: Arc<ManualClock>,
    pub audit: Arc<MemoryAudit>,
}

/// A server whose clock stands at [`NOW_SECS`] until a test moves it.
pub fn server() -> Server {
    let clock = Arc::new(ManualClock::new(NOW_SECS * 1000));
    let audit = Arc::new(MemoryAudit::default());
    let app = app(clock.clone(), audit.clone());
    Server { app, clock, audit }
}

/// A server on the system clock.
pub fn system_clock_server() -> Router {
    app(Arc::new(SystemClock), Arc::new(MemoryAudit::default()))
}

/// A server whose events go to `sink`, its clock at [`NOW_SECS`].
pub fn server_with_sink(sink: Arc<dyn AuditSink>) -> Router {
    app(Arc::new(ManualClock::new(NOW_SECS * 1000)), sink)
}

fn app(clock: Arc<dyn Clock>, audit: Arc<dyn AuditSink>) -> Router {
    let ids = Identities::single_root(ACCOUNT, ACCESS_KEY, Secret::new(SECRET.as_bytes().to_vec()));
    let kms = Kms::new(
        Arc::new(SqliteStore::open_in_memory().unwrap()),
        RootKey::from_secret(Secret::new(vec![7; 32])).unwrap(),
        Arc::new(SystemRandom),
        clock,
        ids,
        audit,
    );
    router(Arc::new(AppState { kms: Arc::new(kms), max_skew_secs: 15 * 60 }))
}

/// How to sign one request.
#[derive(Clone)]
pub struct Signer {
    pub access_key: String,
    pub secret: String,
    pub region: String,
    pub service: String,
    pub at_secs: i64,
}

impl Default for Signer {
    fn default() -> Signer {
        Signer {
            access_key: ACCESS_KEY.into(),
            secret: SECRET.into(),
            region: REGION.into(),
            service: "kms".into(),
            at_secs: NOW_SECS,
        }
    }
}

/// A request as botocore sends it (`POST /`, JSON 1.1, the target header), signed over
/// `content-type;host;x-amz-date;x-amz-target` when a signer is given.
pub fn sign_request(target: &str, body: &[u8], signer: Option<&Signer>) -> Request<Body> {
    let at = signer.map_or(NOW_SECS, |s| s.at_secs);
    let amz_date = sigv4::format_amz_date(at);
    let mut headers: Vec<(String, String)> = vec![
        ("host".into(), "127.0.0.1:8080".into()),
        ("x-amz-target".into(), target.into()),
        ("content-type".into(), "application/x-amz-json-1.1".into()),
        ("x-amz-date".into(), amz_date.clone()),
        ("user-agent".into(), "coffer-tests/1".into()),
    ];
    if let Some(s) = signer {
        let req = sigv4::Request { method: "POST", path: "/", query: "", headers: &headers, body };
        let authorization = sigv4::sign(
            &req,
            &["content-type", "host", "x-amz-date", "x-amz-target"],
            &s.access_key,
            s.secret.as_bytes(),
            &s.region,
            &s.service,
            &amz_date,
        );
        headers.push(("authorization".into(), authorization));
    }
    let mut builder = Request::builder().method("POST").uri("/");
    for (k, v) in &headers {
        builder = builder.header(k, v);
    }
    let mut request = builder.body(Body::from(body.to_vec())).unwrap();
    request.extensions_mut().insert(ConnectInfo(SocketAddr::from(([192, 0, 2, 10], 40000))));
    request
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

pub async fn send(app: &Router, request: Request<Body>) -> Reply {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = to_bytes(response.into_body(), usize::MAX).await.unwrap();
    let body = if bytes.is_empty() { Value::Null } else { serde_json::from_slice(&bytes).unwrap() };
    Reply { status, headers, body }
}

/// A signed call of an AWS KMS operation.
pub async fn call(app: &Router, operation: &str, body: Value) -> Reply {
    let bytes = serde_json::to_vec(&body).unwrap();
    send(app, sign_request(&format!("TrentService.{operation}"), &bytes, Some(&Signer::default())))
        .await
}

/// The `__type` and `message` of an error reply, after checking it is a 400 in AWS's
/// content type.
pub fn error_of(r: &Reply) -> (String, Option<String>) {
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{:?}", r.body);
    assert_eq!(r.headers["content-type"], "application/x-amz-json-1.1");
    (
        r.body["__type"].as_str().unwrap().to_owned(),
        r.body.get("message").and_then(Value::as_str).map(str::to_owned),
    )
}
