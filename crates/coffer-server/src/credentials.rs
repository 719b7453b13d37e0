//! Who signed an AWS request: the SigV4 check and the session-token check, shared by the
//! KMS and STS front doors.
//!
//! Owns: reading the request's headers for [`sigv4::verify`], finding the secret of the
//! access key it names ([`coffer_kms::Kms::credential`]: a long-term key, or an STS
//! session's temporary key), and handing the `X-Amz-Security-Token` to
//! [`coffer_kms::Kms::authenticate`]. Each front door renders a refusal in its own wire
//! form. Never: log a secret, a token or the `Authorization` header.

use std::net::SocketAddr;

use axum::extract::ConnectInfo;
use axum::http::header;
use axum::http::request::Parts;
use coffer_kms::Caller;
use coffer_kms::sts::{Credential, CredentialError};

use crate::AppState;
use crate::aws::sigv4::{self, SigV4Error};

/// Why a request's signer is refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuthError {
    /// The signature itself (missing, malformed, stale, unknown key, mismatch).
    Signature(SigV4Error),
    /// The signature holds but the credential does not (session token).
    Credential(CredentialError),
}

/// A credential, as the signature check reads it: its secret.
struct Signer<'k>(Credential<'k>);

impl AsRef<[u8]> for Signer<'_> {
    fn as_ref(&self) -> &[u8] {
        self.0.secret().expose()
    }
}

/// Verifies a request signed for `service` (`kms`, `sts`) and returns its caller.
pub fn verify(
    state: &AppState,
    parts: &Parts,
    body: &[u8],
    service: &str,
) -> Result<Caller, AuthError> {
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
    let (verified, Signer(credential)) =
        sigv4::verify_with(&req, service, now, state.max_skew_secs, |ak| {
            kms.credential(ak).map(Signer)
        })
        .map_err(AuthError::Signature)?;
    let token = parts.headers.get("x-amz-security-token").and_then(|v| v.to_str().ok());
    let source_ip = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string());
    let user_agent =
        parts.headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).map(str::to_owned);
    kms.authenticate(&credential, token, verified.region(), source_ip, false, user_agent)
        .map_err(AuthError::Credential)
}
