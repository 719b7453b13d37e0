//! AWS Signature Version 4, as pure functions: no I/O, no clock, no knowledge of keys.
//!
//! The verifier parses the `Authorization` header, checks the credential scope and the
//! request time against a `now` it is given, asks a lookup for the access key's secret,
//! rebuilds the canonical request and the string to sign, derives the signing key and
//! compares signatures in constant time. Only a request that passed every step yields a
//! [`Verified`], and only this module can build one.
//!
//! Refusals carry AWS's own wording, so the front door renders them unchanged. The
//! signer ([`sign`]) is the same code run the other way; tests use it to sign requests.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime};

/// The only algorithm SigV4 defines for header authorization.
pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// The last element of every credential scope.
pub const TERMINATOR: &str = "aws4_request";

/// AWS's message when the computed and the given signatures differ.
pub const MISMATCH_MESSAGE: &str = "The request signature we calculated does not match the signature you provided. \
Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

/// A request, as much of it as SigV4 reads.
#[derive(Clone, Copy, Debug)]
pub struct Request<'a> {
    /// `GET`, `POST`, ...
    pub method: &'a str,
    /// The path as sent (`/`), still percent-encoded.
    pub path: &'a str,
    /// The query string as sent, without `?` (empty when there is none).
    pub query: &'a str,
    /// Every header, in the order received; names in any case.
    pub headers: &'a [(String, String)],
    /// The body.
    pub body: &'a [u8],
}

impl<'a> Request<'a> {
    /// Every value of a header, in the order received.
    fn values(&self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The first value of a header.
    pub fn header(&self, name: &'a str) -> Option<&'a str> {
        self.values(name).next()
    }
}

/// The credential scope: `<date>/<region>/<service>/aws4_request`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scope {
    /// `yyyymmdd`.
    pub date: String,
    /// The region the request was signed for.
    pub region: String,
    /// The service the request was signed for (`kms`).
    pub service: String,
    /// Must be `aws4_request`.
    pub terminator: String,
}

impl Scope {
    /// `date/region/service/terminator`.
    pub fn to_path(&self) -> String {
        format!("{}/{}/{}/{}", self.date, self.region, self.service, self.terminator)
    }
}

/// A parsed `Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Authorization {
    /// The access key id of the credential.
    pub access_key_id: String,
    /// The rest of the credential.
    pub scope: Scope,
    /// The signed header names, lowercase, in the order given.
    pub signed_headers: Vec<String>,
    /// The signature, hex as sent.
    pub signature: String,
}

/// Why a request's signature was refused. Each message is AWS's.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SigV4Error {
    /// No `Authorization` header.
    #[error("Missing Authentication Token")]
    Missing,
    /// The header lacks a part or cannot be parsed.
    #[error("{0}")]
    Incomplete(String),
    /// The scope does not fit the request, or the request time is too far from now.
    #[error("{0}")]
    Invalid(String),
    /// No such access key.
    #[error("The security token included in the request is invalid.")]
    UnknownAccessKey,
    /// The signature is not the one the secret gives.
    #[error("{}", MISMATCH_MESSAGE)]
    Mismatch,
}

/// A request whose signature was verified. Only [`verify`] makes one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    access_key_id: String,
    region: String,
    service: String,
}

impl Verified {
    /// The access key the request was signed with.
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    /// The region of the credential scope.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The service of the credential scope.
    pub fn service(&self) -> &str {
        &self.service
    }
}

/// Verifies a request signed for `service`.
///
/// `now_secs` is the current time (epoch seconds) and `max_skew_secs` how far from it the
/// request's `X-Amz-Date` may be; `secret_of` returns the secret of an access key id.
/// Checks run in this order: header present and complete, scope, access key, time,
/// signature.
pub fn verify<'s>(
    req: &Request<'_>,
    service: &str,
    now_secs: i64,
    max_skew_secs: i64,
    secret_of: impl FnOnce(&str) -> Option<&'s [u8]>,
) -> Result<Verified, SigV4Error> {
    verify_with(req, service, now_secs, max_skew_secs, secret_of).map(|(verified, _)| verified)
}

/// [`verify`] for a secret that its lookup owns: `credential_of` returns what holds the
/// secret of an access key id (a session behind a shared handle, say), and it is handed
/// back with the verified request.
pub fn verify_with<C: AsRef<[u8]>>(
    req: &Request<'_>,
    service: &str,
    now_secs: i64,
    max_skew_secs: i64,
    credential_of: impl FnOnce(&str) -> Option<C>,
) -> Result<(Verified, C), SigV4Error> {
    let value = req
        .header("authorization")
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or(SigV4Error::Missing)?;
    let amz_date = req.header("x-amz-date").map(str::trim).filter(|d| parse_amz_date(d).is_some());
    let auth = parse_authorization(value, amz_date.is_some())?;
    let (Some(amz_date), Some(signed_at)) = (amz_date, amz_date.and_then(parse_amz_date)) else {
        return Err(SigV4Error::Incomplete(format!("{}Authorization={value}", DATE_REQUIRED)));
    };
    if !auth.signed_headers.iter().any(|h| h == "host") {
        return Err(SigV4Error::Incomplete(
            "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.".into(),
        ));
    }
    check_scope(&auth.scope, amz_date, service)?;
    let credential = credential_of(&auth.access_key_id).ok_or(SigV4Error::UnknownAccessKey)?;
    check_time(signed_at, now_secs, max_skew_secs)?;
    let string_to_sign =
        string_to_sign(amz_date, &auth.scope, &canonical_request(req, &auth.signed_headers));
    let expected = signature(&signing_key(credential.as_ref(), &auth.scope), &string_to_sign);
    if !bool::from(expected.as_bytes().ct_eq(auth.signature.as_bytes())) {
        return Err(SigV4Error::Mismatch);
    }
    let verified = Verified {
        access_key_id: auth.access_key_id,
        region: auth.scope.region,
        service: auth.scope.service,
    };
    Ok((verified, credential))
}

/// Signs a request: the value of its `Authorization` header.
///
/// `signed_headers` are the header names to sign (lowercase, sorted, including `host`);
/// the request must already carry them, `X-Amz-Date: amz_date` among them.
pub fn sign(
    req: &Request<'_>,
    signed_headers: &[&str],
    access_key_id: &str,
    secret: &[u8],
    region: &str,
    service: &str,
    amz_date: &str,
) -> String {
    let scope = Scope {
        date: amz_date.chars().take(8).collect(),
        region: region.to_owned(),
        service: service.to_owned(),
        terminator: TERMINATOR.to_owned(),
    };
    let names: Vec<String> = signed_headers.iter().map(|h| h.to_ascii_lowercase()).collect();
    let sts = string_to_sign(amz_date, &scope, &canonical_request(req, &names));
    format!(
        "{ALGORITHM} Credential={access_key_id}/{}, SignedHeaders={}, Signature={}",
        scope.to_path(),
        names.join(";"),
        signature(&signing_key(secret, &scope), &sts)
    )
}

const CREDENTIAL_REQUIRED: &str = "Authorization header requires 'Credential' parameter. ";
const SIGNATURE_REQUIRED: &str = "Authorization header requires 'Signature' parameter. ";
const SIGNED_HEADERS_REQUIRED: &str = "Authorization header requires 'SignedHeaders' parameter. ";
const DATE_REQUIRED: &str =
    "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ";

/// Parses the `Authorization` header. `has_date` tells whether the request carries a
/// usable `X-Amz-Date`, which AWS reports together with missing parameters.
pub fn parse_authorization(value: &str, has_date: bool) -> Result<Authorization, SigV4Error> {
    let (algorithm, rest) = value.split_once(char::is_whitespace).unwrap_or((value, ""));
    let (mut credential, mut signed_headers, mut signature) = (None, None, None);
    if algorithm == ALGORITHM {
        for pair in rest.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let Some((k, v)) = pair.split_once('=') else {
                return Err(SigV4Error::Incomplete(format!(
                    "'{pair}' not a valid key=value pair (missing equal-sign) in Authorization header: '{value}'."
                )));
            };
            match k.trim() {
                "Credential" => credential = Some(v.trim()),
                "SignedHeaders" => signed_headers = Some(v.trim()),
                "Signature" => signature = Some(v.trim()),
                _ => {}
            }
        }
    }
    let (Some(credential), Some(signed_headers), Some(signature), true) =
        (credential, signed_headers, signature, has_date)
    else {
        let mut message = String::new();
        for (missing, text) in [
            (credential.is_none(), CREDENTIAL_REQUIRED),
            (signature.is_none(), SIGNATURE_REQUIRED),
            (signed_headers.is_none(), SIGNED_HEADERS_REQUIRED),
            (!has_date, DATE_REQUIRED),
        ] {
            if missing {
                message.push_str(text);
            }
        }
        message.push_str("Authorization=");
        message.push_str(value);
        return Err(SigV4Error::Incomplete(message));
    };
    let parts: Vec<&str> = credential.split('/').collect();
    let [access_key_id, date, region, service, terminator] = parts[..] else {
        return Err(SigV4Error::Incomplete(format!(
            "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '{credential}'"
        )));
    };
    Ok(Authorization {
        access_key_id: access_key_id.to_owned(),
        scope: Scope {
            date: date.to_owned(),
            region: region.to_owned(),
            service: service.to_owned(),
            terminator: terminator.to_owned(),
        },
        signed_headers: signed_headers.split(';').map(|h| h.trim().to_ascii_lowercase()).collect(),
        signature: signature.to_owned(),
    })
}

/// Checks the credential scope against the request's `X-Amz-Date` and the service.
pub fn check_scope(scope: &Scope, amz_date: &str, service: &str) -> Result<(), SigV4Error> {
    if scope.terminator != TERMINATOR {
        return Err(SigV4Error::Invalid(format!(
            "Credential should be scoped with a valid terminator: '{TERMINATOR}', not '{}'.",
            scope.terminator
        )));
    }
    if scope.service != service {
        return Err(SigV4Error::Invalid(format!(
            "Credential should be scoped to correct service: '{service}'."
        )));
    }
    if scope.region.is_empty() {
        return Err(SigV4Error::Invalid("Credential should be scoped to a valid region.".into()));
    }
    let day = amz_date.get(..8).unwrap_or(amz_date);
    if scope.date != day {
        return Err(SigV4Error::Invalid(format!(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{}' != '{day}', from '{amz_date}'.",
            scope.date
        )));
    }
    Ok(())
}

/// Checks that a request signed at `signed_at` (epoch seconds) is within `max_skew_secs`
/// of `now_secs`, with AWS's messages for a request too old or from the future.
pub fn check_time(signed_at: i64, now_secs: i64, max_skew_secs: i64) -> Result<(), SigV4Error> {
    let minutes = max_skew_secs / 60;
    // The dates are formatted for a refusal only.
    let dates = || (format_amz_date(signed_at), format_amz_date(now_secs));
    if signed_at < now_secs - max_skew_secs {
        let ((at, now), bound) = (dates(), format_amz_date(now_secs - max_skew_secs));
        return Err(SigV4Error::Invalid(format!(
            "Signature expired: {at} is now earlier than {bound} ({now} - {minutes} min.)"
        )));
    }
    if signed_at > now_secs + max_skew_secs {
        let ((at, now), bound) = (dates(), format_amz_date(now_secs + max_skew_secs));
        return Err(SigV4Error::Invalid(format!(
            "Signature not yet current: {at} is still later than {bound} ({now} + {minutes} min.)"
        )));
    }
    Ok(())
}

/// `yyyymmddThhmmssZ` to epoch seconds.
pub fn parse_amz_date(s: &str) -> Option<i64> {
    let format = format_description!("[year][month][day]T[hour][minute][second]Z");
    (s.len() == 16).then_some(())?;
    PrimitiveDateTime::parse(s, &format).ok().map(|t| t.assume_utc().unix_timestamp())
}

/// Epoch seconds to `yyyymmddThhmmssZ`.
pub fn format_amz_date(secs: i64) -> String {
    let format = format_description!("[year][month][day]T[hour][minute][second]Z");
    OffsetDateTime::from_unix_timestamp(secs)
        .ok()
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_default()
}

/// The canonical request: method, canonical URI, canonical query, canonical headers,
/// signed header list and the hex SHA-256 of the body, one per line.
pub fn canonical_request(req: &Request<'_>, signed_headers: &[String]) -> String {
    let mut out = String::with_capacity(512);
    out.push_str(req.method);
    out.push('\n');
    out.push_str(&canonical_uri(req.path));
    out.push('\n');
    out.push_str(&canonical_query(req.query));
    out.push('\n');
    for name in signed_headers {
        // `name:value1,value2`, each value's runs of whitespace as one space, trimmed.
        out.push_str(name);
        out.push(':');
        for (i, value) in req.values(name).enumerate() {
            if i > 0 {
                out.push(',');
            }
            for (j, word) in value.split_whitespace().enumerate() {
                if j > 0 {
                    out.push(' ');
                }
                out.push_str(word);
            }
        }
        out.push('\n');
    }
    out.push('\n');
    for (i, name) in signed_headers.iter().enumerate() {
        if i > 0 {
            out.push(';');
        }
        out.push_str(name);
    }
    out.push('\n');
    out.push_str(&hex::encode(Sha256::digest(req.body)));
    out
}

/// `AWS4-HMAC-SHA256`, the request time, the scope and the hex SHA-256 of the canonical
/// request, one per line.
pub fn string_to_sign(amz_date: &str, scope: &Scope, canonical_request: &str) -> String {
    format!(
        "{ALGORITHM}\n{amz_date}\n{}\n{}",
        scope.to_path(),
        hex::encode(Sha256::digest(canonical_request))
    )
}

/// `HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")`.
pub fn signing_key(secret: &[u8], scope: &Scope) -> [u8; 32] {
    let mut k_secret = Vec::with_capacity(4 + secret.len());
    k_secret.extend_from_slice(b"AWS4");
    k_secret.extend_from_slice(secret);
    let k_date = hmac_sha256(&k_secret, scope.date.as_bytes());
    k_secret.iter_mut().for_each(|b| *b = 0);
    let k_region = hmac_sha256(&k_date, scope.region.as_bytes());
    let k_service = hmac_sha256(&k_region, scope.service.as_bytes());
    hmac_sha256(&k_service, scope.terminator.as_bytes())
}

/// The hex HMAC-SHA256 of the string to sign under the signing key.
pub fn signature(signing_key: &[u8; 32], string_to_sign: &str) -> String {
    hex::encode(hmac_sha256(signing_key, string_to_sign.as_bytes()))
}

#[expect(clippy::expect_used, reason = "HMAC-SHA256 accepts keys of any length")]
fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC accepts any key length");
    mac.update(message);
    mac.finalize().into_bytes().into()
}

/// The path, with `.` and `..` segments removed and every byte but the unreserved ones
/// and `/` percent-encoded (a percent-encoded path is thus encoded twice, as the SDKs do
/// for every service but S3).
fn canonical_uri(path: &str) -> String {
    if path.is_empty() {
        return "/".into();
    }
    let mut segments: Vec<&str> = Vec::new();
    let parts: Vec<&str> = path.split('/').collect();
    for (i, s) in parts.iter().enumerate() {
        match *s {
            "." => {}
            ".." => {
                if segments.len() > 1 {
                    segments.pop();
                }
            }
            _ => segments.push(s),
        }
        if i + 1 == parts.len() && matches!(*s, "." | "..") {
            segments.push("");
        }
    }
    let joined = segments.join("/");
    let joined = if joined.starts_with('/') { joined } else { format!("/{joined}") };
    uri_encode(joined.as_bytes(), false)
}

/// The query parameters, decoded, re-encoded strictly and sorted by name then value.
fn canonical_query(query: &str) -> String {
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (uri_encode(&percent_decode(k), true), uri_encode(&percent_decode(v), true))
        })
        .collect();
    pairs.sort();
    pairs.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&")
}

fn uri_encode(bytes: &[u8], encode_slash: bool) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        if b.is_ascii_alphanumeric()
            || matches!(b, b'-' | b'.' | b'_' | b'~')
            || (b == b'/' && !encode_slash)
        {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn percent_decode(s: &str) -> Vec<u8> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        // Two hex digits exactly: `from_str_radix` alone would also take a sign (`%+1`).
        let hex_byte = bytes
            .get(i + 1..i + 3)
            .filter(|h| bytes[i] == b'%' && h.iter().all(u8::is_ascii_hexdigit))
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match hex_byte {
            Some(b) => {
                out.push(b);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The AWS SigV4 test suite's secret and time.
    const SUITE_SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    const SUITE_DATE: &str = "20150830T123600Z";

    fn headers(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    fn suite_scope() -> Scope {
        Scope {
            date: "20150830".into(),
            region: "us-east-1".into(),
            service: "service".into(),
            terminator: TERMINATOR.into(),
        }
    }

    fn names(s: &str) -> Vec<String> {
        s.split(';').map(str::to_owned).collect()
    }

    /// Checks one published example at every step: canonical request, string to sign,
    /// signature, and the whole Authorization header from `sign`, then `verify`.
    #[expect(clippy::too_many_arguments, reason = "one published example, field by field")]
    fn check_example(
        req: &Request<'_>,
        signed: &str,
        scope: &Scope,
        amz_date: &str,
        secret: &str,
        creq: &str,
        creq_hash: &str,
        expected_authorization: &str,
    ) {
        let got = canonical_request(req, &names(signed));
        assert_eq!(got, creq);
        let sts = string_to_sign(amz_date, scope, &got);
        assert_eq!(sts, format!("{ALGORITHM}\n{amz_date}\n{}\n{creq_hash}", scope.to_path()));
        let sig = signature(&signing_key(secret.as_bytes(), scope), &sts);
        assert!(expected_authorization.ends_with(&format!("Signature={sig}")), "{sig}");
        let signed_list: Vec<&str> = signed.split(';').collect();
        let ak = expected_authorization
            .split("Credential=")
            .nth(1)
            .and_then(|c| c.split('/').next())
            .unwrap_or_default();
        assert_eq!(
            sign(req, &signed_list, ak, secret.as_bytes(), &scope.region, &scope.service, amz_date),
            expected_authorization
        );

        let mut with_auth = req.headers.to_vec();
        with_auth.push(("Authorization".into(), expected_authorization.into()));
        let signed_req = Request { headers: &with_auth, ..*req };
        let now = parse_amz_date(amz_date).unwrap();
        let ok = verify(&signed_req, &scope.service, now, 900, |k| {
            (k == ak).then_some(secret.as_bytes())
        })
        .unwrap();
        assert_eq!(
            (ok.access_key_id(), ok.region(), ok.service()),
            (ak, scope.region.as_str(), scope.service.as_str())
        );
    }

    #[test]
    fn suite_get_vanilla() {
        let h = headers(&[("Host", "example.amazonaws.com"), ("X-Amz-Date", SUITE_DATE)]);
        let req = Request { method: "GET", path: "/", query: "", headers: &h, body: b"" };
        check_example(
            &req,
            "host;x-amz-date",
            &suite_scope(),
            SUITE_DATE,
            SUITE_SECRET,
            "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63",
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
        );
    }

    #[test]
    fn suite_post_vanilla() {
        let h = headers(&[("Host", "example.amazonaws.com"), ("X-Amz-Date", SUITE_DATE)]);
        let req = Request { method: "POST", path: "/", query: "", headers: &h, body: b"" };
        check_example(
            &req,
            "host;x-amz-date",
            &suite_scope(),
            SUITE_DATE,
            SUITE_SECRET,
            "POST\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "553f88c9e4d10fc9e109e2aeb65f030801b70c2f6468faca261d401ae622fc87",
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b",
        );
    }

    #[test]
    fn suite_post_x_www_form_urlencoded() {
        let h = headers(&[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Host", "example.amazonaws.com"),
            ("X-Amz-Date", SUITE_DATE),
        ]);
        let req =
            Request { method: "POST", path: "/", query: "", headers: &h, body: b"Param1=value1" };
        check_example(
            &req,
            "content-type;host;x-amz-date",
            &suite_scope(),
            SUITE_DATE,
            SUITE_SECRET,
            "POST\n/\n\ncontent-type:application/x-www-form-urlencoded\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\ncontent-type;host;x-amz-date\n9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e",
            "42a5e5bb34198acb3e84da4f085bb7927f2bc277ca766e6d19c73c2154021281",
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a",
        );
    }

    /// The IAM ListUsers example of the SigV4 signing documentation, with its published
    /// signing key.
    #[test]
    fn docs_iam_list_users() {
        let h = headers(&[
            ("host", "iam.amazonaws.com"),
            ("Content-type", "application/x-www-form-urlencoded; charset=utf-8"),
            ("x-amz-date", "20110909T233600Z"),
        ]);
        let req = Request {
            method: "POST",
            path: "/",
            query: "",
            headers: &h,
            body: b"Action=ListUsers&Version=2010-05-08",
        };
        let scope = Scope {
            date: "20110909".into(),
            region: "us-east-1".into(),
            service: "iam".into(),
            terminator: TERMINATOR.into(),
        };
        assert_eq!(
            hex::encode(signing_key(SUITE_SECRET.as_bytes(), &scope)),
            "98f1d889fec4f4421adc522bab0ce1f82e6929c262ed15e5a94c90efd1e3b0e7"
        );
        check_example(
            &req,
            "content-type;host;x-amz-date",
            &scope,
            "20110909T233600Z",
            SUITE_SECRET,
            "POST\n/\n\ncontent-type:application/x-www-form-urlencoded; charset=utf-8\nhost:iam.amazonaws.com\nx-amz-date:20110909T233600Z\n\ncontent-type;host;x-amz-date\nb6359072c78d70ebee1e81adcbab4f01bf2c23245fa365ef83fe8f1f955085e2",
            "3511de7e95d28ecd39e9513b642aee07e54f4941150d8df8bf94b328ef7e55e2",
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20110909/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=ced6826de92d2bdeed8f846f0bf508e8559e98e4b0199114b84c54174deb456c",
        );
    }

    /// A KMS request exactly as botocore signed it (see tests/data/README.md).
    #[test]
    fn botocore_capture_verifies_and_signs_the_same() {
        let data: serde_json::Value =
            serde_json::from_str(include_str!("../../tests/data/botocore-kms-encrypt.json"))
                .unwrap();
        let s = |k: &str| data[k].as_str().unwrap().to_owned();
        let headers: Vec<(String, String)> = data["headers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| (h[0].as_str().unwrap().to_owned(), h[1].as_str().unwrap().to_owned()))
            .collect();
        let body = s("body");
        let (path, query, method, secret) =
            (s("path"), s("query"), s("method"), s("secret_access_key"));
        let req = Request {
            method: &method,
            path: &path,
            query: &query,
            headers: &headers,
            body: body.as_bytes(),
        };
        let amz_date = req.header("x-amz-date").unwrap();
        let now = parse_amz_date(amz_date).unwrap() + 30;
        let ak = s("access_key_id");
        let ok = verify(&req, "kms", now, 900, |k| (k == ak).then_some(secret.as_bytes())).unwrap();
        assert_eq!(ok.region(), "eu-west-1");
        assert_eq!(ok.access_key_id(), ak);

        let without: Vec<(String, String)> = headers
            .iter()
            .filter(|(k, _)| !k.eq_ignore_ascii_case("authorization"))
            .cloned()
            .collect();
        let unsigned = Request { headers: &without, ..req };
        let signed = sign(
            &unsigned,
            &["content-type", "host", "x-amz-date", "x-amz-target"],
            &ak,
            secret.as_bytes(),
            "eu-west-1",
            "kms",
            amz_date,
        );
        assert_eq!(Some(signed.as_str()), req.header("authorization"));

        // One changed byte of the body, one wrong secret: refused.
        let tampered = body.replace("coffer-example", "coffer-exampla");
        let bad = Request { body: tampered.as_bytes(), ..req };
        assert_eq!(
            verify(&bad, "kms", now, 900, |_| Some(secret.as_bytes())),
            Err(SigV4Error::Mismatch)
        );
        assert_eq!(
            verify(&req, "kms", now, 900, |_| Some(b"not-the-secret".as_slice())),
            Err(SigV4Error::Mismatch)
        );
        assert_eq!(verify(&req, "kms", now, 900, |_| None), Err(SigV4Error::UnknownAccessKey));
    }

    #[test]
    fn header_refusals_use_aws_wording() {
        assert_eq!(
            parse_authorization("AWS4-HMAC-SHA256 Credential=AK/20150830/us-east-1/kms/aws4_request", true),
            Err(SigV4Error::Incomplete(
                "Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. \
Authorization=AWS4-HMAC-SHA256 Credential=AK/20150830/us-east-1/kms/aws4_request"
                    .into()
            ))
        );
        assert_eq!(
            parse_authorization("Bearer abc", false),
            Err(SigV4Error::Incomplete(
                "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. \
Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. \
Authorization=Bearer abc"
                    .into()
            ))
        );
        assert_eq!(
            parse_authorization(
                "AWS4-HMAC-SHA256 Credential=AK /20150830/us-east-1/kms/aws4_request, SignedHeaders=host, Signature=00",
                true
            ),
            Ok(Authorization {
                access_key_id: "AK ".into(),
                scope: Scope {
                    date: "20150830".into(),
                    region: "us-east-1".into(),
                    service: "kms".into(),
                    terminator: TERMINATOR.into()
                },
                signed_headers: vec!["host".into()],
                signature: "00".into(),
            })
        );
        assert_eq!(
            parse_authorization("AWS4-HMAC-SHA256 Credential, SignedHeaders=host, Signature=00", true),
            Err(SigV4Error::Incomplete(
                "'Credential' not a valid key=value pair (missing equal-sign) in Authorization header: 'AWS4-HMAC-SHA256 Credential, SignedHeaders=host, Signature=00'.".into()
            ))
        );
        assert_eq!(
            parse_authorization("AWS4-HMAC-SHA256 Credential=AK/20150830/us-east-1/kms, SignedHeaders=host, Signature=00", true),
            Err(SigV4Error::Incomplete(
                "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'AK/20150830/us-east-1/kms'".into()
            ))
        );
    }

    #[test]
    fn scope_refusals_use_aws_wording() {
        let scope = |date: &str, service: &str, term: &str| Scope {
            date: date.into(),
            region: "us-east-1".into(),
            service: service.into(),
            terminator: term.into(),
        };
        assert_eq!(
            check_scope(&scope("20150830", "kms", TERMINATOR), "20150830T123600Z", "kms"),
            Ok(())
        );
        assert_eq!(
            check_scope(&scope("20150830", "s3", TERMINATOR), "20150830T123600Z", "kms"),
            Err(SigV4Error::Invalid(
                "Credential should be scoped to correct service: 'kms'.".into()
            ))
        );
        assert_eq!(
            check_scope(&scope("20150830", "kms", "aws5_request"), "20150830T123600Z", "kms"),
            Err(SigV4Error::Invalid("Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'.".into()))
        );
        assert_eq!(
            check_scope(&scope("20150829", "kms", TERMINATOR), "20150830T123600Z", "kms"),
            Err(SigV4Error::Invalid(
                "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20150829' != '20150830', from '20150830T123600Z'.".into()
            ))
        );
    }

    #[test]
    fn skew_is_fifteen_minutes_either_way() {
        let at = parse_amz_date("20140325T143453Z").unwrap();
        assert_eq!(format_amz_date(at), "20140325T143453Z");
        assert_eq!(check_time(at, at + 900, 900), Ok(()));
        assert_eq!(check_time(at, at - 900, 900), Ok(()));
        // AWS's own example: signed 14:34:53, received 14:52:51.
        let now = parse_amz_date("20140325T145251Z").unwrap();
        assert_eq!(
            check_time(at, now, 900),
            Err(SigV4Error::Invalid(
                "Signature expired: 20140325T143453Z is now earlier than 20140325T143751Z (20140325T145251Z - 15 min.)".into()
            ))
        );
        let now = parse_amz_date("20140325T141500Z").unwrap();
        assert_eq!(
            check_time(at, now, 900),
            Err(SigV4Error::Invalid(
                "Signature not yet current: 20140325T143453Z is still later than 20140325T143000Z (20140325T141500Z + 15 min.)".into()
            ))
        );
        assert_eq!(parse_amz_date("2014-03-25T14:34:53Z"), None);
        assert_eq!(parse_amz_date("20140325T143453"), None);
    }

    #[test]
    fn canonical_pieces() {
        assert_eq!(canonical_query("Param2=value2&Param1=value1"), "Param1=value1&Param2=value2");
        assert_eq!(canonical_query("Param1=value2&Param1=Value1"), "Param1=Value1&Param1=value2");
        assert_eq!(canonical_query("a=b%20c&d"), "a=b%20c&d=");
        // A sign is not a hex digit: `%+1` stays text, as AWS reads it.
        assert_eq!(percent_decode("%+1%41%4"), b"%+1A%4");
        assert_eq!(canonical_uri(""), "/");
        assert_eq!(canonical_uri("/example/.."), "/");
        assert_eq!(canonical_uri("/./example"), "/example");
        assert_eq!(canonical_uri("/a b/%20"), "/a%20b/%2520");
        let h = headers(&[("My-Header1", "  a   b   c  "), ("my-header1", "d"), ("Host", "h")]);
        let req = Request { method: "GET", path: "/", query: "", headers: &h, body: b"" };
        assert!(
            canonical_request(&req, &names("host;my-header1"))
                .contains("host:h\nmy-header1:a b c,d\n\n")
        );
    }

    #[test]
    fn missing_date_or_host_and_missing_header() {
        let h = headers(&[("Host", "example.amazonaws.com")]);
        let req = Request { method: "POST", path: "/", query: "", headers: &h, body: b"" };
        assert_eq!(verify(&req, "kms", 0, 900, |_| None), Err(SigV4Error::Missing));
        let mut h2 = h.clone();
        h2.push(("Authorization".into(), format!("{ALGORITHM} Credential=AK/20150830/us-east-1/kms/aws4_request, SignedHeaders=host, Signature=00")));
        let req = Request { headers: &h2, ..req };
        assert!(
            matches!(verify(&req, "kms", 0, 900, |_| None), Err(SigV4Error::Incomplete(m)) if m.starts_with(DATE_REQUIRED))
        );
        let mut h3 = headers(&[("X-Amz-Date", SUITE_DATE)]);
        h3.push(("Authorization".into(), format!("{ALGORITHM} Credential=AK/20150830/us-east-1/kms/aws4_request, SignedHeaders=x-amz-date, Signature=00")));
        let req = Request { headers: &h3, ..req };
        assert!(
            matches!(verify(&req, "kms", 0, 900, |_| None), Err(SigV4Error::Incomplete(m)) if m.contains("'Host'"))
        );
    }
}
