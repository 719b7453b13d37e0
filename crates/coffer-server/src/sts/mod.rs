//! The AWS STS front door: the Query protocol (`POST /`, a form-encoded body
//! `Action=...&Version=2011-06-15&...`), requests signed with SigV4 for service `sts`, XML
//! responses and errors.
//!
//! One request: read the body (at most [`MAX_BODY_BYTES`](crate::MAX_BODY_BYTES)), verify
//! the signature and the session token ([`crate::credentials`]), read the parameters
//! ([`form`]), call the service (`GetCallerIdentity`, `AssumeRole`) and write the XML
//! ([`xml`]). Refusals are STS's codes, statuses and messages ([`error_of`]). Every
//! response carries `x-amzn-RequestId`. Every call of a served action by an authenticated
//! caller, allowed or refused, appends one audit event ([`cloudtrail`] says what it
//! records).
//!
//! Never logged: secrets, session tokens, request bodies, the `Authorization` header. The
//! temporary credentials appear in the one response that issues them and nowhere else:
//! the audit event of `AssumeRole` names their access key id, never their secret or token.

pub mod cloudtrail;
pub mod form;
pub mod xml;

use std::sync::Arc;

use axum::body::to_bytes;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use coffer_kms::audit::{CallRecord, Source, event};
use coffer_kms::authz::iso8601;
use coffer_kms::sts::CredentialError;
use coffer_kms::sts::StsError;
use coffer_kms::sts::assume_role::AssumeRoleRequest;

use crate::AppState;
use crate::aws::sigv4::SigV4Error;
use crate::credentials::{AuthError, verify};
use form::Params;
use xml::Node;

/// The service name in the SigV4 credential scope.
pub const SIGNING_SERVICE: &str = "sts";

/// The only API version STS has.
pub const VERSION: &str = "2011-06-15";

/// True when a request is for STS: it names no `X-Amz-Target` (which KMS requests do), its
/// body is a form, and it is signed with SigV4 or not at all (other clouds' form requests
/// carry their own `Authorization` scheme).
pub fn is_sts_request(headers: &HeaderMap) -> bool {
    let form = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| {
        v.get(..33).is_some_and(|p| p.eq_ignore_ascii_case("application/x-www-form-urlencoded"))
    });
    let aws_signed = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| v.trim_start().starts_with(crate::aws::sigv4::ALGORITHM));
    form && aws_signed && !headers.contains_key("x-amz-target")
}

/// An STS refusal: HTTP status, `Sender`/`Receiver`, code and message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WireError {
    /// The HTTP status.
    pub status: StatusCode,
    /// `Sender` (the caller's fault) or `Receiver`.
    pub kind: &'static str,
    /// STS's error code.
    pub code: &'static str,
    /// The message.
    pub message: String,
}

impl WireError {
    fn sender(status: StatusCode, code: &'static str, message: impl Into<String>) -> WireError {
        WireError { status, kind: "Sender", code, message: message.into() }
    }

    fn validation(message: impl Into<String>) -> WireError {
        WireError::sender(StatusCode::BAD_REQUEST, "ValidationError", message)
    }
}

/// The STS error of a refused signer.
pub fn from_auth(e: &AuthError) -> WireError {
    let forbidden = StatusCode::FORBIDDEN;
    match e {
        AuthError::Signature(SigV4Error::Missing) => WireError::sender(
            forbidden,
            "MissingAuthenticationToken",
            "Request is missing Authentication Token",
        ),
        AuthError::Signature(e @ SigV4Error::Incomplete(_)) => {
            WireError::sender(StatusCode::BAD_REQUEST, "IncompleteSignature", e.to_string())
        }
        AuthError::Signature(e @ (SigV4Error::Invalid(_) | SigV4Error::Mismatch)) => {
            WireError::sender(forbidden, "SignatureDoesNotMatch", e.to_string())
        }
        AuthError::Signature(e @ SigV4Error::UnknownAccessKey) => {
            WireError::sender(forbidden, "InvalidClientTokenId", e.to_string())
        }
        AuthError::Credential(e @ CredentialError::InvalidToken) => {
            WireError::sender(forbidden, "InvalidClientTokenId", e.to_string())
        }
        AuthError::Credential(e @ CredentialError::ExpiredToken) => {
            WireError::sender(StatusCode::BAD_REQUEST, "ExpiredToken", e.to_string())
        }
    }
}

/// The STS error of a service refusal: one arm per variant, no catch-all.
pub fn error_of(e: &StsError, request_id: &str) -> WireError {
    match e {
        StsError::Validation { message } => WireError::validation(message.clone()),
        StsError::MalformedPolicy { message } => {
            WireError::sender(StatusCode::BAD_REQUEST, "MalformedPolicyDocument", message.clone())
        }
        StsError::PackedPolicyTooLarge { message } => {
            WireError::sender(StatusCode::BAD_REQUEST, "PackedPolicyTooLarge", message.clone())
        }
        StsError::AccessDenied { message, .. } => {
            WireError::sender(StatusCode::FORBIDDEN, "AccessDenied", message.clone())
        }
        StsError::Internal(cause) => {
            tracing::error!(request_id, cause = %cause, "internal error");
            WireError {
                status: StatusCode::INTERNAL_SERVER_ERROR,
                kind: "Receiver",
                code: "InternalFailure",
                message: "The request processing has failed because of an unknown error, exception or failure.".into(),
            }
        }
    }
}

/// Serves one STS request.
pub async fn handle(state: Arc<AppState>, request: axum::extract::Request) -> Response {
    let request_id = coffer_kms::audit::new_request_id();
    let (parts, body) = request.into_parts();
    let result = match to_bytes(body, crate::MAX_BODY_BYTES).await {
        Err(_) => Err(WireError::sender(
            StatusCode::PAYLOAD_TOO_LARGE,
            "RequestEntityTooLarge",
            format!("Request body must be at most {} bytes", crate::MAX_BODY_BYTES),
        )),
        Ok(body) => {
            let params = Params::parse(parts.uri.query().unwrap_or(""), &body);
            let action = params.get("Action").unwrap_or_default().to_owned();
            let outcome = match verify(&state, &parts, &body, SIGNING_SERVICE) {
                Err(e) => Err(from_auth(&e)),
                Ok(caller) => {
                    let answer = call(&state, &caller, &action, &params, &request_id);
                    // Every action served is a read: none answers without its event.
                    match audit(&state, &caller, &action, &params, &answer, &request_id) {
                        Ok(()) => answer.map(|a| a.xml),
                        Err(e) => Err(error_of(&StsError::Internal(e.to_string()), &request_id)),
                    }
                }
            };
            tracing::info!(
                request_id,
                action,
                status = outcome.as_ref().map_or_else(|e| e.status.as_u16(), |_| 200),
                error = outcome.as_ref().err().map_or("-", |e| e.code),
                "aws sts request"
            );
            outcome
        }
    };
    match result {
        Ok(body) => respond(StatusCode::OK, body, &request_id),
        Err(e) => {
            respond(e.status, xml::error(e.kind, e.code, &e.message, &request_id), &request_id)
        }
    }
}

fn respond(status: StatusCode, body: String, request_id: &str) -> Response {
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/xml"));
    if let Ok(v) = HeaderValue::from_str(request_id) {
        headers.insert("x-amzn-RequestId", v);
    }
    response
}

/// What an action answered: the XML of its result, and what its audit event records of it.
struct Answer {
    xml: String,
    /// `responseElements`.
    recorded: serde_json::Value,
    /// The ARN of the resource the call was about (the role of `AssumeRole`).
    resource: Option<String>,
}

/// Appends the audit event of a call of a served action by an authenticated caller.
fn audit(
    state: &AppState,
    caller: &coffer_kms::Caller,
    action: &str,
    params: &Params,
    answer: &Result<Answer, WireError>,
    request_id: &str,
) -> Result<(), coffer_kms::KmsError> {
    let Some(event_name) = cloudtrail::event_name(action) else { return Ok(()) };
    let (response, resource, error) = match answer {
        Ok(a) => (a.recorded.clone(), a.resource.as_deref(), None),
        Err(e) => (serde_json::Value::Null, None, Some(e)),
    };
    let ev = event(
        Some(caller),
        CallRecord {
            source: Source::Sts,
            event_name,
            request_id,
            time_millis: state.kms.now_millis(),
            request: cloudtrail::request_parameters(action, params),
            response,
            error_code: error.map(|e| e.code),
            error_message: error.map(|e| e.message.as_str()),
            read_only: true,
            resources: resource.into_iter().collect(),
        },
    );
    state.kms.record(&ev)
}

/// Runs one action for a verified caller.
fn call(
    state: &AppState,
    caller: &coffer_kms::Caller,
    action: &str,
    params: &Params,
    request_id: &str,
) -> Result<Answer, WireError> {
    if let Some(v) = params.get("Version").filter(|v| *v != VERSION) {
        return Err(WireError::sender(
            StatusCode::BAD_REQUEST,
            "InvalidAction",
            format!("Could not find operation {action} for version {v}"),
        ));
    }
    match action {
        "GetCallerIdentity" => {
            let id = state.kms.get_caller_identity(caller);
            let xml = xml::response(
                action,
                &[
                    Node::Text("Arn", id.arn),
                    Node::Text("UserId", id.user_id),
                    Node::Text("Account", id.account),
                ],
                request_id,
            );
            Ok(Answer { xml, recorded: serde_json::Value::Null, resource: None })
        }
        "AssumeRole" => {
            let req = assume_role_request(params)?;
            let role_arn = req.role_arn.clone();
            let r = state.kms.assume_role(caller, req).map_err(|e| error_of(&e, request_id))?;
            let mut result = vec![];
            if let Some(s) = &r.source_identity {
                result.push(Node::Text("SourceIdentity", s.clone()));
            }
            result.push(Node::Element(
                "AssumedRoleUser",
                vec![
                    Node::Text("AssumedRoleId", r.assumed_role_id.clone()),
                    Node::Text("Arn", r.arn.clone()),
                ],
            ));
            result.push(Node::Element(
                "Credentials",
                vec![
                    Node::Text("AccessKeyId", r.access_key_id.clone()),
                    Node::Text("SecretAccessKey", exposed(r.secret_access_key.expose())),
                    Node::Text("SessionToken", exposed(r.session_token.expose())),
                    Node::Text("Expiration", iso8601(r.expiration_millis)),
                ],
            ));
            if let Some(p) = r.packed_policy_size {
                result.push(Node::Text("PackedPolicySize", p.to_string()));
            }
            Ok(Answer {
                xml: xml::response(action, &result, request_id),
                recorded: cloudtrail::assume_role_response(&r),
                resource: Some(role_arn),
            })
        }
        "" => Err(WireError::sender(StatusCode::BAD_REQUEST, "MissingAction", "Missing Action")),
        other => Err(WireError::sender(
            StatusCode::BAD_REQUEST,
            "InvalidAction",
            format!("Could not find operation {other} for version {VERSION}"),
        )),
    }
}

/// The text of a credential, for the one response that hands it to its owner.
fn exposed(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `AssumeRole`'s parameters, with STS's message for a missing required one.
///
/// Public, and hidden from the documentation, only so that the fuzz target of the Query
/// protocol can run it on the parameters it decodes: a narrow entry point keeps the rest
/// of the front door private, where a cargo feature would add a build to keep compiling.
#[doc(hidden)]
pub fn assume_role_request(p: &Params) -> Result<AssumeRoleRequest, WireError> {
    let required = |name: &str, field: &str| {
        p.get(name).map(str::to_owned).ok_or_else(|| {
            WireError::validation(format!(
                "1 validation error detected: Value null at '{field}' failed to satisfy constraint: Member must not be null"
            ))
        })
    };
    let role_arn = required("RoleArn", "roleArn")?;
    let role_session_name = required("RoleSessionName", "roleSessionName")?;
    let duration_seconds = p
        .get("DurationSeconds")
        .map(|d| {
            d.parse::<i64>().map_err(|_| {
                WireError::validation(format!(
                    "1 validation error detected: Value '{d}' at 'durationSeconds' failed to satisfy constraint: Member must be a number"
                ))
            })
        })
        .transpose()?;
    let opt = |name: &str| p.get(name).map(str::to_owned);
    let tags = p
        .structs("Tags")
        .into_iter()
        .map(|mut t| (t.remove("Key").unwrap_or_default(), t.remove("Value").unwrap_or_default()))
        .collect();
    let policy_arns =
        p.structs("PolicyArns").into_iter().filter_map(|mut m| m.remove("arn")).collect();
    Ok(AssumeRoleRequest {
        role_arn,
        role_session_name,
        duration_seconds,
        policy: opt("Policy"),
        policy_arns,
        tags,
        transitive_tag_keys: p.list("TransitiveTagKeys"),
        external_id: opt("ExternalId"),
        source_identity: opt("SourceIdentity"),
        serial_number: opt("SerialNumber"),
        token_code: opt("TokenCode"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(), v.parse().unwrap());
        }
        h
    }

    #[test]
    fn sts_requests_are_form_posts_without_a_target() {
        let form = ("content-type", "application/x-www-form-urlencoded; charset=utf-8");
        let sigv4 = (
            "authorization",
            "AWS4-HMAC-SHA256 Credential=AKIA/20260101/us-east-1/sts/aws4_request",
        );
        assert!(is_sts_request(&headers(&[form, sigv4])));
        assert!(is_sts_request(&headers(&[form])));
        assert!(!is_sts_request(&headers(&[
            form,
            sigv4,
            ("x-amz-target", "TrentService.Encrypt")
        ])));
        assert!(!is_sts_request(&headers(&[
            ("content-type", "application/x-amz-json-1.1"),
            sigv4
        ])));
        assert!(!is_sts_request(&headers(&[
            form,
            ("authorization", "ACS3-HMAC-SHA256 Credential=x")
        ])));
    }

    #[test]
    fn refusals_use_sts_codes_and_statuses() {
        let e = from_auth(&AuthError::Credential(CredentialError::ExpiredToken));
        assert_eq!((e.status, e.code), (StatusCode::BAD_REQUEST, "ExpiredToken"));
        assert_eq!(e.message, "The security token included in the request is expired");
        let e = from_auth(&AuthError::Signature(SigV4Error::UnknownAccessKey));
        assert_eq!((e.status, e.code), (StatusCode::FORBIDDEN, "InvalidClientTokenId"));
        assert_eq!(e.message, "The security token included in the request is invalid.");
        let e = from_auth(&AuthError::Signature(SigV4Error::Mismatch));
        assert_eq!((e.status, e.code), (StatusCode::FORBIDDEN, "SignatureDoesNotMatch"));
        let e = error_of(&StsError::AccessDenied { message: "m".into(), decision: None }, "r");
        assert_eq!((e.status, e.kind, e.code), (StatusCode::FORBIDDEN, "Sender", "AccessDenied"));
        let e = error_of(&StsError::Internal("disk".into()), "r");
        assert_eq!((e.status, e.kind), (StatusCode::INTERNAL_SERVER_ERROR, "Receiver"));
        assert!(!e.message.contains("disk"));
    }

    #[test]
    fn assume_role_parameters() {
        let p = Params::parse(
            "",
            b"Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fapp&RoleSessionName=s1\
              &DurationSeconds=900&Tags.member.1.Key=project&Tags.member.1.Value=apollo\
              &TransitiveTagKeys.member.1=project&ExternalId=ext&PolicyArns.member.1.arn=arn%3Ax",
        );
        let r = assume_role_request(&p).unwrap();
        assert_eq!(r.role_arn, "arn:aws:iam::111122223333:role/app");
        assert_eq!(r.duration_seconds, Some(900));
        assert_eq!(r.tags, [("project".to_owned(), "apollo".to_owned())]);
        assert_eq!(r.transitive_tag_keys, ["project"]);
        assert_eq!(r.policy_arns, ["arn:x"]);
        assert_eq!(r.external_id.as_deref(), Some("ext"));
        let e = assume_role_request(&Params::parse("", b"RoleSessionName=s")).unwrap_err();
        assert_eq!(
            e.message,
            "1 validation error detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null"
        );
        let e = assume_role_request(&Params::parse(
            "",
            b"RoleArn=a&RoleSessionName=s&DurationSeconds=x",
        ))
        .unwrap_err();
        assert_eq!(e.code, "ValidationError");
    }
}
