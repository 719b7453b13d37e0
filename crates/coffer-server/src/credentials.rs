//! Who signed an AWS request: the SigV4 check and the session-token check, shared by the
//! KMS and STS front doors.
//!
//! Owns: reading the request's headers for [`sigv4::verify`] where they lie (a value that
//! is not UTF-8 read lossily), finding the secret of the access key it names
//! ([`coffer_kms::Kms::credential`]: a long-term key, or an STS session's temporary key),
//! and handing the `X-Amz-Security-Token` to [`coffer_kms::Kms::authenticate`]. Each front
//! door renders a refusal in its own wire form. Never: log a secret, a token or the
//! `Authorization` header.
//!
//! Each thread remembers the few signing keys it derived last (a client signs a whole day
//! with one), each with a fingerprint of the secret it came from, so a changed secret is
//! never answered with an old key.

use std::borrow::Cow;
use std::cell::RefCell;
use std::net::SocketAddr;

use axum::extract::ConnectInfo;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use coffer_kms::Caller;
use coffer_kms::sts::{Credential, CredentialError};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::AppState;
use crate::aws::sigv4::{self, Scope, SigV4Error, SigningSecret};

/// Why a request's signer is refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuthError {
    /// The signature itself (missing, malformed, stale, unknown key, mismatch).
    Signature(SigV4Error),
    /// The signature holds but the credential does not (session token).
    Credential(CredentialError),
}

/// A credential, as the signature check reads it: the signing keys of its secret.
struct Signer<'k>(Credential<'k>);

impl SigningSecret for Signer<'_> {
    fn signing_key(&self, scope: &Scope<'_>) -> Zeroizing<[u8; 32]> {
        let (access_key_id, secret) = (self.0.access_key_id(), self.0.secret().expose());
        // A thread being torn down, or already in here, derives the key afresh.
        SIGNING_KEYS
            .try_with(|keys| {
                let mut keys = keys.try_borrow_mut().ok()?;
                Some(keys.signing_key(access_key_id, secret, scope))
            })
            .ok()
            .flatten()
            .unwrap_or_else(|| sigv4::signing_key(secret, scope))
    }
}

/// How many signing keys a thread remembers: a key per client, region and day.
const REMEMBERED_KEYS: usize = 8;

thread_local! {
    /// Per thread, so that no call waits on a lock for it.
    static SIGNING_KEYS: RefCell<SigningKeys> =
        const { RefCell::new(SigningKeys { keys: Vec::new(), next: 0 }) };
}

/// The signing keys derived last, at most [`REMEMBERED_KEYS`]; the oldest goes first.
struct SigningKeys {
    keys: Vec<SigningKey>,
    next: usize,
}

/// A signing key and what it was derived from. The secret is known by its SHA-256 only.
struct SigningKey {
    access_key_id: String,
    date: String,
    region: String,
    service: String,
    terminator: String,
    fingerprint: [u8; 32],
    key: Zeroizing<[u8; 32]>,
}

impl SigningKey {
    fn is_for(&self, access_key_id: &str, scope: &Scope<'_>) -> bool {
        self.access_key_id == access_key_id
            && self.date == scope.date
            && self.region == scope.region
            && self.service == scope.service
            && self.terminator == scope.terminator
    }
}

impl SigningKeys {
    /// The signing key of `secret` (that of `access_key_id`) for `scope`: remembered when
    /// it was derived from the same secret, derived and remembered otherwise.
    fn signing_key(
        &mut self,
        access_key_id: &str,
        secret: &[u8],
        scope: &Scope<'_>,
    ) -> Zeroizing<[u8; 32]> {
        let fingerprint: [u8; 32] = Sha256::digest(secret).into();
        let slot = self.keys.iter().position(|k| k.is_for(access_key_id, scope));
        if let Some(known) = slot.and_then(|i| self.keys.get(i)) {
            if bool::from(known.fingerprint.ct_eq(&fingerprint)) {
                return known.key.clone();
            }
        }
        let key = sigv4::signing_key(secret, scope);
        let remembered = SigningKey {
            access_key_id: access_key_id.to_owned(),
            date: scope.date.to_owned(),
            region: scope.region.to_owned(),
            service: scope.service.to_owned(),
            terminator: scope.terminator.to_owned(),
            fingerprint,
            key: key.clone(),
        };
        // A key whose secret changed is replaced where it stands.
        match slot {
            Some(i) => self.keys[i] = remembered,
            None if self.keys.len() < REMEMBERED_KEYS => self.keys.push(remembered),
            None => {
                self.keys[self.next] = remembered;
                self.next = (self.next + 1) % REMEMBERED_KEYS;
            }
        }
        key
    }
}

impl sigv4::Headers for HeaderMap {
    fn values(&self, name: &str) -> impl Iterator<Item = Cow<'_, str>> {
        self.get_all(name).iter().map(|v| {
            let bytes = v.as_bytes();
            // The lossy reader gives the same text for UTF-8, but checks it more slowly.
            std::str::from_utf8(bytes)
                .map_or_else(|_| String::from_utf8_lossy(bytes), Cow::Borrowed)
        })
    }
}

/// Verifies a request signed for `service` (`kms`, `sts`) and returns its caller.
pub fn verify(
    state: &AppState,
    parts: &Parts,
    body: &[u8],
    service: &str,
) -> Result<Caller, AuthError> {
    let req = sigv4::Request {
        method: parts.method.as_str(),
        path: parts.uri.path(),
        query: parts.uri.query().unwrap_or(""),
        headers: &parts.headers,
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
    let source_ip = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| ip_text(c.0.ip()));
    let user_agent =
        parts.headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).map(str::to_owned);
    kms.authenticate(&credential, token, verified.region(), source_ip, false, user_agent)
        .map_err(AuthError::Credential)
}

/// An address as text, as `Display` writes it. An IPv4 address is written octet by octet:
/// every request names its source, and the formatter costs several times more.
fn ip_text(ip: std::net::IpAddr) -> String {
    let std::net::IpAddr::V4(v4) = ip else {
        return ip.to_string();
    };
    let mut text = String::with_capacity(15);
    for (i, octet) in v4.octets().into_iter().enumerate() {
        if i > 0 {
            text.push('.');
        }
        if octet >= 100 {
            text.push(char::from(b'0' + octet / 100));
        }
        if octet >= 10 {
            text.push(char::from(b'0' + octet / 10 % 10));
        }
        text.push(char::from(b'0' + octet % 10));
    }
    text
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;
    use crate::aws::sigv4::{Headers, TERMINATOR};

    #[test]
    fn headers_read_in_place_as_they_were_copied() {
        let mut map = HeaderMap::new();
        for (name, value) in [
            ("Host", b"example.amazonaws.com".as_slice()),
            ("X-Amz-Date", b"20150830T123600Z"),
            ("x-dup", b"one"),
            ("content-type", b"application/x-amz-json-1.1"),
            ("X-Dup", b"  two  "),
            ("x-odd", b"a\xffb\xc3"),
            ("x-utf8", "caf\u{e9}".as_bytes()),
            (&"x".repeat(70), b"long"),
        ] {
            map.append(
                axum::http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_bytes(value).unwrap(),
            );
        }
        // As the front door read headers before: every one copied, each value lossily.
        let copied: Vec<(String, String)> = map
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), String::from_utf8_lossy(v.as_bytes()).into()))
            .collect();
        let long = "x".repeat(70);
        for name in [
            "host",
            "x-amz-date",
            "x-dup",
            "content-type",
            "x-odd",
            "x-utf8",
            long.as_str(),
            "HOST",
            "X-Dup",
            "",
            "x dup",
            "x-dup ",
            "h\u{f6}st",
            "missing",
        ] {
            let read: Vec<Cow<'_, str>> = Headers::values(&map, name).collect();
            assert_eq!(read, copied.values(name).collect::<Vec<_>>(), "{name:?}");
        }
        assert_eq!(Headers::values(&map, "x-odd").collect::<Vec<_>>(), ["a\u{fffd}b\u{fffd}"]);
    }

    #[test]
    fn a_remembered_key_is_the_derived_key_of_the_same_secret() {
        let scope = |date, region| Scope { date, region, service: "kms", terminator: TERMINATOR };
        let mut keys = SigningKeys { keys: Vec::new(), next: 0 };
        let today = scope("20150830", "us-east-1");
        for secret in [b"one".as_slice(), b"one", b"two", b"one"] {
            assert_eq!(
                *keys.signing_key("AK", secret, &today),
                *sigv4::signing_key(secret, &today)
            );
        }
        assert_eq!(keys.keys.len(), 1);
        // More scopes than are remembered: the oldest go, every key stays right.
        let regions: Vec<String> = (0..2 * REMEMBERED_KEYS).map(|i| format!("r{i}")).collect();
        for round in 0..2 {
            for region in &regions {
                let scope = scope("20150830", region);
                let key = keys.signing_key("AK", b"one", &scope);
                assert_eq!(*key, *sigv4::signing_key(b"one", &scope), "{round} {region}");
            }
        }
        assert_eq!(keys.keys.len(), REMEMBERED_KEYS);
        let other = keys.signing_key("AK2", b"one", &today);
        assert_eq!(*other, *sigv4::signing_key(b"one", &today));
    }

    #[test]
    fn addresses_as_display_writes_them() {
        for ip in ["0.0.0.0", "127.0.0.1", "10.20.30.40", "9.99.100.255", "::1", "2001:db8::7"] {
            let parsed: std::net::IpAddr = ip.parse().unwrap();
            assert_eq!(super::ip_text(parsed), parsed.to_string());
            assert_eq!(super::ip_text(parsed), ip);
        }
        for o in 0..=255u8 {
            let ip = std::net::IpAddr::V4(std::net::Ipv4Addr::new(o, 255 - o, o / 2, o % 10));
            assert_eq!(super::ip_text(ip), ip.to_string());
        }
    }
}
