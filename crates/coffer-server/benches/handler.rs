//! One AWS KMS call through the whole front door, in process: the router, SigV4, the
//! caller, the key lookup, the policy decision, the operation and the audit event (written
//! to a file, as `coffer serve` does), without TCP. What `coffer bench` measures over
//! loopback, minus the network and the load generator, so a change to the path shows
//! here on its own. Instruction counts of one iteration (under `valgrind --tool=callgrind`)
//! are repeatable whatever else the machine is doing.
//!
//! `cargo bench -p coffer-server --bench handler`

#![expect(clippy::unwrap_used, reason = "a benchmark that cannot set up fails")]
#![expect(missing_docs, reason = "criterion_group! makes an undocumented function")]

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::ConnectInfo;
use axum::http::Request;
use coffer_crypto::{
    KeySpec, MessageType, RootKey, Secret, SigningAlgorithm, SigningKey, SystemRandom,
};
use coffer_kms::Kms;
use coffer_kms::audit::FileAudit;
use coffer_kms::clock::ManualClock;
use coffer_kms::iam::Identities;
use coffer_kms::ops::create_key::CreateKeyRequest;
use coffer_server::aws::sigv4;
use coffer_server::{AppState, router};
use coffer_store::SqliteStore;
use criterion::{Criterion, criterion_group, criterion_main};
use tower::ServiceExt;

const ACCOUNT: &str = "111122223333";
const ACCESS_KEY: &str = "AKIAIOSFODNN7EXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
/// 2026-11-23T15:26:44Z: the clock stands still, so one signature serves every iteration.
const NOW_SECS: i64 = 1_795_447_604;

struct Setup {
    app: Router,
    kms: Arc<Kms>,
    _dir: tempfile::TempDir,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let ids = Identities::single_root(ACCOUNT, ACCESS_KEY, Secret::new(SECRET.as_bytes().to_vec()));
    let kms = Arc::new(Kms::new(
        Arc::new(SqliteStore::open(&dir.path().join("coffer.db")).unwrap()),
        RootKey::from_secret(Secret::new(vec![7; 32])).unwrap(),
        Arc::new(SystemRandom),
        Arc::new(ManualClock::new(NOW_SECS * 1000)),
        ids,
        Arc::new(FileAudit::open(&dir.path().join("audit.log")).unwrap()),
    ));
    let app = router(Arc::new(AppState { kms: Arc::clone(&kms), max_skew_secs: 15 * 60 }));
    Setup { app, kms, _dir: dir }
}

fn key(kms: &Kms, spec: &str, usage: &str) -> String {
    let caller = kms.caller(ACCESS_KEY, "us-east-1", None, false, None).unwrap();
    let req = CreateKeyRequest {
        key_spec: Some(spec.into()),
        key_usage: Some(usage.into()),
        ..CreateKeyRequest::default()
    };
    kms.create_key(&caller, req).unwrap().arn
}

/// A request as the AWS SDKs send it, signed once.
fn signed(operation: &str, body: &serde_json::Value) -> (Vec<(String, String)>, Vec<u8>) {
    let body = serde_json::to_vec(body).unwrap();
    let amz_date = sigv4::format_amz_date(NOW_SECS);
    let mut headers: Vec<(String, String)> = vec![
        ("host".into(), "127.0.0.1:4600".into()),
        ("x-amz-target".into(), format!("TrentService.{operation}")),
        ("content-type".into(), "application/x-amz-json-1.1".into()),
        ("x-amz-date".into(), amz_date.clone()),
        ("user-agent".into(), "aws-sdk-rust/1.3.9 os/linux lang/rust/1.95.0".into()),
        ("content-length".into(), body.len().to_string()),
    ];
    let req =
        sigv4::Request { method: "POST", path: "/", query: "", headers: &headers, body: &body };
    let authorization = sigv4::sign(
        &req,
        &["content-type", "host", "x-amz-date", "x-amz-target"],
        ACCESS_KEY,
        SECRET.as_bytes(),
        "us-east-1",
        "kms",
        &amz_date,
    );
    headers.push(("authorization".into(), authorization));
    (headers, body)
}

/// Sends one request and checks the answer is a 200.
async fn call(app: &Router, headers: &[(String, String)], body: &bytes::Bytes) {
    let mut builder = Request::builder().method("POST").uri("/");
    for (k, v) in headers {
        builder = builder.header(k, v);
    }
    let mut request = builder.body(Body::from(body.clone())).unwrap();
    request.extensions_mut().insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 40000))));
    let response = app.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), 200);
    to_bytes(response.into_body(), usize::MAX).await.unwrap();
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let s = setup();
    let symmetric = key(&s.kms, "SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT");
    let p256 = key(&s.kms, "ECC_NIST_P256", "SIGN_VERIFY");
    let plaintext = base64_simd::STANDARD.encode_to_string(vec![0x5a; 4096]);
    let digest = base64_simd::STANDARD.encode_to_string([0x11; 32]);
    let cases = [
        (
            "encrypt_4kib",
            signed("Encrypt", &serde_json::json!({"KeyId": symmetric, "Plaintext": plaintext})),
        ),
        (
            "sign_p256",
            signed(
                "Sign",
                &serde_json::json!({"KeyId": p256, "Message": digest, "MessageType": "DIGEST",
                                    "SigningAlgorithm": "ECDSA_SHA_256"}),
            ),
        ),
    ];
    let mut group = c.benchmark_group("handler");
    for (name, (headers, body)) in cases {
        let body = bytes::Bytes::from(body);
        rt.block_on(call(&s.app, &headers, &body));
        group.bench_function(name, |b| b.iter(|| rt.block_on(call(&s.app, &headers, &body))));
    }
    // The signature alone, for the share of a Sign that is the cryptography.
    let material = coffer_crypto::generate_material(KeySpec::EccNistP256, &SystemRandom).unwrap();
    let signer = SigningKey::from_pkcs8(KeySpec::EccNistP256, &material).unwrap();
    group.bench_function("p256_signature_alone", |b| {
        b.iter(|| {
            signer.sign(SigningAlgorithm::EcdsaSha256, MessageType::Digest, &[0x11; 32]).unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
