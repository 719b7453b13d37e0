//! The AWS KMS front door: JSON 1.1 over `POST /`, the operation named by
//! `X-Amz-Target: TrentService.<Operation>`, requests signed with SigV4.
//!
//! One request: read the body (at most [`MAX_BODY_BYTES`](crate::MAX_BODY_BYTES)), find
//! the operation, verify the signature with the access key's secret from the service,
//! resolve the caller (account, principal, region of the credential scope, source
//! address, User-Agent), then decode, call the service (on a blocking thread, as the
//! service is synchronous, except for the short cryptographic calls), encode, and append
//! one audit event ([`cloudtrail`] says what it records). Every response carries
//! `x-amzn-RequestId`; refusals are rendered as AWS renders them ([`error`]).
//!
//! Never logged: secrets, plaintexts, request bodies, the `Authorization` header.

pub mod asymmetric;
pub mod asymmetric_shapes;
pub mod cloudtrail;
pub mod error;
pub mod grant_shapes;
pub mod grants;
pub mod map;
pub mod shapes;
pub mod sigv4;
pub mod target;

use std::sync::Arc;

use axum::body::{Body, to_bytes};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use coffer_kms::audit::{CallRecord, Source, event};
use coffer_kms::{Caller, Kms};
use serde_json::{Map, Value};

use crate::AppState;
use crate::aws::error::{AwsError, from_kms, from_sigv4};
use crate::aws::target::Operation;

/// The content type of every AWS JSON 1.1 response.
pub const CONTENT_TYPE: &str = "application/x-amz-json-1.1";

/// The service name in the SigV4 credential scope.
pub const SIGNING_SERVICE: &str = "kms";

/// Serves one AWS KMS request.
pub async fn handle(state: Arc<AppState>, request: axum::extract::Request) -> Response {
    let request_id = coffer_kms::audit::new_request_id();
    let (parts, body) = request.into_parts();
    let target = parts.headers.get("x-amz-target").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let operation = target.as_deref().and_then(Operation::from_target);
    let result = serve(&state, &parts, body, operation, &request_id).await;
    let status = match &result {
        Ok(_) => StatusCode::OK,
        Err(e) => e.status,
    };
    tracing::info!(
        request_id,
        operation = operation.map(Operation::name).unwrap_or("-"),
        status = status.as_u16(),
        error = result.as_ref().err().map(|e| e.code).unwrap_or("-"),
        "aws kms request"
    );
    match result {
        Ok(body) => respond(StatusCode::OK, body, &request_id),
        Err(e) => error_response(&e, &request_id),
    }
}

/// An error response outside any operation (unknown path or method).
pub fn not_found() -> Response {
    let request_id = coffer_kms::audit::new_request_id();
    let mut e = AwsError::unknown_operation();
    e.status = StatusCode::NOT_FOUND;
    error_response(&e, &request_id)
}

/// The JSON response of an error.
pub fn error_response(e: &AwsError, request_id: &str) -> Response {
    respond(e.status, serde_json::to_vec(&e.body()).unwrap_or_else(|_| b"{}".to_vec()), request_id)
}

fn respond(status: StatusCode, body: Vec<u8>, request_id: &str) -> Response {
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
    if let Ok(v) = HeaderValue::from_str(request_id) {
        headers.insert("x-amzn-RequestId", v);
    }
    response
}

/// The whole body, refused as AWS refuses it when it is larger than
/// [`MAX_BODY_BYTES`](crate::MAX_BODY_BYTES): by its declared length before any of it is
/// read, or once too much of it has arrived.
pub(crate) async fn read_body(parts: &Parts, body: Body) -> Result<axum::body::Bytes, AwsError> {
    let too_large = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        .is_some_and(|n| n > crate::MAX_BODY_BYTES);
    if too_large {
        return Err(AwsError::too_large(crate::MAX_BODY_BYTES));
    }
    to_bytes(body, crate::MAX_BODY_BYTES)
        .await
        .map_err(|_| AwsError::too_large(crate::MAX_BODY_BYTES))
}

async fn serve(
    state: &Arc<AppState>,
    parts: &Parts,
    body: Body,
    operation: Option<Operation>,
    request_id: &str,
) -> Result<Vec<u8>, AwsError> {
    let body = read_body(parts, body).await?;
    let op = operation.ok_or_else(AwsError::unknown_operation)?;
    let caller = authenticate(state, parts, &body)?;
    let recorded = cloudtrail::recorded_members(op, &body).map_err(|_| AwsError::serialization());
    if runs_inline(&state.kms, &caller, op, &recorded) {
        return run(state, op, &caller, &body, &recorded, request_id);
    }
    let state = Arc::clone(state);
    let id = request_id.to_owned();
    tokio::task::spawn_blocking(move || run(&state, op, &caller, &body, &recorded, &id))
        .await
        .map_err(|e| AwsError::internal(request_id, &e))?
}

/// The members of a request that the audit trail records ([`cloudtrail::recorded_members`]);
/// a refusal when the body is not one JSON object.
type Recorded = Result<Map<String, Value>, AwsError>;

/// Whether an operation runs on the async worker that received it rather than on a
/// blocking thread. Handing a call to a blocking thread and back costs about as much as a
/// quick cryptographic call itself, and these calls are most of a KMS's traffic: the
/// cryptographic operations whose key makes them take tens of microseconds
/// ([`Kms::is_quick_key`]: symmetric, HMAC, P-256 and Ed25519 keys, RSA public-key
/// operations), Encrypt and GenerateDataKey(WithoutPlaintext), and a Decrypt that does not
/// name its key (only a symmetric ciphertext can be decrypted so). The service caches keys, their
/// tags and aliases (a miss reads the store once) and unsealed material, and the audit
/// event is one append. Everything else goes to a blocking thread: writes wait for the
/// disk, and most private-key operations take milliseconds.
fn runs_inline(kms: &Kms, caller: &Caller, op: Operation, input: &Recorded) -> bool {
    let key = input.as_ref().ok().and_then(|v| v.get("KeyId")).and_then(Value::as_str);
    let quick = |private_key: bool| key.is_some_and(|k| kms.is_quick_key(caller, k, private_key));
    match op {
        // Encrypt's asymmetric keys are rare and take one public-key operation; looking
        // the key up twice would cost every symmetric Encrypt more than that saves.
        Operation::Encrypt
        | Operation::GenerateDataKey
        | Operation::GenerateDataKeyWithoutPlaintext => true,
        // Only a symmetric ciphertext can be decrypted without naming its key.
        Operation::Decrypt => input.is_ok() && key.is_none() || quick(true),
        Operation::Sign | Operation::GenerateMac | Operation::VerifyMac => quick(true),
        Operation::Verify => quick(false),
        _ => false,
    }
}

/// Verifies the signature and the session token, and resolves the caller; refusals in
/// AWS's JSON form (the KMS door and Coffer's admin endpoints).
pub(crate) fn authenticate(
    state: &AppState,
    parts: &Parts,
    body: &[u8],
) -> Result<Caller, AwsError> {
    use crate::credentials::{AuthError, verify};
    use coffer_kms::sts::CredentialError;
    verify(state, parts, body, SIGNING_SERVICE).map_err(|e| match e {
        AuthError::Signature(e) => from_sigv4(&e),
        AuthError::Credential(e @ CredentialError::InvalidToken) => {
            AwsError::new("UnrecognizedClientException", e.to_string())
        }
        AuthError::Credential(e @ CredentialError::ExpiredToken) => {
            AwsError::new("ExpiredTokenException", e.to_string())
        }
    })
}

/// Calls and audits one operation on its body.
fn run(
    state: &AppState,
    op: Operation,
    caller: &Caller,
    body: &[u8],
    recorded: &Recorded,
    request_id: &str,
) -> Result<Vec<u8>, AwsError> {
    let (mut audit_request, result) = match recorded {
        Ok(members) => (
            cloudtrail::request_parameters(op, members),
            map::call(op, &state.kms, caller, body, request_id),
        ),
        Err(e) => (Value::Null, Err(e.clone())),
    };
    let resources = caller.take_resources();
    // The last key decided on is the one the call acted on (an alias's new target).
    let key_arn = resources.iter().rev().find(|arn| arn.contains(":key/")).map(String::as_str);
    let (response, error_code, error_message) = match &result {
        Ok(v) => {
            cloudtrail::complete_request_parameters(op, &mut audit_request);
            (cloudtrail::response_elements(op, v, key_arn), None, None)
        }
        Err(e) => (Value::Null, Some(e.code), e.message.clone()),
    };
    let ev = event(
        Some(caller),
        CallRecord {
            source: Source::Kms,
            event_name: op.name(),
            request_id,
            time_millis: state.kms.now_millis(),
            request: audit_request,
            response,
            error_code,
            error_message: error_message.as_deref(),
            read_only: op.read_only(),
            resources: resources.iter().map(String::as_str).collect(),
        },
    );
    state.kms.record(&ev).map_err(|e| from_kms(&e, request_id))?;
    result
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn service() -> (Kms, Caller) {
        use coffer_crypto::{RootKey, Secret, SystemRandom};
        use coffer_kms::audit::MemoryAudit;
        use coffer_kms::clock::SystemClock;
        use coffer_kms::iam::Identities;

        let ids = Identities::single_root(
            "111122223333",
            "AKIAEXAMPLEEXAMPLE01",
            Secret::new(b"example-secret-0123456789".to_vec()),
        );
        let kms = Kms::new(
            Arc::new(coffer_store::SqliteStore::open_in_memory().unwrap()),
            RootKey::from_secret(Secret::new(vec![7; 32])).unwrap(),
            Arc::new(SystemRandom),
            Arc::new(SystemClock),
            ids,
            Arc::new(MemoryAudit::default()),
        );
        let caller = kms.caller("AKIAEXAMPLEEXAMPLE01", "us-east-1", None, false, None).unwrap();
        (kms, caller)
    }

    fn key(kms: &Kms, caller: &Caller, spec: &str, usage: &str) -> String {
        let req = coffer_kms::ops::create_key::CreateKeyRequest {
            key_spec: Some(spec.into()),
            key_usage: Some(usage.into()),
            ..Default::default()
        };
        kms.create_key(caller, req).unwrap().arn
    }

    #[test]
    fn only_quick_cryptographic_calls_run_inline() {
        let (kms, caller) = service();
        let symmetric = key(&kms, &caller, "SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT");
        let p256 = key(&kms, &caller, "ECC_NIST_P256", "SIGN_VERIFY");
        let rsa = key(&kms, &caller, "RSA_2048", "SIGN_VERIFY");
        let hmac = key(&kms, &caller, "HMAC_256", "GENERATE_VERIFY_MAC");
        let inline = |op, v: Value| {
            let recorded = cloudtrail::recorded_members(op, v.to_string().as_bytes())
                .map_err(|_| AwsError::serialization());
            runs_inline(&kms, &caller, op, &recorded)
        };
        let on = |k: &str| json!({"KeyId": k});

        assert!(inline(Operation::Encrypt, on(&symmetric)));
        assert!(inline(Operation::GenerateDataKey, on("k")));
        assert!(inline(Operation::GenerateDataKeyWithoutPlaintext, json!({})));
        assert!(inline(Operation::Decrypt, json!({"CiphertextBlob": "AA=="})));
        assert!(inline(Operation::Decrypt, on(&symmetric)));
        assert!(inline(Operation::Sign, on(&p256)));
        assert!(inline(Operation::Verify, on(&p256)));
        assert!(inline(Operation::Verify, on(&rsa)), "an RSA public-key operation is quick");
        assert!(inline(Operation::GenerateMac, on(&hmac)));
        assert!(inline(Operation::VerifyMac, on(&hmac)));
        // An RSA private-key operation takes milliseconds.
        assert!(!inline(Operation::Sign, on(&rsa)));
        // An unknown key, or none, is not known to be quick.
        assert!(!inline(Operation::Sign, on("alias/none")));
        assert!(!runs_inline(&kms, &caller, Operation::Decrypt, &Err(AwsError::serialization())));
        for op in [Operation::CreateKey, Operation::ReEncrypt, Operation::GenerateDataKeyPair] {
            assert!(!inline(op, on(&symmetric)), "{op:?}");
        }
    }

    #[test]
    fn bodies() {
        use crate::aws::map::decode;
        use crate::aws::shapes::KeyIdInput;
        let key = |body: &[u8]| decode::<KeyIdInput>(body).map(|i| i.key_id);
        assert_eq!(key(b""), Ok(None), "a blank body is {{}}");
        assert_eq!(key(b" \r\n"), Ok(None));
        assert_eq!(key(b"{\"KeyId\":\"k\"}"), Ok(Some("k".into())));
        assert_eq!(key(b"{\"KeyId\":null}"), Ok(None), "null is absent");
        assert_eq!(key(b"[\"k\"]"), Err(AwsError::serialization()), "an array is not a request");
        assert_eq!(key(b" [\"k\"]"), Err(AwsError::serialization()));
        assert_eq!(key(b"{nope"), Err(AwsError::serialization()));
        assert_eq!(key(b"{\"KeyId\":5}"), Err(AwsError::serialization()));
        assert_eq!(key(b"{} {}"), Err(AwsError::serialization()), "trailing data");
    }
}
