//! Errors as AWS KMS puts them on the wire.
//!
//! Every refusal is HTTP 400 with `Content-Type: application/x-amz-json-1.1` and a body
//! `{"__type": "<Code>", "message": "<text>"}`; the message member is left out where AWS
//! sends none (InvalidCiphertextException, UnknownOperationException, ...). Internal
//! failures are HTTP 500 `KMSInternalException` with a generic message: the cause goes to
//! the log under the request id, never to the client.
//!
//! [`from_kms`] is the one exhaustive match from the service's errors to AWS's codes.

use axum::http::StatusCode;
use coffer_kms::KmsError;

use crate::aws::sigv4::SigV4Error;

/// The generic message of an internal error (the text of the AWS model for
/// KMSInternalException).
pub const INTERNAL_MESSAGE: &str =
    "The request was rejected because an internal exception occurred. The request can be retried.";

/// One error response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AwsError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The exception name (`__type`).
    pub code: &'static str,
    /// The message, when AWS sends one.
    pub message: Option<String>,
}

impl AwsError {
    /// A 400 with a message.
    pub fn new(code: &'static str, message: impl Into<String>) -> AwsError {
        AwsError { status: StatusCode::BAD_REQUEST, code, message: Some(message.into()) }
    }

    /// A 400 without a message.
    pub fn bare(code: &'static str) -> AwsError {
        AwsError { status: StatusCode::BAD_REQUEST, code, message: None }
    }

    /// ValidationException.
    pub fn validation(message: impl Into<String>) -> AwsError {
        AwsError::new("ValidationException", message)
    }

    /// SerializationException: the body is not JSON or a member has the wrong type.
    pub fn serialization() -> AwsError {
        AwsError::bare("SerializationException")
    }

    /// UnknownOperationException: the target names no AWS KMS operation.
    pub fn unknown_operation() -> AwsError {
        AwsError::bare("UnknownOperationException")
    }

    /// UnsupportedOperationException for an AWS KMS operation this server does not
    /// implement.
    pub fn unsupported_operation(operation: &str) -> AwsError {
        AwsError::new(
            "UnsupportedOperationException",
            format!("{operation} is not supported by this server."),
        )
    }

    /// KMSInternalException (HTTP 500); the cause is logged here with the request id.
    pub fn internal(request_id: &str, cause: &dyn std::fmt::Display) -> AwsError {
        tracing::error!(request_id, cause = %cause, "internal error");
        AwsError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "KMSInternalException",
            message: Some(INTERNAL_MESSAGE.into()),
        }
    }

    /// The request body is larger than the server accepts.
    pub fn too_large(limit: usize) -> AwsError {
        AwsError {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            code: "RequestEntityTooLargeException",
            message: Some(format!("Request body must be no more than {limit} bytes")),
        }
    }

    /// The JSON body: `{"__type": ..., "message": ...}`.
    pub fn body(&self) -> serde_json::Value {
        let mut body = serde_json::Map::new();
        body.insert("__type".into(), self.code.into());
        if let Some(m) = &self.message {
            body.insert("message".into(), m.as_str().into());
        }
        serde_json::Value::Object(body)
    }
}

/// The AWS error of a refused signature.
pub fn from_sigv4(e: &SigV4Error) -> AwsError {
    let code = match e {
        SigV4Error::Missing => "MissingAuthenticationTokenException",
        SigV4Error::Incomplete(_) => "IncompleteSignatureException",
        SigV4Error::Invalid(_) | SigV4Error::Mismatch => "InvalidSignatureException",
        SigV4Error::UnknownAccessKey => "UnrecognizedClientException",
    };
    AwsError::new(code, e.to_string())
}

/// The AWS error of a service error: one arm per variant, no catch-all, so a new variant
/// does not build until it has its code here.
pub fn from_kms(e: &KmsError, request_id: &str) -> AwsError {
    match e {
        KmsError::NotFound { message } => AwsError::new("NotFoundException", message),
        KmsError::AlreadyExists { message } => AwsError::new("AlreadyExistsException", message),
        // AWS sends no message for some refusals (a malformed peer public key).
        KmsError::Validation { message } if message.is_empty() => {
            AwsError::bare("ValidationException")
        }
        KmsError::Validation { message } => AwsError::validation(message),
        KmsError::Disabled { .. } => AwsError::new("DisabledException", e.to_string()),
        KmsError::InvalidState { message } => AwsError::new("KMSInvalidStateException", message),
        KmsError::InvalidCiphertext => AwsError::bare("InvalidCiphertextException"),
        KmsError::IncorrectKey => AwsError::new("IncorrectKeyException", e.to_string()),
        KmsError::InvalidKeyUsage { message } => AwsError::new("InvalidKeyUsageException", message),
        KmsError::MalformedPolicy { message } => {
            AwsError::new("MalformedPolicyDocumentException", message)
        }
        KmsError::LimitExceeded { message } => AwsError::new("LimitExceededException", message),
        KmsError::Tag { message } => AwsError::new("TagException", message),
        KmsError::Unsupported { message } if message.is_empty() => {
            AwsError::bare("UnsupportedOperationException")
        }
        KmsError::Unsupported { message } => {
            AwsError::new("UnsupportedOperationException", message)
        }
        KmsError::AccessDenied { message, .. } => AwsError::new("AccessDeniedException", message),
        KmsError::InvalidSignature => AwsError::bare("KMSInvalidSignatureException"),
        KmsError::InvalidMac => AwsError::bare("KMSInvalidMacException"),
        KmsError::IncorrectKeyMaterial { message } => {
            AwsError::new("IncorrectKeyMaterialException", message)
        }
        KmsError::ExpiredImportToken { message } => {
            AwsError::new("ExpiredImportTokenException", message)
        }
        KmsError::InvalidImportToken { message } => {
            AwsError::new("InvalidImportTokenException", message)
        }
        KmsError::InvalidGrantToken { message } => {
            AwsError::new("InvalidGrantTokenException", message)
        }
        KmsError::InvalidGrantId { message } => AwsError::new("InvalidGrantIdException", message),
        KmsError::InvalidArn { message } => AwsError::new("InvalidArnException", message),
        KmsError::InvalidMarker => AwsError::new("InvalidMarkerException", e.to_string()),
        KmsError::DryRunSucceeded => AwsError::new("DryRunOperationException", e.to_string()),
        KmsError::Internal { cause } => AwsError::internal(request_id, cause),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARN: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    fn wire(e: KmsError) -> (u16, serde_json::Value) {
        let a = from_kms(&e, "req-1");
        (a.status.as_u16(), a.body())
    }

    #[test]
    fn every_service_error_has_its_aws_code_and_message() {
        use serde_json::json;
        let m = |s: &str| s.to_owned();
        assert_eq!(
            wire(KmsError::NotFound { message: format!("Key '{ARN}' does not exist") }),
            (
                400,
                json!({"__type": "NotFoundException", "message": format!("Key '{ARN}' does not exist")})
            )
        );
        assert_eq!(
            wire(KmsError::AlreadyExists { message: m("An alias with the name x already exists") })
                .1["__type"],
            "AlreadyExistsException"
        );
        assert_eq!(
            wire(KmsError::validation("1 validation error detected: x")),
            (
                400,
                json!({"__type": "ValidationException", "message": "1 validation error detected: x"})
            )
        );
        assert_eq!(
            wire(KmsError::Disabled { key_arn: ARN.into() }),
            (400, json!({"__type": "DisabledException", "message": format!("{ARN} is disabled.")}))
        );
        assert_eq!(
            wire(KmsError::InvalidState { message: format!("{ARN} is pending deletion.") }).1["__type"],
            "KMSInvalidStateException"
        );
        // AWS sends no message at all for an invalid ciphertext.
        assert_eq!(
            wire(KmsError::InvalidCiphertext),
            (400, json!({"__type": "InvalidCiphertextException"}))
        );
        assert_eq!(
            wire(KmsError::IncorrectKey).1,
            json!({"__type": "IncorrectKeyException",
                   "message": "The key ID in the request does not identify a CMK that can perform this operation."})
        );
        assert_eq!(
            wire(KmsError::InvalidKeyUsage { message: m("u") }).1["__type"],
            "InvalidKeyUsageException"
        );
        assert_eq!(
            wire(KmsError::MalformedPolicy { message: m("p") }).1["__type"],
            "MalformedPolicyDocumentException"
        );
        assert_eq!(
            wire(KmsError::LimitExceeded { message: m("l") }).1["__type"],
            "LimitExceededException"
        );
        assert_eq!(
            wire(KmsError::Tag { message: m("Duplicate tag keys") }).1,
            json!({"__type": "TagException", "message": "Duplicate tag keys"})
        );
        assert_eq!(
            wire(KmsError::Unsupported { message: m("") }).1,
            json!({"__type": "UnsupportedOperationException"})
        );
        assert_eq!(
            wire(KmsError::Unsupported { message: m("x") }).1["__type"],
            "UnsupportedOperationException"
        );
        for (e, code) in [
            (KmsError::InvalidGrantToken { message: m("t") }, "InvalidGrantTokenException"),
            (KmsError::InvalidGrantId { message: m("t") }, "InvalidGrantIdException"),
            (KmsError::InvalidArn { message: m("t") }, "InvalidArnException"),
        ] {
            assert_eq!(wire(e), (400, json!({"__type": code, "message": "t"})));
        }
        assert_eq!(
            wire(KmsError::InvalidMarker),
            (
                400,
                json!({"__type": "InvalidMarkerException",
                       "message": "The request was rejected because the marker that specifies where pagination should next begin is not valid."})
            )
        );
        assert_eq!(
            wire(KmsError::DryRunSucceeded).1,
            json!({"__type": "DryRunOperationException",
                   "message": "The request would have succeeded, but the DryRun option is set."})
        );
        // The cause of an internal error never reaches the wire.
        let (status, body) = wire(KmsError::internal("store: disk on fire"));
        assert_eq!(status, 500);
        assert_eq!(body, json!({"__type": "KMSInternalException", "message": INTERNAL_MESSAGE}));
    }

    #[test]
    fn signature_refusals() {
        let code = |e: SigV4Error| from_sigv4(&e).body();
        assert_eq!(
            code(SigV4Error::Missing),
            serde_json::json!({"__type": "MissingAuthenticationTokenException", "message": "Missing Authentication Token"})
        );
        assert_eq!(
            code(SigV4Error::UnknownAccessKey),
            serde_json::json!({"__type": "UnrecognizedClientException",
                               "message": "The security token included in the request is invalid."})
        );
        assert_eq!(
            code(SigV4Error::Mismatch),
            serde_json::json!({"__type": "InvalidSignatureException",
                               "message": "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."})
        );
        assert_eq!(
            code(SigV4Error::Incomplete("x".into()))["__type"],
            "IncompleteSignatureException"
        );
        assert_eq!(
            code(SigV4Error::Invalid("Signature expired: x".into()))["__type"],
            "InvalidSignatureException"
        );
    }
}
