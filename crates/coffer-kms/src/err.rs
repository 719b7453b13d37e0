//! The service's errors: what went wrong, in terms of keys and requests, never of wire codes.
//!
//! Each variant carries the message a caller sees; the AWS front door maps each variant to
//! its exception name and HTTP status in one exhaustive match. Internal failures carry
//! their cause for the log only: the wire gets a generic message.

use coffer_policy::decision::Decision;

/// Everything an operation can refuse or fail with.
#[derive(Debug, thiserror::Error)]
pub enum KmsError {
    /// The key, alias or other named thing does not exist.
    #[error("{message}")]
    NotFound {
        /// What the caller is told.
        message: String,
    },
    /// A thing of that name already exists.
    #[error("{message}")]
    AlreadyExists {
        /// What the caller is told.
        message: String,
    },
    /// A request parameter is missing or out of range.
    #[error("{message}")]
    Validation {
        /// What the caller is told.
        message: String,
    },
    /// The key is disabled.
    #[error("{key_arn} is disabled.")]
    Disabled {
        /// The key's ARN.
        key_arn: String,
    },
    /// The key's state does not allow the operation.
    #[error("{message}")]
    InvalidState {
        /// What the caller is told.
        message: String,
    },
    /// A ciphertext could not be decrypted (one opaque kind: never an oracle).
    #[error("the ciphertext is invalid")]
    InvalidCiphertext,
    /// The ciphertext was made under another key than the one named in the request.
    #[error("The key ID in the request does not identify a CMK that can perform this operation.")]
    IncorrectKey,
    /// The key's usage does not allow the operation.
    #[error("{message}")]
    InvalidKeyUsage {
        /// What the caller is told.
        message: String,
    },
    /// The policy document is malformed or would lock the caller out.
    #[error("{message}")]
    MalformedPolicy {
        /// What the caller is told.
        message: String,
    },
    /// A quota was reached.
    #[error("{message}")]
    LimitExceeded {
        /// What the caller is told.
        message: String,
    },
    /// A tag is invalid.
    #[error("{message}")]
    Tag {
        /// What the caller is told.
        message: String,
    },
    /// The operation is not supported for this key.
    #[error("{message}")]
    Unsupported {
        /// What the caller is told.
        message: String,
    },
    /// The caller is not authorized.
    #[error("{message}")]
    AccessDenied {
        /// The full message: who, what, on which resource, and why.
        message: String,
        /// The decision with its reasons (for the audit trail).
        decision: Box<Decision>,
    },
    /// A signature did not verify (AWS sends no message).
    #[error("the signature is not valid")]
    InvalidSignature,
    /// A MAC did not verify (AWS sends no message).
    #[error("the MAC is not valid")]
    InvalidMac,
    /// Imported key material does not fit the key, or is not the material imported into it
    /// before.
    #[error("{message}")]
    IncorrectKeyMaterial {
        /// What the caller is told.
        message: String,
    },
    /// The import token's validity has ended.
    #[error("{message}")]
    ExpiredImportToken {
        /// What the caller is told.
        message: String,
    },
    /// The import token was not handed out for this key, or is not a token at all.
    #[error("{message}")]
    InvalidImportToken {
        /// What the caller is told.
        message: String,
    },
    /// A grant token is not one this service handed out for an existing grant.
    #[error("{message}")]
    InvalidGrantToken {
        /// What the caller is told.
        message: String,
    },
    /// A grant id names no grant of the key.
    #[error("{message}")]
    InvalidGrantId {
        /// What the caller is told.
        message: String,
    },
    /// An ARN does not name what the request needs (a principal).
    #[error("{message}")]
    InvalidArn {
        /// What the caller is told.
        message: String,
    },
    /// A pagination marker that no listing handed out for this request: made up, altered, or
    /// taken from another listing.
    #[error(
        "The request was rejected because the marker that specifies where pagination should next begin is not valid."
    )]
    InvalidMarker,
    /// DryRun was set and the request would have succeeded.
    #[error("The request would have succeeded, but the DryRun option is set.")]
    DryRunSucceeded,
    /// Something inside the service failed; the cause goes to the log only.
    #[error("internal error")]
    Internal {
        /// The cause, for the log.
        cause: String,
    },
}

impl KmsError {
    /// A validation error.
    pub fn validation(message: impl Into<String>) -> KmsError {
        KmsError::Validation { message: message.into() }
    }

    /// An internal error from any cause.
    pub fn internal(cause: impl std::fmt::Display) -> KmsError {
        KmsError::Internal { cause: cause.to_string() }
    }
}

impl From<coffer_store::StoreError> for KmsError {
    fn from(e: coffer_store::StoreError) -> KmsError {
        KmsError::internal(format!("store: {e}"))
    }
}
