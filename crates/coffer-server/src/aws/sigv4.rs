//! AWS Signature Version 4, as pure functions: no I/O, no clock, no knowledge of keys.
//!
//! The verifier parses the `Authorization` header, checks the credential scope and the
//! request time against a `now` it is given, asks a lookup for the access key's
//! credential, rebuilds the canonical request and the string to sign, has the credential
//! give the signing key of the scope and compares signatures in constant time. Only a
//! request that passed every step yields a [`Verified`], and only this module can build
//! one.
//!
//! It runs on every call, so it copies as little as it can: headers are read where they
//! lie, through [`Headers`]; the `Authorization` header is parsed into slices of itself;
//! the canonical request and the string to sign are fed straight into SHA-256 and HMAC,
//! never written out. [`canonical_request`] and [`string_to_sign`] write the same text,
//! for tests and for the signer.
//!
//! Refusals carry AWS's own wording, so the front door renders them unchanged. The
//! signer ([`sign`]) is the same code run the other way; tests use it to sign requests.

use std::borrow::Cow;
use std::fmt;

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use time::macros::format_description;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};
use zeroize::Zeroizing;

/// The only algorithm SigV4 defines for header authorization.
pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// The last element of every credential scope.
pub const TERMINATOR: &str = "aws4_request";

/// AWS's message when the computed and the given signatures differ.
pub const MISMATCH_MESSAGE: &str = "The request signature we calculated does not match the signature you provided. \
Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

/// A request's headers, as SigV4 reads them.
pub trait Headers {
    /// Every value of the header `name`, in the order received. `name` is lowercase; a
    /// header's name matches it in any ASCII case. A value that is not UTF-8 is read
    /// lossily, each bad sequence as U+FFFD, so that it signs the same whoever reads it so.
    fn values(&self, name: &str) -> impl Iterator<Item = Cow<'_, str>>;
}

impl<N: AsRef<str>, V: AsRef<str>> Headers for [(N, V)] {
    fn values(&self, name: &str) -> impl Iterator<Item = Cow<'_, str>> {
        self.iter()
            .filter(move |(n, _)| n.as_ref().eq_ignore_ascii_case(name))
            .map(|(_, v)| Cow::Borrowed(v.as_ref()))
    }
}

impl<N: AsRef<str>, V: AsRef<str>> Headers for Vec<(N, V)> {
    fn values(&self, name: &str) -> impl Iterator<Item = Cow<'_, str>> {
        self.as_slice().values(name)
    }
}

/// A request, as much of it as SigV4 reads.
pub struct Request<'a, H: ?Sized = [(String, String)]> {
    /// `GET`, `POST`, ...
    pub method: &'a str,
    /// The path as sent (`/`), still percent-encoded.
    pub path: &'a str,
    /// The query string as sent, without `?` (empty when there is none).
    pub query: &'a str,
    /// Every header, in the order received: name-value pairs with names in any case, or
    /// anything else that reads as [`Headers`].
    pub headers: &'a H,
    /// The body.
    pub body: &'a [u8],
}

impl<H: ?Sized> Clone for Request<'_, H> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<H: ?Sized> Copy for Request<'_, H> {}

impl<H: ?Sized> fmt::Debug for Request<'_, H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The headers hold the `Authorization` header, the body maybe a plaintext.
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query", &self.query)
            .finish_non_exhaustive()
    }
}

impl<'a, H: Headers + ?Sized> Request<'a, H> {
    /// The first value of a header.
    pub fn header(&self, name: &str) -> Option<Cow<'a, str>> {
        let headers: &'a H = self.headers;
        headers.values(name).next()
    }
}

/// The credential scope: `<date>/<region>/<service>/aws4_request`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scope<'a> {
    /// `yyyymmdd`.
    pub date: &'a str,
    /// The region the request was signed for.
    pub region: &'a str,
    /// The service the request was signed for (`kms`).
    pub service: &'a str,
    /// Must be `aws4_request`.
    pub terminator: &'a str,
}

impl Scope<'_> {
    /// `date/region/service/terminator`.
    pub fn to_path(&self) -> String {
        format!("{}/{}/{}/{}", self.date, self.region, self.service, self.terminator)
    }
}

/// The `SignedHeaders` list as sent: names separated by `;`, each read trimmed and in
/// lowercase.
#[derive(Clone, Copy)]
pub struct SignedHeaders<'a>(&'a str);

impl<'a> SignedHeaders<'a> {
    /// The list as it appears in the header.
    pub fn new(list: &'a str) -> Self {
        Self(list)
    }

    /// The names, trimmed and lowercase, in the order given.
    pub fn iter(self) -> impl Iterator<Item = Cow<'a, str>> + Clone {
        self.0.split(';').map(|name| ascii_lowercase(name.trim()))
    }
}

impl PartialEq for SignedHeaders<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Eq for SignedHeaders<'_> {}

impl fmt::Debug for SignedHeaders<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// `name` in lowercase, copied only when it is not lowercase already (the SDKs send it so).
fn ascii_lowercase(name: &str) -> Cow<'_, str> {
    if name.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(name.to_ascii_lowercase())
    } else {
        Cow::Borrowed(name)
    }
}

/// A parsed `Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`,
/// in slices of the header.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Authorization<'a> {
    /// The access key id of the credential.
    pub access_key_id: &'a str,
    /// The rest of the credential.
    pub scope: Scope<'a>,
    /// The signed header names.
    pub signed_headers: SignedHeaders<'a>,
    /// The signature, hex as sent.
    pub signature: &'a str,
}

impl fmt::Debug for Authorization<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The signature stays out: with it, the request could be sent again.
        f.debug_struct("Authorization")
            .field("access_key_id", &self.access_key_id)
            .field("scope", &self.scope)
            .field("signed_headers", &self.signed_headers)
            .finish_non_exhaustive()
    }
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
///
/// It borrows from the request's `Authorization` header, unless that header had to be
/// read lossily.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified<'a> {
    access_key_id: Cow<'a, str>,
    region: Cow<'a, str>,
    service: Cow<'a, str>,
}

impl Verified<'_> {
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

    fn into_owned(self) -> Verified<'static> {
        Verified {
            access_key_id: Cow::Owned(self.access_key_id.into_owned()),
            region: Cow::Owned(self.region.into_owned()),
            service: Cow::Owned(self.service.into_owned()),
        }
    }
}

/// What the verifier asks of the credential an access key names: the signing key of a
/// scope. A credential may remember the keys it gave; a bare secret derives each anew.
pub trait SigningSecret {
    /// [`signing_key`] of the credential's secret for `scope`.
    fn signing_key(&self, scope: &Scope<'_>) -> Zeroizing<[u8; 32]>;
}

impl SigningSecret for &[u8] {
    fn signing_key(&self, scope: &Scope<'_>) -> Zeroizing<[u8; 32]> {
        signing_key(self, scope)
    }
}

/// Verifies a request signed for `service`.
///
/// `now_secs` is the current time (epoch seconds) and `max_skew_secs` how far from it the
/// request's `X-Amz-Date` may be; `secret_of` returns the secret of an access key id.
/// Checks run in this order: header present and complete, scope, access key, time,
/// signature.
pub fn verify<'a, 's, H: Headers + ?Sized>(
    req: &Request<'a, H>,
    service: &str,
    now_secs: i64,
    max_skew_secs: i64,
    secret_of: impl FnOnce(&str) -> Option<&'s [u8]>,
) -> Result<Verified<'a>, SigV4Error> {
    verify_with(req, service, now_secs, max_skew_secs, secret_of).map(|(verified, _)| verified)
}

/// [`verify`] for a credential that its lookup owns: `credential_of` returns what holds
/// the secret of an access key id (a session behind a shared handle, say), which gives the
/// signing key, and it is handed back with the verified request.
pub fn verify_with<'a, H: Headers + ?Sized, C: SigningSecret>(
    req: &Request<'a, H>,
    service: &str,
    now_secs: i64,
    max_skew_secs: i64,
    credential_of: impl FnOnce(&str) -> Option<C>,
) -> Result<(Verified<'a>, C), SigV4Error> {
    match req.header("authorization") {
        None => Err(SigV4Error::Missing),
        Some(Cow::Borrowed(value)) => {
            verify_authorization(req, value, service, now_secs, max_skew_secs, credential_of)
        }
        Some(Cow::Owned(value)) => {
            verify_authorization(req, &value, service, now_secs, max_skew_secs, credential_of)
                .map(|(verified, credential)| (verified.into_owned(), credential))
        }
    }
}

/// [`verify_with`], once the `Authorization` header is found: `value` is its first value.
fn verify_authorization<'v, H: Headers + ?Sized, C: SigningSecret>(
    req: &Request<'_, H>,
    value: &'v str,
    service: &str,
    now_secs: i64,
    max_skew_secs: i64,
    credential_of: impl FnOnce(&str) -> Option<C>,
) -> Result<(Verified<'v>, C), SigV4Error> {
    let value = value.trim();
    if value.is_empty() {
        return Err(SigV4Error::Missing);
    }
    let amz_date = req.header("x-amz-date");
    let amz_date =
        amz_date.as_deref().map(str::trim).and_then(|d| parse_amz_date(d).map(|at| (d, at)));
    let auth = parse_authorization(value, amz_date.is_some())?;
    let Some((amz_date, signed_at)) = amz_date else {
        return Err(SigV4Error::Incomplete(format!("{}Authorization={value}", DATE_REQUIRED)));
    };
    if !auth.signed_headers.iter().any(|h| h == "host") {
        return Err(SigV4Error::Incomplete(
            "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.".into(),
        ));
    }
    check_scope(&auth.scope, amz_date, service)?;
    let credential = credential_of(auth.access_key_id).ok_or(SigV4Error::UnknownAccessKey)?;
    check_time(signed_at, now_secs, max_skew_secs)?;
    let canonical_request_hash = canonical_request_hash(req, auth.signed_headers.iter());
    let mut mac = hmac(credential.signing_key(&auth.scope).as_slice());
    write_string_to_sign(&mut mac, amz_date, &auth.scope, canonical_request_hash.as_str());
    let expected = Hex::of(&mac.finalize().into_bytes().into());
    if !bool::from(expected.as_str().as_bytes().ct_eq(auth.signature.as_bytes())) {
        return Err(SigV4Error::Mismatch);
    }
    let verified = Verified {
        access_key_id: Cow::Borrowed(auth.access_key_id),
        region: Cow::Borrowed(auth.scope.region),
        service: Cow::Borrowed(auth.scope.service),
    };
    Ok((verified, credential))
}

/// Signs a request: the value of its `Authorization` header.
///
/// `signed_headers` are the header names to sign (lowercase, sorted, including `host`);
/// the request must already carry them, `X-Amz-Date: amz_date` among them.
pub fn sign<H: Headers + ?Sized>(
    req: &Request<'_, H>,
    signed_headers: &[&str],
    access_key_id: &str,
    secret: &[u8],
    region: &str,
    service: &str,
    amz_date: &str,
) -> String {
    // The first eight characters, however many bytes they take.
    let date = amz_date.char_indices().nth(8).map_or(amz_date, |(end, _)| &amz_date[..end]);
    let scope = Scope { date, region, service, terminator: TERMINATOR };
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
pub fn parse_authorization(value: &str, has_date: bool) -> Result<Authorization<'_>, SigV4Error> {
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
    let mut parts = credential.split('/');
    let (Some(access_key_id), Some(date), Some(region), Some(service), Some(terminator), None) =
        (parts.next(), parts.next(), parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(SigV4Error::Incomplete(format!(
            "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '{credential}'"
        )));
    };
    Ok(Authorization {
        access_key_id,
        scope: Scope { date, region, service, terminator },
        signed_headers: SignedHeaders(signed_headers),
        signature,
    })
}

/// Checks the credential scope against the request's `X-Amz-Date` and the service.
pub fn check_scope(scope: &Scope<'_>, amz_date: &str, service: &str) -> Result<(), SigV4Error> {
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

/// `yyyymmddThhmmssZ` to epoch seconds: exactly sixteen bytes, ASCII digits where digits
/// go, a date of the calendar (year 0000 to 9999) and a time of day without leap second.
pub fn parse_amz_date(s: &str) -> Option<i64> {
    let s: &[u8; 16] = s.as_bytes().try_into().ok()?;
    let [y0, y1, y2, y3, mo0, mo1, d0, d1, b'T', h0, h1, mi0, mi1, s0, s1, b'Z'] = *s else {
        return None;
    };
    let year = i32::from(two_digits(y0, y1)?) * 100 + i32::from(two_digits(y2, y3)?);
    let month = Month::try_from(two_digits(mo0, mo1)?).ok()?;
    let date = Date::from_calendar_date(year, month, two_digits(d0, d1)?).ok()?;
    let time = Time::from_hms(two_digits(h0, h1)?, two_digits(mi0, mi1)?, two_digits(s0, s1)?);
    Some(PrimitiveDateTime::new(date, time.ok()?).assume_utc().unix_timestamp())
}

/// Two ASCII digits, as a number.
fn two_digits(tens: u8, ones: u8) -> Option<u8> {
    (tens.is_ascii_digit() && ones.is_ascii_digit()).then(|| (tens - b'0') * 10 + (ones - b'0'))
}

/// Epoch seconds to `yyyymmddThhmmssZ`.
pub fn format_amz_date(secs: i64) -> String {
    let format = format_description!("[year][month][day]T[hour][minute][second]Z");
    OffsetDateTime::from_unix_timestamp(secs)
        .ok()
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_default()
}

/// Where the canonical request and the string to sign are written: out as text, or
/// straight into the hash that reads them.
trait Sink {
    fn put(&mut self, text: &str);
}

impl Sink for String {
    fn put(&mut self, text: &str) {
        self.push_str(text);
    }
}

impl Sink for Sha256 {
    fn put(&mut self, text: &str) {
        Digest::update(self, text);
    }
}

impl Sink for Hmac<Sha256> {
    fn put(&mut self, text: &str) {
        Mac::update(self, text.as_bytes());
    }
}

/// The canonical request: method, canonical URI, canonical query, canonical headers,
/// signed header list and the hex SHA-256 of the body, one per line.
pub fn canonical_request<H: Headers + ?Sized, S: AsRef<str>>(
    req: &Request<'_, H>,
    signed_headers: &[S],
) -> String {
    let mut out = String::with_capacity(512);
    write_canonical_request(&mut out, req, signed_headers.iter());
    out
}

/// The hex SHA-256 of [`canonical_request`], without writing it out.
fn canonical_request_hash<H: Headers + ?Sized, S: AsRef<str>>(
    req: &Request<'_, H>,
    signed_headers: impl Iterator<Item = S> + Clone,
) -> Hex {
    let mut hash = Sha256::new();
    write_canonical_request(&mut hash, req, signed_headers);
    Hex::of(&hash.finalize().into())
}

fn write_canonical_request<H: Headers + ?Sized, S: AsRef<str>>(
    out: &mut impl Sink,
    req: &Request<'_, H>,
    signed_headers: impl Iterator<Item = S> + Clone,
) {
    out.put(req.method);
    out.put("\n");
    out.put(&canonical_uri(req.path));
    out.put("\n");
    out.put(&canonical_query(req.query));
    out.put("\n");
    for name in signed_headers.clone() {
        // `name:value1,value2`, each value's runs of whitespace as one space, trimmed.
        let name = name.as_ref();
        out.put(name);
        out.put(":");
        for (i, value) in req.headers.values(name).enumerate() {
            if i > 0 {
                out.put(",");
            }
            for (j, word) in value.split_whitespace().enumerate() {
                if j > 0 {
                    out.put(" ");
                }
                out.put(word);
            }
        }
        out.put("\n");
    }
    out.put("\n");
    for (i, name) in signed_headers.enumerate() {
        if i > 0 {
            out.put(";");
        }
        out.put(name.as_ref());
    }
    out.put("\n");
    out.put(Hex::of(&Sha256::digest(req.body).into()).as_str());
}

/// `AWS4-HMAC-SHA256`, the request time, the scope and the hex SHA-256 of the canonical
/// request, one per line.
pub fn string_to_sign(amz_date: &str, scope: &Scope<'_>, canonical_request: &str) -> String {
    let mut out = String::with_capacity(160);
    let hash = Hex::of(&Sha256::digest(canonical_request).into());
    write_string_to_sign(&mut out, amz_date, scope, hash.as_str());
    out
}

fn write_string_to_sign(
    out: &mut impl Sink,
    amz_date: &str,
    scope: &Scope<'_>,
    canonical_request_hash: &str,
) {
    for text in [ALGORITHM, "\n", amz_date, "\n"] {
        out.put(text);
    }
    for text in [scope.date, "/", scope.region, "/", scope.service, "/", scope.terminator, "\n"] {
        out.put(text);
    }
    out.put(canonical_request_hash);
}

/// `HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")`.
pub fn signing_key(secret: &[u8], scope: &Scope<'_>) -> Zeroizing<[u8; 32]> {
    let mut k_secret = Zeroizing::new(Vec::with_capacity(4 + secret.len()));
    k_secret.extend_from_slice(b"AWS4");
    k_secret.extend_from_slice(secret);
    let k_date = Zeroizing::new(hmac_sha256(&k_secret, scope.date.as_bytes()));
    let k_region = Zeroizing::new(hmac_sha256(k_date.as_slice(), scope.region.as_bytes()));
    let k_service = Zeroizing::new(hmac_sha256(k_region.as_slice(), scope.service.as_bytes()));
    Zeroizing::new(hmac_sha256(k_service.as_slice(), scope.terminator.as_bytes()))
}

/// The hex HMAC-SHA256 of the string to sign under the signing key.
pub fn signature(signing_key: &[u8; 32], string_to_sign: &str) -> String {
    hex::encode(hmac_sha256(signing_key, string_to_sign.as_bytes()))
}

#[expect(clippy::expect_used, reason = "HMAC-SHA256 accepts keys of any length")]
fn hmac(key: &[u8]) -> Hmac<Sha256> {
    Hmac::<Sha256>::new_from_slice(key).expect("HMAC accepts any key length")
}

fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut mac = hmac(key);
    mac.update(message);
    mac.finalize().into_bytes().into()
}

/// The lowercase hex of a SHA-256 or HMAC-SHA256 output, on the stack.
struct Hex([u8; 64]);

impl Hex {
    fn of(bytes: &[u8; 32]) -> Self {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut out = [0; 64];
        for (pair, b) in out.chunks_exact_mut(2).zip(bytes) {
            pair[0] = DIGITS[usize::from(b >> 4)];
            pair[1] = DIGITS[usize::from(b & 0x0f)];
        }
        Self(out)
    }

    fn as_str(&self) -> &str {
        // Hex digits only, so never the empty default.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

/// The path, with `.` and `..` segments removed and every byte but the unreserved ones
/// and `/` percent-encoded (a percent-encoded path is thus encoded twice, as the SDKs do
/// for every service but S3).
fn canonical_uri(path: &str) -> Cow<'_, str> {
    // What every AWS JSON call sends (`/`) is its own canonical form.
    let plain = path.starts_with('/')
        && path.bytes().all(|b| b == b'/' || is_unreserved(b))
        && path.split('/').all(|s| s != "." && s != "..");
    if plain {
        return Cow::Borrowed(path);
    }
    if path.is_empty() {
        return Cow::Borrowed("/");
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
    Cow::Owned(uri_encode(joined.as_bytes(), false))
}

/// The query parameters, decoded, re-encoded strictly and sorted by name then value.
fn canonical_query(query: &str) -> Cow<'_, str> {
    if query.is_empty() {
        return Cow::Borrowed("");
    }
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (uri_encode(&percent_decode(k), true), uri_encode(&percent_decode(v), true))
        })
        .collect();
    pairs.sort();
    Cow::Owned(pairs.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&"))
}

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

fn uri_encode(bytes: &[u8], encode_slash: bool) -> String {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        if is_unreserved(b) || (b == b'/' && !encode_slash) {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(DIGITS[usize::from(b >> 4)]));
            out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
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

    fn suite_scope() -> Scope<'static> {
        Scope { date: "20150830", region: "us-east-1", service: "service", terminator: TERMINATOR }
    }

    fn names(s: &str) -> Vec<String> {
        s.split(';').map(str::to_owned).collect()
    }

    /// Checks one published example at every step: canonical request, string to sign,
    /// signature, and the whole Authorization header from `sign`, then `verify`.
    #[expect(clippy::too_many_arguments, reason = "one published example, field by field")]
    fn check_example(
        req: &Request<'_, Vec<(String, String)>>,
        signed: &str,
        scope: &Scope<'_>,
        amz_date: &str,
        secret: &str,
        creq: &str,
        creq_hash: &str,
        expected_authorization: &str,
    ) {
        let got = canonical_request(req, &names(signed));
        assert_eq!(got, creq);
        // What `verify` hashes without writing it out is this very text.
        let streamed = canonical_request_hash(req, SignedHeaders::new(signed).iter());
        assert_eq!(streamed.as_str(), hex::encode(Sha256::digest(&got)));
        assert_eq!(streamed.as_str(), creq_hash);
        let sts = string_to_sign(amz_date, scope, &got);
        assert_eq!(sts, format!("{ALGORITHM}\n{amz_date}\n{}\n{creq_hash}", scope.to_path()));
        let key = signing_key(secret.as_bytes(), scope);
        let sig = signature(&key, &sts);
        assert!(expected_authorization.ends_with(&format!("Signature={sig}")), "{sig}");
        let mut mac = hmac(key.as_slice());
        write_string_to_sign(&mut mac, amz_date, scope, streamed.as_str());
        assert_eq!(Hex::of(&mac.finalize().into_bytes().into()).as_str(), sig);
        let signed_list: Vec<&str> = signed.split(';').collect();
        let ak = expected_authorization
            .split("Credential=")
            .nth(1)
            .and_then(|c| c.split('/').next())
            .unwrap_or_default();
        assert_eq!(
            sign(req, &signed_list, ak, secret.as_bytes(), scope.region, scope.service, amz_date),
            expected_authorization
        );

        let mut with_auth = req.headers.to_vec();
        with_auth.push(("Authorization".into(), expected_authorization.into()));
        let signed_req = Request { headers: &with_auth, ..*req };
        let now = parse_amz_date(amz_date).unwrap();
        let ok = verify(&signed_req, scope.service, now, 900, |k| {
            (k == ak).then_some(secret.as_bytes())
        })
        .unwrap();
        assert_eq!(
            (ok.access_key_id(), ok.region(), ok.service()),
            (ak, scope.region, scope.service)
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
        let scope =
            Scope { date: "20110909", region: "us-east-1", service: "iam", terminator: TERMINATOR };
        assert_eq!(
            hex::encode(*signing_key(SUITE_SECRET.as_bytes(), &scope)),
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
        let amz_date = amz_date.as_ref();
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
        assert_eq!(Some(signed.as_str()), req.header("authorization").as_deref());

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
                access_key_id: "AK ",
                scope: Scope {
                    date: "20150830",
                    region: "us-east-1",
                    service: "kms",
                    terminator: TERMINATOR
                },
                signed_headers: SignedHeaders::new("host"),
                signature: "00",
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
        let scope =
            |date, service, term| Scope { date, region: "us-east-1", service, terminator: term };
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
        assert_eq!(canonical_uri("/a-b/c_d.e~f//.../9"), "/a-b/c_d.e~f//.../9");
        assert_eq!(canonical_uri("a"), "/a");
        assert_eq!(canonical_uri("/a/."), "/a/");
        assert_eq!(canonical_query(""), "");
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

    /// The parser this module used before it read the digits itself: the oracle.
    fn parse_amz_date_with_time(s: &str) -> Option<i64> {
        let format = format_description!("[year][month][day]T[hour][minute][second]Z");
        (s.len() == 16).then_some(())?;
        PrimitiveDateTime::parse(s, &format).ok().map(|t| t.assume_utc().unix_timestamp())
    }

    #[test]
    fn amz_date_parser_agrees_with_the_format_description() {
        let mut inputs: Vec<String> = [
            "20150830T123600Z",
            "00000101T000000Z",
            "99991231T235959Z",
            "20160229T000000Z",
            "20150229T000000Z",
            "21000229T120000Z",
            "20151301T000000Z",
            "20150230T000000Z",
            "20150431T000000Z",
            "20150830T240000Z",
            "20150830T236000Z",
            "20150830T235960Z",
            "20150830T123600z",
            "20150830t123600Z",
            "20150830 123600Z",
            "2015083OT123600Z",
            "+2015083T123600Z",
            "+20150830T123600Z",
            "-20150830T12360Z",
            "2015-08-30T12:36:00Z",
            "20150830T123600",
            "20150830T123600ZZ",
            " 20150830T123600Z",
            "2015083\u{e9}T12360Z",
            "\u{ff12}0150830T1236Z",
            "",
        ]
        .map(str::to_owned)
        .to_vec();
        // Every month and day around the bounds, in common, leap and century years.
        for year in ["0000", "1900", "1970", "2000", "2015", "2016", "2100", "9999"] {
            for month in 0..=13 {
                for day in 0..=32 {
                    inputs.push(format!("{year}{month:02}{day:02}T000000Z"));
                }
            }
        }
        for hour in [0, 1, 23, 24, 99] {
            for minute in [0, 59, 60] {
                for second in [0, 59, 60, 61] {
                    inputs.push(format!("20150830T{hour:02}{minute:02}{second:02}Z"));
                }
            }
        }
        // Random dates, digits near the bounds, then some bytes of them changed.
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = |n: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % n
        };
        for _ in 0..50_000 {
            let mut s = format!(
                "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
                next(10_000),
                next(15),
                next(34),
                next(26),
                next(62),
                next(62)
            )
            .into_bytes();
            for _ in 0..next(3) {
                let at = usize::try_from(next(16)).unwrap();
                s[at] = b"0123456789TZ+- :a"[usize::try_from(next(17)).unwrap()];
            }
            match next(8) {
                0 => s.truncate(15),
                1 => s.push(b'0'),
                _ => {}
            }
            inputs.push(String::from_utf8(s).unwrap());
        }
        let mut valid = 0;
        for s in &inputs {
            let parsed = parse_amz_date(s);
            assert_eq!(parsed, parse_amz_date_with_time(s), "{s:?}");
            valid += usize::from(parsed.is_some());
        }
        assert!(valid > 10_000 && valid < inputs.len() - 10_000, "{valid} of {}", inputs.len());
        assert_eq!(parse_amz_date("00000101T000000Z"), Some(-62_167_219_200));
    }

    /// Headers as bytes, read as the front door reads an HTTP header map.
    struct RawHeaders(Vec<(&'static str, Vec<u8>)>);

    impl Headers for RawHeaders {
        fn values(&self, name: &str) -> impl Iterator<Item = Cow<'_, str>> {
            self.0
                .iter()
                .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| String::from_utf8_lossy(v))
        }
    }

    #[test]
    fn values_that_are_not_utf8_verify_as_read_lossily() {
        let text = headers(&[
            ("Host", "example.amazonaws.com"),
            ("X-Amz-Date", SUITE_DATE),
            ("X-Odd", "a\u{fffd}b"),
        ]);
        let req = Request { method: "POST", path: "/", query: "", headers: &text, body: b"{}" };
        let authorization = sign(
            &req,
            &["host", "x-amz-date", "x-odd"],
            "AKIDEXAMPLE",
            SUITE_SECRET.as_bytes(),
            "us-\u{fffd}",
            "kms",
            SUITE_DATE,
        );
        // The header as a client would send it: an invalid byte where it signed U+FFFD.
        let raw_authorization = authorization.replace('\u{fffd}', "\u{7f}").into_bytes();
        let raw_authorization: Vec<u8> =
            raw_authorization.into_iter().map(|b| if b == 0x7f { 0xff } else { b }).collect();
        let raw = |odd: &[u8]| {
            RawHeaders(vec![
                ("host", b"example.amazonaws.com".to_vec()),
                ("x-amz-date", SUITE_DATE.as_bytes().to_vec()),
                ("x-odd", odd.to_vec()),
                ("authorization", raw_authorization.clone()),
            ])
        };
        let now = parse_amz_date(SUITE_DATE).unwrap();
        let secret = |_: &str| Some(SUITE_SECRET.as_bytes());
        let with = |headers| Request { method: "POST", path: "/", query: "", headers, body: b"{}" };
        let headers = raw(b"a\xffb");
        let ok = verify(&with(&headers), "kms", now, 900, secret).unwrap();
        assert_eq!((ok.access_key_id(), ok.region()), ("AKIDEXAMPLE", "us-\u{fffd}"));
        // Another invalid byte reads the same; a valid one does not.
        let headers = raw(b"a\xfeb");
        assert!(verify(&with(&headers), "kms", now, 900, secret).is_ok());
        let headers = raw(b"a?b");
        assert_eq!(verify(&with(&headers), "kms", now, 900, secret), Err(SigV4Error::Mismatch));
    }

    #[test]
    fn debug_output_shows_no_signature() {
        let value = "AWS4-HMAC-SHA256 Credential=AK/20150830/us-east-1/kms/aws4_request, SignedHeaders=host, Signature=5fa00fa3";
        let auth = parse_authorization(value, true).unwrap();
        let h = headers(&[("Host", "h"), ("Authorization", value)]);
        let req = Request { method: "POST", path: "/", query: "", headers: &h, body: b"secret" };
        for shown in [format!("{auth:?}"), format!("{req:?}")] {
            assert!(!shown.contains("5fa00fa3") && !shown.contains("secret"), "{shown}");
        }
        assert!(format!("{auth:?}").contains("[\"host\"]"));
    }
}
