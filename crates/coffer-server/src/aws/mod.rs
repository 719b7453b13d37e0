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

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::{Body, to_bytes};
use axum::extract::ConnectInfo;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use coffer_kms::Caller;
use coffer_kms::audit::{CallRecord, event};
use serde_json::{Map, Value};

use crate::AppState;
use crate::aws::error::{AwsError, from_sigv4};
use crate::aws::target::Operation;

/// The content type of every AWS JSON 1.1 response.
pub const CONTENT_TYPE: &str = "application/x-amz-json-1.1";

/// The service name in the SigV4 credential scope.
pub const SIGNING_SERVICE: &str = "kms";

/// Serves one AWS KMS request.
pub async fn handle(state: Arc<AppState>, request: axum::extract::Request) -> Response {
    let request_id = uuid::Uuid::new_v4().to_string();
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
        Ok(body) => respond(StatusCode::OK, &body, &request_id),
        Err(e) => error_response(&e, &request_id),
    }
}

/// An error response outside any operation (unknown path or method).
pub fn not_found() -> Response {
    let request_id = uuid::Uuid::new_v4().to_string();
    let mut e = AwsError::unknown_operation();
    e.status = StatusCode::NOT_FOUND;
    error_response(&e, &request_id)
}

/// The JSON response of an error.
pub fn error_response(e: &AwsError, request_id: &str) -> Response {
    respond(e.status, &e.body(), request_id)
}

fn respond(status: StatusCode, body: &Value, request_id: &str) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_else(|_| b"{}".to_vec());
    let mut response = (status, bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
    if let Ok(v) = HeaderValue::from_str(request_id) {
        headers.insert("x-amzn-RequestId", v);
    }
    response
}

async fn serve(
    state: &Arc<AppState>,
    parts: &Parts,
    body: Body,
    operation: Option<Operation>,
    request_id: &str,
) -> Result<Value, AwsError> {
    let too_large = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        .is_some_and(|n| n > crate::MAX_BODY_BYTES);
    if too_large {
        return Err(AwsError::too_large(crate::MAX_BODY_BYTES));
    }
    let body = to_bytes(body, crate::MAX_BODY_BYTES)
        .await
        .map_err(|_| AwsError::too_large(crate::MAX_BODY_BYTES))?;
    let op = operation.ok_or_else(AwsError::unknown_operation)?;
    let caller = authenticate(state, parts, &body)?;
    let input = parse_body(&body);
    if runs_inline(op, &input) {
        return run(state, op, &caller, input, request_id);
    }
    let state = Arc::clone(state);
    let id = request_id.to_owned();
    tokio::task::spawn_blocking(move || run(&state, op, &caller, input, &id))
        .await
        .map_err(|e| AwsError::internal(request_id, &e))?
}

/// Whether an operation runs on the async worker that received it rather than on a
/// blocking thread. Handing a call to a blocking thread and back costs about as much as a
/// symmetric cryptographic call itself, and these calls are most of a KMS's traffic:
/// Encrypt, GenerateDataKey and GenerateDataKeyWithoutPlaintext, and a Decrypt that does
/// not name its key (only a symmetric ciphertext can be decrypted so). They take tens of
/// microseconds: the service caches the key, its tags and aliases (a miss reads the store
/// once) and the unsealed material, and the audit event is one buffered append; Encrypt
/// under an asymmetric key adds one public-key operation. Everything else goes to a
/// blocking thread: writes wait for the disk, and a private-key operation takes
/// milliseconds.
fn runs_inline(op: Operation, input: &Result<Value, AwsError>) -> bool {
    match op {
        Operation::Encrypt
        | Operation::GenerateDataKey
        | Operation::GenerateDataKeyWithoutPlaintext => true,
        // Only a symmetric ciphertext can be decrypted without naming its key.
        Operation::Decrypt => input.as_ref().is_ok_and(|v| v.get("KeyId").is_none()),
        _ => false,
    }
}

/// Verifies the signature and resolves the caller.
fn authenticate(state: &AppState, parts: &Parts, body: &[u8]) -> Result<Caller, AwsError> {
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .map(|(k, v)| (k.as_str().to_owned(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
        .collect();
    let req = sigv4::Request {
        method: parts.method.as_str(),
        path: parts.uri.path(),
        query: parts.uri.query().unwrap_or(""),
        headers: &headers,
        body,
    };
    let kms = &state.kms;
    let now = kms.now_millis().div_euclid(1000);
    let verified = sigv4::verify(&req, SIGNING_SERVICE, now, state.max_skew_secs, |ak| {
        kms.access_key_secret(ak).map(|s| s.expose())
    })
    .map_err(|e| from_sigv4(&e))?;
    let source_ip = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string());
    let user_agent =
        parts.headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).map(str::to_owned);
    kms.caller(verified.access_key_id(), verified.region(), source_ip, false, user_agent)
        .ok_or_else(|| from_sigv4(&sigv4::SigV4Error::UnknownAccessKey))
}

/// Calls and audits one operation on its decoded body.
fn run(
    state: &AppState,
    op: Operation,
    caller: &Caller,
    input: Result<Value, AwsError>,
    request_id: &str,
) -> Result<Value, AwsError> {
    let audit_request =
        input.as_ref().map(|v| cloudtrail::request_parameters(op, v)).unwrap_or(Value::Null);
    let result = input.and_then(|v| map::call(op, &state.kms, caller, v, request_id));
    let (response, error_code, error_message) = match &result {
        Ok(v) => (cloudtrail::response_elements(op, v), None, None),
        Err(e) => (Value::Null, Some(e.code), e.message.clone()),
    };
    let key_arn = result.as_ref().ok().and_then(key_arn_of);
    let ev = event(
        Some(caller),
        CallRecord {
            event_name: op.name(),
            request_id,
            time_millis: state.kms.now_millis(),
            request: audit_request,
            response,
            error_code,
            error_message: error_message.as_deref(),
            read_only: op.read_only(),
            key_arn: key_arn.as_deref(),
        },
    );
    state.kms.record(&ev);
    result
}

/// The body as a JSON object; empty is `{}`.
fn parse_body(body: &[u8]) -> Result<Value, AwsError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(Map::new()));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(v @ Value::Object(_)) => Ok(v),
        _ => Err(AwsError::serialization()),
    }
}

/// The key a response is about: its `KeyId` when that is an ARN, or its metadata's ARN.
fn key_arn_of(response: &Value) -> Option<String> {
    let arn = response.get("KeyMetadata").and_then(|m| m.get("Arn")).or_else(|| {
        response.get("KeyId").filter(|k| k.as_str().is_some_and(|s| s.starts_with("arn:")))
    })?;
    arn.as_str().map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn only_short_cryptographic_calls_run_inline() {
        let body = |v: Value| Ok(v);
        assert!(runs_inline(Operation::Encrypt, &body(json!({"KeyId": "k"}))));
        assert!(runs_inline(Operation::GenerateDataKey, &body(json!({"KeyId": "k"}))));
        assert!(runs_inline(Operation::GenerateDataKeyWithoutPlaintext, &body(json!({}))));
        assert!(runs_inline(Operation::Decrypt, &body(json!({"CiphertextBlob": "AA=="}))));
        // A Decrypt that names its key may need a private-key operation.
        assert!(!runs_inline(Operation::Decrypt, &body(json!({"KeyId": "k"}))));
        assert!(!runs_inline(Operation::Decrypt, &Err(AwsError::serialization())));
        for op in [Operation::CreateKey, Operation::ReEncrypt, Operation::GenerateDataKeyPair] {
            assert!(!runs_inline(op, &body(json!({}))), "{op:?}");
        }
    }

    #[test]
    fn bodies() {
        assert_eq!(parse_body(b""), Ok(json!({})));
        assert_eq!(parse_body(b"{\"a\":1}"), Ok(json!({"a": 1})));
        assert_eq!(parse_body(b"[1]"), Err(AwsError::serialization()));
        assert_eq!(parse_body(b"{nope"), Err(AwsError::serialization()));
    }

    #[test]
    fn key_arns_of_responses() {
        assert_eq!(
            key_arn_of(&json!({"KeyId": "arn:aws:kms:r:1:key/k"})).as_deref(),
            Some("arn:aws:kms:r:1:key/k")
        );
        assert_eq!(key_arn_of(&json!({"KeyMetadata": {"Arn": "arn:x"}})).as_deref(), Some("arn:x"));
        assert_eq!(key_arn_of(&json!({"Keys": []})), None);
    }
}
