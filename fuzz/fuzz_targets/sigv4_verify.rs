//! SigV4: parsing any `Authorization` header and verifying any request never panics, and a
//! request signed with `sign` verifies, and stops verifying when its body changes.
//!
//! The input is text: the method, the path and the query string on the first three lines,
//! then one header per line (`name:value`), an empty line, and the body.

#![no_main]

use coffer_server::aws::sigv4::{
    Request, SigV4Error, canonical_request, check_scope, parse_amz_date, parse_authorization, sign,
    verify,
};
use libfuzzer_sys::fuzz_target;

const ACCESS_KEY_ID: &str = "AKIDEXAMPLE";
const SECRET: &[u8] = b"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const AMZ_DATE: &str = "20150830T123600Z";
const SERVICE: &str = "kms";

/// What the HTTP layer lets through as a header name.
fn is_token(name: &str) -> bool {
    !name.is_empty()
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (head, body) = text.split_once("\n\n").unwrap_or((&text, ""));
    let mut lines = head.split('\n');
    let method = lines.next().unwrap_or_default();
    let path = lines.next().unwrap_or_default();
    let query = lines.next().unwrap_or_default();
    let headers: Vec<(String, String)> = lines
        .map(|l| l.split_once(':').unwrap_or((l, "")))
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect();
    let req = Request { method, path, query, headers: &headers, body: body.as_bytes() };

    // Every header value read as an `Authorization` header.
    let amz_date = req.header("x-amz-date");
    let amz_date = amz_date.as_deref().map(str::trim).unwrap_or(AMZ_DATE);
    for (_, value) in &headers {
        for has_date in [false, true] {
            if let Ok(auth) = parse_authorization(value.trim(), has_date) {
                let _ = check_scope(&auth.scope, amz_date, SERVICE);
                let names: Vec<_> = auth.signed_headers.iter().collect();
                let _ = canonical_request(&req, &names);
            }
        }
    }
    // The request as it came, at the time it says it was signed and at a fixed time.
    let signed_at = parse_amz_date(amz_date).unwrap_or(1_440_938_160);
    for now in [signed_at, 1_440_938_160] {
        let _ = verify(&req, SERVICE, now, 900, |_| Some(SECRET));
    }

    // The same request, signed: every header the HTTP layer would pass is signed.
    let mut signed: Vec<(String, String)> = headers
        .iter()
        .filter(|(n, _)| is_token(n))
        .filter(|(n, _)| {
            !n.eq_ignore_ascii_case("authorization") && !n.eq_ignore_ascii_case("x-amz-date")
        })
        .cloned()
        .collect();
    if !signed.iter().any(|(n, _)| n.eq_ignore_ascii_case("host")) {
        signed.push(("Host".into(), "kms.us-east-1.amazonaws.com".into()));
    }
    signed.push(("X-Amz-Date".into(), AMZ_DATE.into()));
    let mut names: Vec<String> = signed.iter().map(|(n, _)| n.to_ascii_lowercase()).collect();
    names.sort();
    names.dedup();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let unsigned = Request { headers: &signed, ..req };
    let authorization =
        sign(&unsigned, &names, ACCESS_KEY_ID, SECRET, "us-east-1", SERVICE, AMZ_DATE);
    signed.push(("Authorization".into(), authorization));
    let now = 1_440_938_160 + 60;
    let secret_of = |k: &str| (k == ACCESS_KEY_ID).then_some(SECRET);
    let signed_req = Request { headers: &signed, ..req };
    let verified = verify(&signed_req, SERVICE, now, 900, secret_of);
    match verified {
        Ok(v) => assert_eq!((v.access_key_id(), v.region()), (ACCESS_KEY_ID, "us-east-1")),
        Err(e) => panic!("a signed request is refused: {e:?}"),
    }
    let changed_body = format!("{body}.");
    let changed = Request { body: changed_body.as_bytes(), ..signed_req };
    assert_eq!(verify(&changed, SERVICE, now, 900, secret_of), Err(SigV4Error::Mismatch));
});
